"""Reading a big native CSV on one core while the other analyses it
(reptrack.overlap): the session must be the whole-file analysis's, to the
bit, whatever the file holds.

Each check runs in a fresh process: a pytest-xdist worker has threads, and
the overlap then (rightly) does not fork.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reptrack.analysis import PUSH_BLOCK
from reptrack.io import write_native
from reptrack.model import Recording
from reptrack.sim import scenario_config, simulate

# (rows for two full blocks and part of a third)
_ROWS = int(2.3 * PUSH_BLOCK)


def _long_session(rate: float = 100.0, jitter_s: float = 0.0, rows: int = _ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Simulated standing sessions back to back at ``rate`` Hz, ``rows``
    samples, times jittered by up to ``jitter_s`` (s)."""
    ts, accs, t_off, seed = [], [], 0.0, 40
    while sum(len(t) for t in ts) < rows:
        seed += 1
        cfg = dataclasses.replace(scenario_config("standing-fatigue", seed), sample_rate_hz=rate, packet_loss=0.0)
        rec = simulate(cfg, seed).recording
        ts.append(rec.t + t_off)
        accs.append(rec.acc)
        t_off += rec.t[-1] + 1.0 / rate
    t, acc = np.concatenate(ts)[:rows], np.vstack(accs)[:rows]
    if jitter_s:
        t = t + np.random.default_rng(5).uniform(-jitter_s, jitter_s, len(t))
        t[0] = 0.0
    return t, acc


@pytest.fixture(scope="module")
def long_session() -> tuple[np.ndarray, np.ndarray]:
    return _long_session()


def _write(path: Path, t: np.ndarray, acc: np.ndarray, meta: dict[str, str]) -> Path:
    write_native(Recording(t=t, acc=acc, meta=meta, nominal_rate_hz=100.0), path)
    text = path.read_text()
    if "sample_rate_hz" not in meta:
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("# sample_rate_hz")) + "\n"
        path.write_text(text)
    return path


_CHECK = """
import json, os, sys
import reptrack.overlap as ov
from reptrack.analysis import analyze_file, analyze_recording
from reptrack.io import read_recording
from reptrack.segment.stream import StreamAnalyzer
path = sys.argv[1]
parent = os.getpid()
if "die" in sys.argv[2:]:  # the child dies before it sends anything
    real = ov.read_recording
    def dying(p):
        if os.getpid() != parent:
            os._exit(3)
        return real(p)
    ov.read_recording = dying
if "die-ahead" in sys.argv[2:]:  # ... or after it has sent its first fits
    real_send, sent = ov.send_message, []
    def send_then_die(out, payload):
        real_send(out, payload)
        sent.append(1)
        if len(sent) == 2:
            os._exit(3)
    ov.send_message = send_then_die
if "patient" in sys.argv[2:]:  # (waits for the child's fits, however slow the machine)
    ov.AHEAD_WAIT_S = 120.0
memos = []
real_back = ov._fits_back
def noting_back(child, memo, need, got_to):
    memos.append(memo)
    return real_back(child, memo, need, got_to)
ov._fits_back = noting_back
forks, resampled = [], []
real_fork = os.fork
def counting_fork():
    forks.append(1)
    return real_fork()
os.fork = counting_fork
real_push = StreamAnalyzer.push_resampled
def counting_push(self, t, chunk):
    resampled.append(len(t))
    return real_push(self, t, chunk)
StreamAnalyzer.push_resampled = counting_push
over = ov.analyze_native_overlapped(path)
kept = sum(resampled)
via_cli_path = analyze_file(path).to_json_dict()
whole = analyze_recording(read_recording(path))
print(json.dumps(dict(
    overlapped=over is not None,
    forks=len(forks),
    kept_start=kept,
    same=over is not None and over.to_json_dict() == whole.to_json_dict(),
    same_via_analyze_file=via_cli_path == whole.to_json_dict(),
    reps=len(whole.reps),
    warnings=whole.recording.warnings,
    fits_ahead=len(memos[-1].results) if memos else 0,
    fits_taken=memos[-1].hits if memos else 0,
)))
"""


