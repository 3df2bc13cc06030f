"""``copilot review CALL``: an inspector's or trainer's work on a stored call, from the command line.

Without an action it lists the call's flags (their ids, review state, reviewer) and its score; with
``--confirm/--dismiss ID``, ``--add CODE --turn N`` or ``--adjust POINTS --reason …`` it stores the
review (with ``--by`` or the login name, and the time) and prints the recomputed score.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from copilot.errors import CopilotError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="review a stored call: confirm, dismiss or add flags; adjust its score")
    p.add_argument("call_id")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--confirm", type=int, metavar="FLAG_ID", help="confirm the flag with this id")
    g.add_argument("--dismiss", type=int, metavar="FLAG_ID", help="dismiss the flag with this id (costs no points)")
    g.add_argument("--add", metavar="CODE", help="add a flag the copilot missed (formats.md §3 code)")
    g.add_argument("--adjust", type=float, metavar="POINTS", help="trainer: add POINTS (negative: take off)")
    p.add_argument("--turn", type=int, metavar="N", help="with --add: the turn, 1-based as shown (omit: whole call)")
    p.add_argument("--note", default="", help="the reviewer's note (or the trainer's comment)")
    p.add_argument("--reason", default="", help="with --adjust: why (required for points ≠ 0)")
    p.add_argument("--by", default=None, help="reviewer's name (default: COPILOT_USER or the login name)")
    p.add_argument("--json", action="store_true", help="print the call's flags and score as JSON")
    p.add_argument("--db", help="database URL (default: COPILOT_DB_URL or the SQLite file in the data dir)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("scorecard", help="HTML scorecard per agent over a period: trend, frequent flags, examples")
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day (included), YYYY-MM-DD")
    p.add_argument("--agent", help="only this agent id")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--db", help="database URL (default: COPILOT_DB_URL or the SQLite file in the data dir)")
    p.set_defaults(func=cmd_scorecard)


def cmd_scorecard(args: argparse.Namespace) -> int:
    from copilot.exports.scorecard import write_scorecards
    from copilot.indicators.period import date_range
    from copilot.store.db import make_engine

    period = date_range(args.date_from, args.date_to)
    n = write_scorecards(make_engine(args.db), args.out, start=period.start, end=period.end, agent=args.agent)
    print(f"已写入 wrote {args.out}: {n} 位座席 agent(s), {period.start} … {period.end}")
    return 0


def _show(call: dict[str, Any]) -> str:
    from copilot.labels import FLAG_ZH
    from copilot.store.reviews import REVIEW_ZH, describe

    result = json.loads(call["call"]["result_json"] or "{}")
    score = result.get("score") or {}
    lines = [f"{call['call']['call_id']}  评分 score {score.get('total', '—')}/{score.get('max', '—')}"]
    how = describe(score)
    if how:
        lines.append(f"  {how}")
    for f in call["flags"]:
        turn = "整通" if f["turn"] is None else f"第{f['turn'] + 1}轮"
        state = REVIEW_ZH.get("added" if f.get("origin") == "inspector" else f.get("review"), f.get("review"))
        extra = "（不再触发 no longer raised）" if f.get("stale") else ""
        who = f" {f['reviewer']}" if f.get("reviewer") else ""
        note = f"：{f['review_comment']}" if f.get("review_comment") else ""
        lines.append(f"  #{f['id']:<4} {FLAG_ZH.get(f['code'], f['code'])} {f['code']} {turn}  [{state}{who}{note}]{extra}")
    for a in call.get("adjustments", []):
        lines.append(f"  培训师 {a['by']} {a['points']:+g}：{a['reason']} {a['comment']}".rstrip())
    return "\n".join(lines)


def cmd_review(args: argparse.Namespace) -> int:
    from copilot.store import load_call
    from copilot.store.db import make_engine
    from copilot.store.reviews import add_flag, adjust_score, review

    engine = make_engine(args.db)
    call = load_call(engine, args.call_id)
    if call is None:
        raise CopilotError("no such call in the database (store it with `copilot analyze --save`)",
                           where=args.call_id)
    ids = {f["id"] for f in call["flags"]}
    for verdict, flag_id in (("confirmed", args.confirm), ("dismissed", args.dismiss)):
        if flag_id is not None:
            if flag_id not in ids:
                raise CopilotError(f"the call has no flag #{flag_id} (ids: {sorted(ids)})", where=args.call_id)
            review(engine, flag_id, verdict, args.note, reviewer=args.by)
    if args.add:
        if args.turn is not None and args.turn < 1:
            raise CopilotError("--turn counts from 1", where="--turn")
        add_flag(engine, args.call_id, args.add, None if args.turn is None else args.turn - 1, args.note,
                 reviewer=args.by)
    if args.adjust is not None:
        adjust_score(engine, args.call_id, args.adjust, args.reason, args.note, by=args.by)
    call = load_call(engine, args.call_id)
    if args.json:
        result = json.loads(call["call"]["result_json"] or "{}")
        print(json.dumps({"call_id": args.call_id, "score": result.get("score"), "flags": result.get("flags")},
                         ensure_ascii=False, indent=2, default=str))
    else:
        print(_show(call))
    return 0
