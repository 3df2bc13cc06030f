"""Service-type classification over the call so far (rules from the phrasebook's cues).

Each caller turn is scored against the cue words of every service type (exact or homophone hits,
regexes); the agent's replies add weaker evidence (the agent's words are usually cleaner in ASR and
say what is being done: 帮您查询, 为您转接, 登记预约, 记录转交, 建议您拨打 …). The primary need is the
first in-scope request: evidence from early caller turns weighs more. Several needs are listed when
each has enough evidence of its own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from copilot.analysis.rules import IN_SCOPE, Rules
from copilot.analysis.turns import TurnView

CUE_MIN_CONF = 0.85
"""Fuzzy confidence at which a garbled cue still counts."""
HOMOPHONE_CONF = 0.9
"""A cue of three or more characters heard as a full homophone (every syllable the same; ASR writes 及检检查
for 纪检监察) counts at this confidence, however different the characters: homophones are the commonest
ASR error in Mandarin, and three equal syllables in a row are rarely chance."""
AGENT_WEIGHT = 0.6
"""Agent turns are evidence too, but the caller's words define the need; an agent cue counts once per call."""
NEED_THRESHOLD = 2.0
"""Evidence needed before a type is reported as a need of the call."""
NEED_THRESHOLD_CALL = 1.5
"""Evidence over the whole call (agent replies included) that still makes a need when the opening is unclear."""
SECONDARY_RATIO = 0.5
"""A further need must have at least this share of the primary's evidence."""


def _position_weight(k: int) -> float:
    """The k-th caller turn with content (0-based): the opening request weighs most."""
    return 1.6 if k == 0 else 1.3 if k == 1 else 1.0 / (1.0 + 0.1 * (k - 2))


@dataclass
class Classification:
    service_type: str = "out_of_scope"
    confidence: float = 0.0
    service_types: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    referral: str | None = None

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.scores.items(), key=lambda kv: -kv[1])


class Classifier:
    def __init__(self, rules: Rules) -> None:
        self.r = rules
        self._hits: dict[int, list[tuple[str, float, str]]] = {}
        """Cue hits per turn index: a turn is matched once, however often the call is re-classified."""

    def cue_hits(self, turn: TurnView) -> list[tuple[str, float, str]]:
        """(service type, weight, words) for every cue found in one turn; one hit per cue."""
        cached = self._hits.get(turn.index)
        if cached is not None:
            return cached
        out: list[tuple[str, float, str]] = []
        self._hits[turn.index] = out
        seen: set[str] = set()
        for h in self.r.cue_matcher.find(turn.plain):
            conf = max(h.confidence, HOMOPHONE_CONF) if h.kind == "pinyin" else h.confidence
            if conf < CUE_MIN_CONF or h.phrase_id in seen:
                continue
            seen.add(h.phrase_id)
            code, idx = h.phrase_id.split("|")
            cue = self.r.cues[int(idx)]
            if cue.caller_only and turn.is_agent:
                continue
            out.append((code, cue.weight * conf, turn.said(h.start, h.end) or h.phrase))
        for cue in self.r.cue_regexes:
            if cue.caller_only and turn.is_agent:
                continue
            m = cue.regex.search(turn.plain)
            if m:
                out.append((cue.service_type, cue.weight, turn.said(m.start(), m.end()) or m.group(0)))
        return out

    def classify(self, turns: list[TurnView]) -> Classification:
        scores: dict[str, float] = defaultdict(float)
        early: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[str]] = defaultdict(list)
        agent_said: set[tuple[str, str]] = set()
        k = 0
        for t in turns:
            hits = self.cue_hits(t)
            if t.is_agent:
                for code, w, words in hits:
                    if (code, words) in agent_said:  # the agent repeating an answer is not new evidence
                        continue
                    agent_said.add((code, words))
                    scores[code] += AGENT_WEIGHT * w
                    if words not in evidence[code]:
                        evidence[code].append(words)
                continue
            if not t.has_content:
                continue
            pw = _position_weight(k)
            for code, w, words in hits:
                scores[code] += pw * w
                if k <= 1:
                    early[code] += w
                if words not in evidence[code]:
                    evidence[code].append(words)
            k += 1
        c = Classification(scores=dict(scores), evidence=dict(evidence))
        if k == 0:  # silent call: no need expressed
            c.service_type, c.confidence, c.service_types = "out_of_scope", 1.0, ["out_of_scope"]
            return c
        in_scope = {code: s for code, s in scores.items() if code in IN_SCOPE}
        oos = scores.get("out_of_scope", 0.0)
        best_in = max(in_scope.items(), key=lambda kv: kv[1], default=("", 0.0))
        # the primary: the opening request decides when it is clear, else the whole call
        early_in = {code: s for code, s in early.items() if code in IN_SCOPE}
        primary = ""
        if early_in:
            code, s = max(early_in.items(), key=lambda kv: kv[1])
            if s >= NEED_THRESHOLD and s >= early.get("out_of_scope", 0.0):
                primary = code
        if not primary and best_in[1] >= NEED_THRESHOLD_CALL and best_in[1] > oos:
            primary = best_in[0]
        if not primary:
            primary = "out_of_scope"
        top = scores.get(primary, 0.0)
        needs = [primary] + [code for code, s in sorted(in_scope.items(), key=lambda kv: -kv[1])
                             if code != primary and s >= NEED_THRESHOLD and s >= SECONDARY_RATIO * top]
        total = sum(math.exp(min(v, 30) / 2) for v in scores.values()) or 1.0
        c.service_type = primary
        c.service_types = needs
        c.confidence = round(math.exp(min(top, 30) / 2) / total, 3) if top else 0.5
        if primary == "out_of_scope":
            c.referral = self.suggest_referral(turns)
        return c

    def suggest_referral(self, turns: list[TurnView]) -> str | None:
        """The referral unit whose cues best fit what the caller said."""
        best: dict[int, float] = defaultdict(float)
        for t in turns:
            if t.is_agent:
                continue
            for h in self.r.referral_need.find(t.plain, fuzzy=False):
                best[int(h.phrase_id)] += 1.0
        if not best:
            return None
        i = max(best.items(), key=lambda kv: kv[1])[0]
        return self.r.referrals[i].label
