"""The call record: caller role and name, phone, case number, judge, summary, callback, referral."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from copilot.analysis.classifier import Classification
from copilot.analysis.keys import KeySet
from copilot.analysis.rules import Rules
from copilot.analysis.turns import TurnView
from copilot.record import CallRecord
from copilot.text import find_case_numbers, find_phones, pick_best
from copilot.text.numbers import unrepeated

# Common Chinese surnames (single characters), for 「X法官」 and full names.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裘卜费闵柏郁"
    "褚项屠祁盛缪应宣芦臧蒲邬晏甄仇车路成戚谈虞茅钮沃蔺巫楼骆傅洪楚时冉房储郎娄滕井解鲍霍商阎"
    "麻华卓骆蓝荣翁尤栾简饶廉桂席吉"
    # less common surnames of the 百家姓 and of today's registers (乐法官, 岑法官, 芮律师 …). Left out: characters that
    # are also common words before a title (明 说明, 连 连法官都…, 满 不满, 须 必须, 边 那边, 司 公司, 索 线索, 伊 Wu
    # 'he', 原 原法官 'the former judge', 元 三万元 …) and rare surnames that sound exactly like a word said before a
    # title, which a recogniser writes for it (闻 问: 「请闻法官」; 危 隗 蔚 位, 禹 於 鱼 庾 与, 巴 把, 戈 个, 揭 接, 狄 邸 的,
    # 游 由)
    "乐岑苗花卞平穆萧湛米贝伏屈刁支昝贲杭嵇滑裴荀惠芮羿靳汲邴糜松乌弓牧宓蓬郗仰仲暴钭戎祖韶郜蓟邰鄂"
    "赖蒙胥莘贡逄姬扶郦璩濮扈郏浦瞿艾衡暨殳夔厍訾阚丰蒯竺桓仝佘鄢粟谌冼谯邝雒忻练敬阳植银宫景幸薄宿怀咸池阴"
    "苍堵宰雍桑寿燕冀农柴慕茹宦居弘匡寇禄阙隆巩晁勾敖冷辛沙鞠巢荆逯")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
                     "夏侯", "轩辕", "端木", "西门", "南宫", "独孤", "司徒", "司空", "澹台", "公冶", "太史", "申屠")
NOT_JUDGE_PREFIX = ("承办", "主审", "值班", "执行", "经办", "立案", "办案", "审判", "合议", "该", "这位", "哪位", "女",
                    "男", "老", "位", "个", "的", "找", "问", "跟", "给", "让", "请", "和", "由", "是", "一下")
NAME_STOP = set("，。、？！；：,.?!;: 的是在我你他她您们了吗呢吧啊呀哦嘛和跟与及或电手号家住今年岁先女律老师法官")
"""A name ends before punctuation, a pause or a function word (「我叫李明，电话…」 gives 李明, not 李明电)."""
NAME_STOP_WORDS = ("电话", "手机", "号码", "案号", "身份证", "住在", "家住", "今年", "先生", "女士", "律师", "法官",
                   "庭长", "审判", "执行", "书记", "助理", "院长", "法院", "阿姨", "大爷", "老师", "这边", "那边", "我",
                   "是", "打", "想", "要", "的")
"""A name ends before these (a title after the surname is no given name: 「承办人是胡审判员」 gives 胡审判员, not 胡审判)."""
JUDGE_TITLES = ("法官", "庭长", "审判员", "审判长")
"""Titles said after a judge's surname; the record keeps the form spoken (「毛审判员」, formats.md: 「陈法官」)."""
COMMON_WORD_FREQ = 500
"""A two-character dictionary word at least this frequent in jieba's dictionary (安排 7836, 马上 2306, 方便 3718) is
read as a word, not as a surname and a given name (real names, when listed at all, are rarer: 李娜 438, 李强 159)."""
_BOUNDARY = set("，。、？！；：,.?!;: ") | set("的是找个那跟给让请和由叫位问这说与及把向对下系见到转接约")
_JUDGE_TITLE = re.compile(r"(法官|庭长|审判长|审判员)")
_JUDGE_FULL = re.compile(r"(?:法官|承办人|审判长|审判员|执行员|庭长)[，\s]*(?:好像|应该|可能|大概|我记得|据说)?[，\s]*"
                         r"(?:是|叫|名叫|姓名是|名字叫|叫做)[，\s]*")
_JUDGE_BEFORE_NAME = re.compile(r"(?:承办法官|主审法官|执行法官|审判长|审判员|承办人|法官|庭长)[，\s]*")
"""A title right before a full name: 「承办法官吴晓明」, 「审判长周立新那边」."""
_ASKED_FOR = re.compile(r"(?:找|联系|问问|转给|转告|打给)，?(?:一下|下)?，?(?:[\u4e00-\u9fff，]{1,10}?(?:法院|庭|局)，?的，?)?")
"""Asking for someone by full name (「想找一下秀洲法院的邵建峰」): the judge when the same turn says so after the name."""
_NAMED_AS_JUDGE = re.compile(r"法官|庭长|审判员|审判长|承办")
_PLACE_AFTER = re.compile(r"，?(?:法院|中院|区|县|市|镇|街道|乡|村)")
"""After a place, not a name (「龙湾 法院」, 「吴兴区」)."""
_NAMED_AS_OTHER = re.compile(r"律师|书记员|助理|当事人|原告|被告|代理人|执行人|申请人")
_AFTER_NAME = set("，。？！、；：,.?!;: 的在那这说讲看多也有吗呢吧啊呀")
"""What may follow a full name after a title (so 「法官马上回电」 gives no name)."""
_JUDGE_SURNAME = re.compile(r"姓，?([\u4e00-\u9fff]{1,2})，?的，?(法官|庭长)")
"""「那个姓蔡的法官」→ 蔡法官."""
_NAME_SELF = re.compile(r"(?:我姓|免贵姓|鄙姓|(?:^|(?<=[，。、]))姓)([\u4e00-\u9fff]{1,2})")
_NAME_FULL = re.compile(r"(?:我叫|我的名字叫|我名字叫|我的名字是|本人叫|我是|(?:^|(?<=[，。、]))(?:名叫|叫))")
_NAME_GAP = re.compile(r"(?<=我)，(?=叫|是|姓)|(?<=[叫姓])，|(?<=我是)，")
"""ASR word gaps inside 「我 叫 李明」 (a gap after the name still ends it)."""
_QUESTION = re.compile(r"[？?]\s*$|[吗呢][？?。]?\s*$")
"""An agent turn that ends in a question: a short caller turn after it is its answer (「您是本人吗？」「不是。」)."""
_WHO_QUESTION = re.compile(r"当事人|本人|什么关系|代理人|代理手续|委托手续|原告还是被告|辩护人|是律师")
"""The agent asking who the caller is (「请问您是当事人本人吗？」「您和当事人是什么关系？」)."""
_ADDRESS_LAWYER = re.compile(r"(?:" + "|".join(COMPOUND_SURNAMES) + r"|(?<![对双两一请找个位名托聘])["
                             + "".join(sorted(SURNAMES)) + r"])律师(?:您好|，|,|请|您)")
