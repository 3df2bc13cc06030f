"""The embedded Whisper base engine end to end: offline assembly, accuracy on a real clip, streaming."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from asr.audio import read_audio
from asr.cer import cer
from asr.engine import make_recognizer, transcribe_channel
from asr.models import ensure_whisper_base, verify
from asr.types import SAMPLE_RATE
from asr.whisper_engine import simplified

pytestmark = pytest.mark.slow

MANDARIN = Path(__file__).resolve().parents[1] / "data" / "mandarin"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Assemble Whisper base into a fresh models dir with every network connection refused."""
    root = tmp_path_factory.mktemp("models")
    mp = pytest.MonkeyPatch()

    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    mp.setattr(socket.socket, "connect", no_network)
    mp.setattr(socket, "create_connection", no_network)
    try:
        path = ensure_whisper_base(root)
        recognizer = make_recognizer("whisper", models_dir=root, cpu_threads=2)
    finally:
        mp.undo()
    assert path == root / "whisper-base"
    return root, recognizer


@pytest.fixture(scope="module")
def models_dir(setup) -> Path:
    return setup[0]


@pytest.fixture(scope="module")
def recognizer(setup):
    return setup[1]


def test_assembled_offline_and_verified(models_dir):
    row = verify("whisper-base", models_dir)
    assert row.note == "verified" and row.size > 145_000_000
    assert not [p for p in (models_dir / "whisper-base").iterdir() if ".tmp-" in p.name]


def test_transcribes_a_real_mandarin_clip(recognizer):
    audio = read_audio(MANDARIN / "IT0011W0001.flac")
    finals = transcribe_channel(recognizer, audio.channels[0], "caller")
    text = "".join(u.text for u in finals)
    assert cer("换一首歌", text).cer <= 0.3, text
    assert simplified(text, "zh") == text  # agents read simplified characters
    assert all(0.0 <= u.start < u.end <= audio.duration + 0.05 for u in finals)


def test_streaming_gives_partials_then_a_final(recognizer):
    audio = read_audio(MANDARIN / "BAC009S0764W0121.flac")
    samples = audio.channels[0]
    session = recognizer.open_session("agent", start=10.0, partial_budget=0)  # a partial every 1 s of audio
    events = []
    step = SAMPLE_RATE // 10
    for i in range(0, len(samples), step):
        events.extend(session.accept(samples[i : i + step].astype("<i2").tobytes()))
    events.extend(session.finish())
    kinds = ["F" if u.final else "p" for u in events]
    assert kinds[0] == "p" and kinds[-1] == "F", kinds
    assert kinds.count("F") == 1
    final = events[-1]
    assert cer("甚至出现交易几乎停滞的情况", final.text).cer <= 0.3, final.text
    assert all(u.speaker == "agent" for u in events)
    assert 10.0 <= final.start < final.end <= 10.0 + audio.duration + 0.05
    partials = [u for u in events if not u.final]
    assert all(10.0 <= p.start < p.end for p in partials)
    assert [p.end for p in partials] == sorted(p.end for p in partials)  # partials grow


