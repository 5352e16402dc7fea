"""Fit one movement (a rise or a fall between two plateaus) to find its true
onset and offset.

Why a fit: a slow min-jerk lift of 3 s spends ~0.3 s at each end below 2% of
its range, under the noise of a cheap accelerometer, so a threshold crossing
reads it ~0.6 s short (DESIGN.md).  Real movements also differ in velocity
profile, so one fixed correction would be biased for the others.  We
therefore fit a family of shapes and take the onset/offset of the best one.

Shape family
------------
The normalised position of a movement is ``S(tau)`` for ``tau`` in [0, 1],
exactly 0 before onset and 1 after offset.  We use the regularised incomplete
beta function ``S = I_tau(a, b)`` (the CDF of a Beta(a, b) velocity profile):
``a = b = 3`` is exactly the minimum-jerk profile, ``a = b = 1`` constant
speed, ``a = b = 2`` a parabolic bell, ``a != b`` skewed profiles (peak speed
early or late).  A grid of (a, b) over :data:`SHAPE_PARAMS` covers bell-shaped
and skewed movements, and :data:`SKEWED_PAIRS` movements with a long, slow
tail at one end (while the fit's residual is small enough to show such a
tail: :data:`TAIL_RMS_MAX`); a raised-cosine bell, trapezoidal velocity profiles
(near-constant speed), minimum-jerk bells with a dip part-way (hesitations)
and pairs of bells with a stop between them (pauses) complete the library
(:func:`_velocity_templates`).

Method
------
Given samples ``(t_i, y_i)`` normalised so the plateau before is 0 and after
is 1, for each shape the mid-range points (``y`` in [0.1, 0.9], where the
signal is well above the noise) are mapped through the inverse shape,
``tau_i = S^-1(y_i)``, which makes the model linear: ``t_i = t0 + D tau_i``.
A weighted least-squares line (weights ``S'(tau_i)^2``, i.e. time errors
scaled by the local slope, the maximum-likelihood weighting for noise in
``y``) gives ``t0`` and ``D``.  Each candidate is then scored by its residual
in ``y`` over the whole window -- including the flat parts, which penalise an
onset placed too early or too late -- and the best shape wins.  Everything is
vectorised over the shape grid (no iterative optimiser), so a fit costs
~0.15 ms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from ..metrics import median1d, moving_average, nonzero1d

#: Beta-shape parameters tried for a and for b (the grid is their product).
SHAPE_PARAMS = (2.2, 3.0, 4.0)
#: ... and these more skewed pairs (a, b): an exponent of 5 gives a long,
#: slow tail at one end (a movement whose speed peaks at a fifth to a third
#: of its time and then dies away slowly, or the mirror image).  Without them
#: such movements read ~0.25 s short at their slow end, since the nearest
#: template, beta(2.2, 4), ends sooner.  (The whole grid to 5 -- with
#: beta(5, 5), beta(4, 5), ... -- read the other shapes long.)  Used only
#: while the best fit's RMS residual is below TAIL_RMS_MAX of the range.
SKEWED_PAIRS = ((2.2, 5.0), (5.0, 2.2), (3.0, 5.0), (5.0, 3.0))
#: A long tail differs from the nearest bell by a few percent of the range:
#: when the best template misses the smoothed tilt by more than this RMS
#: (normalised; postural sway, wobble), the long-tailed templates fit the
#: residual instead of the movement, and they are left out.  (A fit's median
#: residual is ~0.013 without sway, ~0.03 with standing sway.  Always in,
#: they read phases long under sway -- lift p95 +0.09 s and flags -0.004 on
#: average over the 25 acceptance-like sets with sway, a set of standing
#: seeds' flags 0.59 -> 0.44 -- and took drifts of sway before a small
#: movement for its slow start.  With 0.015, over the 25 sets without sway:
#: phase p95 0.517 / 0.523 / 0.605 -> 0.502 / 0.497 / 0.586 s on average,
#: skewed movements' bias -0.23 -> -0.13 s; with sway p95 and flags as
#: before (+-0.001); exact counts 2,289 -> 2,291 of 2,428 sessions over 62
#: benchmark runs, 403 of 432 on six fresh sets as before.  0.025 gained
#: 0.01 s more without sway and lost 0.004 of flag F1 with it.)
TAIL_RMS_MAX = 0.015
#: Ramp fractions of the near-constant-speed (trapezoidal velocity) templates.
TRAPEZOID_RAMPS = (0.1, 0.2, 0.3)
#: Hesitation templates: a minimum-jerk bell whose speed dips by
#: HESITATION_DEPTH (raised-cosine dip, half-width HESITATION_HALF_WIDTH of the
#: movement) at each of these centres (fraction of the movement's time).  A
#: lift that slows part-way fits no single bell: its onset read up to 1 s off.
#: With them, noise-free p95 onset/offset error of simulated hesitations
#: 0.70 -> 0.18 s; in the acceptance-like sessions hesitating lifts' start
#: p95 0.49 -> 0.30 s, top 0.52 -> 0.27 s.
HESITATION_CENTRES = (0.3, 0.367, 0.433, 0.5, 0.567, 0.633, 0.7)
HESITATION_DEPTH = 0.8
HESITATION_HALF_WIDTH = 0.12
#: Pause templates: two minimum-jerk sub-movements at the same mean speed
#: with a full stop between them, centred at each of PAUSE_CENTRES (fraction
#: of the movement's time) and lasting each of PAUSE_LENGTHS.  A movement
#: that stops part-way is two bells, not one bell with a dip: the
#: hesitation templates read such a lift 0.8 s long at each end noise-free
#: (3 s, a stop of 0.3 s at half-way), these 0.003 s.  Found with a second
#: simulator built independently of ``reptrack.sim``
#: (``benchmarks/bench_crosscheck.py``: hesitations as two sub-movements
#: with a stop anywhere in 30-70 % of the time): 48 sessions without sway,
#: phase p95 1.74 / 1.02 / 1.89 s -> 0.74 / 0.64 / 1.49 s; on
#: ``reptrack.sim``'s acceptance-like sets within +0.007 s without sway and
#: -0.02 s with it, counts unchanged.  (Centres every 0.1 from 0.3 to 0.7
#: measured a little better there and a little worse on ``reptrack.sim``.)
PAUSE_CENTRES = (0.35, 0.5, 0.65)
PAUSE_LENGTHS = (0.05, 0.2)
#: Moving-average span (s) :func:`fit_transition` smooths ``y`` over.
FIT_SMOOTH_S = 0.16
#: Longest fit window in samples; longer windows are decimated after smoothing.
MAX_FIT_POINTS = 160
#: Resolution of the lookup tables (points over tau in [0, 1] and over y).
TABLE_N = 1001
#: ... and of the tables :func:`fit_transition` reads by nearest point
#: (one gather instead of two and an interpolation; small enough to stay in
#: the processor's cache).
FINE_N = 4001
#: Mid-range band of normalised position used for the line fit.
Y_LO, Y_HI = 0.12, 0.88
#: The lever-arm artefact scales as 1 / duration^2: below this duration (s) its
#: amplitude is held at this duration's, or the iteration of a quick movement
#: (a bounce, ~0.5 s) overshoots and flips between shapes; slow reps (2-5 s),
#: whose timing the flags judge, are unaffected.
LEVER_MIN_S = 1.0
#: Re-fits stop once onset and offset together move less than this (s).
#: (0.05 and 0.1 s give the same figures on the 24 acceptance-like and the
#: 84 grid sessions to +-0.02 s at p95; 0.1 s saves 8 % of the fits.)
CONVERGED_S = 0.1
#: Correlation time (s) of the residuals about a fitted transition: postural
#: sway (0.1-0.6 Hz) and slow wobble keep a residual for about this long.
RESIDUAL_CORR_S = 0.4
#: Smallest improvement of the magnitude fit by its S'' term (in units of
#: chi-square with one degree of freedom: ~8 % of windows pass it by chance)
#: for :func:`with_magnitude` to use the magnitude.  (0 and 8 gave phase p95
#: within 0.03 s of 3 on the 24 acceptance-like sessions without sway, with
#: a first version of the step that also fed the segmenter's decisions;
#: likelihood weights of 2x and 4x this term's were worse by 0.03-0.1 s.)
MAG_MIN_GAIN = 3.0
#: Spacing (s) of the points the magnitude is compared at (it is low-passed
#: to ~2.5 Hz).
MAG_DT_S = 0.08
#: Then the MAG_TEMPLATES templates weighed most have their onset and offset
#: moved MAG_SHIFT_N steps of MAG_SHIFT_S (s) either way, every pair scored
#: on tilt and magnitude together (a movement shorter than MIN_SHIFTED_S is
#: not a candidate).  (With one template, or the three the tilt alone weighs
#: most, most of the gain was lost; +-0.3 s in 0.1-s steps did as well at
#: twice the cost.  Five templates moved p95 by 0.01-0.03 s.  +-0.6 s
#: (4 steps) over +-0.3 s: with standing sway, whose tilt fits err by more,
#: phase p95 down 0.01-0.07 s and flags up to +0.007 on every acceptance-like
#: set (9000-9035 0.826 -> 0.833), without sway within +-0.02 s; the 1-hour
#: benchmark's analysis ~1 % slower.  Steps of 0.3 s, or steps scaled to the
#: fit's sd, raised the medians; +-0.9 s added little and cost 10-25 %.)
MAG_TEMPLATES = 3
MAG_SHIFT_N = 4
MAG_SHIFT_S = 0.15
MIN_SHIFTED_S = 0.15
#: Re-estimations of the plateau levels in :func:`fit_rise` (each followed
#: by a re-fit).  (One gave slightly better phase times on simulated
#: sessions -- p95 1.66 / 1.27 / 1.75 s against 1.70 / 1.31 / 1.75 s on the
#: 24 acceptance-like -- and a fifth fewer fits, but took three shifts of
#: stance in a real MetaBase standing rest, tests/test_io_formats.py, for reps.)
LEVEL_ITERATIONS = 2
#: Span (s) before the onset and after the offset whose median is a level.
LEVEL_S = 0.5
#: ... used only when at least this fraction of it is in the window (a
#: level read from a short tail that is still moving would be biased).
LEVEL_MIN_FRAC = 0.6


#: Timing uncertainty of a fitted instant (s) beyond the templates' spread:
#: ``TIMING_NOISE_K * rms * duration`` -- the fit's residual (normalised) read
#: as a time error through the transition's mean slope.  Calibrated on the 24
#: acceptance-like tuning sessions, with and without sway, so that +-2 sd of
#: a phase duration covers ~95 % of the true ones (benchmarks/bench_accuracy.py
#: prints the coverage).
TIMING_NOISE_K = 3.0


@dataclass(frozen=True)
class TransitionFit:
    """Result of :func:`fit_transition`: ``onset`` and ``offset`` in seconds,
    the chosen template's name, the RMS residual in normalised units, and the
    timing uncertainty (standard deviation, s) of the onset and the offset:
    the spread of the templates that fit about as well (the shape the data
    cannot tell apart) combined with the residual's (noise, sway) in
    quadrature (:data:`TIMING_NOISE_K`)."""

    onset: float
    offset: float
    shape: str
    rms: float
    onset_sd: float = 0.0
    offset_sd: float = 0.0
    #: what the fit weighed (for :func:`with_magnitude`); None when not kept
    ensemble: _Ensemble | None = field(default=None, repr=False, compare=False)
    #: set by :func:`with_magnitude`: the signed strength (the square root of
    #: its chi-square gain, see :data:`MAG_MIN_GAIN`) of the acceleration
    #: magnitude's S'' term -- positive when the magnitude first rose (the
    #: sensor accelerated upwards: the shank rose), negative when it first
    #: fell; 0 when the term is not significant or the magnitude was not read
    rise_t: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.offset - self.onset


def _velocity_templates() -> list[tuple[str, np.ndarray]]:
    """Velocity profiles (unnormalised densities on a fine tau grid).

    * ``beta(a,b)``: tau^(a-1) (1-tau)^(b-1) -- a = b = 3 is minimum jerk,
      a != b skewed (peak speed early or late);
    * ``cosine``: sin^2(pi tau), the raised-cosine bell;
    * ``hesitation(c)``: the minimum-jerk bell slowed to 20 % around time
      fraction c -- a movement that slows part-way;
    * ``pause(c,q)``: two minimum-jerk bells at the same mean speed with a
      stop of q (fraction of the time) centred at c between them -- a
      movement that stops part-way;
    * ``trapezoid(r)``: constant speed between raised-cosine ramps over a
      fraction r at each end -- near-constant-speed movements.  (Cosine, not
      linear, ramps: a limb's acceleration has no steps; with linear ramps
      the onset of a movement with smooth ramps read 0.07 s late and its
      offset 0.07 s early, p95 0.19 s noise-free; now 0.10 s.)
    """
    fine = np.linspace(0.0, 1.0, 20001)
    pairs = [(a, b) for a in SHAPE_PARAMS for b in SHAPE_PARAMS] + list(SKEWED_PAIRS)
    out = [(_beta_name(a, b), np.power(fine, a - 1.0) * np.power(1.0 - fine, b - 1.0)) for a, b in pairs]
    out.append(("cosine", np.sin(np.pi * fine) ** 2))
    for r in TRAPEZOID_RAMPS:
        ramp = np.clip(np.minimum(fine, 1.0 - fine) / r, 0.0, 1.0)
        out.append((f"trapezoid({r:g})", 0.5 * (1.0 - np.cos(np.pi * ramp))))
    for c in HESITATION_CENTRES:
        near = np.clip(1.0 - np.abs(fine - c) / HESITATION_HALF_WIDTH, 0.0, 1.0)
        dip = 0.5 * (1.0 - np.cos(np.pi * near))
        out.append((f"hesitation({c:g})", fine**2 * (1.0 - fine) ** 2 * (1.0 - HESITATION_DEPTH * dip)))
    for c in PAUSE_CENTRES:
        for q in PAUSE_LENGTHS:
            v = np.zeros_like(fine)
            for lo, hi in ((0.0, c - q / 2.0), (c + q / 2.0, 1.0)):
                inside = (fine > lo) & (fine < hi)
                x = (fine[inside] - lo) / (hi - lo)
                # (each bell's area is its share of the time: the same mean speed)
                v[inside] = x**2 * (1.0 - x) ** 2
            out.append((f"pause({c:g},{q:g})", v))
    return out


@lru_cache(maxsize=1)
def _tables() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Per-template lookup tables.

    Returns ``(names, cdf (K, N) on a uniform tau grid, pdf (K, N) on the same
    grid, inv (K, N): tau as a function of y on a uniform y grid)``.  Built
    with numpy only, so scipy is not imported on the analyze path.
    """
    fine = np.linspace(0.0, 1.0, 20001)
    grid = np.linspace(0.0, 1.0, TABLE_N)
    names, cdfs, pdfs, invs = [], [], [], []
    for name, dens in _velocity_templates():
        c = np.concatenate(([0.0], np.cumsum((dens[1:] + dens[:-1]) * 0.5 * (fine[1] - fine[0]))))
        area = c[-1]
        c /= area
        cdf = np.interp(grid, fine, c)
        names.append(name)
        cdfs.append(cdf)
        pdfs.append(np.interp(grid, fine, dens) / area)
        # inverse: strictly increasing version of the CDF for interpolation
        mono = np.maximum.accumulate(c + np.linspace(0.0, 1e-12, len(c)))
        invs.append(np.interp(grid, mono, fine))
    return names, np.array(cdfs), np.array(pdfs), np.array(invs)


