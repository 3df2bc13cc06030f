"""Line wrapping for Chinese text: break between any two characters, never inside a Latin word or number.

Rich and Textual wrap at spaces: a Chinese sentence has none, so after 「座席 00:03 」 the whole sentence was
one word, pushed to the next line (leaving a gap) or cut off in a fixed-width column (「查一下（2024）浙05」).
Here a line breaks at the last character that fits, unless that splits a run of ASCII letters or digits
(a case number's 「0503」, a phone number), which moves to the next line whole when it fits there.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

NO_LINE_START = set("，。、；：？！）」』”’》〉】］…—,.;:?!)")
"""Punctuation that must not begin a line (it takes the character before it along)."""
NO_LINE_END = set("（「『“‘《〈【［(")
"""Opening brackets that must not end a line (they move to the next one)."""


def _word_char(ch: str) -> bool:
    return (ch.isascii() and (ch.isalnum() or ch in "._-/@:")) or ch in "−＋"


def break_offsets(s: str, width: int) -> list[int]:
    """Offsets at which to divide ``s`` (one line, no newlines) so no part is wider than ``width`` cells."""
    width = max(2, width)
    offsets: list[int] = []
    start, col, word = 0, 0, None
    for i, ch in enumerate(s):
        w = cell_len(ch)
        if col + w > width and i > start:
            brk = i
            if word is not None and word > start and _word_char(ch) and cell_len(s[word:i]) < width:
                brk = word  # move the whole word down
            elif ch in NO_LINE_START and i - 1 > start:
                brk = i - 1  # 「。」 never starts a line: the character before it comes down with it
                while brk - 1 > start and s[brk] in NO_LINE_START:
                    brk -= 1  # 「）、」: both come down, with the character before them
                if word is not None and start < word < brk:
                    brk = word  # … and if that character ends a number or word, the whole of it
                elif word is not None and word <= start:
                    brk = i  # a number filling the whole line stays whole (a phone number beats the rule)
            while s[brk - 1] in NO_LINE_END and brk - 1 > start:
                brk -= 1  # an opening bracket goes down with what it opens
            offsets.append(brk)
            start = brk
            col = cell_len(s[brk:i])
        col += w
        if _word_char(ch):
            word = i if word is None else word
        else:
            word = None
    return offsets


def wrap_text(text: Text, width: int, indent: int = 0) -> list[Text]:
    """``text`` as lines of at most ``width`` cells (its own newlines kept; spaces at a break dropped);
    lines that continue a line are indented by ``indent`` cells."""
    out: list[Text] = []
    indent = indent if width - indent >= 8 else 0
    for line in text.split("\n", allow_blank=True):
        rest, first = line, True
        while True:
            w = width if first else width - indent
            cut = break_offsets(rest.plain, w)[:1]
            part, rest = (rest[:cut[0]], rest[cut[0]:]) if cut else (rest, None)
            if not first:
                lead = len(part.plain) - len(part.plain.lstrip(" "))
                part = Text(" " * indent) + part[lead:]
            out.append(part)
            first = False
            if rest is None:
                break
    return out


class Wrapped:
    """A Rich renderable of ``text`` wrapped with :func:`wrap_text` to whatever width it is given (an
    OptionList prompt, a Static) — the width is the widget's, known only when it renders."""

    def __init__(self, text: Text, indent: int = 0) -> None:
        self.text = text
        self.indent = indent

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in wrap_text(self.text, options.max_width, self.indent):
            yield from line.render(console)
            yield Segment.line()  # after every line, as Rich's Text does: renderers count lines by newlines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(x) for x in self.text.plain.split("\n")), default=0)
        return Measurement(min(4, longest), min(longest, options.max_width))
