"""The copilot's typed errors. Each carries where it happened, so users see file, line or field."""

from __future__ import annotations


class CopilotError(Exception):
    """Base of every error the copilot reports to a user."""

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class TranscriptError(CopilotError):
    """A transcript JSON file is malformed or violates docs/formats.md §1."""


class PhrasebookError(CopilotError):
    """A phrasebook file has a bad entry; ``where`` is ``file:line``."""


class AudioError(CopilotError):
    """An audio file or device cannot be used."""


class ModelError(CopilotError):
    """An ASR model is missing, incomplete or fails its checksum."""


class StoreError(CopilotError):
    """The database cannot be read or written."""


def user_errors() -> tuple[type[Exception], ...]:
    """Every error class whose message is meant for the user (ours, the ASR's and the phrasebook's)."""
    out: list[type[Exception]] = [CopilotError]
    try:
        from asr.errors import AsrError

        out.append(AsrError)
    except ImportError:  # pragma: no cover
        pass
    try:
        from phrasebook.errors import PhrasebookError as PbError

        out.append(PbError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(out)
