"""Live-path benchmarks (issue #5); prints figures, not pass/fail.

Parts (``python benchmarks/bench_live.py [speed|cpu|latency|all]``):

speed
    Replay at ``--speed 0`` through the live path: stream seconds processed
    per wall second, in-process (:func:`reptrack.live.session.replay_session`,
    strap check and JSON lines included) and as a CLI process including
    start-up (``reptrack live --replay F --speed 0 --json > /dev/null``).
    Target: >= 200x real time.
cpu
    ``reptrack live --replay F --speed 1`` of a 100 Hz recording (~25 s): CPU
    time (user+sys, from ``resource.getrusage`` of the child) over wall time,
    with the full-screen view in a real tmux pane, and in ``--json`` mode.
    Also the steady-state share after start-up (from /proc, seconds 5..end).
    Target: < 10 % of one core.
latency
    Wall-clock rep latency per firmware profile through the emulated sensor
    (``emulated:FILE?profile=ID&speed=X``: a real GATT server on a virtual
    radio, bleak client, decoder, live session).  For each rep: the wall time
    it was reported minus the wall time its ``end`` sample was taken by the
    emulated sensor, scaled by ``speed`` to real-time seconds; and the
    algorithmic part (``reported_at - end``, stream time).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXE = Path(sys.executable).with_name("reptrack")


def sim_file(dirpath: Path, name: str, rate_hz: float, seed: int, **over) -> Path:
    from reptrack.sim import scenario_config, simulate, write_simulation

    cfg = dataclasses.replace(scenario_config(name, seed=seed), sample_rate_hz=rate_hz, **over)
    p = dirpath / f"{name}-{rate_hz:g}hz-{seed}.csv"
    write_simulation(simulate(cfg, seed=seed), p)
    return p


def sim_clip(tmp: Path, seed: int, seconds: float, name: str) -> tuple[Path, float]:
    """The first ``seconds`` of a 100 Hz seated session as a native CSV; returns (path, duration s)."""
    from reptrack.io import read_recording
    from reptrack.io.native import write_native

    rec = read_recording(sim_file(tmp, "seated-3x15", 100.0, seed))
    keep = rec.t <= seconds
    clip = dataclasses.replace(rec, t=rec.t[keep], acc=rec.acc[keep], gyro=None, gyro_t=None, gaps=[])
    f = tmp / name
    write_native(clip, f)
    return f, clip.duration_s


# ---------------------------------------------------------------------------
def bench_speed(tmp: Path) -> None:
    from reptrack.guidance import load_guidance
    from reptrack.io import read_recording
    from reptrack.live.session import replay_session

    files = sorted((ROOT / "sample_data").glob("*.csv"))
    files.append(sim_file(tmp, "standing-fatigue", 100.0, 301))
    print("replay --speed 0 (stream s per wall s):")
    print(f"  {'file':<34} {'stream s':>8} {'in-proc':>9} {'CLI':>9}  reps")
    for f in files:
        rec = read_recording(f)
        g = load_guidance(rec.meta.get("guidance") or None)
        sink = open(os.devnull, "w")
        t0 = time.perf_counter()
        sess = replay_session(rec, g, json_out=sink)
        dt = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([str(EXE), "live", "--replay", str(f), "--speed", "0", "--json"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        dcli = time.perf_counter() - t0
        print(f"  {f.name:<34} {rec.duration_s:8.0f} {rec.duration_s / dt:8.0f}x {rec.duration_s / dcli:8.0f}x  {len(sess.sa.reps)}")


# ---------------------------------------------------------------------------
WRAPPER = r"""
import os, resource, subprocess, sys, time
out = sys.argv[1]
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[2:])
def cpu(pid):
    with open(f"/proc/{pid}/stat") as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
