"""The phrasebook's own error type (the package imports nothing of the copilot, only the error root)."""

from __future__ import annotations

from pathlib import Path

from hotline_errors import CopilotError


class PhrasebookError(CopilotError):
    """A phrasebook file is missing, unparsable, or holds a bad entry.

    ``file`` is the file's path (as given), ``line`` the 1-based line of the offending entry
    (0 when the problem concerns the whole file), ``message`` says what is wrong; ``where`` is ``file:line``.
    """

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        self.file = str(file)
        self.line = line
        super().__init__(message, where=f"{self.file}:{self.line}")
