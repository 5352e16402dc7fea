"""``reptrack live``: live feedback during the set (full-screen view, cues, JSON events).

Sources: ``--sensor ADDRESS|NAME|emulated:PATH`` (the BLE reader) or
``--replay FILE [--speed X]`` (a recording played through the same live path;
X = 0 means as fast as possible).  See docs/live.md.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from urllib.parse import parse_qs

from .analyze import add_reader_options, reader_options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "live",
        help="live feedback during the set (full-screen view, cues, JSON events)",
        description="Count reps and time every phase while you train, from a BLE sensor or a replayed file; "
        "records the raw stream with --out.  Ctrl-C stops (file closed, summary printed).",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sensor", metavar="ADDRESS|NAME|emulated:PATH", help="BLE sensor to stream from")
    src.add_argument("--replay", metavar="FILE", help="play a recording through the live path")
    p.add_argument("--speed", type=float, default=1.0, metavar="X", help="replay speed (default 1; 0 = as fast as possible)")
    p.add_argument("--profile", default=None, metavar="ID", help="firmware profile id (default: matched from the sensor name)")
    p.add_argument("--profiles", action="append", default=[], metavar="DIR", help="extra directory of firmware profiles")
    p.add_argument(
        "--reconnect-timeout", type=float, default=60.0, metavar="S", help="give up after the sensor is gone this long (default 60)"
    )
    p.add_argument("--out", default=None, metavar="FILE.csv", help="record the raw stream to this native CSV")
    p.add_argument(
        "--guidance",
        default=None,
        metavar="NAME|FILE",
        help="guidance profile (default: with --replay, a built-in one the file's metadata names; else 3-1-3)",
    )
    p.add_argument("--cues", choices=["off", "bell", "voice"], default="off", help="metronome and alert sounds (default off)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event (rep, set, gap) instead of the screen")
    p.add_argument("--no-strap-check", action="store_true", help="skip the strap check before the first set")
    add_reader_options(p)
    p.set_defaults(func=run)


def _emulated_speed(sensor: str) -> float:
    if not sensor.startswith("emulated:") or "?" not in sensor:
        return 1.0
    try:
        return float(parse_qs(sensor.split("?", 1)[1]).get("speed", ["1"])[0])
    except ValueError:
        return 1.0


def run(args: argparse.Namespace) -> int:
    import asyncio

    from ..errors import InputError, SensorError
    from ..guidance import guidance_for, load_guidance
    from ..live.cues import CuePlayer, default_bell_out
    from ..live.session import LiveSession, run_live

    if not (math.isfinite(args.speed) and args.speed >= 0):
        raise InputError("--speed must be 0 (as fast as possible) or a positive factor")
    # (None: with --replay, the file's own, if its metadata names one; else 3-1-3)
    guidance = load_guidance(args.guidance) if args.guidance else None
    if args.out:
        parent = Path(args.out).resolve().parent
        if not parent.is_dir():
            raise InputError("the folder for --out does not exist; create it or choose another path", args.out)

    nominal = None
    gyro = False  # (a replayed file's gyroscope is read as analyze reads it)
    if args.replay:
        from ..io import read_recording
        from ..live.replay import ReplaySource

        rec = read_recording(args.replay, **reader_options(args))
        if guidance is None:
            guidance = guidance_for(rec.meta)  # (as analyze judges the file)
        source = ReplaySource(rec, speed=args.speed)
        speed = args.speed
        label = source.label
        nominal = rec.nominal_rate_hz
        gyro = rec.has_gyro
    else:
        try:
            from ..ble.reader import SensorStream
        except ImportError as exc:
            raise SensorError(f"the BLE reader is not available in this installation ({exc}); use --replay FILE") from None
        source = SensorStream(
            args.sensor,
            profile_id=args.profile,
            profiles_dirs=tuple(args.profiles),
            reconnect_timeout_s=args.reconnect_timeout,
        )
        speed = _emulated_speed(args.sensor)
        label = f"sensor {args.sensor}"
        guidance = guidance or load_guidance()

    tty = sys.stdout.isatty()
    # With --cues off the screen still shows the metronome word (a silent player).
    cues = None if (args.json and args.cues == "off") else CuePlayer(args.cues, guidance, bell_out=default_bell_out())

    def note(msg: str) -> None:
        print(f"reptrack: {msg}", file=sys.stderr, flush=True)

    session = LiveSession(
        guidance,
        nominal,
        out_path=args.out,
        json_out=sys.stdout if args.json else None,
        cues=cues,
        strap_check=not args.no_strap_check,
        source_label=label,
        note=note if args.json else None,
        gyro=gyro,
    )

    def drive(view: object) -> None:
        try:
            asyncio.run(run_live(source, session, view, speed=speed))
        except SensorError:
            session.finish()
            sys.stderr.write(session.summary())  # what was counted and recorded before the sensor was lost
            raise

    if args.json:
        drive(None)
        sys.stderr.write(session.summary())
        return 0
    if not tty:
        from ..live.view import PlainView

        drive(PlainView(sys.stdout))
        sys.stdout.write(session.summary())
        return 0

    from ..live.view import LiveView

    view = LiveView(speed=speed).bind(session)
    try:
        with view:
            drive(view)
    finally:
        session.finish()
    sys.stdout.write(session.summary())
    return 0
