"""Parity (issue #5): replaying a file through the live path gives the same reps as
``analyze`` on it -- same count, phase times within 0.1 s, same flags -- on every
sample file and on simulated sessions; each rep is reported at most 0.6 s of stream
time after its end."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reptrack.analysis import analyze_recording
from reptrack.cli import main
from reptrack.guidance import load_guidance
from reptrack.io import read_recording
from reptrack.live.session import LiveSession, replay_session
from reptrack.live.source import Batch
from reptrack.model import Rep

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FILES = sorted(p for p in (ROOT / "sample_data").glob("*.csv"))
#: (scenario, seed): every named scenario plus two random ones, seeds not used elsewhere in these tests.
SIM_CASES = [
    ("seated-3x15", 11),
    ("standing-fatigue", 12),
    ("step-heel-drop", 13),
    ("mixed", 14),
    ("rest-only", 15),
    ("slow-5-2-5", 16),
    ("random", 17),
    ("random", 18),
    # a step to a new posture before a set, a heel drop passed slowly: the
    # rest is re-learnt mid-stream (live must decide it as analyze does)
    ("seated-3x15", 15),
    ("step-heel-drop", 5000),
    # ends the magnitude of the acceleration moves up to 0.8 s earlier than
    # the tilt's (they are reported no earlier than the latency budget allows)
    ("acceptance-like", 1011),
    # after a walk: the stance held before a set's first rep cut the walk's
    # window is the rest (15029); a crossing must hold (17003, a strap slip
    # before the set); steps of the foot open a set (13002)
    ("acceptance-like", 15029),
    ("acceptance-like", 17003),
    ("acceptance-like", 13002),
    # a rep from a level the movement settled at makes it the rest (15032:
    # the session's opening stance)
    ("acceptance-like", 15032),
]
PHASE_TOL_S = 0.1
LATENCY_S = 0.6
#: Every rep, true or not, is reported within LATENCY_S of its end, counted
#: from the last sample the decision saw (benchmarks/bench_accuracy.py prints
#: it: 5,846 of 5,846 reps of the acceptance-like and grid sessions).
TIMES = ("start", "top", "lower_start", "end", "lift_s", "hold_s", "lower_s")


def assert_parity(live: list[Rep], ref: list[Rep], what: str) -> None:
    assert len(live) == len(ref), f"{what}: live found {len(live)} reps, analyze {len(ref)}"
    for a, b in zip(live, ref):
        for k in TIMES:
            assert abs(getattr(a, k) - getattr(b, k)) <= PHASE_TOL_S, f"{what} rep {b.index}: {k} {getattr(a, k)} vs {getattr(b, k)}"
        assert sorted(a.flags) == sorted(b.flags), f"{what} rep {b.index}: flags {a.flags} vs {b.flags}"
        assert (a.set, a.index_in_set) == (b.set, b.index_in_set), f"{what} rep {b.index}: set/index differ"


def assert_latency(live: list[Rep], what: str, latency_s: float = LATENCY_S) -> None:
    late = [(r.index, round(r.reported_at - r.end, 2)) for r in live if r.reported_at is None or r.reported_at - r.end > latency_s]
    assert not late, f"{what}: reps reported more than {latency_s:g} s after their end (index, delay): {late[:10]}"


def ble_like_batches(t: np.ndarray, acc: np.ndarray, seed: int):
    """Irregular packets of 1-60 samples (a Polar frame holds up to ~1 s)."""
    rng = np.random.default_rng(seed)
    i = 0
    while i < len(t):
        n = int(rng.integers(1, 61))
        yield Batch(t[i : i + n], acc[i : i + n])
        i += n


@functools.lru_cache(maxsize=None)
def replayed(case: tuple[str, str, int]):
    """(analyze session, live session, truth rep count) for a sample file or a simulated session."""
    kind, name, seed = case
    if kind == "file":
        path = Path(name)
        rec = read_recording(path)
        truth = path.with_name(path.stem + ".truth.json")
        doc = json.loads(truth.read_text()) if truth.exists() else None
        guidance = load_guidance(doc["guidance"]["name"]) if doc else load_guidance()
        n_truth = len(doc["reps"]) if doc else None
    else:
        sim = pytest.importorskip("reptrack.sim")
        cfg = sim.scenario_config(name, seed=seed)
        res = sim.simulate(cfg, seed=seed)
        rec, guidance, n_truth = res.recording, load_guidance(cfg.guidance), len(res.truth["reps"])
    ref = analyze_recording(rec, guidance)
    # 0.1 s chunks: the batches a sensor streaming in real time delivers.
    live = replay_session(rec, guidance, chunk_s=0.1)
    return ref, live, n_truth


def check_parity(case: tuple[str, str, int], what: str) -> None:
    ref, live, n_truth = replayed(case)
    if n_truth and not ref.reps:
        pytest.skip("the segmenter finds no reps yet (issue #2 in progress)")
    assert_parity(live.sa.reps, ref.reps, what)
    assert len(live.sa.sets) == len(ref.sets)
    for a, b in zip(live.sa.sets, ref.sets):
        assert (a.reps, a.flagged, a.hint) == (b.reps, b.flagged, b.hint)
    # The events the live path emitted are exactly its reps and sets, in order.
    rep_events = [e.rep for e in live.events if e.kind == "rep"]
    assert rep_events == live.sa.reps
    assert sum(e.kind == "set" for e in live.events) == len(live.sa.sets)


def check_latency(case: tuple[str, str, int], what: str) -> None:
    ref, live, n_truth = replayed(case)
    assert_latency(live.sa.reps, what)


def check_both(case: tuple[str, str, int], what: str) -> None:
    """Parity and latency in one test (one replay per case, also under xdist); both are reported."""
    problems = []
    for check in (check_parity, check_latency):
        try:
            check(case, what)
        except AssertionError as exc:
            problems.append(f"{check.__name__}: {str(exc).splitlines()[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_files_replay_like_analyze_in_time(path: Path):
    check_both(("file", str(path), 0), path.name)


@pytest.mark.parametrize("scenario,seed", SIM_CASES, ids=[f"{s}-{n}" for s, n in SIM_CASES])
def test_simulated_sessions_replay_like_analyze_in_time(scenario: str, seed: int):
    check_both(("sim", scenario, seed), f"{scenario}/{seed}")


def test_irregular_ble_packets_give_the_same_reps():
    """Sensors deliver 1 to ~50 samples per notification: batching must not change the answer."""
    sim = pytest.importorskip("reptrack.sim")
    cfg = sim.scenario_config("standing-fatigue", seed=21)
    rec = sim.simulate(cfg, seed=21).recording
    g = load_guidance(cfg.guidance)
    ref = analyze_recording(rec, g)
    if not ref.reps:
        pytest.skip("the segmenter finds no reps yet (issue #2 in progress)")
    sess = LiveSession(g, rec.nominal_rate_hz, strap_check=False)
    longest = 0.0
    for b in ble_like_batches(rec.t, rec.acc, seed=21):
        longest = max(longest, float(b.t[-1] - b.t[0]) + 1 / rec.nominal_rate_hz)
        sess.feed(b)
    sess.finish()
    # A batch of up to 60 samples (~1.15 s at 52 Hz) arrives only when its last
    # sample exists, so a rep can be reported at most one batch later than the
    # algorithmic bound.
    assert_parity(sess.sa.reps, ref.reps, "ble-like packets")
    assert_latency(sess.sa.reps, "ble-like packets", LATENCY_S + longest)


def test_cli_json_lines_match_analyze_json(tmp_path, capsys):
    """``live --replay F --speed 0 --json`` rep lines carry every analyze rep field plus reported_at."""
    path = SAMPLE_FILES[0] if SAMPLE_FILES else None
    if path is None:
        pytest.skip("no sample_data files yet")
    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(["live", "--replay", str(path), "--speed", "0", "--json"]) == 0
    out = capsys.readouterr()
    lines = [json.loads(s) for s in out.out.splitlines()]
    assert all(set(d) >= {"event", "reported_at"} for d in lines)
    reps = [d for d in lines if d["event"] == "rep"]
    sets = [d for d in lines if d["event"] == "set"]
    assert len(reps) == len(doc["reps"]) and len(sets) == len(doc["sets"])
    for live, ref in zip(reps, doc["reps"]):
        assert set(live) == set(ref) | {"event", "reported_at"}
        for k in ("start", "top", "lower_start", "end", "lift_s", "hold_s", "lower_s"):
            assert abs(live[k] - ref[k]) <= PHASE_TOL_S
        assert live["flags"] == ref["flags"]
    for live, ref in zip(sets, doc["sets"]):
        assert set(live) == set(ref) | {"event", "reported_at"}
    # Reps of a set come before that set's event; events are in stream-time order.
    ats = [d["reported_at"] for d in lines]
    assert ats == sorted(ats)
    assert "Total:" in out.err


def test_a_replayed_file_with_a_gyroscope_reads_it_as_analyze_does(tmp_path, capsys):
    """A file with gx,gy,gz replayed through ``live`` gives the wobble
    ``analyze`` gives it (which reads the gyroscope), wobble flags included;
    recorded again with ``--out``, the copy keeps the gyroscope, so analysing
    the copy agrees too."""
    path = tmp_path / "gyro.csv"
    assert main(["simulate", "--scenario", "acceptance-like", "--seed", "1005", "--gyro", "--out", str(path)]) == 0
    capsys.readouterr()
    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["recording"]["gyro_samples"] > 0
    copy = tmp_path / "copy.csv"
    assert main(["live", "--replay", str(path), "--speed", "0", "--json", "--no-strap-check", "--out", str(copy)]) == 0
    reps = [d for d in map(json.loads, capsys.readouterr().out.splitlines()) if d["event"] == "rep"]
    assert len(reps) == len(doc["reps"]) > 0
    assert [r["flags"] for r in reps] == [r["flags"] for r in doc["reps"]]
    assert [r["wobble"] for r in reps] == pytest.approx([r["wobble"] for r in doc["reps"]], rel=0.01)
    assert main(["analyze", str(copy), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["recording"]["gyro_samples"] == doc["recording"]["gyro_samples"]
    assert [r["wobble"] for r in again["reps"]] == pytest.approx([r["wobble"] for r in doc["reps"]], rel=0.01)


@pytest.mark.parametrize("seed", [1000, 1006, 1011])
def test_ends_the_data_contradict_are_reported_in_time(seed: int):
    """Reps whose lower was fitted to end 1.1-2.7 s early (a wobbling lower,
    a small swaying rep, one behind a 2.6 s data gap) were reported 0.84-2.8
    s after that end; the tilt was still seen falling after it, so the rep
    is now reported ending no earlier than that -- within 0.6 s."""
    ref, live, n_truth = replayed(("sim", "acceptance-like", seed))
    assert_latency(live.sa.reps, f"acceptance-like#{seed}")


@pytest.mark.parametrize("case", [("step-heel-drop", 3000), ("mixed", 5000)])
def test_a_rep_found_after_a_long_look_away_is_reported_in_time(case: tuple[str, int]):
    """A movement still falling was looked at again up to 1 s later; a fit
    then put its end before the last data seen falling (or the next
    movement had started), and the rep was reported 0.65-1.2 s after its
    end.  The next look now comes within FALL_WAIT_MAX_S."""
    ref, live, n_truth = replayed(("sim", *case))
    assert ref.reps
    assert_latency(live.sa.reps, "%s#%d" % case)


def test_replay_judges_a_file_by_the_guidance_its_metadata_names(tmp_path, capsys):
    """A file whose ``# profile:`` names 5-2-5: ``live --replay`` flags its
    reps as ``analyze`` does (both by 5-2-5; replay used 3-1-3 before)."""
    src = ROOT / "sample_data" / "seated_3x15.csv"
    lines = [ln for ln in src.read_text().splitlines() if not ln.startswith("# guidance:")]
    path = tmp_path / "slow.csv"
    path.write_text("\n".join(["# profile: 5-2-5"] + lines) + "\n")
    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["guidance"]["name"] == "5-2-5"
    assert main(["live", "--replay", str(path), "--speed", "0", "--json", "--cues", "off"]) == 0
    reps = [d for d in map(json.loads, capsys.readouterr().out.splitlines()) if d["event"] == "rep"]
    assert [r["flags"] for r in reps] == [r["flags"] for r in doc["reps"]]
    assert any("lift_too_fast" in r["flags"] for r in reps)


def crosscheck_analysed(seed: int, sway: bool = False) -> tuple[Any, list[Rep]]:
    """A session of the second, independently built simulator
    (benchmarks/bench_crosscheck.py) and the reps ``analyze`` finds in it."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_crosscheck import session

    ses = session(seed, sway=sway)
    return ses, analyze_recording(ses.recording, ses.guidance).reps


