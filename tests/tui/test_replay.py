"""The inspector's replay screen: what the call was, flags on a timeline, reviews that change the score,
a missed flag added, the record corrected, export."""

from __future__ import annotations

import json

import pytest
from textual.widgets import OptionList
from tui_helpers import FX07, FX12, notes, screen_lines, text_of, wait_for

from copilot.analysis import analyze_transcript
from copilot.session.source import SourceSpec
from copilot.store import load_call, save_result
from copilot.transcript import load_transcript
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import CallLoaded, FlagReviewed
from tui.screens.modals import AddFlagScreen, PromptScreen

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_header_type_score_case_checklist_and_wrapped_transcript(size):
    app = make_app("replay", source=SourceSpec(kind="transcript", path=str(FX12), pace="whole"),
                   config=TuiConfig(freeze_clock=True))
    async with app.run_test(size=size) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.ended and scr.result is not None, what="the call and its result")
        await pilot.pause(0.3)
        expected = analyze_transcript(load_transcript(FX12))
        head = text_of(scr.query_one("#replay-title"))
        assert "联系法官" in head and f"评分 {expected['score']['total']:g}/100" in head
        assert "2026-03-09 15:03" in head and "时长 00:40" in head
        assert "（2025）浙0503民初975号" in head
        shown = "".join(screen_lines(app, scr.query_one("#turns")))
        for turn in load_transcript(FX12).turns:  # every sentence on screen whole, however narrow
            assert turn.text.replace(" ", "") in shown.replace(" ", ""), turn.text
        states = scr.query_one("#checklist").states()
        assert states["联系不上的，留言法官，并告知来电人法官会在规定时间内回复（回电）"] == "missed"
        assert states["核实来电人身份（当事人、代理人或辩护人）和案号"] == "done"
        assert scr.query_one("#rec-case_number").value == "（2025）浙0503民初975号"
        assert scr.query_one("#rec-service_type").value == "contact_judge"


async def test_confirm_and_dismiss_are_stored_change_the_score_and_are_exported(store, tmp_path, messages):
    cfg = TuiConfig(freeze_clock=True, export_dir=tmp_path / "out", reviewer="张质检")
    app = make_app("replay", source=SourceSpec(kind="transcript", path=str(FX07), pace="whole"), store=store,
                   config=cfg)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: any(isinstance(m, CallLoaded) for m in messages), what="stored flag ids")
        expected = analyze_transcript(load_transcript(FX07))
        assert [f["code"] for f in scr.flags] == ["banned_phrase", "banned_phrase", "closing_missing"]
        assert scr.query_one("#timeline").marks == [(f["start"], f["code"]) for f in expected["flags"]]
        assert f"评分 {expected['score']['total']:g}/100" in text_of(scr.query_one("#replay-title"))
        await pilot.press("n")
        assert scr.current == 0 and scr.query_one("#turns", OptionList).highlighted == expected["flags"][0]["turn"]
        await pilot.press("c")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"确属禁用", "enter")
        await pilot.press("n", "n", "p")
        assert scr.current == 1
        await pilot.press("d", *"语境可接受", "enter")
        await wait_for(pilot, lambda: sum(isinstance(m, FlagReviewed) for m in messages) == 2)
        assert all(m.stored for m in messages if isinstance(m, FlagReviewed))
        flags = load_call(store, "FX-07")["flags"]
        assert [(f["review"], f["review_comment"], f["reviewer"]) for f in flags] == [
            ("confirmed", "确属禁用", "张质检"), ("dismissed", "语境可接受", "张质检"), (None, None, None)]
        dismissed_score = load_call(store, "FX-07")["call"]["score_total"]
        assert dismissed_score > expected["score"]["total"]  # a dismissed flag costs nothing
        head = text_of(scr.query_one("#replay-title"))
        assert "已审核 2 个" in head and f"评分 {dismissed_score:g}/100" in head and "驳回 1" in head
        await pilot.press("x")
        out = tmp_path / "out" / "FX-07.review.json"
        await wait_for(pilot, lambda: (tmp_path / "out" / "FX-07.review.html").exists(), what="export")
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert [f["review"] for f in doc["flags"]] == ["confirmed", "dismissed", None]
        assert doc["score"]["total"] == dismissed_score
        assert len(doc["turns"]) == len(load_transcript(FX07).turns)
        page = (tmp_path / "out" / "FX-07.review.html").read_text(encoding="utf-8")
        assert "确属禁用" in page and "<script" not in page and "http" not in page


async def test_add_a_missed_flag_and_correct_the_record(store, messages):
    tr = load_transcript(FX07)
    save_result(store, tr, analyze_transcript(tr))
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True, reviewer="王质检"))
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and len(scr.flags) == 3)
        before = scr.result["score"]["total"]
        scr.query_one("#turns", OptionList).highlighted = 0
        await pilot.press("a")
        assert isinstance(app.screen, AddFlagScreen)
        app.screen.query_one("#add-code").value = "greeting_missing"
        assert app.screen.query_one("#add-turn").value == "1"
        app.screen.query_one("#add-note").focus()
        await pilot.press(*"问候语语速过快", "enter")
        await wait_for(pilot, lambda: len(scr.flags) == 4, what="the added flag")
        stored = load_call(store, "FX-07")
        added = [f for f in stored["flags"] if f["origin"] == "inspector"]
        assert [(f["code"], f["turn"], f["review_comment"], f["reviewer"]) for f in added] == [
            ("greeting_missing", 0, "问候语语速过快", "王质检")]
        assert stored["call"]["score_total"] < before
        assert scr.result["score"]["total"] == stored["call"]["score_total"]
        assert "补充 1" in text_of(scr.query_one("#replay-title"))
        case = scr.query_one("#rec-case_number")
        case.value = "（2026）浙0523民初88号"
        await pilot.press("escape", "s")
        await wait_for(pilot, lambda: (load_call(store, "FX-07")["record"] or {}).get("case_number")
                       == "（2026）浙0523民初88号", what="the corrected record")


async def test_open_stored_call_and_missing_file(store, tmp_path, messages):
    tr = load_transcript(FX07)
    save_result(store, tr, analyze_transcript(tr))
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True))
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and len(scr.flags) == 3)
        assert all(f["id"] is not None for f in scr.flags)
        await pilot.press("space")
        assert any("没有录音" in n for n in notes(app))
        await pilot.press("o", *str(tmp_path / "missing.json"), "enter")
        await wait_for(pilot, lambda: any("missing.json" in n for n in notes(app)), what="error notification")
        assert app.is_running
        await pilot.press("o", *"NO-SUCH-CALL", "enter")
        await wait_for(pilot, lambda: any("NO-SUCH-CALL" in n for n in notes(app)))


async def test_secondary_needs_in_the_header_and_their_checklists(store):
    tr = load_transcript(FX12)
    result = analyze_transcript(tr)
    result["service_types"] = ["contact_judge", "complaint"]  # a call with a second need
    save_result(store, tr, result)
    app = make_app("replay", call_id="FX-12", store=store, config=TuiConfig(freeze_clock=True))
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-12" and scr.turns)
        await pilot.pause(0.2)
        assert "联系法官" in text_of(scr.query_one("#replay-title"))
        assert "（另：投诉举报和意见建议）" in text_of(scr.query_one("#replay-title"))
        states = scr.query_one("#checklist").states()
        assert "严格遵守保密纪律，为来电人保密" in states  # the second need's checklist is shown too
        assert states["联系不上的，留言法官，并告知来电人法官会在规定时间内回复（回电）"] == "missed"
