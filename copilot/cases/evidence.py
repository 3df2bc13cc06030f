"""Case-number evidence in what was said: digit spans, type codes heard as homophones, judges' and callers' names.

Every turn is read (the caller's statement, the agent's read-back, a self-correction). A *span* is a run of
digits (Arabic, or Chinese numerals the normaliser left) with separators and at most three other characters
between them, ended by 号 or by a longer gap. Inside a span, a type code said as a homophone (名出/明充 → 民初)
splits the digits into the head (year and court code) and the serial; a character inside the serial that is
no digit becomes a wildcard. A span without a type code is tried at every split (``12230503`` → head + serial).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from copilot.analysis.extractor import CORRECTION_LINK
from copilot.text.case_codes import readings, resolve_type_code
from copilot.text.numbers import _ZERO_LIKE
from copilot.text.numerals import DIGIT_VALUE

MAX_GAP = 3
"""Characters between two digit groups that still belong to one span (年浙, 名出, 民初)."""
MAX_SERIAL = 6
_NOT_CASE = "月日点时分秒元块岁万千百"
"""Characters between digit groups that make a span a date, a time, a sum or an age (unless a type code is heard)."""
_END = "号"
_DIGIT_WORDS = {d: readings(c) for c, d in (("零", "0"), ("一", "1"), ("二", "2"), ("三", "3"), ("四", "4"),
                                              ("五", "5"), ("六", "6"), ("七", "7"), ("八", "8"), ("九", "9"))}


@lru_cache(maxsize=4096)
def digit_of(ch: str) -> str | None:
    """The digit a character is (Arabic or a Chinese numeral) or unambiguously sounds like, else None."""
    if ch.isascii() and ch.isdigit():
        return ch
    if ch in DIGIT_VALUE:
        return DIGIT_VALUE[ch]
    if not ("\u4e00" <= ch <= "\u9fff"):
        return None
    r = readings(ch)
    hits = [d for d, rs in _DIGIT_WORDS.items() if r & rs]
    return hits[0] if len(hits) == 1 else None


_END_HEARD = "后衡"
"""How Whisper writes 号 said right after the serial besides its homophones (浩, 耗, 好 — those share its
reading): 「3306衡」, 「2764后」. Only right after a digit (「以后」, 「民初后面」 are words)."""


@lru_cache(maxsize=1024)
def _ends_span(ch: str) -> bool:
    return ch == _END or bool(readings(ch) & readings(_END))


def _heard_end(text: str, j: int, parts: list[tuple[str, str]], gap: str) -> bool:
    """Whether ``text[j]`` is 号 heard as another word (``_END_HEARD``) ending the serial just read: right after
    a digit, or after one character that sounds like a digit right after one (「一五期后」: 七 heard as 期)."""
    if text[j] not in _END_HEARD or not parts or parts[-1][0] != "d" or text[j + 1:j + 2] in ("面", "来", "天"):
        return False
    if not gap:
        return text[j - 1:j].isdigit()
    return len(gap) == 1 and digit_of(gap) is not None and text[j - 2:j - 1].isdigit()


@dataclass(frozen=True)
class Hypothesis:
    """One reading of a span: head digits (year + court), serial pattern (digits and ``?``), type code heard."""

    head: str
    serial: str
    type_code: str | None
    type_conf: float
    type_alts: tuple[str, ...] = ()
    """Other type codes that sound the same as what was heard (行出: 行初 and 刑初 alike); looked up too."""
    type_digit: bool = False
    """The type code was heard as a digit (执 as 一: 「0683 1633号」 for 浙0683执633号): a guess the call's words about
    the case's kind must back (``TYPE_WORDS``)."""
    type_words: bool = False
    """No type code was heard at all: a head said alone and a one-digit serial said apart (「2025年浙1024」 … 「3号」);
    only a case whose kind the call's words name (``TYPE_WORDS``: 破产 for 破) is read this way."""

    @property
    def type_codes(self) -> tuple[str, ...]:
        return (self.type_code, *self.type_alts) if self.type_code else ()


@dataclass(frozen=True)
class Fragment:
    """Part of a case number said apart from the rest: a *head* (year + court code, perhaps the type code) with no
    serial after it, or a *tail* (the serial, perhaps after a type code) with no year before it. A caller reads
    half, pauses and reads the rest; the agent's read-back or question completes it; a caller corrects the serial
    alone (「1548号，不对，是1584号」)."""

    turn: int
    speaker: str
    pos: int
    """Where it starts in its turn's text."""
    text: str
    head: str
    serial: str
    type_code: str | None
    type_conf: float


@dataclass(frozen=True)
class Span:
    turn: int
    speaker: str
    text: str
    hypotheses: tuple[Hypothesis, ...]


_FILLERS = ("字", "第")
"""Said between the type code and the serial (执字第806号); the ASR writes them as near sounds (刺, 地)."""


@lru_cache(maxsize=2048)
def _is_filler(ch: str) -> bool:
    from copilot.cases.phonetic import char_similarity

    return any(char_similarity(ch, f) >= 0.95 for f in _FILLERS)  # 刺 (0.84) may be a garbled 四


@lru_cache(maxsize=2048)
def type_alternatives(heard: str, code: str) -> tuple[str, ...]:
    """The type codes other than ``code`` that ``heard`` sounds exactly like (行出 → 刑初 besides 行初): a
    homophone does not tell which of them was said, so each is looked up."""
    from copilot.text.case_codes import TYPE_CODES, _sounds_like

    if len(heard) < 1:
        return ()
    same = tuple(c for c in TYPE_CODES if c != code and _sounds_like(heard, c))[:3]
    return same or _near_alternatives(heard, code)


