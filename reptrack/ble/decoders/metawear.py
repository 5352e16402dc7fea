"""MbientLab MetaWear / MetaMotion accelerometer notifications (PROTOCOLS.md section 2).

Every notification is ``[module, register, payload...]``.  Accelerometer module 0x03:

* register 0x04 (normal data): ``03 04`` + int16 x, y, z -- one sample, 8 bytes;
* register 0x1C (BMI160 packed) or 0x05 (BMI270 packed): ``03 1C|05`` + 3 x (x, y, z
  int16) -- three consecutive samples, oldest first, 20 bytes;
* ``03 80 impl rev`` answers the module-info read ``03 80`` (impl 1 = BMI160,
  4 = BMI270) and is recorded in ``decoder.info["chip"]``.

Scale: LSB per g = 32768 / range_g (16384 / 8192 / 4096 / 2048 for +-2/4/8/16 G).
No timestamp or counter: times are NaN (host time at the reader); notifications
from other modules are ignored.
"""

from __future__ import annotations

import numpy as np

from . import ControlResponse, Decoder, Samples, nan_times, register

MODULE_ACC = 0x03
REG_DATA = 0x04
REG_PACKED = {0x1C: "BMI160", 0x05: "BMI270"}
CHIPS = {1: "BMI160", 4: "BMI270"}
#: BMI160/BMI270 range codes for the config command (section 2.3).
BMI160_RANGE = {2: 0x03, 4: 0x05, 8: 0x08, 16: 0x0C}
BMI270_RANGE = {2: 0, 4: 1, 8: 2, 16: 3}
#: ODR code = index + 1 in the SDK's enum (0.78125 Hz -> 1 ... 1600 Hz -> 0x0C).
ODR_HZ = (0.78125, 1.5625, 3.125, 6.25, 12.5, 25.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0)


def lsb_per_g(range_g: float) -> float:
    """Bosch accelerometer counts per g at full scale +-``range_g``."""
    return 32768.0 / float(range_g)


def config_command(chip: str, rate_hz: float, range_g: int) -> bytes:
    """``03 03 <conf> <range>`` for a BMI160 or BMI270 (section 2.3, SDK test bytes)."""
    odr = ODR_HZ.index(float(rate_hz)) + 1
    if chip == "BMI160":
        conf = odr | (0x20 if rate_hz >= 12.5 else 0x80)
        return bytes([0x03, 0x03, conf, BMI160_RANGE[int(range_g)]])
    conf = odr | 0x20 | (0x80 if rate_hz >= 12.5 else 0)
    return bytes([0x03, 0x03, conf, BMI270_RANGE[int(range_g)]])


def conn_params_command(min_interval_ms: float, max_interval_ms: float, latency: int, timeout_ms: float) -> bytes:
    """Settings command ``11 09`` + u16 min/max interval (1.25 ms units), latency, timeout (10 ms units).

    Section 2.6: a short connection interval (7.5 ms = 6 units) lets 100 Hz unpacked data through.
    """
    vals = (round(min_interval_ms / 1.25), round(max_interval_ms / 1.25), int(latency), round(timeout_ms / 10))
    return bytes([0x11, 0x09]) + b"".join(int(v).to_bytes(2, "little") for v in vals)


@register("metawear")
class MetaWearDecoder(Decoder):
    """Normal and packed accelerometer data of BMI160 and BMI270 boards."""

    SETTINGS = {"packed": True, "chip": "BMI160"}  # encoder: which register/chip to emit

    def _decode(self, payload: bytes) -> Samples:
        if len(payload) < 2:
            raise self._fail("notification shorter than its 2-byte module/register header", payload)
        module, reg = payload[0], payload[1]
        if module != MODULE_ACC:
            return Samples.empty()  # another module's notification
        if reg == 0x80:
            self.control(payload)
            return Samples.empty()
        if reg == REG_DATA:
            n = 1
        elif reg in REG_PACKED:
            n = 3
        else:
            return Samples.empty()
        if len(payload) != 2 + 6 * n:
            raise self._fail(f"accelerometer notification of {len(payload)} bytes, expected {2 + 6 * n}", payload)
        raw = np.frombuffer(payload, dtype="<i2", offset=2).reshape(n, 3).astype(np.float64)
        return Samples(nan_times(n), raw / lsb_per_g(self.settings["range_g"]))

    def _control(self, payload: bytes) -> ControlResponse | None:
        if len(payload) >= 3 and payload[0] == MODULE_ACC and payload[1] == 0x80:
            chip = CHIPS.get(payload[2], f"implementation {payload[2]}")
            self.info["chip"] = chip
            msg = f"accelerometer is a {chip}"
            ok = True
            if chip in ("BMI160", "BMI270") and chip != self.settings["chip"]:
                ok = False
                other = "metamotion-s" if chip == "BMI270" else "metamotion"
                msg += f", but this profile's start commands are for a {self.settings['chip']}: use --profile {other}"
            return ControlResponse(ok, msg)
        return None
