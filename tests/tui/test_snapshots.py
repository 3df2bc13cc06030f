"""SVG snapshots of every screen at 80×24 and 120×40 (Chinese text alignment, wrapping, the narrow and the
wide layout); the clock is frozen, every event is awaited.

Baselines live in ``__snapshots__/``; after a deliberate change to a screen regenerate them with
``python -m pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs before committing."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from tui_helpers import FX07, FX12

from copilot.session.pipeline import CallPipeline, run_transcript
from copilot.session.source import SourceSpec
from copilot.transcript import load_transcript
from tui.app import make_app
from tui.config import TuiConfig
from tui.sources import list_stream

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CFG = TuiConfig(freeze_clock=True)


def _events_until_second_banned():
    tr = load_transcript(FX07)
    evs = list(run_transcript(tr, CallPipeline(tr.call_id, ring_seconds=tr.ring_seconds), pace="whole"))
    banned = [i for i, e in enumerate(evs) if e.type == "flag"]
    return evs[:banned[1] + 2]


def _tables_settled(app) -> bool:
    """DataTable measures new rows and re-computes column widths only when its message queue is
    idle; on a starved machine a screenshot could otherwise catch the table half-measured."""
    return all(not t._require_update_dimensions and not t._updated_cells for t in app.screen.query(DataTable))


async def _settle(pilot, cond) -> None:
    for _ in range(1200):
        if cond() and _tables_settled(pilot.app):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES)
def test_live_mid_call(snap_compare, size):
    evs = _events_until_second_banned()
    app = make_app("live", stream_factory=lambda: list_stream(evs), config=CFG)

    async def run_before(pilot):
        await _settle(pilot, lambda: len(app.screen.query_one("#flags").flags) == 2
                      and app.screen.status.now >= evs[-1].t)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_replay_second_flag(snap_compare, size):
    app = make_app("replay", source=SourceSpec(kind="transcript", path=str(FX07), pace="whole"), config=CFG)

    async def run_before(pilot):
        await _settle(pilot, lambda: app.screen.ended)
        await pilot.press("n", "n")
        await _settle(pilot, lambda: True)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_score_compare(snap_compare, size):
    app = make_app("score", paths=[FX07, FX12], config=CFG)

    async def run_before(pilot):
        await _settle(pilot, lambda: len(app.screen.results) == 2)
        await pilot.press("m", "down")
        await _settle(pilot, lambda: app.screen.query_one("#card-b").display
                      and app.screen.query_one("#card-a").result is app.screen.results[1])

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_score_rubric_beside_transcript(snap_compare, size):
    app = make_app("score", paths=[FX12, FX07], config=CFG)

    async def run_before(pilot):
        await _settle(pilot, lambda: len(app.screen.results) == 2
                      and app.screen.query_one("#score-turns").option_count > 0)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_replay_header_checklist_record(snap_compare, size):
    app = make_app("replay", source=SourceSpec(kind="transcript", path=str(FX12), pace="whole"), config=CFG)

    async def run_before(pilot):
        await _settle(pilot, lambda: app.screen.ended and app.screen.result is not None)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
