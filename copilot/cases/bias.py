"""ASR biasing from the case directory: the judges' names (as callers say them, 「陆法官」), departments and
court codes, for faster-whisper's ``hotwords`` (a Vosk grammar would take the same words).

Whisper base gives the prompt little room, so the list is short and ordered by how many cases each name has.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text

from copilot.cases.directory import CaseDirectory

MAX_CHARS = 120
"""Hotwords beyond this are cut (Whisper's prompt half-window is 224 tokens; the text itself needs room)."""


def hotwords(directory: CaseDirectory, max_chars: int = MAX_CHARS) -> str:
    """``陆法官 沈法官 … 民一庭 执行局 … 浙0503 …``: judges by surname, departments, court codes, most cases first."""
    with directory.engine.connect() as conn:
        judges = Counter()
        for name, n in conn.execute(text("SELECT judge_name, count(*) FROM cases WHERE judge_name <> '' "
                                         "GROUP BY judge_name")):
            judges[name[0] + "法官"] += int(n)
        depts = [r[0] for r in conn.execute(text(
            "SELECT department, count(*) AS n FROM cases WHERE department <> '' GROUP BY department "
            "ORDER BY n DESC LIMIT 8"))]
        courts = [r[0] for r in conn.execute(text(
            "SELECT court, count(*) AS n FROM cases GROUP BY court ORDER BY n DESC LIMIT 8"))]
    words = [w for w, _ in judges.most_common(24)] + depts + courts
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > max_chars:
            break
        out = f"{out} {w}" if out else w
    return out
