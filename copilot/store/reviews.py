"""Inspectors' reviews and trainers' adjustments, and the score that follows from them.

An inspector confirms or dismisses a flag the copilot raised, or adds one it missed (code, turn, note);
each action is stored on the flag with the reviewer's name and time and appended to ``review_log``.
The call's score is then recomputed over the *reviewed* set: a dismissed flag costs nothing, an added
one costs its points (``copilot.analysis.scorer.counted_flags``). A trainer's adjustment (points and reason)
is appended to ``score_adjustments`` and added on top. The stored call (``calls.score_total`` and the
result JSON) always carries the reviewed score, so ``copilot score`` and ``copilot report`` use it and
say so (``score["reviewed"]``).

Re-analysing a call (``copilot analyze --save``) keeps every review: reviews are merged into the new
flags by code and turn; a reviewed flag the new analysis no longer raises is kept, marked ``stale``.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from copilot.errors import StoreError
from copilot.store.tables import (
    CallRow,
    FlagRow,
    ReviewLogRow,
    ScoreAdjustmentRow,
    ScoreItemRow,
    UtteranceRow,
    _now,
)

log = logging.getLogger(__name__)
VERDICTS = ("confirmed", "dismissed")
REVIEW_ZH = {"confirmed": "确认", "dismissed": "驳回", "added": "补充", None: "未审核"}


def current_user() -> str:
    """The reviewer's name: ``COPILOT_USER``, else the login name."""
    name = os.environ.get("COPILOT_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (container): still a name
        return "unknown"


def _flag_codes() -> set[str]:
    from copilot.analysis.rules import load_rules
    from copilot.analysis.scorer import FLAG_NAMES
    from copilot.labels import FLAG_ZH

    codes = set(FLAG_ZH) | set(FLAG_NAMES)
    try:
        codes |= {d.code for d in load_rules().pb.rubric.deductions}
    except Exception:  # noqa: BLE001 - the labels still give the known codes
        log.debug("rubric not available for code check", exc_info=True)
    return codes


# ---------------------------------------------------------------------- keeping reviews across re-analysis
def kept_reviews(s: Session, call_id: str) -> list[dict[str, Any]]:
    """The call's reviewed or inspector-added flags, as dicts (read before its flags are replaced)."""

    rows = s.exec(select(FlagRow).where(FlagRow.call_id == call_id)).all()
    return [r.model_dump(exclude={"id"}) for r in rows if r.review or r.origin == "inspector"]


def merge_reviews(s: Session, call_id: str, kept: list[dict[str, Any]]) -> None:
    """Put ``kept`` reviews back onto the call's new flags (matched by code and turn), in session ``s``.

    A review whose flag the analysis no longer raises is kept as its own row, marked ``stale``; an added
    flag the analysis now raises too becomes that flag's confirmation (one deduction, not two).
    """

    s.flush()
    fresh = list(s.exec(select(FlagRow).where(FlagRow.call_id == call_id, FlagRow.origin == "analysis")).all())
    free = {}
    for row in fresh:
        free.setdefault((row.code, row.turn), []).append(row)
    for k in kept:
        match = free.get((k["code"], k.get("turn")))
        if match:
            row = match.pop(0)
            row.review = k.get("review") or ("confirmed" if k.get("origin") == "inspector" else None)
            row.review_comment, row.reviewer, row.reviewed_at = k.get("review_comment"), k.get("reviewer"), \
                k.get("reviewed_at")
            row.stale = False
            s.add(row)
        else:
            k = dict(k)
            k["stale"] = k.get("origin") != "inspector"
            s.add(FlagRow(**k))


# ---------------------------------------------------------------------- actions
def _log(s: Session, call_id: str, code: str, turn: int | None, action: str, note: str, by: str) -> None:

    s.add(ReviewLogRow(call_id=call_id, code=code, turn=turn, action=action, note=note or "", by=by))


def review(engine: Engine, flag_id: int, verdict: str, note: str = "", *, reviewer: str | None = None) -> dict:
    """Confirm or dismiss one stored flag; the call's score is recomputed. Returns the call's new score."""

    if verdict not in VERDICTS:
        raise StoreError(f"verdict must be 'confirmed' or 'dismissed', got {verdict!r}", where=f"flag {flag_id}")
    by = reviewer or current_user()
    try:
        with Session(engine) as s:
            row = s.get(FlagRow, flag_id)
            if row is None:
                raise StoreError("no such flag", where=f"flag {flag_id}")
            row.review, row.review_comment, row.reviewed_at, row.reviewer = verdict, note, _now(), by
            s.add(row)
            _log(s, row.call_id, row.code, row.turn, verdict, note, by)
            call_id = row.call_id
            s.commit()
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot store review: {exc}", where=f"flag {flag_id}") from exc
    return rescore(engine, call_id)


def add_flag(engine: Engine, call_id: str, code: str, turn: int | None, note: str = "", *,
             reviewer: str | None = None) -> tuple[int, dict]:
    """Add a flag the copilot missed (``turn``: 0-based, None for the whole call); returns (flag id, score)."""

    where = f"{call_id} {code}"
    if code not in _flag_codes():
        raise StoreError(f"unknown flag code {code!r} (expected one of formats.md §3)", where=where)
    by = reviewer or current_user()
    try:
        with Session(engine) as s:
            if s.get(CallRow, call_id) is None:
                raise StoreError("no such call in the database", where=call_id)
            utt = None
            if turn is not None:
                utt = s.exec(select(UtteranceRow).where(UtteranceRow.call_id == call_id,
                                                        UtteranceRow.turn == turn)).first()
                if utt is None:
                    raise StoreError(f"the call has no turn {turn + 1}", where=where)
            dup = s.exec(select(FlagRow).where(FlagRow.call_id == call_id, FlagRow.code == code,
                                               FlagRow.turn == turn)).first()
            if dup is not None and dup.review != "dismissed":
                raise StoreError("this flag is already raised on that turn (confirm it instead)", where=where)
            row = FlagRow(call_id=call_id, code=code, turn=turn, speaker=utt.speaker if utt else "agent",
                          start=utt.start if utt else None, text=utt.text if utt else "", origin="inspector",
                          review="confirmed", review_comment=note, reviewer=by, reviewed_at=_now())
            s.add(row)
            _log(s, call_id, code, turn, "added", note, by)
            s.commit()
            flag_id = row.id
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot add flag: {exc}", where=where) from exc
    return int(flag_id), rescore(engine, call_id)


def adjust_score(engine: Engine, call_id: str, points: float, reason: str, comment: str = "", *,
                 by: str | None = None) -> dict:
    """A trainer's adjustment (a reason is required when points ≠ 0) or comment; returns the new score."""

    if points != points or abs(points) > 100:
        raise StoreError(f"adjustment must be between −100 and 100 points, got {points}", where=call_id)
    if points and not reason.strip():
        raise StoreError("a score adjustment needs a reason", where=call_id)
    if not points and not (comment.strip() or reason.strip()):
        raise StoreError("nothing to store: give points with a reason, or a comment", where=call_id)
    try:
        with Session(engine) as s:
            if s.get(CallRow, call_id) is None:
                raise StoreError("no such call in the database", where=call_id)
            s.add(ScoreAdjustmentRow(call_id=call_id, points=points, reason=reason, comment=comment,
                                     by=by or current_user()))
            s.commit()
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot store adjustment: {exc}", where=call_id) from exc
    return rescore(engine, call_id)


# ---------------------------------------------------------------------- the reviewed score
def flag_dict(row: Any) -> dict[str, Any]:
    d = row.model_dump() if hasattr(row, "model_dump") else dict(row)
    if d.get("reviewed_at") is not None and not isinstance(d["reviewed_at"], str):
        d["reviewed_at"] = d["reviewed_at"].isoformat(timespec="seconds")
    return d


def reviewed_score(result: dict[str, Any], flags: list[dict[str, Any]], adjustments: list[dict[str, Any]], *,
                   silent: bool) -> dict[str, Any]:
    """The score over the reviewed flags, plus the trainers' adjustments, saying what was reviewed."""
    from copilot.analysis.rules import load_rules
    from copilot.analysis.scorer import score_call

    analysis = result.get("score_analysis") or result.get("score") or {}
    score = score_call(load_rules(), sorted(flags, key=lambda f: (f.get("turn") is None, f.get("turn") or 0)),
                       confidence=float(result.get("confidence", 1.0)), silent=silent)
    counts = {k: sum(1 for f in flags if f.get("review") == k and f.get("origin") != "inspector")
              for k in VERDICTS}
    counts["added"] = sum(1 for f in flags if f.get("origin") == "inspector")
    counts["stale"] = sum(1 for f in flags if f.get("stale"))
    points = sum(a["points"] for a in adjustments)
    reviewed_total = score["total"]
    if adjustments:
        score["total"] = round(max(0.0, min(float(score["max"]), reviewed_total + points)), 1)
    score["reviewed"] = {**counts, "analysis_total": analysis.get("total"), "reviewed_total": reviewed_total}
    score["adjustment"] = points
    score["adjustments"] = adjustments
    return score


def describe(score: dict[str, Any]) -> str:
    """One Chinese line saying how a score came about (empty for an unreviewed, unadjusted score)."""
    rv = score.get("reviewed") or {}
    parts = []
    if rv.get("dismissed"):
        parts.append(f"驳回 {rv['dismissed']}")
    if rv.get("added"):
        parts.append(f"补充 {rv['added']}")
    if rv.get("confirmed"):
        parts.append(f"确认 {rv['confirmed']}")
    if rv.get("stale"):
        parts.append(f"{rv['stale']} 个不再触发")
    out = ""
    if parts:
        was = rv.get("analysis_total")
        out = f"按质检复核（{'，'.join(parts)}）；系统原评分 {'—' if was is None else format(was, 'g')}"
    if score.get("adjustment"):
        adj = score["adjustment"]
        out += ("；" if out else "") + f"培训师调整 {adj:+g}"
    return out


def rescore(engine: Engine, call_id: str) -> dict[str, Any]:
    """Recompute and store the call's score from its reviewed flags and adjustments; returns it."""

    try:
        with Session(engine) as s:
            call = s.get(CallRow, call_id)
            if call is None:
                raise StoreError("no such call in the database", where=call_id)
            result = json.loads(call.result_json) if call.result_json else {"call_id": call_id}
            flags = [flag_dict(r) for r in s.exec(select(FlagRow).where(FlagRow.call_id == call_id)
                                                  .order_by(FlagRow.id)).all()]
            adjustments = [{"points": a.points, "reason": a.reason, "comment": a.comment, "by": a.by,
                            "at": a.at.isoformat(timespec="seconds")}
                           for a in s.exec(select(ScoreAdjustmentRow).where(ScoreAdjustmentRow.call_id == call_id)
                                           .order_by(ScoreAdjustmentRow.id)).all()]
            utts = s.exec(select(UtteranceRow).where(UtteranceRow.call_id == call_id)).all()
            silent = not any(u.speaker == "caller" and any(ch.isalnum() for ch in u.text) for u in utts)
            if "score_analysis" not in result and result.get("score"):
                result["score_analysis"] = result["score"]
            score = reviewed_score(result, flags, adjustments, silent=silent)
            result["score"] = score
            result["flags"] = [{k: v for k, v in f.items() if k not in ("id", "call_id")} for f in flags]
            call.result_json = json.dumps(result, ensure_ascii=False)
            call.score_total, call.score_max = score["total"], score["max"]
            s.add(call)
            for old in s.exec(select(ScoreItemRow).where(ScoreItemRow.call_id == call_id)).all():
                s.delete(old)
            for item in score.get("items", []):
                s.add(ScoreItemRow(call_id=call_id, item_id=item["id"], score=item["score"], max=item["max"],
                                   reasons=json.dumps(item.get("reasons", []), ensure_ascii=False)))
            s.commit()
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot recompute score: {exc}", where=call_id) from exc
    return score


def review_log(engine: Engine, call_id: str) -> list[dict[str, Any]]:

    with Session(engine) as s:
        return [r.model_dump() for r in s.exec(select(ReviewLogRow).where(ReviewLogRow.call_id == call_id)
                                                .order_by(ReviewLogRow.id)).all()]
