"""The agent's script lines as a recogniser mishears them: a near-sound rendering of a line of the phrasebook's
agent phrase inventory is written as that line.

On a telephone line Whisper base writes an agent's set lines with near sounds — 「为南行法院新疆」 for
「喂，南浔法院，请讲」 (喂/为 homophones; 浔/行 and 请讲/新疆 differ in sounds the 8 kHz band thins). The agent's
lines are a closed, known set, so a stretch of an agent's final that sounds almost exactly like one of them, and
clearly more like it than like any other, is taken as that line. The inventory (:func:`inventory`) is built from
the phrasebook alone: the standard greeting and its accepted forms, the openings agents say instead of it
(greeting.toml ``said_instead``, ``{court}`` standing for each of the court's short names in the domain words),
the A.3 scripts and their steps, and the closings; and for each line its **non-standard variants** by table A.4
(「你」 for 「您」 …), so that what an agent said in a non-standard way stays non-standard: a stretch that is a line of
the inventory as written is never changed, and one as close to a non-standard variant as to the standard line is
ambiguous and left alone (the compliance checks must see what was said).

Only substitutions are made, character for character (no character is added or dropped, so a missing greeting
stays missing), and only when every changed character sounds near its replacement (:func:`syllable_cost`), the
stretch is a whole run of clauses (between punctuation or spaces), and:

* the line has at least ``MIN_CHARS`` characters,
* at least ``MIN_SAME`` of its syllables are heard exactly,
* the total cost is at most ``MAX_COST`` per character,
* the next-nearest different line costs at least ``MARGIN`` more.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .model import Phrasebook
from .pinyin import syllable

MIN_CHARS = 5
"""Shorter lines (再见, 请讲) are too easily heard in other speech."""
MIN_SAME = 0.6
"""Share of a line's syllables that must be heard as they are."""
MAX_COST = 0.2
"""Largest mean cost per character (:func:`syllable_cost`: 0 same sound, 1 unrelated)."""
MARGIN = 0.25
"""The best line must be this much nearer than any other line (a quarter of an unrelated syllable)."""
COURT = "{court}"

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c",
             "s", "y", "w")
_NEAR_INITIALS = (frozenset("z zh".split()), frozenset("c ch".split()), frozenset("s sh".split()),
                  frozenset("n l".split()), frozenset("j q x".split()), frozenset("f h".split()),
                  frozenset(("y", "")), frozenset(("w", "")))


def _split(syl: str) -> tuple[str, str]:
    for ini in _INITIALS:
        if syl.startswith(ini) and len(syl) > len(ini):
            return ini, syl[len(ini):]
    return "", syl


@lru_cache(maxsize=65536)
def syllable_cost(a: str, b: str) -> float:
    """How far apart two characters sound, 0 (the same character) … 1 (unrelated): a homophone 0.1; otherwise the
    initial costs 0 (same), 0.25 (a telephone confusion: z/zh, c/ch, s/sh, n/l, j/q/x, f/h, y/w/none) or 0.5, and
    the final 0 (same), 0.2 (only -n/-ng differs) or 0.5. Characters other than Chinese only match themselves."""
    if a == b:
        return 0.0
    sa, sb = syllable(a), syllable(b)
    if not (_is_cjk(a) and _is_cjk(b)):
        return 1.0
    if sa == sb:
        return 0.1
    ia, fa = _split(sa)
    ib, fb = _split(sb)
    ci = 0.0 if ia == ib else 0.25 if any(ia in g and ib in g for g in _NEAR_INITIALS) else 0.5
    cf = 0.0 if fa == fb else 0.2 if fa.rstrip("g") == fb.rstrip("g") else 0.5
    return ci + cf


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _plain(text: str) -> str:
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c)[0] in "PZS"))


@dataclass(frozen=True)
class Line:
    """One line of the inventory: its plain text (no punctuation), whether it is a standard wording, and where
    it comes from (for explanations and tests)."""

    plain: str
    standard: bool
    source: str

    @property
    def syllables(self) -> tuple[str, ...]:
        return _syls(self.plain)


@lru_cache(maxsize=4096)
def _syls(text: str) -> tuple[str, ...]:
    return tuple(syllable(c) for c in text)


