"""``reptrack convert IN OUT.csv``: any readable recording to native CSV.

Reads ``IN`` exactly as ``reptrack analyze`` does (format detected from the
file; ``--columns/--units/--time-unit`` for other CSVs) and writes the
native reptrack CSV (seconds since the first sample, g, deg/s, ``start_utc``
and the source format in the ``#`` metadata lines).
"""

from __future__ import annotations

import argparse

from .analyze import add_reader_options, reader_options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convert",
        help="convert a vendor export (MetaBase, Polar, phyphox, Sensor Logger, any CSV) to native CSV",
        description="Read any recording reptrack understands and write it as a native reptrack CSV.",
    )
    p.add_argument("input", metavar="IN", help="recording file (CSV, TXT or ZIP export)")
    p.add_argument("output", metavar="OUT.csv", help="native CSV to write")
    p.add_argument("--force", action="store_true", help="overwrite OUT.csv if it exists")
    add_reader_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from ..errors import InputError
    from ..io import read_recording, write_native

    src, out = Path(args.input), Path(args.output)
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise InputError("the output is the input file; give another OUT.csv", str(out))
    if out.exists() and not args.force:
        raise InputError("the output file exists; give another name or add --force", str(out))
    if out.is_dir():
        raise InputError("the output is a directory; give a file name such as session.csv", str(out))
    rec = read_recording(src, **reader_options(args))
    try:
        write_native(rec, out)
    except OSError as exc:
        raise InputError(f"cannot write the file ({exc.strerror or exc})", str(out)) from None
    for w in rec.warnings:
        print(f"reptrack: warning: {rec.path}: {w}", file=sys.stderr)
    fmt = rec.meta.get("format", "native")
    gyro = f", gyroscope {len(rec.gyro_t)} samples" if rec.gyro_t is not None else ""
    print(
        f"{out}: {rec.n_samples} samples, {rec.duration_s:.1f} s at {rec.median_rate_hz:.4g} Hz{gyro} "
        f"(from {fmt}; start {rec.start_utc or 'unknown'})"
    )
    return 0
