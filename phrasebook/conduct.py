"""conduct.toml: classes of rude agent wording and courteous agent sentences (training data of the conduct
model, copilot/analysis/conduct_model.py), read and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .source import array_table_line, read_toml_strict

CONDUCT_FILE = "conduct.toml"


class ConductDataError(ValueError):
    """A problem in conduct.toml; the message starts with ``file:line:``."""




def read_conduct(path: str | Path, *, missing_ok: bool = False) -> dict[str, Any]:
    """conduct.toml, checked: each group has a name and examples (non-empty strings); a rude group a label.
    ``missing_ok``: a phrasebook without the file has no conduct sentences (``{}``)."""
    path = Path(path)
    if missing_ok and not path.exists():
        return {}
    text, data = read_toml_strict(path, ConductDataError)
    for kind in ("rude", "courteous"):
        groups = data.get(kind, ())
        if not isinstance(groups, list):
            raise ConductDataError(f"{path}:1: expected [[{kind}]] tables")
        for i, g in enumerate(groups, 1):
            where = f"{path}:{array_table_line(text, kind, i)}: [[{kind}]] #{i}"
            if not isinstance(g.get("group"), str) or not g["group"]:
                raise ConductDataError(f"{where}: expected group = \"name\"")
            ex = g.get("examples")
            if not isinstance(ex, list) or not ex or not all(isinstance(e, str) and e.strip() for e in ex):
                raise ConductDataError(f"{where} ({g['group']}): expected examples = [\"…\", …] (non-empty strings)")
            if kind == "rude" and g.get("label") not in ("banned", "outcome"):
                raise ConductDataError(f"{where} ({g['group']}): expected label = \"banned\" or \"outcome\", "
                                       f"got {g.get('label')!r}")
    return data
