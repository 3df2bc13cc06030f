"""Score the directory's cases against everything a call said, and decide: one case, a pick list, or none.

A case's score adds up independent evidence:

- digits: the best span's match (head = year and court code, serial, type code) plus a share of the second
  best span from another turn (a read-back or a repetition agrees);
- the judge: a surname heard before 法官 that is the case judge's surname or a homophone of it;
- a party: a name the caller gave (or the agent addressed the caller by) that is one of the case's parties;
- the department, when said.

Only cases some span points at are candidates: a call that says no case number gets none, whatever names it
mentions. One case is *resolved* when it scores high, clearly above the next (or it is the only case read exactly as
said: year, court, type code and serial), and more than one fuzzy reading supports it (an exact reading of the whole number, or a read-back, judge or party agreeing); otherwise close
candidates become a pick list for the agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from copilot.cases.directory import Case, CaseDirectory
from copilot.cases.evidence import (
    Span,
    SpokenText,
    caller_names,
    judge_mentions,
    sounds_alike,
    spans_in_turns,
)

W_HEAD, W_SERIAL, W_TYPE = 0.35, 0.45, 0.20
W_SECOND = 0.2
W_JUDGE, W_PARTY, W_DEPT = 0.2, 0.4, 0.05
MAX_SCORED = 40
"""Candidates (best digits first) whose names are compared."""
RESOLVE_AT = 0.8
MARGIN = 0.12
PICK_AT = 0.6
MAX_PICKS = 4


@dataclass
class Scored:
    case: Case
    digits: float = 0.0
    spans: dict[int, float] = field(default_factory=dict)
    """Best span score per turn."""
    exact: bool = False
    """Some span read the whole number exactly (head, serial and type code)."""
    judge: float = 0.0
    party: float = 0.0
    party_role: str | None = None
    dept: float = 0.0

    @property
    def total(self) -> float:
        return self.digits + W_JUDGE * self.judge + W_PARTY * self.party + W_DEPT * self.dept

    @property
    def corroborated(self) -> bool:
        return (self.exact or self.judge > 0 or self.party > 0
                or len([s for s in self.spans.values() if s >= 0.5]) >= 2)

    def to_dict(self) -> dict[str, Any]:
        return {"case_number": self.case.case_number, "judge_name": self.case.judge_name,
                "score": round(self.total, 3), "digits": round(self.digits, 3), "judge": self.judge,
                "party": self.party}


@dataclass(frozen=True)
class Resolution:
    status: str
    """``resolved``, ``ambiguous`` (a pick list) or ``none``."""
    case: Case | None = None
    candidates: tuple[Scored, ...] = ()
    caller_role: str | None = None
    """The role of the party whose name the caller gave, when resolved."""
    identity_matched: bool = False
    """The caller gave a name or role that matches the resolved case."""
    judge_heard: bool = False


@dataclass(frozen=True)
class TurnText:
    index: int
    speaker: str
    text: str
    """Normalised (simplified, digits)."""


def _type_score(case: Case, code: str | None, conf: float) -> float:
    if code is None:
        return 0.4
    return 0.5 + 0.5 * conf if case.type_code == code else 0.0


def score_cases(directory: CaseDirectory, turns: Sequence[TurnText],
                spans: Sequence[Span] | None = None) -> list[Scored]:
    """Every candidate case the call's spans point at, scored, best first."""
    if spans is None:
        spans = [s for ss in spans_in_turns([(t.index, t.speaker, t.text) for t in turns]).values() for s in ss]
    scored: dict[str, Scored] = {}
    for sp in spans:
        for h in sp.hypotheses:
            for case, head, serial in directory.lookup(h):
                s = W_HEAD * head + W_SERIAL * serial + W_TYPE * _type_score(case, h.type_code, h.type_conf)
                sc = scored.get(case.case_number)
                if sc is None:
                    sc = scored[case.case_number] = Scored(case)
                if s > sc.spans.get(sp.turn, 0.0):
                    sc.spans[sp.turn] = s
                if head >= 1.0 and serial >= 1.0 and h.type_code == case.type_code and h.type_conf >= 0.8:
                    sc.exact = True
    if not scored:
        return []
    all_text = "".join(t.text for t in turns)
    spoken = SpokenText(all_text)
    caller = [t.text for t in turns if t.speaker != "agent"]
    agent = [t.text for t in turns if t.speaker == "agent"]
    judges = judge_mentions([t.text for t in turns])
    names = caller_names(caller, agent)
    for sc in scored.values():
        best = sorted(sc.spans.values(), reverse=True)
        sc.digits = best[0] + (W_SECOND * best[1] if len(best) > 1 else 0.0)
    kept = sorted(scored.values(), key=lambda s: (-s.digits, s.case.case_number))[:MAX_SCORED]
    for sc in kept:
        sc.judge = _judge_match(sc.case.judge_name, judges, all_text)
        sc.party, sc.party_role = _party_match(sc.case, names, spoken)
        if sc.case.department and sc.case.department in all_text:
            sc.dept = 1.0
    return sorted(kept, key=lambda s: (-s.total, s.case.case_number))


