"""Polar PMD accelerometer frames (H10, Verity Sense, OH1).

Wire format (PROTOCOLS.md section 1, from polar-ble-sdk ``PmdDataFrame``/``AccData``):
byte 0 measurement type (& 0x3F; ACC = 2), bytes 1..8 uint64 LE timestamp of the
LAST sample in ns since 2000-01-01 (device clock), byte 9 frame type (bit 7 =
delta-compressed), then the payload:

* raw 0x00 / 0x01 / 0x02: int8 / int16 / int24 LE x, y, z per sample, in mG;
* delta 0x80 / 0x81: a reference sample (3 x int16) then blocks
  ``bit_width u8, count u8, packed deltas`` (LSB-first bit stream, two's complement);
  0x80 values are device units (mG = raw * factor * 1000), 0x81 values are mG
  (times ``factor`` when the device announced one other than 1.0).

Times (SDK ``PmdTimeStampUtils``, section 1.8): with a previous frame timestamp,
sample i = prev + round(span/N * (i+1)); otherwise the frame is laid back from its
last sample at the nominal rate.  reptrack adds one rule the SDK lacks: when a
frame's span is longer than its N samples at the current period estimate by more
than ``max(0.5, loss_tolerance * N)`` samples, the frames in between were lost;
then the frame is laid back from its last sample at the period estimate and the
missing count is reported in ``lost_before`` (so a lost frame is not smeared over
the next one).  The period estimate starts at 1/``sample_rate_hz`` and follows
the device clock (EMA over normal frames, weight 0.1).
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from . import ControlResponse, Decoder, Samples, register

ACC = 2
#: ns between 1970-01-01 and 2000-01-01 (the PMD epoch).
PMD_EPOCH_UNIX_S = 946684800
#: H10 clock value after it resets (2019-01-01T00:00:00Z in PMD ns), section 1.8.
H10_RESET_NS = 599616000000000000

RAW_BYTES = {0x00: 1, 0x01: 2, 0x02: 3}
DELTA_TYPES = (0x80, 0x81)

CP_STATUS = {
    0: "success",
    1: "invalid op code",
    2: "invalid measurement type",
    3: "not supported",
    4: "invalid length",
    5: "invalid parameter",
    6: "already in state",
    7: "invalid resolution",
    8: "invalid sample rate",
    9: "invalid range",
    10: "invalid MTU",
    11: "invalid number of channels",
    12: "invalid state",
    13: "device in charger",
    14: "disk full",
}
CP_OPS = {1: "GET_MEASUREMENT_SETTINGS", 2: "REQUEST_MEASUREMENT_START", 3: "STOP_MEASUREMENT",
          4: "GET_SDK_MODE_MEASUREMENT_SETTINGS", 5: "GET_MEASUREMENT_STATUS", 6: "GET_SDK_MODE_STATUS"}

#: Settings TLV: type -> (name, value bytes), section 1.4.
SETTING_TYPES = {
    0: ("SAMPLE_RATE", 2),
    1: ("RESOLUTION", 2),
    2: ("RANGE", 2),
    3: ("RANGE_MILLIUNIT", 4),
    4: ("CHANNELS", 1),
    5: ("FACTOR", 4),
    6: ("SECURITY", 16),
}


# --------------------------------------------------------------------------- codec helpers
def unpack_signed_bits(data: bytes, width: int, count: int) -> np.ndarray:
    """``count`` two's-complement values of ``width`` bits from an LSB-first bit stream."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    if width == 0:
        return np.zeros(count, dtype=np.int64)
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[: width * count]
    if bits.size < width * count:
        raise ValueError(f"{count} values of {width} bits need {width * count} bits, got {bits.size}")
    weights = np.left_shift(np.int64(1), np.arange(width, dtype=np.int64))
    vals = bits.reshape(count, width).astype(np.int64) @ weights
    sign = np.int64(1) << (width - 1)
    return np.where(vals & sign, vals - (np.int64(1) << width), vals)


def pack_signed_bits(values: np.ndarray, width: int) -> bytes:
    """Inverse of :func:`unpack_signed_bits` (values must fit in ``width`` bits)."""
    v = np.asarray(values, dtype=np.int64).ravel()
    if width == 0 or v.size == 0:
        return b""
    u = v & ((np.int64(1) << width) - 1)
    bits = ((u[:, None] >> np.arange(width, dtype=np.int64)) & 1).astype(np.uint8).ravel()
    return np.packbits(bits, bitorder="little").tobytes()


