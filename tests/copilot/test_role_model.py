"""The caller-role model (examples/roles.toml → copilot/analysis/role_model.py) and the call's role, one named
class of error per test. Sentences are written for these tests (not from any evaluation set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.analysis import analyze_transcript
from copilot.analysis.rules import load_rules
from copilot.transcript import Transcript
from phrasebook.roles import ROLE_CODES, RolesDataError, read_roles

GREETING = "您好！12368！请问有什么可以帮助您？"


def call(*turns: tuple[str, str]) -> Transcript:
    return Transcript.from_lines("R-1", (("agent", GREETING), *turns))


def role(*turns: tuple[str, str]) -> str:
    return analyze_transcript(call(*turns))["record"]["caller_role"]


def test_shipped_roles_file_is_valid_and_covers_every_role() -> None:
    pb = load_rules().pb
    data = read_roles(Path(pb.source_dir) / "examples" / "roles.toml")
    assert data is not None
    assert {g.role for g in data.groups} == {*ROLE_CODES, "none"}
    assert data.default("consultation", "撤诉") == "party" and data.default("complaint", "意见建议") == "other"
    assert data.default("no-such-type") == "other"  # formats.md: other = 其他/未知


@pytest.mark.parametrize(("body", "message"), [
    ('[[group]]\nrole = "judge"\nname = "x"\nexamples = ["我是法官。"]\n', "role is 'judge'"),
    ('[[group]]\nrole = "party"\nname = "x"\nexamples = ["我是原告。", "我是原告"]\n', "written twice"),
    ('[defaults]\ninfo_query = "lawyer"\n[[group]]\nrole = "party"\nname = "x"\nexamples = ["我是原告。"]\n',
     "default for 'info_query'"),
    ('[[group]]\nrole = "party"\nname = "x"\nexamples = []\n', "non-empty strings"),
])
def test_bad_roles_file_is_a_clear_error_with_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RolesDataError, match=message) as exc:
        read_roles(path)
    assert str(exc.value).startswith(f"{path}:")


def test_a_relative_calling_for_a_party_is_other() -> None:
    assert role(("caller", "你好，我是被告的外甥女，我舅舅耳朵不好，他那个案子下礼拜开庭，我替他问一下。")) == "other"


def test_a_relative_with_the_word_for_party_in_the_sentence_is_still_other() -> None:
    assert role(("caller", "我是申请执行人的老公，她上班走不开，执行款到了没有？")) == "other"


def test_lawyers_and_legal_workers_are_litigation_agents_even_when_they_say_原告() -> None:
    assert role(("caller", "您好，我是衢州正阳律师事务所的律师，代理原告，想查一下保全的情况。")) == "litigation_agent"
    assert role(("caller", "我是法律工作者，受被告委托代理他的借款案子，问一下开庭时间。")) == "litigation_agent"


def test_a_lawyer_in_a_criminal_case_is_a_defender() -> None:
    assert role(("caller", "我是律师，代理一个刑事案子，被告人姓赵，想约时间阅卷。")) == "defender"


def test_a_party_who_cannot_afford_a_lawyer_is_not_a_lawyer() -> None:
    assert role(("caller", "我是被告，我请不起律师，想问问开庭那天我自己去要带什么。")) == "party"


def test_a_witness_is_other() -> None:
    assert role(("caller", "你好，我收到法院的通知，叫我去出庭作证，我只是证人，要带什么东西？")) == "other"


def test_a_prospective_plaintiff_without_a_case_is_a_party() -> None:
    # The project's convention (docs/understanding.md §0): a caller about to sue over their own dispute is a party.
    assert role(("caller", "我想问问，装修队收了钱不干活，这种事情能不能到法院去告？")) == "party"


def test_a_role_said_late_in_answer_to_the_agent_counts() -> None:
    turns = (("caller", "你好，我想查一下（2025）浙0802民初315号开庭的时间。"),
             ("agent", "好的，请问您是当事人本人吗？"),
             ("caller", "不是，我是她女婿。"))
    assert role(*turns) == "other"
    assert role(*turns[:2], ("caller", "对，是我本人。")) == "party"


def test_the_agent_addressing_the_caller_as_a_lawyer_counts() -> None:
    assert role(("caller", "你好，查一下（2025）浙0881民初77号的送达情况。"),
                ("agent", "好的，孔律师，请您稍等。"),
                ("caller", "好的。")) == "litigation_agent"


def test_a_petitioner_about_a_relatives_case_is_a_petitioner() -> None:
    assert role(("caller", "我为了我儿子的案子到中院递了信访材料，两个月了，我想问问信访件有人处理没有。")) == "petitioner"


def test_a_suggestion_from_a_member_of_the_public_is_other() -> None:
    assert role(("caller", "我不是来打官司的，就想提个建议，你们诉讼服务中心能不能多放几把椅子。")) == "other"


def test_an_out_of_scope_caller_who_is_a_party_stays_a_party() -> None:
    assert role(("caller", "我是（2025）浙1102民初808号的原告，想问问法律援助中心的电话是多少。")) == "party"


def test_without_a_self_description_the_default_follows_the_type() -> None:
    assert role(("caller", "帮我查一下（2025）浙0903民初612号什么时候开庭。")) == "party"
    assert role(("caller", "住房公积金怎么提取出来？")) == "other"


def test_role_model_is_cached_and_retrained_when_roles_toml_changes(tmp_path: Path, monkeypatch) -> None:
    from dataclasses import replace

    from copilot.analysis import role_model as rm

    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path / "cache"))
    rules = load_rules()
    shipped = Path(rules.pb.source_dir) / "examples" / "roles.toml"
    pbdir = tmp_path / "pb"
    (pbdir / "examples").mkdir(parents=True)
    (pbdir / "examples" / "roles.toml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    # a few need examples as `none`: trains in a second
    groups = tuple(replace(g, examples=g.examples[:3], lines=g.lines[:3]) for g in rules.pb.examples)
    pb = replace(rules.pb, examples=groups, source_dir=str(pbdir))
    first = rm.load_role_model(pb, rules.dialect_map)
    assert first is not None and not first.from_cache
    second = rm.load_role_model(pb, rules.dialect_map)
    assert second is not None and second.from_cache and second.key == first.key
    text = "我是原告的代理律师"
    assert second.predict(text) == pytest.approx(first.predict(text))
    with (pbdir / "examples" / "roles.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[group]]\nrole = "other"\nname = "新增"\nexamples = ["我是人民调解员。"]\n')
    third = rm.load_role_model(pb, rules.dialect_map)
    assert third is not None and not third.from_cache and third.key != first.key
    # a phrasebook without roles.toml has no role model: the extractor falls back to its rules
    assert rm.load_role_model(replace(pb, source_dir=str(tmp_path / "none")), rules.dialect_map) is None
