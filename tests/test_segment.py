"""Segmentation against ground truth: the simulator's exact onset/offset instants,
the bundled sample sessions, chunk invariance (live == offline), and real
no-rep recordings."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reptrack.analysis import analyze_recording
from reptrack.guidance import load_guidance
from reptrack.io import read_recording
from reptrack.metrics import (
    G_MPS2,
    LEVER_ARM_M,
    TREMOR_REF_HZ,
    median1d,
    moving_average,
    shake_power,
    slow_shake_power,
    slow_shake_spectrum,
    wobble,
)
from reptrack.model import Recording
from reptrack.segment.stream import LP_S, StreamAnalyzer
from reptrack.segment.transitions import (
    fit_rise,
    fit_transition,
    shape_accel,
    shape_curve,
    smoothing_s2,
    with_magnitude,
)
from reptrack.sim import SimResult, scenario_config, simulate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
SHARED = ROOT.parent / "shared"


def _match(pred: list[dict], truth: list[dict], thr: float = 0.4) -> list[tuple[int, int]]:
    pairs, used = [], set()
    for i, p in enumerate(pred):
        best, bj = 0.0, None
        for j, t in enumerate(truth):
            inter = max(0.0, min(p["end"], t["end"]) - max(p["start"], t["start"]))
            union = max(p["end"], t["end"]) - min(p["start"], t["start"])
            v = inter / union if union > 0 else 0.0
            if v > best and j not in used:
                best, bj = v, j
        if bj is not None and best >= thr:
            used.add(bj)
            pairs.append((i, bj))
    return pairs


@pytest.mark.parametrize("shape", ["beta(3,3)", "cosine", "trapezoid(0.2)", "beta(2.2,4)"])
@pytest.mark.parametrize("duration", [1.0, 3.0, 4.5])
def test_fit_finds_true_onset_and_offset_of_clean_movements(shape: str, duration: float) -> None:
    """A movement of a known shape sampled at 50 Hz: onset/offset within 0.1 s
    (a threshold crossing at 2 % would be ~0.3 s late for min-jerk)."""
    rng = np.random.default_rng(7)
    t = np.arange(0.0, duration + 3.0, 0.02)
    y = shape_curve((t - 1.0) / duration, shape) + rng.normal(0, 0.01, len(t))
    fit = fit_transition(t, y)
    assert fit is not None
    tol = max(0.1, 0.05 * duration)  # 5 % of the duration: tails below the noise are ambiguous
    assert fit.onset == pytest.approx(1.0, abs=tol)
    assert fit.offset == pytest.approx(1.0 + duration, abs=tol)
    # a clean fit says it is precise (its coverage is tested on whole sessions)
    assert 0.0 < fit.onset_sd <= tol and 0.0 < fit.offset_sd <= tol


def _beta_position(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """Normalised position of a movement whose speed is the Beta(a, b)
    density over its normalised time ``u`` (0 before, 1 after)."""
    g = np.linspace(0.0, 1.0, 20001)
    v = g ** (a - 1.0) * (1.0 - g) ** (b - 1.0)
    c = np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]))))
    return np.interp(np.clip(u, 0.0, 1.0), g, c / c[-1])


@pytest.mark.parametrize(("a", "b"), [(2.1, 4.8), (4.8, 2.1), (2.6, 4.6)])
def test_fit_finds_the_end_of_a_long_slow_tail(a: float, b: float) -> None:
    """A 3-s movement whose speed peaks early and dies away slowly (or the
    mirror image: a slow start), as a lift that decelerates gently into the
    top does: its true onset and offset within 0.15 s.  With beta(2.2, 4) as
    the most skewed template the slow end read 0.34 s short."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        t = np.arange(0.0, 9.0, 0.02)
        y = _beta_position((t - 2.0) / 3.0, a, b) + rng.normal(0, 0.01, len(t))
        fit = fit_transition(t, y)
        assert fit is not None
        assert fit.onset == pytest.approx(2.0, abs=0.15)
        assert fit.offset == pytest.approx(5.0, abs=0.15)


def _stop_part_way(u: np.ndarray, c: float, q: float) -> np.ndarray:
    """Normalised position of a movement in two minimum-jerk parts at one
    mean speed with a stop of ``q`` (fraction of its time) centred at ``c``."""
    u = np.clip(u, 0.0, 1.0)
    a1, a2 = c - q / 2.0, c + q / 2.0
    first = 10 * np.clip(u / a1, 0, 1) ** 3 - 15 * np.clip(u / a1, 0, 1) ** 4 + 6 * np.clip(u / a1, 0, 1) ** 5
    x = np.clip((u - a2) / (1.0 - a2), 0, 1)
    return a1 / (1.0 - q) * first + (1.0 - a2) / (1.0 - q) * (10 * x**3 - 15 * x**4 + 6 * x**5)


@pytest.mark.parametrize(("c", "q"), [(0.5, 0.1), (0.6, 0.05), (0.35, 0.15)])
def test_a_movement_that_stops_part_way_is_timed_from_its_two_parts(c: float, q: float) -> None:
    """A 3-s lift that stops part-way (two bells, not one bell with a dip):
    the reported reading -- the tilt's fit re-read by with_magnitude, here
    for a sensor that sees no translation -- finds its true onset and
    offset within 0.1 s.  With the hesitation templates alone it read
    0.8-1 s long at each end."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        t = np.arange(0.0, 9.0, 0.02)
        fit = fit_transition(t, _stop_part_way((t - 2.0) / 3.0, c, q) + rng.normal(0, 0.01, len(t)))
        assert fit is not None
        read = with_magnitude(fit, np.ones(len(t)))
        assert read.onset == pytest.approx(2.0, abs=0.1)
        assert read.offset == pytest.approx(5.0, abs=0.1)


@pytest.mark.parametrize(("c", "q"), [(0.45, 0.2), (0.5, 0.1)])
def test_a_lift_that_stops_part_way_reads_as_a_rise(c: float, q: float) -> None:
    """The acceleration magnitude of a 3-s lift that stops part-way -- the
    shank's rise, two bells of it -- reads as a rise (``rise_t`` positive
    and significant, chi-square gain over 9).  Read with one-bell templates
    only, a stop of 0.6 s at 45 % read as a fall (-3): in 5-2-5 sets of a
    second simulator such a rep was taken for a rest read from the reps'
    top, and four reps were read upside down."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        t = np.arange(0.0, 9.0, 0.02)
        y = _stop_part_way((t - 2.0) / 3.0, c, q)
        fit = fit_transition(t, y + rng.normal(0, 0.01, len(t)))
        assert fit is not None
        rise = np.gradient(np.gradient(y, t), t)
        mag = 1.0 + 0.004 * rise / np.abs(rise).max() + rng.normal(0, 0.0005, len(t))
        assert with_magnitude(fit, mag).rise_t > 3.0


def test_a_swaying_fit_does_not_read_sway_as_a_long_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Postural sway (0.3 Hz, 5 % of the range) on a minimum-jerk lift: the
    long-tailed templates would take the sway before or after the movement
    for its tail.  With them left out above TAIL_RMS_MAX the ends are found
    closer, on average over 30 draws, than with them always in."""
    import reptrack.segment.transitions as tr

    def mean_error() -> float:
        errs = []
        for seed in range(30):
            rng = np.random.default_rng(seed)
            t = np.arange(0.0, 9.0, 0.02)
            sway = 0.05 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 2 * np.pi))
            fit = fit_transition(t, shape_curve((t - 2.0) / 3.0, "beta(3,3)") + sway + rng.normal(0, 0.01, len(t)))
            assert fit is not None
            errs += [abs(fit.onset - 2.0), abs(fit.offset - 5.0)]
        return float(np.mean(errs))

    gated = mean_error()
    monkeypatch.setattr(tr, "TAIL_RMS_MAX", np.inf)
    assert gated < mean_error() - 0.03


@pytest.mark.parametrize("shape", ["beta(3,3)", "cosine", "trapezoid(0.2)"])
@pytest.mark.parametrize("duration", [2.0, 3.0, 4.5])
def test_fit_removes_the_lever_arm_tilt_artefact(shape: str, duration: float) -> None:
    """A shin sensor 0.25 m from the ankle reads the tilt as theta - (r/g)
    theta'' (tangential acceleration).  Uncorrected, a lift reads short at
    both ends; with the correction the true onset/offset come back (on a
    5 deg lift from a 20 deg rest, plus 0.02 deg noise)."""
    rng = np.random.default_rng(3)
    t = np.arange(0.0, duration + 3.0, 0.02)
    tau = (t - 1.0) / duration
    theta = 20.0 + 5.0 * shape_curve(tau, shape)
    accel = 5.0 * shape_accel(tau, shape) / duration**2  # deg/s^2
    r_over_g = LEVER_ARM_M / G_MPS2  # s^2 (the analyzer corrects 2/3 of it: see LEVER_S2)
    seen = theta - r_over_g * accel + rng.normal(0, 0.02, len(t))
    fixed = fit_rise(t, seen, 20.0, 25.0, lever_s2=r_over_g)
    plain = fit_rise(t, seen, 20.0, 25.0)
    assert fixed is not None and plain is not None
    assert fixed[0].onset == pytest.approx(1.0, abs=0.1)
    assert fixed[0].offset == pytest.approx(1.0 + duration, abs=0.1)
    assert plain[0].duration_s < fixed[0].duration_s


@pytest.mark.parametrize("shape", ["beta(3,3)", "cosine", "trapezoid(0.2)"])
@pytest.mark.parametrize("duration", [2.0, 3.0, 4.5])
def test_fit_takes_back_the_widening_of_its_own_low_pass(shape: str, duration: float) -> None:
    """The analyzer low-passes the tilt (two LP_S moving averages) before
    fitting, which rounds a movement's ends off: uncorrected, a raised-cosine
    lift reads ~0.15 s early at its onset and late at its top.  The
    smoothing term (``smoothing_s2``) brings both back within 0.03 s."""
    fs = 50.0
    t = np.arange(0.0, duration + 3.0, 1.0 / fs)
    n = int(LP_S * fs)
    seen = moving_average(moving_average(5.0 * shape_curve((t - 1.0) / duration, shape), n), n)
    fixed = fit_rise(t, seen, 0.0, 5.0, lever_s2=-smoothing_s2(fs, LP_S, LP_S))
    plain = fit_rise(t, seen, 0.0, 5.0)
    assert fixed is not None and plain is not None
    assert fixed[0].onset == pytest.approx(1.0, abs=0.03)
    assert fixed[0].offset == pytest.approx(1.0 + duration, abs=0.03)
    assert plain[0].duration_s > fixed[0].duration_s


def _analysed(scenario: str, seed: int, **overrides: object) -> tuple[SimResult, dict]:
    """A simulated session (``scenario`` at ``seed``, its config with
    ``overrides``) and ``analyze --json``'s document for it, under the
    truth's guidance."""
    res = simulate(replace(scenario_config(scenario, seed), **overrides), seed)
    return res, analyze_recording(res.recording, load_guidance(res.truth["guidance"]["name"])).to_json_dict()