def overlapping_most(reps: list[Rep], true: dict) -> Rep:
    """The rep of ``reps`` that overlaps the true rep ``true`` most (s)."""
    return max(reps, key=lambda r: min(r.end, true["end"]) - max(r.start, true["start"]))


@pytest.mark.parametrize("seed", [11, 47])
def test_a_lower_that_stops_part_way_and_goes_on_is_reported_in_time(seed: int) -> None:
    """Sessions of the second, independently built simulator
    (benchmarks/bench_crosscheck.py) with lowers that stop part-way above
    half their height: waited for as a hesitation, such a rep was accepted
    once the lower fell again, with the end at the stop, and reported 0.7
    and 0.83 s after it.  Every rep is reported within LATENCY_S."""
    _, reps = crosscheck_analysed(seed)
    assert reps
    assert_latency(reps, f"crosscheck#{seed}")


def test_a_lower_that_stops_far_up_and_goes_on_ends_where_it_ends() -> None:
    """A lower that stops part-way below half its height for a third of a
    second or more, then goes on (benchmarks/bench_crosscheck.py seed 1,
    three such lowers): the stop settled low enough to end the movement and
    the rep was reported ending at the stop, 1.2-1.7 s early -- a 3-s lower
    read as ~1 s, a false lower_too_fast.  It is waited for, and the rep ends
    after the lower resumed, within 1 s of its true end; every rep is still
    reported within LATENCY_S of the end it reports."""
    ses, reps = crosscheck_analysed(1)
    assert_latency(reps, "crosscheck#1")
    checked = 0
    for true in ses.truth:
        kind = true["profiles"][1]
        if kind != "twostep":
            continue
        c, q, creep, share = true["params"][1]
        lower_s = true["end"] - true["lower_start"]
        if (1 - creep) * share <= 0.5 or q * lower_s < 0.3 or c + q / 2 > 0.75:
            # (a stop above half the height, a short one, or one that leaves
            # a quick last quarter: such an end still reads up to 1.4 s late)
            continue
        resumed = true["lower_start"] + (c + q / 2) * lower_s
        rep = overlapping_most(reps, true)
        assert resumed < rep.end < true["end"] + 1.0, (true["start"], rep.end, resumed, true["end"])
        assert "lower_too_fast" not in rep.flags
        checked += 1
    assert checked == 3