NEAR_CODE = 0.6
"""A code's syllable heard this similar (pinyin, ``phonetic.char_similarity``) still stands for it in a near sound."""


def _near_alternatives(heard: str, code: str) -> tuple[str, ...]:
    """A type code heard as a *near* sound (one syllable neither the same nor a homophone: 明周) is taken for the most
    frequent code it fits (民初); the other codes of that length and first syllable whose odd syllable sounds at
    least as like what was heard (周 zhou: 终 zhong 0.76 ≥ 初 chu 0.6) are as likely, and are looked up too."""
    from copilot.cases.phonetic import char_similarity
    from copilot.text.case_codes import TYPE_CODES, readings, resolve_type_code

    m = resolve_type_code(heard)
    if m is None or m.confidence > 0.6 or m.code != code or len(code) != len(heard):
        return ()

    def fit(c: str) -> float | None:
        if len(c) != len(heard) or not readings(heard[0]) & readings(c[0]):
            return None
        odd = [(x, y) for x, y in zip(heard, c, strict=True) if not (x == y or readings(x) & readings(y))]
        return char_similarity(*odd[0]) if len(odd) == 1 else None

    own = fit(code)
    if own is None or own < NEAR_CODE:
        return ()
    alts = [(f, c) for c in TYPE_CODES if c != code and (f := fit(c)) is not None and f >= own]
    return tuple(c for _f, c in sorted(alts, key=lambda e: -e[0]))[:3]


def _gap_limit(parts: list[tuple[str, str]], gap: str) -> int:
    """How many characters may stand between two digit groups: ``MAX_GAP``, one more after a year (「2023年就领复11」:
    年, the province and a 零 heard as words), two more when the gap holds a type code (「0份民中午167号」)."""
    limit = MAX_GAP
    if gap.startswith("年") and len(parts) == 1:
        limit += 1
    if len(gap) > MAX_GAP and _type_in(gap) is not None:
        limit = max(limit, MAX_GAP + 2)
    return limit


SERIAL_WORDS = 3
"""Characters that sound like digits after a sure type code, with no digit written, that are read as the serial."""


def _serial_as_words(parts: list[tuple[str, str]], gap: str) -> int | None:
    """How many characters after a sure type code of two characters or more in ``gap`` sound like digits, when the
    gap follows a head of six digits or more (a year and a court code) and at most one character after the code
    sounds like no digit: Whisper writes a serial said as numerals as words (「民初案就期益」 for 民初二九七一);
    else None. The serial's digits are read by ``_hypotheses`` as for any gap (a character sounding like no digit
    is a wildcard)."""
    if sum(len(p) for k, p in parts if k == "d") < 6:
        return None
    found = _type_in(gap)
    if found is None or found[1] < 0.8 or found[3] - found[2] < 2:
        return None
    rest = gap[found[3]:]
    if len(rest) > MAX_SERIAL:
        return None
    heard = sum(digit_of(c) is not None for c in rest)
    return heard if len(rest) - heard <= 1 else None


def _type_in(gap: str) -> tuple[str, float, int, int] | None:
    """The type code said somewhere in a gap: (code, confidence, start, end), preferring sure and long ones.

    A near sound ending in a filler (执字 is 执 + 字, not 执保) is not taken for a longer code."""
    best = None
    for n in (3, 2, 1):
        for i in range(0, len(gap) - n + 1):
            m = resolve_type_code(gap[i:i + n])
            if m is None or (n == 1 and m.confidence < 0.8):
                continue
            if n >= 2 and m.confidence <= 0.6 and _is_filler(gap[i + n - 1]):
                continue
            key = (m.confidence, n)
            if best is None or key > best[0]:
                best = (key, (m.code, m.confidence, i, i + n))
    return best[1] if best else None


def spans_in(text: str, turn: int = 0, speaker: str = "caller") -> list[Span]:
    """Case-number spans in one normalised turn text."""
    return _scan(text, turn, speaker)[0]


_NUMERAL_WORDS = frozenset(("一下", "一个", "一些", "一点", "一样", "一般", "一直", "一起", "一定", "一次", "一审", "一庭",
                            "一共", "一遍", "一会", "一天", "二审", "二庭", "两个", "两天", "三庭"))
"""Words whose numeral is no digit of a case number (查一下, 民一庭, 二审)."""
_BRACKET = ("括", "号")
"""括号 said by a caller reading a written number aloud (「括号二零二五括号浙……」); ASR writes 过好, 阔号 …"""


@lru_cache(maxsize=4096)
def _sounds(ch: str, like: str, at: float) -> bool:
    from copilot.cases.phonetic import char_similarity

    return "\u4e00" <= ch <= "\u9fff" and char_similarity(ch, like) >= at


def _brackets_out(text: str) -> str:
    """The text with a spoken 括号 next to digits blanked (a bracket, not 号 ending the number)."""
    chars = list(text)
    for k in range(len(text) - 1):
        if _sounds(text[k], _BRACKET[0], 0.8) and _sounds(text[k + 1], _BRACKET[1], 0.95):
            near = text[max(0, k - 3):k] + text[k + 2:k + 5]
            if any(c.isdigit() for c in near):
                chars[k] = chars[k + 1] = " "
    return "".join(chars)


_REPEATED_GROUP = re.compile(r"(?<!\d)(\d{3,})(?:[ .\-·,，、]+\1)+(?!\d)")
"""A group of digits said again right after itself, only a pause between (「2002-2002-958号」, 「这2005 2005 2005」):
Whisper repeats a group it is unsure of, or the speaker restarts it; the number has it once."""


