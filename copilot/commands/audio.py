"""`copilot transcribe` and `copilot models list|pull|verify`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def cmd_transcribe(args: Any) -> int:
    """Audio → docs/formats.md §1 transcript (speaker from the channel; mono files take --speaker).

    An engine that decodes whole channels (Whisper) transcribes each channel whole (file mode, as for recorded
    calls) unless ``--live``: then the audio goes through the live streaming path (endpointing, one decode per
    utterance with the channel's context, partials included) as fast as the CPU allows, so the two can be
    compared on any recording. Built by the call factory (``copilot.session.factory.open_call``)."""
    from copilot.session.factory import open_call
    from copilot.session.recording import transcript_from_events
    from copilot.session.source import SourceSpec

    p = Path(args.audio)
    spec = SourceSpec.recording(p, engine=args.engine, agent_channel=args.agent_channel, speaker=args.speaker,
                                partials=args.live, whole_channel=not args.live)
    call = open_call(spec)  # a bad file fails here, before the model loads
    events = list(call.events())
    tr = transcript_from_events(call.call_id, events, str(p))
    if args.json or args.out:
        text = json.dumps(tr.to_dict(), ensure_ascii=False, indent=2)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
            print(f"{len(tr.turns)} turns written to {args.out}", file=sys.stderr)
        else:
            print(text)
    else:
        for t in tr.turns:
            who = "座席" if t.speaker == "agent" else "来电"
            print(f"[{t.start:7.2f}–{t.end:7.2f}] {who}: {t.text}")
    return 0


def _size(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n else "—"


def cmd_models(args: Any) -> int:
    from asr import models

    d = Path(args.models_dir) if args.models_dir else None
    if args.models_cmd == "list":
        rows = models.list_models(d)
        print(f"{'name':<28}{'engine':<9}{'lang':<6}{'installed':<11}{'size':>8}  note")
        for r in rows:
            print(f"{r.name:<28}{r.engine:<9}{r.language:<6}{'yes' if r.installed else 'no':<11}{_size(r.size):>8}  {r.note}")
        from asr.engine import choose_engine

        print("\nauto → " + " — ".join(choose_engine("auto", d)))
        return 0
    if args.models_cmd == "verify":
        names = [args.name] if args.name else [r.name for r in models.list_models(d) if r.installed]
        if args.name is None and "whisper-base" not in names:
            models.ensure_whisper_base(d)
            names.append("whisper-base")
        for n in names:
            row = models.verify(n, d)
            print(f"{row.name}: OK ({row.path})")
        return 0
    if args.models_cmd == "pull":
        def progress(done: int, total: int | None) -> None:
            pct = f"{100 * done / total:5.1f}%" if total else ""
            sys.stderr.write(f"\r{args.name}: {done / 1e6:8.1f} MB {pct}")
            sys.stderr.flush()

        path = models.pull(args.name, d, progress=progress)
        print(f"\n{args.name} installed in {path}")
        return 0
    return 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="recording → docs/formats.md §1 transcript")
    p.add_argument("audio")
    p.add_argument("--engine", default="auto", choices=["auto", "vosk", "whisper"])
    p.add_argument("--agent-channel", type=int, default=0, choices=[0, 1])
    p.add_argument("--speaker", default="caller", choices=["agent", "caller"], help="speaker of a mono file")
    p.add_argument("--json", action="store_true", help="print the transcript JSON")
    p.add_argument("--out", help="write the transcript JSON to this file")
    p.add_argument("--live", action="store_true",
                   help="Whisper: the live streaming path (endpointing, per-utterance decodes, partials) "
                        "instead of whole-channel file mode")
    p.set_defaults(func=cmd_transcribe)

    m = sub.add_parser("models", help="ASR models: list, pull (needs internet), verify")
    m.add_argument("--models-dir", default=None, help="default: $COPILOT_MODELS_DIR or the repo's models/")
    ms = m.add_subparsers(dest="models_cmd", required=True)
    ms.add_parser("list").set_defaults(func=cmd_models)
    v = ms.add_parser("verify")
    v.add_argument("name", nargs="?")
    v.set_defaults(func=cmd_models)
    pl = ms.add_parser("pull")
    pl.add_argument("name", help="e.g. vosk-model-small-cn-0.22")
    pl.set_defaults(func=cmd_models)
