"""The bulk path of ``copilot cases import`` (large files): worker processes check parts of the file, this
process inserts them in one transaction with the secondary indexes dropped and rebuilt. Same answers as the
plain path; a file that breaks half-way leaves the store exactly as it was (rows AND indexes)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

import copilot.cases.importing as importing
from copilot.cases.generate import generate_rows, write_csv
from copilot.cases.importing import import_cases
from copilot.indicators.errors import ImportFileError
from copilot.store.db import make_engine


@pytest.fixture
def bulk(monkeypatch):
    """Every file counts as large: the parallel path with its index drop/rebuild runs on a small file."""
    monkeypatch.setattr(importing, "BIG_FILE", 0)
    monkeypatch.setattr(importing, "PARALLEL_FILE", 0)


def _file(tmp_path, n=3000, seed=5):
    rows = list(generate_rows(n, seed=seed))
    lines = (tmp_path / "x.csv")
    write_csv(lines, rows)
    return lines, rows


def _indexes(db) -> set[str]:
    with sqlite3.connect(db) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='cases'")}


def _contents(engine) -> dict:
    with engine.connect() as c:
        return {r[0]: tuple(r) for r in c.execute(text("SELECT * FROM cases"))}


def test_bad_rows_mid_file_are_reported_by_line_in_the_parallel_path_as_in_the_plain_one(tmp_path, bulk):
    path, rows = _file(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[1]
    lines[1500] = lines[1500].replace("-", "/", 1)  # line 1501: filed_on 2024/03-01 (a bad date)
    lines[2200] = first  # line 2201: the row of line 2 again, verbatim (a duplicate across parts)
    lines[2600] = first.replace(rows[0]["judge_name"], "某某某", 1)  # line 2601: line 2's case, other values
    lines[2900] = "（2024）浙0503民初12号,李"  # line 2901: too few values
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = {}
    for workers in (1, 2):
        engine = make_engine(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        r = import_cases(engine, path, workers=workers)
        results[workers] = (r, _contents(engine))
        assert _indexes(tmp_path / f"w{workers}.db") >= {"ix_cases_key", "ix_cases_serial"}
        engine.dispose()
    (r1, c1), (r2, c2) = results[1], results[2]
    assert [(e.row, e.field) for e in r2.errors] == [(e.row, e.field) for e in r1.errors] == [
        (1501, "filed_on"), (2601, "case_number"), (2901, "")]
    assert "already on line 2" in r2.errors[1].reason and "not a date" in r2.errors[0].reason
    assert (r2.rows_read, r2.inserted, r2.duplicates, r2.bad_rows) == (r1.rows_read, r1.inserted, r1.duplicates,
                                                                       r1.bad_rows) == (3000, 2996, 1, 3)
    assert c1 == c2


def test_a_file_broken_half_way_leaves_the_store_and_its_indexes_as_they_were(tmp_path, bulk):
    """Before: the bulk path dropped the two indexes outside the import's transaction (sqlite3 autocommits
    DDL), so a file that broke half-way left the store without them (every lookup a full scan)."""
    db = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{db}")
    path, _rows = _file(tmp_path, n=500, seed=1)
    import_cases(engine, path)
    before = _contents(engine)
    assert _indexes(db) >= {"ix_cases_key", "ix_cases_serial"}
    bad, _ = _file(tmp_path, n=4000, seed=2)
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[3000] = lines[3000].replace(",", ',"', 1)  # a quote opened on line 3001 and never closed
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for workers in (1, 2):
        with pytest.raises(ImportFileError) as exc:
            import_cases(engine, bad, workers=workers)
        assert f"{bad}:" in str(exc.value) and "quote" in str(exc.value)
        assert _contents(engine) == before
        assert _indexes(db) >= {"ix_cases_key", "ix_cases_serial"}
    engine.dispose()


def test_not_utf8_in_a_later_part_names_its_line(tmp_path, bulk):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    path, _rows = _file(tmp_path, n=2000)
    data = path.read_bytes().split(b"\n")
    data[1700] = data[1700].decode("utf-8").encode("gbk")
    path.write_bytes(b"\n".join(data))
    with pytest.raises(ImportFileError) as exc:
        import_cases(engine, path, workers=2)
    assert "not UTF-8" in str(exc.value) and f"{path}:1701" in str(exc.value)
    assert _contents(engine) == {}
    engine.dispose()