_RUN = re.compile(r"\d[\d .\-·,，、]*")


def _cleaned(text: str) -> str:
    """The text as the span scanner reads it: a spoken 括号 blanked, a repeated digit group kept once when more
    digits follow or precede it in the run (not a number that is only the group twice, 「8888-8888」). Phone
    numbers are read elsewhere; here a collapsed one is still no case number (no year in it)."""
    text = _brackets_out(text)
    if not _REPEATED_GROUP.search(text):
        return text

    def once(run: re.Match[str]) -> str:
        if _REPEATED_GROUP.fullmatch(run.group(0).rstrip(" .-·,，、")):
            return run.group(0)
        return _REPEATED_GROUP.sub(r"\1", run.group(0))

    return _RUN.sub(once, text)


def _scan(text: str, turn: int, speaker: str) -> tuple[list[Span], list[Fragment]]:
    text = _cleaned(text)
    out: list[Span] = []
    frags: list[Fragment] = []
    i, n = 0, len(text)
    while i < n:
        if not (text[i].isascii() and text[i].isdigit()):
            i += 1
            continue
        parts: list[tuple[str, str]] = []  # ("d", digits) | ("g", gap text)
        before = text[max(0, i - MAX_GAP):i]
        if before and _type_in(before) is not None:  # 民初1288号: the code said before the first digit
            parts.append(("g", before))
        j, gap, start, ended = i, "", i, False
        groups: list[int] = []  # how many digits were read when a separator or a gap began a new digit group
        numerals: dict[int, str] = {}  # digit groups (index in parts) that begin with a numeral written as a word
        count = 0
        while j < n:
            ch = text[j]
            d = ch if (ch.isascii() and ch.isdigit()) else (DIGIT_VALUE.get(ch))
            if d is not None and not ch.isascii() and text[j:j + 2] in _NUMERAL_WORDS:
                d = None  # 等一下, 民一庭: a word, not a digit
            if d is None and ch in _ZERO_LIKE and text[j + 1:j + 2].isdigit():
                d = "0"  # 零 heard as 里/林 before digits (这里503 for 浙0503)
            if d is not None:
                if gap or (count and not text[j - 1:j].isdigit() and text[j - 1:j] not in DIGIT_VALUE):
                    groups.append(count)
                count += 1
                if gap:
                    parts.append(("g", gap))
                    gap = ""
                if parts and parts[-1][0] == "d":
                    parts[-1] = ("d", parts[-1][1] + d)
                else:
                    parts.append(("d", d))
                    if not ch.isascii():
                        numerals[len(parts) - 1] = ch
            elif ch in " .-·,，、":
                pass
            elif (_ends_span(ch) or _heard_end(text, j, parts, gap)) and parts:
                if gap:  # characters heard between the last digits and 号: serial digits not understood
                    parts.append(("g", gap))
                    gap = ""
                j += 1
                ended = True
                break
            elif "\u4e00" <= ch <= "\u9fff" and (len(gap) < _gap_limit(parts, gap + ch)
                                                  or (text[j - 1] == gap[-1:]
                                                      and _serial_as_words(parts, gap + ch) is not None)):
                gap += ch
            else:
                break
            j += 1
        span_text = text[start:j]
        i = max(j, i + 1)
        worded: list[Hypothesis] = []
        if gap and not ended and (_serial_as_words(parts, gap) or 0) >= SERIAL_WORDS:
            # 「民初案就期益」: the serial said after the code, every digit heard as a word; where it ends is not
            # written (a word after it may sound like a digit too), so each end is read and the candidates decide
            code_end = (_type_in(gap) or (None, 0, 0, 0))[3]
            full = list(parts)
            _full_year(full)
            for end in range(len(gap), code_end, -1):
                if (_serial_as_words(parts, gap[:end]) or 0) >= SERIAL_WORDS:
                    worded.extend(h for h in _hypotheses([*full, ("g", gap[:end])]) if h not in worded)
        _full_year(parts)
        # a type code said last with no serial after it (「2024年浙0381民初」, the rest to come): a head, never split
        said_last = gap and not ended and j >= n - 1 and (_type_in(gap) or (None, 0, 0, -1))[3] == len(gap)
        hyps = worded or ([] if said_last else _hypotheses(parts, tuple(groups), numerals))
        if hyps:
            out.append(Span(turn, speaker, span_text, tuple(hyps)))
        if gap and not ended:  # a type code said last, the serial still to come (「2023年浙0482民初」 | 「4409号」)
            parts.append(("g", gap))
        frag = _fragment(parts, ended, at_end=j >= n - 1)
        if frag is not None:
            frags.append(Fragment(turn, speaker, start, span_text, *frag))
    return out, frags


def _full_year(parts: list[tuple[str, str]]) -> None:
    """A year said with two digits (「24年」, 「二四年」) before the rest of the number is the 20xx year: the first
    digit group of two digits, 年 right after it and more digits to come (a date 「24年3月」 stays a date)."""
    k = 1 if parts and parts[0][0] == "g" else 0
    if (len(parts) > k + 2 and parts[k][0] == "d" and re.fullmatch(r"[12]\d", parts[k][1])
            and parts[k + 1][0] == "g" and parts[k + 1][1].startswith("年")):
        parts[k] = ("d", "20" + parts[k][1])


_YEAR = re.compile(r"(?:19|20)\d\d|1?2\d?[0-3]\d")
"""A year as heard (2024, or Whisper's 12.04 / 122 3 for 二零二四 / 二零二三)."""


