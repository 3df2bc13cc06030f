"""One typed vocabulary (issue 14): the recogniser's confidence and word times reach the store; one Flag type in
every form (checker, event, result, store, scorer); one CallRecord; the standard's numbers and names in one place.

Real parts: the real pipeline and analysis (scripted recogniser: copilot.session.testing), a real SQLite file.
The real Whisper decode of a recording into the store is ``test_whisper_confidence_and_words_reach_the_store``
(``slow``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.analysis import CallAnalyzer, analyze_transcript
from copilot.analysis.rules import load_rules
from copilot.errors import TranscriptError
from copilot.events import FlagRaised, UtteranceEvent, Word, event_from_dict
from copilot.flags import Flag
from copilot.record import CallRecord
from copilot.session.testing import FINAL_CONFIDENCE, run_script
from copilot.store import CallWriter, load_call, save_result
from copilot.store.db import make_engine
from copilot.transcript import load_transcript, parse_transcript
from phrasebook.registry import flag_def

REPO = Path(__file__).resolve().parents[2]
GREETING = "您好！12368！请问有什么可以帮助您？"
SECTION2_FLAG_KEYS = ["code", "turn", "speaker", "start", "text", "phrase", "suggestion"]
SECTION2_RECORD_KEYS = ["caller_role", "caller_name", "phone", "case_number", "judge_name", "summary",
                        "callback_required", "referral"]


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'calls.db'}")
    yield e
    e.dispose()


# ---------------------------------------------------------------------- confidence and words, ASR → store
def test_a_recognised_calls_confidence_and_word_times_reach_the_store(engine):
    """Stage harness (fast path): every final the recogniser gave is stored with its confidence (not 1.0) and its
    words, times inside the utterance, through the live writer (StoreSink → CallWriter)."""
    script = [("agent", 0.5, 3.0, "喂，南浔法院，请讲。"), ("caller", 3.8, 8.0, "我想问一下我的案子什么时候开庭。")]
    writer = CallWriter(engine, "STAGE-1", source="script")
    run = run_script(script, call_id="STAGE-1", writer=writer)
    finals = [x.event for x in run.of("utterance", final=True)]
    assert [e.confidence for e in finals] == [FINAL_CONFIDENCE, FINAL_CONFIDENCE]
    assert all(e.words and e.words[0].start == e.start for e in finals)
    wire = finals[1].to_dict()
    assert wire["words"][0] == {"text": "我", "start": 3.8, "end": wire["words"][1]["start"], "confidence": 0.9}
    assert event_from_dict(wire) == finals[1]  # the wire form reads back into the same event

    stored = load_call(engine, "STAGE-1")["utterances"]
    assert [u["confidence"] for u in stored] == [FINAL_CONFIDENCE, FINAL_CONFIDENCE]
    for u, e in zip(stored, finals, strict=True):
        words = json.loads(u["words_json"])
        assert "".join(w["text"] for w in words) == "".join(ch for ch in e.text if not ch.isspace())
        assert all(u["start"] <= w["start"] < w["end"] <= u["end"] for w in words)


def test_a_transcripts_turns_store_no_invented_confidence(engine):
    """A written transcript carries no estimate: its finals are stored at 1.0 with no words, as before."""
    tr = load_transcript(REPO / "tests" / "data" / "dev" / "calls" / "DEV-001.json")
    save_result(engine, tr, analyze_transcript(tr))
    stored = load_call(engine, tr.call_id)["utterances"]
    assert len(stored) == len(tr.turns)
    assert {(u["confidence"], u["words_json"]) for u in stored} == {(1.0, None)}


def test_transcript_json_may_carry_confidence_and_words_and_keeps_them(engine):
    """formats.md §1 allows added fields: a turn's ``confidence`` and ``words`` load, reach the analysis turn and
    the store, and write back; a transcript without them writes exactly what it did."""
    data = {"call_id": "W-1", "turns": [
        {"speaker": "agent", "start": 0.4, "end": 2.9, "text": GREETING},
        {"speaker": "caller", "start": 3.5, "end": 5.0, "text": "我想查案子", "confidence": 0.62,
         "words": [{"text": "我想", "start": 3.5, "end": 4.0, "confidence": 0.7},
                   {"text": "查案子", "start": 4.1, "end": 5.0}]}]}
    tr = parse_transcript(data, source="w.json")
    assert tr.turns[1].confidence == 0.62 and tr.turns[1].words[1] == Word("查案子", 4.1, 5.0, 1.0)
    assert tr.to_dict()["turns"][0] == data["turns"][0]  # nothing added to a turn without them
    assert tr.to_dict()["turns"][1]["words"][1] == {"text": "查案子", "start": 4.1, "end": 5.0, "confidence": 1.0}

    a = CallAnalyzer("W-1", cases=None)
    a.start()
    ev = a.add_turn("caller", 3.5, 5.0, "我想查案子", confidence=0.62, words=tr.turns[1].words)[0]
    assert isinstance(ev, UtteranceEvent) and ev.confidence == 0.62 and a.turns[0].words == tr.turns[1].words

    save_result(engine, tr, analyze_transcript(tr, cases=None))
    stored = load_call(engine, "W-1")["utterances"]
    assert [u["confidence"] for u in stored] == [1.0, 0.62]
    assert json.loads(stored[1]["words_json"])[0] == {"text": "我想", "start": 3.5, "end": 4.0, "confidence": 0.7}


@pytest.mark.parametrize(("turn", "message"), [
    ({"confidence": 1.5}, "between 0 and 1"),
    ({"confidence": "high"}, "'confidence' must be a number"),
    ({"words": "我想"}, "'words' must be a list"),
    ({"words": [{"text": "我想", "start": 3.5}]}, "field 'end' must be a number"),
])
def test_bad_confidence_or_words_name_the_turn_and_word(turn, message):
    data = {"call_id": "B", "turns": [{"speaker": "caller", "start": 3.5, "end": 5.0, "text": "我想", **turn}]}
    with pytest.raises(TranscriptError) as exc:
        parse_transcript(data, source="bad.json")
    assert message in str(exc.value) and "bad.json: turns[0]" in str(exc.value)


@pytest.mark.slow
def test_whisper_confidence_and_words_reach_the_store(engine):
    """A real Whisper base decode of a short recording (8 s of DEV-003), stored as the live writer and as
    ``analyze --save`` store it: each final has Whisper's own confidence (< 1.0) and word times inside it."""
    from copilot.session.recording import analyse_recording

    audio = REPO / "tests" / "data" / "dev" / "audio" / "DEV-003-8s.flac"
    result, tr = analyse_recording(audio, engine="whisper")
    assert tr.turns, "Whisper heard nothing in the first 8 s of DEV-003"
    save_result(engine, tr, result)
    stored = load_call(engine, result["call_id"])["utterances"]
    assert len(stored) == len(tr.turns)
    for u in stored:
        assert 0.0 < u["confidence"] < 1.0, u
        words = json.loads(u["words_json"])
        assert words and all(u["start"] - 0.01 <= w["start"] <= w["end"] <= u["end"] + 0.01 for w in words), u


