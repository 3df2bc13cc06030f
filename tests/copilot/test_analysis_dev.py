"""The analysis core on the labelled dev sample (tests/data/dev: 13 calls, clean and ASR copies, 3 Whisper
transcripts), call by call. The dev-set-wide figures are a benchmark, not a test: ``copilot eval`` on the
whole set (docs/architecture.md, "Tests and benchmarks")."""

import pytest

from copilot.analysis import analyze_transcript
from copilot.evaluation.evaluate import evaluate
from copilot.transcript import load_transcript


@pytest.fixture(scope="module")
def reports(dev_dir):
    return {
        "calls": evaluate(dev_dir / "calls", dev_dir / "labels.jsonl"),
        "asr": evaluate(dev_dir / "asr", dev_dir / "labels.jsonl"),
        "whisper": evaluate(dev_dir / "whisper", dev_dir / "audio-labels.jsonl", by_code=True),
    }


@pytest.mark.parametrize("copy", ["calls", "asr"])
def test_every_sample_call_gets_its_labelled_type_flags_and_record(reports, copy):
    """Each of the 13 named calls (every flag code, every service type, silent calls, late answers) comes out
    exactly as labelled: service type, the (code, turn) flags and the four record fields."""
    rep = reports[copy]
    assert rep.n == 13 and not rep.errors
    assert rep.mistakes == []


def test_whisper_transcripts_get_their_type_and_flag_codes(reports):
    """Real Whisper base output of three recordings: service type and flag codes as labelled; the judge's
    surname is the one field Whisper mishears (陆→路, 程→成), so the record is not compared here."""
    rep = reports["whisper"]
    assert rep.n == 3 and not rep.errors
    assert [m for m in rep.mistakes if ": judge_name " not in m] == []
    assert rep.record_accuracy("case_number") == 1.0 and rep.record_accuracy("caller_role") == 1.0


@pytest.mark.parametrize("copy", ["calls", "asr", "whisper"])
def test_callers_are_never_flagged(dev_dir, copy):
    for path in sorted((dev_dir / copy).glob("DEV-*.json")):
        tr = load_transcript(path)
        result = analyze_transcript(tr)
        for f in result["flags"]:
            assert f["speaker"] == "agent", (path.name, f)
            if f["turn"] is not None:
                assert tr.turns[f["turn"]].speaker == "agent", (path.name, f)


def test_flag_carries_turn_time_words_phrase_and_suggestion(dev_dir):
    r = analyze_transcript(load_transcript(dev_dir / "calls" / "DEV-017.json"))
    banned = [f for f in r["flags"] if f["code"] == "banned_phrase"]
    assert len(banned) == 1
    f = banned[0]
    assert f["turn"] == 6 and f["start"] > 0 and "不归我们管" in f["text"] and "不归我们管" in f["phrase"]
    assert f["suggestion"] and "不归" not in f["suggestion"]
    assert r["service_type"] == "out_of_scope"
    assert {x["code"] for x in r["flags"]} >= {"banned_phrase", "referral_missing"}


def test_a_full_homophone_of_a_cue_counts():
    """Whisper base wrote 及检检查 for 纪检监察 and 去报 for 举报 (FX-05 through the server): the agent's
    handling, heard as homophones, is still rule evidence for a complaint; a different sound is not.
    (The need model already reads the caller's garbled report alone as a complaint.)"""
    from copilot.analysis.analyzer import CallAnalyzer

    def classify(turns):
        a = CallAnalyzer("homophone")
        a.start(source="test")
        for i, (speaker, text) in enumerate(turns):
            a.add_turn(speaker, 5.0 * i, 5.0 * i + 4, text)
        return a

    opening = [("agent", "你好12368请问有什么可以帮助您"),
               ("caller", "我要去报吴星载院执行局的一个工作人员,他暗示我要请课所理台给我办事。")]
    handled = opening + [("agent", "好的,我已经记录下来了。您反应的情况会及时转交及检检查部门办理。")]
    before = classify(opening)
    assert before.result()["service_type"] == "complaint"
    after = classify(handled)
    r = after.result()
    assert r["service_type"] == "complaint", r
    assert "及检检查" in r["evidence"]["complaint"]
    assert after.cls.scores["complaint"] > before.cls.scores.get("complaint", 0.0)
    # same characters count, a different sound does not: 纪律检查 is not a homophone of 纪检监察
    other = classify(opening + [("agent", "好的,我已经记录下来了。您的情况会及时转交纪律检查。")])
    assert "纪律检查" not in other.result()["evidence"].get("complaint", [])
    assert other.cls.scores.get("complaint", 0.0) == before.cls.scores.get("complaint", 0.0)


def _analyse(turns):
    from copilot.analysis.analyzer import CallAnalyzer

    a = CallAnalyzer("asr")
    a.start(source="test")
    for i, (speaker, text) in enumerate(turns):
        a.add_turn(speaker, 5.0 * i, 5.0 * i + 4, text)
    a.finish()
    return a.result()