def _fragment(parts: list[tuple[str, str]], ended: bool, at_end: bool) -> tuple[str, str, str | None, float] | None:
    """(head, serial, type code, confidence) of a span that is only half a case number, else None.

    A head: six to ten digits beginning with a year, then perhaps a type code, and no serial digits after (the
    span stops at the end of the turn or at a pause, not at 号). A tail: a serial of two to six digits (or a type
    code and a serial), ended by 号, with no year before it; no date, time or sum."""
    if any(k == "g" and any(ch in _NOT_CASE for ch in g) for k, g in parts):
        return None
    code, conf, k_code = None, 0.0, None
    for k in range(len(parts) - 1, -1, -1):
        if parts[k][0] == "g":
            found = _type_in(parts[k][1])
            if found is not None:
                code, conf, k_code = found[0], found[1], k
                break
    before = parts[:k_code] if k_code is not None else parts
    after = parts[k_code + 1:] if k_code is not None else []
    head = "".join(p for kk, p in before if kk == "d")
    serial_digits = "".join(p for kk, p in after if kk == "d")
    if not serial_digits and not ended and 6 <= len(head) <= 10 and _YEAR.match(head):
        if code is not None or at_end:
            return head, "", code, conf
        return None
    if k_code is None:  # no type code: the serial alone, ended by 号 (one digit: see ``spans_in_turns``)
        if ended and 1 <= len(head) <= 6 and not head.startswith("0") and not re.fullmatch(r"(?:19|20)\d\d", head):
            return "", head, None, 0.0
        return None
    if not head and ended and 1 <= len(serial_digits) <= 6 and not serial_digits.startswith("0"):
        gaps = "".join(p for kk, p in after if kk == "g")
        if len(gaps) <= 1:
            return "", serial_digits, code, conf
    return None


_CORRECTION = re.compile(r"不对|不是|错了|说错|更正|纠正|不不")
_CORRECTION_BEFORE = re.compile(r"(?:" + _CORRECTION.pattern + r")" + CORRECTION_LINK + r"$")
"""A correction word right before a tail, with only a pause, a particle or 是 between them: 「不对，开庭是15号」 is a
date after a correction that gave no number (the number said stays)."""
FRAGMENT_TURNS = 4
"""A tail completes a head said at most this many turns before (either speaker: the agent may ask for the rest)."""
_BARE_CORRECTION = re.compile(r"(?:" + _CORRECTION.pattern + r")" + CORRECTION_LINK
                              + r"(\d{2,6})(?![\d.年月日号点时分秒元块岁万千百个天周位次楼室米斤])")
"""A correction word, then digits alone with no 号 after them and no date, time or sum word (「不对，是5316」, said
in the same turn or the next one): the serial said again."""


TURN_PAUSE = "，"
"""What stands between two turns of one speaker read together: a pause."""


