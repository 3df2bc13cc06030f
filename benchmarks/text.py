"""Speed of the normaliser and the extractors: ``python -m benchmarks.text [DEV_DIR]``.

Prints the median and 95th percentile time per utterance over every turn of the dev calls
(clean, ASR-style and Whisper copies), for ``normalize`` alone and for normalise + extract.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks.text_extraction import DEFAULT_DEV_DIR
from copilot.text.errors import TextError
from copilot.text.normalize import normalize
from copilot.text.numbers import find_case_numbers, find_phones

DIALECT = {"侬": "你", "晓得": "知道", "勿": "不", "伐": "吗", "辰光": "时间", "困觉": "睡觉", "明朝": "明天"}


def _turns(dev_dir: Path) -> list[str]:
    texts = []
    for copy in ("calls", "asr", "whisper"):
        for path in sorted((dev_dir / copy).glob("*.json")):
            texts.extend(t["text"] for t in json.loads(path.read_text(encoding="utf-8"))["turns"])
    if not texts:
        raise TextError("no transcripts found", where=str(dev_dir))
    return texts


def _time(fn, texts: list[str], rounds: int) -> list[float]:
    per = []
    for text in texts:
        t0 = time.perf_counter()
        for _ in range(rounds):
            fn(text)
        per.append((time.perf_counter() - t0) / rounds * 1000)
    return per


def _both(text: str) -> None:
    canon = normalize(text, dialect=DIALECT).text
    find_case_numbers(canon)
    find_phones(canon)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    dev_dir = Path(args[0]) if args else DEFAULT_DEV_DIR
    texts = _turns(dev_dir)
    for text in texts:  # warm the lazy imports and caches once
        _both(text)
    chars = statistics.median(len(t) for t in texts)
    print(f"{len(texts)} utterances, median {chars:.0f} characters")
    for name, fn in (("normalize", lambda t: normalize(t, dialect=DIALECT)), ("normalize+extract", _both)):
        per = sorted(_time(fn, texts, 5))
        p95 = per[int(0.95 * (len(per) - 1))]
        print(f"{name:18s} median {statistics.median(per):.3f} ms  p95 {p95:.3f} ms  max {per[-1]:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
