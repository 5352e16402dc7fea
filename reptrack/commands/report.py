"""``reptrack report``: a self-contained HTML report for coaches (see docs/reports.md).

``reptrack report FILE... --out report.html`` analyses the recordings and
writes one HTML file (a section per session, a comparison when several);
``reptrack report --history --athlete NAME --out progress.html`` draws the
weekly progress stored by ``reptrack analyze --save``.
"""

from __future__ import annotations

import argparse
import sys

from .analyze import add_reader_options, reader_options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write an HTML report of sessions (or of the saved history) for a coach",
        description="Write one self-contained HTML file (no network, prints well): per-set summary, the motion "
        "with every rep's lift/pause/lower, tempo against the target, wobble and range per rep, flags in plain "
        "words.  With --history: weekly progress from the history database.",
    )
    p.add_argument("paths", nargs="*", metavar="FILE", help="recording file(s) or directories of them")
    p.add_argument("--out", required=True, metavar="FILE.html", help="HTML file to write")
    p.add_argument("--athlete", default=None, help="athlete name shown in the report (with --history: whose progress)")
    p.add_argument("--notes", default=None, metavar="TEXT", help="notes shown at the top of the report")
    p.add_argument(
        "--guidance",
        default=None,
        metavar="NAME|FILE",
        help="guidance profile (default: a built-in one each file's metadata names, else 3-1-3)",
    )
    p.add_argument("--history", action="store_true", help="report weekly progress from the history database instead of files")
    p.add_argument("--db", default=None, metavar="PATH", help="history database for --history (default: user data directory)")
    add_reader_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..report.html import write_html

    if args.history:
        if args.paths:
            raise InputError("give either recording files or --history, not both")
        text, what = _progress(args)
    else:
        if not args.paths:
            raise InputError("name at least one recording file (or use --history --athlete NAME)")
        text, what = _sessions(args)
    write_html(text, args.out)
    print(f"reptrack: wrote {args.out} ({what}, {len(text.encode('utf-8')) / 1024:.0f} kB)", file=sys.stderr)
    return 0


def _sessions(args: argparse.Namespace) -> tuple[str, str]:
    from ..analysis import analyze_file
    from ..guidance import load_guidance
    from ..report.html import render_sessions
    from .analyze import expand_paths

    # (None: each file's own, if its metadata names one; else 3-1-3)
    guidance = load_guidance(args.guidance) if args.guidance else None
    files = expand_paths(args.paths)
    sessions = [analyze_file(f, guidance, **reader_options(args)) for f in files]
    for s in sessions:
        for w in s.recording.warnings:
            print(f"reptrack: warning: {s.recording.path}: {w}", file=sys.stderr)
    reps = sum(len(s.reps) for s in sessions)
    return render_sessions(sessions, athlete=args.athlete, notes=args.notes), f"{len(sessions)} session(s), {reps} reps"


def _progress(args: argparse.Namespace) -> tuple[str, str]:
    from ..errors import HistoryError
    from ..guidance import Guidance, load_guidance
    from ..history import History, weekly_progress
    from ..report.html import render_progress

    with History(args.db, create=False) as h:
        athlete = args.athlete
        if athlete is None:
            names = h.athletes()
            if len(names) > 1:
                listed = ", ".join(n or "(no name)" for n in names)
                raise HistoryError(f"{h.path} holds several athletes ({listed}); pass --athlete NAME")
            athlete = names[0] if names else None
        sessions = h.sessions(athlete=athlete, with_doc=True)
        if not sessions:
            who = f" for {athlete!r}" if athlete else ""
            raise HistoryError(
                f"no saved sessions{who} in {h.path}; save some with: reptrack analyze FILE --save --athlete NAME"
            )
        db_path = str(h.path)
    athlete = sessions[0]["athlete"] if athlete is not None else athlete  # the stored spelling
    if args.guidance:
        guidance = load_guidance(args.guidance)
    else:
        try:
            guidance = Guidance(**sessions[-1]["doc"]["guidance"])
        except (KeyError, TypeError):
            guidance = load_guidance()
    weeks = weekly_progress(sessions)
    for s in sessions:
        s.pop("doc")
    text = render_progress(sessions, weeks, athlete, guidance, notes=args.notes, db_path=db_path)
    return text, f"{len(sessions)} session(s) over {len(weeks)} week(s)"
