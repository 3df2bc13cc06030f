"""Reading, validating and resampling audio files (asr.audio) on generated and real recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asr.audio import (
    AUDIO_EXTENSIONS,
    SUPPORTED_RATES,
    DecodedAudio,
    StreamResampler,
    array_to_pcm,
    pcm_to_array,
    read_audio,
    to_16k,
)
from asr.errors import AsrError, AudioError

DATA = Path(__file__).resolve().parents[1] / "data"
DEV_AUDIO = DATA / "dev" / "audio"
MANDARIN = DATA / "mandarin"


def tone(freq: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(x: np.ndarray, rate: int = 16000) -> float:
    spec = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spec))])


@pytest.mark.parametrize("fmt", ["WAV", "FLAC"])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_files_come_out_as_16k_channels(tmp_path, rate, channels, fmt):
    seconds = 1.5
    data = np.stack([tone(440, seconds, rate), tone(1000, seconds, rate)], axis=1)[:, :channels]
    path = tmp_path / f"a.{fmt.lower()}"
    sf.write(path, data, rate, format=fmt, subtype="PCM_16")

    audio = read_audio(path)

    assert isinstance(audio, DecodedAudio)
    assert audio.source_rate == rate and audio.source_channels == channels
    assert audio.duration == pytest.approx(seconds, abs=1e-3)
    assert len(audio.channels) == channels
    for ch, freq in zip(audio.channels, (440, 1000), strict=False):
        assert ch.dtype == np.int16 and ch.ndim == 1
        assert abs(len(ch) - seconds * 16000) <= 2
        assert peak_hz(ch) == pytest.approx(freq, abs=2)  # channel order kept, pitch right
        rms = np.sqrt(np.mean((ch[1000:-1000] / 32768.0) ** 2))
        assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.03)  # level kept through resampling


def test_16k_mono_passes_through_unchanged(tmp_path):
    samples = (np.random.default_rng(0).normal(0, 3000, 16000)).astype(np.int16)
    sf.write(tmp_path / "x.wav", samples, 16000, subtype="PCM_16")
    audio = read_audio(tmp_path / "x.wav")
    np.testing.assert_array_equal(audio.channels[0], samples)


def test_real_8k_stereo_call_recording():
    path = DEV_AUDIO / "DEV-001-hold.flac"  # the caller's last words, then the agent's
    info = sf.info(str(path))
    audio = read_audio(path)
    assert (audio.source_rate, audio.source_channels) == (8000, 2)
    assert audio.duration == pytest.approx(info.frames / 8000)
    assert [len(c) for c in audio.channels] == [len(audio.channels[0])] * 2
    assert abs(len(audio.channels[0]) - 2 * info.frames) <= 2
    assert all(np.abs(c).max() > 1000 for c in audio.channels)  # both speakers are audible


def test_real_48k_mandarin_clip():
    audio = read_audio(MANDARIN / "wenet__NST_toy_ID001_nihao.flac")
    assert audio.source_rate == 48000
    assert abs(len(audio.channels[0]) / 16000 - audio.duration) < 1e-3


# ------------------------------------------------------------------------------------------ bad input


def _wav_bytes(tmp_path: Path, seconds: float = 1.0, rate: int = 16000) -> bytes:
    sf.write(tmp_path / "good.wav", tone(300, seconds, rate), rate, subtype="PCM_16")
    return (tmp_path / "good.wav").read_bytes()


def _expect(path: Path, *fragments: str) -> AudioError:
    with pytest.raises(AudioError) as info:
        read_audio(path)
    err = info.value
    assert isinstance(err, AsrError)
    assert err.where == str(path)
    for frag in fragments:
        assert frag in err.message, err.message
    return err


def test_missing_file(tmp_path):
    _expect(tmp_path / "nope.wav", "file not found")


def test_truncated_wav(tmp_path):
    good = _wav_bytes(tmp_path)
    (tmp_path / "cut.wav").write_bytes(good[: len(good) // 2])
    _expect(tmp_path / "cut.wav", "truncated WAV", "cut short")


def test_header_only_wav(tmp_path):
    (tmp_path / "hdr.wav").write_bytes(_wav_bytes(tmp_path)[:30])
    _expect(tmp_path / "hdr.wav", "truncated or corrupt")


def test_corrupt_wav_format_chunk(tmp_path):
    good = bytearray(_wav_bytes(tmp_path))
    good[20:36] = b"\xff" * 16  # garbage fmt chunk (format tag, channels, rate ...)
    (tmp_path / "bad.wav").write_bytes(bytes(good))
    _expect(tmp_path / "bad.wav", "corrupt")


def _peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.fft.rfftfreq(samples.size, 1 / 16000)[int(np.argmax(spectrum))])


@pytest.mark.parametrize(("ext", "fmt", "subtype"), [(".ogg", "OGG", "VORBIS"), (".mp3", "MP3", "MPEG_LAYER_III")])
def test_ogg_and_mp3_are_read_when_libsndfile_decodes_them(tmp_path, ext, fmt, subtype):
    """The installed libsndfile (1.2 here) decodes Ogg Vorbis and MP3: a real file of each, written with
    soundfile, is read at 16 kHz with its length and pitch."""
    assert fmt in sf.available_formats(), f"this libsndfile ({sf.__libsndfile_version__}) lacks {fmt}"
    assert ext in AUDIO_EXTENSIONS
    path = tmp_path / f"call{ext}"
    sf.write(path, tone(440, 1.0, 22050), 22050, format=fmt, subtype=subtype)
    audio = read_audio(path)
    assert audio.source_rate == 22050 and len(audio.channels) == 1
    assert abs(audio.duration - 1.0) < 0.1  # MP3 adds a little encoder padding
    assert abs(_peak_hz(audio.channels[0]) - 440) < 5


def test_the_content_decides_the_format(tmp_path):
    sf.write(tmp_path / "real.mp3", tone(440, 1.0, 16000), 16000, format="MP3", subtype="MPEG_LAYER_III")
    (tmp_path / "call.wav").write_bytes((tmp_path / "real.mp3").read_bytes())
    assert abs(_peak_hz(read_audio(tmp_path / "call.wav").channels[0]) - 440) < 5


def test_other_formats_named(tmp_path):
    sf.write(tmp_path / "x.aiff", tone(440, 0.5, 16000), 16000, format="AIFF", subtype="PCM_16")
    _expect(tmp_path / "x.aiff", "not a WAV/FLAC/Ogg/MP3 file; looks like AIFF")
    (tmp_path / "text.wav").write_text("hello, this is not audio")
    _expect(tmp_path / "text.wav", "not a WAV/FLAC/Ogg/MP3 file; looks like unknown data")


def test_zero_length_audio(tmp_path):
    sf.write(tmp_path / "zero.wav", np.zeros(0, dtype=np.int16), 16000, subtype="PCM_16")
    _expect(tmp_path / "zero.wav", "zero-length audio")
    (tmp_path / "empty.flac").write_bytes(b"")
    _expect(tmp_path / "empty.flac", "zero-length audio", "0 bytes")


def test_three_channels(tmp_path):
    sf.write(tmp_path / "3ch.wav", np.zeros((1600, 3), dtype=np.int16), 16000, subtype="PCM_16")
    _expect(tmp_path / "3ch.wav", "3 channels; expected mono or stereo")


@pytest.mark.parametrize("rate", [12345, 96000, 6000])
def test_unsupported_rate(tmp_path, rate):
    sf.write(tmp_path / "odd.wav", tone(300, 0.5, rate), rate, subtype="PCM_16")
    err = _expect(tmp_path / "odd.wav", f"unsupported sample rate {rate} Hz; expected one of")
    assert all(str(r) in err.message for r in SUPPORTED_RATES)


def test_directory(tmp_path):
    _expect(tmp_path, "is a directory")


# ------------------------------------------------------------------------------------------ conversions


def test_to_16k_float_and_int16():
    x = tone(500, 1.0, 8000)
    y = to_16k(x, 8000)
    assert y.dtype == np.int16 and len(y) == 16000 and peak_hz(y) == pytest.approx(500, abs=2)
    z = to_16k((x * 32767).astype(np.int16), 8000)
    assert np.max(np.abs(z.astype(int) - y.astype(int))) < 64
    with pytest.raises(AudioError):
        to_16k(np.zeros((10, 2), np.float32), 8000)
    with pytest.raises(AudioError):
        to_16k(x, 0)


def test_stream_resampler_matches_whole_file():
    x = tone(700, 2.0, 8000)
    stream = StreamResampler(8000)
    parts = [stream.process(x[i : i + 160]) for i in range(0, len(x), 160)]
    parts.append(stream.process(np.zeros(0, np.float32), last=True))
    out = np.concatenate(parts)
    assert abs(len(out) - 32000) <= 2
    whole = to_16k(x, 8000)
    n = min(len(out), len(whole))
    assert np.max(np.abs(out[2000 : n - 2000].astype(int) - whole[2000 : n - 2000].astype(int))) < 200


def test_pcm_round_trip_and_odd_length():
    x = np.array([0, 1, -1, 32767, -32768], dtype=np.int16)
    np.testing.assert_array_equal(pcm_to_array(array_to_pcm(x)), x)
    with pytest.raises(AudioError, match="odd number of bytes"):
        pcm_to_array(b"\x00\x01\x02")
