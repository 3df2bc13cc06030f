"""The agent's 「需回复」/「已办结」 ticks become the call's outcome row, which the reply and completion
indicators of `copilot report` read; a reply recorded later is kept when the record is saved again."""

from __future__ import annotations

import json
from pathlib import Path

from copilot.analysis import analyze_transcript
from copilot.cli import main
from copilot.session.record_save import save_record
from copilot.store import save_result
from copilot.store.db import make_engine
from copilot.transcript import load_transcript

REPO = Path(__file__).resolve().parents[2]
FX12 = REPO / "audio_fixtures" / "calls" / "FX-12-judge-no-callback.json"  # started 2026-03-09 15:03 +08:00
REPORT = ["report", "--from", "2026-03-01", "--to", "2026-03-31", "--as-of", "2026-03-20T00:00:00+08:00", "--json"]


def report(capsys, url):
    capsys.readouterr()
    assert main([*REPORT, "--db", url]) == 0
    return json.loads(capsys.readouterr().out)


def test_ticks_feed_the_reply_and_completion_indicators(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    tr = load_transcript(FX12)
    result = analyze_transcript(tr)
    save_result(engine, tr, result)
    before = report(capsys, url)
    assert before["timely_reply_rate"] is None and before["effective_completion_rate"] is None

    record = dict(result["record"], callback_required=True)
    save_record(engine, "FX-12", record, resolved=False, service_type="contact_judge")
    owed = report(capsys, url)
    assert owed["timely_reply_rate"] == 0.0  # due 2 days after the call, not replied by the 20th
    assert owed["effective_completion_rate"] == 0.0

    save_record(engine, "FX-12", record, resolved=True, service_type="contact_judge")
    assert report(capsys, url)["effective_completion_rate"] == 1.0

    replied = tmp_path / "outcomes.csv"
    replied.write_text("call_id,service_type,reply_due_at,replied_at,completed,satisfaction\n"
                       "FX-12,contact_judge,2026-03-11T15:03:46+08:00,2026-03-10T10:00:00+08:00,true,satisfied\n",
                       encoding="utf-8")
    assert main(["outcomes", "import", str(replied), "--db", url]) == 0
    save_record(engine, "FX-12", record, resolved=True, service_type="contact_judge")  # saved again later
    after = report(capsys, url)
    assert after["timely_reply_rate"] == 1.0 and after["satisfaction_rate"] == 1.0
