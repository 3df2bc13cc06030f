"""The Whisper initial prompt is built from the phrasebook: the greeting, a case number and the callers' needs."""

from __future__ import annotations

from copilot.analysis.rules import Rules, load_rules
from copilot.session.recording import domain_prompt


def test_prompt_carries_the_strongest_cue_of_every_handled_service_type():
    rules = load_rules()
    prompt = domain_prompt(rules)
    assert prompt.startswith("您好，12368，请问有什么可以帮助您？")
    for st in rules.pb.service_types:
        plain = sorted((c for c in st.cues if c.text), key=lambda c: -c.weight)
        if st.code == "out_of_scope":
            assert not any(c.text in prompt for c in plain[:3]), st.code  # referral words stay out
        else:
            assert plain[0].text in prompt, st.code
    assert "举报" in prompt and "承办法官" in prompt and "浙0503民初1234号" in prompt
    # full-width "！" next to digits makes Whisper base write "１"; the needs are joined with "、"
    assert "！" not in prompt and "１" not in prompt


def test_prompt_follows_an_edited_phrasebook():
    from dataclasses import replace

    from phrasebook.model import Cue

    rules = load_rules()
    sts = tuple(replace(st, cues=(Cue(weight=3.0, text="乱收费"),)) if st.code == "complaint" else st
                for st in rules.pb.service_types)
    prompt = domain_prompt(Rules(replace(rules.pb, service_types=sts)))
    assert "乱收费" in prompt and "投诉" not in prompt and "举报" not in prompt
