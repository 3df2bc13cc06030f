"""The root of every error the project reports to a user: one class, imported by every package.

``asr`` and ``phrasebook`` import nothing of ``copilot`` (architecture.md), so the root cannot live in
``copilot``; it lives here, in a package that imports nothing at all. ``copilot.errors.CopilotError`` is this
class under its project name; ``asr.errors.AsrError``, ``phrasebook.errors.PhrasebookError`` and the
copilot's own errors (``TranscriptError``, ``StoreError``, ``ServerError``, ``TextError``, the indicators' …)
derive from it, so ``except CopilotError`` at any layer also catches an error raised in a lower package.
"""

from __future__ import annotations


class CopilotError(Exception):
    """Base of every error the copilot, its ASR and its phrasebook report to a user.

    ``message`` says what is wrong, ``where`` names the file, line, field, call or model.
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


__all__ = ["CopilotError"]
