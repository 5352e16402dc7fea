"""``reptrack history``: saved sessions and weekly progress (see docs/reports.md).

``reptrack history [--athlete NAME] [--db PATH] [--json]`` lists the sessions
stored by ``reptrack analyze --save`` and the weekly progress;
``reptrack history delete ID...`` removes sessions.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="list saved sessions and weekly progress (or: history delete ID)",
        description="List the sessions saved with 'reptrack analyze --save' and the progress week by week "
        "(sessions against the alternate-day plan, reps, tempo compliance, median tempo, wobble, range).  "
        "'reptrack history delete ID' removes a session.",
    )
    p.add_argument("action", nargs="?", choices=["list", "delete"], default="list", help="list (default) or delete")
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="session id(s) for delete")
    p.add_argument("--athlete", default=None, help="only this athlete (case-insensitive)")
    p.add_argument("--db", default=None, metavar="PATH", help="history database (default: user data directory)")
    p.add_argument("--json", action="store_true", help='print {"sessions": [...], "weeks": [...]}')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import HistoryError
    from ..history import History

    if args.action == "delete":
        if not args.ids:
            raise HistoryError("say which session to delete: reptrack history delete ID (ids are in 'reptrack history')")
        with History(args.db, create=False) as h:
            missing = [i for i in args.ids if not h.delete(i)]
            for i in args.ids:
                if i not in missing:
                    print(f"reptrack: deleted session {i} from {h.path}", file=sys.stderr)
            if missing:
                raise HistoryError(f"no session {', '.join(map(str, missing))} in {h.path}; 'reptrack history' lists the ids")
        return 0
    if args.ids:
        raise HistoryError("session ids are only used with 'reptrack history delete ID'")
    return _list(args)


def _list(args: argparse.Namespace) -> int:
    from ..history import History, weekly_progress

    with History(args.db, create=False) as h:
        sessions = h.sessions(athlete=args.athlete, with_doc=True)
        path = h.path
    weeks = weekly_progress(sessions)
    for s in sessions:
        s.pop("doc")
    if args.json:
        json.dump({"sessions": sessions, "weeks": weeks}, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    sys.stdout.write(format_history(sessions, weeks, str(path), args.athlete))
    return 0


def _f(x: Any, fmt: str) -> str:
    return "-" if x is None else fmt.format(x)


def format_history(sessions: list[dict[str, Any]], weeks: list[dict[str, Any]], db: str, athlete: str | None) -> str:
    """Plain-text sessions and weeks tables (what ``reptrack history`` prints)."""
    from ..history import PLAN_SESSIONS_PER_WEEK

    if not sessions:
        who = f" for {athlete}" if athlete else ""
        return f"No saved sessions{who} in {db}.  Save one with: reptrack analyze FILE --save --athlete NAME\n"
    lines = [f"History {db}" + (f", athlete {athlete}" if athlete else ""), ""]
    head = f"{'id':>4} {'date':10} {'from':10} {'athlete':14} {'reps':>4} {'sets':>4} {'flag':>4} {'tempo ok':>8} {'lift/pause/lower s':>18} {'wobble':>6} {'range':>6}  file"
    lines += [head, "-" * len(head)]
    for s in sessions:
        tempo = f"{_f(s['median_lift_s'], '{:.1f}')}/{_f(s['median_hold_s'], '{:.1f}')}/{_f(s['median_lower_s'], '{:.1f}')}"
        lines.append(
            f"{s['id']:>4} {s['date']:10} {s['date_source'][:10]:10} {(s['athlete'] or '-')[:14]:14} {s['reps']:>4} {s['sets']:>4} "
            f"{s['flagged']:>4} {_f(None if s['compliance'] is None else s['compliance'] * 100, '{:.0f}%'):>8} "
            f"{tempo:>18} {_f(s['median_wobble'], '{:.2f}'):>6} {_f(s['median_range_deg'], '{:.1f}'):>6}  {s['path'] or '-'}"
        )
    lo, hi = PLAN_SESSIONS_PER_WEEK
    lines += ["", f"Weekly progress (plan: alternate days = {lo}-{hi} sessions a week)", ""]
    head = f"{'athlete':14} {'wk':>3} {'ISO week':9} {'sessions':>8} {'reps':>5} {'tempo ok':>8} {'lift/pause/lower s':>18} {'wobble':>6} {'range':>6}"
    lines += [head, "-" * len(head)]
    for w in weeks:
        tempo = f"{_f(w['median_lift_s'], '{:.1f}')}/{_f(w['median_hold_s'], '{:.1f}')}/{_f(w['median_lower_s'], '{:.1f}')}"
        sess = f"{w['sessions']}{'' if w['on_plan'] else '!'}"
        lines.append(
            f"{(w['athlete'] or '-')[:14]:14} {w['program_week']:>3} {w['week']:9} {sess:>8} {w['reps']:>5} "
            f"{_f(None if w['compliance'] is None else w['compliance'] * 100, '{:.0f}%'):>8} {tempo:>18} "
            f"{_f(w['median_wobble'], '{:.2f}'):>6} {_f(w['median_range_deg'], '{:.1f}'):>6}"
        )
    lines.append(f"('!' = off the alternate-day plan of {lo}-{hi} sessions a week)")
    return "\n".join(lines) + "\n"
