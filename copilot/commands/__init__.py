"""The ``copilot`` subcommands, and argument types they share."""

from __future__ import annotations

import argparse
from typing import Any


def seconds_arg(text: str) -> float:
    """argparse type: a finite number of seconds ≥ 0 (``--ring-seconds``)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds ≥ 0, got {text!r}")
    return value


def open_store(args: Any) -> Any:
    """The store engine of a command's ``--db`` (the default database without it), or None with ``--no-store``."""
    from copilot.store.db import make_engine

    return None if getattr(args, "no_store", False) else make_engine(getattr(args, "db", None))
