"""The indicators as numbers: pure functions over facts, and ``build_report`` that loads and computes.

Every rate is a fraction 0–1 and is ``None`` when its denominator is 0 (never 0 or 1).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from copilot.indicators.analysis import AnalysedCall, load_analysis
from copilot.indicators.definitions import FLAG_CODES, LIMITS, SERVICE_TYPE_ZH
from copilot.indicators.facts import CallFact, MatterFact, load_calls, load_matters
from copilot.indicators.period import Period
from copilot.standard import ANNOUNCEMENT_LIMIT_S, ANSWER_LIMIT_S, TRANSFER_LIMIT_S

log = logging.getLogger(__name__)

HIST_EDGES = (0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30)
"""Answer-time histogram bin edges in seconds; a last bin holds ≥ 30 s."""

STANDARD_KEYS = (
    "average_answer_s", "total_connection_rate", "announcement_within_20s_rate", "transfer_within_40s_rate",
    "timely_response_rate", "timely_reply_rate", "effective_completion_rate", "satisfaction_rate",
)
COPILOT_SCALAR_KEYS = ("greeting_compliance_rate", "banned_phrases_per_100_calls", "average_score")


@dataclass(frozen=True)
class Measure:
    """A value and what it was computed over."""

    value: float | None
    n: int
    """Denominator: calls, matters or (for the connection rate) days with inbound calls."""


@dataclass(frozen=True)
class HistBin:
    """Agent-answered calls whose ring_s is in [lo, hi) seconds (``hi`` None: no upper edge)."""

    lo: float
    hi: float | None
    count: int


@dataclass(frozen=True)
class DayRow:
    """One day of the period (a day without inbound calls has ``None`` rates)."""

    day: str
    inbound: int
    connected: int
    """Answered by an agent or the IVR, plus missed calls that got a callback."""
    total_connection_rate: float | None
    agent_answered: int
    average_answer_s: float | None
    timely_response_rate: float | None


@dataclass(frozen=True)
class GroupRow:
    """Indicators of one month or one agent: ``values`` by indicator key (dicts for the mixes)."""

    name: str
    values: dict[str, object]


@dataclass(frozen=True)
class Report:
    """Everything a report shows, for one period."""

    period: Period
    as_of: datetime
    """Matters due after this moment and not yet replied are not judged late."""
    measures: dict[str, Measure]
    """Scalar indicators by key (standard ones and the copilot's)."""
    flag_rates: dict[str, float | None]
    service_type_mix: dict[str, float | None]
    passed: dict[str, bool | None]
    daily: tuple[DayRow, ...]
    monthly: tuple[GroupRow, ...]
    per_agent: tuple[GroupRow, ...]
    answer_histogram: tuple[HistBin, ...]
    inbound_calls: int
    matters: int
    analysed_calls: int
    reviewed_calls: int = 0
    """Analysed calls whose flags an inspector reviewed: their flags and scores are the reviewed ones."""


def ratio(num: int | float, den: int) -> float | None:
    return None if den == 0 else num / den


def _mean(values: Sequence[float]) -> Measure:
    return Measure(ratio(sum(values), len(values)), len(values))


def _share(flags: Iterable[bool]) -> Measure:
    flags = list(flags)
    return Measure(ratio(sum(flags), len(flags)), len(flags))


def daily_rows(calls: Sequence[CallFact], period: Period) -> tuple[DayRow, ...]:
    by_day: dict[str, list[CallFact]] = defaultdict(list)
    for c in calls:
        by_day[c.day].append(c)
    rows = []
    for d in period.days():
        day = d.isoformat()
        cs = by_day.get(day, [])
        connected = sum(1 for c in cs if c.answered_by != "none" or c.called_back)
        rings = [c.ring_s for c in cs if c.answered_by == "agent" and c.ring_s is not None]
        rows.append(DayRow(
            day, len(cs), connected, ratio(connected, len(cs)), len(rings),
            ratio(sum(rings), len(rings)), ratio(sum(r <= ANSWER_LIMIT_S for r in rings), len(rings)),
        ))
    return tuple(rows)


def call_measures(calls: Sequence[CallFact], days: Sequence[DayRow]) -> dict[str, Measure]:
    """The CDR-based indicators; ``days`` are the daily rows of the same calls."""
    rings = [c.ring_s for c in calls if c.answered_by == "agent" and c.ring_s is not None]
    daily_rates = [d.total_connection_rate for d in days if d.total_connection_rate is not None]
    return {
        "average_answer_s": _mean(rings),
        "total_connection_rate": _mean(daily_rates),
        "announcement_within_20s_rate": _share(
            c.announcement_s <= ANNOUNCEMENT_LIMIT_S for c in calls if c.announcement_s is not None),
        "transfer_within_40s_rate": _share(
            c.transfer_wait_s <= TRANSFER_LIMIT_S for c in calls if c.transfer_wait_s is not None),
        "timely_response_rate": _share(r <= ANSWER_LIMIT_S for r in rings),
    }


def matter_measures(matters: Sequence[MatterFact]) -> dict[str, Measure]:
    """The outcome-based indicators (matters still pending are not judged for timely reply)."""
    return {
        "timely_reply_rate": _share(m.replied_in_time for m in matters if m.reply_due and not m.pending),
        "effective_completion_rate": _share(m.completed for m in matters),
        "satisfaction_rate": _share(m.satisfaction == "satisfied" for m in matters if m.satisfaction is not None),
    }


def analysis_measures(
    calls: Sequence[AnalysedCall],
) -> tuple[dict[str, Measure], dict[str, float | None], dict[str, float | None]]:
    """Greeting compliance, banned phrases per 100 calls, average score; flag rates; service-type mix."""
    n = len(calls)
    banned = sum(c.flag_codes.count("banned_phrase") for c in calls)
    scores = [c.score_total for c in calls if c.score_total is not None]
    seen = Counter(code for c in calls for code in set(c.flag_codes))
    codes = list(FLAG_CODES) + sorted(set(seen) - set(FLAG_CODES))
    typed = [c.service_type for c in calls if c.service_type]
    types = Counter(typed)
    kinds = list(SERVICE_TYPE_ZH) + sorted(set(types) - set(SERVICE_TYPE_ZH))
    measures = {
        "greeting_compliance_rate": _share(c.greeting_ok for c in calls),
        "banned_phrases_per_100_calls": Measure(ratio(banned * 100, n), n),
        "average_score": _mean(scores),
    }
    return measures, {k: ratio(seen[k], n) for k in codes}, {k: ratio(types[k], len(typed)) for k in kinds}


def answer_histogram(calls: Sequence[CallFact]) -> tuple[HistBin, ...]:
    counts = [0] * len(HIST_EDGES)
    for c in calls:
        if c.answered_by == "agent" and c.ring_s is not None:
            i = min(int(c.ring_s // (HIST_EDGES[1] - HIST_EDGES[0])), len(HIST_EDGES) - 1)
            counts[i] += 1
    his = list(HIST_EDGES[1:]) + [None]
    return tuple(HistBin(lo, hi, n) for lo, hi, n in zip(HIST_EDGES, his, counts, strict=True))


def _values(ms: dict[str, Measure]) -> dict[str, object]:
    return {k: m.value for k, m in ms.items()}


def _group(name: str, calls, days, matters, analysed) -> GroupRow:
    a_measures, flag_rates, mix = analysis_measures(analysed)
    values: dict[str, object] = {
        **_values(call_measures(calls, days)), **_values(matter_measures(matters)), **_values(a_measures),
    }
    return GroupRow(name, {**values, "flag_rates": flag_rates, "service_type_mix": mix})


def _per_agent(calls, matters, analysed) -> tuple[GroupRow, ...]:
    by: dict[str, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
    for c in calls:
        if c.agent_id:
            by[c.agent_id][0].append(c)
    for m in matters:
        if m.agent_id:
            by[m.agent_id][1].append(m)
    for a in analysed:
        if a.agent_id:
            by[a.agent_id][2].append(a)
    rows = []
    for agent in sorted(by):
        cs, ms, an = by[agent]
        g = _group(agent, cs, (), ms, an)
        v = {k: x for k, x in g.values.items() if k != "total_connection_rate"}  # a centre-wide figure
        answered = sum(1 for c in cs if c.answered_by == "agent")
        rows.append(GroupRow(agent, {"calls_answered": answered, "matters": len(ms), "calls_analysed": len(an), **v}))
    return tuple(rows)


def compute_report(
    period: Period,
    calls: Sequence[CallFact],
    matters: Sequence[MatterFact],
    analysed: Sequence[AnalysedCall],
    as_of: datetime,
) -> Report:
    """All indicators of ``period`` from already loaded facts (``as_of``: when the matters were judged)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of needs a timezone")
    as_of = as_of.astimezone(UTC)
    days = daily_rows(calls, period)
    a_measures, flag_rates, mix = analysis_measures(analysed)
    measures = {**call_measures(calls, days), **matter_measures(matters), **a_measures}
    passed = {k: lim.passes(measures[k].value) for k, lim in LIMITS.items()}
    monthly = []
    for month in period.months():
        monthly.append(_group(
            month,
            [c for c in calls if c.day.startswith(month)],
            [d for d in days if d.day.startswith(month)],
            [m for m in matters if m.day.startswith(month)],
            [a for a in analysed if (a.day or "").startswith(month)],
        ))
    return Report(
        period=period, as_of=as_of, measures=measures, flag_rates=flag_rates, service_type_mix=mix,
        passed=passed, daily=days, monthly=tuple(monthly), per_agent=_per_agent(calls, matters, analysed),
        answer_histogram=answer_histogram(calls), inbound_calls=len(calls), matters=len(matters),
        analysed_calls=len(analysed), reviewed_calls=sum(1 for a in analysed if a.reviewed),
    )


def build_report(session: Session, period: Period, *, as_of: datetime | None = None) -> Report:
    """Load the period's CDRs, outcomes and analysed calls and compute every indicator."""
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        raise ValueError("as_of needs a timezone")
    report = compute_report(
        period, load_calls(session, period), load_matters(session, period, as_of),
        load_analysis(session, period.start, period.end), as_of,
    )
    log.info("report %s: %d calls, %d matters, %d analysed", period.label, report.inbound_calls,
             report.matters, report.analysed_calls)
    return report