"""The agent addressing the caller as a lawyer (「好的，周律师，请问…」): a surname before 律师, not the agent speaking of
lawyers in general (「不是必须委托律师，您可以自己…」, 「对方律师」)."""
_ADDRESS = re.compile(r"([\u4e00-\u9fff])(先生|女士|律师|阿姨|大爷|老师)")

RELATIVE = ("(?:妈妈|爸爸|妈|爸|母亲|父亲|姆妈|阿爸|儿子|女儿|老公|丈夫|妻子|老婆|爷爷|奶奶|外婆|外公|公公|婆婆|哥哥|"
            "姐姐|弟弟|妹妹|家里人|亲戚|朋友|老伴|老头|老太|侄子|外甥|孙子|孙女|舅舅|叔叔|阿姨|同事|邻居|小孩|孩子|"
            "女婿|儿媳|媳妇|小舅子|舅妈|姨妈|小姨子|嫂子|弟媳|姐夫|妹夫|表哥|表姐|表妹|表弟|堂哥|堂姐|堂弟|堂妹|岳父|岳母|"
            "丈母娘|老丈人|姑姑|姑妈|姑父|姨父|干女儿|干儿子|未婚妻|未婚夫|男朋友|女朋友|家属|亲属|娘舅|阿姐|阿哥|阿弟|"
            "阿妹|爷叔|阿婆|侄女|外甥女|继父|继母|养父|养母)")
_CASE_WORDS = "(?:案子|案件|官司|告|起诉|被告|原告|诉讼|开庭|法院|被抓|判|拘留|关进去|执行)"
_SELF_OLD = "(?!老太婆|老头子|老太太|老头儿)"
"""An elderly caller's words for themself (「我老太婆问一下」, 「我是石浦的老头子」), not a relative."""
_EMPLOYER = "(?:老板|领导|经理|老总|公司|单位|厂里|厂长)"
_ON_BEHALF = re.compile(
    rf"(?:帮|替|代|陪)(?:我)?(?:家)?{RELATIVE}"
    rf"|(?<![跟和与同给对替帮告诉])我{_SELF_OLD}(?:的|家)?{RELATIVE}(?![^，。？！]{{0,2}}(?:帮|替|代|陪)我)"
    rf"(?:(?!我)[^，。？！]){{0,16}}{_CASE_WORDS}"
    rf"|我(?:就|只|也|其实)?是(?:[^，。？！]{{0,8}}的{_SELF_OLD}|他|她|他们)?{RELATIVE}"
    rf"|(?:^|(?<=，))(?:是|就是)(?:我|我的|我家){RELATIVE}(?:的事情?|的案子|的官司)?(?=，|$)|听(?:我)?(?:的)?(?:一个)?{RELATIVE}(?:讲|说)[，,]?(?:他|她|伊|我(?:的|家)?{RELATIVE})"
    rf"|(?:他|她)(?:在[^，。？！]{{0,8}})?有(?:个|一个)[^，。？！]{{0,8}}(?:案子|官司)"
    rf"|我(?:来|可以|能|能不能|可不可以|想|要)?(?:帮|替|代)(?:他|她)(?:们)?(?:去|写|问|办|打官司|递|交|起诉|告)")
_FOR_EMPLOYER = re.compile(
    rf"(?:帮|替|代)(?:我们)?{_EMPLOYER}(?:问|打|咨询|了解)|(?:我们)?{_EMPLOYER}(?:让|叫|派|要|安排)我(?:来|先)?"
    rf"(?:打(?:个|一个)?电话)?(?:来|先)?(?:问|咨询|打听|了解)")
"""An employee the boss asked to ring (「老板叫我打电话问一下」, 「帮老板问问」): the company is the party, and one it has
authorised says so (``AUTHORISED`` is read first). Not when the caller also says they are a party themself
(「我是被告，老板让我问问怎么上诉」)."""
"""The caller speaks for a relative or friend (not an authorised agent), or of someone else's case: ``other`` (an
employee sent by the boss: ``_FOR_EMPLOYER``). A relative named with 我 between it and the case word is the
other side of the caller's own dispute (「我侄子占了我的房子我想告他」), not someone the caller speaks for. Not an
elderly caller speaking of themself (「我老太婆问一下」, 「我是石浦的老头子」; 「我家老头子」 is a husband), nor a
relative who helps the caller with the caller's own case (「让我妹妹替我去法院跑一趟」: a party), nor what a friend
told the caller about the law (「听同事讲，可以先调解」): hearsay speaks for someone else only when it goes on about
them (「听我儿子说，他的案子…」)."""
_SELF_PARTY = re.compile(
    r"我(?:就)?是(?:这个案子的|本案的|案件的|那个|一个)?(?:[^，。？！]{0,12}(?:案件|案子|官司|案)的)?(?:原告|被告|申请人|被申请人|申请执行人|被执行人|上诉人|"
    r"被上诉人|当事人|第三人|被害人|受害人|债权人|债务人|本人|起诉人|执行申请人|申诉人|再审申请人)(?!的(?:代理|律师|家属|"
    + RELATIVE[3:-1] + r"))|我是[^，。？！]{0,24}号(?:案件?|案子)?的(?:原告|被告|申请人|被申请人|申请执行人|被执行人|上诉人|"
    r"被上诉人|第三人)(?!的)|我(?:的|自己的|那个|在[^，。？！]{1,8}的)[^，。？！]{0,6}(?:案子|案件|官司)|我被(?:人)?(?:告|起诉)"
    r"|我有(?:个|一个)[^，。？！]{0,6}(?:案子|案件|官司)|我(?:们)?(?:这个|那个)?(?:案子|案件|官司)(?!的(?:代理|律师|家属))")
"""The caller says they are a party or speaks of their own case."""
_PARTY_NAMED = re.compile(
    r"我(?:就|也)?是[^，。？！]{0,24}(?:原告|被告|申请人|被申请人|申请执行人|被执行人|上诉人|被上诉人|当事人|第三人|被害人|"
    r"受害人|债权人|债务人|本人|起诉人|申诉人)(?!的)|我被(?:人)?(?:告|起诉)|(?:告|起诉)(?:了)?我")
"""The caller names themself a party in so many words (not only 「我们那个案子」)."""
_DECIDED = re.compile(r"判(?:了|好了|好|下来了?|决(?:书)?(?:已经)?(?:生效|下来)|给我|我赢)|已经判|(?:官司|案子)(?:已经|老早|早就)?(?:结|打完)")
"""A case spoken of as decided (「官司老早判好了」, 「判了他赔钱给我」, 「判决生效了」)."""
AUTHORISED = (
    r"(?:公司|单位|企业|厂里|集团)[^，。？！]{0,4}(?:委托|授权|委派)(?:了)?(?:我|本人)"
    r"|(?:公司|单位|企业|厂里|集团|老板|领导)[^，。？！]{0,4}(?:(?:给|发|出具|开|签)(?:了)?(?:我|本人)"
    r"|(?:给|为)(?:我|本人)(?:开|出|写|出具|签)(?:了)?)(?:一份|一张|一个|份|张)?(?:的)?(?:授权委托书|委托书|授权书)"
    r"|(?<!要|需|得|去|办|写|开|签|出|交|没|不|未)(?:有|拿着|拿了|带着|带了|持有|持)(?:公司|单位|企业|厂里|他|她|他们|当事人)?(?:的)?(?:授权委托书|委托书|授权书)")
