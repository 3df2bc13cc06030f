"""The extractor reads a turn's words again (with its pauses) for a judge's or the caller's name only when the turn
holds a character those patterns need: the pre-test never drops a name the full reading finds."""

from __future__ import annotations

from copilot.analysis import extractor as ex
from copilot.analysis.rules import load_rules
from copilot.analysis.turns import make_turn
from copilot.transcript import load_transcript
from tests.conftest import DEV


def _turns():
    rules = load_rules()
    said = ["我找一下审判长", "麻烦接承办人", "執行員姓王", "我找王庭长", "承办人是李建国", "審判長是欧阳明", "执行员叫陈立", "我姓欧阳", "本人叫李明", "嗯好的谢谢", "我找王法 官",
            "明天开庭吗", "电话是13912345678", "我老公叫张三"]
    for folder in ("calls", "asr"):
        for path in sorted((DEV / folder).glob("*.json")):
            said += [t.text for t in load_transcript(path).turns]
    for i, text in enumerate(said):
        for speaker in ("caller", "agent"):
            yield make_turn(i, speaker, 0.0, 1.0, text, rules.dialect_map)


def test_a_turn_without_the_characters_has_no_judge_and_no_caller_name() -> None:
    skipped = found = 0
    for t in _turns():
        paused = ex._with_pauses(t.text)
        judge, name = ex.Extractor._judge_in(paused), ex._caller_name_in(t, paused)
        if not ex._may_hold(t, ex._JUDGE_CHARS):
            assert judge is None, t.text
            skipped += 1
        if not ex._may_hold(t, ex._NAME_CHARS):
            assert name is None, t.text
            skipped += 1
        found += bool(judge) + bool(name)
    assert skipped > 100 and found > 20  # the pre-test skips most turns, and names are found


def test_names_are_still_found_through_the_call() -> None:
    from copilot.analysis.analyzer import CallAnalyzer

    a = CallAnalyzer("x", rules=load_rules(), cases=None)
    for sp, text in [("agent", "您好！12368！请问有什么可以帮您？"), ("caller", "喂，我叫周建国，我想找一下陆法官。"),
                     ("agent", "好的周先生，请问案号是多少？"), ("caller", "嗯，稍等。")]:
        a.add_turn(sp, 0.0, 1.0, text)
    a.finish()
    rec = a.result()["record"]
    assert rec["caller_name"] == "周建国" and rec["judge_name"] == "陆法官"
