"""``python -m benchmarks.asr`` command line: a wrong call folder is refused before any model is loaded."""

from __future__ import annotations

import pytest

from benchmarks.asr import main


def test_a_calls_folder_without_recordings_is_refused_with_the_layout_it_expects(tmp_path, capsys):
    (tmp_path / "calls").mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["--calls", str(tmp_path), "--fixtures", "3"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "audio") in err and "*.flac" in err and "<name>.json" in err


def test_the_live_to_file_ratio_comes_with_its_interval_over_the_units_measured():
    from benchmarks.asr import ratio_interval

    same = ratio_interval((5, 0, 30, 2), (5, 0, 30, 2))
    assert same == (1.0, 1.0, 1.0)
    lo, hi, share = ratio_interval((10, 10, 10, 10, 10, 10), (11, 9, 12, 10, 10, 14))  # 1.10 overall
    assert lo < 1.1 < hi and 0.3 < share < 0.8
    worse = ratio_interval((10,) * 9, (20,) * 9)  # every unit twice the errors: no doubt about it
    assert worse == (2.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="same units"):
        ratio_interval((1, 2), (1,))


def test_the_decode_summary_says_how_many_final_decodes_each_final_took_and_where_the_cpu_went():
    from benchmarks.asr import decode_summary

    decodes = [("alone", 1.0), ("alone", 1.2), ("carried", 0.8), ("partial", 0.2), ("partial", 0.3), ("carried", 0.5)]
    line = decode_summary(decodes, finals=2)
    assert line.startswith("2 finals from 4 final decodes (2.00 per final)")
    assert "alone 2 (CPU p50 1.10 / p95 1.19 s, 55% of decode CPU)" in line
    assert "carried 2 (CPU p50 0.65" in line and "partial 2 (" in line
    assert decode_summary([("partial", 0.1)], finals=0).startswith("0 finals from 0 final decodes (n/a per final)")


def test_the_host_speed_is_one_encoder_pass_in_cpu_seconds_and_none_without_whisper(recognizer):
    from benchmarks.asr import encoder_pass_seconds

    seconds = encoder_pass_seconds(recognizer, passes=1)
    assert seconds is not None and 0.01 < seconds < 30.0
    assert encoder_pass_seconds(object()) is None


def test_json_output_has_every_pass_with_its_figures_and_the_host_speed(tmp_path, capsys):
    """A real run on a clip cut from a fixture call (the agent's greeting): ``--json`` writes the figures printed."""
    import json

    import soundfile as sf

    from asr.audio import read_audio
    from asr.types import SAMPLE_RATE
    from benchmarks.asr import FIXTURES

    script = json.loads((FIXTURES / "calls" / "FX-01-contact-judge.json").read_text(encoding="utf-8"))
    first = script["turns"][0]
    agent = read_audio(FIXTURES / "audio" / "FX-01-contact-judge.flac").channels[0]
    clip = agent[int((first["start"] - 0.3) * SAMPLE_RATE): int((first["end"] + 0.8) * SAMPLE_RATE)]
    sf.write(tmp_path / "greeting.wav", clip, SAMPLE_RATE, subtype="PCM_16")
    (tmp_path / "refs.tsv").write_text(f"file\treference\ngreeting.wav\t{first['text']}\n", encoding="utf-8")
    out = tmp_path / "runs" / "bench.json"
    assert main(["--clips", str(tmp_path), "--mode", "both", "--fixtures", "0", "--no-8k", "--shifts", "1",
                 "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["host_encoder_pass_cpu_seconds"] > 0
    assert [(r["audio"], r["mode"]) for r in data["passes"]] == [("16k", "file"), ("16k", "stream")]
    live = data["passes"][1]
    assert live["ref_chars"] == len("您好12368请问有什么可以帮助您") and live["finals"] >= 1
    assert live["final_p95"] is not None and live["rtf"] > 0 and live["errors"] <= live["ref_chars"] // 2
    assert data["passes"][0]["final_p95"] is None  # file mode: text after the whole recording
    assert f"figures written to {out}" in capsys.readouterr().out


def test_python_m_asr_bench_runs_the_benchmark_with_the_same_arguments(tmp_path):
    """The issue's name for the benchmark, run as a user runs it (a new interpreter, from any folder): the same
    command line as ``python -m benchmarks.asr``, and its exit status."""
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "calls").mkdir()
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "asr.bench", "--calls", str(tmp_path), "--fixtures", "3"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert done.returncode == 2, done.stderr
    assert str(tmp_path / "audio") in done.stderr and "*.flac" in done.stderr


def test_python_m_asr_bench_reads_relative_paths_from_the_caller_s_folder(tmp_path):
    """``--calls set`` run from tmp_path is tmp_path/set (it has a recording, so the call-folder check passes and the
    run stops at the clips folder, which is missing); run from the checkout it was the checkout's ``set``, which has
    no recordings."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "set" / "audio").mkdir(parents=True)
    (tmp_path / "set" / "calls").mkdir()
    (tmp_path / "set" / "audio" / "a.flac").write_bytes(b"")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "asr.bench", "--calls", "set", "--fixtures", "1",
                           "--clips", "no-clips-here"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode != 0
    assert "no recordings" not in done.stderr, done.stderr
    assert "no-clips-here" in done.stderr and "refs.tsv" in done.stderr, done.stderr[-2000:]


def test_asr_bench_outside_a_checkout_says_where_the_benchmark_is(tmp_path, monkeypatch, capsys):
    import asr.bench

    monkeypatch.setattr(asr.bench, "REPO", tmp_path)
    assert asr.bench.main(["--help"]) == 2
    assert "python -m benchmarks.asr" in capsys.readouterr().err
