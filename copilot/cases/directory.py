"""The case directory as the resolver sees it: candidate cases for heard fragments, and their details.

The small summary of which (year, court, type code) groups exist is read once per process (its build time is
kept in ``build_seconds``); every lookup is then a handful of indexed queries (``serial IN (…)`` within the
groups the heard head digits point at), so it stays fast with a million cases in SQLite or PostgreSQL.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein
from sqlalchemy import text
from sqlalchemy.engine import Engine

from copilot.cases.evidence import Hypothesis

log = logging.getLogger(__name__)

MAX_GROUPS = 24
"""(year, court) groups tried per heard head: those within ``GROUP_SPREAD`` of the best."""
GROUP_SPREAD = 0.2
NEAR_GROUPS = 4
"""Groups (the closest to the head heard) in which serials one edit from the heard one are looked up."""
MAX_ROWS = 400
REPEAT_HEARD_ONCE = 0.75
"""How well a serial with one digit doubled matches the serial heard (a repeated syllable merged by the ASR):
between a digit dropped anywhere (0.65) and a wildcard's readings (0.7) below, and the serial as heard (1.0)."""
FIRM_HEAD = 0.75
"""A head scoring this much (the year heard, or one edit away, and the court code nearly as said) points at its
group firmly: a party's name is looked for in it, and the judge alone may be looked for in its court."""


@dataclass(frozen=True)
class Case:
    case_number: str
    year: int
    court: str
    type_code: str
    serial: int
    judge_name: str = ""
    department: str = ""
    clerk_name: str = ""
    status: str = ""
    filed_on: str | None = None
    next_hearing: str | None = None
    parties: str = ""

    @property
    def party_list(self) -> list[tuple[str, str]]:
        return [tuple(p.rsplit(":", 1)) for p in self.parties.split(";") if ":" in p]  # type: ignore[misc]

    def card(self) -> dict[str, Any]:
        return {"case_number": self.case_number, "judge_name": self.judge_name, "department": self.department,
                "status": self.status, "next_hearing": self.next_hearing, "filed_on": self.filed_on}


_COLS = ("case_number", "year", "court", "type_code", "serial", "judge_name", "department", "clerk_name", "status",
         "filed_on", "next_hearing", "parties")


def serial_variants(pattern: str, short: bool = False) -> dict[int, float]:
    """Serial numbers the heard pattern may stand for, with how well each matches (1.0 = exactly as heard).

    ``?`` is a character heard where a digit should be: any digit, or nothing (``short``: also when that leaves two
    digits — 「9月4」 for 九四 — allowed when the type code and a year-and-court head were heard). A pattern of digits alone also
    stands for every number one edit away (a digit dropped, added or misheard) and for the number with two
    neighbouring digits swapped (六零二一 heard as 6201), at a lower score — except a digit said twice in a row and
    heard once (三三九二 → 392, 九九二一 → 921: the ASR merges the repeated syllable), the likeliest of the drops
    (``REPEAT_HEARD_ONCE``).
    """
    out: dict[int, float] = {}

    def put(s: str, score: float) -> None:
        if s and not s.startswith("0") and len(s) <= 8:
            v = int(s)
            if out.get(v, 0.0) < score:
                out[v] = score

    if "?" in pattern:
        forms = [""]
        for ch in pattern:
            forms = [f + d for f in forms for d in ((ch,) if ch != "?" else ("", *"0123456789"))]
        for f in forms:
            if sum(c.isdigit() for c in f) >= 3:
                put(f, 0.7)
            elif short and len(f) == 2 and len(pattern) == 3:
                put(f, 0.6)  # the character between two digits was a word, not a digit
        return out
    put(pattern, 1.0)
    if len(pattern) < 3:
        return out  # one edit away from a one- or two-digit serial is nearly any serial
    digits = "0123456789"
    for i in range(len(pattern)):
        put(pattern[:i] + pattern[i + 1:], 0.65)  # a digit too many
        for d in digits:
            put(pattern[:i] + d + pattern[i + 1:], 0.6)  # a digit misheard
    for i in range(len(pattern) + 1):
        for d in digits:
            put(pattern[:i] + d + pattern[i:], 0.65)  # a digit dropped
    for i in range(len(pattern)):
        put(pattern[:i] + pattern[i] + pattern[i:], REPEAT_HEARD_ONCE)  # a digit said twice heard once (三三九二 → 392)
    for i in range(len(pattern) - 1):
        put(pattern[:i] + pattern[i + 1] + pattern[i] + pattern[i + 2:], 0.6)  # two digits heard in swapped order
    return out


