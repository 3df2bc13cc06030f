"""The hub: every call the server knows, its events so far, and who is subscribed to it.

All methods run on the server's event loop (ingest publishes the events its worker thread returned).
A subscriber owns a bounded queue; :meth:`CallHub.publish` never waits: when a subscriber's queue is
full, that subscriber is cut off with close code 4429 and a reason, and ingest goes on. Once a call's
service type is confidential (a complaint), subscribers whose role may not see it are cut off with 4403 — except
the agent handling the call: confidentiality is about *other* people. The handling agent is the agent whose token
streams the call's audio, else the first agent to subscribe to the call before it was found confidential; a
subscriber is recognised by its token (a fingerprint of it, never the token itself).
Every cut-off and every confidential access is passed to ``audit`` (the server's audit log).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from copilot.cases.privacy import visible_to
from copilot.events import (
    CallEnded,
    CallStarted,
    Event,
    FlagRaised,
    RecordUpdated,
    ServiceTypeChanged,
    UtteranceEvent,
)

log = logging.getLogger(__name__)

CLOSE_SLOW = 4429
CLOSE_FORBIDDEN = 4403


@dataclass(eq=False)
class Subscriber:
    """One events connection: its role, its bounded queue, and why it was cut off (if it was)."""

    role: str
    queue: asyncio.Queue
    who: str | None = None
    """Fingerprint of the subscriber's token (identifies the handling agent)."""
    closed: tuple[int, str] | None = None
    """(close code, reason) once the hub has cut this subscriber off."""
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def cut(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = (code, reason)
            self.wake.set()


@dataclass(eq=False)
class CallState:
    """What the hub knows of one call."""

    call_id: str
    events: list[Event] = field(default_factory=list)
    subscribers: set[Subscriber] = field(default_factory=set)
    started: float | None = None
    """Wall-clock time (epoch seconds) ingest began; None while only subscribers wait for the call."""
    ended: float | None = None
    confidential: bool = False
    service_type: str | None = None
    record: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    """Ingest counters (frames, bytes, backpressure waits, …)."""
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    handler: str | None = None
    """Token fingerprint of the agent handling the call (keeps the call when it turns confidential)."""

    def summary(self) -> dict[str, Any]:
        started = next((e for e in self.events if isinstance(e, CallStarted)), None)
        ended = next((e for e in reversed(self.events) if isinstance(e, CallEnded)), None)
        finals = [e for e in self.events if isinstance(e, UtteranceEvent) and e.final]
        return {
            "call_id": self.call_id,
            "active": self.ended is None,
            "started_at": started.started_at if started else None,
            "source": started.source if started else None,
            "seconds": round(max((e.t for e in self.events), default=0.0), 2),
            "service_type": self.service_type,
            "confidential": self.confidential,
            "utterances": len(finals),
            "flags": [e.code for e in self.events if isinstance(e, FlagRaised)],
            "record": dict(self.record),
            "subscribers": len(self.subscribers),
            "end_reason": ended.reason if ended else None,
            "complete": ended.complete if ended else None,
            **self.stats,
        }


class CallHub:
    def __init__(self, *, subscriber_queue: int = 256, recent: int = 200,
                 confidential_types: tuple[str, ...] = ("complaint",),
                 confidential_roles: tuple[str, ...] = ("inspector", "supervisor"), audit=None) -> None:
        self.audit = audit or (lambda *a, **k: None)
        """``audit(event, role=…, call_id=…, status=…, reason=…)``: the server's audit log."""
        self.calls: OrderedDict[str, CallState] = OrderedDict()
        self.subscriber_queue = subscriber_queue
        self.recent = recent
        self.confidential_types = frozenset(confidential_types)
        self.confidential_roles = frozenset(confidential_roles)
        self.counters: dict[str, int] = {"subscribers_cut_slow": 0, "subscribers_cut_confidential": 0}

    # ------------------------------------------------------------------ calls
    def active(self, call_id: str) -> bool:
        c = self.calls.get(call_id)
        return c is not None and c.started is not None and c.ended is None

    def known(self, call_id: str) -> bool:
        """True when ingest of ``call_id`` ran or runs in this server (ended calls included)."""
        c = self.calls.get(call_id)
        return c is not None and c.started is not None

    def begin(self, call_id: str, handler: str | None = None) -> CallState:
        """Ingest of ``call_id`` starts: a fresh state that keeps subscribers already waiting for it.

        ``handler``: token fingerprint of the agent streaming the call, if an agent streams it."""
        old = self.calls.pop(call_id, None)
        state = CallState(call_id, started=time.time(), handler=handler)
        if old is not None and old.started is None:  # subscribers that joined before the call began
            state.subscribers = old.subscribers
            if handler is None:
                state.handler = old.handler
        elif old is not None:  # a finished call of the same id is being replaced
            for sub in old.subscribers:
                sub.cut(1000, "call restarted")
        self.calls[call_id] = state
        self._trim()
        return state

    def end(self, call_id: str) -> None:
        state = self.calls.get(call_id)
        if state is not None and state.ended is None:
            state.ended = time.time()
            state.finished.set()

    def _trim(self) -> None:
        ended = [cid for cid, c in self.calls.items() if c.ended is not None and not c.subscribers]
        for cid in ended[: max(0, len(ended) - self.recent)]:
            del self.calls[cid]

    def listing(self) -> dict[str, Any]:
        calls = [c.summary() for c in self.calls.values() if c.started is not None]
        return {"active": [c for c in calls if c["active"]], "recent": [c for c in calls if not c["active"]]}

    # ------------------------------------------------------------------ events
    def publish(self, call_id: str, events: list[Event]) -> None:
        state = self.calls.get(call_id)
        if state is None:
            return
        for ev in events:
            state.events.append(ev)
            if isinstance(ev, ServiceTypeChanged):
                state.service_type = ev.service_type
                kinds = {ev.service_type, *ev.service_types}
                if kinds & self.confidential_types and not state.confidential:
                    state.confidential = True
                    self._enforce(state)
            elif isinstance(ev, RecordUpdated):
                state.record.update({k: v for k, v in ev.record.items() if v is not None})
            for sub in list(state.subscribers):
                if sub.closed is not None or not visible_to(sub.role, ev):  # the case card: agents only
                    continue
                try:
                    sub.queue.put_nowait(ev)
                except asyncio.QueueFull:
                    self.counters["subscribers_cut_slow"] += 1
                    log.warning("call %s: subscriber (%s) too slow, cut off", call_id, sub.role)
                    self._cut(state, sub, CLOSE_SLOW, f"subscriber too slow: {sub.queue.maxsize} events waiting")
            if isinstance(ev, CallEnded):
                self.end(call_id)

    def _cut(self, state: CallState, sub: Subscriber, code: int, reason: str) -> None:
        sub.cut(code, reason)
        state.subscribers.discard(sub)
        self.audit("cut_off", role=sub.role, route="events", call_id=state.call_id, status=code, reason=reason)

    def cleared(self, state: CallState, role: str, who: str | None) -> bool:
        """May this subscriber see the call once it is confidential? Cleared roles, and the handling agent."""
        if role in self.confidential_roles:
            return True
        return role == "agent" and who is not None and who == state.handler

    def _enforce(self, state: CallState) -> None:
        for sub in list(state.subscribers):
            if self.cleared(state, sub.role, sub.who):
                self.audit("confidential_access", role=sub.role, route="events", call_id=state.call_id,
                           reason="handling agent" if sub.role not in self.confidential_roles else "cleared role")
                continue
            self.counters["subscribers_cut_confidential"] += 1
            self._cut(state, sub, CLOSE_FORBIDDEN, self.forbidden_reason(sub.role))

    def forbidden_reason(self, role: str) -> str:
        return f"confidential call (complaint): role {role} may not see it"

    def subscribe(self, call_id: str, role: str, who: str | None = None) -> tuple[Subscriber, list[Event]]:
        """Register a subscriber; returns it and the call's events so far (sent before the queue)."""
        state = self.calls.get(call_id)
        if state is None:
            state = self.calls[call_id] = CallState(call_id)
        sub = Subscriber(role, asyncio.Queue(maxsize=self.subscriber_queue), who=who)
        if role == "agent" and state.handler is None and not state.confidential and state.ended is None:
            state.handler = who  # the first agent on the call handles it
        if state.confidential:
            if not self.cleared(state, role, who):
                sub.cut(CLOSE_FORBIDDEN, self.forbidden_reason(role))
                self.audit("refused", role=role, route="events", call_id=call_id, status=CLOSE_FORBIDDEN,
                           reason=self.forbidden_reason(role))
                return sub, []
            self.audit("confidential_access", role=role, route="events", call_id=call_id,
                       reason="handling agent" if role not in self.confidential_roles else "cleared role")
        history = [ev for ev in state.events if visible_to(role, ev)]
        if state.ended is None:
            state.subscribers.add(sub)
        return sub, history

    def unsubscribe(self, call_id: str, sub: Subscriber) -> None:
        state = self.calls.get(call_id)
        if state is None:
            return
        state.subscribers.discard(sub)
        if state.started is None and not state.subscribers:
            del self.calls[call_id]