def spans_in_turns(turns: list[tuple[int, str, str]],
                   superseded: set[tuple[int, str]] | None = None) -> dict[int, list[Span]]:
    """Spans of each turn (index, speaker, text), plus those that run on from the speaker's previous turn: the
    ASR often ends an utterance inside a case number (「案号是2024年,这05.」 | 「02,直一七三五号」), and those made
    of a head said in an earlier turn (or earlier in the same turn) and a tail said later (``Fragment``).

    A span of the previous turn that is only the first part of a number running on into this turn (「…2025年这093」 |
    「民初1520号」: its own split of the digits, 093 as a serial, is no reading of what was said) is left out of that
    turn's spans; ``superseded`` collects it as (turn, span text) for a caller that keeps earlier turns' spans."""
    out: dict[int, list[Span]] = {}
    prev: tuple[int, str, str] | None = None
    heads: list[tuple[int, Fragment | Hypothesis]] = []  # (turn, head) in the order said
    for index, speaker, text in turns:
        text = _cleaned(text)
        found, frags = _scan(text, index, speaker)
        if prev is not None and prev[1] == speaker:
            # the turn boundary is a pause: it begins a new digit group (「…2024年浙0522，」 | 「12716号」: 执 heard as 1
            # begins the group after the pause, as it would after a comma), it never runs two groups together
            joined = prev[2] + TURN_PAUSE + text
            cut = len(prev[2])
            for sp in spans_in(joined, index, speaker):
                start = joined.find(sp.text)
                after = sp.text[cut + len(TURN_PAUSE) - start:] if start < cut else ""
                if any(ch.isdigit() or ch in DIGIT_VALUE for ch in after):  # crosses the boundary: neither turn holds it
                    found.append(sp)
                    if any(h.type_code for h in sp.hypotheses):  # the number's code and serial came after the cut
                        part = [p for p in out.get(prev[0], []) if p.turn == prev[0]
                                and start <= prev[2].find(p.text) and not any(h.type_code for h in p.hypotheses)]
                        for p in part:
                            out[prev[0]].remove(p)
                            if superseded is not None:
                                superseded.add((prev[0], p.text))
        events: list[tuple[int, int, object]] = [(f.pos, 0, f) for f in frags]
        events += [(text.find(sp.text), 1, sp) for sp in found if sp.turn == index and sp.text in text]
        said: list[Hypothesis] = []  # heads of whole numbers said earlier in this turn (for a correction only)
        corrections: list[Span] = []  # numbers a correction in this turn gave (a later correction withdraws them)
        for _pos, _kind, item in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(item, Span):
                said += [h for h in item.hypotheses if h.type_code and len(h.head) >= 6]
                continue
            f = item
            if f.head:
                heads.append((index, f))
                continue
            correction = bool(_CORRECTION_BEFORE.search(text[max(0, f.pos - 12):f.pos]))
            # a tail completes the last head still waiting for its serial (then it is used up: a later 「15号」 or
            # 「88号」 is a date or an address), or — after 不对/不是 — corrects the number said before it in the turn
            pending = [(t0, h) for t0, h in heads if index - t0 <= FRAGMENT_TURNS]
            bare = len(f.serial) == 1 and f.type_code is None
            if bare:  # 「3号」 alone is any date's 号: only after a head with no code, said by the same speaker
                pending = [(t0, h) for t0, h in pending if h.type_code is None and h.speaker == speaker]
                correction = False
            h: Fragment | Hypothesis | None = pending[-1][1] if pending else None
            if correction and said:
                h = said[-1]
            elif h is not None and not bare:  # a bare 「3号」 may be a date: the head still waits for its serial
                heads.remove(pending[-1])
            if h is None:
                continue
            code = f.type_code or h.type_code
            conf = f.type_conf if f.type_code else h.type_conf
            alts = type_alternatives(_heard_code(f.text) or code, code) if code else ()
            hyp = Hypothesis(h.head, f.serial, code, conf, alts, type_words=bare)
            if correction and said:  # 「…1548号，不对，是1584号」: the number said before it in this turn is withdrawn,
                # and so is the one an earlier correction gave (「不对，是3309号，不不不，还是3306号」: the last holds)
                found = [sp for sp in found if not (0 <= text.find(sp.text) < f.pos) and sp not in corrections]
            span = Span(index, speaker, f"{getattr(h, 'text', h.head)}…{f.text}", (hyp,))
            found.append(span)
            if correction and said:
                corrections.append(span)
        if not corrections:  # a correction without 号: the new serial of the last whole number said (≤ FRAGMENT_TURNS)
            for m in _BARE_CORRECTION.finditer(text):
                last = _last_whole(out, found, text, index, m.start())
                if last is None:
                    continue
                h, digits = last, m.group(1)
                if (digits == h.serial or digits.startswith("0") or abs(len(digits) - len(h.serial)) > 1
                        or re.fullmatch(r"(?:19|20)\d\d", digits)):  # 「不是，是2023」 corrects the year, if anything
                    continue
                fixed = Hypothesis(h.head, digits, h.type_code, h.type_conf, h.type_alts)
                wrong = (h.head, h.serial)
                found = [sp for sp in found if not any((x.head, x.serial) == wrong for x in sp.hypotheses)]
                for t0 in [t0 for t0 in out if index - t0 <= FRAGMENT_TURNS]:  # withdrawn where said before
                    for sp in [sp for sp in out[t0] if any((x.head, x.serial) == wrong for x in sp.hypotheses)]:
                        out[t0].remove(sp)
                        if superseded is not None:
                            superseded.add((t0, sp.text))
                found.append(Span(index, speaker, f"{h.head}…{digits}", (fixed,)))
        out[index] = found
        prev = (index, speaker, text)
    return out


def _last_whole(out: dict[int, list[Span]], found: list[Span], text: str, index: int, pos: int) -> Hypothesis | None:
    """The last whole number (head, type code and serial) said before ``pos`` in this turn, else in the turns before
    it (at most ``FRAGMENT_TURNS``): its surest reading."""
    def whole(sp: Span) -> Hypothesis | None:
        hs = [h for h in sp.hypotheses if h.type_code and len(h.head) >= 6 and h.serial and "?" not in h.serial]
        return max(hs, key=lambda h: h.type_conf) if hs else None

    here = [(text.find(sp.text), sp) for sp in found if sp.turn == index and 0 <= text.find(sp.text) < pos]
    for _p, sp in sorted(here, key=lambda e: e[0], reverse=True):
        if (h := whole(sp)) is not None:
            return h
    for t0 in sorted((t for t in out if 0 < index - t <= FRAGMENT_TURNS), reverse=True):
        for sp in reversed(out[t0]):
            if (h := whole(sp)) is not None:
                return h
    return None


def _heard_code(text: str) -> str | None:
    """The characters of a span that were taken for its type code (for its homophones)."""
    found = _type_in("".join(ch for ch in text if not ch.isdigit()))
    return None if found is None else "".join(ch for ch in text if not ch.isdigit())[found[2]:found[3]]


def _hypotheses(parts: list[tuple[str, str]], groups: tuple[int, ...] = (),
                numerals: dict[int, str] | None = None) -> list[Hypothesis]:
    out = _hypotheses_read(parts, groups)
    return out + [h for h in _code_ends_in_numeral(parts, numerals or {}) if h not in out]


def _code_ends_in_numeral(parts: list[tuple[str, str]], numerals: dict[int, str]) -> list[Hypothesis]:
    """Readings where a type code's last syllable was written as a numeral (执异 zhí yì heard as 「直一63号」, 刑医 as
    「形一」): the character before a digit group that begins with a numeral written as a word, with that numeral,
    sounds like a code of two characters or more (a homophone, ≥ 0.8); the rest of the group is the serial. The
    reading of the numeral as the serial's first digit stays (the candidates decide)."""
    out = []
    for k, ch in numerals.items():
        if k < 2 or parts[k - 1][0] != "g":
            continue
        gap = parts[k - 1][1]
        for n in (2, 1):
            heard = gap[-n:] + ch
            if len(gap) < n:
                continue
            m = resolve_type_code(heard)
            if m is None or len(m.code) < 2 or m.confidence < 0.8:
                continue
            head = "".join(p for kk, p in parts[:k - 1] if kk == "d")
            serial = parts[k][1][1:] + "".join(p if kk == "d" else "".join(digit_of(c) or "?" for c in p)
                                               for kk, p in parts[k + 1:])
            if len(head) >= 6 and serial and serial[0] not in "0?" and len(serial) <= MAX_SERIAL \
                    and serial.count("?") <= 1:
                out.append(Hypothesis(head, serial, m.code, m.confidence, type_alternatives(heard, m.code)))
            break
    return out