"""The caller holds a party's authority in so many words: the company authorised them (「公司委托我处理这几笔欠款」), gave
them the letter (「厂里给我开了委托书」), or they hold it (「我带着公司的委托书」) — precise enough to read as an agent
however the rest of the turn sounds (an agent says 「我们公司是原告」 too)."""
_AUTHORISED = re.compile(AUTHORISED)
_SELF_LAWYER = re.compile(
    r"(?:我是|本人是|我们是)(?:(?!还是)[^，。？！]){0,30}(?:(?<![请找聘雇])律师|代理人|法律工作者|律所|律师事务所)(?!费)"
    r"|(?:律师事务所|律所)的[^，。？！]{0,4}律师"
    r"|我(?:是|作为)?[^，。？！]{0,30}的(?:代理律师|诉讼代理人|委托代理人|代理人)|我(?:代理|受托代理)(?:的是)?"
    r"(?:原告|被告|申请人|被申请人|上诉人|被上诉人|当事人|第三人|申请执行人|被执行人)"
    r"|" + AUTHORISED)
"""A lawyer or an authorised agent (one who holds the letter of authority: 「我带着公司的委托书」), not a caller weighing
whether to hire one (「那我是自己写还是要请律师？」); a company's staff member
(法务 …) the company has authorised is its agent
(「公司委托我处理这几笔欠款」), one the boss just asked to ring is not (「老板让我问一下」)."""
_SELF_DEFENDER = re.compile(r"辩护人|辩护律师|刑事辩护|(?:我是|作为)[^，。？！]{0,12}的辩护")
_NOT_LAWYER = re.compile(r"不是(?:律师|代理人|代理律师)")
_PETITIONER = re.compile(r"信访|上访")
_CRIMINAL_CASE = re.compile(r"刑初|刑终|刑事|被告人|辩护")
"""A criminal case, literally (行初 sounds like 刑初): its lawyer is a defender (上诉人 is in civil appeals too)."""
ROLE_WORDS = ("律师事务所", "代理律师", "辩护律师", "辩护人", "代理人", "律师", "律所", "法律工作者", "原告", "被告",
              "申请执行人", "被执行人", "申请人", "被申请人", "上诉人", "当事人", "第三人", "被害人", "受害人", "案件", "案子",
              "官司", "起诉", "信访", "上访", "我是", "刑事", "代理", "授权委托书", "委托书", "授权书", "授权", "委托",
              "公司", "帮我", "老板")
"""Words the role patterns read; ASR homophones of them (律诗, 暗件, 我事; 公私 授权 → 公司, 委拖书 → 委托书, 帮沃 → 帮我, 老版 → 老板)
are put back before matching."""
_ROLE_INDEX: dict[int, dict[tuple[str, ...], str]] = {}


PLACE_ENDINGS = frozenset("村镇乡街路巷弄桥湾塘庄寨坞浜埭岙")
"""Characters that end the name of a place (a village, a town, a street; 浜 埭 岙 in Zhejiang's): a homophone of a
role word just before one is that place's name (尚方村, 新坊路), not the role word misheard."""


@lru_cache(maxsize=2048)
def canon_role_words(plain: str, gaps: frozenset[int] = frozenset()) -> str:
    """``plain`` with every exact homophone of a ROLE_WORDS entry (same loose toneless pinyin) spelt right
    (cached per text). ``gaps``: positions of ``plain`` where the recogniser put a word gap before the character; a
    homophone across a gap is repaired only when it is made of whole words (「我 事」 → 我是, but 「晚尚 饭店」 holds no
    上访: 尚 ends one word and 饭 starts another)."""
    from phrasebook.pinyin import syllables

    if not _ROLE_INDEX:
        for w in ROLE_WORDS:  # longer words first: 律师事务所 before 律师
            _ROLE_INDEX.setdefault(len(w), {}).setdefault(tuple(syllables(w)), w)
    syl = syllables(plain)
    chars = list(plain)

    def whole_words(i: int, n: int) -> bool:
        if not any(g in gaps for g in range(i + 1, i + n)):
            return True
        return (i == 0 or i in gaps or not "\u4e00" <= chars[i - 1] <= "\u9fff") and \
            (i + n == len(chars) or i + n in gaps or not "\u4e00" <= chars[i + n] <= "\u9fff")

    for n in sorted(_ROLE_INDEX, reverse=True):
        index = _ROLE_INDEX[n]
        i = 0
        while i <= len(syl) - n:
            word = index.get(tuple(syl[i:i + n]))
            # 姓 + a surname is someone's name (「请了个姓樊的」 sounds like 信访), not a misheard role word
            named = chars[i] == "姓" and i + 1 < len(chars) and chars[i + 1] in SURNAMES
            # before 村 / 镇 / 路 … it is a place's name (「尚方村」 sounds like 上访), not a misheard role word
            place = i + n < len(chars) and chars[i + n] in PLACE_ENDINGS
            if word is not None and "".join(chars[i:i + n]) != word and whole_words(i, n) and not named \
                    and not place:
                chars[i:i + n] = word
                i += n
            else:
                i += 1
    return "".join(chars)


CORRECTION_LINK = r"[，,。、\s哦啊嗯呃哎]*(?:我|我说的)?(?:应该|其实|实际上|还)?[是事市式试]?[，,。、\s]*"
"""What may stand between a correction word and the corrected number: a pause, a particle, 是/应该是 — no other
words (「不对，开庭是15号吗」 corrects nothing: the number is a date; the one said stays). ASR text writes 是 as any
character of its sound (「不对不对，事1452号」)."""
CORRECTION_WORDS = r"(?:不对|不不+|[说看记写报念听搞弄]错了?|错了|不是不是|应该是|更正|纠正)"
"""A caller taking back a number just said, in any words (说错了, 看错了, 记错了, 不对 …)."""
_RESTATED = re.compile(CORRECTION_WORDS)
"""Before a number in the same caller turn: the number said now replaces the one said before
(「不好意思，我看错了，是1260，（2025）浙0481民初1260号」, 「不对，最后是86，137 7745 1286」)."""
_CORRECTION = re.compile(r"(?:不对|说错了|说错|错了|搞错了|看错了|记错了|不是不是|不不+|应该是|更正一下|纠正一下)" + CORRECTION_LINK
                         + r"([0-9]{2,12})(?:号)?")
"""A caller correcting a number just said: 「2207号……哦不对，是2270号」, 「不不不，还是2207号」 (a repeated 不). Of several
corrections in a row the last one holds."""


_JUDGE_CHARS = frozenset("官承判执執庭")
"""Every title word ``_judge_in`` reads (法官, 承办人, 审判长/员, 执行员, 庭长, in either script) holds one of these …"""
_FA, _GUAN = frozenset("法发罚乏伐阀"), frozenset("关管馆观冠惯贯罐灌")
"""… or a recogniser's homophone of 法官 (法关, 发管: ``canon_judge_titles``) holds one of each of these."""
_TITLE_SOUNDS: dict[tuple[str, ...], str] = {}


