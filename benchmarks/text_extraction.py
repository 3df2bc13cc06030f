"""Accuracy of case-number and phone extraction on the labelled dev set (``../shared/eval/dev``).

Each turn is normalised and searched on its own; the call's answer is ``pick_best`` over all its
turns. A hit where the label is null counts as a miss, as does no hit where there is a label.

Run ``python -m benchmarks.text_extraction [DEV_DIR]`` to print the scores and the misses.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from copilot.text.errors import TextError
from copilot.text.normalize import normalize
from copilot.text.numbers import find_case_numbers, find_phones, pick_best

log = logging.getLogger(__name__)

DEFAULT_DEV_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
"""The whole labelled dev set beside the repository (the tests use the sample in tests/data/dev)."""
COPIES = {"calls": "labels.jsonl", "asr": "labels.jsonl", "whisper": "audio-labels.jsonl"}


@dataclass(frozen=True)
class Miss:
    """One wrong answer."""

    call_id: str
    """The call."""
    field: str
    """``case_number`` or ``phone``."""
    expected: str | None
    """The label."""
    got: str | None
    """What extraction chose."""


@dataclass(frozen=True)
class Score:
    """Exact-match accuracy of one copy of the dev set."""

    copy: str
    """``calls``, ``asr`` or ``whisper``."""
    calls: int
    """Number of labelled calls scored."""
    case_number: float
    """Share of calls whose case number (or its absence) is right."""
    phone: float
    """Share of calls whose phone number (or its absence) is right."""
    misses: tuple[Miss, ...] = field(default=())
    """Every wrong answer."""


def _labels(path: Path) -> dict[str, dict]:
    labels = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            labels[obj["call_id"]] = obj["record"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise TextError(f"bad label line: {exc}", where=f"{path}:{lineno}") from exc
    return labels


def extract_call(turns: list[str]) -> tuple[str | None, str | None]:
    """(case number, phone) that extraction picks for a call given its turn texts."""
    cases, phones = [], []
    for text in turns:
        canon = normalize(text).text
        cases.extend(find_case_numbers(canon))
        phones.extend(p for p in find_phones(canon) if p.kind == "mobile")
    case, phone = pick_best(cases), pick_best(phones)
    return (case.value if case else None), (phone.value if phone else None)


def score(dev_dir: Path, copy: str) -> Score:
    """Score extraction on one copy (``calls``, ``asr`` or ``whisper``) of the dev set in ``dev_dir``."""
    if copy not in COPIES:
        raise TextError(f"unknown copy {copy!r}; expected one of {sorted(COPIES)}", where="score(copy)")
    folder = dev_dir / copy
    label_file = dev_dir / COPIES[copy]
    if not folder.is_dir() or not label_file.is_file():
        raise TextError("dev set not found", where=str(folder))
    labels = _labels(label_file)
    misses: list[Miss] = []
    n = ok_case = ok_phone = 0
    for call_id, record in sorted(labels.items()):
        path = folder / f"{call_id}.json"
        try:
            turns = [t["text"] for t in json.loads(path.read_text(encoding="utf-8"))["turns"]]
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise TextError(f"cannot read transcript: {exc}", where=str(path)) from exc
        case, phone = extract_call(turns)
        n += 1
        if case == record.get("case_number"):
            ok_case += 1
        else:
            misses.append(Miss(call_id, "case_number", record.get("case_number"), case))
        if phone == record.get("phone"):
            ok_phone += 1
        else:
            misses.append(Miss(call_id, "phone", record.get("phone"), phone))
    if n == 0:
        raise TextError("no labelled calls", where=str(label_file))
    return Score(copy, n, ok_case / n, ok_phone / n, tuple(misses))


def main(argv: list[str] | None = None) -> int:
    """Print the scores of every copy of the dev set."""
    args = sys.argv[1:] if argv is None else argv
    dev_dir = Path(args[0]) if args else DEFAULT_DEV_DIR
    if not (dev_dir / "labels.jsonl").is_file():
        print(f"{dev_dir}: no labelled dev set here; usage: python -m benchmarks.text_extraction DEV_DIR", file=sys.stderr)
        return 2
    for copy in COPIES:
        s = score(dev_dir, copy)
        print(f"{copy:8s} calls={s.calls:3d} case_number={s.case_number:.3f} phone={s.phone:.3f}")
        for m in s.misses:
            print(f"    {m.call_id} {m.field}: expected {m.expected} got {m.got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
