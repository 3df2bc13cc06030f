"""The store on a real SQLite file: replace-not-duplicate, live writes survive a crash, reviews."""

import json

import pytest
from sqlmodel import Session, func, select

from copilot.analysis import analyze_transcript
from copilot.errors import StoreError
from copilot.session.pipeline import CallPipeline, run_transcript
from copilot.store import (
    CallRow,
    CallWriter,
    FlagRow,
    RecordRow,
    UtteranceRow,
    load_call,
    review_flag,
    save_result,
)
from copilot.store.db import make_engine
from copilot.transcript import load_transcript


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'c.db'}")


def count(engine, model, call_id):
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(model.call_id == call_id)).one()


def test_save_twice_replaces_rows(engine, dev_dir):
    tr = load_transcript(dev_dir / "calls" / "DEV-041.json")
    result = analyze_transcript(tr)
    save_result(engine, tr, result)
    save_result(engine, tr, result)
    assert count(engine, UtteranceRow, "DEV-041") == len(tr.turns)
    assert count(engine, FlagRow, "DEV-041") == len(result["flags"]) == 3
    assert count(engine, CallRow, "DEV-041") == 1
    stored = load_call(engine, "DEV-041")
    assert stored["call"]["service_type"] == "complaint"
    assert json.loads(stored["call"]["result_json"])["score"]["total"] == result["score"]["total"]
    assert stored["record"]["caller_role"] == "party"


def test_live_call_keeps_what_was_recorded_when_it_crashes(engine, dev_dir):
    tr = load_transcript(dev_dir / "calls" / "DEV-017.json")
    writer = CallWriter(engine, tr.call_id, source="test")
    p = CallPipeline(tr.call_id, writer=writer)
    events = run_transcript(tr, p)
    seen = 0
    for ev in events:  # stop mid-call, as if the process died after turn 6 (the banned phrase)
        if ev.type == "utterance" and ev.turn == 7:
            break
        seen += 1
    del events  # never finished
    engine2 = make_engine(str(engine.url))  # a new process opening the same file
    assert count(engine2, UtteranceRow, tr.call_id) == 8
    with Session(engine2) as s:
        flags = s.exec(select(FlagRow).where(FlagRow.call_id == tr.call_id)).all()
        call = s.get(CallRow, tr.call_id)
    assert [f.code for f in flags] == ["banned_phrase"] and flags[0].turn == 6
    assert call.complete is False


def test_finished_live_call_is_complete_with_record(engine, dev_dir):
    tr = load_transcript(dev_dir / "calls" / "DEV-002.json")
    p = CallPipeline(tr.call_id, writer=CallWriter(engine, tr.call_id))
    list(run_transcript(tr, p))
    with Session(engine) as s:
        call = s.get(CallRow, tr.call_id)
        rec = s.get(RecordRow, tr.call_id)
    assert call.complete and call.end_reason == "eof" and call.service_type == "contact_judge"
    assert rec.case_number == "（2024）浙0502民初1873号" and rec.judge_name == "沈法官"


def test_review_flag(engine, dev_dir):
    tr = load_transcript(dev_dir / "calls" / "DEV-009.json")
    save_result(engine, tr, analyze_transcript(tr))
    flags = load_call(engine, "DEV-009")["flags"]
    review_flag(engine, flags[0]["id"], "dismissed", "上下文合理")
    review_flag(engine, flags[1]["id"], "confirmed")
    after = load_call(engine, "DEV-009")["flags"]
    assert [f["review"] for f in after] == ["dismissed", "confirmed"]
    assert after[0]["review_comment"] == "上下文合理"
    with pytest.raises(StoreError):
        review_flag(engine, flags[0]["id"], "maybe")


def test_unwritable_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="cannot open database"):
        make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
