"""Per-rep measures: wobble (loss of control) and the causal references that
flags compare against.

Wobble
------
``wobble`` is the RMS tilt *rate* (deg/s) of the part of the rep's motion
that is not the smooth movement itself: the signed tilt is high-passed by
subtracting a centred moving average of :data:`WOBBLE_HP_S` (so components
below ~2 Hz -- the lift, hold and lower -- are removed), lightly low-passed
over :data:`WOBBLE_LP_S` (keeping tremor up to ~12 Hz, the band where loss of
control shows: 4-12 Hz physiological/fatigue tremor, Melendez-Calderon et al.
2021), differentiated, and its RMS taken over the rep.  The sensor's own noise
floor, measured the same way while the athlete rests, is subtracted in
quadrature so a quiet sensor and a noisy one give comparable numbers.
Higher means less control.  Unit: deg/s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: High-pass window (s): a centred moving average this long is subtracted.
WOBBLE_HP_S = 0.3
#: Low-pass window (s) applied before differentiating (keeps < ~12 Hz).
WOBBLE_LP_S = 0.06
#: Number of earlier reps the references look back over.
REF_RANGE_REPS = 6
REF_WOBBLE_REPS = 10
#: Absolute margin (deg/s) a rep's wobble must exceed the scaled reference by,
#: so tiny references (a very steady athlete) do not flag noise.
WOBBLE_MIN_EXCESS = 1.0


def moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` samples (made odd), shrinking at the edges."""
    if n <= 1 or len(x) == 0:
        return np.asarray(x, dtype=np.float64)
    n = n | 1
    h = n // 2
    c = np.concatenate(([0.0], np.cumsum(x)))
    i = np.arange(len(x))
    a = np.maximum(i - h, 0)
    b = np.minimum(i + h + 1, len(x))
    return (c[b] - c[a]) / (b - a)


def jitter_rate(x: np.ndarray, fs: float) -> np.ndarray:
    """Band-passed (~2-12 Hz) rate of ``x`` (deg -> deg/s) on a uniform grid at ``fs`` Hz."""
    x = np.asarray(x, dtype=np.float64)
    hp = x - moving_average(x, int(round(WOBBLE_HP_S * fs)))
    bp = moving_average(hp, int(round(WOBBLE_LP_S * fs)))
    return np.diff(bp) * fs


def wobble(tilt_deg: np.ndarray, fs: float, noise_rate_rms: float = 0.0) -> float:
    """Wobble (deg/s RMS) of a rep's signed tilt sampled at ``fs`` Hz.

    ``noise_rate_rms`` is the same measure on resting data (deg/s); it is
    removed in quadrature.
    """
    if len(tilt_deg) < 5:
        return 0.0
    r = jitter_rate(tilt_deg, fs)
    ms = float(np.mean(r * r)) - noise_rate_rms**2
    return float(np.sqrt(ms)) if ms > 0 else 0.0


def reference_range(ranges: Sequence[float], partial_rel: float = 0.5) -> float | None:
    """Reference range (deg): median of the last :data:`REF_RANGE_REPS` earlier reps
    that were not partial.  None before the first rep."""
    if not ranges:
        return None
    recent = np.asarray(ranges[-REF_RANGE_REPS:], dtype=np.float64)
    med = float(np.median(recent))
    full = recent[recent >= partial_rel * med]
    return float(np.median(full)) if len(full) else med


def reference_wobble(wobbles: Sequence[float]) -> float | None:
    """Reference wobble (deg/s): median of the last :data:`REF_WOBBLE_REPS` earlier
    controlled (not wobble-flagged) reps; None before there are two."""
    if len(wobbles) < 2:
        return None
    return float(np.median(np.asarray(wobbles[-REF_WOBBLE_REPS:], dtype=np.float64)))