_SPLIT_TITLE = re.compile(r"(?<=[办审行])法，官")
_GLUED_SPLIT_TITLE = re.compile(r"(?:(?<=，)|^)([" + "".join(sorted(SURNAMES)) + r"])([" + "".join(sorted(_FA))
                                + r"])，官(?!司|方|网|员|僚|兵|场|职|衔|腔)")
"""A surname + 法官 cut by the recogniser inside the title, the surname glued to its first syllable (「周发，官办…」 for
周法官办…): a whole word of a surname and 法/发, then 官 opening the next word (not 官司, 官方 …); a frequent word before
the cut (「方法，官…」) is no surname."""
_TITLE_ENDS = _GUAN | frozenset("官长掌涨张章彰员元园原圆源远")
"""Last characters of the homophones of the judge titles read (…guan, …zhang, …yuan): other pieces are not looked up."""


def canon_judge_titles(paused: str) -> str:
    """``paused`` (canonical text with ASR word gaps as 「，」) with a judge title the recogniser wrote as a whole word
    of the same sound put back (「给，郁，法关，打过」 → 郁，法官): only a whole word, so 「方法关键」 stays."""
    from phrasebook.pinyin import syllables

    if not _TITLE_SOUNDS:
        _TITLE_SOUNDS.update({tuple(syllables(w)): w for w in JUDGE_TITLES})
    # 承办法官 / 主审法官 / 执行法官 cut by the recogniser after 法 (「成，办法，官是，X」): the title is one word
    paused = _SPLIT_TITLE.sub("法官", paused)
    paused = _GLUED_SPLIT_TITLE.sub(lambda m: f"{m.group(1)}，法官" if not common_word(m.group(1) + m.group(2))
                                    else m.group(), paused)
    out = []
    for piece in re.split(r"(，)", paused):
        if 2 <= len(piece) <= 4 and piece not in JUDGE_TITLES and not _TITLE_ENDS.isdisjoint(piece[-1]):
            heard = tuple(syllables(piece))
            title = _TITLE_SOUNDS.get(heard) if len(piece) <= 3 else None
            if title is None and len(piece) >= 3 and len(heard) == len(piece):
                # a name glued to the title by the recogniser (「姚发官」, 「辉发官」): the title at its end is put back
                # only after a surname or a name's given character, never after a word's first half (「处罚关」)
                tail = _TITLE_SOUNDS.get(heard[-2:])
                head = piece[:-2]
                if tail is not None and piece[-2:] != tail and len(tail) == 2 and not common_word(piece[-3:-1]):
                    title = head + tail
            piece = title or piece
        out.append(piece)
    return "".join(out)
_NAME_CHARS = frozenset("叫是姓")
"""Every self-introduction ``_caller_name_in`` reads (我叫, 我是, 名叫, 我姓, 免贵姓 …) holds one of these."""


def _may_hold(turn: TurnView, chars: frozenset[str]) -> bool:
    """Whether the turn, as said or in its canonical form, holds one of ``chars``: a turn without any cannot hold
    the words a pattern needs, so its text with pauses (a second normalisation) is not made."""
    return not chars.isdisjoint(turn.text) or not chars.isdisjoint(turn.plain)


def _with_pauses(text: str) -> str:
    """Canonical text that keeps punctuation, with ASR word gaps as pauses (so a name has an end)."""
    from copilot.text import normalize

    return normalize(re.sub(r"\s+", "，", text.strip()), keep_punct=True).text


CALLER_CASE = 1.3
"""A case number the caller says counts this much more than one the agent says: the agent may name a further number
(「二审案号是…」), and the recogniser may make the caller's own less sure than the agent's."""


