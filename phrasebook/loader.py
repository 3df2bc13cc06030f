"""Load and validate a phrasebook directory (``phrasebook/data`` by default)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from . import tables
from .errors import PhrasebookError
from .gcpause import paused_gc
from .model import Phrasebook, Rubric
from .source import Source

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = (
    "greeting.toml",
    "scripts.toml",
    "replacements.toml",
    "banned.toml",
    "service_types.toml",
    "referrals.toml",
    "domain_words.toml",
    "dialect.toml",
    "rubric.toml",
    "matcher.toml",
    "checks.toml",
    "flags.toml",
    "rules.toml",
)

EXAMPLES_DIR = "examples"
"""Caller example sentences, one file per service type (and ``none.toml``), and ``<type>_<source>.toml`` files
imported from independent authors (phrasebook/importer.py); optional in a phrasebook."""
ROLES_FILE = "roles.toml"
"""examples/roles.toml (and imported roles_<source>.toml): caller-role sentences (phrasebook/roles.py reads
them; not a service type)."""


def _example_files(directory: Path) -> list[Path]:
    return sorted(p for p in (directory / EXAMPLES_DIR).glob("*.toml")
                  if p.name != ROLES_FILE and not p.name.startswith("roles_"))


_cache: dict[tuple[str, tuple[float, ...]], Phrasebook] = {}
_lock = threading.Lock()


def _read(directory: Path, *, check_examples: bool = False) -> tuple[Phrasebook, list[PhrasebookError]]:
    """Every table of ``directory``; ``check_examples``: also check that every example of the rules says its rule
    and no look-alike does (a few hundred alignments: the validator's job, not every load's)."""
    src = {name: Source(directory / name) for name in FILES}
    greet, closings = tables.greeting(src["greeting.toml"])
    scripts = tables.scripts(src["scripts.toml"])
    replacements = tables.replacements(src["replacements.toml"])
    banned = tables.banned(src["banned.toml"])
    service_types = tables.service_types(src["service_types.toml"])
    referrals = tables.referrals(src["referrals.toml"])
    words, courts = tables.domain_words(src["domain_words.toml"])
    dialect = tables.dialect(src["dialect.toml"])
    rubric = tables.rubric(src["rubric.toml"])
    config = tables.matcher_config(src["matcher.toml"])
    checks = tables.checks(src["checks.toml"])
    registry, deductions = tables.flags(src["flags.toml"], rubric)
    rubric = Rubric(rubric.total, rubric.items, deductions)
    rules = tables.rules(src["rules.toml"])
    example_sources = [Source(p) for p in _example_files(directory)]
    # without a readable referral table there is nothing to check the examples' referrals against
    examples = tables.examples(example_sources, referrals if src["referrals.toml"].data is not None else None)
    # Cross-file: a form is either banned or an A.4 form, never both (it would be flagged twice).
    a4 = {p: r.id for r in replacements for p in r.instead_of}
    bsrc = src["banned.toml"]
    for n, entry in enumerate(banned):
        for p in entry.phrases:
            if p in a4:
                bsrc.err(
                    bsrc.line_of("banned", n, "phrases", p),
                    f"[[banned]] #{n + 1}: '{p}' is also an A.4 form in replacements.toml ({a4[p]}); keep it in one file",
                )
    pb = Phrasebook(
        greeting=greet,
        closings=closings,
        scripts=scripts,
        replacements=replacements,
        banned=banned,
        service_types=service_types,
        referrals=referrals,
        domain_words=words,
        courts=courts,
        dialect=dialect,
        rubric=rubric,
        matcher_config=config,
        source_dir=str(directory),
        checks=checks,
        flags=registry,
        rules=rules,
        examples=examples,
    )
    if check_examples and not any(s.errors for s in src.values()):
        _check_examples(src, pb)
    errors = [e for s in [*src.values(), *example_sources] for e in s.errors]
    return pb, errors


def _check_examples(src: dict[str, Source], pb: Phrasebook) -> None:
    tables.check_examples(src["rules.toml"], "rule",
                          [(r.id, r.positive, r.negative, ("positive", "negative")) for r in pb.rules],
                          independent=True)
    tables.check_examples(src["banned.toml"], "banned",
                          [(b.id, b.phrases + b.examples, b.not_when, ("phrases", "not_when")) for b in pb.banned])
    tables.check_examples(src["replacements.toml"], "replacement",
                          [(r.id, r.instead_of + r.examples, r.not_when, ("instead_of", "not_when"))
                           for r in pb.replacements])


def _resolve(path: str | Path | None) -> Path:
    return Path(path).resolve() if path is not None else DATA_DIR


def check_phrasebook(path: str | Path | None = None) -> list[PhrasebookError]:
    """Every problem in the phrasebook directory, each with its file and line (empty when valid)."""
    directory = _resolve(path)
    if not directory.is_dir():
        return [PhrasebookError(directory, 0, "phrasebook directory does not exist")]
    return _read(directory, check_examples=True)[1]


def load_phrasebook(path: str | Path | None = None) -> Phrasebook:
    """The validated phrasebook of ``path`` (default: the package's data directory), cached.

    The cache is keyed by the directory and its files' modification times, so an edited file is
    read again. Raises :class:`PhrasebookError` (the first problem; the message counts the rest).
    """
    directory = _resolve(path)
    if not directory.is_dir():
        raise PhrasebookError(directory, 0, "phrasebook directory does not exist")
    stamps = tuple((directory / f).stat().st_mtime if (directory / f).exists() else -1.0 for f in FILES)
    stamps += tuple(p.stat().st_mtime for p in _example_files(directory))
    key = (str(directory), stamps)
    with _lock:
        if key in _cache:
            return _cache[key]
    with paused_gc():
        pb, errors = _read(directory)
    if errors:
        first = errors[0]
        more = (
            f" (and {len(errors) - 1} more problem(s); run `copilot phrasebook check`)"
            if len(errors) > 1
            else ""
        )
        raise PhrasebookError(first.file, first.line, first.message + more)
    log.debug("loaded phrasebook from %s", directory)
    with _lock:
        _cache[key] = pb
    return pb
