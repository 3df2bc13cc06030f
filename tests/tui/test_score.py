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
