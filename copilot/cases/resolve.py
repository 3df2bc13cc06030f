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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from copilot.cases.directory import FIRM_HEAD, Case, CaseDirectory
from copilot.cases.evidence import (
    Hypothesis,
    Span,
    SpokenText,
    caller_names,
    court_mentions,
    judge_mentions,
    spans_in_turns,
    type_said,
)
from copilot.cases.phonetic import evidence, name_similarity, surname_similarity

W_HEAD, W_SERIAL, W_TYPE = 0.35, 0.45, 0.20
W_SECOND = 0.2
W_JUDGE, W_PARTY, W_DEPT = 0.3, 0.5, 0.05
W_JUDGE_MISS = 0.1
W_COURT, W_COURT_MISS = 0.1, 0.1
"""The court named by its place (「温岭法院」) and the case's court: agreeing adds ``W_COURT`` × the evidence; a
court named as the same sound in another city than the case's speaks against it."""
COURT_SURE = 0.875
"""Court evidence this strong (pinyin similarity ≥ 0.95: the same sound) can speak against a case of another city."""
TYPE_DIGIT = 0.75
"""The type-code score of a code heard as a digit when the call's words name its kind (a code heard surely: 1.0,
none heard: 0.4)."""
TAIL_ONLY = 0.6
MISS_BELOW = 0.5
"""A judge named in the call whose name sounds less like the case's judge than this (pinyin similarity, the
surname alone counting 0.9 of it) is evidence against the case."""
CLOSE_DIGITS = 0.85
"""Digits scoring this much (one serial digit off, or the year one edit away) with the judge's surname agreeing
corroborate a case; weaker digits need the judge's full name or a party."""
JUDGE_DIGITS = 0.75
"""Digits scoring this much (the serial one edit from what was heard with the head firm, or the serial and type
code as heard with the year or court garbled) are corroborated by the judge's surname heard as the same sound when
no other candidate with digits nearly as good has a judge who fits (``JUDGE_RIVALS``)."""
JUDGE_RIVALS = 0.2
SURNAME_ONLY = 0.6
"""A judge's surname alone fitting counts this share of the full name fitting."""
MAX_SCORED = 40
"""Candidates (best digits first) whose names are compared."""
RESOLVE_AT = 0.8
MARGIN = 0.12
PICK_AT = 0.6
MAX_PICKS = 4
NAME_FLOOR = 0.6
"""A name's pinyin similarity at or below this is no evidence (unrelated syllables share letters by chance);
above it, evidence grows linearly to 1 for the same sound (``phonetic.evidence``)."""
JUDGE_ALONE_AT = 0.88
"""The case unresolved: a judge's name fitting the spoken 「X法官」 this well (and no other judge nearly as
well) gives the directory's spelling. A surname alone fits at most 0.9 × its similarity."""
JUDGE_ALONE_MARGIN = 0.1
COURT_SPREAD = 0.1
"""Candidates whose digits score within this of the best give the courts the judge alone is looked for in."""
PARTY_SERIAL = 0.5
"""A case found by the caller's name in the group heard: its serial counts this share of its likeness to the
serial heard (a misheard serial is weak evidence, the name carries it)."""
NAME_MATCH = 0.75
"""A heard name this similar to a party's name is taken as that name (one near-sounding character in three)."""
ORG_NAME = 6
"""A party's name this long or longer (an organisation: 某某市某某区人民政府, 某某有限公司) is also looked for in the
call's text as near sounds (``ORG_NEAR`` pinyin similarity, half its characters the same sound): the ASR garbles a
few characters of a long name, but so many near sounds in a row are seldom chance."""
ORG_NEAR = 0.85
ORG_PARTY = 0.3
"""The party evidence of a long name heard as near sounds: below what corroborates a case alone (0.4), enough for
the judge's surname to single the case out (``_judge_singles_out``)."""


