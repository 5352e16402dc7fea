"""``reptrack record``: stream a BLE sensor (or ``emulated:FILE``) to native CSV."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "record",
        help="record a BLE sensor (or emulated:FILE) to native CSV",
        description="Stream a sensor to native CSV, flushing at least once a second. Ctrl-C or the end of "
        "--duration stops normally (file closed, summary printed, exit 0). When the link drops it reconnects "
        "and marks the gap; it gives up after --reconnect-timeout (exit 2, file intact). See docs/recording.md.",
    )
    p.add_argument("--sensor", required=True, metavar="ADDRESS|NAME|emulated:PATH",
                   help="MAC address (Linux/Windows), device UUID (macOS), advertised name (or its start, or a "
                   "*-pattern), or emulated:FILE?speed=X&disconnect_every=S&drop_packets=F&corrupt_packets=F&profile=ID")
    p.add_argument("--profile", default=None, metavar="ID", help="firmware profile (default: matched from the advertisement)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="native CSV to write (overwritten)")
    p.add_argument("--duration", type=float, default=None, metavar="S", help="stop after S seconds of samples")
    p.add_argument("--reconnect-timeout", type=float, default=60.0, metavar="S",
                   help="give up when the sensor stays away this long (default 60)")
    p.add_argument("--profiles", action="append", default=[], metavar="DIR", help="extra firmware profile directory")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no link status lines on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from ..errors import InputError, SensorError

    if args.duration is not None and not args.duration > 0:
        raise InputError("--duration must be a positive number of seconds")
    if not args.reconnect_timeout >= 0:
        raise InputError("--reconnect-timeout must be >= 0 seconds")
    from pathlib import Path

    out = Path(args.out)
    if out.is_dir() or not out.resolve().parent.is_dir():
        raise InputError("--out must be a file in an existing folder (create the folder or choose another path)", args.out)
    try:
        summary = asyncio.run(_main(args))
    except SensorError as exc:
        partial = getattr(exc, "summary", None)
        if partial is not None:
            _print_summary(partial, args.json, file=sys.stderr)
        raise
    _print_summary(summary, args.json, file=sys.stdout)
    return 0


def _print_summary(summary, as_json: bool, file) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        json.dump(summary.to_dict(), file, indent=1)
        file.write("\n")
    else:
        file.write(summary.format())
    file.flush()


async def _main(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import asyncio
    import signal

    from ..ble.reader import Batch, record

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []

    def on_signal() -> None:
        stop.set()
        for sig in installed:  # a second Ctrl-C interrupts hard
            loop.remove_signal_handler(sig)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # Windows: Ctrl-C arrives as KeyboardInterrupt (cli.main exits 0)

    def on_batch(batch: Batch) -> None:
        if batch.status and not args.quiet:
            print(f"reptrack: {batch.status}", file=sys.stderr, flush=True)

    return await record(
        args.sensor,
        args.out,
        profile_id=args.profile,
        duration_s=args.duration,
        reconnect_timeout_s=args.reconnect_timeout,
        profiles_dirs=args.profiles,
        on_batch=on_batch,
        stop=stop,
    )
