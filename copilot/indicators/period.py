"""Report periods: a calendar quarter (``2026Q3``) or an inclusive date range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from copilot.indicators.errors import PeriodError

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` … ``end``, both included."""

    start: date
    end: date
    label: str

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order."""
        return sorted({d.strftime("%Y-%m") for d in self.days()})


def quarter(text: str) -> Period:
    """``2026Q3`` → 2026-07-01 … 2026-09-30."""
    m = _QUARTER.match(text.strip())
    if not m:
        raise PeriodError(f"not a quarter: {text!r} (write e.g. 2026Q3)", where="--quarter")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    nxt = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(start, nxt - timedelta(days=1), f"{year}Q{q}")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"not a date: {text!r} (write YYYY-MM-DD)", where=option) from None


def date_range(start: str, end: str) -> Period:
    """``--from`` / ``--to`` as an inclusive period."""
    a, b = _day(start, "--from"), _day(end, "--to")
    if b < a:
        raise PeriodError(f"--to {b} is before --from {a}", where="--to")
    if (b - a).days > 3660:
        raise PeriodError("a period longer than ten years", where="--to")
    return Period(a, b, f"{a}…{b}")
