"""Strap check: is the signal good enough to count reps?

Before the first set the athlete holds still for :data:`WINDOW_S` seconds;
:func:`check_strap` looks at that window and reports the sample rate, the
noise, the gravity vector (so the orientation of the sensor on the shin is
known) and, in one plain sentence each, what is wrong.  Between sets
:class:`StrapMonitor` re-checks quietly on the rest that follows a set: a
slipped or re-done strap shows as a changed gravity direction.  It only
*reports*; counting continues regardless (the segmenter is orientation-free
and re-finds the motion axis by itself).

Thresholds and where they come from
-----------------------------------
- :data:`MIN_RATE_HZ` 10 Hz: the slowest sensor we support streams at
  12.5 Hz (MetaMotion low-power rate, issue #2's 12.5-200 Hz range); below
  10 Hz a 1 s pause is fewer than 10 samples.
- :data:`RATE_TOLERANCE` 25 %: a measured rate further than this from the
  profile's nominal rate means lost packets or a mis-set sensor.
- :data:`MAX_STILL_NOISE_MG` 15 mg RMS: cheap MEMS parts show 2-5 mg RMS
  noise and standing postural sway adds ~4 mg (0.25 deg of tilt, DESIGN.md);
  15 mg is well above both, and far below a rep (25-200 mg of tilt signal).
- :data:`GRAVITY_TOLERANCE_G` 0.1 g: a still accelerometer reads 1 g; more
  than 10 % off means wrong units/range in the profile or a sensor that
  removes gravity (then tilt cannot be measured).
- :data:`MAX_LOST_FRACTION` 5 %: more missing samples than this in the
  window means the radio link is poor.
- :data:`RESTRAP_DEG` 20 deg: a rep tilts the shank 1.5-12 deg (DESIGN.md);
  a gravity direction that moved more than 20 deg between two rests means
  the sensor was moved on the leg.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

WINDOW_S = 3.0
MIN_RATE_HZ = 10.0
RATE_TOLERANCE = 0.25
MAX_STILL_NOISE_MG = 15.0
GRAVITY_TOLERANCE_G = 0.10
MAX_LOST_FRACTION = 0.05
RESTRAP_DEG = 20.0

_AXES = ("x", "y", "z")


@dataclass
class StrapReport:
    """Result of one check over a still window.

    ``rate_hz`` measured median rate, ``noise_mg`` RMS deviation of the
    acceleration from its (linear-detrended) mean in mg, ``gravity_g`` mean
    magnitude in g, ``down`` unit gravity vector in sensor axes,
    ``lost_fraction`` share of samples missing (from gaps vs the nominal
    rate), ``problems`` one sentence each (empty when ``ok``).
    """

    ok: bool
    rate_hz: float
    noise_mg: float
    gravity_g: float
    down: tuple[float, float, float]
    lost_fraction: float = 0.0
    problems: list[str] = field(default_factory=list)
    #: the window was still but a signal problem exists (so waiting won't help)
    still: bool = True

    @property
    def orientation(self) -> str:
        """Which sensor axis points down, e.g. ``-y (12 deg off)``."""
        d = np.asarray(self.down)
        if not np.all(np.isfinite(d)) or not np.any(d):
            return "unknown"
        i = int(np.argmax(np.abs(d)))
        sign = "-" if d[i] < 0 else "+"
        off = math.degrees(math.acos(min(1.0, abs(float(d[i])))))
        return f"{sign}{_AXES[i]} ({off:.0f}\u00b0 off)"

    def summary(self) -> str:
        """One line for the screen."""
        if not np.isfinite(self.gravity_g):
            return f"strap check: {'; '.join(self.problems)}"
        head = (
            f"{self.rate_hz:.0f} Hz, noise {self.noise_mg:.1f} mg, gravity {self.gravity_g:.2f} g along {self.orientation}"
        )
        if self.ok:
            return f"strap check OK: {head}"
        return f"strap check: {'; '.join(self.problems)} ({head})"


def angle_deg(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """Angle in degrees between two unit vectors."""
    c = float(np.clip(np.dot(a, b), -1.0, 1.0))
    return math.degrees(math.acos(c))


def check_strap(t: np.ndarray, acc: np.ndarray, nominal_rate_hz: float | None = None) -> StrapReport:
    """Check a window of samples taken while the athlete holds still.

    ``t`` (n,) s, ``acc`` (n, 3) g, ``nominal_rate_hz`` the sensor's nominal
    rate if known.  See the module notes for every threshold.
    """
    t = np.asarray(t, dtype=np.float64)
    acc = np.asarray(acc, dtype=np.float64).reshape(-1, 3)
    problems: list[str] = []
    if len(t) < 3:
        return StrapReport(False, 0.0, float("nan"), float("nan"), (0.0, 0.0, 0.0), 1.0, ["no samples arrive from the sensor"], False)
    dt = np.diff(t)
    rate = 1.0 / float(np.median(dt)) if np.median(dt) > 0 else 0.0
    nominal = nominal_rate_hz or rate
    span = float(t[-1] - t[0])
    expected = span * nominal + 1
    lost = max(0.0, 1.0 - len(t) / expected) if expected > 0 else 0.0
    mean = acc.mean(axis=0)
    g = float(np.linalg.norm(mean))
    down = tuple(float(v) for v in (mean / g if g > 0 else mean))
    # Noise: RMS deviation after removing a straight line per axis (a slow drift is not noise).
    tt = t - t.mean()
    denom = float(np.dot(tt, tt)) or 1.0
    slope = (tt @ (acc - mean)) / denom
    resid = acc - mean - np.outer(tt, slope)
    noise_mg = float(np.sqrt(np.mean(np.sum(resid**2, axis=1)))) * 1000.0
    still = True

    if np.all(np.ptp(acc, axis=0) == 0):
        problems.append("the signal is flat (every sample identical): the sensor is not sending real data")
    if rate < MIN_RATE_HZ:
        problems.append(f"the sample rate is {rate:.1f} Hz, too low to time reps (need at least {MIN_RATE_HZ:g} Hz)")
    elif nominal_rate_hz and abs(rate - nominal_rate_hz) > RATE_TOLERANCE * nominal_rate_hz:
        problems.append(f"the sensor sends {rate:.1f} Hz instead of {nominal_rate_hz:g} Hz: check the profile's rate")
    if lost > MAX_LOST_FRACTION:
        problems.append(f"{lost * 100:.0f}% of samples are lost: move the sensor closer to this computer")
    if not abs(g - 1.0) <= GRAVITY_TOLERANCE_G:
        if g < 0.3:
            problems.append(
                f"no gravity in the signal ({g:.2f} g): the sensor sends linear acceleration, choose raw acceleration"
            )
        else:
            problems.append(f"gravity reads {g:.2f} g instead of 1 g: check the profile's range and units")
    if noise_mg > MAX_STILL_NOISE_MG:
        still = False
        problems.append(f"too much movement ({noise_mg:.0f} mg): hold the leg still or tighten the strap")
    return StrapReport(not problems, rate, noise_mg, g, down, lost, problems, still)  # type: ignore[arg-type]


class StrapMonitor:
    """Strap check before the first set and quiet re-checks between sets.

    Feed every batch with :meth:`push`; call :meth:`first_check` until it
    returns a report with ``ok`` (or reps start), and :meth:`recheck` when a
    set has ended and the athlete rests.  Keeps only the last
    :data:`WINDOW_S` seconds of samples.
    """

    def __init__(self, nominal_rate_hz: float | None = None, window_s: float = WINDOW_S) -> None:
        self.nominal_rate_hz = nominal_rate_hz
        self.window_s = window_s
        self._chunks: deque[tuple[np.ndarray, np.ndarray]] = deque()
        self.reference: StrapReport | None = None  # last good report (orientation reference)
        self.last: StrapReport | None = None

    def push(self, t: np.ndarray, acc: np.ndarray) -> None:
        if len(t) == 0:
            return
        self._chunks.append((np.asarray(t, dtype=np.float64), np.asarray(acc, dtype=np.float64).reshape(-1, 3)))
        t_end = float(t[-1])
        while len(self._chunks) > 1 and float(self._chunks[1][0][0]) <= t_end - self.window_s:
            self._chunks.popleft()

    def clear(self) -> None:
        """Forget the buffered window (e.g. after movement) so the next check uses fresh samples."""
        self._chunks.clear()

    def window(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._chunks:
            return np.empty(0), np.empty((0, 3))
        t = np.concatenate([c[0] for c in self._chunks])
        acc = np.concatenate([c[1] for c in self._chunks])
        keep = t >= t[-1] - self.window_s
        return t[keep], acc[keep]

    def _full(self, t: np.ndarray) -> bool:
        return len(t) >= 3 and float(t[-1] - t[0]) >= self.window_s * 0.95

    def first_check(self) -> StrapReport | None:
        """A report once a full window is buffered (None before)."""
        t, acc = self.window()
        if not self._full(t):
            return None
        rep = check_strap(t, acc, self.nominal_rate_hz)
        self.last = rep
        if rep.ok:
            self.reference = rep
        return rep

    def recheck(self) -> tuple[StrapReport | None, str | None]:
        """Re-check the last window; returns ``(report, note)`` where ``note``
        is a quiet one-line remark (orientation changed, signal problem) or None."""
        t, acc = self.window()
        if not self._full(t):
            return None, None
        rep = check_strap(t, acc, self.nominal_rate_hz)
        self.last = rep
        if not rep.still:
            return rep, None  # athlete moving during the rest: nothing to conclude
        if rep.problems:
            return rep, "; ".join(rep.problems)
        note = None
        if self.reference is not None:
            moved = angle_deg(self.reference.down, rep.down)
            if moved > RESTRAP_DEG:
                note = f"sensor orientation changed by {moved:.0f}\u00b0 (strap moved or re-done) \u2014 counting continues"
        self.reference = rep
        return rep, note
