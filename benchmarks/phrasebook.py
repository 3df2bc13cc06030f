"""Speed of the phrasebook: ``python -m benchmarks.phrasebook [--runs N]``.

Targets: building the matcher for the whole phrasebook ≤ 300 ms; ``find_all`` on a ~40-character
utterance ≤ 1 ms median. The one-time load of pypinyin's character table is reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import time

from phrasebook.find import PhraseIndex, find_all, phrase_index
from phrasebook.loader import load_phrasebook
from phrasebook.pinyin import _table

SAMPLES = (
    "好的请问您是案件的当事人吗麻烦您报一下案号和您的姓名我帮您查询一下",
    "这不归我们管等案子到了法院再说您明天上午再打过来试试吧或者直接去",
    "具体多久能出裁定我不知道要看承办法官您可以在申请书上写明情况紧急",
    "您好幺二三六八请问有什么可以帮助您我想问一下我那个案子什么时候开庭",
    "交费通知已经发到你手机上了按短信里的链接交就行那开庭大概什么时候",
    "不好意思刚才因为线路忙让您久等了很高兴为您服务请讲我想预约节假日立案",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000, help="find_all calls per sample")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    _table()
    t1 = time.perf_counter()
    pb = load_phrasebook()
    t2 = time.perf_counter()
    builds = []
    for _ in range(5):
        s = time.perf_counter()
        index = PhraseIndex(pb)
        builds.append(time.perf_counter() - s)
    phrase_index(pb)
    print(f"pinyin table load (once per process): {1000 * (t1 - t0):.1f} ms")
    print(f"load + validate phrasebook:           {1000 * (t2 - t1):.1f} ms")
    print(
        f"build matcher ({len(index.matcher)} phrases):        "
        f"median {1000 * statistics.median(builds):.1f} ms, max {1000 * max(builds):.1f} ms (target ≤ 300)"
    )
    for fuzzy in (False, True):
        times = []
        for text in SAMPLES:
            find_all(pb, text, fuzzy=fuzzy)
            for _ in range(args.runs):
                s = time.perf_counter()
                find_all(pb, text, fuzzy=fuzzy)
                times.append(time.perf_counter() - s)
        times.sort()
        mean_len = statistics.mean(len(t) for t in SAMPLES)
        print(
            f"find_all fuzzy={fuzzy!s:5} on {mean_len:.0f}-char text: median {1e6 * statistics.median(times):.0f} µs, "
            f"p95 {1e6 * times[int(0.95 * len(times))]:.0f} µs (target median ≤ 1000)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
