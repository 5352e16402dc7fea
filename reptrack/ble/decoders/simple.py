"""Fixed-layout, one-sample-per-notification formats without a device clock.

* ``microbit`` -- BBC micro:bit accelerometer service data characteristic
  (PROTOCOLS.md section 5): 6 bytes, int16 LE x, y, z in milli-g.
* ``thingy52-raw`` -- Nordic Thingy:52 motion raw data (section 6): 18 bytes,
  accelerometer int16 x3 in Q6.10 g (v / 1024), then gyro (Q11.5) and compass
  (Q12.4), which reptrack ignores.

Neither carries a timestamp or counter: times are NaN and the reader uses host
arrival time; lost notifications cannot be detected for certain.
"""

from __future__ import annotations

import numpy as np

from . import Decoder, Samples, nan_times, register


class _FixedDecoder(Decoder):
    """One notification of exactly ``SIZE`` bytes whose first 6 are int16 x, y, z."""

    SIZE = 6
    LSB_PER_G = 1000.0

    def _decode(self, payload: bytes) -> Samples:
        if len(payload) != self.SIZE:
            raise self._fail(f"notification of {len(payload)} bytes, expected {self.SIZE}", payload)
        raw = np.frombuffer(payload, dtype="<i2", count=3).astype(np.float64)
        return Samples(nan_times(1), (raw / self.LSB_PER_G)[None, :])


@register("microbit")
class MicrobitDecoder(_FixedDecoder):
    SIZE = 6
    LSB_PER_G = 1000.0  # milli-g (MicroBitAccelerometer getX/Y/Z)


@register("thingy52-raw")
class Thingy52RawDecoder(_FixedDecoder):
    SIZE = 18
    LSB_PER_G = 1024.0  # Q6.10 (ble_tms.h RAW_Q_FORMAT_ACC_COMMA)
