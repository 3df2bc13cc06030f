"""Build each phrasebook table from its TOML file, recording every problem with file and line."""

from __future__ import annotations

import re
from itertools import filterfalse
from typing import Any

from .model import (
    DIALECT_AREAS,
    EXAMPLE_LABELS,
    FLAG_SEVERITIES,
    REPLACEMENT_CONTEXTS,
    SERVICE_CODES,
    BannedEntry,
    Closing,
    Cue,
    Deduction,
    DialectWord,
    ExampleGroup,
    FlagDef,
    FuzzyConfig,
    Greeting,
    Referral,
    Replacement,
    Rubric,
    RubricItem,
    Rule,
    Script,
    ServiceType,
)
from .source import Fields, Source, has_punct_or_space, is_punct_or_space

SCRIPT_TRIGGERS = (
    "greeting",
    "silent_call",
    "hands_free",
    "low_volume",
    "low_volume_repeat",
    "noise",
    "dialect",
    "cannot_hear_agent",
    "wait_complaint",
)
FORMATS_FLAG_CODES = (
    "greeting_missing",
    "answer_late",
    "banned_phrase",
    "nonstandard_wording",
    "wait_apology_missing",
    "silent_call_script_missing",
    "referral_missing",
    "judge_callback_missing",
    "complaint_not_forwarded",
    "closing_missing",
)
"""The ten fixed flag codes of formats.md §3: flags.toml must hold each with ``evaluated = true``."""
_COURT_CODE = re.compile(r"^[\u4e00-\u9fff](\d{2}|\d{4})$")


def _strip(text: str) -> str:
    return "".join(filterfalse(is_punct_or_space, text))


def _unique_id(f: Fields, seen: dict[str, Fields], key: str, value: str, pattern: str = "") -> None:
    if not value:
        return
    if pattern and not re.fullmatch(pattern, value):
        f.err(key, f"{f.label}: {key} '{value}' does not match the form {pattern}")
    if value in seen:
        f.err(key, f"{f.label}: duplicate {key} '{value}' (first at line {seen[value].line(key)})")
    else:
        seen[value] = f


def _said_instead(f: Fields) -> tuple[str, ...]:
    """``said_instead``: phrases as ``accepted``, where ``{court}`` may stand for the court's short names."""
    value = f.entry.get("said_instead", [])
    if not isinstance(value, list):
        f.err("said_instead", f"{f.label}: 'said_instead' must be a list of strings")
        return ()
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.replace("{court}", ""):
            f.err("said_instead", f"{f.label}: 'said_instead' holds {item!r}, expected a non-empty phrase")
        elif has_punct_or_space(item.replace("{court}", "")):
            f.err("said_instead", f"{f.label}: phrase '{item}' in 'said_instead' contains punctuation or spaces "
                  "(only {court} may stand for the court's names)", needle=item)
        elif item in out:
            f.err("said_instead", f"{f.label}: phrase '{item}' repeated in 'said_instead'", needle=item)
        else:
            out.append(item)
    return tuple(out)


def greeting(src: Source) -> tuple[Greeting, tuple[Closing, ...]]:
    data = src.data or {}
    g = data.get("greeting")
    if not isinstance(g, dict):
        if src.data is not None:
            src.err(1, "missing table [greeting]")
        g = {}
    f = Fields(src, "greeting", None, g, {"standard", "accepted", "said_instead"})
    greet = Greeting(f.text("standard"), f.phrases("accepted"), _said_instead(f))
    closings, seen = [], {}
    for n, entry in enumerate(src.entries("closing")):
        f = Fields(src, "closing", n, entry, {"text", "kind"})
        text = f.text("text")
        if text and has_punct_or_space(text):
            f.err("text", f"{f.label}: closing '{text}' contains punctuation or spaces")
        _unique_id(f, seen, "text", text)
        kind = f.text("kind")
        if kind and kind not in ("offer", "thanks", "bye"):
            f.err("kind", f"{f.label}: kind '{kind}' is not one of offer, thanks, bye")
        closings.append(Closing(text, kind))  # type: ignore[arg-type]
    return greet, tuple(closings)


