"""Replay for quality inspection: a recording, a transcript or a stored call, flag by flag.

The inspector steps through the flags (n/p) on a timeline, confirms or dismisses each with a comment
(stored with ``copilot.store.review_flag``) and exports the reviewed call as JSON and a self-contained HTML page.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from copilot.errors import CopilotError, user_errors
from copilot.events import CallEnded, CallStarted, ErrorEvent, FlagRaised, RecordUpdated, UtteranceEvent
from copilot.labels import FLAG_ZH
from copilot.review_export import REVIEW_ZH
from tui.config import TuiConfig
from tui.messages import CallEvent, CallLoaded, FlagReviewed, LoadFailed, StreamEnded
from tui.screens.modals import HelpScreen, PromptScreen
from tui.screens.pump import pump
from tui.sources import SourceSpec, open_stream
from tui.widgets.timeline import Timeline
from tui.widgets.transcript import SPEAKER_ZH, clock

log = logging.getLogger(__name__)


class ReplayScreen(Screen):
    BINDINGS = [
        Binding("n", "next_flag", "下一个标记"),
        Binding("p", "prev_flag", "上一个标记"),
        Binding("c", "review('confirmed')", "确认标记"),
        Binding("d", "review('dismissed')", "驳回标记"),
        Binding("x", "export", "导出 JSON/HTML"),
        Binding("o", "open", "打开文件/通话"),
        Binding("question_mark,f1", "help", "帮助"),
        Binding("q", "app.quit", "退出"),
    ]

    def __init__(self, *, source: SourceSpec | None = None, call_id: str | None = None, store: Any = None,
                 config: TuiConfig | None = None) -> None:
        super().__init__()
        self.source = source
        self.initial_call = call_id
        self.store = store
        self.config = config or TuiConfig()
        self.stream: Any = None
        self._reset()

    def _reset(self) -> None:
        self.call_id: str | None = None
        self.turns: list[dict[str, Any]] = []
        self.flags: list[dict[str, Any]] = []
        self.record: dict[str, Any] = {}
        self.result: dict[str, Any] | None = None
        self.current: int | None = None
        self.position = 0.0
        self.ended = False

    def compose(self) -> ComposeResult:
        yield Static(id="replay-title")
        yield Timeline(id="timeline")
        with Horizontal(id="replay-main"):
            with Vertical(id="replay-turns"):
                yield Label("通话内容", classes="section")
                yield DataTable(id="turns", cursor_type="row", zebra_stripes=True)
            with Vertical(id="replay-flags"):
                yield Label("标记（n/p 跳转，c 确认，d 驳回）", classes="section")
                yield DataTable(id="flag-table", cursor_type="row")
        yield Static(id="flag-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#turns", DataTable).add_columns("时间", "说话人", "内容")
        self.query_one("#flag-table", DataTable).add_columns("#", "时间", "类型", "原话", "审核")
        self._show()
        if self.source is not None:
            self.start_replay(self.source)
        elif self.initial_call:
            self.load_stored(self.initial_call)

    # ------------------------------------------------------------------ loading
    def start_replay(self, spec: SourceSpec) -> None:
        self._reset()
        self.query_one("#turns", DataTable).clear()
        self.query_one("#flag-table", DataTable).clear()
        self._show()
        self.replay(spec)

    @work(exclusive=True, group="events")
    async def replay(self, spec: SourceSpec) -> None:
        await pump(self, lambda: open_stream(spec, self.store))

    @work(thread=True, exclusive=True, group="load")
    def load_stored(self, call_id: str) -> None:
        from copilot.store import load_call

        try:
            if self.store is None:
                raise CopilotError("no database to load calls from", where=call_id)
            call = load_call(self.store, call_id)
            if call is None:
                raise CopilotError("no such call in the database", where=call_id)
        except user_errors() as exc:
            self.post_message(LoadFailed(call_id, str(exc)))
            return
        self.post_message(CallLoaded(call))

    def on_call_event(self, msg: CallEvent) -> None:
        ev = msg.event
        self.position = max(self.position, ev.t)
        if isinstance(ev, CallStarted):
            self.call_id = ev.call_id
        elif isinstance(ev, UtteranceEvent) and ev.final:
            turn = {"speaker": ev.speaker, "start": ev.start, "end": ev.end, "text": ev.text}
            self.turns.append(turn)
            self.query_one("#turns", DataTable).add_row(*self._turn_row(turn), key=str(len(self.turns) - 1))
        elif isinstance(ev, FlagRaised):
            flag = ev.as_flag() | {"id": None, "review": None, "review_comment": None}
            self.flags.append(flag)
            self.query_one("#flag-table", DataTable).add_row(*self._flag_row(len(self.flags) - 1),
                                                            key=str(len(self.flags) - 1))
            self._mark_turn(flag.get("turn"))
        elif isinstance(ev, RecordUpdated):
            self.record = dict(ev.record)
        elif isinstance(ev, ErrorEvent):
            self.notify(ev.message, title=f"错误 {ev.where}", severity="error", timeout=8)
        elif isinstance(ev, CallEnded):
            self.ended = True
            if self.store is not None and self.call_id:
                self.load_ids(self.call_id)
        self._show()

    def on_stream_ended(self, msg: StreamEnded) -> None:
        if msg.error:
            self.notify(msg.error, title="无法打开", severity="error", timeout=10)

    @work(thread=True, exclusive=True, group="load")
    def load_ids(self, call_id: str) -> None:
        """After a replay into the store, fetch the stored flags (their ids are needed for reviews)."""
        from copilot.store import load_call

        try:
            call = load_call(self.store, call_id)
        except Exception as exc:  # noqa: BLE001 - shown, the replay stays on screen
            self.post_message(LoadFailed(call_id, f"{type(exc).__name__}: {exc}"))
            return
        if call is not None:
            self.post_message(CallLoaded(call))

    def on_call_loaded(self, msg: CallLoaded) -> None:
        import json

        c = msg.call
        same = self.call_id == c["call"]["call_id"]
        before = [(f.get("review"), f.get("review_comment")) for f in self.flags] if same else []
        self._reset()
        self.ended = True
        self.call_id = c["call"]["call_id"]
        self.turns = [{k: u[k] for k in ("speaker", "start", "end", "text")} for u in c["utterances"]]
        self.flags = list(c["flags"])
        self.record = dict(c.get("record") or {})
        if c["call"].get("result_json"):
            self.result = json.loads(c["call"]["result_json"])
        tt, ft = self.query_one("#turns", DataTable), self.query_one("#flag-table", DataTable)
        tt.clear()
        ft.clear()
        for i, t in enumerate(self.turns):
            tt.add_row(*self._turn_row(t), key=str(i))
        for i in range(len(self.flags)):
            ft.add_row(*self._flag_row(i), key=str(i))
        for f in self.flags:
            self._mark_turn(f.get("turn"))
        if len(before) == len(self.flags):  # reviews made while the ids were loading: store them now
            for i, (verdict, comment) in enumerate(before):
                if verdict and not self.flags[i].get("review"):
                    self.flags[i]["review"], self.flags[i]["review_comment"] = verdict, comment
                    self.store_review(i, verdict, comment or "")
        self.position = max((t["end"] for t in self.turns), default=0.0)
        self._show()

    def on_load_failed(self, msg: LoadFailed) -> None:
        self.notify(msg.error, title="无法打开", severity="error", timeout=10)

    # ------------------------------------------------------------------ display
    @staticmethod
    def _turn_row(t: dict[str, Any]) -> tuple[str, str, str]:
        return clock(t["start"]), SPEAKER_ZH.get(t["speaker"], t["speaker"]), t["text"]

    def _flag_row(self, i: int) -> tuple[Any, ...]:
        f = self.flags[i]
        review = f.get("review")
        style = {"confirmed": "bold red", "dismissed": "dim"}.get(review or "", "")
        return (str(i + 1), clock(f.get("start") or 0.0), FLAG_ZH.get(f["code"], f["code"]),
                f.get("phrase") or "", Text(REVIEW_ZH.get(review, review), style=style))

    def _mark_turn(self, turn: int | None) -> None:
        if turn is None or turn >= len(self.turns):
            return
        table = self.query_one("#turns", DataTable)
        table.update_cell(str(turn), table.ordered_columns[0].key,
                          Text(f"● {clock(self.turns[turn]['start'])}", style="bold red"))

    def _show(self) -> None:
        dur = max([t["end"] for t in self.turns] + [self.position, 1.0])
        marks = [((f.get("start") or 0.0), f["code"]) for f in self.flags]
        self.query_one(Timeline).set(duration=dur, position=self.position, marks=marks, current=self.current)
        state = "回放完毕" if self.ended else ("回放中…" if self.call_id else "未打开（按 o 打开）")
        done = sum(1 for f in self.flags if f.get("review"))
        self.query_one("#replay-title", Static).update(
            Text.assemble(("质检回放 ", "bold"), (self.call_id or "—", "bold"),
                          f"  {state}  标记 {len(self.flags)} 个，已审核 {done} 个"))
        detail = self.query_one("#flag-detail", Static)
        if self.current is None or self.current >= len(self.flags):
            detail.update(Text("按 n 跳到第一个标记", style="dim"))
            return
        f = self.flags[self.current]
        lines = Text.assemble((f"[{self.current + 1}/{len(self.flags)}] {FLAG_ZH.get(f['code'], f['code'])}", "bold"),
                              f"  {clock(f.get('start') or 0.0)}  原话：{f.get('text') or '—'}\n")
        if f.get("suggestion"):
            lines.append(f"建议：{f['suggestion']}\n", "green")
        lines.append(f"审核：{REVIEW_ZH.get(f.get('review'), f.get('review'))}"
                     + (f"（{f['review_comment']}）" if f.get("review_comment") else ""))
        detail.update(lines)

    def _goto(self, i: int) -> None:
        self.current = i
        ft = self.query_one("#flag-table", DataTable)
        ft.move_cursor(row=i)
        turn = self.flags[i].get("turn")
        if turn is not None and turn < len(self.turns):
            self.query_one("#turns", DataTable).move_cursor(row=turn)
        self._show()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "flag-table" and event.data_table.has_focus and event.cursor_row < len(self.flags):
            if self.current != event.cursor_row:
                self.current = event.cursor_row
                self._show()

    # ------------------------------------------------------------------ keys
    def action_next_flag(self) -> None:
        if not self.flags:
            self.notify("没有标记", severity="warning")
            return
        self._goto(0 if self.current is None else min(self.current + 1, len(self.flags) - 1))

    def action_prev_flag(self) -> None:
        if not self.flags:
            self.notify("没有标记", severity="warning")
            return
        self._goto(0 if self.current is None else max(self.current - 1, 0))

    def action_review(self, verdict: str) -> None:
        if self.current is None:
            self.notify("请先用 n/p 选中一个标记", severity="warning")
            return
        i = self.current
        what = "确认" if verdict == "confirmed" else "驳回"

        def done(comment: str | None) -> None:
            if comment is not None:
                self.store_review(i, verdict, comment)

        self.app.push_screen(PromptScreen(f"{what}标记 {i + 1}：请输入审核意见（可空，回车保存）"), done)

    @work(thread=True, group="review")
    def store_review(self, i: int, verdict: str, comment: str) -> None:
        from copilot.store import review_flag

        flag_id = self.flags[i].get("id")
        stored = False
        if self.store is not None and flag_id is not None:
            try:
                review_flag(self.store, flag_id, verdict, comment)
                stored = True
            except user_errors() as exc:
                self.post_message(LoadFailed(f"flag {flag_id}", str(exc)))
        self.post_message(FlagReviewed(i, verdict, comment, stored))

    def on_flag_reviewed(self, msg: FlagReviewed) -> None:
        f = self.flags[msg.index]
        f["review"], f["review_comment"] = msg.verdict, msg.comment
        self.query_one("#flag-table", DataTable).update_cell(
            str(msg.index), self.query_one("#flag-table", DataTable).ordered_columns[4].key,
            self._flag_row(msg.index)[4])
        self.notify(("已存入数据库" if msg.stored else "未存入数据库（仅在导出中）"),
                    title=f"标记 {msg.index + 1}：{REVIEW_ZH[msg.verdict]}", timeout=4)
        self._show()

    def action_export(self) -> None:
        if not self.call_id:
            self.notify("没有可导出的通话", severity="warning")
            return
        self.export(self.config.export_dir)

    @work(thread=True, group="export")
    def export(self, out_dir: Path) -> None:
        from copilot.review_export import review_document, write_review

        doc = review_document(self.call_id or "call", self.turns, self.flags, self.record, self.result)
        try:
            j, h = write_review(doc, out_dir)
        except OSError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="导出失败", severity="error")
            return
        self.app.call_from_thread(self.notify, f"{j}\n{h}", title="已导出", timeout=6)

    def action_open(self) -> None:
        def done(value: str | None) -> None:
            if not value:
                return
            value = value.strip()
            p = Path(value).expanduser()
            if p.suffix or p.exists() or "/" in value:
                self.start_replay(SourceSpec.for_path(p, pace=self.source.pace if self.source else "whole"))
            else:
                self.load_stored(value)

        self.app.push_screen(PromptScreen("打开：录音/转写文件路径，或已存通话编号", placeholder="FX-07 或 path.json"), done)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("质检回放", self.BINDINGS))
