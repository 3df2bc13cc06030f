"""`copilot phrasebook import-examples`: labelled caller sentences from an independent author → example files.

Each test imports into a copy of the shipped phrasebook (tmp_path) and reads the result back with the real
loader and validator. Sentences are written for these tests (not from any evaluation set)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from phrasebook.cli import cmd_check, cmd_import
from phrasebook.importer import ImportDataError, import_examples, plan, read_jsonl
from phrasebook.loader import DATA_DIR, load_phrasebook
from phrasebook.roles import read_roles


@pytest.fixture
def pb_dir(tmp_path: Path) -> Path:
    d = tmp_path / "pb"
    shutil.copytree(DATA_DIR, d)
    return d


def jsonl(path: Path, *rows: dict | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def need(text: str, label: str, need_: str = "随便什么诉求") -> dict:
    return {"text": text, "service_type": label, "need": need_, "register": "colloquial"}


@pytest.mark.parametrize(("row", "message"), [
    ('{"text": "我想问下开庭的事", "service_type": "info_query", "need": "查开庭"', "not a JSON object"),
    ('["我想问下开庭的事", "info_query"]', "expected a JSON object"),
    (json.dumps(need("我想问下开庭的事", "query")), "service_type is 'query'; expected one of"),
    (json.dumps({"text": "我想问下开庭的事", "service_type": "info_query"}), 'expected "need"'),
    (json.dumps(need("  ，。 ", "info_query")), 'expected "text": a non-empty sentence'),
    (json.dumps({"text": "我是他儿子", "caller_role": "son"}), "caller_role is 'son'; expected one of"),
])
def test_a_bad_line_names_file_line_and_what_was_expected(tmp_path: Path, row: str, message: str) -> None:
    good = need("我那个官司到现在还没个说法，到底审到哪了？", "info_query", "查进度")
    if "caller_role" in row:
        good = {"text": "我是原告本人。", "caller_role": "party"}
    path = jsonl(tmp_path / "a.jsonl", good, "", row)
    with pytest.raises(ImportDataError) as exc:
        read_jsonl(path)
    assert exc.value.file == str(path) and exc.value.line == 3
    assert message in exc.value.message


def test_the_command_prints_file_line_and_writes_nothing_on_a_bad_line(pb_dir: Path, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", need("法院过年放假期间能不能去立案？", "appointment"), '{"text": 1}')
    out = io.StringIO()
    assert cmd_import(str(path), "w1", pb_dir, out=out) == 1
    assert out.getvalue().startswith(f"{path}:2: ")
    assert not list((pb_dir / "examples").glob("*_w1.toml"))


def test_a_sentence_under_two_labels_is_refused_with_both_places(pb_dir: Path, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", need("我要找负责我案子的书记员小刘。", "contact_judge"),
                 need("法院对面那个停车场收费吗", "consultation"),
                 need("我要找负责我案子的书记员小刘", "complaint"))
    with pytest.raises(ImportDataError) as exc:
        plan(path, "w1", pb_dir)
    assert exc.value.line == 3 and f"{path}:1" in exc.value.message and "contact_judge" in exc.value.message


def test_a_sentence_the_phrasebook_has_under_another_label_is_refused(pb_dir: Path, tmp_path: Path) -> None:
    pb = load_phrasebook(pb_dir)
    g = next(g for g in pb.examples if g.label == "consultation")
    path = jsonl(tmp_path / "a.jsonl", need(g.examples[0], "complaint"))
    with pytest.raises(ImportDataError) as exc:
        plan(path, "w1", pb_dir)
    assert f"{g.file}:{g.lines[0]}" in exc.value.message


def test_import_writes_type_files_that_load_and_skips_duplicates(pb_dir: Path, tmp_path: Path) -> None:
    pb = load_phrasebook(pb_dir)
    old = next(g for g in pb.examples if g.label == "consultation")
    new_text = "我家隔壁把围墙砌到我家地里来了，这种事情法院管不管，要怎么去告他？"
    oos = "我想把住房公积金取出来还房贷，要到哪里去办手续？"
    path = jsonl(tmp_path / "a.jsonl",
                 need(old.examples[0], "consultation"),              # already there → skipped
                 need(old.examples[1] + "呀", "consultation"),          # near duplicate → skipped
                 need(new_text, "consultation", "邻里纠纷怎么起诉"),
                 need(new_text.replace("，", " "), "consultation"),     # the same sentence again in the file
                 need(oos, "out_of_scope", "公积金"))
    report = import_examples(path, "w1", pb_dir)
    assert (report.read, report.exact, len(report.near), report.repeats) == (5, 1, 1, 1)
    assert report.written == {"consultation_w1.toml": 1, "out_of_scope_w1.toml": 1}
    text = (pb_dir / "examples" / "consultation_w1.toml").read_text(encoding="utf-8")
    assert "来源：w1" in text and "a.jsonl:3" in text
    assert cmd_check(pb_dir, out=io.StringIO()) == 0
    pb = load_phrasebook(pb_dir)
    mine = {ex: g for g in pb.examples for ex in g.examples if g.file.endswith("_w1.toml")}
    assert set(mine) == {new_text, oos}
    assert mine[new_text].label == "consultation"
    assert mine[new_text].need in {g.need for g in pb.examples if g.label == "consultation" and g is not mine[new_text]}
    assert mine[oos].label == "out_of_scope" and mine[oos].referral == "12329"  # the housing-fund group's referral


def test_importing_a_source_again_replaces_its_files(pb_dir: Path, tmp_path: Path) -> None:
    first = jsonl(tmp_path / "a.jsonl", need("节假日法院上不上班，能不能来立案？", "appointment"))
    import_examples(first, "w1", pb_dir)
    second = jsonl(tmp_path / "b.jsonl", need("我那个执行案子的钱到底什么时候能打给我？", "info_query"))
    report = import_examples(second, "w1", pb_dir)
    assert report.exact == 0
    assert sorted(p.name for p in (pb_dir / "examples").glob("*_w1.toml")) == ["info_query_w1.toml"]


def test_role_sentences_go_to_the_nearest_group_of_their_role_and_are_read_with_roles_toml(
        pb_dir: Path, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "r.jsonl", {"text": "我是这个案子原告的代理律师，姓方。", "caller_role": "litigation_agent"},
                 {"text": "我是替我舅舅打的，他耳朵不好。", "caller_role": "other"})
    report = import_examples(path, "w1", pb_dir)
    assert report.written == {"roles_w1.toml": 2}
    data = read_roles(pb_dir / "examples" / "roles.toml")
    assert data is not None
    got = {e: (g.role, g.name) for g in data.groups for e in g.examples}
    assert got["我是这个案子原告的代理律师，姓方。"][0] == "litigation_agent"
    assert got["我是替我舅舅打的，他耳朵不好。"][0] == "other"
    names = {g.name for g in read_roles(DATA_DIR / "examples" / "roles.toml").groups}
    assert {got[e][1] for e in got} <= names
    assert cmd_check(pb_dir, out=io.StringIO()) == 0
    # a role sentence the roles files already hold under another role is refused
    again = jsonl(tmp_path / "r2.jsonl", {"text": "我是这个案子原告的代理律师，姓方", "caller_role": "party"})
    with pytest.raises(ImportDataError, match="litigation_agent"):
        import_examples(again, "w2", pb_dir)


def test_an_example_file_must_start_with_a_label(pb_dir: Path) -> None:
    (pb_dir / "examples" / "queries_w1.toml").write_text('[[group]]\nneed = "x"\nexamples = ["随便一句话"]\n',
                                                          encoding="utf-8")
    out = io.StringIO()
    assert cmd_check(pb_dir, out=out) == 1
    assert "queries_w1" in out.getvalue() and "_<source>" in out.getvalue()
