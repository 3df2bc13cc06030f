"""The phrasebook compiled into what the analysis needs: matchers, regexes and lookup tables.

Built once per phrasebook (cached); everything here is read-only afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from copilot.text import normalize
from phrasebook.gcpause import paused_gc
from phrasebook.loader import load_phrasebook
from phrasebook.matcher import Matcher
from phrasebook.registry import service_type_names
from phrasebook.similar import ExampleSet

SERVICE_TYPES = ("contact_judge", "info_query", "consultation", "appointment", "complaint", "out_of_scope")
IN_SCOPE = SERVICE_TYPES[:5]


ON_DEMAND = frozenset({"remedy_offered", "case_query", "case_detail"})
"""rules.toml rules the checker asks about only in rare situations (a limit said: is there a way forward; case
details given to an unestablished caller: did anyone ask about a case): matched alone, on demand, so that their
examples add nothing to the cost of an ordinary turn."""


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass(frozen=True)
class Cue:
    service_type: str
    weight: float
    text: str | None = None
    regex: re.Pattern[str] | None = None
    caller_only: bool = False


@dataclass(frozen=True)
class Referral:
    number: str
    unit: str
    handles: str
    cues: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.unit}（{self.number}）" if self.number else self.unit


class Rules:
    """Compiled phrasebook. Attribute names say which table each came from."""

    def __init__(self, pb: Any) -> None:
        with paused_gc():  # thousands of matcher entries: phrasebook/gcpause.py
            self._compile(pb)

    def _compile(self, pb: Any) -> None:
        self.pb = pb
        g = pb.greeting
        self.greeting_text: str = _get(g, "standard")
        self.greeting_forms: tuple[str, ...] = tuple(_get(g, "accepted"))
        self.greeting = Matcher.from_phrases([(f"G{i}", s) for i, s in enumerate(self.greeting_forms)])
        self.closings = Matcher.from_phrases([(_get(c, "kind", "closing") + f"#{i}", _get(c, "text"))
                                              for i, c in enumerate(pb.closings)])
        self.closing_text = next((_get(c, "text") for c in pb.closings if _get(c, "kind") == "offer"),
                                 "请问还有什么可以为您服务的吗？")
        # banned phrases: id -> (replacement, not_when)
        self.banned_info: dict[str, tuple[str, tuple[str, ...]]] = {}
        banned_phrases: list[tuple[str, str]] = []
        for b in pb.banned:
            bid = _get(b, "id")
            self.banned_info[bid] = (_get(b, "replacement", ""), tuple(_get(b, "not_when", ()) or ()))
            banned_phrases += [(bid, p) for p in _get(b, "phrases")]
        self.banned = Matcher.from_phrases(banned_phrases)
        # ... and as example rules: the phrases, their paraphrases and the look-alikes (phrasebook.similar)
        # A.4 forms are look-alikes here: 「这不是我们的问题」 is non-standard wording, not a banned phrase
        a4_forms = tuple(p for r in pb.replacements for p in tuple(_get(r, "instead_of")) + tuple(_get(r, "examples", ()) or ())
                         if len(p) >= 4)
        self.banned_examples = ExampleSet(
            [(_get(b, "id"), tuple(_get(b, "phrases")) + tuple(_get(b, "examples", ()) or ()),
              tuple(_get(b, "not_when", ()) or ())) for b in pb.banned] + [("A.4", (), a4_forms)])
        self.banned_family: dict[str, str] = {_get(b, "id"): _get(b, "family", "") for b in pb.banned}
        # groups whose hit a remedy in the same turn excuses (banned.toml ``excused_by``): id → rule id
        self.banned_excused: dict[str, str] = {_get(b, "id"): _get(b, "excused_by", "") for b in pb.banned
                                               if _get(b, "excused_by", "")}
        # A.4 replacements: id -> (use, context)
        self.replacement_info: dict[str, tuple[str, str]] = {}
        rep_phrases: list[tuple[str, str]] = []
        for r in pb.replacements:
            rid = _get(r, "id")
            self.replacement_info[rid] = (_get(r, "use", ""), _get(r, "context", "") or "")
            rep_phrases += [(rid, p) for p in _get(r, "instead_of")]
        self.replacements = Matcher.from_phrases(rep_phrases)
        # forms of two or more characters (and their paraphrases) by similarity; 你/嗯/啊 stay exact (above)
        self.replacement_examples = ExampleSet(
            (_get(r, "id"), tuple(p for p in tuple(_get(r, "instead_of")) + tuple(_get(r, "examples", ()) or ())
                                  if len(p) >= 2), tuple(_get(r, "not_when", ()) or ())) for r in pb.replacements)
        self.single_forms = Matcher.from_phrases([(rid, p) for rid, p in rep_phrases if len(p) == 1])
        # words a single form is part of without being said to anyone (迷你 holds 你): a row's not_when entries
        # that contain one of its single forms
        self.single_not_when: dict[str, tuple[str, ...]] = {}
        for r in pb.replacements:
            singles = [p for p in _get(r, "instead_of") if len(p) == 1]
            words = tuple(w for w in (_get(r, "not_when", ()) or ()) if any(f in w for f in singles))
            if words:
                self.single_not_when[_get(r, "id")] = words
        # the standard wording of each row, canonical: an agent who says it in the same turn has put the
        # non-standard form right (「我没法保证…，但我会为您尽力争取」)
        self.replacement_use: dict[str, str] = {}
        for r in pb.replacements:
            use = normalize(_get(r, "use", "") or "").text
            if len(use) >= 4:
                self.replacement_use[_get(r, "id")] = use
        # the standard wording an agent reads (A.3 scripts, greeting, closings) as ASR often writes it, 您 as
        # 你: a 你 inside one of these is the recogniser's, not the agent's (「我听不到你的声音」)
        standard = [_get(s, "text", "") for s in pb.scripts] + [k for s in pb.scripts for k in
                                                               (_get(s, "key_phrases", ()) or ())]
        standard += list(self.greeting_forms) + [_get(c, "text") for c in pb.closings]
        read = {"".join(ch for ch in t if ch.isalnum()) for t in standard if "您" in t}
        self.read_with_ni = tuple(sorted({p.replace("您", "你") for t in read for p in _clauses(t)}, key=len))
        # call-level checks and script triggers as example rules (rules.toml); each rule decides on its own
        rules_ = tuple(getattr(pb, "rules", ()) or ())
        self.rule_examples = ExampleSet(((r.id, r.positive, r.negative) for r in rules_), exclusive=False)
        self.rule_speaker: dict[str, str] = {r.id: r.speaker for r in rules_}
        # the same rules split by whose turns they read: each rule decides on its own (exclusive=False), so a
        # turn matched against its speaker's rules only gets the same hits for them, at a fraction of the cost
        self.rule_examples_for: dict[str, ExampleSet] = {
            who: ExampleSet(((r.id, r.positive, r.negative) for r in rules_
                             if r.speaker == who and r.id not in ON_DEMAND), exclusive=False)
            for who in sorted({r.speaker for r in rules_})}
        # rules asked only in rare situations, each matched alone when asked (not on every turn)
        self.rule_examples_on_demand: dict[str, ExampleSet] = {
            r.id: ExampleSet([(r.id, r.positive, r.negative)], exclusive=False) for r in rules_ if r.id in ON_DEMAND}
        self.rule_text: dict[str, str] = {r.id: r.description for r in rules_}
        # scripts by trigger
        self.scripts: dict[str, list[Any]] = {}
        for s in pb.scripts:
            self.scripts.setdefault(_get(s, "trigger"), []).append(s)
        self.script_keys = {
            trig: Matcher.from_phrases([(f"{trig}#{i}", k) for s in lst for i, k in
                                        enumerate(_get(s, "key_phrases", ()) or ())])
            for trig, lst in self.scripts.items()
        }
        # service-type cues
        self.cues: list[Cue] = []
        cue_phrases: list[tuple[str, str]] = []
        self.checklists: dict[str, tuple[str, ...]] = {}
        self.type_names: dict[str, str] = {}
        for st in pb.service_types:
            code = _get(st, "code")
            self.type_names[code] = _get(st, "name_zh", code)
            self.checklists[code] = tuple(_get(st, "checklist", ()) or ())
            for c in _get(st, "cues", ()):
                w = float(_get(c, "weight", 1.0))
                caller_only = bool(_get(c, "caller_only", False))
                if _get(c, "regex"):
                    self.cues.append(Cue(code, w, regex=re.compile(_get(c, "regex")), caller_only=caller_only))
                elif _get(c, "text"):
                    cue = Cue(code, w, text=_get(c, "text"), caller_only=caller_only)
                    self.cues.append(cue)
                    cue_phrases.append((f"{code}|{len(self.cues) - 1}", cue.text))
        self.cue_matcher = Matcher.from_phrases(cue_phrases)
        self.cue_regexes = [c for c in self.cues if c.regex is not None]
        # referral directory
        self.referrals = tuple(
            Referral(str(_get(r, "number", "") or ""), _get(r, "unit"), _get(r, "handles", ""),
                     tuple(_get(r, "cues", ()) or ())) for r in pb.referrals)
        units = [(f"U{i}", r.unit) for i, r in enumerate(self.referrals)]
        units += [(f"N{i}", r.number) for i, r in enumerate(self.referrals) if r.number]
        units += [(f"X{i}", u) for i, u in enumerate(_get(pb, "referral_units", ()) or ())]
        self.referral_units = Matcher.from_phrases(units)
        self.referral_need = Matcher.from_phrases(
            [(f"{i}", c) for i, r in enumerate(self.referrals) for c in r.cues])
        # dialect: only entries safe to replace go into the normaliser
        self.dialect_map: dict[str, str] = {}
        self.dialect_markers: set[str] = set()
        for w in pb.dialect:
            if _get(w, "replace", False):
                self.dialect_map[_get(w, "dialect")] = _get(w, "mandarin")
            self.dialect_markers.add(_get(w, "dialect"))
        # dialect forms whose Mandarin is 你/您: still non-standard inside a banned phrase (as 你 is)
        self.dialect_pronouns = frozenset(k for k, v in self.dialect_map.items() if v in ("你", "您", "你们"))
        # an agent answering in dialect (A.1 asks for Mandarin): the unambiguous dialect forms
        self.dialect_forms = Matcher.from_phrases(
            [(d, d) for d in self.dialect_map if len(d) >= 1])
        self.type_names.setdefault("out_of_scope", service_type_names()["out_of_scope"])
        self.checks: dict[str, Any] = pb.checks

    def need_model(self):
        """The need model trained on this phrasebook's example sentences (cached; see need_model.py)."""
        if "_need_model" not in self.__dict__:  # once per Rules: the lru_cache key hashes the whole phrasebook
            from copilot.analysis.need_model import model_for

            self.__dict__["_need_model"] = model_for(self.pb, self.dialect_map)
        return self.__dict__["_need_model"]

    def role_model(self):
        """The caller-role model trained on examples/roles.toml (None without that file; see role_model.py)."""
        if "_role_model" not in self.__dict__:  # once per Rules: hashing the phrasebook for the cache costs ms
            from copilot.analysis.role_model import role_model_for

            self.__dict__["_role_model"] = role_model_for(self.pb, self.dialect_map)
        return self.__dict__["_role_model"]

    def script_text(self, trigger: str, step: int = -1) -> str:
        lst = self.scripts.get(trigger) or []
        if not lst:
            return ""
        return _get(lst[step], "text", "")


def _clauses(text: str) -> list[str]:
    """The stretches of a standard wording around each 您, as short as still unambiguous (4–8 characters)."""
    out = []
    i = text.find("您")
    while i >= 0:
        out.append(text[max(0, i - 4):i + 5])
        i = text.find("您", i + 1)
    return out


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    return Rules(load_phrasebook(Path(path) if path else None))