@dataclass
class Scored:
    case: Case
    digits: float = 0.0
    spans: dict[int, float] = field(default_factory=dict)
    """Best span score per turn."""
    exact: bool = False
    """Some span read the whole number exactly (head, serial and type code)."""
    head: float = 0.0
    """The best head score (year and court) of the spans pointing at it."""
    serial: float = 0.0
    """The best serial score of the spans pointing at it (1.0: the serial as heard)."""
    judge: float = 0.0
    judge_miss: bool = False
    """The call names a judge and this case's judge sounds like none of the names (evidence against it)."""
    party: float = 0.0
    party_role: str | None = None
    dept: float = 0.0
    court: float = 0.0
    """The court the call names by its place is this case's court (``evidence.court_mentions``)."""
    court_miss: bool = False
    """The call names a court, as the same sound, and none of the courts it names is in this case's city."""
    said_by_kind: bool = False
    """Some span read this case's year, court and serial exactly, its type code heard as a digit (执 as 一), and the
    call's words name that kind of case (执行): two readings of the type code agree."""
    tail_exact: bool = False
    """Some span read this case's year, serial and type code exactly as they are (the type code surely): only the
    court code may be garbled — what the court named by its place can confirm."""
    off_head: bool = False
    """The call said a year and court code exactly as a group of the directory holds, and this case is of another
    group: its head differs from what was heard clearly, so the judge's surname alone does not corroborate it."""

    @property
    def total(self) -> float:
        return (self.digits + W_JUDGE * self.judge - W_JUDGE_MISS * self.judge_miss + W_PARTY * self.party
                + W_DEPT * self.dept + W_COURT * self.court - W_COURT_MISS * self.court_miss)

    @property
    def corroborated(self) -> bool:
        """More than one fuzzy reading supports the case: the whole number read exactly (and no judge named
        who is not its judge), a party's name, the judge's full name, the judge's surname with digits that
        nearly fit, or a second span (a read-back); or the court named by its place with the year, serial and type
        code read exactly (the court code garbled: the court named says which it is)."""
        return (((self.exact or self.said_by_kind) and not self.judge_miss) or self.party >= 0.4 or self.judge >= 0.9
                or (self.judge > 0 and self.digits >= CLOSE_DIGITS and not self.off_head)
                or (self.court >= 0.4 and self.tail_exact and self.digits >= CLOSE_DIGITS and not self.court_miss
                    and not self.off_head)
                or (self.court >= COURT_SURE and self.head >= 1.0 and self.judge > 0 and not self.judge_miss
                    and self.digits >= JUDGE_DIGITS and not self.court_miss and not self.off_head)
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
    courts: tuple[str, ...] = ()
    """The courts the call's case-number digits point at (the best candidates'), for the judge alone."""


@dataclass(frozen=True)
class TurnText:
    index: int
    speaker: str
    text: str
    """Normalised (simplified, digits)."""


def _type_score(case: Case, code: str | None, conf: float, alts: tuple[str, ...] = ()) -> float:
    if code is None:
        return 0.4
    if case.type_code == code:
        return 0.5 + 0.5 * conf
    # another type code that sounds exactly the same (行出: 行初 or 刑初): as good as a homophone of it
    return 0.5 + 0.5 * min(conf, 0.8) if case.type_code in alts else 0.0


def score_cases(directory: CaseDirectory, turns: Sequence[TurnText],
                spans: Sequence[Span] | None = None) -> list[Scored]:
    """Every candidate case the call's spans point at, scored, best first."""
    if spans is None:
        spans = [s for ss in spans_in_turns([(t.index, t.speaker, t.text) for t in turns]).values() for s in ss]
    scored: dict[str, Scored] = {}
    clear_groups: set[tuple[int, str]] = set()  # groups some head names exactly (year and court code as said)
    caller = [t.text for t in turns if t.speaker != "agent"]
    agent = [t.text for t in turns if t.speaker == "agent"]
    mentioned = caller_names(caller, agent)
    names = [n for n in mentioned if len(n) >= 2]
    all_text = "".join(t.text for t in turns)
    courts = court_mentions([t.text for t in turns])
    sure_cities = {c[:3] for c, ev in courts.items() if ev >= COURT_SURE}
    named = [c for c, ev in courts.items() if ev >= COURT_SURE and len(c) > 1]
    for sp in spans:
        for h in _with_named_courts(sp.hypotheses, named):
            if h.type_code and h.head:
                clear_groups.update((y, c) for g, y, c in directory.head_groups(h.head, True) if g >= 1.0)
            found = list(directory.lookup(h))
            if h.type_code and h.head and names:  # the serial misheard: the caller's name in the group heard
                seen = {c.case_number for c, _h, _s in found}
                for name in names:
                    for case, head in directory.party_in_group(h.head, h.type_codes, name):
                        if case.case_number not in seen:
                            found.append((case, head, PARTY_SERIAL * _serial_likeness(h.serial, case.serial)))
            for case, head, serial in found:
                if h.type_words:  # no code heard, a one-digit serial said apart: the words must name the kind.
                    # Never read exactly: a court numbers its serials in a row, so every one-digit serial of a kind
                    # exists in a real directory, and 「3号」 may still be a date — the agent checks (a pick list)
                    if not type_said(case.type_code, all_text):
                        continue
                    kind, t_score = False, TYPE_DIGIT
                elif h.type_digit:  # the code heard as a digit: a guess, worth something only when the words back it
                    kind = type_said(case.type_code, all_text)
                    t_score = TYPE_DIGIT if kind and case.type_code == h.type_code else _type_score(case, None, 0.0)
                else:
                    kind, t_score = False, _type_score(case, h.type_code, h.type_conf, h.type_alts)
                s = W_HEAD * head + W_SERIAL * serial + W_TYPE * t_score
                sc = scored.get(case.case_number)
                if sc is None:
                    sc = scored[case.case_number] = Scored(case)
                if s > sc.spans.get(sp.turn, 0.0):
                    sc.spans[sp.turn] = s
                if kind and head >= 1.0 and serial >= 1.0:
                    sc.said_by_kind = True
                if serial >= 1.0 and h.type_code == case.type_code and h.type_conf >= 0.8:
                    if str(case.year) in h.head:
                        sc.tail_exact = True
                    if head >= 1.0:
                        sc.exact = True
                sc.head = max(sc.head, head)
                sc.serial = max(sc.serial, serial)
    if not scored:
        return []
    spoken = SpokenText(all_text)
    judges = judge_mentions([t.text for t in turns])
    surnames = [n[:1] for n in mentioned if len(n) == 1]
    for sc in scored.values():
        best = sorted(sc.spans.values(), reverse=True)
        sc.digits = best[0] + (W_SECOND * best[1] if len(best) > 1 else 0.0)
    kept = sorted(scored.values(), key=lambda s: (-s.digits, s.case.case_number))[:MAX_SCORED]
    for sc in kept:
        sc.off_head = bool(clear_groups) and (sc.case.year, sc.case.court) not in clear_groups
        sc.judge = _judge_match(sc.case.judge_name, judges, all_text, spoken)
        sc.judge_miss = (bool(judges) and bool(sc.case.judge_name) and sc.judge == 0.0
                         and _judge_fit(sc.case.judge_name, judges) < MISS_BELOW)
        sc.party, sc.party_role = _party_match(sc.case, names, surnames, spoken)
        sc.court = courts.get(sc.case.court, 0.0)
        sc.court_miss = bool(sure_cities) and not any(c[:3] == sc.case.court[:3] for c in courts)
        if sc.case.department and sc.case.department in all_text:
            sc.dept = 1.0
    return sorted(kept, key=lambda s: (-s.total, s.case.case_number))


MAX_NAMED = 2
"""Courts named by their place whose code completes a head of the year alone."""


def _with_named_courts(hyps: Sequence[Hypothesis], named: list[str]) -> list[Hypothesis]:
    """The span's readings, and for a head that is the year alone (「2024年民初5316号」, the court said by its name
    instead of its code: 「北仑法院的」), the same reading with the code of each court named as the same sound."""
    out = list(hyps)
    if not named:
        return out
    for h in hyps:
        if len(h.head) == 4 and h.head.startswith(("19", "20")) and h.type_code:
            out += [replace(h, head=h.head + "".join(ch for ch in c if ch.isdigit())) for c in named[:MAX_NAMED]]
    return out


def _serial_likeness(heard: str, serial: int) -> float:
    """How much a misheard serial still looks like the case's (normalised edit similarity; ``?`` matches nothing)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_similarity(heard, str(serial))


def _judge_match(judge: str, heard: list[str], all_text: str, spoken: SpokenText | None = None) -> float:
    """How well the judges named in the call (「X法官」, X one to three characters heard before it) fit the case's
    judge, by pinyin similarity (``phonetic.evidence`` of it): the full name when as many characters were heard
    (1.0 for the same sound), else the surname (at most ``SURNAME_ONLY``: judges of a court share surnames).

    The judge's full name said anywhere in the call counts as well (「我想问问少见峰…」, 「一个法官叫助建国」: a name
    of three characters or more heard as a homophone, without 法官 next to it; two characters are too often a word)."""
    if not judge:
        return 0.0
    if len(judge) >= 2 and judge in all_text:
        return 1.0
    if spoken is not None and len(judge) >= 3 and spoken.name_in(judge) >= 0.7:
        return 1.0
    best = 0.0
    for h in heard:
        if not h:
            continue
        if len(h) >= len(judge) >= 2:
            best = max(best, evidence(_window_fit(h, judge), NAME_FLOOR))
        best = max(best, SURNAME_ONLY * evidence(surname_similarity(h[-1], judge), NAME_FLOOR))
    return best


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    from copilot.analysis.extractor import SURNAMES

    return frozenset(SURNAMES)


def _window_fit(heard: str, judge: str) -> float:
    """Similarity of the last ``len(judge)`` characters heard before 法官 to the judge's full name. When more was
    heard and the character before the window is a surname, the window may be the end of a longer name
    (吴立新 → 立新 for a judge 黎新): it then counts as a given name only (× ``TAIL_ONLY``); 问一下|郝强 does not."""
    n, k = len(heard), len(judge)
    sim = name_similarity(heard[-k:], judge)
    if n > k and heard[n - k - 1] in _surnames():
        sim *= TAIL_ONLY
    return sim


def _party_match(case: Case, names: list[str], surnames: list[str], spoken: SpokenText) -> tuple[float, str | None]:
    """How well the names the call gives for the caller fit one of the case's parties (the best one, with its role).

    ``names`` are names of two or more characters the caller gave (我叫…); ``surnames`` the surnames said apart
    (我姓…, the agent's 「X女士」). A full name heard (as written, as a homophone — three characters or more, two
    are too often an ordinary word: 沈立/审理 — or near-sounding in a name statement) counts most, scaled by how
    well the surnames said apart agree with it; a given name heard with the surname said apart nearly as much;
    surnames alone little."""
    best, role = 0.0, None
    for name, r in case.party_list:
        core = _person(name)
        if len(core) < 2:
            continue
        agree = (sum(evidence(surname_similarity(n, core), NAME_FLOOR) for n in surnames) / len(surnames)
                 if surnames else None)
        heard = spoken.name_in(core)
        full = 1.0 if heard == 1.0 else (0.9 if heard == 0.7 and len(core) >= 3 else 0.0)
        for n in names:
            sim = name_similarity(n, core)
            if sim >= NAME_MATCH:
                full = max(full, evidence(sim, NAME_FLOOR))
        s = full * (0.5 + 0.5 * agree) if (full and agree is not None) else full
        if heard == 0.3 and agree:  # the given name heard, the surname said apart
            s = max(s, 0.8 * agree)
        if agree:
            s = max(s, 0.4 * agree)
        if not s and len(core) >= ORG_NAME and any(_distinct_fit(w, core) for w in spoken.near_in(core, ORG_NEAR)):
            s = ORG_PARTY
        if s > best:
            best, role = s, r
    return best, role


_GENERIC = ("人民政府", "有限责任公司", "股份有限公司", "有限公司", "分公司", "公司", "集团", "律师事务所", "事务所",
            "委员会", "管理局", "银行", "支行", "分行", "中心", "工厂", "厂", "浙江省", "浙江", "杭州", "宁波", "温州", "嘉兴",
            "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "省", "市", "区", "县", "镇", "乡", "街道", "村")
"""Words organisations' names share (the province and its cities, administrative levels, 有限公司, 人民政府): two
organisations of one city differ only in the rest, so that rest must be heard as (nearly) the same sound."""
DISTINCT_NEAR = 0.8


def _distinct_fit(heard: str, name: str) -> bool:
    """Every character of ``name`` outside its shared words (``_GENERIC``) — at least two — sounds like the
    character heard in its place (``char_similarity`` ≥ ``DISTINCT_NEAR``): 杭州市余杭区人民政府 heard with
    余杭 as the same sound fits; 西湖区 for 余杭区 does not, however alike the rest."""
    from copilot.cases.phonetic import char_similarity

    generic = [False] * len(name)
    for w in _GENERIC:
        i = name.find(w)
        while i >= 0:
            generic[i:i + len(w)] = [True] * len(w)
            i = name.find(w, i + len(w))
    own = [i for i, g in enumerate(generic) if not g]
    return len(own) >= 2 and all(char_similarity(heard[i], name[i]) >= DISTINCT_NEAR for i in own)


def judge_alone(directory: CaseDirectory, turns: Sequence[TurnText], courts: Sequence[str] = ()) -> str | None:
    """The directory's spelling of the judge the call names when the case itself is not resolved: the one judge
    of the court(s) the call points at (all courts when it points at none) whose name the spoken 「X法官」 fits
    with pinyin similarity ≥ ``JUDGE_ALONE_AT``, no other judge within ``JUDGE_ALONE_MARGIN`` of it. A name
    that fits nobody, or several judges alike, gives None (the spoken form stays)."""
    heard = judge_mentions([t.text for t in turns])
    if not heard:
        return None
    said = _full_names_heard(directory, [t.text for t in turns], tuple(courts))
    if len(said) == 1 and _judge_fit(said[0], heard) >= JUDGE_ALONE_AT:
        # the one judge whose full name was said as a homophone (「是审会请法官承办的」), and a 「X法官」 said is that judge
        return said[0]
    return _judge_alone(directory, tuple(heard), tuple(courts))


@lru_cache(maxsize=8)
def _judge_sounds(directory: CaseDirectory) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The judges' full names of three characters or more by their sound (``evidence.name_reading`` of each
    character), with their courts: (court, judge) per sound."""
    from copilot.cases.evidence import name_reading

    out: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for court, judges in directory.judges().items():
        for j in judges:
            if len(j) >= 3:
                out.setdefault(tuple(name_reading(c) for c in j), []).append((court, j))
    return {k: tuple(v) for k, v in out.items()}


