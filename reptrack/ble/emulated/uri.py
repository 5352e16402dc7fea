"""``emulated:PATH[?key=value&...]`` sensor addresses.

Keys (all optional):

``speed``            playback speed, 1 = real time (default), 0 = as fast as possible
``disconnect_every`` the sensor drops the link every S seconds of stream time
``down``             how long (stream seconds) it then stays away before advertising again (default 1)
``drop_packets``     fraction 0..1 of notifications never sent (lost on air)
``corrupt_packets``  fraction 0..1 of notifications sent truncated (garbled on air)
``profile``          firmware profile id to speak (default: ``--profile`` or ``polar-h10``)
``rate``             output rate in Hz (default: the profile's nominal rate)
``seed``             random seed for the faults (default 0: runs are reproducible)
``name``             advertised name (default: a name the profile's patterns match)
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from ...errors import SensorError

PREFIX = "emulated:"
#: Profile used when neither the URI nor ``--profile`` names one: the most
#: common strap-on sensor with a device clock.
DEFAULT_PROFILE = "polar-h10"


@dataclass(frozen=True)
class EmulatedSpec:
    """Parsed ``emulated:`` address (times in stream seconds, fractions 0..1)."""

    path: str
    speed: float = 1.0
    disconnect_every: float | None = None
    down: float = 1.0
    drop_packets: float = 0.0
    corrupt_packets: float = 0.0
    profile: str | None = None
    rate: float | None = None
    seed: int = 0
    name: str | None = None


def is_emulated(sensor: str) -> bool:
    return sensor.startswith(PREFIX)


def parse_emulated(sensor: str) -> EmulatedSpec:
    """Parse ``emulated:PATH?k=v&...``; raise :class:`SensorError` on a bad option."""
    if not is_emulated(sensor):
        raise SensorError(f"{sensor!r} is not an emulated: sensor address")
    body = sensor[len(PREFIX) :]
    path, _, query = body.partition("?")
    if not path:
        raise SensorError("emulated: needs a recording file, e.g. emulated:run.csv?speed=10")
    kw: dict[str, object] = {}
    floats = {"speed", "disconnect_every", "down", "drop_packets", "corrupt_packets", "rate"}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in floats:
            try:
                v = float(value)
            except ValueError:
                raise SensorError(f"emulated: option {key}={value!r} is not a number") from None
            if v < 0 or (key in ("drop_packets", "corrupt_packets") and v > 1):
                raise SensorError(f"emulated: option {key}={value} is out of range")
            if key in ("disconnect_every", "rate") and v == 0:
                raise SensorError(f"emulated: option {key} must be greater than 0")
            kw[key] = v
        elif key == "seed":
            try:
                kw[key] = int(value)
            except ValueError:
                raise SensorError(f"emulated: option seed={value!r} is not an integer") from None
        elif key in ("profile", "name"):
            kw[key] = value
        else:
            raise SensorError(
                f"emulated: unknown option {key!r} (use speed, disconnect_every, down, drop_packets, "
                "corrupt_packets, profile, rate, seed, name)"
            )
    return EmulatedSpec(path=path, **kw)  # type: ignore[arg-type]
