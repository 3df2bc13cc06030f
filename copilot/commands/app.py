"""`copilot demo | live | replay | score | tui`: the Textual screens and the event printer.

Every command builds its app through ``tui.app.make_app`` (the same factory the tests use); while a TUI
runs, logs go to a file in the user's data directory, never to the screen.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from copilot.commands import open_store, seconds_arg
from copilot.errors import CopilotError

log = logging.getLogger(__name__)
FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"
DEMO_CALL = "FX-12-judge-no-callback"
"""The demo's call: a contact-judge call (41 s) that shows every part of the live screen within its first
30 s — a non-standard greeting flagged at 3 s, the service type and the judge's handling checklist from
11 s, case number and judge in the record, an amber 「你」 at 28 s — and a missing callback promise at the
end. FX-01 (the exemplary call) has no flag at all."""


def log_file() -> Path:
    from platformdirs import user_data_dir

    d = Path(os.environ.get("COPILOT_DATA_DIR") or user_data_dir("copilot-12368", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return d / "tui.log"


def _logs_to_file() -> Path:
    """Send every log record to the data directory's tui.log (the screen belongs to the TUI)."""
    path = log_file()
    root = logging.getLogger()
    level = root.level
    for h in list(root.handlers):
        root.removeHandler(h)
    fh = logging.FileHandler(path, encoding="utf-8")
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(fh)
    root.setLevel(level if level != logging.NOTSET else logging.WARNING)
    return path


def _config(args: Any) -> Any:
    from tui.config import TuiConfig

    return TuiConfig.from_env(export_dir=Path(args.out) if getattr(args, "out", None) else None)


def _run(app: Any) -> int:
    path = _logs_to_file()
    app.run()
    print(f"日志 log: {path}", file=sys.stderr)
    return int(app.return_code or 0)


# ---------------------------------------------------------------------- handlers
def demo_files(name: str) -> tuple[Path, Path]:
    audio = FIXTURES / "audio" / f"{name}.flac"
    script = FIXTURES / "calls" / f"{name}.json"
    if not audio.exists():
        raise CopilotError("bundled fixture recording not found", where=str(audio))
    return audio, script


def demo_app(args: Any, store: Any = None, config: Any = None) -> Any:
    """The live screen on a bundled fixture's recording, through ASR and the whole pipeline."""
    from copilot.cases.runtime import use_demo_directory
    from copilot.session.source import SourceSpec
    from tui.app import make_app

    use_demo_directory()  # the case card: the store's case directory, else the small one the demo ships
    audio, _ = demo_files(args.call)
    spec = SourceSpec(kind="audio", path=str(audio), pace=args.pace, speed=args.speed if args.pace == "fast" else None,
                      engine=args.engine, speaker="caller")
    return make_app("live", source=spec, store=store, config=config or _config(args))


def format_event(ev: Any) -> str | None:
    """One pipeline event as a line an agent can read (Chinese first); None for events not worth a line."""
    from copilot.events import (
        CallEnded,
        CallStarted,
        ErrorEvent,
        FlagRaised,
        ServiceTypeChanged,
        Suggestion,
        UtteranceEvent,
    )
    from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH, SUGGESTION_ZH

    stamp = f"[{int(ev.t) // 60:02d}:{ev.t % 60:04.1f}]"
    if isinstance(ev, CallStarted):
        return f"{stamp} 通话开始 call {ev.call_id}"
    if isinstance(ev, UtteranceEvent) and ev.final:
        return f"{stamp} {'坐席' if ev.speaker == 'agent' else '来电人'}：{ev.text}"
    if isinstance(ev, ServiceTypeChanged):
        ref = f"  转介 {ev.referral}" if ev.referral else ""
        return f"{stamp}   » 服务类型 {SERVICE_TYPE_ZH.get(ev.service_type, ev.service_type)} ({ev.confidence:.2f}){ref}"
    if isinstance(ev, Suggestion):
        return f"{stamp}   » 建议话术〔{SUGGESTION_ZH.get(ev.kind, ev.kind)}〕{ev.text}"
    if isinstance(ev, FlagRaised):
        instead = f" → 建议改为：{ev.suggestion}" if ev.suggestion else ""
        said = f"「{ev.phrase}」" if ev.phrase else ""
        return f"{stamp}   ⚑ {FLAG_ZH.get(ev.code, ev.code)} {ev.code} {said}{instead}"
    if isinstance(ev, ErrorEvent):
        return f"{stamp}   ✗ 错误 {ev.where}: {ev.message}"
    if type(ev).__name__ == "CaseCard":
        return (f"{stamp}   ▣ 案件信息 {ev.case_number}：{ev.status or '—'}，承办法官 {ev.judge_name or '未分配'}，"
                f"{ev.department or '—'}，下次开庭 {ev.next_hearing or '未排期'}")
    if isinstance(ev, CallEnded):
        return f"{stamp} 通话结束 ({'完整' if ev.complete else '中断'}, {ev.reason})"
    return None


