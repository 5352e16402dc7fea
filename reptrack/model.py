"""Core data model: recordings in, sessions (reps, sets) out.

Units are part of the contract and appear in field names or docstrings:
time in seconds (float64) since the recording's first sample, acceleration
in g, angular rate in deg/s, angles in degrees.  The absolute start of a
recording (UTC, ISO 8601) lives in :attr:`Recording.start_utc`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .signal.resample import MAX_BRIDGE_S

#: Version of the JSON document printed by ``reptrack analyze --json``.
#: Bump only for incompatible changes (renamed/removed fields); adding fields
#: keeps the version.
JSON_SCHEMA_VERSION = 1

#: A gap is an interval between consecutive samples longer than this many
#: nominal sample periods (issue #2: "an interval over 1.5x the nominal
#: sample period").
GAP_FACTOR = 1.5


@dataclass(frozen=True)
class Gap:
    """A stretch with no samples: ``start`` is the last sample before it and
    ``end`` the first sample after it (seconds since the first sample)."""

    start: float
    end: float

    @property
    def duration_s(self) -> float:
        return self.end - self.start


def find_gaps(t: np.ndarray, nominal_rate_hz: float, factor: float = GAP_FACTOR) -> list[Gap]:
    """Intervals of ``t`` (s) longer than ``factor`` nominal periods.

    ``nominal_rate_hz`` is the sensor's nominal output rate (Hz).
    """
    if len(t) < 2 or not nominal_rate_hz > 0:
        return []
    dt = np.diff(t)
    idx = np.flatnonzero(dt > factor / nominal_rate_hz)
    return [Gap(float(t[i]), float(t[i + 1])) for i in idx]


@dataclass
class Recording:
    """Accelerometer (and optional gyroscope) samples of one session.

    Attributes
    ----------
    t:
        (N,) sample times in seconds since the first accelerometer sample
        (so ``t[0] == 0``), strictly increasing, float64.
    acc:
        (N, 3) acceleration in g, gravity included, sensor axes.
    gyro_t, gyro:
        Optional gyroscope samples on their own time base: (M,) seconds on
        the same clock as ``t`` and (M, 3) deg/s.
    meta:
        Free-form metadata (``sensor``, ``placement``, ``profile``, ...).
    start_utc:
        ISO 8601 UTC time of ``t == 0`` if known.
    path:
        File it was read from, if any.
    nominal_rate_hz:
        Sensor's nominal rate (Hz): from metadata if given, else the median
        sample rate.
    gaps:
        Intervals with missing samples (see :func:`find_gaps`).
    warnings:
        Repairs made while reading (one sentence each).
    """

    t: np.ndarray
    acc: np.ndarray
    gyro_t: np.ndarray | None = None
    gyro: np.ndarray | None = None
    meta: dict[str, str] = field(default_factory=dict)
    start_utc: str | None = None
    path: str | None = None
    nominal_rate_hz: float = 0.0
    gaps: list[Gap] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.t = np.asarray(self.t, dtype=np.float64)
        self.acc = np.asarray(self.acc, dtype=np.float64).reshape(-1, 3)
        if not self.nominal_rate_hz:
            self.nominal_rate_hz = self.median_rate_hz
        if not self.gaps:
            self.gaps = find_gaps(self.t, self.nominal_rate_hz)

    @property
    def n_samples(self) -> int:
        return int(len(self.t))

    @property
    def has_gyro(self) -> bool:
        """Does the recording carry a gyroscope long enough to use (two
        samples or more)?  Then :meth:`gyro_at_acc_times` gives its readings."""
        return self.gyro is not None and self.gyro_t is not None and len(self.gyro_t) >= 2

    @property
    def gyro_samples(self) -> int:
        """Gyroscope samples with a reading on all three axes (0 without a
        gyroscope, or with one too short to use)."""
        if not self.has_gyro:
            return 0
        return int(np.isfinite(np.asarray(self.gyro, dtype=np.float64)).all(axis=1).sum())

    def gyro_at_acc_times(self, max_hole_s: float = MAX_BRIDGE_S) -> np.ndarray | None:
        """The gyroscope (deg/s) at the accelerometer's instants ``t``: (N, 3),
        linearly interpolated from its own time base; NaN outside its span
        and inside holes in it longer than ``max_hole_s`` (s; by default the
        grid resampler's bridge).  None when the recording has no gyroscope
        (or a single sample of one)."""
        if not self.has_gyro:
            return None
        gt = np.asarray(self.gyro_t, dtype=np.float64)
        gv = np.asarray(self.gyro, dtype=np.float64).reshape(-1, 3)
        if len(gt) == len(self.t) and np.array_equal(gt, self.t):
            return gv
        out = np.column_stack([np.interp(self.t, gt, gv[:, i]) for i in range(3)])
        j = np.searchsorted(gt, self.t)
        inside = (j > 0) & (j < len(gt))
        jc = np.clip(j, 1, len(gt) - 1)
        hole = (gt[jc] - gt[jc - 1]) > max_hole_s
        exact = (j < len(gt)) & (gt[np.minimum(j, len(gt) - 1)] == self.t)
        out[~(exact | (inside & ~hole))] = np.nan
        return out

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0]) if len(self.t) else 0.0

    @property
    def median_rate_hz(self) -> float:
        """Measured median sample rate (Hz); 0 if it cannot be measured."""
        return median_rate_hz(self.t)


def median_rate_hz(t: np.ndarray) -> float:
    """The median sample rate (Hz) of sample times ``t`` (s); 0 if it cannot
    be measured."""
    if len(t) < 2:
        return 0.0
    dt = float(np.median(np.diff(t)))
    return 1.0 / dt if dt > 0 else 0.0


# ---------------------------------------------------------------------------
# Analysis results
# ---------------------------------------------------------------------------


@dataclass
class Rep:
    """One heel raise.

    The four instants are seconds since the recording's first sample:
    ``start`` motion onset at the bottom, ``top`` top reached, ``lower_start``
    leaves the top, ``end`` back at the bottom (motion offset).
    Durations are seconds; ``rest_s`` is the pause at the bottom before this
    rep (None for a set's first rep).  ``range_deg`` is the shank tilt
    excursion in degrees, ``range_rel`` that range over the reference range
    (median of earlier full reps; 1.0 for the first rep).  ``wobble`` is
    defined in :mod:`reptrack.metrics` (deg/s RMS of band-passed tilt rate;
    higher means less control).
    """

    index: int
    set: int
    index_in_set: int
    start: float
    top: float
    lower_start: float
    end: float
    lift_s: float
    hold_s: float
    lower_s: float
    rest_s: float | None
    range_deg: float
    range_rel: float
    wobble: float
    flags: list[str] = field(default_factory=list)
    #: stream time (s) at which the streaming segmenter reported this rep
    reported_at: float | None = None
    #: True when a data gap overlaps the rep (its timing is less certain)
    in_gap: bool = False
    #: timing uncertainty of the phases: standard deviation (s) from the
    #: transition fits (:mod:`reptrack.segment.transitions`); +-2 sd covers
    #: 93-98 % of true durations on simulated sessions (README).  None where
    #: not measured.
    lift_sd_s: float | None = None
    hold_sd_s: float | None = None
    lower_sd_s: float | None = None
    #: tempo flags (raised or not) whose threshold lies within one sd of the
    #: measured phase: the measurement cannot tell which side the rep was on
    uncertain_flags: list[str] = field(default_factory=list)

    def to_dict(self, include_reported_at: bool = False) -> dict[str, Any]:
        d = _fields_of(self)
        if not include_reported_at:
            d.pop("reported_at")
        return _clean(d)


@dataclass
class SetSummary:
    """A group of reps separated from the next by a rest.

    ``compliance`` is the fraction (0-1) of the set's reps with no tempo
    flag; ``hint`` is a plain-language note such as "stop the set at rep 12"
    when control was lost, else None.
    """

    index: int
    start: float
    end: float
    reps: int
    target_reps: int
    flagged: int
    compliance: float
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _clean(_fields_of(self))


@dataclass
class Session:
    """Everything ``reptrack analyze`` knows about one recording."""

    recording: Recording
    guidance: Any  # reptrack.guidance.Guidance (kept loose to avoid an import cycle)
    reps: list[Rep]
    sets: list[SetSummary]
    #: (t s, tilt deg from the resting baseline) at ~10 Hz, for plots; not in the JSON
    trace: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.reps if r.flags)

    def to_json_dict(self) -> dict[str, Any]:
        """The schema-1 document printed by ``reptrack analyze --json``."""
        rec = self.recording
        return _clean(
            {
                "schema": JSON_SCHEMA_VERSION,
                "recording": {
                    "path": rec.path,
                    "samples": rec.n_samples,
                    "duration_s": rec.duration_s,
                    "sample_rate_hz": rec.median_rate_hz,
                    "start_utc": rec.start_utc,
                    "gaps": [{"start": g.start, "end": g.end} for g in rec.gaps],
                    "sensor": rec.meta.get("sensor"),
                    "gyro_samples": rec.gyro_samples,
                    "warnings": list(rec.warnings),
                },
                "guidance": self.guidance.to_dict(),
                "reps": [r.to_dict() for r in self.reps],
                "sets": [s.to_dict() for s in self.sets],
                "summary": {
                    "reps": len(self.reps),
                    "sets": len(self.sets),
                    "flagged": self.flagged,
                },
            }
        )


def _fields_of(obj: Any) -> dict[str, Any]:
    """A flat dataclass's fields by name: :func:`dataclasses.asdict` without
    its deep copies (:func:`_clean` copies the lists; ~10 ms of a 1-hour
    file's JSON)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _clean(obj: Any) -> Any:
    """Recursively turn numpy scalars into Python ones and NaN/inf into None
    (the JSON contract forbids NaN)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