def _hypotheses_read(parts: list[tuple[str, str]], groups: tuple[int, ...] = ()) -> list[Hypothesis]:
    digits = "".join(p for k, p in parts if k == "d")
    # the last gap holding a type code splits head and serial
    found_hyps: list[Hypothesis] = []
    for k in range(len(parts) - 1, -1, -1):
        kind, s = parts[k]
        if kind != "g":
            continue
        found = _type_in(s)
        if found is None:
            continue
        code, conf, a, b = found
        alts = type_alternatives(s[a:b], code)
        head = "".join(p for kk, p in parts[:k] if kk == "d")
        rest = s[b:]
        while rest and _is_filler(rest[0]):  # 执字第806号: 字/第 are no serial digits
            rest = rest[1:]
        # characters after the code in the same gap: serial digits not understood, or heard as a word (午 for 五)
        serial = "".join(digit_of(c) or "?" for c in rest)
        for kind2, s2 in parts[k + 1:]:
            if kind2 == "d":
                serial += s2
            else:
                serial += "".join(digit_of(c) or "?" for c in s2)
        real = sum(c.isdigit() for c in serial)
        # a one-digit serial (破2号) only after a sure type code and a year-and-court head
        least = 1 if (conf >= 0.8 and len(head) >= 6 and "?" not in serial) else 2
        heads = [head]
        before = s[:a]
        # characters right after the head's digits, before the code, that sound like digits (108亿民出: 亿 for 一)
        # may end the court code: that head is read too, and the candidates' evidence decides
        if 0 < len(before) <= 2 and k > 0 and parts[k - 1][0] == "d" and all(digit_of(c) for c in before):
            heads.append(head + "".join(digit_of(c) or "" for c in before))
        here = [Hypothesis(h, serial, code, conf, alts) for h in heads]
        if real >= least and len(serial) <= MAX_SERIAL and serial.count("?") <= 2 and not serial.startswith("0"):
            if found_hyps:  # an earlier, surer code than the one-character guess after it (民初4次71: 次 for 四)
                if len(code) >= 2 and conf >= found_hyps[0].type_conf:
                    found_hyps.extend(here)
                break
            found_hyps.extend(here)
            if b - a > 1 or conf >= 0.9:
                break
            # one character taken for a code (次: 执) may be a serial digit heard as a word: a code said in an
            # earlier gap is read too, and the candidates' evidence decides between the readings
            continue
        if found_hyps or k != len(parts) - 1:
            break
        # the gap after the last digits (serial digits not understood, 「15子案号」) sounded like a code (子: 执) but
        # leaves no serial: the code said before the serial is looked for in the earlier gaps
    if found_hyps:
        return found_hyps
    if len(digits) < 5 or len(digits) > 18:
        return []
    if any(k == "g" and any(ch in _NOT_CASE for ch in g) for k, g in parts):
        return []  # a date, a time, a sum or an age read out, not a case number
    if re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}|12368|86\d{11}", digits):
        return []  # a phone number, not a case number
    out = []
    for k in range(2, MAX_SERIAL):
        head, serial = digits[:-k], digits[-k:]
        if len(head) < 6 or serial.startswith("0"):  # a year and at least a 2-digit court code
            continue
        out.append(Hypothesis(head, serial, None, 0.0))
    # a digit group that begins with a digit sounding like a one-character type code (执 heard as 一): the code said
    # between the court code and the serial, heard as a digit and run into the serial
    for g in groups:
        head, serial = digits[:g], digits[g + 1:]
        if 6 <= len(head) <= 10 and 1 <= len(serial) <= MAX_SERIAL and not serial.startswith("0"):
            for code in _codes_like_digit(digits[g]):
                out.append(Hypothesis(head, serial, code, 0.0, type_digit=True))
    return out


DIGIT_CODES = ("执", "破")
"""One-character type codes, which the ASR may write as a digit that sounds like them."""


@lru_cache(maxsize=16)
def _codes_like_digit(d: str) -> tuple[str, ...]:
    """The one-character type codes whose final a digit's reading shares (一 yi, 七 qi: 执 zhi)."""
    from copilot.cases.phonetic import syllable

    numeral = "零一二三四五六七八九"[int(d)]
    sd = syllable(numeral)
    return tuple(c for c in DIGIT_CODES if sd and (sc := syllable(c)) and sc[1] == sd[1])


TYPE_WORDS = {"执": ("执行",), "执保": ("保全",), "执恢": ("恢复执行",), "执异": ("执行异议",), "破": ("破产",),
              "刑初": ("刑事",), "刑终": ("刑事",), "行初": ("行政",), "行终": ("行政",)}
"""Words a caller uses for the kind of case a type code stands for (「我有个执行的案子」): they back a type code the
ASR wrote as a digit."""


def type_said(code: str, text: str) -> bool:
    """The call's words name the kind of case ``code`` stands for (``TYPE_WORDS``)."""
    return any(w in text for w in TYPE_WORDS.get(code, ()))


# -- names -----------------------------------------------------------------------------------------

