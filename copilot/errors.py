"""The copilot's typed errors. Each carries where it happened, so users see file, line or field.

One tree for the whole project: the root :class:`CopilotError` lives in :mod:`hotline_errors` (a package that
imports nothing, so ``asr`` and ``phrasebook`` can derive from it without importing the copilot). Its leaves:

- ``copilot``: :class:`TranscriptError`, :class:`StoreError`, ``server.config.ServerError``,
  ``server.ingest.ProtocolError``, ``text.errors.TextError``, ``indicators.errors.IndicatorsError`` …
- ``asr``: ``asr.errors.AsrError`` → ``AudioError``, ``ModelError``, ``asr.devices.DeviceError``
- ``phrasebook``: ``phrasebook.errors.PhrasebookError``

so ``except CopilotError`` catches an error of any layer.
"""

from __future__ import annotations

import re

from hotline_errors import CopilotError


class TranscriptError(CopilotError):
    """A transcript JSON file is malformed or violates docs/formats.md §1."""


class StoreError(CopilotError):
    """The database cannot be read or written.

    The message is one line without the SQL statement and its row parameters that a SQLAlchemy error's text
    carries (they dump personal data to a terminal and hide the cause): ``database is locked``, not a page of SQL.
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(one_line_db_message(message), where=where)


_SQL_DUMP = re.compile(r"\s*\[(?:SQL|parameters): .*?(?=\n\[|\n\(Background|\Z)", re.S)
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
_DBAPI_PREFIX = re.compile(r"\((?:sqlite3|psycopg|psycopg2)[\w.]*\.(\w+)\)\s*")


def one_line_db_message(message: str) -> str:
    """A database error's text without SQL, row parameters and the link footer, on one line."""
    text = _BACKGROUND.sub("", _SQL_DUMP.sub("", message))
    text = _DBAPI_PREFIX.sub(lambda m: f"{m.group(1)}: ", text)
    return " ".join(text.split())


def user_errors() -> tuple[type[Exception], ...]:
    """Every error class whose message is meant for the user: the one root (kept for existing callers)."""
    return (CopilotError,)


__all__ = ["CopilotError", "StoreError", "TranscriptError", "user_errors"]
