"""The CLI end to end: imports, exit codes, terminal table, --json keys, --csv and the HTML report."""

from __future__ import annotations

import argparse
import csv
import json
from html.parser import HTMLParser

import pytest

from copilot.commands.indicators import add_parsers, main
from copilot.indicators.errors import PeriodError
from copilot.indicators.period import date_range, quarter

CDR = (
    "call_id,direction,entered_at,answered_by,ring_s,announcement_s,transfer_wait_s,agent_id,ended_at,callback_of",
    "C1,inbound,2026-07-01T09:00:00+08:00,agent,5,10,,a1,,",
    "C2,inbound,2026-07-01T10:00:00+08:00,agent,18,,30,a2,,",
    "C3,inbound,2026-07-02T10:00:00+08:00,none,,,,,,",
    "K3,callback,2026-07-02T11:00:00+08:00,agent,,,,a2,,C3",
    "C4,inbound,2026-08-15T10:00:00+08:00,ivr,,,,,,",
)
OUTCOMES = (
    "call_id,service_type,reply_due_at,replied_at,completed,satisfaction",
    "C1,info_query,2026-07-02T00:00:00+08:00,2026-07-01T18:00:00+08:00,true,satisfied",
)
JSON_KEYS = {
    "average_answer_s", "total_connection_rate", "announcement_within_20s_rate", "transfer_within_40s_rate",
    "timely_response_rate", "timely_reply_rate", "effective_completion_rate", "satisfaction_rate",
    "greeting_compliance_rate", "banned_phrases_per_100_calls", "flag_rates", "service_type_mix", "average_score",
    "limits", "pass", "daily", "monthly", "per_agent",
}


@pytest.fixture()
def loaded(db_url, write):
    assert main(["cdr", "import", str(write("cdr.csv", *CDR)), "--db", db_url]) == 0
    assert main(["outcomes", "import", str(write("o.csv", *OUTCOMES)), "--db", db_url]) == 0
    return db_url


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.svgs: list[str] = []  # id of the figure holding each <svg>
        self.ind_rows: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "svg":
            self.svgs.append(next((x.get("id") for t, x in reversed(self.stack) if t == "figure"), None))
        if tag == "tr" and (a.get("id") or "").startswith("ind-"):
            self.ind_rows.append(a["id"][4:])
        self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass


def test_import_exit_codes(db_url, write, capsys):
    bad = write("bad.csv", *CDR[:2], "C9,inbound,2026-07-01T09:00:00+08:00,agent,-5,,,,,")
    assert main(["cdr", "import", str(bad), "--db", db_url]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:3: ring_s: negative duration" in err
    assert main(["cdr", "import", str(bad), "--strict", "--db", db_url]) == 2
    assert main(["cdr", "import", str(write("e.csv")), "--db", db_url]) == 2
    assert "empty file" in capsys.readouterr().err
    assert main(["cdr"]) == 2  # no sub-command: help on stderr, failure


def test_terminal_report(loaded, capsys):
    assert main(["report", "--quarter", "2026Q3", "--db", loaded, "--as-of", "2026-10-01T00:00:00+08:00"]) == 0
    out = capsys.readouterr().out
    assert "平均应答时限 Average answer time" in out and "11.5 s" in out
    assert "总接通率 Total connection rate" in out and "100.0%" in out
    assert "未达标 FAIL" in out and "达标 pass" in out and "—" in out


def test_json_has_exactly_the_keys(loaded, capsys):
    assert main(["report", "--from", "2026-07-01", "--to", "2026-07-31", "--json", "--db", loaded]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == JSON_KEYS
    assert doc["average_answer_s"] == 11.5 and doc["total_connection_rate"] == 1.0
    assert doc["timely_response_rate"] == 0.5 and doc["satisfaction_rate"] == 1.0
    assert doc["greeting_compliance_rate"] is None  # no analysed calls: null, not 0
    assert doc["limits"]["average_answer_s"] == {"op": "<", "value": 15.0}
    assert doc["pass"]["total_connection_rate"] is True and doc["pass"]["timely_response_rate"] is False
    assert len(doc["daily"]) == 31 and doc["daily"][2] == {
        "date": "2026-07-03", "inbound": 0, "connected": 0, "total_connection_rate": None, "agent_answered": 0,
        "average_answer_s": None, "timely_response_rate": None}
    assert [m["month"] for m in doc["monthly"]] == ["2026-07"]
    assert set(doc["per_agent"]) == {"a1", "a2"} and doc["per_agent"]["a2"]["average_answer_s"] == 18.0


def test_html_and_csv(loaded, tmp_path, capsys):
    html_path, csv_path = tmp_path / "r.html", tmp_path / "r.csv"
    assert main(["report", "--quarter", "2026q3", "--html", str(html_path), "--csv", str(csv_path),
                 "--db", loaded]) == 0
    page = html_path.read_text(encoding="utf-8")
    p = _Collect()
    p.feed(page)
    assert p.svgs == ["chart-connection", "chart-answer", "chart-flags"]
    assert p.ind_rows[:3] == ["average_answer_s", "total_connection_rate", "announcement_within_20s_rate"]
    assert len(p.ind_rows) == 11
    assert sum(1 for t, _ in p.tags if t == "polyline") >= 1 and sum(1 for t, _ in p.tags if t == "rect") >= 11
    assert not [t for t, _ in p.tags if t in ("script", "link", "img", "iframe")]
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "@media print" in page and "用户拨号完毕后" in page
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = {r["key"]: r for r in csv.DictReader(f)}
    assert rows["average_answer_s"]["value"] == "11.5" and rows["average_answer_s"]["pass"] == "true"
    assert rows["satisfaction_rate"]["pass"] == "" and rows["greeting_compliance_rate"]["value"] == ""


def test_report_argument_errors(db_url, capsys):
    assert main(["report", "--db", db_url]) == 2
    assert main(["report", "--quarter", "2026Q5", "--db", db_url]) == 2
    assert main(["report", "--from", "2026-07-02", "--to", "2026-07-01", "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert "2026Q5" in err and "before --from" in err


def test_periods():
    q = quarter("2026Q3")
    assert (q.start.isoformat(), q.end.isoformat(), q.label) == ("2026-07-01", "2026-09-30", "2026Q3")
    assert quarter("2024Q1").end.isoformat() == "2024-03-31" and quarter("2026Q4").end.isoformat() == "2026-12-31"
    assert date_range("2026-02-27", "2026-03-01").months() == ["2026-02", "2026-03"]
    with pytest.raises(PeriodError):
        date_range("2026-13-01", "2026-12-31")


def test_add_parsers_wires_into_a_main_cli():
    parser = argparse.ArgumentParser(prog="copilot")
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", "--quarter", "2026Q3", "--json", "--db", "sqlite://"])
    assert args.json and args.db == "sqlite://" and callable(args.func)
    args = parser.parse_args(["cdr", "import", "x.csv", "--strict"])
    assert args.strict and args.file == "x.csv" and args.db is None and callable(args.func)
