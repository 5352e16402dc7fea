"""Any other CSV: the user names the columns and units.

``reptrack analyze FILE --columns t=COL,ax=COL,ay=COL,az=COL [--units g|mg|m/s2]
[--time-unit s|ms|us|ns]`` (optional ``gx=,gy=,gz=`` columns in deg/s).
``COL`` is a header name (case and surrounding blanks/quotes ignored) or a
1-based column number.  The separator (comma, semicolon, tab) and decimal
mark are detected from the file; leading ``#`` lines are skipped (``# key:
value`` lines are kept as metadata, as in the native format).  Defaults:
``t,ax,ay,az`` columns, g, seconds.  When the first time value is a plausible
Unix time (2000-2100) in the given unit it becomes ``start_utc``.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..model import Recording
from .validate import NoGravityError, median_magnitude
from .tabular import G0, EPOCH_RANGE_S, Source, Table, finish, meta_rate_hz, meta_start_utc, read_columns, relative_time

ACC_SCALE = {"g": 1.0, "mg": 1e-3, "m/s2": 1.0 / G0, "m/s^2": 1.0 / G0}
TIME_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
KEYS = ("t", "ax", "ay", "az", "gx", "gy", "gz")
REQUIRED = ("t", "ax", "ay", "az")
COLUMNS_HELP = "--columns t=COL,ax=COL,ay=COL,az=COL"


def _refuse_if_already_g(acc_raw: np.ndarray, units: str, name: str) -> None:
    """Raise a unit sentence when the columns (as written, ``acc_raw``) look
    like g although ``--units`` said milli-g or m/s^2 (read that way they
    would look like an export without gravity)."""
    med = median_magnitude(acc_raw)
    if 0.5 <= med <= 2.0:
        raise InputError(
            f"the acceleration columns look like g already (median |a| = {med:.2f}), not {units}; use --units g",
            name,
        )


def parse_columns(spec: str | None, path: str | None = None) -> dict[str, str]:
    """``"t=time,ax=accX,..."`` -> ``{"t": "time", "ax": "accX", ...}``."""
    if not spec:
        return {k: k for k in REQUIRED}
    out: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, col = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in KEYS or not col.strip():
            raise InputError(
                f"cannot understand {part.strip()!r} in --columns; write {COLUMNS_HELP} "
                "(optionally gx=,gy=,gz=)",
                path,
            )
        out[key] = col.strip().strip('"')
    missing = [k for k in REQUIRED if k not in out]
    if missing:
        raise InputError(f"--columns lacks {', '.join(missing)}; write {COLUMNS_HELP}", path)
    return out


def _locate(table: Table, key: str, col: str, path: str) -> int:
    low = table.lower
    c = col.lower()
    if c in low:
        return low.index(c)
    if c.isdigit() and 1 <= int(c) <= len(low):
        return int(c) - 1
    raise InputError(
        f"no column {col!r} (for {key}) in the header; found {', '.join(repr(n) for n in table.names)}: "
        f"name them with {COLUMNS_HELP}",
        path,
        table.header_line,
    )


def read(
    src: Source,
    table: Table,
    columns: str | None = None,
    units: str | None = None,
    time_unit: str | None = None,
) -> Recording:
    """Read ``src`` with user-named columns and units."""
    names = parse_columns(columns, src.name)
    units = (units or "g").lower()
    time_unit = (time_unit or "s").lower()
    if units not in ACC_SCALE:
        raise InputError(f"unknown --units {units!r}; use g, mg or m/s2", src.name)
    if time_unit not in TIME_SCALE:
        raise InputError(f"unknown --time-unit {time_unit!r}; use s, ms, us or ns", src.name)
    wanted = {k: _locate(table, k, v, src.name) for k, v in names.items()}
    c, lines, warnings = read_columns(src, table, wanted)
    tscale = TIME_SCALE[time_unit]
    t, origin = relative_time(c["t"], tscale)
    acc = np.column_stack([c["ax"], c["ay"], c["az"]]).astype(np.float64) * ACC_SCALE[units]
    gyro_t = gyro = None
    if all(k in c for k in ("gx", "gy", "gz")):
        gyro = np.column_stack([c["gx"], c["gy"], c["gz"]]).astype(np.float64)
        gyro_t = t
    meta = dict(table.meta)
    start_meta = meta_start_utc(meta, warnings)
    meta.pop("start_utc", None)
    origin_ok = EPOCH_RANGE_S[0] <= origin <= EPOCH_RANGE_S[1]
    try:
        rec = finish(
            src,
            t,
            acc,
            lines,
            origin_unix_s=origin if origin_ok else None,
            gyro_t=gyro_t,
            gyro_dps=gyro,
            meta=meta,
            nominal_rate_hz=meta_rate_hz(meta, warnings),
            warnings=warnings,
        )
    except NoGravityError:
        # (a unit mix-up reads as an export without gravity)
        if units != "g":
            _refuse_if_already_g(acc / ACC_SCALE[units], units, src.name)
        raise
    if rec.start_utc is None and start_meta:
        rec.start_utc = start_meta
    return rec

