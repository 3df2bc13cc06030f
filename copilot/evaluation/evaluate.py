"""`copilot eval`: score the analysis against labelled calls (labels: docs/formats.md §5).

Service type: accuracy and macro-F1. Flags: per code precision/recall/F1 and micro-F1, compared as a
multiset of (code, turn) — or by code only (``by_code=True``, for real-ASR copies whose turns do not
line up with the script). Record: exact-match accuracy of caller_role, case_number, phone, judge_name.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError
from phrasebook.registry import evaluated_codes

FLAG_CODES = evaluated_codes()
"""The ten formats.md §3 codes (flags.toml ``evaluated = true``); other codes are not compared."""
RECORD_FIELDS = ("caller_role", "case_number", "phone", "judge_name")


def judge_matches(pred: str | None, gold: str | None) -> bool:
    """The record's judge against the label: equal, or the label's spoken 「X法官」 and a full name with surname X
    (the case directory fills the judge's full name)."""
    if pred == gold:
        return True
    if not pred or not gold or "法官" in pred:
        return False
    return gold.endswith("法官") and len(gold) == 3 and 2 <= len(pred) <= 4 and pred[0] == gold[0]


def load_labels(path: str | Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CopilotError(f"cannot read labels: {exc.strerror or exc}", where=str(p)) from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CopilotError(f"malformed JSON: {exc.msg}", where=f"{p}:{n}") from exc
        if not isinstance(d, dict) or "call_id" not in d:
            raise CopilotError("expected an object with 'call_id'", where=f"{p}:{n}")
        out[d["call_id"]] = d
    return out


@dataclass
class EvalReport:
    n: int = 0
    type_correct: int = 0
    type_pairs: list[tuple[str, str]] = field(default_factory=list)
    flag_tp: Counter = field(default_factory=Counter)
    flag_fp: Counter = field(default_factory=Counter)
    flag_fn: Counter = field(default_factory=Counter)
    record_correct: Counter = field(default_factory=Counter)
    record_total: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    caller_flags: int = 0
    """Flags raised on a caller's turn (the agent is checked, never the caller): must stay 0."""

    def add(self, call_id: str, label: dict[str, Any], result: dict[str, Any], *, by_code: bool) -> None:
        self.n += 1
        gold, pred = label.get("service_type"), result.get("service_type")
        self.type_pairs.append((gold, pred))
        if gold == pred:
            self.type_correct += 1
        else:
            self.mistakes.append(f"{call_id}: service_type {pred} (expected {gold})")

        def key(f: dict[str, Any]) -> tuple:
            return (f["code"],) if by_code else (f["code"], f.get("turn"))

        g = Counter(key(f) for f in label.get("flags", []) if f["code"] in FLAG_CODES)
        p = Counter(key(f) for f in result.get("flags", []) if f["code"] in FLAG_CODES)
        if by_code:  # by code: presence per call
            g = Counter(set(g))
            p = Counter(set(p))
        for k in g | p:
            tp = min(g[k], p[k])
            self.flag_tp[k[0]] += tp
            self.flag_fp[k[0]] += p[k] - tp
            self.flag_fn[k[0]] += g[k] - tp
            if p[k] > tp:
                self.mistakes.append(f"{call_id}: extra flag {k}")
            if g[k] > tp:
                self.mistakes.append(f"{call_id}: missed flag {k}")
        for f in result.get("flags", []):
            if f.get("speaker") == "caller":
                self.caller_flags += 1
                self.mistakes.append(f"{call_id}: flag {f['code']} on a caller turn {f.get('turn')}")
        rec = result.get("record") or {}
        for f in RECORD_FIELDS:
            if f not in (label.get("record") or {}):
                continue
            self.record_total[f] += 1
            if rec.get(f) == label["record"][f] or (f == "judge_name" and judge_matches(rec.get(f), label["record"][f])):
                self.record_correct[f] += 1
            else:
                self.mistakes.append(f"{call_id}: {f} {rec.get(f)!r} (expected {label['record'][f]!r})")

    # -------------------------------------------------------------- figures
    @property
    def accuracy(self) -> float:
        return self.type_correct / self.n if self.n else 0.0

    @property
    def macro_f1(self) -> float:
        labels = sorted({g for g, _ in self.type_pairs} | {p for _, p in self.type_pairs}, key=str)
        f1s = []
        for lab in labels:
            tp = sum(1 for g, p in self.type_pairs if g == lab and p == lab)
            fp = sum(1 for g, p in self.type_pairs if g != lab and p == lab)
            fn = sum(1 for g, p in self.type_pairs if g == lab and p != lab)
            f1s.append(_f1(tp, fp, fn))
        return sum(f1s) / len(f1s) if f1s else 0.0

    def flag_prf(self, code: str | None = None) -> tuple[float, float, float]:
        if code is None:
            tp, fp, fn = sum(self.flag_tp.values()), sum(self.flag_fp.values()), sum(self.flag_fn.values())
        else:
            tp, fp, fn = self.flag_tp[code], self.flag_fp[code], self.flag_fn[code]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, _f1(tp, fp, fn)

    def record_accuracy(self, f: str) -> float:
        return self.record_correct[f] / self.record_total[f] if self.record_total[f] else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.n,
            "service_type": {"accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4)},
            "flags": {
                "micro": dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in self.flag_prf()), strict=True)),
                "per_code": {c: {"tp": self.flag_tp[c], "fp": self.flag_fp[c], "fn": self.flag_fn[c],
                                 **dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in self.flag_prf(c)),
                                            strict=True))}
                             for c in FLAG_CODES if self.flag_tp[c] + self.flag_fp[c] + self.flag_fn[c]},
            },
            "record": {f: round(self.record_accuracy(f), 4) for f in RECORD_FIELDS if self.record_total[f]},
            "caller_flags": self.caller_flags,
            "errors": self.errors,
            "mistakes": self.mistakes,
        }

    def table(self) -> str:
        lines = [f"通话数 calls: {self.n}",
                 f"服务类型 service type: accuracy {self.accuracy:.3f}  macro-F1 {self.macro_f1:.3f}", "",
                 f"{'flag code':<28}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}"]
        for c in FLAG_CODES:
            if self.flag_tp[c] + self.flag_fp[c] + self.flag_fn[c] == 0:
                continue
            p, r, f = self.flag_prf(c)
            lines.append(f"{c:<28}{p:>7.3f}{r:>7.3f}{f:>7.3f}{self.flag_tp[c]:>5}{self.flag_fp[c]:>5}{self.flag_fn[c]:>5}")
        p, r, f = self.flag_prf()
        lines.append(f"{'micro':<28}{p:>7.3f}{r:>7.3f}{f:>7.3f}")
        lines.append(f"来电人话轮上的提示 flags on caller turns: {self.caller_flags}")
        lines.append("")
        for fld in RECORD_FIELDS:
            if self.record_total[fld]:
                lines.append(f"record.{fld:<16} accuracy {self.record_accuracy(fld):.3f}")
        if self.errors:
            lines += ["", "errors:"] + [f"  {e}" for e in self.errors]
        return "\n".join(lines)


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def find_call_file(d: Path, call_id: str, exts: tuple[str, ...] = (".json",)) -> Path:
    """``<call_id>.json``, else the first ``<call_id>-<slug>.<ext>`` (fixtures carry a slug)."""
    for ext in exts:
        if (d / f"{call_id}{ext}").exists():
            return d / f"{call_id}{ext}"
    for ext in exts:
        found = sorted(d.glob(f"{call_id}-*{ext}"))
        if found:
            return found[0]
    return d / f"{call_id}{exts[0]}"


