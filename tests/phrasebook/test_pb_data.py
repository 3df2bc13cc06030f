"""The shipped phrasebook data: valid, and complete against the standard and the core banned list."""

from __future__ import annotations

import re

from pb_helpers import FORMATS, REFERENCE

from phrasebook import check_phrasebook
from phrasebook.model import SERVICE_CODES
from phrasebook.tables import SCRIPT_TRIGGERS


def _strip(text: str) -> str:
    return re.sub(r"[\s，。！？、…,.!?；;：:“”\"（）()]", "", text)


def test_shipped_data_has_no_problems():
    assert check_phrasebook() == []


def test_every_core_banned_variant_is_listed_under_its_id(pb):
    table = (REFERENCE / "core-banned-phrases.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (B\d\d) \| (.+?) \|$", table, flags=re.M)
    assert len(rows) == 16
    by_id = {b.id: b for b in pb.banned}
    for bid, cell in rows:
        for variant in (v.strip() for v in cell.split("·")):
            assert variant in by_id[bid].phrases, (bid, variant)


def test_every_banned_entry_has_a_courteous_replacement(pb):
    for b in pb.banned:
        assert b.replacement and b.family and b.source
        for p in b.phrases:
            assert p not in _strip(b.replacement), (b.id, p)


def test_every_a4_row_is_a_replacement(pb):
    seed = (REFERENCE / "DB330503-T02.3-2018.md").read_text(encoding="utf-8")
    a4 = seed.split("### A.4")[1].split("### A.5")[0]
    rows = [r for r in re.findall(r"^\| (.+?) \| (.+?) \|$", a4, flags=re.M) if r[0] not in ("用 (use)",)]
    rows = [r for r in rows if not set(r[0]) <= {"-", "|", " "}]
    assert len(rows) == 10
    uses = [_strip(r.use) for r in pb.replacements]
    for use, instead in rows:
        assert any(_strip(use).replace("困挠", "困扰").startswith(u.split("/")[0]) for u in uses), use
        first = _strip(instead).split("…")[0].split("，")[0]
        # the right-hand form itself (up to its first comma) is listed
        assert any(
            first.startswith(f) or f.startswith(first) for r in pb.replacements for f in r.instead_of
        ), instead


def test_scripts_cover_every_a3_trigger_and_quote_the_standard(pb):
    raw = (REFERENCE / "DB330503-T02.3-2018.md").read_text(encoding="utf-8")
    seed = _strip(re.sub(r"（[^）]*）", "", raw))  # drop stage directions such as （稍微提高音量）
    assert {s.trigger for s in pb.scripts} == set(SCRIPT_TRIGGERS)
    for s in pb.scripts:
        if s.text:
            assert _strip(s.text) in seed, s.id
        for step in s.steps:
            assert _strip(step) in seed, s.id
    wait = next(s for s in pb.scripts if s.trigger == "wait_complaint")
    assert wait.key_phrases == ("让您久等了",)
    silent = next(s for s in pb.scripts if s.trigger == "silent_call")
    assert set(silent.key_phrases) == {"听不到您的声音", "换一部电话"}
    assert len(silent.steps) == 3


def test_greeting_and_closings(pb):
    assert pb.greeting.standard == "您好！12368！请问有什么可以帮助您？"
    assert set(pb.greeting.accepted) == {"您好12368请问有什么可以帮助您", "您好12368请问有什么可以帮您"}
    texts = {c.text for c in pb.closings}
    assert {"还有什么可以为您服务的", "感谢来电", "感谢您的来电", "再见"} <= texts
    assert {c.kind for c in pb.closings} == {"offer", "thanks", "bye"}


def test_service_types_have_cues_and_checklists(pb):
    assert [s.code for s in pb.service_types] == list(SERVICE_CODES)
    for s in pb.service_types:
        assert len(s.cues) >= 10 and s.checklist
        assert all(0.5 <= c.weight <= 3 for c in s.cues)
    judge = pb.service_type("contact_judge")
    assert any("留言" in item for item in judge.checklist)
    assert any("纪检监察" in item for item in pb.service_type("complaint").checklist)
    assert pb.cue_weight("complaint", "投诉") == 3.0
    assert pb.cue_weight("complaint", "no such cue") == 0.0


def test_referrals_name_the_units_of_the_dev_readme(pb):
    numbers = {r.number for r in pb.referrals}
    assert {"12345", "12333", "110", "12309", "12348", "12315", "119", "120"} <= numbers
    units = " ".join(r.unit for r in pb.referrals)
    for unit in ("劳动保障监察", "仲裁委员会", "街道", "城管", "开户银行"):
        assert unit in units


def test_domain_words_and_courts(pb):
    for w in ("民初", "执恢", "承办法官", "诉讼服务中心", "南浔法院", "南太湖法院", "纪检监察"):
        assert w in pb.domain_words
    assert pb.courts["浙0503"] == "湖州市南浔区人民法院"


def test_dialect_ambiguous_forms_are_not_replaced_blindly(pb):
    by_form = {w.dialect: w for w in pb.dialect}
    for form in ("个", "尔", "伊", "搭", "啦", "蛮", "消", "净", "勿", "伐"):
        assert by_form[form].replace is False, form
    for form in ("侬", "覅", "辰光", "事体", "困觉", "晓得"):
        assert by_form[form].replace is True, form
    areas = [w.area for w in pb.dialect]
    assert areas.index("shanghai") > areas.index("huzhou")  # Huzhou words first


def test_rubric_sums_to_total_and_deducts_every_formats_flag(pb):
    r = pb.rubric
    assert r.total == 100 and sum(i.max for i in r.items) == 100
    assert {i.id: i.max for i in r.items} == {
        "opening": 15,
        "courtesy": 20,
        "need": 15,
        "handling": 25,
        "scripts": 10,
        "closing": 15,
    }
    formats = FORMATS.read_text(encoding="utf-8")
    section = formats.split("### Flag codes")[1].split("A tool may raise further codes")[0]  # the evaluation table
    codes = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M))
    assert "banned_phrase" in codes and "closing_missing" in codes
    assert codes <= {d.code for d in r.deductions}
