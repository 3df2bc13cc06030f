"""ASR benchmark: CER (16 kHz and telephone 8 kHz), real-time factor, final-text latency, capacity.

    python -m benchmarks.asr [--engine whisper|vosk] [--mode both|stream|file] [--files A.wav B.wav] [--threads 1]

CER is computed on ``../shared/audio/mandarin`` beside the repository (refs.tsv) after removing punctuation and spaces and
converting traditional→simplified. Latency is simulated real-time feeding in 100 ms chunks: a clock
advances with the audio and with processing time, and latency is the clock when a final appears minus
the end of the utterance it transcribes. Processing time is the process's CPU time (``time.process_time``,
all engine threads), so the figures describe one dedicated core even when the machine is busy; run it
pinned (``taskset -c 0``) with ``--threads 1``. Capacity is 1 / (2 × RTF): two-channel calls per core.

The clips are short (137 characters in all) and where the 10 ms log-Mel frames, the 32 ms VAD frames and the cut
points fall on the speech moves single characters in *both* modes (file mode on the 12 s meeting clip through
the 8 kHz band: 18-30 errors as the clip starts 0-70 ms later). So each clip is decoded ``--shifts`` times
(default 5), after 0, 17.3, 34.6 … ms of silence, and live / file is read over all of them; step 0 (as
recorded) is printed beside it (docs/live-asr.md, session 16).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from asr.audio import read_audio, to_16k
from asr.cer import CerResult, cer
from asr.engine import Recognizer, choose_engine, decodes_whole_channel, make_recognizer
from asr.types import SAMPLE_RATE, Utterance
from asr.whisper_engine import WhisperConfig

log = logging.getLogger(__name__)

def _shared() -> Path:
    """The project's reference data beside the repository (not shipped with it; benchmarks only):
    ``$COPILOT_SHARED``, else ``shared/`` beside the repository or beside its worktrees' folder."""
    if os.environ.get("COPILOT_SHARED"):
        return Path(os.environ["COPILOT_SHARED"])
    here = Path(__file__).resolve()
    found = [p / "shared" for p in here.parents[2:4] if (p / "shared").is_dir()]
    return found[0] if found else here.parents[2] / "shared"


SHARED = _shared()
MANDARIN = SHARED / "audio" / "mandarin"
DEV = SHARED / "eval" / "dev"
CHUNK = SAMPLE_RATE // 10
def domain_prompt() -> str:
    """The prompt the product gives Whisper (``copilot.session.recording.domain_prompt``), so the bench measures it."""
    from copilot.analysis.rules import load_rules
    from copilot.session.recording import domain_prompt as product_prompt

    return product_prompt(load_rules())


@dataclass(frozen=True)
class RunStats:
    """What one pass over a set of clips measured."""

    cer: CerResult
    audio_seconds: float
    process_seconds: float
    latencies: tuple[float, ...]
    """Seconds from the end of each utterance to its final text, simulated real-time feeding."""
    step_errors: tuple[int, ...] = ()
    """Clips with ``--shifts``: the errors of each shift step (all clips), to show the spread of one draw."""
    unit_errors: tuple[int, ...] = ()
    """Errors of each clip (all its shift steps) or each call channel, in a fixed order: the units
    :func:`ratio_interval` resamples."""
    numerals: CerResult = CerResult(0, 0)
    """The same texts scored with numerals either way (``asr.cer``: digits and Han digit characters alike)."""

    @property
    def rtf(self) -> float:
        """Processing seconds per audio second."""
        return self.process_seconds / self.audio_seconds if self.audio_seconds else 0.0


def load_refs(folder: Path = MANDARIN) -> list[tuple[Path, str]]:
    """(file, reference) pairs from refs.tsv."""
    with open(folder / "refs.tsv", encoding="utf-8") as fh:
        return [(folder / row["file"], row["reference"]) for row in csv.DictReader(fh, delimiter="\t")]


def telephone(samples: np.ndarray) -> np.ndarray:
    """16 kHz int16 → 8 kHz → back to 16 kHz (what a phone line leaves of the signal)."""
    down = soxr.resample(samples.astype(np.float32) / 32768.0, SAMPLE_RATE, 8000, quality="HQ")
    return to_16k(down, 8000)


