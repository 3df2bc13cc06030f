"""The copilot TUI application and its one factory, ``make_app`` (used by the CLI and the tests)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from copilot.session.source import SourceSpec
from tui.config import TuiConfig
from tui.sources import open_stream

log = logging.getLogger(__name__)
MODES = ("live", "replay", "score")


class CopilotApp(App):
    """Hosts one of the three screens; everything else lives in the screens."""

    CSS_PATH = "app.tcss"
    TITLE = "12368 座席助手"
    BINDINGS = [Binding("ctrl+q", "quit", "退出", show=False)]

    def __init__(self, mode: str, screen_factory: Any, config: TuiConfig) -> None:
        super().__init__()
        self.mode_name = mode
        self.screen_factory = screen_factory
        self.config = config
        self.notified: list[str] = []
        """Every notification shown so far ("title message"), kept after it fades (also logged)."""

    def notify(self, message: str, *, title: str = "", **kw: Any) -> None:
        self.notified.append(f"{title} {message}")
        log.info("notify %s: %s", title, message)
        super().notify(message, title=title, **kw)

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory())


def make_app(mode: str = "live", *, source: SourceSpec | None = None, store: Any = None,
             paths: Sequence[str | Path] = (), call_id: str | None = None, config: TuiConfig | None = None,
             stream_factory: Any = None, audio_backend: Any = None) -> CopilotApp:
    """Build the app.

    ``live``: the agent's screen on ``source`` (or on ``stream_factory()``, any async iterator of events).
    ``replay``: the inspector's screen on ``source`` (a transcript or recording) or the stored ``call_id``.
    ``score``: the trainer's screen on ``paths`` (transcripts/recordings) or, with none, the stored calls.
    ``store`` is a SQLAlchemy engine (``copilot.store.db.make_engine``) or None.
    ``audio_backend``: a sounddevice-like module for replay playback (tests); None: sounddevice.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    cfg = config or TuiConfig.from_env()
    if mode == "live":
        from tui.screens.live import LiveScreen

        opener = stream_factory or ((lambda: open_stream(source, store)) if source else None)
        rate = None
        if source is not None and source.kind in ("device", "connect"):
            rate = 1.0
        elif source is not None and source.pace != "whole":
            from copilot.session.pacing import Pacer

            rate = Pacer(source.pace, source.speed if source.pace == "fast" else None).speed

        def factory() -> Any:
            return LiveScreen(opener, store=store, config=cfg, clock_rate=rate)
    elif mode == "replay":
        from tui.screens.replay import ReplayScreen

        def factory() -> Any:
            return ReplayScreen(source=source, call_id=call_id, store=store, config=cfg, audio_backend=audio_backend)
    else:
        from tui.screens.score import ScoreScreen

        def factory() -> Any:
            return ScoreScreen(paths=[str(p) for p in paths], store=store, config=cfg)
    return CopilotApp(mode, factory, cfg)
