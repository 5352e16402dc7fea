"""Reader speed: a 1-hour 100 Hz recording in every format vs a bare ``pandas.read_csv``.

Target (issue #3): ``read_recording`` takes at most 1.5x the time of a bare
``pandas.read_csv`` of the same file with the right separator and decimal
mark, in-process.  Run::

    .venv/bin/python benchmarks/bench_readers.py [--minutes 60] [--rate 100] [--repeat 3]

Prints, per format, the file size, the best-of-N times and the ratio.  The
recording is synthetic (slow tilt changes, noise, 1 mg steps); its content
does not matter for speed, only the row count and the number style.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from reptrack.io import read_recording
from reptrack.io.export import EXPORTS
from reptrack.model import Recording

TARGET = 1.5


def synthetic(minutes: float, rate: float) -> Recording:
    n = int(minutes * 60 * rate)
    rng = np.random.default_rng(0)
    t = np.arange(n) / rate + rng.uniform(-0.001, 0.001, n)
    t -= t[0]
    ang = np.radians(6.0) * np.sin(2 * np.pi * t / 8.0)
    acc = np.column_stack([np.sin(ang), 0.05 + 0 * t, np.cos(ang)]) + rng.normal(0, 0.003, (n, 3))
    acc = np.round(acc * 1000.0) / 1000.0
    return Recording(t=t, acc=acc, start_utc="2026-01-01T08:00:00Z", nominal_rate_hz=rate)


def bare_reader(fmt: str, path: Path) -> Callable[[], object]:
    """The bare ``pandas.read_csv`` call a user would write for ``path``."""
    if fmt.endswith("-zip"):
        member = "Raw Data.csv" if fmt.startswith("phyphox") else "TotalAcceleration.csv"

        def read_zip() -> object:
            with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
                return pd.read_csv(fh)

        return read_zip
    kw: dict[str, object] = {}
    if fmt == "native":
        with open(path) as fh:
            kw["skiprows"] = sum(1 for line in fh if line.startswith("#"))
    if fmt.startswith("polar"):
        kw["sep"] = ";"
    if fmt == "polar-comma" or fmt == "phyphox-semicolon":
        kw["sep"], kw["decimal"] = ";", ","
    if fmt == "generic":
        kw["sep"] = "\t"
    return lambda: pd.read_csv(path, **kw)


def best_pair(a: Callable[[], object], b: Callable[[], object], repeat: int) -> tuple[float, float, float, float]:
    """Best-of-``repeat`` CPU and wall seconds of ``a`` and ``b``, interleaved.

    CPU time (``time.process_time``) is what the ratio uses: on a shared
    machine other processes inflate wall time, not this process's CPU time.
    """
    cpu = [[], []]
    wall = [[], []]
    for _ in range(repeat):
        for k, fn in enumerate((a, b)):
            gc.collect()
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            cpu[k].append(time.process_time() - c0)
            wall[k].append(time.perf_counter() - w0)
    return min(cpu[0]), min(cpu[1]), min(wall[0]), min(wall[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--formats", default=",".join(EXPORTS), help="comma-separated subset")
    args = ap.parse_args()
    rec = synthetic(args.minutes, args.rate)
    print(f"recording: {rec.n_samples} samples ({args.minutes:g} min at {args.rate:g} Hz); best of {args.repeat}")
    print("times are best-of-N CPU seconds (wall seconds in brackets); ratio = reptrack / pandas CPU")
    print(f"{'format':<18} {'MB':>6} {'pandas s':>16} {'reptrack s':>16} {'ratio':>6} {'(wall)':>7}  target <= {TARGET}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        for fmt in args.formats.split(","):
            path, options = EXPORTS[fmt](rec, Path(d))
            size = path.stat().st_size / 1e6
            bare, ours, bare_w, ours_w = best_pair(
                bare_reader(fmt, path), lambda: read_recording(path, **options), args.repeat
            )
            got = read_recording(path, **options)
            assert got.n_samples == rec.n_samples, fmt
            ratio = ours / bare
            worst = max(worst, ratio)
            flag = "ok" if ratio <= TARGET else "SLOW"
            print(
                f"{fmt:<18} {size:6.1f} {bare:7.3f} ({bare_w:6.3f}) {ours:7.3f} ({ours_w:6.3f}) {ratio:6.2f} "
                f"({ours_w / bare_w:5.2f})  {flag}"
            )
    print(f"worst ratio {worst:.2f} ({'meets' if worst <= TARGET else 'misses'} the {TARGET}x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
