"""Decoders: BLE notification bytes -> accelerometer samples in g with device times.

One decoder per wire format (``polar-pmd``, ``metawear``, ``movesense-gsp``,
``witmotion``, ``microbit``, ``thingy52-raw``, ``nus-text``, ``nus-binary``); a
firmware profile names the one it uses.  Decoders are small state machines:
they keep only what the protocol needs across notifications (previous Polar
timestamp, Movesense continuation part, WitMotion/NUS byte buffers, packet
counters).  Call :meth:`Decoder.reset` after a reconnect.

Contract
--------
``feed(payload)`` returns :class:`Samples` (possibly empty, e.g. for a command
reply that arrived on the data characteristic).  For a corrupt or truncated
payload it increments :attr:`Decoder.errors` and raises
:class:`reptrack.errors.DecodeError` (nothing else ever escapes).  Byte-stream
formats (WitMotion, NUS text) may recover good samples from a payload that
also held junk: then ``errors`` grows by one and the good samples are returned;
``DecodeError`` is raised only when the payload yields nothing.  Either way one
damaged notification adds exactly one to ``errors``, the authoritative count.

Times: ``Samples.t`` is seconds on the device's own time base (Polar: since
2000-01-01 on the device clock; Movesense: since device boot; NUS: the board's
``millis()``) or NaN where the device has no clock (MetaWear, WitMotion,
micro:bit, Thingy:52): the reader then spreads host arrival times at the
nominal rate.  ``lost_before`` counts samples known to be missing just before
the packet (from the device clock or counter); ``discontinuity`` says the device
time base restarted (clock reset, counter jumped backwards), so times before and
after are not comparable.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...errors import DecodeError, InputError

if TYPE_CHECKING:
    from ..profiles import FirmwareProfile


@dataclass
class Samples:
    """Samples decoded from one notification.

    Attributes
    ----------
    t:
        (n,) float64 seconds on the device time base, NaN where the device has no clock.
    acc:
        (n, 3) float64 acceleration in g, on reptrack's sensor axes (profile ``axes`` applied).
    lost_before:
        Samples known to be lost just before this packet (0 when none or unknowable).
    discontinuity:
        The device time base restarted before this packet (times are not comparable
        with the previous packet's).
    """

    t: np.ndarray
    acc: np.ndarray
    lost_before: int = 0
    discontinuity: bool = False

    @classmethod
    def empty(cls) -> Samples:
        return cls(np.zeros(0), np.zeros((0, 3)))

    def __len__(self) -> int:
        return int(self.t.shape[0])


@dataclass
class ControlResponse:
    """A device's answer to a command (or an unsolicited status message).

    Attributes
    ----------
    ok:
        True when the command succeeded, False when the device refused it.
    message:
        One sentence describing the answer (for logs and error messages).
    settings:
        Decoder settings the device announced (e.g. Polar ``{"factor": 2.44e-4}``);
        already applied to the decoder that parsed the response.
    stream_stopped:
        The device says it stopped streaming by itself (Polar ONLINE_MEASUREMENT_STOPPED).
    restart:
        The stream is already running from an earlier session: send the stop
        commands, then the start commands again (Polar ALREADY_IN_STATE).
    """

    ok: bool
    message: str
    settings: dict[str, Any] = field(default_factory=dict)
    stream_stopped: bool = False
    restart: bool = False


U32 = 1 << 32

#: Settings every decoder accepts (filled from the profile).
COMMON_SETTINGS: dict[str, Any] = {"sample_rate_hz": 50.0, "range_g": 8.0}

_REGISTRY: dict[str, type[Decoder]] = {}


def register(name: str) -> Callable[[type[Decoder]], type[Decoder]]:
    """Class decorator: make a decoder available under ``name``."""

    def deco(cls: type[Decoder]) -> type[Decoder]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


class Decoder:
    """Base class: settings handling, axis mapping and the error contract.

    Subclasses implement :meth:`_decode` (payload -> Samples on device axes,
    raising ``DecodeError`` / ``struct.error`` / ``ValueError`` / ``IndexError``
    for bad input) and optionally :meth:`_control` and :meth:`reset`.
    """

    name: ClassVar[str] = ""
    #: True when the decoder can work without a nominal rate (sample_rate_hz = 0).
    RATE_OPTIONAL: ClassVar[bool] = False
    #: Decoder-specific settings and their defaults (the default's type is the setting's type).
    SETTINGS: ClassVar[dict[str, Any]] = {}

    def __init__(self, profile: FirmwareProfile, settings: Mapping[str, Any]) -> None:
        self.profile = profile
        self.settings: dict[str, Any] = dict(settings)
        self.errors = 0
        self.responses: list[ControlResponse] = []
        self.info: dict[str, Any] = {}
        rate = float(self.settings.get("sample_rate_hz", 0.0))
        if not (rate > 0 or (rate == 0 and self.RATE_OPTIONAL)):
            raise InputError(f"decoder {self.name!r} needs sample_rate_hz > 0, not {rate:g}")
        self._axis_idx = [("xyz".index(a[-1])) for a in profile.axes]
        self._axis_sign = np.array([-1.0 if a.startswith("-") else 1.0 for a in profile.axes])
        self.reset()

    # -- public API -------------------------------------------------------------------------
    @property
    def rate_hz(self) -> float:
        return float(self.settings["sample_rate_hz"])

    def reset(self) -> None:
        """Forget per-stream state (call after a reconnect or a stop/start)."""

    def update(self, **settings: Any) -> None:
        """Change settings mid-stream (e.g. a factor the device announced)."""
        self.settings.update(coerce_settings(type(self), settings, self.settings))

    def feed(self, payload: bytes | bytearray | memoryview) -> Samples:
        """Decode one notification (see the module docstring for the error contract)."""
        try:
            s = self._decode(bytes(payload))
        except DecodeError:
            self.errors += 1
            raise
        except (struct.error, ValueError, IndexError, OverflowError, UnicodeError) as exc:
            self.errors += 1
            raise DecodeError(f"{self.name}: corrupt notification {bytes(payload)[:24].hex()} ({exc})") from None
        return self._to_sensor_axes(s)

    def control(self, payload: bytes | bytearray | memoryview) -> ControlResponse | None:
        """Parse a notification from the profile's ``response_uuid`` (command answer).

        Returns None when the bytes are not a command answer this decoder knows.
        Announced settings are applied to this decoder; every response is also
        appended to :attr:`responses`.
        """
        try:
            resp = self._control(bytes(payload))
        except (struct.error, ValueError, IndexError) as exc:
            resp = ControlResponse(False, f"{self.name}: unreadable command answer {bytes(payload).hex()} ({exc})")
        if resp is not None:
            if resp.settings:
                self.update(**resp.settings)
            self.responses.append(resp)
        return resp

    # -- for subclasses ---------------------------------------------------------------------
    def _decode(self, payload: bytes) -> Samples:  # pragma: no cover - abstract
        raise NotImplementedError

    def _control(self, payload: bytes) -> ControlResponse | None:
        return None

    def _to_sensor_axes(self, s: Samples) -> Samples:
        if len(s) and (self._axis_idx != [0, 1, 2] or (self._axis_sign < 0).any()):
            s.acc = s.acc[:, self._axis_idx] * self._axis_sign
        return s

    def _fail(self, what: str, payload: bytes) -> DecodeError:
        return DecodeError(f"{self.name}: {what} (notification {payload[:24].hex()}{'...' if len(payload) > 24 else ''})")


class MsClock:
    """Expected-time bookkeeping for a u32 millisecond device clock (Movesense, NUS).

    A packet starting more than half a sample period after the expected time
    follows ``round(diff * rate)`` lost samples; one starting earlier than that
    (beyond 1 ms of rounding) means the device clock restarted.
    """

    def __init__(self) -> None:
        self.next_ms: float | None = None  # expected time of the next sample (ms)

    def check(self, t0_ms: int, rate_hz: float) -> tuple[int, bool]:
        """(samples lost before a sample at ``t0_ms``, discontinuity)."""
        if self.next_ms is None:
            return 0, False
        diff = (t0_ms - self.next_ms + U32 / 2) % U32 - U32 / 2  # wrap-safe signed difference
        period = 1000.0 / rate_hz
        if diff < -period * 0.5 - 1.0:
            return 0, True  # clock went backwards: the board restarted
        lost = int(round(diff / period))
        return max(lost, 0), False

    def advance(self, last_ms: float, rate_hz: float) -> None:
        self.next_ms = (last_ms + 1000.0 / rate_hz) % U32


def nan_times(n: int) -> np.ndarray:
    """(n,) NaN times for devices without a clock."""
    return np.full(n, np.nan)


def coerce_settings(cls: type[Decoder], new: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Type-check settings (strings from ``--set`` are converted to the default's type).

    Raises :class:`InputError` for an unknown key or a value of the wrong type.
    """
    known = {**COMMON_SETTINGS, **cls.SETTINGS}
    out: dict[str, Any] = {}
    for key, val in new.items():
        if key not in known:
            raise InputError(
                f"decoder {cls.name!r} has no setting {key!r}; known settings: {', '.join(sorted(known))}"
            )
        ref = current.get(key, known[key])
        try:
            out[key] = _coerce(val, ref)
        except (TypeError, ValueError):
            raise InputError(
                f"decoder setting {key}={val!r} must be {type(ref).__name__} like {ref!r}"
            ) from None
    return out


def _coerce(val: Any, ref: Any) -> Any:
    if isinstance(ref, bool):
        if isinstance(val, bool):
            return val
        if isinstance(val, str) and val.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return val.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(val, int):
            return bool(val)
        raise ValueError(val)
    if isinstance(ref, int):
        if isinstance(val, str):
            return int(val.strip(), 0)
        if isinstance(val, float):
            if not val.is_integer():
                raise ValueError(val)
            return int(val)
        return int(val)
    if isinstance(ref, float):
        v = float(val)
        if math.isnan(v):
            raise ValueError(val)
        return v
    return str(val)


def known_decoders() -> list[str]:
    """Names of all decoders (profiles' ``decoder`` key)."""
    _load_all()
    return sorted(_REGISTRY)


def decoder_class(name: str) -> type[Decoder]:
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown decoder {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def effective_settings(profile: FirmwareProfile, cls: type[Decoder], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Decoder defaults <- profile rate/range <- profile ``settings`` <- ``overrides``."""
    base: dict[str, Any] = {**COMMON_SETTINGS, **cls.SETTINGS}
    base["sample_rate_hz"] = float(profile.sample_rate_hz)
    base["range_g"] = float(profile.range_g)
    base.update(coerce_settings(cls, profile.settings, base))
    base.update(coerce_settings(cls, overrides, base))
    return base


def make_decoder(profile: FirmwareProfile, **settings: Any) -> Decoder:
    """A fresh decoder for ``profile``; ``settings`` override the profile's (strings accepted)."""
    cls = decoder_class(profile.decoder)
    return cls(profile, effective_settings(profile, cls, settings))


def _load_all() -> None:
    from . import metawear, movesense, nus, polar, simple, witmotion  # noqa: F401  (they register)


__all__ = [
    "ControlResponse",
    "Decoder",
    "Samples",
    "MsClock",
    "decoder_class",
    "effective_settings",
    "known_decoders",
    "make_decoder",
    "nan_times",
]
