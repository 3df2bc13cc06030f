"""Who may see the case card: the agent on the call. Inspectors and supervisors review the call, not the
case; the card (status, judge, department, next hearing) is never stored with the record, so no export of a
stored call carries it, and the live event stream drops it for every role but the agent's."""

from __future__ import annotations

from copilot.events import CaseCard, Event

CARD_ROLES = frozenset({"agent"})


def visible_to(role: str | None, ev: Event) -> bool:
    """Whether a subscriber with ``role`` may receive ``ev`` (only the case card is restricted)."""
    return not isinstance(ev, CaseCard) or role in CARD_ROLES
