"""The flag registry (flags.toml) on its own: every flag code's Chinese name, severity and points; and the
service types' Chinese names (service_types.toml).

Screens, reports and the evaluation need the names without loading the whole phrasebook; this reads
only ``rubric.toml`` (to check the items) and ``flags.toml``, or ``service_types.toml``, once per directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import tables
from .errors import PhrasebookError
from .model import FlagDef
from .source import Source

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=4)
def _load(directory: str) -> tuple[FlagDef, ...]:
    rubric_src, flags_src = Source(Path(directory) / "rubric.toml"), Source(Path(directory) / "flags.toml")
    registry, _ = tables.flags(flags_src, tables.rubric(rubric_src))
    errors = rubric_src.errors + flags_src.errors
    if errors:
        first = errors[0]
        raise PhrasebookError(first.file, first.line, first.message)
    return registry


@lru_cache(maxsize=4)
def _service_types(directory: str) -> tuple[tuple[str, str], ...]:
    src = Source(Path(directory) / "service_types.toml")
    types = tables.service_types(src)
    if src.errors:
        first = src.errors[0]
        raise PhrasebookError(first.file, first.line, first.message)
    return tuple((t.code, t.name_zh) for t in types)


def service_type_names(path: str | Path | None = None) -> dict[str, str]:
    """code → Chinese name of every service type (service_types.toml ``name_zh``), in file order."""
    return dict(_service_types(str(Path(path).resolve() if path is not None else DATA_DIR)))


def flag_registry(path: str | Path | None = None) -> tuple[FlagDef, ...]:
    """Every registered flag code in file order (PhrasebookError when flags.toml or rubric.toml is bad)."""
    return _load(str(Path(path).resolve() if path is not None else DATA_DIR))


def flag_def(code: str, path: str | Path | None = None) -> FlagDef | None:
    """The registry entry of ``code`` (None when the code is not registered)."""
    return next((f for f in flag_registry(path) if f.code == code), None)


def flag_names(path: str | Path | None = None) -> dict[str, str]:
    """code → Chinese name of every code shown as a flag (score-only codes left out)."""
    return {f.code: f.name_zh for f in flag_registry(path) if f.shown}


def evaluated_codes(path: str | Path | None = None) -> tuple[str, ...]:
    """The formats.md §3 codes, in registry order (what evaluations compare)."""
    return tuple(f.code for f in flag_registry(path) if f.evaluated)
