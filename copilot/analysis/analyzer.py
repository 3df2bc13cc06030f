"""CallAnalyzer: the analysis of one call, utterance by utterance, as events (docs/formats.md §4).

``add_turn`` is called for every final utterance and returns the events it causes (the utterance
itself, flags on that turn, a changed service type, record fields, suggestions); ``finish`` decides the
call-level flags and the score. ``result()`` is the docs/formats.md §2 analysis result.
"""

from __future__ import annotations

from typing import Any

from copilot.analysis.checker import Checker
from copilot.analysis.classifier import Classification, Classifier
from copilot.analysis.extractor import Extractor
from copilot.analysis.rules import Rules, load_rules
from copilot.analysis.scorer import score_call
from copilot.analysis.triggers import ScriptTriggers
from copilot.analysis.turns import TurnView, make_turn
from copilot.events import (
    CallEnded,
    CallStarted,
    Event,
    FlagRaised,
    RecordUpdated,
    ServiceTypeChanged,
    Suggestion,
    UtteranceEvent,
    Word,
)
from copilot.flags import Flag
from copilot.record import CallRecord
from copilot.standard import ANSWER_LIMIT_S
from copilot.transcript import Transcript


def _flag_event(f: Flag, t: float) -> FlagRaised:
    return FlagRaised(t=t, flag=f)


