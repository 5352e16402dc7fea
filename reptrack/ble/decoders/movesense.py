"""Movesense GATT SensorData Protocol (GSP) accelerometer data (PROTOCOLS.md section 3).

Notifications on ``34800002``: ``[type u8, ref u8, ...]``

* type 1 COMMAND_RESULT: ``01 ref status`` (2-byte HTTP-like status; the device sample
  writes it big-endian, some clients read little-endian: both are accepted);
* type 2 DATA: ``02 ref`` + uint32 LE timestamp (ms, sensor clock, of the FIRST
  sample [? PROTOCOLS.md]) + N x float32 LE x, y, z in m/s^2;
* type 3 DATA_PART2: continuation of the previous DATA that did not fit one
  notification: its bytes after ``03 ref`` are appended to part 1.  Only a
  notification of at least the profile's ``packet_bytes`` (a full MTU) may end
  in a partial sample; a shorter one that does is truncated (DecodeError).

Sample i of a packet is at ``ts/1000 + i/sample_rate_hz``; converted to g with
``/ 9.80665`` (standard gravity).  Lost packets are found from the timestamps:
the next packet should start ``N/rate`` after the previous one.
"""

from __future__ import annotations

import numpy as np

from . import ControlResponse, Decoder, MsClock, Samples, register

STANDARD_GRAVITY = 9.80665
CMD_RESULT, DATA, DATA_PART2 = 1, 2, 3


def parse_status(b: bytes) -> int:
    """GSP result status from 2 bytes: big-endian if that is an HTTP code, else little-endian."""
    be = int.from_bytes(b[:2], "big")
    return be if 100 <= be <= 599 else int.from_bytes(b[:2], "little")


@register("movesense-gsp")
class MovesenseDecoder(Decoder):
    """GSP ``/Meas/Acc/<rate>`` subscription data."""

    SETTINGS = {"ref": 99}  # the subscription reference our start command uses (0x63)

    def reset(self) -> None:
        self._clock = MsClock()
        self._pending = b""  # bytes of an incomplete sample awaiting DATA_PART2
        self._pending_ts: int | None = None
        self._pending_index = 0

    def _decode(self, payload: bytes) -> Samples:
        if len(payload) < 2:
            raise self._fail("notification shorter than its 2-byte type/reference header", payload)
        kind = payload[0]
        if kind == CMD_RESULT:
            self.control(payload)
            return Samples.empty()
        if kind == DATA:
            if len(payload) < 6:
                raise self._fail("DATA notification without its 4-byte timestamp", payload)
            ts = int.from_bytes(payload[2:6], "little")
            body, first = payload[6:], 0
            self._pending_ts = ts
        elif kind == DATA_PART2:
            if self._pending_ts is None:
                raise self._fail("DATA_PART2 without a preceding DATA", payload)
            ts, first = self._pending_ts, self._pending_index
            body = self._pending + payload[2:]
        else:
            raise self._fail(f"unknown GSP notification type {kind}", payload)
        n = len(body) // 12
        if len(body) % 12 and len(payload) < self.profile.packet_bytes:
            # only a notification that filled the MTU can be continued by DATA_PART2
            self._pending_ts = None
            raise self._fail(f"DATA body of {len(body)} bytes is not whole x,y,z float32 samples", payload)
        self._pending = body[12 * n:]
        self._pending_index = first + n
        if n == 0:
            if kind == DATA and not self._pending:
                raise self._fail("DATA notification without samples", payload)
            return Samples.empty()
        ms2 = np.frombuffer(body, dtype="<f4", count=3 * n).reshape(n, 3).astype(np.float64)
        if not np.isfinite(ms2).all():
            raise self._fail("non-finite float in DATA", payload)
        rate = self.rate_hz
        t_ms = ts + (first + np.arange(n)) * (1000.0 / rate)
        lost, disc = (0, False)
        if first == 0:
            lost, disc = self._clock.check(ts, rate)
        self._clock.advance(float(t_ms[-1]), rate)
        return Samples(t_ms / 1000.0, ms2 / STANDARD_GRAVITY, lost, disc)

    def _control(self, payload: bytes) -> ControlResponse | None:
        if len(payload) >= 2 and payload[0] == CMD_RESULT:
            rest = payload[2:]
            if rest[:5] == b"Hello":
                return ControlResponse(True, "GSP hello")
            if len(rest) < 2:
                return ControlResponse(False, "GSP command result without a status")
            status = parse_status(rest)
            return ControlResponse(200 <= status < 300, f"GSP command {payload[1]} answered status {status}")
        return None
