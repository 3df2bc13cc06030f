"""CLI pieces the copilot wires into ``copilot phrasebook check [DIR]`` and ``copilot phrasebook find TEXT``.

These functions write to stdout because they *are* the command's output.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import TextIO

from .errors import PhrasebookError
from .find import find_all
from .loader import check_phrasebook, load_phrasebook


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Minimal normalisation for ``find``: traditional → simplified, no spaces or punctuation."""
    simplified = _t2s().convert(text)
    return "".join(c for c in simplified if not (c.isspace() or unicodedata.category(c)[0] in "PZ"))


def cmd_check(dir: str | Path | None = None, out: TextIO | None = None) -> int:  # noqa: A002
    """Print every problem as ``file:line: message``; exit status 1 on any, else print entry counts."""
    out = out or sys.stdout
    errors = check_phrasebook(dir)
    for e in errors:
        print(f"{e.file}:{e.line}: {e.message}", file=out)
    if errors:
        print(f"{len(errors)} problem(s) found", file=out)
        return 1
    pb = load_phrasebook(dir)
    counts = {
        "banned groups": len(pb.banned),
        "banned phrases": sum(len(b.phrases) for b in pb.banned),
        "A.4 replacements": len(pb.replacements),
        "closings": len(pb.closings),
        "scripts": len(pb.scripts),
        "service types": len(pb.service_types),
        "service-type cues": sum(len(s.cues) for s in pb.service_types),
        "referrals": len(pb.referrals),
        "domain words": len(pb.domain_words),
        "courts": len(pb.courts),
        "dialect words": len(pb.dialect),
        "rubric items": len(pb.rubric.items) if pb.rubric else 0,
        "example sentences": sum(len(g.examples) for g in pb.examples),
    }
    per_label: dict[str, int] = {}
    for g in pb.examples:
        per_label[g.label] = per_label.get(g.label, 0) + len(g.examples)
    print(f"phrasebook OK: {pb.source_dir}", file=out)
    for name, n in counts.items():
        print(f"  {name}: {n}", file=out)
    if per_label:
        print("    " + ", ".join(f"{label} {n}" for label, n in per_label.items()), file=out)
    return 0


def cmd_find(text: str, dir: str | Path | None = None, out: TextIO | None = None) -> int:  # noqa: A002
    """Print every hit in ``text``: table, phrase id, span, what was said, confidence, replacement.

    Exit status 0 (also when nothing is found), 1 when the phrasebook is invalid.
    """
    out = out or sys.stdout
    try:
        pb = load_phrasebook(dir)
    except PhrasebookError as exc:
        print(f"{exc.file}:{exc.line}: {exc.message}", file=out)
        return 1
    norm = normalise(text)
    hits = find_all(pb, norm)
    print(f"text: {norm}", file=out)
    if not hits:
        print("no phrasebook phrase found", file=out)
    for table, hit, suggestion in hits:
        print(
            f"{table}\t{hit.phrase_id}\t[{hit.start}:{hit.end}]\t{hit.matched}"
            f"\t(phrase {hit.phrase}, {hit.kind} {hit.confidence:.2f})\t→ {suggestion}",
            file=out,
        )
    return 0
