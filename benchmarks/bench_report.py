"""Benchmark: HTML report of a 1-hour session with ~300 reps (issue #6).

Targets: renders in under 5 s, the HTML stays under 3 MB.

Two sessions are measured:
* ``example``  -- :func:`reptrack.report.example.long_session`: exactly 300
  reps in 20 sets at 100 Hz over ~56 min, built directly (no segmenter);
* ``simulated`` -- the simulator's standing-fatigue scenario stretched to 20
  sets x 15 reps at 100 Hz (~1 h), written as native CSV and analysed by the
  real segmenter, then rendered; also timed as a ``reptrack report``
  process (start-up + read + analyse + render + write).

Usage: ``.venv/bin/python benchmarks/bench_report.py [--no-sim]``; prints
one line per figure.  Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RENDER_S = 5.0
TARGET_HTML_BYTES = 3_000_000


def _render(session, label: str) -> None:
    from reptrack.report.html import render_sessions

    t0 = time.perf_counter()
    html = render_sessions([session], athlete="Benchmark")
    dt = time.perf_counter() - t0
    size = len(html.encode("utf-8"))
    rec = session.recording
    print(
        f"{label}: {rec.duration_s / 60:.1f} min at {rec.median_rate_hz:.0f} Hz, {len(session.reps)} reps in "
        f"{len(session.sets)} sets -> render {dt:.2f} s (target < {TARGET_RENDER_S:g} s), "
        f"HTML {size / 1e6:.2f} MB (target < {TARGET_HTML_BYTES / 1e6:.2f} MB)"
        f" [{'OK' if dt < TARGET_RENDER_S and size < TARGET_HTML_BYTES else 'MISSED'}]"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-sim", action="store_true", help="skip the simulated (segmenter) session")
    args = ap.parse_args()

    from reptrack.report.example import long_session

    _render(long_session(3600.0, 300, fs=100.0), "example")
    if args.no_sim:
        return 0

    from reptrack.analysis import analyze_file
    from reptrack.io.native import write_native
    from reptrack.sim import scenario_config, simulate

    cfg = dataclasses.replace(
        scenario_config("standing-fatigue", 7), n_sets=20, reps_per_set=15, reps_short_max=0,
        set_rest_s=(45.0, 55.0), sample_rate_hz=100.0, p_walk=0.0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hour.csv"
        t0 = time.perf_counter()
        res = simulate(cfg, 7)
        write_native(res.recording, path)
        print(f"simulated: {res.recording.duration_s / 60:.1f} min, {len(res.truth['reps'])} true reps "
              f"(simulate + write {time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        session = analyze_file(path)
        print(f"simulated: analyze {time.perf_counter() - t0:.2f} s (segmenter; not part of the render target)")
        _render(session, "simulated")
        out = Path(tmp) / "report.html"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reptrack", "report", str(path), "--out", str(out)], check=True,
                       capture_output=True)
        print(f"simulated: `reptrack report` process {time.perf_counter() - t0:.2f} s total "
              f"(start-up, read, analyse, render, write), {out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
