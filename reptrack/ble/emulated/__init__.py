"""Emulated BLE sensors: a recording played through a real GATT server.

``emulated:PATH?options`` (see :mod:`.uri`) builds an :class:`EmulatedSensor`
(a bumble peripheral speaking a firmware profile's protocol) on a
:class:`VirtualRadio` (bumble's in-process link-layer), and the reader talks
to it through bleak with the radio's backend classes.
"""

from __future__ import annotations

from .radio import EmulatedBleakClient, EmulatedBleakScanner, VirtualRadio
from .sensor import CORRUPTED, DROPPED, OFFLINE, PENDING, SENT, EmulatedSensor, SentLog, load_emulated, sample_grid
from .uri import DEFAULT_PROFILE, EmulatedSpec, is_emulated, parse_emulated

__all__ = [
    "CORRUPTED",
    "DEFAULT_PROFILE",
    "DROPPED",
    "OFFLINE",
    "PENDING",
    "SENT",
    "EmulatedBleakClient",
    "EmulatedBleakScanner",
    "EmulatedSensor",
    "EmulatedSpec",
    "SentLog",
    "VirtualRadio",
    "is_emulated",
    "load_emulated",
    "parse_emulated",
    "sample_grid",
]