class Extractor:
    def __init__(self, rules: Rules) -> None:
        self.r = rules
        self._cache: dict[tuple[str, int], Any] = {}
        self._roles: dict[tuple[int, ...], str] = {}
        roles = rules.checks.get("roles", {})
        self.defender = KeySet(roles.get("defender", ["辩护人", "辩护律师", "刑事辩护"]))
        self.lawyer = KeySet(roles.get("litigation_agent", ["律师", "代理人", "律所", "律师事务所", "法律工作者"]))
        self.petitioner = KeySet(roles.get("petitioner", ["信访", "上访"]))
        self.criminal = KeySet(roles.get("criminal", ["刑初", "刑终", "刑事", "被告人", "上诉人"]))
        _common_words()  # read once per process now, not inside the first caller turn that names someone

    def caller_role(self, turns: list[TurnView], cls: Classification) -> str:
        """The caller's role: what the role model (examples/roles.toml) reads in any turn of the call, else
        roles.toml's default for the call's service type and need; the earlier rules without that file."""
        model = self.r.role_model()
        if model is None:
            return self.caller_role_rules(turns, cls)
        from copilot.analysis.classifier import clause_parts
        from copilot.analysis.role_model import SHORT_ANSWER, call_role

        if not any(not t.is_agent and t.has_content for t in turns):
            return "other"
        probs = []
        answers = set()
        prev: TurnView | None = None
        for t in turns:
            if t.has_content:
                read = self._cache.get(("asked", t.index))
                if read is None:  # what the turn answers depends on the turn before it only: read once
                    asked = (not t.is_agent and prev is not None and prev.is_agent and prev.index == t.index - 1
                             and _QUESTION.search(prev.text) is not None)
                    read = self._cache[("asked", t.index)] = (
                        asked and len(t.plain) <= SHORT_ANSWER, asked and _WHO_QUESTION.search(prev.plain) is not None)
                short, identity = read
                key = ("role", t.index)
                if key not in self._cache:
                    if t.is_agent:  # only how the agent addresses the caller: 「好的，周律师」
                        addressed = _ADDRESS_LAWYER.search(t.plain) is not None
                        p = model.predict(t.plain) if addressed else {}
                        self._cache[key] = {"litigation_agent": p.get("litigation_agent", -STATEMENT_BONUS)
                                            + STATEMENT_BONUS, **({STATED + "litigation_agent": 1.0} if addressed else {})}
                    elif short:  # 「您是当事人本人吗？」「不是，我是他儿子。」 (the answer's own words state it too)
                        answer = _role_text(t, False)
                        self._cache[key] = _with_statements(model.predict(prev.plain + answer), _role_text(t, True))
                    else:
                        text = _role_text(t, False)
                        self._cache[key] = _with_statements(model.predict_turn(text, clause_parts(t)),
                                                            _role_text(t, True))
                if identity:  # the caller's answer to 「您是当事人本人吗？」 says who they are, however late
                    answers.add(len(probs))
                probs.append((t.is_agent, self._cache[key]))
            prev = t
        role = call_role(model, probs, cls.service_type, cls.needs.get(cls.service_type, ""), frozenset(answers))[0]
        if role == "party" and cls.service_type == "out_of_scope" and not answers and self._decided_only(turns):
            # a case the caller won or lost long ago is the background of what they now ask another body for (过户 at
            # the land registry, the police for a threat): not a party's call to the court (roles.toml: out of scope
            # → other); a caller who says they are a party (我是原告, 我被告了) or answers 「您是当事人吗」 stays one
            return model.data.default(cls.service_type, cls.needs.get(cls.service_type, ""))
        if role == "litigation_agent" and _CRIMINAL_CASE.search("".join(t.plain for t in turns)):
            return "defender"  # a lawyer in a criminal case (刑初, 被告人 …) defends
        return role

    def _decided_only(self, turns: list[TurnView]) -> bool:
        """Whether the caller speaks of their case only as one already decided (判了, 判好了, 判决生效 …) and never
        names themself a party in so many words (我是原告, 我被人告了)."""
        caller = [mandarin_pronouns(_role_text(t, False)) for t in turns if not t.is_agent and t.has_content]
        return any(_DECIDED.search(p) for p in caller) and not any(_PARTY_NAMED.search(p) for p in caller)

    def caller_role_rules(self, turns: list[TurnView], cls: Classification) -> str:
        """The caller's role from how they describe themself (never forced by the service type).

        Order: a defence lawyer (辩护人) → ``defender``; a lawyer or agent (我是…律师 / 代理人, 代理被告的律师)
        → ``litigation_agent`` (``defender`` when the case is criminal and the lawyer defends); a caller
        speaking for a relative or friend, or of someone else's case → ``other``; a party (我是原告/被告/
        申请人/被害人…, 我的案子) → ``party``; 信访 with an in-scope need → ``petitioner``. Otherwise
        ``party`` for an in-scope need (callers ask about their own cases, or plan one: 我想告他) and
        ``other`` for an out-of-scope one (a plan to sue over a non-court matter is not a case).
        Matched on the canonical text (no punctuation), so ASR text with word gaps reads the same.
        """
        caller = [t for t in turns if not t.is_agent and t.has_content][:4]
        if not caller:
            return "other"
        key = tuple(t.index for t in caller)
        said = self._roles.get(key)
        if said is None:
            said = self._roles[key] = _self_description("，".join(self._memo("role-text", t, canon_role_words)
                                                                  for t in caller))
        if said == "lawyer":
            alltext = "".join(t.plain for t in turns)
            return "defender" if self.criminal.find(alltext) and "辩护" in alltext else "litigation_agent"
        if said in ("defender", "other", "party"):
            return said
        out_of_scope = cls.service_type == "out_of_scope"
        if said == "petitioner" and not out_of_scope:
            return "petitioner"
        return "other" if out_of_scope else "party"

    def _pauses(self, turn: TurnView) -> str:
        return self._memo("pauses", turn, lambda _p: _with_pauses(turn.text))

    def _memo(self, kind: str, turn: TurnView, fn: Any) -> Any:
        key = (kind, turn.index)
        if key not in self._cache:
            self._cache[key] = fn(turn.plain)
        return self._cache[key]

    def case_number(self, turns: list[TurnView]) -> str | None:
        """The case number said in the call; a caller's correction (「2207号……哦不对，是2270号」) replaces
        the serial number just said, and the corrected value wins over the first."""
        hits = []
        for t in turns:
            found = self._memo("case", t, find_case_numbers)
            if t.is_agent:  # the agent may name a further number (「二审案号是…」): the caller's own counts more
                found = [dataclasses.replace(h, confidence=h.confidence / CALLER_CASE) for h in found]
            if found and not t.is_agent and _restates(t.plain, found[0].start):
                # said again after 看错了 / 不对 …: the earlier numbers of the same case (year, court, type) go
                hits = [h for h in hits if _case_family(h.value) != _case_family(found[0].value)]
            hits += found
            if found and not t.is_agent:
                corrected = self._memo("case-fix", t, lambda p, found=found: _corrected(p, found))
                if corrected:
                    hits = [h for h in hits if h.value != found[-1].value] + corrected
        best = pick_best(hits)
        return _criminal_or_administrative(best.value, turns) if best else None

    def phone(self, turns: list[TurnView]) -> str | None:
        """The caller's number: a mobile, else a landline with its area code; the caller's words first."""
        for group in ([t for t in turns if not t.is_agent], [t for t in turns if t.is_agent]):
            hits = []
            for k, t in enumerate(group):
                found = self._memo("phone", t, find_phones)
                if found and not t.is_agent and _restates(t.plain, found[0].start):
                    hits = []  # 「不对，最后是86，137 7745 1286」: the number said again replaces the one before
                kept = found if t.is_agent else _after_last_correction(t.plain, found)
                if len(kept) < len(found):  # 「139…6。哦不对，是139…9」: taken back in the same turn, it goes too
                    hits, found = [], kept
                hits += found
                if k and group[k - 1].index == t.index - 1 and t.plain[:1].isdigit() and group[k - 1].plain[-1:].isdigit():
                    hits += _across(group[:k + 1])
            mobiles = [h for h in hits if len(h.value) == 11 and h.value.startswith("1")]
            best = pick_best(mobiles) or pick_best([h for h in hits if h.value.startswith("0")])
            if best:
                return best.value
        return None

    def judge_name(self, turns: list[TurnView]) -> str | None:
        """The judge as first named; a surname with a title (「蒋法官」) gives way to the full name said later in the
        call with that surname (「承办人是蒋文涛法官」): the one form kept is the one that says most."""
        first: str | None = None
        for t in turns:
            if ("judge", t.index) not in self._cache and not _may_hold(t, _JUDGE_CHARS) and not (
                    _may_hold(t, _FA) and _may_hold(t, _GUAN)):
                self._cache[("judge", t.index)] = None  # no title word (法官, 庭长, 承办人 …): nothing to read again
            name = self._memo("judge", t, lambda _p, t=t: self._judge_in(canon_judge_titles(self._pauses(t))))
            if not name:
                continue
            if first is None:
                first = name
                if not name.endswith(JUDGE_TITLES):
                    return name
            elif not name.endswith(JUDGE_TITLES) and name.startswith(
                    next(first[:-len(title)] for title in JUDGE_TITLES if first.endswith(title))):
                return name
        return first

    @staticmethod
    def _judge_in(text: str) -> str | None:
        """「李建国法官」→ 李建国, 「找王法官」→ 王法官, 「承办法官是欧阳明」→ 欧阳明; lawyers and clerks are not judges."""
        for m in _JUDGE_FULL.finditer(text):
            name = _name_at(text, m.end()) or _name_at(_joined_gaps(text[m.end():m.end() + 8]), 0)
            if name and len(name) >= 2:
                return _with_cut_given(text, m.end(), name)
        for m in _JUDGE_BEFORE_NAME.finditer(text):
            if "，" not in m.group():  # 「承办法官吴晓明」: the name right after the title
                name = _titled_name(text, m.end())
            else:  # ASR word gaps: 「承办 法官 吴 晓明」 (the surname a piece of its own) or 「承办 法官 吴晓明」 (a
                # three-character piece); a two-character piece is too often a word (「法官，谢谢」)
                piece = re.split(r"[，。？！、；：]", text[m.end():], maxsplit=1)[0]
                if piece in SURNAMES or piece in COMPOUND_SURNAMES:
                    name = _titled_name(_joined_gaps(text[m.end():m.end() + 8]), 0)
                else:
                    name = _titled_name(piece, 0) if len(piece) == 3 or (len(piece) == 4 and piece[:2] in
                                                                          COMPOUND_SURNAMES) else None
                    name = name and _with_cut_given(text, m.end(), name)
            if name:
                return name
        for m in _ASKED_FOR.finditer(text):  # 「找一下X，就是我们那个案子的法官」
            name = _titled_name(text, m.end())  # three characters or more: 「找一下龙湾 法院」 names a place
            rest = text[m.end() + len(name):] if name else ""
            if name and len(name) >= 3 and not _PLACE_AFTER.match(rest) and _NAMED_AS_JUDGE.search(rest) \
                    and not _NAMED_AS_OTHER.search(rest):
                return name
        for m in _JUDGE_SURNAME.finditer(text):
            sur = _surname_at(m.group(1), 0)
            if sur and len(sur) == len(m.group(1)):
                return sur + m.group(2)
        for m in _JUDGE_TITLE.finditer(text):
            end = m.start()
            gap = False
            if text[end - 1:end] == "，" and end >= 2 and text[end - 2] not in _BOUNDARY:
                end -= 1  # 「李建国 法官」: an ASR word gap between the name and the title
                gap = True
            if _sounds_like_title_prefix(text[max(0, end - 2):end]) or _sounds_like_title_prefix(
                    _hanzi_before(text, end, 2)):
                continue  # 成半法官 / 主身法官 / 「成，办法官」: 承办 / 主审 as the recogniser wrote it, not a name
            name = _name_before(text, end)
            split = _surname_piece_before(text, end - len(name)) if name and len(name) == 2 else ""
            if split and not _sounds_like_title_prefix(split + name):
                return split + name  # 「欧阳，晓峰，法官」: the recogniser cut the surname from the given name
            if not name and text[end - 1:end] != "，":
                given = _given_piece_before(text, end)
                split = _surname_piece_before(text, end - len(given)) if given else ""
                if split and not _sounds_like_title_prefix(split + given):
                    return split + given  # 「黄，伟民，法官」: a surname and the given name, each a word of its own
            if name and _sounds_like_title_prefix(name[-2:]):
                continue  # 「程办法官」: a title word (承办) heard as a surname and a given name
            if name:
                return name if len(name) >= 2 and not name.endswith(("法官",)) else None
            if m.group(1) not in JUDGE_TITLES:
                continue
            ch = text[end - 1:end]
            before = text[max(0, end - 3):end]
            if text[max(0, end - 2):end] in COMPOUND_SURNAMES:  # 诸葛法官, not 葛法官
                return f"{text[end - 2:end]}{m.group(1)}"
            if gap and end >= 2 and text[end - 2] not in _BOUNDARY:
                continue  # 「对方有车有房，法官就是不查」: across a pause a lone surname stands alone (「找，李，法官」);
                # a character that ends the words before the pause is theirs, not a surname
            if ch in SURNAMES and not any(before.endswith(p) for p in NOT_JUDGE_PREFIX):
                return f"{ch}{m.group(1)}"
        return None

    def caller_name(self, turns: list[TurnView]) -> str | None:
        for t in turns:
            if t.is_agent:
                continue
            if ("name", t.index) not in self._cache and not _may_hold(t, _NAME_CHARS):
                self._cache[("name", t.index)] = None  # no 叫/是/姓: no self-introduction to read
            name = self._memo("name", t, lambda _p, t=t: _caller_name_in(t, self._pauses(t)))
            if name:
                return name
        for t in turns:
            if t.is_agent:
                m = _ADDRESS.search(t.plain)
                if m and m.group(1) in SURNAMES:
                    return m.group(0)
        return None

    def summary(self, turns: list[TurnView], cls: Classification, *, final: bool = True,
                first: TurnView | None = None) -> str:
        """What the call was about; during a call (``final=False``) nothing until the caller has said something
        (a caller who has not spoken yet is not a silent call). ``first``: the caller's first turn with content."""
        name = self.r.type_names.get(cls.service_type, cls.service_type)
        first = first or _first_caller_turn(turns)
        if first is None:
            return f"{name}：来电无声" if final else ""
        if cls.no_evidence:
            return f"诉求不明（未听出明确诉求，暂按{name}）：{first.plain[:24]}"
        words = "、".join(cls.evidence.get(cls.service_type, [])[:3])
        return f"{name}：{words}" if words else f"{name}：{first.plain[:24]}"

    def record(self, turns: list[TurnView], cls: Classification, checker: Any, *,
               final: bool = True) -> CallRecord:
        agent = [t for t in turns if t.is_agent]
        referral = next((r for r in (self._memo("ref", t, lambda _p, t=t: checker.names_referral(t))
                                     for t in agent) if r), None)
        callback = any(self._memo("msg", t, checker.judge_message.find) for t in agent)
        dialect = sorted({d for t in turns if not t.is_agent for d, _ in t.norm.dialect})
        first = _first_caller_turn(turns)
        return CallRecord(
            # during a call, nobody is "other" before the caller has said a word
            caller_role=self.caller_role(turns, cls) if final or first is not None else None,
            caller_name=self.caller_name(turns),
            phone=self.phone(turns),
            case_number=self.case_number(turns),
            judge_name=self.judge_name(turns),
            summary=self.summary(turns, cls, final=final, first=first),
            callback_required=callback,
            referral=referral,
            # the unit the need model and the referral directory suggest (out of scope only)
            referral_suggested=cls.referral if cls.service_type == "out_of_scope" else None,
            dialect=bool(dialect),
            dialect_words=tuple(dialect),
        )