def scripts(src: Source) -> tuple[Script, ...]:
    out, ids, triggers = [], {}, {}
    allowed = {"id", "trigger", "situation", "text", "action", "key_phrases", "steps"}
    for n, entry in enumerate(src.entries("script")):
        f = Fields(src, "script", n, entry, allowed)
        sid, trigger = f.text("id"), f.text("trigger")
        _unique_id(f, ids, "id", sid)
        _unique_id(f, triggers, "trigger", trigger)
        text = f.text("text", empty=True)
        action = f.text("action", empty=True)
        steps = entry.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, str) and s for s in steps):
            f.err("steps", f"{f.label}: 'steps' must be a list of non-empty strings")
            steps = []
        keys = f.phrases("key_phrases", empty_list=not text)
        if not text and not action:
            f.err("text", f"{f.label}: a script needs a 'text' or an 'action'")
        said = _strip(text + "".join(steps))
        for k in keys:
            if k not in said:
                f.err("key_phrases", f"{f.label}: key phrase '{k}' does not occur in the script text", k)
        out.append(Script(sid, trigger, f.text("situation"), text, action, keys, tuple(steps)))
    for t in SCRIPT_TRIGGERS:
        if src.data is not None and t not in triggers:
            src.err(1, f"no [[script]] with trigger '{t}'")
    return tuple(out)


def replacements(src: Source) -> tuple[Replacement, ...]:
    out, ids = [], {}
    for n, entry in enumerate(src.entries("replacement")):
        f = Fields(src, "replacement", n, entry, {"id", "use", "instead_of", "note", "context", "not_when", "examples"})
        rid = f.text("id")
        _unique_id(f, ids, "id", rid, r"R\d{2,}")
        context = f.text("context", required=False, empty=True)
        if context not in REPLACEMENT_CONTEXTS:
            f.err(
                "context",
                f"{f.label}: context '{context}' is not one of "
                + ", ".join(repr(c) for c in REPLACEMENT_CONTEXTS),
            )
        out.append(
            Replacement(
                rid,
                f.text("use"),
                f.phrases("instead_of"),
                f.text("note", required=False, empty=True),
                context,
                f.phrases("not_when", required=False),
                f.phrases("examples", required=False),
            )
        )
    return tuple(out)


def banned(src: Source) -> tuple[BannedEntry, ...]:
    out, ids, phrases = [], {}, {}
    allowed = {"id", "phrases", "replacement", "family", "source", "not_when", "examples", "excused_by"}
    for n, entry in enumerate(src.entries("banned")):
        f = Fields(src, "banned", n, entry, allowed)
        bid = f.text("id")
        _unique_id(f, ids, "id", bid, r"B\d{2,}")
        ps = f.phrases("phrases")
        ex = f.phrases("examples", required=False)
        for key, group in (("phrases", ps), ("examples", ex)):
            for p in group:
                if p in phrases:
                    f.err(key, f"{f.label}: phrase '{p}' is already listed under {phrases[p]}", p)
                else:
                    phrases[p] = bid or f.label
        if "replacement" not in entry:
            f.err("", f'{f.label}: banned entry without a replacement (add replacement = "…")')
            rep = ""
        else:
            rep = f.text("replacement")
        out.append(
            BannedEntry(
                bid,
                ps,
                rep,
                f.text("family"),
                f.text("source", empty=True),
                f.phrases("not_when", required=False),
                ex,
                _excused_by(f, entry),
            )
        )
    return tuple(out)


EXCUSING_RULES = ("remedy_offered",)
"""rules.toml agent rules a banned group may name in ``excused_by``."""


def _excused_by(f: Fields, entry: dict[str, Any]) -> str:
    if "excused_by" not in entry:
        return ""
    rule = f.text("excused_by")
    if rule and rule not in EXCUSING_RULES:
        f.err("excused_by", f"{f.label}: excused_by '{rule}' is not a rule that can excuse a banned phrase "
                            f"(expected one of {', '.join(EXCUSING_RULES)})", rule)
    return rule


