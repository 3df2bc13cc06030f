"""The inspector's replay screen: flags on a timeline, confirm / dismiss stored, export."""

from __future__ import annotations

import json

import pytest
from tui_helpers import FX07, notes, text_of, wait_for

from copilot.analysis import analyze_transcript
from copilot.store import load_call
from copilot.transcript import load_transcript
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import CallLoaded, FlagReviewed
from tui.screens.modals import PromptScreen
from tui.sources import SourceSpec

pytestmark = pytest.mark.anyio


async def test_confirm_and_dismiss_are_stored_and_exported(store, tmp_path, messages):
    cfg = TuiConfig(freeze_clock=True, export_dir=tmp_path / "out")
    app = make_app("replay", source=SourceSpec(kind="transcript", path=str(FX07), pace="whole"), store=store,
                   config=cfg)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: any(isinstance(m, CallLoaded) for m in messages), what="stored flag ids")
        expected = analyze_transcript(load_transcript(FX07))["flags"]
        assert [f["code"] for f in scr.flags] == ["banned_phrase", "banned_phrase", "closing_missing"]
        assert scr.query_one("#timeline").marks == [(f["start"], f["code"]) for f in expected]
        await pilot.press("n")
        assert scr.current == 0 and scr.query_one("#turns").cursor_row == expected[0]["turn"]
        await pilot.press("c")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"确属禁用", "enter")
        await pilot.press("n", "n", "p")
        assert scr.current == 1
        await pilot.press("d", *"语境可接受", "enter")
        await wait_for(pilot, lambda: sum(isinstance(m, FlagReviewed) for m in messages) == 2)
        assert all(m.stored for m in messages if isinstance(m, FlagReviewed))
        flags = load_call(store, "FX-07")["flags"]
        assert [(f["review"], f["review_comment"]) for f in flags] == [
            ("confirmed", "确属禁用"), ("dismissed", "语境可接受"), (None, None)]
        assert "已审核 2 个" in text_of(scr.query_one("#replay-title"))
        await pilot.press("x")
        out = tmp_path / "out" / "FX-07.review.json"
        await wait_for(pilot, lambda: (tmp_path / "out" / "FX-07.review.html").exists(), what="export")
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert [f["review"] for f in doc["flags"]] == ["confirmed", "dismissed", None]
        assert doc["score"] == analyze_transcript(load_transcript(FX07))["score"]
        assert len(doc["turns"]) == len(load_transcript(FX07).turns)
        page = (tmp_path / "out" / "FX-07.review.html").read_text(encoding="utf-8")
        assert "确属禁用" in page and "<script" not in page and "http" not in page


async def test_open_stored_call_and_missing_file(store, tmp_path, messages):
    from copilot.store import save_result

    tr = load_transcript(FX07)
    save_result(store, tr, analyze_transcript(tr))
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True))
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and len(scr.flags) == 3)
        assert all(f["id"] is not None for f in scr.flags)
        await pilot.press("o", *str(tmp_path / "missing.json"), "enter")
        await wait_for(pilot, lambda: any("missing.json" in n for n in notes(app)), what="error notification")
        assert app.is_running
        await pilot.press("o", *"NO-SUCH-CALL", "enter")
        await wait_for(pilot, lambda: any("NO-SUCH-CALL" in n for n in notes(app)))