STATEMENT_BONUS = 0.35
"""Added to a role's probability in a turn whose words state it explicitly (the precise patterns below)."""
STATED = "stated:"
"""Key prefix in a turn's role probabilities marking a role its words state explicitly (role_model.call_role)."""


_CLAUSE_END = re.compile(r"[，。？！；,.?!;…]")
"""Punctuation that ends a clause (brackets and quotes do not: 「我是（2025）浙…号的原告」 is one clause)."""


def _role_text(t: TurnView, clauses: bool) -> str:
    """The turn's canonical text with the homophones of role words repaired (律诗 → 律师) in whole words of what
    the recogniser wrote; ``clauses``: with a comma where what was said has punctuation (clause breaks; ASR word
    gaps are not breaks), so the precise patterns stay inside one clause (「我老太婆问一下，打官司…」 says nothing of
    a relative's case)."""
    n = t.norm
    gaps = frozenset(i for i in range(1, len(n.text))
                     if any(c.isspace() for c in n.source[n.ends[i - 1]:n.index[i]])) if n.ends else frozenset()
    breaks = frozenset(i for i in t.breaks if _CLAUSE_END.search(n.source[n.ends[i - 1]:n.index[i]])) \
        if clauses else frozenset()
    if not breaks:
        return canon_role_words(t.plain, gaps)
    marked, moved = [], set()
    for i, c in enumerate(t.plain):
        if i in breaks:
            marked.append("，")
        if i in gaps:
            moved.add(len(marked))
        marked.append(c)
    return canon_role_words("".join(marked), frozenset(moved))


_WU_PRONOUNS = re.compile(r"阿拉|伊拉|(?<!木乃)伊(?![斯朗犁春人])")
_MANDARIN_PRONOUN = {"阿拉": "我", "伊拉": "他们", "伊": "他"}


