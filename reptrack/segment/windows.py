"""Window tests on the segmenter's traces: where a deviation trace
(deg from the rest direction) is still, settled low, held below a level,
back from a movement; rolling extremes, causal averages and small helpers
:mod:`reptrack.segment.stream` runs on every look.  Pure functions of
their arrays (sample indices in, sample indices out)."""

from __future__ import annotations

import numpy as np

from ..metrics import nonzero1d
from .params import (
    RET_STILL_FRAC,
    RET_STILL_SWAY_K,
    STILL_DRIFT_DEG,
    STILL_DRIFT_REL,
    STILL_SPREAD_DEG,
    STILL_SWAY_K,
)


def still_far(d: np.ndarray, n: int, t_on: float, first: int, sway: float) -> int | None:
    """End index of the first window of ``n`` samples (starting at or after
    ``first``) in which ``d`` stays far (> ``t_on``) and still: its thirds agree
    in mean and it varies little about its mean (tolerances widened by
    ``sway``, the resting RMS deviation, deg).  None if there is none."""
    c = np.concatenate(([0.0], np.cumsum(d)))
    c2 = np.concatenate(([0.0], np.cumsum(d * d)))
    m3 = n // 3
    i = np.arange(first + n, len(d) + 1)
    if not len(i):
        return None
    m_a = (c[i - n + m3] - c[i - n]) / m3
    m_b = (c[i - m3] - c[i - 2 * m3]) / m3
    m_c = (c[i] - c[i - m3]) / m3
    mean = (c[i] - c[i - n]) / n
    var = np.maximum((c2[i] - c2[i - n]) / n - mean * mean, 0.0)
    tol = STILL_DRIFT_DEG + STILL_DRIFT_REL * m_b + STILL_SWAY_K * sway
    still = (
        (np.abs(m_c - m_a) < tol)
        & (np.abs(m_b - m_a) < tol)
        & (np.minimum(m_a, m_c) > t_on)
        & (np.sqrt(var) < STILL_SPREAD_DEG + STILL_DRIFT_REL * mean)
    )
    hits = nonzero1d(still)
    return int(i[hits[0]]) - 1 if len(hits) else None


def mean_inside(x: np.ndarray, edge: int) -> float:
    """Mean of ``x`` (n,) away from ``edge`` samples at each end (where a
    centred high-pass's shrinking averages read low), or of all of it when
    it is too short for that."""
    return float(np.mean(x[edge:-edge] if len(x) > 2 * edge + 1 else x))


def first_run_end(starts: np.ndarray) -> int:
    """Last element of the first run of consecutive integers in ``starts``
    (non-empty, increasing): where a run of still windows ends."""
    breaks = nonzero1d(np.diff(starts) > 1)
    return int(starts[breaks[0]]) if len(breaks) else int(starts[-1])


def longest_run(mask: np.ndarray) -> tuple[int, int] | None:
    """First and last index of the longest run of True in the 1-D boolean
    ``mask`` (the first such run on a tie), or None when there is none."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts, stops = nonzero1d(edges == 1), nonzero1d(edges == -1)
    if not len(starts):
        return None
    k = int(np.argmax(stops - starts))
    return int(starts[k]), int(stops[k]) - 1


def carry_forward(sel: np.ndarray, ok_idx: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For indices 0..n-1: which have a selected index at or before them
    (mask), and for those the position in ``ok_idx`` of the latest one."""
    last = np.full(n, -1)
    last[sel] = sel
    last = np.maximum.accumulate(last)
    have = last >= 0
    return have, np.searchsorted(ok_idx, last[have])


def gradient(x: np.ndarray) -> np.ndarray:
    """``np.gradient(x)`` (unit spacing, first-order edges) without its
    per-call overhead: central differences inside, one-sided at the ends."""
    v = np.empty(len(x))
    if len(x) < 2:
        v[:] = 0.0
        return v
    v[1:-1] = (x[2:] - x[:-2]) / 2.0
    v[0] = x[1] - x[0]
    v[-1] = x[-1] - x[-2]
    return v


