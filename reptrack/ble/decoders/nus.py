"""Nordic UART Service formats for DIY boards (defined by reptrack; docs/sensors.md).

NUS has no standard payload (PROTOCOLS.md section 7), so reptrack defines two.

``nus-binary`` -- one frame per notification, all integers little-endian::

    byte 0      0xA5                      magic
    byte 1      seq     u8                packet counter, +1 per frame, wraps 255 -> 0
    byte 2      n       u8                samples in this frame (>= 1)
    bytes 3..6  t0_ms   u32               board clock (millis()) of the frame's FIRST sample
    then n x    x, y, z int16             acceleration in mg
    last byte   crc8                      CRC-8 (poly 0x07, init 0x00) of all bytes before it

Frame size 8 + 6 n (n = 2 fits the default 20-byte notification).  Sample i is
at ``t0_ms/1000 + i/sample_rate_hz``.  Lost frames are found from ``t0_ms``
(and ``seq`` as a cross-check), so gap detection is guaranteed.

``nus-text`` -- newline-terminated ASCII lines, split across notifications at
will::

    t_ms,x_mg,y_mg,z_mg*HH\\n

``t_ms`` is the board clock of the sample (integer ms), ``x_mg..z_mg`` integers
or decimals in mg, and ``*HH`` is the CRC-8 (the same as the binary frame's) of
every byte before the ``*`` as two hex digits.  The checksum is required by default (setting
``checksum = "required"``) because a lost notification can cut a line into
something that still parses; ``"optional"`` verifies it only when present and
``"off"`` ignores it.  Lines starting with ``#`` and empty lines
are ignored; ``\\r`` is stripped.  A line that does not parse (or fails its
checksum) is counted as an error and skipped.
"""

from __future__ import annotations

import struct

import numpy as np

from ...errors import InputError
from . import Decoder, MsClock, Samples, register

MAGIC = 0xA5
HEADER = struct.Struct("<BBBI")
MAX_LINE = 128  # a text line longer than this is garbage (a real one is < 40 bytes)
#: Largest |value| (mg) a text line may carry: +-16 g, the widest full scale of
#: consumer IMUs; anything beyond is a corrupt line.
MAX_ABS_MG = 16000.0
_U32 = 1 << 32  # u32 millis() wraps after 49.7 days


def _crc8_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return table


_CRC8 = _crc8_table()


def crc8(data: bytes) -> int:
    """CRC-8/SMBUS (polynomial 0x07, init 0x00, no reflection, no final XOR)."""
    crc = 0
    for b in data:
        crc = _CRC8[crc ^ b]
    return crc


def encode_binary_frame(seq: int, t0_ms: int, mg: np.ndarray) -> bytes:
    """One ``nus-binary`` frame for (n, 3) int mg samples."""
    mg = np.asarray(mg, dtype="<i2").reshape(-1, 3)
    body = HEADER.pack(MAGIC, seq & 0xFF, len(mg), t0_ms % _U32) + mg.tobytes()
    return body + bytes([crc8(body)])


def encode_text_line(t_ms: int, mg: np.ndarray, checksum: bool = True) -> bytes:
    """One ``nus-text`` line (with the newline)."""
    x, y, z = (int(v) for v in mg)
    line = f"{int(t_ms) % _U32},{x},{y},{z}".encode("ascii")
    if checksum:
        line += b"*%02X" % crc8(line)
    return line + b"\n"