PARTIAL_LATENCIES: list[float] = []
"""Seconds from the end of the audio a partial covers to the partial (every stream() run appends here)."""


DECODES: list[tuple[str, float]] = []
"""(kind, CPU seconds) of every live Whisper decode since the pass began: ``alone`` and ``carried`` are final
decodes (an early final voided when speech resumed, or a held one, counts too), ``partial`` the provisional ones."""


def count_decodes(recognizer: Recognizer) -> None:
    """Record every live decode of ``recognizer`` (Whisper) in :data:`DECODES` with its CPU time."""
    if not hasattr(recognizer, "decode_partial_words"):
        return
    def timed(decode, kind):
        def wrapper(*args, **kwargs):
            t0 = time.process_time()
            try:
                return decode(*args, **kwargs)
            finally:
                DECODES.append((kind(kwargs), time.process_time() - t0))
        return wrapper

    recognizer.decode = timed(recognizer.decode, lambda kw: "partial" if not kw.get("full_window", True)
                              else "carried" if kw.get("prefix") else "alone")
    recognizer.decode_partial_words = timed(recognizer.decode_partial_words, lambda kw: "partial")


def cpu_by_kind(decodes) -> dict[str, list[float]]:
    """The CPU seconds of the decodes of each kind that occurred (alone, carried, partial, in that order)."""
    kinds = {kind: [c for k, c in decodes if k == kind] for kind in ("alone", "carried", "partial")}
    return {kind: cpu for kind, cpu in kinds.items() if cpu}


def decode_summary(decodes: list[tuple[str, float]], finals: int) -> str:
    """Where a live pass's CPU went: final decodes per final (above 1: early finals voided when speech resumed,
    held finals decoded again, carried decodes redone alone), and CPU p50 / p95 per decode by kind."""
    total = sum(c for _, c in decodes) or 1.0
    parts = []
    for kind, cpu in cpu_by_kind(decodes).items():
        parts.append(f"{kind} {len(cpu)} (CPU p50 {np.percentile(cpu, 50):.2f} / p95 {np.percentile(cpu, 95):.2f} s, "
                     f"{sum(cpu) / total:.0%} of decode CPU)")
    n_final = sum(1 for k, _ in decodes if k != "partial")
    per = f"{n_final / finals:.2f}" if finals else "n/a"
    return f"{finals} finals from {n_final} final decodes ({per} per final); " + "; ".join(parts)


def encoder_pass_seconds(recognizer: Recognizer, passes: int = 3) -> float | None:
    """The host's speed: CPU seconds of one Whisper encoder pass over a full 30 s window (median of ``passes``, after
    one warm-up pass); None for an engine without one. Latencies here are CPU time, so they scale with it: the same
    code gave a fixture final p95 of 1.82 s on 2026-12-04 afternoon (0.72 CPU-s per pass) and 1.49 s that evening
    (0.61 CPU-s), on the same machine. Printed beside the figures so runs on different days can be compared."""
    model = getattr(recognizer, "model", None)
    if model is None or not hasattr(model, "encode") or not hasattr(model, "feature_extractor"):
        return None
    frames = model.feature_extractor.nb_max_frames
    features = np.ascontiguousarray(model.feature_extractor(np.zeros(30 * SAMPLE_RATE, dtype=np.float32))[:, :frames])
    model.encode(features)
    times = []
    for _ in range(max(1, passes)):
        t0 = time.process_time()
        model.encode(features)
        times.append(time.process_time() - t0)
    return float(np.median(times))


