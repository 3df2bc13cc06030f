"""The server's storage under faults: a spool on disk beside the database, the database's health, replay.

A live call's rows are written as they happen (:class:`copilot.store.CallWriter`). When the database cannot be
written — its file or folder write-protected, the file deleted or replaced, the disk full, a lock held too
long — the server must neither die nor lose the call, and must not tell anybody the call is stored.

- Every store operation of a call is first appended to the call's spool file ``<spool>/<call_id>.jsonl`` (one JSON
  object a line) and kept in memory; then it is written to the database.
- When a write fails the call is *not stored*: the writer says so once (``notices``; the ingest client gets
  ``{"stored": false, "reason": …}``, subscribers an ``error`` event ``where="store"``) and goes on spooling.
- At the next operation after :data:`RETRY_S` seconds (and at the call's end) it tries again by rewriting the
  whole call from its operations (idempotent: the call's rows are replaced). Success → ``{"stored": true}``.
- A call that ended while the database was away keeps its spool file; the server retries it every
  :data:`RETRY_S` seconds (:meth:`SpoolingWriter.retry`) and at its next start (:func:`replay_spool`), then
  deletes the file. A spool file without an ``end`` operation is a call the server was killed under: it is
  written and marked ``end_reason="interrupted"``, ``complete=False``.

:class:`StoreHealth` notices what SQLite does not: a database *file* that vanished (deleted under the server,
its open connections would write into the deleted inode) or was replaced (a restore): it refuses writes while the
file is missing and reopens the pool when the file is back.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from copilot.errors import CopilotError, StoreError
from copilot.events import (
    CallEnded,
    CallStarted,
    Event,
    FlagRaised,
    RecordUpdated,
    ServiceTypeChanged,
    UtteranceEvent,
    Word,
)
from copilot.flags import Flag
from copilot.store import CallRow, CallWriter, load_call

log = logging.getLogger(__name__)

RETRY_S = 2.0
"""Seconds between two attempts to write a not-stored call again."""
INTERRUPTED = "interrupted"
"""``end_reason`` of a call the server was stopped under (kill -9, power loss) without ending it."""


def sqlite_path(engine: Engine) -> Path | None:
    """The file of a SQLite engine (None for PostgreSQL and in-memory SQLite)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


