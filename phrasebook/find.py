"""Find every phrasebook phrase in one normalised text: ``find_all(pb, text)``.

One combined :class:`~phrasebook.matcher.Matcher` per phrasebook (built on first use, then
reused) holds the banned phrases, the A.4 forms, the greeting, closings, script key phrases,
service-type cues and referral cues, so the text's pinyin is computed once per call.

Rules applied on top of the raw hits:

* ``not_when`` (banned.toml, replacements.toml): a hit lying inside a courteous look-alike does not count;
* ``context = "turn_start"`` (replacements.toml): the form counts only at the start of the text;
* a banned or A.4 hit lying inside a longer banned or A.4 hit is dropped, so 「我建议你」 is
  reported once, not also as 「你」.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, replace

from .matcher import Hit, Matcher
from .model import Phrasebook

TABLES = ("banned", "replacement", "greeting", "closing", "script", "cue", "referral")
_SEP = "\x1f"
_WORDING = ("banned", "replacement")


@dataclass(frozen=True)
class _Meta:
    table: str
    suggestion: str
    not_when: tuple[str, ...] = ()
    context: str = ""


class PhraseIndex:
    """Everything of one phrasebook that ``find_all`` looks for, compiled once."""

    def __init__(self, pb: Phrasebook) -> None:
        self.meta: dict[str, _Meta] = {}
        pairs: list[tuple[str, str]] = []

        def add(table: str, pid: str, phrases: tuple[str, ...] | list[str], meta: _Meta) -> None:
            key = table + _SEP + pid
            self.meta[key] = meta
            pairs.extend((key, p) for p in phrases)

        for b in pb.banned:
            add("banned", b.id, b.phrases, _Meta("banned", b.replacement, b.not_when))
        for r in pb.replacements:
            add("replacement", r.id, r.instead_of, _Meta("replacement", r.use, r.not_when, r.context))
        add("greeting", "greeting", pb.greeting.accepted, _Meta("greeting", pb.greeting.standard))
        for c in pb.closings:
            add("closing", c.kind, [c.text], _Meta("closing", c.text))
        for s in pb.scripts:
            add("script", s.id, s.key_phrases, _Meta("script", s.text or s.action))
        self.regex_cues: list[tuple[re.Pattern[str], str, str]] = []
        for st in pb.service_types:
            add("cue", st.code, [c.text for c in st.cues if c.text], _Meta("cue", st.name_zh))
            self.regex_cues.extend((re.compile(c.regex), st.code, c.regex) for c in st.cues if c.regex)
        for ref in pb.referrals:
            label = f"{ref.unit} {ref.number}".strip()
            add("referral", ref.unit, ref.cues, _Meta("referral", label))
        self.matcher = Matcher.from_phrases(pairs, pb.matcher_config)

    def find(self, text: str, *, fuzzy: bool = True) -> list[tuple[str, Hit, str]]:
        """``(table, hit, replacement or suggestion)`` for every hit, ordered by position."""
        raw = self.matcher.find(text, fuzzy=fuzzy)
        for pattern, code, source in self.regex_cues:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    raw.append(
                        Hit(_SEP.join(("cue", code)), source, m.start(), m.end(), m.group(), 1.0, "exact")
                    )
        kept: list[tuple[str, Hit, str]] = []
        for hit in raw:
            meta = self.meta[hit.phrase_id]
            if meta.context == "turn_start" and hit.start != 0:
                continue
            if meta.not_when and _inside_any(text, hit, meta.not_when):
                continue
            pid = hit.phrase_id.split(_SEP, 1)[1]
            kept.append((meta.table, replace(hit, phrase_id=pid), meta.suggestion))
        wording = [(t, h) for t, h, _ in kept if t in _WORDING]
        out = [
            k for k in kept if k[0] not in _WORDING or not any(_strictly_inside(k[1], h) for _, h in wording)
        ]
        out.sort(key=lambda k: (k[1].start, k[1].end, TABLES.index(k[0]), k[1].phrase_id))
        return out


def _inside_any(text: str, hit: Hit, looks: tuple[str, ...]) -> bool:
    for look in looks:
        start = text.find(look)
        while start != -1:
            if start <= hit.start and hit.end <= start + len(look):
                return True
            start = text.find(look, start + 1)
    return False


def _strictly_inside(inner: Hit, outer: Hit) -> bool:
    if inner is outer:
        return False
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start) > (inner.end - inner.start)
    )


_indexes: dict[int, tuple[weakref.ref[Phrasebook], PhraseIndex]] = {}
_lock = threading.Lock()


def phrase_index(pb: Phrasebook) -> PhraseIndex:
    """The compiled index of ``pb`` (built once per phrasebook object)."""
    with _lock:
        found = _indexes.get(id(pb))
        if found and found[0]() is pb:
            return found[1]
    index = PhraseIndex(pb)
    key = id(pb)

    def _forget(_ref: weakref.ref[Phrasebook]) -> None:
        _indexes.pop(key, None)

    with _lock:
        _indexes[key] = (weakref.ref(pb, _forget), index)
    return index


def find_all(pb: Phrasebook, text: str, *, fuzzy: bool = True) -> list[tuple[str, Hit, str]]:
    """Every phrasebook phrase in normalised ``text``: ``(table, hit, replacement or suggestion)``.

    ``table`` is one of banned, replacement, greeting, closing, script, cue, referral. The third
    item is the courteous replacement (banned), the A.4 wording to use (replacement), the standard
    greeting, the closing, the script text, the service type's Chinese name (cue; ``hit.phrase_id``
    is the service-type code and ``pb.cue_weight(code, hit.phrase)`` its weight), or the referral
    unit and number.
    """
    return phrase_index(pb).find(text, fuzzy=fuzzy)
