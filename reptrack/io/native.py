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
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from ..errors import InputError
from ..model import Recording
from .validate import build_recording

REQUIRED = ("t", "ax", "ay", "az")
GYRO = ("gx", "gy", "gz")
META_KEYS = ("sensor", "placement", "sample_rate_hz", "start_utc", "profile")


def read_header_block(path: str, max_lines: int = 200) -> tuple[dict[str, str], int, str, bytes]:
    """Read leading ``# key: value`` lines.

    Returns ``(meta, n_meta_lines, header_line, first_bytes)`` where
    ``header_line`` is the first non-metadata line (stripped) or ``""``.
    Raises :class:`InputError` for binary or undecodable files.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise InputError(f"cannot open the file ({exc.strerror or exc})", path) from None
    if b"\x00" in head:
        raise InputError("this is a binary file, not a CSV recording", path)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    meta: dict[str, str] = {}
    n_meta = 0
    header = ""
    for raw in text.splitlines()[:max_lines]:
        s = raw.strip()
        if s.startswith("#"):
            n_meta += 1
            body = s[1:].strip()
            if ":" in body:
                k, v = body.split(":", 1)
                meta[k.strip().lower()] = v.strip()
            continue
        header = s
        break
    return meta, n_meta, header, head


def looks_native(header_line: str) -> bool:
    cols = [c.strip().strip('"').lower() for c in header_line.split(",")]
    return all(c in cols for c in REQUIRED)


def read_native(path: str | os.PathLike[str]) -> Recording:
    """Read a native reptrack CSV into a validated :class:`Recording`.

    Raises :class:`~reptrack.errors.InputError` (one sentence, with the file
    line where there is one) for anything in the README's fatal list.
    """
    path = str(path)
    meta, n_meta, header, head = read_header_block(path)
    if not header:
        raise InputError("the file is empty (no header line)", path)
    header_line_no = n_meta + 1
    cols = [c.strip().strip('"').lower() for c in header.split(",")]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        for sep in (";", "\t", "|"):
            if sep in header and all(c in [x.strip().lower() for x in header.split(sep)] for c in REQUIRED):
                raise InputError(
                    f"the columns are separated by {sep!r}, not commas; save the file as comma-separated",
                    path,
                    header_line_no,
                )
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(c for c in cols if c) or 'none'} "
            "(a native file needs t,ax,ay,az; for other layouts use --columns)",
            path,
            header_line_no,
        )
    usecols = [c for c in REQUIRED + GYRO if c in cols]
    try:
        df = pd.read_csv(
            path,
            skiprows=n_meta,
            header=0,
            usecols=lambda c: c.strip().strip('"').lower() in usecols,
            engine="c",
            skip_blank_lines=True,
            on_bad_lines="error",
        )
    except pd.errors.ParserError as exc:
        raise InputError(f"the CSV is malformed ({_first_sentence(exc)})", path) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"the file cannot be read as CSV ({_first_sentence(exc)})", path) from None
    df.columns = [c.strip().strip('"').lower() for c in df.columns]
    # Line numbers: rows after the header, blank lines skipped by pandas are
    # rare in our own files; we map row i -> header_line + 1 + i.
    first_data_line = header_line_no + 1
    warnings: list[str] = []

    # Truncated final line: a crash can leave the last row incomplete.
    ends_with_newline = _ends_with_newline(path)
    if len(df) and not ends_with_newline:
        last = df.iloc[-1]
        acc_cells = [last[c] for c in REQUIRED]
        if any(_is_missing(v) for v in acc_cells) or any(isinstance(v, str) for v in acc_cells):
            df = df.iloc[:-1]
            warnings.append(f"dropped a truncated final line (line {first_data_line + len(df)})")

    for c in usecols:
        col = df[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            num = pd.to_numeric(col, errors="coerce")
            badmask = num.isna() & col.notna() & (col.astype(str).str.strip() != "")
            if badmask.any():
                i = int(np.flatnonzero(badmask.to_numpy())[0])
                raise InputError(
                    f"column {c!r} holds {str(col.iloc[i])[:30]!r}, which is not a number",
                    path,
                    first_data_line + i,
                )
            df[c] = num
    t = df["t"].to_numpy(dtype=np.float64)
    acc = df[["ax", "ay", "az"]].to_numpy(dtype=np.float64)
    lines = np.arange(first_data_line, first_data_line + len(df))
    gyro_t = gyro = None
    if all(c in df.columns for c in GYRO):
        g = df[list(GYRO)].to_numpy(dtype=np.float64)
        has_g = ~np.isnan(g).all(axis=1)
        acc_empty = np.isnan(acc).all(axis=1)
        gyro_only = has_g & acc_empty
        if has_g.any():
            gyro_t, gyro = t[has_g], g[has_g]
        if gyro_only.any():
            keep = ~gyro_only
            t, acc, lines = t[keep], acc[keep], lines[keep]

    rate = _float_or_none(meta.get("sample_rate_hz"))
    return build_recording(
        t,
        acc,
        path=path,
        line_of_row=lines,
        gyro_t=gyro_t,
        gyro=gyro,
        meta=meta,
        start_utc=meta.get("start_utc") or None,
        nominal_rate_hz=rate,
        warnings=warnings,
    )


def _first_sentence(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__


def _is_missing(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, io.SEEK_END)
        if fh.tell() == 0:
            return True
        fh.seek(-1, io.SEEK_END)
        return fh.read(1) in (b"\n", b"\r")


def _float_or_none(s: str | None) -> float | None:
    if s is None:
        return None
    try:
        return float(s)
    except ValueError:
        return None


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
        _, _, header, _ = read_header_block(str(path))
    except InputError:
        return False
    return looks_native(header)
