"""The call record: caller role and name, phone, case number, judge, summary, callback, referral."""

from __future__ import annotations

import re
from typing import Any

from copilot.analysis.classifier import Classification
from copilot.analysis.keys import KeySet
from copilot.analysis.rules import Rules
from copilot.analysis.turns import TurnView
from copilot.text import find_case_numbers, find_phones, pick_best

# Common Chinese surnames (single characters), for 「X法官」 and full names.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裘卜费闵柏郁"
    "褚项屠祁盛缪应宣芦臧蒲邬晏甄仇车路成戚谈虞茅钮沃蔺巫")
NOT_JUDGE_PREFIX = ("承办", "主审", "值班", "执行", "经办", "立案", "办案", "审判", "合议", "该", "这位", "哪位", "女",
                    "男", "老", "位", "个", "的", "找", "问", "跟", "给", "让", "请", "和", "由", "是")
_JUDGE_SHORT = re.compile(r"([\u4e00-\u9fff])法官")
_JUDGE_FULL = re.compile(r"(?:法官|承办人|审判长|审判员|执行员)[，\s]*(?:是|叫|名叫|姓名是)[，\s]*([\u4e00-\u9fff]{2,3}?)(?=法官|$|[，。、？！\s]|"
                         r"我|他|她|您|在|负责|承办|办|的|吗|呢|，)")
_FULL_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,3})法官")
_NAME_SELF = re.compile(r"(?:我姓|免贵姓|我是)([\u4e00-\u9fff])(?:先生|女士|律师)?")
_NAME_FULL = re.compile(r"我叫([\u4e00-\u9fff]{2,3})")
_ADDRESS = re.compile(r"([\u4e00-\u9fff])(先生|女士|律师|阿姨|大爷|老师)")

RELATIVE = "(?:妈妈|爸爸|妈|爸|母亲|父亲|姆妈|阿爸|儿子|女儿|老公|丈夫|妻子|老婆|爷爷|奶奶|外婆|外公|公公|婆婆|哥哥|姐姐|弟弟|妹妹|家里人|亲戚|朋友)"
_ON_BEHALF = re.compile(rf"(?:帮|替|代)(?:我)?(?:家)?{RELATIVE}|我{RELATIVE}(?:有个|的|那个|要|想|在)(?:案子|官司|告|起诉|被告|诉讼)")


def _with_pauses(text: str) -> str:
    """Canonical text that keeps punctuation, with ASR word gaps as pauses (so a name has an end)."""
    from copilot.text import normalize

    return normalize(re.sub(r"\s+", "，", text.strip()), keep_punct=True).text


class Extractor:
    def __init__(self, rules: Rules) -> None:
        self.r = rules
        self._cache: dict[tuple[str, int], Any] = {}
        roles = rules.checks.get("roles", {})
        self.defender = KeySet(roles.get("defender", ["辩护人", "辩护律师", "刑事辩护"]))
        self.lawyer = KeySet(roles.get("litigation_agent", ["律师", "代理人", "律所", "律师事务所", "法律工作者"]))
        self.petitioner = KeySet(roles.get("petitioner", ["信访", "上访"]))
        self.criminal = KeySet(roles.get("criminal", ["刑初", "刑终", "刑事", "被告人", "上诉人"]))

    def caller_role(self, turns: list[TurnView], cls: Classification) -> str:
        if cls.service_type == "out_of_scope":
            return "other"
        caller = [t for t in turns if not t.is_agent and t.has_content]
        if not caller:
            return "other"
        text = "".join(t.plain for t in caller[:4])
        alltext = "".join(t.plain for t in turns)
        if self.defender.find(text):
            return "defender"
        if _ON_BEHALF.search(text):
            return "other"
        lawyer = self.lawyer.find(text)
        if lawyer and not re.search(r"不是(?:律师|代理人|代理律师)", text):
            return "defender" if self.criminal.find(alltext) and "辩护" in alltext else "litigation_agent"
        if self.petitioner.find(text):
            return "petitioner"
        return "party"

    def _memo(self, kind: str, turn: TurnView, fn: Any) -> Any:
        key = (kind, turn.index)
        if key not in self._cache:
            self._cache[key] = fn(turn.plain)
        return self._cache[key]

    def case_number(self, turns: list[TurnView]) -> str | None:
        hits = []
        for t in turns:
            hits += self._memo("case", t, find_case_numbers)
        best = pick_best(hits)
        return best.value if best else None

    def phone(self, turns: list[TurnView]) -> str | None:
        for group in ([t for t in turns if not t.is_agent], [t for t in turns if t.is_agent]):
            hits = []
            for t in group:
                hits += [h for h in self._memo("phone", t, find_phones) if len(h.value) == 11]
            best = pick_best(hits)
            if best:
                return best.value
        return None

    def judge_name(self, turns: list[TurnView]) -> str | None:
        for t in turns:
            name = self._memo("judge", t, lambda _p, t=t: self._judge_in(_with_pauses(t.text)))
            if name:
                return name
        return None

    @staticmethod
    def _judge_in(text: str) -> str | None:
        for m in _JUDGE_FULL.finditer(text):
            name = m.group(1)
            if name[0] in SURNAMES and not name.endswith("法官"):
                return name
        for m in _JUDGE_SHORT.finditer(text):
            ch = m.group(1)
            before = text[max(0, m.start() - 2):m.start() + 1]
            if ch in SURNAMES and not any(before.endswith(p) for p in NOT_JUDGE_PREFIX):
                return f"{ch}法官"
        return None

    def caller_name(self, turns: list[TurnView]) -> str | None:
        for t in turns:
            if t.is_agent:
                continue
            m = _NAME_FULL.search(t.plain)
            if m and m.group(1)[0] in SURNAMES:
                return m.group(1)
            m = _NAME_SELF.search(t.plain)
            if m and m.group(1) in SURNAMES:
                return m.group(1) + ("律师" if "律师" in t.plain else "")
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
        words = "、".join(cls.evidence.get(cls.service_type, [])[:3])
        return f"{name}：{words}" if words else f"{name}：{first.plain[:24]}"

    def record(self, turns: list[TurnView], cls: Classification, checker: Any, *,
               final: bool = True) -> dict[str, Any]:
        agent = [t for t in turns if t.is_agent]
        referral = next((r for r in (self._memo("ref", t, lambda _p, t=t: checker.names_referral(t))
                                     for t in agent) if r), None)
        callback = any(self._memo("msg", t, checker.judge_message.find) for t in agent)
        dialect = sorted({d for t in turns if not t.is_agent for d, _ in t.norm.dialect})
        first = _first_caller_turn(turns)
        return {
            # during a call, nobody is "other" before the caller has said a word
            "caller_role": self.caller_role(turns, cls) if final or first is not None else None,
            "caller_name": self.caller_name(turns),
            "phone": self.phone(turns),
            "case_number": self.case_number(turns),
            "judge_name": self.judge_name(turns),
            "summary": self.summary(turns, cls, final=final, first=first),
            "callback_required": callback,
            "referral": referral if cls.service_type == "out_of_scope" else referral,
            "dialect": bool(dialect),
            "dialect_words": dialect,
        }


def _first_caller_turn(turns: list[TurnView]) -> TurnView | None:
    return next((t for t in turns if not t.is_agent and t.has_content), None)
