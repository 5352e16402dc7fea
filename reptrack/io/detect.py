"""Pick a reader from the file itself (its first bytes and header line).

Order: zip archive (by its magic bytes) -> ``--columns``/``--units``/
``--time-unit`` given -> native reptrack CSV -> MetaBase -> Polar Sensor
Logger -> phyphox -> Sensor Logger -> a native-like header with another
delimiter.  Anything else is refused with a sentence suggesting
``--columns``.  File names are only used to find companion files (a
gyroscope recorded next to the accelerometer), never to pick the format.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import Recording
from . import generic, metabase, phyphox, polar_logger, sensorlogger, zipped
from .native import REQUIRED, looks_native, read_native
from .tabular import NotARecording, Source, sniff

#: Vendor readers tried in order; each has ``sniff(table) -> bool`` and
#: ``read(source, table) -> Recording``.
FORMATS = (metabase, polar_logger, phyphox, sensorlogger)
#: Keyword options :func:`read_recording` accepts (from ``--columns`` etc.).
OPTIONS = ("columns", "units", "time_unit")


def read_recording(path: str | os.PathLike[str], **options: Any) -> Recording:
    """Read any supported recording file into a validated :class:`Recording`.

    ``options`` (all optional, ``None`` ignored): ``columns="t=COL,ax=COL,ay=COL,az=COL"``,
    ``units="g"|"mg"|"m/s2"``, ``time_unit="s"|"ms"|"us"|"ns"`` -- see
    :mod:`reptrack.io.generic`.  Raises :class:`~reptrack.errors.InputError`
    with one sentence when the file cannot be read.
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"read_recording() got unexpected option(s) {', '.join(sorted(unknown))}")
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", str(path))
    if p.is_dir():
        raise InputError("this is a directory, not a recording file", str(path))
    return read_source(Source.from_path(p), native_path=p, **options)


def read_source(src: Source, native_path: Path | None = None, **options: Any) -> Recording:
    """:func:`read_recording` for a :class:`Source` (a file or a zip member)."""
    options = {k: v for k, v in options.items() if v}
    if zipped.is_zip(src.head[:4]):
        return zipped.read(src, read_source, **options)
    table = sniff(src)
    if options:
        return generic.read(src, table, **options)
    if native_path is not None and table.sep == "," and looks_native(table.header):
        try:
            return read_native(native_path)
        except (KeyError, IndexError, ValueError, TypeError, OverflowError) as exc:
            # read_native raises InputError for everything it knows; this is a
            # last line of defence so a damaged file never ends in a traceback
            raise InputError(
                f"the native CSV is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:60]}); "
                "check its header line and delimiters",
                str(native_path),
            ) from None
    for fmt in FORMATS:
        if fmt.sniff(table):
            return fmt.read(src, table)
    if all(c in table.lower for c in REQUIRED):
        return generic.read(src, table)
    raise NotARecording(
        f"unknown header {table.header[:80]!r} (not a native, MetaBase, Polar Sensor Logger, phyphox or "
        "Sensor Logger export); name the columns with --columns t=COL,ax=COL,ay=COL,az=COL "
        "and give --units g|mg|m/s2 and --time-unit s|ms|us|ns",
        src.name,
        table.header_line,
    )


def companion_of(path: str | os.PathLike[str]) -> Path | None:
    """The main file when ``path`` is a companion read together with it.

    A MetaBase ``..._Gyroscope_...csv`` (any other sensor) next to its
    ``..._Accelerometer_...csv``, a Polar ``*_GYRO.txt`` (``_HR``, ...) next to
    ``*_ACC.txt``, any other CSV next to Sensor Logger's
    ``TotalAcceleration.csv``: commands that expand a directory can skip
    these so one recording is not analysed twice.  Decided from names only
    (cheap); ``None`` when ``path`` is a main file or unknown.
    """
    p = Path(path)
    name = p.name
    m = metabase.NAME_RE.match(name)
    if m and m.group("sensor").lower() != "accelerometer":
        for q in p.parent.glob(f"{m.group('prefix')}_Accelerometer_*Hz_*.csv"):
            return q
    m2 = polar_logger.NAME_RE.match(name)
    if m2 and m2.group("kind").upper() != "ACC":
        q = p.parent / f"{m2.group('prefix')}_ACC.txt"
        if q.is_file():
            return q
    if name.lower().endswith(".csv") and name.lower() != "totalacceleration.csv":
        # a Sensor Logger export folder: every other sensor's file goes with TotalAcceleration.csv
        q = p.parent / "TotalAcceleration.csv"
        if q.is_file():
            return q
    return None