def _judge_match(judge: str, heard: list[str], all_text: str) -> float:
    if not judge:
        return 0.0
    if len(judge) >= 2 and judge in all_text:
        return 1.0
    best = 0.0
    for h in heard:
        if not h:
            continue
        if h == judge or (len(h) >= 2 and sounds_alike(h, judge[:len(h)]) and len(h) == len(judge)):
            best = max(best, 1.0 if h == judge else 0.8)
        last = h[-1]  # the character right before 法官: the surname
        if last == judge[0]:
            best = max(best, 1.0)
        elif sounds_alike(last, judge[0]):
            best = max(best, 0.8)
    return best


def _party_match(case: Case, names: list[str], spoken: SpokenText) -> tuple[float, str | None]:
    best, role = 0.0, None
    for name, r in case.party_list:
        core = _person(name)
        s = spoken.name_in(core) if len(core) >= 2 else 0.0
        surname = 0.0
        for n in names:
            if n and n[0] == core[0] and (len(n) == 1 or sounds_alike(n, core[:len(n)])):
                surname = max(surname, 0.4)  # the surname (我姓钱, 钱律师, 姚女士)
            elif n and sounds_alike(n[:1], core[:1]) and (len(n) == 1 or sounds_alike(n, core[:len(n)])):
                surname = max(surname, 0.3)
        if s == 0.3 and surname:  # the given name heard and the surname said apart (杨美芳 … 姚女士)
            s = 0.8
        s = max(s, surname)
        if s > best:
            best, role = s, r
    return best, role


def resolve(directory: CaseDirectory, turns: Sequence[TurnText], spans: Sequence[Span] | None = None) -> Resolution:
    scored = score_cases(directory, turns, spans)
    if not scored:
        return Resolution("none")
    top = scored[0]
    second = scored[1].total if len(scored) > 1 else 0.0
    close = tuple(s for s in scored[:MAX_PICKS] if s.total >= PICK_AT and top.total - s.total < MARGIN)
    clear = top.total - second >= MARGIN or (top.exact and not any(s.exact for s in scored[1:]))
    if top.total >= RESOLVE_AT and clear and top.corroborated:
        return Resolution("resolved", top.case, (top,), caller_role=top.party_role if top.party >= 0.7 else None,
                          identity_matched=top.party >= 0.4 or _role_matches(top.case, turns),
                          judge_heard=top.judge > 0)
    if top.total >= PICK_AT:
        return Resolution("ambiguous", None, close or (top,))
    return Resolution("none", None, ())


_ORG = ("律师事务所", "事务所", "有限公司", "公司", "委员会", "法律服务所")


def _person(name: str) -> str:
    """The person in a party's name: 浙江某某律师事务所周明 → 周明; a company stays as it is."""
    for w in _ORG:
        i = name.rfind(w)
        if i >= 0 and len(name) - i - len(w) >= 2:
            return name[i + len(w):]
    return name


_LAWYER = ("律师", "代理人", "律所", "事务所")
_PARTY = ("原告", "被告", "申请人", "被申请人", "上诉人", "被上诉人", "当事人", "申请执行人", "被执行人", "第三人",
          "我的案子", "我的案号", "我的官司", "我这个案子", "我那个案子", "我的案件")
"""What a caller says to claim a party's role in the case (or the case as their own)."""


def _role_matches(case: Case, turns: Sequence[TurnText]) -> bool:
    """The caller said which role they have in the case, and the case has that role: a lawyer or agent
    (litigation_agent/defender), a defender (辩护), or a party (原告, 被告, 我的案子 …)."""
    said = "".join(t.text for t in turns if t.speaker != "agent")
    roles = {r for _, r in case.party_list}
    if any(w in said for w in _LAWYER) and roles & {"litigation_agent", "defender"}:
        return True
    if "辩护" in said and "defender" in roles:
        return True
    return any(w in said for w in _PARTY) and "party" in roles