_JUDGE = re.compile(r"([\u4e00-\u9fff]{1,3}?)(?:法官|庭长|审判长|审判员)")
_CALLER_NAME = re.compile(r"(?:我叫|我是|姓名是|名字是)([\u4e00-\u9fff]{1,3})")
_SURNAME_SAID = re.compile(r"(?:我姓|免贵姓)([\u4e00-\u9fff])")
_ADDRESS = re.compile(r"([\u4e00-\u9fff])(?:先生|女士|律师|阿姨|老师)")


def judge_words(text: str) -> str:
    """The text with 法官 heard as a homophone (法关, 发官, 法管) written 法官, so 「楼法关主审」 names a judge."""
    if "法官" in text or len(text) < 2:
        return text
    chars = list(text)
    for k in range(len(text) - 1):
        if _sounds(text[k], "法", 0.95) and _sounds(text[k + 1], "官", 0.95):
            chars[k], chars[k + 1] = "法", "官"
    return "".join(chars)


_JUDGE_AFTER = re.compile(r"(?:法官|审判长|审判员)(?:叫|是|姓)?([\u4e00-\u9fff]{1,3})")


@lru_cache(maxsize=2048)
def _is_word(text: str) -> bool:
    """Whether ``text`` starts with a word that is no name (法官马上…, 法官常常…: jieba's first word of two
    characters or more tagged other than a personal name)."""
    import jieba.posseg

    first = next(iter(jieba.posseg.cut(text)), None)
    return first is not None and len(first.word) >= 2 and not first.flag.startswith("nr")


def judge_mentions(texts: list[str]) -> list[str]:
    """Characters heard right before 法官 and the like (the surname, or a full name said before it), and a name
    said right after it (「承办法官刘某某」, 「法官叫刘某某」: its first character a surname).

    Words that name a role, not a judge (承办法官, 主审法官 …: the extractor's ``NOT_JUDGE_PREFIX``), are left
    out also when the ASR wrote them as homophones (成半法官)."""
    from copilot.analysis.extractor import NAME_STOP, NOT_JUDGE_PREFIX, SURNAMES

    out = []
    for t in texts:
        t = judge_words(t)
        for m in _JUDGE.finditer(t):
            h = m.group(1)
            if not any(h.endswith(p) or (len(p) >= 2 and _sounds_as(h[-len(p):], p)) for p in NOT_JUDGE_PREFIX):
                out.append(h)
        for m in _JUDGE_AFTER.finditer(t):
            name = m.group(1)
            name = name[:next((i for i, ch in enumerate(name) if ch in NAME_STOP), len(name))]
            if len(name) >= 2 and name[0] in SURNAMES and not (_is_word(name) or _is_word(name[:2])):
                # the name's length is not known: the surname, and the name of two and of three characters
                out += [name[:1], *(name[:n] for n in range(2, len(name) + 1))]
    return out


def _sounds_as(heard: str, word: str) -> bool:
    from copilot.cases.phonetic import name_similarity

    return name_similarity(heard, word, surname_first=False) >= 0.9


def caller_names(caller_texts: list[str], agent_texts: list[str]) -> list[str]:
    """Names the caller gave, and surnames the agent addressed the caller by."""
    from copilot.analysis.extractor import NAME_STOP

    out = []
    for t in caller_texts:
        for m in _CALLER_NAME.finditer(t):
            name = m.group(1)
            cut = next((i for i, ch in enumerate(name) if ch in NAME_STOP), len(name))
            if name[:cut]:
                out.append(name[:cut])
        out += [m.group(1) for m in _SURNAME_SAID.finditer(t)]
    out += [m.group(1) for t in agent_texts for m in _ADDRESS.finditer(t)]
    return out


@lru_cache(maxsize=8192)
def name_reading(ch: str) -> str:
    """A character's usual reading (fuzzy, toneless): names are compared by it, not by every rare reading
    (彭 can be read bang, which would make it sound like 办)."""
    from pypinyin.pinyin_dict import pinyin_dict

    from copilot.text.case_codes import _fuzz, _toneless

    raw = pinyin_dict.get(ord(ch)) if len(ch) == 1 else None
    return _fuzz(_toneless(raw.split(",")[0])) if raw else ch


def sounds_alike(a: str, b: str) -> bool:
    """Same length and every character the same or sounding the same (usual fuzzy readings)."""
    return len(a) == len(b) and all(x == y or name_reading(x) == name_reading(y) for x, y in zip(a, b, strict=True))


class SpokenText:
    """A call's text with each character's readings, for homophone search."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sound = [name_reading(c) for c in text]
        self.at: dict[str, list[int]] = {}
        for i, r in enumerate(self.sound):
            self.at.setdefault(r, []).append(i)

    def _heard(self, want: list[str]) -> bool:
        n = len(want)
        return any(self.sound[i:i + n] == want for i in self.at.get(want[0], ()))

    def near_in(self, name: str, at: float) -> list[str]:
        """The windows of the text that sound like ``name`` with pinyin similarity ``at`` or better
        (``phonetic.name_similarity``), among those where at least half the characters sound the same as the
        name's. For long names (an organisation's) heard with a few characters garbled."""
        from collections import Counter

        from copilot.cases.phonetic import name_similarity

        n = len(name)
        want = [name_reading(c) for c in name]
        starts: Counter[int] = Counter()
        for j, r in enumerate(want):
            for p in self.at.get(r, ()):
                if p - j >= 0 and p - j + n <= len(self.text):
                    starts[p - j] += 1
        return [self.text[i:i + n] for i, k in sorted(starts.items())
                if 2 * k >= n and name_similarity(self.text[i:i + n], name, surname_first=False) >= at]

    def name_in(self, name: str) -> float:
        """1.0 when ``name`` is in the text, 0.7 when a homophone of it is, 0.3 when only the given name (two
        characters or more; common ones such as 美芳 are shared by many) is heard, else 0."""
        if not name:
            return 0.0
        if name in self.text:
            return 1.0
        if len(name) < 2:
            return 0.0
        want = [name_reading(c) for c in name]
        if self._heard(want):
            return 0.7
        if len(name) >= 3 and self._heard(want[1:]):
            return 0.3
        return 0.0


# -- the court named by its place ------------------------------------------------------------------

COURTS_CSV = "courts_zhejiang.csv"
"""The courts' codes with the place each court is named after (the court code is the administrative division
code's last digits: 浙0206 is 北仑区, 浙04 嘉兴市): callers name the court by its place (「北仑法院」, 「嘉兴中院」)."""
COURT_NEAR = 0.75
"""A place heard before 法院/中院 this similar (pinyin, ``phonetic.name_similarity``) to a court's place names it."""


