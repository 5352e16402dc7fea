"""phyphox (RWTH Aachen) smartphone app, CSV export.

Headers we read (any of phyphox's CSV flavours: comma, semicolon or tab,
decimal point or comma)::

    "Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"[,"Absolute acceleration (m/s^2)"]
    "Time (s)","X (m/s^2)","Y (m/s^2)","Z (m/s^2)"          (simple "Accelerometer" experiment)

``Time`` is seconds since the experiment started; acceleration m/s^2 with
gravity.  The "Acceleration without g" experiment (``Linear Acceleration x``)
has gravity removed and is refused with a sentence naming the export to use.
The zipped export (``Raw Data.csv`` + ``meta/time.csv``) is read directly
(:mod:`reptrack.io.zipped`); its ``meta/time.csv`` gives the absolute start.
"""

from __future__ import annotations

import io

import numpy as np

from ..model import Recording
from .tabular import G0, NotARecording, Source, Table, finish, read_columns, relative_time
from .validate import GRAVITY_SENTENCE, NoGravityError, median_magnitude

GRAVITY_HINT = ' (in phyphox: the "Acceleration with g" experiment, not "Acceleration without g")'

_WITH_G = ("acceleration x (m/s^2)", "acceleration y (m/s^2)", "acceleration z (m/s^2)")
_SIMPLE = ("x (m/s^2)", "y (m/s^2)", "z (m/s^2)")
_LINEAR = ("linear acceleration x (m/s^2)", "linear acceleration y (m/s^2)", "linear acceleration z (m/s^2)")


def sniff(table: Table) -> bool:
    """True for a phyphox acceleration header (``Time (s)`` and x/y/z in m/s^2, any order)."""
    low = table.lower
    if "time (s)" not in low:
        return False
    return any(all(c in low for c in group) for group in (_WITH_G, _SIMPLE, _LINEAR)) or any(
        n.startswith("gyroscope") for n in low
    )


def read(src: Source, table: Table) -> Recording:
    """Read a phyphox acceleration export (refusing gravity-free ones)."""
    low = table.lower
    if any(n.startswith("gyroscope") for n in low):
        raise NotARecording(
            'this is a phyphox gyroscope export; record the "Acceleration with g" experiment instead',
            src.name,
            table.header_line,
        )
    linear = all(c in low for c in _LINEAR)
    group = _LINEAR if linear else _WITH_G if all(c in low for c in _WITH_G) else _SIMPLE
    cols = {"t": low.index("time (s)"), "x": low.index(group[0]), "y": low.index(group[1]), "z": low.index(group[2])}
    c, lines, warnings = read_columns(src, table, cols)
    acc = np.column_stack([c["x"], c["y"], c["z"]]).astype(np.float64) / G0
    if linear:
        raise NoGravityError(GRAVITY_SENTENCE.format(med=median_magnitude(acc), hint=GRAVITY_HINT), src.name)
    t, _ = relative_time(c["t"], 1.0)
    return finish(
        src,
        t,
        acc,
        lines,
        origin_unix_s=_start_unix_s(src, float(c["t"][0]) if len(c["t"]) else 0.0),
        meta={"sensor": "phone", "format": "phyphox"},
        warnings=warnings,
        gravity_hint=GRAVITY_HINT,
    )


def _start_unix_s(src: Source, first_experiment_s: float) -> float | None:
    """Unix time of the first row from ``meta/time.csv`` (zipped export).

    ``time.csv`` maps experiment time to system time at each START/PAUSE
    event: ``"event","experiment time","system time","system time text"``.
    The last START at or before the first sample anchors it.  Any problem
    with that file just leaves the start unknown.
    """
    meta = src.sibling("meta/time.csv")
    if meta is None:
        return None
    import pandas as pd  # (only here: the analyze path of other formats does not import pandas)

    try:
        df = pd.read_csv(io.BytesIO(meta.data), engine="c")
        df.columns = [str(c).strip().lower() for c in df.columns]
        starts = df[df["event"].astype(str).str.strip().str.upper() == "START"]
        exp = pd.to_numeric(starts["experiment time"], errors="coerce").to_numpy(dtype=float)
        sys_ = pd.to_numeric(starts["system time"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(exp) & np.isfinite(sys_) & (exp <= first_experiment_s + 1e-6)
        if not ok.any():
            return None
        j = int(np.flatnonzero(ok)[-1])
        return float(sys_[j] + (first_experiment_s - exp[j]))
    except Exception:  # metadata is optional: a damaged time.csv never blocks reading the data
        return None
