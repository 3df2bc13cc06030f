"""examples/roles.toml: caller-role sentences (training data of copilot/analysis/role_model.py) and the
default role per service type and need, read and checked (file:line in every error)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .source import array_table_line, read_toml_strict

ROLES_PATH = Path("examples") / "roles.toml"
ROLE_CODES = ("party", "litigation_agent", "defender", "petitioner", "other")
"""formats.md §3 caller roles."""
ROLE_LABELS = (*ROLE_CODES, "none")
"""``none``: a sentence that says nothing about who the caller is."""


class RolesDataError(ValueError):
    """A problem in roles.toml; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class RoleGroup:
    role: str
    name: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class RoleData:
    groups: tuple[RoleGroup, ...]
    defaults: dict[str, str]
    """``"type/need"``, ``"type"`` or ``"*"`` → role when nothing said shows who the caller is."""
    path: str = ""

    def default(self, service_type: str, need: str = "") -> str:
        d = self.defaults
        return d.get(f"{service_type}/{need}") or d.get(service_type) or d.get("*") or "other"




def _key(text: str) -> str:
    return re.sub(r"[\s，。？！、；：,.?!;:“”\"']+", "", text)


def read_roles(path: str | Path, *, missing_ok: bool = False, exclude: tuple[str, ...] = ()) -> RoleData | None:
    """roles.toml and every imported roles_<source>.toml beside it, checked: every group has a role code (or
    ``none``), a name and non-empty example strings; no sentence twice in any of the files; every default names
    a role code (defaults only in roles.toml). ``missing_ok``: no roles.toml gives None; ``exclude``: file names of
    imported files not to read."""
    path = Path(path)
    if missing_ok and not path.exists():
        return None
    seen: dict[str, str] = {}
    text, data = read_toml_strict(path, RolesDataError)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise RolesDataError(f"{path}:1: expected a [defaults] table of role codes")
    for k, v in defaults.items():
        if v not in ROLE_CODES:
            line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().strip('"').startswith(k)), 1)
            raise RolesDataError(f"{path}:{line}: default for '{k}' is {v!r}; expected one of {', '.join(ROLE_CODES)}")
    groups = _groups(path, text, data, seen)
    for extra in sorted(p for p in path.parent.glob("roles_*.toml") if p.name not in exclude):
        extra_text, extra_data = read_toml_strict(extra, RolesDataError)
        if "defaults" in extra_data:
            raise RolesDataError(f"{extra}:1: [defaults] belongs in {path.name} only")
        groups += _groups(extra, extra_text, extra_data, seen)
    return RoleData(tuple(groups), {str(k): str(v) for k, v in defaults.items()}, str(path))


def _groups(path: Path, text: str, data: dict, seen: dict[str, str]) -> list[RoleGroup]:
    """The checked ``[[group]]`` tables of one roles file (``seen``: sentence key → where it was first)."""
    groups = data.get("group", [])
    if not isinstance(groups, list) or not groups:
        raise RolesDataError(f"{path}:1: expected [[group]] tables with role, name and examples")
    out = []
    for i, g in enumerate(groups, 1):
        where = f"{path}:{array_table_line(text, 'group', i)}: [[group]] #{i}"
        if g.get("role") not in ROLE_LABELS:
            raise RolesDataError(f"{where}: role is {g.get('role')!r}; expected one of {', '.join(ROLE_LABELS)}")
        if not isinstance(g.get("name"), str) or not g["name"].strip():
            raise RolesDataError(f"{where}: expected name = \"…\"")
        ex = g.get("examples")
        if not isinstance(ex, list) or not ex or not all(isinstance(e, str) and _key(e) for e in ex):
            raise RolesDataError(f"{where} ({g['name']}): expected examples = [\"…\", …] (non-empty strings)")
        for e in ex:
            k = _key(e)
            if k in seen:
                raise RolesDataError(f"{where} ({g['name']}): '{e}' is written twice (first in {seen[k]})")
            seen[k] = f"{path.name} group #{i}"
        out.append(RoleGroup(g["role"], g["name"], tuple(ex)))
    return out