@lru_cache(maxsize=1)
def court_places() -> tuple[tuple[str, str], ...]:
    """(court code, place) of every court in ``data/courts_zhejiang.csv``."""
    import csv
    from importlib.resources import files

    with files("copilot.cases").joinpath(f"data/{COURTS_CSV}").open(encoding="utf-8") as f:
        return tuple((r["court"], r["place"]) for r in csv.DictReader(f) if r["court"] and r["place"])


SAME_SOUND = 0.95
"""A place heard as the same sound names its court even when the characters heard make a word."""


@lru_cache(maxsize=2048)
def _common_word(chars: str) -> bool:
    """Whether two characters heard before 法院 are a word of the language (jieba's dictionary: 中级, 上级, 基层,
    普通 …): a word said there is what it means, not a place heard as a near sound."""
    import jieba

    jieba.initialize()
    return bool(jieba.get_FREQ(chars))


_ADMIN = "区市县"
"""What may stand between a place and 法院 (北仑区法院, 温岭市人民法院)."""


def court_mentions(texts: list[str]) -> dict[str, float]:
    """Courts the call names by their place, heard as the same or a near sound, with how well (``phonetic.evidence``
    of the pinyin similarity, 1.0 for the same sound): the two characters before 法院 (a basic court's or a city's
    place; a city's is its intermediate court) or before 中院/中级 (a city's place only), 人民 and 区/市/县 between
    them allowed. 「北轮法院」 names 浙0206 (北仑) as the same sound, 「普通法院」 普陀 as a near one."""
    from copilot.cases.phonetic import evidence

    out: dict[str, float] = {}
    for t in texts:
        for k in range(2, len(t) - 1):
            a, b = t[k], t[k + 1]
            basic = _sounds(a, "法", 0.95) and _sounds(b, "院", 0.9)
            middle = a == "中" and (_sounds(b, "院", 0.9) or b == "级")
            if not (basic or middle):
                continue
            end = k
            if t[max(0, end - 2):end] == "人民":
                end -= 2
            if end > 2 and t[end - 1] in _ADMIN:
                end -= 1
            ends = {end} | ({e for e in range(k - _BETWEEN_LONGEST, k) if _between(t[e:k])} if basic else set())
            # where the place ends is read every way the words between allow; the reading whose place fits best
            # holds (「常兴是言民法院」: 常兴 + 是言民, not 兴是 + 言民)
            readings: list[tuple[float, dict[str, float]]] = []
            for e in sorted(ends):
                heard = t[max(0, e - 2):e]
                if len(heard) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in heard):
                    continue
                found = dict(_places_heard(heard, middle))
                if found:
                    readings.append((max(found.values()), found))
            if readings:
                for court, sim in max(readings, key=lambda r: r[0])[1].items():
                    out[court] = max(out.get(court, 0.0), evidence(sim, 0.6))
    return out


@lru_cache(maxsize=4096)
def _places_heard(heard: str, middle: bool) -> tuple[tuple[str, float], ...]:
    """(court, similarity) of every court whose place two characters ``heard`` before 法院 (``middle``: before 中院, a
    city's place only) name as the same or a near sound; once per pair heard (the greeting repeats the court's name)."""
    from copilot.cases.phonetic import name_similarity, word_similarity

    found: dict[str, float] = {}
    for court, place in court_places():
        if middle and len(court) != 3:
            continue  # 中院: a city's intermediate court
        sim = max(word_similarity(heard, place), name_similarity(heard, place, surname_first=False))
        if sim >= COURT_NEAR and (sim >= SAME_SOUND or not _common_word(heard)):
            found[court] = max(found.get(court, 0.0), sim)
    return tuple(found.items())


_BETWEEN = ("市人民", "县人民", "区人民", "人民", "市", "县", "区")
"""What stands between a place and 法院 in a court's name; the ASR writes it as other words (言民 for 人民, 是 for 市,
卸 for 县): 「乐清市人民法院」 heard as 「月清是言民法院」."""
_BETWEEN_LONGEST = max(len(w) for w in _BETWEEN)
BETWEEN_NEAR = 0.5
"""Mean pinyin similarity at which characters before 法院 stand for a form of ``_BETWEEN``."""


@lru_cache(maxsize=4096)
def _between(heard: str) -> bool:
    """Whether the characters between a place and 法院 sound like a form of 市人民/人民/县 … (mean pinyin similarity ≥
    ``BETWEEN_NEAR``; the exact forms are taken as they are)."""
    from copilot.cases.phonetic import name_similarity

    return any(name_similarity(heard, w, surname_first=False) >= BETWEEN_NEAR for w in _BETWEEN if len(w) == len(heard))
