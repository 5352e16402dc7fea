"""WitMotion BWT901BLE-class packets (PROTOCOLS.md section 4).

The notify characteristic carries a byte stream of 20-byte packets, several per
notification or split across notifications, so the decoder keeps a buffer and
resynchronises on ``0x55`` followed by ``0x61`` (data) or ``0x71`` (register
reply), exactly like the vendor SDK.

``55 61`` + 9 x int16 LE: ax ay az (g = v / 32768 * 16), gx gy gz, roll pitch yaw.
No timestamp or counter: times are NaN; lost packets cannot be detected for sure.
Bytes that are not part of a packet are skipped; a notification holding any counts as one error.
A buffered partial packet followed by a notification that starts with a packet
header, where the partial's missing bytes would not end on a header, was cut
short: it is dropped (one error) so it does not swallow the next packet.
"""

from __future__ import annotations

import numpy as np

from . import Decoder, Samples, nan_times, register

PACKET = 20
HEADS = (b"\x55\x61", b"\x55\x71")
ACC_SCALE_G = 16.0 / 32768.0


@register("witmotion")
class WitMotionDecoder(Decoder):
    """Buffered ``55 61`` packet stream."""

    def reset(self) -> None:
        self._buf = b""

    def _decode(self, payload: bytes) -> Samples:
        junk = 0
        if self._buf and payload[:2] in HEADS:
            # A packet starts this notification.  Does the buffered partial packet continue
            # here (then a header follows its missing bytes), or was it cut short?
            need = PACKET - len(self._buf)
            continues = len(payload) <= need or payload[need:need + 2] in HEADS or payload[need:] == b"\x55"
            if not continues:
                self._buf, junk = b"", 1  # drop the truncated packet, keep this one
        buf = self._buf + payload
        rows: list[np.ndarray] = []
        pos = 0
        while len(buf) - pos >= 2:
            head = buf[pos:pos + 2]
            if head not in HEADS:
                nxt = buf.find(b"\x55", pos + 1)
                junk += 1
                pos = nxt if nxt >= 0 else len(buf)
                continue
            if len(buf) - pos < PACKET:
                break
            if head == HEADS[0]:
                rows.append(np.frombuffer(buf, dtype="<i2", count=3, offset=pos + 2))
            pos += PACKET
        rest = buf[pos:]
        if rest == b"" or rest[:1] == b"\x55":
            self._buf = rest
        else:
            self._buf, junk = b"", junk + 1
        if not rows and junk:
            raise self._fail("no packet start (55 61) found", payload)  # feed() counts it
        if junk:
            self.errors += 1  # one damaged notification, good packets kept
        if not rows:
            return Samples.empty()
        acc = np.array(rows, dtype=np.float64) * ACC_SCALE_G
        return Samples(nan_times(len(acc)), acc)
