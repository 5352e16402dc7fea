"""``reptrack decode``: decode captured notification payloads with a firmware profile.

A debugging aid for users adding a sensor: payloads are decoded in order (the
decoder's state carries over, like a live stream) and printed as
``{"samples": [{"t": s|null, "x": g, "y": g, "z": g}, ...], "errors": n}``.
``t`` is on the device's own time base (null where the device has no clock).
A corrupt payload is counted in ``errors`` and decoding continues.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ..errors import DecodeError, InputError
from .profiles import add_profiles_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "decode",
        help="decode captured BLE notification payloads (hex) with a firmware profile",
        description="Decode notification payloads (hex, in order; state carries over) and print the samples "
        "as JSON. Use --set for what the device negotiated (e.g. range_g=4, factor=0.000244).",
    )
    p.add_argument("payloads", nargs="+", metavar="HEX", help="notification payloads as hex ('-' reads them from stdin)")
    p.add_argument("--profile", required=True, metavar="ID", help="firmware profile id (see `reptrack profiles`)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="settings",
        help="decoder setting (repeatable), e.g. range_g=4 or sample_rate_hz=52",
    )
    add_profiles_option(p)
    p.set_defaults(func=run)


def parse_settings(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r} must look like KEY=VALUE (e.g. range_g=4)")
        out[key.strip()] = val.strip()
    return out


def parse_hex(text: str, index: int) -> bytes:
    clean = "".join(text.split()).replace(":", "")
    if clean.lower().startswith("0x"):
        clean = clean[2:]
    try:
        return bytes.fromhex(clean)
    except ValueError:
        raise InputError(f"payload {index} ({text[:20]!r}) is not hex; give bytes like 02a1ff (spaces and ':' allowed)") from None


def run(args: argparse.Namespace) -> int:
    from ..ble.decoders import make_decoder
    from ..ble.profiles import get_profile, load_profiles

    profile = get_profile(args.profile, load_profiles(args.profiles))
    decoder = make_decoder(profile, **parse_settings(args.settings))
    texts: list[str] = []
    for item in args.payloads:
        texts.extend(sys.stdin.read().split() if item == "-" else [item])
    samples: list[dict[str, float | None]] = []
    for i, text in enumerate(texts, start=1):
        payload = parse_hex(text, i)
        try:
            s = decoder.feed(payload)
        except DecodeError as exc:
            print(f"reptrack: payload {i}: {exc}", file=sys.stderr)
            continue
        for t, (x, y, z) in zip(s.t.tolist(), s.acc.tolist()):
            samples.append({"t": None if math.isnan(t) else t, "x": x, "y": y, "z": z})
    json.dump({"samples": samples, "errors": decoder.errors}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0