def bit_width_for(values: np.ndarray) -> int:
    """Smallest two's-complement width holding every value (0 when all are 0)."""
    v = np.asarray(values, dtype=np.int64)
    if v.size == 0 or not v.any():
        return 0
    hi = int(v.max())
    lo = int(v.min())
    w = 1
    while not (-(1 << (w - 1)) <= lo and hi <= (1 << (w - 1)) - 1):
        w += 1
    return w


def iter_delta_blocks(payload: bytes, channels: int = 3, resolution_bits: int = 16):
    """Yield ``(bit_width, count, deltas (count, channels))`` for each block after the reference.

    Raises ``ValueError`` when a block is cut off or malformed.
    """
    pos = channels * ((resolution_bits + 7) // 8)
    while pos < len(payload):
        if pos + 2 > len(payload):
            raise ValueError("delta block header cut off")
        width, count = payload[pos], payload[pos + 1]
        pos += 2
        if width > 32:
            raise ValueError(f"delta bit width {width} is impossible")
        nbytes = (width * count * channels + 7) // 8
        if pos + nbytes > len(payload):
            raise ValueError(f"delta block of {count} samples x {width} bits cut off")
        yield width, count, unpack_signed_bits(payload[pos:pos + nbytes], width, count * channels).reshape(count, channels)
        pos += nbytes


def decode_delta_payload(payload: bytes, channels: int = 3, resolution_bits: int = 16) -> np.ndarray:
    """Raw (n, channels) int64 samples of a delta-compressed PMD payload (bytes after the header).

    Raises ``ValueError`` when the payload is truncated or a block is malformed.
    """
    ref_bytes = (resolution_bits + 7) // 8
    if len(payload) < channels * ref_bytes:
        raise ValueError(f"delta frame shorter than its {channels * ref_bytes}-byte reference sample")
    ref = [
        int.from_bytes(payload[i * ref_bytes:(i + 1) * ref_bytes], "little", signed=True) for i in range(channels)
    ]
    rows = [np.array(ref, dtype=np.int64)[None, :]]
    rows += [d for _, _, d in iter_delta_blocks(payload, channels, resolution_bits)]
    return np.cumsum(np.concatenate(rows, axis=0), axis=0)


def encode_delta_payload(raw: np.ndarray, max_block: int = 255) -> bytes:
    """Delta-compressed payload for (n, 3) int16 samples: reference + blocks of <= ``max_block`` samples."""
    raw = np.asarray(raw, dtype=np.int64)
    out = bytearray(struct.pack("<3h", *(int(v) for v in raw[0])))
    deltas = np.diff(raw, axis=0)
    for start in range(0, len(deltas), max_block):
        block = deltas[start:start + max_block]
        w = bit_width_for(block)
        out += bytes([w, len(block)]) + pack_signed_bits(block, w)
    return bytes(out)


def delta_payload_size(raw: np.ndarray, max_block: int = 255) -> int:
    """Byte size :func:`encode_delta_payload` would produce (cheap, for packing frames)."""
    deltas = np.diff(np.asarray(raw, dtype=np.int64), axis=0)
    size = 6
    for start in range(0, len(deltas), max_block):
        block = deltas[start:start + max_block]
        size += 2 + (bit_width_for(block) * block.size + 7) // 8
    return size


def parse_pmd_settings(params: bytes) -> dict[str, list[float]]:
    """Settings TLV list (GET reply / START request parameters) -> {name: [values]}.

    FACTOR values are returned as float32; the others as integers.
    """
    out: dict[str, list[float]] = {}
    pos = 0
    while pos < len(params):
        if pos + 2 > len(params):
            raise ValueError("settings TLV header cut off")
        typ, count = params[pos], params[pos + 1]
        pos += 2
        if typ not in SETTING_TYPES:
            raise ValueError(f"unknown PMD setting type {typ}")
        name, size = SETTING_TYPES[typ]
        if pos + size * count > len(params):
            raise ValueError(f"PMD setting {name} cut off")
        vals: list[float] = []
        for _ in range(count):
            chunk = params[pos:pos + size]
            if name == "FACTOR":
                vals.append(struct.unpack("<f", chunk)[0])
            elif name != "SECURITY":
                vals.append(int.from_bytes(chunk, "little"))
            pos += size
        out[name] = vals
    return out


def build_pmd_settings(**values: float) -> bytes:
    """TLV bytes for single-valued settings, e.g. ``SAMPLE_RATE=52, RESOLUTION=16``."""
    by_name = {name: (typ, size) for typ, (name, size) in SETTING_TYPES.items()}
    out = bytearray()
    for name, val in values.items():
        typ, size = by_name[name]
        out += bytes([typ, 1])
        out += struct.pack("<f", val) if name == "FACTOR" else int(val).to_bytes(size, "little")
    return bytes(out)


def pmd_start_command(
    sample_rate_hz: int, range_g: int, resolution_bits: int = 16, channels: int | None = None
) -> bytes:
    """REQUEST_MEASUREMENT_START for ACC (``02 02`` + settings TLVs, section 1.4)."""
    settings: dict[str, float] = {"SAMPLE_RATE": sample_rate_hz, "RESOLUTION": resolution_bits, "RANGE": range_g}
    if channels is not None:
        settings["CHANNELS"] = channels
    return bytes([0x02, ACC]) + build_pmd_settings(**settings)


def parse_cp_response(payload: bytes) -> dict[str, Any] | None:
    """Fields of a PMD control-point notification, or None if it is not one.

    ``{"kind": "response", "op_code", "op_name", "measurement_type", "status", "status_name",
    "more", "parameters"}``, ``{"kind": "stopped", "measurement_types": [...]}`` or
    ``{"kind": "features", "features": bytes}``.
    """
    if not payload:
        return None
    if payload[0] == 0xF0:
        if len(payload) < 4:
            raise ValueError("control point response shorter than 4 bytes")
        status = payload[3]
        return {
            "kind": "response",
            "op_code": payload[1],
            "op_name": CP_OPS.get(payload[1], f"op {payload[1]}"),
            "measurement_type": payload[2],
            "status": status,
            "status_name": CP_STATUS.get(status, f"status {status}"),
            "more": len(payload) > 4 and payload[4] != 0,
            "parameters": payload[5:],
        }
    if payload[0] == 0x01:
        return {"kind": "stopped", "measurement_types": list(payload[1:])}
    if payload[0] == 0x0F:
        return {"kind": "features", "features": payload[1:]}
    return None


def sdk_offsets_ns(prev_ns: int, span_ns: int, n: int) -> np.ndarray:
    """``round(prev + span/n * (i+1)) - prev`` for i < n, exactly (integer maths, half to even).

    The SDK's rule (PmdTimeStampUtils, Kotlin ``round`` = half-to-even on the absolute
    time); floats cannot hold ns at 6e17, so the tie is decided on ``prev + q``.
    """
    q, r = np.divmod(np.int64(span_ns) * np.arange(1, n + 1, dtype=np.int64), np.int64(n))
    up = (2 * r > n) | ((2 * r == n) & ((prev_ns + q) % 2 == 1))
    return (q + up).astype(np.float64)


# --------------------------------------------------------------------------- decoder
@register("polar-pmd")
class PolarPmdDecoder(Decoder):
    """Stateful PMD ACC decoder; see the module docstring for the time rules."""

    RATE_OPTIONAL = True  # 0 = unknown: the SDK's span/N rule only

    SETTINGS = {
        "factor": 1.0,  # from the START reply's FACTOR TLV (G/LSB for 0x80)
        "resolution_bits": 16,
        "channels": 3,
        "previous_timestamp_ns": 0,  # 0 = unknown (the SDK's convention)
        "loss_tolerance": 0.25,  # fraction of a frame's N a span may exceed before it counts as loss
        "max_gap_s": 600.0,  # a forward jump larger than this is a clock change, not loss
        "frame_type": 0x81,  # encoder only
        "epoch_ns": H10_RESET_NS,  # encoder only: device clock at t = 0
    }

    def reset(self) -> None:
        prev = int(self.settings.get("previous_timestamp_ns", 0))
        self._prev_ts: int | None = prev if prev > 0 else None
        rate = float(self.settings["sample_rate_hz"])
        self._period_ns: float | None = 1e9 / rate if rate > 0 else None
        self._pending_params = b""

    def _decode(self, payload: bytes) -> Samples:
        if len(payload) < 10:
            raise self._fail(f"PMD frame of {len(payload)} bytes is shorter than its 10-byte header", payload)
        if payload[0] & 0x3F != ACC:
            self.info["ignored_measurement_type"] = payload[0] & 0x3F
            return Samples.empty()
        ts = int.from_bytes(payload[1:9], "little")
        ftype = payload[9]
        body = payload[10:]
        factor = float(self.settings["factor"])
        if ftype in RAW_BYTES:
            size = RAW_BYTES[ftype]
            if not body or len(body) % (3 * size):
                raise self._fail(f"raw frame type {ftype:#04x} payload of {len(body)} bytes is not whole samples", payload)
            raw = np.array(
                [int.from_bytes(body[i:i + size], "little", signed=True) for i in range(0, len(body), size)]
                if size == 3
                else np.frombuffer(body, dtype="<i1" if size == 1 else "<i2"),
                dtype=np.float64,
            ).reshape(-1, 3)
            mg = raw  # the SDK never applies the factor to raw frames
        elif ftype in DELTA_TYPES:
            raw = decode_delta_payload(
                body, int(self.settings["channels"]), int(self.settings["resolution_bits"])
            ).astype(np.float64)[:, :3]
            if ftype == 0x80:
                mg = raw * factor * 1000.0
            else:
                mg = raw if factor == 1.0 else raw * factor
        else:
            raise self._fail(f"unknown ACC frame type {ftype:#04x}", payload)
        n = len(mg)
        t_ns, lost, disc = self._times(ts, n)
        return Samples(t_ns / 1e9, mg / 1000.0, lost, disc)

    def _times(self, ts: int, n: int) -> tuple[np.ndarray, int, bool]:
        """Per-sample device times (ns since 2000, float64), samples lost before, discontinuity."""
        prev, period = self._prev_ts, self._period_ns
        i = np.arange(n, dtype=np.float64)
        lost = 0
        disc = False
        if prev is not None and (ts <= prev or (ts - prev) > float(self.settings["max_gap_s"]) * 1e9):
            prev, disc = None, True  # clock reset or changed: start a new epoch
        if prev is not None:
            span = ts - prev
            extra = span / period - n if period else 0.0
            if period and extra > max(0.5, float(self.settings["loss_tolerance"]) * n):
                lost = int(round(extra))
                t = ts - np.round(period * (n - 1 - i))
            else:
                dt = span / n
                t = prev + sdk_offsets_ns(prev, span, n)
                if period:
                    self._period_ns = 0.9 * period + 0.1 * dt
                else:
                    self._period_ns = None  # rate unknown: keep the SDK rule
        elif period:
            t = ts - np.round(period * (n - 1 - i))
        else:
            t = np.full(n, np.nan)
            t[-1] = ts
        self._prev_ts = ts
        return t, lost, disc

    def _control(self, payload: bytes) -> ControlResponse | None:
        r = parse_cp_response(payload)
        if r is None:
            return None
        if r["kind"] == "stopped":
            stopped = ACC in r["measurement_types"]
            return ControlResponse(True, f"the device stopped measurement types {r['measurement_types']}", stream_stopped=stopped)
        if r["kind"] == "features":
            self.info["features"] = r["features"].hex()
            return ControlResponse(True, f"PMD features {r['features'].hex()}")
        params = self._pending_params + r["parameters"]
        if r["more"]:
            self._pending_params = params
            return None
        self._pending_params = b""
        status = r["status"]
        msg = f"{r['op_name']} for measurement type {r['measurement_type']}: {r['status_name']}"
        settings: dict[str, Any] = {}
        if status == 0 and r["op_code"] in (1, 2, 4) and params:
            try:
                parsed = parse_pmd_settings(params)
            except ValueError as exc:  # the status decides success; odd parameters are only noted
                parsed = {}
                self.info["unreadable_parameters"] = f"{params.hex()} ({exc})"
            if r["op_code"] == 2 and parsed.get("FACTOR"):
                settings["factor"] = float(parsed["FACTOR"][0])
            else:
                self.info["available_settings"] = parsed
        if r["op_code"] in (2, 3) and status == 0:
            self._prev_ts = None  # a new stream starts a new timestamp chain (SDK resets on STOP)
        return ControlResponse(status == 0, msg, settings, restart=(r["op_code"] == 2 and status == 6))