def _variants(line: str, pb: Phrasebook) -> set[str]:
    """``line`` with each subset of its A.4 ``use`` wordings said the non-standard way (「你」 for 「您」 …)."""
    swaps: list[tuple[str, str]] = []
    for r in pb.replacements:
        for use in (u.strip() for u in r.use.split("/")):
            if use and use in line:
                swaps += [(use, bad) for bad in r.instead_of if bad and bad != use]
    out: set[str] = set()
    spots = [(i, use, bad) for use, bad in swaps for i in range(len(line)) if line.startswith(use, i)]
    for k in range(1, min(len(spots), 3) + 1):
        for combo in itertools.combinations(spots, k):
            starts = [i for i, _, _ in combo]
            if len(set(starts)) < k:
                continue
            text, shift = line, 0
            for i, use, bad in sorted(combo):
                text = text[: i + shift] + bad + text[i + shift + len(use):]
                shift += len(bad) - len(use)
            out.add(text)
    return out


def court_names(pb: Phrasebook) -> list[str]:
    """The court's short names agents say (domain words of at most 5 characters ending in 法院 / 中院)."""
    return [w for w in pb.domain_words if w.endswith(("法院", "中院")) and len(w) <= 5]


@lru_cache(maxsize=8)
def _inventory(pb: Phrasebook) -> tuple[Line, ...]:
    lines: dict[str, Line] = {}

    def add(text: str, standard: bool, source: str) -> None:
        plain = _plain(text)
        if len(plain) < MIN_CHARS:
            return
        if plain not in lines or standard and not lines[plain].standard:
            lines[plain] = Line(plain, standard, source)

    standard = [(pb.greeting.standard, "greeting")] + [(a, "greeting") for a in pb.greeting.accepted]
    standard += [(c.text, f"closing:{c.kind}") for c in pb.closings]
    for s in pb.scripts:
        standard += [(t, f"script:{s.id}") for t in (s.text, *s.steps) if t]
    courts = court_names(pb)
    said = [(t.replace(COURT, c), "said_instead") for t in pb.greeting.said_instead
            for c in (courts if COURT in t else [""])]
    for text, source in standard:
        add(text, True, source)
    for text, source in standard + said:
        add(text, False, source)
        for v in _variants(_plain(text), pb):
            add(v, False, source + ":A.4")
    return tuple(lines.values())


def inventory(pb: Phrasebook) -> tuple[Line, ...]:
    """Every line of the agent phrase inventory (see the module's docstring)."""
    return _inventory(pb)


@lru_cache(maxsize=8)
def _by_length(pb: Phrasebook) -> dict[int, tuple[Line, ...]]:
    out: dict[int, list[Line]] = {}
    for line in _inventory(pb):
        out.setdefault(len(line.plain), []).append(line)
    return {n: tuple(v) for n, v in out.items()}


@dataclass(frozen=True)
class Fix:
    """One stretch of a text written as a line: ``text[start:end]`` (plain characters ``heard``) → ``line``."""

    start: int
    end: int
    heard: str
    line: Line
    cost: float
    runner_up: float


def _cost(heard: str, line: str) -> float | None:
    total = 0.0
    for a, b in zip(heard, line, strict=True):
        c = syllable_cost(a, b)
        if c > 0.5:
            return None
        total += c
    return total