class CaseDirectory:
    """Read access to the ``cases`` table for resolution."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        t0 = time.perf_counter()
        self.groups: dict[tuple[int, str], set[str]] = defaultdict(set)
        self.size = 0
        with engine.connect() as conn:
            for year, court, code, n in conn.execute(text(
                    "SELECT year, court, type_code, count(*) FROM cases GROUP BY year, court, type_code")):
                self.groups[(int(year), court)].add(code)
                self.size += int(n)
        self.years = sorted({y for y, _ in self.groups})
        self.courts_of_year: dict[int, list[str]] = defaultdict(list)
        for y, c in self.groups:
            self.courts_of_year[y].append(c)
        self.digits_of = {c: "".join(ch for ch in c if ch.isdigit()) for _y, c in self.groups}
        self.court_digits = sorted(set(self.digits_of.values()))
        self.build_seconds = time.perf_counter() - t0
        self._judges: dict[str, tuple[str, ...]] | None = None
        self._lookup = lru_cache(maxsize=2048)(self._lookup_uncached)
        self._head_groups = lru_cache(maxsize=1024)(self._head_groups_uncached)
        self._party = lru_cache(maxsize=256)(self._party_uncached)
        log.info("case directory: %d cases in %d groups (%.3f s)", self.size, len(self.groups), self.build_seconds)

    def __bool__(self) -> bool:
        return self.size > 0

    # -- heads ---------------------------------------------------------------------------------
    def head_groups(self, head: str, exact_head: bool = True) -> list[tuple[float, int, str]]:
        """(score, year, court) of the groups the head digits (year + court code, ASR-garbled) point at.

        ``exact_head=False``: the head is one of several splits of a digit run, so digits left over after the
        court code count against it."""
        return self._head_groups(head, exact_head)

    def _head_groups_uncached(self, head: str, exact_head: bool) -> list[tuple[float, int, str]]:
        if not head:
            return [(0.0, y, c) for (y, c) in self.groups]
        scored: list[tuple[float, int, str]] = []
        by_rest: dict[str, dict[str, float]] = {}
        years = [(y, *_year_score(head, str(y))) for y in self.years]
        if any(ys > 0 for _y, ys, _p in years):  # a year was heard: the others are not tried
            years = [t for t in years if t[1] > 0]
        elif not exact_head:
            return []  # digits without a type code and without a year (a phone number, a sum) are no case number
        for y, ys, pos in years:
            rest = head[pos + 4:] if ys > 0 else head
            courts = self.courts_of_year[y]
            if rest not in by_rest:
                by_rest[rest] = _court_scores(rest, self.court_digits)
            cs_of = by_rest[rest]
            for court in courts:
                cd = self.digits_of[court]
                score = 0.45 * ys + 0.55 * cs_of[cd]
                extra = len(rest) - len(cd) if ys > 0 else len(head) - 4 - len(cd)
                if extra > 0:  # digits the court code leaves unexplained
                    score *= max(0.0, 1 - (0.12 if exact_head else 0.2) * extra)
                if score >= 0.3:
                    scored.append((score, y, court))
        scored.sort(reverse=True)
        if not scored:
            return []
        floor = scored[0][0] - GROUP_SPREAD
        return [g for g in scored if g[0] >= floor][:MAX_GROUPS]

    # -- candidates ----------------------------------------------------------------------------
    def lookup(self, hyp: Hypothesis) -> tuple[tuple[Case, float, float], ...]:
        """Cases matching one hypothesis: (case, head score, serial score)."""
        return self._lookup(hyp)

    def _lookup_uncached(self, hyp: Hypothesis) -> tuple[tuple[Case, float, float], ...]:
        variants = serial_variants(hyp.serial, short=hyp.type_conf >= 0.8 and len(hyp.head) >= 6)
        if not variants:
            return ()
        groups = self.head_groups(hyp.head, exact_head=hyp.type_code is not None)
        if not hyp.head:
            if not any(v == 1.0 for v in variants.values()):
                return ()
            variants = {k: v for k, v in variants.items() if v == 1.0}  # no head: only the serial as heard
        if not groups:
            return ()
        head_of = {(y, c): s for s, y, c in groups}
        serial_list = ",".join(str(int(v)) for v in variants)  # integers we made: safe to inline
        cols = ",".join(_COLS)
        params: list[Any] = []
        parts = []
        if not hyp.head:  # no head: the serial as heard, in every group of the type heard
            where = f"serial IN ({serial_list})"
            if hyp.type_code:
                where += f" AND type_code IN ({','.join('?' * len(hyp.type_codes))})"
                params += list(hyp.type_codes)
            parts.append(f"SELECT {cols} FROM cases WHERE {where}")
        else:
            # serials as heard in every group the head points at; serials one edit away only in the closest groups
            sure = ",".join(str(int(v)) for v, sc in variants.items() if sc >= 0.7)
            near = ",".join(str(int(v)) for v, sc in variants.items() if sc < 0.7)
            best = groups[0][0]
            for i, (score, y, c) in enumerate(groups):
                if hyp.type_code and not self.groups[(y, c)].intersection(hyp.type_codes):
                    continue
                wanted = ",".join(x for x in (sure, near if i < NEAR_GROUPS and score >= best - 0.1 else "") if x)
                if not wanted:
                    continue
                types = ([t for t in hyp.type_codes if t in self.groups[(y, c)]] if hyp.type_code
                         else sorted(self.groups[(y, c)]))
                parts.append(f"SELECT {cols} FROM cases WHERE year = ? AND court = ? AND type_code IN "
                             f"({','.join('?' * len(types))}) AND serial IN ({wanted})")
                params += [y, c, *types]
        if not parts:
            return ()
        sql = " UNION ALL ".join(parts) + f" LIMIT {MAX_ROWS}"
        with self.engine.connect() as conn:
            if conn.dialect.paramstyle in ("format", "pyformat"):
                sql = sql.replace("?", "%s")
            rows = conn.exec_driver_sql(sql, tuple(params)).all()
        out = []
        for r in rows:
            c = Case(*r)
            out.append((c, round(head_of.get((c.year, c.court), 0.0), 3), variants.get(c.serial, 0.0)))
        return tuple(out)

    def party_in_group(self, head: str, codes: tuple[str, ...], name: str) -> tuple[tuple[Case, float], ...]:
        """Cases of the (year, court) group the head points at firmly (score ≥ ``FIRM_HEAD``), of a type heard,
        that name ``name`` (as written) among their parties: the serial was misheard but the caller said who they
        are. One indexed range scan of the group; with its head score."""
        return self._party(head, codes, name)

    def _party_uncached(self, head: str, codes: tuple[str, ...], name: str) -> tuple[tuple[Case, float], ...]:
        if len(name) < 2 or not head or not codes:
            return ()
        groups = [(s, y, c) for s, y, c in self.head_groups(head, True)[:2] if s >= FIRM_HEAD]
        out: list[tuple[Case, float]] = []
        with self.engine.connect() as conn:
            for score, y, c in groups:
                types = [t for t in codes if t in self.groups[(y, c)]]
                if not types:
                    continue
                sql = (f"SELECT {','.join(_COLS)} FROM cases WHERE year = ? AND court = ? AND type_code IN "
                       f"({','.join('?' * len(types))}) AND parties LIKE ? LIMIT 20")
                if conn.dialect.paramstyle in ("format", "pyformat"):
                    sql = sql.replace("?", "%s")
                like = "%" + name.replace("%", "").replace("_", "") + ":%"
                for r in conn.exec_driver_sql(sql, (y, c, *types, like)).all():
                    out.append((Case(*r), round(score, 3)))
        return tuple(out)

    def judges(self) -> dict[str, tuple[str, ...]]:
        """The judges of each court (read once, on first use)."""
        if self._judges is None:
            by_court: dict[str, set[str]] = defaultdict(set)
            with self.engine.connect() as conn:
                for court, judge in conn.execute(text(
                        "SELECT DISTINCT court, judge_name FROM cases WHERE judge_name <> ''")):
                    by_court[court].add(judge)
            self._judges = {c: tuple(sorted(j)) for c, j in by_court.items()}
        return self._judges

    def get(self, case_number: str) -> Case | None:
        with self.engine.connect() as conn:
            r = conn.execute(text(f"SELECT {','.join(_COLS)} FROM cases WHERE case_number = :k"),
                             {"k": case_number}).first()
        return Case(*r) if r else None

    def hotwords(self, limit: int = 40) -> dict[str, list[str]]:
        """The most frequent judges' names, departments and court codes (for ASR biasing)."""
        out: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for col in ("judge_name", "department", "court"):
                rows = conn.execute(text(f"SELECT {col}, count(*) AS n FROM cases WHERE {col} <> '' "
                                         f"GROUP BY {col} ORDER BY n DESC LIMIT :n"), {"n": limit}).all()
                out[col] = [r[0] for r in rows]
        return out


