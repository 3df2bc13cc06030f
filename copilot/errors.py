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

from hotline_errors import CopilotError


class TranscriptError(CopilotError):
    """A transcript JSON file is malformed or violates formats.md §1."""


class StoreError(CopilotError):
    """The database cannot be read or written."""


def user_errors() -> tuple[type[Exception], ...]:
    """Every error class whose message is meant for the user: the one root (kept for existing callers)."""
    return (CopilotError,)


__all__ = ["CopilotError", "StoreError", "TranscriptError", "user_errors"]
