"""The live assist screen driven with Pilot on a real fixture call through the real pipeline."""

from __future__ import annotations

import json

import pytest
from tui_helpers import FX07, FX12, notes, text_of, wait_for

from copilot.analysis import analyze_transcript
from copilot.events import CallStarted, LevelEvent, RecordUpdated, Suggestion, UtteranceEvent
from copilot.session.pipeline import CallPipeline, run_transcript
from copilot.session.source import SourceSpec
from copilot.store import load_call
from copilot.store.db import make_engine
from copilot.transcript import load_transcript
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import CallEvent, RecordSaved, RecordSaveFailed
from tui.screens.modals import HelpScreen
from tui.sources import list_stream
from tui.widgets.record import RecordForm

pytestmark = pytest.mark.anyio
CFG = TuiConfig(freeze_clock=True, retry_seconds=0.3)


def _spec(path=FX07):
    return SourceSpec(kind="transcript", path=str(path), pace="whole")


async def test_fixture_call_fills_flags_suggestions_record_and_saves(store, messages):
    app = make_app("live", source=_spec(), store=store, config=CFG)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.saved, what="record saved at end of call")
        events = [m.event for m in messages if isinstance(m, CallEvent)]
        assert isinstance(events[0], CallStarted) and events[0].call_id == "FX-07"
        assert any(isinstance(e, Suggestion) and e.kind == "greeting" for e in events)
        expected = analyze_transcript(load_transcript(FX07))
        assert [f.code for f in scr.query_one("#flags").flags] == [f["code"] for f in expected["flags"]]
        assert [f["code"] for f in expected["flags"]] == ["banned_phrase", "banned_phrase", "closing_missing"]
        n_turns = len(load_transcript(FX07).turns)
        flag_text = text_of(scr.query_one("#flags"))
        assert "禁止用语" in flag_text and "不归我们管" in flag_text and "结束语缺失" in flag_text
        tv = scr.query_one("#transcript")
        assert len(tv.texts) == n_turns
        banned_turns = {f["turn"] for f in expected["flags"] if f["code"] == "banned_phrase"}
        assert tv.flagged == {tv.turns[t] for t in banned_turns}  # the lines that raised a flag are tinted
        assert scr.query_one("#rec-summary").value.startswith("诉讼咨询")
        assert scr.query_one("#rec-referral").value == "银行"
        assert scr.query_one("#rec-service_type").value == "consultation"
        # the suggestion panel shows the correction of the last banned phrase (still fresh at the end)
        assert "不属于法院12368热线的服务范围" in text_of(scr.query_one("#suggestion"))
        assert "通话已结束" in text_of(scr.query_one("#status"))
        assert any(isinstance(m, RecordSaved) for m in messages)
        # the agent corrects a field and marks the call resolved: both are saved
        scr.query_one("#rec-caller_name").focus()
        await pilot.press(*"钱女士")
        await pilot.press("escape", "r")
        await wait_for(pilot, lambda: sum(isinstance(m, RecordSaved) for m in messages) >= 2, what="second save")
        rec = load_call(store, "FX-07")["record"]
        assert rec["resolved"] is True and rec["caller_name"] == "钱女士" and rec["referral"] == "银行"
        assert rec["edited_by_agent"] is True
        assert len(load_call(store, "FX-07")["utterances"]) == n_turns


def shown(tv):
    """The transcript's lines as drawn on screen now."""
    return [tv.render_line(y) for y in range(tv.size.height)]


