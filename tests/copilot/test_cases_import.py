"""``copilot cases import``: the court's case list into a real SQLite store; bad rows reported by line."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from copilot.cases.importing import count_cases, import_cases
from copilot.cli import main
from copilot.indicators.errors import ImportFileError, ImportRejected
from copilot.store.db import make_engine

HEADER = "case_number,judge_name,department,clerk_name,status,filed_on,next_hearing,parties\n"
GOOD = [
    "（2024）浙0503民初4127号,李建国,民一庭,王芳,审理中,2024-03-01,2024-06-12T09:30,张三:party;浙江某某律师事务所周明:litigation_agent",
    "(2024)浙0502执1735号,邱平,执行局,江丽,执行中,2024-05-27,,李美芳:party",
    "（2023）浙05民终1127号,费雪琴,民二庭,汤洋,审理中,2023-11-03,,郑国庆：party；湖州恒达物业服务有限公司:party",
]


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield e
    e.dispose()


def write(tmp_path, lines, name="cases.csv"):
    p = tmp_path / name
    p.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return p


def rows(engine):
    with engine.connect() as c:
        return {r[0]: r for r in c.execute(text("SELECT case_number, year, court, type_code, serial, judge_name, "
                                                 "parties, next_hearing FROM cases"))}


def test_good_rows_are_stored_canonical_with_their_key_parts(engine, tmp_path):
    r = import_cases(engine, write(tmp_path, GOOD))
    assert (r.rows_read, r.inserted, r.replaced, r.bad_rows) == (3, 3, 0, 0)
    got = rows(engine)
    assert set(got) == {"（2024）浙0503民初4127号", "（2024）浙0502执1735号", "（2023）浙05民终1127号"}
    assert got["（2024）浙0503民初4127号"][1:5] == (2024, "浙0503", "民初", 4127)
    assert got["（2023）浙05民终1127号"][2:5] == ("浙05", "民终", 1127)
    assert got["（2023）浙05民终1127号"][6] == "郑国庆:party;湖州恒达物业服务有限公司:party"
    assert got["（2024）浙0503民初4127号"][7] == "2024-06-12T09:30"


def test_reimport_replaces_rows_by_case_number(engine, tmp_path):
    import_cases(engine, write(tmp_path, GOOD))
    changed = [GOOD[0].replace("李建国", "李建军")]
    r = import_cases(engine, write(tmp_path, changed, "again.csv"))
    assert (r.inserted, r.replaced) == (0, 1)
    assert count_cases(engine) == 3
    assert rows(engine)["（2024）浙0503民初4127号"][5] == "李建军"


def test_bad_rows_are_reported_by_line_and_the_good_ones_imported(engine, tmp_path):
    lines = [
        GOOD[0],
        "2024浙0503民初号,李,民一庭,,,,,",  # line 3: no serial
        "（2024）浙0503民初12号,李,民一庭,,,2024-13-01,,",  # line 4: bad date
        "（2024）浙0503民初13号,李,民一庭,,,,明天上午,",  # line 5: bad date-time
        "（2024）浙0503民初14号,李,民一庭,,,,,张三:judge",  # line 6: unknown role
        "（2024）浙0503民初15号,李,民一庭",  # line 7: too few values
        "（2024）浙0503民初4127号,别人,民一庭,,,,,",  # line 8: same case, other values
        GOOD[0],  # line 9: repeated verbatim: a duplicate, skipped
        "（2024）浙9999民呃16号,李,民一庭,,,,,",  # line 10: unknown type code
        GOOD[1],
    ]
    r = import_cases(engine, write(tmp_path, lines))
    by_line = {e.row: (e.field, e.reason) for e in r.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 10]
    assert by_line[3][0] == "case_number" and "（2024）浙0503民初4127号" in by_line[3][1]
    assert by_line[4][0] == "filed_on" and "YYYY-MM-DD" in by_line[4][1]
    assert by_line[5][0] == "next_hearing"
    assert by_line[6][0] == "parties" and "judge" in by_line[6][1]
    assert "10 values" not in by_line[7][1] and "3 values" in by_line[7][1]
    assert "already on line 2" in by_line[8][1]
    assert "民呃" in by_line[10][1]
    assert (r.inserted, r.duplicates, r.bad_rows) == (2, 1, 7)
    assert set(rows(engine)) == {"（2024）浙0503民初4127号", "（2024）浙0502执1735号"}


def test_strict_imports_nothing_when_a_row_is_bad(engine, tmp_path):
    import_cases(engine, write(tmp_path, GOOD[:1], "first.csv"))
    with pytest.raises(ImportRejected) as exc:
        import_cases(engine, write(tmp_path, [GOOD[1], "（2024）浙0503民初12号,李,民一庭,,,2024-02-30,,"]), strict=True)
    assert [e.row for e in exc.value.errors] == [3]
    assert set(rows(engine)) == {"（2024）浙0503民初4127号"}  # what was there before is untouched


@pytest.mark.parametrize("body, message", [
    ("", "empty file"),
    (HEADER, "no data rows"),
    ("case_number,department\n（2024）浙0503民初1号,民一庭\n", "missing column(s) judge_name"),
])
def test_unusable_files_are_rejected_with_file_and_line(engine, tmp_path, body, message):
    p = tmp_path / "x.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ImportFileError) as exc:
        import_cases(engine, p)
    assert message in str(exc.value) and str(p) in str(exc.value)


def test_not_utf8_names_the_line(engine, tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes((HEADER + GOOD[0] + "\n").encode("gbk"))
    with pytest.raises(ImportFileError) as exc:
        import_cases(engine, p)
    assert "not UTF-8" in str(exc.value) and f"{p}:2" in str(exc.value)  # the header is ASCII: line 2 is GBK


def test_cli_import_exit_codes_and_find_prints_scored_candidates(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    good = write(tmp_path, GOOD, "good.csv")
    assert main(["cases", "import", str(good), "--db", db]) == 0
    assert "新增 inserted 3" in capsys.readouterr().out
    bad = write(tmp_path, [GOOD[0], "（2024）浙0503民初12号,李,民一庭,,,2024-13-01,,"], "bad.csv")
    assert main(["cases", "import", str(bad), "--db", db]) == 1
    assert f"{bad}:3: filed_on" in capsys.readouterr().err
    assert main(["cases", "import", str(bad), "--db", db, "--strict"]) == 2
    assert "nothing imported" in capsys.readouterr().err
    # ASR text: homophone type code, digits run together, the party's name
    assert main(["cases", "find", "我是张三，案号是2024.0503名出4127号", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "resolved → （2024）浙0503民初4127号" in out
    first = [line for line in out.splitlines() if "号" in line and line.strip()[:1].isdigit()][0]
    assert "（2024）浙0503民初4127号" in first and "李建国" in first
    assert main(["cases", "find", "我想问一下离婚要带什么材料", "--db", db]) == 1
    assert "没有候选案件 no candidates" in capsys.readouterr().out


def test_the_prosecution_in_a_criminal_case_is_stored_as_other(engine, tmp_path):
    """A criminal case's list names the prosecution as 公诉机关 (a procedural title, not a role a caller has)."""
    r = import_cases(engine, write(tmp_path, ["（2025）浙0604刑初78号,孔文,刑庭,,,,,某区人民检察院:公诉机关;辛某:被告人"]))
    assert r.bad_rows == 0
    assert rows(engine)["（2025）浙0604刑初78号"][6] == "某区人民检察院:other;辛某:party"


