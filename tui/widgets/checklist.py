"""The handling checklist of the call's service type(s) as tick boxes: ✔ done, ✘ not done, ○ open.

The status of each step comes from ``copilot.analysis.checklist`` (flags raised, record fields filled,
checks passed), so the boxes fill themselves as the analysis sees an item done."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from copilot.analysis.checklist import STATE_MARK, checklist_status
from copilot.labels import SERVICE_TYPE_ZH
from tui.widgets.wrap import Wrapped

STATE_STYLE = {"done": "bold green", "missed": "bold red", "open": "dim"}


class ChecklistView(Static):
    DEFAULT_CSS = "ChecklistView { height: auto; }"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.status: list[tuple[str, list[Any]]] = []

    def show(self, service_types: list[str], record: dict[str, Any], flags: list[dict[str, Any]]) -> None:
        from copilot.analysis.rules import load_rules

        status = checklist_status(load_rules().checklists, [s for s in service_types if s], record, flags)
        key = [(c, [(s.step, s.state, s.why) for s in steps]) for c, steps in status]
        if key == getattr(self, "_key", None):
            return
        self._key = key
        self.status = status
        if not status:
            self.update(Text("（服务类型确定后显示）", style="dim"))
            return
        t = Text()
        for n, (code, steps) in enumerate(status):
            if len(status) > 1:
                t.append(("\n" if n else "") + f"{SERVICE_TYPE_ZH.get(code, code)}\n", "bold")
            elif n:
                t.append("\n")
            for i, s in enumerate(steps):
                t.append(f"{STATE_MARK[s.state]} ", STATE_STYLE[s.state])
                t.append(s.step, "" if s.state != "open" else "dim")
                if s.why:
                    t.append(f"（{s.why}）", STATE_STYLE[s.state])
                if i < len(steps) - 1:
                    t.append("\n")
        self.update(Wrapped(t))

    def states(self) -> dict[str, str]:
        """Step text → state (tests)."""
        return {s.step: s.state for _, steps in self.status for s in steps}
