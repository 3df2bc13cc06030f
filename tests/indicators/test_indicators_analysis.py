"""The copilot's own analysis indicators, read from the store's calls and flags tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from copilot.indicators.analysis import AnalysedCall, load_analysis
from copilot.indicators.compute import analysis_measures, build_report
from copilot.indicators.period import date_range
from copilot.store import CallRow, FlagRow

CALLS = [
    ("T1", "a1", "2026-07-01T09:00:00+08:00", "info_query", 80.0),
    ("T2", "a1", "2026-07-02T09:00:00+08:00", "contact_judge", 90.0),
    ("T3", "a2", "2026-07-31T23:59:00+08:00", "info_query", None),
    ("T4", "a2", "2026-06-30T23:59:00+08:00", "complaint", 10.0),  # outside the period
    ("T5", "a2", None, "complaint", 10.0),  # no start time: cannot be dated
]
FLAGS = [
    ("T1", "banned_phrase", None), ("T1", "banned_phrase", None), ("T1", "closing_missing", None),
    ("T2", "greeting_missing", "confirmed"),
    ("T3", "greeting_missing", "dismissed"), ("T3", "banned_phrase", None), ("T3", "custom_code", None),
    ("T4", "greeting_missing", None),
]


@pytest.fixture()
def stored(session):
    for cid, agent, started, st, score in CALLS:
        session.add(CallRow(call_id=cid, agent_id=agent, started_at=started, service_type=st, score_total=score))
    session.commit()
    for cid, code, review in FLAGS:
        session.add(FlagRow(call_id=cid, code=code, review=review))
    session.commit()
    return session


def test_load_analysis_dates_and_dismissed_flags(stored):
    calls = {c.call_id: c for c in load_analysis(stored, date(2026, 7, 1), date(2026, 7, 31))}
    assert set(calls) == {"T1", "T2", "T3"}
    assert calls["T1"].flag_codes == ("banned_phrase", "banned_phrase", "closing_missing")
    assert calls["T1"].greeting_ok and not calls["T2"].greeting_ok
    assert calls["T3"].greeting_ok and "greeting_missing" not in calls["T3"].flag_codes  # dismissed
    assert calls["T3"].score_total is None and calls["T2"].agent_id == "a1"


def test_analysis_indicators(stored):
    r = build_report(stored, date_range("2026-07-01", "2026-07-31"), as_of=datetime(2026, 8, 1, tzinfo=UTC))
    m = r.measures
    assert r.analysed_calls == 3
    assert m["greeting_compliance_rate"].value == pytest.approx(2 / 3)
    assert m["banned_phrases_per_100_calls"].value == pytest.approx(100.0)  # 3 flags in 3 calls
    assert m["average_score"].value == pytest.approx(85.0) and m["average_score"].n == 2
    assert r.flag_rates["banned_phrase"] == pytest.approx(2 / 3)
    assert r.flag_rates["closing_missing"] == pytest.approx(1 / 3)
    assert r.flag_rates["greeting_missing"] == pytest.approx(1 / 3)
    assert r.flag_rates["answer_late"] == 0.0 and r.flag_rates["custom_code"] == pytest.approx(1 / 3)
    assert r.service_type_mix["info_query"] == pytest.approx(2 / 3)
    assert r.service_type_mix["contact_judge"] == pytest.approx(1 / 3) and r.service_type_mix["complaint"] == 0.0
    agents = {g.name: g.values for g in r.per_agent}
    assert agents["a1"]["greeting_compliance_rate"] == 0.5 and agents["a1"]["average_score"] == 85.0
    assert agents["a1"]["banned_phrases_per_100_calls"] == 100.0
    assert agents["a2"]["greeting_compliance_rate"] == 1.0 and agents["a2"]["average_score"] is None
    assert agents["a2"]["calls_analysed"] == 1 and agents["a2"]["calls_answered"] == 0
    assert r.monthly[0].values["greeting_compliance_rate"] == pytest.approx(2 / 3)


def test_no_analysed_calls_gives_null_not_zero():
    measures, flag_rates, mix = analysis_measures([])
    assert all(x.value is None for x in measures.values())
    assert set(flag_rates.values()) == {None} and set(mix.values()) == {None}


def test_plain_list_of_analysed_calls():
    calls = [AnalysedCall("A", "x", "2026-07-01T09:00:00+08:00", None, True, ("banned_phrase",) * 3, None)]
    measures, _, mix = analysis_measures(calls)
    assert measures["banned_phrases_per_100_calls"].value == 300.0
    assert measures["greeting_compliance_rate"].value == 1.0
    assert set(mix.values()) == {None}  # no call had a service type