# ---------------------------------------------------------------------- one Flag
def test_one_flag_type_from_the_checker_to_the_event_the_result_and_the_store(engine):
    a = CallAnalyzer("F-1", cases=None)
    a.start()
    evs = a.add_turn("agent", 0.5, 2.5, "这个不归我们管。")
    ev = next(e for e in evs if isinstance(e, FlagRaised) and e.code == "banned_phrase")
    assert ev.flag is a.flags[-1]  # the checker's flag itself, not a copy in another shape
    wire = ev.to_dict()
    assert list(wire)[:2] == ["type", "t"] and list(wire)[2:9] == SECTION2_FLAG_KEYS
    assert wire["span"] == list(ev.flag.span) and event_from_dict(wire) == ev
    result_flag = ev.flag.to_dict()  # formats.md §2: the same fields without the span
    assert list(result_flag)[:7] == SECTION2_FLAG_KEYS and "span" not in result_flag
    assert Flag.from_dict(wire) == ev.flag and Flag.from_dict(result_flag) == Flag(**{**ev.flag.__dict__, "span": None})
    writer = CallWriter(engine, "F-1")
    writer.add_flag(ev.flag)
    row = load_call(engine, "F-1")["flags"][0]
    assert {k: row[k] for k in SECTION2_FLAG_KEYS} == {k: result_flag[k] for k in SECTION2_FLAG_KEYS}


