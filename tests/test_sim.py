"""The simulator: determinism, truth consistency, physics, CLI round trip."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from reptrack.cli import main
from reptrack.io import read_native
from reptrack.sim import SCENARIOS, PROFILES, SimConfig, scenario_config, simulate, write_simulation
from reptrack.sim.profiles import make_shape

SHORT = 0.35  # duration_scale for quick sessions
REP_KEYS = {
    "index", "set", "index_in_set", "start", "top", "lower_start", "end", "lift_s", "hold_s", "lower_s",
    "rest_s", "range_deg", "range_rel", "wobble", "flags", "wobble_injected_deg", "profile_lift",
    "profile_lower", "kind",
}
SET_KEYS = {"index", "start", "end", "reps", "target_reps", "flagged", "compliance", "hint"}


def _sim(name: str, seed: int = 3, **over: object):
    cfg = replace(scenario_config(name, seed=seed), duration_scale=SHORT, **over)
    return simulate(cfg, seed=seed)


def _quiet_mask(res, pad: float = 1.5) -> np.ndarray:
    """True at samples outside every rep, distractor and walking bout (+- pad s)."""
    t = res.signals.t_true
    busy = np.zeros(len(t), dtype=bool)
    spans = [(r["start"], r["end"]) for r in res.truth["reps"]] + [
        (d["start"], d["end"]) for d in res.truth["distractors"]
    ]
    for a, b in spans:
        busy |= (t > a - pad) & (t < b + pad)
    return ~busy


def test_same_seed_same_output_and_other_seed_differs():
    cfg = replace(scenario_config("mixed"), duration_scale=SHORT)
    a, b, c = simulate(cfg, seed=7), simulate(cfg, seed=7), simulate(cfg, seed=8)
    assert np.array_equal(a.recording.t, b.recording.t)
    assert np.array_equal(a.recording.acc, b.recording.acc)
    assert json.dumps(a.truth) == json.dumps(b.truth)
    assert not np.array_equal(a.recording.acc[:100], c.recording.acc[:100])


def test_random_scenario_knobs_come_from_the_seed():
    assert scenario_config("random", seed=4) == scenario_config("random", seed=4)
    cfgs = {scenario_config("random", seed=s) for s in range(8)}
    assert len({c.sample_rate_hz for c in cfgs}) > 1 and len({c.posture for c in cfgs}) > 1


@pytest.mark.parametrize("name", [*SCENARIOS, "random:11", "random:12", "random:13"])
def test_truth_is_consistent(name: str):
    seed = int(name.split(":")[1]) if ":" in name else 3
    res = _sim(name.split(":")[0], seed=seed)
    tr, rec = res.truth, res.recording
    assert rec.t[0] == 0.0 and np.all(np.diff(rec.t) > 0)
    assert rec.meta["sensor"] == "simulator" and rec.start_utc
    dur = rec.duration_s
    prev = None
    for r in tr["reps"]:
        assert REP_KEYS <= set(r)
        assert 0 < r["start"] < r["top"] <= r["lower_start"] < r["end"] < dur
        assert r["lift_s"] == pytest.approx(r["top"] - r["start"])
        assert r["hold_s"] == pytest.approx(r["lower_start"] - r["top"])
        assert r["lower_s"] == pytest.approx(r["end"] - r["lower_start"])
        if prev is not None:
            assert r["start"] >= prev["end"]
        if r["index_in_set"] == 1:
            assert r["rest_s"] is None
        else:
            assert r["rest_s"] == pytest.approx(r["start"] - prev["end"])
        overlaps = any(g["start"] < r["end"] and g["end"] > r["start"] for g in tr["recording"]["gaps"])
        assert r["in_gap"] == overlaps  # a rep over lost packets is always marked
        assert r["kind"] in ("full", "partial", "fast", "no_pause")
        assert r["profile_lift"] in PROFILES and r["profile_lower"] in PROFILES
        prev = r
    # distractors never overlap reps
    for d in tr["distractors"]:
        assert not any(d["start"] < r["end"] and d["end"] > r["start"] for r in tr["reps"]), d
    assert tr["summary"] == {"reps": len(tr["reps"]), "sets": len(tr["sets"]), "flagged": sum(bool(r["flags"]) for r in tr["reps"])}
    for s in tr["sets"]:
        assert SET_KEYS <= set(s)
        reps = [r for r in tr["reps"] if r["set"] == s["index"]]
        assert s["reps"] == len(reps) and s["start"] == reps[0]["start"] and s["end"] == reps[-1]["end"]
        tempo = {"lift_too_fast", "lower_too_fast", "no_pause"}
        assert s["compliance"] == pytest.approx(sum(not set(r["flags"]) & tempo for r in reps) / len(reps))
        wob = [r["index_in_set"] for r in reps if "wobble" in r["flags"]]
        assert s["hint"] == (f"stop the set at rep {wob[0]}" if wob else None)
    if name == "rest-only":
        assert tr["reps"] == [] and tr["sets"] == [] and tr["distractors"]


def test_flags_follow_the_truth_values():
    cfg = replace(scenario_config("mixed"), p_partial=0.15, p_fast=0.15, p_no_pause=0.15)
    res = simulate(cfg, seed=5)
    g = res.truth["guidance"]
    kinds = {r["kind"] for r in res.truth["reps"]}
    assert {"full", "partial", "fast", "no_pause"} <= kinds
    for r in res.truth["reps"]:
        f = set(r["flags"])
        assert ("lift_too_fast" in f) == (r["lift_s"] < g["lift_min_s"])
        assert ("no_pause" in f) == (r["hold_s"] < g["hold_min_s"])
        assert ("partial" in f) == (r["kind"] == "partial")
        # wobble truth is unambiguous: controlled < 1.3x baseline, flagged >= 2.5x
        assert r["wobble_rel"] < 1.3 or r["wobble_rel"] >= 2.5
        if r["index"] > 1:
            assert ("wobble" in f) == (r["wobble_rel"] >= 2.5)
        # durations keep clear of the thresholds
        assert abs(r["lift_s"] - g["lift_min_s"]) >= 0.19 and abs(r["hold_s"] - g["hold_min_s"]) >= 0.14


def test_fatigue_speeds_tempo_up_late_in_the_set():
    res = simulate(scenario_config("standing-fatigue"), seed=2)
    reps = [r for r in res.truth["reps"] if r["kind"] == "full"]
    early = [r["lift_s"] + r["lower_s"] for r in reps if r["index_in_set"] <= 5]
    late = [r["lift_s"] + r["lower_s"] for r in reps if r["index_in_set"] >= 11]
    assert np.mean(late) < 0.85 * np.mean(early)
    assert any("wobble" in r["flags"] for r in res.truth["reps"])


@pytest.mark.parametrize(
    ("name", "band"), [("seated-3x15", (1.5, 3.0)), ("standing-fatigue", (4.0, 12.0)), ("step-heel-drop", (8.0, 15.0))]
)
def test_tilt_range_from_the_noiseless_gravity_direction(name: str, band: tuple[float, float]):
    # without sway and wobble the gravity direction sweeps exactly the truth range
    # (+ <= 0.5 % from the roll that accompanies the pitch)
    res = _sim(name, seed=4, sway_deg=0.0, wobble_baseline_dps=(0.0, 0.0))
    sig = res.signals
    assert res.truth["reps"]
    for r in res.truth["reps"]:
        i0, i1 = np.searchsorted(sig.t_true, [r["start"], r["end"]])
        g0 = sig.gravity[i0]
        ang = np.degrees(np.arccos(np.clip(sig.gravity[i0:i1] @ g0, -1, 1)))
        assert ang.max() == pytest.approx(r["range_deg"], rel=0.01)
        if r["kind"] != "partial":
            assert band[0] * 0.8 <= r["range_deg"] <= band[1] * 1.07


def test_step_reps_start_from_the_dropped_heel():
    res = _sim("step-heel-drop", seed=4, sway_deg=0.0)
    sig, tr = res.signals, res.truth
    settle = [d for d in tr["distractors"] if d["kind"] == "heel_drop_settle"]
    assert len(settle) == len(tr["sets"])
    p = sig.pitch_deg
    at = lambda x: p[np.searchsorted(sig.t_true, x)]  # noqa: E731
    for d, s in zip(settle, tr["sets"]):
        assert at(s["start"]) < at(d["start"]) - 2.5  # the bottom of the set is below level


def test_gravity_magnitude_is_one_g_at_rest_and_translation_is_tiny():
    res = _sim("seated-3x15", seed=2, noise_mg=0.0)
    sig = res.signals
    quiet = _quiet_mask(res)
    mag = np.linalg.norm(sig.acc_clean[quiet], axis=1)
    assert np.abs(mag - 1).max() < 0.005
    assert np.allclose(np.linalg.norm(sig.gravity, axis=1), 1.0)
    # during a rep the linear acceleration without the wobble is a few mg (~4-6 mg for a
    # min-jerk bell; trapezoid ramps and hesitations reach a few times that)
    cfg = replace(scenario_config("seated-3x15"), duration_scale=SHORT, wobble_baseline_dps=(0.0, 0.0), n_wobbly=(0, 0))
    res = simulate(cfg, seed=2)
    lin = np.linalg.norm(res.signals.acc_clean - res.signals.gravity, axis=1)
    r = res.truth["reps"][0]
    i0, i1 = np.searchsorted(res.signals.t_true, [r["start"], r["end"]])
    assert 0.0005 < lin[i0:i1].max() < 0.04


def test_sway_amplitude():
    for name, expect in (("standing-fatigue", 0.25), ("seated-3x15", 0.03)):
        res = _sim(name, seed=6)
        quiet = _quiet_mask(res)
        x = res.signals.pitch_deg - res.signals.wobble_deg
        # remove each quiet stretch's mean (the baseline can step after a fidget)
        edges = np.flatnonzero(np.diff(quiet.astype(int))) + 1
        parts = [seg - seg.mean() for seg, q in zip(np.split(x, edges), np.split(quiet, edges)) if q[0] and len(seg) > 100]
        rms = float(np.sqrt(np.mean(np.concatenate(parts) ** 2)))
        assert 0.5 * expect < rms < 1.5 * expect, (name, rms)


def test_noise_rms_as_configured():
    cfg = replace(scenario_config("seated-3x15"), duration_scale=SHORT, noise_mg=4.0, lsb_g=1 / 65536, jitter_ms=0.0)
    res = simulate(cfg, seed=1)
    sig = res.signals
    model = sig.acc_clean * np.array(sig.sensor["scale"]) + sig.bias_t
    assert np.abs(sig.bias_t - np.array(sig.sensor["bias_g"])).max() < 0.015  # slow drift of a few mg
    resid = res.recording.acc - model[sig.keep]
    assert np.std(resid, axis=0) * 1000 == pytest.approx([4.0] * 3, rel=0.05)
    assert np.all(np.abs(np.array(sig.sensor["bias_g"])) <= 0.05)


def test_quantisation_and_rate():
    cfg = replace(scenario_config("seated-3x15"), duration_scale=SHORT, lsb_g=1 / 1024, sample_rate_hz=12.5)
    rec = simulate(cfg, seed=1).recording
    assert np.allclose(rec.acc * 1024, np.round(rec.acc * 1024))
    assert rec.median_rate_hz == pytest.approx(12.5, rel=0.01)


def test_lost_packets_leave_true_timestamps():
    cfg = replace(scenario_config("seated-3x15"), duration_scale=SHORT, packet_loss=0.02, packet_samples=(3, 3), jitter_ms=1.0)
    res = simulate(cfg, seed=2)
    sig, rec = res.signals, res.recording
    assert (~sig.keep).sum() > 0 and rec.gaps
    assert np.abs(rec.t - sig.t_true[sig.keep]).max() <= 0.001 + 1e-12
    assert res.truth["lost_samples"] == (~sig.keep).sum()


def test_truth_wobble_is_rms_angular_velocity_of_the_injected_wobble():
    cfg = replace(scenario_config("seated-3x15"), duration_scale=SHORT, sample_rate_hz=200.0, n_wobbly=(2, 2))
    res = simulate(cfg, seed=3)
    sig = res.signals
    vel = np.gradient(sig.wobble_deg, sig.t_true)
    for r in res.truth["reps"]:
        i0, i1 = np.searchsorted(sig.t_true, [r["start"], r["end"]])
        assert np.sqrt(np.mean(vel[i0:i1] ** 2)) == pytest.approx(r["wobble"], rel=0.1)
        assert np.abs(sig.wobble_deg[i0:i1]).max() == pytest.approx(r["wobble_injected_deg"], rel=0.1)
    assert np.all(sig.wobble_deg[_quiet_mask(res, pad=0.0)] == 0)


def test_restrap_changes_the_mounting():
    cfg = replace(scenario_config("mixed"), duration_scale=SHORT, p_restrap=1.0, p_walk=0.0, fidgets_per_rest=(0, 0), mount_changes=())
    res = simulate(cfg, seed=4)
    tr, sig = res.truth, res.signals
    straps = [d for d in tr["distractors"] if d["kind"] == "restrap"]
    assert len(straps) == len(tr["sets"]) - 1 >= 1
    d = straps[0]
    before = sig.gravity[np.searchsorted(sig.t_true, d["start"] - 1)]
    after = sig.gravity[np.searchsorted(sig.t_true, d["end"] + 1)]
    assert np.degrees(np.arccos(np.clip(before @ after, -1, 1))) > 1.0
    q0, q1 = tr["mountings"][0]["quat_xyzw"], tr["mountings"][1]["quat_xyzw"]
    assert abs(abs(np.dot(q0, q1)) - 1) > 1e-6


def test_mixed_has_a_restrap_and_a_slip():
    kinds = {d["kind"] for d in _sim("mixed", seed=9).truth["distractors"]}
    assert {"restrap", "slip", "walk"} <= kinds


def test_gyro_agrees_with_the_turning_gravity_vector(tmp_path):
    """d(up)/dt = -omega x up in the sensor frame, re-straps included."""
    cfg = replace(scenario_config("mixed"), duration_scale=SHORT, gyro=True, sample_rate_hz=200.0)
    res = simulate(cfg, seed=1)
    sig = res.signals
    dg = np.gradient(sig.gravity, sig.t_true, axis=0)
    pred = -np.cross(np.radians(sig.gyro_clean), sig.gravity)
    assert np.abs(dg - pred).max() < 0.02 * np.abs(dg).max()
    write_simulation(res, tmp_path / "g.csv")
    rec = read_native(tmp_path / "g.csv")
    assert rec.gyro is not None and rec.gyro.shape == (rec.n_samples, 3)
    assert np.allclose(rec.gyro, res.recording.gyro, atol=1e-3)


def test_walking_has_big_swings_and_heel_strikes():
    cfg = replace(scenario_config("mixed"), duration_scale=SHORT, p_walk=1.0, noise_mg=0.0)
    res = simulate(cfg, seed=5)
    w = [d for d in res.truth["distractors"] if d["kind"] == "walk"][0]
    sig = res.signals
    i0, i1 = np.searchsorted(sig.t_true, [w["start"], w["end"]])
    p = sig.pitch_deg[i0:i1]
    assert 30 < p.max() - p.min() < 70
    assert np.linalg.norm(sig.acc_clean[i0:i1], axis=1).max() > 1.3


@pytest.mark.parametrize("name", PROFILES)
def test_velocity_profiles_are_exactly_flat_outside(name: str):
    rng = np.random.default_rng(1)
    for _ in range(5):
        s = make_shape(name, rng)
        u = np.array([-1.0, -1e-9, 0.0, 1.0, 1.0 + 1e-9, 2.0])
        assert list(s(u)) == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
        assert np.all(np.diff(s.s) >= 0)
        v = np.diff(s.s)
        if name == "skewed":
            peak = np.argmax(v) / len(v)
            assert (peak < 0.45) if s.params["a"] < s.params["b"] else (peak > 0.55)


def test_cli_writes_both_files_that_read_back(tmp_path, capsys):
    out = tmp_path / "s.csv"
    rc = main(["simulate", "--scenario", "step-heel-drop", "--seed", "2", "--out", str(out), "--rate", "25",
               "--noise-mg", "2", "--duration-scale", "0.3"])
    assert rc == 0
    line = capsys.readouterr().out
    assert "reps" in line and str(out) in line
    rec = read_native(out)
    truth = json.loads((tmp_path / "s.truth.json").read_text())
    assert {"schema", "recording", "guidance", "reps", "sets", "summary", "scenario", "seed", "config", "distractors"} <= set(truth)
    assert {"path", "samples", "duration_s", "sample_rate_hz", "start_utc", "gaps"} <= set(truth["recording"])
    assert {"name", "lift_min_s", "hold_min_s", "lower_min_s"} <= set(truth["guidance"])
    assert set(truth["summary"]) == {"reps", "sets", "flagged"} and truth["schema"] == 1
    assert truth["recording"]["samples"] == rec.n_samples and truth["recording"]["path"] == str(out)
    assert truth["recording"]["start_utc"] == rec.start_utc
    assert truth["recording"]["duration_s"] == pytest.approx(rec.duration_s, abs=1e-5)
    assert rec.meta["sensor"] == "simulator" and rec.nominal_rate_hz == 25
    assert truth["config"]["noise_mg"] == 2 and truth["seed"] == 2 and truth["scenario"] == "step-heel-drop"
    assert all(r["end"] <= rec.t[-1] for r in truth["reps"])


def test_cli_list_and_errors(tmp_path, capsys):
    assert main(["simulate", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SCENARIOS)
    assert main(["simulate", "--scenario", "nope", "--out", str(tmp_path / "x.csv")]) == 2
    assert "unknown scenario" in capsys.readouterr().err
    assert main(["simulate", "--out", str(tmp_path / "missing" / "x.csv")]) == 2


def test_write_simulation_api(tmp_path):
    res = _sim("rest-only", seed=1)
    csv, tj = write_simulation(res, tmp_path / "r.csv")
    assert csv.exists() and tj.name == "r.truth.json"
    assert read_native(csv).n_samples == res.recording.n_samples
    assert isinstance(SimConfig(), SimConfig)


def test_score_truth_against_itself_is_perfect_and_misses_count():
    from reptrack.sim.score import score_session, summarize

    tr = simulate(scenario_config("mixed"), seed=5).truth
    perfect = summarize([score_session(tr, tr)])
    assert perfect["detection_f1"] == 1.0 and perfect["count_exact"] == 1
    assert perfect["lift_s_p95"] == 0.0 and perfect["flag_f1_mean"] == 1.0
    assert perfect["wobble_spearman_median"] == pytest.approx(1.0)
    # drop two reps, shift one by 1 s, add a fidget as a false rep
    det = json.loads(json.dumps(tr))
    det["reps"] = det["reps"][2:]
    det["reps"][0]["lift_s"] += 1.0
    det["reps"].append({**det["reps"][0], "start": 1.0, "end": 2.0, "flags": ["lift_too_fast"]})
    s = score_session(tr, det)
    assert (s["tp"], s["fn"], s["fp"], s["count_exact"]) == (len(tr["reps"]) - 2, 2, 1, False)
    assert max(s["phase_errors"]["lift_s"]) == pytest.approx(1.0)
    assert s["flags"]["lift_too_fast"]["fp"] >= 1


def test_quaternions_match_scipy():
    from scipy.spatial.transform import Rotation, Slerp

    from reptrack.sim import quat

    rng = np.random.default_rng(0)
    for _ in range(5):
        p, q, v = quat.random(rng), quat.random(rng), rng.normal(size=(7, 3))
        assert np.allclose(quat.apply(q, v), Rotation.from_quat(q).apply(v))
        assert np.allclose(quat.apply(quat.mul(p, q), v), (Rotation.from_quat(p) * Rotation.from_quat(q)).apply(v))
        rv = rng.normal(size=3)
        assert np.allclose(quat.apply(quat.from_rotvec(rv), v), Rotation.from_rotvec(rv).apply(v))
        rel = (Rotation.from_quat(p) * Rotation.from_quat(q).inv()).as_rotvec()
        assert np.allclose(quat.as_rotvec(quat.mul(p, quat.inv(q))), rel)
        u = np.linspace(0, 1, 9)
        ref = Slerp([0, 1], Rotation.from_quat([p, q]))(u).apply(np.repeat(v[:1], 9, 0))
        assert np.allclose(quat.apply(quat.slerp(p, q, u), v[:1]), ref)


def test_sway_noise_sits_in_its_band():
    from reptrack.sim.render import band_noise

    x = band_noise(200_000, 100.0, (0.1, 0.6), np.random.default_rng(1))[:, 0]
    p = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 0.01)
    assert np.sqrt(np.mean(x**2)) == pytest.approx(1.0)
    assert p[(f > 0.05) & (f < 1.2)].sum() > 0.9 * p.sum()
