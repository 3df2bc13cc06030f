"""Checks on the committed audio fixtures: files, docs/formats.md §1 transcripts, labels, and measured audio conditions."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2] / "audio_fixtures"
CALLS = sorted((ROOT / "calls").glob("FX-*.json"))
SERVICE_TYPES = {"contact_judge", "info_query", "consultation", "appointment", "complaint", "out_of_scope"}
ROLES = {"party", "litigation_agent", "defender", "petitioner", "other"}
FLAG_CODES = {
    "greeting_missing",
    "answer_late",
    "banned_phrase",
    "nonstandard_wording",
    "wait_apology_missing",
    "silent_call_script_missing",
    "referral_missing",
    "judge_callback_missing",
    "complaint_not_forwarded",
    "closing_missing",
}
TURN_CODES = {"greeting_missing", "banned_phrase", "nonstandard_wording"}


def _call(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _audio(path: Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(ROOT / "audio" / (path.stem + ".flac"), dtype="float64", always_2d=True)
    data.setflags(write=False)
    return data, rate


def _power(x: np.ndarray) -> float:
    return float(np.mean(np.square(x))) + 1e-20


def _mask(n: int, rate: int, turns: list[dict], speaker: str | None) -> np.ndarray:
    """True where a turn of `speaker` (any speaker if None) is being spoken."""
    m = np.zeros(n, dtype=bool)
    for t in turns:
        if speaker is None or t["speaker"] == speaker:
            m[int(t["start"] * rate) : int(t["end"] * rate)] = True
    return m


def _levels(path: Path) -> dict[str, float]:
    """Measured dB values of one call: agent and caller speech power, caller-channel noise floor, caller SNR."""
    call = _call(path)
    data, rate = _audio(path)
    turns = call["turns"]
    agent = _mask(len(data), rate, turns, "agent")
    caller = _mask(len(data), rate, turns, "caller")
    floor1 = _power(data[agent & ~caller, 1])
    out = {"agent_db": 10 * np.log10(_power(data[agent, 0])), "caller_floor_db": 10 * np.log10(floor1)}
    if caller.any():
        p_caller = _power(data[caller, 1])
        out["caller_db"] = 10 * np.log10(max(p_caller - floor1, 1e-20))
        out["caller_snr_db"] = 10 * np.log10(max(p_caller - floor1, 1e-20) / floor1)
    return out


def test_there_are_fixtures_and_labels_match_them() -> None:
    assert len(CALLS) >= 9
    lines = (ROOT / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["call_id"] for line in lines]
    assert sorted(ids) == sorted(_call(p)["call_id"] for p in CALLS)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", CALLS, ids=lambda p: p.stem)
def test_flac_format(path: Path) -> None:
    info = sf.info(ROOT / "audio" / (path.stem + ".flac"))
    assert info.format == "FLAC"
    assert info.samplerate == 8000
    assert info.channels == 2
    assert info.subtype == "PCM_16"
    assert 5.0 < info.duration <= 90.0


@pytest.mark.parametrize("path", CALLS, ids=lambda p: p.stem)
def test_transcript_is_formats_1(path: Path) -> None:
    call = _call(path)
    assert path.name.startswith(call["call_id"] + "-")
    assert datetime.fromisoformat(call["started_at"]).utcoffset() is not None
    assert isinstance(call["ring_seconds"], int | float) and call["ring_seconds"] >= 0
    turns = call["turns"]
    assert turns and turns[0]["speaker"] == "agent"
    duration = sf.info(ROOT / "audio" / (path.stem + ".flac")).duration
    prev_end = 0.0
    for t in turns:
        assert t["speaker"] in {"agent", "caller"}
        assert isinstance(t["text"], str) and t["text"].strip()
        assert prev_end <= t["start"] < t["end"] <= duration
        prev_end = t["end"]


@pytest.mark.parametrize("path", CALLS, ids=lambda p: p.stem)
def test_turn_times_match_the_audio(path: Path) -> None:
    """Each turn is loud on its speaker's channel and the other channel is at its floor meanwhile."""
    call = _call(path)
    data, rate = _audio(path)
    turns = call["turns"]
    speaking = _mask(len(data), rate, turns, None)
    floors = {
        spk: _power(data[~_mask(len(data), rate, turns, spk), ch])
        for ch, spk in enumerate(("agent", "caller"))
    }
    for i, t in enumerate(turns):
        ch = 0 if t["speaker"] == "agent" else 1
        seg = data[int(t["start"] * rate) : int(t["end"] * rate)]
        own_floor = floors[t["speaker"]]
        assert 10 * np.log10(_power(seg[:, ch]) / own_floor) > 6.0, f"turn {i} not audible on channel {ch}"
        other_floor = _power(data[~speaking, 1 - ch]) if (~speaking).any() else own_floor
        assert 10 * np.log10(_power(seg[:, 1 - ch]) / other_floor) < 3.0, (
            f"turn {i} leaks to channel {1 - ch}"
        )
        # speech fills the turn: its first and last 0.3 s are above the floor too
        for part in (seg[: int(0.3 * rate), ch], seg[-int(0.3 * rate) :, ch]):
            assert 10 * np.log10(_power(part) / own_floor) > 3.0, f"turn {i} edges are silent"


