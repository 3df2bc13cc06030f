"""Keep each call's audio (``copilot serve --store-audio DIR``; off by default) so inspectors can listen.

The wire frames (16-bit PCM, interleaved) are written as they arrive to ``DIR/<call_id>.wav``, always as
stereo with the agent on channel 0 and the caller on channel 1 (a mono stream goes to its speaker's
channel), so a replay needs no stream settings. When the call ends the file's path is stored on the call
(``calls.audio_path``). Files older than the retention period are deleted when the server starts and
once a day while it runs.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


class CallRecorder:
    """Writes one call's frames to a WAV file (from the call's worker thread only)."""

    def __init__(self, folder: str | Path, call_id: str, *, sample_rate: int, channels: int, agent_channel: int = 0,
                 speaker: str = "caller") -> None:
        import soundfile

        d = Path(folder)
        d.mkdir(parents=True, exist_ok=True)
        self.path = d / f"{SAFE_ID.sub('_', call_id).lstrip('.') or 'call'}.wav"
        self.channels, self.agent_channel, self.speaker = channels, agent_channel, speaker
        self._rest = b""
        self._file = soundfile.SoundFile(str(self.path), "w", samplerate=sample_rate, channels=2, subtype="PCM_16")

    def write(self, frame: bytes) -> None:
        data = self._rest + frame
        step = 2 * self.channels
        usable = len(data) - len(data) % step
        self._rest = data[usable:]
        pcm = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, self.channels)
        if self.channels == 1:
            silent = np.zeros_like(pcm[:, 0])
            out = np.stack([pcm[:, 0], silent] if self.speaker == "agent" else [silent, pcm[:, 0]], axis=1)
        else:
            out = np.stack([pcm[:, self.agent_channel], pcm[:, 1 - self.agent_channel]], axis=1)
        self._file.write(out)

    def close(self) -> Path:
        if not self._file.closed:
            self._file.close()
        return self.path


def open_recorder(folder: str | Path | None, call_id: str, cfg: Any) -> CallRecorder | None:
    """A recorder for the call, or None when audio is not stored (or cannot be: logged, the call goes on)."""
    if not folder:
        return None
    try:
        return CallRecorder(folder, call_id, sample_rate=cfg.sample_rate, channels=cfg.channels,
                            agent_channel=cfg.agent_channel, speaker=cfg.speaker)
    except Exception as exc:  # noqa: BLE001 - a full disk must not refuse the call
        log.error("cannot store the audio of %s: %s", call_id, exc)
        return None


def purge(folder: str | Path | None, retention_days: float, *, now: float | None = None) -> list[Path]:
    """Delete stored call audio older than ``retention_days``; returns the deleted files."""
    if not folder or not Path(folder).is_dir():
        return []
    limit = (now or time.time()) - retention_days * 86400
    gone = []
    for f in Path(folder).glob("*.wav"):
        try:
            if f.stat().st_mtime < limit:
                f.unlink()
                gone.append(f)
        except OSError as exc:
            log.warning("cannot delete %s: %s", f, exc)
    if gone:
        log.info("deleted %d call recording(s) older than %g days", len(gone), retention_days)
    return gone
