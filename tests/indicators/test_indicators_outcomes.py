"""Outcome import and ``save_outcome``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from copilot.indicators.errors import ImportFileError, IndicatorsError
from copilot.indicators.outcomes import import_outcomes, save_outcome
from copilot.store.matters import OutcomeRow

HEADER = "call_id,service_type,reply_due_at,replied_at,completed,satisfaction"
CST = timezone(timedelta(hours=8))


def test_import_and_reimport(session, write):
    p = write("o.csv", HEADER,
              "C1,info_query,2026-07-02T00:00:00+08:00,2026-07-01T18:00:00+08:00,true,satisfied",
              "C2,,,,FALSE,")
    r = import_outcomes(session, p)
    assert (r.inserted, r.errors) == (2, ())
    c1, c2 = session.exec(select(OutcomeRow).order_by(OutcomeRow.call_id)).all()
    assert c1.reply_due_at == datetime(2026, 7, 1, 16, tzinfo=UTC) and c1.completed and c1.satisfaction == "satisfied"
    assert c2.service_type is None and c2.completed is False and c2.satisfaction is None
    again = import_outcomes(session, p)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("C1,weather,,,true,", "service_type", "unknown value"),
        ("C1,info_query,tomorrow,,true,", "reply_due_at", "unparseable time"),
        ("C1,info_query,,,maybe,", "completed", "true|false"),
        ("C1,info_query,,,,", "completed", "empty"),
        ("C1,info_query,,,true,happy", "satisfaction", "unknown value 'happy'"),
    ],
)
def test_bad_outcome_rows(session, write, line, field, reason):
    r = import_outcomes(session, write("o.csv", HEADER, "C0,,,,true,", line))
    assert [(e.row, e.field) for e in r.errors] == [(3, field)] and reason in r.errors[0].reason
    assert r.inserted == 1


def test_outcome_header_must_match(session, write):
    with pytest.raises(ImportFileError, match="missing column"):
        import_outcomes(session, write("o.csv", "call_id,completed", "C1,true"))


def test_save_outcome_inserts_then_replaces(session):
    save_outcome(session, "L1", service_type="contact_judge", reply_due_at=datetime(2026, 7, 2, 9, tzinfo=CST),
                 completed=False)
    save_outcome(session, "L1", service_type="contact_judge", reply_due_at=datetime(2026, 7, 2, 9, tzinfo=CST),
                 replied_at=datetime(2026, 7, 2, 8, tzinfo=CST), completed=True, satisfaction="satisfied",
                 entered_at=datetime(2026, 7, 1, 23, tzinfo=CST))
    session.expire_all()
    row = session.get(OutcomeRow, "L1")
    assert row.completed and row.replied_at == datetime(2026, 7, 2, 0, tzinfo=UTC)
    assert row.local_date == "2026-07-01"


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"service_type": "weather"}, "service_type"),
        ({"satisfaction": "ok"}, "satisfaction"),
        ({"replied_at": datetime(2026, 7, 2)}, "replied_at"),
        ({"entered_at": datetime(2026, 7, 2, tzinfo=UTC), "replied_at": datetime(2026, 7, 1, tzinfo=UTC)},
         "replied_at"),
    ],
)
def test_save_outcome_refuses_bad_fields(session, kwargs, where):
    with pytest.raises(IndicatorsError) as info:
        save_outcome(session, "L2", **kwargs)
    assert info.value.where.endswith(where)
    assert session.get(OutcomeRow, "L2") is None
