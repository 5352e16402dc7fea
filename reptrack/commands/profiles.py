"""``reptrack profiles``: the firmware profiles reptrack knows and what they match."""

from __future__ import annotations

import argparse
import json
import sys


def add_profiles_option(p: argparse.ArgumentParser) -> None:
    """``--profiles DIR`` (repeatable): extra directories of firmware profile TOML files."""
    p.add_argument(
        "--profiles",
        action="append",
        default=[],
        metavar="DIR",
        help="also load firmware profiles (*.toml) from DIR; same id overrides a built-in",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profiles",
        help="list the known BLE sensor firmware profiles",
        description="List the firmware profiles (built-in, user config dir, --profiles DIR): advertised-name "
        "patterns, GATT service, decoder, rate, time base and the file each came from.",
    )
    p.add_argument("--json", action="store_true", help="print the profiles as a JSON list")
    add_profiles_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ble.profiles import load_profiles, user_profile_dir

    profiles = load_profiles(args.profiles)
    rows = sorted(profiles.values(), key=lambda p: p.id)
    if args.json:
        json.dump([p.to_json_dict() for p in rows], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for p in rows:
        gap = "gaps detected" if p.gap_detection else "gaps not detectable"
        print(f"{p.id}: {p.name}")
        print(f"  names    {', '.join(p.name_patterns) or '(any; matched by service)'}")
        print(f"  service  {p.service_uuid}")
        print(
            f"  decoder  {p.decoder}, {p.sample_rate_hz:g} Hz, +-{p.range_g:g} g, time base {p.time_base} ({gap}), "
            f"{p.samples_per_packet} samples / {p.packet_bytes}-byte packet"
        )
        print(f"  source   {p.source}")
    print(f"(add your own: drop a TOML file in {user_profile_dir()} or pass --profiles DIR; see docs/sensors.md)")
    return 0
