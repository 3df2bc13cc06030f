"""`copilot serve --store-audio DIR`: each call's audio kept as a stereo WAV (agent on channel 0) for the
inspector's replay, older files deleted after the retention period; off by default."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import soundfile

from copilot.server import client
from copilot.server.config import ServerError, load_config
from copilot.server.recordings import purge
from copilot.store import load_call
from tests.server.conftest import TEL, TOKENS, fixture, run, running

pytestmark = pytest.mark.slow


def test_call_audio_is_kept_when_asked_and_the_replay_can_play_it(tmp_path, recognizer):
    audio_dir = tmp_path / "audio"
    src = fixture("FX-07")

    async def body():
        async with running(tmp_path, recognizer, audio_dir=str(audio_dir)) as srv:
            await client.stream_file(srv.url, "CALL-AUD", src, TEL, pace="whole", seconds=6)
            return srv

    srv = run(body())
    stored = load_call(srv.db, "CALL-AUD")["call"]
    kept = audio_dir / "CALL-AUD.wav"
    assert stored["audio_path"] == str(kept) and kept.is_file()
    got, rate = soundfile.read(str(kept), dtype="int16", always_2d=True)
    sent, sent_rate = soundfile.read(str(src), dtype="int16", always_2d=True)
    assert rate == sent_rate and got.shape[1] == 2
    assert np.array_equal(got, sent[:len(got)]) and len(got) == int(6 * rate)


def test_audio_is_not_kept_by_default(tmp_path, recognizer):
    async def body():
        async with running(tmp_path, recognizer) as srv:
            await client.stream_file(srv.url, "CALL-NO", fixture("FX-07"), TEL, pace="whole", seconds=2)
            return srv

    srv = run(body())
    assert load_call(srv.db, "CALL-NO")["call"]["audio_path"] is None
    assert not list(tmp_path.rglob("*.wav"))


def test_retention_deletes_only_old_recordings(tmp_path):
    old, new = tmp_path / "old.wav", tmp_path / "new.wav"
    for f in (old, new):
        f.write_bytes(b"RIFF")
    ten_days = time.time() - 10 * 86400
    os.utime(old, (ten_days, ten_days))
    assert purge(tmp_path, 7) == [old]
    assert new.exists() and not old.exists()
    with pytest.raises(ServerError, match="audio_retention_days"):
        load_config(tokens=dict(TOKENS), audio_retention_days=0)
