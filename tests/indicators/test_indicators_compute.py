"""Every indicator against values computed by hand on small CSVs imported into a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copilot.indicators.cdr import import_cdr
from copilot.indicators.compute import build_report
from copilot.indicators.outcomes import import_outcomes
from copilot.indicators.period import date_range

CDR = (
    "call_id,direction,entered_at,answered_by,ring_s,announcement_s,transfer_wait_s,agent_id,ended_at,callback_of",
    # 2026-07-01: 5 inbound; C4 missed but called back the next day; C5 missed for good → 4/5
    "C1,inbound,2026-07-01T09:00:00+08:00,agent,5,10,,a1,,",
    "C2,inbound,2026-07-01T10:00:00+08:00,agent,16,,30,a2,,",
    "C3,inbound,2026-07-01T11:00:00+08:00,ivr,,25,,,,",
    "C4,inbound,2026-07-01T23:30:00+08:00,none,,,,,,",
    "C5,inbound,2026-07-01T12:00:00+08:00,none,,,,,,",
    # 2026-07-02: 2 inbound; C7 missed, called back the same day → 2/2; K1 is the callback of C4
    "C6,inbound,2026-07-02T09:00:00+08:00,agent,15,,41,a1,,",
    "C7,inbound,2026-07-02T10:00:00+08:00,none,,,,,,",
    "K1,callback,2026-07-02T08:00:00+08:00,agent,,,,a1,,C4",
    "K2,callback,2026-07-02T11:00:00+08:00,none,,,,a2,,C7",
    # 2026-07-03: no calls at all
    # 2026-07-04 (local day; 2026-07-03 in UTC): C8 by the IVR; C10 missed, called back on 07-05 → 2/2
    "C8,inbound,2026-07-04T01:00:00+08:00,ivr,,,,,,",
    "C10,inbound,2026-07-04T23:00:00+08:00,none,,,,,,",
    "K3,callback,2026-07-05T09:00:00+08:00,agent,,,,a2,,C10",
    # 2026-08-01: 1 inbound
    "C11,inbound,2026-08-01T09:00:00+08:00,agent,3,,,a1,,",
    # outside the period
    "C0,inbound,2026-06-30T09:00:00+08:00,agent,100,100,100,a1,,",
)
OUTCOMES = (
    "call_id,service_type,reply_due_at,replied_at,completed,satisfaction,entered_at",
    "C1,info_query,2026-07-02T00:00:00+08:00,2026-07-01T18:00:00+08:00,true,satisfied,",
    "C2,contact_judge,2026-07-02T00:00:00+08:00,2026-07-02T09:00:00+08:00,true,dissatisfied,",
    "C6,contact_judge,2026-07-10T00:00:00+08:00,,false,neutral,",  # due after as_of, not replied: pending
    "C3,consultation,,,true,,",
    "X1,complaint,2026-07-03T00:00:00+08:00,2026-07-02T16:00:00Z,true,satisfied,2026-07-02T10:00:00+08:00",
    "X2,complaint,2026-07-03T00:00:00+08:00,,false,dissatisfied,",  # no CDR, no entered_at: undated
    "C7,info_query,2026-07-03T00:00:00+08:00,,true,,",  # due before as_of, not replied: late
    "C0,info_query,2026-06-30T12:00:00+08:00,,false,dissatisfied,",  # outside the period
)
AS_OF = datetime(2026, 7, 5, 12, 0, tzinfo=UTC)


@pytest.fixture()
def report(session, write):
    assert import_cdr(session, write("cdr.csv", *CDR)).ok
    assert import_outcomes(session, write("out.csv", *OUTCOMES)).ok
    return build_report(session, date_range("2026-07-01", "2026-08-01"), as_of=AS_OF)


def _v(report, key):
    return report.measures[key].value


def test_standard_indicators(report):
    assert report.inbound_calls == 10
    assert _v(report, "average_answer_s") == pytest.approx((5 + 16 + 15 + 3) / 4)
    assert _v(report, "total_connection_rate") == pytest.approx((4 / 5 + 1 + 1 + 1) / 4)
    assert report.measures["total_connection_rate"].n == 4  # days with inbound calls
    assert _v(report, "announcement_within_20s_rate") == pytest.approx(1 / 2)  # 10 s ok, 25 s not
    assert _v(report, "transfer_within_40s_rate") == pytest.approx(1 / 2)  # 30 s ok, 41 s not
    assert _v(report, "timely_response_rate") == pytest.approx(3 / 4)  # 5, 15, 3 ok; 16 not
    # C1 on time, X1 replied exactly at the due time, C2 late, C7 unreplied after due; C6 pending
    assert _v(report, "timely_reply_rate") == pytest.approx(2 / 4)
    assert report.matters == 6
    assert _v(report, "effective_completion_rate") == pytest.approx(5 / 6)
    assert _v(report, "satisfaction_rate") == pytest.approx(2 / 4)


def test_pass_against_limits(report):
    assert report.passed == {
        "average_answer_s": True, "total_connection_rate": True, "announcement_within_20s_rate": False,
        "transfer_within_40s_rate": False, "timely_response_rate": False, "timely_reply_rate": False,
        "effective_completion_rate": False,
    }


def test_daily_values_callbacks_and_empty_days(report):
    days = {d.day: d for d in report.daily}
    assert len(days) == 32
    assert (days["2026-07-01"].inbound, days["2026-07-01"].connected) == (5, 4)
    assert days["2026-07-01"].total_connection_rate == pytest.approx(0.8)
    assert (days["2026-07-02"].inbound, days["2026-07-02"].connected) == (2, 2)
    assert days["2026-07-03"].inbound == 0 and days["2026-07-03"].total_connection_rate is None
    assert days["2026-07-04"].total_connection_rate == 1.0  # callback on 07-05, outside the period, counts
    assert days["2026-07-05"].total_connection_rate is None  # a callback is not an inbound call
    assert days["2026-07-02"].average_answer_s == 15.0 and days["2026-07-01"].timely_response_rate == 0.5


def test_monthly_trend(report):
    july, august = report.monthly
    assert (july.name, august.name) == ("2026-07", "2026-08")
    assert july.values["total_connection_rate"] == pytest.approx((0.8 + 1 + 1) / 3)
    assert july.values["average_answer_s"] == pytest.approx(12.0)
    assert august.values["average_answer_s"] == 3.0 and august.values["total_connection_rate"] == 1.0
    assert july.values["effective_completion_rate"] == pytest.approx(5 / 6)
    assert august.values["effective_completion_rate"] is None  # no matters in August: no value, not 0


def test_per_agent(report):
    agents = {g.name: g.values for g in report.per_agent}
    assert set(agents) == {"a1", "a2"}
    a1, a2 = agents["a1"], agents["a2"]
    assert a1["calls_answered"] == 3 and a1["average_answer_s"] == pytest.approx(23 / 3)
    assert a1["timely_response_rate"] == 1.0
    assert (a1["matters"], a1["timely_reply_rate"], a1["effective_completion_rate"]) == (2, 1.0, 0.5)
    assert a1["satisfaction_rate"] == 0.5
    assert (a2["average_answer_s"], a2["timely_response_rate"], a2["timely_reply_rate"]) == (16.0, 0.0, 0.0)
    assert a2["satisfaction_rate"] == 0.0 and a2["greeting_compliance_rate"] is None


def test_answer_histogram(report):
    counts = {(b.lo, b.hi): b.count for b in report.answer_histogram}
    assert counts[(3, 6)] == 2 and counts[(15, 18)] == 2
    assert sum(counts.values()) == 4 and counts[(30, None)] == 0


def test_all_calls_abandoned(session, write):
    import_cdr(session, write("cdr.csv", CDR[0],
                              "Z1,inbound,2026-07-01T09:00:00+08:00,none,,,,,,",
                              "Z2,inbound,2026-07-02T09:00:00+08:00,none,,,,,,"))
    r = build_report(session, date_range("2026-07-01", "2026-07-02"), as_of=AS_OF)
    assert _v(r, "total_connection_rate") == 0.0 and r.passed["total_connection_rate"] is False
    for key in ("average_answer_s", "timely_response_rate", "announcement_within_20s_rate",
                "transfer_within_40s_rate", "timely_reply_rate", "effective_completion_rate", "satisfaction_rate"):
        assert _v(r, key) is None and r.measures[key].n == 0, key
        assert r.passed.get(key) is None


def test_empty_period_has_no_values(session):
    r = build_report(session, date_range("2030-01-01", "2030-01-03"), as_of=AS_OF)
    assert all(m.value is None for m in r.measures.values())
    assert all(v is None for v in r.passed.values())
    assert all(d.total_connection_rate is None for d in r.daily)