def test_partials_back_off_when_they_cost_more_than_their_budget(recognizer):
    """A partial decode that costs more than half the audio it covers stretches the interval, so a slow CPU
    spends its time on finals; the measured cost is the recognizer's, shared by its sessions."""
    audio = read_audio(MANDARIN / "BAC009S0764W0121.flac")
    samples = audio.channels[0]
    cfg = recognizer.config
    assert cfg.partial_interval == 1.0 and cfg.partial_budget == 0.5

    def stream(session):
        out = []
        for i in range(0, len(samples), SAMPLE_RATE // 10):
            out.extend(session.accept(samples[i : i + SAMPLE_RATE // 10].astype("<i2").tobytes()))
        return out + session.finish()

    saved = recognizer.partial_cost
    try:
        recognizer.partial_cost = 0.1  # a fast CPU: the configured interval holds
        assert recognizer.partial_gap(cfg) == 1.0
        recognizer.partial_cost = audio.duration  # one partial costs as long as the whole clip lasts
        assert recognizer.partial_gap(cfg) == pytest.approx(2 * audio.duration)
        events = stream(recognizer.open_session("agent"))
        assert [u.final for u in events] == [True], [(u.final, u.text) for u in events]
        assert cer("甚至出现交易几乎停滞的情况", events[0].text).cer <= 0.3, events[0].text
        recognizer.partial_cost = 0.0  # nothing measured yet: the first live session measures it
        session = recognizer.open_session("agent")
        assert recognizer.partial_cost > 0
        assert session.recognizer.partial_gap(cfg) == max(1.0, 2 * recognizer.partial_cost)
        events = stream(session)
        assert events[-1].final and sum(u.final for u in events) == 1
    finally:
        recognizer.partial_cost = saved


def test_a_live_utterance_is_decoded_on_a_short_window(recognizer):
    """Live finals encode the utterance plus ``window_pad`` s of silence, not a 30 s window: the same text
    as the full window; an utterance too long for the padding goes to the full window. An utterance decoded
    alone (nothing carried) is decoded on file mode's window instead (``alone_as_file``)."""
    from dataclasses import replace

    audio = read_audio(MANDARIN / "BAC009S0764W0121.flac").channels[0].astype("float32") / 32768
    cfg = recognizer.config
    assert cfg.window_pad == 3.0
    short = recognizer._decode_short_window(audio, beam_size=5, config=cfg)
    assert short is not None
    text, conf = short
    assert cer("甚至出现交易几乎停滞的情况", text).cer <= 0.1, text
    assert 0.3 < conf <= 1.0
    assert recognizer.decode(audio, beam_size=5, config=replace(cfg, alone_as_file=0.0)) == short
    assert len(audio) / 16000 > cfg.alone_as_file  # 4.2 s: over the default, the short window too
    assert recognizer.decode(audio, beam_size=5, config=cfg) == short
    # a final of an utterance decoded alone (up to ``alone_as_file`` s) gets file mode's window and timestamp mode
    as_file = recognizer.decode(audio, beam_size=5, config=replace(cfg, alone_as_file=8.0))
    assert as_file != short and cer("甚至出现交易几乎停滞的情况", as_file[0]).cer <= 0.1, as_file
    full_text, _ = recognizer.decode(audio, beam_size=5, config=replace(cfg, window_pad=0.0))
    assert cer(full_text, text).cer <= 0.1, (full_text, text)
    long = np.tile(audio, 7)  # 29 s: no room for 3 s of silence in a 30 s window
    assert recognizer._decode_short_window(long, beam_size=1, config=cfg) is None


def test_repeats_itself_finds_an_utterance_said_twice():
    from asr.whisper_engine import repeats_itself

    assert repeats_itself("我有的时候说的清楚你们知道吗我有的时候说的清楚你们知道吗")
    assert repeats_itself("那才有可能的职业可能的职业首先")
    assert not repeats_itself("喂喂,你好你好,好的好的")  # short repeats are speech
    assert not repeats_itself("甚至出现交易几乎停滞的情况")
    assert not repeats_itself("")


def test_collapse_repeats_keeps_one_copy():
    from asr.whisper_engine import collapse_repeats

    assert collapse_repeats("我会给你当场的一个人,我会给你当场的一个人,我会给你当场的一个人首先咱们") == \
        "我会给你当场的一个人首先咱们"
    assert collapse_repeats("好的好的,我帮您查一下。") == "好的好的,我帮您查一下。"
    assert collapse_repeats("ABCDABCD.") == "ABCD."


def test_a_live_utterance_at_8khz_is_not_said_twice(recognizer):
    """The NET clip through the telephone band: on a short window Whisper base has said it twice (AMD EPYC
    host, 2026-11-29); a decode that repeats itself keeps one copy."""
    from asr.whisper_engine import repeats_itself
    from benchmarks.asr import stream, telephone

    clip = read_audio(MANDARIN / "TEST_NET_Y0000000000_-KTKHdZ2fb8_S00000.flac").channels[0]
    utterances, _cost, _latencies = stream(recognizer, telephone(clip))
    text = "".join(u.text for u in utterances)
    assert text and not repeats_itself(text), text
    assert cer("我有的时候说不清楚你们知道吗", text).cer <= 0.4, text


def test_offline_transcribe_whole_channel(recognizer):
    """File mode (recorded calls): the whole channel in one call, times offset by ``start``."""
    audio = read_audio(MANDARIN / "wenet__NST_toy_ID001_nihao.flac")
    finals = recognizer.transcribe(audio.channels[0], "caller", start=5.0)
    assert finals and all(u.final and u.speaker == "caller" for u in finals)
    assert cer("你好你好", "".join(u.text for u in finals)).cer <= 0.25, finals
    assert all(5.0 <= u.start < u.end <= 5.0 + audio.duration + 0.05 for u in finals)
    assert recognizer.transcribe(audio.channels[0][:0], "caller") == []


def test_chinese_leaves_the_engine_in_simplified_characters():
    assert simplified("我要舉報執行局的一個工作人員，電話號碼", "zh") == "我要举报执行局的一个工作人员，电话号码"
    assert simplified("Bonjour", "fr") == "Bonjour" and simplified("", "zh") == ""


def test_split_at_pauses_moves_an_early_timed_first_syllable_to_its_utterance():
    from faster_whisper.transcribe import Word

    from asr.whisper_engine import _split_at_pauses

    def W(word, start, end):  # noqa: N802 - reads like the constructor it wraps
        return Word(start=start, end=end, word=word, probability=1.0)

    words = [W(word="您好", start=0.0, end=0.5), W(word="。", start=0.5, end=0.6), W(word="帮助您。", start=0.6, end=1.0),
             W(word="甚", start=1.0, end=1.1),  # timed before the pause, but it begins the next sentence
             W(word="至", start=3.0, end=3.2), W(word="调解。", start=3.2, end=3.6),
             W(word="说过了", start=6.0, end=6.5)]  # no sentence end before this pause: nothing moves
    split = _split_at_pauses(words, 0.8)
    assert ["".join(x.word for x in g) for g in split] == ["您好。帮助您。", "甚至调解。", "说过了"]
    assert split[1][0].start == pytest.approx(2.9) and split[1][0].end == pytest.approx(3.0)  # re-timed: just before 至
    # without a pause nothing is split, whatever the punctuation
    assert len(_split_at_pauses(words[:4], 5.0)) == 1


ENCODE_TWICE = """
import resource, sys
import numpy as np
from pathlib import Path
from asr.whisper_engine import load_whisper_model
from faster_whisper.audio import pad_or_trim
model = load_whisper_model(model_path=Path(sys.argv[1]), cpu_threads=1)
features = pad_or_trim(model.feature_extractor(np.zeros(16000, dtype=np.float32)))
model.encode(features)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
model.encode(features)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def test_a_second_encoder_pass_reuses_the_first_ones_memory(models_dir):
    """Without asr.memory's settings every 30 s encoder pass faulted in ~105 000 fresh pages (the kernel
    zeroes each one: about half of a pass's CPU time on the project's VM); with them, almost none."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", ENCODE_TWICE, str(models_dir / "whisper-base")], cwd=root,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    faults = int(out.stdout.split()[-1])
    assert faults < 20_000, f"{faults} minor page faults in the second encoder pass"


def test_keep_freed_memory_is_in_force_on_linux():
    import sys

    from asr.memory import keep_freed_memory

    assert keep_freed_memory() is sys.platform.startswith("linux")


def test_a_decode_that_broke_down_is_a_runaway():
    """FX-12's greeting with the opening as context once decoded as 「为南行法院新疆ＧＧＧＧＧＧ�」: the short-window
    decode treats a replacement character or one symbol four times running as a runaway (redone on the full
    window); repeated Han characters and digits are speech (好好好好, 8888)."""
    from asr.whisper_engine import _degenerate

    assert _degenerate("为南行法院新疆ＧＧＧＧＧＧ\ufffd")
    assert _degenerate("请讲????")
    assert _degenerate("你好\ufffd")
    assert not _degenerate("好好好好，我知道了")
    assert not _degenerate("尾号8888")
    assert not _degenerate("喂南浔法院请讲？")


def test_a_file_form_decode_that_broke_down_is_retried_on_the_short_window_before_the_full_one(recognizer,
                                                                                               monkeypatch):
    """An utterance decoded alone gets file mode's window (timestamp mode). When that breaks down (as the
    first 「您好」 of unseen calls did with the opening as context: 「您好ＧＧＧＧＧＧＧＧ�」) the short window
    without timestamps is tried next; the full window, whose temperature fallback costs seconds of CPU, only
    when that breaks down too. The breakdown is injected; both decodes that follow are the real model's."""
    from dataclasses import replace

    audio = read_audio(MANDARIN / "BAC009S0764W0121.flac").channels[0].astype("float32") / 32768
    cfg = replace(recognizer.config, alone_as_file=8.0)  # the clip is 4.2 s; the default decodes alone up to 4 s
    real_short = recognizer._decode_short_window
    real_transcribe = recognizer.model.transcribe
    calls: list[str] = []

    def short(audio, *, final=False, **kw):
        calls.append("file form" if final else "short")
        return None if final else real_short(audio, final=final, **kw)

    def transcribe(*args, **kw):
        calls.append("full")
        return real_transcribe(*args, **kw)

    monkeypatch.setattr(recognizer, "_decode_short_window", short)
    monkeypatch.setattr(recognizer.model, "transcribe", transcribe)
    text, conf = recognizer.decode(audio, beam_size=5, config=cfg)
    assert calls == ["file form", "short"]
    assert (text, conf) == real_short(audio, beam_size=5, config=cfg, prompt=cfg.initial_prompt or None)
    assert cer("甚至出现交易几乎停滞的情况", text).cer <= 0.1, text

    calls.clear()  # both short-window forms broke down: the full window
    monkeypatch.setattr(recognizer, "_decode_short_window", lambda audio, *, final=False, **kw:
                        calls.append("file form" if final else "short"))
    text, _ = recognizer.decode(audio, beam_size=5, config=cfg)
    assert calls == ["file form", "short", "full"]
    assert cer("甚至出现交易几乎停滞的情况", text).cer <= 0.1, text