def warm_tables() -> None:
    """Build the fits' lookup tables now (~0.03 s, ~6 MB): before a fork,
    so both processes read one copy of them."""
    _tables()
    for part in ("decide", "pause"):
        _fine_tables(part)
    _pos_accel_fine()
    _accel_tables()
    _long_tail()


@lru_cache(maxsize=1)
def _pause_names() -> tuple[str, ...]:
    """The pause templates, last in the library.  They time a movement the
    segmenter has decided on (:func:`with_magnitude`'s reading) and show
    which way it went (its ``rise_t``), but take no part in the fits the
    decisions read (:func:`fit_transition`'s own result): with them there,
    two quick steps of the foot with a stop between fitted as one slow
    movement, and sway and fidgets passed for reps (33 more false reps over
    the 62 benchmark runs, 21 of them in rest-only seeds 1-40)."""
    return tuple(name for name in _tables()[0] if name.startswith("pause("))


@lru_cache(maxsize=1)
def _long_tail() -> np.ndarray:
    """Which of the decisions' templates (:func:`_part_rows`) are the
    long-tailed :data:`SKEWED_PAIRS`, (K,) bool."""
    tails = {_beta_name(a, b) for a, b in SKEWED_PAIRS}
    return np.array([name in tails for name in _tables()[0][_part_rows("decide")]])