async def test_greeting_first_partial_replaced_accept_copies(messages):
    evs = [CallStarted(t=0.0, call_id="T-1", source="device"),
           Suggestion(t=0.0, kind="greeting", text="您好！12368！请问有什么可以帮助您？", reason="接听后立即致问候语"),
           UtteranceEvent(t=1.0, speaker="agent", final=False, start=0.2, end=1.0, text="您好"),
           UtteranceEvent(t=2.0, speaker="agent", final=False, start=0.2, end=2.0, text="您好 幺三")]
    app = make_app("live", stream_factory=lambda: list_stream(evs), config=CFG)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: sum(isinstance(m, CallEvent) for m in messages) == 4)
        await pilot.pause(0.1)
        tv = scr.query_one("#transcript")
        assert list(tv.partials) == ["agent"]
        drawn = shown(tv)
        provisional = [strip for strip in drawn if "您好 幺三 …" in strip.text]
        assert len(provisional) == 1 and "座席" in provisional[0].text
        assert all(seg.style and seg.style.italic for seg in provisional[0] if seg.text.strip())  # drawn as provisional
        assert "问候语" in text_of(scr.query_one("#suggestion"))
        await pilot.press("a")
        await wait_for(pilot, lambda: any("已复制" in n for n in notes(app)), what="copied notification")
        assert app.clipboard == "您好！12368！请问有什么可以帮助您？"
        final = UtteranceEvent(t=3.0, speaker="agent", final=True, start=0.2, end=3.0,
                               text="您好！12368！请问有什么可以帮助您？", turn=0)
        scr.post_message(CallEvent(final))
        await wait_for(pilot, lambda: not tv.partials, what="partial replaced")
        await pilot.pause(0.1)
        drawn = [strip for strip in shown(tv) if strip.text.strip()]
        assert len(tv.lines) == 1 and len(drawn) == 1 and "12368" in drawn[0].text and "…" not in drawn[0].text
        assert not any(seg.style and seg.style.italic for seg in drawn[0] if seg.text.strip())
        # the agent has greeted: the greeting suggestion is no longer the one shown
        assert scr.board.current(3.0) is None


async def test_unticking_callback_stores_false_and_a_caller_not_yet_heard_has_no_role(store, messages):
    evs = [CallStarted(t=0.0, call_id="T-4", source="device"),
           RecordUpdated(t=3.0, record={"caller_role": None, "summary": "", "callback_required": False}),
           RecordUpdated(t=9.0, record={"caller_role": "party", "summary": "联系法官：留言",
                                        "callback_required": True})]
    app = make_app("live", stream_factory=lambda: list_stream(evs), store=store, config=CFG)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        form = scr.query_one(RecordForm)
        await wait_for(pilot, lambda: form.values.get("caller_role") == "party", what="second record")
        box = scr.query_one("#rec-callback_required")
        assert box.value is True
        box.focus()
        await pilot.press("space", "escape", "s")
        await wait_for(pilot, lambda: any(isinstance(m, RecordSaved) for m in messages), what="saved")
        rec = load_call(store, "T-4")["record"]
        assert rec["callback_required"] is False and rec["caller_role"] == "party"


async def test_a_record_without_a_role_shows_the_prompt():
    evs = [CallStarted(t=0.0, call_id="T-5", source="device"),
           RecordUpdated(t=3.0, record={"caller_role": None, "summary": ""})]
    app = make_app("live", stream_factory=lambda: list_stream(evs), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: "caller_role" in scr.query_one(RecordForm).values, what="record")
        assert scr.query_one("#rec-caller_role").is_blank()


async def test_the_level_meter_shows_the_callers_speech_level():
    evs = [CallStarted(t=0.0, call_id="T-3", source="device"),
           LevelEvent(t=1.0, speaker="caller", level_db=None),
           LevelEvent(t=2.0, speaker="agent", level_db=-21.0),
           LevelEvent(t=3.0, speaker="caller", level_db=-24.4)]
    app = make_app("live", stream_factory=lambda: list_stream(evs), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.status.level_db is not None, what="caller level")
        await pilot.pause(0.1)
        assert scr.status.level_db == -24.4  # the agent's level is not the caller's
        assert "来电音量 █████░░░ -24dB" in text_of(scr.query_one("#status"))


async def test_silent_caller_countdown_and_help_lists_every_key():
    from copilot.events import Acoustic

    evs = [CallStarted(t=0.0, call_id="T-2", source="device"),
           Acoustic(t=9.0, speaker="caller", kind="silence", seconds=5.0, level_db=-62.0),
           Suggestion(t=9.0, kind="script", text="您好！12368！请问有什么可以帮您？", reason="来电人无声 5 秒")]
    app = make_app("live", stream_factory=lambda: list_stream(evs), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.status.silent_since is not None)
        await pilot.pause(0.1)
        status = text_of(scr.query_one("#status"))
        assert "来电无声 5s，5s 后致无声电话结束语并挂机" in status and "-62dB" in status
        assert "情景话术" in text_of(scr.query_one("#suggestion"))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descs = {d for _, d in app.screen.rows}
        assert {b.description for b in scr.BINDINGS} <= descs


