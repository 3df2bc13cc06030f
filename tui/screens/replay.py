"""Replay for quality inspection: a recording, a transcript or a stored call, flag by flag.

The header says what the call was (service type in Chinese with confidence and secondary needs), its
score (the reviewed score, saying how reviews changed it), agent, date and duration. The transcript wraps
every line; beside it the flags, the handling checklist of the call's type (done / not done / open) and
the call record, which the inspector may correct and save (``s``).

The inspector steps through the flags (n/p), confirms or dismisses each with a note (c/d), adds a flag
the copilot missed on the selected turn (a); every review is stored with the reviewer's name and time
(``copilot.store.reviews``) and the score follows at once. When the call has a recording, ``space`` plays the
selected utterance (or, in the flag list, from the selected flag) and ``l`` chooses both channels, the
agent or the caller; the timeline follows playback. Export (x) writes JSON and a self-contained HTML page.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from copilot.errors import CopilotError, user_errors
from copilot.events import (
    CallEnded,
    CallStarted,
    ErrorEvent,
    FlagRaised,
    RecordUpdated,
    ServiceTypeChanged,
    UtteranceEvent,
)
from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH
from copilot.session.source import AUDIO_EXT, SourceSpec
from copilot.store.reviews import REVIEW_ZH, describe
from tui.config import TuiConfig
from tui.messages import CallEvent, CallLoaded, FlagReviewed, LoadFailed, StreamEnded
from tui.screens.modals import AddFlagScreen, HelpScreen, PromptScreen
from tui.screens.pump import pump
from tui.sources import open_stream
from tui.widgets.checklist import ChecklistView
from tui.widgets.record import RecordForm
from tui.widgets.timeline import Timeline
from tui.widgets.transcript import SPEAKER_ZH, clock
from tui.widgets.wrap import Wrapped

log = logging.getLogger(__name__)
SPEAKER_STYLE = {"agent": "bold dodger_blue1", "caller": "bold dark_orange"}


def _when(started_at: str | None) -> str:
    if not started_at:
        return "—"
    try:
        return datetime.fromisoformat(started_at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started_at[:16]


class ReplayScreen(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("n", "next_flag", "下一个标记"),
        Binding("p", "prev_flag", "上一个标记"),
        Binding("c", "review('confirmed')", "确认标记"),
        Binding("d", "review('dismissed')", "驳回标记"),
        Binding("a", "add_flag", "补充标记"),
        Binding("space", "play", "播放/停止"),
        Binding("l", "channels", "声道"),
        Binding("s", "save_record", "保存记录"),
        Binding("x", "export", "导出"),
        Binding("o", "open", "打开"),
        Binding("escape", "leave_input", "离开输入框", show=False),
        Binding("question_mark,f1", "help", "帮助"),
        Binding("q", "app.quit", "退出"),
    ]

    def __init__(self, *, source: SourceSpec | None = None, call_id: str | None = None, store: Any = None,
                 config: TuiConfig | None = None, audio_backend: Any = None) -> None:
        super().__init__()
        self.source = source
        self.initial_call = call_id
        self.store = store
        self.config = config or TuiConfig()
        self.audio_backend = audio_backend
        """A sounddevice-like module for playback (tests); None: the real sounddevice."""
        self.stream: Any = None
        self.player: Any = None
        self.channels = "both"
        self._reset()

    def _reset(self) -> None:
        self.call_id: str | None = None
        self.turns: list[dict[str, Any]] = []
        self.flags: list[dict[str, Any]] = []
        self.record: dict[str, Any] = {}
        self.result: dict[str, Any] | None = None
        self.info: dict[str, Any] = {}
        """service_type, confidence, service_types, agent_id, started_at (from events or the store)."""
        self.current: int | None = None
        self.position = 0.0
        self.ended = False
        self.audio_path: str | None = None
        self.agent_channel = 0
        self.play_position: float | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="replay-title")
        yield Timeline(id="timeline")
        with Horizontal(id="replay-main"):
            with Vertical(id="replay-turns"):
                yield Label("通话内容", classes="section")
                yield OptionList(id="turns")
            with VerticalScroll(id="replay-side"):
                yield Label("标记（n/p 跳转，c 确认，d 驳回）", classes="section")
                yield OptionList(id="flag-table")
                yield Static(id="flag-detail")
                yield Label("处置要点", classes="section")
                yield ChecklistView(id="checklist")
                yield Label("通话记录（可修改，s 保存）", classes="section")
                yield RecordForm(id="record")
        yield Footer()

    def on_mount(self) -> None:
        self._show()
        if self.source is not None:
            self.start_replay(self.source)
        elif self.initial_call:
            self.load_stored(self.initial_call)
        self.query_one("#turns", OptionList).focus()

    def on_unmount(self) -> None:
        if self.player is not None:
            self.player.stop()

    # ------------------------------------------------------------------ loading
    def start_replay(self, spec: SourceSpec) -> None:
        self._stop_playback()
        self._reset()
        self.player = None
        if spec.kind == "audio" and spec.path:
            self.audio_path, self.agent_channel = spec.path, spec.agent_channel
        self.query_one("#turns", OptionList).clear_options()
        self.query_one("#flag-table", OptionList).clear_options()
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
            self.info["started_at"] = ev.started_at
        elif isinstance(ev, UtteranceEvent) and ev.final:
            turn = {"speaker": ev.speaker, "start": ev.start, "end": ev.end, "text": ev.text}
            self.turns.append(turn)
            self.query_one("#turns", OptionList).add_option(Option(self._turn_prompt(len(self.turns) - 1)))
        elif isinstance(ev, ServiceTypeChanged):
            self.info.update(service_type=ev.service_type, confidence=ev.confidence,
                             service_types=list(ev.service_types))
            self.query_one(RecordForm).set_service_type(ev.service_type)
        elif isinstance(ev, FlagRaised):
            flag = ev.flag.to_dict(span=True) | {"id": None, "review": None, "review_comment": None}
            self.flags.append(flag)
            self.query_one("#flag-table", OptionList).add_option(Option(self._flag_prompt(len(self.flags) - 1)))
            self._mark_turn(flag.get("turn"))
        elif isinstance(ev, RecordUpdated):
            self.record = dict(ev.record)
            self.query_one(RecordForm).fill(self.record)
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
            return
        result = getattr(self.stream, "result", None)
        if result is not None and self.result is None:
            self.result = result
            self.info.setdefault("agent_id", result.get("agent_id"))
            self._show()

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
        c = msg.call
        same = self.call_id == c["call"]["call_id"]
        before = [(f.get("review"), f.get("review_comment")) for f in self.flags] if same else []
        audio, channel = (self.audio_path, self.agent_channel) if same else (None, 0)
        keep_info = dict(self.info) if same else {}
        self._reset()
        self.ended = True
        row = c["call"]
        self.call_id = row["call_id"]
        self.turns = [{k: u[k] for k in ("speaker", "start", "end", "text")} for u in c["utterances"]]
        self.flags = list(c["flags"])
        self.record = dict(c.get("record") or {})
        if row.get("result_json"):
            self.result = json.loads(row["result_json"])
        res = self.result or {}
        self.info = keep_info | {k: v for k, v in {
            "service_type": row.get("service_type") or res.get("service_type"),
            "confidence": res.get("confidence"),
            "service_types": res.get("service_types") or json.loads(row.get("service_types") or "[]"),
            "agent_id": row.get("agent_id"), "started_at": row.get("started_at")}.items() if v is not None}
        source = row.get("source") or ""
        kept = row.get("audio_path") or ""
        if audio:
            self.audio_path, self.agent_channel = audio, channel
        elif kept and Path(kept).is_file():  # kept by `copilot serve --store-audio`: agent on channel 0
            self.audio_path = kept
        elif Path(source).suffix.lower() in AUDIO_EXT and Path(source).is_file():
            self.audio_path = source
        tt, ft = self.query_one("#turns", OptionList), self.query_one("#flag-table", OptionList)
        tt.clear_options()
        ft.clear_options()
        tt.add_options([Option(self._turn_prompt(i)) for i in range(len(self.turns))])
        ft.add_options([Option(self._flag_prompt(i)) for i in range(len(self.flags))])
        form = self.query_one(RecordForm)
        form.edited.clear()
        form.fill(self.record)
        if self.info.get("service_type"):
            form.set_service_type(self.info["service_type"])
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
    def _flagged_turns(self) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for f in self.flags:
            if f.get("turn") is not None:
                out.setdefault(f["turn"], []).append(f)
        return out

    def _turn_prompt(self, i: int) -> Wrapped:
        t = self.turns[i]
        flags = [f for f in self.flags if f.get("turn") == i]
        live = [f for f in flags if f.get("review") != "dismissed"]
        mark = ("● ", "bold red") if live else (("○ ", "dim") if flags else ("  ", ""))
        line = Text.assemble(mark, (f"{SPEAKER_ZH.get(t['speaker'], t['speaker'])} ", SPEAKER_STYLE.get(t["speaker"], "")),
                             (f"{clock(t['start'])} ", "dim"), t["text"])
        if self.play_position is not None and t["start"] <= self.play_position < t["end"]:
            line.stylize("reverse")
        return Wrapped(line, indent=2)

    def _flag_prompt(self, i: int) -> Wrapped:
        f = self.flags[i]
        review = "added" if f.get("origin") == "inspector" else f.get("review")
        style = {"confirmed": "bold red", "dismissed": "dim strike", "added": "bold magenta"}.get(review or "", "")
        where = "整通" if f.get("turn") is None else f"第{f['turn'] + 1}轮"
        said = f"「{f['phrase']}」" if f.get("phrase") else ""
        line = Text.assemble((f"{i + 1}. ", "bold"), (FLAG_ZH.get(f["code"], f["code"]), style or "bold"),
                             f" {where} {clock(f.get('start') or 0.0)} {said}")
        line.append(f"［{REVIEW_ZH.get(review, review)}］", style or "dim")
        if f.get("stale"):
            line.append("［不再触发］", "yellow")
        return Wrapped(line, indent=3)

    def _mark_turn(self, turn: int | None) -> None:
        if turn is not None and turn < len(self.turns):
            self.query_one("#turns", OptionList).replace_option_prompt_at_index(turn, self._turn_prompt(turn))

    def _refresh_flag(self, i: int) -> None:
        self.query_one("#flag-table", OptionList).replace_option_prompt_at_index(i, self._flag_prompt(i))
        self._mark_turn(self.flags[i].get("turn"))

    def _score(self) -> dict[str, Any] | None:
        return (self.result or {}).get("score")

    def _header(self) -> Text:
        i = self.info
        st = i.get("service_type")
        t = Text.assemble(("质检回放 ", "bold"), (self.call_id or "—", "bold"), "  ")
        if st:
            t.append(SERVICE_TYPE_ZH.get(st, st), "bold reverse")
            if i.get("confidence") is not None:
                t.append(f" {i['confidence']:.0%}", "dim")
            others = [SERVICE_TYPE_ZH.get(x, x) for x in i.get("service_types") or [] if x != st]
            if others:
                t.append(f"（另：{'、'.join(others)}）")
        else:
            t.append("类型：—", "dim")
        score = self._score()
        t.append("  评分 ")
        if score:
            t.append(f"{score['total']:g}/{score['max']}", "bold green" if score["total"] >= 80 else "bold red")
        else:
            t.append("—", "dim")
        dur = max((x["end"] for x in self.turns), default=0.0)
        t.append(f"  座席 {i.get('agent_id') or '—'}  {_when(i.get('started_at'))}  时长 {clock(dur)}")
        state = "回放完毕" if self.ended else ("回放中…" if self.call_id else "未打开（按 o 打开）")
        done = sum(1 for f in self.flags if f.get("review"))
        t.append(f"\n{state} · 标记 {len(self.flags)} 个，已审核 {done} 个", "dim")
        case = self.record.get("case_number")
        if case:
            t.append(" · 案号 ", "dim")
            t.append(str(case), "bold")
        how = describe(score) if score else ""
        if how:
            t.append(f" · {how}", "magenta")
        if self.audio_path:
            from tui.player import CHANNEL_ZH

            t.append(f" · 录音 {CHANNEL_ZH[self.channels]}", "dim")
        return t

    def _show(self) -> None:
        dur = max([t["end"] for t in self.turns] + [self.position, 1.0])
        marks = [((f.get("start") or 0.0), f["code"]) for f in self.flags]
        pos = self.play_position if self.play_position is not None else self.position
        self.query_one(Timeline).set(duration=dur, position=pos, marks=marks, current=self.current)
        self.query_one("#replay-title", Static).update(Wrapped(self._header()))
        self.query_one(ChecklistView).show(self.info.get("service_types") or
                                           ([self.info["service_type"]] if self.info.get("service_type") else []),
                                           {**self.record, **self.query_one(RecordForm).record()}, self.flags)
        detail = self.query_one("#flag-detail", Static)
        if self.current is None or self.current >= len(self.flags):
            detail.update(Wrapped(Text("按 n 跳到第一个标记" if self.flags else "（无标记；a 可补充）", style="dim")))
            return
        f = self.flags[self.current]
        lines = Text.assemble((f"[{self.current + 1}/{len(self.flags)}] {FLAG_ZH.get(f['code'], f['code'])}", "bold"),
                              f"  原话：{f.get('text') or '—'}\n")
        if f.get("suggestion"):
            lines.append(f"建议：{f['suggestion']}\n", "green")
        review = "added" if f.get("origin") == "inspector" else f.get("review")
        lines.append(f"审核：{REVIEW_ZH.get(review, review)}"
                     + (f" {f['reviewer']}" if f.get("reviewer") else "")
                     + (f"（{f['review_comment']}）" if f.get("review_comment") else ""))
        detail.update(Wrapped(lines))

    def _goto(self, i: int) -> None:
        self.current = i
        self.query_one("#flag-table", OptionList).highlighted = i
        turn = self.flags[i].get("turn")
        if turn is not None and turn < len(self.turns):
            self.query_one("#turns", OptionList).highlighted = turn
        self._show()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "flag-table" and event.option_list.has_focus and event.option_index < len(self.flags):
            if self.current != event.option_index:
                self.current = event.option_index
                turn = self.flags[self.current].get("turn")
                if turn is not None and turn < len(self.turns):
                    self.query_one("#turns", OptionList).highlighted = turn
                self._show()

    @property
    def selected_turn(self) -> int | None:
        return self.query_one("#turns", OptionList).highlighted

    # ------------------------------------------------------------------ keys: flags and reviews
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
                self.flags[i]["review"], self.flags[i]["review_comment"] = verdict, comment
                self.store_review(i, verdict, comment)

        self.app.push_screen(PromptScreen(f"{what}标记 {i + 1}：请输入审核意见（可空，回车保存）"), done)

    @work(thread=True, group="review")
    def store_review(self, i: int, verdict: str, comment: str) -> None:
        from copilot.store.reviews import current_user, review

        flag_id = self.flags[i].get("id")
        stored, score = False, None
        if self.store is not None and flag_id is not None:
            try:
                score = review(self.store, flag_id, verdict, comment, reviewer=self.config.reviewer or current_user())
                stored = True
            except user_errors() as exc:
                self.post_message(LoadFailed(f"flag {flag_id}", str(exc)))
        self.post_message(FlagReviewed(i, verdict, comment, stored, score=score))

    def _local_score(self) -> dict[str, Any] | None:
        """The reviewed score computed here (a call that is not in the database)."""
        from copilot.store.reviews import reviewed_score

        if not self.result:
            return None
        silent = not any(t["speaker"] == "caller" and t["text"].strip() for t in self.turns)
        return reviewed_score(self.result, self.flags, [], silent=silent)

    def on_flag_reviewed(self, msg: FlagReviewed) -> None:
        from copilot.store.reviews import current_user

        f = self.flags[msg.index]
        f["review"], f["review_comment"] = msg.verdict, msg.comment
        f.setdefault("reviewer", None)
        f["reviewer"] = f["reviewer"] or self.config.reviewer or current_user()
        score = msg.score or self._local_score()
        if score is not None and self.result is not None:
            self.result["score"] = score
        self._refresh_flag(msg.index)
        self.notify(("已存入数据库" if msg.stored else "未存入数据库（仅在导出中）")
                    + (f"；评分 {score['total']:g}" if score else ""),
                    title=f"标记 {msg.index + 1}：{REVIEW_ZH[msg.verdict]}", timeout=4)
        self._show()

    def action_add_flag(self) -> None:
        if not self.turns:
            self.notify("还没有通话内容", severity="warning")
            return
        turn = self.selected_turn

        def done(value: tuple[str, int | None, str] | None) -> None:
            if value is not None:
                self.store_added(*value)

        self.app.push_screen(AddFlagScreen(len(self.turns), turn), done)

    @work(thread=True, group="review")
    def store_added(self, code: str, turn: int | None, note: str) -> None:
        from copilot.store.reviews import add_flag, current_user

        who = self.config.reviewer or current_user()
        t = self.turns[turn] if turn is not None else {}
        flag = {"id": None, "code": code, "turn": turn, "speaker": t.get("speaker", "agent"), "start": t.get("start"),
                "text": t.get("text", ""), "phrase": "", "suggestion": "", "review": "confirmed",
                "review_comment": note, "reviewer": who, "origin": "inspector", "stale": False}
        score = None
        if self.store is not None and self.call_id:
            try:
                flag["id"], score = add_flag(self.store, self.call_id, code, turn, note, reviewer=who)
            except user_errors() as exc:
                self.post_message(LoadFailed(code, str(exc)))
                return
        self.app.call_from_thread(self._added, flag, score)

    def _added(self, flag: dict[str, Any], score: dict[str, Any] | None) -> None:
        self.flags.append(flag)
        score = score or self._local_score()
        if score is not None and self.result is not None:
            self.result["score"] = score
        self.query_one("#flag-table", OptionList).add_option(Option(self._flag_prompt(len(self.flags) - 1)))
        self._mark_turn(flag.get("turn"))
        self.current = len(self.flags) - 1
        self.notify(("已存入数据库" if flag["id"] is not None else "未存入数据库（仅在导出中）")
                    + (f"；评分 {score['total']:g}" if score else ""),
                    title=f"已补充标记：{FLAG_ZH.get(flag['code'], flag['code'])}", timeout=4)
        self._show()

    # ------------------------------------------------------------------ record
    def on_input_changed(self) -> None:
        self._show()

    def on_checkbox_changed(self) -> None:
        self._show()

    def action_save_record(self) -> None:
        if self.store is None or not self.call_id:
            self.notify("未连接数据库，修改只在屏幕上和导出中", severity="warning")
            return
        self._save_record(self.call_id, self.query_one(RecordForm).record())

    @work(thread=True, group="save")
    def _save_record(self, call_id: str, record: dict[str, Any]) -> None:
        from copilot.session.record_save import save_record

        try:
            save_record(self.store, call_id, record, resolved=bool(record.get("resolved")),
                        service_type=record.get("service_type"), edited=True)
        except user_errors() as exc:
            self.app.call_from_thread(self.notify, str(exc), title="保存失败", severity="error")
            return
        self.app.call_from_thread(self.notify, f"通话记录已保存（{call_id}）", timeout=4)

    def action_leave_input(self) -> None:
        self.query_one("#turns", OptionList).focus()

    # ------------------------------------------------------------------ listening
    def action_channels(self) -> None:
        from tui.player import CHANNEL_ZH, CHANNELS

        self.channels = CHANNELS[(CHANNELS.index(self.channels) + 1) % len(CHANNELS)]
        self.notify(f"播放声道：{CHANNEL_ZH[self.channels]}", timeout=3)
        self._show()

    def _span(self) -> tuple[float, float] | None:
        """What ``space`` plays: from the selected flag to the end of its turn (flag list focused), else the
        selected utterance."""
        flags = self.query_one("#flag-table", OptionList)
        if flags.has_focus and self.current is not None:
            f = self.flags[self.current]
            start = f.get("start") or 0.0
            turn = f.get("turn")
            end = self.turns[turn]["end"] if turn is not None and turn < len(self.turns) else start + 10.0
            return start, max(end, start + 1.0)
        i = self.selected_turn if self.selected_turn is not None else 0  # nothing selected: the first utterance
        if i >= len(self.turns):
            return None
        return self.turns[i]["start"], self.turns[i]["end"]

    def action_play(self) -> None:
        if self.player is not None and self.player.playing:
            self._stop_playback()
            self.notify("已停止播放", timeout=2)
            return
        if not self.audio_path:
            self.notify("这通电话没有录音，无法播放", severity="warning")
            return
        span = self._span()
        if span is None:
            self.notify("请先选中一句话或一个标记", severity="warning")
            return
        from tui.player import CHANNEL_ZH, PlaybackError, Player

        try:
            if self.player is None:
                self.player = Player(self.audio_path, agent_channel=self.agent_channel, backend=self.audio_backend)
            self.player.play(*span, self.channels,
                             on_position=lambda p: self.app.call_from_thread(self._playing_at, p),
                             on_done=lambda err: self.app.call_from_thread(self._played, err))
        except PlaybackError as exc:
            self.notify(exc.message, title="无法播放", severity="error", timeout=8)
            return
        self.notify(f"播放 {clock(span[0])}–{clock(span[1])}（{CHANNEL_ZH[self.channels]}，space 停止）", timeout=3)

    def _playing_at(self, position: float) -> None:
        before = self._turn_at(self.play_position)
        self.play_position = position
        now = self._turn_at(position)
        for i in {before, now} - {None}:
            self.query_one("#turns", OptionList).replace_option_prompt_at_index(i, self._turn_prompt(i))
        self.query_one(Timeline).set(duration=max([t["end"] for t in self.turns] + [self.position, 1.0]),
                                     position=position, marks=[((f.get("start") or 0.0), f["code"]) for f in self.flags],
                                     current=self.current)

    def _turn_at(self, position: float | None) -> int | None:
        if position is None:
            return None
        return next((i for i, t in enumerate(self.turns) if t["start"] <= position < t["end"]), None)

    def _played(self, error: str | None) -> None:
        was = self._turn_at(self.play_position)
        self.play_position = None
        if was is not None:
            self.query_one("#turns", OptionList).replace_option_prompt_at_index(was, self._turn_prompt(was))
        if error:
            self.notify(error, title="播放中断", severity="error", timeout=8)
        self._show()

    def _stop_playback(self) -> None:
        if self.player is not None:
            self.player.stop()

    # ------------------------------------------------------------------ export, open, help
    def action_export(self) -> None:
        if not self.call_id:
            self.notify("没有可导出的通话", severity="warning")
            return
        self.export(self.config.export_dir)

    @work(thread=True, group="export")
    def export(self, out_dir: Path) -> None:
        from copilot.exports.review_export import review_document, write_review

        record = {**self.record, **self.query_one(RecordForm).record()}
        doc = review_document(self.call_id or "call", self.turns, self.flags, record, self.result)
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
                try:
                    spec = SourceSpec.for_path(p, pace=self.source.pace if self.source else "whole")
                except user_errors() as exc:  # an unsupported file type: say which types are accepted
                    self.notify(str(exc), title="无法打开", severity="error")
                    return
                self.start_replay(spec)
            else:
                self.load_stored(value)

        self.app.push_screen(PromptScreen("打开：录音/转写文件路径，或已存通话编号", placeholder="FX-07 或 path.json"), done)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("质检回放", self.BINDINGS))