def test_a_flags_name_severity_and_points_are_the_registrys():
    """What the screens and the scorer show comes from flags.toml; an unregistered code is shown as itself, red,
    and costs nothing."""
    for code in ("greeting_missing", "nonstandard_wording", "closing_missing"):
        d = flag_def(code)
        f = Flag(code)
        assert (f.name_zh, f.severity, f.points) == (d.name_zh, d.severity, d.points)
    assert (Flag("made_up").name_zh, Flag("made_up").severity, Flag("made_up").points) == ("made_up", "red", 0)


def test_the_scorer_takes_flags_and_a_dismissed_one_costs_nothing():
    from copilot.analysis.scorer import score_call

    rules = load_rules()
    banned = Flag("banned_phrase", 1, 2.0, "不归我们管", "不归我们管")
    full = score_call(rules, [], confidence=1.0, silent=False)["total"]
    raised = score_call(rules, [banned], confidence=1.0, silent=False)["total"]
    stored = score_call(rules, [banned.to_dict() | {"review": "dismissed", "id": 7}], confidence=1.0, silent=False)
    assert raised == full - banned.points and stored["total"] == full


# ---------------------------------------------------------------------- one CallRecord
def test_the_call_record_is_one_type_with_the_section2_fields_first():
    tr = load_transcript(REPO / "tests" / "data" / "dev" / "calls" / "DEV-001.json")
    a = CallAnalyzer(tr.call_id, cases=None)
    a.start()
    for t in tr.turns:
        a.add_turn(t.speaker, t.start, t.end, t.text)
    a.finish()
    assert isinstance(a.record, CallRecord)
    rec = a.result()["record"]
    assert list(rec)[:8] == SECTION2_RECORD_KEYS and "dialect_words" not in rec
    assert CallRecord.from_dict(rec).to_dict(dialect_words=False) == rec  # round trip, same keys in the same order
    edited = CallRecord.from_dict({**rec, "phone": "13812345678", "service_type": "info_query", "call_id": "x"})
    assert edited.phone == "13812345678" and edited.extra == {"service_type": "info_query"}
    assert edited.store_fields()["phone"] == "13812345678" and "case_source" not in edited.store_fields()


# ---------------------------------------------------------------------- single sources
def test_names_and_timings_have_one_source():
    """The service-type names the screens and the §7 report show are the phrasebook's; the 15 s answer limit and
    the 5 s silent-call step are each defined once."""
    import asr.monitor
    import copilot.indicators.compute
    import copilot.session.pipeline
    from copilot import standard
    from copilot.indicators.definitions import SERVICE_TYPE_ZH as REPORT_NAMES
    from copilot.labels import SERVICE_TYPE_ZH

    assert SERVICE_TYPE_ZH == REPORT_NAMES == load_rules().type_names
    assert copilot.session.pipeline.SILENT_STEP_S is standard.SILENT_STEP_S == asr.monitor.MonitorConfig().silence_step_s
    assert copilot.indicators.compute.ANSWER_LIMIT_S is standard.ANSWER_LIMIT_S
    sources = [p for p in (REPO / "copilot").rglob("*.py")] + list((REPO / "tui").rglob("*.py"))
    for p in sources:
        text = p.read_text(encoding="utf-8")
        assert "ring_seconds >= 15" not in text and "ring_seconds > 15" not in text, p
        assert not (p.name != "standard.py" and "SILENT_STEP_S = " in text), p
