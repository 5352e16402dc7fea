"""MbientLab MetaMotion sensors, exported by the MetaBase app.

Format (one file per sensor)::

    epoch (ms),time (01:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)
    1547222033950,2019-01-11T16:53:53.950,0.000,-0.066,0.935,0.027

``epoch (ms)`` is Unix milliseconds (UTC), ``time`` the same instant in the
phone's local time (offset in the header), ``elapsed`` seconds since the
first row.  Files are named
``<label>_MetaWear_<local time>_<MAC>_<Sensor>_<ODR>Hz_<app version>.csv``;
the accelerometer (g) and gyroscope (deg/s) of one recording sit side by side
and are read together.  At high rates several rows share one epoch value
(one stamp per BLE packet): the per-sample times are then rebuilt from the
nominal output data rate (ODR) in the file name
(:func:`reptrack.io.tabular.spread_repeated_times`).
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import InputError
from ..model import Recording
from .tabular import (
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

#: ``<prefix>_<Sensor>_<ODR>Hz_<version>.csv``
NAME_RE = re.compile(r"^(?P<prefix>.+)_(?P<sensor>[A-Za-z]+)_(?P<odr>\d+(?:\.\d+)?)Hz_(?P<ver>[^_]*)\.csv$", re.I)

GRAVITY_HINT = (
    " (in MetaBase, the Accelerometer sensor's file; LinearAcceleration from sensor fusion has gravity removed)"
)
#: Metadata of every recording read by this module.
META = {"sensor": "metamotion", "format": "metabase"}


def sniff(table: Table) -> bool:
    """True for a MetaBase header (``epoch (ms)`` and ``x-axis (...)`` columns, any order)."""
    return table.find("epoch (ms)", prefix=True) is not None and table.find("x-axis", prefix=True) is not None


def _columns(table: Table) -> dict[str, int]:
    cols = {"epoch": table.find("epoch (ms)", prefix=True) or 0}
    for ax in "xyz":
        i = table.find(f"{ax}-axis", prefix=True)
        if i is None:
            raise InputError(
                f"the MetaBase header has no {ax}-axis column; found {', '.join(table.names)}",
                None,
                table.header_line,
            )
        cols[ax] = i
    return cols


def _odr(filename: str) -> float | None:
    m = NAME_RE.match(filename)
    if not m:
        return None
    f = float(m.group("odr"))
    return f if f > 0 else None


def _read_xyz(src: Source, table: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(epoch ms as int/float, xyz (N, 3) in file units, lines, warnings)."""
    cols = _columns_or_raise(src, table)
    c, lines, warnings = read_columns(src, table, cols)
    xyz = np.column_stack([c["x"], c["y"], c["z"]]).astype(np.float64)
    return c["epoch"], xyz, lines, warnings


def _times_ms(epoch: np.ndarray, odr: float | None, warnings: list[str]) -> tuple[np.ndarray, float]:
    """Seconds since the first row and the first row's Unix seconds;
    packet-stamped runs are spread at the nominal rate."""
    t, origin = relative_time(epoch, 1e-3)
    t = retime_packet_stamps(t, odr, warnings)
    return t, origin


def _sibling_name(filename: str, sensor: str) -> str | None:
    """Name pattern prefix of the other sensor's file of the same recording."""
    m = NAME_RE.match(filename)
    return f"{m.group('prefix')}_{sensor}_" if m else None


def _find_sibling(src: Source, sensor: str) -> Source | None:
    pre = _sibling_name(src.filename, sensor)
    if not pre:
        return None
    for n in src.sibling_names():
        if n.startswith(pre) and n.lower().endswith(".csv") and NAME_RE.match(n):
            return src.sibling(n)
    return None


def read(src: Source, table: Table) -> Recording:
    """Read a MetaBase accelerometer file (and its gyroscope file next to it)."""
    cols = _columns_or_raise(src, table)
    unit = unit_in(table.names[cols["x"]])
    if unit in ("deg/s", "dps"):
        acc_src = _find_sibling(src, "Accelerometer")
        if acc_src is None:
            raise NotARecording(
                "this is a MetaBase gyroscope file; reptrack needs the accelerometer file recorded with it "
                "(..._Accelerometer_<ODR>Hz_...csv) -- the gyroscope is read from next to it",
                src.name,
            )
        acc_table = sniff_table(acc_src)
        if not sniff(acc_table):
            raise InputError("the accelerometer file next to this gyroscope file is not a MetaBase export", acc_src.name)
        rec = read(acc_src, acc_table)
        rec.warnings.append(f"read the accelerometer file {acc_src.filename} recorded with this gyroscope file")
        return rec
    if unit != "g":
        raise NotARecording(
            f"this MetaBase file holds {unit or 'unknown'} data, not acceleration in g; "
            "give the ..._Accelerometer_<ODR>Hz_...csv export",
            src.name,
            table.header_line,
        )
    epoch, acc, lines, warnings = _read_xyz(src, table)
    odr = _odr(src.filename)
    t, origin = _times_ms(epoch, odr, warnings)
    return finish(
        src, t, acc, lines, origin_unix_s=origin, companion=(_find_sibling(src, "Gyroscope"), _read_gyro),
        meta=dict(META), nominal_rate_hz=odr, warnings=warnings, gravity_hint=GRAVITY_HINT,
    )


def _read_gyro(gsrc: Source) -> tuple[np.ndarray, np.ndarray, float]:
    gt = sniff_table(gsrc)
    if not sniff(gt) or unit_in(gt.names[_columns_or_raise(gsrc, gt)["x"]]) not in ("deg/s", "dps"):
        raise InputError("not a MetaBase gyroscope file in deg/s", gsrc.name)
    gepoch, gyro, _, _ = _read_xyz(gsrc, gt)
    g_rel, g_origin = _times_ms(gepoch, _odr(gsrc.filename), [])
    return g_rel, gyro, g_origin


def _columns_or_raise(src: Source, table: Table) -> dict[str, int]:
    try:
        return _columns(table)
    except InputError as exc:
        raise InputError(exc.message, src.name, exc.line) from None
