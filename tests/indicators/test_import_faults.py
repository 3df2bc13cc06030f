"""CDR/outcome imports under hostile input: times that overflow on conversion to UTC, a locked database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from copilot.cli import main

REPO = Path(__file__).resolve().parents[2]
CDR_HEADER = ("call_id,direction,entered_at,answered_by,ring_s,announcement_s,transfer_wait_s,agent_id,"
              "ended_at,callback_of")


def test_times_overflowing_utc_are_row_errors(tmp_path, capsys, write):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    path = write("cdr.csv", CDR_HEADER,
                 "A1,inbound,2026-07-01T09:00:00+08:00,agent,5,10,,a1,2026-07-01T09:05:00+08:00,",
                 "A2,inbound,0001-01-01T00:00:00+08:00,agent,5,10,,a1,,",
                 "A3,inbound,2026-07-01T09:00:00+08:00,agent,5,10,,a1,9999-12-31T23:59:59-08:00,")
    rc = main(["cdr", "import", str(path), "--db", db])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"{path}:3: entered_at:" in captured.err and "out of range once converted to UTC" in captured.err
    assert f"{path}:4: ended_at:" in captured.err
    assert "新增 inserted 1" in captured.out and "错误行 bad rows 2" in captured.out
    assert rc != 0


def test_locked_database_is_one_clear_line_without_sql(tmp_path, write):
    db_file = tmp_path / "c.db"
    main(["cdr", "import", str(write("first.csv", CDR_HEADER, "A0,inbound,2026-07-01T09:00:00+08:00,agent,3,,,,,")),
          "--db", f"sqlite:///{db_file}"])
    path = write("cdr.csv", CDR_HEADER, "A1,inbound,2026-07-01T09:00:00+08:00,agent,5,10,,a1,,",
                 "A9,inbound,2026-07-01T10:00:00+08:00,agent,5,10,,15968203472,,")
    holder = sqlite3.connect(db_file)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock (readers may still read)
    try:
        proc = subprocess.run([sys.executable, "-m", "copilot", "cdr", "import", str(path), "--db",
                               f"sqlite:///{db_file}"], capture_output=True, text=True, cwd=REPO, timeout=120,
                              env={**_env(), "COPILOT_DB_BUSY_TIMEOUT": "0.5"})
    finally:
        holder.rollback()
        holder.close()
    err = proc.stderr.strip()
    assert proc.returncode != 0 and "Traceback" not in err
    assert err.count("\n") == 0, err
    assert "database is locked" in err and "[SQL" not in err and "INSERT" not in err and "15968203472" not in err


def _env():
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}
