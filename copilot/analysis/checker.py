"""Compliance checks: every flag code of docs/formats.md §3, on agent turns only (callers are never flagged).

Turn-level codes (greeting_missing, banned_phrase, nonstandard_wording) are raised as each agent turn
arrives; call-level codes are decided at the end of the call (``finish``), because they depend on what
the agent did or did not say later.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any

from copilot.analysis.conduct_model import ConductModel, Verdict, model_for
from copilot.analysis.keys import KeySet
from copilot.analysis.rules import Rules
from copilot.analysis.turns import TurnView
from copilot.flags import Flag
from copilot.standard import ANSWER_LIMIT_S
from copilot.text import normalize
from phrasebook.similar import Match

_HOTLINE = re.compile(r"(?<!\d)(11\d|12\d|12\d{3}|0\d{2,3}-?\d{7,8})(?![\d元块万号年月日点天岁个])")
"""A hotline (110, 12345 …) or a landline the agent reads out."""
GREETING_MIN_CONF = 0.8
"""Fuzzy (pinyin) confidence at which an ASR-garbled greeting still counts as said."""
WANTS_JUDGE = 1.5
"""Contact-judge evidence (classifier score) at which the caller counts as wanting a judge, even when
another need came first (e.g. the agent says 我联系一下X法官)."""
STRICT = 0.9
"""Similarity at which the agent's own statement decides a call-level check without the classifier."""
OUTCOME_SUGGESTION = "案件结果以法院依法作出的裁判为准，热线不能预测或承诺结果；如需法律意见，建议咨询律师或法律援助中心。"
"""What the agent should say instead of predicting an outcome (``outcome_promised``, by rule or by the model)."""
CASE_QUERY_PROB = 0.5
"""Need-model probability of ``info_query`` at which a caller's turn counts as asking about a particular case
(``identity_not_verified`` needs someone to have asked)."""
PHRASE_MIN_CONF = 0.85
"""Fuzzy confidence at which a garbled banned/A.4/closing phrase counts (exact hits have 1.0)."""


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class RuleView:
    """One rules.toml rule as a ``find(plain_text)`` (the extractor asks whether a callback was offered)."""

    def __init__(self, checker: Checker, rule: str) -> None:
        self.checker, self.rule = checker, rule

    def find(self, plain: str) -> Match | None:
        return self.checker.rule_match(plain, self.rule)


