"""Live assist: what the agent sees during a call (transcript, status, suggested wording, flags, record)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label

from copilot.errors import user_errors
from copilot.events import (
    Acoustic,
    CallEnded,
    CallStarted,
    CaseCard,
    ErrorEvent,
    FlagRaised,
    LevelEvent,
    RecordUpdated,
    ServiceTypeChanged,
    Suggestion,
    UtteranceEvent,
)
from tui.config import TuiConfig
from tui.messages import CallEvent, RecordSaved, RecordSaveFailed, StreamEnded
from tui.screens.modals import HelpScreen
from tui.screens.pump import pump
from tui.suggest import SuggestionBoard
from tui.widgets.case_card import CaseCardView
from tui.widgets.checklist import ChecklistView
from tui.widgets.panels import FlagList, Status, StatusBar, SuggestionPanel
from tui.widgets.record import RecordForm
from tui.widgets.transcript import TranscriptView

log = logging.getLogger(__name__)
STORE_WHERE = ("store", "StoreSink")


class LiveScreen(Screen):
    """Consumes one event stream (any source) and keeps the agent's view of the call current."""

    BINDINGS = [
        Binding("a,f2", "accept", "采用建议(复制)"),
        Binding("r,f3", "resolved", "已办结"),
        Binding("s,f4", "save", "保存记录"),
        Binding("e,f10", "end_call", "结束通话"),
        Binding("escape", "leave_input", "离开输入框", show=False),
        Binding("question_mark,f1", "help", "帮助"),
        Binding("q", "app.quit", "退出"),
    ]

    def __init__(self, open_stream: Callable[[], Any] | None, *, store: Any = None,
                 config: TuiConfig | None = None, clock_rate: float | None = 1.0) -> None:
        super().__init__()
        self.open_stream = open_stream
        self.store = store
        self.config = config or TuiConfig()
        self.clock_rate = None if self.config.freeze_clock else clock_rate
        self.stream: Any = None
        self.status = Status()
        self.board = SuggestionBoard()
        self.service_types: list[str] = []
        self.call_id: str | None = None
        self.ended = False
        self.saved = False
        self._anchor: tuple[float, float] | None = None
        """(call time, monotonic wall time) of the latest event, for the ticking timer."""
        self._retry_timer: Any = None
        self._panels_pending = False
        self.painted: Callable[[float], None] | None = None
        """Benchmarks: called with each event's send time once the screen has refreshed after it."""

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="live-main"):
            with Vertical(id="live-left"):
                yield Label("通话内容", classes="section")
                yield TranscriptView(id="transcript")
            with VerticalScroll(id="live-right"):
                yield Label("建议话术", classes="section")
                yield SuggestionPanel(id="suggestion")
                yield Label("合规提示", classes="section")
                yield FlagList(id="flags")
                yield Label("处置要点", classes="section")
                yield ChecklistView(id="checklist")
                yield CaseCardView(id="case-card")
                yield Label("通话记录", classes="section")
                yield RecordForm(id="record")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_panels()
        self.query_one(FlagList).render_flags()
        self.query_one(TranscriptView).focus()
        if self.clock_rate:
            self.set_interval(1.0, self._tick)
        if self.open_stream is not None:
            self.status.state = "正在准备…"  # loading the ASR model can take a while
            self.refresh_panels()
            self.consume()

    # ------------------------------------------------------------------ the one event interface
    @work(exclusive=True, group="events")
    async def consume(self) -> None:
        await pump(self, self.open_stream)

    def on_call_event(self, msg: CallEvent) -> None:
        ev = msg.event
        if ev.t >= self.status.now or self._anchor is None:
            self._anchor = (ev.t, time.monotonic())
        self.status.now = max(self.status.now, ev.t)
        tv = self.query_one(TranscriptView)
        if isinstance(ev, UtteranceEvent):
            if ev.speaker == "caller":
                self.status.silent_since = None
            if ev.final:
                tv.final(ev.turn, ev.speaker, ev.start, ev.text)
                self.board.utterance(ev.speaker, ev.text, ev.t)
            else:
                tv.partial(ev.speaker, ev.start, ev.text)
        elif isinstance(ev, CaseCard) or (isinstance(ev, Suggestion) and ev.kind == "case_pick"):
            self.query_one(CaseCardView).show(ev)
        elif isinstance(ev, Suggestion):
            if ev.kind != "checklist":  # the checklist has its own tick boxes
                self.board.add(ev)
        elif isinstance(ev, FlagRaised):
            self.query_one(FlagList).add(ev)
            tv.mark(ev.turn)
        elif isinstance(ev, RecordUpdated):
            self.query_one(RecordForm).fill(ev.record)
        elif isinstance(ev, ServiceTypeChanged):
            self.status.service_type, self.status.confidence = ev.service_type, ev.confidence
            self.service_types = list(ev.service_types) or [ev.service_type]
            self.query_one(RecordForm).set_service_type(ev.service_type)
        elif isinstance(ev, Acoustic):
            self._acoustic(ev)
        elif isinstance(ev, LevelEvent):
            if ev.speaker == "caller" and ev.level_db is not None:
                self.status.level_db = ev.level_db
        elif isinstance(ev, ErrorEvent):
            if ev.where in STORE_WHERE:
                self.status.store_error = "数据库写入失败，记录保留在屏幕上"
            self.notify(f"{ev.message}", title=f"错误 {ev.where}", severity="error", timeout=8)
        elif isinstance(ev, CallStarted):
            self.call_id = ev.call_id
            self.status.state = "通话中"
            self.sub_title = ev.call_id
        elif isinstance(ev, CallEnded):
            self.ended = True
            self.status.state = "通话已结束" if ev.complete else "通话中断"
            self.save_record()
        self._panels_soon()
        if self.painted is not None:
            self.call_after_refresh(self.painted, msg.sent)

    def _panels_soon(self) -> None:
        """Redraw the status and suggestion panels once after the events already queued: under a burst
        of events the screen does the work once, not once per event."""
        if not self._panels_pending:
            self._panels_pending = True
            self.call_later(self._flush_panels)

    def _flush_panels(self) -> None:
        self._panels_pending = False
        self.refresh_panels()

    def _acoustic(self, ev: Acoustic) -> None:
        if ev.speaker != "caller":
            return
        if ev.level_db:
            self.status.level_db = ev.level_db
        if ev.kind == "silence":
            self.status.silent_since = ev.t - ev.seconds
        else:
            self.status.silent_since = None

    def on_stream_ended(self, msg: StreamEnded) -> None:
        if msg.error:
            self.notify(msg.error, title="无法读取来源", severity="error", timeout=10)
            if not self.ended:
                self.status.state = "来源出错"
        self.refresh_panels()

    def refresh_panels(self) -> None:
        self.query_one(StatusBar).show(self.status)
        self.query_one(SuggestionPanel).show(self.board.ranked(self.status.now))
        self.refresh_checklist()

    def refresh_checklist(self) -> None:
        """Tick the checklist from what the analysis has seen (flags, record fields) and the agent's edits."""
        flags = self.query_one(FlagList).flags
        record = self.query_one(RecordForm).values
        key = (len(flags), tuple(self.service_types), tuple((k, str(v)) for k, v in record.items()))
        if key == getattr(self, "_checklist_key", None):  # most events change none of it
            return
        self._checklist_key = key
        self.query_one(ChecklistView).show(self.service_types, dict(record), [{"code": f.code} for f in flags])

    def _tick(self) -> None:
        """Advance the call timer between events (live and paced replays; never in frozen tests)."""
        if self.ended or self._anchor is None or not self.clock_rate:
            return
        t, wall = self._anchor
        self.status.now = max(self.status.now, t + (time.monotonic() - wall) * self.clock_rate)
        self.refresh_panels()

    # ------------------------------------------------------------------ saving
    def save_record(self) -> None:
        if self.store is None or self.call_id is None:
            return
        form = self.query_one(RecordForm)
        rec = form.record()
        self._save(self.call_id, rec, bool(rec.get("resolved")), rec.get("service_type"), bool(form.edited))

    @work(thread=True, exclusive=True, group="save")
    def _save(self, call_id: str, record: dict[str, Any], resolved: bool, service_type: str | None,
              edited: bool) -> None:
        from copilot.session.record_save import save_record

        try:
            save_record(self.store, call_id, record, resolved=resolved, service_type=service_type, edited=edited)
        except user_errors() as exc:
            self.post_message(RecordSaveFailed(call_id, str(exc)))
        else:
            self.post_message(RecordSaved(call_id))

    def on_record_saved(self, msg: RecordSaved) -> None:
        self.saved = True
        self.status.store_error = None
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        self.refresh_panels()
        self.notify(f"通话记录已保存（{msg.call_id}）", timeout=4)

    def on_record_save_failed(self, msg: RecordSaveFailed) -> None:
        self.saved = False
        retry = self.config.retry_seconds
        self.status.store_error = f"保存失败，{retry:g} 秒后重试（按 s 立即重试）"
        self.refresh_panels()
        self.notify(msg.error, title="通话记录保存失败", severity="error", timeout=max(retry, 5.0))
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._retry_timer = self.set_timer(retry, self.save_record)

    # ------------------------------------------------------------------ keys
    def action_accept(self) -> None:
        s = self.board.current(self.status.now)
        if s is None:
            self.notify("暂无建议话术", severity="warning")
            return
        self.app.copy_to_clipboard(s.text)
        self.notify(s.text, title="已复制建议话术", timeout=4)

    def action_resolved(self) -> None:
        form = self.query_one(RecordForm)
        value = not bool(form.values.get("resolved"))
        form.set_resolved(value)
        self.notify("已标记为办结" if value else "已取消办结标记")
        if self.ended:
            self.save_record()

    def action_save(self) -> None:
        if self.store is None:
            self.notify("未连接数据库，记录只在屏幕上", severity="warning")
            return
        self.save_record()

    def action_end_call(self) -> None:
        if self.ended:
            self.save_record()
            return
        if self.stream is not None and hasattr(self.stream, "stop"):
            self.stream.stop()
            self.status.state = "正在结束…"
            self.refresh_panels()

    def on_input_changed(self) -> None:
        self.refresh_checklist()

    def on_checkbox_changed(self) -> None:
        self.refresh_checklist()

    def on_select_changed(self) -> None:
        self.refresh_checklist()

    def action_leave_input(self) -> None:
        self.query_one(TranscriptView).focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("座席助手", self.BINDINGS))
