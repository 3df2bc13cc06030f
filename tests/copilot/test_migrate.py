"""A database written by an earlier version gains the new columns when opened (SQLite file and PostgreSQL),
booleans included (PostgreSQL refuses ``DEFAULT 0`` for a boolean column), and then stores calls as usual."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from copilot.analysis import analyze_transcript
from copilot.store import load_call, save_result
from copilot.store.db import make_engine
from copilot.transcript import load_transcript

FX07 = Path(__file__).resolve().parents[2] / "audio_fixtures" / "calls" / "FX-07-banned-no-closing.json"

OLD_TABLES = [  # calls, flags and utterances as an earlier version created them: no audio_path, no review columns,
    # no utterance confidence or words
    'CREATE TABLE calls (call_id VARCHAR PRIMARY KEY, started_at VARCHAR, ring_seconds FLOAT, source VARCHAR NOT NULL, '
    'agent_id VARCHAR, service_type VARCHAR, service_types VARCHAR NOT NULL, complete BOOLEAN NOT NULL, '
    'end_reason VARCHAR, score_total FLOAT, score_max FLOAT, result_json VARCHAR, updated_at TIMESTAMP NOT NULL)',
    'CREATE TABLE flags (id INTEGER PRIMARY KEY, call_id VARCHAR NOT NULL REFERENCES calls (call_id), '
    'code VARCHAR NOT NULL, turn INTEGER, speaker VARCHAR, start FLOAT, text VARCHAR, phrase VARCHAR, '
    'suggestion VARCHAR, confidence FLOAT)',
    'CREATE TABLE utterances (id INTEGER PRIMARY KEY, call_id VARCHAR NOT NULL REFERENCES calls (call_id), '
    'turn INTEGER NOT NULL, speaker VARCHAR NOT NULL, start FLOAT NOT NULL, "end" FLOAT NOT NULL, text VARCHAR NOT NULL)',
    "INSERT INTO calls (call_id, source, service_types, complete, updated_at) "
    "VALUES ('OLD-1', 'file', '[]', TRUE, '2026-01-05 09:00:00')",
    "INSERT INTO utterances (call_id, turn, speaker, start, \"end\", text) VALUES ('OLD-1', 0, 'agent', 0.4, 2.9, '您好')",
]


def _check_upgrade(url: str, raw_url: str) -> None:
    raw = create_engine(raw_url)
    serial = "SERIAL PRIMARY KEY" if raw.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with raw.begin() as conn:
        for sql in OLD_TABLES:
            conn.execute(text(sql.replace("id INTEGER PRIMARY KEY", f"id {serial}")))
    raw.dispose()
    engine = make_engine(url)
    cols = {t: {c["name"] for c in inspect(engine).get_columns(t)} for t in ("calls", "flags", "utterances")}
    assert "audio_path" in cols["calls"] and "stale" in cols["flags"], cols
    assert {"confidence", "words_json"} <= cols["utterances"], cols
    old = load_call(engine, "OLD-1")["utterances"]  # an old final reads as a transcript's turn: no estimate, no words
    assert [(u["text"], u["confidence"], u["words_json"]) for u in old] == [("您好", 1.0, None)]
    tr = load_transcript(FX07)
    save_result(engine, tr, analyze_transcript(tr))
    call = load_call(engine, tr.call_id)
    assert call["call"]["call_id"] == tr.call_id and call["flags"]
    assert all(f["stale"] is False for f in call["flags"])  # old rows read as if written now
    engine.dispose()


def test_an_old_sqlite_file_gains_the_new_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _check_upgrade(url, url)


def test_an_old_postgresql_database_gains_the_new_columns():
    url = os.environ.get("COPILOT_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") or os.environ.get("COPILOT_REQUIRE_PG"):
            pytest.fail("COPILOT_TEST_PG_URL is not set (bash .ci/postgres.sh starts one and prints it)")
        pytest.skip("no PostgreSQL: set COPILOT_TEST_PG_URL (bash .ci/postgres.sh); CI always does")
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    try:
        _check_upgrade(scoped, scoped)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
