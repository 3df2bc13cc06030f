"""Reviews that count: dismissed flags cost nothing, added ones cost their points, re-analysis keeps
every review (merged by code and turn), and the score and `copilot report` use the reviewed set."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import Session, select

from copilot.cli import main
from copilot.errors import StoreError
from copilot.store import FlagRow, ScoreAdjustmentRow, load_call
from copilot.store.db import make_engine
from copilot.store.reviews import add_flag, adjust_score, review, review_log

REPO = Path(__file__).resolve().parents[2]
FX07 = REPO / "audio_fixtures" / "calls" / "FX-07-banned-no-closing.json"
PERIOD = ["--from", "2026-03-01", "--to", "2026-03-31"]


def run(capsys, *argv: str) -> str:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def report(capsys, url: str) -> dict:
    return json.loads(run(capsys, "report", *PERIOD, "--json", "--db", url))


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'c.db'}"


def stored(url: str) -> dict:
    call = load_call(make_engine(url), "FX-07")
    return call | {"result": json.loads(call["call"]["result_json"])}


def test_review_round_trip_add_dismiss_reanalyse_keeps_every_review(url, capsys):
    run(capsys, "analyze", str(FX07), "--save", "--db", url)
    before = stored(url)
    assert [f["code"] for f in before["flags"]] == ["banned_phrase", "banned_phrase", "closing_missing"]
    base = before["call"]["score_total"]  # the rubric is data (flags.toml): two banned phrases and no closing
    assert base == before["result"]["score"]["total"] < 80
    rep0 = report(capsys, url)
    assert rep0["average_score"] == base and rep0["reviewed_calls"] == 0
    assert rep0["flag_rates"]["banned_phrase"] == 1.0 and rep0["greeting_compliance_rate"] == 1.0

    first, second = before["flags"][0]["id"], before["flags"][1]["id"]
    run(capsys, "review", "FX-07", "--dismiss", str(first), "--note", "语境可接受", "--by", "张质检", "--db", url)
    run(capsys, "review", "FX-07", "--dismiss", str(second), "--note", "引用来电人原话", "--by", "张质检", "--db", url)
    out = run(capsys, "review", "FX-07", "--add", "greeting_missing", "--turn", "1", "--note", "问候不完整",
              "--by", "张质检", "--db", url)
    assert "驳回 2" in out and "补充 1" in out and f"系统原评分 {base:g}" in out

    reviewed = stored(url)
    # two banned phrases dismissed: banned item back to full; the added greeting costs its points
    rub = {i["id"]: i for i in reviewed["result"]["score"]["items"]}
    rub0 = {i["id"]: i for i in before["result"]["score"]["items"]}
    assert any(rub[k]["score"] > rub0[k]["score"] for k in rub)
    assert any(rub[k]["score"] < rub0[k]["score"] for k in rub)
    total = reviewed["call"]["score_total"]
    assert total != base and reviewed["result"]["score"]["reviewed"]["dismissed"] == 2
    rep1 = report(capsys, url)
    assert rep1["average_score"] == total and rep1["reviewed_calls"] == 1
    assert rep1["flag_rates"]["banned_phrase"] == 0.0 and rep1["greeting_compliance_rate"] == 0.0
    assert "经质检复核" in run(capsys, "report", *PERIOD, "--db", url)

    run(capsys, "analyze", str(FX07), "--save", "--db", url)  # issue 17 item 14: must not wipe the reviews
    again = stored(url)
    got = [(f["code"], f["turn"], f["review"], f["review_comment"], f["reviewer"], f["origin"], f["stale"])
           for f in again["flags"]]
    want = [(f["code"], f["turn"], f["review"], f["review_comment"], f["reviewer"], f["origin"], f["stale"])
            for f in reviewed["flags"]]
    assert sorted(got, key=str) == sorted(want, key=str)
    assert all(f["reviewed_at"] is not None for f in again["flags"] if f["review"])
    assert again["call"]["score_total"] == total
    assert report(capsys, url)["average_score"] == total
    assert [e["action"] for e in review_log(make_engine(url), "FX-07")] == ["dismissed", "dismissed", "added"]


def test_dismissing_every_flag_gives_full_marks(url, capsys):
    run(capsys, "analyze", str(FX07), "--save", "--db", url)
    engine = make_engine(url)
    for f in load_call(engine, "FX-07")["flags"]:
        score = review(engine, f["id"], "dismissed", "误报", reviewer="张质检")
    assert score["total"] == score["max"] == 100
    assert report(capsys, url)["average_score"] == 100.0
    confirmed = review(engine, load_call(engine, "FX-07")["flags"][2]["id"], "confirmed", reviewer="张质检")
    assert confirmed["total"] < 100


def test_a_reviewed_flag_that_no_longer_fires_is_kept_and_marked(url, capsys, tmp_path):
    run(capsys, "analyze", str(FX07), "--save", "--db", url)
    engine = make_engine(url)
    flags = load_call(engine, "FX-07")["flags"]
    gone = flags[0]
    review(engine, gone["id"], "confirmed", "确属禁用", reviewer="张质检")
    doc = json.loads(FX07.read_text(encoding="utf-8"))
    doc["turns"][gone["turn"]]["text"] = "您好，这个问题我帮您转给相关部门处理。"  # the agent's words fixed
    fixed = tmp_path / "FX-07.json"
    fixed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    run(capsys, "analyze", str(fixed), "--save", "--db", url)
    after = load_call(engine, "FX-07")["flags"]
    kept = [f for f in after if f["turn"] == gone["turn"] and f["code"] == gone["code"]]
    assert len(kept) == 1 and kept[0]["stale"] and kept[0]["review"] == "confirmed"
    assert kept[0]["review_comment"] == "确属禁用" and kept[0]["reviewer"] == "张质检"
    assert "不再触发" in run(capsys, "review", "FX-07", "--db", url)


def test_trainer_adjustment_is_audited_and_needs_a_reason(url, capsys):
    run(capsys, "analyze", str(FX07), "--save", "--db", url)
    engine = make_engine(url)
    base = load_call(engine, "FX-07")["call"]["score_total"]
    with pytest.raises(StoreError, match="reason"):
        adjust_score(engine, "FX-07", 5, "")
    score = adjust_score(engine, "FX-07", 5, "安抚情绪到位", "值得表扬", by="李培训")
    assert score["total"] == base + 5 and score["adjustment"] == 5
    with Session(engine) as s:
        rows = s.exec(select(ScoreAdjustmentRow)).all()
    assert [(r.points, r.reason, r.by) for r in rows] == [(5.0, "安抚情绪到位", "李培训")]
    run(capsys, "analyze", str(FX07), "--save", "--db", url)
    assert load_call(engine, "FX-07")["call"]["score_total"] == base + 5


def test_bad_reviews_are_clear_errors(url, capsys):
    run(capsys, "analyze", str(FX07), "--save", "--db", url)
    engine = make_engine(url)
    with pytest.raises(StoreError, match="unknown flag code"):
        add_flag(engine, "FX-07", "rude", 1)
    with pytest.raises(StoreError, match="no turn"):
        add_flag(engine, "FX-07", "greeting_missing", 999)
    with pytest.raises(StoreError, match="already raised"):
        f = load_call(engine, "FX-07")["flags"][0]
        add_flag(engine, "FX-07", f["code"], f["turn"])
    assert main(["review", "FX-07", "--dismiss", "999", "--db", url]) == 2
    assert "no flag #999" in capsys.readouterr().err


def test_an_older_database_file_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE calls (call_id VARCHAR PRIMARY KEY, started_at VARCHAR, ring_seconds FLOAT,
            source VARCHAR NOT NULL, agent_id VARCHAR, service_type VARCHAR, service_types VARCHAR NOT NULL,
            complete BOOLEAN NOT NULL, end_reason VARCHAR, score_total FLOAT, score_max FLOAT,
            result_json VARCHAR, updated_at DATETIME NOT NULL);
        CREATE TABLE flags (id INTEGER PRIMARY KEY, call_id VARCHAR NOT NULL, code VARCHAR NOT NULL,
            turn INTEGER, speaker VARCHAR NOT NULL, start FLOAT, text VARCHAR NOT NULL, phrase VARCHAR NOT NULL,
            suggestion VARCHAR NOT NULL, confidence FLOAT NOT NULL, review VARCHAR, review_comment VARCHAR,
            reviewed_at DATETIME);
        INSERT INTO calls VALUES ('OLD-1', NULL, NULL, '', NULL, NULL, '[]', 1, NULL, 90, 100, NULL,
            '2026-01-01 00:00:00');
        INSERT INTO flags VALUES (1, 'OLD-1', 'closing_missing', NULL, 'agent', NULL, '', '', '', 1.0,
            'dismissed', '旧审核', NULL);
    """)
    con.commit()
    con.close()
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as s:
        row = s.exec(select(FlagRow)).one()
    assert (row.review, row.review_comment, row.origin, row.stale, row.reviewer) == (
        "dismissed", "旧审核", "analysis", False, None)
    old = load_call(engine, "OLD-1")
    assert old["call"]["audio_path"] is None and old["call"]["score_total"] == 90
    make_engine(f"sqlite:///{path}")  # a second open adds nothing and fails nothing


def test_replaying_a_reviewed_call_into_the_store_keeps_its_reviews(url):
    from copilot.session.pipeline import CallPipeline, run_transcript
    from copilot.store import CallWriter
    from copilot.transcript import load_transcript

    engine = make_engine(url)
    tr = load_transcript(FX07)

    def replay():
        writer = CallWriter(engine, tr.call_id, started_at=tr.started_at, source=str(FX07))
        list(run_transcript(tr, CallPipeline(tr.call_id, ring_seconds=tr.ring_seconds, writer=writer), pace="whole"))

    replay()
    flags = load_call(engine, "FX-07")["flags"]
    review(engine, flags[0]["id"], "dismissed", "语境可接受", reviewer="张质检")
    add_flag(engine, "FX-07", "greeting_missing", 0, "问候过快", reviewer="张质检")
    reviewed = load_call(engine, "FX-07")["call"]["score_total"]
    replay()  # `copilot replay FX-07.json` again, as a new user might
    after = load_call(engine, "FX-07")
    assert [(f["code"], f["review"], f["origin"]) for f in after["flags"] if f["review"]] == [
        ("banned_phrase", "dismissed", "analysis"), ("greeting_missing", "confirmed", "inspector")]
    assert after["call"]["score_total"] == reviewed
