"""Encoders: the inverse of :mod:`reptrack.ble.decoders`, for tests and the emulated sensor.

``Encoder(profile).encode(t, acc)`` turns samples (t in s from the recording's
start, acc (n, 3) in g on reptrack's sensor axes) into the notifications the real
device would send, at the profile's packet size (ATT MTU - 3) and samples per
packet, with the device's time base (Polar ns clock from ``epoch_ns``, Movesense
and NUS ms clocks) and quantisation (the resolution a round trip keeps:
Polar/micro:bit/NUS 1 mG, Polar 0x80 ``factor`` g, MetaWear 1/LSB-per-g,
WitMotion 16/32768 g, Thingy:52 1/1024 g, Movesense float32, times 1 ns (Polar)
or 1 ms (Movesense, NUS)).  :meth:`Encoder.control_response` answers commands the
way the device does on its ``response_uuid``.

Encoders are stateful like the devices (packet counters, partial packets): with
``flush=False`` samples that do not fill a packet are held for the next call.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from .decoders import decoder_class, effective_settings
from .decoders import metawear as mw
from .decoders import nus, polar
from .decoders.movesense import STANDARD_GRAVITY
from .decoders.witmotion import ACC_SCALE_G
from .profiles import FirmwareProfile

Timed = list[tuple[float, bytes]]


def _quantize(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.round(values), lo, hi).astype(np.int64)


class _Impl:
    """One wire format: samples on device axes -> [(send time s, payload)]."""

    def __init__(self, profile: FirmwareProfile, settings: dict[str, Any]) -> None:
        self.profile = profile
        self.settings = settings
        self.reset()

    def reset(self) -> None:
        self.t = np.zeros(0)
        self.acc = np.zeros((0, 3))

    def per_packet(self) -> int:
        return max(1, self.profile.samples_per_packet)

    def push(self, t: np.ndarray, acc: np.ndarray, flush: bool) -> Timed:
        self.t = np.concatenate([self.t, t])
        self.acc = np.concatenate([self.acc, acc])
        out: Timed = []
        i = 0
        n_total = len(self.t)
        while i < n_total:
            n = self.take(i)
            if i + n > n_total and not flush:
                break
            n = min(n, n_total - i)
            out.extend(self.packets(self.t[i:i + n], self.acc[i:i + n]))
            i += n
        self.t, self.acc = self.t[i:], self.acc[i:]
        return out

    def take(self, i: int) -> int:
        """Samples the next packet starting at buffered sample ``i`` holds when full."""
        return self.per_packet()

    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:  # pragma: no cover
        raise NotImplementedError

    def control_response(self, command: bytes) -> bytes | None:
        return None


class _PolarImpl(_Impl):
    RAW_RANGE = {0x00: (1, -128, 127), 0x01: (2, -32768, 32767), 0x02: (3, -(1 << 23), (1 << 23) - 1)}

    def reset(self) -> None:
        super().reset()
        self.started = False

    def raw(self, acc: np.ndarray) -> np.ndarray:
        ft = int(self.settings["frame_type"])
        factor = float(self.settings["factor"])
        mg = acc * 1000.0
        if ft in self.RAW_RANGE:
            _, lo, hi = self.RAW_RANGE[ft]
            return _quantize(mg, lo, hi)
        if ft == 0x80:
            return _quantize(acc / factor, -32768, 32767)
        if ft == 0x81:
            return _quantize(mg if factor == 1.0 else mg / factor, -32768, 32767)
        raise ValueError(f"cannot encode Polar frame type {ft:#04x}")

    def take(self, i: int) -> int:
        ft = int(self.settings["frame_type"])
        room = self.profile.packet_bytes - 10
        spp = self.per_packet()
        if ft in self.RAW_RANGE:
            return max(1, min(spp, room // (3 * self.RAW_RANGE[ft][0])))
        n = min(spp, len(self.t) - i)
        raw = self.raw(self.acc[i:i + n])
        shrunk = False
        while n > 1 and polar.delta_payload_size(raw[:n]) > room:
            n -= 1
            shrunk = True
        return n if shrunk or n == spp else spp  # spp: not full yet, wait for more samples

    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:
        ft = int(self.settings["frame_type"])
        raw = self.raw(acc)
        ts = int(self.settings["epoch_ns"]) + int(round(float(t[-1]) * 1e9))
        head = bytes([polar.ACC]) + ts.to_bytes(8, "little") + bytes([ft])
        if ft in self.RAW_RANGE:
            size = self.RAW_RANGE[ft][0]
            body = b"".join(int(v).to_bytes(size, "little", signed=True) for v in raw.ravel())
        else:
            body = polar.encode_delta_payload(raw)
        return [(float(t[-1]), head + body)]

    def control_response(self, command: bytes) -> bytes | None:
        if len(command) < 2:
            return bytes([0xF0, command[0] if command else 0, 0, 4, 0])  # INVALID_LENGTH
        op, mtype = command[0], command[1] & 0x3F
        if mtype != polar.ACC:
            return bytes([0xF0, op, mtype, 3, 0])  # NOT_SUPPORTED: the emulator has only ACC
        if op in (1, 4):  # GET settings
            s = self.settings
            params = polar.build_pmd_settings(
                SAMPLE_RATE=int(s["sample_rate_hz"]), RESOLUTION=int(s["resolution_bits"]),
                RANGE=int(s["range_g"]), CHANNELS=int(s["channels"]),
            )
            return bytes([0xF0, op, mtype, 0, 0]) + params
        if op == 2:
            if self.started:
                return bytes([0xF0, op, mtype, 6, 0])  # ALREADY_IN_STATE
            self.started = True
            params = b""
            if int(self.settings["frame_type"]) == 0x80 or float(self.settings["factor"]) != 1.0:
                params = polar.build_pmd_settings(FACTOR=float(self.settings["factor"]))
            return bytes([0xF0, op, mtype, 0, 0]) + params
        if op == 3:
            was, self.started = self.started, False
            return bytes([0xF0, op, mtype, 0 if was else 12, 0])  # INVALID_STATE when not streaming
        return bytes([0xF0, op, mtype, 1, 0])  # INVALID_OP_CODE


class _NusBinaryImpl(_Impl):
    def reset(self) -> None:
        super().reset()
        self.seq = 0

    def per_packet(self) -> int:
        return max(1, min(self.profile.samples_per_packet, (self.profile.packet_bytes - 8) // 6, 255))

    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:
        frame = nus.encode_binary_frame(self.seq, int(round(float(t[0]) * 1000.0)), _quantize(acc * 1000, -32768, 32767))
        self.seq = (self.seq + 1) & 0xFF
        return [(float(t[-1]), frame)]


class _NusTextImpl(_Impl):
    """Lines are written to a byte stream that is cut into ``packet_bytes`` notifications."""

    def reset(self) -> None:
        super().reset()
        self.stream = b""
        self.stream_t = 0.0

    def push(self, t: np.ndarray, acc: np.ndarray, flush: bool) -> Timed:
        mg = _quantize(acc * 1000, -(1 << 31), (1 << 31) - 1)
        size = self.profile.packet_bytes
        out: Timed = []
        for ti, row in zip(t, mg):
            self.stream += nus.encode_text_line(int(round(float(ti) * 1000.0)), row, self.settings["checksum"] != "off")
            self.stream_t = float(ti)
            while len(self.stream) >= size:
                out.append((self.stream_t, self.stream[:size]))
                self.stream = self.stream[size:]
        if flush and self.stream:
            out.append((self.stream_t, self.stream))
            self.stream = b""
        return out


class _MovesenseImpl(_Impl):
    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:
        ref = int(self.settings["ref"]) & 0xFF
        ts = int(round(float(t[0]) * 1000.0)) % (1 << 32)
        data = bytes([2, ref]) + struct.pack("<I", ts) + (acc * STANDARD_GRAVITY).astype("<f4").tobytes()
        size = self.profile.packet_bytes
        out: Timed = [(float(t[-1]), data[:size])]
        rest = data[size:]
        while rest:
            out.append((float(t[-1]), bytes([3, ref]) + rest[: size - 2]))
            rest = rest[size - 2:]
        return out

    def control_response(self, command: bytes) -> bytes | None:
        if len(command) < 2:
            return None
        ref = command[1]
        if command[0] == 0:
            return bytes([1, ref]) + b"Hello"
        if command[0] in (1, 2):
            return bytes([1, ref]) + (200).to_bytes(2, "big")
        return bytes([1, ref]) + (400).to_bytes(2, "big")


class _MetaWearImpl(_Impl):
    def per_packet(self) -> int:
        return 3 if self.settings["packed"] else 1

    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:
        raw = _quantize(acc * mw.lsb_per_g(self.settings["range_g"]), -32768, 32767).astype("<i2")
        if len(raw) == 3:
            reg = 0x1C if self.settings["chip"] == "BMI160" else 0x05
            return [(float(t[-1]), bytes([mw.MODULE_ACC, reg]) + raw.tobytes())]
        return [(float(ti), bytes([mw.MODULE_ACC, mw.REG_DATA]) + r.tobytes()) for ti, r in zip(t, raw)]

    def control_response(self, command: bytes) -> bytes | None:
        if command[:2] == bytes([mw.MODULE_ACC, 0x80]):
            return bytes([0x03, 0x80, 0x01, 0x01]) if self.settings["chip"] == "BMI160" else bytes([0x03, 0x80, 0x04, 0x00])
        return None


class _WitMotionImpl(_Impl):
    def per_packet(self) -> int:
        return 1

    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:
        raw = np.zeros(9, dtype="<i2")
        raw[:3] = _quantize(acc[0] / ACC_SCALE_G, -32768, 32767)
        return [(float(t[0]), b"\x55\x61" + raw.tobytes())]

    def control_response(self, command: bytes) -> bytes | None:
        if len(command) == 5 and command[:3] == b"\xff\xaa\x27":
            return b"\x55\x71" + bytes([command[3], command[4]]) + bytes(16)
        return None


class _FixedImpl(_Impl):
    LSB_PER_G = 1000.0
    SIZE = 6

    def per_packet(self) -> int:
        return 1

    def packets(self, t: np.ndarray, acc: np.ndarray) -> Timed:
        raw = _quantize(acc[0] * self.LSB_PER_G, -32768, 32767).astype("<i2")
        return [(float(t[0]), raw.tobytes() + bytes(self.SIZE - 6))]


class _ThingyImpl(_FixedImpl):
    LSB_PER_G = 1024.0
    SIZE = 18


_IMPLS: dict[str, type[_Impl]] = {
    "polar-pmd": _PolarImpl,
    "nus-binary": _NusBinaryImpl,
    "nus-text": _NusTextImpl,
    "movesense-gsp": _MovesenseImpl,
    "metawear": _MetaWearImpl,
    "witmotion": _WitMotionImpl,
    "microbit": _FixedImpl,
    "thingy52-raw": _ThingyImpl,
}


class Encoder:
    """Samples -> notifications exactly as the profile's device sends them.

    Parameters
    ----------
    profile:
        The firmware profile to speak.
    **settings:
        Overrides of the profile's settings (e.g. ``frame_type=0x80, factor=2.44e-4``
        for Polar, ``chip="BMI270"`` for MetaWear, ``epoch_ns`` for the Polar clock).
    """

    def __init__(self, profile: FirmwareProfile, **settings: Any) -> None:
        self.profile = profile
        self.settings = effective_settings(profile, decoder_class(profile.decoder), settings)
        try:
            impl = _IMPLS[profile.decoder]
        except KeyError:
            raise ValueError(f"no encoder for decoder {profile.decoder!r}") from None
        self._impl = impl(profile, self.settings)
        self._idx = ["xyz".index(a[-1]) for a in profile.axes]
        self._sign = np.array([-1.0 if a.startswith("-") else 1.0 for a in profile.axes])

    def encode(self, t: np.ndarray, acc: np.ndarray, flush: bool = True) -> list[bytes]:
        """Notifications for samples ``t`` (s, from the recording's start) and ``acc`` ((n, 3) g).

        With ``flush=False`` samples that do not fill a packet wait for the next call.
        """
        return [p for _, p in self.encode_timed(t, acc, flush)]

    def encode_timed(self, t: np.ndarray, acc: np.ndarray, flush: bool = True) -> list[tuple[float, bytes]]:
        """Like :meth:`encode`, with each packet's send time: the time (s) of its last sample."""
        t = np.asarray(t, dtype=np.float64).ravel()
        acc = np.asarray(acc, dtype=np.float64).reshape(-1, 3)
        if len(t) != len(acc):
            raise ValueError(f"{len(t)} times but {len(acc)} samples")
        dev = np.empty_like(acc)
        dev[:, self._idx] = acc * self._sign
        return self._impl.push(t, dev, flush)

    @property
    def pending(self) -> int:
        """Samples held back waiting to fill a packet."""
        return len(self._impl.t)

    def control_response(self, command: bytes) -> bytes | None:
        """What the device notifies on ``profile.response_uuid`` after ``command`` (None: nothing)."""
        return self._impl.control_response(bytes(command))

    def reset(self) -> None:
        """Forget partial packets, counters and stream state (device power cycle)."""
        self._impl.reset()