def _audio_exts() -> tuple[str, ...]:
    from copilot.session.source import AUDIO_EXT

    return tuple(sorted(AUDIO_EXT, key=lambda e: (e != ".flac", e != ".wav")))


AUDIO_EXTS = _audio_exts()
"""The recordings of copilot.session's one extension set, in the order they are looked for beside the labels
(FLAC, WAV, then Ogg/MP3 when libsndfile reads them)."""


def evaluate(calls_dir: str | Path, labels_path: str | Path, *, by_code: bool = False, analyse=None,
             engine: str = "auto", progress=None) -> EvalReport:
    """Analyse every labelled call found in ``calls_dir`` (``<call_id>.json``, or a recording) and compare.

    A recording goes through ASR (``engine``) and the whole pipeline; its flags are compared by code
    (present in the call or not), since ASR segments turns differently from the labelled transcript.
    ``progress(i, n, call_id)`` is called before each call.
    """

    labels = load_labels(labels_path)
    rep = EvalReport()
    d = Path(calls_dir)
    for i, (call_id, label) in enumerate(sorted(labels.items())):
        if progress:
            progress(i, len(labels), call_id)
        path = find_call_file(d, call_id, (".json", *AUDIO_EXTS))
        try:
            if analyse:
                result = analyse(path)
            else:
                from copilot.session.files import analyse_file

                result = analyse_file(path, engine=engine)[0]
        except CopilotError as exc:
            rep.errors.append(str(exc))
            continue
        rep.add(call_id, label, result, by_code=by_code or path.suffix.lower() in AUDIO_EXTS)
    return rep
