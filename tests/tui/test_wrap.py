"""Chinese line wrapping: between characters, never inside a number, no 「。」 at a line start, nothing lost."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.text import Text

from tui.widgets.wrap import NO_LINE_START, wrap_text

LINES = [
    "  来电 00:03 你好，我找一下孙法官，我的案号是（2025）浙0503民初975号。",
    "  座席 00:00 您好！12368！请问有什么可以帮助您？",
    "  来电 00:12 我的电话是13812345678，麻烦法官回电。",
    "使用禁止用语「我已经说过了」（第7轮） −10",
]


@pytest.mark.parametrize("width", range(12, 60))
@pytest.mark.parametrize("line", LINES)
def test_wrap_keeps_every_character_and_numbers_whole(line, width):
    lines = [x.plain for x in wrap_text(Text(line), width, indent=2)]
    assert all(cell_len(x) <= width for x in lines)
    assert "".join(x.strip() for x in lines).replace(" ", "") == line.replace(" ", "")
    for before, x in zip(lines, lines[1:], strict=False):  # unless a number fills the line before
        assert x.strip()[0] not in NO_LINE_START or before.strip().isascii(), lines
    joined = "\n".join(lines)
    for number in ("0503", "12368", "13812345678", "−10", "00:03", "00:00", "00:12"):
        if number in line and cell_len(number) < width - 2:
            assert number in joined, (number, lines)


@pytest.mark.parametrize("width", range(10, 40))
def test_brackets_and_closing_punctuation_stay_with_their_words(width):
    line = "✔ 核实来电人身份和案号（（2025）浙0503民初975号，当事人）标记：问候语缺失（第1轮）、不规范用语"
    lines = [x.plain for x in wrap_text(Text(line), width)]
    for x in lines:
        assert not x.rstrip().endswith(("（", "「")), lines
    for x in lines[1:]:
        assert x.strip()[0] not in NO_LINE_START, lines
