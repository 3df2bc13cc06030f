"""CLI pieces the copilot wires into ``copilot phrasebook check [DIR]`` and ``copilot phrasebook find TEXT``.

These functions write to stdout because they *are* the command's output.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from .conduct import CONDUCT_FILE, ConductDataError, read_conduct
from .errors import PhrasebookError
from .find import find_all
from .loader import check_phrasebook, load_phrasebook
from .roles import ROLES_PATH, RolesDataError, read_roles


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
    try:
        conduct = read_conduct(Path(pb.source_dir) / CONDUCT_FILE, missing_ok=True)
        roles = read_roles(Path(pb.source_dir) / ROLES_PATH, missing_ok=True)
    except (ConductDataError, RolesDataError) as exc:
        print(exc, file=out)
        print("1 problem(s) found", file=out)
        return 1
    counts = {
        "banned groups": len(pb.banned),
        "banned phrases": sum(len(b.phrases) for b in pb.banned),
        "banned paraphrases (examples)": sum(len(b.examples) for b in pb.banned),
        "banned look-alikes (not_when)": sum(len(b.not_when) for b in pb.banned),
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
        "flag codes": len(pb.flags),
        "check rules": len(pb.rules),
        "check rule examples (positive / negative)": f"{sum(len(r.positive) for r in pb.rules)} / "
                                                     f"{sum(len(r.negative) for r in pb.rules)}",
        "example sentences": sum(len(g.examples) for g in pb.examples),
        "conduct sentences (rude / courteous)": f"{sum(len(g['examples']) for g in conduct.get('rude', ()))} / "
                                                f"{sum(len(g['examples']) for g in conduct.get('courteous', ()))}",
    }
    if roles is not None:
        per_role: dict[str, int] = {}
        for rg in roles.groups:
            per_role[rg.role] = per_role.get(rg.role, 0) + len(rg.examples)
        counts["caller-role sentences"] = ", ".join(f"{r} {n}" for r, n in per_role.items())
    per_label: dict[str, int] = {}
    for g in pb.examples:
        per_label[g.label] = per_label.get(g.label, 0) + len(g.examples)
    print(f"phrasebook OK: {pb.source_dir}", file=out)
    for name, n in counts.items():
        print(f"  {name}: {n}", file=out)
    if per_label:
        print("    " + ", ".join(f"{label} {n}" for label, n in per_label.items()), file=out)
    return 0


def cmd_import(path: str, source: str, dir: str | Path | None = None, maps: list[str] | None = None,  # noqa: A002
               dry_run: bool = False, note: str = "", out: TextIO | None = None) -> int:
    """Import a JSONL file of labelled caller sentences (phrasebook/importer.py); exit 1 on a bad line."""
    from .importer import import_examples

    out = out or sys.stdout
    need_map = {}
    for m in maps or []:
        author, sep, ours = m.partition("=")
        if not sep or not author or not ours:
            print(f"--map {m!r}: expected AUTHOR_NEED=PHRASEBOOK_NEED", file=out)
            return 2
        need_map[author] = ours
    try:
        report = import_examples(path, source, dir, need_map, dry_run=dry_run, note=note)
    except PhrasebookError as exc:
        print(f"{exc.file}:{exc.line}: {exc.message}", file=out)
        return 1
    for line in report.lines():
        print(line, file=out)
    for n, text, like in report.near:
        print(f"  near duplicate, skipped: {path}:{n}: '{text}' ~ '{like}'", file=out)
    if dry_run:
        print("(dry run: nothing written)", file=out)
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
    for table, m in similar_hits(pb, norm):
        print(f"{table}~\t{m.rule}\t[{m.start}:{m.end}]\t{norm[m.start:m.end]}"
              f"\t(example {m.example}, similarity {m.score:.2f})", file=out)
    return 0


def similar_hits(pb, text: str) -> list[tuple[str, Any]]:
    """What the checks' example rules recognise in ``text`` (phrasebook.similar): banned groups, A.4 rows and
    rules.toml rules, whoever says it (the checks then keep the rules of the turn's speaker)."""
    from .similar import ExampleSet

    sets = (
        ("banned", ExampleSet((b.id, b.phrases + b.examples, b.not_when) for b in pb.banned)),
        ("replacement", ExampleSet((r.id, tuple(p for p in r.instead_of + r.examples if len(p) >= 2), r.not_when)
                                   for r in pb.replacements)),
        ("rule", ExampleSet(((r.id, r.positive, r.negative) for r in pb.rules), exclusive=False)),
    )
    return [(table, m) for table, es in sets for m in es.find(text)]
