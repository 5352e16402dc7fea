"""Write a :class:`~reptrack.model.Recording` the way each vendor app does.

Used by the parity tests and the reader benchmark (the same motion in every
format), and handy to hand a recording to tools that only read one vendor's
files.  Each writer reproduces the vendor's units, time base, column order,
delimiter and number style (see ``docs/formats.md``); resolution is the
vendor's: MetaBase 1 mg and 1 ms, Polar 1 mg (0.1 mg with decimal commas) and
1 ns, phyphox 10 significant digits, Sensor Logger 15.

:data:`EXPORTS` maps a format name to a function ``(rec, folder) -> (path,
reader_options)`` that writes the file in ``folder`` and returns what to
give :func:`reptrack.io.read_recording`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Recording
from .native import write_native
from .tabular import G0, Y2000_UNIX_S

DEFAULT_START = "2026-01-01T08:00:00Z"


def start_unix_s(rec: Recording) -> float:
    """Unix seconds of ``rec.t == 0`` (``DEFAULT_START`` when unknown)."""
    s = (rec.start_utc or DEFAULT_START).replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = datetime.fromisoformat(DEFAULT_START.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _ints(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)


def _iso_local(ms: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM:SS.mmm`` strings of Unix milliseconds (vectorised)."""
    return (np.datetime64(0, "ms") + ms.astype("timedelta64[ms]")).astype(str)


def _cells(values: np.ndarray, fmt: str) -> np.ndarray:
    if values.dtype.kind in "US":
        return values.astype(str)
    return np.char.mod(fmt, values)


def write_table(
    path: str | Path,
    header: Sequence[str],
    columns: Sequence[np.ndarray],
    fmts: Sequence[str],
    sep: str = ",",
    decimal: str = ".",
    post: Callable[[str], str] | None = None,
    newline_at_end: bool = True,
) -> Path:
    """Write rows column by column (vectorised formatting, one join)."""
    cells = [_cells(np.asarray(c), f) for c, f in zip(columns, fmts)]
    rows = cells[0]
    for c in cells[1:]:
        rows = np.char.add(np.char.add(rows, sep), c)
    body = "\n".join(rows.tolist())
    if post is not None:
        body = post(body)
    if decimal != ".":
        body = body.replace(".", decimal)
    text = sep.join(header) + "\n" + body + ("\n" if newline_at_end else "")
    p = Path(path)
    p.write_text(text, encoding="utf-8", newline="\n")
    return p


def _without_gravity(acc: np.ndarray) -> np.ndarray:
    """Acceleration with its median (gravity) removed, as "linear" exports hold."""
    return acc - np.median(acc, axis=0)


# ---------------------------------------------------------------------------
# MetaBase
# ---------------------------------------------------------------------------