def two_part_lowers_within(seed: int, min_stop_s: float, min_part_s: float = 0.0, tol_s: float = 0.2) -> int:
    """How many of the two-part lowers of cross-check session ``seed`` (no
    sway) -- a stop of ``min_stop_s`` or more, each part ``min_part_s`` or
    longer -- the rep overlapping each most starts and ends within
    ``tol_s`` of; asserts every one does."""
    ses, reps = crosscheck_analysed(seed)
    checked = 0
    for true in ses.truth:
        if true["profiles"][1] != "twostep":
            continue
        c, q, _, _ = true["params"][1]
        lower_s = true["end"] - true["lower_start"]
        if q * lower_s < min_stop_s or min(c - q / 2, 1 - c - q / 2) * lower_s < min_part_s:
            continue
        rep = overlapping_most(reps, true)
        assert rep.lower_start == pytest.approx(true["lower_start"], abs=tol_s), true["start"]
        assert rep.end == pytest.approx(true["end"], abs=tol_s), true["start"]
        checked += 1
    return checked


def test_a_lower_that_stops_part_way_is_timed_from_its_two_parts() -> None:
    """A lower that stops part-way for a third of a second or more, each of
    its parts lasting 0.8 s or more and running at its own speed
    (benchmarks/bench_crosscheck.py seed 16 -- its three such lowers): one
    template over both parts read their ends 0.3-1 s late.  Timed from the
    two parts, each lower's start and end are within 0.2 s of the truth."""
    assert two_part_lowers_within(16, min_stop_s=0.3, min_part_s=0.8) == 3


