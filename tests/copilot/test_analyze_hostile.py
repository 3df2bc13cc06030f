"""`copilot analyze` on hostile input: ids with path characters, a deeply nested JSON file in a folder run."""

from __future__ import annotations

import json

from copilot.cli import main


def _call(call_id: str) -> dict:
    return {"call_id": call_id, "turns": [
        {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "您好，12368诉讼服务热线，请讲"},
        {"speaker": "caller", "start": 2.5, "end": 5.0, "text": "我想查一下我的案子"}]}


def test_out_never_writes_outside_its_folder_and_ids_with_slashes_work(tmp_path, capsys):
    calls = tmp_path / "in"
    calls.mkdir()
    ids = ["../../escaped", "a/b", "/etc/evil", "..", "ok-1"]
    for i, cid in enumerate(ids):
        (calls / f"c{i}.json").write_text(json.dumps(_call(cid), ensure_ascii=False), encoding="utf-8")
    (calls / "c9.json").write_text(json.dumps(_call("ok-1"), ensure_ascii=False), encoding="utf-8")  # same id again
    out = tmp_path / "deep" / "out"
    rc = main(["analyze", str(calls), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and "'ok-1' was written already from c4.json" in err and "Traceback" not in err
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 6 and "summary.csv" in names
    written = {json.loads((out / n).read_text(encoding="utf-8"))["call_id"] for n in names if n.endswith(".json")}
    assert written == set(ids)
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents and calls not in p.parents]
    assert outside == [], f"written outside --out: {outside}"


def test_deeply_nested_json_fails_that_file_only(tmp_path, capsys):
    calls = tmp_path / "in"
    calls.mkdir()
    (calls / "a_nested.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (calls / "b_good.json").write_text(json.dumps(_call("GOOD-1"), ensure_ascii=False), encoding="utf-8")
    rc = main(["analyze", str(calls), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1 and "a_nested.json: JSON nested too deeply" in err and "Traceback" not in err
    assert (tmp_path / "out" / "GOOD-1.json").exists()
