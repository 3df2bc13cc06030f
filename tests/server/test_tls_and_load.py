"""TLS with a self-signed certificate, and the load tool on a short real-time run."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess

import pytest

from copilot.server import client
from copilot.server.config import ServerError
from copilot.server.load import check_args, fixture_files, format_report, run_load
from tests.server.conftest import AGENT, SUP, TEL, TOKENS, fixture, run, running

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test certificate: apt-get install openssl")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem")], check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


def test_tls_with_self_signed_certificate(tmp_path, recognizer, cert):
    certfile, keyfile = cert
    trust = ssl.create_default_context(cafile=str(certfile))

    async def body():
        async with running(tmp_path, recognizer, certfile=str(certfile), keyfile=str(keyfile)) as srv:
            assert srv.url.startswith("wss://")
            final = await client.stream_file(srv.url, "TLS-1", fixture("FX-02"), TEL, pace="whole", seconds=4,
                                             ssl=trust)
            events = [e async for e in client.subscribe(srv.url, "TLS-1", AGENT, ssl=trust)]
            listing = await asyncio.to_thread(client.http_get, srv.url, "/calls", SUP, ssl=trust)
            with pytest.raises(ServerError):  # an untrusted certificate is refused by the client
                await asyncio.to_thread(client.http_get, srv.url, "/calls", SUP)
            with pytest.raises(ServerError):  # plain websocket to the TLS port fails
                async for _ in client.subscribe(srv.url.replace("wss://", "ws://"), "TLS-1", AGENT):
                    pass
            return final, events, listing

    final, events, listing = run(body())
    assert final["result"]["call_id"] == "TLS-1" and events[-1].type == "call_ended"
    assert [c["call_id"] for c in listing["recent"]] == ["TLS-1"]


def test_load_tool_short_run(tmp_path, recognizer):
    tokens = {role: tok for tok, role in TOKENS.items()}

    async def body():
        async with running(tmp_path, recognizer) as srv:
            return await run_load(srv.url, tokens, fixture_files(None), calls=2, seconds=5, engine="vosk")

    report = run(body())
    assert report.errors == ()
    assert report.dropped_frames == 0 and report.sent_frames == report.received_frames == 2 * 50
    assert report.cpu_seconds > 0 and report.cpu_per_call > 0 and report.calls_per_core > 0
    assert "dropped frames: 0" in format_report(report)
    assert report.final_utterances > 0 and report.finals_lost == 0
    assert f"final utterances lost: 0 of {report.final_utterances}" in format_report(report)


@pytest.mark.parametrize("calls, seconds, url, message", [
    (0, 10, None, "--calls"), (65, 10, None, "--calls"), (2, 0.5, None, "--seconds"),
    (2, 10, "ws://10.1.2.3:2700", "loopback"), (2, 10, "ws://example.org:2700", "loopback"),
])
def test_load_tool_bounds(calls, seconds, url, message):
    with pytest.raises(ServerError, match=message):
        check_args(calls, seconds, url)