def _cue(f: Fields, m: int, raw: Any) -> Cue | None:
    if not isinstance(raw, dict):
        f.err("cues", f'{f.label}: cue #{m + 1} must be a table {{text = "…", weight = 1.0}}')
        return None
    text, regex, weight = raw.get("text", ""), raw.get("regex", ""), raw.get("weight")
    needle = text or regex or None
    unknown = set(raw) - {"text", "regex", "weight", "caller_only"}
    if unknown:
        f.err("cues", f"{f.label}: cue #{m + 1} has unknown field(s) {', '.join(sorted(unknown))}", needle)
    if not isinstance(text, str) or not isinstance(regex, str) or bool(text) == bool(regex):
        f.err(
            "cues",
            f"{f.label}: cue #{m + 1} needs exactly one of 'text' or 'regex' (a non-empty string)",
            needle,
        )
        return None
    if text and has_punct_or_space(text):
        f.err("cues", f"{f.label}: cue '{text}' contains punctuation or spaces", needle)
    if regex:
        try:
            re.compile(regex)
        except re.error as exc:
            f.err("cues", f"{f.label}: cue regex '{regex}' does not compile: {exc}", needle)
            return None
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        f.err("cues", f"{f.label}: cue '{needle}' needs a numeric 'weight'", needle)
        return None
    if not 0.5 <= weight <= 3:
        f.err("cues", f"{f.label}: cue '{needle}' weight {weight} is out of range 0.5..3", needle)
    caller_only = raw.get("caller_only", False)
    if not isinstance(caller_only, bool):
        f.err("cues", f"{f.label}: cue '{needle}' caller_only must be true or false, got {caller_only!r}", needle)
        caller_only = False
    return Cue(float(weight), text, regex, caller_only)


def service_types(src: Source) -> tuple[ServiceType, ...]:
    out, codes = [], {}
    allowed = {"code", "name_zh", "description", "cues", "checklist"}
    for n, entry in enumerate(src.entries("service_type")):
        f = Fields(src, "service_type", n, entry, allowed)
        code = f.text("code")
        if code and code not in SERVICE_CODES:
            f.err(
                "code",
                f"{f.label}: unknown service-type code '{code}' (expected one of {', '.join(SERVICE_CODES)})",
            )
        _unique_id(f, codes, "code", code)
        raw_cues = entry.get("cues")
        cues: list[Cue] = []
        if not isinstance(raw_cues, list) or not raw_cues:
            f.err("cues" if "cues" in entry else "", f"{f.label}: 'cues' must be a non-empty list of cues")
        else:
            seen: set[str] = set()
            for m, raw in enumerate(raw_cues):
                cue = _cue(f, m, raw)
                if cue is None:
                    continue
                key = cue.text or cue.regex
                if key in seen:
                    f.err("cues", f"{f.label}: cue '{key}' repeated", key)
                seen.add(key)
                cues.append(cue)
        checklist = entry.get("checklist")
        if (
            not isinstance(checklist, list)
            or not checklist
            or not all(isinstance(c, str) and c for c in checklist)
        ):
            f.err(
                "checklist" if "checklist" in entry else "",
                f"{f.label}: 'checklist' must be a non-empty list of strings",
            )
            checklist = []
        out.append(
            ServiceType(
                code, f.text("name_zh"), f.text("description", empty=True), tuple(cues), tuple(checklist)
            )
        )
    if src.data is not None:
        for code in SERVICE_CODES:
            if code not in codes:
                src.err(1, f"no [[service_type]] with code '{code}'")
    return tuple(out)


def referrals(src: Source) -> tuple[Referral, ...]:
    out = []
    for n, entry in enumerate(src.entries("referral")):
        f = Fields(src, "referral", n, entry, {"number", "unit", "handles", "cues"})
        number = f.text("number", empty=True)
        if number and not number.isdigit():
            f.err("number", f"{f.label}: number '{number}' must hold digits only (or be empty)")
        out.append(Referral(number, f.text("unit"), f.text("handles"), f.phrases("cues")))
    return tuple(out)


def domain_words(src: Source) -> tuple[tuple[str, ...], dict[str, str]]:
    data = src.data or {}
    f = Fields(src, "", None, {k: v for k, v in data.items() if k != "courts"}, {"words"})
    words = f.phrases("words") if src.data is not None else ()
    courts_raw = data.get("courts", {})
    courts: dict[str, str] = {}
    if not isinstance(courts_raw, dict):
        src.err(1, "[courts] must be a table of court code = court name")
        courts_raw = {}
    for code, name in courts_raw.items():
        line = src.line_of("courts", None, code)
        if not _COURT_CODE.match(code):
            src.err(line, f"[courts]: court code '{code}' is not a province character plus 2 or 4 digits")
        if not isinstance(name, str) or not name:
            src.err(line, f"[courts]: '{code}' needs a court name")
            continue
        courts[code] = name
    return words, courts


