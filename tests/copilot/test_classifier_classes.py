"""Service type on the classes of error found in the third round (issue 15): one sentence or short call per
class, written for these tests (the examples teach the class in other words)."""

from __future__ import annotations

import pytest

from copilot.analysis import analyze_transcript
from copilot.transcript import Transcript, Turn

GREETING = "您好！12368！请问有什么可以帮助您？"


def service_type(*caller: str) -> str:
    out, t = [Turn("agent", 0.0, 3.0, GREETING)], 3.5
    for text in caller:
        out.append(Turn("caller", t, t + 3.0, text))
        t += 3.5
    return analyze_transcript(Transcript(call_id="C-1", turns=tuple(out)))["service_type"]


@pytest.mark.parametrize(("text", "expected"), [
    # a complaint about a judge nobody can reach, said as 讨说法, is a complaint, not a request to reach the judge
    ("法官的电话我打了一个多月了从来没人接，你们今天必须给我一个说法！", "complaint"),
    # a judgment in absence without a summons, said in anger
    ("我连传票都没见过，法院就缺席把我判了，这算怎么回事，我要反映！", "complaint"),
    # the status of a refund already applied for is a query, not a question about how refunds work
    ("诉讼费退一半的申请我早就交了，钱到现在还没退回来，帮我看一下。", "info_query"),
    # a holiday appointment to file for enforcement
    ("春节放假我才回得来，想初六去法院交强制执行的申请，那天能办吗？", "appointment"),
    # a lawyer booking a time to read the file
    ("我是辩护律师，想约下周二上午过来阅卷。", "appointment"),
    # how long one has to appeal after a judgment is a procedural question
    ("一审判决我拿到了，我不服，最晚哪天之前要把上诉状交上去？", "consultation"),
])
def test_class(text: str, expected: str) -> None:
    assert service_type(text) == expected