def held_below(x: np.ndarray, level: float, n: int) -> np.ndarray:
    """Indices at which ``x`` has been below ``level`` for the last ``n``
    samples running (the ends of such runs, as they become known)."""
    if n <= 1:
        return nonzero1d(x < level)
    return nonzero1d(rolling_min_max(x, n)[1] < level) + (n - 1)


def rolling_min_max(d: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of ``d`` over each window of ``n`` samples (window ``i`` ends at ``i + n - 1``)."""
    # sparse-table doubling: extremes over 1, 2, 4, ... samples, then two
    # overlapping power-of-two spans cover the window (exact; a few array
    # operations instead of a reduction over a strided (len, n) view)
    m = len(d) - n + 1
    if m <= 0:
        return np.empty(0), np.empty(0)
    lo, hi, span = d, d, 1
    while 2 * span <= n:
        lo = np.minimum(lo[:-span], lo[span:])
        hi = np.maximum(hi[:-span], hi[span:])
        span *= 2
    return np.minimum(lo[:m], lo[n - span : n - span + m]), np.maximum(hi[:m], hi[n - span : n - span + m])


def settled_low(d: np.ndarray, n: int, t_on: float, sway: float) -> int | None:
    """First index where ``d`` is below half its running peak (and the peak
    is a real movement) and has varied by less than :data:`RET_STILL_FRAC` of
    the peak (or :data:`RET_STILL_SWAY_K` x ``sway``, the resting deviation, if
    more) over the last ``n`` samples."""
    if len(d) <= n:
        return None
    peak = np.maximum.accumulate(d)
    lo, hi = rolling_min_max(d, n + 1)
    spread = hi - lo
    idx = np.arange(n, len(d))
    ok = (d[idx] < 0.5 * peak[idx]) & (peak[idx] > 2.0 * t_on) & (spread < np.maximum(RET_STILL_FRAC * peak[idx], RET_STILL_SWAY_K * sway))
    # the window must lie after the half crossing (the lower, not the lift)
    half = nonzero1d((d < 0.5 * peak) & (peak > 2.0 * t_on))
    if not len(half):
        return None
    ok &= idx - n >= half[0]
    hits = nonzero1d(ok)
    return int(idx[hits[0]]) if len(hits) else None


def confirmed_return(
    d: np.ndarray, t_off: np.ndarray, t_on: float, n_confirm: int, final: bool
) -> tuple[int | None, int | None]:
    """First index ``i`` where ``d`` < ``t_off[i]`` and ``d`` then stays at or below
    ``max(t_on, 2 t_off[i])`` for ``n_confirm`` samples.

    Returns ``(index, None)`` when found, ``(None, pending)`` when the data
    held cannot tell yet whether the candidate at ``pending`` is confirmed,
    and ``(None, None)`` when there is no candidate.
    """
    below = nonzero1d(d < t_off)
    for n_tried, i in enumerate(below):
        if n_tried > 400:
            return None, int(i)
        hi = max(t_on, 2.0 * float(t_off[i]))
        seg = d[i + 1 : i + 1 + n_confirm]
        if np.any(seg > hi):
            continue
        if len(seg) < n_confirm and not final:
            return None, int(i)
        return int(i), None
    return None, None


def causal_ma(x: np.ndarray, carry: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Causal moving average over ``n`` samples continuing from ``carry`` (the
    previous up to n-1 inputs); shrinks at the start of a run."""
    xx = np.vstack([carry, x]) if len(carry) else x
    cs = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(xx, axis=0)])
    idx = np.arange(len(carry), len(xx))
    lo = np.maximum(idx - n + 1, 0)
    out = (cs[idx + 1] - cs[lo]) / (idx + 1 - lo)[:, None]
    return out, xx[-(n - 1) :].copy() if n > 1 else xx[:0]
