"""``follow`` (what ``copilot tui --connect`` reads): a refusal is final at once; a server that cannot be
reached is tried again a bounded number of times, each attempt announced to the agent, then the error."""

from __future__ import annotations

import asyncio
import socket

import pytest

from copilot.events import ErrorEvent
from copilot.server.client import follow
from copilot.server.config import ServerError
from tests.server.conftest import run, running


def test_a_wrong_token_is_not_tried_again(tmp_path, recognizer):
    async def body():
        async with running(tmp_path, recognizer) as srv:
            got = []
            with pytest.raises(ServerError) as err:
                async for ev in follow(srv.url, "C1", "no-such-token", backoff_s=0.01):
                    got.append(ev)
            return err.value, got

    err, got = run(body(), timeout=120)
    assert err.code == 401 and got == []


def test_an_unreachable_server_is_tried_again_then_reported():
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    got: list = []

    async def body():
        async for ev in follow(f"ws://127.0.0.1:{port}", "C1", "tok", retries=2, backoff_s=0.01):
            got.append(ev)

    with pytest.raises(ServerError) as err:
        asyncio.run(asyncio.wait_for(body(), 60))
    assert err.value.code is None and "cannot connect" in str(err.value)
    assert [type(e) for e in got] == [ErrorEvent, ErrorEvent]
    assert ["第 1 次" in got[0].message, "第 2 次" in got[1].message] == [True, True]
    assert all(e.where == "connect" and "正在重新连接" in e.message for e in got)
