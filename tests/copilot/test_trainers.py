"""Trainers: batch `copilot score` stores its results (so they reach `copilot report`) unless --no-store;
CSV/JSON carry agent id, flags with turns, words and review state; the HTML scorecard per agent."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from copilot.cli import main
from copilot.store import list_calls, load_call
from copilot.store.db import make_engine
from copilot.store.reviews import review

REPO = Path(__file__).resolve().parents[2]
CALLS = REPO / "audio_fixtures" / "calls"
PERIOD = ["--from", "2026-03-01", "--to", "2026-03-31"]


@pytest.fixture
def folder(tmp_path):
    """Three fixture calls, two agents (the fixtures carry no agent id; telephony exports do)."""
    d = tmp_path / "calls"
    d.mkdir()
    for name, agent in (("FX-07-banned-no-closing", "A01"), ("FX-12-judge-no-callback", "A01"),
                        ("FX-01-contact-judge", "A02")):
        doc = json.loads((CALLS / f"{name}.json").read_text(encoding="utf-8"))
        doc["agent_id"] = agent
        (d / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return d


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out


def test_batch_score_stores_and_the_calls_reach_the_report(folder, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    out = run(capsys, "score", folder, "--no-tui", "--db", url)
    assert "已存入数据库" in out.err
    engine = make_engine(url)
    assert sorted(c.call_id for c in list_calls(engine)) == ["FX-01", "FX-07", "FX-12"]
    assert load_call(engine, "FX-07")["call"]["agent_id"] == "A01"
    rep = json.loads(run(capsys, "report", *PERIOD, "--json", "--db", url).out)
    assert set(rep["per_agent"]) >= {"A01", "A02"}
    assert rep["per_agent"]["A01"]["calls_analysed"] == 2 and rep["average_score"] is not None

    other = f"sqlite:///{tmp_path / 'other.db'}"
    run(capsys, "score", folder, "--no-tui", "--no-store", "--db", other)
    assert list_calls(make_engine(other)) == []


def test_csv_and_json_carry_agent_flags_turns_words_and_review_state(folder, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    run(capsys, "score", folder, "--no-tui", "--db", url)
    engine = make_engine(url)
    first = load_call(engine, "FX-07")["flags"][0]
    review(engine, first["id"], "dismissed", "语境可接受", reviewer="张质检")
    out_csv = tmp_path / "s.csv"
    doc = json.loads(run(capsys, "score", folder, "--no-tui", "--json", "--csv", out_csv, "--db", url).out)
    rows = {r["call_id"]: r for r in csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8")))}
    fx07 = rows["FX-07"]
    assert fx07["agent_id"] == "A01" and fx07["reviewed"] == "True"
    details = fx07["flag_details"].split("; ")
    assert details[0] == f"banned_phrase|{first['turn'] + 1}|{first['phrase']}|dismissed"
    assert details[1].startswith("banned_phrase|") and details[1].endswith("|unreviewed")
    assert fx07["flags"].split() == ["banned_phrase", "closing_missing"]  # the dismissed one does not count
    by_id = {r["call_id"]: r for r in doc["results"]}
    assert by_id["FX-07"]["score"]["total"] > 65 and by_id["FX-07"]["score"]["reviewed"]["dismissed"] == 1
    assert by_id["FX-07"]["flags"][0]["review"] == "dismissed" and by_id["FX-07"]["flags"][0]["turn"] == first["turn"]
    assert {r["call_id"]: r["agent_id"] for r in doc["calls"]} == {"FX-01": "A02", "FX-07": "A01", "FX-12": "A01"}


def test_scorecard_per_agent_trend_frequent_flags_and_examples(folder, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    run(capsys, "score", folder, "--no-tui", "--db", url)
    engine = make_engine(url)
    flags = load_call(engine, "FX-07")["flags"]
    review(engine, flags[1]["id"], "dismissed", "引用原话", reviewer="张质检")
    page = tmp_path / "card.html"
    out = run(capsys, "scorecard", *PERIOD, "--out", page, "--db", url).out
    assert "2 位座席" in out
    text = page.read_text(encoding="utf-8")
    assert "座席 A01" in text and "座席 A02" in text and text.count("<svg") == 4
    assert "每日平均分" in text and "禁止用语" in text and "结束语缺失" in text
    assert flags[0]["text"] in text  # an example sentence of a counted flag
    assert flags[1]["text"] not in text  # a dismissed flag gives no example
    assert "<script" not in text and "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    one = tmp_path / "one.html"
    run(capsys, "scorecard", *PERIOD, "--agent", "A02", "--out", one, "--db", url)
    assert "座席 A02" in one.read_text(encoding="utf-8") and "座席 A01" not in one.read_text(encoding="utf-8")
    assert main(["scorecard", "--from", "2026-03-31", "--to", "2026-03-01", "--out", str(one), "--db", url]) == 2


def test_the_score_screens_export_carries_reviews_and_adjustments(folder, tmp_path, capsys):
    from copilot.exports.score_export import stored_results, to_csv, to_html
    from copilot.store.reviews import adjust_score

    url = f"sqlite:///{tmp_path / 'c.db'}"
    run(capsys, "score", folder, "--no-tui", "--db", url)
    engine = make_engine(url)
    first = load_call(engine, "FX-07")["flags"][0]
    review(engine, first["id"], "dismissed", "语境可接受", reviewer="张质检")
    adjust_score(engine, "FX-07", -2, "语速过快", "注意语速", by="李培训")
    results = stored_results(engine)
    rows = {r["call_id"]: r for r in csv.DictReader(io.StringIO(to_csv(results)))}
    assert rows["FX-07"]["agent_id"] == "A01" and float(rows["FX-07"]["adjustment"]) == -2
    assert f"banned_phrase|{first['turn'] + 1}|{first['phrase']}|dismissed" in rows["FX-07"]["flag_details"]
    page = to_html(results)
    assert "按质检复核（驳回 1）" in page and "培训师调整 -2" in page and "注意语速" in page and "[驳回]" in page
