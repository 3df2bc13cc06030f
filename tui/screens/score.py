"""Scoring for trainers: every call with its score, a score card per call, two calls side by side."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from copilot.errors import user_errors
from copilot.labels import SERVICE_TYPE_ZH
from tui.config import TuiConfig
from tui.messages import LoadFailed, ScoresLoaded
from tui.screens.modals import HelpScreen
from tui.widgets.scorecard import ScoreCard

log = logging.getLogger(__name__)


class ScoreScreen(Screen):
    BINDINGS = [
        Binding("m", "compare", "设为对比"),
        Binding("x", "export", "导出 CSV/HTML"),
        Binding("question_mark,f1", "help", "帮助"),
        Binding("q", "app.quit", "退出"),
    ]

    def __init__(self, *, paths: list[str], store: Any = None, config: TuiConfig | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.store = store
        self.config = config or TuiConfig()
        self.results: list[dict[str, Any]] = []
        self.pinned: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("通话评分 — 读取中…", id="score-title")
        with Horizontal(id="score-main"):
            yield DataTable(id="score-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="cards"):
                yield ScoreCard(id="card-a", classes="card")
                yield ScoreCard(id="card-b", classes="card")
        yield Footer()

    def on_mount(self) -> None:
        self._set_rows([])
        self.query_one("#card-a", ScoreCard).show(None)
        self.query_one("#card-b", ScoreCard).display = False
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from copilot.score_export import collect_results, stored_results

        try:
            if self.paths:
                results, errors = collect_results(self.paths)
            elif self.store is not None:
                results, errors = stored_results(self.store), []
            else:
                results, errors = [], ["没有给出文件，也没有数据库"]
        except user_errors() as exc:
            self.post_message(LoadFailed("score", str(exc)))
            return
        self.post_message(ScoresLoaded(results, errors))

    def on_scores_loaded(self, msg: ScoresLoaded) -> None:
        self.results = msg.results
        self._set_rows([[r["call_id"], SERVICE_TYPE_ZH.get(r.get("service_type"), r.get("service_type") or "—"),
                         f"{(r.get('score') or {}).get('total', 0):g}", str(len(r.get("flags", [])))]
                        for r in self.results])
        table = self.query_one(DataTable)
        avg = sum((r.get("score") or {}).get("total", 0) for r in self.results) / max(1, len(self.results))
        self.query_one("#score-title", Static).update(
            f"通话评分 — {len(self.results)} 通，平均 {avg:.1f} 分" + (f"，{len(msg.errors)} 个文件出错" if msg.errors else ""))
        for e in msg.errors:
            self.notify(e, title="无法评分", severity="error", timeout=8)
        if self.results:
            self.query_one("#card-a", ScoreCard).show(self.results[0])
            table.focus()

    def _set_rows(self, rows: list[list[str]]) -> None:
        """Columns get explicit widths from their contents: DataTable's own auto-width runs on idle,
        so without this the layout would depend on when the screen is looked at."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        headers = ("通话", "服务类型", "得分", "标记")
        for i, h in enumerate(headers):
            table.add_column(h, width=max([cell_len(h)] + [cell_len(row[i]) for row in rows]))
        for i, row in enumerate(rows):
            table.add_row(*row, key=str(i))

    def on_load_failed(self, msg: LoadFailed) -> None:
        self.notify(msg.error, title="无法读取", severity="error", timeout=8)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.results):
            self.query_one("#card-a", ScoreCard).show(self.results[event.cursor_row])

    def action_compare(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.results):
            return
        card = self.query_one("#card-b", ScoreCard)
        if self.pinned == row:
            self.pinned = None
            card.display = False
            return
        self.pinned = row
        card.show(self.results[row], title="对比 ")
        card.display = True

    def action_export(self) -> None:
        if not self.results:
            self.notify("没有可导出的评分", severity="warning")
            return
        self.export(self.config.export_dir)

    @work(thread=True, group="export")
    def export(self, out_dir: Path) -> None:
        from copilot.score_export import write_scores

        try:
            c, h = write_scores(self.results, out_dir)
        except OSError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="导出失败", severity="error")
            return
        self.app.call_from_thread(self.notify, f"{c}\n{h}", title="已导出", timeout=6)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("通话评分", self.BINDINGS))
