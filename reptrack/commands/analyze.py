"""``reptrack analyze PATH...``: reps, phases, tempo, wobble and flags."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InputError

#: File suffixes picked up when a directory is given.
RECORDING_SUFFIXES = (".csv", ".txt", ".zip")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse recorded sessions (files or directories)",
        description="Find every heel-raise rep, its lift / pause / lower times, range and wobble, "
        "and flag reps that break the guidance.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="recording file(s) or directories of them")
    p.add_argument("--json", action="store_true", help="print the schema-1 JSON document (see README)")
    p.add_argument(
        "--guidance",
        default=None,
        metavar="NAME|FILE",
        help="guidance profile (default: a built-in one each file's metadata names, else 3-1-3)",
    )
    p.add_argument("--csv", default=None, metavar="FILE", help="also write the per-rep table as CSV (same fields as the JSON)")
    p.add_argument("--save", action="store_true", help="store the session(s) in the history database")
    p.add_argument("--athlete", default=None, help="athlete name for --save")
    p.add_argument("--db", default=None, metavar="PATH", help="history database (default: user data directory)")
    p.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="session date for --save when the file has no start_utc")
    add_reader_options(p)
    p.set_defaults(func=run)


def add_reader_options(p: argparse.ArgumentParser) -> None:
    """Options every command that reads recordings accepts (see reptrack.io)."""
    p.add_argument(
        "--columns",
        default=None,
        metavar="t=COL,ax=COL,ay=COL,az=COL",
        help="name the time and acceleration columns of any other CSV",
    )
    p.add_argument("--units", default=None, choices=["g", "mg", "m/s2"], help="acceleration unit for --columns")
    p.add_argument("--time-unit", default=None, choices=["s", "ms", "us", "ns"], help="time unit for --columns")


def reader_options(args: argparse.Namespace) -> dict[str, str]:
    return {k: v for k, v in (("columns", args.columns), ("units", args.units), ("time_unit", args.time_unit)) if v}


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given, directories expanded to their recording files (sorted)."""
    out: list[Path] = []
    for s in paths:
        p = Path(s)
        if p.is_dir():
            try:
                found = sorted(
                    q
                    for q in p.iterdir()
                    if q.is_file() and q.suffix.lower() in RECORDING_SUFFIXES and not q.name.endswith(".truth.json")
                )
            except OSError as exc:
                raise InputError(
                    f"cannot list the directory ({exc.strerror or exc}); check its permissions", str(p)
                ) from None
            if not found:
                raise InputError("the directory holds no recording files (.csv, .txt, .zip)", str(p))
            from ..io.detect import companion_of  # files read together with another one (issue #3)

            out.extend(q for q in found if companion_of(q) not in found)
        elif not p.exists():
            raise InputError("no such file", str(p))
        else:
            out.append(p)
    return out


def run(args: argparse.Namespace) -> int:
    from ..analysis import analyze_file
    from ..guidance import load_guidance
    from ..report.text import format_session

    # (None: each file's own, if its metadata names one; else 3-1-3)
    guidance = load_guidance(args.guidance) if args.guidance else None
    files = expand_paths(args.paths)
    sessions = [analyze_file(f, guidance, **reader_options(args)) for f in files]
    if args.csv:
        from ..report.csv import write_reps_csv

        write_reps_csv(sessions, args.csv)
    if args.save:
        from ..history import save_sessions_cli

        save_sessions_cli(sessions, db=args.db, athlete=args.athlete, date=args.date)
    if args.json:
        docs = [s.to_json_dict() for s in sessions]
        out = docs[0] if len(docs) == 1 else {"schema": docs[0]["schema"], "sessions": docs}
        json.dump(out, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        for s in sessions:
            for w in s.recording.warnings:
                print(f"reptrack: warning: {s.recording.path}: {w}", file=sys.stderr)
            sys.stdout.write(format_session(s))
    return 0