def mandarin_pronouns(text: str) -> str:
    """``text`` with the Wu pronouns the role patterns read in Mandarin: 阿拉 (I / we) → 我, 伊 → 他, 伊拉 → 他们
    (「阿拉阿爸收到传票」 is 我爸…, 「我是伊儿子」 is 我是他儿子); not inside Mandarin words (伊斯兰, 伊朗, 木乃伊).
    dialect.toml keeps these forms unreplaced in the canonical text (伊 is a Mandarin character too)."""
    return _WU_PRONOUNS.sub(lambda m: _MANDARIN_PRONOUN[m.group()], text) if not _WU_CHARS.isdisjoint(text) else text


_WU_CHARS = frozenset("阿伊")


def _with_statements(probs: dict[str, float], text: str) -> dict[str, float]:
    """The role model's probabilities of a caller turn plus the explicit self-statements in it: 我是…律师 /
    代理人 (not 不是律师), 辩护人, 我是原告/被告…, 帮我爸问, 信访 — precise where the model is unsure. Each role
    stated is also marked (``STATED`` + role)."""
    out = dict(probs)
    text = mandarin_pronouns(text)
    lawyer = not _NOT_LAWYER.search(text)
    for role, pattern in (("defender", _SELF_DEFENDER), ("litigation_agent", _SELF_LAWYER),
                          ("party", _SELF_PARTY), ("other", _ON_BEHALF), ("petitioner", _PETITIONER)):
        if (lawyer or role not in ("defender", "litigation_agent")) and pattern.search(text):
            out[role] = out.get(role, 0.0) + STATEMENT_BONUS
            out[STATED + role] = 1.0
    if STATED + "other" not in out and STATED + "party" not in out and _FOR_EMPLOYER.search(text):
        out["other"] = out.get("other", 0.0) + STATEMENT_BONUS
        out[STATED + "other"] = 1.0
    if lawyer and _AUTHORISED.search(text):
        from copilot.analysis.role_model import ROLE_CLEAR

        out["litigation_agent"] = max(out["litigation_agent"], ROLE_CLEAR)
    return out


def _self_description(text: str) -> str:
    """What the caller's first turns say about them: defender, lawyer, other, party, petitioner or ""."""
    text = mandarin_pronouns(text)
    if _SELF_DEFENDER.search(text) and not _NOT_LAWYER.search(text):
        return "defender"
    if _SELF_LAWYER.search(text) and not _NOT_LAWYER.search(text):
        return "lawyer"
    party = _SELF_PARTY.search(text)
    behalf = _ON_BEHALF.search(text) or (None if party else _FOR_EMPLOYER.search(text))
    if behalf and (not party or behalf.start() < party.start()):
        return "other"
    if party:
        return "party"
    return "petitioner" if _PETITIONER.search(text) else ""


_ORGANISATION = re.compile(r"[^\s，。？！、；：,.?!;:的想要住在找去到问来是]{0,6}?(?:有限公司|公司|集团|事务所|律所|厂|法院|银行"
                           r"|医院|学校|大学|街道|社区|居委会|村委会)")
"""What follows the start of an organisation's or a place's name, not a person's (「我是平湖鑫达建材有限公司的法务」)."""


def _caller_name_in(t: TurnView, paused: str) -> str | None:
    """The name a caller gives for themself in one turn (我叫李明 → 李明, 我姓周 → 周); ``paused`` is the
    turn's text with punctuation and ASR gaps kept (``_with_pauses``)."""
    text = _NAME_GAP.sub("", paused)
    for m in _NAME_FULL.finditer(text):
        name = _name_at(text, m.end(), min_len=2)
        after = text[m.end() + len(name):] if name else ""
        if name and not after.startswith("的") and not (m.group().endswith("是") and _ORGANISATION.match(after)):
            # 我是王建国的代理律师; 我是平湖鑫达建材有限公司的…
            return name
    m = _NAME_SELF.search(text)
    if m:
        sur = next((c for c in COMPOUND_SURNAMES if m.group(1).startswith(c)), m.group(1)[0])
        if sur in SURNAMES or sur in COMPOUND_SURNAMES:
            return sur + ("律师" if "律师" in t.plain else "")
    return None


_PREFIX_SOUNDS: set[tuple[str, ...]] = set()
TITLE_WORDS = tuple(w for w in NOT_JUDGE_PREFIX if len(w) == 2) + ("书记", "助理", "陪审")
"""Court role words said before a title (承办法官, 书记员, 助理, 人民陪审员): never a surname and a given name, nor any
word that sounds like one (成办, 主身, 舒记)."""


def _hanzi_before(text: str, end: int, n: int) -> str:
    """The last ``n`` Chinese characters before ``end``, across ASR word gaps (「成，办法官」 → 成办)."""
    return "".join(c for c in text[max(0, end - 2 * n - 2):end] if "\u4e00" <= c <= "\u9fff")[-n:]


def _sounds_like_title_prefix(two: str) -> bool:
    """Two characters that sound like a word of NOT_JUDGE_PREFIX (承办 → 成半, 主审 → 主身): never a name."""
    from phrasebook.pinyin import syllables

    if len(two) != 2:
        return False
    if not _PREFIX_SOUNDS:
        _PREFIX_SOUNDS.update(tuple(syllables(w)) for w in TITLE_WORDS)
    return tuple(syllables(two)) in _PREFIX_SOUNDS


def _titled_name(text: str, i: int) -> str | None:
    """A full name (surname + one or two given characters) at ``i`` that ends where a name can end."""
    sur = _surname_at(text, i)
    if not sur:
        return None
    for given in (2, 1):
        j = i + len(sur) + given
        cand = text[i:j]
        if len(cand) != len(sur) + given or any(c in NAME_STOP or c in "地得着过" or not "\u4e00" <= c <= "\u9fff"
                                                for c in cand):
            continue
        if (j == len(text) or text[j] in _AFTER_NAME) and not common_word(cand[:2]):
            return cand
    return None


@dataclass
class CommonWords:
    """jieba's two-character dictionary words of at least ``COMMON_WORD_FREQ`` (about 8,300), kept in the model
    cache (model_cache.load_or_train) so that a process reads them in milliseconds instead of parsing the 5 MB
    dictionary (0.05–0.15 s)."""

    words: frozenset[str]
    key: str = ""
    from_cache: bool = False


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    import importlib.util
    from pathlib import Path

    from copilot.analysis.model_cache import installed_version, load_or_train

    spec = importlib.util.find_spec("jieba")  # found without importing jieba (0.1 s)
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"

    def read() -> CommonWords:
        text = path.read_text(encoding="utf-8")
        return CommonWords(frozenset(w for w, freq in re.findall(r"^(\S\S) ([0-9]+) ", text, re.M)
                                     if int(freq) >= COMMON_WORD_FREQ))

    return load_or_train("common-words", f"jieba-{installed_version('jieba')}-{COMMON_WORD_FREQ}", CommonWords, read).words


def common_word(two: str) -> bool:
    """Whether two characters are a frequent word of jieba's dictionary (安排, 马上, 方便), so not a surname and a
    one-character given name (「由承办法官安排」 names nobody)."""
    return len(two) == 2 and two in _common_words()


