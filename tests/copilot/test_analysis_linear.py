"""A whole transcript is analysed once at the end (linear in its turns), with the same result as the live,
turn-by-turn analysis (which classifies and fills the record after every turn for the agent's screen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.analysis import analyze_transcript
from copilot.analysis.analyzer import CallAnalyzer
from copilot.analysis.rules import load_rules
from copilot.text import normalize
from copilot.transcript import load_transcript
from phrasebook.matcher import _merge

CALLS = sorted((Path(__file__).resolve().parents[2] / "audio_fixtures" / "calls").glob("*.json"))


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.parametrize("path", CALLS, ids=lambda p: p.stem)
def test_batch_result_equals_live_result(path, rules):
    tr = load_transcript(path)
    live = CallAnalyzer(tr.call_id, rules=rules, ring_seconds=tr.ring_seconds, started_at=tr.started_at)
    for t in tr.turns:
        live.add_turn(t.speaker, t.start, t.end, t.text)
    live.finish()
    assert analyze_transcript(tr, rules=rules) == live.result()


def test_fixture_calls_are_there():
    assert len(CALLS) >= 10


def test_long_turn_numerals_and_merge_keep_their_meaning():
    """The span look-ups that made the numeral scan and the hit merge linear give the same answers."""
    text = "我的案号是二零二四年浙零五零三民初一二三四号，电话幺三九零五七二三三幺八，等了一下，九点十分到的" * 50
    one = normalize("我的案号是二零二四年浙零五零三民初一二三四号，电话幺三九零五七二三三幺八，等了一下，九点十分到的").text
    assert normalize(text).text == one * 50
    assert "2024" in one and "13905723318" in one and "一下" in one


def test_merge_keeps_the_best_of_overlapping_hits():
    from phrasebook.matcher import Hit

    fields = Hit.__dataclass_fields__
    def hit(pid, start, end, kind, conf):
        base = {"phrase_id": pid, "start": start, "end": end, "kind": kind, "confidence": conf}
        return Hit(**{k: base.get(k, "") for k in fields})
    hits = [hit("a", 0, 4, "fuzzy", 0.8), hit("a", 2, 6, "exact", 1.0), hit("a", 6, 9, "fuzzy", 0.9),
            hit("b", 0, 4, "fuzzy", 0.7), hit("a", 5, 7, "fuzzy", 0.95)]
    kept = [(h.phrase_id, h.start, h.end) for h in _merge(hits)]
    assert kept == [("b", 0, 4), ("a", 2, 6), ("a", 6, 9)]
