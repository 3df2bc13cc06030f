"""The acoustic monitor on synthetic signals (exact times) and on real recordings (fixtures, dev excerpts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from asr.errors import AudioError
from asr.monitor import CallMonitor, ChannelMonitor, MonitorConfig
from asr.sources import FileSource
from asr.types import SAMPLE_RATE, AcousticEvent, AudioChunk

SR = SAMPLE_RATE
REPO = Path(__file__).resolve().parents[2]
DEV_AUDIO = REPO / "tests" / "data" / "dev" / "audio"
FIXTURES = REPO / "audio_fixtures" / "audio"
RNG = np.random.default_rng(12368)


def _unit_noise(seconds: float, lo: float, hi: float) -> np.ndarray:
    n = int(seconds * SR)
    spec = np.fft.rfft(RNG.normal(size=n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    spec[(freqs < lo) | (freqs > hi)] = 0
    x = np.fft.irfft(spec, n)
    return x / x.std()


_BAND = _unit_noise(32.768, 300.0, 3400.0)  # telephone band, for speech
_HISS = _unit_noise(32.768, 100.0, 7000.0)  # line hiss


def band_noise(seconds: float, level_db: float, source: np.ndarray = _BAND) -> np.ndarray:
    """Noise at an RMS level in dBFS (float samples, full scale = 32768), cut from a random offset."""
    n = int(round(seconds * SR))
    reps = -(-n // source.size) + 1
    start = int(RNG.integers(0, source.size))
    x = np.tile(source, reps)[start:start + n]
    return x * 10 ** (level_db / 20) * 32768


def speech(seconds: float, level_db: float) -> np.ndarray:
    """Speech-like: telephone-band noise in 4 syllables a second with short gaps, RMS ``level_db`` dBFS."""
    x = band_noise(seconds, 0.0)
    t = np.arange(x.size) / SR
    x *= np.sqrt(np.clip(np.sin(2 * np.pi * 4 * t) + 0.4, 0, None))  # ~80 ms gaps between syllables
    return x / np.sqrt(np.mean(x**2)) * 10 ** (level_db / 20) * 32768


def track(seconds: float, parts: list[tuple[float, np.ndarray]], floor_db: float = -60.0) -> np.ndarray:
    """A channel of ``seconds``: hiss at ``floor_db`` plus signals placed at their start times."""
    x = band_noise(seconds, floor_db, _HISS)
    for start, sig in parts:
        i = int(start * SR)
        x[i:i + sig.size] += sig[: x.size - i]
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def run(agent: np.ndarray | None, caller: np.ndarray | None, chunk_ms: int = 100,
        config: MonitorConfig | None = None) -> list[AcousticEvent]:
    monitor = CallMonitor(config)
    step = SR * chunk_ms // 1000
    length = max(x.size for x in (agent, caller) if x is not None)
    events: list[AcousticEvent] = []
    for i in range(0, length, step):
        for name, x in (("agent", agent), ("caller", caller)):
            if x is not None and i < x.size:
                events += monitor.feed(AudioChunk(name, x[i:i + step].tobytes(), i / SR))
    return events + monitor.finish()


def kinds(events: list[AcousticEvent]) -> list[tuple[str, str]]:
    return [(e.speaker, e.kind) for e in events]


# ---------------------------------------------------------------------------------------------- synthetic


def test_silent_call_counts_down_in_5_s_steps_from_the_end_of_the_greeting():
    agent = track(22, [(0.5, speech(3.0, -20)), (9.0, speech(2.0, -20))])  # greeting ends 3.5 s, repeated
    caller = track(22, [(19.0, speech(2.0, -20))])  # somebody finally speaks at 19 s
    events = run(agent, caller)
    silence = [e for e in events if e.kind == "silence"]
    assert [(e.speaker, e.seconds) for e in silence] == [("caller", 5.0), ("caller", 10.0), ("caller", 15.0)]
    assert [e.t for e in silence] == pytest.approx([8.5, 13.5, 18.5], abs=0.05)
    assert all(-62 < e.level_db < -58 for e in silence)
    assert kinds(events) == [("caller", "silence")] * 3  # no dead air before the caller has spoken


def test_caller_who_answers_ends_the_countdown():
    agent = track(20, [(0.5, speech(3.0, -20)), (8.0, speech(3, -20))])
    caller = track(20, [(4.5, speech(3.0, -20)), (11.5, speech(3, -20))])
    assert run(agent, caller) == []


def test_quiet_caller_is_reported_once_after_3_s_of_speech():
    agent = track(16, [(0.5, speech(3.0, -20))])
    caller = track(16, [(4.0, speech(10.0, -45))])
    events = run(agent, caller)
    assert kinds(events) == [("caller", "low_volume")]
    (e,) = events
    assert 7.0 <= e.t <= 10.0  # 3 s of voiced frames (syllables without their gaps) after 4 s
    assert e.seconds == 3.0
    assert -45 < e.level_db < -40  # active level: the syllables without their gaps (−45 dBFS overall)


def test_normal_caller_is_not_low_volume_or_noisy():
    agent = track(16, [(0.5, speech(3.0, -20))])
    caller = track(16, [(4.0, speech(10.0, -24))])
    assert run(agent, caller) == []


def test_noisy_line_at_8_db_snr():
    agent = track(14, [(0.5, speech(3.0, -20))])
    caller = track(14, [(4.0, speech(6.0, -20))], floor_db=-28)
    events = run(agent, caller)
    assert kinds(events) == [("caller", "noise")]
    (e,) = events
    assert e.t == pytest.approx(5.0, abs=0.1)  # the noise floor has been above −45 dBFS for 5 s
    assert e.level_db == pytest.approx(-28, abs=2)


def test_low_snr_below_the_absolute_noise_threshold():
    # noise at −48 dBFS (under −45) but speech only 8 dB above it: the SNR rule reports noise
    agent = track(16, [(0.5, speech(3.0, -20))])
    caller = track(16, [(3.0, speech(12.0, -40))], floor_db=-48)
    events = run(agent, caller)
    assert sorted(kinds(events)) == [("caller", "low_volume"), ("caller", "noise")]
    noise = next(e for e in events if e.kind == "noise")
    assert noise.level_db < -45


def test_overtalk_names_the_interrupter_once():
    agent = track(10, [(0.5, speech(5.5, -20))])  # agent talks 0.5–6 s
    caller = track(10, [(3.0, speech(5.0, -20))])  # caller cuts in at 3 s
    events = run(agent, caller)
    assert kinds(events) == [("caller", "overtalk")]
    assert events[0].t == pytest.approx(4.5, abs=0.1)


def test_short_backchannel_is_not_overtalk():
    agent = track(8, [(0.5, speech(5.5, -20))])
    caller = track(8, [(3.0, speech(0.8, -20))])
    assert run(agent, caller) == []


def test_dead_air_mid_call_once_per_pause():
    agent = track(34, [(0.5, speech(3.0, -20)), (20.0, speech(2.0, -20))])
    caller = track(34, [(4.0, speech(3.0, -20)), (12.0, speech(1.0, -20))])
    # 7 s → 12 s is 5 s of quiet (none); 13 s → 20 s is 7 s (none); after 22 s: 8 s of quiet → dead air
    events = run(agent, caller)
    assert kinds(events) == [("agent", "dead_air")]
    assert events[0].t == pytest.approx(22.0 + 8.0, abs=0.4)


def test_clipping():
    t = np.arange(3 * SR) / SR
    loud = np.clip(1.6 * 32768 * np.sin(2 * np.pi * 700 * t), -32768, 32767)
    agent = track(8, [(0.5, speech(2.5, -20))])
    caller = track(8, [(4.0, loud)])
    events = run(agent, caller)
    assert ("caller", "clipping") in kinds(events)
    assert len([e for e in events if e.kind == "clipping"]) == 1


def test_events_do_not_depend_on_chunk_size():
    agent = track(14, [(0.5, speech(3.0, -20))])
    caller = track(14, [(4.0, speech(9.0, -45))], floor_db=-62)
    a, b = run(agent, caller, chunk_ms=100), run(agent, caller, chunk_ms=30)
    assert kinds(a) == kinds(b) and a
    assert [e.t for e in a] == pytest.approx([e.t for e in b], abs=0.02)


def test_mono_caller_stream_is_monitored_without_an_agent_channel():
    caller = track(12, [(1.0, speech(9.0, -45))])
    assert kinds(run(None, caller)) == [("caller", "low_volume")]


def test_channel_monitor_state():
    m = ChannelMonitor("caller")
    quiet = track(3, [])
    m.feed(AudioChunk("caller", quiet.tobytes(), 0.0))
    assert not m.in_speech
    assert m.noise_db == pytest.approx(-60, abs=2)
    assert m.silent_for == pytest.approx(3.0, abs=0.05)
    loud = track(2, [(0, speech(2, -20))])
    m.feed(AudioChunk("caller", loud.tobytes(), 3.0))
    assert m.in_speech and m.silent_for < 0.1
    assert m.level_db == pytest.approx(-20, abs=2)
    assert m.speech_db == pytest.approx(-20, abs=1.5)


def test_bad_chunks_are_rejected():
    monitor = CallMonitor()
    with pytest.raises(AudioError, match="unknown speaker"):
        monitor.feed(AudioChunk("judge", b"\0\0", 0.0))
    with pytest.raises(AudioError, match="odd PCM length"):
        monitor.feed(AudioChunk("agent", b"\0\0\0", 0.0))


# ---------------------------------------------------------------------------------------------- real audio


def monitor_file(path: Path) -> list[AcousticEvent]:
    if not path.exists():
        pytest.fail(f"recording missing: {path}")
    return CallMonitor().feed_all(FileSource(path))


def test_fx_08_silent_call():
    events = monitor_file(FIXTURES / "FX-08-silent-call.flac")  # the agent greets, waits, greets; no caller
    assert kinds(events) == [("caller", "silence")] * 4
    assert [e.seconds for e in events] == [5.0, 10.0, 15.0, 20.0]
    assert [e.t for e in events] == pytest.approx([9.54, 14.54, 19.54, 24.54], abs=0.2)


def test_dev_003_noisy_line():
    events = monitor_file(DEV_AUDIO / "DEV-003-8s.flac")  # line noise at −35 dBFS on both channels (15 dB SNR)
    assert sorted(kinds(events)) == [("agent", "noise"), ("caller", "noise")]
    assert all(e.t == pytest.approx(5.0, abs=0.1) and -37 < e.level_db < -32 for e in events)


def test_fx_09_quiet_caller():
    events = monitor_file(FIXTURES / "FX-09-quiet-caller.flac")  # caller 18 dB under the agent
    assert kinds(events) == [("caller", "low_volume")]
    assert -41 < events[0].level_db < -37


def test_dev_001_clean_call_only_reports_the_hold():
    """DEV-001 cut to 11.6 s: the caller's last 2 s of speech (21.8–23.8 s), then 30.8–40.4 s: the end of the
    agent's 「请您稍等」 and the first 9 s of an 18 s hold while the agent looks up the case."""
    events = monitor_file(DEV_AUDIO / "DEV-001-hold.flac")
    assert kinds(events) == [("agent", "dead_air")]
    assert events[0].t == pytest.approx(2.0 + 40.26 - 30.8, abs=0.2)  # 8 s after the agent fell quiet
