"""`copilot score` in batch mode: flags and non-TTY select it, table/JSON on stdout, progress and failures on
stderr, exit 1 when a file failed; and the same work on a local Ray instance on loopback (``--ray auto``)."""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import shutil

import pytest

from copilot.cli import main
from copilot.commands.score import batch_requested
from copilot.evaluation.batch import score_files

CALLS = ["DEV-007", "DEV-010", "DEV-041"]


@pytest.fixture
def folder(tmp_path, dev_dir):
    d = tmp_path / "q3"
    d.mkdir()
    for c in CALLS:
        shutil.copy(dev_dir / "calls" / f"{c}.json", d)
    (d / "broken.json").write_text('{"call_id": "B", "turns": [', encoding="utf-8")
    (d / "notes.txt").write_text("not a call", encoding="utf-8")  # ignored in a folder
    return d


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(**kw) -> argparse.Namespace:
    base = {"csv": None, "html": None, "json": False, "no_tui": False, "workers": None, "ray": None}
    return argparse.Namespace(**{**base, **kw})


def test_batch_mode_is_chosen_by_flags_or_a_pipe():
    assert not batch_requested(_args(), stdout=_Tty())  # a terminal and no flag: the TUI
    assert batch_requested(_args(), stdout=io.StringIO())  # stdout piped or redirected
    for flag in ({"csv": "x.csv"}, {"html": "x.html"}, {"json": True}, {"no_tui": True}, {"workers": 2},
                 {"ray": "auto"}):
        assert batch_requested(_args(**flag), stdout=_Tty()), flag


def test_score_folder_table_csv_html_and_failures(folder, tmp_path, capsys, dev_dir):
    out_csv, out_html = tmp_path / "s.csv", tmp_path / "s.html"
    missing = tmp_path / "gone.json"
    rc = main(["score", str(folder), str(missing), "--workers", "2", "--csv", str(out_csv), "--html", str(out_html)])
    assert rc == 1  # a file failed: never a silent success
    out, err = capsys.readouterr()
    assert "DEV-041.json" in out and "broken.json" in out and "FAILED" in out and "3 通 scored, 2 failed" in out
    assert "5/5" in err  # the progress bar counted every file
    assert f"{folder / 'broken.json'}: malformed JSON" in err and f"{missing}: no such file" in err
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [r["call_id"] for r in rows] == CALLS
    assert "<svg" in out_html.read_text(encoding="utf-8")


def test_json_and_exit_zero_when_all_scored(folder, capsys, dev_dir):
    (folder / "broken.json").unlink()
    assert main(["score", *[str(folder / f"{c}.json") for c in CALLS], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["scored"], doc["failed"], doc["failures"]) == (3, 0, [])
    local = score_files([folder])
    assert doc["calls"] == local.rows
    assert doc["results"] == json.loads(json.dumps(local.results, ensure_ascii=False))


def test_nothing_to_score_is_an_error(tmp_path, capsys):
    assert main(["score", str(tmp_path), "--no-tui"]) == 2
    assert "nothing to score" in capsys.readouterr().err
    assert main(["score", str(tmp_path), "--workers", "0"]) == 2


def _need_ray() -> None:
    if importlib.util.find_spec("ray") is None:
        pytest.fail("ray is not installed: it is part of the dev extra (pip install -c .ci/constraints.txt -e '.[dev]')")


def test_task_timeout_needs_ray_and_a_positive_number(folder, capsys):
    assert main(["score", str(folder), "--task-timeout", "60", "--json"]) == 2
    assert "--task-timeout needs --ray" in capsys.readouterr().err
    assert main(["score", str(folder), "--ray", "auto", "--task-timeout", "0", "--json"]) == 2


def test_ray_auto_on_a_local_loopback_instance_equals_local_processes(folder, capsys, monkeypatch):
    _need_ray()
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # auto → a local instance on 127.0.0.1
    local = score_files([folder])  # this process (test_batch checks a process pool gives the same)
    # --task-timeout bounds the run: a worker that never starts is a failure here, not a hung suite
    rc = main(["score", str(folder), "--ray", "auto", "--workers", "1", "--json", "--task-timeout", "600"])
    out, err = capsys.readouterr()
    assert rc == 1, err  # broken.json is reported, as locally
    doc = json.loads(out)
    assert doc["backend"].startswith("ray (local instance on 127.0.0.1")
    assert doc["calls"] == local.rows
    assert doc["results"] == json.loads(json.dumps(local.results, ensure_ascii=False))
    assert [f["file"] for f in doc["failures"]] == [f for f, _ in local.failures]
    assert "malformed JSON" in doc["failures"][0]["error"]
    import ray

    assert not ray.is_initialized()  # the instance started for the run is shut down


def test_ray_files_without_a_result_in_time_are_cancelled_and_reported(folder, monkeypatch):
    """No Ray worker starts and finishes a file within 10 ms: every file is reported as a failure with the
    reason, none is silently dropped, and the instance is shut down."""
    _need_ray()
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    res = score_files([folder], ray_address="local", workers=1, task_timeout=0.01)
    assert res.rows == []
    assert sorted(f.rsplit("/", 1)[-1] for f, _ in res.failures) == ["DEV-007.json", "DEV-010.json", "DEV-041.json",
                                                                     "broken.json"]
    assert all("no result from Ray within 0.01 s" in why for _, why in res.failures)
    import ray

    assert not ray.is_initialized()