def _beta_name(a: float, b: float) -> str:
    """The name of the beta(a, b) velocity template."""
    return f"beta({a:g},{b:g})"


def _part_rows(part: str) -> slice:
    """The library's rows of the decisions' templates (``"decide"``) or of
    the pause templates (``"pause"``, last: see :func:`_pause_names`)."""
    k_dec = len(_tables()[0]) - len(_pause_names())
    return slice(0, k_dec) if part == "decide" else slice(k_dec, None)


@lru_cache(maxsize=2)
def _fine_tables(part: str = "decide") -> tuple[np.ndarray, np.ndarray]:
    """What :func:`fit_transition` reads by nearest point (one gather, no
    interpolation) for the templates of ``part`` (:func:`_part_rows`; K of
    them), on :data:`FINE_N` points: ``line`` (FINE_N, 3K), on a
    uniform y grid, columns the weight ``w = S'(tau)^2`` at ``tau = S^-1(y)``,
    ``w tau`` and ``w tau^2`` (the sums of the line fit, one matrix product;
    a point's 3K values are contiguous, so the gather reads them together);
    ``cdf`` (K, FINE_N), S on a uniform tau grid.  (The nearest point moves
    tau by at most 1 / (2 (FINE_N - 1)), 1.25e-4: S by < 3e-4 of the range,
    the templates' speed being at most 2.2; a fitted instant moved by ~1 ms
    at p99 against linear interpolation on the :data:`TABLE_N` grid, and a
    fit took ~25 % less time.)"""
    _, cdf, pdf, inv = _tables()
    rows = _part_rows(part)
    cdf, pdf, inv = cdf[rows], pdf[rows], inv[rows]
    tau = _on_fine_grid(inv)
    w = _lookup(pdf, tau) ** 2
    line = np.ascontiguousarray(np.vstack((w, w * tau, w * tau * tau)).T)
    return line, _on_fine_grid(cdf)


