"""Traditional → simplified Chinese (OpenCC ``t2s``), loaded once per process (about a second)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def t2s():
    """The shared OpenCC t2s converter."""
    import opencc  # imported late: loading its dictionaries takes about a second

    return opencc.OpenCC("t2s")
