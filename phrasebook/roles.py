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


SAYS_WHO = re.compile(
    r"我是|我们是|本人|不是|当事人|代理|律师|辩护|委托|原告|被告|申请人|申请执行|执行人|上诉|信访|上访|帮(?!我(?!们))"
    r"|替(?!我(?!们))|代(?!办)|陪"
    r"|家属|亲属|亲戚|亲眷|朋友|同事|邻居|同学|记者|学生|居委|村干部|老板让|公司|单位"
    r"|爸|妈|儿子|女儿|囡|老公|老婆|丈夫|妻子|爷|奶|外婆|外公|哥|姐|弟|妹|孙|侄|甥|舅|叔|姨|姑|婆|伯|老伴|家里人|屋里")
"""Words by which a sentence says who the caller is (or is not: 我不是当事人), or speaks of someone else's matter.
A sentence labelled ``other`` without any of them states a matter, not a role (「我想问一下身份证补办」, 「我想报警」):
roles.toml's convention files it under ``none`` — the service type's default makes an out-of-scope caller
``other`` — so that the model does not learn 「我想问一下…」 as a role (the importer applies it)."""


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
