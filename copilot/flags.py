"""The one flag type: what the checker raises, the scorer counts, the events carry, the store writes and the
screens show (docs/vocabulary.md).

A :class:`Flag` is one compliance finding about one call. Its code's Chinese name, severity and points come
from the flag registry (``phrasebook/data/flags.toml``), never from a table in code. ``to_dict()`` is the
docs/formats.md §2 ``flags[]`` object (the analysis JSON); ``to_dict(span=True)`` adds the character span, as the
``flag`` event of §4 carries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from phrasebook.model import FlagDef
from phrasebook.registry import flag_def

__all__ = ["Flag"]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass(frozen=True)
class Flag:
    """One flag (docs/formats.md §2 ``flags[]``, §3 codes). Positional order is the checker's."""

    code: str
    turn: int | None = None
    """0-based index into the call's turns; None for a call-level code."""
    start: float | None = None
    """Seconds since the answer, of the turn (or of the last agent turn for some call-level codes)."""
    text: str = ""
    """The turn's text as said."""
    phrase: str = ""
    """The words that raised it, as said."""
    suggestion: str = ""
    """What to say instead (or the script that was missing)."""
    confidence: float = 1.0
    span: tuple[int, int] | None = None
    """Character span of the match in ``text`` (the original, as-said text)."""
    speaker: str = "agent"
    rule: str = ""
    """Which rule fired: a banned group (``B03``), an A.4 row (``R04``), a rules.toml id, or the check's name."""
    matched_example: str = ""
    """The phrasebook example the words resembled."""
    similarity: float | None = None
    """How closely they resembled it (1.0: said exactly)."""
    explanation: str = ""
    """Why the flag was raised, in Chinese, for the agent and the inspector."""
    review: str | None = None
    """A stored flag's inspector verdict (``confirmed`` / ``dismissed``); None for a flag as raised. A dismissed
    flag costs no points (copilot.analysis.scorer)."""

    def __post_init__(self) -> None:
        # one value everywhere: the event, the result, the store and a flag read back from any of them agree
        object.__setattr__(self, "confidence", round(float(self.confidence), 3))
        object.__setattr__(self, "similarity", _round(self.similarity))

    # ------------------------------------------------------------------ the registry (flags.toml)
    @property
    def registered(self) -> FlagDef | None:
        """This code's flags.toml entry (None for an unregistered code)."""
        return flag_def(self.code)

    @property
    def name_zh(self) -> str:
        """The code's Chinese name (the code itself when unregistered)."""
        d = self.registered
        return d.name_zh if d is not None else self.code

    @property
    def severity(self) -> str:
        """``red`` or ``amber``; an unregistered code is shown red."""
        d = self.registered
        return d.severity if d is not None else "red"

    @property
    def points(self) -> int:
        """Points the rubric takes off for it (0 for an unregistered code)."""
        d = self.registered
        return d.points if d is not None else 0

    # ------------------------------------------------------------------ wire forms
    def to_dict(self, *, span: bool = False) -> dict[str, Any]:
        """The formats.md §2 flag object (``span=True``: with ``span``, the §4 ``flag`` event's fields).

        Key order and rounding are part of the contract: ``copilot analyze --json`` output is stable."""
        d: dict[str, Any] = {"code": self.code, "turn": self.turn, "speaker": self.speaker, "start": self.start,
                             "text": self.text, "phrase": self.phrase, "suggestion": self.suggestion,
                             "confidence": self.confidence}
        if span:
            d["span"] = None if self.span is None else list(self.span)
        d.update(rule=self.rule, matched_example=self.matched_example, similarity=self.similarity,
                 explanation=self.explanation)
        if self.review is not None:
            d["review"] = self.review
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Flag:
        """A flag from any of its dict forms: §2 result, §4 event (``type``/``t`` ignored), a stored row's dump
        (extra columns such as ``id``, ``origin`` ignored), a label line (``code`` and ``turn`` only)."""
        code = d.get("code")
        if not isinstance(code, str) or not code:
            raise ValueError(f"a flag needs a non-empty 'code', got {code!r}")
        span = d.get("span")
        sim = d.get("similarity")
        conf = d.get("confidence")
        return cls(code=code, turn=d.get("turn"), start=d.get("start"), text=d.get("text") or "",
                   phrase=d.get("phrase") or "", suggestion=d.get("suggestion") or "",
                   confidence=1.0 if conf is None else float(conf),
                   span=None if span is None else (int(span[0]), int(span[1])),
                   speaker=d.get("speaker") or "agent", rule=d.get("rule") or "",
                   matched_example=d.get("matched_example") or "", similarity=None if sim is None else float(sim),
                   explanation=d.get("explanation") or "", review=d.get("review"))
