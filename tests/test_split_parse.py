"""The two-core parse of a large native CSV (reptrack.io.split_parse).

Each check runs ``reptrack analyze`` or the parser in a fresh process: a
pytest-xdist worker has threads, and the parser then (rightly) does not
fork, so only a fresh process exercises the split.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reptrack.io import write_native
from reptrack.model import Recording
from reptrack.sim import scenario_config, simulate

# a recording long enough to be split (> SPLIT_MIN_BYTES of rows)
_SECONDS = 900.0


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rec = simulate(scenario_config("standing-fatigue", 3), 3).recording
    reps = int(np.ceil(_SECONDS / rec.t[-1]))
    span = rec.t[-1] + 0.01
    t = np.concatenate([rec.t + i * span for i in range(reps)])
    acc = np.vstack([rec.acc] * reps)
    path = tmp_path_factory.mktemp("big") / "long.csv"
    write_native(Recording(t=t, acc=acc, meta={"sensor": "simulator"}, nominal_rate_hz=rec.nominal_rate_hz), path)
    assert path.stat().st_size > 2_000_000
    return path


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_split_parse_gives_numpys_numbers_to_the_bit(big_csv: Path) -> None:
    code = f"""
import numpy as np, os
from reptrack.io import split_parse
body = open({str(big_csv)!r}, 'rb').read()
body = body[body.index(b't,ax'):]
body = body[body.index(b'\\n') + 1:]
forks = []
real_fork = os.fork
def counting_fork():
    forks.append(1)
    return real_fork()
os.fork = counting_fork
a = split_parse.parse_floats(body, ',')
b = np.loadtxt(body.decode().splitlines(), delimiter=',')
print(len(forks), a.shape == b.shape and bool(np.array_equal(a, b)), a.shape[0])
"""
    res = _run(code)
    assert res.returncode == 0, res.stderr
    forks, same, rows = res.stdout.split()
    assert forks == "1", "the parse did not split (one fork expected)"
    assert same == "True"
    assert int(rows) > 50_000


def test_a_bad_cell_in_the_second_half_is_named(big_csv: Path, tmp_path: Path) -> None:
    lines = big_csv.read_text().splitlines()
    bad = int(len(lines) * 0.8)
    cells = lines[bad].split(",")
    cells[2] = "0.9x1"
    lines[bad] = ",".join(cells)
    p = tmp_path / "bad.csv"
    p.write_text("\n".join(lines) + "\n")
    res = subprocess.run([sys.executable, "-m", "reptrack", "analyze", str(p)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert f"line {bad + 1}" in res.stderr and "not a number" in res.stderr


def test_analyze_reads_a_split_file_as_a_whole(big_csv: Path) -> None:
    """The reps of a file read on two cores are those of the same samples
    handed over in memory."""
    res = subprocess.run([sys.executable, "-m", "reptrack", "analyze", str(big_csv), "--json"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    from reptrack.analysis import analyze_recording
    from reptrack.io import read_recording

    want = analyze_recording(read_recording(big_csv)).to_json_dict()
    assert doc["recording"]["samples"] == want["recording"]["samples"]
    assert doc["reps"] == want["reps"]
    assert len(doc["reps"]) > 20
