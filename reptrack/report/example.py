"""A synthetic session with known reps, for report previews, tests and benchmarks.

This is *not* the simulator (:mod:`reptrack.sim`, with ground truth for the
segmenter): it builds a :class:`~reptrack.model.Session` directly -- a
recording whose shank tilt follows min-jerk lifts and lowers, and the
matching :class:`~reptrack.model.Rep` objects with flags from the guidance --
so the report and history code can be exercised without running the
segmenter.  Deterministic for a given ``seed``.
"""

from __future__ import annotations

import numpy as np

from ..guidance import Guidance, TEMPO_FLAGS, load_guidance
from ..model import Recording, Rep, Session, SetSummary


def _min_jerk(x: np.ndarray) -> np.ndarray:
    """Min-jerk position profile 0->1 for x in [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x**3 * (10 - 15 * x + 6 * x**2)


def example_session(
    sets: int = 3,
    reps_per_set: int = 15,
    fs: float = 50.0,
    seed: int = 0,
    set_rest_s: float = 60.0,
    range_deg: float = 6.0,
    fatigue: bool = True,
    guidance: Guidance | None = None,
    path: str | None = "example.csv",
    start_utc: str | None = "2026-11-20T08:00:00Z",
) -> Session:
    """A session of ``sets`` x ``reps_per_set`` heel raises sampled at ``fs`` Hz.

    With ``fatigue`` the last third of each set speeds up (lift/lower fall
    towards 1.2 s), loses range and wobbles more, so flags appear late in
    the set like they do in real sessions.  ``range_deg`` is the shank tilt
    excursion of a full rep (degrees).
    """
    g = guidance or load_guidance()
    rng = np.random.default_rng(seed)
    t_cursor = 5.0
    plan: list[tuple[int, int, float, float, float, float, float, float]] = []
    for s in range(1, sets + 1):
        for k in range(1, reps_per_set + 1):
            late = max(0.0, (k - 0.66 * reps_per_set) / (0.34 * reps_per_set)) if fatigue else 0.0
            lift = float(np.clip(3.0 - 1.8 * late + rng.normal(0, 0.15), 0.6, None))
            hold = float(np.clip(1.0 - 0.8 * late + rng.normal(0, 0.1), 0.05, None))
            lower = float(np.clip(3.0 - 1.9 * late + rng.normal(0, 0.15), 0.6, None))
            rng_deg = range_deg * float(np.clip(1.0 - 0.55 * late + rng.normal(0, 0.03), 0.2, 1.2))
            wob = float(0.4 + 1.2 * late**2 + abs(rng.normal(0, 0.05)))
            rest = 1.5 + abs(rng.normal(0, 0.2))
            plan.append((s, k, t_cursor, lift, hold, lower, rng_deg, wob))
            t_cursor += lift + hold + lower + rest
        t_cursor += set_rest_s
    duration = t_cursor + 5.0

    t = np.arange(0.0, duration, 1.0 / fs)
    tilt = np.zeros_like(t)
    wobble_sig = np.zeros_like(t)
    for (_s, _k, t0, lift, hold, lower, rdeg, wob) in plan:
        i0, i1 = np.searchsorted(t, [t0, t0 + lift + hold + lower])
        tt = t[i0:i1]
        up = _min_jerk((tt - t0) / lift)
        down = _min_jerk((tt - (t0 + lift + hold)) / lower)
        tilt[i0:i1] += rdeg * (up - down)
        wobble_sig[i0:i1] += wob * 0.15 * np.sin(2 * np.pi * 6.0 * tt + rng.uniform(0, 6.28))
    theta = np.radians(tilt + wobble_sig + rng.normal(0, 0.05, len(t)))
    acc = np.column_stack([np.zeros_like(t), np.sin(theta), np.cos(theta)]) + rng.normal(0, 0.003, (len(t), 3))
    rec = Recording(t=t, acc=acc, meta={"sensor": "example"}, start_utc=start_utc, path=path, nominal_rate_hz=fs)

    reps: list[Rep] = []
    set_summaries: list[SetSummary] = []
    ref_ranges: list[float] = []
    ref_wobbles: list[float] = []
    for i, (s, k, t0, lift, hold, lower, rdeg, wob) in enumerate(plan):
        prev_end = reps[-1].end if reps and reps[-1].set == s else None
        ref = float(np.median(ref_ranges)) if ref_ranges else rdeg
        wref = float(np.median(ref_wobbles)) if ref_wobbles else None
        rel = rdeg / ref if ref > 0 else 1.0
        flags = g.flags_for(lift, hold, lower, rel, wob, wref)
        reps.append(
            Rep(
                index=i + 1, set=s, index_in_set=k, start=t0, top=t0 + lift, lower_start=t0 + lift + hold,
                end=t0 + lift + hold + lower, lift_s=lift, hold_s=hold, lower_s=lower,
                rest_s=None if prev_end is None else t0 - prev_end, range_deg=rdeg, range_rel=rel,
                wobble=wob, flags=flags,
            )
        )
        if not flags:
            ref_ranges.append(rdeg)
            ref_wobbles.append(wob)
    for s in range(1, sets + 1):
        rs = [r for r in reps if r.set == s]
        if not rs:
            continue
        tempo_ok = sum(1 for r in rs if not set(r.flags) & set(TEMPO_FLAGS))
        first_wobbly = next((r.index_in_set for r in rs if "wobble" in r.flags), None)
        set_summaries.append(
            SetSummary(
                index=s, start=rs[0].start, end=rs[-1].end, reps=len(rs), target_reps=g.reps_per_set,
                flagged=sum(1 for r in rs if r.flags), compliance=tempo_ok / len(rs),
                hint=None if first_wobbly is None else f"stop the set at rep {max(1, first_wobbly - 1)}",
            )
        )
    return Session(recording=rec, guidance=g, reps=reps, sets=set_summaries)


def long_session(duration_s: float = 3600.0, n_reps: int = 300, fs: float = 100.0, seed: int = 1) -> Session:
    """About ``duration_s`` seconds with ``n_reps`` reps in sets of 15 (the
    benchmark's 1-hour, 300-rep session at 100 Hz)."""
    sets = max(1, n_reps // 15)
    per_set = n_reps // sets
    # each rep ~ 7 s + 1.6 s rest; spread the remaining time as rests between sets
    active = per_set * 8.6
    rest = max(10.0, (duration_s - 10.0) / sets - active)
    return example_session(sets=sets, reps_per_set=per_set, fs=fs, seed=seed, set_rest_s=rest)