NEXT_TO_TITLE = 2
"""A judge's full name heard as a homophone counts for the judge alone only this close to 法官 (before it, or after
it: 「法官叫…」): a three-syllable sound anywhere in a call matches some judge's name by chance (您喂喂 for 林伟卫)."""


def _full_names_heard(directory: CaseDirectory, texts: list[str], courts: tuple[str, ...]) -> list[str]:
    """The judges (of ``courts``, all when none) whose full name of three characters or more is heard as the same
    sound within one turn, next to 法官 (``NEXT_TO_TITLE``) — the evidence ``_judge_match`` counts as the full name
    for a candidate case."""
    from copilot.cases.evidence import judge_words, name_reading

    index = _judge_sounds(directory)
    lengths = {len(k) for k in index}
    found = set()
    for text in texts:
        text = judge_words(text)
        titles = [i for i in range(len(text) - 1) if text[i:i + 2] == "法官"]
        if not titles:
            continue
        sound = [name_reading(c) for c in text]
        for n in lengths:
            for i in range(len(sound) - n + 1):
                if not any(0 <= t - (i + n) <= NEXT_TO_TITLE or 0 <= i - (t + 2) <= NEXT_TO_TITLE for t in titles):
                    continue
                for court, judge in index.get(tuple(sound[i:i + n]), ()):
                    if not courts or court in courts:
                        found.add(judge)
    return sorted(found)