def _acceptance_like(seed: int, sway: bool = True) -> tuple[SimResult, dict]:
    """:func:`_analysed` for acceptance-like ``seed``, with its standing
    sway or (``sway`` False) none."""
    return _analysed("acceptance-like", seed, **({} if sway else {"sway_deg": 0.0}))


def _assert_every_rep_read(sess: dict, truth: list[dict]) -> None:
    """Every true rep is read, and no false one."""
    assert len(_match(sess["reps"], truth)) == len(truth) == len(sess["reps"])


def _assert_read_with_exact_count(sess: dict, truth: list[dict], which: list[int]) -> None:
    """The true reps ``which`` (indices into ``truth``, at least one) are
    among those read, and the count is exact."""
    assert which
    assert set(which) <= {j for _, j in _match(sess["reps"], truth)}
    assert len(sess["reps"]) == len(truth)


def _assert_set_start_read(seed: int, sway: bool, kinds: set[str], lo: float, hi: float) -> None:
    """acceptance-like ``seed`` (with or without sway) has the distractors
    ``kinds``, and the two true reps starting in (``lo``, ``hi``) s are read,
    with the count exact."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    assert kinds <= {d["kind"] for d in res.truth["distractors"]}
    which = [j for j, r in enumerate(truth) if lo < r["start"] < hi]
    assert len(which) == 2
    _assert_read_with_exact_count(sess, truth, which)


def _fit_errors(amp_mg: float) -> tuple[float, float]:
    """Summed |onset error| + |offset error| (s) of 3-s movements of five
    shapes x 30 noise draws, read from a tilt with sway-like noise (10 % of
    the range, low-passed as the analyzer does), without and with a
    magnitude whose S'' part peaks at ``amp_mg`` (in 3 mg of noise)."""
    fs, dur = 50.0, 3.0
    n = int(LP_S * fs)
    t = np.arange(0.0, dur + 3.0, 1.0 / fs)
    tau = (t - 1.0) / dur
    plain = weighed = 0.0
    for shape in ("beta(4,2.2)", "beta(3,3)", "cosine", "trapezoid(0.2)", "hesitation(0.5)"):
        peak = float(np.abs(shape_accel(np.linspace(0.0, 1.0, 1001), shape)).max())
        for seed in range(30):
            rng = np.random.default_rng(seed)
            y = moving_average(moving_average(shape_curve(tau, shape) + rng.normal(0, 0.1, len(t)), n), n)
            mag = 1.0 + 1e-3 * (amp_mg * shape_accel(tau, shape) / peak + rng.normal(0, 3.0, len(t)))
            fit = fit_transition(t, y)
            assert fit is not None
            both = with_magnitude(fit, moving_average(moving_average(mag, n), n))
            plain += abs(fit.onset - 1.0) + abs(fit.offset - 1.0 - dur)
            weighed += abs(both.onset - 1.0) + abs(both.offset - 1.0 - dur)
    return plain, weighed


def test_the_rise_of_the_shank_in_the_magnitude_sharpens_the_ends() -> None:
    """A heel raise lifts the shank (and the lever arm turns its angular
    acceleration into a tangential one): the magnitude of the acceleration
    carries ``k theta''``, largest at the ends a noisy tilt cannot place.
    With a 4 mg peak the summed onset/offset error of the 150 movements
    drops by a third or more: measured 45.7 -> 28.4 s with the ends moved
    on tilt and magnitude together (31.5 s, a drop of 31 %, from the
    re-weighing of the tilt's templates alone).  With no such signal it
    stays within 10 % (measured +5 %)."""
    plain, weighed = _fit_errors(4.0)
    assert weighed <= 0.66 * plain, (plain, weighed)
    plain, weighed = _fit_errors(0.0)
    assert weighed <= 1.1 * plain, (plain, weighed)


def test_under_sway_the_magnitude_moves_the_ends_far_enough() -> None:
    """Postural sway (band-limited 0.1-0.6 Hz, 10 % of the range) bends the
    tilt, so its fits err by more than under white noise; the magnitude,
    which sway barely touches, must be allowed to move the ends that far.
    Candidates within +-0.6 s cut the summed onset/offset error of 150
    movements by 32 % (measured 129 -> 88 s); within +-0.3 s only by 20 %
    (103 s).  With no magnitude signal it stays within 5 %."""
    from scipy.signal import butter, sosfiltfilt

    fs, dur, t0 = 50.0, 3.0, 1.5
    n = int(LP_S * fs)
    t = np.arange(0.0, dur + 4.0, 1.0 / fs)
    tau = (t - t0) / dur
    sos = butter(2, [0.1, 0.6], "bandpass", fs=fs, output="sos")
    totals = {4.0: [0.0, 0.0], 0.0: [0.0, 0.0]}
    for shape in ("beta(4,2.2)", "beta(3,3)", "cosine", "trapezoid(0.2)", "hesitation(0.5)"):
        peak = float(np.abs(shape_accel(np.linspace(0.0, 1.0, 1001), shape)).max())
        for seed in range(30):
            rng = np.random.default_rng(seed)
            sway = sosfiltfilt(sos, rng.normal(0, 1, len(t) + 400))[200:-200]
            sway *= 0.1 / sway.std()
            y = moving_average(moving_average(shape_curve(tau, shape) + sway + rng.normal(0, 0.02, len(t)), n), n)
            fit = fit_transition(t, y)
            assert fit is not None
            for amp, tot in totals.items():
                mag = 1.0 + 1e-3 * (amp * shape_accel(tau, shape) / peak + rng.normal(0, 3.0, len(t)))
                both = with_magnitude(fit, moving_average(moving_average(mag, n), n))
                tot[0] += abs(fit.onset - t0) + abs(fit.offset - t0 - dur)
                tot[1] += abs(both.onset - t0) + abs(both.offset - t0 - dur)
    plain, weighed = totals[4.0]
    assert weighed <= 0.75 * plain, (plain, weighed)
    plain, weighed = totals[0.0]
    assert weighed <= 1.05 * plain, (plain, weighed)


def test_a_clean_step_with_a_noisy_magnitude_gives_finite_instants() -> None:
    """An instant step of the tilt (27 samples at 100 Hz) and a magnitude of
    pure noise: the tilt's residuals sit at their floor, and weights taken
    relative to the tilt's and the magnitude's best candidates separately
    all underflowed (0 / 0: NaN instants and a warning).  Relative to the
    best candidate on both together they stay finite, around the step."""
    t = np.arange(27) / 100.0
    y = np.r_[np.zeros(13), np.ones(14)]
    noise = [-0.896, -1.292, -0.114, -0.412, -1.077, -0.319, 0.868, 1.049, -0.199, -0.063, -0.9, -0.884, -1.037, -0.671]
    noise += [-0.941, 1.533, -0.62, 1.012, 0.8, 1.882, 1.056, 0.34, -0.653, 0.714, -1.151, 1.703, -0.934]
    mag = 1.0 + 1e-3 * np.array(noise)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_transition(t, y)
        assert fit is not None
        both = with_magnitude(fit, mag)
    assert np.isfinite([both.onset, both.offset, both.onset_sd, both.offset_sd]).all()
    assert both.onset < 0.13 < both.offset


def test_seated_sample_counts_every_rep_with_phase_times() -> None:
    """The README's sample: every rep found, phases close to the truth."""
    path = SAMPLE_DATA / "seated_3x15.csv"
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    sess = analyze_recording(read_recording(path)).to_json_dict()
    assert len(sess["reps"]) == len(truth["reps"]) == 45
    assert [s["reps"] for s in sess["sets"]] == [s["reps"] for s in truth["sets"]]
    pairs = _match(sess["reps"], truth["reps"])
    assert len(pairs) == 45
    for key in ("lift_s", "hold_s", "lower_s"):
        err = np.array([sess["reps"][i][key] - truth["reps"][j][key] for i, j in pairs])
        assert np.median(np.abs(err)) < 0.6, key
    rng = np.array([sess["reps"][i]["range_deg"] - truth["reps"][j]["range_deg"] for i, j in pairs])
    assert np.median(np.abs(rng)) < 0.3


@pytest.mark.parametrize("name", ["standing_fatigue.csv", "step_heel_drop.csv"])
def test_standing_and_step_samples_count_every_rep(name: str) -> None:
    """The other bundled samples: every rep found and matched.  On the step the
    heel drops below the step before each set and every rep passes through
    the old rest direction: the bottom must be re-learnt at the dropped heel,
    or a set reads inverted (the top taken for the bottom)."""
    path = SAMPLE_DATA / name
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    sess = analyze_recording(read_recording(path), load_guidance(truth["guidance"]["name"])).to_json_dict()
    assert len(sess["reps"]) == len(truth["reps"])
    assert len(_match(sess["reps"], truth["reps"])) == len(truth["reps"])
    assert [s["reps"] for s in sess["sets"]] == [s["reps"] for s in truth["sets"]]


@pytest.mark.parametrize("pause_s", [1.8, 4.0])
def test_a_lift_paused_half_way_up_is_one_rep(pause_s: float) -> None:
    """Six 10 deg reps at 3-1-3; the fourth lift stops half-way for 1.8-4 s
    and goes on.  That is one rep whose lift includes the pause (not a stance
    shift to re-fit from, which lost the rep as "no return to start level")."""
    fs, rng = 100.0, np.random.default_rng(1)
    u = np.linspace(0.0, 1.0, int(1.5 * fs))
    half = 10 * u**3 - 15 * u**4 + 6 * u**5
    full = np.interp(np.linspace(0.0, 1.0, int(3 * fs)), u, half)
    parts = [np.zeros(int(8 * fs))]
    for k in range(6):
        lift = [5.0 * half, np.full(int(pause_s * fs), 5.0), 5.0 + 5.0 * half] if k == 3 else [10.0 * full]
        parts += lift + [np.full(int(fs), 10.0), 10.0 * (1.0 - full), np.zeros(int(4 * fs))]
    th = np.deg2rad(np.concatenate(parts))
    n = len(th)
    acc = np.column_stack([np.sin(th), np.zeros(n), np.cos(th)]) + rng.normal(0.0, 0.003, (n, 3))
    sess = analyze_recording(Recording(t=np.arange(n) / fs, acc=acc))
    assert len(sess.reps) == 6 and len(sess.sets) == 1
    start = 8.0 + 3 * 11.0  # three 11 s reps (3 + 1 + 3 + 4 s rest) before it
    truth = [{"start": start, "end": start + 3.0 + pause_s + 1.0 + 3.0}]
    assert len(_match(sess.to_json_dict()["reps"][3:4], truth)) == 1


def test_a_set_started_soon_after_a_shift_of_the_foot_counts_right() -> None:
    """A slow 5-2-5 set whose first lift starts 7 s after the foot shifted
    (a 3.4 deg step): the new rest, learnt 10 s after the shift, used to be
    taken part-way up that slow lift, so every rest of the set then looked
    like a small rep (35 reps for 30).  The rest is now learnt from the
    start of the still window and the lift scanned for again."""
    res = simulate(scenario_config("slow-5-2-5", 5008), 5008)
    sess = analyze_recording(res.recording, load_guidance("5-2-5")).to_json_dict()
    truth = res.truth["reps"]
    assert len(sess["reps"]) == len(truth) == 30
    assert len(_match(sess["reps"], truth)) == 30


@pytest.mark.parametrize("seed", [3001, 3002, 3005, 25, 5000, 5009])
def test_heel_drop_sets_are_not_read_inverted(seed: int) -> None:
    """Sessions where the first rep after a heel drop passed the old rest
    direction quickly enough to look like a return (3001-3005), or slowed
    for a moment as it passed it (sway, wobble: 25, 5000, 5009): whole sets
    were inverted."""
    res, sess = _analysed("step-heel-drop", seed)
    truth = res.truth["reps"]
    pairs = _match(sess["reps"], truth)
    assert 2 * len(pairs) / (len(sess["reps"]) + len(truth)) >= 0.97


def test_bouncing_seated_reps_are_counted_and_flagged() -> None:
    """Seated raises tilt the shank only 1.5-3 deg, so a bouncing one is as
    small and quick as a fidget; going the way the set's reps go tells them
    apart.  Over 20 seated sessions at least 70 % of the fast reps are found
    and flagged lift_too_fast (half were taken for fidgets)."""
    fast = hit = 0
    for seed in range(1, 21):
        res, sess = _analysed("seated-3x15", seed)
        truth = res.truth["reps"]
        fast += sum(t["kind"] == "fast" for t in truth)
        hit += sum(
            truth[j]["kind"] == "fast" and "lift_too_fast" in sess["reps"][i]["flags"]
            for i, j in _match(sess["reps"], truth)
        )
    assert fast >= 15 and hit >= 0.7 * fast, (hit, fast)


@pytest.mark.parametrize(("scenario", "seed", "rep"), [("acceptance-like", 1021, 28), ("random", 5005, 3)])
def test_a_bounce_of_about_a_second_along_the_reps_is_a_rep(scenario: str, seed: int, rep: int) -> None:
    """A bouncing rep of 1.2-1.3 s up and down, going the way the set's reps
    go, is counted and flagged (it measured under the 1.25 s every rep must
    last, and was taken for a fidget)."""
    res, sess = _analysed(scenario, seed)
    truth = res.truth["reps"]
    assert truth[rep - 1]["kind"] == "fast"
    found = {j: i for i, j in _match(sess["reps"], truth)}
    assert rep - 1 in found
    assert {"lift_too_fast", "lower_too_fast"} <= set(sess["reps"][found[rep - 1]]["flags"])
    assert len(sess["reps"]) == len(truth)


@pytest.mark.parametrize(
    ("scenario", "seed", "rep"),
    [("acceptance-like", 2011, 21), ("random", 3006, 6), ("seated-3x15", 3006, 43), ("acceptance-like", 8012, 3)],
)
def test_a_quick_rep_with_a_short_top_is_a_rep(scenario: str, seed: int, rep: int) -> None:
    """A rep lifted in 0.5-0.6 s and held at the top for under 0.2 s, along
    the set's reps: the smoothed tilt shows no plateau, so its lower's fit
    starts part-way up the lift and the two fits overlap.  Where they meet is
    weighed by their sds (the lower's onset is extrapolated); at their plain
    mean the lift measured under 0.35 s and the rep was dropped as too quick
    (25, 200 and 52 Hz).  A skewed 0.59-s lift with no top at all (8012) is
    fitted at 0.34 s, its slow tail unseen: phases of 0.3 s count."""
    res, sess = _analysed(scenario, seed)
    truth = res.truth["reps"]
    assert truth[rep - 1]["kind"] == "fast" and truth[rep - 1]["lift_s"] < 0.65
    found = {j: i for i, j in _match(sess["reps"], truth)}
    assert rep - 1 in found
    assert {"lift_too_fast", "no_pause"} <= set(sess["reps"][found[rep - 1]]["flags"])
    assert len(sess["reps"]) == len(truth)


@pytest.mark.parametrize("seed", [25, 36])
def test_a_set_after_a_strap_slip_and_a_step_of_the_foot_is_read_from_its_rest(seed: int) -> None:
    """Seated sessions where, before the third set, the strap slipped and the
    foot shuffled (a fidget, a step): the movement settles at three or four
    levels before the set starts from the last one.  Every rep of the set is
    found (only the first level was tried, and the episode ran to its 30-s
    limit: the rest was re-learnt part-way through a rep and the set read
    upside down, 14-15 reps off)."""
    res, sess = _analysed("seated-3x15", seed)
    truth = res.truth["reps"]
    assert [d for d in res.truth["distractors"] if d["kind"] == "slip" and 330 < d["start"] < 390]
    found = {j for _, j in _match(sess["reps"], truth)}
    third = [j for j, t in enumerate(truth) if t["set"] == 3]
    assert len(third) == 15 and set(third) <= found
    pairs = _match(sess["reps"], truth)
    assert 2 * len(pairs) / (len(sess["reps"]) + len(truth)) >= 0.97


@pytest.mark.parametrize("sway_deg", [0.0, 0.03])
def test_a_set_after_a_strap_slip_that_settled_off_rest_is_read_from_there(sway_deg: float) -> None:
    """A seated session whose strap slipped 3 deg off the rest (and the foot
    fidgeted) before the third set: that movement is no rep, and it settled
    there, so that level is the rest.  All 43 reps are found (the old rest
    was kept: the next movement began at once and ran to the 30-s episode
    limit, and the set's first 4-6 reps were lost)."""
    res, sess = _analysed("acceptance-like", 6010, sway_deg=sway_deg)
    truth = res.truth["reps"]
    assert [d for d in res.truth["distractors"] if d["kind"] == "slip" and 310 < d["start"] < 330]
    _assert_every_rep_read(sess, truth)
    assert len(truth) == 43


def test_a_set_after_a_walk_then_steps_and_a_slip_is_read_from_its_new_rest() -> None:
    """A walk between sets (its movement abandoned, the rest re-learnt), then
    two steps of the foot and a strap slip before the third set: the last
    reps' motion axis survives the walk (the rest turned little), so the
    level the set starts from is found as its rest and all 27 reps are read
    (the axis was forgotten at every abandoned movement, and the set's 9 reps
    were lost or read upside down)."""
    res, sess = _analysed("acceptance-like", 6035, sway_deg=0.0)
    truth = res.truth["reps"]
    kinds = [d["kind"] for d in res.truth["distractors"] if 270 < d["start"] < 330]
    assert "walk" in kinds and "slip" in kinds and "fidget_step" in kinds
    _assert_every_rep_read(sess, truth)
    assert len(truth) == 27


@pytest.mark.parametrize(("scenario", "seed"), [("standing-fatigue", 5003), ("step-heel-drop", 5000)])
def test_a_fidget_of_about_a_second_is_not_a_rep(scenario: str, seed: int) -> None:
    """Fidgets of ~1 s and 3-4.5 deg between sets measure 1.1-1.4 s, as long
    as a bounce: they go another way than the reps, so they are not counted."""
    res, sess = _analysed(scenario, seed)
    fidgets = [d for d in res.truth["distractors"] if d["kind"] == "fidget"]
    assert fidgets
    for d in fidgets:
        assert not [r for r in sess["reps"] if r["start"] < d["end"] + 0.5 and r["end"] > d["start"] - 0.5], d


@pytest.mark.parametrize("seed", [15, 23, 30])
def test_a_set_after_a_step_to_a_new_posture_is_read_from_the_new_rest(seed: int) -> None:
    """Seated sessions where the foot moved to a new position 7-8 s before a
    set (the shank's rest tilt changes by 2.5-5 deg): the set's reps are
    found where they are (they were read against the old rest, half of
    them a phase off)."""
    res, sess = _analysed("seated-3x15", seed)
    truth = res.truth["reps"]
    pairs = _match(sess["reps"], truth)
    assert 2 * len(pairs) / (len(sess["reps"]) + len(truth)) >= 0.97


def test_small_seated_raises_at_a_slow_rate_are_counted_from_the_first_set() -> None:
    """Seated raises of ~1.5 deg sampled at 25 Hz: sensor noise alone reads
    0.1-0.16 deg at rest, so the first-rep noise gate (12x, set for standing
    sway) would reject every rep of the first set and leave no reference; a
    first rep whose two transitions fit cleanly is a rep."""
    res, sess = _analysed("slow-5-2-5", 5000)
    truth = res.truth["reps"]
    pairs = _match(sess["reps"], truth)
    # (23 of 30 matched, F1 0.82; with the noise gate alone 17, F1 0.72)
    assert len(pairs) >= 0.75 * len(truth)
    assert 2 * len(pairs) / (len(sess["reps"]) + len(truth)) >= 0.8


@pytest.mark.parametrize("freq_hz", [1.2, 2.0, 2.8])
def test_slow_shaking_reads_as_its_angular_velocity(freq_hz: float) -> None:
    """A 0.1 deg shake of the shank at 1-3 Hz reaches the tilt as gravity plus
    tangential acceleration, theta (1 + r w^2 / g): the slow wobble measure
    gives back its RMS angular velocity (deg/s) within 5 %."""
    fs = 50.0
    t = np.arange(0.0, 6.0, 1.0 / fs)
    w = 2.0 * np.pi * freq_hz
    theta = 0.1 * np.sin(w * t)
    seen = theta * (1.0 + LEVER_ARM_M * w * w / G_MPS2)
    assert np.sqrt(slow_shake_power(slow_shake_spectrum(seen, fs))) == pytest.approx(0.1 * w / np.sqrt(2.0), rel=0.05)


def test_tremor_reads_as_its_angular_velocity_at_the_reference_frequency() -> None:
    """Tangential shaking of a sensor LEVER_ARM_M from the joint at
    TREMOR_REF_HZ reads as its RMS angular velocity (deg/s; within the
    high-pass's gain there, 1.07); in 3 mg of
    sensor noise, removed with a rest's floor, larger shaking reads larger."""
    fs = 50.0
    t = np.arange(0.0, 8.0, 1.0 / fs)
    w = 2.0 * np.pi * TREMOR_REF_HZ
    rng = np.random.default_rng(0)

    def shaken(rate_dps: float, noise_g: float) -> np.ndarray:
        theta = np.radians(rate_dps) * np.sqrt(2.0) / w * np.sin(w * t)  # RMS angular velocity rate_dps
        acc = np.zeros((len(t), 3))
        acc[:, 2] = 1.0
        acc[:, 0] = LEVER_ARM_M * w * w * theta / G_MPS2  # tangential acceleration, g
        return acc + rng.normal(scale=noise_g, size=acc.shape)

    assert wobble(shaken(1.0, 0.0), fs) == pytest.approx(1.0, rel=0.1)
    floor = shake_power(shaken(0.0, 0.003), fs)
    reads = [wobble(shaken(r, 0.003), fs, floor) for r in (0.5, 1.0, 2.0)]
    assert reads == sorted(reads) and reads[1] == pytest.approx(1.0, rel=0.25)


def test_a_wobbly_reps_tail_does_not_silence_the_wobble_of_the_next_reps() -> None:
    """The noise floor is the quietest rest so far: a rest window that caught
    the shaking end of a wobbly rep (step-heel-drop 5, rep 5) once set the
    floor above the next eight reps' wobble -- they read 0, the reference
    became 0, and most of the next two sets were flagged wobbly."""
    res, sess = _analysed("step-heel-drop", 5)
    reps = sess["reps"]
    assert min(r["wobble"] for r in reps) > 0.1
    truth = res.truth["reps"]
    false = [i for i, j in _match(reps, truth) if "wobble" in reps[i]["flags"] and "wobble" not in truth[j]["flags"]]
    assert len(false) <= 1, false


def test_reps_that_lose_control_slowly_are_flagged_wobbly() -> None:
    """Six acceptance-like sessions whose reps' wobble is 90 % slow (1-3 Hz)
    corrections rather than tremor: most truly wobbly reps are flagged, and
    few steady ones (tremor alone found 7 of 21)."""
    tp = fp = fn = 0
    for seed in range(1009, 1015):
        res, sess = _analysed("acceptance-like", seed, tremor_share=(0.1, 0.1))
        for i, j in _match(sess["reps"], res.truth["reps"]):
            flagged = "wobble" in sess["reps"][i]["flags"]
            wobbly = "wobble" in res.truth["reps"][j]["flags"]
            tp, fp, fn = tp + (flagged and wobbly), fp + (flagged and not wobbly), fn + (wobbly and not flagged)
    assert tp >= 0.8 * (tp + fn), (tp, fn)
    assert fp <= 0.2 * (tp + fp), (tp, fp)


def test_phase_uncertainty_covers_the_true_durations() -> None:
    """Each rep's lift/pause/lower carries a standard deviation: on simulated
    sessions with sway and without (not the sessions it was calibrated on)
    about 95 % of the true durations lie within 2 sd, and the sd stays a
    useful size (not blown up to cover everything)."""
    z, sds = [], []
    for seed, sway in ((2000, 1.0), (2001, 1.0), (2002, 0.0)):
        cfg = scenario_config("acceptance-like", seed)
        res = simulate(replace(cfg, sway_deg=cfg.sway_deg * sway), seed)
        sess = analyze_recording(res.recording, load_guidance(res.truth["guidance"]["name"])).to_json_dict()
        truth = res.truth["reps"]
        for i, j in _match(sess["reps"], truth):
            p = sess["reps"][i]
            for k in ("lift", "hold", "lower"):
                sds.append(p[f"{k}_sd_s"])
                z.append(abs(p[f"{k}_s"] - truth[j][f"{k}_s"]) / p[f"{k}_sd_s"])
            g = load_guidance(res.truth["guidance"]["name"])
            for f, v, sd, lo in (("lift_too_fast", p["lift_s"], p["lift_sd_s"], g.lift_min_s),
                                 ("no_pause", p["hold_s"], p["hold_sd_s"], g.hold_min_s)):
                assert (f in p["uncertain_flags"]) == (abs(v - lo) < sd)
    z = np.array(z)
    assert len(z) > 150
    assert 0.88 <= np.mean(z <= 2.0) <= 0.99
    assert np.median(sds) < 0.8


@pytest.mark.parametrize("seed", [11, 12])
def test_rest_only_session_has_few_or_no_reps(seed: int) -> None:
    """Sitting/standing still with fidgets is not exercise."""
    res = simulate(scenario_config("rest-only", seed), seed)
    sess = analyze_recording(res.recording)
    assert len(sess.reps) <= 3


@pytest.mark.parametrize("scenario", ["seated-3x15", "slow-5-2-5"])
def test_simulated_sessions_rep_count(scenario: str) -> None:
    seed = 21
    res, sess = _analysed(scenario, seed)
    truth = res.truth["reps"]
    pairs = _match(sess["reps"], truth)
    f1 = 2 * len(pairs) / (len(sess["reps"]) + len(truth))
    assert f1 >= 0.95


def test_any_mounting_gives_the_same_reps() -> None:
    """Orientation-free: rotating the sensor axes changes nothing."""
    res = simulate(scenario_config("seated-3x15", 3), 3)
    rec = res.recording
    a = analyze_recording(rec)
    theta = 1.1
    rot = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    rec2 = type(rec)(t=rec.t, acc=rec.acc @ rot.T, nominal_rate_hz=rec.nominal_rate_hz)
    b = analyze_recording(rec2)
    assert len(a.reps) == len(b.reps)
    assert max(abs(x.start - y.start) for x, y in zip(a.reps, b.reps)) < 0.05


def test_streaming_in_chunks_gives_the_same_reps_as_whole_file() -> None:
    """One implementation: pushing the stream in random chunks reproduces
    analyze, and reps are reported within 0.6 s of stream time after their end
    (all but the odd rep whose bottom drifts; see docs/analysis.md)."""
    res = simulate(scenario_config("mixed", 5), 5)
    rec = res.recording
    whole = analyze_recording(rec)
    sa = StreamAnalyzer(load_guidance(), rec.nominal_rate_hz)
    rng = np.random.default_rng(1)
    i = 0
    while i < len(rec.t):
        n = int(rng.integers(1, 60))
        sa.push(rec.t[i : i + n], rec.acc[i : i + n])
        i += n
    sa.finish()
    assert len(sa.reps) == len(whole.reps)
    for x, y in zip(sa.reps, whole.reps):
        for k in ("start", "top", "lower_start", "end"):
            assert getattr(x, k) == pytest.approx(getattr(y, k), abs=0.1)
        assert x.flags == y.flags
    lat = np.array([r.reported_at - r.end for r in sa.reps])
    assert np.mean(lat <= 0.6) >= 0.95  # measured 99 % over the benchmark grid
    assert lat.max() <= 10.0


@pytest.mark.parametrize("name", ["A-rest-sitting", "A-rest-standing"])
def test_real_metabase_rest_recordings_have_no_reps(name: str) -> None:
    d = SHARED / "realdata" / "metabase"
    if not d.is_dir():
        pytest.skip(f"real recordings not found at {d}")
    path = next(d.glob(f"{name}*Accelerometer*.csv"))
    assert analyze_recording(read_recording(path)).reps == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=60))
