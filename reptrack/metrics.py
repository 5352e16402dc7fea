"""Per-rep measures: wobble (loss of control) and the causal references that
flags compare against.

Wobble
------
Loss of control shows as tremor-like shaking of the shank (physiological
and fatigue tremor, 4-12 Hz, plus slower 2-4 Hz corrections; Melendez-
Calderon et al. 2021).  A shin-worn accelerometer sees such shaking mostly as
*tangential linear acceleration*: a small rotation ``theta`` at angular
frequency ``w`` of a sensor ``r`` from the joint gives ``r w^2 theta``, which
at 5 Hz and r = 0.25 m is ~25x the gravity change ``g theta``.  So wobble is
measured from the acceleration itself:

1. the rep's acceleration (3 axes, g) is high-passed at ~4 Hz (a centred
   moving average of :data:`WOBBLE_HP_S` subtracted: the lift and lower,
   even of a fast bouncing rep, stay below it) up to the 25 Hz Nyquist limit
   of the processing grid (optionally low-passed by :data:`WOBBLE_LP_S`);
2. its RMS magnitude ``A`` (m/s^2) is taken;
3. ``wobble = A / (w0 r)`` converted to deg/s, with ``r`` =
   :data:`LEVER_ARM_M` and ``w0`` = 2 pi :data:`TREMOR_REF_HZ` -- the RMS
   angular velocity of a shaking at that frequency that gives this ``A``.

(Dividing by each rep's own RMS frequency ``RMS(dA/dt) / RMS(A)`` instead
would read ``A / (w r)``, the angular velocity at any tremor frequency, but
that frequency is noisy -- sensor noise pulls it up on quiet reps -- and it
assumes all of ``A`` is tangential: where the sensor sees little lever arm
``A`` is gravity's turn ``g theta`` and ``A / w`` ranks reps by
``theta / w``.  With the fixed frequency: wobble Spearman 0.84 / 0.87
against 0.79 / 0.85 on 36 fresh acceptance-like sessions (9000-9035, with
/ without sway), the wobble flag's F1 0.96 / 0.98 against 0.94 / 0.96, and
on sessions without a lever arm whose tremor is large enough to see (20x)
Spearman 0.70 against 0.59 -- both with the floor of the last rest; with
the quietest rest's, 0.87 / 0.88 and 0.78.)

Slower corrections (1-3 Hz, :data:`SLOW_WOBBLE_HZ`) barely register there,
yet they are much of what a losing-control rep looks like.  They are read
from the in-plane tilt the fitted movement leaves (:func:`slow_shake_power`):
its spectrum, each frequency scaled back from ``theta (1 + r w^2 / g)``
(gravity plus tangential acceleration) to ``w theta``, summed over the band.
The two parts add in power.  On 24 acceptance-like sessions whose reps'
wobble is 90 % slow (``benchmarks/bench_accuracy.py --tremor-share 0.1``)
the wobble flag's F1 goes from 0.71 (high-pass alone) to 0.89 without sway
and from 0.69 to 0.86 with it; their rank correlation with the truth stays
about the same (Spearman 0.72 -> 0.68, 0.69 -> 0.64).

The sensor's own noise (and sway, for the slow part), measured the same way
while resting before a rep (for the high-pass part the quietest rest so
far), is removed in quadrature.  Higher means less control.  Unit: deg/s
(assuming the sensor sits :data:`LEVER_ARM_M` from the joint the shank
turns about and the tremor is at :data:`TREMOR_REF_HZ`).

With a gyroscope
----------------
A gyroscope reads the shaking's angular velocity directly, wherever the
sensor sits and whatever its frequency.  When a recording has one,
:func:`gyro_wobble` reads the RMS magnitude (deg/s) of the angular velocity
left when the fitted movement's own turning is taken out (the segmenter
does that), high-passed by :data:`GYRO_WOBBLE_HP_S` (shortened for quick
reps, ``reptrack.segment.params.GYRO_FAST_K``, which also cuts some of their
tremor below ~5 Hz), less the quietest still rest seen so far (sensor
noise, read through the same high-pass) in quadrature; the rep's wobble is
the power mean of that and the accelerometer's reading (the
accelerometer's alone where the gyroscope has no readings near the rep --
on a scale that differs where the sensor sees no lever arm).  Where the
sensor sees a lever arm the accelerometer ranks reps about as well or
better; without one its reading sinks to its floor and the gyroscope's
carries the mean.
Measured with ``benchmarks/bench_accuracy.py --gyro`` (wobble Spearman
median / wobble flag F1 -- gyroscope alone; accelerometer alone; power
mean): acceptance-like 1000-1023 0.89 / 0.97; 0.89 / 0.97; 0.90 / 0.98.
9000-9035 0.79 / 0.94; 0.87 / 0.98; 0.87 / 0.97.  Grid 7000-7011 0.83 /
0.93; 0.82 / 0.94; 0.87 / 0.94.  1000-1023 without a lever arm 0.90 /
0.97; 0.25 / 0.06; 0.90 / 0.95.  All wobble slow 0.67 / 0.86; 0.57 / 0.80;
0.70 / 0.86.  (The arithmetic mean measured the same with a lever arm and
worse without it: 0.82 / 0.92.)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: High-pass window (s): a centred moving average this long is subtracted
#: (~4 Hz; longer windows let fast reps' own acceleration read as wobble).
WOBBLE_HP_S = 0.15
#: Optional low-pass window (s); 0 keeps everything up to Nyquist, which
#: measured best (high tremor frequencies were otherwise under-read).
WOBBLE_LP_S = 0.0
#: Assumed distance (m) from the joint to the sensor (mid-shin).
LEVER_ARM_M = 0.25
#: Reference tremor frequency (Hz) that turns the high-passed acceleration
#: into angular velocity: the middle of physiological and fatigue tremor
#: (4-12 Hz).  Measured on 24 acceptance-like sessions and the grid
#: 3000-3011 (wobble Spearman median, wobble flag F1; with the floor of the
#: last rest, before it became the quietest rest's): 4 Hz 0.79 / 0.96,
#: 0.78 / 0.95; 6 Hz 0.81 / 0.96, 0.78 / 0.97; 8 Hz 0.75 / 0.97, 0.76 / 0.97.
TREMOR_REF_HZ = 6.0
G_MPS2 = 9.80665
#: Number of earlier reps the references look back over.
REF_RANGE_REPS = 6
REF_WOBBLE_REPS = 10
#: Absolute margin (deg/s) a rep's wobble must exceed the scaled reference by,
#: so tiny references (a very steady athlete) do not flag noise.  Measured on
#: 24 acceptance-like and 84 grid sessions: 1.0 missed the wobbly reps of
#: steady athletes (a 0.4 deg/s baseline then needs 3.5x), wobble flag F1
#: 0.86 / 0.75; 0.5 gives 0.96 / 0.87; 0.3 lets sensor noise raise flags
#: (0.93 / 0.84).  Re-checked with the tremor read at TREMOR_REF_HZ (grid
#: 7000-7011, acceptance-like 9000-9035): 0.35 gives 0.92 / 0.97, 0.5 0.94 /
#: 0.98, 0.7 0.93 / 0.97.
WOBBLE_MIN_EXCESS = 0.5


def median1d(x: np.ndarray) -> float:
    """Median of a non-empty 1-D array (as ``np.median``, without its
    per-call overhead: the segmenter takes ~20k small medians per hour)."""
    n = len(x)
    k = n // 2
    if n % 2:
        return float(np.partition(x, k)[k])
    p = np.partition(x, (k - 1, k))
    return float((p[k - 1] + p[k]) / 2.0)


def nonzero1d(mask: np.ndarray) -> np.ndarray:
    """Indices where the 1-D boolean ``mask`` is true: ``np.flatnonzero``
    without its wrapper overhead (the segmenter calls it ~30k times per hour)."""
    return mask.nonzero()[0]


def moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` samples (made odd), shrinking at the
    edges, of ``x`` (m,) or of each column of ``x`` (m, k)."""
    if n <= 1 or len(x) == 0:
        return np.asarray(x, dtype=np.float64)
    n = n | 1
    h = n // 2
    m = len(x)
    c = np.empty((m + 1,) + np.shape(x)[1:])
    c[0] = 0.0
    np.asarray(x).cumsum(axis=0, out=c[1:])  # (the method: no wrapper overhead)
    col = (slice(None),) + (None,) * (c.ndim - 1)  # a count per row, broadcast over columns
    if m <= 2 * h:
        i = np.arange(m)
        a = np.maximum(i - h, 0)
        b = np.minimum(i + h + 1, m)
        return (c[b] - c[a]) / (b - a)[col]
    out = np.empty((m,) + c.shape[1:])
    mid = out[h : m - h]
    np.subtract(c[n:], c[: m + 1 - n], out=mid)
    mid /= n
    # the shrinking edges: windows [0, i + h] and [i - h, m)
    head, tail = _edge_counts(n)
    np.divide(c[h + 1 : n], head[col], out=out[:h])
    np.subtract(c[m], c[m - n + 1 : m - h], out=out[m - h :])
    out[m - h :] /= tail[col]
    return out


