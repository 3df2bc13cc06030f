"""The text package's typed error."""

from __future__ import annotations

from copilot.errors import CopilotError


class TextError(CopilotError, ValueError):
    """Bad input to the normaliser or the extractors; ``where`` names the argument or field."""
