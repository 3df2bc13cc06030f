"""The court's case directory (standard §4, the shared case database): one row per case.

The key parts of the case number are stored apart (``year``, ``court``, ``type_code``, ``serial``) so that a
lookup from heard fragments is an index range scan, never a full scan.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class CaseRow(SQLModel, table=True):
    """One case as the court's case system exports it."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_key", "year", "court", "type_code", "serial"),
        Index("ix_cases_serial", "serial"),
    )

    case_number: str = Field(primary_key=True)
    """Canonical, e.g. ``（2024）浙0503民初4127号``."""
    year: int
    court: str
    """Court code (法院代字): province and 0, 2 or 4 digits, e.g. ``浙0503``; ``最高法``."""
    type_code: str
    """Case type code (类型代字), e.g. ``民初``."""
    serial: int
    """The case's number within its year, court and type (the first one of a range)."""
    judge_name: str = ""
    department: str = ""
    clerk_name: str = ""
    status: str = ""
    filed_on: str | None = None
    """``YYYY-MM-DD``."""
    next_hearing: str | None = None
    """ISO date-time as given (court local time when it has no offset)."""
    parties: str = ""
    """``name:role;name:role`` (roles from formats.md §3)."""
