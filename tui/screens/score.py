"""Scoring for trainers: every call with its score, the rubric beside the call's transcript, two calls
side by side, and the trainer's comment and score adjustment (with a reason, audited in the store).

Files named on the command line are analysed and, with a database, stored (so they reach ``copilot
report`` and keep their reviews); without files the stored calls are shown. Scores are the reviewed ones
(``copilot.store.reviews``): dismissed flags cost nothing, inspector-added ones do, adjustments are added.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from copilot.errors import user_errors
from copilot.labels import SERVICE_TYPE_ZH
from tui.config import TuiConfig
from tui.messages import LoadFailed, ScoresLoaded
from tui.screens.modals import HelpScreen, PromptScreen
from tui.widgets.scorecard import ScoreCard
from tui.widgets.transcript import SPEAKER_ZH, clock
from tui.widgets.wrap import Wrapped

log = logging.getLogger(__name__)


def parse_adjustment(text: str) -> tuple[float, str]:
    """``"+5 安抚到位"`` → (5.0, "安抚到位"); raises ValueError with a Chinese message."""
    parts = text.strip().split(maxsplit=1)
    try:
        points = float(parts[0]) if parts else float("nan")
    except ValueError:
        points = float("nan")
    if points != points:
        raise ValueError("请以分数开头，如 +5 安抚情绪到位 或 -3 未核实身份")
    reason = parts[1].strip() if len(parts) > 1 else ""
    if points and not reason:
        raise ValueError("调整分数须写明理由")
    return points, reason


class ScoreScreen(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("m", "compare", "设为对比"),
        Binding("j", "adjust", "调整分数"),
        Binding("k", "comment", "培训意见"),
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
        self.turns: dict[str, list[dict[str, Any]]] = {}
        """call_id → its turns (speaker, start, end, text)."""
        self.pinned: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("通话评分 — 读取中…", id="score-title")
        with Horizontal(id="score-main"):
            yield DataTable(id="score-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="cards"):
                yield ScoreCard(id="card-a", classes="card")
                yield ScoreCard(id="card-b", classes="card")
            with Vertical(id="score-transcript"):
                yield Label("通话内容", classes="section")
                yield OptionList(id="score-turns")
        yield Footer()

    def on_mount(self) -> None:
        self._set_rows([])
        self.query_one("#card-a", ScoreCard).show(None)
        self.query_one("#card-b", ScoreCard).display = False
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from copilot.exports.score_export import collect_calls, store_results, stored_results

        turns: dict[str, list[dict[str, Any]]] = {}
        try:
            if self.paths:
                results, calls, errors = collect_calls(self.paths)
                if self.store is not None and results:
                    results = [r | {"agent_id": c.get("agent_id"), "started_at": c.get("started_at")}
                               for r, c in zip(store_results(self.store, results, calls), calls, strict=True)]
                for r, c in zip(results, calls, strict=True):
                    turns[r["call_id"]] = [dict(zip(("speaker", "start", "end", "text"), t, strict=True))
                                           for t in c["turns"]]
            elif self.store is not None:
                results, errors = stored_results(self.store), []
            else:
                results, errors = [], ["没有给出文件，也没有数据库"]
        except user_errors() as exc:
            self.post_message(LoadFailed("score", str(exc)))
            return
        self.turns.update(turns)
        self.post_message(ScoresLoaded(results, errors))

    def _row(self, r: dict[str, Any]) -> list[str]:
        score = r.get("score") or {}
        mark = "*" if score.get("reviewed") or score.get("adjustment") else ""
        counted = [f for f in r.get("flags", []) if f.get("review") != "dismissed"]
        return [r["call_id"], f"{score.get('total', 0):g}{mark}", str(len(counted)),
                SERVICE_TYPE_ZH.get(r.get("service_type"), r.get("service_type") or "—"), r.get("agent_id") or "—"]

    def on_scores_loaded(self, msg: ScoresLoaded) -> None:
        self.results = msg.results
        self._set_rows([self._row(r) for r in self.results])
        self._title(len(msg.errors))
        for e in msg.errors:
            self.notify(e, title="无法评分", severity="error", timeout=8)
        if self.results:
            self._select(0)
            self.query_one(DataTable).focus()

    def _title(self, errors: int = 0) -> None:
        avg = sum((r.get("score") or {}).get("total", 0) for r in self.results) / max(1, len(self.results))
        reviewed = sum(1 for r in self.results if (r.get("score") or {}).get("reviewed"))
        self.query_one("#score-title", Static).update(
            f"通话评分 — {len(self.results)} 通，平均 {avg:.1f} 分"
            + (f"，{reviewed} 通按质检复核（* 标出）" if reviewed else "")
            + (f"，{errors} 个文件出错" if errors else ""))

    def _set_rows(self, rows: list[list[str]]) -> None:
        """Columns get explicit widths from their contents: DataTable's own auto-width runs on idle,
        so without this the layout would depend on when the screen is looked at."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        headers = ("通话", "得分", "标记", "服务类型", "座席")
        for i, h in enumerate(headers):
            table.add_column(h, width=max([cell_len(h)] + [cell_len(row[i]) for row in rows]))
        for i, row in enumerate(rows):
            table.add_row(*row, key=str(i))

    def on_load_failed(self, msg: LoadFailed) -> None:
        self.notify(msg.error, title="无法读取", severity="error", timeout=8)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.results):
            self._select(event.cursor_row)

    def _select(self, i: int) -> None:
        r = self.results[i]
        self.query_one("#card-a", ScoreCard).show(r)
        turns = self.turns.get(r["call_id"])
        if turns is None and self.store is not None:
            self.load_turns(r["call_id"])
        self._show_turns(r, turns or [])

    @work(thread=True, group="turns")
    def load_turns(self, call_id: str) -> None:
        from copilot.store import load_call

        try:
            call = load_call(self.store, call_id)
        except user_errors() as exc:
            self.post_message(LoadFailed(call_id, str(exc)))
            return
        turns = [{k: u[k] for k in ("speaker", "start", "end", "text")} for u in (call or {}).get("utterances", [])]
        self.app.call_from_thread(self._turns_loaded, call_id, turns)

    def _turns_loaded(self, call_id: str, turns: list[dict[str, Any]]) -> None:
        self.turns[call_id] = turns
        card = self.query_one("#card-a", ScoreCard)
        if card.result is not None and card.result["call_id"] == call_id:
            self._show_turns(card.result, turns)

    def _show_turns(self, r: dict[str, Any], turns: list[dict[str, Any]]) -> None:
        flagged: dict[int, list[str]] = {}
        for f in r.get("flags", []):
            if f.get("turn") is not None and f.get("review") != "dismissed":
                flagged.setdefault(f["turn"], []).append(f["code"])
        ol = self.query_one("#score-turns", OptionList)
        ol.clear_options()
        style = {"agent": "bold dodger_blue1", "caller": "bold dark_orange"}
        ol.add_options([Option(Wrapped(Text.assemble(
            ("● ", "bold red") if i in flagged else "  ",
            (f"{SPEAKER_ZH.get(t['speaker'], t['speaker'])} ", style.get(t["speaker"], "")),
            (f"{clock(t['start'])} ", "dim"), t["text"]), indent=2)) for i, t in enumerate(turns)])

    # ------------------------------------------------------------------ keys
    def action_compare(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.results):
            return
        card = self.query_one("#card-b", ScoreCard)
        transcript = self.query_one("#score-transcript")
        if self.pinned == row:
            self.pinned = None
            card.display = False
            transcript.display = True
            return
        self.pinned = row
        card.show(self.results[row], title="对比 ")
        card.display = True
        transcript.display = False

    def _current(self) -> int | None:
        row = self.query_one(DataTable).cursor_row
        return row if 0 <= row < len(self.results) else None

    def _needs_store(self) -> bool:
        if self.store is None:
            self.notify("调整和意见要存入数据库：请不要使用 --no-store", severity="warning")
            return False
        return True

    def action_adjust(self) -> None:
        i = self._current()
        if i is None or not self._needs_store():
            return

        def done(text: str | None) -> None:
            if not text:
                return
            try:
                points, reason = parse_adjustment(text)
            except ValueError as exc:
                self.notify(str(exc), title="未调整", severity="error", timeout=6)
                return
            self.store_adjustment(i, points, reason, "")

        r = self.results[i]
        self.app.push_screen(PromptScreen(f"调整 {r['call_id']} 的分数（现 {(r.get('score') or {}).get('total', 0):g} 分）："
                                          "分数与理由，如 +5 安抚情绪到位", placeholder="+5 理由"), done)

    def action_comment(self) -> None:
        i = self._current()
        if i is None or not self._needs_store():
            return

        def done(text: str | None) -> None:
            if text and text.strip():
                self.store_adjustment(i, 0.0, "", text.strip())

        self.app.push_screen(PromptScreen(f"对 {self.results[i]['call_id']} 的培训意见（回车保存）"), done)

    @work(thread=True, group="adjust")
    def store_adjustment(self, i: int, points: float, reason: str, comment: str) -> None:
        from copilot.store.reviews import adjust_score, current_user

        call_id = self.results[i]["call_id"]
        try:
            score = adjust_score(self.store, call_id, points, reason, comment,
                                 by=self.config.reviewer or current_user())
        except user_errors() as exc:
            self.post_message(LoadFailed(call_id, str(exc)))
            return
        self.app.call_from_thread(self._adjusted, i, score, points)

    def _adjusted(self, i: int, score: dict[str, Any], points: float) -> None:
        self.results[i]["score"] = score
        table = self.query_one(DataTable)
        table.update_cell(str(i), table.ordered_columns[1].key, self._row(self.results[i])[1])
        if self._current() == i:
            self.query_one("#card-a", ScoreCard).show(self.results[i])
        self._title()
        self.notify(f"现 {score['total']:g} 分" if points else "培训意见已保存",
                    title=f"{self.results[i]['call_id']}：" + (f"调整 {points:+g}" if points else "意见"), timeout=4)

    def action_export(self) -> None:
        if not self.results:
            self.notify("没有可导出的评分", severity="warning")
            return
        self.export(self.config.export_dir)

    @work(thread=True, group="export")
    def export(self, out_dir: Path) -> None:
        from copilot.exports.score_export import write_scores

        try:
            c, h = write_scores(self.results, out_dir)
        except OSError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="导出失败", severity="error")
            return
        self.app.call_from_thread(self.notify, f"{c}\n{h}", title="已导出", timeout=6)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("通话评分", self.BINDINGS))