def _on_fine_grid(rows: np.ndarray) -> np.ndarray:
    """Rows tabulated on the :data:`TABLE_N` grid, interpolated onto the
    :data:`FINE_N` grid (both uniform on [0, 1])."""
    grid, x = np.linspace(0.0, 1.0, TABLE_N), np.linspace(0.0, 1.0, FINE_N)
    return np.array([np.interp(x, grid, row) for row in rows])


def _fine_index(row_off: np.ndarray, t0: np.ndarray, dur: np.ndarray, tr: np.ndarray) -> np.ndarray:
    """Flat index, into a table of :data:`FINE_N`-point rows, of the nearest
    point of S's argument ``(tr - t0) / dur`` (clipped to [0, 1]) for each
    candidate: onset ``t0`` and duration ``dur`` (s, (R,) each, times on the
    origin of ``tr``), its row's flat offset ``row_off`` (R, 1): (R, n)."""
    scale = float(FINE_N - 1) / dur
    idx = np.multiply.outer(scale, tr)
    idx -= (t0 * scale - 0.5)[:, None]
    np.maximum(idx, 0.0, out=idx)
    np.minimum(idx, float(FINE_N - 1), out=idx)
    pos = idx.astype(np.intp)
    pos += row_off
    return pos


@lru_cache(maxsize=4)
def _row_offsets(k: int, n: int = TABLE_N) -> np.ndarray:
    """Flat-index offset of each of ``k`` table rows of ``n`` points, as a
    column (k, 1)."""
    return (np.arange(k) * n)[:, None]