def pass_record(label: str, mode: str, st: RunStats, partials: tuple[float, ...] = (),
                decodes: tuple[tuple[str, float], ...] = ()) -> dict:
    """One pass (an audio set in one mode) as a JSON-ready record: what ``--json`` writes, so runs on different
    days (and host speeds) can be put side by side by a script instead of by reading the printed lines."""
    def pct(values, q: float) -> float | None:
        return round(_pct(tuple(values), q), 3) if len(values) else None

    by_kind = {kind: {"count": len(cpu), "cpu_p50": pct(cpu, 50), "cpu_p95": pct(cpu, 95),
                      "cpu_total": round(sum(cpu), 3)} for kind, cpu in cpu_by_kind(decodes).items()}
    return {
        "audio": label, "mode": mode, "errors": st.cer.errors, "ref_chars": st.cer.ref_chars,
        "cer": round(st.cer.cer, 4), "numerals_either_way_errors": st.numerals.errors,
        "audio_seconds": round(st.audio_seconds, 2), "rtf": round(st.rtf, 4),
        "finals": len(st.latencies), "final_p50": pct(st.latencies, 50), "final_p95": pct(st.latencies, 95),
        "partials": len(partials), "partial_p50": pct(partials, 50), "partial_p95": pct(partials, 95),
        "errors_per_shift_step": list(st.step_errors), "errors_per_unit": list(st.unit_errors),
        "decodes": by_kind,
    }


def stream(recognizer: Recognizer, samples: np.ndarray, speaker: str = "caller") -> tuple[list[Utterance], float, list[float]]:
    """Feed a channel chunk by chunk; returns finals, processing seconds and per-final latencies."""
    session = recognizer.open_session(speaker)
    finals: list[Utterance] = []
    latencies: list[float] = []
    clock = busy = 0.0
    for i in range(0, len(samples) + CHUNK, CHUNK):
        piece = samples[i : i + CHUNK]
        audio_end = min(i + CHUNK, len(samples)) / SAMPLE_RATE
        t0 = time.process_time()
        out = session.accept(piece.astype("<i2").tobytes()) if len(piece) else session.finish()
        dt = time.process_time() - t0
        busy += dt
        clock = max(clock, audio_end) + dt
        for u in out:
            if u.final:
                finals.append(u)
                latencies.append(clock - u.end)
            else:
                PARTIAL_LATENCIES.append(clock - u.end)
        if not len(piece):
            break
    return finals, busy, latencies


def offline(recognizer, samples: np.ndarray, speaker: str = "caller") -> tuple[list[Utterance], float, list[float]]:
    """Whole-channel (file) transcription; returns finals, processing seconds and no latencies."""
    t0 = time.process_time()
    finals = recognizer.transcribe(samples, speaker)
    return finals, time.process_time() - t0, []


def _decoder(mode: str):
    if mode not in ("stream", "file"):
        raise ValueError(f"mode must be stream or file, got {mode!r}")
    return stream if mode == "stream" else offline


SHIFT = 0.0173
"""Seconds of silence put before a clip per ``--shifts`` step: not a multiple of the 10 ms log-Mel hop, the 32 ms VAD
frame or the 100 ms feed chunk, so every step moves where frames, chunks and cut points fall on the speech."""


def shifted(samples: np.ndarray, step: int) -> np.ndarray:
    """``samples`` after ``step × SHIFT`` seconds of digital silence (the same speech, other cut points)."""
    if step <= 0:
        return samples
    return np.concatenate([np.zeros(round(step * SHIFT * SAMPLE_RATE), dtype=samples.dtype), samples])


def run(recognizer: Recognizer, clips: list[tuple[Path, str]], *, phone: bool, mode: str = "stream",
        shifts: int = 1) -> RunStats:
    """Every clip (through the telephone band when ``phone``), once per shift step (``shifted``): with
    ``shifts`` > 1 the CER is over all steps, so one draw of cut points does not decide it."""
    total = numerals = CerResult(0, 0)
    audio_s = proc_s = 0.0
    lat: list[float] = []
    steps = [0] * max(1, shifts)
    units = dict.fromkeys((path for path, _ in clips), 0)
    loaded = {path: telephone(read_audio(path).channels[0]) if phone else read_audio(path).channels[0]
              for path, _ in clips}
    for (path, ref), step in ((c, k) for k in range(max(1, shifts)) for c in clips):
        samples = shifted(loaded[path], step)
        finals, busy, latencies = _decoder(mode)(recognizer, samples)
        hyp = "".join(u.text for u in finals)
        one = cer(ref, hyp)
        numerals += cer(ref, hyp, numerals_either_way=True)
        log.info("%s%s shift %d: %d errors, CER %.3f  %s", path.name, " (8k)" if phone else "", step, one.errors,
                 one.cer, hyp)
        steps[step] += one.errors
        units[path] += one.errors
        total += one
        audio_s += len(samples) / SAMPLE_RATE
        proc_s += busy
        lat.extend(latencies)
    return RunStats(total, audio_s, proc_s, tuple(lat), tuple(steps) if shifts > 1 else (), tuple(units.values()),
                    numerals)


