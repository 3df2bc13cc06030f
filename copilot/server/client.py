"""Clients of the server: subscribe to a call's events, stream a recording as telephony would, list calls.

``url`` is the server's base URL (``ws://127.0.0.1:2700`` or ``wss://…``); the paths are added here.
A refused connection raises :class:`~copilot.server.config.ServerError` with the HTTP status or the
close code and the server's reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl as _ssl
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from asr.pacing import Pacer
from copilot.events import CallEnded, ErrorEvent, Event, event_from_dict
from copilot.server.config import OPEN_TIMEOUT_S, ServerError

log = logging.getLogger(__name__)

PACES = ("realtime", "fast", "whole")
"""The paces of :func:`stream_file` (the one pacer, :class:`asr.pacing.Pacer`)."""


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _connect(url: str, token: str, ssl: _ssl.SSLContext | None = None, **kwargs: Any):
    if url.startswith("wss://") and ssl is None:
        ssl = _ssl.create_default_context()
    kwargs.setdefault("open_timeout", OPEN_TIMEOUT_S)
    return connect(url, additional_headers=_headers(token), proxy=None, compression=None,
                   ssl=ssl if url.startswith("wss://") else None, **kwargs)


def _refused(exc: Exception, where: str) -> ServerError:
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
        return ServerError(f"refused with HTTP {status}: {body}".strip(), where=where, code=status)
    if isinstance(exc, ConnectionClosed):
        rcvd = exc.rcvd
        code = rcvd.code if rcvd else 1006
        return ServerError(f"closed with code {code}: {rcvd.reason if rcvd else 'no close frame'}",
                           where=where, code=code)
    return ServerError(f"cannot connect: {exc}", where=where)


async def subscribe(url: str, call_id: str, token: str, *, ssl: _ssl.SSLContext | None = None,
                    ) -> AsyncIterator[Event]:
    """Every event of ``call_id`` (the call so far first), ending with ``call_ended``.

    Raises ServerError when the server refuses or cuts the subscription (e.g. 4403 confidential call,
    4429 too slow).
    """
    where = f"{url}/calls/{call_id}/events"
    try:
        async with _connect(where, token, ssl) as ws:
            async for msg in ws:
                ev = event_from_dict(json.loads(msg))
                yield ev
                if isinstance(ev, CallEnded):
                    return
            if ws.close_code not in (1000, None):
                raise ServerError(f"closed with code {ws.close_code}: {ws.close_reason}", where=where,
                                  code=ws.close_code)
    except (InvalidHandshake, ConnectionClosed, OSError) as exc:
        raise _refused(exc, where) from exc


RESUBSCRIBE_CODES = (None, 1006, 1011, 4429)
"""Why a subscription may be tried again: no connection or handshake (None), dropped without a close frame
(1006), a server-side error (1011), cut off as too slow (4429). Refusals (HTTP 401/404, 4403 confidential)
and a server going away (1001: after a restart it no longer knows the call) are final."""


async def follow(url: str, call_id: str, token: str, *, ssl: _ssl.SSLContext | None = None, retries: int = 5,
                 backoff_s: float = 1.0) -> AsyncIterator[Event]:
    """Like :func:`subscribe`, but a lost subscription is made again (the agent's screen must not go blank).

    The server sends a new subscriber the call so far, in the order it sent it live, so the events already
    yielded are skipped by count. Before each new attempt an ``error`` event (where ``connect``) says so,
    in Chinese for the agent. After ``retries`` failed attempts in a row the last error is raised.
    """
    yielded, failures = 0, 0
    while True:
        seen = 0
        try:
            async for ev in subscribe(url, call_id, token, ssl=ssl):
                seen += 1
                if seen <= yielded:
                    continue  # resent history
                yielded, failures = yielded + 1, 0
                yield ev
            return
        except ServerError as exc:
            if exc.code not in RESUBSCRIBE_CODES or failures >= retries:
                raise
            failures += 1
            delay = backoff_s * 2 ** (failures - 1)
            log.warning("subscription to %s lost (%s); again in %.0f s (attempt %d of %d)", call_id, exc,
                        delay, failures, retries)
            yield ErrorEvent(t=0.0, message=f"与服务器的连接中断（{exc}），正在重新连接（第 {failures} 次）",
                             where="connect")
            await asyncio.sleep(delay)


def read_pcm(path: str | Path, seconds: float | None = None) -> tuple[np.ndarray, int]:
    """A recording's int16 samples (frames × channels) at its own rate, optionally only the first seconds."""
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="int16", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise ServerError(f"cannot read audio: {exc}", where=str(path)) from exc
    if seconds is not None:
        data = data[: int(seconds * rate)]
    if data.shape[1] > 2:
        raise ServerError(f"{data.shape[1]} channels; expected 1 or 2", where=str(path))
    return data, rate


async def stream_file(url: str, call_id: str, path: str | Path, token: str, pace: str = "realtime", *,
                      seconds: float | None = None, chunk_ms: int = 100, agent_channel: int = 0,
                      ring_seconds: float | None = None, on_message: Callable[[dict], None] | None = None,
                      on_start: Callable[[float], None] | None = None, ssl: _ssl.SSLContext | None = None) -> dict[str, Any]:
    """Stream a recording to ``/calls/{call_id}/audio`` as the telephony side would; returns the final message.

    The final message holds ``result`` (the analysis), and ``frames``/``bytes`` the server received,
    plus ``sent_frames``/``sent_bytes``/``audio_seconds`` counted here. ``on_message`` sees every answer (partials, finals);
    ``on_start`` gets the ``time.monotonic()`` at which audio time 0 was released (for latency).
    """
    if pace not in PACES:
        raise ServerError(f"pace must be one of {', '.join(PACES)}, got {pace!r}", where="stream_file")
    data, rate = await asyncio.to_thread(read_pcm, path, seconds)
    config: dict[str, Any] = {"sample_rate": rate, "channels": int(data.shape[1]), "agent_channel": agent_channel}
    if ring_seconds is not None:
        config["ring_seconds"] = ring_seconds
    step = rate * chunk_ms // 1000
    pacer = Pacer(pace)
    where = f"{url}/calls/{call_id}/audio"
    final: dict[str, Any] | None = None
    sent_frames = sent_bytes = 0

    async def reader(ws) -> None:
        nonlocal final
        async for msg in ws:
            m = json.loads(msg)
            if on_message is not None:
                on_message(m)
            if m.get("eof"):
                final = m

    try:  # no keepalive pings: a server pushing back (not reading) could not answer them in time
        async with _connect(where, token, ssl, ping_interval=None) as ws:
            await ws.send(json.dumps({"config": config}))
            read = asyncio.create_task(reader(ws))
            pacer.start()
            if on_start is not None:
                on_start(pacer.t0)
            for i in range(0, len(data), step):
                frame = data[i:i + step].astype("<i2").tobytes()
                if pacer.delay((i + step) / rate) > 0:
                    await pacer.wait_async((i + step) / rate)
                await ws.send(frame)
                sent_frames += 1
                sent_bytes += len(frame)
                if read.done():
                    break
            if not read.done():
                await ws.send(json.dumps({"eof": 1}))
            await read
            if final is None:
                raise ServerError(f"closed with code {ws.close_code}: {ws.close_reason}", where=where,
                                  code=ws.close_code)
    except (InvalidHandshake, ConnectionClosed, OSError) as exc:
        raise _refused(exc, where) from exc
    return {**final, "sent_frames": sent_frames, "sent_bytes": sent_bytes,
            "audio_seconds": round(sent_bytes / (2 * data.shape[1] * rate), 3)}


def http_get(url: str, path: str, token: str | None = None, *, ssl: _ssl.SSLContext | None = None,
             timeout: float = 10.0) -> Any:
    """GET a JSON route (``/calls``, ``/calls/{id}``, ``/health``) from the server's base URL."""
    http_url = url.replace("wss://", "https://", 1).replace("ws://", "http://", 1) + path
    req = urllib.request.Request(http_url, headers=_headers(token) if token else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=ssl))
    try:
        with opener.open(req, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        raise ServerError(f"HTTP {exc.code}: {exc.read().decode('utf-8', 'replace')}", where=http_url,
                          code=exc.code) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ServerError(f"cannot reach server: {exc}", where=http_url) from exc
