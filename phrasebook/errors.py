"""The phrasebook's own error type (the package imports nothing of the copilot)."""

from __future__ import annotations

from pathlib import Path


class PhrasebookError(Exception):
    """A phrasebook file is missing, unparsable, or holds a bad entry.

    ``file`` is the file's path (as given), ``line`` the 1-based line of the offending entry
    (0 when the problem concerns the whole file), ``message`` says what is wrong.
    """

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        super().__init__(f"{self.file}:{self.line}: {message}")

    @property
    def where(self) -> str:
        """``file:line``, the form copilot.errors uses."""
        return f"{self.file}:{self.line}"