def dialect(src: Source) -> tuple[DialectWord, ...]:
    out, seen = [], {}
    for n, entry in enumerate(src.entries("word")):
        f = Fields(src, "word", n, entry, {"dialect", "mandarin", "area", "replace", "note"})
        word = f.text("dialect")
        _unique_id(f, seen, "dialect", word)
        if "mandarin" not in entry:
            f.err("", f"{f.label}: dialect entry '{word}' has no 'mandarin'")
        mandarin = f.text("mandarin", required=False)
        area = f.text("area")
        if area and area not in DIALECT_AREAS:
            f.err("area", f"{f.label}: area '{area}' is not one of {', '.join(DIALECT_AREAS)}")
        out.append(
            DialectWord(
                word, mandarin, area, f.boolean("replace"), f.text("note", required=False, empty=True)
            )
        )
    return tuple(out)


def rubric(src: Source) -> Rubric:
    data = src.data or {}
    top = Fields(src, "", None, {k: v for k, v in data.items() if k not in ("item", "deductions")}, {"total"})
    total = int(top.number("total", 1, 10000, integer=True)) if src.data is not None else 0
    items, ids = [], {}
    for n, entry in enumerate(src.entries("item")):
        f = Fields(src, "item", n, entry, {"id", "name_zh", "max", "description"})
        iid = f.text("id")
        _unique_id(f, ids, "id", iid)
        items.append(
            RubricItem(
                iid,
                f.text("name_zh"),
                int(f.number("max", 1, 10000, integer=True)),
                f.text("description", empty=True),
            )
        )
    if items and sum(i.max for i in items) != total:
        src.err(
            src.line_of("", None, "total"),
            f"item maxima sum to {sum(i.max for i in items)}, but total = {total}",
        )
    if "deductions" in data:
        src.err(
            src.line_of("deductions"),
            "[deductions] is no longer read here: each flag's item, points and per are in flags.toml",
        )
    return Rubric(total, tuple(items), ())


def flags(src: Source, rubric_: Rubric) -> tuple[tuple[FlagDef, ...], tuple[Deduction, ...]]:
    """The flag registry and the deductions it gives the rubric (item names checked against rubric.toml)."""
    out: list[FlagDef] = []
    deductions: list[Deduction] = []
    codes: dict[str, Fields] = {}
    by_id = {i.id: i for i in rubric_.items}
    allowed = {"code", "name_zh", "severity", "item", "points", "per", "evaluated", "shown", "explanation"}
    for n, entry in enumerate(src.entries("flag")):
        f = Fields(src, "flag", n, entry, allowed)
        code = f.text("code")
        _unique_id(f, codes, "code", code, r"[a-z][a-z_]*")
        name = f.text("name_zh")
        severity = f.text("severity")
        if severity and severity not in FLAG_SEVERITIES:
            f.err("severity", f"{f.label}: severity '{severity}' is not one of {', '.join(FLAG_SEVERITIES)}")
        item = f.text("item")
        points = 0
        if item and by_id and item not in by_id:
            f.err("item", f"{f.label}: '{code}' names unknown rubric item '{item}' (rubric.toml: {', '.join(by_id)})")
        elif item in by_id:
            points = int(f.number("points", 1, by_id[item].max, integer=True))
        per = f.text("per")
        if per and per not in ("call", "occurrence"):
            f.err("per", f"{f.label}: per must be 'call' or 'occurrence', not '{per}'")
        evaluated = f.boolean("evaluated")
        shown = f.boolean("shown") if "shown" in entry else True
        explanation = f.text("explanation")
        out.append(FlagDef(code, name, severity, item, points, per, evaluated, explanation, shown))  # type: ignore[arg-type]
        if points:
            deductions.append(Deduction(code, item, points, per))  # type: ignore[arg-type]
    if src.data is not None:
        for code in FORMATS_FLAG_CODES:
            if code not in codes:
                src.err(1, f"no [[flag]] with code '{code}' (a formats.md §3 code)")
            elif not codes[code].entry.get("evaluated"):
                codes[code].err("evaluated", f"{codes[code].label}: '{code}' is a formats.md §3 code: evaluated = true")
        for code, f in codes.items():
            if f.entry.get("evaluated") is True and code not in FORMATS_FLAG_CODES:
                f.err("evaluated", f"{f.label}: '{code}' is not in formats.md §3: evaluated = false")
    return tuple(out), tuple(deductions)


