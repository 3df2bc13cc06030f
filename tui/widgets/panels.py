"""Read-only panels of the live screen: status line, suggested wording, compliance flags."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from copilot.events import FlagRaised
from copilot.labels import FLAG_SEVERITY, SERVICE_TYPE_ZH, SUGGESTION_ZH
from copilot.standard import SILENT_STEP_S
from tui.suggest import Shown
from tui.widgets.transcript import clock
from tui.widgets.wrap import Wrapped

AMBER = {code for code, sev in FLAG_SEVERITY.items() if sev == "amber"}
"""Flag codes shown amber (to fix); the rest, banned phrases first, are red (flags.toml ``severity``)."""
SILENT_STEPS = ((SILENT_STEP_S, "再次致问候语"), (2 * SILENT_STEP_S, "致无声电话结束语并挂机"))
"""The A.3 silent-call countdown, on the pipeline's step (copilot.standard.SILENT_STEP_S)."""


def severity(code: str) -> str:
    return "amber" if code in AMBER else "red"


def meter(level_db: float | None, width: int = 8) -> str:
    """A bar for a level in dBFS (−60 … 0)."""
    if level_db is None:
        return "·" * width
    n = max(0, min(width, round((level_db + 60) / 60 * width)))
    return "█" * n + "░" * (width - n)


@dataclass
class Status:
    """What the status line shows."""

    now: float = 0.0
    """Call time, seconds."""
    state: str = "等待来电"
    service_type: str | None = None
    confidence: float = 0.0
    level_db: float | None = None
    silent_since: float | None = None
    """Call time at which the caller's current silence began (A.3 countdown), or None."""
    store_error: str | None = None


def _update_if_changed(widget: Static, text: Text) -> None:
    """Update a one-Text widget only when what it shows changes: every update costs a layout pass, and
    most events (audio levels, record fields) leave the status line and suggestions as they were."""
    key = (text.plain, tuple(text.spans), str(text.style))
    if key != getattr(widget, "_shown_key", None):
        widget._shown_key = key
        widget.update(text)


class StatusBar(Static):
    def show(self, s: Status) -> None:
        t = Text.assemble(("⏱ ", "bold"), (clock(s.now), "bold"), "  ", (s.state, "reverse" if s.state == "通话中" else ""))
        st = SERVICE_TYPE_ZH.get(s.service_type, "识别中…") if s.service_type else "识别中…"
        t.append(f"  │ 类型：{st}")
        if s.service_type:
            t.append(f" {s.confidence:.0%}", "dim")
        lvl = "—" if s.level_db is None else f"{s.level_db:.0f}dB"
        t.append(f"  │ 来电音量 {meter(s.level_db)} {lvl}")
        if s.silent_since is not None:
            quiet = s.now - s.silent_since
            nxt = next(((at, what) for at, what in SILENT_STEPS if quiet < at), None)
            if nxt:
                msg = f"  │ 来电无声 {quiet:.0f}s，{nxt[0] - quiet:.0f}s 后{nxt[1]}"
            else:
                msg = f"  │ 来电无声 {quiet:.0f}s：请致结束语并挂机"
            t.append(msg, "bold yellow")
        if s.store_error:
            t.append(f"  │ ⚠ {s.store_error}", "bold red")
        _update_if_changed(self, t)


def reason_without_text(reason: str, text: str) -> str:
    """The reason as shown above the suggested words: without those words again (a correction's reason
    「X」→ 请说：Y would print Y twice; when X is Y too, nothing of it is left but the correction itself)."""
    out = reason[:-len(text)] if text and reason.endswith(text) else reason
    out = out.replace(f"「{text}」", "").strip()
    return "请改用规范说法：" if out.strip("→ ：") in ("", "请说") else out


class SuggestionPanel(Static):
    """The suggested wording most useful now, then up to two others, dimmer."""

    def show(self, ranked: list[Shown]) -> None:
        if not ranked:
            _update_if_changed(self, Text("（暂无建议）", style="dim"))
            return
        top = ranked[0].suggestion
        parts: list = [Wrapped(Text.assemble((f"【{SUGGESTION_ZH.get(top.kind, top.kind)}】", "bold green"),
                                             (reason_without_text(top.reason, top.text), "dim"))),
                       Wrapped(Text(top.text, style="bold"))]
        for x in ranked[1:3]:
            s = x.suggestion
            parts.append(Text(f"· {SUGGESTION_ZH.get(s.kind, s.kind)}：{s.text}", style="dim", overflow="ellipsis",
                              no_wrap=True))
        key = tuple((x.suggestion.kind, x.suggestion.reason, x.suggestion.text) for x in ranked[:3])
        if key != getattr(self, "_shown_key", None):
            self._shown_key = key
            self.update(Group(*parts))


class FlagList(Static):
    """Compliance flags as they happen: red (banned etc.) or amber (nonstandard), with the replacement."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.flags: list[FlagRaised] = []

    def add(self, f: FlagRaised) -> None:
        self.flags.append(f)
        self.render_flags()

    def render_flags(self) -> None:
        if not self.flags:
            self.update(Text("（无）", style="dim"))
            return
        lines = []
        for f in reversed(self.flags):
            color = "bold red" if f.flag.severity == "red" else "bold dark_orange"
            said = f"「{f.phrase}」" if f.phrase else ""
            line = Text.assemble(("● ", color), (f.flag.name_zh, color), f" {said}")
            if f.suggestion:
                line.append(f"→ {f.suggestion}", "green")
            lines.append(Wrapped(line, indent=2))
        self.update(Group(*lines))
