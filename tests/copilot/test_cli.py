"""`copilot analyze` / `copilot eval` as a user runs them (in-process through main())."""

import json
import shutil

from copilot.cli import main


def test_analyze_json_matches_formats(capsys, dev_dir):
    assert main(["analyze", str(dev_dir / "asr" / "DEV-046.json"), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert set(r) >= {"call_id", "service_type", "service_types", "flags", "record", "score"}
    assert r["service_type"] == "contact_judge"
    assert sorted((f["code"], f["turn"]) for f in r["flags"]) == [("banned_phrase", 4), ("nonstandard_wording", 9)]
    assert set(r["record"]) >= {"caller_role", "caller_name", "phone", "case_number", "judge_name", "summary",
                                "callback_required", "referral"}


def test_analyze_readable_summary_is_chinese(capsys, dev_dir):
    assert main(["analyze", str(dev_dir / "calls" / "DEV-017.json")]) == 0
    out = capsys.readouterr().out
    assert "服务类型: 不属于热线服务范围" in out and "[禁止用语]" in out and "评分" in out


def test_folder_with_bad_files_still_analyses_good_ones(tmp_path, capsys, dev_dir):
    calls = tmp_path / "calls"
    calls.mkdir()
    for n in ("DEV-001", "DEV-010"):
        shutil.copy(dev_dir / "calls" / f"{n}.json", calls)
    (calls / "bad1.json").write_text("{not json", encoding="utf-8")
    (calls / "bad2.json").write_text(json.dumps({"call_id": "X", "turns": [{"speaker": "judge", "start": 0,
                                                                           "end": 1, "text": "hi"}]}))
    out_dir = tmp_path / "out"
    rc = main(["analyze", str(calls), "--out", str(out_dir)])
    err = capsys.readouterr().err
    assert rc == 1
    assert "bad1.json: malformed JSON at line 1" in err and "bad2.json: turns[0]: field 'speaker'" in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["DEV-001.json", "DEV-010.json", "summary.csv"]
    assert "DEV-010" in (out_dir / "summary.csv").read_text(encoding="utf-8")


def test_save_twice_does_not_duplicate(tmp_path, dev_dir, capsys):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    for _ in range(2):
        assert main(["analyze", str(dev_dir / "calls" / "DEV-007.json"), "--save", "--db", db]) == 0
    from sqlmodel import Session, func, select

    from copilot.store import FlagRow
    from copilot.store.db import make_engine
    with Session(make_engine(db)) as s:
        assert s.exec(select(func.count()).select_from(FlagRow)).one() == 2


def test_eval_prints_metrics(capsys, dev_dir):
    assert main(["eval", str(dev_dir / "calls"), str(dev_dir / "labels.jsonl"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["calls"] == 13 and "macro_f1" in d["service_type"] and "banned_phrase" in d["flags"]["per_code"]
    assert set(d["record"]) == {"caller_role", "case_number", "phone", "judge_name"}


def test_missing_path_exit_code(capsys, tmp_path):
    assert main(["analyze", str(tmp_path / "nothing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
