"""Edge cases of the issue's Done-means, end to end (CSV → import → report), each against hand-computed values:
duplicated rows, missing optional columns, a callback of a call from the previous day across the period's
edge, re-import, and bad files rejected whole with row numbers through the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from copilot.commands.indicators import main
from copilot.indicators.cdr import import_cdr
from copilot.indicators.compute import build_report
from copilot.indicators.errors import ImportFileError, ImportRejected
from copilot.indicators.outcomes import import_outcomes
from copilot.indicators.period import date_range
from copilot.store.matters import CdrRow, OutcomeRow

HEADER = "call_id,direction,entered_at,answered_by,ring_s,announcement_s,transfer_wait_s,agent_id,ended_at,callback_of"
ROWS = (
    "D1,inbound,2026-07-01T09:00:00+08:00,agent,4,12,,a1,,",
    "D2,inbound,2026-07-01T09:10:00+08:00,agent,20,22,35,a1,,",
    "D3,inbound,2026-07-01T09:20:00+08:00,none,,,,,,",
    "D4,inbound,2026-07-02T09:20:00+08:00,ivr,,8,,,,",
)
AS_OF = datetime(2026, 8, 1, tzinfo=UTC)


def _values(report) -> dict:
    return {k: (m.value, m.n) for k, m in report.measures.items()}


def test_duplicated_rows_count_once(session, write, engine):
    dup = import_cdr(session, write("dup.csv", HEADER, *ROWS, ROWS[0], ROWS[2], ROWS[0]))
    assert (dup.inserted, dup.duplicates, dup.errors) == (4, 3, ())
    r = build_report(session, date_range("2026-07-01", "2026-07-02"), as_of=AS_OF)
    assert r.inbound_calls == 4
    assert _values(r)["average_answer_s"] == (pytest.approx(12.0), 2)  # (4 + 20) / 2, D1 once
    assert _values(r)["total_connection_rate"] == (pytest.approx((2 / 3 + 1) / 2), 2)
    assert _values(r)["timely_response_rate"] == (pytest.approx(0.5), 2)
    assert _values(r)["announcement_within_20s_rate"] == (pytest.approx(2 / 3), 3)  # 12, 8 ok; 22 not
    assert _values(r)["transfer_within_40s_rate"] == (1.0, 1)


def test_reimport_gives_the_same_report(session, write):
    p = write("cdr.csv", HEADER, *ROWS)
    import_cdr(session, p)
    first = _values(build_report(session, date_range("2026-07-01", "2026-07-02"), as_of=AS_OF))
    again = import_cdr(session, p)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert _values(build_report(session, date_range("2026-07-01", "2026-07-02"), as_of=AS_OF)) == first


def test_missing_optional_columns_give_no_value_not_zero(session, write):
    p = write("min.csv", "call_id,direction,entered_at,answered_by,ring_s",
              "M1,inbound,2026-07-01T09:00:00+08:00,agent,10",
              "M2,inbound,2026-07-01T10:00:00+08:00,agent,16",
              "M3,inbound,2026-07-01T11:00:00+08:00,none,")
    assert import_cdr(session, p).ok
    r = build_report(session, date_range("2026-07-01", "2026-07-01"), as_of=AS_OF)
    v = _values(r)
    assert v["average_answer_s"] == (13.0, 2) and v["timely_response_rate"] == (0.5, 2)
    assert v["total_connection_rate"] == (pytest.approx(2 / 3), 1)
    assert v["announcement_within_20s_rate"] == (None, 0) and v["transfer_within_40s_rate"] == (None, 0)
    assert r.passed["announcement_within_20s_rate"] is None and r.passed["transfer_within_40s_rate"] is None
    assert r.per_agent == ()  # no agent_id column: no per-agent rows, not an agent called "None"


def test_callback_of_a_call_from_the_previous_day_across_the_period_edge(session, write):
    assert import_cdr(session, write("cdr.csv", HEADER,
                                     "P1,inbound,2026-06-30T22:00:00+08:00,none,,,,,,",
                                     "P2,inbound,2026-06-30T22:30:00+08:00,none,,,,,,",
                                     "Q1,callback,2026-07-01T08:30:00+08:00,agent,,,,a1,,P1",
                                     "N1,inbound,2026-07-01T09:00:00+08:00,agent,6,,,a1,,")).ok
    june = build_report(session, date_range("2026-06-30", "2026-06-30"), as_of=AS_OF)
    # 30 June: P1 missed but called back the next day (outside this period) → connected; P2 lost → 1/2
    assert (june.daily[0].inbound, june.daily[0].connected) == (2, 1)
    assert _values(june)["total_connection_rate"] == (0.5, 1)
    july = build_report(session, date_range("2026-07-01", "2026-07-01"), as_of=AS_OF)
    # 1 July: the callback is not an inbound call and is not an agent answer of one → only N1
    assert july.inbound_calls == 1 and _values(july)["total_connection_rate"] == (1.0, 1)
    assert _values(july)["average_answer_s"] == (6.0, 1)


@pytest.mark.parametrize(
    ("lines", "where", "message"),
    [
        ((), "cdr.csv", "empty file"),
        (("call_id,direction,when,answered_by", "D1,inbound,2026-07-01T09:00:00+08:00,agent"), "cdr.csv:1",
         "missing column(s) entered_at"),
    ],
)
def test_cli_rejects_bad_files_whole(db_url, write, capsys, lines, where, message):
    assert main(["cdr", "import", str(write("cdr.csv", *lines)), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert where in err and message in err
    assert main(["report", "--from", "2026-07-01", "--to", "2026-07-02", "--json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["total_connection_rate"] is None  # nothing was imported


def test_cli_bad_rows_named_and_strict_imports_nothing(db_url, write, capsys, engine):
    bad = write("cdr.csv", HEADER, ROWS[0],
                "E1,inbound,01/07/2026 09:00,agent,5,,,a1,,",
                "E2,inbound,2026-07-01T09:00:00+08:00,agent,-3,,,a1,,",
                "E3,inbound,2026-07-01T09:00:00+08:00,operator,,,,,,",
                ROWS[1])
    assert main(["cdr", "import", str(bad), "--strict", "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: entered_at: unparseable time" in err and f"{bad}:4: ring_s: negative duration" in err
    assert f"{bad}:5: answered_by: unknown value 'operator'" in err
    from sqlmodel import Session

    with Session(engine) as s:
        assert s.exec(select(CdrRow)).all() == []  # --strict: nothing half-imported
    assert main(["cdr", "import", str(bad), "--db", db_url]) == 1  # default: the good rows, in one transaction
    with Session(engine) as s:
        assert sorted(r.call_id for r in s.exec(select(CdrRow)).all()) == ["D1", "D2"]


def test_outcomes_bad_files_and_strict(session, write):
    head = "call_id,service_type,reply_due_at,replied_at,completed,satisfaction"
    for lines, message in (((), "empty file"), ((head,), "no data rows"),
                           (("call_id,type,completed", "C1,info_query,true"), "missing column")):
        with pytest.raises(ImportFileError, match=message):
            import_outcomes(session, write("o.csv", *lines))
    p = write("o.csv", head, "C1,info_query,,,true,satisfied", "C2,info_query,2026-07-40T00:00:00+08:00,,true,")
    with pytest.raises(ImportRejected) as info:
        import_outcomes(session, p, strict=True)
    assert [(e.row, e.field) for e in info.value.errors] == [(3, "reply_due_at")]
    assert session.exec(select(OutcomeRow)).all() == []
