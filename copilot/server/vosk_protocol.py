"""``/asr``: the vosk-server websocket protocol, so existing telephony integrations work unchanged.

The client may send ``{"config": {"sample_rate": 8000}}`` (vosk-server's default rate, 8000 Hz, is used
when it does not), then binary frames of mono 16-bit little-endian PCM, then ``{"eof": 1}``. As in
vosk-server, every message gets one answer: ``{"partial": "…"}`` while an utterance grows, or
``{"result": [{"conf", "start", "end", "word"}, …], "text": "…"}`` when one ends; after eof the last
result is sent and the server closes. Plain ASR only: no analysis, no store.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from websockets.exceptions import ConnectionClosed

from asr.types import Utterance
from copilot.server.ingest import CLOSE_BAD_REQUEST, CLOSE_IDLE, ProtocolError, parse_config, parse_json

log = logging.getLogger(__name__)

DEFAULT_RATE = 8000
"""Hertz: vosk-server's default sample rate when no config message is sent."""


def vosk_result(utt: Utterance) -> dict[str, Any]:
    """A final utterance in Vosk's JSON shape."""
    words = [{"conf": round(w.confidence, 6), "end": round(w.end, 3), "start": round(w.start, 3), "word": w.text}
             for w in utt.words]
    return {"result": words, "text": utt.text} if words else {"text": utt.text}


class VoskProtocolSession:
    """One ``/asr`` connection; recognition runs in the connection's own worker thread."""

    def __init__(self, ws: Any, recognizer: Any, *, idle_seconds: float | None = None) -> None:
        self.ws = ws
        self.idle_seconds = idle_seconds
        """A client that sends nothing for this long (stalled, half-open) is closed with 4408."""
        self.recognizer = recognizer
        self.converter = None
        self.session = None
        self.partial = ""
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr")

    def _open(self, rate: int) -> None:
        from asr.sources import ChunkConverter

        self.converter = ChunkConverter(rate, 1)
        self.session = self.recognizer.open_session("caller")

    def _accept(self, frame: bytes) -> list[dict[str, Any]]:
        utts: list[Utterance] = []
        for chunk in self.converter.convert(frame):
            utts += self.session.accept(chunk.pcm)
        return self._answers(utts)

    def _finish(self) -> dict[str, Any]:
        utts: list[Utterance] = []
        for chunk in self.converter.flush():
            utts += self.session.accept(chunk.pcm)
        utts += self.session.finish()
        finals = [u for u in utts if u.final]
        if not finals:
            return {"text": ""}
        if len(finals) == 1:
            return vosk_result(finals[0])
        merged = [vosk_result(u) for u in finals]
        return {"result": [w for m in merged for w in m.get("result", [])],
                "text": " ".join(u.text for u in finals)}

    def _answers(self, utts: list[Utterance]) -> list[dict[str, Any]]:
        out = []
        for u in utts:
            if u.final:
                out.append(vosk_result(u))
                self.partial = ""
            else:
                self.partial = u.text
        return out or [{"partial": self.partial}]

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def run(self) -> None:
        try:
            while True:
                try:
                    msg = await asyncio.wait_for(self.ws.recv(), self.idle_seconds)
                except TimeoutError:
                    log.warning("/asr client sent nothing for %g s, closing", self.idle_seconds)
                    await self.ws.close(CLOSE_IDLE, f"stalled: no data for {self.idle_seconds:g} s")
                    return
                if isinstance(msg, bytes):
                    if self.converter is None:
                        await self._run(self._open, DEFAULT_RATE)
                    for answer in await self._run(self._accept, msg):
                        await self.ws.send(json.dumps(answer, ensure_ascii=False))
                    continue
                try:
                    data = parse_json(msg, "message")
                    if "config" in data:
                        if self.converter is not None:
                            raise ProtocolError("config after audio", where="config")
                        cfg = parse_config(msg, mono_only=True)
                        await self._run(self._open, cfg.sample_rate)
                        continue
                    if data.get("eof"):
                        if self.converter is None:
                            await self._run(self._open, DEFAULT_RATE)
                        final = await self._run(self._finish)
                        await self.ws.send(json.dumps(final, ensure_ascii=False))
                        await self.ws.close(1000, "eof")
                        return
                    raise ProtocolError('expected binary audio, {"config": …} or {"eof": 1}', where="message")
                except ProtocolError as exc:
                    await self.ws.close(CLOSE_BAD_REQUEST, exc.message[:120])
                    return
        except ConnectionClosed:
            log.info("/asr client disconnected")
        finally:
            self.executor.shutdown(wait=False)
