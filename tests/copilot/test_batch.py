"""Batch scoring: local workers, a failing file reported (never silent), CSV/HTML, and a local Ray instance."""

import csv
import shutil
from html.parser import HTMLParser

import pytest

from copilot.analysis import analyze_transcript
from copilot.evaluation.batch import Progress, format_table, render_html, score_files, write_csv
from copilot.transcript import load_transcript

CALLS = ["DEV-007", "DEV-010", "DEV-041"]


@pytest.fixture
def folder(tmp_path, dev_dir):
    d = tmp_path / "q3"
    d.mkdir()
    for c in CALLS:
        shutil.copy(dev_dir / "calls" / f"{c}.json", d)
    (d / "broken.json").write_text('{"call_id": "B", "turns": [', encoding="utf-8")
    return d


def expected(dev_dir):
    return {c: analyze_transcript(load_transcript(dev_dir / "calls" / f"{c}.json"))["score"]["total"] for c in CALLS}


def test_local_workers_score_and_report_failures(folder, dev_dir, tmp_path, capsys):
    import io
    buf = io.StringIO()
    res = score_files([folder], workers=2, progress=Progress(4, stream=buf))
    assert {r["call_id"]: r["score"] for r in res.rows} == expected(dev_dir)
    assert len(res.failures) == 1 and res.failures[0][0].endswith("broken.json")
    assert "malformed JSON" in res.failures[0][1]
    assert buf.getvalue().count("\n") == 4 and "FAILED" in buf.getvalue()
    assert "broken.json" in format_table(res) and "FAILED" in format_table(res)
    out = tmp_path / "s.csv"
    write_csv(res, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["call_id"] for r in rows] == CALLS and {"opening", "courtesy", "closing"} <= set(rows[0])


def test_html_has_charts_and_rows(folder):
    res = score_files([folder])
    page = render_html(res)

    class P(HTMLParser):
        svgs = 0
        cells: list = []

        def handle_starttag(self, tag, attrs):
            if tag == "svg":
                P.svgs += 1

        def handle_data(self, data):
            P.cells.append(data)

    P().feed(page)
    assert P.svgs == 2 and "DEV-041.json" in P.cells and "broken.json" in P.cells