def ratio_interval(file_errors: tuple[int, ...], live_errors: tuple[int, ...], *, draws: int = 4000,
                   seed: int = 19) -> tuple[float, float, float]:
    """Paired bootstrap of live / file errors over units (clips with all their shift steps, or call channels;
    the same references in both modes, so the error ratio is the CER ratio): the 95 % interval of the ratio
    and the share of draws at most 1.1. A few units (9 clips, one of them 58 % of the errors) leave the
    ratio wide; this says how much of a 1.11 is the draw of clips."""
    f, live = np.asarray(file_errors, dtype=float), np.asarray(live_errors, dtype=float)
    if f.shape != live.shape or not f.size:
        raise ValueError(f"ratio_interval: {f.size} file and {live.size} live units; expected the same units")
    picks = np.random.default_rng(seed).integers(0, f.size, size=(draws, f.size))
    fs, ls = f[picks].sum(axis=1), live[picks].sum(axis=1)
    ratios = np.where(fs > 0, ls / np.where(fs > 0, fs, 1), np.where(ls > 0, np.inf, 1.0))
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return float(lo), float(hi), float(np.mean(ratios <= 1.1))


def _pct(values: tuple[float, ...], q: float) -> float:
    if not values:
        return float("nan")
    return float(np.percentile(np.array(values), q))


FIXTURES = Path(__file__).resolve().parent.parent / "audio_fixtures"


AGENT_LINES: list = []
"""The phrasebook whose agent lines correct the agents' finals, as the product's pipeline does
(``copilot.session.heard``); empty = uncorrected (``--no-agent-lines``)."""


def run_calls(recognizer: Recognizer, audio_files: list[Path], calls_dir: Path, *, mode: str = "stream",
              shift: int = 0) -> RunStats:
    """Both channels of two-channel call recordings against their scripts (agent = channel 0); the agent's finals
    with its set lines written as said (``copilot.session.heard``) unless ``AGENT_LINES`` is empty."""
    total = numerals = CerResult(0, 0)
    audio_s = proc_s = 0.0
    lat: list[float] = []
    units: list[int] = []
    for f in audio_files:
        call = json.loads((calls_dir / f"{f.stem}.json").read_text(encoding="utf-8"))
        audio = read_audio(f)
        for ch, speaker in enumerate(("agent", "caller")):
            ref = "".join(t["text"] for t in call["turns"] if t["speaker"] == speaker)
            finals, busy, latencies = _decoder(mode)(recognizer, shifted(audio.channels[ch], shift), speaker)
            if AGENT_LINES:  # as the pipeline: file mode's finals together (a line across two), live's one by one
                from copilot.session.heard import agent_final, agent_finals

                fixed = agent_finals(finals, AGENT_LINES[0]) if mode == "file" else \
                    [agent_final(u, AGENT_LINES[0]) for u in finals]
                for a, b in zip(finals, fixed, strict=True):
                    if a.text != b.text:
                        log.info("%s %s: agent line %s -> %s", f.name, mode, a.text, b.text)
                finals = fixed
            one = cer(ref, "".join(u.text for u in finals))
            numerals += cer(ref, "".join(u.text for u in finals), numerals_either_way=True)
            log.info("%s %s: CER %.3f", f.name, speaker, one.cer)
            total += one
            units.append(one.errors)
            audio_s += len(audio.channels[ch]) / SAMPLE_RATE
            proc_s += busy
            lat.extend(latencies)
    return RunStats(total, audio_s, proc_s, tuple(lat), unit_errors=tuple(units), numerals=numerals)


