"""The call pipeline's timing, stage by stage: scripted lines through the real pipeline (copilot.session.testing).

The real analysis, the real acoustic monitor and the real event order; only the recogniser is scripted
(each line is recognised 0.3 s after it ends). Times are the audio position the pipeline had consumed when
an event came out, so "right after the agent's first line" is a number, with no model and no clock.
"""

from __future__ import annotations

import pytest

from copilot.analysis.rules import load_rules
from copilot.session.testing import Line, ScriptedRecognizer, run_script, script_audio

LATENCY = 0.3
CHUNK = 0.1
GREETING = "您好！12368！请问有什么可以帮助您？"


def test_greeting_missing_is_flagged_as_soon_as_the_first_agent_line_is_recognised():
    run = run_script([("agent", 0.5, 3.0, "喂，南浔法院，请讲。"),
                      ("caller", 3.8, 8.0, "你好，我想问一下我的案子什么时候开庭。"),
                      ("agent", 8.5, 11.0, "好的，请您报一下案号。")])
    flag = run.first("flag", code="greeting_missing")
    assert flag.event.turn == 0 and flag.event.speaker == "agent"
    assert 3.0 + LATENCY <= flag.at <= 3.0 + LATENCY + CHUNK  # with the line's final, not at the end of the call
    final = run.first("utterance", speaker="agent", final=True)
    assert run.timed.index(final) < run.timed.index(flag)  # the line is on screen before its flag
    fix = [x for x in run.of("suggestion", kind="greeting") if x.at == flag.at]
    assert fix and GREETING in fix[0].event.text  # and what to say instead, at the same moment


def test_the_standard_greeting_raises_nothing():
    run = run_script([("agent", 0.5, 3.0, GREETING), ("caller", 3.8, 6.0, "我想问一下开庭时间。")])
    assert run.of("flag", code="greeting_missing") == []


def test_service_type_follows_the_callers_request_not_before():
    run = run_script([("agent", 0.5, 3.0, GREETING),
                      ("caller", 3.8, 8.0, "你好，我想找一下沈法官，我的案子开过庭了。"),
                      ("agent", 8.5, 11.0, "好的，请您稍等，我帮您联系。")])
    judge = run.first("service_type", service_type="contact_judge")
    assert 8.0 + LATENCY <= judge.at <= 8.0 + LATENCY + CHUNK
    assert all(x.at >= judge.at for x in run.of("suggestion", kind="checklist"))
    assert any("法官" in x.event.text for x in run.of("suggestion", kind="checklist"))


def test_silent_call_prompts_the_a3_steps_at_5_and_10_seconds_after_the_greeting():
    """A.3: greeting, 5 s pause, the greeting again, 5 s pause, the closing script — each prompted on time."""
    steps = load_rules().scripts["silent_call"][0].steps
    run = run_script([("agent", 0.5, 3.5, GREETING)], duration=17.0)
    prompts = [x for x in run.of("suggestion", kind="script") if x.event.reason.startswith("来电人无声")]
    assert [x.event.reason for x in prompts] == ["来电人无声 5 秒", "来电人无声 10 秒"]
    assert [x.at for x in prompts] == pytest.approx([3.5 + 5.0, 3.5 + 10.0], abs=0.25)
    assert [x.event.text for x in prompts] == [steps[1], steps[2]]  # greeting again, then the closing script
    assert "听不到您的声音" in steps[2] and "12368" in steps[1]
    # the agent never said the script: flagged when the call ends, not before
    missing = run.first("flag", code="silent_call_script_missing")
    assert missing.at == pytest.approx(17.0) and run.timed[-1].event.type == "call_ended"


def test_a_caller_who_answers_stops_the_silent_call_prompts():
    run = run_script([("agent", 0.5, 3.5, GREETING), ("caller", 6.0, 9.0, "喂，你好，我想咨询一下。")],
                     duration=20.0)
    reasons = [x.event.reason for x in run.of("suggestion", kind="script")]
    assert not [r for r in reasons if r.startswith("来电人无声")], reasons


def test_a_banned_phrase_is_flagged_on_its_own_turn_when_it_is_said():
    run = run_script([("agent", 0.5, 3.0, GREETING),
                      ("caller", 3.5, 7.0, "我的工资被老板拖欠了，你们法院能不能管？"),
                      ("agent", 7.5, 10.0, "这个不归我们管。"),
                      ("caller", 10.5, 12.0, "那我找谁？")])
    banned = run.first("flag", code="banned_phrase")
    assert banned.event.turn == 2 and "不归我们管" in banned.event.phrase
    assert 10.0 + LATENCY <= banned.at <= 10.0 + LATENCY + CHUNK


def test_the_scripted_recogniser_gives_a_partial_then_the_final_per_line():
    rec = ScriptedRecognizer([Line("caller", 1.0, 3.0, "我想问一下")], latency=0.5)
    session = rec.open_session("caller")
    out = []
    for chunk in script_audio([("caller", 1.0, 3.0, "我想问一下")], duration=4.0):
        if chunk.speaker == "caller":
            out += [(round(chunk.start + chunk.seconds, 1), u.final, u.text) for u in session.accept(chunk.pcm)]
    assert out == [(2.0, False, "我想"), (3.5, True, "我想问一下")]
    assert session.finish() == [] and rec.open_session("agent").finish() == []


def test_bad_script_lines_are_refused():
    with pytest.raises(ValueError, match="speaker"):
        Line("judge", 0.0, 1.0, "…")
    with pytest.raises(ValueError, match="start < end"):
        Line("agent", 2.0, 1.0, "…")
