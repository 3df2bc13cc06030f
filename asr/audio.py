"""Audio at ingress: read recordings, validate them, and convert every channel to 16 kHz int16.

Everything downstream (engines, monitor) sees mono signed 16-bit samples at :data:`asr.types.SAMPLE_RATE`.
Files are decoded with soundfile (libsndfile) and resampled with soxr (quality ``HQ``). The formats read are
those of :data:`FORMATS` that the installed libsndfile decodes (:data:`AUDIO_EXTENSIONS`): WAV and FLAC always,
Ogg (Vorbis/Opus) and MP3 (libsndfile ≥ 1.1) when it was built with them.
"""

from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
import soxr

from asr.errors import AudioError
from asr.types import SAMPLE_RATE

log = logging.getLogger(__name__)

SUPPORTED_RATES: tuple[int, ...] = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)
"""Hertz: the source sample rates a recording may have."""

RESAMPLE_QUALITY = "HQ"
"""soxr quality recipe used for every conversion to 16 kHz."""


@dataclass(frozen=True)
class DecodedAudio:
    """A recording decoded at ingress: one int16 16 kHz mono array per channel."""

    channels: tuple[np.ndarray, ...]
    """int16 mono arrays at 16 kHz, one per channel (channel 0 = agent, 1 = caller for stereo calls)."""
    source_rate: int
    """Hertz: the sample rate stored in the file."""
    source_channels: int
    """Number of channels stored in the file."""
    duration: float
    """Seconds of audio in the file."""
    path: str
    """The file it came from."""


# ---------------------------------------------------------------------------------------------- formats

FORMATS: dict[str, str] = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".mp3": "MP3"}
"""File extension → libsndfile major format, for every recording format the project accepts."""
_NAMES = {"WAV": "WAV", "FLAC": "FLAC", "OGG": "Ogg", "MP3": "MP3"}


def _readable() -> tuple[str, ...]:
    available = set(soundfile.available_formats())
    return tuple(ext for ext, fmt in FORMATS.items() if fmt in available)


AUDIO_EXTENSIONS: tuple[str, ...] = _readable()
"""The recording extensions this installation reads (lower case, with the dot): :data:`FORMATS` whose format
the installed libsndfile decodes."""
READABLE: frozenset[str] = frozenset(FORMATS[e] for e in AUDIO_EXTENSIONS)
"""libsndfile major formats read (``WAV``, ``FLAC`` and, when built in, ``OGG``, ``MP3``)."""


def formats_text() -> str:
    """The readable formats for a message: ``WAV/FLAC/Ogg/MP3``."""
    return "/".join(_NAMES[FORMATS[e]] for e in AUDIO_EXTENSIONS)


# ---------------------------------------------------------------------------------------------- sniffing


def _container(head: bytes) -> str:
    """Name the container of a file from its first bytes: a :data:`FORMATS` value, else a description."""
    if head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    if head[:4] == b"OggS":
        return "OGG"
    if head[4:8] == b"ftyp":
        return "MP4/M4A"
    if head[:4] == b"FORM":
        return "AIFF"
    if head[:4] in (b"RIFF", b"RIFX", b"RF64"):
        return f"a RIFF file of type {head[8:12]!r}, not WAVE"
    return f"unknown data (first bytes {head[:8].hex(' ')})"


def _check_wav_chunks(path: str, size: int) -> None:
    """Walk a RIFF/WAVE file's chunks; raise AudioError when the data chunk is cut short."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if head[:4] != b"RIFF":  # RIFX/RF64: leave to libsndfile
            return
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
            if chunk_id == b"data":
                available = size - pos - 8
                if chunk_size not in (0, 0xFFFFFFFF) and available < chunk_size:
                    raise AudioError(
                        f"truncated WAV: header declares {chunk_size} bytes of audio but the file holds "
                        f"{available}; the recording was cut short",
                        where=path,
                    )
                return
            pos += 8 + chunk_size + (chunk_size & 1)
    raise AudioError("truncated or corrupt WAV: no 'data' chunk found", where=path)


# ---------------------------------------------------------------------------------------------- conversion


def to_float(samples: np.ndarray) -> np.ndarray:
    """int16 or float samples -> float32 in [-1, 1]."""
    arr = np.asarray(samples)
    if arr.dtype == np.int16:
        return arr.astype(np.float32) / 32768.0
    if np.issubdtype(arr.dtype, np.integer):
        raise AudioError(f"samples must be int16 or float, got {arr.dtype}")
    return arr.astype(np.float32, copy=False)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """float samples in [-1, 1] -> int16, clipping out-of-range values."""
    arr = np.asarray(samples)
    if arr.dtype == np.int16:
        return arr
    return np.clip(np.round(arr * 32768.0), -32768, 32767).astype(np.int16)


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Convert mono float/int16 samples at ``rate`` Hz to int16 at 16 kHz (soxr ``HQ``)."""
    arr = np.asarray(samples)
    if arr.ndim != 1:
        raise AudioError(f"to_16k takes mono samples (1-D), got shape {arr.shape}")
    if rate <= 0:
        raise AudioError(f"sample rate must be positive, got {rate} Hz")
    if rate == SAMPLE_RATE:
        return to_int16(arr).copy() if arr.dtype == np.int16 else to_int16(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int16)
    out = soxr.resample(to_float(arr), rate, SAMPLE_RATE, quality=RESAMPLE_QUALITY)
    return to_int16(out)


