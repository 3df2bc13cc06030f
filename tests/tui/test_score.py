"""The trainer's scoring screen and `copilot score --no-tui`."""

from __future__ import annotations

import pytest
from tui_helpers import CALLS, FX07, FX12, notes, text_of, wait_for

from copilot.analysis import analyze_transcript
from copilot.cli import main
from copilot.transcript import load_transcript
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import ScoresLoaded

pytestmark = pytest.mark.anyio


async def test_score_card_matches_analysis_and_compares(tmp_path, messages):
    bad = tmp_path / "broken.json"
    bad.write_text("{", encoding="utf-8")
    app = make_app("score", paths=[FX07, FX12, bad], config=TuiConfig(export_dir=tmp_path / "out"))
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: any(isinstance(m, ScoresLoaded) for m in messages))
        assert [r["call_id"] for r in scr.results] == ["FX-07", "FX-12"]
        assert any("broken.json" in n for n in notes(app))
        expected = analyze_transcript(load_transcript(FX07))
        card = scr.query_one("#card-a")
        assert card.result["score"] == expected["score"]
        text = text_of(card)
        for item in expected["score"]["items"]:
            assert item["name_zh"] in text
            for reason in item["reasons"]:
                assert reason in text
        await pilot.press("m", "down")
        assert scr.query_one("#card-b").display and scr.query_one("#card-b").result["call_id"] == "FX-07"
        assert card.result["score"] == analyze_transcript(load_transcript(FX12))["score"]
        await pilot.press("x")
        await wait_for(pilot, lambda: (tmp_path / "out" / "scores.html").exists())
        csv_text = (tmp_path / "out" / "scores.csv").read_text(encoding="utf-8")
        assert csv_text.splitlines()[1].startswith(
            f"FX-07,{expected['service_type']},{expected['score']['total']},100")


def test_score_no_tui_prints_table(capsys):
    assert main(["score", str(CALLS / "FX-07-banned-no-closing.json"), str(FX12), "--no-tui"]) == 0
    out = capsys.readouterr().out
    total = analyze_transcript(load_transcript(FX07))["score"]["total"]
    assert "FX-07" in out and f"{total}" in out and "judge_callback_missing" in out


async def test_transcript_beside_the_rubric_and_the_trainers_adjustment_is_stored(store, messages):
    app = make_app("score", paths=[FX07, FX12], store=store, config=TuiConfig(reviewer="李培训"))
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: len(scr.results) == 2)
        await wait_for(pilot, lambda: scr.query_one("#score-turns").option_count == len(load_transcript(FX07).turns))
        assert scr.query_one("#score-transcript").region.x > scr.query_one("#card-a").region.x  # beside it
        from copilot.store import load_call

        assert load_call(store, "FX-07") is not None  # scored files are stored (they reach the report)
        await pilot.press("j", *"+5", "enter")  # points without a reason: refused
        assert any("理由" in n for n in notes(app))
        base = analyze_transcript(load_transcript(FX07))["score"]["total"]
        await pilot.press("j", *"+5 安抚情绪到位", "enter")
        await wait_for(pilot, lambda: scr.results[0]["score"]["total"] == base + 5)
        await pilot.press("k", *"开场很好结束语要补上", "enter")
        await wait_for(pilot, lambda: len(load_call(store, "FX-07")["adjustments"]) == 2)
        adj = load_call(store, "FX-07")["adjustments"]
        assert [(a["points"], a["reason"], a["comment"], a["by"]) for a in adj] == [
            (5.0, "安抚情绪到位", "", "李培训"), (0.0, "", "开场很好结束语要补上", "李培训")]
        assert load_call(store, "FX-07")["call"]["score_total"] == base + 5
        # the store is written before the card is redrawn: wait for the redraw, then check all of it
        await wait_for(pilot, lambda: "结束语要补上" in text_of(scr.query_one("#card-a")))
        card = text_of(scr.query_one("#card-a"))
        assert "培训师调整 +5" in card and "安抚情绪到位" in card and "结束语要补上" in card
