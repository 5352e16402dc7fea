"""The native reptrack CSV format (read and write).

Format
------
Optional leading metadata lines ``# key: value`` (keys ``sensor``,
``placement``, ``sample_rate_hz``, ``start_utc``, ``profile``; others are
kept), then a header and comma-separated rows::

    # sensor: polar-verity-sense
    # sample_rate_hz: 52
    # start_utc: 2026-11-22T08:00:00Z
    t,ax,ay,az,gx,gy,gz
    0.000000,0.01234,-0.99811,0.05120,0.120,-0.340,0.010

``t`` is seconds, ``ax..az`` g, optional ``gx..gz`` deg/s.  When the gyro has
its own time base, rows hold either accelerometer cells or gyro cells (the
other group left empty); a row's ``t`` is the time of the cells it holds.
"""

from __future__ import annotations

import io
import os
import time
import warnings as pywarnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np

from ..errors import InputError
from ..metrics import nonzero1d
from ..model import Recording
from .split_parse import parse_floats_here
from .tabular import Source, Table, body_offset, finish, meta_rate_hz, meta_start_utc, read_columns, sniff, split_cells

REQUIRED = ("t", "ax", "ay", "az")
GYRO = ("gx", "gy", "gz")
META_KEYS = ("sensor", "placement", "sample_rate_hz", "start_utc", "profile")


def looks_native(header_line: str) -> bool:
    cols = [c.strip().strip('"').lower() for c in header_line.split(",")]
    return all(c in cols for c in REQUIRED)


def read_native(path: str | os.PathLike[str]) -> Recording:
    """Read a native reptrack CSV into a validated :class:`Recording`.

    The rows go through the same machinery as every vendor reader
    (:func:`reptrack.io.tabular.read_columns` and
    :func:`reptrack.io.tabular.finish`), so blank lines, rows with more cells
    than the header, non-finite cells, time jumps and rates are handled
    alike.  Raises :class:`~reptrack.errors.InputError` (one sentence, with
    the file line where there is one) for anything in the README's fatal list.
    """
    path = str(path)
    src = Source.from_path(path)
    table = sniff(src)
    header = table.header
    cols = [c.strip().strip('"').lower() for c in header.split(",")]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        for sep in (";", "\t", "|"):
            if sep in header and all(c in [x.strip().lower() for x in header.split(sep)] for c in REQUIRED):
                raise InputError(
                    f"the columns are separated by {sep!r}, not commas; save the file as comma-separated",
                    path,
                    table.header_line,
                )
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(c for c in cols if c) or 'none'} "
            "(a native file needs t,ax,ay,az; for other layouts use --columns)",
            path,
            table.header_line,
        )
    names = split_cells(header, ",")
    numbers = [n for n in names if _is_number(n)]
    if numbers:
        raise InputError(
            f"the header line also holds the value {numbers[0][:20]!r}, so a line break after it is probably "
            "lost; put the first data row on a line of its own",
            path,
            table.header_line,
        )
    table = replace(table, sep=",", decimal=".", names=names)
    wanted = {c: cols.index(c) for c in REQUIRED + GYRO if c in cols}
    c, lines, warnings = read_columns(src, table, wanted, floats_only=True)
    t = c["t"].astype(np.float64)
    acc = np.column_stack([c["ax"], c["ay"], c["az"]]).astype(np.float64)
    gyro_t = gyro = None
    if all(k in c for k in GYRO):
        g = np.column_stack([c[k] for k in GYRO]).astype(np.float64)
        has_g = ~np.isnan(g).all(axis=1)
        gyro_only = has_g & np.isnan(acc).all(axis=1)
        if has_g.any():
            gyro_t, gyro = t[has_g], g[has_g]
        if gyro_only.any():
            keep = ~gyro_only
            t, acc, lines = t[keep], acc[keep], lines[keep]

    meta = dict(table.meta)
    start_utc = meta_start_utc(meta, warnings)
    rec = finish(
        src,
        t,
        acc,
        lines,
        gyro_t=gyro_t,
        gyro_dps=gyro,
        meta=meta,
        nominal_rate_hz=meta_rate_hz(meta, warnings),
        warnings=warnings,
    )
    rec.start_utc = start_utc
    return rec