class CallAnalyzer:
    def __init__(self, call_id: str, *, rules: Rules | None = None, ring_seconds: float | None = None,
                 started_at: str | None = None, live: bool = True, cases: Any = "default") -> None:
        self.r = rules or load_rules()
        self.live = live
        """False for a whole transcript analysed at once: the per-turn classification, record and caller
        suggestions (live events only) are skipped and computed once at :meth:`finish` — the same result, in time
        linear in the number of turns instead of quadratic (100,000 turns)."""
        self.call_id = call_id
        self.ring_seconds = ring_seconds
        self.started_at = started_at
        self.checker = Checker(self.r)
        self.classifier = Classifier(self.r)
        self.classifier.grumbles = self.checker.caller_wait_complaint
        self.extractor = Extractor(self.r)
        self.turns: list[TurnView] = []
        self.flags: list[Flag] = []
        self.cls = Classification()
        self.record: CallRecord | None = None
        """The call's record as it stands (None before the first utterance)."""
        self._said: set[str] = set()
        self._first_agent_seen = False
        self._apology_suggested = False
        self._dialect_suggested = False
        self._identity_flagged = False
        self.triggers = ScriptTriggers(self.r, self.checker)
        self._type_announced = False
        self.finished = False
        self.score: dict[str, Any] | None = None
        from copilot.cases.hook import CaseHook
        from copilot.cases.runtime import active_directory

        self.cases = CaseHook(active_directory() if isinstance(cases, str) else cases)
        """The court's case directory (copilot.cases): the store's, unless given (None: none)."""

    # ------------------------------------------------------------------ live
    def start(self, *, source: str = "transcript") -> list[Event]:
        events: list[Event] = [CallStarted(t=0.0, call_id=self.call_id, started_at=self.started_at, source=source)]
        if self.ring_seconds is not None and self.ring_seconds >= ANSWER_LIMIT_S:
            events.append(Suggestion(t=0.0, kind="script", text=self.r.script_text("wait_complaint"),
                                     reason=f"铃响 {self.ring_seconds:g} 秒，接起后先致歉"))
        events.append(Suggestion(t=0.0, kind="greeting", text=self.r.greeting_text, reason="接听后立即致问候语"))
        return events

    def add_turn(self, speaker: str, start: float, end: float, text: str, *, confidence: float = 1.0,
                 words: tuple[Word, ...] = ()) -> list[Event]:
        """One final utterance; ``confidence`` and ``words`` are the recogniser's (a transcript's turn has none)
        and travel on with the turn and its ``utterance`` event to the store."""
        turn = make_turn(len(self.turns), speaker, start, end, text, self.r.dialect_map, confidence=confidence,
                         words=words)
        self.turns.append(turn)
        t = end
        events: list[Event] = [UtteranceEvent(t=t, speaker=speaker, final=True, start=start, end=end, text=text,
                                              turn=turn.index, confidence=confidence, words=tuple(words))]
        if turn.is_agent:
            events += self._check_agent_turn(turn, t)
        elif self.live:
            events += self._caller_turn_suggestions(turn, t)
            events += self.triggers.caller_turn(turn, t)
        if not self.live:
            return events
        events += self._update_classification(t)
        record = self.extractor.record(self.turns, self.cls, self.checker, final=False)
        record, case_events = self.cases.apply(self.turns, record, t)
        if record != self.record:
            self.record = record
            events.append(RecordUpdated(t=t, record=record.to_dict()))
        return events + case_events

    def _check_agent_turn(self, turn: TurnView, t: float) -> list[Event]:
        new: list[Flag] = []
        first = not self._first_agent_seen
        if first:
            self._first_agent_seen = True
            g = self.checker.greeting(turn)
            if g:
                new.append(g)
        before = self.turns[:-1]
        banned = self.checker.banned(turn, before)
        new += banned
        ns = self.checker.nonstandard(turn, banned, first, before)
        if ns:
            new.append(ns)
        new += [f for f in (self.checker.outcome(turn, before),
                            None if self._identity_flagged else self.checker.identity(turn, before)) if f]
        self._identity_flagged = self._identity_flagged or any(f.code == "identity_not_verified" for f in new)
        self.flags += new
        events: list[Event] = [_flag_event(f, t) for f in new]
        for f in new:
            events.append(Suggestion(t=t, kind="replacement" if f.code != "greeting_missing" else "greeting",
                                     text=f.suggestion, reason=f"「{f.phrase}」→ 请说：{f.suggestion}"))
        return events

    def _caller_turn_suggestions(self, turn: TurnView, t: float) -> list[Event]:
        events: list[Event] = []
        if (not self._apology_suggested and self.checker.caller_wait_complaint(turn)
                and not any(self.checker.apology.find(x.plain) for x in self.turns if x.is_agent)):
            self._apology_suggested = True
            events.append(Suggestion(t=t, kind="script", text=self.r.script_text("wait_complaint"),
                                     reason="来电人抱怨难打通、应答慢"))
        if not self._dialect_suggested and turn.norm.dialect:
            self._dialect_suggested = True
            words = "、".join(f"{d}={m}" for d, m in turn.norm.dialect[:3])
            events.append(Suggestion(t=t, kind="script", text=self.r.script_text("dialect") or "继续使用普通话",
                                     reason=f"来电人讲方言（{words}）"))
        return events

    def _update_classification(self, t: float) -> list[Event]:
        cls = self.classifier.classify(self.turns)
        events: list[Event] = []
        # the silent-so-far default was never announced: the first reading after the caller speaks always is;
        # a new referral suggestion is news too
        changed = not self._type_announced or ((cls.service_type, cls.service_types, cls.referral)
                                               != (self.cls.service_type, self.cls.service_types, self.cls.referral))
        self.cls = cls
        if not changed or not any(x.has_content for x in self.turns if not x.is_agent):
            return events
        self._type_announced = True
        events.append(ServiceTypeChanged(t=t, service_type=cls.service_type, confidence=cls.confidence,
                                         service_types=tuple(cls.service_types),
                                         evidence=tuple(cls.evidence.get(cls.service_type, [])[:6]),
                                         referral=cls.referral))
        if cls.service_type == "out_of_scope" and cls.referral:
            events.append(Suggestion(t=t, kind="referral", text=f"请告知来电人联系{cls.referral}",
                                     reason="不属于12368热线服务范围"))
        for code in cls.service_types:
            if code in self._said or code == "out_of_scope":
                continue
            self._said.add(code)
            steps = self.r.checklists.get(code, ())
            if steps:
                events.append(Suggestion(t=t, kind="checklist", text="；".join(steps),
                                         reason=f"{self.r.type_names.get(code, code)}的处置要求"))
        return events

    def finish(self, *, reason: str = "eof", complete: bool = True) -> list[Event]:
        if self.finished:
            return []
        self.finished = True
        if not self.live:
            self.cls = self.classifier.classify(self.turns)
        t = self.turns[-1].end if self.turns else 0.0
        call_flags = self.checker.finish(self.turns, self.ring_seconds, self.cls.service_type, self.cls.service_types,
                                         self.cls.scores)
        self.flags += call_flags
        events: list[Event] = [_flag_event(f, t) for f in call_flags]
        silent = not any(x.has_content for x in self.turns if not x.is_agent)
        self.score = score_call(self.r, self.flags, confidence=self.cls.confidence,
                                silent=silent)
        record = self.extractor.record(self.turns, self.cls, self.checker)
        record, case_events = self.cases.apply(self.turns, record, t)
        if self.record is None or record != self.record:
            self.record = record
            events.append(RecordUpdated(t=t, record=record.to_dict()))
        events += case_events
        events.append(CallEnded(t=t, call_id=self.call_id, reason=reason, complete=complete))
        return events

    # ------------------------------------------------------------------ result
    def result(self) -> dict[str, Any]:
        flags = sorted(self.flags, key=lambda f: (f.turn if f.turn is not None else 10**6, f.code))
        record = self.record.to_dict(dialect_words=False) if self.record is not None else {}
        return {
            "call_id": self.call_id,
            "service_type": self.cls.service_type,
            "service_types": list(self.cls.service_types),
            "confidence": self.cls.confidence,
            "evidence": {k: v[:6] for k, v in self.cls.evidence.items()},
            "flags": [f.to_dict() for f in flags],
            "record": record,
            "score": self.score,
        }


def analyze_transcript(tr: Transcript, *, rules: Rules | None = None, cases: Any = "default") -> dict[str, Any]:
    a = CallAnalyzer(tr.call_id, rules=rules, ring_seconds=tr.ring_seconds, started_at=tr.started_at, live=False,
                     cases=cases)
    for turn in tr.turns:
        a.add_turn(turn.speaker, turn.start, turn.end, turn.text,
                   confidence=1.0 if turn.confidence is None else turn.confidence, words=turn.words)
    a.finish()
    return a.result()
