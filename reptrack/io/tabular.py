"""Plumbing shared by the vendor CSV readers.

* :class:`Source` -- the bytes of one file (on disk or inside a zip) plus a
  way to reach the files next to it (MetaBase / Polar / Sensor Logger keep the
  gyroscope in a sibling file; phyphox keeps its clock in ``meta/time.csv``).
* :func:`sniff` -- the header line, separator and decimal mark, from the
  first 64 KiB (never from the file name).
* :func:`read_columns` -- the numeric columns a reader needs, with the
  pandas C engine and ``usecols`` (no per-row Python on the good path; a
  plain all-float body, such as a file reptrack wrote, is read by numpy
  when pandas is not imported yet), and one-sentence
  :class:`~reptrack.errors.InputError` s naming the line on the bad paths.
* :func:`finish` -- unit-free last checks shared by every vendor reader,
  then :func:`reptrack.io.validate.build_recording`.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import re
import sys
import warnings as pywarnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..model import Recording
from .split_parse import parse_floats
from .validate import RATE_RANGE_HZ, build_recording, check_units_and_gravity

if TYPE_CHECKING:
    import pandas as pd

#: Bytes looked at to find the header, separator and decimal mark.
HEAD_BYTES = 65536
#: Separators we recognise, most common first.
SEPARATORS = (",", ";", "\t")
#: Standard gravity (m/s^2 per g), used to convert m/s^2 exports.
G0 = 9.80665
#: A jump forward in time longer than this (s) inside one recording is a
#: corrupt timestamp or a reset clock, never a session pause (a heel-raise
#: session lasts well under an hour); it would otherwise make the analysis
#: allocate for the whole span.
MAX_JUMP_S = 12 * 3600.0
#: No worn accelerometer measures beyond about +-200 g; an acceleration cell
#: beyond this (g) is a damaged value and is treated like an empty cell, as
#: is ``inf`` (short runs are filled, longer ones become gaps).
MAX_ABS_G = 1000.0
#: Line ends in CSV files: Unix, Windows and old Mac.
EOL_RE = re.compile(rb"\r\n|\r|\n")
#: Epoch seconds accepted as an absolute time base (2000-01-01 .. 2100-01-01).
EPOCH_RANGE_S = (946684800.0, 4102444800.0)
#: Seconds from the Unix epoch to 2000-01-01T00:00:00Z (Polar's time base).
Y2000_UNIX_S = 946684800.0
#: Largest zip member we inflate (bytes): far above a day of 200 Hz data,
#: small enough that a zip bomb cannot exhaust memory.
MAX_MEMBER_BYTES = 2 * 1024**3


class NotARecording(InputError):
    """The file is readable but holds no acceleration we can use (unknown
    header, a gyroscope or heart-rate file, ...): a zip reader moves on to
    the next member; everywhere else it is an ordinary :class:`InputError`."""


@dataclass
class Source:
    """One input file: a display ``name`` for messages, its ``filename``
    (base name, for vendor naming conventions) and lazily read bytes.

    ``_open_sibling(relpath)`` returns the :class:`Source` of a file next to
    this one (or ``None``); ``_list_siblings()`` lists their relative paths.
    """

    name: str
    filename: str
    _load: Callable[[], bytes]
    _open_sibling: Callable[[str], "Source | None"] = lambda rel: None
    _list_siblings: Callable[[], list[str]] = lambda: []
    #: the file on disk, if it is one: pandas and zipfile then read it
    #: directly and :attr:`buffer` maps it instead of copying it
    path: Path | None = None

    @cached_property
    def data(self) -> bytes:
        """All bytes (read on first use; readers of big files use :attr:`buffer`)."""
        return self._load()

    @cached_property
    def head(self) -> bytes:
        """The first :data:`HEAD_BYTES` bytes."""
        if self.path is not None and "data" not in self.__dict__:
            try:
                with open(self.path, "rb") as fh:
                    return fh.read(HEAD_BYTES)
            except OSError as exc:
                raise InputError(f"cannot open the file ({exc.strerror or exc})", self.name) from None
        return self.data[:HEAD_BYTES]

    @cached_property
    def buffer(self) -> np.ndarray:
        """The whole content as a uint8 array (memory-mapped for files on disk)."""
        if self.path is not None and "data" not in self.__dict__:
            try:
                with open(self.path, "rb") as fh:
                    if os.fstat(fh.fileno()).st_size == 0:
                        return np.zeros(0, dtype=np.uint8)
                    mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError) as exc:
                raise InputError(f"cannot open the file ({exc})", self.name) from None
            return np.frombuffer(mm, dtype=np.uint8)
        return np.frombuffer(self.data, dtype=np.uint8)

    def csv_input(self) -> str | io.BytesIO:
        """What to hand ``pandas.read_csv``.

        Old-Mac files (bare CR line ends) are handed over with LF ends:
        pandas counts ``skiprows`` over bare-CR blank lines differently from
        our line scan, so a blank line before the header read the header as
        a data row and lost the first samples.
        """
        if b"\r" in self.head and b"\n" not in self.head:
            return io.BytesIO(self.buffer.tobytes().replace(b"\r", b"\n"))
        if self.path is not None and "data" not in self.__dict__:
            return str(self.path)
        return io.BytesIO(self.data)

    def ends_with_newline(self) -> bool:
        tail = self.buffer[-256:].tobytes().rstrip(b" \t")
        return not tail or tail.endswith((b"\n", b"\r"))

    def sibling(self, relpath: str) -> "Source | None":
        """The file ``relpath`` (relative to this file's folder), if it exists."""
        try:
            return self._open_sibling(relpath)
        except InputError:
            return None

    def sibling_names(self) -> list[str]:
        try:
            return self._list_siblings()
        except OSError:
            return []

    @classmethod
    def from_path(cls, path: str | Path) -> "Source":
        p = Path(path)

        def load() -> bytes:
            try:
                return p.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot open the file ({exc.strerror or exc})", str(p)) from None

        def open_sibling(rel: str) -> Source | None:
            q = p.parent / rel
            return cls.from_path(q) if q.is_file() else None

        def list_siblings() -> list[str]:
            return sorted(q.name for q in p.parent.iterdir() if q.is_file())

        return cls(str(p), p.name, load, open_sibling, list_siblings, path=p)

    @classmethod
    def from_zip(cls, zf: zipfile.ZipFile, member: str, zip_name: str) -> "Source":
        folder = PurePosixPath(member).parent
        names = {n for n in zf.namelist() if not n.endswith("/")}

        def load() -> bytes:
            info = zf.getinfo(member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputError(f"{member!r} inflates to {info.file_size} bytes, too large for one recording", zip_name)
            try:
                return zf.read(member)
            except Exception as exc:  # zipfile/zlib raise many types for damaged archives
                raise InputError(
                    f"the zip file is damaged ({type(exc).__name__} reading {member!r}); export it again", zip_name
                ) from None

        def open_sibling(rel: str) -> Source | None:
            target = str(folder / rel) if str(folder) != "." else rel
            return cls.from_zip(zf, target, zip_name) if target in names else None

        def list_siblings() -> list[str]:
            pre = "" if str(folder) == "." else str(folder) + "/"
            return sorted(n[len(pre):] for n in names if n.startswith(pre) and "/" not in n[len(pre):])

        return cls(f"{zip_name}:{member}", PurePosixPath(member).name, load, open_sibling, list_siblings)


@dataclass
class Table:
    """What :func:`sniff` found: ``names`` are the header cells (quotes and
    blanks stripped), ``header_line`` its 1-based line, ``skip`` the lines
    before it, ``meta`` any leading ``# key: value`` lines."""

    sep: str
    decimal: str
    names: list[str]
    header_line: int
    skip: int
    header: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def lower(self) -> list[str]:
        return [n.lower() for n in self.names]

    def find(self, *candidates: str, prefix: bool = False) -> int | None:
        """Index of the first column whose lower-cased name equals (or, with
        ``prefix``, starts with) one of ``candidates``."""
        low = self.lower
        for c in candidates:
            for i, n in enumerate(low):
                if n == c or (prefix and n.startswith(c)):
                    return i
        return None


def split_cells(line: str, sep: str) -> list[str]:
    return [c.strip().strip('"').strip() for c in line.split(sep)]


def head_lines(data: bytes) -> list[str]:
    """The first :data:`HEAD_BYTES` as text lines (any line ending)."""
    text = data[:HEAD_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def sniff(src: Source) -> Table:
    """Find the header line, separator and decimal mark of ``src``.

    Raises :class:`InputError` for empty and binary files.
    """
    head = src.head
    if not head.strip():
        raise InputError("the file is empty" if len(head) < HEAD_BYTES else "no header line in the first 64 KiB", src.name)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("the file is UTF-16 text; save it as a UTF-8 CSV (\"CSV UTF-8\" in spreadsheets)", src.name)
    if head[:2] == b"\x1f\x8b":
        raise InputError("the file is gzip-compressed; unpack it (gunzip) and give the CSV", src.name)
    if b"\x00" in head:
        raise InputError("this is a binary file, not a CSV recording; give the CSV export instead", src.name)
    lines = head_lines(head)
    meta: dict[str, str] = {}
    skip = 0
    header = ""
    for raw in lines:
        s = raw.strip()
        if not s or s.startswith("#"):
            body = s[1:].strip()
            if ":" in body:
                k, v = body.split(":", 1)
                meta[k.strip().lower()] = v.strip()
            skip += 1
            continue
        header = s
        break
    if not header:
        raise InputError("the file holds no header line (only comments or blank lines)", src.name)
    counts = [header.count(s) for s in SEPARATORS]
    sep = SEPARATORS[int(np.argmax(counts))] if max(counts) else ","
    decimal = "."
    if sep != ",":
        sample = "\n".join(lines[skip + 1 : skip + 21])
        if re.search(r"\d,\d", sample):
            decimal = ","
    return Table(sep, decimal, split_cells(header, sep), skip + 1, skip, header, meta)


def _line_sep_mismatch(src: Source, table: Table) -> None:
    """Raise when the data rows use another separator than the header."""
    text = head_lines(src.head)
    k = len(table.names)
    for j in range(table.header_line, min(len(text), table.header_line + 5)):
        row = text[j].strip()
        if not row:
            continue
        if k > 1 and row.count(table.sep) == 0:
            for other in SEPARATORS:
                if other != table.sep and row.count(other) == k - 1:
                    raise InputError(
                        f"the rows are separated by {other!r} but the header by {table.sep!r}; "
                        "save the file with one delimiter throughout",
                        src.name,
                        j + 1,
                    )
        return


def read_columns(
    src: Source, table: Table, wanted: dict[str, int], floats_only: bool = False
) -> tuple[dict[str, np.ndarray], np.ndarray, list[str]]:
    """Read the columns ``wanted`` (key -> 0-based column index) as numbers.

    Returns ``(columns, line_of_row, warnings)``: each column is an int64,
    uint64 or float64 array (integers are kept exact so nanosecond clocks
    lose nothing), ``line_of_row`` the 1-based file line of each row.  Blank
    lines are dropped; a truncated final line (no newline at the end and a
    missing or partial cell) is dropped with a warning.

    ``floats_only``: the caller takes every column as float64 (no integer
    clock to keep exact), so a plain body (:func:`_plain_floats`) may be read
    without pandas -- while pandas is not imported yet: its import (~0.25 s)
    costs a CLI run more than numpy's slower parse, but once imported its
    parser is ~3x faster (the numbers are the same to the bit).  Anything
    else takes the pandas path below.
    """
    _line_sep_mismatch(src, table)
    idx = sorted(set(wanted.values()))
    k = len(table.names)
    if max(idx) >= k:
        raise InputError(f"the header has only {k} column(s)", src.name, table.header_line)
    plain = _plain_floats(src, table) if floats_only and "pandas" not in sys.modules else None
    if plain is not None:
        lines = np.arange(len(plain), dtype=np.int64) + (table.header_line + 1)
        return {key: plain[:, pos] for key, pos in wanted.items()}, lines, []
    import pandas as pd

    kw = dict(
        sep=table.sep,
        decimal=table.decimal,
        header=0,
        skiprows=table.skip,
        engine="c",
        skip_blank_lines=False,
        encoding="utf-8",
        encoding_errors="replace",
        quotechar='"',
        index_col=False,
    )
    # usecols costs pandas ~60 % more time; it is only worth it when some
    # columns are not wanted.
    kw["usecols"] = idx if len(idx) < k else None
    try:
        try:
            with pywarnings.catch_warnings():
                # a first row with more cells than the header; named below
                pywarnings.simplefilter("ignore", pd.errors.ParserWarning)
                df = pd.read_csv(src.csv_input(), **kw)
        except (pd.errors.ParserError, ValueError):
            df = None
        # usecols hides rows with too many cells (a value holding the
        # separator, a damaged line); one count over the bytes tells if any
        # may exist, and a scan of the lines then names the first.
        buf = src.buffer
        off = body_offset(src.head, table.header_line)
        if df is None or off is None or (
            k > 1 and np.count_nonzero(buf[off:] == ord(table.sep)) != len(df) * (k - 1)
        ):
            _too_many_cells(buf[off or 0 :].tobytes(), table, src.name)
            if df is None:
                df = pd.read_csv(src.csv_input(), **kw)
    except pd.errors.ParserError as exc:
        raise InputError(f"the CSV is malformed ({_first_line(exc)}); check the delimiter and quotes", src.name) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file has a header but no data rows", src.name) from None
    except (ValueError, UnicodeError, OverflowError, MemoryError) as exc:
        raise InputError(f"the file cannot be read as CSV ({_first_line(exc)})", src.name) from None

    lines = np.arange(len(df), dtype=np.int64) + (table.header_line + 1)
    cols = {pos: df.iloc[:, j if kw["usecols"] is not None else pos] for j, pos in enumerate(idx)}
    warnings: list[str] = []
    # Truncated final line: a crash or a cut copy leaves the last row partial.
    if len(lines) and not src.ends_with_newline():
        if any(_cell_bad(s.iloc[-1]) for s in cols.values()):
            warnings.append(f"dropped a truncated final line (line {int(lines[-1])})")
            lines = lines[:-1]
            cols = {p: s.iloc[:-1] for p, s in cols.items()}
    arrays = {pos: _numeric(cols[pos], table.names[pos], lines, src.name) for pos in idx}
    # Blank lines (every wanted cell empty) carry nothing.
    floats = [a for a in arrays.values() if a.dtype.kind == "f"]
    if len(floats) == len(arrays) and any(np.isnan(a).any() for a in floats):
        empty = np.logical_and.reduce([np.isnan(a) for a in floats])
        if empty.any():
            keep = ~empty
            lines = lines[keep]
            arrays = {p: a[keep] for p, a in arrays.items()}
    out = {key: arrays[pos] for key, pos in wanted.items()}
    return out, lines, warnings


def _plain_floats(src: Source, table: Table) -> np.ndarray | None:
    """The data rows as a float64 array (rows, header columns) when the body
    is plain: LF line ends including the last line, no blank line, no
    quotes, every row exactly the header's cells, every cell a finite number
    with a ``.`` decimal mark.  Anything else returns None and goes through
    pandas, whose path names the line of each fault.

    (The common case -- a file reptrack wrote -- then needs no pandas import,
    ~0.25 s of a CLI run's start-up.)
    """
    if table.decimal != "." or table.sep not in SEPARATORS or not table.names:
        return None
    off = body_offset(src.head, table.header_line)
    if off is None:
        return None
    body = src.buffer[off:].tobytes()
    if not body.endswith(b"\n") or body.startswith(b"\n") or b"\n\n" in body or b"\r" in body or b'"' in body:
        return None
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("error")
            a = parse_floats(body, table.sep)
    except (ValueError, UnicodeError, Warning):
        return None
    if a.shape != (body.count(b"\n"), len(table.names)) or not np.isfinite(a).all():
        return None
    return a


def _too_many_cells(body: bytes, table: Table, name: str) -> None:
    """Raise for the first data line with more cells than the header."""
    k = len(table.names)
    sep = table.sep.encode()
    for j, ln in enumerate(body.splitlines()):
        n = ln.count(sep) + 1
        if n > k and b'"' in ln:
            n = len(next(csv.reader([ln.decode("utf-8", "replace")], delimiter=table.sep), []))
        if n > k:
            raise InputError(
                f"this line has {n} cells but the header has {k}; a value probably holds "
                f"the delimiter {table.sep!r} or the line is damaged: fix or delete it",
                name,
                table.header_line + 1 + j,
            )


def body_offset(head: bytes, header_line: int) -> int | None:
    """Byte offset of the line after the header (``None`` if not in ``head``)."""
    pos = 0
    for _ in range(header_line):
        m = EOL_RE.search(head, pos)
        if m is None:
            return None
        pos = m.end()
    return pos


def _cell_bad(v: object) -> bool:
    import pandas as pd

    if isinstance(v, str):
        try:
            float(v.replace(",", "."))
        except ValueError:
            return True
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _numeric(s: pd.Series, col_name: str, lines: np.ndarray, name: str) -> np.ndarray:
    """Column as a numeric array; a text cell is fatal with its line."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        arr = s.to_numpy()
        if arr.dtype.kind in "iu":
            return arr
        return arr.astype(np.float64, copy=False)
    num = pd.to_numeric(s, errors="coerce")
    text = s.astype(str).str.strip()
    bad = (num.isna() & s.notna() & (text != "") & (text.str.lower() != "nan")).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"column {col_name!r} holds {str(s.iloc[i])[:30]!r}, which is not a number; fix or delete that line",
            name,
            int(lines[i]),
        )
    return num.to_numpy(dtype=np.float64, na_value=np.nan)


def _first_line(exc: BaseException) -> str:
    s = str(exc).strip()
    return s.splitlines()[0][:160] if s else type(exc).__name__


def relative_time(raw: np.ndarray, seconds_per_unit: float) -> tuple[np.ndarray, float]:
    """Times in seconds since the first row, and that row's raw value in seconds.

    Integer clocks (epoch ms, ns) are differenced in integers first so a
    nanosecond clock near 1.8e18 keeps its resolution.
    """
    if len(raw) == 0:
        return np.zeros(0), float("nan")
    if raw.dtype.kind in "iu":
        lo, hi = int(raw.min()), int(raw.max())
        first = int(raw[0])
        if raw.dtype.kind == "i" and hi - lo < 2**62:
            rel = (raw - raw.dtype.type(first)).astype(np.float64) * seconds_per_unit
        else:
            rel = (raw.astype(np.float64) - float(first)) * seconds_per_unit
        return rel, first * seconds_per_unit
    raw = raw.astype(np.float64, copy=False)
    first = float(raw[0])
    with np.errstate(invalid="ignore", over="ignore"):
        return (raw - first) * seconds_per_unit, first * seconds_per_unit


def iso_utc(unix_s: float | None) -> str | None:
    """ISO 8601 UTC of Unix seconds, to the millisecond (``...T07:30:00.250Z``;
    ``...T07:30:00Z`` on a whole second, as native files write it); ``None``
    if absent or outside 2000-2100."""
    if unix_s is None or not np.isfinite(unix_s) or not (EPOCH_RANGE_S[0] <= unix_s <= EPOCH_RANGE_S[1]):
        return None
    try:
        dt = datetime.fromtimestamp(round(float(unix_s), 3), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    spec = "seconds" if dt.microsecond == 0 else "milliseconds"
    return dt.isoformat(timespec=spec).replace("+00:00", "Z")


def spread_repeated_times(t: np.ndarray, rate_hz: float) -> np.ndarray:
    """Per-sample times when several samples share one clock value.

    Some apps stamp a whole BLE packet with one time (MetaBase at high
    rates).  Samples of a run of equal stamps are placed ``1/rate_hz`` apart
    from the run's stamp (the nominal rate is the best estimate of the
    spacing inside a packet); where that would overrun the next packet's
    stamp, samples are pushed so times stay increasing by at least half a
    period.  Gaps between packets are kept as they are.
    """
    n = len(t)
    if n < 2 or not rate_hz > 0:
        return t
    period = 1.0 / rate_hz
    i = np.arange(n)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    run = np.cumsum(new) - 1
    out = t + (i - starts[run]) * period
    step = 0.5 * period
    w = np.maximum.accumulate(out - i * step)
    return w + i * step


def repeated_fraction(t: np.ndarray) -> float:
    """Share of rows whose time equals the previous row's."""
    return float(np.count_nonzero(np.diff(t) == 0)) / max(len(t) - 1, 1)


#: A nominal rate (from a file name) further than this fraction from the
#: measured median rate is not trusted (a renamed file, a firmware that
#: rounds its rate): sensor clocks are within a few percent of nominal.
NOMINAL_TOLERANCE = 0.25

#: Above this share of repeated stamps a format that stamps packets is
#: re-timed from its nominal rate; below it, repeats are duplicated lines
#: (dropped with a warning by build_recording).
PACKET_STAMP_FRACTION = 0.1


def retime_packet_stamps(t: np.ndarray, rate_hz: float | None, warnings: list[str]) -> np.ndarray:
    """Apply :func:`spread_repeated_times` when the clock stamps packets.

    Only when more than :data:`PACKET_STAMP_FRACTION` of the rows repeat the
    previous time and the clock never runs backwards (a backwards clock is
    reported, not smoothed over).  ``rate_hz`` is the nominal rate; without
    one, the mean rate over the file is used.
    """
    if len(t) < 3 or repeated_fraction(t) <= PACKET_STAMP_FRACTION:
        return t
    with np.errstate(invalid="ignore"):
        if (np.diff(t) < 0).any() or not np.isfinite(t).all():
            return t
    if not rate_hz:
        span = float(t[-1] - t[0])
        if span <= 0:
            return t
        rate_hz = (len(t) - 1) / span
    warnings.append(f"several samples shared one timestamp; times rebuilt at the nominal {rate_hz:.4g} Hz")
    return spread_repeated_times(t, rate_hz)


def companion_gyro(
    gsrc: Source | None,
    origin_s: float,
    reader: Callable[[Source], tuple[np.ndarray, np.ndarray, float]],
    warnings: list[str],
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Gyroscope samples from the file recorded next to the accelerometer.

    ``reader(gsrc)`` returns ``(t s since its first row, gyro (M, 3) deg/s,
    its first row's time in s on the accelerometer's clock)``; the result is
    put on the accelerometer's time base (``origin_s`` is the accelerometer's
    first row).  The gyroscope is a bonus channel: a damaged file is skipped
    with a warning, never fatal.
    """
    if gsrc is None:
        return None, None
    try:
        g_rel, gyro, g_origin = reader(gsrc)
    except InputError as exc:
        warnings.append(f"ignored the gyroscope file next to it ({exc})")
        return None, None
    return g_rel + (g_origin - origin_s), gyro


def finish(
    src: Source,
    t: np.ndarray,
    acc_g: np.ndarray,
    lines: np.ndarray,
    *,
    origin_unix_s: float | None = None,
    gyro_t: np.ndarray | None = None,
    gyro_dps: np.ndarray | None = None,
    companion: tuple[Source | None, Callable[[Source], tuple[np.ndarray, np.ndarray, float]]] | None = None,
    meta: dict[str, str] | None = None,
    nominal_rate_hz: float | None = None,
    warnings: Sequence[str] = (),
    gravity_hint: str = "",
) -> Recording:
    """Checks every vendor reader shares, then :func:`build_recording`.

    ``t`` is seconds on any origin (``origin_unix_s`` is the Unix time of
    ``t == 0`` when the file has an absolute clock), ``acc_g`` (N, 3) g,
    ``gyro_t``/``gyro_dps`` on the same clock as ``t``, or ``companion`` =
    ``(gyroscope file, its reader)`` (see :func:`companion_gyro`; its clock
    is the one ``origin_unix_s`` is on).
    """
    warnings = list(warnings)
    if companion is not None and origin_unix_s is not None:
        gyro_t, gyro_dps = companion_gyro(companion[0], origin_unix_s, companion[1], warnings)
    t = np.asarray(t, dtype=np.float64)
    acc = np.asarray(acc_g, dtype=np.float64).reshape(-1, 3)
    if not np.isfinite(t).all():
        inf_t = np.isinf(t)
        if inf_t.any():
            i = int(np.flatnonzero(inf_t)[0])
            raise InputError("the time cell is not a finite number; fix or delete that line", src.name, int(lines[i]))
    usable = _usable_acc(acc, src.name, lines, warnings, gravity_hint)
    if not usable.all():
        acc = np.where(usable, acc, np.nan)
        # Rows with no acceleration at either end are cut here (not by
        # build_recording) so start_utc stays the time of the first kept sample.
        ok = usable.all(axis=1)
        if ok.any() and not (ok[0] and ok[-1]):
            a, b = int(np.argmax(ok)), len(ok) - int(np.argmax(ok[::-1]))
            warnings.append(f"dropped {len(ok) - (b - a)} row(s) without acceleration at the start or end")
            t, acc, lines = t[a:b], acc[a:b], lines[a:b]
    if len(t) > 1 and np.nanmax(t) - np.nanmin(t) > MAX_JUMP_S:
        dt = np.diff(t)
        with np.errstate(invalid="ignore"):
            jump = np.flatnonzero(np.abs(dt) > MAX_JUMP_S)
        # When most steps are that long the time unit is wrong, not one
        # timestamp: build_recording says so (implausible sample rate).
        if len(jump) and float(np.nanmedian(dt)) <= 1.0 / RATE_RANGE_HZ[0]:
            # (the first far step names its line: a single damaged time far
            # back or far ahead is the line where the step happens)
            i = int(jump[0]) + 1
            way = "forward" if dt[i - 1] > 0 else "back"
            raise InputError(
                f"time jumps {way} by {abs(t[i] - t[i - 1]) / 3600:.3g} h; the timestamp is damaged or the "
                "clock was reset: fix that line or split the file there",
                src.name,
                int(lines[i]),
            )
    if nominal_rate_hz and len(t) > 2 and not _steps_near_rate(t, nominal_rate_hz):
        with np.errstate(invalid="ignore"):
            med = float(np.nanmedian(np.diff(t)))
        if med > 0 and abs(1.0 / med - nominal_rate_hz) > NOMINAL_TOLERANCE * nominal_rate_hz:
            warnings.append(
                f"the samples come at {1.0 / med:.3g} Hz, not the nominal {nominal_rate_hz:g} Hz; using the measured rate"
            )
            nominal_rate_hz = None
    start = None
    if origin_unix_s is not None and len(t) and np.isfinite(t[0]):
        start = iso_utc(origin_unix_s + float(t[0]))
    return build_recording(
        t,
        acc,
        path=src.name,
        line_of_row=lines,
        gyro_t=gyro_t,
        gyro=gyro_dps,
        meta=meta,
        start_utc=start,
        nominal_rate_hz=nominal_rate_hz,
        warnings=warnings,
        gravity_hint=gravity_hint,
    )


def _steps_near_rate(t: np.ndarray, rate_hz: float) -> bool:
    """True when more than half the time steps are within
    :data:`NOMINAL_TOLERANCE` of ``rate_hz`` -- then the median step is too
    (a cheap exact test for the common case; the median is only computed
    when this fails)."""
    dt = np.diff(t)
    lo, hi = 1.0 / ((1 + NOMINAL_TOLERANCE) * rate_hz), 1.0 / ((1 - NOMINAL_TOLERANCE) * rate_hz)
    with np.errstate(invalid="ignore"):
        return 2 * int(np.count_nonzero((dt >= lo) & (dt <= hi))) > len(dt)


def _usable_acc(acc: np.ndarray, name: str, lines: np.ndarray, warnings: list[str], gravity_hint: str) -> np.ndarray:
    """Mask of the acceleration cells that hold a plausible number.

    ``inf`` and cells beyond :data:`MAX_ABS_G` are damaged values: they are
    counted in a warning (with the first line) and treated as empty cells.
    Data in another unit than declared (milli-g in a g column) is refused
    first with the unit sentence, rather than read as damaged cells.
    """
    if len(acc) and -MAX_ABS_G <= acc.min() and acc.max() <= MAX_ABS_G:  # fast path; NaN fails it
        return np.ones(acc.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        usable = np.abs(acc) <= MAX_ABS_G
    damaged = ~usable & ~np.isnan(acc)
    if damaged.any():
        finite_rows = np.isfinite(acc).all(axis=1)
        if finite_rows.any():
            with np.errstate(over="ignore", invalid="ignore"):
                check_units_and_gravity(acc[finite_rows], name, gravity_hint)
        rows = np.flatnonzero(damaged.any(axis=1))
        warnings.append(
            f"{int(damaged.sum())} acceleration cell(s) held inf or a value beyond {MAX_ABS_G:g} g "
            f"(first at line {int(lines[rows[0]])}); they are treated as empty cells"
        )
    return usable


def meta_start_utc(meta: dict[str, str], warnings: list[str]) -> str | None:
    """The ``start_utc`` metadata value when it is an ISO 8601 time.

    An unreadable value (``notadate``, month 13) is removed from ``meta`` with
    a warning and ``None`` is returned: the recording is still analysed, it
    only has no absolute start.
    """
    value = (meta.get("start_utc") or "").strip()
    if not value:
        meta.pop("start_utc", None)
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        meta.pop("start_utc")
        warnings.append(f"ignored the start_utc metadata {value[:40]!r}, which is not an ISO 8601 time")
        return None
    return value


def meta_rate_hz(meta: dict[str, str], warnings: list[str]) -> float | None:
    """The ``sample_rate_hz`` metadata value when it is a positive number, else
    ``None`` (with a warning if a value was given); the measured rate is then used."""
    value = (meta.get("sample_rate_hz") or "").strip()
    if not value:
        return None
    try:
        rate = float(value)
    except ValueError:
        rate = float("nan")
    if not (np.isfinite(rate) and rate > 0):
        warnings.append(f"ignored the sample_rate_hz metadata {value[:40]!r}, which is not a positive number")
        return None
    return rate


def unit_in(name: str) -> str:
    """The unit written in brackets or parentheses at the end of a column name."""
    m = re.search(r"[\[(]([^\[\]()]*)[\])]\s*$", name)
    return m.group(1).strip().lower() if m else ""