def test_labels_are_valid() -> None:
    calls = {_call(p)["call_id"]: _call(p) for p in CALLS}
    for line in (ROOT / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        turns = calls[label["call_id"]]["turns"]
        assert label["service_type"] in SERVICE_TYPES
        assert set(label["record"]) == {"caller_role", "case_number", "phone", "judge_name"}
        assert label["record"]["caller_role"] in ROLES
        phone = label["record"]["phone"]
        assert phone is None or (phone.isdigit() and len(phone) == 11)
        text = "".join(t["text"] for t in turns)
        for key in ("case_number", "phone", "judge_name"):
            assert label["record"][key] is None or label["record"][key] in text
        for flag in label["flags"]:
            assert flag["code"] in FLAG_CODES
            if flag["code"] in TURN_CODES:
                assert turns[flag["turn"]]["speaker"] == "agent"
            else:
                assert flag["turn"] is None


def test_silent_call_has_no_caller_speech() -> None:
    silent = [p for p in CALLS if all(t["speaker"] == "agent" for t in _call(p)["turns"])]
    assert silent, "no silent call among the fixtures"
    for path in silent:
        data, rate = _audio(path)
        frames = data[: len(data) // rate * rate, 1].reshape(-1, rate)
        frame_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
        assert frame_db.max() - np.median(frame_db) < 3.0
        assert np.median(frame_db) < 10 * np.log10(_power(data[:, 0])) - 20


def test_quiet_and_noisy_callers_are_measurably_so() -> None:
    plain_gain, plain_snr = [], []
    quiet = noisy = 0
    for path in CALLS:
        cond = _call(path).get("audio_conditions", {})
        lv = _levels(path)
        if "caller_db" not in lv:
            continue
        gain = lv["caller_db"] - lv["agent_db"]
        if cond.get("caller_gain_db", 0.0) <= -10:
            quiet += 1
            assert abs(gain - cond["caller_gain_db"]) < 3.0, (path.stem, gain)
        elif cond.get("caller_snr_db") is not None:
            noisy += 1
            assert abs(lv["caller_snr_db"] - cond["caller_snr_db"]) < 3.0, (path.stem, lv)
        else:
            plain_gain.append(gain)
            plain_snr.append(lv["caller_snr_db"])
    assert quiet and noisy and plain_gain
    assert max(abs(g) for g in plain_gain) < 3.0
    assert min(plain_snr) > 25.0


def test_the_demo_call_is_a_fixture_with_a_flag_in_its_first_seconds():
    """`copilot demo` plays DEMO_CALL: it must exist, and its label must show a flag early on screen."""
    from copilot.commands.app import DEMO_CALL

    assert (ROOT / "audio" / f"{DEMO_CALL}.flac").is_file()
    call = _call(ROOT / "calls" / f"{DEMO_CALL}.json")
    lines = (ROOT / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    label = next(x for x in map(json.loads, lines) if x["call_id"] == call["call_id"])
    early = [f for f in label["flags"] if f["turn"] is not None and call["turns"][f["turn"]]["end"] <= 30.0]
    assert early, label


@functools.cache
def _acoustic(name: str) -> tuple[tuple[str, str], ...]:
    from asr.monitor import CallMonitor
    from asr.sources import FileSource

    return tuple((e.speaker, e.kind) for e in CallMonitor().feed_all(FileSource(ROOT / "audio" / f"{name}.flac")))


@pytest.mark.parametrize("path", CALLS, ids=lambda p: p.stem[:5])
def test_the_monitor_calls_only_the_quiet_caller_quiet(path: Path) -> None:
    """Fixture speech sits at a normal telephone level (−24 dBFS): the acoustic monitor must not prompt
    「请您讲话的声音大一点」 for a normal caller, must for FX-09 (18 dB under), and gives the noisy line the noise
    script rather than the quiet one."""
    kinds = _acoustic(path.stem)
    cond = _call(path).get("audio_conditions") or {}
    quiet = ("caller", "low_volume") in kinds
    assert quiet == (cond.get("caller_gain_db", 0.0) <= -10), kinds
    assert ("agent", "low_volume") not in kinds, kinds
    if cond.get("caller_snr_db") is not None:
        assert ("caller", "noise") in kinds, kinds


def test_the_pipeline_reports_each_channels_speech_level_once_a_second() -> None:
    """``level`` events feed the live screen's meter: one per second of each channel's audio, the caller's
    at the fixtures' normal −24 dBFS once the caller has spoken, FX-09's quiet caller ~18 dB lower."""
    from asr.monitor import CallMonitor
    from asr.sources import FileSource
    from copilot.events import LevelEvent
    from copilot.session.pipeline import CallPipeline, run_audio

    def levels(name: str) -> list[LevelEvent]:
        pipe = CallPipeline(name, monitor=CallMonitor())
        return [e for e in run_audio(FileSource(ROOT / "audio" / f"{name}.flac"), pipe)
                if isinstance(e, LevelEvent)]

    evs = levels("FX-12-judge-no-callback")
    seconds = sf.info(ROOT / "audio" / "FX-12-judge-no-callback.flac").duration
    for speaker in ("agent", "caller"):
        ts = [e.t for e in evs if e.speaker == speaker]
        assert abs(len(ts) - seconds) <= 2 and all(0.9 <= b - a <= 1.1 for a, b in zip(ts, ts[1:], strict=False))
    caller = [e.level_db for e in evs if e.speaker == "caller"]
    assert caller[0] is None  # nobody has spoken on the caller's line yet
    heard = [x for x in caller if x is not None]
    assert heard and all(-28 < x < -20 for x in heard), heard
    quiet = [e.level_db for e in levels("FX-09-quiet-caller") if e.speaker == "caller" and e.level_db is not None]
    assert quiet and all(x < -36 for x in quiet), quiet