class StreamResampler:
    """Resample a live mono stream chunk by chunk to 16 kHz int16 without edge clicks."""

    def __init__(self, rate: int) -> None:
        if rate <= 0:
            raise AudioError(f"sample rate must be positive, got {rate} Hz")
        self.rate = rate
        """Hertz: the input rate."""
        self._stream = (
            None
            if rate == SAMPLE_RATE
            else soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32", quality=RESAMPLE_QUALITY)
        )

    def process(self, samples: np.ndarray, *, last: bool = False) -> np.ndarray:
        """Feed the next block (int16 or float); returns the int16 16 kHz samples ready so far."""
        if self._stream is None:
            return to_int16(np.asarray(samples))
        return to_int16(self._stream.resample_chunk(to_float(samples), last=last))


def pcm_to_array(pcm: bytes) -> np.ndarray:
    """Little-endian signed 16-bit PCM bytes -> int16 array."""
    if len(pcm) % 2:
        raise AudioError(f"PCM has an odd number of bytes ({len(pcm)}); expected 16-bit samples")
    return np.frombuffer(pcm, dtype="<i2").astype(np.int16, copy=False)


def array_to_pcm(samples: np.ndarray) -> bytes:
    """int16 (or float) samples -> little-endian signed 16-bit PCM bytes."""
    return to_int16(np.asarray(samples)).astype("<i2", copy=False).tobytes()


# ---------------------------------------------------------------------------------------------- files


def read_audio(path: str | os.PathLike[str], *, max_channels: int = 2) -> DecodedAudio:
    """Read a recording (:data:`AUDIO_EXTENSIONS`: WAV, FLAC, Ogg, MP3) and convert each channel to int16 mono
    at 16 kHz. The content decides the format (an MP3 named ``.wav`` is read as MP3).

    Raises :class:`asr.errors.AudioError` naming the file for a missing, empty, truncated or corrupt file,
    a file of another format, too many channels or an unsupported sample rate.
    """
    p = str(path)
    if not Path(p).exists():
        raise AudioError("file not found", where=p)
    if Path(p).is_dir():
        raise AudioError("is a directory, not an audio file", where=p)
    size = Path(p).stat().st_size
    if size == 0:
        raise AudioError("zero-length audio: the file is empty (0 bytes)", where=p)
    with open(p, "rb") as fh:
        head = fh.read(12)
    kind = _container(head)
    if kind not in READABLE:
        name = {"OGG": "Ogg (Vorbis/Opus)"}.get(kind, kind)
        raise AudioError(f"not a {formats_text()} file; looks like {name}", where=p)
    if kind == "WAV":
        _check_wav_chunks(p, size)
    try:
        info = soundfile.info(p)
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"truncated or corrupt audio file: {exc}", where=p) from exc
    if info.frames <= 0:
        raise AudioError("zero-length audio: the file holds no samples", where=p)
    if info.channels > max_channels:
        raise AudioError(
            f"{info.channels} channels; expected mono or stereo (channel 0 agent, channel 1 caller)"
            if max_channels == 2
            else f"{info.channels} channels; at most {max_channels} supported",
            where=p,
        )
    if info.samplerate not in SUPPORTED_RATES:
        rates = ", ".join(str(r) for r in SUPPORTED_RATES)
        raise AudioError(f"unsupported sample rate {info.samplerate} Hz; expected one of {rates}", where=p)
    try:
        data, rate = soundfile.read(p, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"truncated or corrupt audio file: {exc}", where=p) from exc
    if data.shape[0] == 0:
        raise AudioError("zero-length audio: the file holds no samples", where=p)
    channels = tuple(to_16k(np.ascontiguousarray(data[:, c]), rate) for c in range(data.shape[1]))
    log.debug("read %s: %d Hz, %d ch, %d frames", p, rate, data.shape[1], data.shape[0])
    return DecodedAudio(
        channels=channels,
        source_rate=int(rate),
        source_channels=int(data.shape[1]),
        duration=data.shape[0] / rate,
        path=p,
    )
