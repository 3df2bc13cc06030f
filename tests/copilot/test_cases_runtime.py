"""The directory is consulted by default whenever the store holds cases; ``--no-cases`` turns it off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.cases import runtime
from copilot.cases.generate import generate_rows, read_csv_rows, write_csv
from copilot.cases.importing import import_cases
from copilot.cli import main
from copilot.store.db import make_engine

DATA = Path(__file__).resolve().parents[1] / "data" / "cases"
CALL = DATA / "whisper" / "DEV-005.json"  # Whisper wrote 334 for 3344


@pytest.fixture
def clean_runtime(monkeypatch):
    monkeypatch.delenv(runtime.ENV_OFF, raising=False)
    runtime.set_url(None)
    runtime.use(None)
    runtime.forget()
    yield
    import os

    os.environ.pop(runtime.ENV_OFF, None)  # --no-cases sets it for the whole process (worker processes inherit it)
    runtime.set_url(None)
    runtime.forget()


@pytest.fixture
def store_with_cases(tmp_path):
    true = read_csv_rows(DATA / "true_cases.csv")
    path = tmp_path / "cases.csv"
    write_csv(path, [*true, *generate_rows(2000, seed=5, courts=("浙0502", "浙0503"), years=(2023, 2024),
                                            exclude={r["case_number"] for r in true})])
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    import_cases(engine, path)
    engine.dispose()
    return url


def _analyze(argv, capsys):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)["record"]


def test_analyze_consults_the_stores_directory_unless_no_cases(clean_runtime, store_with_cases, capsys, monkeypatch):
    monkeypatch.setenv("COPILOT_DB_URL", store_with_cases)
    rec = _analyze(["analyze", str(CALL), "--json"], capsys)
    assert rec["case_number"] == "（2023）浙0502民初3344号" and rec["case_source"] == "directory"
    assert rec["judge_name"] == "朱文辉"
    runtime.forget()
    rec = _analyze(["analyze", str(CALL), "--json", "--no-cases"], capsys)
    assert rec["case_number"] == "（2023）浙0502民初334号" and rec["case_source"] == "parsed"


def test_an_empty_store_changes_nothing_and_says_unverified(clean_runtime, tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    make_engine(url).dispose()
    monkeypatch.setenv("COPILOT_DB_URL", url)
    rec = _analyze(["analyze", str(CALL), "--json"], capsys)
    assert rec["case_number"] == "（2023）浙0502民初334号" and rec["case_source"] == "parsed"


def test_a_missing_default_store_is_not_created(clean_runtime, tmp_path, monkeypatch):
    monkeypatch.delenv("COPILOT_DB_URL", raising=False)
    monkeypatch.setenv("COPILOT_DATA_DIR", str(tmp_path / "data"))
    assert runtime.active_directory() is None
    assert not (tmp_path / "data" / "copilot.store.db").exists()
