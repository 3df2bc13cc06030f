"""The live transcript: agent and caller told apart, partial text dim until its final replaces it.

One widget draws every line through Textual's line API (like ``Log``): appending a final line wraps
that one line once and never mounts a widget, so the cost of an event does not grow with the length
of the call (the first version mounted a ``Static`` per line and the layout pass grew with it)."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.wrap import wrap_text

SPEAKER_ZH = {"agent": "座席", "caller": "来电"}


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60:02d}:{s % 60:02d}"


class TranscriptView(ScrollView, can_focus=True):
    """Final lines in order; at most one provisional (partial) line per speaker, at the bottom.

    Follows the end of the call unless the user has scrolled up to read."""

    COMPONENT_CLASSES = {"transcript--partial", "transcript--flagged"}
    DEFAULT_CSS = """
    TranscriptView { overflow-x: hidden; scrollbar-gutter: stable; }
    TranscriptView > .transcript--partial { color: $text-muted; text-style: italic; }
    TranscriptView > .transcript--flagged { background: $error 25%; }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.lines: list[Text] = []
        """Every final line, in order."""
        self.flagged: set[int] = set()
        """Indexes into ``lines`` of utterances that raised a flag."""
        self.partials: dict[str, Text] = {}
        """The provisional line of each speaker who is still talking."""
        self.turns: dict[int, int] = {}
        """Pipeline turn number → index into ``lines``."""
        self._strips: list[Strip] = []
        self._owner: list[int] = []
        """For each strip of a final line, the index of its line (to tint flagged lines)."""
        self._width = 0
        self._partials_cache: list[Strip] = []

    @property
    def texts(self) -> list[str]:
        """Plain text of each final line (for tests and exports)."""
        return [t.plain for t in self.lines]

    @staticmethod
    def _line(speaker: str, start: float, text: str) -> Text:
        style = "bold dodger_blue1" if speaker == "agent" else "bold dark_orange"
        t = Text.assemble((f"{SPEAKER_ZH.get(speaker, speaker)} ", style), (f"{clock(start)} ", "dim"))
        t.append(text)
        return t

    # ------------------------------------------------------------------ events from the screen
    def partial(self, speaker: str, start: float, text: str) -> None:
        self.partials[speaker] = self._line(speaker, start, text + " …")
        self._changed()

    def final(self, turn: int | None, speaker: str, start: float, text: str) -> None:
        self.partials.pop(speaker, None)  # the provisional line is replaced by the final one
        self.lines.append(self._line(speaker, start, text))
        if turn is not None:
            self.turns[turn] = len(self.lines) - 1
        if self._width:
            self._wrap_into(len(self.lines) - 1)
        self._changed()

    def mark(self, turn: int | None) -> None:
        if turn is not None and turn in self.turns:
            self.flagged.add(self.turns[turn])
            self.refresh()

    # ------------------------------------------------------------------ drawing
    def _wrap(self, text: Text) -> list[Strip]:
        lines = wrap_text(text, self._width)  # Chinese breaks between characters, not at spaces
        return [Strip(line.render(self.app.console), line.cell_len) for line in lines] or [Strip.blank(0)]

    def _wrap_into(self, index: int) -> None:
        strips = self._wrap(self.lines[index])
        self._strips += strips
        self._owner += [index] * len(strips)

    def _partial_strips(self) -> list[Strip]:
        if not self._width:
            return []
        style = self.get_component_rich_style("transcript--partial", partial=True)
        out: list[Strip] = []
        for text in self.partials.values():
            out += [s.apply_style(style) for s in self._wrap(text)]
        return out

    def _changed(self) -> None:
        follow = self.max_scroll_y == 0 or self.scroll_y >= self.max_scroll_y - 1  # reading the end
        self._partials_cache = self._partial_strips()
        size = Size(self._width, len(self._strips) + len(self._partials_cache))
        if size != self.virtual_size:  # a new size means a layout pass of the screen; a repaint is cheaper
            self.virtual_size = size
        self.refresh()
        if follow:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._width:
            self._width = width
            self._strips, self._owner = [], []
            for i in range(len(self.lines)):
                self._wrap_into(i)
            self._changed()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index < len(self._strips):
            strip = self._strips[index].extend_cell_length(width)
            if self._owner[index] in self.flagged:
                strip = strip.apply_style(self.get_component_rich_style("transcript--flagged", partial=True))
        else:
            rest = index - len(self._strips)
            strip = self._partials_cache[rest] if rest < len(self._partials_cache) else Strip.blank(width)
        return strip.extend_cell_length(width).apply_style(self.rich_style)
