"""Polar Sensor Logger (Android app for Polar Verity Sense / H10 / OH1).

Accelerometer file ``*_ACC.txt``, semicolon separated::

    Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]
    2021-02-24T13:40:47.488;667408848018596000;-96;-1003;115

``sensor timestamp`` is nanoseconds since 2000-01-01T00:00:00 (Polar's
epoch), acceleration milli-g; in some locales the app writes decimal commas.
The phone timestamp (local time of arrival) is not used: every sample keeps
the sensor's own time.  A ``*_GYRO.txt`` (``X [dps]``) next to the ACC file
is read with it.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import InputError
from ..model import Recording
from .tabular import (
    Y2000_UNIX_S,
    NotARecording,
    Source,
    Table,
    finish,
    read_columns,
    relative_time,
    retime_packet_stamps,
    unit_in,
)
from .tabular import sniff as sniff_table

TIME_COL = "sensor timestamp [ns]"
ACC_UNITS = {"mg": 1e-3, "g": 1.0, "m/s^2": 1 / 9.80665, "m/s2": 1 / 9.80665}
GYRO_UNITS = {"dps": 1.0, "deg/s": 1.0}
NAME_RE = re.compile(r"^(?P<prefix>.*)_(?P<kind>[A-Za-z]+)\.txt$", re.I)
#: Metadata of every recording read by this module.
META = {"sensor": "polar", "format": "polar-sensor-logger"}


def sniff(table: Table) -> bool:
    """True for a Polar Sensor Logger header (a ``sensor timestamp [ns]`` column)."""
    return table.find(TIME_COL) is not None or (bool(table.lower) and table.lower[0] == "phone timestamp")


def _xyz(table: Table) -> dict[str, int] | None:
    out = {}
    for ax in "XYZ":
        i = table.find(f"{ax.lower()} [", prefix=True)
        if i is None:
            return None
        out[ax.lower()] = i
    return out


def _read(src: Source, table: Table, units: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, list[str]]:
    """(t s since first row, xyz scaled by ``units``, lines, origin Unix s, warnings)."""
    ti = table.find(TIME_COL)
    xyz = _xyz(table)
    if ti is None or xyz is None:
        raise InputError(
            f"the Polar Sensor Logger header lacks {TIME_COL!r} or X/Y/Z columns; found {', '.join(table.names)}",
            src.name,
            table.header_line,
        )
    unit = unit_in(table.names[xyz["x"]])
    scale = units[unit]
    c, lines, warnings = read_columns(src, table, {"t": ti, **xyz})
    t, origin = relative_time(c["t"], 1e-9)
    t = retime_packet_stamps(t, None, warnings)
    v = np.column_stack([c["x"], c["y"], c["z"]]).astype(np.float64) * scale
    return t, v, lines, origin + Y2000_UNIX_S, warnings


def _read_gyro(gsrc: Source) -> tuple[np.ndarray, np.ndarray, float]:
    gt = sniff_table(gsrc)
    gx = _xyz(gt)
    if not sniff(gt) or gx is None or unit_in(gt.names[gx["x"]]) not in GYRO_UNITS:
        raise InputError("not a Polar gyroscope file in deg/s", gsrc.name)
    g_rel, gyro, _, g_origin, _ = _read(gsrc, gt, GYRO_UNITS)
    return g_rel, gyro, g_origin


def read(src: Source, table: Table) -> Recording:
    """Read a Polar Sensor Logger ``*_ACC.txt`` (and ``*_GYRO.txt`` beside it)."""
    xyz = _xyz(table)
    unit = unit_in(table.names[xyz["x"]]) if xyz else ""
    m = NAME_RE.match(src.filename)
    if unit in GYRO_UNITS:
        acc_name = f"{m.group('prefix')}_ACC.txt" if m else None
        acc_src = src.sibling(acc_name) if acc_name else None
        if acc_src is None:
            raise NotARecording(
                "this is a Polar Sensor Logger gyroscope file; reptrack needs the accelerometer file "
                "(*_ACC.txt) recorded with it",
                src.name,
            )
        rec = read(acc_src, sniff_table(acc_src))
        rec.warnings.append(f"read the accelerometer file {acc_src.filename} recorded with this gyroscope file")
        return rec
    if unit not in ACC_UNITS:
        kind = m.group("kind").upper() if m else "non-accelerometer"
        raise NotARecording(
            f"this is a Polar Sensor Logger {kind} file, not acceleration; give the *_ACC.txt file of the recording",
            src.name,
            table.header_line,
        )
    t, acc, lines, origin, warnings = _read(src, table, ACC_UNITS)
    gsrc = src.sibling(f"{m.group('prefix')}_GYRO.txt") if m else None
    return finish(
        src, t, acc, lines, origin_unix_s=origin, companion=(gsrc, _read_gyro), meta=dict(META), warnings=warnings
    )