def matcher_config(src: Source) -> FuzzyConfig:
    raw = (src.data or {}).get("fuzzy")
    if not isinstance(raw, dict):
        if src.data is not None:
            src.err(1, "missing table [fuzzy]")
        return FuzzyConfig()
    defaults = FuzzyConfig()
    f = Fields(src, "fuzzy", None, raw, set(defaults.__dataclass_fields__))
    kw: dict[str, Any] = {}
    for key in ("min_len", "near_min_len", "near2_min_len", "dissimilar_min_len", "indel_min_len"):
        if key in raw:
            kw[key] = int(f.number(key, 1, 100, integer=True))
    for key in ("pinyin_ratio", "char_ratio", "near_syllable"):
        if key in raw:
            kw[key] = float(f.number(key, 0, 100))
    if "loose_pinyin" in raw:
        kw["loose_pinyin"] = f.boolean("loose_pinyin")
    if "distinct" in raw:
        pairs = raw["distinct"]
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s for s in p) for p in pairs
        ):
            f.err("distinct", "[fuzzy]: 'distinct' must be a list of [syllable, syllable] pairs")
        else:
            kw["distinct"] = tuple((a, b) for a, b in pairs)
    return FuzzyConfig(**kw)


CHECK_SECTIONS: dict[str, dict[str, str]] = {
    "wait_complaint": {"not_when": "phrases"},
    "silent_call": {"final": "phrases"},
    "referral": {"units": "phrases", "out_of_scope": "phrases"},
    "closing": {"suggestion": "text"},
    "quote": {"frames": "phrases", "tails": "phrases", "reporters": "phrases", "verbs": "phrases"},
    "names": {"suffixes": "phrases", "not_after": "phrases"},
    "conditional": {"markers": "phrases", "then": "phrases"},
}
"""checks.toml: section → key → kind. Every key is required; lists must hold non-empty phrases."""


def checks(src: Source) -> dict[str, dict[str, Any]]:
    data = src.data or {}
    out: dict[str, dict[str, Any]] = {}
    for section, keys in CHECK_SECTIONS.items():
        raw = data.get(section)
        if src.data is not None and not isinstance(raw, dict):
            src.err(1, f"missing table [{section}] (keys: {', '.join(keys)})")
            continue
        if raw is None:
            continue
        f = Fields(src, section, None, raw, set(keys))
        out[section] = {k: (f.phrases(k) if kind == "phrases" else f.text(k)) for k, kind in keys.items()}
    for section in data:
        if section not in CHECK_SECTIONS:
            src.err(src.line_of(section), f"unknown table [{section}] (expected {', '.join(CHECK_SECTIONS)})")
    return out


RULE_IDS = (
    "judge_unreachable",
    "callback_offered",
    "complaint_forwarded",
    "caller_complaint",
    "wait_apology",
    "caller_wait_complaint",
    "hands_free",
    "cannot_hear_agent",
    "case_detail",
    "identity_established",
    "outcome_promised",
    "out_of_scope_said",
    "identity_verified",
    "need_declined",
    "closing",
    "remedy_offered",
    "case_query",
)
"""rules.toml: the rule ids the checks read; each must be present."""


def rules(src: Source) -> tuple[Rule, ...]:
    out, ids = [], {}
    allowed = {"id", "speaker", "description", "positive", "negative"}
    for n, entry in enumerate(src.entries("rule")):
        f = Fields(src, "rule", n, entry, allowed)
        rid = f.text("id")
        _unique_id(f, ids, "id", rid, r"[a-z][a-z_]*")
        if rid and rid not in RULE_IDS:
            f.err("id", f"{f.label}: unknown rule id '{rid}' (expected one of {', '.join(RULE_IDS)})")
        speaker = f.text("speaker")
        if speaker and speaker not in ("agent", "caller"):
            f.err("speaker", f"{f.label}: speaker '{speaker}' must be 'agent' or 'caller'")
        out.append(Rule(rid, speaker, f.text("description"), f.phrases("positive"),  # type: ignore[arg-type]
                        f.phrases("negative", required=False, empty_list=True)))
    if src.data is not None:
        for rid in RULE_IDS:
            if rid not in ids:
                src.err(1, f"no [[rule]] with id '{rid}'")
    return tuple(out)