@lru_cache(maxsize=64)
def _edge_counts(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample counts of the shrinking windows at the start and the end of a
    centred moving average over ``n`` (odd) samples."""
    h = n // 2
    e = np.arange(1, h + 1, dtype=np.float64)
    return h + e, n - e


def band_pass(x: np.ndarray, fs: float) -> np.ndarray:
    """High-passed (~4 Hz) ``x`` (n,) or (n, k) on a uniform grid at ``fs`` Hz."""
    x = np.asarray(x, dtype=np.float64)
    hp = x - moving_average(x, int(round(WOBBLE_HP_S * fs)))
    return moving_average(hp, int(round(WOBBLE_LP_S * fs)))


def shake_power(acc_g: np.ndarray, fs: float) -> float:
    """Mean-square band-passed acceleration ((m/s^2)^2) of ``acc_g`` (n, 3, g)."""
    if len(acc_g) < 5:
        return 0.0
    a = band_pass(acc_g, fs) * G_MPS2
    return float(np.mean(np.sum(a * a, axis=1)))


#: Band (Hz) of the slow part of the wobble, read from the tilt the fitted
#: movement leaves: above postural sway (0.1-0.6 Hz; from 0.7 Hz its edge
#: leaked into standing reps' readings, Spearman 0.71 -> 0.62 on the grid
#: 5000-5011) up to where the high-pass measure takes over.
SLOW_WOBBLE_HZ = (1.0, 3.0)


def slow_shake_spectrum(resid_deg: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and mean-square angular velocity per frequency bin
    ((deg/s)^2) of the in-plane tilt ``resid_deg`` (n,) (deg) on a grid at
    ``fs`` Hz, left after the movement itself is taken out.  A shake of
    angle ``theta`` at angular frequency ``w`` reads as a tilt of
    ``theta (1 + r w^2 / g)`` (gravity plus tangential acceleration, ``r`` =
    :data:`LEVER_ARM_M`), so each bin is scaled back by that before
    ``w theta`` is taken.  The bins sum to the signal's mean square
    (Parseval, Hann window)."""
    n = len(resid_deg)
    if n < 8:
        return np.zeros(0), np.zeros(0)
    win, f, gain = _slow_tables(n, fs)
    spec = np.fft.rfft((resid_deg - np.mean(resid_deg)) * win)
    return f, (spec.real**2 + spec.imag**2) * gain


@lru_cache(maxsize=64)
def _slow_tables(n: int, fs: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hann window, bin frequencies (Hz) and per-bin gain (tilt power to
    angular-velocity power, with the one-sided Parseval scale) for ``n``
    samples at ``fs`` Hz."""
    win = np.hanning(n)
    f = np.fft.rfftfreq(n, 1.0 / fs)
    w = 2.0 * np.pi * f
    gain = (w / (1.0 + LEVER_ARM_M * w * w / G_MPS2)) ** 2 * 2.0 / (n * float(np.sum(win * win)))
    return win, f, gain


def slow_shake_power(spectrum: tuple[np.ndarray, np.ndarray], f_lo: float = 0.0) -> float:
    """Mean-square angular velocity ((deg/s)^2) of slow shaking in
    :data:`SLOW_WOBBLE_HZ` (from ``f_lo`` Hz if that is higher), from a
    :func:`slow_shake_spectrum`."""
    f, power = spectrum
    band = (f >= max(SLOW_WOBBLE_HZ[0], f_lo)) & (f < SLOW_WOBBLE_HZ[1])
    return float(np.sum(power[band]))


def wobble(acc_g: np.ndarray, fs: float, noise: float = 0.0) -> float:
    """Wobble (deg/s) of a rep's acceleration ``acc_g`` (n, 3, g) on a grid at ``fs`` Hz.

    ``noise`` is :func:`shake_power` of resting data, removed in quadrature.
    """
    p = shake_power(acc_g, fs) - noise
    if p <= 0:
        return 0.0
    return float(np.sqrt(p) / (2.0 * np.pi * TREMOR_REF_HZ * LEVER_ARM_M) * 180.0 / np.pi)


#: High-pass of the gyroscope's wobble (s): two centred moving averages this
#: long are subtracted (gain 0.21 at 1 Hz, 0.63 at 2 Hz, 0.93 at 3 Hz), so
#: the lift and lower themselves drop out and tremor and most of the slower
#: corrections stay.  Measured on simulated sessions with a gyroscope (rank
#: correlation with the injected wobble, per session, median): 0.2 s gave
#: 0.91 on 24 acceptance-like sessions and 0.86 on the grid 3000-3011 but
#: 0.74 when all wobble is slow (1-3 Hz); 0.3 s 0.92 / 0.79 / 0.79; 0.25 s
#: 0.92 / 0.83 / 0.76.  A window scaled to each rep's tempo ranked worse
#: (0.68-0.87 on the grid): reps of one session must be filtered alike.
GYRO_WOBBLE_HP_S = 0.25


def gyro_shake_power(gyro_dps: np.ndarray, fs: float, hp_s: float = GYRO_WOBBLE_HP_S) -> np.ndarray:
    """Per-sample squared magnitude ((deg/s)^2) of the angular velocity
    ``gyro_dps`` (n, 3) on a grid at ``fs`` Hz, high-passed by ``hp_s``
    (s; the movement itself and any gyro bias drop out)."""
    x = np.asarray(gyro_dps, dtype=np.float64)
    n = max(int(round(hp_s * fs)), 1)
    hp = x - moving_average(moving_average(x, n), n)
    return np.einsum("ij,ij->i", hp, hp)


def gyro_wobble(power: np.ndarray, floor: float = 0.0) -> float:
    """Wobble (deg/s) from :func:`gyro_shake_power` samples of a rep: their
    root mean, with ``floor`` ((deg/s)^2, the sensor's noise read at rest)
    removed in quadrature."""
    if len(power) == 0:
        return 0.0
    return float(np.sqrt(max(float(np.mean(power)) - floor, 0.0)))


def reference_range(ranges: Sequence[float], partial_rel: float = 0.5) -> float | None:
    """Reference range (deg): median of the last :data:`REF_RANGE_REPS` earlier reps
    that were not partial.  None before the first rep."""
    if not ranges:
        return None
    recent = np.asarray(ranges[-REF_RANGE_REPS:], dtype=np.float64)
    med = median1d(recent)
    full = recent[recent >= partial_rel * med]
    return median1d(full) if len(full) else med


def reference_wobble(wobbles: Sequence[float]) -> float | None:
    """Reference wobble (deg/s): median of the last :data:`REF_WOBBLE_REPS` earlier
    controlled (not wobble-flagged) reps; None before there are two."""
    if len(wobbles) < 2:
        return None
    return median1d(np.asarray(wobbles[-REF_WOBBLE_REPS:], dtype=np.float64))
