"""Streaming analyzer: samples in, rep/set/gap events out (bounded lookahead).

API (stable; the live view and ``analyze`` both use it)::

    sa = StreamAnalyzer(guidance, nominal_rate_hz=52.0)
    events = sa.push(t, acc)      # t (n,) s since first sample, acc (n, 3) g; any chunk size
    # (with gyro=True: sa.push(t, acc, gyro), gyro (n, 3) deg/s at the same t)
    events += sa.finish()         # end of stream: flush what is pending
    sa.reps, sa.sets              # everything reported so far
    sa.status()                   # current phase for the live view

``reptrack analyze`` is this class fed the whole file (in blocks of
:data:`reptrack.analysis.PUSH_BLOCK` samples), so the live path and the
offline path share every rule.  Every decision about grid index ``i`` uses
data up to ``i`` only, so results do not depend on how the stream is
chunked (beyond the last bits of the resampler's running integral, which
restarts at each push).  A rep is reported once :data:`SETTLE_S` of data follow
its fitted end (re-fitted then, each fit seeded by the one before):
typically 0.25-0.35 s of stream time after its end.  A re-fit that moves the
end so far back that the rep would be reported more than
:data:`LATENCY_BUDGET_S` after it falls back to the previous attempt's
measurement, and a fitted end after which the tilt kept falling is retried
with more data.  A fitted end the data contradict -- before the tilt was
last seen falling, or before it fell below the return threshold -- is
reported at that later time.  A movement still falling is looked at again
within :data:`FALL_WAIT_MAX_S`, and a rep is reported at the last sample its
decision saw: all 5,845 reps of the acceptance-like and grid sessions
within 0.6 s (``benchmarks/bench_accuracy.py``).

Pipeline
--------
1. :class:`~reptrack.signal.resample.GridResampler` -> acceleration on a
   50 Hz grid (long holes break the stream; the state resets there).
2. Detection direction ``g``: two causal moving averages of
   :data:`DET_MA_S` each (noise down ~4x, delay ~0.2 s) normalised to unit
   length -- an estimate of gravity in sensor axes.
3. At rest the *baseline* ``b`` is the mean of ``g`` over
   [i - :data:`BASE_WIN_S`, i - :data:`BASE_LAG_S`]; the deviation
   ``d = angle(g, b)`` (deg) is orientation-free.  A movement starts when
   ``d`` exceeds ``T_on`` = :data:`T_ON_K` x the resting RMS of ``d`` (sway
   and noise), clipped to [:data:`T_ON_MIN_DEG`, :data:`T_ON_MAX_DEG`]; the
   baseline is then frozen until the movement is over.
4. The movement returns when ``d`` < ``T_on`` x :data:`T_OFF_FRAC`.  A
   movement that settles far from the baseline for :data:`REBASE_STILL_S`
   (a re-strap, a slipped sensor, a new posture) or lasts longer than
   :data:`MAX_EPISODE_S` is not a rep: the baseline is re-learnt there.
5. Each returned movement is measured in the plane of ``b`` and its own
   direction (signed tilt of the raw grid acceleration), and both
   transitions are fitted (:mod:`reptrack.segment.transitions`) for true
   onset/offset.  The lower transition is re-fitted as data arrives until
   :data:`SETTLE_S` of data follow its fitted end.  A rep-like movement
   whose fits fail on a shaking tilt (a rep that lost control) is measured
   again from the tilt smoothed over :data:`SHAKE_SMOOTH_S`.
6. Acceptance: range within [:data:`MIN_RANGE_DEG`, :data:`MAX_RANGE_DEG`] and
   at least :data:`PARTIAL_MIN_REL` of the reference range
   (:data:`PARTIAL_QUIET_REL` well clear of sway and noise), lift and lower
   each at least :data:`MIN_PHASE_S`, low dynamic acceleration (walking has
   heel-strike impacts), a return to the starting level, and none of the
   fidget / posture-shift patterns (quick and small, quick and oversized,
   quick and then held for long), nor, within a set, against the direction
   of the last rep (:data:`OPPOSITE_REP_COS`), nor looping off the plane
   of the rest and the peak (:data:`OFF_AXIS_MIN_DEG`, a re-strap).
7. A movement that settles away from rest and then swings through the rest
   direction (a heel dropped below a step, then raised) re-learns the bottom
   there (passing the rest direction on the way is not a return:
   :meth:`StreamAnalyzer._passing_through`); so does one that settles far
   away for :data:`REBASE_STILL_S`, and one that settles at a new level and
   then makes a rep from there (:meth:`StreamAnalyzer._stepped_rest`), and
   one that is no rep and settles far from rest, away from where the reps go
   (:meth:`StreamAnalyzer._rest_where_settled`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

import numpy as np

from ..guidance import ALL_FLAGS, PARTIAL, TEMPO_FLAGS, WOBBLE, Guidance
from ..metrics import (
    GYRO_WOBBLE_HP_S,
    gyro_shake_power,
    gyro_wobble,
    median1d,
    moving_average,
    nonzero1d,
    reference_range,
    reference_wobble,
    shake_power,
    slow_shake_power,
    slow_shake_spectrum,
    wobble,
)
from ..model import GAP_FACTOR, Gap, Rep, SetSummary
from ..signal.resample import GRID_HZ, GridChunk, grid_resampler
from ..signal.tilt import RAD2DEG, angle_between_rows, angle_from, cross3, motion_axis, signed_tilt, unit
from .params import (  # the thresholds, with their provenance
    AFTER_WILD_S, ATTEMPT_S, BASE_DRIFT_DEG, BASE_LAG_S, BASE_STILL_DEG, BASE_WIN_S, BIG_BOUNCE_REL, BIG_QUICK_REL,
    BIG_QUICK_S, BOUNCE_PHASE_MIN_S, CROSS_FRAC, CROSS_HELD_FRAC, CROSS_HELD_S, CROSS_HOLD_S, CROSS_MIN_DEG,
    CROSS_REP_COS, CROSS_SPREAD_FRAC, CUT_HIGH_FRAC, CUT_HIGH_S, CUT_LOW_FRAC, DET_MA_S, END_SD_X,
    EPISODE_LOOK_S, FALL_RATE_FRAC, FALL_SETTLED_S, FALL_WAIT_MAX_S, FARTHER_HELD_S, FAST_REP_COS,
    FIRST_CLEAN_RMS, FIRST_NOISE_K, FIRST_QUIET_MIN_DEG, FIRST_REST_MIN_S, FRAGMENT_GAP_S,
    FRAGMENT_LIFT_S, FRAGMENT_REL, FRESH_BOTTOM_MAX_K, FRESH_BOTTOM_MAX_REL, FRESH_BOTTOM_S,
    GIVEUP_STILL_START_S, GYRO_FAST_K, GYRO_REST_MAX_DPS, HESITATION_WAIT_S, IDLE_SPAN_S,
    KEEP_AXIS_DEG, LATENCY_BUDGET_S, LATENCY_MARGIN_S, LATE_FALL_FRAC, LEVEL_MATCH_FRAC,
    LEVEL_WAIT_S, LEVER_S2, LIFT_PRE_S, LONG_HOLD_X, LOWER_POST_S, LOW_SMOOTH_S, LP_S, MAX_DYN_G,
    MAX_EPISODE_S, MAX_RANGE_DEG, MAX_SETTLE_WAIT_S, MIN_BOUNCE_S, MIN_FIRST_RANGE_DEG, MIN_PHASE_S,
    MIN_RANGE_DEG, MIN_REP_S, OFF_AXIS_FRAC, OFF_AXIS_MIN_DEG, OPPOSITE_PARTIAL_X, OPPOSITE_REP_COS,
    ORIENT_RESET_DEG, ORIENT_SUM_MAX, PACED_LOWER_MIN_S, PARTIAL_MIN_REL, PARTIAL_QUIET_REL, PART_WAY_END_REL, PASS_SPEED_WIN,
    PASS_WAIT_S, PAUSED_RISE_S, PLATEAU_DEPTH_FRAC, PLATEAU_SPEED_FRAC, POOR_END_REFIT_S, POOR_END_SD_S,
    PRE_BACK_S, PRE_S,
    QUICK_PARTIAL_S, QUICK_STILL_FAR_DEG, QUICK_STILL_STEP_S, QUICK_STILL_TRIES,
    QUIET_PARTIAL_GAP_S, QUIET_RANGE_K, REBASE_FAST_S, REBASE_NOISE_DEG, REBASE_STILL_S,
    REP_REST_LEAD_S, REP_REST_OFF_K, REP_REST_S, RET_CONFIRM_S, RET_PEAK_FRAC, RET_STILL_S,
    SETTLED_OFF_K, SETTLED_OFF_REL, SETTLE_S, SET_GAP_S, SHAKE_MAX_X, SHAKE_MIN_PHASE_S,
    SHAKE_RETRY_REL, SHAKE_SMOOTH_S, SHIFT_FAST_S, SHIFT_HOLD_REF_S, SHORT_TAIL_RISE_FRAC,
    SLOW_PARTIAL_GAP_S, SLOW_PARTIAL_MIN_PHASE_S, SLOW_WOBBLE_CYCLES, SMALL_FAST_S, SMALL_RANGE_DEG,
    SMALL_SLOW_S, STANCE_SHIFT_MAX_S, STEP_LEVELS, STEP_MARGIN_S, STEP_PAST_RETURN_S, STEP_REP_COS,
    STOP_BAND, STOP_FAR_FRAC, STOP_FAR_TEMPO_S, STOP_FAR_WAIT_S, STOP_MIN_S, STOP_PART_MIN_S, STOP_PART_SPEED_FRAC,
    STOP_SPEED_FRAC, STOP_SPLIT_MIN_RMS, STOP_SPLIT_RMS_FRAC,
    TOP_BAND_FRAC, TOP_FIT_S, T_OFF_FRAC, T_ON_K, T_ON_MAX_DEG, T_ON_MIN_DEG, UPSIDE_DOWN_FIRST_T, UPSIDE_DOWN_T,
    WILD_AXIS_COS,
)
from .transitions import TransitionFit, fit_rise, shape_curve, smoothing_s2, with_magnitude, with_magnitude_decided
from .windows import (
    carry_forward,
    causal_ma,
    confirmed_return,
    first_run_end,
    gradient,
    held_below,
    longest_run,
    mean_inside,
    rolling_min_max,
    settled_low,
    still_far,
)

if TYPE_CHECKING:
    from .memo import FitMemo

_R = TypeVar("_R")


@dataclass
class Event:
    """Something the stream produced; ``at`` is the stream time (s) when it was reported."""

    kind: Literal["rep", "set", "gap"]
    at: float
    rep: Rep | None = None
    set: SetSummary | None = None
    gap: Gap | None = None


@dataclass
class Status:
    """Live state: ``phase`` is resting/lifting/holding/lowering since ``phase_since`` (s)."""

    t: float
    phase: Literal["resting", "lifting", "holding", "lowering"]
    phase_since: float
    set_index: int
    reps_in_set: int
    last_rep: Rep | None = None
    #: the open set's plain-language hint ("stop the set at rep N ..."), if any
    hint: str | None = None


class _SteppedRest(NamedTuple):
    """A new level a movement settled at, and an out-and-back from it
    (:meth:`StreamAnalyzer._stepped_rest`); indices from the movement's start."""

    decided: int  # where it is decided: the out-and-back back at the level (or the look's end)
    rest_at: int  # where to re-learn the rest: just before the out-and-back left the level
    back: bool  # it came back to the level (else it is out, not back yet)


class _MotionAxis(NamedTuple):
    """Where a movement went, fixed once it has returned."""

    key: tuple[int, int]  # (start, return) grid indices it was found for
    peak: int  # index of the farthest point (from the window's start)
    u: np.ndarray  # unit tangent at the baseline towards that point (sensor frame)
    off_deg: float  # farthest the path strayed sideways of the plane of baseline and u


class _Window(NamedTuple):
    """A movement's measurement window (:meth:`StreamAnalyzer._window`)."""

    t: np.ndarray  # (n,) s, on the grid
    acc: np.ndarray  # (n, 3) g, the grid's raw acceleration
    s: np.ndarray  # (n,) deg, the low-passed signed tilt in the movement's plane
    ws: int  # its first sample's offset from the episode's first usable index
    k0: int  # its first sample's grid index: k0 + i <-> t[i]
    capped: bool  # ended a bounded time after the lower: more data cannot change it
    u: np.ndarray  # the movement's direction at the rest (sensor frame)
    i_st: int  # the onset crossing (index into the window)
    i_rt: int  # the return (or the window's end)
    pk: int  # the farthest point
    smax: float  # the tilt's peak over [i_st, i_rt] (deg)


@dataclass
class _Episode:
    start: int  # grid index where d crossed T_on
    pre: int  # first grid index usable before it
    b: np.ndarray  # frozen baseline direction
    ret: int | None = None  # grid index where d fell below T_off
    attempt: int | None = None  # next grid index at which to try to finalise
    wild: bool = False  # beyond any heel raise (a walk, a re-strap), or a loop off the reps' plane
    lift_fit: tuple | None = None  # (inputs key, fit) cached across re-fits
    lower_fit: tuple | None = None  # last lower fit_rise result: seeds the next re-fit
    last_wait: tuple | None = None  # (window end, seed) of the last attempt that waited
    axis: _MotionAxis | None = None
    tilt: np.ndarray | None = None  # signed tilt (deg) of the raw grid samples from ``pre`` on
    rest_lo: int = 0  # first grid index of the rest before it (after the previous rep)
    peak: float = 0.0  # largest deviation (deg) before the return
    fast_rebase: bool = False  # follows a wild movement: re-learn rest quickly
    falling_until: float = 0.0  # (s) the tilt was seen still falling then: the rep had not ended
    fit_end: float = float("inf")  # (s) the fitted end of the last measurement (a rep may report a later one)
    seg_end: float = float("inf")  # (s) the segmenter's end of the last measurement (a rep reports its own)
    hesitated: bool = False  # a measurement waited for its lower as a hesitation (no return to start level, or a stop far up)
    decided_end: float = float("inf")  # (s) the last measured rep's end as decisions read it (_measure)
    report_k: int | None = None  # grid index a rep measured now is reported at
    settled_off: bool = False  # returned by settling far from rest (SETTLED_OFF_K, SETTLED_OFF_REL)
    held_rest: np.ndarray | None = None  # a quick shift's held level (a change of posture): the new rest
    upside_down: bool = False  # held_rest is the bottom of reps read from a rest at their top
    orient: float = 0.0  # the rep's magnitude evidence of being the right way up (UPSIDE_DOWN_T)
    still_from_start: bool = False  # fast_rebase only for a still window from its start (after a give-up)
    part_way: bool = False  # the last measurement's lower stopped part-way down (no return to start level)
    paused_lower: bool = False  # a cut left the lower part-way down: CUT_HIGH_S no longer limits the higher rise
    end_above: bool = False  # the last measurement's lower ended above its start level (LEVEL_MATCH_FRAC)
    paused_from: tuple | None = None  # (window end, lower-fit seed) of a rep set aside for paused_lower
    shaken: bool = False  # measured from the tilt smoothed over SHAKE_SMOOTH_S (its fits failed shaking)


@dataclass
class _SetState:
    index: int
    reps: list[Rep] = field(default_factory=list)
    hint: str | None = None


