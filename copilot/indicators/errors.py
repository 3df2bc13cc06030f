"""Typed errors of the indicators package."""

from __future__ import annotations

from copilot.errors import CopilotError


class IndicatorsError(CopilotError):
    """Base of the indicator and report errors."""


class ImportFileError(IndicatorsError):
    """A CSV file is rejected as a whole (empty, wrong header, not UTF-8, broken CSV)."""


class ImportRejected(IndicatorsError):
    """``strict`` import: at least one row is bad, so nothing was imported; ``errors`` lists them."""

    def __init__(self, message: str, *, where: str = "", errors: tuple = ()) -> None:
        super().__init__(message, where=where)
        self.errors = errors


class PeriodError(IndicatorsError):
    """A report period (``--quarter``, ``--from``/``--to``) cannot be understood."""
