"""Play a recording through the live path (``reptrack live --replay FILE``).

The file is cut into chunks the way a sensor delivers notifications
(``chunk_s`` of samples each, default 0.1 s: a typical BLE connection
interval carries 1-10 samples) and each chunk is released when its last
sample is due: at wall time ``start + t_last / speed``.  ``speed=0`` releases
chunks as fast as the consumer takes them (for coaches reviewing a set, for
tests and benchmarks).  Gaps in the file are passed on as ``Batch.gaps`` in
the chunk that follows them, like a sensor with a device clock would.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import AsyncIterator, Iterator

import numpy as np

from ..model import Recording
from .source import Batch

#: Default chunk length (s of samples per batch) when playing in time.
#: 0.1 s is a typical BLE notification interval, so the screen moves smoothly.
DEFAULT_CHUNK_S = 0.1
#: Chunk length at ``speed=0``: 1 s, the largest frame a real sensor sends
#: (a Polar frame holds ~1 s of samples).  Fewer, larger pushes cut the
#: per-call overhead (>= 200x real time); the reps are the same because the
#: analyzer's answers, ``reported_at`` included, do not depend on chunking
#: (tests/test_live_parity.py).
FAST_CHUNK_S = 1.0


def iter_chunks(rec: Recording, chunk_s: float = DEFAULT_CHUNK_S) -> Iterator[Batch]:
    """Split ``rec`` into consecutive batches of ``chunk_s`` seconds of samples (>= 1 sample each),
    with its gyroscope at the same instants when it has one."""
    t, acc = rec.t, rec.acc
    gyro = rec.gyro_at_acc_times()
    n = len(t)
    if n == 0:
        return
    # Chunk boundaries on the time axis so a gap never splits a batch oddly.
    edges = np.searchsorted(t, np.arange(t[0] + chunk_s, t[-1] + chunk_s, chunk_s), side="right")
    gaps = sorted(rec.gaps, key=lambda g: g.end)
    gi = 0
    lo = 0
    for hi in edges:
        hi = int(min(hi, n))
        if hi <= lo:
            continue
        found = []
        t_hi = t[hi - 1]
        while gi < len(gaps) and gaps[gi].end <= t_hi:
            found.append(gaps[gi])
            gi += 1
        yield Batch(t=t[lo:hi], acc=acc[lo:hi], gaps=found, gyro=None if gyro is None else gyro[lo:hi])
        lo = hi
    if lo < n:
        yield Batch(t=t[lo:], acc=acc[lo:], gaps=list(gaps[gi:]), gyro=None if gyro is None else gyro[lo:])


class ReplaySource:
    """Async source playing ``rec`` at ``speed`` x real time (0 = no waiting).

    Usable as ``async with ReplaySource(rec) as src: async for batch in src``
    (the same shape as the BLE reader's ``SensorStream``).
    """

    def __init__(self, rec: Recording, speed: float = 1.0, chunk_s: float | None = None) -> None:
        if not (math.isfinite(speed) and speed >= 0):
            raise ValueError("speed must be a finite number >= 0")
        self.recording = rec
        self.speed = float(speed)
        self.chunk_s = float(chunk_s) if chunk_s else (FAST_CHUNK_S if self.speed == 0 else DEFAULT_CHUNK_S)
        self.meta: dict[str, str] = dict(rec.meta)
        if rec.nominal_rate_hz:
            self.meta.setdefault("sample_rate_hz", f"{rec.nominal_rate_hz:.6g}")
        if rec.start_utc:
            self.meta.setdefault("start_utc", rec.start_utc)
        self.meta["replay_of"] = str(rec.path or "recording")
        self.nominal_rate_hz = rec.nominal_rate_hz
        speed_txt = "as fast as possible" if self.speed == 0 else f"x{self.speed:g}"
        name = os.path.basename(str(rec.path)) if rec.path else "recording"
        self.label = f"replay {name} ({speed_txt})"

    async def __aenter__(self) -> "ReplaySource":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def __aiter__(self) -> AsyncIterator[Batch]:
        start = time.monotonic()
        t0 = float(self.recording.t[0]) if self.recording.n_samples else 0.0
        first = True
        n_since_yield = 0
        for batch in iter_chunks(self.recording, self.chunk_s):
            if first:
                batch.status = "replaying"
                first = False
            if self.speed > 0:
                due = start + (float(batch.t[-1]) - t0) / self.speed
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                # Let the screen and Ctrl-C handling run now and then.
                n_since_yield += 1
                if n_since_yield >= 10:
                    n_since_yield = 0
                    await asyncio.sleep(0)
            yield batch