def best_line(heard: str, pb: Phrasebook) -> tuple[Line, float, float] | None:
    """The inventory line ``heard`` (plain text) is taken as, with its cost and the next-nearest line's cost; None
    when ``heard`` is a line as written, or no line is near and unambiguous enough (module docstring)."""
    n = len(heard)
    candidates = _by_length(pb).get(n, ())
    if not candidates:
        return None
    hs = _syls(heard)
    scored = []
    for line in candidates:
        if line.plain == heard:
            return None
        same = sum(1 for a, b in zip(hs, line.syllables, strict=True) if a == b)
        if same < (1 - MIN_SAME) * n:  # far from this line (and too far to be a near runner-up: cost > 0.08 n)
            continue
        c = _cost(heard, line.plain)
        if c is not None:
            scored.append((c, same, line))
    if not scored:
        return None
    scored.sort(key=lambda x: x[0])
    cost, same, line = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else float("inf")
    if cost > MAX_COST * n or same < MIN_SAME * n or runner_up - cost < MARGIN:
        return None
    return line, cost, runner_up


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of characters between punctuation or spaces."""
    out, start = [], None
    for i, ch in enumerate(text + " "):
        brk = ch.isspace() or unicodedata.category(ch)[0] in "PZS"
        if not brk and start is None:
            start = i
        elif brk and start is not None:
            out.append((start, i))
            start = None
    return out


SLIDE_MIN_CHARS = 8
"""Lines at least this long are also looked for inside a clause (live text often has no punctuation:
「…应该在办公室请问还有什么可以为您服务的吗」); shorter ones only as whole runs of clauses."""


@lru_cache(maxsize=8)
def _bigrams(pb: Phrasebook) -> dict[tuple[str, str], tuple[tuple[int, int], ...]]:
    """Sound pair → (line length, offset) of the long lines (``SLIDE_MIN_CHARS``) holding it."""
    out: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for line in _inventory(pb):
        n = len(line.plain)
        if n >= SLIDE_MIN_CHARS:
            for k in range(n - 1):
                out.setdefault(line.syllables[k:k + 2], set()).add((n, k))
    return {b: tuple(sorted(v)) for b, v in out.items()}


def find_fixes(text: str, pb: Phrasebook, max_clauses: int = 12) -> list[Fix]:
    """Stretches of ``text`` heard as an inventory line, not overlapping: whole runs of clauses (longest first),
    then stretches inside the rest of at least ``SLIDE_MIN_CHARS`` characters."""
    spans = _clauses(text)[:max_clauses * 2]
    found: list[Fix] = []
    runs = [(a, b) for a in range(len(spans)) for b in range(a, min(len(spans), a + max_clauses))]
    lengths = _by_length(pb)
    for i, j in sorted(runs, key=lambda ij: -(spans[ij[1]][1] - spans[ij[0]][0])):
        start, end = spans[i][0], spans[j][1]
        if any(f.start < end and start < f.end for f in found):
            continue
        heard = _plain(text[start:end])
        if len(heard) not in lengths:
            continue
        got = best_line(heard, pb)
        if got is not None:
            found.append(Fix(start, end, heard, *got))
    pos = [i for i, c in enumerate(text) if not (c.isspace() or unicodedata.category(c)[0] in "PZS")]
    plain = "".join(text[i] for i in pos)
    syls, index = _syls(plain), _bigrams(pb)
    votes: dict[tuple[int, int], int] = {}
    for p in range(len(syls) - 1):  # windows where a long line shares at least two sound pairs in place
        for n, off in index.get(syls[p:p + 2], ()):
            if 0 <= p - off <= len(plain) - n:
                votes[(n, p - off)] = votes.get((n, p - off), 0) + 1
    for (n, p), v in sorted(votes.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        start, end = pos[p], pos[p + n - 1] + 1
        if v < 2 or any(f.start < end and start < f.end for f in found):
            continue
        got = best_line(plain[p:p + n], pb)
        if got is not None:
            found.append(Fix(start, end, plain[p:p + n], *got))
    return sorted(found, key=lambda f: f.start)


CORRECTION_PASSES = 3
"""Correction passes at most: a pass writes each line it recognises; a line heard wrong in two places may match only
in part at first (「为南行法院、信项、」 → 「喂南浔法院、信项、」) and whole on the next pass (→ 「喂南浔法院、请讲、」)."""


def correct(text: str, pb: Phrasebook) -> str:
    """``text`` (an agent's final from ASR) with each stretch heard as an inventory line written as that line
    (character for character; the text's own punctuation and spaces kept), corrected until nothing changes
    (``CORRECTION_PASSES`` at most)."""
    for _ in range(CORRECTION_PASSES):
        fixed = _correct_once(text, pb)
        if fixed == text:
            break
        text = fixed
    return text


def _correct_once(text: str, pb: Phrasebook) -> str:
    fixes = find_fixes(text, pb)
    if not fixes:
        return text
    chars = list(text)
    for f in fixes:
        k = 0
        for pos in range(f.start, f.end):
            ch = chars[pos]
            if ch.isspace() or unicodedata.category(ch)[0] in "PZS":
                continue
            chars[pos] = f.line.plain[k]
            k += 1
    return "".join(chars)