@lru_cache(maxsize=1024)
def _judge_alone(directory: CaseDirectory, heard: tuple[str, ...], courts: tuple[str, ...]) -> str | None:
    heard = list(heard)
    by_court = directory.judges()
    pool = sorted({j for c in (courts or by_court) for j in by_court.get(c, ())})
    scored = sorted(((_judge_fit(j, heard), j) for j in pool), reverse=True)
    if not scored or scored[0][0] < JUDGE_ALONE_AT:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - JUDGE_ALONE_MARGIN:
        return None
    return scored[0][1]


def _judge_fit(judge: str, heard: list[str]) -> float:
    """The best raw pinyin similarity of a judge's name to the names heard before 法官 (full name when as many
    characters were heard, else the surname)."""
    best = 0.0
    for h in heard:
        if len(h) >= len(judge) >= 2:
            best = max(best, _window_fit(h, judge))
        elif len(h) >= 2 and len(judge) >= 3 and len(h) == len(judge) - 1:
            best = max(best, 0.9 * name_similarity(h, judge[1:], surname_first=False))  # the given name only
        best = max(best, surname_similarity(h[-1], judge) * (0.9 if len(judge) >= 2 else 1.0))
    return best


def resolve(directory: CaseDirectory, turns: Sequence[TurnText], spans: Sequence[Span] | None = None) -> Resolution:
    scored = score_cases(directory, turns, spans)
    if not scored:
        return Resolution("none")
    near = max(s.digits for s in scored) - COURT_SPREAD
    # the judge alone is looked for only in courts the digits point at firmly; a head that fits only loosely (a year
    # two edits away, a court code half heard) says too little: then every court, where a surname alone rarely fits
    # one judge only
    courts = tuple(sorted({s.case.court for s in scored if s.digits >= near and s.head >= FIRM_HEAD}))
    top = scored[0]
    second = scored[1].total if len(scored) > 1 else 0.0
    close = tuple(s for s in scored[:MAX_PICKS] if s.total >= PICK_AT and top.total - s.total < MARGIN)
    clear = top.total - second >= MARGIN or ((top.exact or top.said_by_kind)
                                             and not any(s.exact or s.said_by_kind for s in scored[1:]))
    if top.total >= RESOLVE_AT and clear and (top.corroborated or _judge_singles_out(top, scored[1:])):
        return Resolution("resolved", top.case, (top,), caller_role=top.party_role if top.party >= 0.7 else None,
                          identity_matched=top.party >= 0.4 or _role_matches(top.case, turns),
                          judge_heard=top.judge > 0)
    if top.total >= PICK_AT:
        return Resolution("ambiguous", None, close or (top,), courts=courts)
    return Resolution("none", None, (), courts=courts)


def _judge_singles_out(top: Scored, others: Sequence[Scored]) -> bool:
    """The judge's surname was heard as the same sound (the surname alone scores ``SURNAME_ONLY``), the digits fit
    well (``JUDGE_DIGITS``), and no other candidate whose digits fit nearly as well has a judge who fits: the judge
    tells this case from the other readings of the digits (a year heard twice and garbled, the serial and type code
    as said). A serial that differs from the one heard (6201 heard for 6021) also needs a party's name agreeing: a
    clean number missing from the directory has neighbours, and one of them may have a judge of that surname."""
    return (top.judge >= SURNAME_ONLY - 1e-9 and top.digits >= JUDGE_DIGITS and not top.judge_miss
            and not top.off_head and (top.serial >= 1.0 or top.party > 0)
            and not any(s.judge > 0 for s in others if s.digits >= top.digits - JUDGE_RIVALS))


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
