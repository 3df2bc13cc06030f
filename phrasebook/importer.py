"""Import labelled caller sentences written by an independent author into the phrasebook's example files.

    copilot phrasebook import-examples sentences.jsonl --source a      # → examples/<type>_a.toml
    copilot phrasebook import-examples roles.jsonl --source a          # → examples/roles_a.toml

Input: JSON lines, either ``{"text", "service_type", "need", "register"}`` (need sentences; ``register`` is
optional) or ``{"text", "caller_role"}`` (role sentences); the kind is read from the first line. Every bad line
is an error naming the file and line and what was expected; nothing is written when any line is bad.

What is imported: each sentence once, under the label its author gave. Skipped (and counted): a sentence
already in the phrasebook under the same label (compared without punctuation and spaces), a near duplicate
of any phrasebook sentence (character-bigram Jaccard ≥ ``NEAR``: the same sentence with a particle or a
word changed teaches the model nothing new) and repeats within the file. Refused (an error with both
places): a sentence that stands under two labels, in the file or against the phrasebook.

Needs: an author who has not read the phrasebook names needs in their own words. A need that is a need of
the type in the phrasebook is kept; ``need_map`` (author's need → phrasebook need) renames; any other goes
to the phrasebook need of that type whose examples it is most like (each of the author's sentences of that
need votes for the group of its most similar example, character-bigram Jaccard). Out-of-scope groups take the referral of the need they go to.
The file header says where the sentences came from, what was skipped and how every need was mapped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .errors import PhrasebookError
from .loader import EXAMPLES_DIR, ROLES_FILE, _resolve, load_phrasebook
from .model import EXAMPLE_LABELS
from .roles import ROLE_LABELS, SAYS_WHO, read_roles
from .tables import example_key, example_label

NEAR = 0.8
"""Character-bigram Jaccard similarity from which a sentence counts as a near duplicate."""
SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")


class ImportDataError(PhrasebookError):
    """A bad input line or a sentence under two labels; ``file``/``line`` name the input line."""


@dataclass
class Item:
    text: str
    label: str
    need: str
    line: int
    register: str = ""


@dataclass
class ImportReport:
    kind: str
    """``sentences`` or ``roles``."""
    read: int = 0
    written: dict[str, int] = field(default_factory=dict)
    """File name → sentences written."""
    exact: int = 0
    near: list[tuple[int, str, str]] = field(default_factory=list)
    """(input line, sentence, the phrasebook sentence it is like)."""
    repeats: int = 0
    needs: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(label, author's need) → (phrasebook need, how: same / map / nearest)."""
    note: str = ""
    """What was done to the author's file before the import (labels corrected, lines dropped), for the header."""
    as_none: list[tuple[int, str]] = field(default_factory=list)
    """(input line, sentence) of ``other`` role sentences that state a matter, not who the caller is (roles.SAYS_WHO):
    imported as ``none``."""

    def lines(self) -> list[str]:
        out = [f"{self.read} sentence(s) read; {sum(self.written.values())} written; skipped: {self.exact} already in "
               f"the phrasebook, {len(self.near)} near duplicate(s), {self.repeats} repeated in the file"]
        if self.as_none:
            out.append("  other → none (a matter, not who the caller is): lines "
                       + ", ".join(str(n) for n, _ in self.as_none))
        out += [f"  {name}: {n}" for name, n in sorted(self.written.items())]
        out += [f"  need {lab}/{need} → {to} ({how})" for (lab, need), (to, how) in sorted(self.needs.items())]
        return out


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def read_jsonl(path: str | Path) -> tuple[str, list[Item]]:
    """(kind, items) of a JSONL file of need or role sentences; ImportDataError names the first bad line."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(path, 0, f"cannot read: {exc}") from exc
    kind = ""
    items = []
    for n, line in enumerate(raw, 1):
        if not line.strip():
            continue

        def bad(msg: str, n: int = n) -> ImportDataError:
            return ImportDataError(path, n, msg)

        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise bad(f"not a JSON object ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(d, dict):
            raise bad("expected a JSON object {\"text\": …, \"service_type\": …} or {\"text\": …, \"caller_role\": …}")
        kind = kind or ("roles" if "caller_role" in d else "sentences")
        text = d.get("text")
        if not isinstance(text, str) or not example_key(text):
            raise bad("expected \"text\": a non-empty sentence")
        if kind == "roles":
            role = d.get("caller_role")
            if role not in ROLE_LABELS:
                raise bad(f"caller_role is {role!r}; expected one of {', '.join(ROLE_LABELS)}")
            items.append(Item(text.strip(), role, "", n))
            continue
        label = d.get("service_type")
        if label not in EXAMPLE_LABELS:
            raise bad(f"service_type is {label!r}; expected one of {', '.join(EXAMPLE_LABELS)}"
                      + (" (a role line in a file of need sentences?)" if "caller_role" in d else ""))
        need = d.get("need")
        if not isinstance(need, str) or not need.strip():
            raise bad("expected \"need\": the caller's need within the service type, in words")
        register = d.get("register", "")
        if not isinstance(register, str):
            raise bad(f"register is {register!r}; expected a string (formal, colloquial, …) or nothing")
        items.append(Item(text.strip(), label, need.strip(), n, register))
    if not items:
        raise ImportDataError(path, 0, "no sentences (expected one JSON object per line)")
    return kind, items


def _existing(directory: Path, kind: str, source: str) -> list[tuple[str, str, str, str]]:
    """(key, label, sentence, file:line) of every example now in the phrasebook, except this source's own files
    (importing the same source again replaces them)."""
    out = []
    pb = load_phrasebook(directory)
    for g in pb.examples:
        if Path(g.file).stem.endswith("_" + source):
            continue
        for ex, line in zip(g.examples, g.lines, strict=True):
            out.append((example_key(ex), g.label, ex, f"{g.file}:{line}"))
    roles = _roles(directory, source)
    if roles is not None and kind == "roles":
        for g in roles.groups:
            for ex in g.examples:
                out.append((example_key(ex), "role:" + g.role, ex, f"roles ({g.role}: {g.name})"))
    return out


def _roles(directory: Path, source: str):
    return read_roles(directory / EXAMPLES_DIR / ROLES_FILE, missing_ok=True, exclude=(f"roles_{source}.toml",))


def plan(path: str | Path, source: str, directory: str | Path | None = None,
         need_map: dict[str, str] | None = None, note: str = "") -> tuple[ImportReport, dict[str, str]]:
    """(report, file name → TOML text) of an import, without writing anything."""
    if not SOURCE_NAME.match(source):
        raise ImportDataError(path, 0, f"source name {source!r}: expected lower-case letters, digits and '-'")
    directory = _resolve(directory)
    kind, items = read_jsonl(path)
    report = ImportReport(kind, read=len(items), note=note)
    for it in items if kind == "roles" else ():
        if it.label == "other" and not SAYS_WHO.search(it.text):
            # 「我想问一下身份证补办」 says what the call is about, not who calls: roles.toml's convention is `none`
            it.label = "none"
            report.as_none.append((it.line, it.text))
    tag = (lambda it: "role:" + it.label) if kind == "roles" else (lambda it: it.label)
    existing = _existing(directory, kind, source)
    by_key: dict[str, tuple[str, str]] = {}
    for key, label, _ex, where in existing:
        # need sentences and role sentences are different tables: a role sentence may also be a need example
        if label.startswith("role:") == (kind == "roles"):
            by_key.setdefault(key, (label, where))
    # a sentence under two labels, in the file or against the phrasebook: refused, with both places
    conflicts = []
    first: dict[str, Item] = {}
    for it in items:
        key = example_key(it.text)
        if key in first and tag(first[key]) != tag(it):
            conflicts.append(f"{path}:{it.line}: '{it.text}' is {tag(it)} here and {tag(first[key])} at "
                             f"{path}:{first[key].line}")
        first.setdefault(key, it)
        if key in by_key and by_key[key][0] != tag(it):
            conflicts.append(f"{path}:{it.line}: '{it.text}' is {tag(it)} here and {by_key[key][0]} at {by_key[key][1]}")
    if conflicts:
        more = f" (and {len(conflicts) - 1} more:\n" + "\n".join(conflicts[1:]) + ")" if len(conflicts) > 1 else ""
        line = int(conflicts[0].split(":", 2)[1])
        raise ImportDataError(path, line, conflicts[0].split(": ", 1)[1] + "; a sentence can mean only one thing" + more)
    grams = [(_bigrams(k), ex) for k, lab, ex, _w in existing if lab.startswith("role:") == (kind == "roles")]
    kept: list[Item] = []
    seen: set[str] = set()
    for it in items:
        key = example_key(it.text)
        if key in seen:
            report.repeats += 1
            continue
        seen.add(key)
        if key in by_key:
            report.exact += 1
            continue
        g = _bigrams(key)
        like = next((ex for eg, ex in grams if _jaccard(g, eg) >= NEAR), None)
        if like is None:
            like = next((k.text for k in kept if _jaccard(g, _bigrams(example_key(k.text))) >= NEAR), None)
        if like is not None:
            report.near.append((it.line, it.text, like))
            continue
        kept.append(it)
    files = _roles_file(kept, source, path, directory, report) if kind == "roles" else \
        _need_files(kept, source, path, directory, need_map or {}, report)
    report.written = {name: text.count("\n    \"") for name, text in files.items()}
    return report, files


def _header(kind: str, source: str, path: str | Path, report: ImportReport) -> list[str]:
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    return [
        f"# 导入的来电人例句（{kind}），来源：{source} / Imported caller sentences ({kind}) from source '{source}'.",
        f"# 由 `copilot phrasebook import-examples {Path(path).name} --source {source}` 于 {when} 生成；"
        "作者未读过本短语库和任何评测集。",
        f"# Generated from {path} on {when}; the author had read neither this phrasebook nor any evaluation set.",
        f"# 读入 {report.read} 句；跳过：已在短语库中 {report.exact}，近似重复 {len(report.near)}，文件内重复 {report.repeats}。",
        "# Edit or delete sentences here like any example; importing the same source again replaces this file.",
        *([f"# 导入前的处理 / before the import: {report.note}"] if report.note else []),
        *([f"# 标为“其他”但只说事、不说身份的句子按 roles.toml 的约定归为 none / other → none (a matter, not who "
           f"the caller is): lines {', '.join(str(n) for n, _ in report.as_none)}"] if report.as_none else []),
    ]


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _need_files(kept: list[Item], source: str, path: str | Path, directory: Path, need_map: dict[str, str],
                report: ImportReport) -> dict[str, str]:
    pb = load_phrasebook(directory)
    groups: dict[str, dict[str, tuple[str, list[set[str]]]]] = {}
    for g in pb.examples:
        if Path(g.file).stem.endswith("_" + source):
            continue
        ref, grams = groups.setdefault(g.label, {}).get(g.need, (g.referral, []))
        grams += [_bigrams(example_key(ex)) for ex in g.examples]
        groups[g.label][g.need] = (ref, grams)
    by_need: dict[tuple[str, str], list[Item]] = {}
    for it in kept:
        by_need.setdefault((it.label, it.need), []).append(it)
    out: dict[tuple[str, str], list[Item]] = {}
    for (label, need), its in by_need.items():
        known = groups.get(label, {})
        if need in known:
            to, how = need, "same"
        elif need_map.get(need) in known:
            to, how = need_map[need], "map"
        elif known:
            # each of the author's sentences votes for the group of its most similar phrasebook example
            votes: Counter = Counter()
            for it in its:
                g = _bigrams(example_key(it.text))
                votes[max(known, key=lambda n, g=g: max((_jaccard(g, e) for e in known[n][1]), default=0.0))] += 1
            to = max(known, key=lambda n: (votes[n], -list(known).index(n)))
            how = "nearest"
        else:
            to, how = need, "new"
        if label == "out_of_scope" and to not in known:
            raise ImportDataError(path, its[0].line, f"out-of-scope need '{need}' has no referral unit: map it to one "
                                  f"of {', '.join(known)} with --need-map")
        report.needs[(label, need)] = (to, how)
        out.setdefault((label, to), []).extend(its)
    files: dict[str, str] = {}
    for label in EXAMPLE_LABELS:
        needs = sorted(n for lab, n in out if lab == label)
        if not needs:
            continue
        lines = _header("sentences", source, path, report)
        mapped = [f"{n} → {to} ({how})" for (lab, n), (to, how) in sorted(report.needs.items()) if lab == label]
        lines.append("# 诉求对应 / needs as the author named them → this phrasebook's: " + "；".join(mapped))
        for need in needs:
            lines += ["", "[[group]]", f"need = {_toml_str(need)}"]
            ref = groups.get(label, {}).get(need, ("", None))[0]
            if ref:
                lines.append(f"referral = {_toml_str(ref)}")
            lines.append("examples = [")
            lines += [f"    {_toml_str(it.text)},  # {Path(path).name}:{it.line}" for it in out[(label, need)]]
            lines.append("]")
        files[f"{label}_{source}.toml"] = "\n".join(lines) + "\n"
    return files


def _roles_file(kept: list[Item], source: str, path: str | Path, directory: Path,
                report: ImportReport) -> dict[str, str]:
    """roles_<source>.toml: each sentence in the group of its role whose examples it is most like (the role model
    learns coherent groups — one way of saying a role each — better than one catch-all group per role)."""
    if not kept:
        return {}
    data = _roles(directory, source)
    names: dict[str, list[tuple[str, list[set[str]]]]] = {}
    for g in data.groups if data is not None else ():
        names.setdefault(g.role, []).append((g.name, [_bigrams(example_key(e)) for e in g.examples]))
    out: dict[tuple[str, str], list[Item]] = {}
    for it in kept:
        g = _bigrams(example_key(it.text))
        known = names.get(it.label)
        name = max(known, key=lambda k: max((_jaccard(g, e) for e in k[1]), default=0.0))[0] if known \
            else f"来电人自述（来源 {source}）"
        out.setdefault((it.label, name), []).append(it)
    lines = _header("roles", source, path, report)
    lines.append("# 每句归入其身份下最相近的 roles.toml 组 / each sentence is in the roles.toml group of its role it is most like.")
    for role in ROLE_LABELS:
        for (r, name), its in out.items():
            if r != role:
                continue
            lines += ["", "[[group]]", f"role = {_toml_str(role)}", f"name = {_toml_str(name)}", "examples = ["]
            lines += [f"    {_toml_str(it.text)},  # {Path(path).name}:{it.line}" for it in its]
            lines.append("]")
    return {f"roles_{source}.toml": "\n".join(lines) + "\n"}


def import_examples(path: str | Path, source: str, directory: str | Path | None = None,
                    need_map: dict[str, str] | None = None, *, dry_run: bool = False, note: str = "") -> ImportReport:
    """Write (unless ``dry_run``) the example files of ``path`` into ``directory``/examples; the report."""
    report, files = plan(path, source, directory, need_map, note)
    target = _resolve(directory) / EXAMPLES_DIR
    if not dry_run:
        kinds = ("roles_",) if report.kind == "roles" else tuple(f"{lab}_" for lab in EXAMPLE_LABELS)
        for old in target.glob(f"*_{source}.toml"):  # the same source again: its old files go
            if old.name.startswith(kinds) and (report.kind == "roles" or example_label(old.stem)):
                old.unlink()
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8")
    return report
