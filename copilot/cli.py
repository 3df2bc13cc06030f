"""The `copilot` command: a thin layer over the same factories the tests use."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from copilot import __version__
from copilot.commands import seconds_arg
from copilot.errors import user_errors

log = logging.getLogger("copilot")


def _add_analyze(sub: argparse._SubParsersAction) -> None:
    from copilot.commands.analyze import cmd_analyze, cmd_eval

    p = sub.add_parser("analyze", help="analyse a transcript JSON, a recording, or a folder of them")
    p.add_argument("path", help="a transcript .json, a recording (.wav/.flac/.ogg/.mp3), or a folder")
    p.add_argument("--json", action="store_true", help="print the docs/formats.md §2 JSON")
    p.add_argument("--out", help="write one result file per call and summary.csv into this folder")
    p.add_argument("--save", action="store_true", help="store calls, utterances, flags, records and scores")
    p.add_argument("--db", help="database URL (default: COPILOT_DB_URL or the SQLite file in the data dir)")
    _add_audio_opts(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("eval", help="accuracy against labelled calls (labels.jsonl)")
    p.add_argument("calls_dir")
    p.add_argument("labels")
    p.add_argument("--by-code", action="store_true", help="compare flags by code only (real-ASR copies)")
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    p.add_argument("--engine", default="auto", choices=["auto", "vosk", "whisper"],
                   help="ASR engine for recordings (a folder of .flac/.wav is evaluated end to end)")
    p.set_defaults(func=cmd_eval)


def _add_audio_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", default="auto", choices=["auto", "vosk", "whisper"], help="ASR engine for audio")
    p.add_argument("--agent-channel", type=int, default=0, choices=[0, 1], help="stereo channel of the agent")
    p.add_argument("--speaker", default="caller", choices=["agent", "caller"], help="speaker of a mono file")
    p.add_argument("--ring-seconds", type=seconds_arg, default=None, metavar="S",
                   help="recordings: how long the call rang before it was answered, from the telephony system "
                        "(a recording does not carry it; answer_late and the wait apology use it)")


def _add_phrasebook(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("phrasebook", help="validate the phrasebook or look phrases up")
    ps = p.add_subparsers(dest="pb_cmd", required=True)
    c = ps.add_parser("check", help="validate every table; errors name file and line")
    c.add_argument("dir", nargs="?", default=None)
    c.set_defaults(func=lambda a: __import__("phrasebook.cli", fromlist=["cmd_check"]).cmd_check(a.dir))
    i = ps.add_parser("import-examples", help="add labelled caller sentences (JSONL) from an independent author "
                                              "as examples/<type>_<source>.toml or examples/roles_<source>.toml")
    i.add_argument("file", help="JSONL: {text, service_type, need, register} or {text, caller_role} per line")
    i.add_argument("--source", required=True, help="who wrote them (lower-case name; names the files)")
    i.add_argument("--dir", default=None, help="phrasebook directory (default: the package's)")
    i.add_argument("--map", action="append", default=[], metavar="AUTHOR_NEED=NEED",
                   help="put the author's need under this phrasebook need (else: same name, or the most similar)")
    i.add_argument("--dry-run", action="store_true", help="report only")
    i.add_argument("--note", default="", help="what was done to the file before (labels corrected, lines dropped); "
                                              "goes into the files' header")
    i.set_defaults(func=lambda a: __import__("phrasebook.cli", fromlist=["cmd_import"]).cmd_import(
        a.file, a.source, a.dir, a.map, a.dry_run, a.note))
    f = ps.add_parser("find", help="every phrasebook hit in TEXT, with span and replacement")
    f.add_argument("text")
    f.add_argument("--dir", default=None)
    f.set_defaults(func=lambda a: __import__("phrasebook.cli", fromlist=["cmd_find"]).cmd_find(a.text, a.dir))


def _add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="analysis speed and memory (per utterance, per call, model load cold and cached, by stage)")
    p.add_argument("--calls", default=None, help="folder of transcripts (default: the bundled fixtures)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-cold", action="store_true", help="skip training the models into an empty cache (5-10 s)")
    p.set_defaults(func=lambda a: __import__("copilot.commands.bench", fromlist=["main"]).main(a))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copilot", description="12368 热线座席助手 — offline speech-assist copilot")
    parser.add_argument("--version", action="version", version=f"copilot {__version__}")
    parser.add_argument("--log-level", default=os.environ.get("COPILOT_LOG_LEVEL", "WARNING"))
    sub = parser.add_subparsers(dest="command", required=True)
    _add_analyze(sub)
    _add_phrasebook(sub)
    _add_bench(sub)
    for mod in ("copilot.commands.audio", "copilot.commands.app", "copilot.commands.serve",
                "copilot.commands.review", "copilot.commands.indicators", "copilot.cases.cli"):
        try:
            m = __import__(mod, fromlist=["add_parsers"])
            m.add_parsers(sub)
        except Exception as exc:  # noqa: BLE001 - one broken command module must not break the others
            log.warning("commands of %s unavailable: %s", mod, exc)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    parser.add_argument("--no-cases", action="store_true",
                        help="do not consult the court's case directory (it is used whenever the store holds cases)")
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--no-cases" in argv:  # accepted after any subcommand too; worker processes inherit it
        argv = [a for a in argv if a != "--no-cases"]
        from copilot.cases.runtime import disable

        disable()
    args = parser.parse_args(argv)
    if getattr(args, "db", None):  # the case directory is read from the store the command uses
        from copilot.cases.runtime import set_url

        set_url(args.db)
    from asr.memory import keep_freed_memory

    keep_freed_memory()  # before any thread starts (the TUI loads Whisper in a worker thread): see asr.memory
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except user_errors() as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
