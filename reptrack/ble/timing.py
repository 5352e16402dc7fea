"""Per-sample times for a BLE stream.

Two cases:

* **Device time base** (Polar, Movesense, ``nus-binary``: the payload carries a
  device clock or counter).  :class:`DeviceTimeline` maps device seconds onto
  the stream's axis (seconds since the stream's first sample), drops samples
  that are not after the previous one (a resent packet can never produce a
  duplicate row), and reports a gap wherever consecutive samples are further
  apart than ``GAP_FACTOR`` nominal periods -- so every lost packet is found.
  When the device clock restarts (``discontinuity``, e.g. a Polar H10 resets
  its clock after about a minute off the strap) the timeline re-anchors on the
  host clock and marks the jump as a gap.

* **No device clock** (MetaWear, WitMotion, micro:bit, Thingy:52).
  :class:`HostSpreader` places samples at the nominal rate, continuing from
  the previous sample, and uses host *arrival* times only to (a) start a new
  run after a gap and (b) follow a device whose real rate differs from the
  nominal one.  This is best effort and the docs say so: BLE delivers
  notifications in bursts once per connection interval (7.5-100 ms, plus OS
  scheduling), so a loss shorter than :data:`HOST_GAP_TOLERANCE_S` cannot be
  told apart from delivery jitter and goes unreported, and a delivery stall
  longer than it (with no data lost) shows up as a false gap.
"""

from __future__ import annotations

import math

import numpy as np

from ..model import GAP_FACTOR, Gap

#: Arrival lateness (s) beyond the usual delivery delay that counts as a gap
#: for clock-less sensors: a few BLE connection intervals (max 100 ms in
#: practice for sensors streaming >= 25 Hz) plus OS scheduling slack.
HOST_GAP_TOLERANCE_S = 0.25

#: The usual-delay floor may creep up by this many seconds per second of
#: stream, so a device up to 2 % slower than nominal is followed without
#: false gaps (crystal tolerances are ~0.01-0.1 %, MEMS internal oscillators
#: up to +-1-2 % per their data sheets).
FLOOR_LEAK_S_PER_S = 0.02

#: Rate adaptation: the period estimate is refitted from arrivals over windows
#: of at least this many seconds, clamped to +-5 % of nominal.
RATE_WINDOW_S = 5.0
RATE_CLAMP = 0.05


class DeviceTimeline:
    """Device seconds -> stream seconds, with duplicate removal and gap detection.

    ``rate_hz`` is the nominal sample rate (gap threshold ``GAP_FACTOR / rate_hz``).
    """

    def __init__(self, rate_hz: float) -> None:
        self.rate_hz = float(rate_hz)
        self.offset: float | None = None  # stream t = device t - offset
        self.last_t: float | None = None  # stream s of the last sample placed
        self.last_host: float | None = None  # host clock when it arrived
        self.duplicates = 0

    def place(self, t_dev: np.ndarray, host_now: float, discontinuity: bool = False) -> tuple[np.ndarray, list[Gap], np.ndarray]:
        """Stream times for device times ``t_dev`` (s).

        Returns ``(t, gaps, keep)``: ``keep`` is the mask of samples kept
        (those strictly after the previous sample), ``t`` their stream times.
        """
        t_dev = np.asarray(t_dev, dtype=np.float64)
        if len(t_dev) == 0:
            return t_dev, [], np.zeros(0, bool)
        if self.offset is None:
            self.offset = float(t_dev[0])
        elif discontinuity and self.last_t is not None and self.last_host is not None:
            # Device clock restarted: continue from the last sample plus the
            # host time that passed (at least one period).
            elapsed = max(host_now - self.last_host, 1.0 / self.rate_hz)
            self.offset = float(t_dev[0]) - (self.last_t + elapsed)
        t = t_dev - self.offset
        keep = np.ones(len(t), bool)
        if self.last_t is not None:
            keep = t > self.last_t + 1e-9
        # Within a packet times must increase too.
        if len(t) > 1:
            running = np.maximum.accumulate(np.where(keep, t, -np.inf))
            keep &= t >= running
            keep[1:] &= np.diff(t) > 0
        self.duplicates += int((~keep).sum())
        t = t[keep]
        gaps: list[Gap] = []
        if len(t):
            limit = GAP_FACTOR / self.rate_hz
            prev = self.last_t
            if prev is not None and t[0] - prev > limit:
                gaps.append(Gap(prev, float(t[0])))
            dt = np.diff(t)
            for i in np.flatnonzero(dt > limit):
                gaps.append(Gap(float(t[i]), float(t[i + 1])))
            self.last_t = float(t[-1])
            self.last_host = host_now
        return t, gaps, keep

    def link_lost(self) -> None:
        """Nothing to do: the device clock spans the outage (kept for symmetry)."""


