"""CDR import: good rows, idempotent re-import, duplicates, optional columns, and every bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from copilot.errors import StoreError
from copilot.indicators.cdr import import_cdr
from copilot.indicators.errors import ImportFileError, ImportRejected
from copilot.indicators.upsert import upsert_rows
from copilot.store.matters import CdrRow

CDR_HEADER = ("call_id,direction,entered_at,answered_by,ring_s,announcement_s,transfer_wait_s,agent_id,"
              "ended_at,callback_of")
GOOD = (
    "A1,inbound,2026-07-01T09:00:00+08:00,agent,5,10,,a1,2026-07-01T09:05:00+08:00,",
    "A2,inbound,2026-07-01T23:30:00+08:00,none,,,,,,",
    "K1,callback,2026-07-02T08:00:00+08:00,agent,,,,a1,,A2",
)


def _all(session: Session) -> list[CdrRow]:
    return list(session.exec(select(CdrRow).order_by(CdrRow.call_id)).all())


def test_import_stores_rows_with_utc_and_local_day(session, write):
    r = import_cdr(session, write("cdr.csv", CDR_HEADER, *GOOD))
    assert (r.rows_read, r.inserted, r.updated, r.unchanged, r.errors) == (3, 3, 0, 0, ())
    rows = {x.call_id: x for x in _all(session)}
    a2 = rows["A2"]
    assert a2.local_date == "2026-07-01"  # 15:30 UTC, but 23:30 in the caller's +08:00
    assert a2.entered_at == datetime(2026, 7, 1, 15, 30, tzinfo=UTC)
    assert a2.utc_offset_min == 480 and a2.answered_by == "none" and a2.ring_s is None
    assert rows["A1"].ring_s == 5.0 and rows["A1"].announcement_s == 10.0 and rows["A1"].agent_id == "a1"
    assert rows["K1"].callback_of == "A2" and rows["K1"].direction == "callback"


def test_reimport_changes_nothing_and_changed_rows_update(session, write):
    p = write("cdr.csv", CDR_HEADER, *GOOD)
    import_cdr(session, p)
    before = [r.model_dump() for r in _all(session)]
    again = import_cdr(session, p)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert [r.model_dump() for r in _all(session)] == before
    changed = write("cdr2.csv", CDR_HEADER, GOOD[0].replace(",agent,5,", ",agent,7,"))
    r = import_cdr(session, changed)
    assert (r.inserted, r.updated, r.unchanged) == (0, 1, 0)
    session.expire_all()
    assert session.get(CdrRow, "A1").ring_s == 7.0


def test_duplicated_rows_in_one_file_are_skipped_conflicts_are_errors(session, write):
    p = write("cdr.csv", CDR_HEADER, GOOD[0], GOOD[1], GOOD[0],
              GOOD[1].replace(",none,", ",ivr,"))
    r = import_cdr(session, p)
    assert r.duplicates == 1 and r.inserted == 2
    assert [(e.row, e.field) for e in r.errors] == [(5, "call_id")]
    assert "already on row 3" in r.errors[0].reason
    assert session.get(CdrRow, "A2").answered_by == "none"


def test_missing_optional_columns_and_extra_columns(session, write):
    p = write("cdr.csv", "entered_at,call_id,answered_by,direction,ring_s,note",
              "2026-07-01T09:00:00+08:00,B1,agent,inbound,4,hello",
              "2026-07-01T09:10:00Z,B2,ivr,inbound,,")
    r = import_cdr(session, p)
    assert r.ok and r.inserted == 2
    b1, b2 = _all(session)
    assert b1.announcement_s is None and b1.agent_id is None and b1.callback_of is None and b1.ring_s == 4.0
    assert b2.local_date == "2026-07-01" and b2.utc_offset_min == 0


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("C1,inbound,2026-07-01 9am,agent,5,,,,,", "entered_at", "unparseable time"),
        ("C1,inbound,2026-07-01T09:00:00,agent,5,,,,,", "entered_at", "no UTC offset"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,agent,-1,,,,,", "ring_s", "negative duration"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,ivr,,-0.5,,,,", "announcement_s", "negative duration"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,ivr,,,x,,,", "transfer_wait_s", "not a number"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,robot,,,,,,", "answered_by", "unknown value 'robot'"),
        ("C1,outbound,2026-07-01T09:00:00+08:00,none,,,,,,", "direction", "unknown value"),
        (",inbound,2026-07-01T09:00:00+08:00,none,,,,,,", "call_id", "empty"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,agent,,,,,,", "ring_s", "required"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,ivr,3,,,,,", "ring_s", "must be empty"),
        ("C1,callback,2026-07-01T09:00:00+08:00,agent,,,,,,", "callback_of", "required"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,none,,,,,,A2", "callback_of", "must be empty"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,none,,,,,2026-07-01T08:00:00+08:00,", "ended_at", "before"),
        ("C1,inbound,2026-07-01T09:00:00+08:00,none,,,,", "", "8 values but the header has 10"),
    ],
)
def test_bad_row_is_reported_with_row_number_and_good_rows_kept(session, write, line, field, reason):
    p = write("cdr.csv", CDR_HEADER, GOOD[0], line, GOOD[1])
    r = import_cdr(session, p)
    assert len(r.errors) == 1 and r.bad_rows == 1
    e = r.errors[0]
    assert (e.row, e.field) == (3, field)
    assert reason in e.reason
    assert r.inserted == 2 and [x.call_id for x in _all(session)] == ["A1", "A2"]


def test_strict_rejects_the_whole_file(session, write):
    p = write("cdr.csv", CDR_HEADER, GOOD[0], "C1,inbound,2026-07-01T09:00:00+08:00,bot,,,,,,", GOOD[1],
              "C2,inbound,yesterday,none,,,,,,")
    with pytest.raises(ImportRejected) as info:
        import_cdr(session, p, strict=True)
    assert [(e.row, e.field) for e in info.value.errors] == [(3, "answered_by"), (5, "entered_at")]
    assert "row 3" in str(info.value) and "cdr.csv" in str(info.value)
    assert _all(session) == []


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ((), "empty file"),
        (("", "  "), "empty file"),
        ((CDR_HEADER,), "no data rows"),
        (("id,when,who", "A1,2026-07-01T09:00:00+08:00,agent"), "missing column(s) call_id, direction, entered_at"),
        ((CDR_HEADER.replace("answered_by", "answered"), GOOD[0]), "missing column(s) answered_by"),
        ((CDR_HEADER + ",call_id", GOOD[0] + ",A1"), "appears twice"),
        ((CDR_HEADER, 'A1,inbound,"2026-07-01T09:00:00+08:00'), "broken CSV"),
    ],
)
def test_file_level_problems_reject_the_file(session, write, lines, message):
    p = write("cdr.csv", *lines)
    with pytest.raises(ImportFileError) as info:
        import_cdr(session, p)
    assert message in str(info.value) and str(p) in info.value.where
    assert _all(session) == []


def test_not_utf8_names_the_line(session, write):
    p = write("cdr.csv", CDR_HEADER, GOOD[0], "A9,inbound,2026-07-01T09:00:00+08:00,agent,5,,,座席七,,",
              encoding="gb18030")
    with pytest.raises(ImportFileError, match="not UTF-8") as info:
        import_cdr(session, p)
    assert info.value.where.endswith(":3")
    assert _all(session) == []


def test_utf8_bom_and_chinese_agent_ids(session, write):
    p = write("cdr.csv", "\ufeff" + CDR_HEADER, "A9,inbound,2026-07-01T09:00:00+08:00,agent,5,,,座席七,,")
    assert import_cdr(session, p).ok
    assert session.get(CdrRow, "A9").agent_id == "座席七"


def test_write_is_all_or_none(session):
    row = {"call_id": "D1", "direction": "inbound", "entered_at": datetime(2026, 7, 1, tzinfo=UTC),
           "utc_offset_min": 0, "local_date": "2026-07-01", "answered_by": "none"}
    with pytest.raises(StoreError):
        upsert_rows(session, CdrRow.__table__, "call_id", [row, {**row, "call_id": "D2"}, row])
    assert _all(session) == []


def test_row_numbers_are_file_lines_even_with_quoted_newlines(session, write):
    p = write("cdr.csv", CDR_HEADER + ",note",
              'A1,inbound,2026-07-01T09:00:00+08:00,agent,5,,,a1,,,"two\nlines"',
              "",
              "A3,inbound,2026-07-01T09:00:00+08:00,agent,-5,,,a1,,,x")
    r = import_cdr(session, p)
    assert [(e.row, e.field) for e in r.errors] == [(5, "ring_s")] and r.inserted == 1
