"""A score card: each rubric item with its score and the reasons points were taken."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH


class ScoreCard(Static):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.result: dict[str, Any] | None = None

    def show(self, result: dict[str, Any] | None, title: str = "") -> None:
        self.result = result
        if result is None:
            self.update(Text("（选择一通电话）", style="dim"))
            return
        score = result.get("score") or {}
        st = result.get("service_type")
        head = Text.assemble((f"{title}{result['call_id']}  ", "bold"),
                             (f"{score.get('total', 0):g}/{score.get('max', 100)}", "bold green"),
                             f"  {SERVICE_TYPE_ZH.get(st, st or '—')}")
        table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
        table.add_column("项目", no_wrap=True)
        table.add_column("得分", justify="right", no_wrap=True)
        table.add_column("原因", ratio=1)
        for it in score.get("items", []):
            lost = it["score"] < it["max"]
            table.add_row(it.get("name_zh", it["id"]), Text(f"{it['score']:g}/{it['max']}",
                                                           style="bold red" if lost else "green"),
                          "；".join(it.get("reasons", [])) or "—")
        flags = "、".join(FLAG_ZH.get(f["code"], f["code"]) for f in result.get("flags", [])) or "无"
        self.update(Group(head, table, Text(f"标记：{flags}", style="dim")))
