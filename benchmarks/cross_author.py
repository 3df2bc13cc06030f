"""Cross-author held-out check: does what one independent author wrote teach the models another author's wording?

    python -m benchmarks.cross_author [-v]

The imported example files (examples/<type>_<source>.toml and examples/roles_<source>.toml, written by
``copilot phrasebook import-examples``) name their source. For every source S, S's sentences are scored
with two phrasebooks built in a temporary directory:
  - ``base``: the phrasebook without any imported file (the examples written by the project's own authors);
  - ``others``: the base plus every imported source except S.
Each need sentence is analysed as a one-turn caller call after the standard greeting (as the understanding
benchmark does with single sentences), as written and as an ASR-style copy (augment.asr_copies, fixed
seed); each role sentence likewise, and its caller role is the record's. S never trains the model it is
scored with, so ``others`` − ``base`` is what data from independent authors carries over to an author
nobody has tuned on.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

GREETING = "您好！12368！请问有什么可以帮助您？"
SEED = 5


def sources(examples: Path) -> list[str]:
    from phrasebook.tables import example_label

    found = set()
    for p in examples.glob("*.toml"):
        if p.stem.startswith("roles_"):
            found.add(p.stem[len("roles_"):])
        else:
            label = example_label(p.stem)
            if label and label != p.stem:
                found.add(p.stem[len(label) + 1:])
    return sorted(found)


def _files_of(examples: Path, source: str) -> list[Path]:
    from phrasebook.tables import example_label

    return [p for p in examples.glob("*.toml")
            if p.stem == f"roles_{source}" or (example_label(p.stem) and p.stem.endswith("_" + source)
                                               and example_label(p.stem) != p.stem)]


def build(data: Path, keep: list[str], all_sources: list[str], into: Path) -> Path:
    """A copy of the phrasebook ``data`` with the imported files of ``keep`` only."""
    shutil.copytree(data, into)
    for s in all_sources:
        if s not in keep:
            for p in _files_of(into / "examples", s):
                p.unlink()
    return into


def held_out(examples: Path, source: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(need sentences as (text, service type), role sentences as (text, role)) of one source's files."""
    import tomllib

    from phrasebook.tables import example_label

    needs, roles = [], []
    for p in sorted(_files_of(examples, source)):
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        for g in data.get("group", []):
            if p.stem.startswith("roles_"):
                if g["role"] != "none":  # says nothing of the caller (imported `other` that states a matter)
                    roles += [(e, g["role"]) for e in g["examples"]]
            else:
                needs += [(e, example_label(p.stem)) for e in g["examples"]]
    return needs, roles


def score(rules, items: list[tuple[str, str]], field: str, verbose: bool, tag: str) -> float:
    from copilot.analysis import analyze_transcript
    from copilot.transcript import Transcript, Turn

    ok = 0
    for i, (text, gold) in enumerate(items):
        tr = Transcript(call_id=f"X{i}", turns=(Turn("agent", 0.0, 3.0, GREETING), Turn("caller", 3.5, 8.0, text)))
        res = analyze_transcript(tr, rules=rules)
        got = res["service_type"] if field == "service_type" else (res.get("record") or {}).get("caller_role")
        ok += got == gold
        if got != gold and verbose:
            print(f"  [{tag}] {got} (expected {gold}): {text}", file=sys.stderr)
    return ok / len(items) if items else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=None, help="phrasebook directory (default: the package's)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mistake on stderr")
    args = ap.parse_args(argv)
    from copilot.analysis.augment import asr_copies
    from copilot.analysis.rules import load_rules
    from phrasebook.loader import DATA_DIR

    data = Path(args.dir).resolve() if args.dir else DATA_DIR
    srcs = sources(data / "examples")
    if not srcs:
        print(f"no imported example files in {data / 'examples'} (copilot phrasebook import-examples)")
        return 1
    t = time.perf_counter()
    out: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = load_rules(str(build(data, [], srcs, Path(tmp) / "base")))
        for s in srcs:
            needs, roles = held_out(data / "examples", s)
            rng = random.Random(SEED)
            pool = "".join(t for t, _ in needs)
            asr = [(asr_copies(text, 1, rng, pool=pool)[0], gold) for text, gold in needs]
            others = [o for o in srcs if o != s]
            models = {"base": base}
            if others:
                models["others"] = load_rules(str(build(data, others, srcs, Path(tmp) / f"without-{s}")))
            row: dict[str, float | int] = {"need sentences": len(needs), "role sentences": len(roles)}
            for name, rules in models.items():
                row[f"{name} type clean"] = score(rules, needs, "service_type", args.verbose, f"{s}/{name}/clean")
                row[f"{name} type ASR"] = score(rules, asr, "service_type", args.verbose, f"{s}/{name}/asr")
                row[f"{name} role"] = score(rules, roles, "caller_role", args.verbose, f"{s}/{name}/role")
            out[s] = row
    print(f"{'held-out source':<16}{'sentences':>10}{'model':>8}{'type clean':>12}{'type ASR':>10}{'role':>8}")
    for s, row in out.items():
        for name in ("base", "others"):
            if f"{name} role" in row:
                print(f"{s:<16}{row['need sentences']:>5}/{row['role sentences']:<4}{name:>8}"
                      f"{row[f'{name} type clean']:>12.3f}{row[f'{name} type ASR']:>10.3f}{row[f'{name} role']:>8.3f}")
    print(f"({time.perf_counter() - t:.1f} s)")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
