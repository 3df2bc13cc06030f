"""Which suggested wording to show now: priority by kind, then recency, with freshness per kind.

The pipeline emits every suggestion once; the board keeps them and answers "the most useful now" for a
call time. A correction (``replacement``) or an A.3 script is urgent but goes stale after a while; the
greeting is useful until the agent first speaks; a referral and the per-type checklist stay as background;
the closing (a ``suggestion`` event of the pipeline, ``copilot.analysis.closing``) stays until the agent has closed.
Suggestions that say the same words are shown once (the most useful of them).
"""

from __future__ import annotations

from dataclasses import dataclass

from copilot.analysis.closing import CLOSED_CUES, CLOSING_TEXT
from copilot.events import Suggestion

PRIORITY = {"replacement": 6, "script": 5, "closing": 4, "referral": 3, "greeting": 2, "checklist": 1}
FRESH_S = {"replacement": 15.0, "script": 20.0}
"""Seconds of call time a suggestion of this kind stays urgent; kinds not listed stay until replaced."""


@dataclass(frozen=True)
class Shown:
    """A suggestion on the board and why it ranks where it does."""

    suggestion: Suggestion
    fresh: bool


class SuggestionBoard:
    def __init__(self, closing_text: str = CLOSING_TEXT) -> None:
        self.items: list[Suggestion] = []
        self.closing_text = closing_text
        self.agent_spoke = False
        self.closed = False

    def add(self, s: Suggestion) -> None:
        self.items = [x for x in self.items if not (x.kind == s.kind and x.text == s.text)] + [s]

    def utterance(self, speaker: str, text: str, t: float) -> None:
        """Note a final utterance (the agent has spoken; the agent has closed the call)."""
        if speaker == "agent":
            self.agent_spoke = True
            if any(c in text for c in CLOSED_CUES):
                self.closed = True

    def _alive(self, s: Suggestion, now: float) -> bool:
        if s.kind == "greeting":  # at t=0 the opening; later a correction after greeting_missing
            return not self.agent_spoke or (s.t > 0 and now - s.t <= FRESH_S["replacement"])
        if s.kind == "closing":
            return not self.closed
        return True

    def ranked(self, now: float) -> list[Shown]:
        """Suggestions still useful at call time ``now``, most useful first."""
        shown = []
        for s in self.items:
            if not self._alive(s, now):
                continue
            limit = FRESH_S.get(s.kind)
            fresh = limit is None or now - s.t <= limit
            shown.append(Shown(s, fresh))
        shown.sort(key=lambda x: (x.fresh, PRIORITY.get(x.suggestion.kind, 0) if x.fresh else 0, x.suggestion.t),
                   reverse=True)
        seen: set[str] = set()
        unique = []
        for x in shown:  # the same words once, under their most useful kind
            if x.suggestion.text not in seen:
                seen.add(x.suggestion.text)
                unique.append(x)
        return unique

    def current(self, now: float) -> Suggestion | None:
        r = self.ranked(now)
        return r[0].suggestion if r else None