@register("nus-binary")
class NusBinaryDecoder(Decoder):
    """``nus-binary`` frames (module docstring)."""

    SETTINGS = {"checksum": True}

    def reset(self) -> None:
        self._clock = MsClock()
        self._seq: int | None = None

    def _decode(self, payload: bytes) -> Samples:
        if len(payload) < HEADER.size + 1:
            raise self._fail(f"frame of {len(payload)} bytes is shorter than the 8-byte minimum", payload)
        magic, seq, n, t0 = HEADER.unpack_from(payload)
        if magic != MAGIC:
            raise self._fail(f"frame starts with {magic:#04x}, not the magic 0xa5", payload)
        if n == 0 or len(payload) != HEADER.size + 6 * n + 1:
            raise self._fail(f"frame of {len(payload)} bytes does not hold the {n} samples it announces", payload)
        if self.settings["checksum"] and crc8(payload[:-1]) != payload[-1]:
            raise self._fail("CRC-8 mismatch", payload)
        mg = np.frombuffer(payload, dtype="<i2", count=3 * n, offset=HEADER.size).reshape(n, 3).astype(np.float64)
        rate = self.rate_hz
        lost, disc = self._clock.check(t0, rate)
        if not lost and not disc and self._seq is not None and (seq - self._seq) % 256 != 1:
            # counter says frames are missing although the clock does not (rate set too low?)
            self.info["seq_mismatch"] = self.info.get("seq_mismatch", 0) + 1
        self._seq = seq
        t_ms = t0 + np.arange(n) * (1000.0 / rate)
        self._clock.advance(float(t_ms[-1]), rate)
        return Samples(t_ms / 1000.0, mg / 1000.0, lost, disc)


@register("nus-text")
class NusTextDecoder(Decoder):
    """``nus-text`` lines (module docstring); the line buffer spans notifications."""

    #: "required": every line must end in a correct *HH (a cut line is always caught);
    #: "optional": verify *HH when present; "off": ignore it.
    SETTINGS = {"checksum": "required"}

    CHECKSUM_MODES = ("required", "optional", "off")

    def reset(self) -> None:
        if self.settings["checksum"] not in self.CHECKSUM_MODES:
            raise InputError(
                f"nus-text setting checksum={self.settings['checksum']!r} must be one of {', '.join(self.CHECKSUM_MODES)}"
            )
        self._buf = b""
        self._clock = MsClock()

    def _decode(self, payload: bytes) -> Samples:
        self._buf += payload
        *lines, self._buf = self._buf.split(b"\n")
        bad = 0
        if len(self._buf) > MAX_LINE:
            self._buf = b""
            bad += 1
        ts: list[int] = []
        vals: list[tuple[float, float, float]] = []
        for raw in lines:
            line = raw.strip(b"\r \t")
            if not line or line.startswith(b"#"):
                continue
            try:
                t, v = self._parse(line)
            except ValueError:
                bad += 1
                continue
            ts.append(t)
            vals.append(v)
        if not ts and bad:
            raise self._fail(f"{bad} unreadable line(s)", payload)  # feed() counts it
        if bad:
            self.errors += 1  # one damaged notification, good lines kept
        if not ts:
            return Samples.empty()
        rate = self.rate_hz
        lost, disc = self._clock.check(ts[0], rate)
        self._clock.advance(float(ts[-1]), rate)
        t = np.array(ts, dtype=np.float64) / 1000.0
        return Samples(t, np.array(vals, dtype=np.float64) / 1000.0, lost, disc)

    def _parse(self, line: bytes) -> tuple[int, tuple[float, float, float]]:
        mode = self.settings["checksum"]
        if b"*" in line:
            body, _, chk = line.partition(b"*")
            if mode != "off" and (len(chk) != 2 or int(chk, 16) != crc8(body)):
                raise ValueError("checksum mismatch")
        elif mode == "required":
            raise ValueError("line has no *HH checksum (send one, or use checksum=optional)")
        else:
            body = line
        parts = body.split(b",")
        if len(parts) != 4:
            raise ValueError("a line needs t_ms,x_mg,y_mg,z_mg")
        t = int(parts[0])
        if t < 0:
            raise ValueError("negative time")
        x, y, z = (float(p) for p in parts[1:])
        if not all(np.isfinite((x, y, z))):
            raise ValueError("non-finite value")
        # beyond any consumer accelerometer's full scale: a line spliced from
        # two (a lost notification) whose CRC-8 matched by chance (1 in 256)
        if max(abs(x), abs(y), abs(z)) > MAX_ABS_MG:
            raise ValueError("value beyond full scale")
        return t, (x, y, z)