def _check(path: Path, *extra: str) -> dict:
    res = subprocess.run([sys.executable, "-c", _CHECK, str(path), *extra], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_a_big_native_file_is_analysed_while_it_is_read_with_the_same_session(long_session, tmp_path):
    t, acc = long_session
    out = _check(_write(tmp_path / "long.csv", t, acc, {"sensor": "simulator", "sample_rate_hz": "100"}))
    assert out["overlapped"] and out["forks"] >= 1
    # the first block's analysis was kept: every later block came resampled
    assert out["kept_start"] == _ROWS - PUSH_BLOCK
    assert out["same"] and out["same_via_analyze_file"]
    assert out["reps"] > 40


@pytest.mark.parametrize("fault", [None, "die-ahead"])
def test_the_fits_the_read_ahead_makes_of_a_long_file_are_taken_with_the_same_session(tmp_path, fault):
    # (a long file: the child then segments its later part as well)
    t, acc = _long_session(rows=int(3.7 * PUSH_BLOCK))
    path = _write(tmp_path / "longer.csv", t, acc, {"sensor": "simulator", "sample_rate_hz": "100"})
    out = _check(path, "patient", *[fault] * bool(fault))
    assert out["overlapped"] and out["same"] and out["same_via_analyze_file"]
    if fault is None:
        # the fits of the last block were made ahead, and many taken (the
        # child began half a block before it: its fits there are its own)
        assert out["fits_ahead"] > 50 and out["fits_taken"] > 0.3 * out["fits_ahead"]
    else:
        # (the child died after its first block's fits: some were taken)
        assert out["fits_ahead"] > 0


def test_a_file_without_a_rate_and_with_jitter_gives_the_same_session(tmp_path):
    # (the nominal rate is then the whole file's median step, which the
    # first block's rows only guess)
    t, acc = _long_session(rate=52.0, jitter_s=0.004)
    out = _check(_write(tmp_path / "jitter.csv", t, acc, {"sensor": "simulator"}))
    # (the first block's gaps read alike at both rates: its analysis was kept)
    assert out["overlapped"] and out["kept_start"] == _ROWS - PUSH_BLOCK
    assert out["same"] and out["same_via_analyze_file"]
    assert out["reps"] > 40


def test_a_repaired_first_block_starts_the_analysis_over_with_the_same_session(long_session, tmp_path):
    t, acc = long_session
    path = _write(tmp_path / "dup.csv", t, acc, {"sensor": "simulator", "sample_rate_hz": "100"})
    lines = path.read_text().splitlines()
    first_row = next(i for i, ln in enumerate(lines) if ln.startswith("t,")) + 1
    lines.insert(first_row + 1000, lines[first_row + 1000])  # a duplicated timestamp
    path.write_text("\n".join(lines) + "\n")
    out = _check(path)
    assert any("repeated timestamp" in w for w in out["warnings"]), out["warnings"]
    assert out["overlapped"] and out["kept_start"] == 0
    assert out["same"] and out["same_via_analyze_file"]


def test_a_read_ahead_that_dies_leaves_the_usual_read(long_session, tmp_path):
    t, acc = long_session
    out = _check(_write(tmp_path / "long.csv", t, acc, {"sensor": "simulator", "sample_rate_hz": "100"}), "die")
    assert not out["overlapped"]
    assert out["same_via_analyze_file"] and out["reps"] > 40


def _analyze_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reptrack", "analyze", str(path)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "fault, sentence",
    [("clock_reset", "time jumps forward"), ("rows_swapped", "time runs backwards")],
)
def test_a_fault_in_the_first_block_gets_the_usual_sentence(long_session, tmp_path, fault, sentence):
    # (the first block is analysed before the file is validated: a row the
    # validation rejects must not crash that start or make it allocate for
    # a reset clock's span)
    t, acc = long_session
    t = t.copy()
    if fault == "clock_reset":
        t[5000:] += 3e7
    else:
        for i, j in ((54891, 17145), (7163, 19561), (27119, 53361)):
            t[[i, j]] = t[[j, i]]
    path = _write(tmp_path / f"{fault}.csv", t, acc, {"sensor": "simulator", "sample_rate_hz": "100"})
    res = _analyze_cli(path)
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr and sentence in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_a_bad_cell_late_in_a_big_file_is_named_once(long_session, tmp_path):
    t, acc = long_session
    path = _write(tmp_path / "late_bad.csv", t, acc, {"sensor": "simulator", "sample_rate_hz": "100"})
    lines = path.read_text().splitlines()
    bad = int(len(lines) * 0.8)
    cells = lines[bad].split(",")
    cells[1] = "abc"
    lines[bad] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    res = _analyze_cli(path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"line {bad + 1}" in res.stderr
    # (the read-ahead's failed read shows nothing: the usual read's output only)
    errs = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(errs) == len(set(errs)), res.stderr
