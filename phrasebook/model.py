"""Frozen dataclasses for every phrasebook table (the data in ``phrasebook/data/*.toml``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ClosingKind = Literal["offer", "thanks", "bye"]
SERVICE_CODES: tuple[str, ...] = (
    "contact_judge",
    "info_query",
    "consultation",
    "appointment",
    "complaint",
    "out_of_scope",
)
REPLACEMENT_CONTEXTS: tuple[str, ...] = ("", "turn_start", "not_quoted")
DIALECT_AREAS: tuple[str, ...] = ("huzhou", "shanghai", "wu")


@dataclass(frozen=True)
class Greeting:
    """The standard opening of table A.3 (greeting.toml ``[greeting]``)."""

    standard: str
    """The wording with punctuation, as shown to an agent."""
    accepted: tuple[str, ...]
    """Forms that count, without punctuation or spaces."""
    said_instead: tuple[str, ...] = ()
    """Openings agents say instead of the standard one (non-standard; without punctuation or spaces; ``{court}``
    stands for each of the court's short names): the agent phrase inventory of :mod:`phrasebook.agent_lines`."""


@dataclass(frozen=True)
class Closing:
    """One closing phrase (greeting.toml ``[[closing]]``)."""

    text: str
    kind: ClosingKind
    """``offer`` (anything else?), ``thanks`` (thanks for calling) or ``bye``."""


@dataclass(frozen=True)
class Script:
    """One row of table A.3 (scripts.toml ``[[script]]``)."""

    id: str
    trigger: str
    """Situation code: greeting, silent_call, hands_free, low_volume, ..., wait_complaint."""
    situation: str
    text: str
    """The standard wording (empty when the row prescribes only an action)."""
    action: str
    key_phrases: tuple[str, ...]
    """Short parts that prove the script was said (no punctuation)."""
    steps: tuple[str, ...] = ()
    """The utterances of a multi-step script, in order (silent calls)."""


@dataclass(frozen=True)
class Replacement:
    """One row of table A.4 (replacements.toml ``[[replacement]]``): say ``use`` instead of ``instead_of``."""

    id: str
    use: str
    instead_of: tuple[str, ...]
    note: str = ""
    context: str = ""
    """"" (anywhere), "turn_start" (only opening a turn) or "not_quoted" (not inside quoted speech)."""
    not_when: tuple[str, ...] = ()
    """Look-alikes: when one of these explains more of the words, the hit does not count."""
    examples: tuple[str, ...] = ()
    """Paraphrases agents really say, found by similarity (phrasebook.similar)."""


@dataclass(frozen=True)
class BannedEntry:
    """One banned-phrase group (banned.toml ``[[banned]]``)."""

    id: str
    phrases: tuple[str, ...]
    replacement: str
    family: str
    source: str
    not_when: tuple[str, ...] = ()
    """Courteous look-alikes: when one of these explains more of the words, the hit does not count."""
    examples: tuple[str, ...] = ()
    """Paraphrases agents really say, found by similarity (phrasebook.similar)."""
    excused_by: str = ""
    """A rules.toml agent rule (``remedy_offered``): a hit of this group is not flagged when the same turn says
    that rule too (「这个我不清楚，我帮您问一下承办法官」 is the standard's own polite limit, not a refusal)."""


@dataclass(frozen=True)
class Cue:
    """A caller's wording that points to a service type; literal ``text`` or a ``regex``."""

    weight: float
    """Evidence strength, 0.5..3."""
    text: str = ""
    regex: str = ""
    caller_only: bool = False
    """Evidence only when the caller says it: 「找承办法官提出申请」 from the agent is advice (an answer to a
    consultation), while 「我找孙法官」 from the caller is a request to reach the judge."""


@dataclass(frozen=True)
class ServiceType:
    """One service type of §6.2 (service_types.toml ``[[service_type]]``)."""

    code: str
    name_zh: str
    description: str
    cues: tuple[Cue, ...]
    checklist: tuple[str, ...]


@dataclass(frozen=True)
class Referral:
    """A unit an out-of-scope caller is referred to (referrals.toml ``[[referral]]``)."""

    number: str
    """Phone number, digits only; empty when the unit has no single number."""
    unit: str
    handles: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class ExampleGroup:
    """One need within a service type and what callers say for it (examples/<code>.toml ``[[group]]``)."""

    label: str
    """A service code, or ``none`` for speech that expresses no need (greetings, identity, agent speech)."""
    need: str
    """The need within the type, in Chinese (催办, 查开庭, 上门立案 …)."""
    examples: tuple[str, ...]
    referral: str = ""
    """Out of scope only: the number (or unit name) of the referral unit in referrals.toml."""
    file: str = ""
    lines: tuple[int, ...] = ()
    """The 1-based line of each example in ``file``."""


EXAMPLE_LABELS: tuple[str, ...] = (*SERVICE_CODES, "none")


@dataclass(frozen=True)
class DialectWord:
    """A Wu-dialect form and its Mandarin equivalent (dialect.toml ``[[word]]``)."""

    dialect: str
    mandarin: str
    area: str
    """huzhou, shanghai or wu."""
    replace: bool
    """True when the form may be replaced blindly; False when it is also ordinary Mandarin."""
    note: str = ""


@dataclass(frozen=True)
class RubricItem:
    """One scoring item (rubric.toml ``[[item]]``)."""

    id: str
    name_zh: str
    max: int
    """Points."""
    description: str


@dataclass(frozen=True)
class Deduction:
    """Points a flag code takes from a rubric item (from the flag registry, flags.toml)."""

    code: str
    item: str
    points: int
    """Points."""
    per: Literal["call", "occurrence"] = "call"


@dataclass(frozen=True)
class Rubric:
    """The scoring rubric: items summing to ``total`` and deductions per flag code."""

    total: int
    """Points."""
    items: tuple[RubricItem, ...]
    deductions: tuple[Deduction, ...]


@dataclass(frozen=True)
class Rule:
    """One check rule as examples (rules.toml ``[[rule]]``): wording that counts and look-alikes that do not."""

    id: str
    speaker: Literal["agent", "caller"]
    """Whose turns the rule reads."""
    description: str
    positive: tuple[str, ...]
    negative: tuple[str, ...] = ()


FLAG_SEVERITIES: tuple[str, ...] = ("red", "amber")


@dataclass(frozen=True)
class FlagDef:
    """One flag code of the registry (flags.toml ``[[flag]]``): the single source of its name and points."""

    code: str
    name_zh: str
    severity: str
    """``red`` (correct at once) or ``amber`` (to improve)."""
    item: str
    """The rubric item it takes points from."""
    points: int
    per: Literal["call", "occurrence"]
    evaluated: bool
    """One of the ten formats.md §3 codes the evaluation compares."""
    explanation: str
    shown: bool = True
    """False for a score-only code (never raised as a flag)."""


@dataclass(frozen=True)
class FuzzyConfig:
    """Thresholds of the pinyin/fuzzy matcher (matcher.toml ``[fuzzy]``); ratios are 0..100."""

    min_len: int = 3
    """Shortest phrase (characters) matched by pinyin/fuzzy."""
    pinyin_ratio: float = 90
    """Joined-pinyin ratio required when a syllable is only a near-homophone."""
    char_ratio: float = 85
    """Character ratio required when a syllable is dissimilar."""
    near_syllable: float = 66
    """Ratio at which two syllables count as near-homophones."""
    near_min_len: int = 4
    """Shortest phrase that may hold one near-homophone syllable."""
    near2_min_len: int = 8
    """Shortest phrase that may hold two near-homophone syllables."""
    dissimilar_min_len: int = 9
    """Shortest phrase that may hold one dissimilar syllable."""
    indel_min_len: int = 6
    """Shortest phrase that may have one syllable inserted or dropped."""
    loose_pinyin: bool = True
    """Treat zh/z, ch/c, sh/s, n/l, -ng/-n as equal."""
    distinct: tuple[tuple[str, str], ...] = (("ni", "nin"),)
    """Syllable pairs never treated as near-homophones (你/您 is the courtesy itself)."""


@dataclass(frozen=True)
class Phrasebook:
    """Every table of the phrasebook, loaded and validated."""

    greeting: Greeting
    closings: tuple[Closing, ...]
    scripts: tuple[Script, ...]
    replacements: tuple[Replacement, ...]
    banned: tuple[BannedEntry, ...]
    service_types: tuple[ServiceType, ...]
    referrals: tuple[Referral, ...]
    domain_words: tuple[str, ...]
    courts: dict[str, str] = field(hash=False)
    """Court code (浙0503) → court name."""
    dialect: tuple[DialectWord, ...] = ()
    rubric: Rubric | None = None
    matcher_config: FuzzyConfig = FuzzyConfig()
    source_dir: str = ""
    """The directory the tables were read from."""
    checks: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    """checks.toml: the words each compliance check looks for (section → key → phrases or text)."""
    flags: tuple[FlagDef, ...] = ()
    """flags.toml: the flag registry, in its order."""
    rules: tuple[Rule, ...] = ()
    """rules.toml: the call-level and trigger rules as positive and negative examples."""

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError when unknown)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)
    examples: tuple[ExampleGroup, ...] = ()
    """examples/*.toml: caller sentences per service type and need, and negatives (label ``none``)."""

    def service_type(self, code: str) -> ServiceType:
        """The service type with this code (KeyError when unknown)."""
        for st in self.service_types:
            if st.code == code:
                return st
        raise KeyError(code)

    def cue_weight(self, code: str, cue: str) -> float:
        """The weight of a literal cue (or regex source) of a service type; 0.0 when absent."""
        for c in self.service_type(code).cues:
            if cue in (c.text, c.regex):
                return c.weight
        return 0.0
