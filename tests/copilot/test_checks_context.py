"""Context classes of the compliance checks (issue 16, round 4): a limit said with a way forward, reported speech,
你 inside a shop's name, a dialect word quoted back, case details when nobody asked about a case, and rudeness in
new words (impatience, blaming the caller, pushing the caller away).

Every sentence is written for this test: none is a phrasebook example (checked below), none is taken from a blind
set. Each class has its counterpart that must still flag, so a fix that silences a whole code fails here."""

from __future__ import annotations

import pytest

from copilot.analysis import analyze_transcript
from copilot.analysis import conduct_model as cm
from copilot.analysis.rules import load_rules
from copilot.text import normalize
from copilot.transcript import parse_transcript

GREET = ("agent", "您好！12368！请问有什么可以帮助您？")
CONSULT = ("caller", "你好，我想问一下离婚起诉要准备哪些东西。")
CLOSE = ("agent", "请问还有什么可以为您服务的吗？感谢您的来电，再见！")


def analyse(turns: list[tuple[str, str]]) -> dict:
    out, t = [], 0.0
    for sp, tx in turns:
        out.append({"speaker": sp, "start": t, "end": t + 2.0, "text": tx})
        t += 2.5
    return analyze_transcript(parse_transcript({"call_id": "T", "ring_seconds": 3.0, "turns": out}))


def turn_codes(text: str, before: tuple[tuple[str, str], ...] = (CONSULT,)) -> list[str]:
    """Codes raised on the agent's turn itself inside a minimal call."""
    turns = [GREET, *before, ("agent", text), CLOSE]
    r = analyse(turns)
    return sorted(f["code"] for f in r["flags"] if f.get("turn") == len(turns) - 2)


LIMIT_WITH_WAY_FORWARD = [
    "这份笔录我们热线没办法调出来，您可以让代理人去档案室办理查阅手续。",
    "我这里看不到缴费记录，所以不清楚到没到账，我帮您问一下财务再给您回电话。",
    "庭审排期我不知道，稍等，我给书记员打个电话问问。",
    "不好意思，撤回申请电话里没办法受理，需要您写书面申请交到立案窗口。",
    "鉴定机构选哪家我们没有办法替您决定，您可以在庭前会议上向法官提出申请。",
    "这个数字我不太清楚 我去核实一下 核实完再打给您",
    "诉讼费减免我这边没办法直接批，您可以提交减缓交纳的申请，我把要带的材料跟您说一下。",
]
LIMIT_WITHOUT_WAY_FORWARD = [
    "这个我不清楚。",
    "没办法，就这样吧。",
    "我也不知道，您自己去问法官吧。",
    "我们没办法，您找别人去。",
]


@pytest.mark.parametrize("text", LIMIT_WITH_WAY_FORWARD)
def test_a_limit_said_with_a_way_forward_is_not_banned(text):
    assert turn_codes(text) == []


@pytest.mark.parametrize("text", LIMIT_WITHOUT_WAY_FORWARD)
def test_the_same_limit_without_a_way_forward_is_still_banned(text):
    assert "banned_phrase" in turn_codes(text)


REPORTED = [
    "也就是说那个保安当时冲您喊你不许进来，这个情况我登记下来了。",
    "您说对方老板讲你告也没用，这句话我如实记录。",
    "窗口的人叫你回去等通知，是上周三的事吗？",
]


@pytest.mark.parametrize("text", REPORTED)
def test_rude_words_the_agent_reports_from_someone_else_are_not_the_agents(text):
    assert turn_codes(text) == []


def test_reporting_needs_a_reporter_and_a_verb_in_the_same_clause():
    # 让他 … 打给您 is the agent's promise, not reported speech; 你 said to the caller still flags
    assert turn_codes("我跟书记员说一声，让他下午打给您。") == []
    assert "nonstandard_wording" in turn_codes("他不在，你下午再打过来吧。")
    assert "banned_phrase" in turn_codes("他说的不算，你找别人去。")


SHOP_NAMES = [
    "好的，您买东西的那家叫你好生活超市，地址我也记下了。",
    "对方是你我同行物流有限公司，案号我帮您查一下。",
]


# Written with the others and missed on the first run; strict xfail tests below, so the gap stays visible and a fix shows (docs/compliance.md):
# a name that begins with a verb after 你 (「你来我往餐饮店」: 你来… reads as an address), and sarcasm with no rude word
# (「这件事您一个礼拜打了五次电话，我都背下来了。」).
KNOWN_MISSES = ["被告登记的名字是你来我往餐饮店，对吧？", "这件事您一个礼拜打了五次电话，我都背下来了。"]


@pytest.mark.xfail(strict=True, reason="known miss (docs/compliance.md): 你 + a verb opening a shop's name reads as an address")
def test_known_miss_a_shop_name_opening_with_a_verb_after_ni():
    assert turn_codes(KNOWN_MISSES[0]) == []


@pytest.mark.xfail(strict=True, reason="known miss (docs/compliance.md): sarcasm with no rude word is not flagged")
def test_known_miss_sarcasm_without_a_rude_word():
    assert turn_codes(KNOWN_MISSES[1]) != []


@pytest.mark.parametrize("text", SHOP_NAMES)
def test_ni_inside_a_shop_or_company_name_is_not_an_address(text):
    assert turn_codes(text) == []