def cmd_demo(args: Any) -> int:
    if not (args.no_tui or not sys.stdout.isatty()):
        return _run(demo_app(args, open_store(args)))
    import threading

    from copilot.cases.runtime import use_demo_directory
    from copilot.events import RecordUpdated
    from copilot.labels import CASE_SOURCE_ZH, RECORD_ZH
    from copilot.session.factory import call_events
    from copilot.session.source import SourceSpec

    use_demo_directory()

    audio, _ = demo_files(args.call)
    spec = SourceSpec(kind="audio", path=str(audio), pace=args.pace, engine=args.engine, speaker="caller",
                      speed=args.speed if args.pace == "fast" else None)
    store = open_store(args)
    print(f"演示 demo: {audio.name} → ASR ({args.engine}) → 分析 → 数据库 (pace {args.pace}; 无终端界面 no TUI)",
          file=sys.stderr)
    record: dict[str, Any] = {}
    for ev in call_events(spec, store)(threading.Event()):
        if isinstance(ev, RecordUpdated):
            record = ev.record
        line = format_event(ev)
        if line:
            print(line, flush=True)
    if record:
        print("通话记录 record:")
        for key, value in record.items():
            if value not in (None, "", [], {}):
                value = CASE_SOURCE_ZH.get(value, value) if key == "case_source" else value
                print(f"  {RECORD_ZH.get(key, key)}: {value}")
    if store is not None:
        print(f"已保存到数据库 saved to {store.url.render_as_string(hide_password=True)}", file=sys.stderr)
    return 0


def cmd_live(args: Any) -> int:
    from asr.devices import list_devices

    if args.list_devices:
        for d in list_devices():
            if d.max_input_channels > 0:
                mark = "*" if d.is_default_input else " "
                print(f"{mark}{d.index:3d}  {d.name}  ({d.hostapi}, {d.max_input_channels} ch, "
                      f"{d.default_samplerate:.0f} Hz)")
        return 0
    from asr.devices import find_device
    from copilot.session.source import SourceSpec
    from tui.app import make_app

    device: Any = int(args.device) if args.device and args.device.isdigit() else args.device
    find_device(device)  # a missing PortAudio or device fails here, with a clear message, before the TUI
    spec = SourceSpec(kind="device", device=device, engine=args.engine, agent_channel=args.agent_channel,
                      call_id=args.call)
    return _run(make_app("live", source=spec, store=open_store(args), config=_config(args)))


def print_events(spec: Any, store: Any = None, out: Any = None) -> int:
    """docs/formats.md §4 JSON lines on stdout as the events happen (no TUI)."""
    from copilot.session.factory import call_events

    out = out or sys.stdout
    import threading

    try:
        for ev in call_events(spec, store)(threading.Event()):
            out.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")
            out.flush()
    except BrokenPipeError:  # the reader (e.g. `head`) has gone
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's final flush
    return 0


def cmd_replay(args: Any) -> int:
    from copilot.session.source import SourceSpec

    p = Path(args.path)
    if args.events or p.exists() or p.suffix:
        if not p.exists():
            raise CopilotError("no such file", where=str(p))
        spec = SourceSpec.for_path(p, pace=args.pace, speed=args.speed if args.pace == "fast" else None,
                                   engine=args.engine, agent_channel=args.agent_channel, speaker=args.speaker,
                                   ring_seconds=args.ring_seconds)
        if spec.ring_seconds is not None and spec.kind != "audio":
            raise CopilotError("--ring-seconds is for recordings; a transcript carries ring_seconds itself",
                               where=str(p))
        if args.events:
            return print_events(spec, open_store(args) if args.save else None)
        from tui.app import make_app

        return _run(make_app("replay", source=spec, store=open_store(args), config=_config(args)))
    from tui.app import make_app  # a stored call id

    return _run(make_app("replay", call_id=args.path, store=open_store(args), config=_config(args)))