async def test_store_failure_keeps_record_on_screen_and_retries(store, tmp_path, messages):
    db = tmp_path / "copilot.store.db"
    ro = make_engine(f"sqlite:///file:{db}?mode=ro&uri=true")  # tables exist; every write fails
    app = make_app("live", source=_spec(), store=ro, config=CFG)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: sum(isinstance(m, RecordSaveFailed) for m in messages) >= 2,
                       what="a failed save and its automatic retry")
        assert "readonly" in next(m for m in messages if isinstance(m, RecordSaveFailed)).error
        assert scr.query_one("#rec-referral").value == "银行"
        assert scr.query_one("#rec-summary").value.startswith("诉讼咨询")
        assert "保存失败" in text_of(scr.query_one("#status"))
        assert any("通话记录保存失败" in n for n in notes(app))
        n = sum(isinstance(m, RecordSaveFailed) for m in messages)
        await pilot.press("s")
        await wait_for(pilot, lambda: sum(isinstance(m, RecordSaveFailed) for m in messages) > n)
        assert load_call(store, "FX-07") is None
    ro.dispose()


async def test_missing_file_notifies_and_app_keeps_running(tmp_path):
    app = make_app("live", source=_spec(tmp_path / "nope.json"), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: any("nope.json" in n for n in notes(app)), what="error notification")
        assert app.is_running
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_corrupt_transcript_notifies(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"call_id": "X", "turns": [{"speaker": "robot"', encoding="utf-8")
    app = make_app("live", source=_spec(bad), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: any("bad.json" in n for n in notes(app)), what="error notification")
        assert app.is_running and "来源出错" in text_of(app.screen.query_one("#status"))


async def test_closing_suggestion_comes_in_the_event_stream_and_the_panel_never_repeats_words(capsys):
    from copilot.cli import main

    assert main(["replay", str(FX07), "--events", "--no-store"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    closing = [x for x in lines if x["type"] == "suggestion" and x["kind"] == "closing"]
    said_end = next(x for x in lines if x["type"] == "utterance" and x.get("final") and x["text"] == "那好吧。")
    assert len(closing) == 1 and closing[0]["t"] == said_end["t"] and "再见" in closing[0]["text"]

    tr = load_transcript(FX12)
    events = list(run_transcript(tr, CallPipeline(tr.call_id), pace="whole"))
    greeting_fix = next(i for i, e in enumerate(events) if isinstance(e, Suggestion) and e.t > 0)
    app = make_app("live", stream_factory=lambda: list_stream(events[:greeting_fix + 1]), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.status.now >= events[greeting_fix].t)
        await pilot.pause(0.2)
        panel = text_of(scr.query_one("#suggestion"))
        assert panel.count("您好！12368！请问有什么可以帮助您？") == 1, panel


async def test_checklist_ticks_fill_themselves_and_the_ticks_become_the_outcome(store, messages):
    from sqlmodel import Session

    from copilot.store.matters import OutcomeRow

    app = make_app("live", source=_spec(FX12), store=store, config=CFG)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.saved, what="record saved at end of call")
        states = scr.query_one("#checklist").states()
        assert states["核实来电人身份（当事人、代理人或辩护人）和案号"] == "done"
        assert states["联系不上的，留言法官，并告知来电人法官会在规定时间内回复（回电）"] == "missed"
        assert states["记录来电人的联系电话"] == "open"
        assert "✔" in text_of(scr.query_one("#checklist")) and "✘" in text_of(scr.query_one("#checklist"))
        scr.query_one("#rec-phone").focus()
        await pilot.press(*"13812345678")
        assert scr.query_one("#checklist").states()["记录来电人的联系电话"] == "done"  # the agent's entry ticks it
        scr.query_one("#rec-callback_required").value = True
        await pilot.press("escape", "r")
        await wait_for(pilot, lambda: sum(isinstance(m, RecordSaved) for m in messages) >= 2, what="second save")
        with Session(store) as s:
            row = s.get(OutcomeRow, "FX-12")
        assert row is not None and row.completed and row.reply_due_at is not None
        assert row.service_type == "contact_judge" and row.replied_at is None