def test_a_courts_procedural_titles_in_the_parties_column_are_stored_as_role_codes(engine, tmp_path):
    """A court's own list writes 原告 / 申请执行人 / 委托诉讼代理人 / 辩护人, not formats.md codes."""
    lines = [
        "（2025）浙0602民初881号,俞志刚,民一庭,,,,,甲公司:原告;乙某:被告;丙律师：委托诉讼代理人",
        "（2024）浙0603执502号,钱立,执行局,,,,,丁某:申请执行人;戊某:被执行人",
        "（2025）浙0604刑初77号,孔文,刑庭,,,,,己某:被告人;庚律师:辩护人",
        "（2025）浙0681民初90号,孔文,民一庭,,,,,辛某:法官",  # not a party's title
    ]
    r = import_cases(engine, write(tmp_path, lines))
    got = rows(engine)
    assert got["（2025）浙0602民初881号"][6] == "甲公司:party;乙某:party;丙律师:litigation_agent"
    assert got["（2024）浙0603执502号"][6] == "丁某:party;戊某:party"
    assert got["（2025）浙0604刑初77号"][6] == "己某:party;庚律师:defender"
    assert [(e.row, e.field) for e in r.errors] == [(5, "parties")]
    assert "原告" in r.errors[0].reason and "法官" in r.errors[0].reason
