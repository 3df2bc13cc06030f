"""The live transcript: agent and caller told apart, partial text dim until its final replaces it."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

SPEAKER_ZH = {"agent": "座席", "caller": "来电"}


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60:02d}:{s % 60:02d}"


class TranscriptView(VerticalScroll):
    """One line per final utterance; at most one provisional (partial) line per speaker, at the bottom."""

    DEFAULT_CSS = """
    TranscriptView > .line { height: auto; }
    TranscriptView > .partial { color: $text-muted; text-style: italic; }
    TranscriptView > .flagged { background: $error 15%; }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.partials: dict[str, Static] = {}
        self.turns: dict[int, Static] = {}
        self.texts: list[str] = []
        """Plain text of each final line (for tests and exports)."""

    @staticmethod
    def _line(speaker: str, start: float, text: str) -> Text:
        style = "bold dodger_blue1" if speaker == "agent" else "bold dark_orange"
        t = Text.assemble((f"{SPEAKER_ZH.get(speaker, speaker)} ", style), (f"{clock(start)} ", "dim"))
        t.append(text)
        return t

    def _follow(self) -> None:
        self.call_after_refresh(self.scroll_end, animate=False)

    def partial(self, speaker: str, start: float, text: str) -> None:
        line = self._line(speaker, start, text + " …")
        w = self.partials.get(speaker)
        if w is None:
            w = self.partials[speaker] = Static(line, classes="line partial")
            self.mount(w)
        else:
            w.update(line)
        self._follow()

    def final(self, turn: int | None, speaker: str, start: float, text: str) -> None:
        old = self.partials.pop(speaker, None)
        if old is not None:  # the provisional line is replaced by the final one
            old.remove()
        line = self._line(speaker, start, text)
        w = Static(line, classes="line")
        before = next(iter(self.partials.values()), None)
        if before is not None:
            self.mount(w, before=before)
        else:
            self.mount(w)
        if turn is not None:
            self.turns[turn] = w
        self.texts.append(line.plain)
        self._follow()

    def mark(self, turn: int | None) -> None:
        if turn is not None and turn in self.turns:
            self.turns[turn].add_class("flagged")
