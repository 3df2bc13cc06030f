"""Typed messages: pipeline events and worker results come back to the UI as these."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from copilot.events import Event


class CallEvent(Message, bubble=False):
    """One pipeline event for the screen; ``sent`` is the perf_counter time it left its source."""

    def __init__(self, event: Event, sent: float = 0.0) -> None:
        super().__init__()
        self.event = event
        self.sent = sent


class StreamEnded(Message, bubble=False):
    """The event source is exhausted (after ``call_ended``) or failed (``error`` says why)."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


class RecordSaved(Message, bubble=False):
    def __init__(self, call_id: str) -> None:
        super().__init__()
        self.call_id = call_id


class RecordSaveFailed(Message, bubble=False):
    def __init__(self, call_id: str, error: str) -> None:
        super().__init__()
        self.call_id = call_id
        self.error = error


class CallLoaded(Message, bubble=False):
    """A call ready for inspection, in ``copilot.store.load_call`` form (plus ``result``)."""

    def __init__(self, call: dict[str, Any]) -> None:
        super().__init__()
        self.call = call


class FlagReviewed(Message, bubble=False):
    def __init__(self, index: int, verdict: str, comment: str, stored: bool, *,
                 score: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.index = index
        self.verdict = verdict
        self.comment = comment
        self.stored = stored
        self.score = score
        """The call's reviewed score as stored (None when the review was not stored)."""


class LoadFailed(Message, bubble=False):
    def __init__(self, where: str, error: str) -> None:
        super().__init__()
        self.where = where
        self.error = error


class ScoresLoaded(Message, bubble=False):
    def __init__(self, results: list[dict[str, Any]], errors: list[str]) -> None:
        super().__init__()
        self.results = results
        self.errors = errors