def _year_score(head: str, year: str) -> tuple[float, int]:
    """1.0 when the year is in the head as said, 0.6 when a 4-digit window is one edit from it, 0.4 when the head
    begins with four digits two edits from it that end in its last digit (Whisper writes 二零二四 as 12.04 and 二零二三
    as 122 3: the 二零 run together); with its position."""
    pos = head.find(year)
    if pos >= 0:
        return 1.0, pos
    best = (0.0, 0)
    for i in range(0, max(1, len(head) - 3)):
        if Levenshtein.distance(head[i:i + 4], year) <= 1:
            return 0.6, i
    if len(head) >= 6 and head[3] == year[3] and Levenshtein.distance(head[:4], year) <= 2:
        return 0.4, 0
    return best


def _court_scores(rest: str, codes: list[str]) -> dict[str, float]:
    """For every court code's digits: how well the digits after the year match it (1.0 when it is there as said,
    else the best normalised edit similarity of a window of about its length near the start)."""
    from rapidfuzz.process import cdist

    out: dict[str, float] = {}
    real = [c for c in codes if c]
    if "" in codes:
        out[""] = 1.0 if not rest else 0.3
    if not real:
        return out
    windows = sorted({rest[i:i + w] for w in (1, 2, 3, 4, 5) for i in range(0, max(1, min(len(rest) - w + 1, 4)))})
    windows = [w for w in windows if w] or [""]
    best = cdist(windows, real, scorer=Levenshtein.normalized_similarity).max(axis=0)
    for code, score in zip(real, best, strict=True):
        out[code] = 1.0 if code in rest[:len(code) + 2] else float(score)
    return out
