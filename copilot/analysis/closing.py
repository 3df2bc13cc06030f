"""The closing suggestion (结束语): when the caller signals the end (没有了, 谢谢 …) and the agent has not yet
closed, suggest the standard closing — once per call, as a formats.md §4 ``suggestion`` event (``closing``),
so every subscriber of the event stream gets it, not only the TUI.

The cue lists are data (the caller's end signals; the agent's closing phrases, plus the phrasebook's
closings when given)."""

from __future__ import annotations

from collections.abc import Iterable

from copilot.events import Suggestion

END_CUES = ("没有了", "没有别的", "没别的", "没什么了", "就这些", "就这样吧", "那好吧", "好的谢谢", "好谢谢", "谢谢",
            "明白了", "知道了", "行了")
"""Caller phrases that signal the end of the call."""
CLOSED_CUES = ("还有什么可以为您服务", "感谢您的来电", "感谢来电", "再见")
"""Agent phrases that close the call (the phrasebook's closings are added)."""
CLOSING_TEXT = "请问还有什么可以为您服务的吗？感谢您的来电，再见！"
REASON = "来电人表示没有其他问题，请致结束语"


class ClosingWatcher:
    def __init__(self, closings: Iterable[str] = (), text: str = CLOSING_TEXT) -> None:
        self.closed_cues = tuple(dict.fromkeys([*CLOSED_CUES, *(c for c in closings if c)]))
        self.text = text
        self.closed = False
        self.suggested = False

    def utterance(self, speaker: str, text: str, t: float) -> Suggestion | None:
        """Note a final utterance; returns the closing suggestion when it is due (at most once)."""
        if speaker == "agent":
            if any(c in text for c in self.closed_cues):
                self.closed = True
            return None
        if self.closed or self.suggested or not any(c in text for c in END_CUES):
            return None
        self.suggested = True
        return Suggestion(t=t, kind="closing", text=self.text, reason=REASON)