@dataclass(frozen=True)
class NativeHead:
    """The start of a plain native CSV, read ahead of :func:`read_native`:
    its metadata and its first rows' times (s) and accelerations (g) -- the
    numbers :func:`read_native` parses from them, to the bit."""

    meta: dict[str, str]
    t: np.ndarray
    acc: np.ndarray


class PlainNative(NamedTuple):
    """A file that starts like a plain native CSV (:func:`plain_native`):
    its source, sniffed table, data offset (bytes) and lower-cased column
    names."""

    src: Source
    table: Table
    offset: int
    cols: list[str]


def plain_native(path: str | os.PathLike[str]) -> PlainNative | None:
    """The layout of the file at ``path`` when it starts like a native CSV
    that :func:`native_head` can read ahead -- comma-separated, LF line
    ends, no gyroscope columns (its first bytes only) -- else None."""
    try:
        src = Source.from_path(str(path))
        table = sniff(src)
        off = body_offset(src.head, table.header_line)
    except (InputError, OSError, ValueError):
        return None
    if off is None or table.sep != "," or not looks_native(table.header) or b"\r" in src.head:
        return None
    cols = [c.strip().strip('"').lower() for c in table.header.split(",")]
    if any(c in cols for c in GYRO):
        return None
    return PlainNative(src, table, off, cols)


def native_head(layout: PlainNative, rows: int) -> NativeHead | None:
    """The first ``rows`` data rows of the file :func:`plain_native` read
    as ``layout``, or None unless they are plain (comma-separated finite
    numbers, LF line ends, no blank line, no quote).

    A guess, not a reading: nothing here is validated (times starting at 0,
    units, repairs).  :mod:`reptrack.overlap` starts the analysis on it while
    another process reads the file with :func:`read_native`, and keeps that
    start only where the validated recording begins with these same numbers.
    """
    if rows < 1:
        return None
    src, table, off, cols = layout
    buf = src.buffer
    body_bytes = len(buf) - off
    # (a prefix long enough for ``rows`` lines: grown from the header's
    # neighbourhood until it holds them)
    size = min(body_bytes, 64 * rows)
    while True:
        ends = nonzero1d(buf[off : off + size] == ord("\n"))
        if len(ends) >= rows or off + size >= len(buf):
            break
        size = min(body_bytes, 2 * size)
    if len(ends) < rows:
        return None
    chunk = buf[off : off + int(ends[rows - 1]) + 1].tobytes()
    if chunk.startswith(b"\n") or b"\n\n" in chunk or b"\r" in chunk or b'"' in chunk:
        return None
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("error")
            # (one parse here: the other core is reading the whole file)
            a = parse_floats_here(chunk, ",")
    except (ValueError, UnicodeError, Warning):
        return None
    if a.shape != (rows, len(cols)) or not np.isfinite(a).all():
        return None
    t = a[:, cols.index("t")].astype(np.float64)
    acc = np.column_stack([a[:, cols.index(c)] for c in REQUIRED[1:]]).astype(np.float64)
    return NativeHead(dict(table.meta), t, acc)


def _is_number(cell: str) -> bool:
    """True when a header cell reads as a number (data, not a column name)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def format_meta(meta: dict[str, str]) -> str:
    """``# key: value`` lines for ``meta`` (values stripped of newlines)."""
    out = []
    for k, v in meta.items():
        if v is None or v == "":
            continue
        out.append(f"# {k}: {str(v).replace(chr(10), ' ').replace(chr(13), ' ')}\n")
    return "".join(out)


def recording_meta(rec: Recording) -> dict[str, str]:
    meta = dict(rec.meta)
    if rec.start_utc:
        meta["start_utc"] = rec.start_utc
    if rec.nominal_rate_hz:
        meta["sample_rate_hz"] = f"{rec.nominal_rate_hz:.6g}"
    return meta


