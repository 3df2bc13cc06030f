"""Appendix A.3 scripts triggered by what the caller says (the acoustic triggers are in copilot.session.pipeline).

- hands-free or echo (「我开着免提」「有回音」) → 「不好意思，您的声音太小，请您拿起话筒说话好吗？」;
- the caller cannot hear the agent (「听不清」「声音太小」) → 「不好意思，请问现在能听清楚吗？」, louder;
  when the caller still cannot hear after it, the agent is reminded again (at most twice a call).

The wording a trigger recognises is data: the ``hands_free`` and ``cannot_hear_agent`` rules of
``phrasebook/data/rules.toml`` (positive and negative examples). Each suggestion says what it reacted to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copilot.events import Event, Suggestion

if TYPE_CHECKING:
    from copilot.analysis.checker import Checker
    from copilot.analysis.rules import Rules
    from copilot.analysis.turns import TurnView

TRIGGERS = (("hands_free", "hands_free", "来电人开着免提或有回音"),
            ("cannot_hear_agent", "cannot_hear_agent", "来电人听不清座席员，请稍微提高音量"))
"""(rules.toml rule, scripts.toml trigger, reason shown)."""
MAX_PER_CALL = 2


class ScriptTriggers:
    def __init__(self, rules: Rules, checker: Checker) -> None:
        self.r, self.checker = rules, checker
        self.count: dict[str, int] = {}

    def caller_turn(self, turn: TurnView, t: float) -> list[Event]:
        events: list[Event] = []
        if turn.is_agent:
            return events
        for rule, trigger, reason in TRIGGERS:
            m = self.checker.said(turn, rule)
            text = self.r.script_text(trigger)
            if m is None or not text or self.count.get(rule, 0) >= MAX_PER_CALL:
                continue
            self.count[rule] = self.count.get(rule, 0) + 1
            events.append(Suggestion(t=t, kind="script", text=text, reason=f"{reason}（「{turn.said(m.start, m.end)}」）"))
        return events
