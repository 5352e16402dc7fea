"""BLE reader figures through the emulated sensor (no hardware needed).

1. CPU: a 200 Hz x 3-axis stream played in real time (speed=1) through the
   emulated sensor, recorded to CSV by the real reader.  The process's CPU
   time covers both the emulated sensor with its bumble stack *and* the
   reader, so the same stream is also played to a bare bleak subscriber that
   does nothing with the bytes (baseline); the reader's share is the
   difference (queueing, decoding, timing, CSV writing, its asyncio tasks).
   A second, less noisy figure sums the wall time spent inside the reader's
   own functions (callback, decode+timing, accounting, CSV write+fsync).
   Target: < 5 % of one core.
2. Recovery: the sensor drops the link every 5 s and comes back after 1 s;
   recovery = from the sensor advertising again to the first sample the
   reader decodes after reconnecting.  Target: < 3 s.

Usage: ``python benchmarks/bench_ble.py [--seconds S] [--profiles a,b]``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from reptrack.io.native import write_native
from reptrack.model import Recording

RATE_HZ = 200.0


def make_source(path: Path, seconds: float) -> None:
    t = np.arange(0, seconds + 1, 1 / RATE_HZ)
    acc = np.column_stack([0.2 * np.sin(t), 0.3 * np.cos(t), 0.95 + 0.01 * np.sin(7 * t)])
    write_native(Recording(t, acc), path)


class Timed:
    """Wraps methods to sum the wall time spent inside them (the reader's own code)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._saved: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, name: str) -> None:
        fn = getattr(owner, name)
        self._saved.append((owner, name, fn))

        def timed(*a: object, **k: object) -> object:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.total += time.perf_counter() - t0

        setattr(owner, name, timed)

    def restore(self) -> None:
        for owner, name, fn in reversed(self._saved):
            setattr(owner, name, fn)


async def run_reader(uri: str, out: Path, seconds: float) -> tuple[float, float, dict, list[float], float]:
    from reptrack.ble.reader import Batch, SensorStream, record
    from reptrack.io.native import NativeCsvWriter

    timer = Timed()
    for owner, name in ((SensorStream, "_enqueue"), (SensorStream, "_decode_one"), (SensorStream, "_account"),
                        (NativeCsvWriter, "write"), (NativeCsvWriter, "flush")):
        timer.wrap(owner, name)

    holder: dict = {}
    first_data: list[float] = []
    start: list[tuple[float, float]] = []

    def on_batch(b: Batch) -> None:
        if len(b):
            first_data.append(time.monotonic())
            if not start:  # measure the steady stream, not scanning/connecting
                start.append((time.process_time(), time.monotonic()))

    try:
        summary = await record(uri, str(out), duration_s=seconds, on_batch=on_batch,
                               on_open=lambda s: holder.setdefault("s", s))
    finally:
        timer.restore()
    c0, w0 = start[0]
    cpu, wall = time.process_time() - c0, time.monotonic() - w0
    log = holder["s"].emulator.log
    rec = []
    for back in log.event_times("advertise")[1:]:
        later = [m for m in first_data if m > back]
        if later:
            rec.append(later[0] - back)
    return cpu, wall, summary.stats, rec, timer.total / wall


async def run_baseline(uri: str, seconds: float) -> tuple[float, float]:
    """Same emulated stream into a bleak subscriber that drops the bytes."""
    from bleak import BleakClient, BleakScanner

    from reptrack.ble.emulated import DEFAULT_PROFILE, VirtualRadio, load_emulated, parse_emulated
    from reptrack.ble.encoders import Encoder
    from reptrack.ble.profiles import get_profile

    spec = parse_emulated(uri)
    prof = get_profile(spec.profile or DEFAULT_PROFILE)
    radio = VirtualRadio()
    sensor = load_emulated(spec, prof, Encoder(prof), radio)
    await sensor.start()
    start: list[tuple[float, float]] = []

    def on_data(_c: object, _d: bytearray) -> None:
        if not start:
            start.append((time.process_time(), time.monotonic()))

    dev = await BleakScanner.find_device_by_address(sensor.address, backend=radio.scanner_backend())
    async with BleakClient(dev, backend=radio.client_backend()) as client:
        await client.start_notify(prof.data_uuid, on_data)
        if prof.response_uuid and prof.response_uuid != prof.data_uuid:
            await client.start_notify(prof.response_uuid, lambda _c, _d: None)
        for cmd in prof.start:
            await client.write_gatt_char(prof.command_uuid, cmd, response=prof.write_with_response)
        while sensor.world_clock() < seconds:
            await asyncio.sleep(0.05)
    c0, w0 = start[0]
    cpu, wall = time.process_time() - c0, time.monotonic() - w0
    await sensor.stop()
    return cpu, wall


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--profiles", default="polar-h10,nus-binary,metamotion,microbit")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "src.csv"
        make_source(src, max(args.seconds, 20.0) + 2)
        print(f"200 Hz x 3 axes, {args.seconds:g} s real time per run")
        print(f"{'profile':<12} {'notif/s':>8} {'total CPU%':>10} {'baseline%':>10} {'reader%':>8} {'in reader code%':>16}")
        for pid in args.profiles.split(","):
            uri = f"emulated:{src}?profile={pid}&rate={RATE_HZ:g}&speed=1"
            cpu, wall, stats, _, inside = await run_reader(uri, Path(d) / f"{pid}.csv", args.seconds)
            bcpu, bwall = await run_baseline(uri, args.seconds)
            tot, base = 100 * cpu / wall, 100 * bcpu / bwall
            print(f"{pid:<12} {stats['received'] / wall:8.0f} {tot:10.1f} {base:10.1f} {tot - base:8.1f} {100 * inside:16.1f}")
        print("\nrecovery after a link drop (sensor away 1 s every 5 s, speed=1):")
        for pid in args.profiles.split(","):
            uri = f"emulated:{src}?profile={pid}&rate={RATE_HZ:g}&speed=1&disconnect_every=5&down=1"
            _, _, stats, rec, _ = await run_reader(uri, Path(d) / f"{pid}-r.csv", 20.0)
            if rec:
                print(f"{pid:<12} reconnects {stats['reconnects']}, recovery mean {np.mean(rec):.2f} s, max {np.max(rec):.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