def write_native(rec: Recording, path: str | os.PathLike[str]) -> None:
    """Write ``rec`` as native CSV (6 decimals for seconds, 5 for g, 3 for deg/s)."""
    with open(path, "w", newline="\n", encoding="utf-8") as fh:
        fh.write(format_meta(recording_meta(rec)))
        has_gyro = rec.gyro is not None and rec.gyro_t is not None and len(rec.gyro_t) > 0
        if not has_gyro:
            fh.write("t,ax,ay,az\n")
            _write_rows(fh, rec.t, rec.acc, None)
            return
        fh.write("t,ax,ay,az,gx,gy,gz\n")
        assert rec.gyro_t is not None and rec.gyro is not None
        if len(rec.gyro_t) == len(rec.t) and np.allclose(rec.gyro_t, rec.t, atol=5e-7):
            _write_rows(fh, rec.t, rec.acc, rec.gyro)
            return
        # Own time base: interleave acc-only and gyro-only rows by time.
        n, m = len(rec.t), len(rec.gyro_t)
        tt = np.concatenate([rec.t, rec.gyro_t])
        order = np.argsort(tt, kind="stable")
        block = np.full((n + m, 6), np.nan)
        block[:n, :3] = rec.acc
        block[n:, 3:] = rec.gyro
        _write_rows(fh, tt[order], block[order, :3], block[order, 3:])


def _write_rows(fh: IO[str], t: np.ndarray, acc: np.ndarray, gyro: np.ndarray | None) -> None:
    cols: list[np.ndarray] = [t, acc[:, 0], acc[:, 1], acc[:, 2]]
    fmts = ["%.6f", "%.5f", "%.5f", "%.5f"]
    if gyro is not None:
        cols += [gyro[:, 0], gyro[:, 1], gyro[:, 2]]
        fmts += ["%.3f"] * 3
    data = np.column_stack(cols)
    if not np.isnan(data).any():
        buf = io.StringIO()
        np.savetxt(buf, data, fmt=fmts, delimiter=",")
        fh.write(buf.getvalue())
        return
    for row in data:
        fh.write(",".join("" if np.isnan(v) else (f % v) for f, v in zip(fmts, row)) + "\n")


class NativeCsvWriter:
    """Append-only native CSV writer for streams (``record`` / ``live``).

    Rows are written as samples arrive and flushed (and fsync'ed) at least
    every ``flush_interval_s`` seconds of wall-clock time by :meth:`maybe_flush`
    so the file is valid up to the last flush even after a crash.  Gaps are
    not written explicitly: every sample keeps its own time, so readers find
    them from the times (:func:`reptrack.model.find_gaps`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        meta: dict[str, str],
        gyro: bool = False,
        flush_interval_s: float = 1.0,
    ) -> None:
        self.path = str(path)
        self._fh = open(self.path, "w", newline="\n", encoding="utf-8")
        self._fh.write(format_meta(meta))
        self._fh.write("t,ax,ay,az,gx,gy,gz\n" if gyro else "t,ax,ay,az\n")
        self._gyro = gyro
        self.samples_written = 0
        self._last_flush = time.monotonic()
        self.flush_interval_s = flush_interval_s
        self._fh.flush()

    def write(self, t: Iterable[float] | np.ndarray, acc: np.ndarray, gyro: np.ndarray | None = None) -> None:
        """Append samples: ``t`` (n,) seconds, ``acc`` (n, 3) g, optional ``gyro`` (n, 3) deg/s."""
        t = np.asarray(t, dtype=np.float64)
        if len(t) == 0:
            return
        acc = np.asarray(acc, dtype=np.float64).reshape(-1, 3)
        if self._gyro:
            g = np.full((len(t), 3), np.nan) if gyro is None else np.asarray(gyro, dtype=np.float64).reshape(-1, 3)
            _write_rows(self._fh, t, acc, g)
        else:
            _write_rows(self._fh, t, acc, None)
        self.samples_written += len(t)

    def maybe_flush(self) -> bool:
        """Flush if ``flush_interval_s`` of wall-clock time passed; True if it did."""
        if time.monotonic() - self._last_flush >= self.flush_interval_s:
            self.flush()
            return True
        return False

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        self._fh.flush()
        try:
            os.fsync(self._fh.fileno())
        except OSError:
            pass

    def close(self) -> None:
        if not self._fh.closed:
            self.flush()
            self._fh.close()

    def __enter__(self) -> "NativeCsvWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_native_file(path: str | Path) -> bool:
    """True when the first non-metadata line is a native header."""
    try:
        table = sniff(Source.from_path(path))
    except InputError:
        return False
    return looks_native(table.header)