class StoreHealth:
    """The shared database engine and a check, before each write, that its file is the one it opened."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.path = sqlite_path(engine)
        self.lock = threading.Lock()
        self.identity = self._identity()

    def _identity(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def check(self) -> None:
        """Raise StoreError when the database file is missing; reopen the pool when it was replaced."""
        if self.path is None:
            return
        now = self._identity()
        if now is None:
            raise StoreError("database file vanished", where=str(self.path))
        if now != self.identity:
            with self.lock:
                if now != self.identity:
                    log.warning("database file %s was replaced; reopening it", self.path)
                    self.engine.dispose()
                    try:
                        SQLModel.metadata.create_all(self.engine)
                    except Exception as exc:  # noqa: BLE001 - reported as the store error it is
                        raise StoreError(f"cannot open the replaced database: {exc}", where=str(self.path)) from exc
                    self.identity = now


class SpoolingWriter:
    """:class:`CallWriter`'s interface; never raises for a database fault (the call is spooled instead).

    ``notices`` collects ``(stored, reason)`` changes for the ingest to pass on; :attr:`stored` is the state now.
    """

    def __init__(self, health: StoreHealth, call_id: str, *, spool_dir: Path, started_at: str | None = None,
                 source: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        self.health = health
        self.call_id = call_id
        self.ops: list[dict[str, Any]] = []
        self.path = Path(spool_dir) / f"{call_id}.jsonl"
        self.clock = clock
        self.stored = True
        self.reason = ""
        self.ended = False
        self.notices: list[tuple[bool, str]] = []
        self._writer: CallWriter | None = None
        self._last_try = float("-inf")
        self._spool_ok = True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("", encoding="utf-8")
        except OSError as exc:
            self._spool_ok = False
            log.error("call %s: cannot create spool file %s: %s", call_id, self.path, exc)
        self._op({"op": "start", "started_at": started_at, "source": source}, force=True)

    # ------------------------------------------------------------------ CallWriter's interface
    def add_utterance(self, turn: int, speaker: str, start: float, end: float, text: str,
                      confidence: float = 1.0, words: Any = ()) -> None:
        op = {"op": "utterance", "turn": turn, "speaker": speaker, "start": start, "end": end, "text": text,
              "confidence": confidence}
        if words:
            op["words"] = [{"text": w.text, "start": w.start, "end": w.end, "confidence": w.confidence}
                           for w in words]
        self._op(op)

    def add_flag(self, flag: Flag | dict[str, Any]) -> None:
        self._op({"op": "flag", "flag": flag.to_dict(span=True) if isinstance(flag, Flag) else flag})

    def update_record(self, record: dict[str, Any]) -> None:
        self._op({"op": "record", "record": record})

    def end(self, *, reason: str, complete: bool, result: dict[str, Any] | None = None) -> None:
        self.ended = True
        self._op({"op": "end", "reason": reason, "complete": complete, "result": result}, force=True)
        if self.stored:
            self._drop_spool()

    # ------------------------------------------------------------------ machinery
    def _op(self, op: dict[str, Any], *, force: bool = False) -> None:
        self.ops.append(op)
        self._spool(op)
        if self._writer is not None:
            try:
                self.health.check()
                _apply(self._writer, op)
                return
            except CopilotError as exc:
                self._writer = None
                self._set(False, str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - a driver error is a storage fault, never the call's end
                self._writer = None
                self._set(False, f"{type(exc).__name__}: {exc}")
                return
        if force or self.clock() - self._last_try >= RETRY_S:
            self._rewrite()

    def _rewrite(self) -> bool:
        """Write the whole call from its operations; True when it is stored now."""
        self._last_try = self.clock()
        try:
            self.health.check()
            self._writer = write_ops(self.health.engine, self.call_id, self.ops)
        except Exception as exc:  # noqa: BLE001 - StoreError and driver errors alike
            self._writer = None
            self._set(False, str(exc))
            return False
        self._set(True, "")
        return True

    def retry(self) -> bool:
        """For an ended, not-stored call (the server's retry loop): True once it is stored and its spool gone."""
        if self.stored:
            return True
        if self._rewrite():
            self._drop_spool()
            return True
        return False

    def _set(self, stored: bool, reason: str) -> None:
        if stored != self.stored:
            self.stored, self.reason = stored, reason
            self.notices.append((stored, reason))
            if stored:
                log.warning("call %s: stored again (%d operations from the spool)", self.call_id, len(self.ops))
            else:
                log.error("call %s: not stored, spooling to %s: %s", self.call_id, self.path, reason)

    def take_notices(self) -> list[tuple[bool, str]]:
        out, self.notices = self.notices, []
        return out

    def _spool(self, op: dict[str, Any]) -> None:
        if not self._spool_ok:
            return
        try:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(op, ensure_ascii=False, default=str) + "\n")
        except OSError as exc:
            self._spool_ok = False
            log.error("call %s: spool write failed (%s); the call is kept in memory only", self.call_id, exc)

    def _drop_spool(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove spool file %s: %s", self.path, exc)


def _apply(writer: CallWriter, op: dict[str, Any]) -> None:
    kind = op["op"]
    if kind == "utterance":
        writer.add_utterance(op["turn"], op["speaker"], op["start"], op["end"], op["text"], op.get("confidence", 1.0),
                             tuple(Word(**w) for w in op.get("words") or ()))
    elif kind == "flag":
        writer.add_flag(op["flag"])
    elif kind == "record":
        writer.update_record(op["record"])
    elif kind == "end":
        writer.end(reason=op["reason"], complete=op["complete"], result=op.get("result"))


def write_ops(engine: Engine, call_id: str, ops: list[dict[str, Any]]) -> CallWriter:
    """Write a whole call from its operations (the call's earlier rows are replaced); raises StoreError."""
    start = ops[0] if ops and ops[0]["op"] == "start" else {}
    writer = CallWriter(engine, call_id, started_at=start.get("started_at"), source=start.get("source", ""))
    for op in ops[1:]:
        _apply(writer, op)
    return writer


def replay_spool(engine: Engine, spool_dir: Path) -> list[str]:
    """Write every spooled call left by an earlier run (interrupted ones marked so); the ids written."""
    done: list[str] = []
    spool_dir = Path(spool_dir)
    if not spool_dir.is_dir():
        return done
    for path in sorted(spool_dir.glob("*.jsonl")):
        call_id = path.stem
        ops: list[dict[str, Any]] = []
        try:
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    ops.append(json.loads(line))
                except json.JSONDecodeError:  # a line cut by the kill: the ones before it are whole
                    log.warning("%s:%d: cut spool line ignored", path, n)
                    break
        except OSError as exc:
            log.error("cannot read spool file %s: %s", path, exc)
            continue
        if not ops:
            path.unlink(missing_ok=True)
            continue
        if ops[-1]["op"] != "end":
            ops.append({"op": "end", "reason": INTERRUPTED, "complete": False, "result": None})
        try:
            write_ops(engine, call_id, ops)
        except CopilotError as exc:
            log.error("spooled call %s not written yet: %s", call_id, exc)
            continue
        path.unlink(missing_ok=True)
        done.append(call_id)
        log.warning("spooled call %s written (%d operations)", call_id, len(ops))
    return done


def mark_interrupted(engine: Engine) -> list[str]:
    """Calls left open by an earlier run (no end reason, incomplete): marked ``interrupted``; their ids.

    Assumes one server per database (the default SQLite file). A centre running several servers on one
    PostgreSQL database gives each its own database or runs them with ``mark_interrupted = false``.
    """
    with Session(engine) as s:
        ids = list(s.exec(select(CallRow.call_id).where(CallRow.end_reason.is_(None),
                                                        CallRow.complete.is_(False))).all())
        if ids:
            s.exec(update(CallRow).where(CallRow.call_id.in_(ids)).values(end_reason=INTERRUPTED))
            s.commit()
    for cid in ids:
        log.warning("call %s was interrupted by the previous server run; marked %s", cid, INTERRUPTED)
    return ids


def stored_call_known(engine: Engine, call_id: str) -> bool:
    """True when the store holds a call of this id."""
    with Session(engine) as s:
        return s.get(CallRow, call_id) is not None


def stored_words(text: str | None) -> tuple[Word, ...]:
    """The words of a stored utterance (``utterances.words_json``); () when none were stored."""
    if not text:
        return ()
    return tuple(Word(w["text"], w["start"], w["end"], w.get("confidence", 1.0)) for w in json.loads(text))


def stored_events(data: dict[str, Any]) -> list[Event]:
    """The events of a stored call (from :func:`copilot.store.load_call`), ending with ``call_ended``.

    A call without an end reason (its server was killed and nothing has marked it yet) ends with reason
    ``interrupted``; the stored ``complete`` is kept (False for such a call).
    """
    call = data["call"]
    events: list[Event] = [CallStarted(t=0.0, call_id=call["call_id"], started_at=call.get("started_at"),
                                       source=call.get("source") or "websocket")]
    t = 0.0
    for u in data["utterances"]:
        t = max(t, u["end"])
        events.append(UtteranceEvent(t=u["end"], speaker=u["speaker"], final=True, start=u["start"], end=u["end"],
                                     text=u["text"], turn=u["turn"], confidence=u.get("confidence", 1.0),
                                     words=stored_words(u.get("words_json"))))
    kinds: list[str] = []
    try:
        kinds = list(json.loads(call.get("service_types") or "[]"))
    except (TypeError, ValueError):
        kinds = []
    if call.get("service_type"):
        events.append(ServiceTypeChanged(t=t, service_type=call["service_type"], service_types=tuple(kinds)))
    for f in data["flags"]:
        events.append(FlagRaised(t=f.get("start") or t, flag=Flag.from_dict({**f, "review": None})))
    rec = data.get("record") or {}
    fields = {k: v for k, v in rec.items() if k not in ("call_id", "updated_at", "edited_by_agent") and v is not None}
    if fields:
        events.append(RecordUpdated(t=t, record=fields))
    events.append(CallEnded(t=t, call_id=call["call_id"], reason=call.get("end_reason") or INTERRUPTED,
                            complete=bool(call.get("complete")) if call.get("end_reason") else False))
    return events


def load_stored(engine: Engine, call_id: str) -> dict[str, Any] | None:
    try:
        return load_call(engine, call_id)
    except Exception as exc:  # noqa: BLE001 - a store fault: the caller answers "not available"
        log.warning("cannot read stored call %s: %s", call_id, exc)
        return None
