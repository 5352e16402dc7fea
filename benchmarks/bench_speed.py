"""Speed benchmark: ``reptrack analyze`` on a 1-hour 100 Hz recording.

Writes a simulated 1-hour native CSV (random scenario sessions back to back
at 100 Hz), then times, as separate processes including interpreter
start-up: ``reptrack analyze FILE --json`` and a bare ``pandas.read_csv`` of
the same file.  Prints seconds and their ratio (best of N runs).  Target
(issue #2): analyze < 2 s on the 2-core machine.

The program is timed as the README's first command installs it: ``pip
install .`` compiles the package's bytecode, so a start loads it.  A
development checkout installed editable under ``PYTHONDONTWRITEBYTECODE``
(as on the project's machines) compiles every module of the package on
every start instead, ~0.05 s; the timed runs keep that bytecode in a
temporary cache (``PYTHONPYCACHEPREFIX``), written by one untimed run, and
the cold figure is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from reptrack.io import write_native
from reptrack.model import Recording
from reptrack.sim import scenario_config, simulate


def make_hour(path: Path, rate: float = 100.0, seconds: float = 3600.0) -> int:
    """Concatenate simulated sessions (resampled to ``rate``) to ``seconds``."""
    ts, accs, t_off, seed = [], [], 0.0, 0
    while t_off < seconds:
        seed += 1
        cfg = scenario_config("standing-fatigue", seed)
        import dataclasses

        cfg = dataclasses.replace(cfg, sample_rate_hz=rate, packet_loss=0.0)
        rec = simulate(cfg, seed).recording
        ts.append(rec.t + t_off)
        accs.append(rec.acc)
        t_off += rec.t[-1] + 1.0 / rate
    t = np.concatenate(ts)
    acc = np.vstack(accs)
    keep = t < seconds
    write_native(Recording(t=t[keep], acc=acc[keep], meta={"sensor": "simulator"}, nominal_rate_hz=rate), path)
    return int(keep.sum())


def best_of(cmd: list[str], n: int, env: dict[str, str] | None = None) -> float:
    """The shortest wall time (s) of ``n`` runs of ``cmd`` (a process each)."""
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - t0)
    return best


def process_env(bytecode_cache: Path | None) -> dict[str, str]:
    """This process's environment with bytecode written to and read from
    ``bytecode_cache`` (as an installed package's bytecode is read), or,
    with None, with no bytecode written (a package without it is compiled
    on every start)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if bytecode_cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return env


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hour.csv"
        n = make_hour(path)
        print(f"1-hour file: {n} samples, {path.stat().st_size / 1e6:.1f} MB")
        exe = str(Path(sys.executable).with_name("reptrack"))
        cmd = [exe, "analyze", str(path), "--json"]
        t_cold = best_of(cmd, args.runs, process_env(None))
        warm_env = process_env(Path(d) / "pycache")
        best_of(cmd, 1, warm_env)  # (writes the bytecode)
        t_an = best_of(cmd, args.runs, warm_env)
        t_pd = best_of([sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r}, comment='#')"], args.runs)
        print(f"reptrack analyze --json (process): {t_an:.2f} s")
        print(f"  (compiling the package on every start: {t_cold:.2f} s)")
        print(f"bare pandas.read_csv (process):    {t_pd:.2f} s")
        print(f"ratio: {t_an / t_pd:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
