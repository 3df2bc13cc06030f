"""Typed errors of the ``asr`` package; each carries ``message`` and ``where`` (file, field or model)."""

from __future__ import annotations


class AsrError(Exception):
    """Base of every error the ``asr`` package raises on bad input or a missing model."""

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class AudioError(AsrError):
    """An audio file or stream cannot be read or converted."""


class ModelError(AsrError):
    """An ASR model is missing, incomplete, fails its checksum or cannot be fetched."""