def cmd_score(args: Any) -> int:
    from copilot.commands.score import batch_requested, cmd_batch

    if batch_requested(args):  # --csv/--html/--json/--no-tui/--workers/--ray, or stdout not a terminal
        return cmd_batch(args)
    from tui.app import make_app

    return _run(make_app("score", paths=args.paths, store=open_store(args), config=_config(args)))


def cmd_tui(args: Any) -> int:
    from copilot.session.source import SourceSpec
    from tui.app import make_app

    if not args.connect:
        raise CopilotError("give --connect ws://HOST:PORT and --call ID", where="copilot tui")
    spec = SourceSpec(kind="connect", url=args.connect, call_id=args.call, token=args.token)
    return _run(make_app("live", source=spec, store=open_store(args), config=_config(args)))


# ---------------------------------------------------------------------- parsers
def _common(p: argparse.ArgumentParser, *, pace: bool = True) -> None:
    p.add_argument("--db", help="database URL (default: COPILOT_DB_URL or the SQLite file in the data dir)")
    p.add_argument("--no-store", action="store_true", help="do not write to the database")
    p.add_argument("--engine", default="auto", choices=["auto", "vosk", "whisper"], help="ASR engine for audio")
    p.add_argument("--out", help="folder for exports (default: current folder)")
    if pace:
        p.add_argument("--pace", default="realtime", choices=["whole", "fast", "realtime"])
        p.add_argument("--speed", type=float, default=10.0, help="speed-up of --pace fast")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="replay a bundled call with its audio in the live screen (Whisper base)")
    p.add_argument("--call", default=DEMO_CALL, help=f"fixture name under audio_fixtures/audio (default {DEMO_CALL})")
    p.add_argument("--no-tui", action="store_true",
                   help="print the events as text instead of the live screen (automatic when stdout is not a terminal)")
    _common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("live", help="live assist from an audio device (sounddevice/PortAudio)")
    p.add_argument("--list-devices", action="store_true")
    p.add_argument("--device", help="input device index or name (default: the default input)")
    p.add_argument("--agent-channel", type=int, default=0, choices=[0, 1])
    p.add_argument("--call", help="call id (default LIVE-<date>-<time>)")
    _common(p, pace=False)
    p.set_defaults(func=cmd_live)

    p = sub.add_parser("replay", help="inspect a recording, a transcript or a stored call (or --events)")
    p.add_argument("path", help="a .json transcript, a recording (.wav/.flac/.ogg/.mp3), or a stored call id")
    p.add_argument("--events", action="store_true", help="no TUI: print docs/formats.md §4 JSON lines to stdout")
    p.add_argument("--save", action="store_true", help="with --events: also write the call to the database")
    p.add_argument("--agent-channel", type=int, default=0, choices=[0, 1])
    p.add_argument("--speaker", default="caller", choices=["agent", "caller"], help="speaker of a mono file")
    p.add_argument("--ring-seconds", type=seconds_arg, default=None, metavar="S",
                   help="a recording: how long the call rang before it was answered, from the telephony system")
    _common(p)
    p.set_defaults(func=cmd_replay, pace="whole")

    p = sub.add_parser("score", help="scores of calls (files, folders, or the stored calls) for trainers")
    p.add_argument("paths", nargs="*", help="transcripts, recordings or folders (default: the stored calls)")
    from copilot.commands.score import add_batch_arguments

    add_batch_arguments(p)
    _common(p, pace=False)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("tui", help="the live screen on a copilot server's call (websocket)")
    p.add_argument("--connect", help="ws://HOST:PORT of `copilot serve`")
    p.add_argument("--call", help="call id to follow")
    p.add_argument("--token", help="access token")
    _common(p, pace=False)
    p.set_defaults(func=cmd_tui)
