"""``reptrack live --sensor emulated:...`` (issue #5 with the BLE reader of issue #4):
the live reps equal ``analyze`` of the file recorded at the same time, and a sensor
that drops out is a gap, not a crash."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from reptrack.cli import main
from reptrack.io import read_recording

pytest.importorskip("reptrack.ble.reader")


@pytest.fixture(scope="module")
def short_session(tmp_path_factory) -> Path:
    """One simulated set of 5 seated reps (~54 s) as a native CSV."""
    from reptrack.sim import scenario_config, simulate, write_simulation

    cfg = dataclasses.replace(
        scenario_config("seated-3x15", seed=31), n_sets=1, reps_per_set=5, lead_in_s=(6.0, 6.0), lead_out_s=(5.0, 5.0)
    )
    p = tmp_path_factory.mktemp("sensor") / "short.csv"
    write_simulation(simulate(cfg, seed=31), p)
    return p


def run_live(args: list[str], capsys) -> tuple[list[dict], str]:
    assert main(["live", *args, "--json"]) == 0
    out = capsys.readouterr()
    return [json.loads(s) for s in out.out.splitlines()], out.err


def test_live_from_emulated_sensor_matches_analyze_of_its_recording(short_session, tmp_path, capsys):
    out = tmp_path / "live.csv"
    events, err = run_live(["--sensor", f"emulated:{short_session}?speed=0&profile=movesense", "--out", str(out)], capsys)
    rec = read_recording(out)
    assert rec.meta["profile"] == "movesense" and rec.meta["recorded_by"] == "reptrack live"
    assert rec.nominal_rate_hz == pytest.approx(52.0)
    assert main(["analyze", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    reps = [e for e in events if e["event"] == "rep"]
    assert reps, "no reps reported"
    assert len(reps) == len(doc["reps"])
    for live, ref in zip(reps, doc["reps"]):
        for k in ("start", "top", "lower_start", "end", "lift_s", "hold_s", "lower_s"):
            assert abs(live[k] - ref[k]) <= 0.1, (k, live[k], ref[k])
        assert live["flags"] == ref["flags"]
    assert "strap check OK" in err and "Total:" in err


def test_sensor_dropouts_become_gap_events_and_counting_goes_on(short_session, tmp_path, capsys):
    out = tmp_path / "drop.csv"
    events, err = run_live(
        ["--sensor", f"emulated:{short_session}?speed=0&disconnect_every=20&down=3", "--out", str(out)], capsys
    )
    gaps = [e for e in events if e["event"] == "gap"]
    rec = read_recording(out)
    assert len(gaps) == len(rec.gaps) == 2
    for g, rg in zip(gaps, rec.gaps):
        assert g["start"] == pytest.approx(rg.start, abs=1e-5) and g["end"] == pytest.approx(rg.end, abs=1e-5)
        assert g["duration_s"] > 2.5  # down=3 s of stream time
    assert any(e["event"] == "rep" for e in events)
    assert "2 dropout(s)" in err


def test_sensor_that_never_comes_back_exits_2_with_the_file_intact(short_session, tmp_path, capsys):
    out = tmp_path / "lost.csv"
    rc = main(
        [
            "live",
            "--sensor",
            f"emulated:{short_session}?speed=10&disconnect_every=10&down=100",
            "--reconnect-timeout",
            "2",
            "--json",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2
    assert "could not reconnect" in err and "Traceback" not in err
    assert "Recorded to" in err  # the summary of what was counted before the loss
    rec = read_recording(out)
    assert 9.0 < rec.duration_s <= 10.0 and not rec.warnings