class StreamAnalyzer:
    """Incremental heel-raise segmenter, metrics and flags (see module docstring)."""

    def __init__(
        self, guidance: Guidance, nominal_rate_hz: float | None = None, fs: float = GRID_HZ, gyro: bool = False
    ) -> None:
        """``gyro``: every :meth:`push` also brings gyroscope samples (deg/s)
        at the same instants; a rep's wobble is then the power mean of the
        accelerometer's reading and the gyroscope's
        (:func:`reptrack.metrics.gyro_wobble`), or the accelerometer's alone
        where the gyroscope has no readings near the rep.  Segmentation uses
        the accelerometer alone either way."""
        self.guidance = guidance
        self.nominal_rate_hz = nominal_rate_hz
        self.fs = fs
        self.reps: list[Rep] = []
        self.sets: list[SetSummary] = []
        self._has_gyro = gyro
        # (with a gyroscope: its three axes, NaN-free, and a validity channel --
        # the resampler's running sums would carry one NaN to the run's end)
        self._res = grid_resampler(fs, gyro)
        self._resampled_outside = False  # push_resampled was used
        #: fit results made ahead by another run over the same grid, taken
        #: for calls equal to theirs (reptrack.overlap); None: fit everything
        self.memo: FitMemo | None = None
        # grid buffers (absolute index of element 0 is _k0); _gyr stays empty without a gyroscope
        self._k0 = 0
        self._acc = np.empty((0, 3))
        self._gyr = np.empty((0, 3))
        self._g = np.empty((0, 3))
        self._k_end = 0  # one past the last grid index held
        self._run_start = 0  # first grid index of the current continuous run
        self._ma_n = max(1, int(round(DET_MA_S * fs)))
        # the fits' second-derivative coefficient (s^2): the lever-arm
        # correction less the widening of the low-pass and the fit's smoothing
        self._fit_s2 = LEVER_S2 - smoothing_s2(fs, LP_S, LP_S)
        self._fit_s2_shaken = LEVER_S2 - smoothing_s2(fs, LP_S, LP_S, SHAKE_SMOOTH_S)
        self._ma1_carry = np.empty((0, 3))
        self._ma2_carry = np.empty((0, 3))
        # state machine
        self._pos = 0
        self._idle_start = 0
        self._b: np.ndarray | None = None
        self._noise_deg = T_ON_MIN_DEG / T_ON_K
        self._t_on = T_ON_MIN_DEG  # onset threshold of the current movement (deg)
        self._noise_shake: float | None = None  # quietest rest's shake_power ((m/s^2)^2)
        # slow-shake spectrum of the last rest read (metrics.slow_shake_spectrum)
        self._rest_slow: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
        self._rest_at = (0, 0)  # the grid span both floors were read from
        # the quietest rest's gyroscope readings (grid, deg/s): each rep's
        # floor is read from it through that rep's own high-pass
        self._gyro_rest: np.ndarray | None = None
        self._gyro_rest_power = np.inf
        self._ep: _Episode | None = None
        self._last_end_idx: int | None = None
        #: (s) the last rep's end as the segmenter's decisions read it: its
        #: reported end re-weighed without the pause templates
        self._decided_end = 0.0
        self._after_wild = False
        self._after_giveup = False  # ... and its end was not waited for (MAX_SETTLE_WAIT_S)
        self._wild_end = 0  # grid index where the last wild movement returned
        self._rep_axis: np.ndarray | None = None  # motion axis of the last rep (sensor frame)
        # ... kept through a re-learnt rest that turned little (_keep_rep_axis)
        # while no rep has set it again (see _last_axis)
        self._kept_axis: np.ndarray | None = None
        # which way up the reps read since the rest last jumped: the sum of
        # their magnitude evidence (+ the right way up) and the rest it
        # was read from (UPSIDE_DOWN_T)
        self._orient_sum = 0.0
        self._orient_b: np.ndarray | None = None
        self._ranges: list[float] = []
        self._ref_cache: tuple[tuple, float | None] = ((0, None), None)  # (key of _ranges, its reference range)
        self._wobbles: list[float] = []
        self._set: _SetState | None = None
        self._t_stream = 0.0
        self._t_last_raw: float | None = None
        self._trace_t: list[np.ndarray] = []
        self._trace_d: list[np.ndarray] = []
        self.reject_reason = ""
        self._events: list[Event] = []
        self._gaps: list[Gap] = []

    # ------------------------------------------------------------------ API
    def push(self, t: np.ndarray, acc: np.ndarray, gyro: np.ndarray | None = None) -> list[Event]:
        """Feed samples: ``t`` (n,) s since the first sample, ``acc`` (n, 3) g,
        and -- when constructed with ``gyro=True`` -- ``gyro`` (n, 3) deg/s
        (NaN where the gyroscope has no reading)."""
        t = np.asarray(t, dtype=np.float64)
        acc = np.asarray(acc, dtype=np.float64).reshape(-1, 3)
        if len(t) == 0:
            return []
        if self._has_gyro:
            if gyro is None:
                raise ValueError("this analyzer was made with gyro=True: push gyroscope samples too")
            gyro = np.asarray(gyro, dtype=np.float64).reshape(-1, 3)
            if len(gyro) != len(t):
                raise ValueError(f"{len(gyro)} gyroscope samples pushed with {len(t)} times")
            valid = np.isfinite(gyro).all(axis=1)
            acc = np.hstack([acc, np.where(valid[:, None], gyro, 0.0), valid[:, None].astype(np.float64)])
        elif gyro is not None:
            raise ValueError("gyroscope samples pushed to an analyzer made without gyro=True")
        if self._resampled_outside:
            raise ValueError("this analyzer took resampled chunks (push_resampled): push the rest that way too")
        return self._ingest(t, self._res.push(t, acc))

    def push_resampled(self, t: np.ndarray, chunk: GridChunk) -> list[Event]:
        """:meth:`push` of samples at times ``t`` (s) already brought onto the
        grid: ``chunk`` is what a :func:`grid_resampler` at this analyzer's
        rate, fed every sample pushed so far in the same blocks, returned for
        this block.  The resampler is deterministic, so the reps are
        :meth:`push`'s; it lets another process resample while this one
        segments (:mod:`reptrack.overlap`).  Accelerometer-only analyzers;
        once used, every later block comes this way."""
        if self._has_gyro:
            raise ValueError("push_resampled takes accelerometer-only chunks; this analyzer has a gyroscope")
        t = np.asarray(t, dtype=np.float64)
        if len(t) == 0:
            return []
        self._resampled_outside = True  # (this analyzer's own resampler has fallen behind)
        return self._ingest(t, chunk)

    def _ingest(self, t: np.ndarray, chunk: GridChunk) -> list[Event]:
        """The rest of :meth:`push` for raw times ``t`` (s, non-empty) and
        their grid points ``chunk``: gap events, then the state machine."""
        self._gap_events(t)
        self._t_stream = max(self._t_stream, float(t[-1]))
        if len(chunk.k):
            self._append(chunk.k, chunk.x, chunk.breaks)
        self._advance(final=False)
        self._close_set_if_rested()
        out, self._events = self._events, []
        return out

    def finish(self) -> list[Event]:
        """End of stream: finalise a pending rep and close the open set."""
        self._advance(final=True)
        self._close_set()
        out, self._events = self._events, []
        return out

    def status(self) -> Status:
        """Current phase for a live display."""
        set_idx = self._set.index if self._set else len(self.sets) + 1
        n_in_set = len(self._set.reps) if self._set else 0
        last = self.reps[-1] if self.reps else None
        phase: Literal["resting", "lifting", "holding", "lowering"] = "resting"
        since = last.end if last else 0.0
        ep = self._ep
        if ep is not None and self._k_end > ep.start:
            d = angle_from(self._gslice(ep.start, self._k_end), ep.b)
            pk = int(np.argmax(d))
            since = ep.start / self.fs
            if ep.ret is not None or (d[-1] < 0.8 * d[pk] and pk < len(d) - 1):
                phase = "lowering"
                below = nonzero1d(d[pk:] < 0.9 * d[pk])
                since = (ep.start + pk + (int(below[0]) if len(below) else 0)) / self.fs
            elif pk < len(d) - int(0.3 * self.fs) and d[-1] >= 0.8 * d[pk]:
                phase = "holding"
                above = nonzero1d(d >= 0.9 * d[pk])
                since = (ep.start + int(above[0])) / self.fs
            else:
                phase = "lifting"
        return Status(
            t=self._t_stream,
            phase=phase,
            phase_since=since,
            set_index=set_idx,
            reps_in_set=n_in_set,
            last_rep=last,
            hint=self._set.hint if self._set else None,
        )

    def motion_trace(self) -> tuple[np.ndarray, np.ndarray]:
        """(t s, tilt deg from the current baseline) at 10 Hz, for plots."""
        if not self._trace_t:
            return np.empty(0), np.empty(0)
        t = np.concatenate(self._trace_t)
        d = np.concatenate(self._trace_d)
        # segments can overlap where a movement was re-scanned: keep the last value per time
        _, last = np.unique(t[::-1], return_index=True)
        keep = len(t) - 1 - last
        return t[keep], d[keep].astype(np.float64)

    # ------------------------------------------------------------ buffering
    def _gap_events(self, t: np.ndarray) -> None:
        rate = self.nominal_rate_hz
        if not rate:
            return
        tt = t if self._t_last_raw is None else np.concatenate(([self._t_last_raw], t))
        limit = GAP_FACTOR / rate
        for i in nonzero1d(np.diff(tt) > limit):
            gap = Gap(float(tt[i]), float(tt[i + 1]))
            self._gaps.append(gap)
            self._events.append(Event("gap", at=float(tt[i + 1]), gap=gap))
        self._t_last_raw = float(t[-1])

    def _append(self, k: np.ndarray, x: np.ndarray, breaks: list[int]) -> None:
        """Add grid points (absolute indices ``k``; ``x`` acceleration, then
        angular velocity when there is a gyroscope); handle stream breaks."""
        # split at breaks (and at any jump in k, which only happens at breaks)
        cut = [0] + [int(np.searchsorted(k, b)) for b in breaks] + [len(k)]
        for a, b in zip(cut[:-1], cut[1:]):
            if b <= a:
                continue
            kk, xx = k[a:b], x[a:b, :3]
            if self._k_end and int(kk[0]) != self._k_end:
                self._on_break(int(kk[0]))
            elif not self._k_end and self._acc.shape[0] == 0:
                self._k0 = self._run_start = self._pos = self._idle_start = int(kk[0])
            g = self._detect_dir(xx)
            self._acc = np.vstack([self._acc, xx])
            self._g = np.vstack([self._g, g])
            if self._has_gyro:
                # (a grid point any invalid reading reached has no gyro value)
                gy = np.where((x[a:b, 6] >= 1.0 - 1e-9)[:, None], x[a:b, 3:6], np.nan)
                self._gyr = np.vstack([self._gyr, gy])
            self._k_end = int(kk[-1]) + 1
            if self._k_end - self._k0 != len(self._acc) or (self._has_gyro and len(self._gyr) != len(self._acc)):
                raise AssertionError("grid buffer out of step")  # pragma: no cover - internal invariant

    def _on_break(self, k_new: int) -> None:
        """A hole longer than the resampler bridges: finish what can be finished, reset."""
        self._advance(final=True)
        self._ep = None
        # pad the buffer with NaN up to k_new so absolute indexing stays simple
        n_pad = k_new - self._k_end
        self._acc = np.vstack([self._acc, np.full((n_pad, 3), np.nan)])
        self._g = np.vstack([self._g, np.full((n_pad, 3), np.nan)])
        if self._has_gyro:
            self._gyr = np.vstack([self._gyr, np.full((n_pad, 3), np.nan)])
        self._k_end = k_new
        self._run_start = self._pos = self._idle_start = k_new
        self._b = None
        self._ma1_carry = np.empty((0, 3))
        self._ma2_carry = np.empty((0, 3))
        self._trim()

    def _detect_dir(self, x: np.ndarray) -> np.ndarray:
        """Two causal moving averages (shrinking at a run's start), normalised."""
        m1, self._ma1_carry = causal_ma(x, self._ma1_carry, self._ma_n)
        m2, self._ma2_carry = causal_ma(m1, self._ma2_carry, self._ma_n)
        return unit(m2)

    def _gslice(self, a: int, b: int) -> np.ndarray:
        return self._g[a - self._k0 : b - self._k0]

    def _aslice(self, a: int, b: int) -> np.ndarray:
        return self._acc[a - self._k0 : b - self._k0]

    def _trim(self) -> None:
        keep_from = self._pos - int((2 * BASE_WIN_S + 2.0) * self.fs)
        if self._ep is not None:
            keep_from = min(keep_from, self._ep.pre)
        if self._last_end_idx is not None:
            keep_from = min(keep_from, self._last_end_idx - int(PRE_S * self.fs))
        drop = keep_from - self._k0
        if drop > 4096:
            self._acc = self._acc[drop:]
            self._g = self._g[drop:]
            if self._has_gyro:
                self._gyr = self._gyr[drop:]
            self._k0 += drop

    # -------------------------------------------------------- state machine
    def _advance(self, final: bool) -> None:
        guard = 0
        while True:
            guard += 1
            if guard > 100000:  # pragma: no cover - safety net
                break
            if self._ep is None:
                if not self._idle_step(final):
                    break
            elif self._ep.ret is None:
                if not self._episode_step(final):
                    break
            else:
                if not self._returned_step(final):
                    break
        self._trim()

    def _idle_step(self, final: bool) -> bool:
        """Scan resting data for an onset; returns True if the state changed."""
        a, e_all = self._pos, self._k_end
        if e_all <= a:
            return False
        # bounded span per call keeps the cost linear in the stream length
        e = min(e_all, a + int(IDLE_SPAN_S * self.fs))
        g = self._gslice(a, e)
        if self._b is None:
            self._b = unit(g[0])
        b, noise, learnt = self._windowed_baseline(a, e)
        d = angle_between_rows(g, b)
        t_on = np.clip(T_ON_K * noise, T_ON_MIN_DEG, T_ON_MAX_DEG)
        hit = nonzero1d(d > t_on)
        self._record_trace(a, d[: int(hit[0])] if len(hit) else d)
        if len(hit) == 0:
            self._b = b[-1]
            self._noise_deg = float(noise[-1])
            self._pos = e
            # (a still window re-learnt the rest: no quick re-learning after a walk)
            self._after_wild = self._after_wild and not learnt[-1]
            return e < e_all
        j = int(hit[0])
        self._b = b[j]
        self._noise_deg = float(noise[j])
        k = a + j
        pre = rest_lo = max(k - int(PRE_S * self.fs), self._run_start)
        if self._last_end_idx is not None:
            # the measurement may look back PRE_BACK_S before the previous
            # rep's fitted end (an end fitted late must not cut off the start
            # of a quick rep that follows at once); the rest noise may not
            rest_lo = max(pre, min(self._last_end_idx, k))
            pre = max(pre, min(self._last_end_idx - int(PRE_BACK_S * self.fs), k))
        # (only soon after it: a longer rest has re-learnt the rest direction)
        # (and only while no still window of the rest since has re-learnt it:
        # the movement then starts from a known rest, and a 2-s still window
        # in it is a rep's top -- 13026, a set read upside down)
        fast = self._after_wild and not learnt[j] and k - self._wild_end <= int(AFTER_WILD_S * self.fs)
        self._ep = _Episode(
            start=k, pre=pre, b=b[j].copy(), fast_rebase=fast, rest_lo=rest_lo, still_from_start=fast and self._after_giveup
        )
        self._after_wild = self._after_giveup = False
        self._t_on = float(t_on[j])
        self._pos = k
        return True

    def _windowed_baseline(self, a: int, e: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Baseline direction (n, 3), resting deviation RMS (deg, n) and
        whether a still window of the current rest lies behind it (bool, n)
        for grid indices [a, e).

        Causal: index i uses the window [i - BASE_WIN_S, i - BASE_LAG_S] of the
        current rest, but only when that window was *still* (RMS angular spread
        below :data:`BASE_STILL_DEG`); otherwise the last still window's values
        carry forward, so a slow lift never drags the baseline along with it.
        """
        fs = self.fs
        w, lag = int(BASE_WIN_S * fs), int(BASE_LAG_S * fs)
        lo = max(self._idle_start, a - w - lag)
        g = self._gslice(lo, e)
        cs = np.empty((len(g) + 1, 3))
        cs[0] = 0.0
        np.cumsum(g, axis=0, out=cs[1:])
        n = e - a
        # index i (from a) has a full window when its start a + i - lo - lag - w >= 0
        j0 = max(0, lo + lag + w - a)
        b = np.tile(self._b, (n, 1))  # type: ignore[arg-type]
        noise = np.full(n, self._noise_deg)
        learnt = np.zeros(n, dtype=bool)
        if j0 < n:
            b0 = a + j0 - lo - lag - w  # window start (in cs) of the first full window
            bot = cs[b0 : b0 + n - j0]
            mid = cs[b0 + w // 2 : b0 + w // 2 + n - j0]
            top = cs[b0 + w : b0 + w + n - j0]
            m = (top - bot) / w
            r = np.sqrt(np.einsum("ij,ij->i", m, m))
            spread = np.sqrt(np.clip(1.0 - r * r, 0.0, None)) * RAD2DEG  # RMS angle about the mean
            # drift: angle between the means of the window's two halves
            h1 = unit(mid - bot)
            h2 = unit(top - mid)
            drift = np.arccos(np.clip(np.einsum("ij,ij->i", h1, h2), -1.0, 1.0)) * RAD2DEG
            still = (spread < BASE_STILL_DEG) & (drift < BASE_DRIFT_DEG)
            ok_idx = np.arange(j0, n)
            have, src = carry_forward(ok_idx[still], ok_idx, n)
            b[have] = unit(m[src])
            learnt = have
            # the resting deviation also follows windows that drift (standing
            # sway wanders more than BASE_DRIFT_DEG in 2 s): it sets the onset
            # threshold and the smallest first rep, which must sit above sway
            have, src = carry_forward(ok_idx[spread < BASE_STILL_DEG], ok_idx, n)
            noise[have] = spread[src]
        return b, noise, learnt

    def _episode_step(self, final: bool) -> bool:
        """Follow a movement until it returns (or is abandoned).

        The data are looked at :data:`EPISODE_LOOK_S` at a time, as a stream
        delivers them: every decision here waits until the data can no
        longer change it, so a shorter look gives the same answer or none
        (then a longer one follows), and most movements are decided in the
        first look instead of over the whole 31-s span.
        """
        ep = self._ep
        assert ep is not None
        e_max = min(self._k_end, ep.start + int((MAX_EPISODE_S + 1.0) * self.fs))
        e = min(e_max, ep.start + int(EPISODE_LOOK_S * self.fs))
        while not self._episode_look(ep, e, final and e == e_max):
            if e == e_max:
                return False
            e = min(e_max, e + int(EPISODE_LOOK_S * self.fs))
        return True

    def _episode_look(self, ep: _Episode, e: int, final: bool) -> bool:
        """:meth:`_episode_step` on the data up to grid index ``e``."""
        d = angle_from(self._gslice(ep.start, e), ep.b)
        # the return threshold grows with the movement's running peak (causal),
        # so big reps separate even when the bottom sways a little
        t_off = self._return_level(np.maximum.accumulate(d))
        r, pending = confirmed_return(d, t_off, self._t_on, int(RET_CONFIRM_S * self.fs), final)
        # ... or, once below half the peak, the deviation has settled: a bottom
        # that ends a little off the old rest direction still ends the movement.
        # (Only before any return still awaiting confirmation, so the answer
        # does not depend on how much data has arrived.)
        r2 = settled_low(d, int(RET_STILL_S * self.fs), self._t_on, self._noise_deg)
        first = min(x for x in (r, pending, len(d)) if x is not None)
        if r2 is not None and r2 < first:
            r = first = r2
        if r is not None:
            through = self._passing_through(ep, d, r, final)
            if through is None:
                r, pending = None, r
            elif through:
                r = None  # not a return: the crossing below takes it
        # abandonment: too long, or still far from the baseline (re-strap, new posture)
        n_max = int(MAX_EPISODE_S * self.fs)
        abandon: int | None = None
        abandon_n = 0  # length of the still window that decided it, if one did
        lim = r if r is not None else len(d)
        if lim > n_max:
            abandon = n_max
        # still far away (a re-strap, a new posture): the mean deviation over
        # the first, middle and last third of a window agree and the deviation
        # hardly varies.  The window is REBASE_STILL_S, so a rep's hold between
        # two slow transitions never qualifies -- or REBASE_FAST_S once the
        # movement went beyond any heel raise (walking, re-strapping).
        wild = nonzero1d(d[:lim] > MAX_RANGE_DEG)
        first_wild = 0 if ep.fast_rebase else (int(wild[0]) if len(wild) else None)
        n_fast = int(REBASE_FAST_S * self.fs)
        for n_still, first in ((int(REBASE_STILL_S * self.fs), 0), (n_fast, first_wild)):
            if first is None or lim - first < n_still:
                continue
            # (right after a wild movement, a stance held above the return
            # threshold is the new rest, however near the old one: it has
            # not returned, and no later still window of the movement -- a
            # rep's top -- may take its place: 29034)
            floor = T_OFF_FRAC * self._t_on if ep.fast_rebase and n_still == n_fast else self._t_on
            cand = still_far(d[:lim], n_still, floor, first, self._noise_deg)
            if n_still == n_fast:
                cand = self._still_rest_second(ep, d[:lim], cand, floor)
            if cand is not None and n_still == n_fast and ep.still_from_start and cand + 1 - n_still > int(GIVEUP_STILL_START_S * self.fs):
                cand = None
            if cand is not None and (abandon is None or cand < abandon):
                abandon, abandon_n = cand, n_still
        # a movement that swings through the rest direction to the other side
        # started from somewhere else: the first level it settled at (a heel
        # dropped below the step, a new posture) is the real bottom
        # (decisions only before any return still awaiting confirmation, so the
        # answer does not depend on how much data has arrived)
        first = min(x for x in (r, pending, len(d)) if x is not None)
        cross = self._crossing(ep, d, first - 1) if first > 0 else None
        if cross is not None and (abandon is None or cross[0] < abandon):
            c, plateau_end = cross
            self._record_trace(ep.start, d[: c + 1])
            self._rebaseline(ep.start + plateau_end)
            return True
        # ... or that settled at a new level and made a rep from there
        step = self._stepped_rest(ep, d, first - 1) if first > 0 else None
        if step is not None and not step.back:
            # a rep from a new level, not back at it when the movement came
            # back to the old rest (``first`` is that return): look past the
            # return for it
            step = None
            if r is not None:
                past = min(r + int(STEP_PAST_RETURN_S * self.fs), int((MAX_EPISODE_S + 1.0) * self.fs) - 1)
                if len(d) <= past and not final:
                    return False  # (the data to decide have not arrived)
                step = self._stepped_rest(ep, d, min(past, len(d) - 1))
                if step is not None and not step.back:
                    step = None
        if step is not None and (abandon is None or step.decided < abandon):
            self._record_trace(ep.start, d[: step.decided + 1])
            self._rebaseline(ep.start + step.rest_at)
            return True
        if abandon is not None and abandon < first:
            # (after a REBASE_STILL_S window the new rest is its first third,
            # and movements are scanned for again from there: the rest of the
            # window may hold the slow start of the next rep -- learnt as
            # the rest, a baseline part-way up made every rest between the
            # reps of a 5-2-5 set look like a rep)
            if abandon_n == int(REBASE_STILL_S * self.fs):
                abandon += 1 - abandon_n + abandon_n // 3
            self._record_trace(ep.start, d[: abandon + 1])
            self._rebaseline(ep.start + abandon)
            self._keep_rep_axis(ep.b)
            self._rep_axis = None  # a re-strap may have turned the sensor
            return True
        if r is None:
            if final:
                self._record_trace(ep.start, d)
                self._ep = None
                self._pos = e
            return False
        self._record_trace(ep.start, d[: r + 1])
        ep.wild = bool(np.any(d[: r + 1] > MAX_RANGE_DEG))
        ep.peak = float(d[: r + 1].max())
        ep.ret = ep.start + r
        ep.attempt = ep.ret
        ref = self._reference_range()
        ep.settled_off = r == r2 and ref is not None and float(d[r]) > max(SETTLED_OFF_K * self._t_on, SETTLED_OFF_REL * ref)
        return True

    def _finalise(self, ep: _Episode, rep: Rep | None, k: int, cut: int | None, horizon: int) -> None:
        """Close the current movement at grid index ``k`` (emit ``rep`` if any,
        reported at ``horizon``, the last grid index the decision saw)."""
        assert ep.ret is not None
        self._ep = None
        self._note_wild(ep, rep is not None, gave_up=False, held_to=cut)
        if rep is None:
            self._rest_where_settled(ep)
            self._forget_axis_if_restrapped(ep)
        if rep is not None:
            self._emit_rep(rep, at=horizon / self.fs, decided_end=ep.decided_end)
            if ep.axis is not None:  # (a rep always has its motion axis)
                self._rep_axis = ep.axis.u
            self._orient_sum, self._orient_b = min(self._orientation(ep.b) + ep.orient, ORIENT_SUM_MAX), ep.b
            end_idx = int(np.ceil(min(ep.seg_end, ep.fit_end) * self.fs))
            self._last_end_idx = min(max(end_idx, ep.ret), k)
            # the bottom just measured is the freshest baseline (reps with
            # short rests never leave a still 2-s window for the rest logic)
            # -- only when that bottom is still: a fitted end that came early
            # would otherwise put the baseline part-way down the lower, where
            # the next rep's lower "returns" too soon, and the error repeats
            lo = end_idx + int(0.1 * self.fs)
            if k + 1 - lo >= int(FRESH_BOTTOM_S * self.fs):
                acc = self._aslice(lo, k + 1)
                if not np.isnan(acc).any():
                    half = len(acc) // 2
                    drift = angle_from(unit(acc[:half].mean(axis=0))[None, :], unit(acc[half:].mean(axis=0)))[0]
                    fresh = unit(acc.mean(axis=0))
                    if drift < BASE_DRIFT_DEG and self._bottom_plausible(fresh, rep):
                        self._b = fresh
            self._rest_from_rep(rep, ep.pre, end_idx, k, ep.start)
        self._idle_start = ep.ret if cut is None else cut
        self._pos = max((cut if cut is not None else ep.ret) + 1, self._idle_start)
        if cut is None:
            self._pos = max(self._pos, min(k, self._last_end_idx or k))

    def _forget_axis_if_restrapped(self, ep: _Episode) -> None:
        """After ``ep``, a movement that was no rep: if it was wild and
        peaked off the last reps' axis (:data:`WILD_AXIS_COS`; a walk swings
        the shank along it), it turned the sensor on the shank -- a re-strap
        -- and the reps' axis is unknown until the next rep.  (9005, whose
        re-strap came back to the old rest direction, kept it and read two
        steps of the foot as a rep.)"""
        u_wild = ep.axis.u if ep.wild and ep.axis is not None else None
        if u_wild is not None and self._rep_axis is not None and abs(float(u_wild @ self._rep_axis)) < WILD_AXIS_COS:
            self._rep_axis = self._kept_axis = None

    def _bottom_plausible(self, u: np.ndarray, rep: Rep) -> bool:
        """May direction ``u``, read as the bottom after ``rep``, be the
        rest?  Unless it lies part-way along the rep: more than
        :data:`FRESH_BOTTOM_MAX_K` onset thresholds and more than
        :data:`FRESH_BOTTOM_MAX_REL` of the rep's range from the rest."""
        moved = float(angle_from(u[None, :], self._b)[0])
        return moved <= max(FRESH_BOTTOM_MAX_K * self._t_on, FRESH_BOTTOM_MAX_REL * rep.range_deg)

    def _note_wild(self, ep: _Episode, is_rep: bool, gave_up: bool, held_to: int | None = None) -> None:
        """After movement ``ep`` closed (a rep or not): a wild movement (a
        walk, a re-strap) that was no rep -- or a no-rep movement that
        followed one -- leaves the next movement to re-learn the rest quickly
        (:data:`REBASE_FAST_S`).  When its end was not waited for
        (``gave_up``), only from a stance held from that movement's start
        (:data:`GIVEUP_STILL_START_S`): the next set's first rep may be under
        way already, and its top is no rest.  ``held_to``: the grid index
        where the next movement's start cut this one's window, if it did."""
        self._after_wild = not is_rep and (ep.wild or ep.fast_rebase)
        n = int(REBASE_FAST_S * self.fs)
        if self._after_wild and held_to is not None and ep.ret is not None and held_to - ep.ret >= n:
            # ... unless the stance before the next movement (its start cut
            # the window at ``held_to``) was held still for the quick window:
            # at the rest direction, it confirms the rest; away from it, it
            # is the rest.  (Left to the next movement, whose window starts
            # after that stance, a 2-s still window there was the set's first
            # rep's top: 15029, the set read upside down.)
            g = self._gslice(held_to - n, held_to)
            d = angle_from(g, ep.b)
            if np.all(d <= self._t_on):
                self._after_wild = False
            elif still_far(d, n, self._t_on, 0, self._noise_deg) is not None:
                self._b = unit(g.mean(axis=0))
                self._after_wild = False
        self._after_giveup = gave_up and self._after_wild
        if not is_rep and ep.wild:
            self._wild_end = ep.ret

    def _rest_from_rep(self, rep: Rep, first: int, end_idx: int, k: int, onset: int) -> None:
        """A rep that started and ended at one level far from the rest
        direction (more than SETTLED_OFF_K onset thresholds) makes that level
        the rest: the athlete stands differently (a step of the foot before
        the set), and the rest kept would start every movement at once.
        (Data from grid index ``first`` on -- the movement's own window,
        kept alike live and offline -- up to ``k``, the index it is closed at.)
        A rep whose movement began (grid index ``onset``) well before it --
        it came from a level the movement had settled at -- needs only
        :data:`REP_REST_OFF_K` onset thresholds."""
        n = int(REP_REST_S * self.fs)
        s0 = int(round(rep.start * self.fs))
        pre = self._aslice(max(s0 - n, first), max(s0, first))
        post = self._aslice(end_idx, min(k + 1, end_idx + n))
        if len(pre) < n // 2 or len(post) < n // 2 or np.isnan(pre).any() or np.isnan(post).any():
            return
        a, b = unit(pre.mean(axis=0)), unit(post.mean(axis=0))
        if float(angle_from(a[None, :], b)[0]) > self._t_on:
            return
        off = float(angle_from(np.vstack((a, b)), self._b).min())
        lead = rep.start - onset / self.fs
        if off > (REP_REST_OFF_K if lead >= REP_REST_LEAD_S else SETTLED_OFF_K) * self._t_on:
            self._b = unit(a + b)

    def _where_reps_went(self, u: np.ndarray) -> bool:
        """Does direction ``u`` (from rest) point where the last rep went
        (cosine above :data:`CROSS_REP_COS`)?  A level there is a rep's top,
        not a new rest or a dropped heel.  After a re-learnt rest that turned
        little (a walk, a strap slip) the last rep's axis is the one kept
        through it (:meth:`_keep_rep_axis`).  False before any rep."""
        axis = self._last_axis
        return axis is not None and float(u @ axis) > CROSS_REP_COS

    @property
    def _last_axis(self) -> np.ndarray | None:
        """The last rep's motion axis, or else the one kept through an
        abandoned movement (:meth:`_keep_rep_axis`); None when neither is."""
        return self._rep_axis if self._rep_axis is not None else self._kept_axis

    def _rest_where_settled(self, ep: _Episode) -> None:
        """A movement that was no rep and returned by settling far from the
        rest (``ep.settled_off``: a strap slip, a shift of the foot) leaves its
        level as the rest: the mean direction of its settled window
        (:data:`RET_STILL_S` up to the return) -- unless that lies where the
        last reps went (a rep's top: a set read upside down).  Kept, the old
        baseline started the next movement at once, and the set's first reps
        were lost to the 30-s episode limit.  A quick shift held for long (a
        change of posture, ``ep.held_rest``) leaves the level it was held at.
        A settled rest that turned :data:`KEEP_AXIS_DEG` or more forgets the
        reps' axis (as :meth:`_keep_rep_axis` does)."""
        if ep.held_rest is not None:
            self._b = ep.held_rest
            if ep.upside_down:
                # (the reps' axis was read upside down too)
                self._rep_axis = self._kept_axis = None
            return
        if not ep.settled_off or ep.ret is None:
            return
        n = int(RET_STILL_S * self.fs)
        b = self._direction(max(ep.ret - n, ep.start), ep.ret + 1)
        u = motion_axis(b, ep.b)
        if u is None or self._where_reps_went(u):
            return  # (settled where the last reps went: a rep's top, as in _crossing)
        if float(angle_from(b[None, :], self._b)[0]) >= KEEP_AXIS_DEG:
            # (a rest that turned this far: the sensor was turned on the
            # shank, and the reps' axis is unknown until the next rep, as
            # after a re-learnt rest (_keep_rep_axis).  A re-strap whose
            # sensor turned along the old axis passed the off-axis test of
            # _forget_axis_if_restrapped; the stale axis then read the next
            # set's first rep from its top: 45000)
            self._rep_axis = self._kept_axis = None
        self._b = b

    def _keep_rep_axis(self, b_old: np.ndarray) -> None:
        """After a movement was abandoned and the rest re-learnt: keep the last
        rep's motion axis (projected onto the new rest's tangent plane) for
        :attr:`_last_axis` when the rest turned by less than
        :data:`KEEP_AXIS_DEG` -- a walk, a strap slip -- else forget it: a
        re-strap turns the sensor any way.  (Forgotten always before: a set
        that followed a walk and then a strap slip or a step of the foot had
        no axis to find its new rest by, and was lost.)"""
        axis = self._last_axis
        self._kept_axis = None
        if axis is None or self._b is None or angle_from(self._b[None, :], b_old)[0] >= KEEP_AXIS_DEG:
            return
        self._kept_axis = motion_axis(self._b + axis, self._b)

    def _still_rest_second(self, ep: _Episode, d: np.ndarray, cand: int | None, floor: float) -> int | None:
        """The quick still window (:data:`REBASE_FAST_S`) ending at ``cand``
        (index from the movement's start) -- or a later one -- whose last
        second, the one :meth:`_rebaseline` learns the rest from, is still in
        direction too (RMS spread under :data:`BASE_STILL_DEG`) where it lies
        over :data:`QUICK_STILL_FAR_DEG` from the old rest; None if none
        yet.  (``d``, the angle from the old rest, hardly changes for a move
        across it when the old rest lies far away -- after a re-strap, 127
        deg: a 3.4-deg fidget passed the window's tolerance, which grows with
        ``d``, and the rest was learnt from it: 36024.)"""
        n, sec = int(REBASE_FAST_S * self.fs), int(1.0 * self.fs)
        for _ in range(QUICK_STILL_TRIES):
            if cand is None:
                return None
            if float(np.mean(d[max(cand - sec, 0) : cand + 1])) < QUICK_STILL_FAR_DEG:
                return cand  # (near the old rest the angle's own test sees a fidget)
            g = self._gslice(ep.start + max(cand - sec, 0), ep.start + cand + 1)
            m = g.mean(axis=0)
            if np.sqrt(max(1.0 - float(m @ m), 0.0)) * RAD2DEG < BASE_STILL_DEG:
                return cand
            cand = still_far(d, n, floor, cand - n + 1 + int(QUICK_STILL_STEP_S * self.fs), self._noise_deg)
        return None

    def _rebaseline(self, k: int) -> None:
        """Abandon the current movement; learn the new resting direction at ``k``
        (from the second before it) and scan for movements from there on."""
        self._ep = None
        lo = max(k - int(1.0 * self.fs), self._run_start)
        self._b = self._direction(lo, k + 1)
        # a new posture's sway is unknown until a calm rest window measures
        # it: assume standing sway meanwhile (onset threshold, first-rep gate)
        self._noise_deg = max(self._noise_deg, REBASE_NOISE_DEG)
        self._idle_start = self._pos = k + 1
        self._last_end_idx = k

    def _settled_axis(
        self, ep: _Episode, d: np.ndarray, lim: int, min_deg: float = CROSS_MIN_DEG
    ) -> tuple[int, np.ndarray, float, np.ndarray] | None:
        """``(p0, u, level, still)`` of the first plateau the movement settled
        at in ``d[: lim + 1]`` (``d`` above twice the onset threshold and
        varying by less than :data:`CROSS_SPREAD_FRAC` of its level for
        :data:`CROSS_HOLD_S`): the index it is established at, its direction
        ``u`` and level (deg), and the starts of the still windows; None if
        there is none (or it is nearer rest than :data:`CROSS_MIN_DEG`)."""
        n = int(CROSS_HOLD_S * self.fs)
        if lim < n + 2:
            return None
        dd = d[: lim + 1]
        lo, hi = rolling_min_max(dd, n + 1)
        # (a plateau at least CROSS_MIN_DEG out: sway held still just above
        # the onset threshold before the heel drops is not one)
        still = (lo > max(2.0 * self._t_on, min_deg)) & (hi - lo < CROSS_SPREAD_FRAC * hi + 2.0 * self._noise_deg)
        first = nonzero1d(still)
        if not len(first):
            return None
        p0 = int(first[0]) + n  # first index at which a plateau is established
        u = motion_axis(self._gslice(ep.start + p0, ep.start + p0 + 1)[0], ep.b)
        level = float(dd[p0])
        if u is None:
            return None
        return p0, u, level, first

    def _cross_plateau(
        self, ep: _Episode, d: np.ndarray, lim: int
    ) -> tuple[int, np.ndarray, float, np.ndarray] | None:
        """:meth:`_settled_axis` for a crossing: a plateau at least
        :data:`CROSS_MIN_DEG` out -- or nearer, from twice the onset
        threshold, when the movement held it still from its start for
        longer than a pause (``LONG_HOLD_X`` times the guidance's, + 1 s),
        like a rest: a step of the foot before a set, whose first lift then
        passes the old rest on its way up (45007: a 1.6-deg step held 5.4 s;
        the rep was read from its top).  Only while no reps' axis is known
        (after a re-strap): with one, a bottom between reps ~1 deg off the
        rest, held 3-4 s, read as such a level and sets were lost (62 runs:
        2,309 -> 2,303 exact with the rule for any axis)."""
        ax = self._settled_axis(ep, d, lim)
        if ax is not None:
            return ax
        if self._last_axis is not None:
            return None  # (the reps' way is known: a bottom a little off is no new rest)
        ax = self._settled_axis(ep, d, lim, min_deg=0.0)
        if ax is None:
            return None
        still = ax[3]
        if still[0] > 0:
            return None  # (not held from the movement's start)
        breaks = nonzero1d(np.diff(still) != 1)
        run = int(breaks[0]) + 1 if len(breaks) else len(still)
        held = run + int(CROSS_HOLD_S * self.fs)
        return ax if held >= self._held_like_rest_s * self.fs else None

    @property
    def _held_like_rest_s(self) -> float:
        """How long (s) a level must be held to count as a rest (or a change
        of posture), not a rep's top: longer than a pause (``LONG_HOLD_X``
        times the guidance's, + 1 s)."""
        return LONG_HOLD_X * self.guidance.hold_target_s + 1.0

    def _stepped_rest(self, ep: _Episode, d: np.ndarray, lim: int) -> _SteppedRest | None:
        """Where to re-learn the rest (:class:`_SteppedRest`) when the
        movement settled at a new level -- not where the last reps went
        -- and then made a rep-like out-and-back *from that level*, the way
        the last rep went, and came back to it: a step to a new posture (or
        a strap slip) before a set, the new level its rest.  Else None.

        A move from the level that is no such rep but settles again (a strap
        slipping after a step of the foot) gives the next level to try, up
        to :data:`STEP_LEVELS` levels; so does a level where the last reps
        went, left sooner than a pause allows (a rep's top -- or a step of the
        foot that a strap slip soon followed), and a level nearer rest than
        the guidance's partial fraction of the reference range (a small shift
        of the foot before a larger one).  After a walk the last reps' axis
        is the one kept through it (:meth:`_keep_rep_axis`); with no axis at
        all (no rep since a re-strap) a level counts when it was held like a
        rest and the move from it went out and back for at least
        :data:`MIN_REP_S`, any way.  When no level gives such a rep, the
        first level an out-and-back went out from like one but is not back
        to by ``lim`` is returned, with ``back`` False (decided at ``lim``)."""
        ref = self._reference_range()
        if ref is None or lim < 0 or float(d[: lim + 1].max()) < self.guidance.partial_rel * ref:
            return None
        ax = self._settled_axis(ep, d, lim, min_deg=0.0)
        if ax is None:
            return None
        out = self._stepped_levels(ep, d, lim, ax[0], ax[1], self._last_axis, ref)
        if (out is None or not out.back) and self._rep_axis is None and self._kept_axis is not None:
            # (an axis kept through a wild movement may be stale: a re-strap
            # that turned the sensor about gravity leaves the rest where it
            # was and the reps' axis anywhere -- 34023, whose next set's
            # first reps were lost to the 30-s limit.  Then the rules for no
            # axis at all, which ask more of the level and the rep.)
            alt = self._stepped_levels(ep, d, lim, ax[0], ax[1], None, ref)
            if alt is not None and alt.back:
                return alt
        return out

    def _stepped_levels(
        self, ep: _Episode, d: np.ndarray, lim: int, p0: int, u: np.ndarray, axis: np.ndarray | None, ref: float
    ) -> _SteppedRest | None:
        """:meth:`_stepped_rest` from the first level (``p0``, direction ``u``)
        on, up to :data:`STEP_LEVELS` levels, judged against the reps' motion
        ``axis`` (None: no axis known)."""
        held = self._held_like_rest_s * self.fs
        out: _SteppedRest | None = None  # (the first level left and not come back to)
        for _ in range(STEP_LEVELS):
            found, p_next = self._rep_from_level(ep, d, lim, p0, u, axis, ref, held)
            if found is not None and found.back:
                return found
            out = out or found
            if p_next is None:
                break
            p0 = p_next
            u = motion_axis(self._gslice(ep.start + p0, ep.start + p0 + 1)[0], ep.b)
            if u is None:
                break
        return out

    def _rep_from_level(
        self,
        ep: _Episode,
        d: np.ndarray,
        lim: int,
        p0: int,
        u: np.ndarray,
        axis: np.ndarray | None,
        ref: float,
        held: float,
    ) -> tuple[_SteppedRest | None, int | None]:
        """:meth:`_stepped_rest` from the level the movement holds at ``p0``
        (index from its start; ``u`` its direction from rest; ``axis`` the last
        reps' motion axis; ``held`` the longest pause, in samples): the answer
        -- with ``back`` False when the out-and-back is not back by ``lim`` --
        and, unless it came back, where the move that left the level settled
        (the next level to try) or None."""
        n = int(CROSS_HOLD_S * self.fs)
        # (with no axis -- no rep since a re-strap -- any level may be a top:
        # it must be held like a rest, and the out-and-back last like a rep)
        at_top = axis is None or float(u @ axis) > CROSS_REP_COS
        g = self._gslice(ep.start + p0 - n, ep.start + lim + 1)
        gp = unit(g[: n + 1].mean(axis=0))
        dp = angle_from(g[n:], gp)
        off = nonzero1d(dp > self._t_on)
        if not len(off):
            return None, None
        mv = int(off[0])  # the next movement leaves the level here
        need = max(MIN_RANGE_DEG, self.guidance.partial_rel * ref)
        # the peak of the window -- or, when that finds no rep back at the
        # level, of the first out-and-back that reaches ``need``: a later
        # rep's higher top moved the window's peak past the first rep's
        # return, no return was found, and two slow seated reps after a
        # step of the foot were lost (slow-5-2-5 seed 19)
        peaks = [mv + int(np.argmax(dp[mv:]))]
        out = nonzero1d(dp[mv:] >= need)
        if len(out):
            o = mv + int(out[0])
            peak_so_far = np.maximum.accumulate(dp[o:])
            came_back = nonzero1d(dp[o:] < self._return_level(peak_so_far))
            first = o + int(np.argmax(dp[o : o + int(came_back[0])])) if len(came_back) else peaks[0]
            if first != peaks[0]:
                peaks.append(first)
        opened: _SteppedRest | None = None  # (out from the level like such a rep, not back by lim)
        for pk in peaks:
            found = self._back_at_level(d, dp, g[n + pk], gp, p0, mv, pk, lim, at_top, axis, ref, held, need)
            if found is not None and found.back:
                return found, None
            opened = opened or found
        # (the move settles where dp varies by less than the onset threshold
        # over CROSS_HOLD_S)
        if len(dp) - mv < n + 2:
            return opened, None
        lo, hi = rolling_min_max(dp[mv:], n + 1)
        settled = nonzero1d(hi - lo < self._t_on)
        if not len(settled):
            return opened, None
        return opened, p0 + mv + int(settled[0]) + n

    def _back_at_level(
        self,
        d: np.ndarray,
        dp: np.ndarray,
        g_pk: np.ndarray,
        gp: np.ndarray,
        p0: int,
        mv: int,
        pk: int,
        lim: int,
        at_top: bool,
        axis: np.ndarray | None,
        ref: float,
        held: float,
        need: float,
    ) -> _SteppedRest | None:
        """:meth:`_rep_from_level`'s answer for the out-and-back that leaves
        the level at ``mv`` and peaks at ``pk`` (indices into ``dp``, the
        deviation (deg) from the level's direction ``gp``, from ``p0`` on;
        ``g_pk`` the gravity direction at the peak): a rep back at the
        level, one out like such a rep but not back by ``lim`` (``back``
        False), or None."""
        way = motion_axis(g_pk, gp)
        # (how long the level was held: until the out-and-back that reaches
        # the peak leaves it -- sway crosses the onset threshold before that
        # without leaving the level)
        below = nonzero1d(dp[:pk] <= self._t_on)
        rise = int(below[-1]) + 1 if len(below) else 0
        # (a level nearer rest than the partial fraction of the reference
        # range -- ``d``, the deviation from rest -- is no new rest: the reps
        # from it stay readable; a level where the last reps went, left sooner
        # than a pause allows, is a rep's top.  Where the move that leaves
        # either settles may be one.)
        far = float(d[p0]) >= self.guidance.partial_rel * ref
        # (... unless it was held longer than a pause and is at least the
        # smallest partial rep's range out: a step of the foot before a set)
        far = far or (rise >= held and float(d[p0]) >= PARTIAL_MIN_REL * ref)
        # (with no axis, a level the next move leaves farther out from the
        # old rest -- by a partial rep's range -- was no rep's top: a top is
        # left by the lower, back towards rest.  A step of the foot just
        # after a re-strap, the set's first rep from the new level: the
        # level's sway read as leaving it at once, and the set was lost)
        held_2s = rise >= int(FARTHER_HELD_S * self.fs)
        farther = axis is None and float(d[min(p0 + pk, len(d) - 1)]) > float(d[p0]) + need and held_2s
        # (... nor, with no axis, a level reached at a step -- the move onto
        # it settled within SHIFT_FAST_S and twice CROSS_HOLD_S of the
        # movement's start, as no rep's lift does -- and held FARTHER_HELD_S:
        # a step of the foot after a walk or a re-strap, 3-7 s before the
        # set's first rep; held less than a long pause, its level was taken
        # for a top, the step and the lift read as one movement, and the rep
        # was lost -- 30004, 35030)
        stepped = axis is None and p0 <= int((SHIFT_FAST_S + 2 * CROSS_HOLD_S) * self.fs) and held_2s
        if not (
            far
            and not (at_top and rise < held and not (farther or stepped))
            and dp[pk] >= need
            and way is not None
            and (axis is None or float(way @ axis) >= STEP_REP_COS)
        ):
            return None
        back = nonzero1d(dp[pk:] < self._return_level(dp[pk]))
        rest_at = p0 + max(mv - int(STEP_MARGIN_S * self.fs), 0)
        if len(back) and (axis is not None or pk + int(back[0]) - mv >= int(MIN_REP_S * self.fs)):
            return _SteppedRest(p0 + pk + int(back[0]), rest_at, True)
        return None if len(back) else _SteppedRest(lim, rest_at, False)

    def _crossing(self, ep: _Episode, d: np.ndarray, lim: int) -> tuple[int, int] | None:
        """(index, end of the plateau) when the movement crossed the rest
        direction to the other side after settling away from it, else None.

        Causal: the first plateau (:meth:`_settled_axis`) fixes the movement's
        direction; a later swing of the signed tilt along it through the rest
        direction to the other side (:meth:`_crossed`) is a crossing.
        """
        ax = self._cross_plateau(ep, d, lim)
        if ax is None:
            return None
        p0, u, level, first = ax
        if self._where_reps_went(u):
            # settled where the last reps went: a rep's top (the rest
            # direction may be stale after a strap slip), not a dropped heel
            return None
        st = signed_tilt(self._gslice(ep.start + p0, ep.start + lim + 1), ep.b, u)
        neg = self._crossed(st, level)
        if not len(neg):
            return None
        c = p0 + int(neg[0])
        # end of that plateau: the end of the run of still windows it started
        # (a later still window -- a rep's top hold -- is not the bottom)
        n = int(CROSS_HOLD_S * self.fs)
        return c, first_run_end(first[first + n <= c]) + n

    def _crossed(self, st: np.ndarray, level: float) -> np.ndarray:
        """Indices at which signed tilt ``st`` (deg, along a plateau's
        direction, from the rest direction) counts as having swung through
        the rest to the other side: it has reached minus :data:`CROSS_FRAC`
        of the plateau ``level`` and stayed below minus
        :data:`CROSS_HELD_FRAC` of it for the last :data:`CROSS_HELD_S`."""
        held = held_below(st, -max(self._t_on, CROSS_HELD_FRAC * level), int(CROSS_HELD_S * self.fs))
        reached = np.minimum.accumulate(st) < -max(self._t_on, CROSS_FRAC * level)
        return held[reached[held]]

    def _passing_through(self, ep: _Episode, d: np.ndarray, r: int, final: bool) -> bool | None:
        """Is the return at ``r`` the rest direction being passed on the way
        to the other side (a lift from a heel dropped below the step)?

        Only for a movement that settled away from rest first, and not where
        the last reps went (that plateau is a rep's top).  From the end of
        the return's confirmation window, while its signed tilt is at or past
        the rest direction and still moving away (by more than the onset
        threshold over :data:`PASS_SPEED_WIN` confirmation windows), the
        decision waits -- up to :data:`PASS_WAIT_S`; None while the data to
        decide have not arrived.  It passed through if the tilt swung through
        to the other side (:meth:`_crossed`) before it stalled for a
        confirmation window.  (A stall ended the wait at once before, and a
        lift from the dropped heel that slowed for a moment near the old rest
        -- sway, wobble, a slow 5-2-5 lift -- read as a return: the set that
        followed read inverted, 12 sets in 10 of 64 step sessions; now none.
        Such a return that stops at rest is decided up to two confirmation
        windows later than before; every rep is still reported within the
        0.6 s budget.)
        """
        n_c = int(RET_CONFIRM_S * self.fs)
        ax = self._cross_plateau(ep, d, r)
        if ax is None:
            return False
        _, u, level, _ = ax
        if self._where_reps_went(u):
            return False  # settled where the last reps went: a rep's top (as in _crossing)
        n_w = n_c + int(PASS_WAIT_S * self.fs)
        a = ep.start + r
        st = signed_tilt(self._gslice(a, min(a + n_w + 1, self._k_end)), ep.b, u)
        n_m = int(PASS_SPEED_WIN * n_c)
        if len(st) <= n_m:
            return None if not final else False
        moving = (st[n_m:] < self._t_on) & (st[:-n_m] - st[n_m:] > self._t_on)
        # it stopped once it stalled for n_c running (a lift from the dropped
        # heel slowed for a moment by sway or wobble as it passes is not a
        # stop); the stop is known at the end of that run
        runs = np.concatenate(([0], np.cumsum(~moving)))
        stop = nonzero1d(runs[n_c:] - runs[:-n_c] == n_c) + (n_c - 1)
        crossed = self._crossed(st, level)
        if len(stop):
            return bool(len(crossed) and crossed[0] <= n_m + stop[0])
        if len(st) < n_w + 1 and not final:
            return None
        return bool(len(crossed))

    def _returned_step(self, final: bool) -> bool:
        """Try to finalise the rep whose movement has returned."""
        ep = self._ep
        assert ep is not None and ep.ret is not None and ep.attempt is not None
        e = self._k_end
        if ep.attempt >= e and not final:
            return False
        k = min(ep.attempt, e - 1)
        if final:
            k = min(e - 1, ep.ret + int(MAX_SETTLE_WAIT_S * self.fs))
        # the data this decision has seen (a rep is reported then, even when
        # it is measured up to the start of the next movement, further back)
        horizon = k
        # has the next movement started already (no rest at the bottom)?
        d_after = angle_from(self._gslice(ep.ret, k + 1), ep.b)
        # a rise of more than T_on above the lowest point since the return --
        # or, while that point is still well above the bottom (a lower paused
        # part-way down, where sway and wobble bob about), a rise of
        # CUT_HIGH_FRAC of the peak
        low = np.minimum.accumulate(d_after)
        far = low > min(CUT_LOW_FRAC * ep.peak, 2.0 * self._t_on)
        if not ep.paused_lower:
            far &= np.arange(len(low)) < int(CUT_HIGH_S * self.fs)
        thr = np.where(far, max(self._t_on, CUT_HIGH_FRAC * ep.peak), self._t_on)
        if ep.paused_lower:
            # (the rise must last PAUSED_RISE_S: a shake swings back)
            n_hold = int(PAUSED_RISE_S * self.fs)
            held_d = rolling_min_max(d_after, n_hold)[0]
            rise = nonzero1d(held_d - low[: len(held_d)] > thr[: len(held_d)])
        else:
            rise = nonzero1d(d_after - low > thr)
        cut: int | None = None
        if len(rise):
            q = int(rise[0])
            cut = ep.ret + int(np.argmin(d_after[: q + 1]))
            k = ep.ret + q
        window_end = cut if cut is not None else k
        n_fall = int(0.1 * self.fs)
        n_r = max(2, int(0.2 * self.fs))
        if (
            cut is None
            and not final
            and len(d_after) > n_r
            and (
                (d_after[-1] > 0.2 * ep.peak and d_after[-1] < d_after[-1 - n_fall] - self._noise_deg)
                # the fitting step would wait too (FALL_RATE_FRAC): skip it
                # (before the first lower fit only: once an end is predicted,
                # its time comes first -- a heel dropping below the step
                # keeps falling through the old rest)
                or (ep.lower_fit is None and d_after[-1] > 0.05 * ep.peak and d_after[-n_r] - d_after[-1] > FALL_RATE_FRAC * ep.peak * n_r / self.fs)
            )
        ):
            # still clearly on the way down: nothing to fit yet (and the rep
            # had not ended when the detection direction -- DET_MA_S behind
            # -- began this last stretch of fall)
            ep.falling_until = max(ep.falling_until, (k - max(n_fall, n_r)) / self.fs - DET_MA_S)
            ep.attempt = k + max(1, int(ATTEMPT_S * self.fs))
            return True
        seed = ep.lower_fit
        n_ranges, n_wobbles = len(self._ranges), len(self._wobbles)
        ep.report_k = horizon
        rep_or_wait = self._measure(ep, window_end, k)
        if cut is not None and not ep.paused_lower and not final and (
            (rep_or_wait is None and ep.part_way) or (isinstance(rep_or_wait, Rep) and ep.end_above)
        ):
            # the rise that cut the window came while the lower was still
            # part-way down: a wobble on a lower that paused, not the next
            # movement, unless it is as big as one (CUT_HIGH_FRAC of the peak)
            if isinstance(rep_or_wait, Rep):
                # (kept: the rep as measured, should the longer window reject it)
                ep.paused_from = (window_end, seed)
            self._take_back(ep, n_ranges, n_wobbles, seed)
            ep.paused_lower = True
            ep.attempt = k + max(1, int(ATTEMPT_S * self.fs))
            return True
        if rep_or_wait is None and ep.paused_from is not None:
            # the longer window a pause near the bottom was waited for found
            # no rep (its range or level read otherwise): the rep as first
            # measured stands
            w0, seed0 = ep.paused_from
            ep.paused_from = None
            self._take_back(ep, n_ranges, n_wobbles, seed0)
            rep_or_wait = self._measure(ep, w0, w0, force=True)
        if isinstance(rep_or_wait, Rep) and horizon / self.fs - ep.seg_end > LATENCY_BUDGET_S and ep.last_wait:
            # this fit moved the end so far back that reporting now would break
            # the latency budget: report the previous attempt's measurement
            # (its window, its seed), which was within it -- deterministic, so
            # live and offline still agree
            rep_or_wait = self._remeasure(ep, ep.last_wait, (window_end, k, seed, horizon), n_ranges, n_wobbles)
        if rep_or_wait is None or isinstance(rep_or_wait, Rep) or cut is not None or final:
            self._finalise(ep, rep_or_wait if isinstance(rep_or_wait, Rep) else None, k, cut, horizon)
            return True
        # not settled yet: wait until SETTLE_S after the fitted end
        ep.last_wait = (window_end, seed)
        nxt = int(rep_or_wait)
        if nxt - ep.ret > int(MAX_SETTLE_WAIT_S * self.fs):
            nxt = ep.ret + int(MAX_SETTLE_WAIT_S * self.fs)
            if k >= nxt:
                ep.attempt = k + 1
                # give up waiting: measure with what we have
                ep.report_k = k
                res = self._measure(ep, k, k, force=True)
                self._ep = None
                if isinstance(res, Rep):
                    self._emit_rep(res, at=k / self.fs, decided_end=ep.decided_end)
                    self._last_end_idx = k
                else:
                    self._rest_where_settled(ep)
                    self._forget_axis_if_restrapped(ep)
                self._note_wild(ep, isinstance(res, Rep), gave_up=True)
                self._idle_start = self._pos = k + 1
                return True
        # re-fit when the fitted end is due: that fit is seeded by this one and
        # iterates once more if the end moved (re-fitting every ATTEMPT_S on the
        # way cost 60 % more fits for the same figures on 80 sessions)
        ep.attempt = max(k + 1, nxt)
        return True

    def _remeasure(
        self, ep: _Episode, prev: tuple, now: tuple, n_ranges: int, n_wobbles: int
    ) -> Rep | int | None:
        """The previous attempt's measurement (window ``prev = (w_end, seed)``)
        forced to a rep, if it is one within the latency budget at ``now = (w_end,
        k, seed, horizon)``; otherwise the current measurement again."""
        w_end, k, seed, horizon = now
        self._take_back(ep, n_ranges, n_wobbles, prev[1])
        alt = self._measure(ep, prev[0], prev[0], force=True)
        if isinstance(alt, Rep) and horizon / self.fs - ep.seg_end <= LATENCY_BUDGET_S:
            return alt
        self._take_back(ep, n_ranges, n_wobbles, seed)
        return self._measure(ep, w_end, k)

    def _take_back(self, ep: _Episode, n_ranges: int, n_wobbles: int, seed: tuple | None) -> None:
        """Undo what measurements since the lists held ``n_ranges`` ranges
        and ``n_wobbles`` wobbles appended, and seed the next lower fit with
        ``seed`` (a :func:`fit_rise` result, or None): before a measurement
        is replaced by another of the same movement."""
        del self._ranges[n_ranges:], self._wobbles[n_wobbles:]
        ep.lower_fit = seed

    # ------------------------------------------------------------ measuring
    def _fit(self, fn: Callable[..., _R], *args: Any, **kwargs: Any) -> _R:
        """``fn(*args, **kwargs)`` -- one of the fits -- through :attr:`memo`
        when there is one."""
        return fn(*args, **kwargs) if self.memo is None else self.memo.call(fn, *args, **kwargs)

    def _measure(self, ep: _Episode, w_end: int, k_now: int, force: bool = False) -> Rep | int | None:
        """Measure the movement in [ep.pre, w_end].

        Returns a Rep when it is one and its end has settled, an int (grid
        index at which to try again) when more data are needed, or None when
        the movement is not a rep.
        """
        fs = self.fs
        a = ep.pre
        self.reject_reason = ""
        ep.held_rest, ep.part_way, ep.upside_down, ep.end_above = None, False, False, False
        if w_end - a < int(0.5 * fs):
            return self._reject("too short")
        win = self._window(ep, w_end)
        if isinstance(win, str):
            return self._reject(win)
        t, acc, s, ws, capped, u = win.t, win.acc, win.s, win.ws, win.capped, win.u
        i_st, i_rt, pk, smax = win.i_st, win.i_rt, win.pk, win.smax
        n_lp = int(LP_S * fs)
        l0b, l0a, low_a, pre_end = self._bottom_levels(win)
        rng0 = smax - min(l0b, l0a)
        if rng0 <= 0:
            return self._reject("no range")
        # the rep's range can be no more than the peak above the lowest bottom
        # seen so far: a movement too small for any rep needs no fits
        ref = self._reference_range()
        least = MIN_RANGE_DEG if ref is None else max(MIN_RANGE_DEG, PARTIAL_QUIET_REL * ref)
        if ref is None:
            least = max(least, MIN_FIRST_RANGE_DEG)
        if smax - min(l0b, l0a, low_a) < least:
            return self._reject("too small for a rep")
        # still on the way down: no need to fit yet
        settled_away = abs(l0a - l0b) > max(LEVEL_MATCH_FRAC * rng0, 2.0 * self._noise_deg)
        ep.end_above = settled_away and l0a > l0b
        # (high above the bottom, or still falling at over FALL_RATE_FRAC of the
        # range per second: the lowest point so far is not yet the bottom)
        n_r = max(2, int(0.2 * fs))
        rate = (s[-n_r] - s[-1]) / (n_r / fs) if len(s) > n_r else 0.0
        above = s[-1] - min(l0a, l0b)
        # (once a fitted end is due, its time comes first: what moves after it
        # is the next movement or drift, and the report must not wait on it;
        # nor is a capped window waited for -- more data cannot change it.  A
        # walk's window, capped after its first dip, still read as falling
        # and was waited for MAX_SETTLE_WAIT_S: a rep begun in that time was
        # taken into it (42012: three reps lost).  Over 62 benchmark runs
        # exact counts 2,290 -> 2,297 of 2,428 sessions.)
        due = ep.lower_fit is not None and k_now / fs >= ep.lower_fit[0].offset + SETTLE_S
        # -- unless a lower waited for as a hesitation (it stopped part-way,
        # below) is falling again, far above the bottom: its renewed fall
        # lowers the level the "no return" rule reads, and the rep was
        # accepted with the end at the stop, reported 0.7-1.4 s after it
        # (bench_crosscheck: 7 of 2,601 reps late -> 1; the 62 benchmark
        # runs and the fresh sets 17 of ~75,000 -> 14, one false rep more)
        resumed = ep.hesitated and above > 0.2 * rng0 and rate > FALL_RATE_FRAC * rng0
        if not force and (not due or resumed) and w_end == k_now and not capped and ((above > 0.2 * rng0 and rate * FALL_SETTLED_S > above) or (above > 0.05 * rng0 and rate > FALL_RATE_FRAC * rng0)):
            # wait about the time the current descent needs to get near the bottom
            ep.falling_until = max(ep.falling_until, (k_now - n_r) / fs)
            left = 0.6 * (s[-1] - min(l0a, l0b)) / rate if rate > 0 else ATTEMPT_S
            return k_now + max(1, int(np.clip(left, ATTEMPT_S, FALL_WAIT_MAX_S) * fs))
        # (the plateau's depth band from the level before the lift only: the
        # level after moves as data arrive, the split point must not)
        ia, ib = self._plateau(s, i_st, i_rt, pk, smax, smax - l0b if smax > l0b else rng0)
        # split at the middle of the plateau: each fit sees half of the hold,
        # enough flat signal to pin its offset/onset and its level
        mid = (ia + ib) // 2
        # the top level for both fits: the median of the whole plateau, kept
        # as it is (re-read next to each fit, a swaying hold would let the
        # fits chase the sway into the hold)
        l1p = median1d(s[ia : ib + 1])

        def failed(reason: str) -> Rep | int | None:
            # (a rep that lost control is measured again from a smoother tilt
            # -- after a failed fit, and after a rejection for its shape: out
            # of range, not back at its start level, small and quick, a quick
            # out-and-back.  A lever arm's tremor larger than a partial rep's
            # range read such reps so: on the 62 benchmark runs +10 exact
            # sessions, fresh sets +4, no false rep)
            return self._shaken_retry(ep, w_end, k_now, force, s, i_st, i_rt, rng0, u, ref) or self._reject(reason)

        key = (ep.start, a + ws, mid, l0b, l1p, ep.shaken)
        fit_s2 = self._fit_s2_shaken if ep.shaken else self._fit_s2
        if ep.lift_fit is not None and ep.lift_fit[0] == key:
            lift = ep.lift_fit[1]
        else:
            fr = self._fit(fit_rise, t[: mid + 1], s[: mid + 1], l0b, l1p, lever_s2=fit_s2, refine_hi=False)
            lift = fr[0] if fr else None
            ep.lift_fit = (key, lift)
        # (a failed or too quick lift rejects the movement whatever the lower
        # does: no need to fit it, or to wait for it)
        if lift is None:
            return failed("lift fit failed")
        gap = ep.start / fs - self._decided_end if self.reps else None  # (s) since the last rep's end
        in_set = gap is not None and gap < SET_GAP_S
        if lift.duration_s < MIN_PHASE_S and not (
            # (unless the lower may show a partial rep whose shaking lift read
            # quick: below, once both phases are known)
            lift.duration_s >= SLOW_PARTIAL_MIN_PHASE_S
            and self._partial_along_reps(u, rng0, ref, gap)
        ):
            return failed("phase too short")
        fr = self._fit(
            fit_rise,
            t[mid:], -s[mid:], -l1p, -l0a, refine_hi=False, refine_lo=False, lever_s2=fit_s2, start=ep.lower_fit
        )
        ep.lower_fit = fr
        lower = fr[0] if fr else None
        # (a lower that stopped part-way and went on, inside a set: timed from
        # its two parts)
        parts = self._lower_parts(t, s, mid, (l1p, l0a), lower, fit_s2) if lower is not None and in_set else None
        if parts is not None:
            lower = _joined(lower, parts[0], parts[1])
        if lower is None:
            if not force and w_end == k_now:
                return k_now + int(0.2 * fs)  # the lower is still under way: wait
            # (a window that ends part-way down: a shake cut the lower)
            ep.part_way = (
                not (ep.wild or ep.fast_rebase)
                and float(s[-1]) - l0b > PART_WAY_END_REL * rng0
                and self._along_last_rep(u)
            )
            return failed("lower fit failed")
        start, top = lift.onset, lift.offset
        lower_start, end = lower.onset, lower.offset
        # the rep had not ended while the tilt was seen still falling (the
        # waits above and in _returned_step), nor before it fell below the
        # return threshold -- the last ~15 % of the lower -- at the return
        # (less the detection direction's delay): a fit that ends earlier (a
        # long slow tail, a wobbling lower) is reported ending there.  (Only
        # the reported end: what the movement is -- rep or fidget -- and
        # where the next one is looked for stay on the fit.)
        seen = max(ep.falling_until, (ep.ret / fs - DET_MA_S) if ep.ret is not None else 0.0)
        end_seen = max(end, seen)
        # wait for SETTLE_S of data after the fitted end
        if not force and w_end == k_now and end + SETTLE_S > k_now / fs:
            due_k = int(np.ceil((end + SETTLE_S) * fs))
            if lower.offset_sd > POOR_END_SD_S:  # (an extrapolated end: look again soon)
                return min(due_k, k_now + int(POOR_END_REFIT_S * fs))
            return due_k
        # ... and while the data contradict it: fallen by more than
        # LATE_FALL_FRAC of the range since the fitted end, the lower was not
        # over there (a sway dip on a small rep's hold taken for the lower) --
        # unless the window has reached its cap: no more data would enter it,
        # and waiting would only report the same measurement late
        i_end = int((end - t[0]) * fs)
        if not force and w_end == k_now and not capped and 0 <= i_end < len(s) - 1 and s[i_end] - s[-1] > LATE_FALL_FRAC * rng0:
            return k_now + max(1, int(ATTEMPT_S * fs))
        # ... longer (within the latency budget) when the lower stopped away from
        # the level the lift started at: it may resume (a hesitation) -- and
        # longer still when it stopped far up (STOP_FAR_FRAC): a lower that
        # stops part-way resumes after a stop of up to a second
        stopped_far = settled_away and l0a - l0b > STOP_FAR_FRAC * rng0
        # (a slower tempo's lower stops for longer: the wait scales with it)
        far_wait = STOP_FAR_WAIT_S * max(1.0, self.guidance.lower_target_s / STOP_FAR_TEMPO_S)
        if not force and w_end == k_now and settled_away and end + (far_wait if stopped_far else LEVEL_WAIT_S) > k_now / fs:
            ep.hesitated = ep.hesitated or stopped_far
            return k_now + max(1, int(ATTEMPT_S * fs))
        if stopped_far and ep.report_k is not None:
            # (it did not resume: its end is reported no earlier than the
            # latency budget before the report -- the wait outlasted the budget)
            seen = max(seen, ep.report_k / fs - LATENCY_BUDGET_S + LATENCY_MARGIN_S)
            end_seen = max(end, seen)
        start = max(start, t[0] - 0.5)
        # the range: from the bottoms to the plateau's levels at its start and
        # its end (a plateau may drift)
        nt = int(TOP_FIT_S * fs)
        l1a = median1d(s[ia : min(ia + nt, ib) + 1])
        l1b = median1d(s[max(ib - nt, ia) : ib + 1])
        range_deg = 0.5 * (l1a + l1b) - 0.5 * (l0b + l0a)
        like_reps = self._like_last_reps(u, range_deg, ref)
        if (
            self._rep_axis is not None
            and float(u @ self._rep_axis) < OPPOSITE_REP_COS
            and in_set
            and not self._outgrows_partial(range_deg)
        ):
            return self._reject("opposite to the set's reps (a rest read from a baseline part-way up)")
        if top > lower_start:
            top = lower_start = _meeting_point(top, lift.offset_sd, lower_start, lower.onset_sd, like_reps)
        lift_s, hold_s, lower_s = top - start, lower_start - top, end - lower_start
        # a partial rep along the reps' way whose shaking lower or lift the
        # fit read quick: its other phase is slow, as no fidget's is
        slow_partial = max(lift_s, lower_s) >= SMALL_SLOW_S and self._partial_along_reps(u, range_deg, ref, gap)
        # --- acceptance
        if not (MIN_RANGE_DEG <= range_deg <= MAX_RANGE_DEG):
            return failed("range out of bounds")
        if ep.axis.off_deg > OFF_AXIS_MIN_DEG and ep.axis.off_deg > OFF_AXIS_FRAC * ep.peak:
            # (a re-strap is a wild movement: what follows re-learns the rest
            # quickly -- the loop may have "returned" before the re-strap
            # ended, 33000: the next set's first three reps were lost inside
            # one 20-s movement from the level it reached)
            ep.wild = True
            return self._reject("a loop off the rep's plane (the sensor turned about another axis: a re-strap)")
        if (lift_s < MIN_PHASE_S or lower_s < MIN_PHASE_S) and not (slow_partial and min(lift_s, lower_s) >= SLOW_PARTIAL_MIN_PHASE_S):
            return failed("phase too short")
        if ep.shaken and min(lift_s, lower_s) < SHAKE_MIN_PHASE_S:
            return self._reject("phase too short for a rep that lost control")
        if (
            gap is not None  # (so there is a last rep)
            and gap < FRAGMENT_GAP_S
            and lift_s < FRAGMENT_LIFT_S
            and range_deg < FRAGMENT_REL * self.reps[-1].range_deg
        ):
            return self._reject("a fragment of the last rep's lower (its shaking read as a quick rep)")
        if abs(l0a - l0b) > 0.5 * range_deg:
            if not force and w_end == k_now and not capped and end + HESITATION_WAIT_S > k_now / fs:
                ep.hesitated = True
                return k_now + max(1, int(ATTEMPT_S * fs))
            # (stopped between the start level and the top: the lower is not over)
            ep.part_way = l0b < l0a < 0.5 * (l1a + l1b)
            return failed("no return to start level")
        k0 = win.k0
        i0 = max(int(np.floor((start - t[0]) * fs)), 0)
        i1 = min(int(np.ceil((end - t[0]) * fs)) + 1, len(acc))
        # the magnitude of the acceleration over the window: impacts (here),
        # the shank's rise (the reported instants, below)
        mag = np.sqrt(np.einsum("ij,ij->i", acc, acc))
        rep_mag = mag[i0:i1]
        if len(rep_mag) and float(np.sqrt(np.mean((rep_mag - median1d(rep_mag)) ** 2))) > MAX_DYN_G:
            return self._reject("dynamic acceleration")
        if (hold_s > self._held_like_rest_s and min(lift_s, lower_s) < SHIFT_FAST_S) or (
            # (a step out, off the reps' way, held longer than a 3-1-3 rep
            # holds, whatever the guidance's pause: a rep lifts slower)
            hold_s > LONG_HOLD_X * SHIFT_HOLD_REF_S + 1.0 and lift_s < SHIFT_FAST_S and not self._along_last_rep(u)
        ):
            # the level it was held at is the new posture's rest: kept, the
            # old rest started every later movement at once -- each rest
            # read as a movement the other way, and a partial rep among them
            # was lost (acceptance-like 11031, seated 7003; no set lost a rep)
            ep.held_rest = self._direction(k0 + ia, k0 + ib + 1)
            return self._reject("quick shift held for long (a change of posture)")
        if range_deg < SMALL_RANGE_DEG and min(lift_s, lower_s) < SMALL_FAST_S and not like_reps and not slow_partial:
            return failed("small and quick (a fidget)")
        # (below the noise gate, a first rep is still one when both of its
        # transitions are clean: small seated raises at a slow rate, where
        # sensor noise alone reads 0.1-0.16 deg; sway is irregular -- but not
        # before the first full rest window, while the rest direction is the
        # first sample's)
        if ref is None and (
            range_deg < MIN_FIRST_RANGE_DEG
            or (
                range_deg < self._first_rep_floor(s, pre_end)
                and (
                    max(lift.rms, lower.rms) > FIRST_CLEAN_RMS
                    or ep.start < self._run_start + int((BASE_WIN_S + BASE_LAG_S) * fs)
                )
            )
        ):
            return self._reject("too small for a first rep")
        # (a session does not open with a bounce -- lift and lower both under
        # the guidance's minimums -- while a shuffle of the feet or a shift of
        # stance is a quick out-and-back.  Nor does a set, unless the bounce
        # goes the way of the earlier reps: after a walk or a strap slip, two
        # steps of the foot read as a quick rep opening the set -- 9005,
        # 10013, 13002; 9000-9035 and 10000-10035 +1 exact each)
        gd = self.guidance
        quick = lift_s < min(gd.lift_min_s, STANCE_SHIFT_MAX_S) and lower_s < min(gd.lower_min_s, STANCE_SHIFT_MAX_S)
        set_first = gap is None or gap > SET_GAP_S
        if quick and (ref is None or (set_first and not self._where_reps_went(u))):
            return self._reject("quick out-and-back opening the session, or a set off the reps' way (a fidget, a shift of stance)")
        range_rel = range_deg / ref if ref else 1.0
        # (a bouncing rep's top reads high: the lever arm's tangential
        # acceleration at its quick turn adds to the tilt)
        bounce = like_reps and min(lift_s, lower_s) >= BOUNCE_PHASE_MIN_S
        if end - start < (MIN_BOUNCE_S if like_reps else MIN_REP_S) or (
            range_rel > (BIG_BOUNCE_REL if bounce else BIG_QUICK_REL) and lift_s + lower_s < BIG_QUICK_S
        ):
            return failed("quick out-and-back (a fidget)")
        # (... or when it keeps the guidance's tempo -- lift and pause each at
        # least their minimum, the lower at least PACED_LOWER_MIN_S: sway's
        # excursions are not paced like a rep.  In standing sway a partial rep's range reads ~8 % low:
        # partials of 25-28 % read 23-25 % and were lost -- 9000-9035 and
        # 12000-12035 with sway 32 -> 33 of 36 each, 12000-12035 without
        # 33 -> 34; every other set identical, no false partial rep)
        paced = lift_s >= gd.lift_min_s and lower_s >= PACED_LOWER_MIN_S and hold_s >= gd.hold_min_s
        if range_rel < PARTIAL_MIN_REL and (range_rel < PARTIAL_QUIET_REL or (range_deg < QUIET_RANGE_K * self._noise_deg and not paced)):
            return self._reject("below partial minimum")
        # a partial rep quick both ways and with no pause at the top is a
        # sway excursion or a fidget (partial reps run at about the set's
        # tempo; bounces go the full range)
        if range_rel < self.guidance.partial_rel and max(lift_s, lower_s) < QUICK_PARTIAL_S and hold_s < self.guidance.hold_min_s:
            return self._reject("small, quick and not held (sway, a fidget)")
        if (
            range_rel < self.guidance.partial_rel
            and range_deg < QUIET_RANGE_K * self._noise_deg
            and (gap is None or gap > QUIET_PARTIAL_GAP_S)
        ):
            return self._reject("a partial rep within sway's reach, long after the last rep (sway in a rest)")
        # --- metrics
        self._read_rest(ep, u)
        wob, gyr = self._accel_wobble(ep, win, (i0, i1, mid), (l0b, l1p, l0a), (lift, lower), min(lift_s, lower_s))
        ep.fit_end = end
        # (what the segmenter goes on with: where the next movement is looked
        # for, the latency budget's re-measurement)
        ep.seg_end = max(end, end_seen)
        # the reported instants: the fits re-weighed with the magnitude of the
        # acceleration (the rise of the shank; transitions.with_magnitude)
        mag = moving_average(moving_average(mag, n_lp), n_lp)
        # (the end the next movement's gap to this rep is measured from is
        # re-weighed without the pause templates, which only time what is
        # decided: with them, the remainder of a shaking lower, seated 31,
        # started 0.2 s or more after the reported end and passed for a rep)
        lift = self._fit(with_magnitude, lift, mag[: mid + 1])
        lower, lower_decided = self._fit(with_magnitude_decided, lower, mag[mid:])
        if parts is not None:
            first, second, jb, ja = parts
            lower = lower_decided = _joined(
                lower, self._fit(with_magnitude, first, mag[mid : jb + 1]), self._fit(with_magnitude, second, mag[ja:])
            )
        decided_end = lower_decided.offset
        ep.orient = lift.rise_t - lower.rise_t
        # (before the session's first rep the rest is where the athlete
        # stood or sat still, heels down: more evidence is asked)
        turn_t = UPSIDE_DOWN_T if self.reps else UPSIDE_DOWN_FIRST_T
        if lift.rise_t < 0.0 < lower.rise_t and max(ep.orient, ep.orient + self._orientation(ep.b)) <= -turn_t:
            # the shank went down, then up (both significant, by
            # turn_t on its own) -- and the reps since the rest was
            # learnt do not say otherwise: a rest between
            # reps, read from a rest learnt at the reps' top; its held level
            # is the rest
            ep.held_rest, ep.upside_down = self._direction(k0 + ia, k0 + ib + 1), True
            return self._reject("the shank went down and up: a rest between reps read from their top")
        start, top, lower_start, end = lift.onset, lift.offset, lower.onset, lower.offset
        # a fit's instant past the middle of the top plateau -- the end of
        # its own window -- is an extrapolation, and is held there (which
        # also keeps the lift's top before the lower's start).  Under sway a
        # hold reads as a hump: a lift fitted up to the hump's level runs on
        # into it, a lower fitted down from it starts inside it, and holds of
        # ~1 s read 0.  Held, such instants' mean error fell 0.69 -> 0.37 s
        # (205 on acceptance-like 9000-9035 with sway), 0.27 -> 0.16 s
        # without sway (78); the pause's false no_pause flags there 38 -> 22.
        top, lower_start = min(top, float(t[mid])), max(lower_start, float(t[mid]))
        start = max(start, t[0] - 0.5)
        end, decided_end = max(end, seen), max(decided_end, seen)
        if ep.report_k is not None:
            # (reported within the latency budget of the end it reports, as
            # far as the segmenter's own end allows)
            least = min(ep.seg_end, ep.report_k / fs - LATENCY_BUDGET_S + LATENCY_MARGIN_S)
            end, decided_end = max(end, least), max(decided_end, least)
        ep.decided_end = decided_end
        if gyr is not None:
            wob = self._with_gyro_wobble(wob, gyr, k0, start, end, min(top - start, end - lower_start))
        return self._new_rep((start, top, lower_start, end), range_deg, range_rel, wob, (lift, lower))

    def _lower_parts(
        self,
        t: np.ndarray,
        s: np.ndarray,
        mid: int,
        levels: tuple[float, float],
        lower: TransitionFit,
        lever_s2: float,
    ) -> tuple[TransitionFit, TransitionFit, int, int] | None:
        """The two parts of a lower that stopped part-way and went on, fitted
        each on its own, or None when the lower did not stop.

        ``t``, ``s``: the measurement window's times (s) and low-passed tilt
        (deg); the lower is fitted from index ``mid`` (the top plateau's
        middle) between ``levels`` (the top's and the bottom's, deg).  A stop
        is the longest run, inside the fitted ``lower``, where the tilt moves
        slower than :data:`STOP_SPEED_FRAC` of the lower's peak speed for at
        least :data:`STOP_MIN_S`, within :data:`STOP_BAND` of the range, with
        the tilt falling at :data:`STOP_PART_SPEED_FRAC` of that speed or
        faster both before and after it.  The first part is fitted from the
        top to the stop's level over the data up to the stop's end, the
        second from that level to the bottom from the stop's start on; each
        must last :data:`STOP_PART_MIN_S`, and together they must fit far
        better than the one template (:data:`STOP_SPLIT_RMS_FRAC`,
        :data:`STOP_SPLIT_MIN_RMS`: two movements, not one slowed
        part-way).  Returned: the two fits and the indices of the stop's end
        and start.  (One template over both parts reads a lower whose parts
        run at different speeds 1-3 s long or short at its ends.)"""
        fs = self.fs
        top, bottom = levels
        # (one template that fits the lower well leaves no two movements to find)
        if top <= bottom or lower.rms < STOP_SPLIT_MIN_RMS:
            return None
        i_on = int(np.clip(t.searchsorted(lower.onset), mid, len(s) - 1))
        i_off = int(np.clip(t.searchsorted(lower.offset), i_on, len(s) - 1))
        seg = s[i_on : i_off + 1]
        n_min = int(STOP_MIN_S * fs)
        if len(seg) < 3 * n_min:
            return None
        v = gradient(seg) * fs
        peak = -float(v.min())
        if peak <= 0.0:
            return None
        frac = (seg - bottom) / (top - bottom)
        run = longest_run((np.abs(v) < STOP_SPEED_FRAC * peak) & (frac > STOP_BAND[0]) & (frac < STOP_BAND[1]))
        if run is None or run[1] - run[0] + 1 < n_min:
            return None
        # (both parts falling: a top plateau inside a fit that starts early is
        # no first part)
        if min(-float(v[: run[0]].min(initial=0.0)), -float(v[run[1] + 1 :].min(initial=0.0))) < STOP_PART_SPEED_FRAC * peak:
            return None
        ja, jb = i_on + run[0], i_on + run[1]
        level = median1d(s[ja : jb + 1])
        fr1 = self._fit(fit_rise, t[mid : jb + 1], -s[mid : jb + 1], -top, -level, refine_hi=False, refine_lo=False, lever_s2=lever_s2)
        fr2 = self._fit(fit_rise, t[ja:], -s[ja:], -level, -bottom, refine_hi=False, refine_lo=False, lever_s2=lever_s2)
        if fr1 is None or fr2 is None or min(fr1[0].duration_s, fr2[0].duration_s) < STOP_PART_MIN_S or not fr1[0].offset < fr2[0].offset:
            return None
        # (two movements, not one slowed part-way: the parts fit far better)
        if max(fr1[0].rms * (top - level), fr2[0].rms * (level - bottom)) > STOP_SPLIT_RMS_FRAC * lower.rms * (top - bottom):
            return None
        return fr1[0], fr2[0], jb, ja

    def _new_rep(
        self,
        instants: tuple[float, float, float, float],
        range_deg: float,
        range_rel: float,
        wob: float,
        fits: tuple[TransitionFit, TransitionFit],
    ) -> Rep:
        """A measured rep: its four ``instants`` (start, top, lower start,
        end; s), range (deg, and relative to the reference range) and wobble
        (deg/s), flagged against the guidance with the timing sds of the
        lift's and the lower's ``fits``; the references are updated with it
        (causal: only after it is measured)."""
        start, top, lower_start, end = instants
        lift, lower = fits
        lift_s, hold_s, lower_s = top - start, lower_start - top, end - lower_start
        wref = reference_wobble(self._wobbles)
        sds = (
            float(np.hypot(lift.onset_sd, lift.offset_sd)),
            float(np.hypot(lift.offset_sd, lower.onset_sd)),
            float(np.hypot(lower.onset_sd, END_SD_X * lower.offset_sd)),
        )
        flags = self.guidance.flags_for(lift_s, hold_s, lower_s, range_rel, wob, wref, sds)
        flags = [f for f in ALL_FLAGS if f in flags]
        if range_rel >= self.guidance.partial_rel:
            self._ranges.append(range_deg)
        if WOBBLE not in flags:
            self._wobbles.append(wob)
        return Rep(
            index=0,
            set=0,
            index_in_set=0,
            start=float(start),
            top=float(top),
            lower_start=float(lower_start),
            end=float(end),
            lift_s=float(lift_s),
            hold_s=float(hold_s),
            lower_s=float(lower_s),
            rest_s=None,
            range_deg=float(range_deg),
            range_rel=float(range_rel),
            wobble=float(wob),
            flags=flags,
            in_gap=False,
            lift_sd_s=sds[0],
            hold_sd_s=sds[1],
            lower_sd_s=sds[2],
            uncertain_flags=self.guidance.uncertain_tempo_flags((lift_s, hold_s, lower_s), sds),
        )

    def _accel_wobble(
        self,
        ep: _Episode,
        win: _Window,
        idx: tuple[int, int, int],
        levels: tuple[float, float, float],
        fits: tuple[TransitionFit, TransitionFit],
        quickest_s: float,
    ) -> tuple[float, np.ndarray | None]:
        """The accelerometer's wobble of a rep (deg/s: :func:`reptrack.metrics.wobble`
        plus the slow shake the fitted movement leaves in the tilt, in power)
        and the gyroscope over the measured window less the fitted movement's
        own rotation (deg/s, (n, 3); None without a gyroscope).

        Over the movement's window ``win`` the rep spans samples
        ``idx = (i0, i1, mid)`` (the plateau's middle
        splits lift from lower); ``levels = (bottom before, top, bottom
        after)`` (deg) and the lift's and the lower's ``fits`` give the
        fitted movement, whose quickest phase took ``quickest_s``: the slow
        shake is read above SLOW_WOBBLE_CYCLES over that time."""
        fs, t, ws, k0 = self.fs, win.t, win.ws, win.k0
        i0, i1, mid = idx
        l0b, l1p, l0a = levels
        lift, lower = fits
        # the gyroscope over the measured window
        gyr = self._gyr[k0 - self._k0 : k0 - self._k0 + len(t)] if self._has_gyro else None
        if gyr is not None and np.isnan(gyr).all():
            gyr = None
        # the fitted movement (deg of in-plane tilt) over the rep, or with a
        # gyroscope over the whole window (its rotation is taken out there)
        tt = t[i0:i1] if gyr is None else t
        model = np.where(
            tt < t[mid],
            l0b + (l1p - l0b) * shape_curve((tt - lift.onset) / lift.duration_s, lift.shape),
            l1p - (l1p - l0a) * shape_curve((tt - lower.onset) / lower.duration_s, lower.shape),
        )
        wob = wobble(win.acc[i0:i1], fs, self._noise_shake or 0.0)
        # ... plus its slow part, from the tilt the fitted movement leaves
        f_lo = SLOW_WOBBLE_CYCLES / quickest_s
        left = ep.tilt[ws + i0 : ws + i1] - (model if gyr is None else model[i0:i1])
        slow = slow_shake_power(slow_shake_spectrum(left, fs), f_lo) - slow_shake_power(self._rest_slow, f_lo)
        wob = float(np.sqrt(wob * wob + max(slow, 0.0)))
        if gyr is not None:
            # the gyroscope less the fitted movement's own rotation, about
            # the axis normal to the plane of the rest direction and the
            # rep's (its sign read from the data): a quick rep's lift and
            # lower would otherwise leak through the high-pass
            axis = unit(cross3(ep.b, win.u))
            rate = gradient(model) * fs
            ok = ~np.isnan(gyr).any(axis=1)
            sign = 1.0 if float((gyr[ok] @ axis) @ rate[ok]) >= 0.0 else -1.0
            gyr = gyr - np.outer(sign * rate, axis)
        return wob, gyr

    def _with_gyro_wobble(self, wob: float, gyr: np.ndarray, k0: int, start: float, end: float, quickest_s: float) -> float:
        """The wobble ``wob`` (the accelerometer's, deg/s) averaged in power
        with the gyroscope's (``gyr``: deg/s from grid index ``k0``, the
        movement's own rotation taken out) over the reported rep
        [``start``, ``end``] (s), whose quickest phase took ``quickest_s``;
        ``wob`` as it is when a hole lies within the high-pass's reach."""
        fs = self.fs
        # (over the reported rep: the fits' own window can reach back
        # into what came before)
        g0 = min(max(int(round(start * fs)) - k0, 0), len(gyr) - 1)
        g1 = min(max(int(round(end * fs)) - k0 + 1, g0 + 1), len(gyr))
        hp_s = min(GYRO_WOBBLE_HP_S, quickest_s / GYRO_FAST_K)
        # (the rep with the high-pass's reach either side; a hole there
        # leaves the accelerometer's reading alone)
        reach = int(round(hp_s * fs))
        c0, c1 = max(g0 - reach, 0), min(g1 + reach, len(gyr))
        near = gyr[c0:c1]
        if np.isnan(near).any():
            return wob
        rest = self._gyro_rest
        floor = 0.0 if rest is None else mean_inside(gyro_shake_power(rest, fs, hp_s), reach)
        gyro_wob = gyro_wobble(gyro_shake_power(near, fs, hp_s)[g0 - c0 : g1 - c0], floor)
        # two readings of one RMS angular velocity, averaged in power: where
        # the sensor sees a lever arm the accelerometer's ranks reps about as
        # well or better; without one it sinks to its floor and the
        # gyroscope's carries the mean (reptrack.metrics)
        return float(np.sqrt((wob * wob + gyro_wob * gyro_wob) / 2.0))

    def _window(self, ep: _Episode, w_end: int) -> _Window | str:
        """The window a movement is measured over, from its episode's first
        usable index to ``w_end`` (grid index): started LIFT_PRE_S before the
        lowest point preceding the onset, ended a bounded time after the
        lower, with the tilt in the plane of the rest and the movement's own
        direction; or why there is none (a reason for :meth:`_reject`)."""
        fs = self.fs
        a = ep.pre
        acc = self._aslice(a, w_end + 1)
        if np.isnan(acc).any():
            return "data gap"
        t = np.arange(a, w_end + 1) / fs
        i_st, i_rt = ep.start - a, (ep.ret or w_end) - a
        # the peak and the motion axis depend only on [start, return]: fixed
        # once the movement has returned, so kept across re-fits
        axis_key = (ep.start, i_rt + a)
        if ep.axis is not None and ep.axis.key == axis_key:
            pk, u = ep.axis.peak, ep.axis.u
        else:
            g = self._gslice(ep.start, i_rt + a + 1)
            j = int(np.argmax(angle_from(g, ep.b)))
            pk, u = i_st + j, motion_axis(g[j], ep.b)
            off = 0.0 if u is None else float(np.arcsin(min(float(np.abs(g @ cross3(ep.b, u)).max()), 1.0))) * RAD2DEG
            ep.axis, ep.tilt = _MotionAxis(axis_key, pk, u, off), None
        if u is None:
            return "no axis"
        # the signed tilt of the window's raw samples (extended as data arrive)
        have = 0 if ep.tilt is None else len(ep.tilt)
        if have < len(acc):
            new = signed_tilt(acc[have:], ep.b, u)
            ep.tilt = new if ep.tilt is None else np.concatenate((ep.tilt, new))
        # low-pass the tilt (two 0.2 s moving averages: nulls at 5 and 10 Hz)
        # so tremor and its tangential acceleration do not disturb the fits
        n_lp = int(LP_S * fs)
        s = moving_average(moving_average(ep.tilt[: len(acc)], n_lp), n_lp)
        if ep.shaken:
            s = moving_average(s, int(SHAKE_SMOOTH_S * fs))
        smax = float(s[i_st : i_rt + 1].max())
        # the lift window starts LIFT_PRE_S before the lowest point preceding the
        # onset crossing (earlier data may hold the end of a previous movement)
        # ("lowest point": the last sample near the minimum -- an argmin over a
        # flat, noisy rest would jump about with the noise)
        pre_ss = s[: i_st + 1]
        near_min = nonzero1d(pre_ss <= pre_ss.min() + max(0.05 * smax, 2.0 * self._noise_deg))
        ws = max(int(near_min[-1]) - int(LIFT_PRE_S * fs), 0)
        if ws > 0:
            s, acc, t = s[ws:], acc[ws:], t[ws:]
            i_st, i_rt, pk = i_st - ws, i_rt - ws, pk - ws
        # the window ends a bounded time after the lower (what follows -- a
        # drift, a fidget -- must not change the measurement as data arrive)
        j20 = nonzero1d(s[pk:] < 0.2 * smax)
        capped = False
        if len(j20):
            hi80 = nonzero1d(s[pk : pk + int(j20[0]) + 1] >= 0.8 * smax)
            i80 = pk + (int(hi80[-1]) if len(hi80) else 0)
            i20 = pk + int(j20[0])
            cap = i20 + max(int(LOWER_POST_S * fs), int(1.2 * (i20 - i80)))
            if cap < len(s) - 1:
                capped = True
                s, acc, t = s[: cap + 1], acc[: cap + 1], t[: cap + 1]
                i_rt = min(i_rt, cap)
                smax = float(s[i_st : i_rt + 1].max())
        return _Window(t, acc, s, ws, a + ws, capped, u, i_st, i_rt, pk, smax)

    def _bottom_levels(self, win: _Window) -> tuple[float, float, float, int]:
        """The bottom levels of a movement's window (deg of its tilt): before
        the lift, after the lower, and the lowest point since the peak; and
        where the bottom before ends (index into the window, 0.3 s short of
        the last sample under 5 % of the peak)."""
        fs, s, pk, smax = self.fs, win.s, win.pk, win.smax
        i5 = nonzero1d(s[: pk + 1] < 0.05 * smax)
        j5 = nonzero1d(s[pk:] < 0.05 * smax)
        m = int(0.3 * fs)
        pre_end = int(i5[-1]) - m if len(i5) else 0
        post_start = pk + int(j5[0]) + m if len(j5) else len(s) - 1
        # (from 0.3 s of bottom or more: a shorter one -- no rest between two
        # reps, the window opening on the last one's lower -- is mostly that
        # lower's tail, and its median lies part-way up it: 26018)
        l0b = median1d(s[:pre_end]) if pre_end >= m else (median1d(s[i5]) if len(i5) else float(s[: pk + 1].min()))
        low_a = float(s[pk:].min())  # the lowest point since the peak
        if low_a < l0b:
            # (below the level the lift started from: of the tilt smoothed
            # once more -- a shaking lower's tremor leaks through the
            # low-pass, and one dip of it below the start is no bottom)
            n3 = max(1, int(round(LOW_SMOOTH_S * fs)))
            low_a = min(float(moving_average(s[pk:], n3).min()), l0b) if len(s) - pk > n3 else low_a
        if post_start < len(s) - 1:
            l0a = median1d(s[post_start:])
            if post_start > len(s) - m and l0a - low_a > SHORT_TAIL_RISE_FRAC * smax and int(j5[0]) >= int(fs):
                # (after a lower of 1 s or more, a tail shorter than the
                # margin that rises well off the lowest point is what
                # follows -- a shake, a lost packet's bridged artefact -- not
                # the bottom)
                l0a = low_a
        else:
            l0a = low_a
        return l0b, l0a, low_a, pre_end

    def _plateau(self, ss: np.ndarray, i_st: int, i_rt: int, pk: int, smax: float, rng0: float) -> tuple[int, int]:
        """First and last index of the top plateau of low-passed tilt ``ss``.

        The lift ends where its speed falls below :data:`PLATEAU_SPEED_FRAC` of
        its peak speed, the lower starts where its speed last rises above that
        fraction of its own peak; a plateau that drifts a little (a hold that is
        not perfectly still) still counts.  With no pause both are the peak.
        Falls back to the level band :data:`TOP_BAND_FRAC` below the peak.
        """
        fs = self.fs
        v = gradient(ss) * fs
        up = v[i_st : pk + 1]
        dn = v[pk : i_rt + 1]
        band = nonzero1d(ss[i_st : i_rt + 1] >= smax - max(TOP_BAND_FRAC * rng0, 2.0 * self._noise_deg)) + i_st
        ia, ib = int(band[0]), int(band[-1])
        if len(up) > 2 and len(dn) > 2:
            iu = i_st + int(np.argmax(up))
            idn = pk + int(np.argmin(dn))
            vu, vd = float(v[iu]), float(v[idn])
            if vu > 0 and vd < 0:
                high = ss[iu:idn] > smax - PLATEAU_DEPTH_FRAC * rng0
                slow_u = nonzero1d((v[iu:idn] < PLATEAU_SPEED_FRAC * vu) & high)
                slow_d = nonzero1d((v[iu:idn] > PLATEAU_SPEED_FRAC * vd) & high)
                if len(slow_u) and len(slow_d):
                    a, b = iu + int(slow_u[0]), iu + int(slow_d[-1])
                    # the plateau must be high up (a hesitation is not a hold)
                    if a <= b:
                        ia, ib = a, b
                    elif a > b:
                        ia = ib = pk
        return ia, ib

    def _direction(self, lo: int, hi: int) -> np.ndarray:
        """The mean detection direction (unit vector, sensor frame) over grid
        indices [lo, hi): a level held there, as a rest direction."""
        return unit(self._gslice(lo, hi).mean(axis=0))

    def _orientation(self, b: np.ndarray) -> float:
        """The magnitude evidence that the reps read from rest ``b`` were the
        right way up (:data:`UPSIDE_DOWN_T`): the sum over the reps since the
        rest last moved by more than :data:`ORIENT_RESET_DEG`, at most
        :data:`ORIENT_SUM_MAX`; 0 after such a move."""
        if self._orient_b is None or angle_from(self._orient_b[None, :], b)[0] > ORIENT_RESET_DEG:
            return 0.0
        return self._orient_sum

    def _partial_along_reps(self, u: np.ndarray, range_deg: float, ref: float | None, gap: float | None) -> bool:
        """Could a movement along ``u`` of ``range_deg`` be a partial rep
        whatever its timing reads: at least :data:`PARTIAL_MIN_REL` of the
        reference range ``ref``, along the last rep's axis
        (:data:`FAST_REP_COS`), starting ``gap`` >= :data:`SLOW_PARTIAL_GAP_S`
        (s) after the last rep's end?"""
        return (
            gap is not None
            and gap >= SLOW_PARTIAL_GAP_S
            and ref is not None
            and range_deg >= PARTIAL_MIN_REL * ref
            and self._along_last_rep(u)
        )

    def _along_last_rep(self, u: np.ndarray) -> bool:
        """Does motion axis ``u`` go the last rep's way (cosine above
        :data:`FAST_REP_COS`)?  False before any rep."""
        return self._rep_axis is not None and float(u @ self._rep_axis) > FAST_REP_COS

    def _like_last_reps(self, u: np.ndarray, range_deg: float, ref: float | None) -> bool:
        """Does a movement along ``u`` (motion axis, sensor frame) of
        ``range_deg`` look like the reps before it: at least the guidance's
        partial fraction of the reference range, along the last rep's motion
        axis (cosine above :data:`FAST_REP_COS`)?  A fidget or a shuffle of
        the feet points anywhere; a bouncing rep goes the way the reps went."""
        return ref is not None and range_deg >= self.guidance.partial_rel * ref and self._along_last_rep(u)

    def _shaken_retry(
        self,
        ep: _Episode,
        w_end: int,
        k_now: int,
        force: bool,
        ss: np.ndarray,
        i_st: int,
        i_rt: int,
        rng0: float,
        u: np.ndarray,
        ref: float | None,
    ) -> Rep | int | None:
        """Measure movement ``ep`` again from the tilt smoothed over
        :data:`SHAKE_SMOOTH_S` when its fits failed on a shaking tilt: ``ss``
        (deg, the low-passed tilt of the window) over [``i_st``, ``i_rt``]
        swings about its own SHAKE_SMOOTH_S average by more than
        :data:`SHAKE_RETRY_REL` of the range ``rng0`` (deg), RMS.  Only for a
        movement like a rep that lost control: along the last rep's axis
        ``u``, at least the smallest partial rep's range (of the reference
        range ``ref``, deg), over no longer than a rep's three phases take
        (:data:`SHAKE_MAX_X` times the guidance's) -- smoothed, a strap slip and the fidgets after it read
        as one slow rep.  None when not retried (or measured so already)."""
        n = int(SHAKE_SMOOTH_S * self.fs)
        seg = ss[i_st : i_rt + 1]
        g = self.guidance
        if (
            ep.shaken
            or ep.wild
            or len(seg) < 3 * n
            or ref is None
            or rng0 < PARTIAL_MIN_REL * ref
            or not self._along_last_rep(u)
            or len(seg) > SHAKE_MAX_X * (g.lift_target_s + g.hold_target_s + g.lower_target_s) * self.fs
        ):
            return None
        dev = (seg - moving_average(seg, n))[n // 2 : len(seg) - n // 2]
        if float(np.sqrt(np.mean(dev * dev))) <= SHAKE_RETRY_REL * rng0:
            return None
        ep.shaken, ep.lift_fit, ep.lower_fit = True, None, None
        return self._measure(ep, w_end, k_now, force)

    def _outgrows_partial(self, range_deg: float) -> bool:
        """Was the last rep partial, and is ``range_deg`` (deg) more than
        :data:`OPPOSITE_PARTIAL_X` times its range?"""
        last = self.reps[-1] if self.reps else None
        return last is not None and PARTIAL in last.flags and range_deg > OPPOSITE_PARTIAL_X * last.range_deg

    def _first_rep_floor(self, ss: np.ndarray, pre_end: int) -> float:
        """The range (deg) a first rep must reach above its rest's
        deviation: :data:`FIRST_NOISE_K` times the resting RMS deviation --
        or, when the low-passed tilt ``ss`` (deg) holds
        :data:`FIRST_REST_MIN_S` of rest before the lift (up to
        ``pre_end``), that many times the rest's RMS deviation about its
        mean there, but no less than :data:`FIRST_QUIET_MIN_DEG`, if that is
        less.  Sway survives the low-pass, white sensor noise does not: 3 mg
        of noise at 25 Hz reads 0.14-0.17 deg raw, which barred slow seated
        first reps of 1.6-1.8 deg."""
        raw = FIRST_NOISE_K * self._noise_deg
        if pre_end < int(FIRST_REST_MIN_S * self.fs):
            return raw
        rest = ss[:pre_end]
        quiet = FIRST_NOISE_K * float(rest.std())
        return min(raw, max(quiet, FIRST_QUIET_MIN_DEG))

    def _return_level(self, peak: np.ndarray | float) -> np.ndarray:
        """Below what deviation (deg) a movement that has reached ``peak``
        (deg; an array of running peaks gives one level each) is back: the
        onset threshold x :data:`T_OFF_FRAC`, or :data:`RET_PEAK_FRAC` of
        the peak if more -- big movements separate even when the bottom
        sways a little."""
        return np.maximum(self._t_on * T_OFF_FRAC, RET_PEAK_FRAC * np.asarray(peak))

    def _reject(self, reason: str) -> None:
        """Record why the last movement was not a rep (debugging aid)."""
        self.reject_reason = reason
        return None

    def _read_rest(self, ep: _Episode, u: np.ndarray) -> None:
        """Read the wobble measure's noise floors from the rest before the rep,
        once per rest: its high-pass part (:func:`shake_power`; the quietest
        rest so far is kept -- a rest window can catch the shaking tail of a
        wobbly rep, and a floor read there zeroed the next reps' wobble and
        with it the reference the wobble flag compares against), its slow
        part (the slow-shake spectrum of the in-plane tilt: sensor noise and
        sway), and with a gyroscope the quietest rest's readings so far.  A
        rest too short or holding a gap keeps the last floors read."""
        lo = max(ep.rest_lo, ep.start - int(3.0 * self.fs))
        hi = ep.start - int(1.0 * self.fs)
        if hi - lo >= int(1.0 * self.fs) and self._rest_at != (lo, hi):
            acc = self._aslice(lo, hi)
            if not np.isnan(acc).any():
                p = shake_power(acc, self.fs)
                self._noise_shake = p if self._noise_shake is None else min(self._noise_shake, p)
                self._rest_slow = slow_shake_spectrum(signed_tilt(acc, ep.b, u), self.fs)
                self._rest_at = (lo, hi)
            if self._has_gyro:
                gyr = self._gyr[lo - self._k0 : hi - self._k0]
                if not np.isnan(gyr).any():
                    p = mean_inside(gyro_shake_power(gyr, self.fs), int(round(GYRO_WOBBLE_HP_S * self.fs)))
                    # (a window that is not still -- the tail of a walk --
                    # is no floor: GYRO_REST_MAX_DPS)
                    if p < min(self._gyro_rest_power, GYRO_REST_MAX_DPS**2):
                        self._gyro_rest, self._gyro_rest_power = gyr.copy(), p

    def _reference_range(self) -> float | None:
        """:func:`reference_range` of the reps so far, kept until the list's
        end changes (a measurement appends one range; a re-measurement takes
        back only that one)."""
        key = (len(self._ranges), self._ranges[-1] if self._ranges else None)
        if self._ref_cache[0] != key:
            self._ref_cache = (key, reference_range(self._ranges, self.guidance.partial_rel))
        return self._ref_cache[1]

    # --------------------------------------------------------------- output
    def _emit_rep(self, rep: Rep, at: float, decided_end: float) -> None:
        """Number ``rep`` into its set and report it at stream time ``at``
        (s); ``decided_end`` (s) is its end as later decisions read it."""
        self._decided_end = decided_end
        prev = self.reps[-1] if self.reps else None
        if self._set is None or prev is None or rep.start - prev.end > SET_GAP_S:
            self._close_set()
            self._set = _SetState(index=len(self.sets) + 1)
            rep.rest_s = None
        else:
            rep.rest_s = max(0.0, rep.start - prev.end)
        st = self._set
        rep.index = len(self.reps) + 1
        rep.set = st.index
        rep.index_in_set = len(st.reps) + 1
        rep.reported_at = max(at, rep.end)
        rep.in_gap = any(g.start < rep.end and g.end > rep.start for g in self._gaps[-50:])
        if WOBBLE in rep.flags and st.hint is None:
            st.hint = f"stop the set at rep {rep.index_in_set}: control was lost (wobble)"
        st.reps.append(rep)
        self.reps.append(rep)
        self._events.append(Event("rep", at=rep.reported_at, rep=rep))

    def _summary(self, st: _SetState) -> SetSummary:
        n = len(st.reps)
        flagged = sum(1 for r in st.reps if r.flags)
        ok = sum(1 for r in st.reps if not any(f in TEMPO_FLAGS for f in r.flags))
        return SetSummary(
            index=st.index,
            start=st.reps[0].start,
            end=st.reps[-1].end,
            reps=n,
            target_reps=self.guidance.reps_per_set,
            flagged=flagged,
            compliance=ok / n if n else 0.0,
            hint=st.hint,
        )

    def _close_set(self) -> None:
        if self._set is not None and self._set.reps:
            summ = self._summary(self._set)
            self.sets.append(summ)
            self._events.append(Event("set", at=self._t_stream, set=summ))
        self._set = None

    def _close_set_if_rested(self) -> None:
        if self._set is not None and self._set.reps and self._ep is None:
            if self._t_stream - self._set.reps[-1].end > SET_GAP_S:
                self._close_set()

    def _record_trace(self, a: int, d: np.ndarray) -> None:
        step = max(1, int(round(self.fs / 10)))
        first = (-a) % step
        if first < len(d):
            self._trace_t.append(np.arange(a + first, a + len(d), step) / self.fs)
            self._trace_d.append(d[first::step].astype(np.float32))


def _meeting_point(top: float, top_sd: float, lower_start: float, lower_start_sd: float, weighed: bool) -> float:
    """Where a lift fitted to end at ``top`` and a lower fitted to start at
    ``lower_start`` (s; the lower first: the fits overlap, no pause) meet.

    ``weighed``: their inverse-variance mean by their sds (s), so a fit whose
    instant lies outside its window (extrapolated, a large sd) gives way --
    for a movement like the reps before it (a quick rep whose top is too short
    for the plateau split: its lower's onset extrapolated back into the lift
    would cut the lift below :data:`MIN_PHASE_S`).  Else their plain mean: a
    fidget's or a drift's fits overlapping by far make a phase too short,
    which rejects it (weighed, 3 rest-only sessions of 24 gained false reps)."""
    if not weighed:
        return 0.5 * (top + lower_start)
    w1, w2 = 1.0 / max(top_sd, 1e-3) ** 2, 1.0 / max(lower_start_sd, 1e-3) ** 2
    return (w1 * top + w2 * lower_start) / (w1 + w2)


def _joined(lower: TransitionFit, first: TransitionFit, second: TransitionFit) -> TransitionFit:
    """``lower`` timed from its two parts (:meth:`StreamAnalyzer._lower_parts`):
    its onset from ``first``, its offset from ``second``, with their sds."""
    return replace(lower, onset=first.onset, offset=second.offset, onset_sd=first.onset_sd, offset_sd=second.offset_sd)
