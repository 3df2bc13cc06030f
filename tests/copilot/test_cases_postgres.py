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