class HostSpreader:
    """Times for clock-less sensors from notification arrival times.

    ``place(arrival_s, n)`` returns the stream times of the ``n`` samples of a
    notification that arrived at host time ``arrival_s`` (seconds on any
    monotonic clock), and a :class:`Gap` if one was detected before them.
    Times are strictly increasing; their offset from the host clock is
    arbitrary (only differences matter: stream time starts at 0).
    """

    def __init__(self, rate_hz: float, tolerance_s: float = HOST_GAP_TOLERANCE_S) -> None:
        self.nominal_period = 1.0 / float(rate_hz)
        self.period = self.nominal_period
        self.tolerance_s = float(tolerance_s)
        self.origin: float | None = None  # host time of stream t = 0
        self.last_t: float | None = None  # stream s of the last sample
        self.floor: float | None = None  # usual arrival delay (s) of a packet's last sample
        self.last_arrival: float | None = None
        self._win: tuple[float, float, int] | None = None  # (stream t, floor, samples) at window start
        self._count = 0
        self._relink = False
        self._skipped = 0

    def skip(self, n: int) -> None:
        """``n`` samples are known to be lost here (a corrupt notification):
        the next packet continues ``n`` periods later and the hole is a gap."""
        if self.last_t is not None and n > 0:
            self._skipped += int(n)

    def link_lost(self) -> None:
        """The link dropped: the next packet starts a new run (its gap is reported)."""
        self._relink = True

    def place(self, arrival_s: float, n: int) -> tuple[np.ndarray, Gap | None]:
        if n <= 0:
            return np.zeros(0), None
        if self.origin is None:
            self.origin = arrival_s - (n - 1) * self.period
            t = np.arange(n) * self.period
            self._finish(t, arrival_s, 0.0, n, reset_window=True)
            return t, None
        a = arrival_s - self.origin  # arrival on the stream axis
        assert self.last_t is not None and self.floor is not None and self.last_arrival is not None
        # The floor may creep up (device slower than nominal).
        floor = self.floor + FLOOR_LEAK_S_PER_S * max(a - self.last_arrival, 0.0)
        skipped, self._skipped = self._skipped, 0
        cont = self.last_t + self.period * np.arange(skipped + 1, skipped + n + 1)
        lag = a - cont[-1]
        gap: Gap | None = Gap(self.last_t, float(cont[0])) if skipped else None
        if self._relink or lag - floor > self.tolerance_s:
            # Start a new run: the last sample arrived with the usual delay.
            end = a - max(floor, 0.0)
            start = max(end - (n - 1) * self.period, self.last_t + self.period * (skipped + 1))
            t = start + self.period * np.arange(n)
            if t[0] - self.last_t > GAP_FACTOR * self.nominal_period or self._relink:
                gap = Gap(self.last_t, float(t[0]))
            self._relink = False
            self._finish(t, a, floor, n, reset_window=True)
            return t, gap
        t = cont
        self._finish(t, a, min(floor, a - t[-1]), n, reset_window=False)
        return t, gap

    def _finish(self, t: np.ndarray, a: float, floor: float, n: int, reset_window: bool) -> None:
        self.last_t = float(t[-1])
        self.last_arrival = a
        self.floor = floor
        self._count += n
        if reset_window or self._win is None:
            self._win = (self.last_t, floor, self._count)
            return
        t0, f0, c0 = self._win
        if a - t0 >= RATE_WINDOW_S and self._count > c0:
            # Floor-corrected arrival of the last sample, now vs. the window
            # start, over the samples in between = the device's real period.
            measured = ((self.last_t + floor) - (t0 + f0)) / (self._count - c0)
            lo, hi = self.nominal_period * (1 - RATE_CLAMP), self.nominal_period * (1 + RATE_CLAMP)
            if math.isfinite(measured) and measured > 0:
                self.period = min(max(measured, lo), hi)
            self._win = (self.last_t, floor, self._count)