@pytest.mark.parametrize("text", ["你家超市的营业执照带上。", "你们公司的法人要来签字。", "你去超市问问他们老板。",
                                  "你自己的公司你最清楚。"])
def test_ni_next_to_a_shop_word_but_addressing_the_caller_still_flags(text):
    assert "nonstandard_wording" in turn_codes(text)


def test_a_dialect_word_quoted_back_is_not_the_agent_speaking_dialect():
    assert turn_codes("您刚才讲的“嗲”是说好的意思，对吗？") == []
    assert turn_codes("您说“侬勿要急”，是对方这么讲的，是吧？") == []
    # the agent's own dialect still raises nonstandard_wording (A.1 asks for Mandarin)
    assert "nonstandard_wording" in turn_codes("侬勿要急，我帮侬查一查。")


CASE_QUERY = ("caller", "我想问问那个借款纠纷的案子什么时候开庭。")
PARTY = ("caller", "我是这个案子的原告，想问问那个借款纠纷什么时候开庭。")


def test_case_details_after_a_case_query_without_identity_are_flagged():
    assert turn_codes("开庭时间定在下个月十二号上午九点。", (CASE_QUERY,)) == ["identity_not_verified"]
    assert turn_codes("开庭时间定在下个月十二号上午九点。", (PARTY,)) == []


@pytest.mark.parametrize("text", ["立案以后会给您发短信，开庭时间是法官排定的。",
                                  "要是对方已经上诉了，一审判决就不会生效。",
                                  "如果已经受理了，七天内您会收到受理通知书。"])
def test_case_details_when_nobody_asked_about_a_case_are_not_an_identity_lapse(text):
    assert "identity_not_verified" not in turn_codes(text)


RUDE_NEW_WORDS = [
    # impatience
    "您同一个问题绕来绕去讲了十分钟了，我还有别的电话要接。",
    # blaming the caller
    "当初是您自己不肯调解的，现在拿不到钱怪得了谁？",
    "地址是您自己留错的，文书送不到可不能怪法院。",
    # pushing the caller away
    "这种事跟我们法院不沾边，您换个部门打听去。",
    "我们热线不管这类事情，别往这里打了。",
]


@pytest.mark.parametrize("text", RUDE_NEW_WORDS)
def test_rudeness_in_new_words_is_banned(text):
    assert "banned_phrase" in turn_codes(text)


def test_the_sentences_here_are_not_phrasebook_examples():
    model_examples = {e.text for e in cm.gather(load_rules())}
    rules = load_rules()
    rule_texts = {normalize(p).text for r in rules.pb.rules for p in (*r.positive, *r.negative)}
    for text in LIMIT_WITH_WAY_FORWARD + REPORTED + SHOP_NAMES + RUDE_NEW_WORDS:
        canon = normalize(text).text
        assert canon not in model_examples and canon not in rule_texts, text


def test_scores_follow_the_flags_on_these_classes():
    polite = analyse([GREET, ("caller", "我想查一下我那个案子的执行款什么时候能到，我是申请执行人。"),
                      ("agent", "好的，执行款到账的时间我这边不太清楚，我帮您问一下执行法官，下午给您回电话。"),
                      ("caller", "好的谢谢。"), CLOSE])
    assert polite["flags"] == [] and polite["score"]["total"] >= 95
    rude = analyse([GREET, ("caller", "我想问一下我的案子怎么还没执行。"),
                    ("agent", "当初是您自己不肯调解的，现在拿不到钱怪得了谁？"),
                    ("caller", "那我该怎么办？"),
                    ("agent", "这种事跟我们热线不沾边，您换个部门打听去。"), CLOSE])
    assert sum(f["code"] == "banned_phrase" for f in rude["flags"]) == 2
    assert rude["score"]["total"] < 80


@pytest.mark.parametrize("text", ["您这边一断线，我就没办法接着帮您登记了，麻烦别挂。",
                                  "要是对方下落不明，就没办法直接送达。",
                                  "假如当事人不到场，那调解就没法进行。"])
def test_an_inability_under_a_condition_is_a_consequence_not_a_refusal(text):
    assert "banned_phrase" not in turn_codes(text)


def test_an_unconditional_inability_still_flags():
    assert "banned_phrase" in turn_codes("没办法，您回去吧。")
    assert "banned_phrase" in turn_codes("就是没办法，别问了。")


def test_a_reassuring_double_negative_is_not_the_a4_form():
    assert turn_codes("您放心，不可能让您多交一分钱的。") == []
    assert "nonstandard_wording" in turn_codes("这不可能，您记错了。")


def test_the_classes_hold_on_asr_style_text():
    """No punctuation, 你 for 您, a homophone (调节 for 调解): a limit with a way forward stays courteous (only the
    pronoun is non-standard), rudeness stays banned."""
    assert turn_codes("这个数额我不清楚我帮你问一下执行法官再给你回电话") == ["nonstandard_wording"]
    assert turn_codes("网上没办法改你可以到诉讼服务中心窗口办") == ["nonstandard_wording"]
    assert "banned_phrase" in turn_codes("当初是你自己不肯调节的现在拿不到钱怪的了谁")
    assert "banned_phrase" in turn_codes("这事跟我们不沾边你换个地方打听去")