def _with_cut_given(text: str, start: int, name: str) -> str:
    """``name`` (found at ``start``) with its last given character put back when the recogniser cut a four-character
    name after three (「欧阳明，辉」 for 欧阳明辉): only after a compound surname and a one-character given name, and only
    a lone character that ends the turn or stands before a pause or a title (「欧阳明，我…」 stays 欧阳明)."""
    end = start + len(name)
    if len(name) != 3 or name[:2] not in COMPOUND_SURNAMES or text[end:end + 1] != "，":
        return name
    ch, after = text[end + 1:end + 2], text[end + 2:]
    if not ("\u4e00" <= ch <= "\u9fff") or ch in NAME_STOP or ch in "地得着过吗呢吧啊呀哦嘛了":
        return name
    return name + ch if after == "" or after[:1] in "，。？！" or after.startswith(JUDGE_TITLES) else name


def _surname_piece_before(text: str, start: int) -> str:
    """The surname the recogniser wrote as a word of its own just before a word gap at ``start`` (「欧阳，晓峰」,
    「陈，建国」): a compound surname, or a one-character surname that is a whole word; else ""."""
    if start < 2 or text[start - 1] != "，":
        return ""
    piece = text[:start - 1].rsplit("，", 1)[-1]
    return piece if piece in COMPOUND_SURNAMES or (len(piece) == 1 and piece in SURNAMES) else ""


def _given_piece_before(text: str, end: int) -> str:
    """The word just before ``end`` when it can be a given name of one or two characters (not a frequent word, no
    character a name does not hold): 「黄，伟民」 → 伟民; else ""."""
    piece = text[:end].rsplit("，", 1)[-1]
    if not 1 <= len(piece) <= 2 or len(piece) == end or any(
            c in NAME_STOP or c in "地得着过了吗呢吧啊呀哦嘛" or not "\u4e00" <= c <= "\u9fff" for c in piece):
        return ""
    return "" if common_word(piece) else piece


def _joined_gaps(text: str) -> str:
    """An ASR word gap inside a name closed: 「周，立新，法官…」 → 「周立新，法官…」 (a surname piece and the one or
    two given characters after it; anything else is left as it was)."""
    pieces = text.split("，", 2)
    if len(pieces) >= 2 and (pieces[0] in SURNAMES or pieces[0] in COMPOUND_SURNAMES) and 1 <= len(pieces[1]) <= 2:
        return "，".join([pieces[0] + pieces[1], *pieces[2:]])
    return text


def _surname_at(text: str, i: int) -> str:
    for c in COMPOUND_SURNAMES:
        if text.startswith(c, i):
            return c
    return text[i] if i < len(text) and text[i] in SURNAMES else ""


def _name_at(text: str, i: int, *, min_len: int = 2) -> str | None:
    """A name of 2–4 characters starting at ``i`` (a surname, compound ones too, and one or two given
    characters), ending at punctuation, a pause or a keyword."""
    sur = _surname_at(text, i)
    if not sur:
        return None
    j = i + len(sur)
    given = ""
    while j < len(text) and len(given) < 2 and "\u4e00" <= text[j] <= "\u9fff" and text[j] not in NAME_STOP:
        if any(text.startswith(w, j) for w in NAME_STOP_WORDS):
            break
        given += text[j]
        j += 1
    name = sur + given
    if len(sur) == 1 and common_word(name[:2]):
        return None  # 「法官是安排…」: a word, not a name
    return name if len(name) >= min_len and given else None


def _name_before(text: str, end: int) -> str | None:
    """The full name (2–4 characters, with a surname) just before a title at ``end``, after a boundary."""
    for n in (4, 3, 2):
        i = end - n
        if i < 0:
            continue
        cand = text[i:end]
        if not all("\u4e00" <= c <= "\u9fff" for c in cand) or any(c in NAME_STOP for c in cand[1:]):
            continue
        sur = _surname_at(text, i)
        if not sur or len(cand) - len(sur) not in (1, 2) or (len(sur) == 1 and common_word(cand[:2])):
            continue
        if i == 0 or text[i - 1] in _BOUNDARY or len(sur) == 2:
            return cand
    return None


_XING_CODE = re.compile(r"[刑行](?=初|终|再|申|更|监)")
_CRIMINAL_TALK = re.compile(r"刑事|辩护|被告人|取保|公诉|看守所|判刑|缓刑|犯罪|罪名|认罪")
_ADMIN_TALK = re.compile(r"行政|政府|复议|征收|拆迁|行政处罚|行政机关|街道办|管理局")


def _criminal_or_administrative(value: str, turns: list[TurnView]) -> str:
    """刑初 and 行初 sound the same (xing): a recogniser writes either. The call's words decide — criminal talk
    (辩护, 被告人, 取保 …) and no administrative talk (行政, 政府, 复议 …) gives 刑, the reverse 行; else as heard."""
    m = _XING_CODE.search(value)
    if not m:
        return value
    text = "".join(t.plain for t in turns)
    criminal, admin = bool(_CRIMINAL_TALK.search(text)), bool(_ADMIN_TALK.search(text))
    code = "刑" if criminal and not admin else "行" if admin and not criminal else m.group()
    return value[:m.start()] + code + value[m.end():]


def _across(run: list[TurnView]) -> list[Any]:
    """The phone numbers read across the last turn's start: a number said in groups that the recogniser cut into
    turns of their own (「我手机要38，」「1947，」「3620，」), the turns of one speaker one right after another."""
    start = len(run) - 1
    while start and run[start - 1].index == run[start].index - 1 and run[start - 1].plain[-1:].isdigit() \
            and run[start].plain[:1].isdigit():
        start -= 1
    texts = [t.plain for t in run[start:]]
    joined = " ".join(texts)
    cut = len(joined) - len(texts[-1])  # where the last turn starts in the joined text
    return [h for h in find_phones(joined) if h.start < cut - 1 < h.end]


def _restates(plain: str, start: int) -> bool:
    """Whether a correction word stands in the caller's turn before the number at ``start``."""
    return _RESTATED.search(plain, 0, start) is not None


def _after_last_correction(plain: str, found: list[Any]) -> list[Any]:
    """The numbers of one caller turn from the last one said after a correction word that follows an earlier number
    (「手机是138…1，哦不对，是138…2」 keeps the second; 「138…1，或者座机0571…」 keeps both)."""
    for k in range(len(found) - 1, 0, -1):
        if _RESTATED.search(plain, found[k - 1].end, found[k].start):
            return found[k:]
    return found


def _case_family(value: str) -> str:
    """A case number without its serial: （2025）浙0481民初 — a caller correcting a number keeps this part."""
    return re.sub(r"[0-9]+号.*$", "", value)


def _corrected(plain: str, found: list[Any]) -> list[Any]:
    """The case number with its serial replaced when the caller corrects it after saying it."""
    from dataclasses import replace

    last = found[-1]
    # the last correction holds (「不对，是3309号，不不不，还是3306号」)
    m = next(iter(reversed(list(_CORRECTION.finditer(plain, last.end)))), None)
    serial = list(re.finditer(r"([0-9]+)号", last.value))
    if not m or not serial:
        return []
    s = serial[-1]
    value = last.value[:s.start(1)] + unrepeated(m.group(1)) + last.value[s.end(1):]
    return [replace(last, value=value, confidence=last.confidence + 1.0)]


def _first_caller_turn(turns: list[TurnView]) -> TurnView | None:
    return next((t for t in turns if not t.is_agent and t.has_content), None)
