"""Checks and repairs shared by every reader.

What is fatal and what is repaired (documented in the README, table
"Validation"):

=============================================  =========================================
condition                                      outcome
=============================================  =========================================
required column missing                        fatal: names the columns found
non-numeric cell                               fatal: names the line and the column
no data rows / header only                     fatal
time running backwards                         fatal: names the line
less than :data:`MIN_DURATION_S` of data       fatal
median |a| looks like m/s^2 (7-12) or mg       fatal: says which unit and how to convert
(500-2000) in a g column
no gravity (median |a| < 0.5 g)                fatal: linear/"without g" exports
truncated final line (a crash can leave one)   repaired: line dropped, warning
duplicated timestamps                          repaired: later duplicates dropped, warning
short NaN runs (<= :data:`MAX_NAN_FILL_S`)     repaired: linear fill, warning
longer NaN runs                                rows dropped -> reported as a gap
=============================================  =========================================
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..model import Recording, find_gaps

#: Shortest recording we analyse (issue #2): a rep takes several seconds, and
#: anything shorter is almost certainly a broken export.
MIN_DURATION_S = 2.0
#: NaN runs up to this long are filled by linear interpolation (s); longer
#: runs are dropped and show up as gaps.
MAX_NAN_FILL_S = 0.25
#: |a| of a sensor at rest is 1 g; these windows identify other units.
GRAVITY_MIN_G = 0.5
MPS2_RANGE = (7.0, 12.5)
#: Sample rates (Hz) an accelerometer can have; outside, the time unit is wrong.
RATE_RANGE_HZ = (0.5, 5000.0)
MG_RANGE = (500.0, 2000.0)

GRAVITY_SENTENCE = (
    "this data has no gravity in it (median |a| = {med:.3f} g), so shank tilt cannot be "
    "measured; export the acceleration *including* gravity instead{hint}"
)


class NoGravityError(InputError):
    """The acceleration holds no gravity (:data:`GRAVITY_SENTENCE`): a
    "linear" export, or a unit read wrongly (g data declared as milli-g)."""


#: Samples (evenly spaced) whose median magnitude decides the unit check.
UNIT_CHECK_SAMPLES = 20_000


def median_magnitude(acc: np.ndarray, max_samples: int | None = None) -> float:
    """Median of |a| over the rows of ``acc`` (N, 3), rows with NaN skipped;
    0.0 when there is none.  With ``max_samples``, over that many evenly
    spaced rows (a worn sensor's median |a| is steady, so they decide it)."""
    sub = acc if max_samples is None else acc[:: max(1, len(acc) // max_samples)]
    with np.errstate(invalid="ignore", over="ignore"):
        mag = np.sqrt(np.einsum("ij,ij->i", sub, sub))
    mag = mag[~np.isnan(mag)]
    return float(np.median(mag)) if len(mag) else 0.0


def check_units_and_gravity(acc_g: np.ndarray, path: str | None, hint: str = "") -> None:
    """Raise :class:`InputError` unless ``acc_g`` (N, 3) looks like g with gravity.

    The median magnitude of a worn accelerometer is ~1 g whatever the motion,
    so it identifies both the unit and whether gravity was removed.
    ``hint`` is appended to the gravity sentence (e.g. which export to use).
    """
    # (evenly spaced samples decide it as well as all of them: the unit
    # ranges are far apart; an hour at 100 Hz costs 5 ms less per read)
    med = median_magnitude(acc_g, UNIT_CHECK_SAMPLES)
    if MPS2_RANGE[0] <= med <= MPS2_RANGE[1]:
        raise InputError(
            f"the acceleration columns look like m/s^2, not g (median |a| = {med:.2f}); "
            "divide by 9.80665 or use --units m/s2",
            path,
        )
    if MG_RANGE[0] <= med <= MG_RANGE[1]:
        raise InputError(
            f"the acceleration columns look like milli-g, not g (median |a| = {med:.0f}); "
            "divide by 1000 or use --units mg",
            path,
        )
    if med < GRAVITY_MIN_G:
        raise NoGravityError(GRAVITY_SENTENCE.format(med=med, hint=hint), path)
    if med > 4.0:
        raise InputError(
            f"the acceleration magnitude (median {med:.2f}) is not plausible in g for a worn "
            "sensor; check the unit of the columns (--units g|mg|m/s2)",
            path,
        )


def fill_short_nan_runs(
    t: np.ndarray, x: np.ndarray, max_fill_s: float = MAX_NAN_FILL_S
) -> tuple[np.ndarray, int, int]:
    """Linearly fill NaN runs of ``x`` (N, k) no longer than ``max_fill_s``.

    Returns ``(keep_mask, n_filled, n_dropped)``: ``x`` is filled in place;
    rows in longer runs (or at the very ends) are marked ``False`` in the mask
    so the caller drops them (they become gaps, never invented data).
    """
    keep = np.ones(len(t), dtype=bool)
    if not np.isnan(x).any():  # fast path: a per-row test costs ~10x more
        return keep, 0, 0
    bad = np.isnan(x).any(axis=1)
    n_filled = n_dropped = 0
    edges = np.diff(np.concatenate(([0], bad.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    for a, b in zip(starts, stops):
        if a == 0 or b == len(t) or (t[b] - t[a - 1]) > max_fill_s + 1e-9:
            keep[a:b] = False
            n_dropped += b - a
            continue
        w = (t[a:b] - t[a - 1]) / (t[b] - t[a - 1])
        x[a:b] = x[a - 1] + w[:, None] * (x[b] - x[a - 1])
        n_filled += b - a
    return keep, n_filled, n_dropped


def build_recording(
    t: np.ndarray,
    acc: np.ndarray,
    *,
    path: str | None,
    line_of_row: np.ndarray | None = None,
    gyro_t: np.ndarray | None = None,
    gyro: np.ndarray | None = None,
    meta: dict[str, str] | None = None,
    start_utc: str | None = None,
    nominal_rate_hz: float | None = None,
    warnings: list[str] | None = None,
    gravity_hint: str = "",
) -> Recording:
    """Validate raw columns and return a :class:`Recording` (times rebased to 0).

    ``t`` is in seconds on any origin, ``acc`` in g.  ``line_of_row`` maps a
    row index to its 1-based file line for error messages.
    """
    warnings = list(warnings or [])
    meta = dict(meta or {})
    t = np.asarray(t, dtype=np.float64)
    acc = np.asarray(acc, dtype=np.float64).reshape(-1, 3)

    def line(i: int) -> int | None:
        return int(line_of_row[i]) if line_of_row is not None and i < len(line_of_row) else None

    if len(t) == 0:
        raise InputError("the file has a header but no data rows", path)
    if np.isnan(t).any():
        i = int(np.flatnonzero(np.isnan(t))[0])
        raise InputError("the time cell is empty; every row needs a time", path, line(i))
    dt = np.diff(t)
    back = np.flatnonzero(dt < 0)
    if len(back):
        i = int(back[0]) + 1
        raise InputError(
            f"time runs backwards ({t[i - 1]:.6g} then {t[i]:.6g}); "
            "sort the rows by time or split the file where the clock was reset",
            path,
            line(i),
        )
    dup = np.flatnonzero(dt == 0) + 1
    if len(dup):
        keep = np.ones(len(t), dtype=bool)
        keep[dup] = False
        warnings.append(f"dropped {len(dup)} row(s) with a repeated timestamp (first at line {line(int(dup[0]))})")
        t, acc = t[keep], acc[keep]
        if line_of_row is not None:
            line_of_row = np.asarray(line_of_row)[keep]

    keep, n_filled, n_dropped = fill_short_nan_runs(t, acc)
    if n_filled:
        warnings.append(f"filled {n_filled} empty acceleration sample(s) in runs of at most {MAX_NAN_FILL_S} s")
    if n_dropped:
        warnings.append(f"dropped {n_dropped} empty acceleration sample(s); they are reported as gaps")
        t, acc = t[keep], acc[keep]
    if len(t) < 2 or t[-1] - t[0] < MIN_DURATION_S:
        dur = float(t[-1] - t[0]) if len(t) else 0.0
        raise InputError(
            f"the recording holds only {dur:.2f} s of data; at least {MIN_DURATION_S:.0f} s are needed",
            path,
        )
    check_units_and_gravity(acc, path, gravity_hint)

    t0 = t[0]
    t = t - t0
    if gyro_t is not None and gyro is not None and len(gyro_t):
        gyro_t = np.asarray(gyro_t, dtype=np.float64) - t0
        gyro = np.asarray(gyro, dtype=np.float64).reshape(-1, 3)
        ok = np.isfinite(gyro).all(axis=1) & np.isfinite(gyro_t)
        gyro_t, gyro = gyro_t[ok], gyro[ok]
        order = np.argsort(gyro_t, kind="stable")
        gyro_t, gyro = gyro_t[order], gyro[order]
    else:
        gyro_t = gyro = None

    rate = nominal_rate_hz
    if not rate or not np.isfinite(rate) or rate <= 0:
        med = float(np.median(np.diff(t)))
        rate = 1.0 / med if med > 0 else 0.0
    if not (RATE_RANGE_HZ[0] <= rate <= RATE_RANGE_HZ[1]):
        raise InputError(
            f"the sample rate ({rate:.3g} Hz) is not plausible for an accelerometer; "
            "check the time column's unit (--time-unit s|ms|us|ns)",
            path,
        )
    return Recording(
        t=t,
        acc=acc,
        gyro_t=gyro_t,
        gyro=gyro,
        meta=meta,
        start_utc=start_utc,
        path=path,
        nominal_rate_hz=float(rate),
        gaps=find_gaps(t, float(rate)),
        warnings=warnings,
    )
