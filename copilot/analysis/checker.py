"""Compliance checks: every flag code of docs/formats.md §3, on agent turns only (callers are never flagged).

Turn-level codes (greeting_missing, banned_phrase, nonstandard_wording) are raised as each agent turn
arrives; call-level codes are decided at the end of the call (``finish``), because they depend on what
the agent did or did not say later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from copilot.analysis.keys import KeySet
from copilot.analysis.rules import Rules
from copilot.analysis.turns import TurnView

_HOTLINE = re.compile(r"(?<!\d)(11\d|12\d|12\d{3}|0\d{2,3}-?\d{7,8})(?![\d元块万号年月日点天岁个])")
"""A hotline (110, 12345 …) or a landline the agent reads out."""
GREETING_MIN_CONF = 0.8
"""Fuzzy (pinyin) confidence at which an ASR-garbled greeting still counts as said."""
WANTS_JUDGE = 1.5
"""Contact-judge evidence (classifier score) at which the caller counts as wanting a judge, even when
another need came first (e.g. the agent says 我联系一下X法官)."""
PHRASE_MIN_CONF = 0.85
"""Fuzzy confidence at which a garbled banned/A.4/closing phrase counts (exact hits have 1.0)."""


@dataclass
class Flag:
    code: str
    turn: int | None
    start: float | None
    text: str
    phrase: str
    suggestion: str
    confidence: float = 1.0
    span: tuple[int, int] | None = None
    speaker: str = "agent"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "turn": self.turn, "speaker": self.speaker, "start": self.start,
                "text": self.text, "phrase": self.phrase, "suggestion": self.suggestion,
                "confidence": round(self.confidence, 3)}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Checker:
    def __init__(self, rules: Rules) -> None:
        self.r = rules
        c = rules.checks
        self.wait_caller = KeySet(c["wait_complaint"]["caller"])
        self.wait_not_when = KeySet(c["wait_complaint"]["not_when"])
        self.apology = KeySet(c["wait_complaint"]["apology"])
        # near: the script and the judge's status are whole phrases, heard through ASR (keys.py)
        self.silent_final = [KeySet([k], near=True) for k in c["silent_call"]["final"]]
        self.judge_unreachable = KeySet(c["judge"]["unreachable"], near=True)
        self.judge_message = KeySet(c["judge"]["message"], near=True)
        self.forwarded = KeySet(c["complaint"]["forwarded"])
        self.referral_units = KeySet(c["referral"]["units"])

    # ---------------------------------------------------------------- turn level
    def greeting_ok(self, turn: TurnView) -> bool:
        plain = turn.plain
        if plain.startswith("你好"):  # 您好 and 你好 differ by one sound; ASR often writes 你好
            plain = "您" + plain[1:]
        for hit in self.r.greeting.find(plain):
            if hit.confidence >= GREETING_MIN_CONF:
                return True
        return False

    def greeting(self, turn: TurnView) -> Flag | None:
        if self.greeting_ok(turn):
            return None
        return Flag("greeting_missing", turn.index, turn.start, turn.text, self.r.greeting_text,
                    self.r.greeting_text, 1.0, (0, len(turn.text)))

    def banned(self, turn: TurnView) -> list[Flag]:
        hits = [h for h in self.r.banned.find(turn.plain) if h.confidence >= PHRASE_MIN_CONF]
        kept: dict[str, Any] = {}
        for h in sorted(hits, key=lambda h: (-h.confidence, -(h.end - h.start))):
            replacement, not_when = self.r.banned_info[h.phrase_id]
            if any(nw in turn.plain and self._covers(turn.plain, nw, h) for nw in not_when):
                continue
            if h.phrase_id in kept:
                continue
            if any(_overlap((h.start, h.end), (k.start, k.end)) for k in kept.values()):
                continue
            kept[h.phrase_id] = h
        flags = []
        for bid, h in kept.items():
            flags.append(Flag("banned_phrase", turn.index, turn.start, turn.text, h.phrase,
                              self.r.banned_info[bid][0], h.confidence, turn.norm.source_span(h.start, h.end)))
        return sorted(flags, key=lambda f: f.span or (0, 0))

    @staticmethod
    def _covers(plain: str, nw: str, hit: Any) -> bool:
        i = plain.find(nw)
        while i >= 0:
            if i <= hit.start and hit.end <= i + len(nw):
                return True
            i = plain.find(nw, i + 1)
        return False

    def nonstandard(self, turn: TurnView, banned: list[Flag], first_agent_turn: bool) -> Flag | None:
        """At most one A.4 flag per turn: the longest form said (「我建议你」 counts once, not also 「你」)."""
        banned_spans = [(f.span[0], f.span[1]) for f in banned if f.span]
        best = None
        for h in self.r.replacements.find(turn.plain):
            if h.confidence < PHRASE_MIN_CONF:
                continue
            use, context = self.r.replacement_info[h.phrase_id]
            if context == "turn_start" and not self._opens_turn(turn, h):
                continue
            if h.phrase == "你":
                if turn.plain.startswith("你好") and h.start == 0:
                    continue  # the greeting's 您好 as ASR writes it
                if context == "not_quoted" and self._quoted(turn, h):
                    continue
            src = turn.norm.source_span(h.start, h.end)
            if any(_overlap(src, b) for b in banned_spans):
                continue
            key = (h.end - h.start, h.confidence)
            if best is None or key > best[0]:
                best = (key, h, use, src)
        if best is None:
            return None
        _, h, use, src = best
        return Flag("nonstandard_wording", turn.index, turn.start, turn.text, h.phrase, use, h.confidence, src)

    @staticmethod
    def _opens_turn(turn: TurnView, hit: Any) -> bool:
        """嗯/啊 count only as a stand-alone reply word that opens the turn (not 是啊, 好啊 …)."""
        if hit.start != 0:
            return False
        rest = turn.plain[hit.end:hit.end + 1]
        return rest not in ("嗯", "啊")  # 嗯嗯 / 啊啊 still one reply word

    @staticmethod
    def _quoted(turn: TurnView, hit: Any) -> bool:
        s, _ = turn.norm.source_span(hit.start, hit.end)
        before = turn.text[:s]
        opens = sum(before.count(q) for q in "「“『\"")
        closes = sum(before.count(q) for q in "」”』")
        return opens > closes

    # ---------------------------------------------------------------- call level
    def caller_wait_complaint(self, turn: TurnView) -> bool:
        if turn.is_agent:
            return False
        return self.wait_caller.find(turn.plain) is not None and self.wait_not_when.find(turn.plain) is None

    def finish(self, turns: list[TurnView], ring_seconds: float | None, service_type: str,
               service_types: list[str], scores: dict[str, float] | None = None) -> list[Flag]:
        agent = [t for t in turns if t.is_agent]
        caller_spoke = any(t.has_content for t in turns if not t.is_agent)
        flags: list[Flag] = []
        if ring_seconds is not None and ring_seconds > 15:
            flags.append(Flag("answer_late", None, None, "", f"{ring_seconds:g} 秒",
                              "电话铃响立即接听，不得超过15秒；接起后先致歉：" + self.r.script_text("wait_complaint")))
        wait = (ring_seconds is not None and ring_seconds >= 15) or any(self.caller_wait_complaint(t) for t in turns)
        if wait and agent and not any(self.apology.find(t.plain) for t in agent):
            flags.append(Flag("wait_apology_missing", None, None, "", "让您久等了",
                              self.r.script_text("wait_complaint")))
        if agent and not caller_spoke:
            last = agent[-1]
            # The script counts wherever the agent said it: ASR often cuts 「…换一部电话再打来好吗？」 and the
            # 「感谢来电，再见！」 after it into two turns, and the goodbye is then the last one.
            said = "".join(t.plain for t in agent)
            if not all(k.find(said) for k in self.silent_final):
                flags.append(Flag("silent_call_script_missing", None, last.start, last.text,
                                  "听不到您的声音…换一部电话", self.r.script_text("silent_call")))
        if service_type == "out_of_scope" and caller_spoke and agent:
            if not any(self.names_referral(t) for t in agent):
                flags.append(Flag("referral_missing", None, None, "", "",
                                  "不属于热线服务范围时，应告知来电人应联系的单位及电话"))
        wants_judge = "contact_judge" in service_types or (scores or {}).get("contact_judge", 0.0) >= WANTS_JUDGE
        if wants_judge:
            unreachable = next((t for t in agent if self.judge_unreachable.find(t.plain)), None)
            if unreachable and not any(self.judge_message.find(t.plain) for t in agent):
                flags.append(Flag("judge_callback_missing", None, unreachable.start, unreachable.text, "",
                                  "法官暂时联系不上时，应留言法官，并告知来电人法官会在规定时间内回复（回电）"))
        if service_type == "complaint" and agent and not any(self.forwarded.find(t.plain) for t in agent):
            flags.append(Flag("complaint_not_forwarded", None, None, "", "",
                              "准确记录投诉举报内容，告知来电人将转交纪检监察部门办理，并严格保密"))
        if agent:
            tail = agent[-2:]
            if not any(self.closing_ok(t) for t in tail):
                last = agent[-1]
                flags.append(Flag("closing_missing", None, last.start, last.text, "",
                                  self.r.checks["closing"]["suggestion"]))
        return flags

    def closing_ok(self, turn: TurnView) -> bool:
        return any(h.confidence >= PHRASE_MIN_CONF for h in self.r.closings.find(turn.plain))

    def names_referral(self, turn: TurnView) -> str | None:
        """The other unit or hotline the agent named (12368 itself does not count)."""
        for h in self.r.referral_units.find(turn.plain, fuzzy=False):
            return h.phrase
        hit = self.referral_units.find(turn.plain)
        if hit:
            return hit.key
        for m in _HOTLINE.finditer(turn.plain):
            if m.group(1) != "12368":
                return m.group(1)
        return None
