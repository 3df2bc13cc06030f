"""Case-number and judge-name accuracy with the case directory vs without (``python -m copilot.cases.measure``).

A temporary SQLite store gets the true cases of the labelled calls plus ``--distractors`` realistic cases with
the same court codes and years (generated from ``--seed``). Every call (transcript JSON, or a recording run
through Whisper once) is analysed twice, with and without the directory, and compared with its labels:

- case number: exact canonical match on calls whose label has one; on calls whose label has none, the record
  must have none either;
- judge: with the directory, the directory's full name of the labelled case's judge (surname and given name);
  without, the spoken form as labelled (``陆法官``); a judge label of null wants no judge.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from copilot.cases.generate import read_csv_rows, store_among_distractors

TRUE_CSV = Path(__file__).resolve().parents[2] / "tests" / "data" / "cases" / "true_cases.csv"


def build_store(folder: Path, true_csv: Path, distractors: int, seed: int) -> Any:
    """A SQLite store in ``folder`` holding the true cases and distractors of their courts and years; the engine."""
    true = read_csv_rows(true_csv)
    courts = sorted({r["case_number"].split("）")[1][:1] + "".join(
        c for c in r["case_number"].split("）")[1][:5] if c.isdigit()) for r in true})
    years = sorted({int(r["case_number"][1:5]) for r in true})
    # strict: a true case left out would make every figure meaningless
    return store_among_distractors(folder, true, distractors, seed=seed, courts=courts, years=years)


def compare(label: dict[str, Any], rec: dict[str, Any], truth: dict[str, dict[str, str]], directory: bool) -> dict:
    gold_case = label.get("case_number")
    gold_judge = label.get("judge_name")
    out = {"case_ok": rec.get("case_number") == gold_case, "has_case": gold_case is not None,
           "has_judge": gold_judge is not None, "case": rec.get("case_number"), "judge": rec.get("judge_name"),
           "source": rec.get("case_source")}
    if gold_judge is None:
        out["judge_ok"] = rec.get("judge_name") is None
    elif directory and gold_case in truth and truth[gold_case]["judge_name"]:
        out["judge_ok"] = rec.get("judge_name") == truth[gold_case]["judge_name"]
    else:
        out["judge_ok"] = rec.get("judge_name") == gold_judge
    # the spoken-form comparison `copilot eval` makes (a full name counts for 「X法官」 when the surname agrees)
    from copilot.evaluation.evaluate import judge_matches

    out["judge_eval_ok"] = judge_matches(rec.get("judge_name"), gold_judge)
    return out


def summarise(rows: list[dict]) -> dict[str, Any]:
    lab = [r for r in rows if r["has_case"]]
    none = [r for r in rows if not r["has_case"]]
    jl = [r for r in rows if r["has_judge"]]
    return {"calls": len(rows),
            "case_number_labelled": f"{sum(r['case_ok'] for r in lab)}/{len(lab)}",
            "case_number_on_none": f"{sum(r['case'] is None for r in none)}/{len(none)} without a case number",
            "judge_labelled": f"{sum(r['judge_ok'] for r in jl)}/{len(jl)}",
            "judge_eval_form": f"{sum(r['judge_eval_ok'] for r in rows)}/{len(rows)}"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("calls", help="folder of transcripts (.json) or recordings (.flac/.wav)")
    ap.add_argument("labels")
    ap.add_argument("--true-cases", default=str(TRUE_CSV))
    ap.add_argument("--distractors", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=12368)
    ap.add_argument("--engine", default="whisper")
    ap.add_argument("--save-transcripts", default=None, help="recordings: write the Whisper transcripts here")
    ap.add_argument("--bias", action="store_true", help="recordings: Whisper gets the directory's hotwords")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)

    from copilot.analysis import analyze_transcript
    from copilot.cases.directory import CaseDirectory
    from copilot.evaluation.evaluate import AUDIO_EXTS, find_call_file, load_labels
    from copilot.transcript import load_transcript

    labels = load_labels(a.labels)
    truth = {r["case_number"]: r for r in read_csv_rows(a.true_cases)}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        engine = build_store(Path(tmp), Path(a.true_cases), a.distractors, a.seed)
        directory = CaseDirectory(engine)
        build = time.perf_counter() - t0
        words = rec = None
        if a.bias:
            from asr.engine import make_recognizer
            from copilot.cases.bias import hotwords

            words = hotwords(directory)
            rec = make_recognizer(a.engine, hotwords=words)  # every recording of this run uses it
        per: dict[str, list[dict]] = {"without": [], "with": []}
        lookups: list[float] = []
        for cid, lab in sorted(labels.items()):
            path = find_call_file(Path(a.calls), cid, (".json", *AUDIO_EXTS))
            if path.suffix.lower() in AUDIO_EXTS:
                from copilot.session.recording import analyse_recording

                tr = analyse_recording(path, engine=a.engine, recognizer=rec)[1]
                if a.save_transcripts:
                    Path(a.save_transcripts).mkdir(parents=True, exist_ok=True)
                    (Path(a.save_transcripts) / f"{cid}.json").write_text(
                        json.dumps(tr.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
            else:
                tr = load_transcript(path)
            rec0 = analyze_transcript(tr, cases=None)["record"]
            t1 = time.perf_counter()
            rec1 = analyze_transcript(tr, cases=directory)["record"]
            lookups.append(time.perf_counter() - t1)
            gold = lab.get("record") or {}
            per["without"].append({"call": cid, **compare(gold, rec0, truth, False)})
            per["with"].append({"call": cid, **compare(gold, rec1, truth, True)})
    report = {"directory": {"cases": directory.size, "distractors": a.distractors, "seed": a.seed,
                            "build_seconds": round(build, 1)}, "hotwords": words,
              "without": summarise(per["without"]), "with": summarise(per["with"]),
              "analysis_seconds_per_call_with_directory": round(sum(lookups) / max(1, len(lookups)), 3)}
    if a.verbose:
        report["calls"] = per
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def cer_of(transcripts: Path, scripts: Path) -> dict[str, Any]:
    """CER of saved transcripts (both channels) against the clean scripts of the same calls."""
    from asr.cer import CerResult, cer

    total = CerResult(0, 0)
    for f in sorted(Path(transcripts).glob("*.json")):
        hyp = json.loads(f.read_text(encoding="utf-8"))
        ref_path = next(iter(sorted(Path(scripts).glob(f"{f.stem}*.json"))), None)
        if ref_path is None:
            continue
        ref = json.loads(ref_path.read_text(encoding="utf-8"))
        for speaker in ("agent", "caller"):
            total += cer("".join(t["text"] for t in ref["turns"] if t["speaker"] == speaker),
                         "".join(t["text"] for t in hyp["turns"] if t["speaker"] == speaker))
    return {"cer": round(total.cer, 4), "errors": total.errors, "ref_chars": total.ref_chars}