mark = None
while p.poll() is None:
    time.sleep(0.2)
    if mark is None and time.monotonic() - t0 >= 5.0:
        try: mark = (time.monotonic(), cpu(p.pid))
        except OSError: pass
    if mark is not None:
        try: last = (time.monotonic(), cpu(p.pid))
        except OSError: pass
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
steady = (last[1] - mark[1]) / (last[0] - mark[0]) if mark and last[0] > mark[0] else float("nan")
open(out, "w").write(f"{ru.ru_utime + ru.ru_stime} {wall} {steady} {p.returncode}\n")
"""


def bench_cpu(tmp: Path) -> None:
    f, duration = sim_clip(tmp, 302, 25.0, "clip100.csv")
    wrapper = tmp / "wrap.py"
    wrapper.write_text(WRAPPER)
    print(f"live CPU at 100 Hz ({duration:.0f} s replay at speed 1):")

    def report(label: str, res: Path) -> None:
        cpu, wall, steady, rc = res.read_text().split()
        print(f"  {label:<30} CPU {float(cpu):5.2f} s / wall {float(wall):5.1f} s = {100 * float(cpu) / float(wall):4.1f}% of a core"
              f" (steady state after 5 s: {100 * float(steady):4.1f}%), exit {rc}")

    res = tmp / "json.txt"
    subprocess.run([sys.executable, str(wrapper), str(res), str(EXE), "live", "--replay", str(f), "--speed", "1", "--json",
                    "--out", str(tmp / "o1.csv")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    report("--json", res)
    tmux = shutil.which("tmux")
    if not tmux:
        print("  full-screen view: skipped (tmux not installed)")
        return
    res = tmp / "tui.txt"
    sock = str(tmp / "t.sock")
    cmd = f"{sys.executable} {wrapper} {res} {EXE} live --replay {f} --speed 1 --out {tmp / 'o2.csv'} --cues bell"
    subprocess.run([tmux, "-S", sock, "new-session", "-d", "-x", "120", "-y", "40", cmd], check=True)
    deadline = time.monotonic() + 120
    while not res.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    subprocess.run([tmux, "-S", sock, "kill-server"], capture_output=True)
    report("full-screen view (tmux)", res)


# ---------------------------------------------------------------------------
PROFILES = ("polar-h10", "polar-verity-sense", "movesense", "metamotion", "nus-binary", "nus-text", "witmotion",
            "microbit", "thingy52")


async def _latency_one(path: Path, profile: str, speed: float) -> tuple[list[float], list[float], int]:
    from reptrack.ble.reader import SensorStream
    from reptrack.guidance import load_guidance
    from reptrack.live.session import LiveSession

    import numpy as np

    stream = SensorStream(f"emulated:{path}?profile={profile}&speed={speed:g}", reconnect_timeout_s=10)
    walls: list[float] = []
    algo: list[float] = []
    ts: list[np.ndarray] = []
    async with stream:
        emu = stream.emulator
        sess = LiveSession(load_guidance(), stream.rate_hz, strap_check=False)
        sess.start(stream.meta, stream.rate_hz)
        async for batch in stream:
            now = time.monotonic()
            if len(batch.t):
                ts.append(np.asarray(batch.t))
            for ev in sess.feed(batch):
                if ev.kind == "rep" and ev.rep is not None:
                    r = ev.rep
                    # No faults injected: the k-th sample received is the k-th the
                    # emulator took, so its wall time is exact even for sensors
                    # whose sample times are rebuilt from the host clock.
                    all_t = np.concatenate(ts)
                    k = min(int(np.searchsorted(all_t, r.end)), len(emu.log.t) - 1)
                    taken = emu._mono0 + (float(emu.log.t[k]) - emu._t0) / speed
                    walls.append((now - taken) * speed)
                    algo.append((r.reported_at if r.reported_at is not None else ev.at) - r.end)
        sess.finish()
    return walls, algo, int(stream.profile.samples_per_packet)


def bench_latency(tmp: Path, speed: float = 4.0) -> None:
    f, duration = sim_clip(tmp, 303, 70.0, "clip.csv")
    print(f"wall-clock rep latency through the emulated sensor ({duration:.0f} s clip, played at x{speed:g}, "
          "figures scaled to real time):")
    print(f"  {'profile':<20} {'pkt':>4} {'reps':>4} {'wall mean':>9} {'wall max':>8} {'algo mean':>9} {'algo max':>8}")
    for pid in PROFILES:
        try:
            walls, algo, spp = asyncio.run(_latency_one(f, pid, speed))
        except Exception as exc:  # a profile without an encoder, etc.
            print(f"  {pid:<20} failed: {exc}")
            continue
        if not walls:
            print(f"  {pid:<20} {spp:>4} no reps")
            continue
        print(f"  {pid:<20} {spp:>4} {len(walls):>4} {statistics.mean(walls):8.2f}s {max(walls):7.2f}s"
              f" {statistics.mean(algo):8.2f}s {max(algo):7.2f}s")


def main() -> None:
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    with tempfile.TemporaryDirectory(prefix="bench-live-") as d:
        tmp = Path(d)
        if part in ("speed", "all"):
            bench_speed(tmp)
        if part in ("cpu", "all"):
            bench_cpu(tmp)
        if part in ("latency", "all"):
            bench_latency(tmp)


if __name__ == "__main__":
    main()
