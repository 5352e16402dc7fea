"""``reptrack scan``: nearby BLE sensors with the firmware profile that matches them."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scan",
        help="list nearby BLE sensors and their firmware profile",
        description="Scan for BLE sensors; print address (MAC, or UUID on macOS), name, RSSI and the matching "
        "firmware profile. Without a usable Bluetooth adapter: one sentence, exit 2.",
    )
    p.add_argument("--timeout", type=float, default=5.0, metavar="S", help="scan for S seconds (default 5)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--all", action="store_true", help="also list devices no profile matches")
    p.add_argument("--profiles", action="append", default=[], metavar="DIR", help="extra firmware profile directory")
    p.add_argument("--emulated", action="append", default=[], metavar="emulated:PATH",
                   help="scan a virtual radio holding this emulated sensor instead of the adapter (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from ..ble.reader import scan
    from ..errors import InputError

    if not args.timeout > 0:
        raise InputError("--timeout must be a positive number of seconds")
    found = asyncio.run(scan(args.timeout, args.profiles, args.emulated, include_unknown=args.all))
    if args.json:
        json.dump([f.to_dict() for f in found], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    if not found:
        print(f"no sensors found in {args.timeout:g} s (is the sensor on, awake and not connected to a phone?)")
        return 0
    w = max(len(f.address) for f in found)
    print(f"{'ADDRESS':<{w}}  {'RSSI':>5}  {'PROFILE':<20}  NAME")
    for f in found:
        rssi = f"{f.rssi}" if f.rssi is not None else "?"
        print(f"{f.address:<{w}}  {rssi:>5}  {f.profile or '-':<20}  {f.name or ''}")
    return 0
