"""Typed errors of the ``asr`` package; each carries ``message`` and ``where`` (file, field or model).

They derive from the project's one error root (:mod:`hotline_errors`, which imports nothing), so a caller's
``except CopilotError`` catches them too.
"""

from __future__ import annotations

from hotline_errors import CopilotError


class AsrError(CopilotError):
    """Base of every error the ``asr`` package raises on bad input or a missing model."""


class AudioError(AsrError):
    """An audio file or stream cannot be read or converted."""


class ModelError(AsrError):
    """An ASR model is missing, incomplete, fails its checksum or cannot be fetched."""