def prompt_eval(n: int, threads: int) -> list[str]:
    """CER of the agent+caller channels of ``n`` dev calls against the clean transcripts, without/with prompt."""
    lines = []
    files = sorted((DEV / "audio").glob("*.flac"))[:n]
    for prompt in (None, domain_prompt()):
        rec = make_recognizer("whisper", cpu_threads=threads, prompt=prompt, partial_interval=0.0)
        total = run_calls(rec, files, DEV / "calls").cer
        lines.append(f"  dev calls ({len(files)}), prompt={'domain' if prompt else 'none'}: "
                     f"CER {total.cer:.1%} ({total.errors}/{total.ref_chars})")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.asr", description=__doc__.split("\n")[0])
    ap.add_argument("--engine", default="whisper", choices=["whisper", "vosk", "auto"])
    ap.add_argument("--files", nargs="*", type=Path, help="clips listed in refs.tsv (default: all)")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for the engine (default 1 = one core)")
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--end-silence", type=float, default=None, help="Whisper: seconds of silence that end an utterance")
    ap.add_argument("--mode", choices=["stream", "file", "both"], default="both",
                    help="stream: live endpointing, one decode per utterance (RTF, latency); file: Whisper "
                         "transcribes each whole channel (VAD on, 30 s windows), as for recorded calls; "
                         "both (default): file then stream on the same audio, side by side")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="Whisper: any WhisperConfig field for this run (repeatable), e.g. --set pre_roll=0.6")
    ap.add_argument("--hotwords", action="store_true",
                    help="Whisper, live decodes: with the phrasebook's hotwords (copilot.session.recording.live_hotwords)")
    ap.add_argument("--opening", default="phrasebook", metavar="TEXT",
                    help="Whisper, live decodes of the agent channel: the context before the first final "
                         "(default 'phrasebook' = copilot.session.factory.agent_opening, as the product; '' = none)")
    ap.add_argument("--context", type=int, default=None, metavar="CHARS",
                    help="Whisper, live decodes: characters of the channel's previous finals given as the "
                         "decoder's prompt (default: the engine's setting; 0 = none)")
    ap.add_argument("--prompt", default=None, help="Whisper initial_prompt for every decode (default none; 'domain' = the product's prompt)")
    ap.add_argument("--window-pad", type=float, default=None,
                    help="Whisper, live decodes: seconds of silence after an utterance in its encoder window "
                         "(default 3; 0 = the full 30 s window)")
    ap.add_argument("--no-agent-lines", action="store_true",
                    help="fixtures: the agents' finals as recognised, without writing their set lines as said "
                         "(copilot.session.heard, which the product applies)")
    ap.add_argument("--partials", action="store_true", help="also emit partials (costs extra decodes)")
    ap.add_argument("--no-8k", action="store_true", help="skip the telephone-band pass")
    ap.add_argument("--shifts", type=int, default=5, metavar="N",
                    help=f"clips: decode each clip N times, after 0, 1, ... N-1 steps of {SHIFT:.4f} s of silence, and "
                         "report the CER over all of them beside step 0 (as recorded): where frames and cut "
                         "points fall moves single characters of a short clip either way, in both modes "
                         "(default 5; 1 = as recorded only)")
    ap.add_argument("--fixtures", type=int, default=2, metavar="N",
                    help="also measure CER on the first N bundled fixture calls, both channels (0 = skip)")
    ap.add_argument("--calls", type=Path, default=None, metavar="DIR",
                    help="measure on the two-channel calls in DIR instead of the bundled fixtures (DIR/audio/*.flac "
                         "with their scripts in DIR/calls/<stem>.json, the fixtures' layout), e.g. recordings never "
                         "used for tuning; --fixtures N takes the first N (0 = skip)")
    ap.add_argument("--fixture-shift", type=int, default=0, metavar="K",
                    help="fixtures: the calls after K steps of silence (another draw of every cut point; default 0 "
                         "= as recorded)")
    ap.add_argument("--prompt-eval", type=int, default=0, metavar="N",
                    help="also compare no prompt vs a domain prompt on N dev call recordings")
    ap.add_argument("--clips", type=Path, default=MANDARIN, metavar="DIR",
                    help="folder of the clips and their refs.tsv (file, reference; default: ../shared/audio/mandarin)")
    ap.add_argument("--json", type=Path, default=None, metavar="PATH",
                    help="also write every pass's figures, the options and the host's speed to PATH as JSON")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    calls_dir = args.calls or FIXTURES
    if args.fixtures and not sorted((calls_dir / "audio").glob("*.flac")):
        ap.error(f"--calls {calls_dir}: no recordings (expected {calls_dir / 'audio'}/*.flac and their scripts in "
                 f"{calls_dir / 'calls'}/<name>.json)")

    clips = load_refs(args.clips)
    if args.files:
        wanted = {Path(f).name for f in args.files}
        clips = [c for c in clips if c[0].name in wanted]
    engine, reason = choose_engine(args.engine)
    opts = {"cpu_threads": args.threads, "beam_size": args.beam,
            "partial_interval": 1.0 if args.partials else 0.0} if engine == "whisper" else {}
    if engine == "whisper" and args.prompt:
        opts["prompt"] = domain_prompt() if args.prompt == "domain" else args.prompt
    if engine == "whisper" and args.window_pad is not None:
        opts["window_pad"] = args.window_pad
    if engine == "whisper" and args.end_silence is not None:
        opts["end_silence"] = args.end_silence
    if engine == "whisper" and args.hotwords:  # the phrasebook's hotwords for live decodes (off in the product)
        from copilot.analysis.rules import load_rules
        from copilot.session.recording import live_hotwords

        opts["live_hotwords"] = live_hotwords(load_rules())
    if engine == "whisper" and args.opening is not None:  # the agent channel's opening context (phrasebook)
        from copilot.analysis.rules import load_rules
        from copilot.session.factory import agent_opening

        opts["agent_opening"] = agent_opening(load_rules()) if args.opening == "phrasebook" else args.opening or None
    if engine == "whisper" and args.context is not None:
        opts["context_chars"] = args.context
    for item in args.set:
        field_name, _, value = item.partition("=")
        default = getattr(WhisperConfig(), field_name)
        opts[field_name] = (value in ("1", "true", "True")) if isinstance(default, bool) else \
            value if default is None else \
            tuple(float(v) for v in value.split(",")) if isinstance(default, tuple) else type(default)(value)
    if not args.no_agent_lines:
        from phrasebook import load_phrasebook

        AGENT_LINES[:] = [load_phrasebook()]
    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    recognizer = make_recognizer(engine, **opts)
    if hasattr(recognizer, "clock"):  # pace partials on the clock the latencies are measured on (one dedicated core)
        recognizer.clock = time.process_time
    count_decodes(recognizer)
    if args.mode != "stream" and not decodes_whole_channel(recognizer):
        ap.error(f"--mode file/both needs an engine that decodes whole channels (Whisper); {engine} streams only")
    print(f"engine: {engine} ({reason}); mode {args.mode}; model load {time.perf_counter() - t0:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f}; "
          f"threads {args.threads}; options {opts}; agent lines {'on' if AGENT_LINES else 'off'}", flush=True)
    speed = encoder_pass_seconds(recognizer)
    records: list[dict] = []
    if speed is not None:
        print(f"host speed: a 30 s Whisper encoder pass takes {speed:.2f} CPU-s on one thread (latencies below are "
              f"CPU time and scale with it)", flush=True)
    passes = [("16k", False)] + ([] if args.no_8k else [("8k", True)])
    if args.fixtures:
        passes.append(("fixtures" if calls_dir == FIXTURES else calls_dir.name, None))
    modes = ["file", "stream"] if args.mode == "both" else [args.mode]
    rows = []
    for label, phone in passes:
        by_mode = {}
        for mode in modes:
            PARTIAL_LATENCIES.clear()
            DECODES.clear()
            if phone is None:
                files = sorted((calls_dir / "audio").glob("*.flac"))[: args.fixtures]
                st = run_calls(recognizer, files, calls_dir / "calls", mode=mode, shift=args.fixture_shift)
                what = f"{len(files)} {'fixture ' if calls_dir == FIXTURES else ''}calls x 2 channels"
            else:
                st = run(recognizer, clips, phone=phone, mode=mode, shifts=args.shifts)
                what = f"{len(clips)} clips" + (f" x {args.shifts} shifts" if args.shifts > 1 else "")
            by_mode[mode] = st
            latency = (f"final p50 {_pct(st.latencies, 50):.2f} s, p95 {_pct(st.latencies, 95):.2f} s"
                       if st.latencies else "latency n/a (file mode: text comes after the whole recording)")
            if PARTIAL_LATENCIES:
                latency += (f"; partial p50 {_pct(tuple(PARTIAL_LATENCIES), 50):.2f} s, "
                            f"p95 {_pct(tuple(PARTIAL_LATENCIES), 95):.2f} s ({len(PARTIAL_LATENCIES)})")
            print(f"  {label} {mode}: CER {st.cer.cer:.1%} ({st.cer.errors}/{st.cer.ref_chars}; numerals either way "
                  f"{st.numerals.cer:.1%}, {st.numerals.errors}) on {what}, "
                  f"{st.audio_seconds:.1f} s audio; RTF {st.rtf:.3f}; {latency}; "
                  f"capacity {1 / (2 * st.rtf) if st.rtf else float('inf'):.1f} two-channel calls per "
                  f"{args.threads} thread(s); load average {os.getloadavg()[0]:.1f}", flush=True)
            if st.step_errors:
                print(f"    errors per shift step: {' / '.join(map(str, st.step_errors))}", flush=True)
            if mode == "stream" and DECODES:
                print(f"    live decodes: {decode_summary(DECODES, len(st.latencies))}", flush=True)
            if st.latencies:
                log.info("latencies: %s", ", ".join(f"{x:.2f}" for x in st.latencies))
            records.append(pass_record(label, mode, st, tuple(PARTIAL_LATENCIES) if mode == "stream" else (),
                                       tuple(DECODES) if mode == "stream" else ()))
        rows.append((label, by_mode))
    if len(modes) == 2:
        print("\n| audio | file CER (errors) | live CER (errors) | live / file | 95 % interval, draws ≤ 1.1 "
              "| numerals either way: file / live errors, ratio | as recorded: file / live errors, ratio | live RTF "
              "| live final p50 / p95 |")
        print("|---|---|---|---|---|---|---|---|---|")
        for label, by_mode in rows:
            f, s_ = by_mode["file"], by_mode["stream"]
            ratio = s_.cer.cer / f.cer.cer if f.cer.cer else float("inf")
            lo, hi, share = ratio_interval(f.unit_errors, s_.unit_errors)
            fn, sn = f.numerals.errors, s_.numerals.errors
            first = "—"
            if f.step_errors and s_.step_errors:  # step 0 = the clips as recorded, one draw of cut points
                a, b = f.step_errors[0], s_.step_errors[0]
                first = f"{a} / {b}, {b / a if a else float('inf'):.2f}"
            print(f"| {label}{f' x {len(f.step_errors)} shifts' if f.step_errors else ''} | {f.cer.cer:.1%} "
                  f"({f.cer.errors}) | {s_.cer.cer:.1%} ({s_.cer.errors}) | {ratio:.2f} | {lo:.2f}–{hi:.2f}, {share:.0%} "
                  f"| {fn} / {sn}, {sn / fn if fn else float('inf'):.2f} | {first} | {s_.rtf:.3f} | "
                  f"{_pct(s_.latencies, 50):.2f} / {_pct(s_.latencies, 95):.2f} s |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "command": "python -m benchmarks.asr " + " ".join(argv if argv is not None else sys.argv[1:]),
            "started": started, "engine": engine, "options": dict(opts),
            "host_encoder_pass_cpu_seconds": None if speed is None else round(speed, 3),
            "load_average_end": round(os.getloadavg()[0], 2), "passes": records,
        }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}", flush=True)
    if args.prompt_eval and engine == "whisper":
        for line in prompt_eval(args.prompt_eval, args.threads):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
