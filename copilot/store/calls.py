"""The SQL store (SQLModel): calls, utterances, flags, records, scores and inspectors' reviews.

Every final utterance and flag of a live call is committed as it happens (``CallWriter``), so a crash
mid-call loses nothing already recorded. Analysing the same call again replaces its rows, but keeps
its inspectors' reviews and trainers' adjustments (``copilot.store.reviews``: merged by flag code and turn).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from copilot.errors import StoreError
from copilot.flags import Flag
from copilot.record import CallRecord
from copilot.store.reviews import kept_reviews, merge_reviews, rescore, review
from copilot.store.tables import (
    CallRow,
    FlagRow,
    RecordRow,
    ScoreAdjustmentRow,
    ScoreItemRow,
    UtteranceRow,
    _now,
)

log = logging.getLogger(__name__)


def words_json(words: Any) -> str | None:
    """A turn's recogniser words as stored in ``utterances.words_json`` (None when there are none)."""
    if not words:
        return None
    return json.dumps([{"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3),
                        "confidence": round(w.confidence, 3)} for w in words], ensure_ascii=False)


def flag_row(call_id: str, flag: Flag) -> FlagRow:
    """The stored row of one flag (its §2 fields; the span and the rule's details live in the result JSON)."""
    return FlagRow(call_id=call_id, code=flag.code, turn=flag.turn, speaker=flag.speaker, start=flag.start,
                   text=flag.text, phrase=flag.phrase, suggestion=flag.suggestion,
                   confidence=round(flag.confidence, 3))


def _delete_children(s: Session, call_id: str) -> None:
    for model in (UtteranceRow, FlagRow, ScoreItemRow, RecordRow):
        s.exec(delete(model).where(model.call_id == call_id))


def save_result(engine: Engine, transcript: Any, result: dict[str, Any], *, source: str = "") -> None:
    """Store one analysed call, replacing any earlier rows of the same call_id (one transaction).

    Reviews of the earlier flags are kept (``copilot.store.reviews.merge_reviews``) and the score recomputed."""

    call_id = result["call_id"]
    try:
        with Session(engine) as s:
            kept = kept_reviews(s, call_id)
            adjusted = s.exec(select(ScoreAdjustmentRow.id).where(ScoreAdjustmentRow.call_id == call_id)).first()
            _delete_children(s, call_id)
            row = s.get(CallRow, call_id) or CallRow(call_id=call_id)
            row.started_at = getattr(transcript, "started_at", None)
            row.ring_seconds = getattr(transcript, "ring_seconds", None)
            row.agent_id = (getattr(transcript, "extra", {}) or {}).get("agent_id")
            row.source = source or getattr(transcript, "source", "")
            row.service_type = result.get("service_type")
            row.service_types = json.dumps(result.get("service_types", []), ensure_ascii=False)
            score = result.get("score") or {}
            row.score_total = score.get("total")
            row.score_max = score.get("max")
            row.result_json = json.dumps(result, ensure_ascii=False)
            row.complete = bool(result.get("complete", True))
            row.updated_at = _now()
            s.add(row)
            s.flush()
            for i, t in enumerate(getattr(transcript, "turns", ())):
                conf = getattr(t, "confidence", None)
                s.add(UtteranceRow(call_id=call_id, turn=i, speaker=t.speaker, start=t.start, end=t.end,
                                   text=t.text, confidence=1.0 if conf is None else conf,
                                   words_json=words_json(getattr(t, "words", ()))))
            for f in result.get("flags", []):
                s.add(flag_row(call_id, f if isinstance(f, Flag) else Flag.from_dict(f)))
            s.add(RecordRow(call_id=call_id, **CallRecord.from_dict(result.get("record") or {}).store_fields()))
            for item in score.get("items", []):
                s.add(ScoreItemRow(call_id=call_id, item_id=item["id"], score=item["score"], max=item["max"],
                                   reasons=json.dumps(item.get("reasons", []), ensure_ascii=False)))
            if kept:
                merge_reviews(s, call_id, kept)
            s.commit()
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot save call: {exc}", where=call_id) from exc
    if kept or adjusted is not None:

        rescore(engine, call_id)


