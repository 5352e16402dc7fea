"""Parity: the same simulated session in every vendor format gives the native file's reps.

The session is simulated as the sensor would record it -- acceleration on a
1 mg grid (``lsb_g=1e-3``) and times on the 1 ms grid of the coarsest
clock (MetaBase's epoch milliseconds) -- so every format can hold it
exactly in its own units, time base, column order and delimiter (see
:mod:`reptrack.io.export`).  Then each format must give the native file's
samples and the same reps, sets, flags and phase times (within one sample
period).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from reptrack.analysis import analyze_recording
from reptrack.io import read_recording
from reptrack.io.export import EXPORTS
from reptrack.model import Recording, Session

sim = pytest.importorskip("reptrack.sim")

#: (scenario, seed, overrides): seated 52 Hz with a gyroscope; standing
#: 50 Hz with walking, a re-strap, 1 % lost packets and 2 ms jitter.
SESSIONS = {
    "seated": ("seated-3x15", 2, dict(duration_scale=0.3, gyro=True)),
    "mixed": ("mixed", 3, dict(duration_scale=0.3)),
}
#: Formats whose clock stamps packets need a steady clock for exact times.
PACKET_FORMATS = {"metabase-packets"}


def _as_recorded(scenario: str, seed: int, **over: object) -> Recording:
    cfg = replace(sim.scenario_config(scenario, seed=seed), lsb_g=1e-3, **over)
    rec = sim.simulate(cfg, seed=seed).recording
    t = np.round(rec.t * 1000.0) / 1000.0
    keep = np.concatenate(([True], np.diff(t) > 0))
    rec.t, rec.acc = t[keep] - t[keep][0], np.round(rec.acc[keep] * 1000.0) / 1000.0
    if rec.gyro_t is not None and rec.gyro is not None:
        rec.gyro_t = np.round(rec.gyro_t * 1000.0) / 1000.0
        rec.gyro = np.round(rec.gyro, 3)
    rec.gaps = []
    return rec


def _instant(s: str | None) -> datetime:
    assert s is not None
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _phases(s: Session) -> np.ndarray:
    return np.array([[r.start, r.top, r.lower_start, r.end] for r in s.reps]).reshape(-1, 4)


def _assert_same_analysis(ref: Session, got: Session, period: float, fmt: str) -> None:
    assert len(got.reps) == len(ref.reps), fmt
    assert np.abs(_phases(got) - _phases(ref)).max(initial=0.0) <= period, fmt
    assert [r.flags for r in got.reps] == [r.flags for r in ref.reps], fmt
    assert [(s.index, s.reps) for s in got.sets] == [(s.index, s.reps) for s in ref.sets], fmt


@pytest.fixture(scope="module")
def sessions() -> dict[str, Recording]:
    return {name: _as_recorded(scenario, seed, **over) for name, (scenario, seed, over) in SESSIONS.items()}


@pytest.mark.parametrize("session", sorted(SESSIONS))
def test_every_format_gives_the_native_reps(session: str, sessions, tmp_path: Path) -> None:
    rec = sessions[session]
    native_path, _ = EXPORTS["native"](rec, tmp_path)
    native = read_recording(native_path)
    ref = analyze_recording(native)
    assert ref.reps, "the simulated session should hold reps"
    period = 1.0 / native.nominal_rate_hz
    for fmt, export in EXPORTS.items():
        if fmt == "native" or fmt in PACKET_FORMATS:
            continue
        path, options = export(rec, tmp_path)
        got = read_recording(path, **options)
        assert got.n_samples == native.n_samples, fmt
        assert np.abs(got.t - native.t).max() < 1e-6, fmt  # far inside one sample period
        assert np.abs(got.acc - native.acc).max() < 1e-6, fmt  # 1 mg data: no format loses any of it
        if not fmt.startswith("phyphox") or fmt == "phyphox-zip":  # a bare phyphox CSV has no clock
            assert _instant(got.start_utc) == _instant(native.start_utc), fmt
        _assert_same_analysis(ref, analyze_recording(got), period, fmt)


def test_packet_stamped_metabase_gives_the_native_reps(tmp_path: Path) -> None:
    """Four samples per epoch value, times rebuilt from the ODR in the name.

    A packet stamp plus the nominal rate is exact only for a steady clock at
    its nominal rate, so that is the session simulated here (otherwise the
    file itself no longer holds the per-sample times).
    """
    rec = _as_recorded("seated-3x15", 4, duration_scale=0.3, sample_rate_hz=50.0, jitter_ms=0.0, rate_error=0.0)
    native = read_recording(EXPORTS["native"](rec, tmp_path)[0])
    path, _ = EXPORTS["metabase-packets"](rec, tmp_path)
    got = read_recording(path)
    assert any("rebuilt" in w for w in got.warnings)
    assert np.abs(got.t - native.t).max() < 1e-6
    ref = analyze_recording(native)
    assert ref.reps
    _assert_same_analysis(ref, analyze_recording(got), 1.0 / 50.0, "metabase-packets")