def _grid_split(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional grid positions ``idx`` (any shape, any value) clipped to
    the table grid and split into the left index and the fraction.  ``idx``
    is overwritten with the fraction (and returned).

    (Clipped with the ufuncs in place: the same numbers as ``np.clip`` without
    its call overhead.)
    """
    np.maximum(idx, 0.0, out=idx)
    np.minimum(idx, float(TABLE_N - 1), out=idx)
    lo = idx.astype(np.intp)
    np.minimum(lo, TABLE_N - 2, out=lo)
    idx -= lo
    return lo, idx


def _read_at(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Row ``k`` of ``table`` interpolated at grid positions ``idx[k]``
    (fractional indices, any value: clipped to the grid), (K, n).  ``idx``
    is overwritten."""
    lo, frac = _grid_split(idx)
    lo += _row_offsets(table.shape[0])  # flat index: one gather per end point
    flat = table.ravel()
    a = flat.take(lo)
    b = flat[1:].take(lo)
    b -= a
    b *= frac
    b += a
    return b


def _lookup(table: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear interpolation of each row of ``table`` (uniform grid on [0, 1]) at ``x`` (K, n)."""
    return _read_at(table, x * float(TABLE_N - 1))


@lru_cache(maxsize=1)
def _pos_accel_fine() -> np.ndarray:
    """S(tau) of every template over S''(tau) of every template, on a
    uniform tau grid of :data:`FINE_N` points, flattened (2K * FINE_N,): one
    nearest-point gather reads both."""
    return _on_fine_grid(np.vstack((_tables()[1], _accel_tables()))).ravel()


def shape_curve(tau: np.ndarray, shape: str) -> np.ndarray:
    """Normalised position S(tau) of the named template (0 before, 1 after)."""
    names, cdf, _, _ = _tables()
    k = names.index(shape)
    return _lookup(cdf[k : k + 1], np.asarray(tau, dtype=np.float64)[None, :])[0]


@lru_cache(maxsize=1)
def _accel_tables() -> np.ndarray:
    """S''(tau) of every template on the uniform tau grid (K, TABLE_N)."""
    _, _, pdf, _ = _tables()
    acc = np.gradient(pdf, 1.0 / (TABLE_N - 1), axis=1)
    acc[:, 0] = acc[:, -1] = 0.0
    return acc


def shape_accel(tau: np.ndarray, shape: str) -> np.ndarray:
    """Normalised acceleration S''(tau) of the named template (0 outside [0, 1])."""
    names = _tables()[0]
    k = names.index(shape)
    tau = np.asarray(tau, dtype=np.float64)
    out = _lookup(_accel_tables()[k : k + 1], tau[None, :])[0]
    return np.where((tau > 0.0) & (tau < 1.0), out, 0.0)


def fit_transition(
    t: np.ndarray, y: np.ndarray, min_duration_s: float = 0.15, smooth_s: float = FIT_SMOOTH_S
) -> TransitionFit | None:
    """Fit a rise of normalised position ``y`` (0 -> 1) sampled at ``t`` (s).

    ``y`` must already be normalised (plateau before = 0, after = 1); for a
    fall pass ``1 - y``.  The window should include some flat signal on both
    sides.  Returns None when fewer than 3 samples lie in the mid-range band.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    # (callers sample on a uniform grid: its step is the span over the count)
    dt = float(t[-1] - t[0]) / (len(t) - 1) if len(t) > 1 else 1.0
    n_in, n_sm = len(t), max(1, int(round(smooth_s / dt)))
    ys = moving_average(y, n_sm) if len(t) > 2 else y
    # The contiguous mid-range run around the last 0.5 crossing (the one the
    # window ends above): plateau noise never leaks into the line fit, and a
    # sway dip through half the range on the plateau before -- a partial rep
    # swaying by half its range -- is not taken for the movement.
    below = nonzero1d(ys < 0.5)
    if len(below) == 0 or below[-1] == len(ys) - 1:
        return None
    c = int(below[-1]) + 1
    low_before = nonzero1d(ys[:c] <= Y_LO)
    lo = int(low_before[-1]) + 1 if len(low_before) else 0
    out_after = nonzero1d((ys[c + 1 :] >= Y_HI) | (ys[c + 1 :] <= Y_LO))
    hi = c + int(out_after[0]) if len(out_after) else len(ys) - 1
    if hi - lo + 1 < 3:
        return None
    # the smoothed signal carries no detail finer than smooth_s: a few points
    # per smoothing window are enough (keeps long windows cheap)
    step = max(1, len(t) // MAX_FIT_POINTS)
    if step > 1:
        t, ys = t[::step], ys[::step]
        lo, hi = -(-lo // step), hi // step  # the decimated points in [lo, hi]
        if hi - lo + 1 < 3:
            return None
    # times relative to the window's first sample: the sums below stay well
    # conditioned however far into a recording the window lies
    t_ref = float(t[0])
    tr = t - t_ref
    ok, t0, dur, rss = _line_fits("decide", tr, ys, lo, hi, min_duration_s)
    if not ok.any():
        return None
    all_ok = bool(ok.all())
    k = int(np.argmin(rss))
    if rss[k] > TAIL_RMS_MAX * TAIL_RMS_MAX and (ok & ~_long_tail()).any():
        # a residual this large (sway, wobble) hides a long tail: those
        # templates would fit the residual, not the movement
        ok = ok & ~_long_tail()
        rss[~ok] = np.inf
        all_ok = False
        k = int(np.argmin(rss))
    on_k = t0 + t_ref
    off_k = on_k + dur
    # Model averaging: templates that fit about as well share the estimate
    # (weights from the likelihood ratio with the noise estimated by the best
    # fit), so a small change in the data cannot flip the answer.  Residuals
    # are correlated over RESIDUAL_CORR_S (sway, slow wobble), not just over
    # the smoothing window: the window holds duration / RESIDUAL_CORR_S
    # independent points.
    span = float(tr[-1]) if len(t) > 1 else 0.0
    n_eff = max(span / max(smooth_s, RESIDUAL_CORR_S), 1.0)
    best = max(float(rss[k]), 1e-12)
    # (a template without a line fit has rss = inf, so weight 0; its onset
    # and offset, which may be NaN, are zeroed so they add nothing)
    log_w = -0.5 * n_eff * (rss - best) / best
    if not all_ok:
        on_k, off_k = np.where(ok, on_k, 0.0), np.where(ok, off_k, 0.0)
    ens = _Ensemble(t_ref, tr, step, n_in, n_sm, n_eff, on_k, off_k, log_w, ok, ys, (lo, hi, min_duration_s, best))
    return _summarise(ens, log_w, k, float(np.sqrt(rss[k])))


def _line_fits(
    part: str, tr: np.ndarray, ys: np.ndarray, lo: int, hi: int, min_duration_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each template of ``part`` (:func:`_part_rows`) fitted to the smoothed,
    normalised ``ys`` at times ``tr`` (s after the window's first sample)
    from its mid-range points ``lo..hi``: whether it has a fit (K,) bool,
    its onset ``t0`` and duration (s, (K,) each) and its mean square
    residual over the whole window (inf where there is no fit)."""
    line, fine_cdf = _fine_tables(part)
    k_n = len(fine_cdf)
    tm, ym = tr[lo : hi + 1], ys[lo : hi + 1]
    # Weighted least squares t = t0 + D * tau, per template (closed form),
    # with tau_i = S^-1(y_i) and the weight S'(tau_i)^2: the sums of w,
    # w tau, w tau^2 and of w t, w tau t for every template in one product
    yi = (ym * float(FINE_N - 1) + 0.5).astype(np.intp)
    np.minimum(yi, FINE_N - 1, out=yi)
    xt = np.empty((2, len(tm)))
    xt[0], xt[1] = 1.0, tm
    sums = xt @ line[yi]
    sw, sx, sxx = sums[0, :k_n], sums[0, k_n : 2 * k_n], sums[0, 2 * k_n :]
    mx = sx / sw
    my = sums[1, :k_n] / sw
    sxx = sxx - sx * mx
    sxy = sums[1, k_n : 2 * k_n] - sx * my
    # (sxx is a weighted sum of squares: 0 only when every tau is the same)
    ok = (sxx > 0.0) & (sxy > min_duration_s * sxx)
    dur = np.where(ok, sxy / np.where(ok, sxx, 1.0), 1.0)
    t0 = my - dur * mx
    # Score each template on the whole (smoothed) window in y: the model's
    # nearest table point is (t - t0) / D scaled to the grid, rounded
    d = fine_cdf.ravel().take(_fine_index(_row_offsets(k_n, FINE_N), t0, dur, tr))
    d -= ys
    rss = np.einsum("ij,ij->i", d, d) / len(ys)
    if not ok.all():
        rss[~ok] = np.inf
    return ok, t0, dur, rss


def _with_pauses(ens: _Ensemble) -> _Ensemble:
    """``ens`` (the decisions' templates) extended with the pause templates
    fitted to the same window, weighed on the same scale."""
    lo, hi, min_duration_s, best = ens.band
    ok, t0, dur, rss = _line_fits("pause", ens.tr, ens.ys, lo, hi, min_duration_s)
    on, off = np.where(ok, t0 + ens.t_ref, 0.0), np.where(ok, t0 + ens.t_ref + dur, 0.0)
    log_w = -0.5 * ens.n_eff * (rss - best) / best
    return replace(
        ens,
        on_k=np.concatenate((ens.on_k, on)),
        off_k=np.concatenate((ens.off_k, off)),
        log_w=np.concatenate((ens.log_w, log_w)),
        ok=np.concatenate((ens.ok, ok)),
    )


@dataclass(frozen=True)
class _Ensemble:
    """What :func:`fit_transition` weighed: the window (its first time
    ``t_ref``, s; the decimated times ``tr`` after it; the decimation
    ``step`` of its ``n_in`` samples and the smoothing over ``n_smooth``
    samples), the effective number of independent points ``n_eff``, and per
    template its onset and offset (s, 0 where ``ok`` is False) and its log
    weight from the tilt; ``ys`` the smoothed, normalised tilt it fitted, at
    the decimated times."""

    t_ref: float
    tr: np.ndarray
    step: int
    n_in: int
    n_smooth: int
    n_eff: float
    on_k: np.ndarray
    off_k: np.ndarray
    log_w: np.ndarray
    ok: np.ndarray
    ys: np.ndarray
    #: the line fits' mid-range points (decimated indices lo..hi), their
    #: shortest duration (s), and the best template's mean square residual
    band: tuple[int, int, float, float]


def _summarise(ens: _Ensemble, log_w: np.ndarray, k: int, rms: float) -> TransitionFit:
    """The model average of the templates of ``ens`` under log weights
    ``log_w`` (best template ``k``, whose RMS residual is ``rms``)."""
    wts = np.exp(log_w - log_w.max())  # (max 0 from fit_transition; a sum of terms may not be)
    wts /= wts.sum()
    return _averaged(ens, ens.on_k, ens.off_k, wts, _tables()[0][k], rms)


def _averaged(
    ens: _Ensemble, on: np.ndarray, off: np.ndarray, wts: np.ndarray, shape: str, rms: float
) -> TransitionFit:
    """The transition averaged over candidate onsets ``on`` and offsets
    ``off`` (s, (R,) each) under normalised weights ``wts``: its sds are the
    candidates' weighted spread plus the timing noise of a fit whose RMS
    residual is ``rms`` (:data:`TIMING_NOISE_K`); ``shape`` names it."""
    onset = float(wts @ on)
    offset = float(wts @ off)
    noise_sd = TIMING_NOISE_K * rms * (offset - onset)
    don, doff = on - onset, off - offset
    on_spread = float(wts @ (don * don))
    off_spread = float(wts @ (doff * doff))
    return TransitionFit(
        onset=onset,
        offset=offset,
        shape=shape,
        rms=rms,
        onset_sd=float(np.sqrt(on_spread + noise_sd**2)),
        offset_sd=float(np.sqrt(off_spread + noise_sd**2)),
        ensemble=ens,
    )


def with_magnitude(fit: TransitionFit, mag: np.ndarray) -> TransitionFit:
    """``fit`` re-read with the acceleration magnitude ``mag`` (g, (n,), on
    the samples of the window the fit was made on, low-passed like the tilt
    it fitted), and with the pause templates (:func:`_pause_names`).

    Why: a heel raise lifts the shank 3-8 cm, and the sensor's distance from
    the ankle turns the rep's angular acceleration into a tangential one with
    a vertical part; both add ``k * theta''`` to the magnitude of the specific
    force, which tilt does not change.  ``theta''`` is large exactly where
    the templates differ -- at the ends, where the position has barely moved
    (a minimum-jerk lift has reached 75 % of its peak acceleration after 10 %
    of its time, 1 % of its range) -- and postural sway, a rotation, adds
    almost nothing to it.

    How: each template is fitted to ``mag`` as ``c0 + c1 S + c2 S''`` (free
    offset, a step for the per-axis scale errors of a part turning under
    gravity, free amplitude), and its residual adds a likelihood term to the
    tilt's weights -- only when the ``S''`` part explains the magnitude
    significantly (:data:`MAG_MIN_GAIN`): a sensor that sees no translation
    leaves the fit as it was.  Then the templates weighed most are moved
    about their onsets and offsets (:data:`MAG_SHIFT_N` steps of
    :data:`MAG_SHIFT_S`), and the candidates are averaged with weights from
    the tilt's and the magnitude's residuals together: the tilt alone places
    each template's ends by extrapolating from its middle.  Phase p95 on
    the 24 acceptance-like sessions without sway: 0.62/0.73/0.78 s from the
    tilt alone, 0.58/0.64/0.72 s re-weighed, 0.58/0.63/0.66 s with the ends
    moved; on the unseen grid 1.16/1.03/1.13, 1.07/0.94/1.10 and
    0.96/0.94/1.06 s (docs/accuracy-history.md).
    """
    return _reweighed(fit, mag, decided=False)[0]


def with_magnitude_decided(fit: TransitionFit, mag: np.ndarray) -> tuple[TransitionFit, TransitionFit]:
    """:func:`with_magnitude`'s reading of ``fit``, and the same reading
    without the pause templates -- the one the segmenter's decisions go on
    with (:func:`_pause_names`)."""
    full, decided = _reweighed(fit, mag, decided=True)
    assert decided is not None
    return full, decided


def _reweighed(fit: TransitionFit, mag: np.ndarray, decided: bool) -> tuple[TransitionFit, TransitionFit | None]:
    """:func:`with_magnitude`'s reading, and (``decided``) the same reading
    over the decisions' templates only (else None)."""
    ens = fit.ensemble
    if ens is None or len(mag) != ens.n_in:
        return fit, fit
    k_dec = len(ens.on_k)
    ens = _with_pauses(ens)
    ms = moving_average(mag, ens.n_smooth) if ens.n_in > 2 else np.asarray(mag, dtype=np.float64)
    # (the low-passed magnitude and tilt carry nothing above ~2.5 Hz: a
    # point every MAG_DT_S is enough, and keeps this cheap)
    tr = ens.tr
    sub = max(1, int(MAG_DT_S / (float(tr[1] - tr[0]) if len(tr) > 1 else MAG_DT_S)))
    tr, ms = tr[::sub], ms[:: ens.step * sub]
    mc = ms - ms.mean()
    # 1. every template as the tilt fitted it
    k_all = np.arange(len(ens.on_k))
    _, rss2, rss3, m_res = _magnitude_scores(ens, ens.on_k, np.where(ens.ok, ens.off_k, ens.on_k + 1.0), k_all, tr, mc)
    rss3 = np.where(ens.ok, rss3, np.inf)
    # (the rise's sign and strength, which a decision reads, from the best
    # template, pauses included: read with one bell, a lift that stopped
    # part-way showed the wrong sign, and the rep was taken for a rest read
    # from the reps' top -- bench_crosscheck seeds 26 and 39, 5-2-5 sets
    # read upside down for four reps each; on reptrack.sim's 62 runs and
    # fresh sets one missed rep more, flags +-0.0004)
    kb = int(np.argmin(rss3))
    best = float(rss3[kb])
    # the S'' term's worth for the best template (~chi-square(1) with no signal)
    gain = ens.n_eff * (float(rss2[kb]) - best) / best
    if not np.isfinite(gain) or gain < MAG_MIN_GAIN:
        # (the tilt's fit over the whole library, pauses included)
        return replace(_summarise(ens, ens.log_w, int(np.argmax(ens.log_w)), fit.rms), rise_t=0.0), fit
    rise_t = float(np.sign(m_res[kb])) * float(np.sqrt(gain))
    log_w = ens.log_w + np.where(ens.ok, -0.5 * ens.n_eff * (rss3 - best) / best, 0.0)

    def shifted(order: np.ndarray) -> TransitionFit:
        # 2. the templates weighed most (rows ``order``), their ends moved on a grid
        order = order[np.isfinite(log_w[order])]
        don, doff = _shift_grid(MAG_SHIFT_N, MAG_SHIFT_S)
        on = (ens.on_k[order][:, None] + don).ravel()
        off = (ens.off_k[order][:, None] + doff).ravel()
        kk = np.repeat(order, len(don))
        keep = off - on > MIN_SHIFTED_S
        on, off, kk = on[keep], off[keep], kk[keep]
        if len(on) == 0:  # (not expected: the unshifted fits are >= 0.15 s long)
            return replace(_summarise(ens, log_w, int(np.argmax(log_w)), fit.rms), rise_t=rise_t)
        pos, _, rss3c, _ = _magnitude_scores(ens, on, off, kk, tr, mc)
        rt = pos - ens.ys[::sub]
        rss_t = np.einsum("ij,ij->i", rt, rt)
        bt = max(float(rss_t.min()), 1e-18)
        bm = float(rss3c.min())
        e = (rss_t - bt) / bt + (rss3c - bm) / bm
        # (relative to the best candidate on both together: when the tilt's and
        # the magnitude's bests are different candidates and a residual sits at
        # its floor -- an instant step -- every weight would underflow to 0)
        w = np.exp(-0.5 * ens.n_eff * (e - e.min()))
        w /= w.sum()
        return replace(_averaged(ens, on, off, w, _tables()[0][int(kk[int(np.argmax(w))])], fit.rms), rise_t=rise_t)

    order = np.argsort(-log_w)[:MAG_TEMPLATES]
    full = shifted(order)
    if not decided:
        return full, None
    order_dec = np.argsort(-log_w[:k_dec])[:MAG_TEMPLATES]
    # (the same rows, the same reading: computed once)
    return full, full if np.array_equal(order_dec, order) else shifted(order_dec)


def _magnitude_scores(
    ens: _Ensemble, on: np.ndarray, off: np.ndarray, kk: np.ndarray, tr: np.ndarray, mc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For candidate transitions -- template rows ``kk`` with onsets ``on``
    and offsets ``off`` (s), (R,) each -- at the window times ``tr`` (s after
    ``ens.t_ref``): the templates' positions S (R, n), and the residual sums
    of squares of the centred magnitude ``mc`` (n,) fitted by S alone and by
    S and S'' (least squares; the constant drops out with the centring), and
    the S'' term's projection (its sign is the sign of its coefficient)."""
    r_n = len(on)
    # the nearest point of the fine S-over-S'' table, for S and for S''
    pos_i = _fine_index((kk * FINE_N)[:, None], on - ens.t_ref, off - on, tr)
    x = _pos_accel_fine().take(np.concatenate((pos_i, pos_i + len(ens.on_k) * FINE_N))).reshape(2, r_n, -1)
    n = float(len(mc))
    pos, acc = x
    sums = x.sum(axis=2)  # (2, R)
    xm = x @ mc  # (2, R)
    gram = np.einsum("aij,bij->abi", x, x)  # (2, 2, R)
    spp = gram[0, 0] - sums[0] * sums[0] / n
    spa = gram[0, 1] - sums[0] * sums[1] / n
    saa = gram[1, 1] - sums[1] * sums[1] / n
    spp = np.where(spp > 0.0, spp, np.inf)
    rss2 = float(mc @ mc) - xm[0] * xm[0] / spp
    # what S'' adds: its part not explained by S
    a_res = saa - spa * spa / spp
    a_res = np.where(a_res > 0.0, a_res, np.inf)
    m_res = xm[1] - spa * xm[0] / spp
    rss3 = np.maximum(rss2 - m_res * m_res / a_res, 1e-18)
    return pos, rss2, rss3, m_res


@lru_cache(maxsize=4)
def _shift_grid(n: int, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of onset and offset shifts (s) of ``n`` steps of ``step``
    either way, flattened: ((2n+1)^2,) each."""
    d = np.arange(-n, n + 1) * step
    a, b = np.meshgrid(d, d, indexing="ij")
    return a.ravel(), b.ravel()


def smoothing_s2(fs: float, *spans_s: float) -> float:
    """Half the variance (s^2) of moving averages over ``spans_s`` (s, each
    rounded to whole samples at ``fs`` Hz) applied in turn, plus the one
    :func:`fit_transition` applies (:data:`FIT_SMOOTH_S`): what to subtract
    from ``lever_s2`` in :func:`fit_rise` so the smoothing does not widen the
    fitted movement.  (A box of ``n`` samples has variance ``(n^2 - 1) / 12``
    samples^2.)  Noise-free raised-cosine lifts of 2.6-3.6 s, smoothed by two
    0.2-s averages at 50 Hz, read 0.15 s early at onset and late at offset
    without it, 0.003 s with it."""
    boxes = [int(x * fs) for x in spans_s] + [max(1, int(round(FIT_SMOOTH_S * fs)))]
    return 0.5 * sum((n * n - 1) / 12.0 for n in boxes) / (fs * fs)


def _with_lever(s: np.ndarray, t: np.ndarray, fit: TransitionFit, height: float, lever_s2: float) -> np.ndarray:
    """``s`` plus the lever-arm tilt artefact's removal term for a transition
    ``fit`` of ``height`` (signal units): ``(r/g) theta''``, ``lever_s2`` =
    r/g (s^2), with the amplitude held below :data:`LEVER_MIN_S` durations.
    ``t`` is sorted; the term is zero outside the fitted movement."""
    d = max(fit.duration_s, 1e-3)
    i0, i1 = t.searchsorted((fit.onset, fit.offset), side="right")
    out = s.copy()
    tau = (t[i0:i1] - fit.onset) / d
    out[i0:i1] += lever_s2 * height * shape_accel(tau, fit.shape) / max(d, LEVER_MIN_S) ** 2
    return out


def fit_rise(
    t: np.ndarray,
    s: np.ndarray,
    lo: float,
    hi: float,
    iterations: int = LEVEL_ITERATIONS,
    refine_hi: bool = True,
    lever_s2: float = 0.0,
    refine_lo: bool = True,
    start: tuple[TransitionFit, float, float] | None = None,
) -> tuple[TransitionFit, float, float] | None:
    """Fit a rise of raw signal ``s`` (any units) from level ``lo`` to ``hi``.

    The levels are first guesses.  After each fit they are re-estimated
    locally -- the median of ``s`` over :data:`LEVEL_S` before the fitted
    onset and after the fitted offset -- and the fit is repeated: a plateau
    guessed from samples still on a slow approach would cut the transition
    short, and a global level fit would be pulled by whatever the window holds
    beyond the flat parts (the tail of a previous movement, a drifting hold).
    ``lever_s2`` (s^2) removes the tilt artefact of a sensor carried on a
    rotating segment: its tangential acceleration ``r * theta''`` reads as a
    tilt of ``-(r / g) * theta''`` (rad), which delays the apparent onset and
    advances the offset.  With ``lever_s2 = r / g`` each re-fit adds the
    artefact predicted by the previous fit (``lever_s2 * range * S'' / D^2``,
    from the template, not from differentiating noisy data) back to ``s``.
    A smoothing of ``s`` does the opposite: a symmetric kernel of variance
    ``v`` (s^2) turns the shape into ``S + (v / 2) S''`` (to second order), so
    a movement reads long at both ends; a negative part of ``lever_s2``
    (``-v / 2``, :func:`smoothing_s2`) takes that back the same way.

    ``refine_hi=False`` / ``refine_lo=False`` keep that level as given (a
    streaming caller whose window grows after the offset: a level re-read
    from each new tail would move the offset at every re-fit; or a level
    better known from elsewhere, such as a whole plateau).  For a fall pass ``-s``,
    ``-lo``, ``-hi``.  ``start`` -- a previous result on a shorter window of
    the same movement -- seeds the levels and the artefact correction; one
    fit follows, and a second (its artefact correction from the first) only
    when the first moved more than :data:`CONVERGED_S` from the seed (a seed
    from a window that ended part-way down a lower).  Returns ``(fit, lo, hi)``
    with the final levels, or None when no fit exists.
    """
    fit = None
    t = np.asarray(t, dtype=np.float64)
    # (callers sample on a uniform grid: its step is the span over the count)
    dt = float(t[-1] - t[0]) / (len(t) - 1) if len(t) > 1 else 1.0
    s_fit = s
    prev: TransitionFit | None = None
    last_move: float | None = None  # how far (s) the last fit moved from the one before
    if start is not None and start[2] > start[1]:
        # the seed already went through the level iterations: one fit with
        # its levels and artefact correction, and one more if that moved
        iterations = 1
        prev = start[0]
        lo = start[1] if refine_lo else lo
        hi = start[2] if refine_hi else hi
        if lever_s2 != 0.0:
            s_fit = _with_lever(s, t, prev, hi - lo, lever_s2)
    for _ in range(iterations + 1):
        if hi <= lo:
            break
        nxt = fit_transition(t, (s_fit - lo) / (hi - lo))
        if nxt is None:
            break
        if prev is not None:
            moved = abs(nxt.onset - prev.onset) + abs(nxt.offset - prev.offset)
            if last_move is not None and moved > last_move:
                # diverging (a quick movement's artefact correction can
                # overshoot and flip the shape back and forth): keep the
                # previous fit and its levels
                break
            last_move = moved
        fit = nxt
        # (t is sorted: the spans by binary search)
        b0, a0 = t.searchsorted((fit.onset - LEVEL_S, fit.offset), side="left")
        b1, a1 = t.searchsorted((fit.onset, fit.offset + LEVEL_S), side="right")
        before, after = s[b0:b1], s[a0:a1]
        n_min = max(3, int(LEVEL_MIN_FRAC * LEVEL_S / dt))
        lo_new = median1d(before) if refine_lo and len(before) >= n_min else lo
        hi_new = median1d(after) if refine_hi and len(after) >= n_min else hi
        if last_move is not None and last_move < CONVERGED_S:
            lo, hi = lo_new, hi_new
            break
        prev = fit
        if lever_s2 != 0.0:
            s_fit = _with_lever(s, t, fit, hi_new - lo_new, lever_s2)
        elif abs(lo_new - lo) + abs(hi_new - hi) < 1e-3 * max(hi - lo, 1e-9):
            break
        lo, hi = lo_new, hi_new
    return (fit, lo, hi) if fit is not None else None
