"""`copilot demo`: a fixture's audio through Whisper base and the whole pipeline, in the live screen.

The silent-call fixture (26 s, three agent utterances) keeps the Whisper work small enough for CI: on
this project's 2-core CI machine one Whisper base decode costs several CPU-seconds.
"""

from __future__ import annotations

import argparse

import pytest
from tui_helpers import text_of, wait_for

from copilot.commands.app import demo_app
from copilot.events import Acoustic, Suggestion, UtteranceEvent
from copilot.store import load_call
from tui.config import TuiConfig
from tui.messages import CallEvent

pytestmark = [pytest.mark.heavy, pytest.mark.slow, pytest.mark.anyio]


async def test_demo_on_real_audio_silent_call(store, messages):
    args = argparse.Namespace(call="FX-08-silent-call", pace="fast", speed=20.0, engine="whisper", out=None)
    app = demo_app(args, store, TuiConfig(freeze_clock=True))
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.saved, timeout=600, what="demo call saved")
        events = [m.event for m in messages if isinstance(m, CallEvent)]
        finals = [e for e in events if isinstance(e, UtteranceEvent) and e.final]
        assert scr.call_id == "FX-08"
        assert len(finals) >= 2 and all(e.speaker == "agent" for e in finals)
        assert any("12368" in e.text for e in finals)  # the greeting, recognised from the audio
        assert any(isinstance(e, Acoustic) and e.kind == "silence" and e.speaker == "caller" for e in events)
        assert any(isinstance(e, Suggestion) and e.kind == "greeting" for e in events)
        assert any(isinstance(e, Suggestion) and e.kind == "script" for e in events)  # the silent-call script
        assert "通话已结束" in text_of(scr.query_one("#status"))
        call = load_call(store, "FX-08")
        assert call["record"] is not None and len(call["utterances"]) == len(finals)
