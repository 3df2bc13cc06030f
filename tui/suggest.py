"""Which suggested wording to show now: priority by kind, then recency, with freshness per kind.

The pipeline emits every suggestion once; the board keeps them and answers "the most useful now" for a
call time. A correction (``replacement``) or an A.3 script is urgent but goes stale after a while; the
greeting is useful until the agent first speaks; a referral and the per-type checklist stay as background;
the closing is derived here when the caller signals the end (没有了, 谢谢 …) and the agent has not closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from copilot.events import Suggestion

PRIORITY = {"replacement": 6, "script": 5, "closing": 4, "referral": 3, "greeting": 2, "checklist": 1}
FRESH_S = {"replacement": 15.0, "script": 20.0}
"""Seconds of call time a suggestion of this kind stays urgent; kinds not listed stay until replaced."""
END_CUES = ("没有了", "没有别的", "没别的", "没什么了", "就这些", "就这样吧", "那好吧", "好的谢谢", "好谢谢", "谢谢",
            "明白了", "知道了", "行了")
"""Caller phrases that signal the end of the call (should move to phrasebook checks.toml [closing])."""
CLOSED_CUES = ("还有什么可以为您服务", "感谢您的来电", "感谢来电", "再见")
CLOSING_TEXT = "请问还有什么可以为您服务的吗？感谢您的来电，再见！"


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

    def utterance(self, speaker: str, text: str, t: float) -> Suggestion | None:
        """Note a final utterance; returns a closing suggestion when the caller signals the end."""
        if speaker == "agent":
            self.agent_spoke = True
            if any(c in text for c in CLOSED_CUES):
                self.closed = True
            return None
        if self.closed or not any(c in text for c in END_CUES):
            return None
        s = Suggestion(t=t, kind="closing", text=self.closing_text, reason="来电人表示没有其他问题，请致结束语")
        self.add(s)
        return s

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
        return shown

    def current(self, now: float) -> Suggestion | None:
        r = self.ranked(now)
        return r[0].suggestion if r else None