def test_an_agent_telling_the_caller_to_see_the_judge_is_an_answer_not_a_request():
    """Whisper on FX-07 (a fee-refund consultation): the caller's 诉讼费 and 受理费 were lost, and the agent twice
    said 「找承办法官」 (go to the judge to apply). That is advice; only a caller asking to reach a judge makes
    the call contact_judge."""
    turns = [("agent", "你好12368请问有什么可以帮助您?"),
             ("caller", "你好,我在安及法院打官司,想问一下祖父飞焦了以后还能退吗?"),
             ("agent", "案子调解检案或者测速等,受理最减半收起,多交的部分会退还。"),
             ("caller", "那退飞要找谁办?"),
             ("agent", "找承办法官提出申请,法院选核后退到您的账户,"),
             ("caller", "我刚才没听明白,退飞找谁?"),
             ("agent", "我已经说过了,找承办法官。")]
    r = _analyse(turns)
    assert r["service_type"] == "consultation", r["evidence"]
    assert "找承办法官" not in r["evidence"].get("contact_judge", [])
    # the same words from the caller are a request to reach the judge
    asks = [turns[0], ("caller", "你好,我找承办法官,我的案子开过庭了。"), ("agent", "好的,请稍等。")]
    assert _analyse(asks)["service_type"] == "contact_judge"


def test_a_caller_asking_for_a_judge_whose_name_asr_garbled_is_still_contact_judge():
    """Whisper on DEV-032 wrote 程法官 as 城堂官; 「找…官」 (not 官司) still says who the caller wants."""
    opening = [("agent", "您好12368,请问有什么可以帮助您?")]
    r = _analyse(opening + [("caller", "喂,我找安吉法院的城堂官,我的案子開過停了,判決還沒下來,我想問問他。"),
                            ("agent", "好的,请问您的案号和姓名。")])
    assert r["service_type"] == "contact_judge", r["evidence"]
    r = _analyse(opening + [("caller", "我想找个律师打官司,起诉要交多少钱?"), ("agent", "好的。")])
    assert r["service_type"] == "consultation", r["evidence"]


def test_judge_unreachable_heard_as_a_near_homophone_still_needs_a_callback():
    """Whisper on FX-12 wrote 联系不上 as 连续不上 (and 没人接 as 没人见): the agent still said the judge could
    not be reached, and promised no callback."""
    turns = [("agent", "您好,12368,请问有什么可以帮助您?"),
             ("caller", "你好,我找一下孙法官,我的案号是2025年,这里503,民初975号,"),
             ("agent", "请稍等,我帮您转接。"),
             ("agent", "村法官的电话没人见,连续不上。"),
             ("caller", "那怎么办,我有急事要跟他说,"),
             ("agent", "您明天上午再打过来试试吧。请问还有什么可以为您服务的吗?"),
             ("agent", "感谢您的来电,再见!")]
    r = _analyse(turns)
    assert r["service_type"] == "contact_judge"
    assert "judge_callback_missing" in {f["code"] for f in r["flags"]}
    turns[5] = ("agent", "我已经给孙法官留颜了,他会尽快给您回电。请问还有什么可以为您服务的吗?")
    assert "judge_callback_missing" not in {f["code"] for f in _analyse(turns)["flags"]}


def test_the_silent_call_script_counts_when_the_goodbye_is_its_own_turn():
    """Whisper on FX-08 cut the script's last sentence and 「感谢来电，再见！」 into two utterances (and heard
    换一部 as its homophone 换衣布): the script was said. Without it, the call is flagged."""
    from copilot.analysis.analyzer import CallAnalyzer

    def flags(turns):
        a = CallAnalyzer("silent")
        a.start(source="test")
        for i, text in enumerate(turns):
            a.add_turn("agent", 5.0 * i, 5.0 * i + 4, text)
        a.finish()
        return {f["code"] for f in a.result()["flags"]}

    greet = ["您好,12368,请问有什么可以帮您?", "您好,12368,请问有什么可以帮您?"]
    assert "silent_call_script_missing" not in flags(
        greet + ["您好,我听不到您的声音,请您换衣布电话再打来好吗?", "感谢来电,再见!"])
    assert "silent_call_script_missing" in flags(greet + ["感谢来电,再见!"])
    assert "silent_call_script_missing" in flags(greet + ["您好,我听不到您的声音。", "感谢来电,再见!"])
    # Whisper often writes 您 as 你: the script was still said (the courtesy is checked on its own)
    assert "silent_call_script_missing" not in flags(
        greet + ["你好,我听不到你的声音,请您换衣布电话再打来好吗,感谢来电,再见"])


def test_a_caller_who_has_not_spoken_yet_is_not_yet_a_silent_call():
    """During a call the record's summary waits for the caller; a call that ends without a word from the
    caller is summarised as silent (the live demo showed 「来电无声」 3 s into a call)."""
    from copilot.analysis.analyzer import CallAnalyzer
    from copilot.events import RecordUpdated

    a = CallAnalyzer("wait")
    a.start(source="test")
    evs = a.add_turn("agent", 0.5, 3.0, "您好！12368！请问有什么可以帮助您？")
    records = [e.record for e in evs if isinstance(e, RecordUpdated)]
    assert all(r["summary"] == "" and r["caller_role"] is None for r in records), records
    end = [e.record for e in a.finish() if isinstance(e, RecordUpdated)]
    assert end and end[-1]["summary"].endswith("来电无声") and end[-1]["caller_role"] == "other"
    assert a.result()["record"]["summary"].endswith("来电无声")
