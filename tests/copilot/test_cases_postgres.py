"""The case directory on a real PostgreSQL server (COPILOT_TEST_PG_URL, as the server's store tests)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from copilot.cases.directory import CaseDirectory
from copilot.cases.importing import import_cases
from copilot.cases.resolve import TurnText, resolve
from copilot.store.db import make_engine

HEADER = "case_number,judge_name,department,clerk_name,status,filed_on,next_hearing,parties\n"


@pytest.fixture
def pg_engine():
    url = os.environ.get("COPILOT_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") or os.environ.get("COPILOT_REQUIRE_PG"):
            pytest.fail("COPILOT_TEST_PG_URL is not set (bash .ci/postgres.sh starts one and prints it)")
        pytest.skip("no PostgreSQL: set COPILOT_TEST_PG_URL (bash .ci/postgres.sh); CI always does")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM cases"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM cases"))
    engine.dispose()


def test_import_replace_and_resolve_on_postgres(pg_engine, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(HEADER + "（2024）浙0503民初1288号,陆志华,民一庭,,已排期,2024-02-19,2024-04-09T14:30,沈建明:party\n"
                 "（2024）浙0503民初1289号,王强,民一庭,,审理中,2024-02-20,,李四:party\n"
                 "bad,王强,民一庭,,,,,\n", encoding="utf-8")
    r = import_cases(pg_engine, p)
    assert (r.inserted, r.replaced, [e.row for e in r.errors]) == (2, 0, [4])
    p.write_text(HEADER + "（2024）浙0503民初1288号,陆志明,民一庭,,已排期,2024-02-19,,沈建明:party\n", encoding="utf-8")
    r = import_cases(pg_engine, p)
    assert (r.inserted, r.replaced) == (0, 1)
    d = CaseDirectory(pg_engine)
    res = resolve(d, [TurnText(0, "caller", "我是原告沈建明案号是2024.0503名出1288号"),
                      TurnText(1, "agent", "好的沈先生，陆法官承办")])
    assert res.status == "resolved" and res.case.case_number == "（2024）浙0503民初1288号"
    assert res.case.judge_name == "陆志明"


def test_postgres_bulk_copy_keeps_the_store_on_a_bad_file_and_with_strict(pg_engine, tmp_path, monkeypatch):
    """The COPY path with the large-file workers: a row broken mid-file (a quote left open) or --strict with a bad
    row leaves what was stored untouched."""
    import copilot.cases.importing as importing
    from copilot.cases.generate import generate_rows, write_csv
    from copilot.indicators.errors import ImportFileError, ImportRejected

    monkeypatch.setattr(importing, "PARALLEL_FILE", 0)
    p = tmp_path / "c.csv"
    write_csv(p, generate_rows(400, seed=3))
    r = import_cases(pg_engine, p, workers=2)
    assert (r.inserted, r.bad_rows) == (400, 0)
    bad = tmp_path / "bad.csv"
    write_csv(bad, generate_rows(900, seed=4))
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[700] = lines[700].replace(",", ',"', 1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as exc:
        import_cases(pg_engine, bad, workers=2)
    assert f"{bad}:" in str(exc.value)
    lines[700] = "（2024）浙0503民初1号,李,民一庭,,,2024-13-01,,"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected):
        import_cases(pg_engine, bad, strict=True, workers=2)
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 400


def test_type_homophones_and_the_party_in_the_group_heard_on_postgres(pg_engine, tmp_path):
    """The lookups of session 12 on PostgreSQL: type codes that sound alike (行出 → 行初, 刑初) in one IN list,
    and the caller's name looked for (LIKE, bound) in the group the head points at when the serial was misheard."""
    p = tmp_path / "c.csv"
    p.write_text(HEADER + "（2025）浙0503刑初88号,石国平,刑事审判庭,,审理中,2025-02-01,,童浩然:party\n"
                 "（2025）浙0503行初88号,欧阳丽,行政审判庭,,审理中,2025-02-01,,某某公司:party\n"
                 "（2023）浙0503执保575号,柴美玲,执行局,,执行中,2023-02-01,,詹伟:party\n"
                 "（2023）浙0503执保17号,毕洋,执行局,,执行中,2023-02-01,,卢海峰:party\n", encoding="utf-8")
    assert import_cases(pg_engine, p).inserted == 4
    d = CaseDirectory(pg_engine)
    res = resolve(d, [TurnText(0, "caller", "案号2025年这0503行出88号我找石法官")])
    assert res.status == "resolved" and res.case.case_number == "（2025）浙0503刑初88号"
    res = resolve(d, [TurnText(0, "caller", "案号是2023年这0503执保17号我叫詹伟是申请人")])
    assert res.status == "resolved" and res.case.case_number == "（2023）浙0503执保575号"
