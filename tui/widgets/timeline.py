"""A one-line call timeline with a marker per flag (red / amber), the current flag and the play position."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.widgets.panels import severity
from tui.widgets.transcript import clock


class Timeline(Static):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.duration = 0.0
        """Seconds of the call shown."""
        self.position = 0.0
        """Seconds: how far the replay has got."""
        self.marks: list[tuple[float, str]] = []
        """(seconds, flag code) of each flag, in flag order."""
        self.current: int | None = None

    def set(self, *, duration: float, position: float, marks: list[tuple[float, str]], current: int | None) -> None:
        self.duration, self.position, self.marks, self.current = duration, position, marks, current
        self.refresh()

    def render(self) -> Text:
        width = max(10, self.content_size.width or 60)
        total = max(self.duration, 1.0)
        cells = ["─"] * width
        styles = ["dim"] * width
        play = min(width - 1, int(self.position / total * (width - 1)))
        for i in range(play + 1):
            styles[i] = "green"
        for i, (at, code) in enumerate(self.marks):
            x = min(width - 1, int(at / total * (width - 1)))
            cur = i == self.current
            cells[x] = "◆" if cur else "▼"
            color = "red" if severity(code) == "red" else "dark_orange"
            styles[x] = f"bold reverse {color}" if cur else f"bold {color}"
        line = Text()
        for c, s in zip(cells, styles, strict=True):
            line.append(c, s)
        axis = f"{clock(0)}{' ' * max(1, width - 10)}{clock(total)}"
        return Text.assemble(line, "\n", (axis[:width], "dim"))
