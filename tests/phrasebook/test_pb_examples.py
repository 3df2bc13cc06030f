"""The example sentences (phrasebook/data/examples/*.toml): shipped data is valid and big enough, and the
validator reports duplicates, a sentence under two types and unknown referrals with file:line."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from phrasebook import load_phrasebook
from phrasebook.loader import DATA_DIR, check_phrasebook
from phrasebook.model import SERVICE_CODES


def test_shipped_examples_cover_every_type() -> None:
    pb = load_phrasebook()
    per_label = Counter()
    for g in pb.examples:
        per_label[g.label] += len(g.examples)
        assert g.need and all(isinstance(x, str) and x for x in g.examples)
        assert len(g.lines) == len(g.examples) and all(n > 0 for n in g.lines)
    for code in SERVICE_CODES:
        assert per_label[code] >= 60, (code, per_label[code])
    assert per_label["none"] >= 60
    assert sum(per_label.values()) >= 400
    # every out-of-scope group names a unit of the referral directory
    units = {r.number for r in pb.referrals if r.number} | {r.unit for r in pb.referrals}
    oos = [g for g in pb.examples if g.label == "out_of_scope"]
    assert oos and all(g.referral in units for g in oos)
    assert {"12329", "12333", "110", "12345", "12315", "12309", "12348"} <= {g.referral for g in oos}


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "pb"
    shutil.copytree(DATA_DIR, d)
    return d


def _insert_after(path: Path, anchor: str, new_line: str) -> int:
    """Insert ``new_line`` after the line holding ``anchor``; return the new line's 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if anchor in line)
    lines.insert(i + 1, new_line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return i + 2


def test_same_sentence_under_two_types_is_reported_with_file_and_line(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    line = _insert_after(d / "examples" / "complaint.toml", "examples = [", '  "我想问一下我的案子什么时候开庭。",')
    errors = check_phrasebook(d)
    msgs = [f"{Path(e.file).name}:{e.line}: {e.message}" for e in errors]
    assert any("info_query" in m and "complaint" in m for m in msgs), msgs
    # the later of the two (info_query.toml is read after complaint.toml) carries the message; it names the other
    hit = next(e for e in errors if "a sentence can mean only one thing" in e.message)
    assert f"complaint.toml:{line}" in hit.message


def test_duplicate_in_one_type_ignores_punctuation_and_spaces(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    line = _insert_after(d / "examples" / "none.toml", "examples = [", '  "喂 你好",')
    errors = check_phrasebook(d)
    dup = [e for e in errors if "duplicate example" in e.message]
    assert dup and Path(dup[0].file).name == "none.toml"
    # the inserted 「喂 你好」 now comes first; the shipped 「喂，你好。」 on the next line is the duplicate
    assert dup[0].line == line + 1 and f"(first at none.toml:{line})" in dup[0].message


def test_unknown_referral_and_bad_file_name(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    p = d / "examples" / "out_of_scope.toml"
    text = p.read_text(encoding="utf-8").replace('referral = "12329"', 'referral = "99999"', 1)
    p.write_text(text, encoding="utf-8")
    (d / "examples" / "appointments.toml").write_text('[[group]]\nneed = "x"\nexamples = ["一句话"]\n',
                                                       encoding="utf-8")
    msgs = [f"{Path(e.file).name}:{e.line}: {e.message}" for e in check_phrasebook(d)]
    assert any(m.startswith("out_of_scope.toml:") and "'99999'" in m for m in msgs), msgs
    assert any(m.startswith("appointments.toml:0:") and "not a service type code" in m for m in msgs), msgs