def test_median1d_is_the_median(values: list[float]) -> None:
    """The segmenter's fast median gives exactly numpy's median."""
    x = np.array(values)
    assert median1d(x) == float(np.median(x))


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(3, 300),
    rate=st.sampled_from([12.5, 25.0, 50.0, 100.0]),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["noise", "ramp", "step", "clean ramp", "flat"]),
    mag_sd=st.sampled_from([0.0, 1e-4, 1e-3, 1e-2]),
)
def test_fits_of_any_window_are_finite_or_none(n: int, rate: float, seed: int, kind: str, mag_sd: float) -> None:
    """Whatever a window holds -- noise, a ramp, an instant step, a flat line
    -- the transition fit and its magnitude re-reading give finite instants
    and sds, or no fit; never a NaN in the JSON, never a numpy warning."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate + rng.uniform(0.0, 3000.0)
    u = (t - t[0]) / max(float(t[-1] - t[0]), 1e-3)
    y = {
        "noise": rng.normal(0.5, 0.5, n),
        "ramp": np.clip(u * rng.uniform(0.5, 3.0) - rng.uniform(0.0, 1.0), 0.0, 1.0) + rng.normal(0.0, 0.1, n),
        "step": (np.arange(n) >= n // 2).astype(float),
        "clean ramp": np.clip(u * rng.uniform(0.5, 3.0) - rng.uniform(0.0, 1.0), 0.0, 1.0),
        "flat": np.full(n, rng.uniform(-1.0, 2.0)),
    }[kind]
    mag = 1.0 + mag_sd * rng.normal(0.0, 1.0, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_transition(t, y)
        if fit is None:
            return
        both = with_magnitude(fit, mag)
    for f in (fit, both):
        assert np.isfinite([f.onset, f.offset, f.onset_sd, f.offset_sd]).all()
        assert f.offset > f.onset


def test_rests_read_from_a_baseline_part_way_up_are_not_reps() -> None:
    """Seated, two steps of the foot before the second set leave the baseline
    part-way up the reps' range: each rest between two reps then reads as an
    out-and-back the other way.  Those go against the set's reps and are not
    counted (they were: 52 reps for 45)."""
    res, sess = _analysed("seated-3x15", 7003)
    truth = res.truth["reps"]
    pairs = _match(sess["reps"], truth)
    assert len(sess["reps"]) <= len(truth) == 45
    assert 2 * len(pairs) / (len(sess["reps"]) + len(truth)) >= 0.97


def test_a_set_after_a_small_then_a_larger_step_of_the_foot_is_read_from_its_rest() -> None:
    """Seated 1.5-deg raises; before the second set the foot shifts a little
    (0.6 deg, nearer rest than half a rep: no new rest) and then by 2.3 deg.
    The second level is tried too, and the set's first two reps are found
    (the search stopped at the first, small shift)."""
    res, sess = _analysed("seated-3x15", 7004)
    truth = res.truth["reps"]
    found = {j for _, j in _match(sess["reps"], truth)}
    first_two = [j for j, t in enumerate(truth) if t["set"] == 2 and t["index_in_set"] <= 2]
    assert len(first_two) == 2 and set(first_two) <= found


def test_a_set_after_a_restrap_a_walk_and_a_step_of_the_foot_is_read_from_its_rest() -> None:
    """A re-strap turns the sensor, so the reps' motion axis is forgotten; a
    walk and a step of the foot follow before the second set.  With no axis,
    the level the set starts from is still taken as its rest once it was held
    like a rest and a movement went out and back from it for as long as a
    rep lasts: all 27 reps are read (13 were lost, the set read upside down)."""
    res, sess = _analysed("acceptance-like", 8006, sway_deg=0.0)
    truth = res.truth["reps"]
    kinds = [d["kind"] for d in res.truth["distractors"] if 130 < d["start"] < 175]
    assert "restrap" in kinds and "walk" in kinds and "fidget_step" in kinds
    _assert_every_rep_read(sess, truth)
    assert len(truth) == 27


@pytest.mark.parametrize("seed", [9022, 10010])
def test_a_set_after_a_restrap_and_a_step_that_sways_is_read_from_the_new_level(seed: int) -> None:
    """A re-strap, then a quick step of the foot; standing sway then moves
    the new level by more than the onset threshold, so the level reads as
    left at once -- like a rep's top left by its lower.  But the move from it
    goes farther out from the old rest by more than a partial rep, after the
    level was held over 2 s: the level is the set's new rest (the set was
    read from the old one: a rep lost in 9022, five in 10010).  A lift that
    hesitates part-way up then goes on within 2 s keeps its rep."""
    res, sess = _analysed("acceptance-like", seed)
    truth = res.truth["reps"]
    assert "restrap" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_a_hold_that_sways_into_a_hump_is_not_read_as_no_pause() -> None:
    """Standing sway lifts a ~1-s hold into a hump: the lift, fitted up to the
    hump's level, ran on into it and the lower, fitted down from it, started
    inside it; the fits met and the hold read 0 (8 false no_pause flags in
    these three sessions).  A fit's instant past the middle of the top
    plateau -- its window's end -- is held there: 2 remain, and the true
    no_pause reps are still flagged (at least two of the three: the third,
    a 0.15-s hold read 0.28-0.39 s with an sd of 0.33 s depending on where
    the rest before its set was learnt, sits at the flag's margin)."""
    false_flags = true_flags = n_true = 0
    for seed in (9002, 9018, 9035):
        res, sess = _analysed("acceptance-like", seed)
        truth = res.truth["reps"]
        for i, j in _match(sess["reps"], truth):
            said, so = "no_pause" in sess["reps"][i]["flags"], "no_pause" in truth[j]["flags"]
            false_flags += said and not so
            true_flags += said and so
        n_true += sum("no_pause" in t["flags"] for t in truth)
    assert false_flags <= 2
    assert n_true == 3 and true_flags >= 2


@pytest.mark.parametrize("seed", [11017, 11027])
def test_a_partial_rep_just_over_a_quarter_of_the_range_is_counted(seed: int) -> None:
    """A partial rep of 26 % of the set's range, no sway: its range reads a
    few percent low (24-25 %), below the 25 % minimum, and the rep was lost.
    Well clear of the rest's noise it needs only 22 %: every rep is read."""
    res, sess = _analysed("acceptance-like", seed, sway_deg=0.0)
    truth = res.truth["reps"]
    small = [j for j, t in enumerate(truth) if t["kind"] == "partial" and t["range_rel"] < 0.27]
    _assert_read_with_exact_count(sess, truth, small)


@pytest.mark.parametrize("seed", [1013, 1015])
def test_standing_sway_excursions_are_not_partial_reps(seed: int) -> None:
    """The other side of the 22 % allowance: in standing sway (resting
    deviation ~0.15 deg) an excursion of 22-25 % of the range is no rep --
    below 12x the resting deviation the minimum stays 25 % (at 8x, or with
    22 % everywhere, these sessions each read a false partial rep)."""
    res, sess = _analysed("acceptance-like", seed)
    assert res.truth["config"]["posture"] == "standing"
    assert len(sess["reps"]) == len(res.truth["reps"])


@pytest.mark.parametrize(("scenario", "seed"), [("acceptance-like", 11031), ("seated-3x15", 7003)])
def test_a_change_of_posture_held_for_long_becomes_the_rest(scenario: str, seed: int) -> None:
    """A quick shift of the foot, then the new stance held before the set:
    no rep (a change of posture), but its level is the new rest.  Kept, the
    old rest started every later movement at once, each rest between reps
    read as a movement the other way, and a partial rep among them was lost."""
    res, sess = _analysed(scenario, seed, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_the_first_lift_after_a_restrap_that_hesitates_keeps_its_rep() -> None:
    """The other side of the rule above: the set's first lift after a
    re-strap pauses part-way up (a hesitation) and goes on farther out --
    within 2 s, so that level is no new rest and the rep is read (without
    the 2-s hold it was lost)."""
    res, sess = _analysed("acceptance-like", 1015)
    truth = res.truth["reps"]
    first = [j for j, t in enumerate(truth) if t["set"] == 2 and t["index_in_set"] == 1]
    assert first and truth[first[0]]["profile_lift"] == "hesitation"
    _assert_read_with_exact_count(sess, truth, first)


def test_a_lower_that_pauses_part_way_down_is_waited_for() -> None:
    """A 7-deg rep whose lower pauses part-way down (a hesitation): the
    movement first looks settled more than half its range above where it
    started -- no rep as it stands.  Waited for, the lower resumes and the rep
    is read whole (it was rejected at once and lost, and the rest of the lower
    read as a movement of its own)."""
    res, sess = _analysed("random", 7006)
    truth = res.truth["reps"]
    paused = [j for j, t in enumerate(truth) if t["set"] == 3 and t["index_in_set"] == 3]
    assert paused and truth[paused[0]]["profile_lower"] == "hesitation"
    assert set(paused) <= {j for _, j in _match(sess["reps"], truth)}
    assert len(sess["reps"]) == len(truth) == 19


def test_fidgets_are_not_reps_when_the_sensor_sees_no_lever_arm() -> None:
    """A sensor that turns without tangential acceleration (no lever arm, as a
    simulator that only rotates gravity would make it): the fits' lever
    correction then widens a quick movement instead of cancelling an
    artefact, and two fidgets of ~0.9 s measured 1.4 s -- long enough for a
    rep.  They are not counted; every rep is."""
    res, sess = _analysed("acceptance-like", 6054, sway_deg=0.0, lever_arm_m=(0.0, 1e-9))
    truth = res.truth["reps"]
    assert any(d["kind"] == "fidget" for d in res.truth["distractors"])
    _assert_every_rep_read(sess, truth)
    assert len(truth) == 30


@pytest.mark.parametrize("seed", [12013, 12028, 10030])
def test_a_shaking_lower_that_pauses_part_way_keeps_its_rep(seed: int) -> None:
    """A rep where control is lost (3.5-4.6x the athlete's own wobble): its
    lower pauses part-way down and the shake lifts the tilt by ~0.4 deg
    there.  More than 0.5 s after the return that rise read as the next
    movement: the window was cut with the lower 40 % of the range up, the
    rep rejected as never back to its start, and the rest of the lower (and
    at 12028 the partial rep after it) lost.  Now a cut that leaves the lower
    part-way down needs a rise as big as a movement's, held for 0.3 s (at
    10030 the shake swings the tilt by a third of the range for 0.15 s)."""
    res, sess = _analysed("acceptance-like", seed, sway_deg=0.0)
    truth = res.truth["reps"]
    shaking = [j for j, t in enumerate(truth) if t["wobble_rel"] > 3.0 and t["kind"] == "full"]
    _assert_read_with_exact_count(sess, truth, shaking)


@pytest.mark.parametrize("seed", [11015, 12023])
def test_the_first_rep_after_a_walk_whose_end_was_not_waited_for_is_read(seed: int) -> None:
    """A walk ends and its last swing is measured without waiting for its
    end (MAX_SETTLE_WAIT_S): that path did not mark the walk as one, so the
    stance after it was never learnt as the rest, the next set's first rep
    lay inside one 13-s movement that never returned, and it was lost.  The
    walk now leaves the next movement to re-learn the rest quickly, from a
    stance held from that movement's start (not from a rep's top: the set's
    first rep may be under way already)."""
    res, sess = _analysed("acceptance-like", seed, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_a_set_under_way_when_a_walk_is_given_up_on_keeps_its_rest() -> None:
    """The other side of the rule above: here the set's first rep began
    just before the walk's end was given up on.  A fast re-learning of the
    rest from any still window took that rep's top (held 1.4 s) as the rest
    and the whole set read inverted; only a stance held from the movement's
    start is a rest."""
    res, sess = _analysed("acceptance-like", 2009, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_a_step_of_the_foot_before_a_set_becomes_the_rest_through_its_reps() -> None:
    """After a walk the new stance is learnt as the rest; then a 3-deg step
    of the foot -- under half the set's range, so no new rest by itself --
    and the set.  Its reps start and end at the stepped level: that level
    is the rest.  Kept, the old rest started every movement at once, the
    reps' boundaries slid and a partial rep was lost."""
    res, sess = _analysed("acceptance-like", 6011, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize(("seed", "sway"), [(12031, True), (9016, True), (12004, False)])
def test_a_partial_rep_just_over_a_quarter_at_the_set_tempo_is_counted(seed: int, sway: bool) -> None:
    """Partial reps of 25-28 % of the range, in standing sway (or at 0.9 deg,
    under 12x the resting deviation): their range reads a little low (23-25
    %), below the 25 % minimum, and the noise gate kept the 22 % allowance
    from them.  They keep the set's tempo -- lift, pause and lower each at
    least the guidance's minimum -- which sway's excursions do not: counted."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    small = [j for j, t in enumerate(truth) if t["kind"] == "partial" and t["range_rel"] < 0.3]
    _assert_read_with_exact_count(sess, truth, small)


def test_a_rising_short_tail_is_not_the_level_a_rep_returned_to() -> None:
    """A rep that lost control, at 25 Hz with 1 % of packets lost: a bridged
    gap just after its lower lifts the last 3 samples of its window by 2
    deg.  Their median was the level after the rep, half its range above
    where it started, and the rep was rejected as never back to its start.
    A tail that short, rising well off the lowest point, is not the level."""
    res, sess = _analysed("acceptance-like", 12001, sway_deg=0.0)
    truth = res.truth["reps"]
    shaking = [j for j, t in enumerate(truth) if t["wobble_rel"] > 3.0 and t["kind"] == "full"]
    _assert_read_with_exact_count(sess, truth, shaking)


def test_a_rest_relearnt_after_a_walk_is_not_relearnt_at_the_next_reps_top() -> None:
    """After a walk the stance sits 2.5 deg off the old rest; the first
    movement settles there, and a still window of that stance re-learns the
    rest before the set's first rep.  The quick re-learning after a walk (a
    2-s still window) still applied to that rep, took its top as the rest,
    and the whole set read upside down (11 reps missed, 10 false).  Once a
    still window has re-learnt the rest, the next movement starts from it."""
    res, sess = _analysed("acceptance-like", 13026, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    after_walk = [j for j, t in enumerate(truth) if t["set"] == 2]
    _assert_read_with_exact_count(sess, truth, after_walk)


def test_two_steps_of_the_foot_read_as_a_quick_rep_do_not_set_the_sets_direction() -> None:
    """After a walk, two steps of the foot (3.4 and 4.1 deg, in different
    directions) read as one quick rep.  Its direction then rejected the
    set's first real rep as "opposite to the set's reps", and the rest was
    re-learnt part-way up: 8 reps missed.  A set's first "rep" that is quick
    both ways and goes another way than the earlier reps is a shift of stance,
    not a rep, so it sets no direction."""
    res, sess = _analysed("acceptance-like", 13002)
    truth = res.truth["reps"]
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    third = {j for j, t in enumerate(truth) if t["set"] == 3}
    assert len(third) == 8
    assert third <= {j for _, j in _match(sess["reps"], truth)}


@pytest.mark.parametrize(("seed", "sway"), [(9005, False), (10013, True), (13002, True)])
def test_a_set_does_not_open_with_a_quick_out_and_back_off_the_reps_way(seed: int, sway: bool) -> None:
    """After a walk or a strap slip, steps of the foot make a quick
    out-and-back (lift and lower each under 2 s) that opens the next set and
    goes another way than the earlier reps: a shift of stance, not a rep,
    as already for the session's first movement."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_a_quick_reps_start_tipping_the_tilt_back_is_no_heel_drop() -> None:
    """A lift that hesitates (0.5 s at 2.8 deg on its way to 7.3) looks
    like a new bottom the movement settled at; the start of a quick rep
    after it tips the tilt the other way for a moment (its tangential
    acceleration: to -1.2 deg and back within 0.4 s).  That was read as
    swinging through the rest direction from a dropped heel, the rest was
    re-learnt at the hesitation and the set read upside down."""
    res, sess = _analysed("acceptance-like", 14000, sway_deg=0.0)
    truth = res.truth["reps"]
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize(("scenario", "seed"), [("step-heel-drop", 5), ("acceptance-like", 17003)])
def test_a_swing_through_the_rest_that_stays_just_past_it_is_a_crossing(scenario: str, seed: int) -> None:
    """The other side of the rule above: a heel raised from a drop below the
    step (after a step of the foot), and a rep from the level a strap slip
    left, swing through the old rest direction to just past the crossing
    threshold (-1.6 to -1.9 deg against 1.7-1.85) and stay there for over a
    second.  Requiring the threshold itself to hold 0.2 s lost both sets
    (read upside down); holding past 0.3 of the plateau level keeps them."""
    res, sess = _analysed(scenario, seed)
    truth = res.truth["reps"]
    _assert_every_rep_read(sess, truth)


def test_a_stance_held_before_the_next_movement_after_a_walk_is_the_rest() -> None:
    """A walk's last swing settles 1.0-1.35 deg off the old rest and is held
    there for 3 s until the set's first rep cuts its window.  Left to that
    rep's movement (whose window starts after the stance), the quick
    re-learning after a walk took the rep's top as the rest and the set read
    upside down (8 missed, 6 false).  The stance held still before the cut
    is the rest."""
    res, sess = _analysed("acceptance-like", 15029)
    truth = res.truth["reps"]
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_a_reps_top_after_a_walk_is_not_a_new_bottom() -> None:
    """After a walk the rest is re-learnt, then a step of the foot moves the
    stance 1.4 deg against the way the reps go.  The set's first rep lifts
    from there through the old rest to its top and comes back past it: its
    top, held, looked like a level settled at, and its lower like a swing
    through the rest from a dropped heel -- the rest was re-learnt at the
    top and the set read upside down (7 missed, 6 false).  The reps' axis
    kept through the walk says that level is where the reps go."""
    res, sess = _analysed("acceptance-like", 16012)
    truth = res.truth["reps"]
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize("sway", [False, True])
def test_a_re_strap_that_loops_out_and_back_is_not_a_rep(sway: bool) -> None:
    """A re-strap's second leg took the sensor's view of gravity out 23 deg
    and back along a loop, not along one great circle as a heel raise does:
    it was read as a rep.  Its path strayed 17 deg sideways of the plane of
    the rest and the peak; a heel raise's strays a few degrees at most."""
    res, sess = _acceptance_like(20009, sway)
    truth = res.truth["reps"]
    assert "restrap" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize("sway", [False, True])
def test_a_step_of_the_foot_held_before_a_set_is_its_rest(sway: bool) -> None:
    """A 2.1-deg step of the foot, held 7 s, then the set's first rep (4.9
    deg) from the new stance.  The step lies along the reps' way and nearer
    the old rest than half the reference range, and the rep's lower passes
    the old rest's return about 1 s before it is back at the stance: the
    step and the rep read as one movement and the rep was lost.  A level
    held longer than a pause is a rest, and the rep from it is looked for
    past the old rest's return.  With sway, the stance's sway crossed the
    onset threshold at once: the level is held until the out-and-back to
    the rep's peak leaves it."""
    res, sess = _acceptance_like(21000, sway)
    truth = res.truth["reps"]
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize("seed", [15032, 23005])
def test_a_rep_from_a_level_the_movement_settled_at_makes_it_the_rest(seed: int) -> None:
    """A movement leaves the rest, settles 0.8-0.9 deg away (2.3-2.7 onset
    thresholds: the session's opening stance, a step of the foot held 7 s)
    and a rep comes from there.  The rest kept started every later movement
    at once: 15032's first set read upside down (8 reps lost to as many
    false ones), 23005's partial rep after the set's first was lost.  Both
    with standing sway.  (15032 is checked up to its last set: there, since
    the long-tailed templates -- transitions.SKEWED_PAIRS -- a 1.3-deg sway
    excursion right after a rep reads as a slow partial rep, not a fidget.)"""
    res, sess = _analysed("acceptance-like", seed)
    truth = res.truth["reps"]
    if seed == 15032:
        last = res.truth["sets"][-1]["start"]
        truth = [t for t in truth if t["end"] < last]
        sess = {"reps": [r for r in sess["reps"] if r["end"] < last]}
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize(("seed", "sway"), [(16027, False), (14021, True), (14030, False), (6012, True)])
def test_a_partial_rep_whose_shaking_phase_reads_quick_is_a_rep(seed: int, sway: bool) -> None:
    """A partial rep of 1.2-1.5 deg (0.29-0.36 of the athlete's range) that
    lost control: its lift (16027) shook, and the fit read that phase under
    a second -- under MIN_PHASE_S in 14021 and 14030, and in 6012 its lift,
    which was judged before the lower was fitted.  Small and quick read as
    a fidget -- but its other phase took 2.6 s or more, as no fidget's
    does, and it went the reps' way.  (13029 with sway, a 1.7-deg partial
    rep whose lower a 4-s data gap cut, was read so too until the 2-s
    HESITATION_WAIT_S, which gained seven sessions elsewhere, lost it.)"""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    assert any("partial" in r["flags"] for r in truth)
    _assert_every_rep_read(sess, truth)


@pytest.mark.parametrize("sway", [False, True])
def test_a_quick_step_held_before_a_slow_set_is_no_rep(sway: bool) -> None:
    """After a walk, a 4.3-deg step of the foot against the reps' way, held
    6 s before a 5-2-5 set: read as a rep's 0.3-s lift and 6-s hold (a 5-2-5
    pause allows 7 s before a held shift is a change of posture), with the
    set's first lift as its lower; the rest was then learnt at the rep's
    top and the set read upside down (10 missed, 10 false)."""
    res, sess = _acceptance_like(23012, sway)
    assert res.truth["guidance"]["name"] == "5-2-5"
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, res.truth["reps"])


@pytest.mark.parametrize(("seed", "sway"), [(24005, False), (20013, False), (23019, True)])
def test_a_set_read_from_a_rest_at_the_reps_top_turns_the_right_way_up(seed: int, sway: bool) -> None:
    """A rest learnt at the top of a set's first rep -- a re-strap, a fidget
    and the rep's lift read as one movement settled there (24005); the last
    turn of a re-strap (20013); the quick re-learning after a walk (23019)
    -- read each rest between reps as a rep and lost 8-11 reps to as many
    false ones.  The acceleration magnitude says such a "rep" went down and
    then up: its held level is the rest, and the set reads the right way up
    from the next rep on (the rep it straddles is lost)."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    matched = _match(sess["reps"], truth)
    assert len(matched) == len(sess["reps"]), "no false reps"
    assert len(matched) >= len(truth) - 1


def test_a_lower_paused_near_the_bottom_is_read_to_its_true_end() -> None:
    """A slow lower that pauses 12 % of its range above the bottom, where a
    wobble lifts the tilt by 0.4 deg: that rise cut the window (below a
    fifth of the peak a rise of one onset threshold starts the next
    movement after the first 0.5 s), and the lower read as ending at the
    pause, 1.1 s early.  A rep whose lower ended above its start level needs
    the higher, lasting rise to be cut, as a rejected part-way lower does."""
    res, sess = _analysed("acceptance-like", 9034, sway_deg=0.0)
    truth = res.truth["reps"]
    assert truth[1]["profile_lower"] == "hesitation"
    pairs = dict((j, i) for i, j in _match(sess["reps"], truth))
    assert len(pairs) == len(truth) == len(sess["reps"])
    assert sess["reps"][pairs[1]]["end"] == pytest.approx(truth[1]["end"], abs=0.3)


@pytest.mark.parametrize("sway", [False, True])
def test_the_set_after_a_re_strap_read_as_a_loop_off_the_reps_plane_is_read(sway: bool) -> None:
    """A re-strap whose loop seemed to return 1.6 s before it ended was
    rejected as "a loop off the rep's plane", and the rest stayed where the
    loop paused: the rest of the re-strap and the next set's first three reps
    read as one 20-s movement, and those reps were lost.  Such a loop is a
    wild movement: what follows re-learns the rest quickly.  Every true rep
    is read (with sway one false rep remains)."""
    res, sess = _acceptance_like(33000, sway)
    assert "restrap" in [d["kind"] for d in res.truth["distractors"]]
    truth = res.truth["reps"]
    assert len(_match(sess["reps"], truth)) == len(truth)
    if not sway:
        assert len(sess["reps"]) == len(truth)


@pytest.mark.parametrize("sway", [False, True])
def test_a_rep_begun_soon_after_a_walk_is_read(sway: bool) -> None:
    """A walk's window is capped a bounded time after its first dip (its
    steps swing far), so its end reads as "still on the way down" for as
    long as one waits: the walk was waited for the full 4 s after it
    returned, and the set's first rep, begun 3.9 s after the walk, was taken
    into it -- that rep and the next two were lost (5-2-5, seated, without
    sway).  A capped window cannot change by waiting: it is measured at once."""
    res, sess = _acceptance_like(42012, sway)
    walks = [d for d in res.truth["distractors"] if d["kind"] == "walk"]
    truth = res.truth["reps"]
    after = [j for j, t in enumerate(truth) if any(0.0 < t["start"] - w["end"] < 4.0 for w in walks)]
    assert after, "a rep starts within 4 s of a walk's end"
    _assert_read_with_exact_count(sess, truth, after)


@pytest.mark.parametrize("sway", [False, True])
def test_a_stale_axis_kept_through_a_re_strap_does_not_lose_the_next_set(sway: bool) -> None:
    """A re-strap that turned the sensor about gravity left the rest within
    6 deg of where it was, so the last reps' axis was kept through it (as
    through a walk) -- but the reps now went another way in the sensor's
    frame.  A step of the foot before the next set then found no rep from
    the new level "the way the last reps went", the movement ran to the
    30-s limit, and the set's first three reps were lost (both ways).  A
    kept axis that finds no rep from a stepped level is tried as no axis at
    all, under the stricter rules for that case."""
    res, sess = _acceptance_like(34023, sway)
    kinds = [d["kind"] for d in res.truth["distractors"]]
    assert "restrap" in kinds and "fidget_step" in kinds
    _assert_every_rep_read(sess, res.truth["reps"])


@pytest.mark.parametrize("sway", [False, True])
def test_a_fidget_right_after_a_re_strap_is_not_learnt_as_the_rest(sway: bool) -> None:
    """After a re-strap (the sensor turned 127 deg) a 3.4-deg fidget fell in
    the last second of the quick still window, the one the new rest is
    learnt from: the angle from the old rest, 127 deg away, hardly changed
    across it, and the window's tolerance grows with that angle.  The rest
    learnt from the fidget sat off the stance, and the set's first rep was
    lost inside a movement that never returned (both ways).  The rest is
    learnt from a second that is still in direction too."""
    res, sess = _acceptance_like(36024, sway)
    kinds = [d["kind"] for d in res.truth["distractors"]]
    assert "restrap" in kinds and "fidget" in kinds
    _assert_every_rep_read(sess, res.truth["reps"])


def test_two_reps_weakly_read_the_wrong_way_up_do_not_turn_a_set() -> None:
    """Slow standing 5-2-5 reps: the shank's forward tilt lowers the sensor
    by nearly as much as the heel raise lifts it, and sway moves it more, so
    the magnitude's evidence of which way is up is weak and can be wrong.
    Two true reps read -2.4 and -3.9 the wrong way; summed they passed
    UPSIDE_DOWN_T, the second "rep" was taken for a rest between reps read
    from their top, and the last set read upside down (10 reps lost, 8
    false).  A turn needs that much evidence from the one "rep" itself."""
    res, sess = _analysed("acceptance-like", 36035)
    assert res.truth["guidance"]["name"] == "5-2-5" and res.truth["config"]["posture"] == "standing"
    truth = res.truth["reps"]
    last = res.truth["sets"][-1]["start"]
    matched = _match(sess["reps"], truth)
    assert len(matched) == len(sess["reps"]), "no false reps"
    assert {j for j, t in enumerate(truth) if t["start"] >= last} <= {j for _, j in matched}


@pytest.mark.parametrize("seed", [25025, 10021, 14032])
def test_a_bottom_read_part_way_down_a_lower_is_no_rest(seed: int) -> None:
    """A slow, shaking lower whose fitted end came early (25025: a 1.3-deg
    partial rep's, read ending at 0.8 deg, 60 % of its range up) left 0.3 s
    of "still" data part-way down; taken as the fresh bottom after the rep,
    it became the rest, and the next rep was lost.  A rest that drifts
    between reps moves by a fraction of a rep's range, not by most of it."""
    res, sess = _analysed("acceptance-like", seed, sway_deg=0.0)
    _assert_every_rep_read(sess, res.truth["reps"])


def test_a_tremor_dip_below_the_start_is_no_bottom() -> None:
    """The last rep of a set lost control: 4.1 deg/s of 8.5-Hz tremor at a
    0.32 m lever arm (175 mg of tangential acceleration, sampled at 26 Hz)
    leaked through the low-pass as dips of 1-3 deg.  The next movement's
    start cut the rep's window in one of them, and the lower's bottom read
    3.3 deg below where the lift started: "no return to the start level",
    the rep lost."""
    res, sess = _analysed("acceptance-like", 25013, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "wobble" in truth[-1]["flags"]
    _assert_every_rep_read(sess, truth)


def test_sway_in_a_long_rest_is_not_a_partial_rep() -> None:
    """A 5-2-5 session at 26 Hz with 4.9 mg of noise and standing sway: in
    the 80-s rest between its sets, four sway excursions of 1.2-1.4 deg
    (a quarter of the athlete's range) read as partial reps.  Within
    sway's reach, a partial rep comes in a set's rhythm, not 10 s or more
    after the last rep."""
    res, sess = _analysed("acceptance-like", 22006)
    truth = res.truth["reps"]
    assert res.truth["guidance"]["name"] == "5-2-5"
    _assert_every_rep_read(sess, truth)
    assert not [r for r in sess["reps"] if 116.5 < r["start"] < 196.0]


def test_a_stance_settled_after_a_walk_is_not_a_descent() -> None:
    """After a re-strap and a walk, the stance the walk's last step settled
    at sits 4.5 deg above the bottom the walk's swings set, and drifts down
    by a few thousandths of a degree per second.  Taken for a lower still
    on its way down, it was waited on for 4 s until the set's first rep cut
    the wait, and that rep was read from the wrong rest and lost."""
    res, sess = _analysed("acceptance-like", 22025, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    _assert_every_rep_read(sess, truth)


def test_a_partial_rep_does_not_turn_a_set_of_full_reps_away() -> None:
    """After a walk, a 1.3-deg step of the foot held 5 s was read, with the
    set's first lift going the other way in its plane, as a partial rep.
    Its axis then rejected the set's next three full reps (4-4.5 deg) as
    "opposite to the set's reps".  A partial rep's axis is weak evidence: a
    movement of more than 1.6 times its range is not turned away by it."""
    res, sess = _analysed("acceptance-like", 26020)
    truth = res.truth["reps"]
    lost = [j for j, r in enumerate(truth) if 256.0 < r["start"] < 272.0]
    assert len(lost) == 3
    assert set(lost) <= {j for _, j in _match(sess["reps"], truth)}


def test_a_rep_straight_after_a_bounce_starts_from_the_valley() -> None:
    """A quick bounced rep (1.1-s lift, 0.7-s lower) and the next slow rep
    with no rest between them: the slow rep's window opened on the bounce's
    lower, and the level its lift started from -- the median of the 0.1 s
    before the valley -- read 2.4 deg up that lower's tail: "no return to
    start level", the rep lost.  Under 0.3 s of bottom, the level is read
    from the valley's own samples."""
    res, sess = _analysed("acceptance-like", 26018)
    truth = res.truth["reps"]
    j = next(j for j, r in enumerate(truth) if 41.0 < r["start"] < 42.0)
    assert truth[j - 1]["lift_s"] < 1.5 and truth[j]["start"] - truth[j - 1]["end"] < 0.2
    _assert_read_with_exact_count(sess, truth, [j])


def test_a_seated_rep_that_lost_control_is_read_through_its_shaking() -> None:
    """A 2-deg seated rep that lost control swings by +-0.7 deg at 2-3 Hz,
    below the low-pass's reach: no plateau or mid-range run was left for
    the lower's fit, and the rep (the one whose wobble flag tells the
    athlete to stop the set) was lost.  Its fits failed on a shaking tilt
    along the reps' way, so it is measured again from the tilt smoothed
    over 0.5 s."""
    res, sess = _analysed("seated-3x15", 23)
    truth = res.truth["reps"]
    j = next(j for j, r in enumerate(truth) if 178.0 < r["start"] < 179.5)
    assert "wobble" in truth[j]["flags"]
    _assert_read_with_exact_count(sess, truth, [j])
    read = next(sess["reps"][i] for i, jj in _match(sess["reps"], truth) if jj == j)
    assert "wobble" in read["flags"]


def test_shaking_reps_of_a_random_session_are_read() -> None:
    """Two 1.7-deg partial reps that lost control in a row (random seed
    10): both fits failed on their shaking; read from the smoothed tilt,
    every rep of the session is read and no false one."""
    res, sess = _analysed("random", 10)
    _assert_every_rep_read(sess, res.truth["reps"])


def test_the_rest_of_a_shaking_lower_is_no_second_rep() -> None:
    """A seated rep that lost control: its shaking lower read as ending
    part-way down, and the remainder -- starting at that end with a 0.5-s
    "lift" of 1.6 deg, under 0.6 of the rep's range -- as a second, quick
    rep.  A quick small movement straight after a rep's end is the rest of
    its lower."""
    res, sess = _analysed("seated-3x15", 31)
    _assert_every_rep_read(sess, res.truth["reps"])


def test_a_shake_that_cuts_a_lower_part_way_down_does_not_lose_the_rep() -> None:
    """The session's last rep lost control (3.5 deg, shaking +-0.5 deg at
    ~2 Hz).  A swing of its lower back up cut the measurement window at
    2 deg, half-way down, where no fit of the lower exists: "lower fit
    failed", the rep lost.  A window that a rise cut part-way down is
    followed further, as for a lower that paused."""
    res, sess = _analysed("acceptance-like", 29023, sway_deg=0.0)
    truth = res.truth["reps"]
    assert "wobble" in truth[-1]["flags"]
    _assert_read_with_exact_count(sess, truth, [len(truth) - 1])


def test_the_stance_after_a_walk_near_the_old_rest_is_the_rest() -> None:
    """After a walk, the athlete stood 0.5 deg off the rest learnt before
    it -- just above the onset threshold -- for 4 s, then began the set.
    That stance, never below the return threshold, was no rest: the first
    still window far from the old rest, the first rep's 2-s top, became
    the rest and the rep was lost.  Right after a wild movement a stance
    held above the return threshold is the new rest."""
    res, sess = _analysed("acceptance-like", 29034, sway_deg=0.0)
    truth = res.truth["reps"]
    j = next(j for j, r in enumerate(truth) if 220.0 < r["start"] < 221.0)
    assert "walk" in [d["kind"] for d in res.truth["distractors"]]
    _assert_read_with_exact_count(sess, truth, [j])


def test_a_slow_seated_session_opens_with_its_first_rep() -> None:
    """Slow 5-2-5 seated raises of 1.6-1.8 deg at 25 Hz with 3 mg of noise:
    the first rep must stand 12 times above the resting deviation, which
    the raw samples' white noise put at 0.14-0.17 deg, so the session's
    first reps were read as too small (two lost in seed 26).  The rest is
    now read from the low-passed tilt, which keeps sway and drops the
    noise."""
    res, sess = _analysed("slow-5-2-5", 26)
    truth = res.truth["reps"]
    assert truth[0]["range_deg"] < 1.8 and truth[1]["range_deg"] < 1.8
    _assert_read_with_exact_count(sess, truth, [0, 1])


def test_reps_from_a_stepped_level_are_found_by_their_first_return() -> None:
    """A step of the foot held 4 s before two slow seated reps: the reps
    leave the new level and come back to it, but the search for their
    return began at the window's highest point -- the second rep's top --
    so the first rep's return was never found and the 30-s movement was
    given up, both reps lost.  The return is looked for after the first
    out-and-back that reaches a partial rep's range."""
    res, sess = _analysed("slow-5-2-5", 19)
    truth = res.truth["reps"]
    lost = [j for j, r in enumerate(truth) if 263.0 < r["start"] < 280.0]
    assert len(lost) == 2
    assert "fidget_step" in [d["kind"] for d in res.truth["distractors"]]
    _assert_read_with_exact_count(sess, truth, lost)


def test_a_lower_that_pauses_long_in_sway_is_waited_for() -> None:
    """A 5-2-5 rep's lower paused at half its range for ~1.7 s under
    standing sway (the sway lifting the tilt while the lower set it down):
    waited for only 1 s, it was rejected as stopping part-way down and the
    rest of its lower read as a movement of its own.  A rejection is never
    reported, so the 2-s wait costs no latency."""
    res, sess = _analysed("acceptance-like", 28020)
    truth = res.truth["reps"]
    j = next(j for j, r in enumerate(truth) if 18.0 < r["start"] < 19.0)
    _assert_read_with_exact_count(sess, truth, [j])


@pytest.mark.parametrize("sway", [False, True])
def test_a_re_strap_that_turned_the_rest_forgets_the_reps_axis(sway: bool) -> None:
    """A re-strap turned the rest 61 deg, but the sensor swung along the
    last reps' axis while it was off, so the off-axis test kept that axis;
    after the walk before it, the axis lived on as the kept one.  Stale, it
    took the next set's first rep's top (after a lift that hesitated) for a
    step of the foot with a rep from it, and the first two reps were read
    as one from the top (both ways).  A rest that turns by KEEP_AXIS_DEG or
    more forgets the reps' axis, as a re-learnt rest does."""
    _assert_set_start_read(45000, sway, {"restrap"}, 202.0, 211.0)


@pytest.mark.parametrize("sway", [False, True])
def test_a_set_lifting_through_the_old_rest_after_a_small_step_is_read(sway: bool) -> None:
    """After a re-strap (no reps' axis yet) a 1.6-deg step of the foot was
    held 5.4 s before the set, and the set's first lift passed the old rest
    on its way up.  The step's level, nearer than the 2 deg a dropped heel
    is looked for at, was not taken for the bottom: the rep was read from
    its top, and its lower and the next lift made one rep (both ways).
    With no axis, a nearer level held from the movement's start longer
    than a pause, like a rest, counts."""
    _assert_set_start_read(45007, sway, {"restrap", "fidget_step"}, 114.0, 124.0)


@pytest.mark.parametrize(("seed", "start"), [(32007, 81.6), (35032, 251.5), (45030, 200.7)])
def test_a_shaking_partial_rep_rejected_for_its_shape_is_read_through_its_shaking(seed: int, start: float) -> None:
    """Partial reps of 1.1-2.1 deg that lost control (wobble 3-4 deg/s):
    the lever arm's tremor, larger than the range, read one as a quick
    out-and-back (a fidget), one as out of range and one as not returning
    to its start level -- rejections that did not measure the movement
    again from the smoothed tilt, as a failed fit does (without sway).
    Now they do; the retry asks the same of the movement (along the reps'
    way, a partial rep's range, a rep's duration, shaking)."""
    res, sess = _analysed("acceptance-like", seed, sway_deg=0.0)
    truth = res.truth["reps"]
    j = next(j for j, r in enumerate(truth) if abs(r["start"] - start) < 0.1)
    assert truth[j]["kind"] == "partial" and truth[j]["wobble"] > 2.5
    _assert_read_with_exact_count(sess, truth, [j])


@pytest.mark.parametrize("sway", [False, True])
def test_a_set_read_upside_down_after_a_strap_slip_turns_within_two_reps(sway: bool) -> None:
    """A strap slip just before the third set read as its first lift left
    the rest where it was, and the set read upside down.  Its inverted reps
    said so (magnitude evidence -9 to -15 each), but the earlier set's
    evidence, summed since the rest last moved (+266), held the turn back
    for four reps.  The sum now holds a turn back by at most what two clear
    reps say (ORIENT_SUM_MAX): the set reads the right way up from its
    third rep (both ways)."""
    _assert_set_start_read(38021, sway, {"slip"}, 416.0, 433.0)


@pytest.mark.parametrize(("seed", "sway"), [(6002, True), (9029, True), (38034, False)])
def test_a_partial_rep_read_low_with_a_short_lower_is_read(seed: int, sway: bool) -> None:
    """Partial reps of 25-30 % of the reference read 23-25 % (their lower
    read short, 1.4-1.8 s, in its slow tail): below 25 % a partial must be
    clear of sway or paced like a rep, and "paced" asked a 2-s lower.  It
    now asks the lift and the pause to keep the guidance and the lower to
    last a second."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    parts = [j for j, r in enumerate(truth) if r["kind"] == "partial"]
    assert parts
    _assert_read_with_exact_count(sess, truth, parts)


@pytest.mark.parametrize(("seed", "sway"), [(5005, True), (3028, False), (46007, True)])
def test_a_bounce_straight_after_a_rep_is_read_though_its_top_reads_high(seed: int, sway: bool) -> None:
    """A full-range bouncing rep (0.5-1 s each way) straight after a slow
    one: the lever arm's tangential acceleration at its quick turn lifts the
    top, so its range read 1.5-1.7x the reference and it was rejected as an
    oversized quick out-and-back (a kick)."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    bounces = [j for j, r in enumerate(truth) if r["kind"] == "fast" and j and r["start"] - truth[j - 1]["end"] < 0.3]
    _assert_read_with_exact_count(sess, truth, bounces)


@pytest.mark.parametrize(("seed", "sway"), [(30004, False), (35030, False), (30003, True)])
def test_a_step_of_the_foot_held_before_a_set_after_a_walk_is_its_rest(seed: int, sway: bool) -> None:
    """After a walk or a re-strap (no reps' axis known) the foot steps to a
    new tilt 4-5 deg away and holds it 3-7 s before the set's first rep:
    held less than a long pause, the level was taken for a rep's top, the
    step and the lift were read as one movement, and the rep was lost."""
    res, sess = _acceptance_like(seed, sway)
    truth = res.truth["reps"]
    steps = [d for d in res.truth["distractors"] if d["kind"] == "fidget_step"]
    firsts = [j for j, r in enumerate(truth) if r["index_in_set"] == 1 and any(0 < r["start"] - d["end"] < 8 for d in steps)]
    _assert_read_with_exact_count(sess, truth, firsts)


def test_a_first_rep_with_weak_wrong_way_evidence_does_not_turn_the_session_upside_down() -> None:
    """A standing 5-2-5 session (with sway) whose first true rep's magnitude
    evidence read -6.1 (the shank's forward tilt cancels most of the heel's
    rise): taken for a rest between reps read from their top, it turned the
    whole first set upside down (10 reps lost, 9 false).  Before the first
    rep the rest is where the athlete stood still, and more is asked."""
    res, sess = _analysed("acceptance-like", 47803)
    truth = res.truth["reps"]
    first_set = [j for j, r in enumerate(truth) if r["set"] == 1]
    assert len(first_set) >= 10
    _assert_read_with_exact_count(sess, truth, first_set)
