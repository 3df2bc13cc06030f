"""A score card: each rubric item with its score and, under it, the reasons points were taken; how
reviews and trainers changed the score; the call's flags with their review state; trainers' comments.

Items and reasons are stacked (not a table column), so the card reads the same at any width."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH
from tui.widgets.wrap import Wrapped


class ScoreCard(Static):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.result: dict[str, Any] | None = None

    def show(self, result: dict[str, Any] | None, title: str = "") -> None:
        from rich.cells import cell_len

        from copilot.store.reviews import describe

        self.result = result
        if result is None:
            self.update(Text("（选择一通电话）", style="dim"))
            return
        score = result.get("score") or {}
        st = result.get("service_type")
        head = Text.assemble((f"{title}{result['call_id']}  ", "bold"),
                             (f"{score.get('total', 0):g}/{score.get('max', 100)}", "bold green"),
                             f"  {SERVICE_TYPE_ZH.get(st, st or '—')}")
        parts: list[Any] = [Wrapped(head)]
        how = describe(score)
        if how:
            parts.append(Wrapped(Text(how, style="magenta")))
        items = score.get("items", [])
        width = max((cell_len(it.get("name_zh", it["id"])) for it in items), default=0)
        for it in items:
            name = it.get("name_zh", it["id"])
            lost = it["score"] < it["max"]
            parts.append(Text.assemble(name + " " * (width - cell_len(name) + 1),
                                       (f"{it['score']:g}/{it['max']}", "bold red" if lost else "green")))
            for reason in it.get("reasons", []):
                parts.append(Wrapped(Text(f"  · {reason}", style="dark_orange"), indent=4))
        flags = Text("标记：", style="dim")
        for n, f in enumerate(result.get("flags", [])):
            name = FLAG_ZH.get(f["code"], f["code"])
            where = "" if f.get("turn") is None else f"（第{f['turn'] + 1}轮）"
            style = {"dismissed": "dim strike"}.get(f.get("review") or "", "")
            if f.get("origin") == "inspector":
                name, style = f"{name}[补充]", "magenta"
            flags.append(("、" if n else "") + name + where, style or "dim")
        if not result.get("flags"):
            flags.append("无", "dim")
        parts.append(Wrapped(flags))
        for a in score.get("adjustments") or []:
            line = Text(f"培训 {a.get('by', '')}：", style="bold")
            if a.get("points"):
                line.append(f"{a['points']:+g} 分（{a.get('reason', '')}）", "bold yellow")
            if a.get("comment"):
                line.append(f" {a['comment']}")
            parts.append(Wrapped(line, indent=2))
        self.update(Group(*parts))
