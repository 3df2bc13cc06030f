"""The screens build their calls through copilot.session's factory: a recording and a WAV-backed device on the
live screen, a recording on the replay screen (Pilot, real pipeline; the scripted recognizer stands in for the
ASR model inside the factory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import text_of, wait_for

import copilot.session.factory as factory
from asr.wavdevice import WavSoundDevice
from copilot.session.source import SourceSpec
from copilot.session.testing import ScriptedRecognizer
from tui.app import make_app
from tui.config import TuiConfig

pytestmark = pytest.mark.anyio
CFG = TuiConfig(freeze_clock=True, retry_seconds=0.3)
REPO = Path(__file__).resolve().parents[2]
DEV_003 = REPO / "tests" / "data" / "dev" / "audio" / "DEV-003-8s.flac"
SCRIPT = [("agent", 0.4, 2.4, "喂，你找谁？"), ("caller", 2.8, 5.0, "我想查一下我的案子开庭时间。"),
          ("agent", 5.4, 7.6, "这个不归我们管。")]


@pytest.fixture
def built(monkeypatch):
    """(kind, recognizer) of every pipeline the factory builds; its model is the scripted recognizer."""
    rec = ScriptedRecognizer(SCRIPT)
    monkeypatch.setattr(factory, "shared_recognizer", lambda engine="auto": rec)
    out: list[str] = []
    real = factory.make_pipeline

    def spy(spec, **kw):
        out.append(spec.kind)
        return real(spec, **kw)

    monkeypatch.setattr(factory, "make_pipeline", spy)
    return out


@pytest.mark.parametrize("kind", ["audio", "device"])
async def test_live_screen_on_a_recording_and_a_wav_backed_device(built, kind):
    spec = (SourceSpec(kind="audio", path=str(DEV_003), pace="whole") if kind == "audio" else
            SourceSpec(kind="device", device=0, backend=WavSoundDevice({0: DEV_003}), call_id="LIVE-T"))
    app = make_app("live", source=spec, config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        # a device whose recording has run out is a device that stopped delivering audio: the call is cut off
        state = "通话已结束" if kind == "audio" else "通话中断"
        await wait_for(pilot, lambda: state in text_of(scr.query_one("#status")), what="end of call")
        assert [x.split(" ", 2)[2] for x in scr.query_one("#transcript").texts[-3:]] == [t for _, _, _, t in SCRIPT]
        assert "banned_phrase" in [f.code for f in scr.query_one("#flags").flags]
    assert built == [kind]


async def test_replay_screen_on_a_recording(built):
    app = make_app("replay", source=SourceSpec(kind="audio", path=str(DEV_003), pace="whole"), config=CFG)
    async with app.run_test(size=(140, 44)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: len(scr.turns) == 3 and scr.result is not None, what="replayed call")
        assert [t["text"] for t in scr.turns] == [t for _, _, _, t in SCRIPT]
    assert built == ["audio"]