class CallWriter:
    """Writes a live call's rows as they happen; each method is its own committed transaction."""

    def __init__(self, engine: Engine, call_id: str, *, started_at: str | None = None, source: str = "") -> None:
        self.engine = engine
        self.call_id = call_id
        try:
            with Session(engine) as s:

                self._kept = kept_reviews(s, call_id)  # reviews of an earlier analysis: merged back at the end
                _delete_children(s, call_id)
                row = s.get(CallRow, call_id) or CallRow(call_id=call_id)
                row.started_at, row.source, row.complete, row.end_reason = started_at, source, False, None
                s.add(row)
                s.commit()
        except Exception as exc:
            raise StoreError(f"cannot start call: {exc}", where=call_id) from exc

    def _commit(self, *rows: SQLModel) -> None:
        try:
            with Session(self.engine) as s:
                for r in rows:
                    s.merge(r)
                s.commit()
        except Exception as exc:
            raise StoreError(f"cannot write: {exc}", where=self.call_id) from exc

    def add_utterance(self, turn: int, speaker: str, start: float, end: float, text: str,
                      confidence: float = 1.0, words: Any = ()) -> None:
        """One final utterance with the recogniser's confidence and word times (``asr.types.Word``)."""
        self._commit(UtteranceRow(call_id=self.call_id, turn=turn, speaker=speaker, start=start, end=end,
                                  text=text, confidence=confidence, words_json=words_json(words)))

    def add_flag(self, flag: Flag | dict[str, Any]) -> None:
        """One flag as raised (a dict in any of the flag's forms is read with ``Flag.from_dict``)."""
        self._commit(flag_row(self.call_id, flag if isinstance(flag, Flag) else Flag.from_dict(flag)))

    def update_record(self, record: CallRecord | dict[str, Any]) -> None:
        """The record as it stands (a ``record`` event's dict is read with ``CallRecord.from_dict``)."""
        rec = record if isinstance(record, CallRecord) else CallRecord.from_dict(record)
        self._commit(RecordRow(call_id=self.call_id, updated_at=_now(), **rec.store_fields()))

    def end(self, *, reason: str, complete: bool, result: dict[str, Any] | None = None) -> None:
        try:
            with Session(self.engine) as s:
                row = s.get(CallRow, self.call_id) or CallRow(call_id=self.call_id)
                row.end_reason, row.complete, row.updated_at = reason, complete, _now()
                if result is not None:
                    row.service_type = result.get("service_type")
                    row.service_types = json.dumps(result.get("service_types", []), ensure_ascii=False)
                    score = result.get("score") or {}
                    row.score_total, row.score_max = score.get("total"), score.get("max")
                    row.result_json = json.dumps(result, ensure_ascii=False)
                    for item in score.get("items", []):
                        s.add(ScoreItemRow(call_id=self.call_id, item_id=item["id"], score=item["score"],
                                           max=item["max"],
                                           reasons=json.dumps(item.get("reasons", []), ensure_ascii=False)))
                s.add(row)
                if self._kept:

                    merge_reviews(s, self.call_id, self._kept)
                s.commit()
            if self._kept and result is not None:

                rescore(self.engine, self.call_id)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot end call: {exc}", where=self.call_id) from exc


def review_flag(engine: Engine, flag_id: int, verdict: str, comment: str = "", *, reviewer: str | None = None) -> None:
    """An inspector confirms or dismisses one stored flag (the call's score follows: ``copilot.store.reviews``)."""

    review(engine, flag_id, verdict, comment, reviewer=reviewer)


def set_audio_path(engine: Engine, call_id: str, path: str) -> None:
    """Note where the call's audio is kept (``copilot serve --store-audio``)."""
    try:
        with Session(engine) as s:
            row = s.get(CallRow, call_id)
            if row is None:
                raise StoreError("no such call in the database", where=call_id)
            row.audio_path = path
            s.add(row)
            s.commit()
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot store the audio path: {exc}", where=call_id) from exc


def load_call(engine: Engine, call_id: str) -> dict[str, Any] | None:
    """A stored call: its row, utterances, flags, record and score items (plain dicts)."""
    with Session(engine) as s:
        call = s.get(CallRow, call_id)
        if call is None:
            return None
        utts = s.exec(select(UtteranceRow).where(UtteranceRow.call_id == call_id).order_by(UtteranceRow.turn)).all()
        flags = s.exec(select(FlagRow).where(FlagRow.call_id == call_id).order_by(FlagRow.id)).all()
        rec = s.get(RecordRow, call_id)
        items = s.exec(select(ScoreItemRow).where(ScoreItemRow.call_id == call_id)).all()
        adjustments = s.exec(select(ScoreAdjustmentRow).where(ScoreAdjustmentRow.call_id == call_id)
                             .order_by(ScoreAdjustmentRow.id)).all()
        return {
            "call": call.model_dump(),
            "utterances": [u.model_dump() for u in utts],
            "flags": [f.model_dump() for f in flags],
            "record": rec.model_dump() if rec else None,
            "score_items": [i.model_dump() for i in items],
            "adjustments": [a.model_dump() for a in adjustments],
        }


def list_calls(engine: Engine) -> list[CallRow]:
    with Session(engine) as s:
        return list(s.exec(select(CallRow).order_by(CallRow.call_id)).all())
