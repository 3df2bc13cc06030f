"""A flood of websocket upgrades that pass the token check but fail the handshake, against a real `copilot serve`
subprocess: its memory stays bounded (it grew ~10 KB per rejected upgrade, +30 MB per 3,000, never freed)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from copilot.server import client
from copilot.server.load import SpawnedServer

pytestmark = pytest.mark.slow

FLOOD = 3000


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def bad_upgrade(port: int, token: str, i: int) -> bytes:
    """An upgrade to a real route with a valid token, but no Sec-WebSocket-Key: refused after the token check."""
    req = (f"GET /calls/FLOOD-{i}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(req.encode())
        chunks = []
        while True:
            b = s.recv(4096)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def test_flood_of_bad_upgrades_keeps_memory_bounded(vosk_model):
    server = SpawnedServer(engine="vosk", vosk_model=vosk_model)
    try:
        port = int(server.url.rsplit(":", 1)[1])
        token = server.tokens["agent"]
        for i in range(300):  # warm up allocator pools and caches
            bad_upgrade(port, token, i)
        before = rss_kb(server.proc.pid)
        answers = {bad_upgrade(port, token, i).split(b"\r\n", 1)[0] for i in range(FLOOD)}
        after = rss_kb(server.proc.pid)
        health = client.http_get(server.url, "/health")
    finally:
        server.close()
    assert answers == {b"HTTP/1.1 400 Bad Request"}, answers
    assert health == {"status": "ok"}
    grown = after - before
    print(f"RSS before {before} kB, after {FLOOD} bad upgrades {after} kB (+{grown} kB)")
    assert grown < 3000, f"server memory grew {grown} kB over {FLOOD} rejected upgrades"