def _metabase_epochs(t: np.ndarray, t0_ms: float, group: int) -> np.ndarray:
    ms = np.rint(t0_ms + t * 1000.0).astype(np.int64)
    if group > 1:
        first = (np.arange(len(ms)) // group) * group
        ms = ms[first]
    return ms


def write_metabase(
    rec: Recording, folder: str | Path, label: str = "session", epoch_group: int = 1, tz_hours: int = 1
) -> Path:
    """MetaBase files ``<label>_MetaWear_<time>_<MAC>_Accelerometer_<ODR>Hz_1.4.4.csv``
    (+ ``_Gyroscope_`` when ``rec`` has a gyroscope).

    ``epoch_group`` > 1 stamps every run of that many samples with the first
    one's epoch, as MetaBase does at high rates.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t0_ms = start_unix_s(rec) * 1000.0
    local = datetime.fromtimestamp(t0_ms / 1000.0, tz=timezone.utc).strftime("%Y-%m-%dT%H.%M.%S.%f")[:-3]
    prefix = f"{label}_MetaWear_{local}_C42732BE255C"
    odr = rec.nominal_rate_hz or rec.median_rate_hz
    acc_path = folder / f"{prefix}_Accelerometer_{odr:.3f}Hz_1.4.4.csv"
    _metabase_file(acc_path, rec.t, rec.acc, "g", t0_ms, epoch_group, tz_hours)
    if rec.gyro is not None and rec.gyro_t is not None and len(rec.gyro_t) > 1:
        g_odr = 1.0 / float(np.median(np.diff(rec.gyro_t)))
        _metabase_file(
            folder / f"{prefix}_Gyroscope_{g_odr:.3f}Hz_1.4.4.csv", rec.gyro_t, rec.gyro, "deg/s", t0_ms, epoch_group, tz_hours
        )
    return acc_path


def _metabase_file(
    path: Path, t: np.ndarray, xyz: np.ndarray, unit: str, t0_ms: float, group: int, tz_hours: int
) -> None:
    ms = _metabase_epochs(t, t0_ms, group)
    local = _iso_local(ms + tz_hours * 3_600_000)
    header = ["epoch (ms)", f"time ({tz_hours:02d}:00)", "elapsed (s)", f"x-axis ({unit})", f"y-axis ({unit})", f"z-axis ({unit})"]
    elapsed = (ms - ms[0]) / 1000.0
    write_table(path, header, [ms, local, elapsed, xyz[:, 0], xyz[:, 1], xyz[:, 2]], ["%d", "%s", "%.3f", "%.3f", "%.3f", "%.3f"])


# ---------------------------------------------------------------------------
# Polar Sensor Logger
# ---------------------------------------------------------------------------


def write_polar(rec: Recording, folder: str | Path, decimal: str = ".", prefix: str = "Polar_Sense_B5A25B2C_20260101_080000") -> Path:
    """``<prefix>_ACC.txt`` (+ ``_GYRO.txt``): ``;``-separated, ns since 2000, mg
    (integers; one decimal with ``decimal=","``, as comma locales show)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base_ns = int(round((start_unix_s(rec) - Y2000_UNIX_S) * 1e9))
    path = folder / f"{prefix}_ACC.txt"
    fmt = "%.1f" if decimal != "." else "%.0f"
    _polar_file(path, rec.t, rec.acc * 1000.0, "mg", base_ns, fmt, decimal)
    if rec.gyro is not None and rec.gyro_t is not None and len(rec.gyro_t):
        _polar_file(folder / f"{prefix}_GYRO.txt", rec.gyro_t, rec.gyro, "dps", base_ns, "%.3f", decimal)
    return path


def _polar_file(path: Path, t: np.ndarray, xyz: np.ndarray, unit: str, base_ns: int, fmt: str, decimal: str) -> None:
    ns = base_ns + _ints(t * 1e9)
    phone_ms = ((ns // 1_000_000) + int(Y2000_UNIX_S * 1000)).astype(np.int64)
    header = ["Phone timestamp", "sensor timestamp [ns]", f"X [{unit}]", f"Y [{unit}]", f"Z [{unit}]"]
    write_table(path, header, [_iso_local(phone_ms), ns, xyz[:, 0], xyz[:, 1], xyz[:, 2]], ["%s", "%d", fmt, fmt, fmt], sep=";", decimal=decimal)


# ---------------------------------------------------------------------------
# phyphox
# ---------------------------------------------------------------------------

_PHYPHOX_HEADERS = {
    "with_g": ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)", "Absolute acceleration (m/s^2)"],
    "simple": ["Time (s)", "X (m/s^2)", "Y (m/s^2)", "Z (m/s^2)"],
    "linear": ["Time (s)", "Linear Acceleration x (m/s^2)", "Linear Acceleration y (m/s^2)", "Linear Acceleration z (m/s^2)", "Absolute acceleration (m/s^2)"],
}
_EXP = re.compile(r"E([+-])0*(\d)")


def _java_exponent(text: str) -> str:
    """``1.5E-03`` -> ``1.5E-3``, ``9.7E+00`` -> ``9.7E0`` (phyphox's style)."""
    return _EXP.sub(lambda m: ("E-" if m.group(1) == "-" else "E") + m.group(2), text)


def write_phyphox(
    rec: Recording, path: str | Path, variant: str = "with_g", sep: str = ",", decimal: str = ".", t_offset_s: float = 0.0
) -> Path:
    """phyphox CSV export: ``variant`` ``with_g`` ("Acceleration with g"),
    ``simple`` (simple Accelerometer experiment) or ``linear`` ("without g").
    Time is seconds since the experiment start (``t_offset_s`` before the
    first sample), m/s^2, scientific notation."""
    acc = (_without_gravity(rec.acc) if variant == "linear" else rec.acc) * G0
    cols = [rec.t + t_offset_s, acc[:, 0], acc[:, 1], acc[:, 2]]
    header = _PHYPHOX_HEADERS[variant]
    if len(header) == 5:
        cols.append(np.sqrt((acc * acc).sum(axis=1)))
    return write_table(
        path, [f'"{h}"' for h in header], cols, ["%.9E"] * len(cols), sep=sep, decimal=decimal, post=_java_exponent,
        newline_at_end=False,
    )


def write_phyphox_zip(rec: Recording, path: str | Path, variant: str = "with_g", t_offset_s: float = 0.0) -> Path:
    """The zipped phyphox export: ``Raw Data.csv`` + ``meta/time.csv`` + ``meta/device.csv``."""
    path = Path(path)
    tmp = path.with_suffix(".raw.tmp")
    write_phyphox(rec, tmp, variant=variant, t_offset_s=t_offset_s)
    start = start_unix_s(rec) - t_offset_s
    end = float(rec.t[-1]) + t_offset_s
    time_csv = (
        '"event","experiment time","system time","system time text"\n'
        f'"START",0.000000000E0,{start:.3f},"{_text(start)}"\n'
        f'"PAUSE",{end:.9E},{start + end:.3f},"{_text(start + end)}"\n'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(tmp, "Raw Data.csv")
        zf.writestr("meta/time.csv", time_csv)
        zf.writestr("meta/device.csv", '"property","value"\n"version","1.1.16"\n"deviceModel","Pixel 6a"\n')
    tmp.unlink()
    return path


def _text(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC+00:00"


# ---------------------------------------------------------------------------
# Sensor Logger
# ---------------------------------------------------------------------------


def write_sensorlogger(rec: Recording, folder: str | Path, extra: bool = True) -> Path:
    """Sensor Logger files in ``folder``: ``TotalAcceleration.csv`` (with g) and,
    with ``extra``, ``Accelerometer.csv`` (gravity removed) and
    ``Gyroscope.csv`` (rad/s) when ``rec`` has a gyroscope.  Returns the
    ``TotalAcceleration.csv`` path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base_ns = int(round(start_unix_s(rec) * 1e9))
    total = _sl_file(folder / "TotalAcceleration.csv", rec.t, rec.acc * G0, base_ns)
    if extra:
        _sl_file(folder / "Accelerometer.csv", rec.t, _without_gravity(rec.acc) * G0, base_ns)
        if rec.gyro is not None and rec.gyro_t is not None and len(rec.gyro_t):
            _sl_file(folder / "Gyroscope.csv", rec.gyro_t, np.radians(rec.gyro), base_ns)
    return total


def _sl_file(path: Path, t: np.ndarray, xyz: np.ndarray, base_ns: int) -> Path:
    ns = base_ns + _ints(t * 1e9)
    header = ["time", "seconds_elapsed", "z", "y", "x"]
    return write_table(path, header, [ns, t, xyz[:, 2], xyz[:, 1], xyz[:, 0]], ["%d", "%.15g", "%.15g", "%.15g", "%.15g"])


def write_sensorlogger_zip(rec: Recording, path: str | Path) -> Path:
    """The zipped Sensor Logger export (flat: one CSV per sensor + Metadata.csv)."""
    path = Path(path)
    tmpdir = path.with_suffix(".sl.tmp")
    tmpdir.mkdir(exist_ok=True)
    write_sensorlogger(rec, tmpdir)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(tmpdir.iterdir()):
            zf.write(f, f.name)
            f.unlink()
        zf.writestr("Metadata.csv", "version,device name,recording time\n1.30,Pixel,2026-01-01\n")
    tmpdir.rmdir()
    return path


# ---------------------------------------------------------------------------
# Any other CSV (read back with --columns)
# ---------------------------------------------------------------------------


def write_generic(rec: Recording, path: str | Path) -> tuple[Path, dict[str, str]]:
    """A "foreign" CSV: tab-separated, Unix ms, milli-g, odd names and
    column order; returns the reader options that read it back."""
    ms = start_unix_s(rec) * 1000.0 + rec.t * 1000.0
    header = ["accZ_mg", "timestamp_ms", "accX_mg", "accY_mg"]
    a = rec.acc * 1000.0
    p = write_table(path, header, [a[:, 2], ms, a[:, 0], a[:, 1]], ["%.2f", "%.3f", "%.2f", "%.2f"], sep="\t")
    return p, {"columns": "t=timestamp_ms,ax=accX_mg,ay=accY_mg,az=accZ_mg", "units": "mg", "time_unit": "ms"}


def _in(folder: Path, name: str) -> Path:
    d = folder / name
    d.mkdir(parents=True, exist_ok=True)
    return d


Export = Callable[[Recording, Path], tuple[Path, dict[str, Any]]]

#: Every format reptrack reads, as ``name -> (rec, folder) -> (path, reader options)``.
EXPORTS: dict[str, Export] = {
    "native": lambda r, f: (_native(r, _in(f, "native") / "session.csv"), {}),
    "metabase": lambda r, f: (write_metabase(r, _in(f, "metabase")), {}),
    "metabase-packets": lambda r, f: (write_metabase(r, _in(f, "metabase-packets"), epoch_group=4), {}),
    "polar": lambda r, f: (write_polar(r, _in(f, "polar")), {}),
    "polar-comma": lambda r, f: (write_polar(r, _in(f, "polar-comma"), decimal=","), {}),
    "phyphox": lambda r, f: (write_phyphox(r, _in(f, "phyphox") / "Raw Data.csv", t_offset_s=0.012), {}),
    "phyphox-simple": lambda r, f: (write_phyphox(r, _in(f, "phyphox-simple") / "Accelerometer.csv", "simple"), {}),
    "phyphox-semicolon": lambda r, f: (
        write_phyphox(r, _in(f, "phyphox-semicolon") / "Raw Data.csv", sep=";", decimal=","),
        {},
    ),
    "phyphox-zip": lambda r, f: (write_phyphox_zip(r, _in(f, "phyphox-zip") / "Acceleration with g.zip"), {}),
    "sensorlogger": lambda r, f: (write_sensorlogger(r, _in(f, "sensorlogger")), {}),
    "sensorlogger-zip": lambda r, f: (write_sensorlogger_zip(r, _in(f, "sensorlogger-zip") / "2026-01-01_08-00-00.zip"), {}),
    "generic": lambda r, f: write_generic(r, _in(f, "generic") / "export.tsv"),
}


def _native(rec: Recording, path: Path) -> Path:
    write_native(rec, path)
    return path


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """An in-memory zip of ``files`` (tests)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    return buf.getvalue()