class Checker:
    def __init__(self, rules: Rules) -> None:
        self.r = rules
        c = rules.checks
        self.wait_not_when = KeySet(c["wait_complaint"]["not_when"])
        # near: the script is a whole phrase, heard through ASR (keys.py)
        self.silent_final = [KeySet([k], near=True) for k in c["silent_call"]["final"]]
        # units of two characters only exactly: 「提供案号」 must not read as 公安 (gong an)
        self.referral_units = KeySet(c["referral"]["units"], min_homophone=3)
        quote = c.get("quote", {})
        self.quote_frames = tuple(quote.get("frames", ()))
        self.quote_tails = tuple(quote.get("tails", ()))
        self.reporters = tuple(quote.get("reporters", ()))
        self.report_verbs = tuple(quote.get("verbs", ()))
        self._verbs_re = _alternation(self.report_verbs)
        self._reporters_re = _alternation(self.reporters)
        cond = c.get("conditional", {})
        self.cond_markers = tuple(cond.get("markers", ()))
        self.cond_then = tuple(cond.get("then", ()))
        names = c.get("names", {})
        self.name_suffixes = tuple(sorted(names.get("suffixes", ()), key=len, reverse=True))
        self.name_not_after = tuple(names.get("not_after", ()))
        self.judge_message = RuleView(self, "callback_offered")
        self.apology = RuleView(self, "wait_apology")
        self.judge_unreachable = RuleView(self, "judge_unreachable")
        self.forwarded = RuleView(self, "complaint_forwarded")
        self._rule_cache: dict[tuple[str, frozenset[int], str], dict[str, Match]] = {}
        self._match_cache: dict[tuple[str, str], list[Match]] = {}
        self._banned_cache: dict[str, list[Match]] = {}
        self._verdicts: dict[tuple[str, frozenset[int], frozenset[int]], list[Verdict]] = {}
        self._whole: dict[str, dict[str, float]] = {}
        self._need_probs: dict[str, dict[str, float]] = {}
        self._on_demand: dict[tuple[str, frozenset[int], str], Match | None] = {}
        self.use_model = os.environ.get("COPILOT_CONDUCT_MODEL", "1") != "0"
        """The conduct model (a trained classifier) adds to the example rules; COPILOT_CONDUCT_MODEL=0 turns
        it off (rules only, as before it existed)."""
        self._model: ConductModel | None = None

    # ---------------------------------------------------------------- example rules
    def rule_hits(self, plain: str, breaks: frozenset[int] = frozenset(), speaker: str = "agent") -> dict[str, Match]:
        """Every rules.toml rule of ``speaker``'s turns said in this (normalised) text: rule id → its best
        match. Cached per text."""
        key = (plain, breaks, speaker)
        hits = self._rule_cache.get(key)
        if hits is None:
            if len(self._rule_cache) > 4096:
                self._rule_cache.clear()
                self._match_cache.clear()
            examples = self.r.rule_examples_for.get(speaker)
            if examples is None:
                return {}
            found = self._match_cache.get((plain, speaker))
            if found is None:
                found = self._match_cache[(plain, speaker)] = examples.matches(plain)
            hits = {m.rule: m for m in examples.decide(found, breaks)}
            self._rule_cache[key] = hits
        return hits

    def rule_match(self, plain: str, rule: str, breaks: frozenset[int] = frozenset()) -> Match | None:
        alone = self.r.rule_examples_on_demand.get(rule)
        if alone is not None:  # a rarely asked rule, matched alone when asked (rules.ON_DEMAND)
            key = (plain, breaks, rule)
            if key not in self._on_demand:
                if len(self._on_demand) > 4096:
                    self._on_demand.clear()
                self._on_demand[key] = alone.best(plain, breaks=breaks)
            return self._on_demand[key]
        return self.rule_hits(plain, breaks, self.r.rule_speaker.get(rule, "agent")).get(rule)

    def said(self, turn: TurnView, rule: str, prior: list[TurnView] | None = None) -> Match | None:
        """The rule's match in this turn, if the rule reads this speaker's turns (and, for the agent, the
        words are the agent's own, not the caller's quoted back)."""
        if self.r.rule_speaker.get(rule, "agent") != turn.speaker:
            return None
        m = self.rule_match(turn.plain, rule, turn.breaks)
        if m is not None and turn.is_agent and self.quoted_back(turn, m.start, m.end, prior):
            return None
        return m

    def quoted_back(self, turn: TurnView, start: int, end: int, prior: list[TurnView] | None = None) -> bool:
        """The agent repeats the caller's words to confirm them (「您是说他说了『不归我管』，对吗？」):
        inside quotation marks, or after a confirmation frame (您是说…) and before its question tag (…对吗)
        or said by the caller just before."""
        if self._in_quotes(turn, start) or self._mostly_quoted(turn, start, end) or self._reported(turn, start, end):
            return True
        plain = turn.plain
        frame = max((plain.rfind(f, 0, start + 1) for f in self.quote_frames), default=-1)
        if frame < 0:
            return False
        if any(plain.find(t, end) >= 0 for t in self.quote_tails):
            return True
        words = plain[start:end]
        recent = [t for t in (prior or [])[-4:] if not t.is_agent]
        return any(words in t.plain for t in recent)

    def _report_start(self, turn: TurnView, at: int) -> tuple[int, int]:
        """(where the reporter begins, where the words someone else said begin) when the stretch from ``at`` on is
        reported speech in its clause (「对方当时跟您说你别来了」, 「书记员让你自己去窗口问」): a third party
        (checks.toml ``quote.reporters``, not the one spoken to: 跟他说 is the agent speaking) and, within six
        characters and no clause break, a reporting verb (``quote.verbs``) ending at or before ``at``; 让/叫 report
        only a command to the caller (让你…, 叫您…: 让他回头打给您 is the agent's promise). (-1, -1) if not."""
        plain = turn.plain
        clause = max((b for b in turn.breaks if b < at), default=0)
        head = plain[clause:at]
        if not head:
            return -1, -1
        if self._verbs_re is None or self._reporters_re is None:
            return -1, -1
        for mv in reversed(list(self._verbs_re.finditer(head))):
            j, v = mv.start(), mv.group()
            after = clause + j + len(v)
            if len(v) == 1 and v in "让叫" and plain[after:after + 1] not in ("你", "您"):
                continue
            for mr in self._reporters_re.finditer(head, max(0, j - 10), j):
                i, r = mr.start(), mr.group()
                if j - (i + len(r)) > 6:
                    continue
                prev = head[i - 1] if i > 0 else ""
                if prev and prev in "跟和给对向其":  # 跟他说: the agent speaking to him; 其他: not a person
                    continue
                return clause + i, after
        return -1, -1

    def _reported(self, turn: TurnView, start: int, end: int | None = None) -> bool:
        """The stretch is someone else's words reported in its clause; a paraphrase match may begin on the
        reporter (「那个工作人员说你找别人去」: reporter and verb inside the match, the words after them)."""
        if self._report_start(turn, start)[1] >= 0:
            return True
        if end is None or end <= start:
            return False
        who, s = self._report_start(turn, end)
        return who >= start and end - s >= 2

    def _in_name(self, plain: str, at: int, breaks: frozenset[int]) -> bool:
        """The 你 at ``at`` begins a shop or company name (「你好家政」, 「你我超市」), not an address to the caller:
        a name suffix (checks.toml ``names.suffixes``) follows within eight characters, no clause break between,
        and the words in between are not a possessive (你家超市, 你们公司, 你的小店) nor start with a verb or
        adverb (``names.not_after``: 你去超市问)."""
        nxt = min((b for b in breaks if b > at), default=len(plain))
        window = plain[at + 1:min(nxt, at + 1 + 8 + 4)]
        if not window or window.startswith(self.name_not_after):
            return False
        for suf in self.name_suffixes:
            i = window.find(suf)
            if i < 1 or i > 8:
                continue
            gap = window[:i]
            if gap[0] in "的们家" and len(gap) <= 3 or "自己" in gap:
                continue
            return True
        return False

    def _mostly_quoted(self, turn: TurnView, start: int, end: int) -> bool:
        """Most of the stretch lies inside quotation marks (a paraphrase match may begin on the reporting words
        just before the quote: 「有人跟您讲『自己上网查去』」 aligned with the example 您自己上网查去)."""
        if end <= start or not any(q in turn.text for q in "「“『\""):
            return False
        inside = sum(1 for i in range(start, end) if self._in_quotes(turn, i))
        return inside * 2 > end - start

    @staticmethod
    def _in_quotes(turn: TurnView, start: int) -> bool:
        s, _ = turn.norm.source_span(start, start)
        before = turn.text[:s]
        opens = sum(before.count(q) for q in "「“『\"")
        closes = sum(before.count(q) for q in "」”』")
        return opens > closes

    # ---------------------------------------------------------------- turn level
    def greeting_ok(self, turn: TurnView) -> bool:
        plain = turn.plain
        if plain.startswith("你好"):  # 您好 and 你好 differ by one sound; ASR often writes 你好
            plain = "您" + plain[1:]
        if self._greeting_in(plain):
            return True
        return self._greeting_around_apology(turn, plain)

    def _greeting_in(self, plain: str) -> bool:
        return any(hit.confidence >= GREETING_MIN_CONF for hit in self.r.greeting.find(plain))

    def _greeting_around_apology(self, turn: TurnView, plain: str) -> bool:
        """The greeting with the apology for a long wait said inside it (「您好！12368！不好意思，让您久等了！
        请问有什么可以帮助您？」): after a long ring the standard asks for the apology first, so clauses holding the
        ``wait_apology`` wording (with the clauses that lead up to it) may sit between the greeting's parts."""
        m = self.rule_match(turn.plain, "wait_apology", turn.breaks)
        if m is None:
            return False
        cuts = [0, *sorted(b for b in turn.breaks if 0 < b < len(plain)), len(plain)]
        if len(cuts) > 10:
            return False
        spans = list(zip(cuts, cuts[1:], strict=False))
        for i in range(1, len(spans) - 1):
            for j in range(i, len(spans) - 1):
                a, b = spans[i][0], spans[j][1]
                if a <= m.start and m.end <= b and self._greeting_in(plain[:a] + plain[b:]):
                    return True
        return False

    def greeting(self, turn: TurnView) -> Flag | None:
        if self.greeting_ok(turn):
            return None
        return Flag("greeting_missing", turn.index, turn.start, turn.text, self.r.greeting_text,
                    self.r.greeting_text, 1.0, (0, len(turn.text)), rule="greeting",
                    matched_example=self.r.greeting_text, similarity=None,
                    explanation=f"首句没有标准问候语「{self.r.greeting_text}」")

    def banned(self, turn: TurnView, prior: list[TurnView] | None = None) -> list[Flag]:
        """Banned phrases and their paraphrases, one flag per group and stretch, the caller's words quoted
        back excepted (similarity over characters and pinyin, gated by the look-alikes: phrasebook.similar)."""
        if not turn.is_agent:
            return []
        flags: list[Flag] = []
        families: dict[str, Flag] = {}
        for m in self._banned_matches(turn):
            if self.quoted_back(turn, m.start, m.end, prior) or self._excused(turn, m, prior):
                continue
            heard = turn.said(m.start, m.end)
            family = self.r.banned_family.get(m.rule, "")
            if family and family in families:  # one act (推诿 twice: 不归我们管，您找别人去) is one flag
                continue
            f = Flag("banned_phrase", turn.index, turn.start, turn.text, heard, self.r.banned_info[m.rule][0],
                     m.score, turn.norm.source_span(m.start, m.end), rule=m.rule,
                     matched_example=m.example, similarity=m.score,
                     explanation=_explain("禁止用语", m.rule, family, heard, m))
            families[family] = f
            flags.append(f)
        if not flags:
            f = self._model_flag(turn, "banned", prior)
            if f is not None:
                flags.append(f)
        return sorted(flags, key=lambda f: f.span or (0, 0))

    def _excused(self, turn: TurnView, m: Match, prior: list[TurnView] | None = None) -> bool:
        """A limit said with a way forward in the same turn (「这个我不清楚，我帮您问一下承办法官」, 「电话里没办法办，
        您可以到立案窗口办理」): groups with ``excused_by`` in banned.toml, when the turn also says that rule
        (``remedy_offered``, or ``callback_offered``: 留言, 让他回电) in other words than the hit."""
        rule = self.r.banned_excused.get(m.rule)
        if not rule:
            return False
        if self._conditional(turn, m.start):
            return True  # a consequence under a condition (您一挂断我就没法帮您查了), not a refusal
        for way in (rule, "callback_offered"):  # a message left, a call back promised: a way forward too
            r = self.said(turn, way, prior)
            if r is not None and not (r.start < m.end and m.start < r.end):
                return True
        return False

    def _conditional(self, turn: TurnView, at: int) -> bool:
        """The clause up to ``at`` states a condition (checks.toml ``conditional``): a marker (如果, 要是, 否则 …), or
        一 … 就 with 就 right before the hit's words."""
        plain = turn.plain
        clause = max((b for b in turn.breaks if b <= at), default=0)
        head = plain[clause:at]
        if any(mk in head for mk in self.cond_markers):
            return True
        prev = max((b for b in turn.breaks if b < clause), default=0)
        before = plain[prev:clause]  # the clause before: 要是材料不齐，就没办法立案 / 您一断线，我就没法…
        for t in self.cond_then:
            j = head.rfind(t)
            if j < 0 or len(head) - j > 3:
                continue
            if "一" in head[:j] or "一" in before or any(mk in before for mk in self.cond_markers):
                return True
        return False

    def _banned_matches(self, turn: TurnView) -> list[Match]:
        """Banned matches in the turn; an agent speaking dialect (侬去问别人) is read in Mandarin too."""
        found = self.r.banned_examples.decide(self._banned_raw(turn.plain), breaks=turn.breaks)
        if not self.r.dialect_forms.find(turn.plain, fuzzy=False):
            return found
        mandarin = normalize(turn.text, dialect=self.r.dialect_map)
        if len(mandarin.text) != len(turn.plain):
            return found or []
        more = [m for m in self.r.banned_examples.find(mandarin.text, breaks=turn.breaks)
                if not any(m.start < k.end and k.start < m.end for k in found)]
        return found + more

    def nonstandard(self, turn: TurnView, banned: list[Flag], first_agent_turn: bool,
                    prior: list[TurnView] | None = None) -> Flag | None:
        """At most one A.4 flag per turn: the longest form said (「我建议你」 counts once, not also 「你」);
        else a dialect word in the agent's answer (A.1 asks for Mandarin)."""
        if not turn.is_agent:
            return None
        banned_spans = [(f.span[0], f.span[1]) for f in banned if f.span]
        best = None
        for m in self.r.replacement_examples.find(turn.plain, breaks=turn.breaks):
            src = turn.norm.source_span(m.start, m.end)
            if any(_overlap(src, b) for b in banned_spans) or self.quoted_back(turn, m.start, m.end, prior):
                continue
            use = self.r.replacement_use.get(m.rule)
            if use and use in turn.plain:  # the agent said the standard wording too (…，但我会为您尽力争取)
                continue
            key = (m.end - m.start, m.score)
            if best is None or key > best[0]:
                best = (key, m.rule, m.example, m.start, m.end, m.score, src)
        if best is None:
            for h in self.r.single_forms.find(turn.plain, fuzzy=False):
                use, context = self.r.replacement_info[h.phrase_id]
                if context == "turn_start" and not self._opens_turn(turn, h):
                    continue
                if h.phrase == "你":
                    if turn.plain.startswith("你好") and h.start == 0:
                        continue  # the greeting's 您好 as ASR writes it
                    if self._reads_standard(turn.plain, h.start):
                        continue  # 您 of a script the agent is reading, written 你 by the recogniser
                    if self._in_name(turn.plain, h.start, turn.breaks):
                        continue  # a shop's or company's name (「你好家政」), not an address
                    if context == "not_quoted" and (self._quoted(turn, h) or self.quoted_back(turn, h.start, h.end, prior)):
                        continue
                if _inside_word(turn.plain, h.start, h.end, self.r.single_not_when.get(h.phrase_id, ())):
                    continue  # part of a word said to no one (迷你)
                src = turn.norm.source_span(h.start, h.end)
                # 你 inside a banned phrase (「你自己不会查啊」) is still 你 for 您: the pronoun is an A.4 fault of
                # its own; other single forms (嗯/啊) inside a banned stretch are part of it
                if h.phrase != "你" and any(_overlap(src, b) for b in banned_spans):
                    continue
                best = ((1, 1.0), h.phrase_id, h.phrase, h.start, h.end, 1.0, src)
                break
        if best is None:
            return self.dialect(turn, banned_spans, prior)
        _, rid, example, a, b, score, src = best
        use = self.r.replacement_info[rid][0]
        heard = turn.said(a, b)
        return Flag("nonstandard_wording", turn.index, turn.start, turn.text, heard, use, score, src, rule=rid,
                    matched_example=example, similarity=score,
                    explanation=f"附录A.4（{rid}）：「{heard}」应说「{use}」" + _resembles(heard, example, score))

    def dialect(self, turn: TurnView, banned_spans: list[tuple[int, int]],
                prior: list[TurnView] | None = None) -> Flag | None:
        """An agent answering in dialect: the first unambiguous dialect form, with its Mandarin (a dialect word
        the agent quotes or repeats back to confirm it, 「您说的“晓得伐”是…」, is the caller's, not the agent's)."""
        for h in self.r.dialect_forms.find(turn.plain, fuzzy=False):
            src = turn.norm.source_span(h.start, h.end)
            # a dialect pronoun inside a banned phrase (侬自家去问) is still dialect, as 你 inside one is still 你
            if (any(_overlap(src, b) for b in banned_spans) and h.phrase not in self.r.dialect_pronouns) \
                    or self.quoted_back(turn, h.start, h.end, prior):
                continue
            mandarin = self.r.dialect_map[h.phrase]
            return Flag("nonstandard_wording", turn.index, turn.start, turn.text, h.phrase, f"请用普通话：{mandarin}",
                        1.0, src, rule="dialect", matched_example=h.phrase, similarity=1.0,
                        explanation=f"附录A.1：座席员应保持普通话，「{h.phrase}」是方言，普通话说「{mandarin}」")
        return None

    def outcome(self, turn: TurnView, prior: list[TurnView] | None = None) -> Flag | None:
        """The agent predicts or promises a case's outcome, or gives an opinion on its merits."""
        m = self.said(turn, "outcome_promised", prior)
        if m is None:
            return self._model_flag(turn, "outcome", prior) if turn.is_agent else None
        heard = turn.said(m.start, m.end)
        return Flag("outcome_promised", turn.index, turn.start, turn.text, heard,
                    OUTCOME_SUGGESTION,
                    m.score, turn.norm.source_span(m.start, m.end), rule="outcome_promised", matched_example=m.example,
                    similarity=m.score, explanation="预测或承诺案件结果" + _resembles(heard, m.example, m.score))

    def identity(self, turn: TurnView, before: list[TurnView]) -> Flag | None:
        """Case details given in this agent turn while no earlier caller turn established the caller as a
        party, agent or defender of the case."""
        m = self.said(turn, "case_detail", before)  # first: rare, and the scan of the callers' turns below is not
        if m is None:
            return None
        callers = [t for t in before if not t.is_agent]
        if any(self.said(t, "identity_established") for t in callers):
            return None
        if not any(self._asks_about_a_case(t) for t in callers):
            return None  # nobody asked about a case: nothing shows who is asking is missing
        asked = next((i for i, t in enumerate(before) if self.said(t, "identity_verified")), None)
        if asked is not None and any(not t.is_agent and t.has_content and not self._not_a_party(t)
                                     for t in before[asked + 1:]):
            return None  # the agent checked who is calling, and the caller answered (not as someone else)
        heard = turn.said(m.start, m.end)
        return Flag("identity_not_verified", turn.index, turn.start, turn.text, heard,
                    "告知案件信息前，请先核实来电人是否为本案当事人、代理人或辩护人（如姓名、身份证号后四位、案号）。",
                    m.score, turn.norm.source_span(m.start, m.end), rule="case_detail", matched_example=m.example,
                    similarity=m.score,
                    explanation="未确认来电人身份即告知案件信息" + _resembles(heard, m.example, m.score))

    def _asks_about_a_case(self, turn: TurnView) -> bool:
        """The caller asks about a particular case: the ``case_query`` wording, or the need model reads the turn
        as an information query (asked only when an agent turn gives case details to an unestablished caller)."""
        if not turn.has_content:
            return False
        if self.said(turn, "case_query") is not None:
            return True
        p = self._need_probs.get(turn.plain)
        if p is None:
            p = self._need_probs[turn.plain] = self.r.need_model().predict(turn.plain)
        return p.get("info_query", 0.0) >= CASE_QUERY_PROB

    def _not_a_party(self, turn: TurnView) -> bool:
        """The caller says they are someone else (a relative, a neighbour, a lawyer not yet retained) or will not
        say who they are: a look-alike of ``identity_established`` in the turn and none of its positives."""
        if self.said(turn, "identity_established") is not None:
            return False
        self.rule_hits(turn.plain, turn.breaks, "caller")
        return any(m.negative and m.rule == "identity_established"
                   for m in self._match_cache.get((turn.plain, "caller"), ()))

    def _reads_standard(self, plain: str, at: int) -> bool:
        for p in self.r.read_with_ni:
            i = plain.find(p, max(0, at - len(p) + 1))
            if 0 <= i <= at < i + len(p):
                return True
        return False

    @staticmethod
    def _opens_turn(turn: TurnView, hit: Any) -> bool:
        """嗯/啊 count only as a reply word that opens the turn (嗯，/ 嗯嗯 / 啊？), not 是啊, 好啊 …"""
        return hit.start == 0

    @staticmethod
    def _quoted(turn: TurnView, hit: Any) -> bool:
        s, _ = turn.norm.source_span(hit.start, hit.end)
        before = turn.text[:s]
        opens = sum(before.count(q) for q in "「“『\"")
        closes = sum(before.count(q) for q in "」”』")
        return opens > closes

    # ---------------------------------------------------------------- the conduct model
    def _banned_raw(self, plain: str) -> list[Match]:
        """Every banned example and look-alike said in the text (cached: the rules and the model's gate)."""
        raw = self._banned_cache.get(plain)
        if raw is None:
            if len(self._banned_cache) > 4096:
                self._banned_cache.clear()
            raw = self._banned_cache[plain] = self.r.banned_examples.matches(plain)
        return raw

    def model(self) -> ConductModel | None:
        if self._model is None and self.use_model:
            self._model = model_for(self.r)
        return self._model

    def _explained(self, turn: TurnView, prior: list[TurnView] | None) -> frozenset[int]:
        """Characters of the turn other wording already explains, which the model must not read: look-alikes
        of banned phrases and of outcome promises, A.4 forms (their own check), and the caller's words the
        agent quotes back (inside quotation marks, or from a frame such as 您是说 to a tag such as 对吗)."""
        plain = turn.plain
        out: set[int] = set(self._quoted_chars(turn, prior))
        for m in self._banned_raw(plain):
            if m.negative:
                out.update(range(m.start, m.end))
        for m in self.r.banned_examples.decide(self._banned_raw(plain), breaks=turn.breaks):
            if self._excused(turn, m, prior):  # a limit with a way forward: courteous, not for the model
                out.update(range(m.start, m.end))
        self.rule_hits(plain, turn.breaks, "agent")
        for m in self._match_cache.get((plain, "agent"), ()):
            if m.negative and m.rule == "outcome_promised":
                out.update(range(m.start, m.end))
        for m in self.r.replacement_examples.find(plain, breaks=turn.breaks):
            out.update(range(m.start, m.end))
        return frozenset(out)

    def _quoted_chars(self, turn: TurnView, prior: list[TurnView] | None) -> frozenset[int]:
        """Characters of the turn that are someone else's words: inside quotation marks, or quoted back after
        a frame (您是说…对吗, or words the caller just said)."""
        plain = turn.plain
        out: set[int] = set()
        if any(q in turn.text for q in "「“『\""):
            out.update(i for i in range(len(plain)) if self._in_quotes(turn, i))
        has_reporter = self._reporters_re is not None and self._reporters_re.search(plain) is not None
        for b in sorted({0, *turn.breaks}) if has_reporter else ():  # reported speech: verb → clause end
            if b >= len(plain):
                continue
            nxt = min((x for x in turn.breaks if x > b), default=len(plain))
            s = self._report_start(turn, nxt)[1]
            if s >= 0:
                out.update(range(s, nxt))
        for f in self.quote_frames:
            i = plain.find(f)
            while i >= 0:
                ends = [plain.find(t, i + len(f)) for t in self.quote_tails]
                ends = [e for e in ends if e >= 0]
                if ends:
                    out.update(range(i, min(ends)))
                else:
                    recent = [t.plain for t in (prior or [])[-4:] if not t.is_agent]
                    j = i + len(f)
                    while j < len(plain) and any(plain[i + len(f):j + 1] in r for r in recent):
                        j += 1
                    out.update(range(i, j))
                i = plain.find(f, i + 1)
        return frozenset(out)

    def verdicts(self, turn: TurnView, prior: list[TurnView] | None = None) -> list[Verdict]:
        """The conduct model's verdicts above threshold on the agent's own words in this turn (cached)."""
        model = self.model()
        if model is None or not turn.is_agent:
            return []
        quoted = self._quoted_chars(turn, prior)
        # the turn as said, without words quoted from someone else (「有人跟您讲『不知道，问别人去』」 is a report)
        said = "".join(ch for i, ch in enumerate(turn.plain) if i not in quoted) if quoted else turn.plain
        whole = self._whole.get(said)
        if whole is None:
            if len(self._whole) > 4096:
                self._whole.clear()
            whole = self._whole[said] = model.predict(said)
        if not model.passes(whole):  # most turns: one prediction, no gate needed
            return []
        masked = self._explained(turn, prior)
        key = (turn.plain, turn.breaks, masked)
        found = self._verdicts.get(key)
        if found is None:
            if len(self._verdicts) > 4096:
                self._verdicts.clear()
            found = self._verdicts[key] = model.read(turn.plain, turn.breaks, masked, whole)
        return found

    def _model_flag(self, turn: TurnView, label: str, prior: list[TurnView] | None) -> Flag | None:
        v = next((v for v in self.verdicts(turn, prior) if v.label == label), None)
        model = self._model
        if v is None or model is None:
            return None
        heard = turn.said(v.start, v.end)
        ex, cos = model.nearest(turn.plain[v.start:v.end], label)
        example = ex.text if ex else ""
        family = ex.family if ex else ""
        why = f"（模型概率 {v.probability:.2f}" + (f"；最相近的例句「{example}」，相似度 {cos:.2f}）" if ex else "）")
        span = turn.norm.source_span(v.start, v.end)
        if label == "outcome":
            return Flag("outcome_promised", turn.index, turn.start, turn.text, heard,
                        OUTCOME_SUGGESTION,
                        v.probability, span, rule="model", matched_example=example, similarity=round(cos, 3),
                        explanation=f"预测或承诺案件结果（模型）：「{heard}」" + why)
        suggestion = self.r.banned_info.get(ex.rule if ex else "", ("",))[0] or next(
            (self.r.banned_info[b][0] for b, fam in self.r.banned_family.items() if fam and fam == family),
            "请使用文明规范用语：对不起，这个问题我帮您核实一下。")
        fam = f"·{family}" if family else ""
        return Flag("banned_phrase", turn.index, turn.start, turn.text, heard, suggestion, v.probability, span,
                    rule="model", matched_example=example, similarity=round(cos, 3),
                    explanation=f"禁止用语（模型{fam}）：「{heard}」" + why)

    # ---------------------------------------------------------------- call level
    def caller_wait_complaint(self, turn: TurnView) -> bool:
        if turn.is_agent:
            return False
        return self.said(turn, "caller_wait_complaint") is not None and self.wait_not_when.find(turn.plain) is None

    def _first(self, turns: list[TurnView], rule: str, *, strict: bool = False) -> tuple[TurnView, Match] | None:
        """The first turn saying the rule (``strict``: nearly word for word, similarity ≥ STRICT)."""
        for i, t in enumerate(turns):
            m = self.said(t, rule, turns[:i])
            if m is not None and (not strict or m.score >= STRICT):
                return t, m
        return None

    def finish(self, turns: list[TurnView], ring_seconds: float | None, service_type: str,
               service_types: list[str], scores: dict[str, float] | None = None) -> list[Flag]:
        agent = [t for t in turns if t.is_agent]
        caller_spoke = any(t.has_content for t in turns if not t.is_agent)
        flags: list[Flag] = []
        if ring_seconds is not None and ring_seconds > ANSWER_LIMIT_S:
            flags.append(Flag("answer_late", None, None, "", f"{ring_seconds:g} 秒",
                              f"电话铃响立即接听，不得超过{ANSWER_LIMIT_S:g}秒；接起后先致歉：" + self.r.script_text("wait_complaint"),
                              rule="answer_late", explanation=f"铃响 {ring_seconds:g} 秒才接听（不得超过{ANSWER_LIMIT_S:g}秒）"))
        complained = next((t for t in turns if self.caller_wait_complaint(t)), None)
        wait = (ring_seconds is not None and ring_seconds >= ANSWER_LIMIT_S) or complained is not None
        if wait and agent and self._first(turns, "wait_apology") is None:
            m = self.said(complained, "caller_wait_complaint") if complained else None
            why = (f"来电人抱怨久等「{complained.said(m.start, m.end)}」" if complained and m
                   else f"铃响 {ring_seconds:g} 秒")
            flags.append(Flag("wait_apology_missing", None, None, "", "让您久等了",
                              self.r.script_text("wait_complaint"), rule="wait_apology",
                              matched_example=m.example if m else "", similarity=m.score if m else None,
                              explanation=why + "，座席员没有致歉「让您久等了」"))
        if agent and not caller_spoke:
            last = agent[-1]
            # The script counts wherever the agent said it: ASR often cuts 「…换一部电话再打来好吗？」 and the
            # 「感谢来电，再见！」 after it into two turns, and the goodbye is then the last one.
            said = "".join(t.plain for t in agent)
            if not all(k.find(said) for k in self.silent_final):
                flags.append(Flag("silent_call_script_missing", None, last.start, last.text,
                                  "听不到您的声音…换一部电话", self.r.script_text("silent_call"), rule="silent_call",
                                  explanation="来电人始终无声，座席员没有说无声电话结束语"))
        # only when the agent, too, treated the need as out of scope (said so, or declined it): a call the
        # classifier wrongly took for out of scope, whose need the agent handled, needs no referral
        # the agent's own words that the need is outside the hotline's remit count even when the classifier
        # took the call for in scope (a question about a property certificate is not a consultation)
        said_oos = self._first(turns, "out_of_scope_said")
        if caller_spoke and agent and (said_oos or self._first(turns, "need_declined")) and (
                service_type == "out_of_scope" or self._first(turns, "out_of_scope_said", strict=True)):
            if not any(self.names_referral(t) for t in agent):
                flags.append(Flag("referral_missing", None, None, "", "",
                                  "不属于热线服务范围时，应告知来电人应联系的单位及电话", rule="referral",
                                  explanation="来电事项不属于热线服务范围，座席员没有说出应联系的单位或电话"))
        wants_judge = "contact_judge" in service_types or (scores or {}).get("contact_judge", 0.0) >= WANTS_JUDGE
        if wants_judge:
            found = self._first(turns, "judge_unreachable")
            if found and self._first(turns, "callback_offered") is None:
                t, m = found
                heard = t.said(m.start, m.end)
                flags.append(Flag("judge_callback_missing", None, t.start, t.text, heard,
                                  "法官暂时联系不上时，应留言法官，并告知来电人法官会在规定时间内回复（回电）",
                                  m.score, rule="judge_unreachable", matched_example=m.example, similarity=m.score,
                                  explanation=f"座席员说法官联系不上「{heard}」，但没有留言、承诺回复或回电"
                                  + _resembles(heard, m.example, m.score)))
        complaint = service_type == "complaint" or self._first(turns, "caller_complaint") is not None
        if complaint and agent and caller_spoke and self._first(turns, "complaint_forwarded") is None:
            flags.append(Flag("complaint_not_forwarded", None, None, "", "",
                              "准确记录投诉举报内容，告知来电人将转交纪检监察部门办理，并严格保密",
                              rule="complaint_forwarded",
                              explanation="投诉举报或意见建议，座席员没有告知会记录并转交纪检监察部门"))
        if agent:
            tail = agent[-2:]
            if not any(self.closing_ok(t) for t in tail):
                last = agent[-1]
                flags.append(Flag("closing_missing", None, last.start, last.text, "",
                                  self.r.checks["closing"]["suggestion"], rule="closing",
                                  explanation="最后两句没有结束语（还有什么可以为您服务的／感谢来电／再见）"))
        return flags

    def closing_ok(self, turn: TurnView) -> bool:
        if any(h.confidence >= PHRASE_MIN_CONF for h in self.r.closings.find(turn.plain)):
            return True
        return self.said(turn, "closing") is not None

    def names_referral(self, turn: TurnView) -> str | None:
        """The other unit or hotline the agent named (12368 itself does not count)."""
        for h in self.r.referral_units.find(turn.plain, fuzzy=False):
            return h.phrase
        hit = self.referral_units.find(turn.plain)
        if hit:
            return hit.key
        for m in _HOTLINE.finditer(turn.plain):
            if m.group(1) != "12368":
                return m.group(1)
        return None


@lru_cache(maxsize=32)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex finding any of ``words`` (longest first)."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


def _inside_word(plain: str, start: int, end: int, words: tuple[str, ...]) -> bool:
    """``plain[start:end]`` lies inside an occurrence of one of ``words``."""
    for w in words:
        i = plain.find(w, max(0, end - len(w)))
        if 0 <= i <= start and end <= i + len(w):
            return True
    return False


def _resembles(heard: str, example: str, score: float) -> str:
    if not example or heard == example:
        return ""
    return f"（与例句「{example}」相似度 {score:.2f}）"


def _explain(kind: str, rule: str, family: str, heard: str, m: Match) -> str:
    fam = f"·{family}" if family else ""
    return f"{kind}（{rule}{fam}）：「{heard}」" + _resembles(heard, m.example, m.score)
