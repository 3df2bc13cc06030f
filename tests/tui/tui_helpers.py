"""Shared helpers of the TUI tests (imported by the test modules)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CALLS = REPO / "audio_fixtures" / "calls"
FX07 = CALLS / "FX-07-banned-no-closing.json"
FX12 = CALLS / "FX-12-judge-no-callback.json"


async def wait_for(pilot, cond: Callable[[], bool], timeout: float = 120.0, what: str = "condition") -> None:
    """Let the app run until ``cond()`` holds; fail (never skip) after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            shown = list(pilot.app.notified)
            raise AssertionError(f"timed out waiting for {what}; notifications: {shown}")
        await pilot.pause(0.05)
    await asyncio.sleep(0)


def notes(app) -> list[str]:
    """Texts (title + message) of every notification shown so far (they fade after a few seconds)."""
    return list(app.notified)


def text_of(widget) -> str:
    """The plain text a Static widget shows (its Rich content rendered at a wide width)."""
    import io

    from rich.console import Console

    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=300, file=io.StringIO(), record=True, color_system=None)
    console.print(content)
    return console.export_text()


def screen_lines(app, widget=None) -> list[str]:
    """The text of every row of the screen as the terminal shows it (only ``widget``'s part, if given)."""
    from rich.cells import cell_len

    update = app.screen._compositor.render_update(full=True)
    rows = ["".join(seg.text for seg in strip) for strip in update.strips]
    if widget is None:
        return rows
    r = widget.region
    out = []
    for row in rows[r.y:r.y + r.height]:
        col, kept = 0, []
        for ch in row:
            if r.x <= col < r.x + r.width:
                kept.append(ch)
            col += cell_len(ch)
        out.append("".join(kept))
    return out
