"""Sensor Logger (Kelvin Choi; Android and iOS), CSV export.

Every sensor is one file with the same header (note the z, y, x order)::

    time,seconds_elapsed,z,y,x
    1760565906248623000,0.103623046875,1.369,0.529,2.553

``time`` is Unix nanoseconds, values m/s^2.  ``TotalAcceleration.csv``
keeps gravity and is what reptrack reads; ``Accelerometer.csv`` has gravity
removed and is refused with a sentence pointing to ``TotalAcceleration.csv``
(the decision is made from the data -- median |a| -- not the name).  A
``Gyroscope.csv`` (rad/s) next to it, on disk or in the zipped export, is
read with it.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..model import Recording
from .tabular import G0, NotARecording, Source, Table, finish, read_columns, relative_time
from .tabular import sniff as sniff_table

GRAVITY_HINT = " (in Sensor Logger: TotalAcceleration.csv; Accelerometer.csv has gravity removed)"
_COLS = ("time", "seconds_elapsed", "x", "y", "z")
#: Sensor Logger files with this header that are not acceleration.
_NOT_ACC = ("gyroscope", "magnetometer", "orientation")
#: Metadata of every recording read by this module.
META = {"sensor": "phone", "format": "sensor-logger"}


def sniff(table: Table) -> bool:
    """True for a Sensor Logger ``time,seconds_elapsed,z,y,x`` header."""
    low = table.lower
    return all(c in low for c in _COLS)


def _read(src: Source, table: Table, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, list[str]]:
    low = table.lower
    c, lines, warnings = read_columns(src, table, {k: low.index(k) for k in ("time", "x", "y", "z")})
    t, origin = relative_time(c["time"], 1e-9)
    v = np.column_stack([c["x"], c["y"], c["z"]]).astype(np.float64) * scale
    return t, v, lines, origin, warnings


def _read_gyro(gsrc: Source) -> tuple[np.ndarray, np.ndarray, float]:
    gt = sniff_table(gsrc)
    if not sniff(gt):
        raise InputError("not a Sensor Logger file", gsrc.name)
    t, g, _, origin, _ = _read(gsrc, gt, np.degrees(1.0))
    return t, g, origin


def read(src: Source, table: Table) -> Recording:
    """Read a Sensor Logger ``TotalAcceleration.csv`` (+ ``Gyroscope.csv``)."""
    stem = src.filename.lower().rsplit(".", 1)[0]
    if any(stem.startswith(k) for k in _NOT_ACC):
        raise NotARecording(
            f"this is Sensor Logger's {src.filename}, not acceleration; give TotalAcceleration.csv "
            "(a Gyroscope.csv next to it is read with it)",
            src.name,
        )
    t, acc, lines, origin, warnings = _read(src, table, 1.0 / G0)
    return finish(
        src, t, acc, lines, origin_unix_s=origin, companion=(src.sibling("Gyroscope.csv"), _read_gyro),
        meta=dict(META), warnings=warnings, gravity_hint=GRAVITY_HINT,
    )
