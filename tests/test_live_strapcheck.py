"""Strap check (issue #5): confirms rate, noise and orientation, says what is wrong."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reptrack.live.strapcheck import RESTRAP_DEG, StrapMonitor, check_strap


def still(seconds: float = 3.0, fs: float = 52.0, noise_g: float = 0.003, tilt_deg: float = 20.0, seed: int = 0):
    """A shin sensor held still: gravity along -y tilted by ``tilt_deg`` about z, white noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, seconds, 1 / fs)
    th = math.radians(tilt_deg)
    acc = np.tile([math.sin(th), -math.cos(th), 0.0], (len(t), 1)) + rng.normal(0, noise_g, (len(t), 3))
    return t, acc


def test_still_good_signal_passes_and_finds_orientation():
    t, acc = still(noise_g=0.003, tilt_deg=20)
    rep = check_strap(t, acc, nominal_rate_hz=52)
    assert rep.ok, rep.problems
    assert rep.rate_hz == pytest.approx(52, rel=0.01)
    # 3 mg per axis -> ~5.2 mg RMS vector noise
    assert 3.5 < rep.noise_mg < 7
    assert rep.gravity_g == pytest.approx(1.0, abs=0.01)
    assert rep.orientation.startswith("-y (20")
    assert rep.summary().startswith("strap check OK: 52 Hz")


def test_movement_is_reported_as_hold_still():
    t, acc = still(noise_g=0.03)
    rep = check_strap(t, acc, 52)
    assert not rep.ok and not rep.still
    assert any("hold the leg still" in p for p in rep.problems)


def test_wrong_rate_low_rate_and_lost_samples():
    t, acc = still(fs=26)
    rep = check_strap(t, acc, nominal_rate_hz=52)
    assert any("26.0 Hz instead of 52 Hz" in p for p in rep.problems)
    t, acc = still(fs=5, seconds=4)
    assert any("too low to time reps" in p for p in check_strap(t, acc).problems)
    t, acc = still(fs=52)
    keep = np.ones(len(t), bool)
    keep[40:60] = False  # 20 of 156 samples lost (13 %)
    rep = check_strap(t[keep], acc[keep], 52)
    assert any("13% of samples are lost" in p for p in rep.problems), rep.problems


def test_units_and_flat_signal():
    t, acc = still()
    rep = check_strap(t, acc * 9.80665, 52)  # m/s^2 in a g column
    assert any("gravity reads 9.81 g" in p for p in rep.problems)
    rep = check_strap(t, np.tile([0.0, -1.0, 0.0], (len(t), 1)), 52)
    assert any("flat" in p for p in rep.problems)


def test_no_samples():
    rep = check_strap(np.array([0.0]), np.zeros((1, 3)))
    assert not rep.ok and rep.problems == ["no samples arrive from the sensor"]
    assert rep.summary() == "strap check: no samples arrive from the sensor"


def test_real_linear_acceleration_export_has_no_gravity(shared_dir):
    """A real phyphox 'acceleration without g' export: tilt cannot be measured, say so."""
    p = shared_dir / "realdata" / "phyphox" / "Raw_linear_acceleration.csv"
    df = pd.read_csv(p)
    t = df.iloc[:, 0].to_numpy()
    acc = df.iloc[:, 1:4].to_numpy() / 9.80665
    m = t < 3
    rep = check_strap(t[m], acc[m])
    assert any(p.startswith("no gravity in the signal") for p in rep.problems)


def test_real_wrist_sensor_while_sitting_is_not_still(shared_dir):
    """Real MetaMotion data (12.5 Hz, worn on the wrist while sitting): rate OK, but it moves."""
    p = next((shared_dir / "realdata" / "metabase").glob("A-rest-sitting*Accelerometer*.csv"))
    df = pd.read_csv(p)
    t = df["elapsed (s)"].to_numpy()
    acc = df[["x-axis (g)", "y-axis (g)", "z-axis (g)"]].to_numpy()
    m = (t >= 5) & (t < 8)
    rep = check_strap(t[m], acc[m], 12.5)
    assert rep.rate_hz == pytest.approx(12.5, rel=0.05)
    assert rep.gravity_g == pytest.approx(1.0, abs=0.05)
    assert not rep.still
    assert not any("Hz" in p for p in rep.problems)


def test_monitor_first_check_then_quiet_recheck_notices_a_restrap():
    mon = StrapMonitor(52.0)
    t, acc = still(seconds=1.5)
    mon.push(t, acc)
    assert mon.first_check() is None  # not 3 s yet
    t2, acc2 = still(seconds=3.0, seed=1)
    mon.push(t2 + 1.5 + 1 / 52, acc2)
    first = mon.first_check()
    assert first is not None and first.ok
    # Same orientation later: nothing to say.
    t3, acc3 = still(seconds=3.0, seed=2)
    mon.push(t3 + 100, acc3)
    rep, note = mon.recheck()
    assert rep is not None and rep.ok and note is None
    # Strap re-done: gravity now 35 deg away.
    t4, acc4 = still(seconds=3.0, tilt_deg=55, seed=3)
    mon.push(t4 + 200, acc4)
    rep, note = mon.recheck()
    assert note is not None and "changed by 35\u00b0" in note and "counting continues" in note
    assert 35 > RESTRAP_DEG