def test_two_movements_with_a_creep_between_are_timed_as_two() -> None:
    """Lowers made of two movements with a stop of 0.2-0.75 s between, in
    which the shank still creeps at up to a quarter of its speed
    (benchmarks/bench_crosscheck.py seed 36, its four such lowers): at 10 %
    of the peak speed for 0.25 s no stop was seen, and one template over
    both parts read their ends 0.4-0.8 s late.  Each start and end of those
    lowers is now within 0.2 s of the truth."""
    assert two_part_lowers_within(36, min_stop_s=0.2) == 4


@pytest.mark.parametrize("seed, true_index", [(32, 26), (48, 22)])
def test_a_lower_fitted_mid_drop_is_fitted_again_and_ends_on_time(seed: int, true_index: int) -> None:
    """A lower that crept, then dropped quickly (benchmarks/bench_crosscheck.py,
    no sway): fitted while it was still dropping, its template put the end
    1.7-2.2 s late with an sd over 1 s, and the segmenter waited for that
    end; the report then fell back, for the live budget, on that reading.
    Fitted again 0.3 s later (segment.params.POOR_END_SD_S), its end is
    within 0.3 s of the truth, and it is still reported within the budget."""
    ses, reps = crosscheck_analysed(seed)
    true = ses.truth[true_index]
    assert true["profiles"][1] == "twostep"
    rep = overlapping_most(reps, true)
    assert rep.end == pytest.approx(true["end"], abs=0.3)
    assert rep.reported_at - rep.end <= 0.6


def test_a_slow_lower_that_stops_for_over_a_second_is_waited_for() -> None:
    """A 5-2-5 lower that stops part-way for 1.1 s, a third of its range
    still to go (benchmarks/bench_crosscheck.py seed 24, no sway): waited
    for 1 s, as a 3-1-3 lower is, it was reported ending at the stop, 2.4 s
    early.  The wait now scales with the guidance's lower
    (segment.params.STOP_FAR_TEMPO_S): its end is within 0.3 s."""
    ses, reps = crosscheck_analysed(24)
    assert ses.guidance.lower_target_s == 5.0
    true = ses.truth[24]
    c, q, _, share = true["params"][1]
    assert true["profiles"][1] == "twostep" and q * true["lower_s"] > 1.0 and share > 0.6
    rep = overlapping_most(reps, true)
    assert rep.end == pytest.approx(true["end"], abs=0.3)
    assert rep.reported_at - rep.end <= 0.6