def check_examples(src: Source, table: str, groups: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, str]]],
                   *, exact_short: int = 1, independent: bool = False) -> None:
    """Every positive example is recognised as its own group, and no negative as any group of the table
    (as its own group only, for ``independent`` rules).

    ``groups``: (id, positives, negatives, (positive key, negative key)) per entry, in file order.
    """
    from .similar import ExampleSet

    es = ExampleSet(((gid, pos, neg) for gid, pos, neg, _ in groups), exclusive=not independent)
    for n, (gid, pos, neg, (pkey, nkey)) in enumerate(groups):
        for p in pos:
            if len(p) <= exact_short:
                continue
            found = [m.rule for m in es.find(p)]
            if gid not in found:
                src.err(src.line_of(table, n, pkey, p),
                        f"[[{table}]] {gid}: example '{p}' is not recognised as {gid} (a look-alike overrules it"
                        + (f"; it is read as {', '.join(found)})" if found else ")"))
        for q in neg:
            found = [m.rule for m in es.find(q) if not independent or m.rule == gid]
            if found:
                src.err(src.line_of(table, n, nkey, q),
                        f"[[{table}]] {gid}: look-alike '{q}' is still recognised as {', '.join(found)} "
                        "(make it longer or more specific)")
def example_key(text: str) -> str:
    """The form under which two example sentences count as the same (no punctuation, spaces or case)."""
    return _strip(text).lower()


def example_label(stem: str) -> str | None:
    """The label of an example file name: ``<label>`` (written for the phrasebook) or ``<label>_<source>``
    (imported from one author, phrasebook/importer.py); None when the name starts with no label."""
    if stem in EXAMPLE_LABELS:
        return stem
    found = [lab for lab in EXAMPLE_LABELS if stem.startswith(lab + "_") and len(stem) > len(lab) + 1]
    return max(found, key=len) if found else None


def examples(sources: list[Source], referral_list: tuple[Referral, ...] | None) -> tuple[ExampleGroup, ...]:
    """examples/<label>.toml and examples/<label>_<source>.toml: ``[[group]]`` entries with ``need``,
    ``examples`` and (out of scope) ``referral``.

    Checked: the file name is a service code or ``none``; every example is a non-empty string, written
    once in the whole directory (compared without punctuation and spaces), so that no sentence stands
    under two types; an out-of-scope group names a referral unit of referrals.toml (not checked when
    ``referral_list`` is None: that file is missing or unreadable, which is reported already).
    """
    units = None if referral_list is None else {r.number for r in referral_list if r.number} | {r.unit for r in referral_list}
    seen: dict[str, tuple[str, str, int]] = {}
    out = []
    for src in sources:
        label = example_label(src.path.stem)
        if label is None:
            src.err(0, f"example file name '{src.path.stem}' is not a service type code or 'none', "
                       f"optionally followed by _<source> (expected one of {', '.join(EXAMPLE_LABELS)})")
            continue
        for n, entry in enumerate(src.entries("group")):
            allowed = {"need", "examples", "referral"}
            f = Fields(src, "group", n, entry, allowed)
            need = f.text("need")
            referral = f.text("referral", required=label == "out_of_scope")
            if referral and label != "out_of_scope":
                f.err("referral", f"{f.label}: only out-of-scope groups name a referral")
            elif referral and units is not None and referral not in units:
                f.err("referral", f"{f.label}: referral '{referral}' is neither a number nor a unit in referrals.toml")
            value = entry.get("examples")
            if not isinstance(value, list) or not value:
                f.err("examples" if "examples" in entry else "", f"{f.label}: 'examples' must be a non-empty list of sentences")
                continue
            texts, lines = [], []
            for item in value:
                if not isinstance(item, str) or not _strip(item):
                    f.err("examples", f"{f.label}: 'examples' holds an empty or non-string item")
                    continue
                line = f.line("examples", item)
                key = example_key(item)
                if key in seen:
                    other_label, other_file, other_line = seen[key]
                    where = f"{other_file}:{other_line}"
                    if other_label == label:
                        src.err(line, f"duplicate example '{item}' (first at {where})")
                    else:
                        src.err(line, f"example '{item}' is under '{label}' here and under '{other_label}' at {where}; "
                                      "a sentence can mean only one thing")
                    continue
                seen[key] = (label, src.path.name, line)
                texts.append(item)
                lines.append(line)
            out.append(ExampleGroup(label, need, tuple(texts), referral, str(src.path), tuple(lines)))
    return tuple(out)
