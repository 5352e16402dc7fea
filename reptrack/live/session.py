"""The live loop: batches in -> recorder, StreamAnalyzer, JSON lines, screen, cues.

:class:`LiveSession` is synchronous and does one batch at a time
(:meth:`LiveSession.feed`), so tests and benchmarks can drive it without an
event loop; :func:`run_live` is the asyncio driver that reads a source,
refreshes the screen a few times a second and turns Ctrl-C (SIGINT/SIGTERM)
into a normal stop: the source is closed, the analyzer flushed, the file
closed and a summary returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from ..guidance import Guidance
from ..model import Gap, Rep, SetSummary
from ..segment.stream import Event, Status, StreamAnalyzer
from .cues import CuePlayer
from .strapcheck import StrapMonitor, StrapReport

#: With no batch for this long (wall s) the sensor is shown as silent.
#: 1 s: Polar frames hold up to ~1 s of samples, so shorter silences are normal.
SILENT_AFTER_S = 1.5
#: How often the metronome is advanced (Hz): cues land within 1/20 s of their time.
CUE_TICK_HZ = 20.0
#: Stream-time extrapolation between batches is capped at this (s).
MAX_EXTRAPOLATE_S = 1.0


@dataclass
class LiveState:
    """Everything the screen shows (plain data, no rendering)."""

    source_label: str
    guidance: Guidance
    cues_notice: str | None = None
    status: Status | None = None
    stream_t: float = 0.0
    samples: int = 0
    rate_hz: float = 0.0
    reps: list[Rep] = field(default_factory=list)
    sets: list[SetSummary] = field(default_factory=list)
    log: deque[str] = field(default_factory=lambda: deque(maxlen=50))
    sensor_status: str = "waiting for data"
    gaps: list[Gap] = field(default_factory=list)
    strap_state: str = "waiting"  # waiting | ok | problem | skipped | off
    strap: StrapReport | None = None
    strap_note: str | None = None
    warning: str | None = None
    hint: str | None = None
    metronome: str | None = None
    out_path: str | None = None
    finished: bool = False
    last_batch_wall: float | None = None

    log_count: int = 0  # lines ever added (the log deque is bounded)

    def add(self, msg: str) -> None:
        """Append a line to the on-screen log."""
        self.log.append(msg)
        self.log_count += 1

    @property
    def lost_s(self) -> float:
        return float(sum(g.duration_s for g in self.gaps))


def rep_line(r: Rep) -> str:
    """One log line for a rep; flagged reps carry a cross and the flag names."""
    line = (
        f"set {r.set} rep {r.index_in_set}: lift {r.lift_s:.1f} s, pause {r.hold_s:.1f} s, "
        f"lower {r.lower_s:.1f} s, range {r.range_deg:.1f}\u00b0"
    )
    if r.flags:
        return line + " \u2717 " + ", ".join(r.flags)
    return line + " \u2713"


def event_to_json(ev: Event) -> dict[str, Any]:
    """One JSON object for one event (the ``--json`` line format).

    ``rep``: the fields of a rep in ``analyze --json`` plus ``reported_at``;
    ``set``: the fields of a set in ``analyze --json`` plus ``reported_at``;
    ``gap``: ``start``, ``end``, ``duration_s`` plus ``reported_at``.
    """
    from ..model import _clean

    if ev.kind == "rep" and ev.rep is not None:
        d = ev.rep.to_dict(include_reported_at=True)
        if d.get("reported_at") is None:
            d["reported_at"] = ev.at
        return {"event": "rep", **d}
    if ev.kind == "set" and ev.set is not None:
        return {"event": "set", **ev.set.to_dict(), "reported_at": _clean(ev.at)}
    if ev.kind == "gap" and ev.gap is not None:
        g = ev.gap
        return _clean({"event": "gap", "start": g.start, "end": g.end, "duration_s": g.duration_s, "reported_at": ev.at})
    raise ValueError(f"malformed event {ev!r}")


class LiveSession:
    """Feeds batches to the analyzer and everything that listens to it.

    Parameters
    ----------
    guidance:
        Tempo targets and flag rules (the same object ``analyze`` uses).
    nominal_rate_hz:
        The sensor's nominal rate (Hz) if known (profile or file metadata).
    writer:
        Optional recorder with ``write(t, acc)``, ``maybe_flush()``, ``close()``
        (:class:`reptrack.io.native.NativeCsvWriter`).
    json_out:
        Text stream for ``--json`` lines (None: no JSON).
    cues:
        Optional :class:`CuePlayer`.
    strap_check:
        Run the strap check before the first set and re-check between sets.
    gyro:
        The source also delivers ``Batch.gyro`` (a replayed file with a
        gyroscope): the wobble reads it as ``analyze`` does, and ``out_path``
        records it (``gx,gy,gz``).
    """

    def __init__(
        self,
        guidance: Guidance,
        nominal_rate_hz: float | None = None,
        *,
        writer: Any = None,
        out_path: str | None = None,
        json_out: IO[str] | None = None,
        cues: CuePlayer | None = None,
        strap_check: bool = True,
        source_label: str = "",
        note: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        gyro: bool = False,
    ) -> None:
        self.guidance = guidance
        self.nominal_rate_hz = nominal_rate_hz
        self.gyro = gyro
        self.sa = StreamAnalyzer(guidance, nominal_rate_hz=nominal_rate_hz, gyro=gyro)
        self.writer = writer
        self.out_path = out_path
        self.json_out = json_out
        self.cues = cues
        self.note = note
        self.clock = clock
        self.events: list[Event] = []
        self.strap = StrapMonitor(nominal_rate_hz) if strap_check else None
        self.state = LiveState(
            source_label=source_label,
            guidance=guidance,
            cues_notice=cues.notice if cues else None,
            reps=self.sa.reps,
            sets=self.sa.sets,
            strap_state="waiting" if strap_check else "off",
            out_path=out_path or getattr(writer, "path", None),
        )
        self._seen_gaps: set[tuple[float, float]] = set()
        self._t_first: float | None = None
        self._recheck_pending = False
        self._started = False
        self._finished = False
        if cues and cues.notice:
            self._say(cues.notice)

    def start(self, meta: dict[str, str] | None = None, nominal_rate_hz: float | None = None) -> None:
        """Called once the source is open: learn its nominal rate and open ``out_path``.

        ``meta`` (the source's ``# key: value`` metadata) goes into the CSV
        header, as ``record`` writes it.
        """
        if self._started:
            return
        self._started = True
        if nominal_rate_hz and not self.nominal_rate_hz:
            self.nominal_rate_hz = nominal_rate_hz
            self.sa = StreamAnalyzer(self.guidance, nominal_rate_hz=nominal_rate_hz, gyro=self.gyro)
            self.state.reps, self.state.sets = self.sa.reps, self.sa.sets
            if self.strap is not None:
                self.strap.nominal_rate_hz = nominal_rate_hz
        if self.out_path and self.writer is None:
            from ..io.native import NativeCsvWriter

            m = {k: str(v) for k, v in (meta or {}).items() if v is not None}
            if self.nominal_rate_hz:
                m.setdefault("sample_rate_hz", f"{self.nominal_rate_hz:.6g}")
            if "replay_of" not in m:
                m.setdefault("start_utc", _utc_now())
            m["recorded_by"] = "reptrack live"
            self.writer = NativeCsvWriter(self.out_path, m, gyro=self.gyro)

    # ------------------------------------------------------------------
    def _say(self, msg: str) -> None:
        """A line for the screen's log (and the ``note`` callback: stderr in --json mode)."""
        self.state.add(msg)
        if self.note is not None:
            self.note(msg)

    def _emit(self, ev: Event) -> None:
        self.events.append(ev)
        st = self.state
        if ev.kind == "rep" and ev.rep is not None:
            r = ev.rep
            self.state.add(rep_line(r))
            if "wobble" in r.flags:
                st.warning = f"wobble on rep {r.index_in_set}: control is slipping"
            else:
                st.warning = None
            st.hint = self._live_hint(r)
            if self.cues is not None:
                self.cues.on_rep(r)
            if st.strap_state == "waiting":
                st.strap_state = "skipped"
                self.state.add("strap check skipped: reps started before 3 s of stillness")
        elif ev.kind == "set" and ev.set is not None:
            s = ev.set
            line = f"set {s.index} done: {s.reps} of {s.target_reps} reps, {s.flagged} flagged"
            if s.hint:
                line += f" \u2014 {s.hint}"
            self.state.add(line)
            st.hint = s.hint
            st.warning = None
            self._recheck_pending = True
            if self.strap is not None:
                self.strap.clear()
        elif ev.kind == "gap" and ev.gap is not None:
            self.state.add(f"dropout: {ev.gap.duration_s:.1f} s of samples missing at {ev.gap.start:.1f} s")
        if self.json_out is not None:
            self.json_out.write(json.dumps(event_to_json(ev), allow_nan=False) + "\n")
            self.json_out.flush()

    def _live_hint(self, rep: Rep) -> str | None:
        """The core's "stop the set" hint for the set in progress (one rule, in the segmenter).

        The analyzer decides the hint when it reports the rep that lost
        control and puts it in the set's summary at the end of the set; this
        shows the same sentence as soon as it is decided.
        """
        hint = self.sa.status().hint
        if hint is None and self.sa.sets and self.sa.sets[-1].index == rep.set:
            hint = self.sa.sets[-1].hint
        return hint

    def _gap_events(self, gaps: list[Gap], at: float) -> list[Event]:
        out = []
        for g in gaps:
            key = (round(g.start, 3), round(g.end, 3))
            if key in self._seen_gaps:
                continue
            self._seen_gaps.add(key)
            self.state.gaps.append(g)
            out.append(Event("gap", at=at, gap=g))
        return out

    # ------------------------------------------------------------------
    def feed(self, batch: Any) -> list[Event]:
        """Process one batch (``t`` s, ``acc`` g, ``gaps``, ``status``); returns its events."""
        if not self._started:
            self.start()
        st = self.state
        now = self.clock()
        t = np.asarray(batch.t, dtype=np.float64)
        acc = np.asarray(batch.acc, dtype=np.float64).reshape(-1, 3)
        if getattr(batch, "status", None):
            st.sensor_status = str(batch.status)
            self.state.add(f"sensor: {batch.status}")
        if len(t) == 0:
            return []
        gyro = None
        if self.gyro:
            g = getattr(batch, "gyro", None)
            gyro = np.full((len(t), 3), np.nan) if g is None else np.asarray(g, dtype=np.float64).reshape(-1, 3)
        if self.writer is not None:
            self.writer.write(t, acc, gyro)
            self.writer.maybe_flush()
        if self._t_first is None:
            self._t_first = float(t[0])
        st.last_batch_wall = now
        st.samples += len(t)
        st.stream_t = float(t[-1])
        if st.sensor_status in ("waiting for data", "connected", "reconnected"):
            st.sensor_status = "streaming"

        events: list[Event] = []
        # Gaps the source located first, then whatever the analyzer reports.
        events += self._gap_events(list(getattr(batch, "gaps", []) or []), st.stream_t)
        for ev in self.sa.push(t, acc, gyro):
            if ev.kind == "gap" and ev.gap is not None:
                events += self._gap_events([ev.gap], ev.at)
            else:
                events.append(ev)
        span = st.stream_t - self._t_first - st.lost_s  # time with samples, dropouts excluded
        if span > 0:
            st.rate_hz = (st.samples - 1) / span
        for ev in events:
            self._emit(ev)
        self._strap_step(t, acc)
        return events

    def _strap_step(self, t: np.ndarray, acc: np.ndarray) -> None:
        if self.strap is None:
            return
        st = self.state
        self.strap.push(t, acc)
        if st.strap_state == "waiting":
            rep = self.strap.first_check()
            if rep is None:
                return
            st.strap = rep
            if rep.ok:
                st.strap_state = "ok"
                self._say(rep.summary())
            elif rep.still:
                # A signal problem waiting will not fix: say it once, keep counting.
                st.strap_state = "problem"
                self._say(rep.summary())
        elif self._recheck_pending and self.sa.status().phase == "resting":
            rep, note = self.strap.recheck()
            if rep is None:
                return
            if not rep.still:
                self.strap.clear()  # moving during the rest: try again on fresh samples
                return
            self._recheck_pending = False
            st.strap = rep
            if note:
                st.strap_note = note
                self.state.add(note)  # quiet: log only, no cue

    def tick(self, wall_now: float | None = None, speed: float = 1.0) -> None:
        """Between batches: sensor silence and the metronome (called by the screen loop)."""
        st = self.state
        wall_now = self.clock() if wall_now is None else wall_now
        if self._started:
            st.status = self.sa.status()
        if st.last_batch_wall is not None and not st.finished:
            silent = wall_now - st.last_batch_wall
            if silent > SILENT_AFTER_S:
                st.sensor_status = f"no data for {silent:.0f} s (sensor out of range or off?)"
            elif st.sensor_status.startswith("no data"):
                st.sensor_status = "streaming"
        if self.cues is not None and st.status is not None:
            self.cues.update(st.status.phase, st.status.phase_since, self.display_time(wall_now, speed))
            st.metronome = self.cues.last_word

    def display_time(self, wall_now: float, speed: float = 1.0) -> float:
        """Stream time now, extrapolated from the last batch (s)."""
        st = self.state
        if st.last_batch_wall is None or st.finished or speed <= 0:
            return st.stream_t
        return st.stream_t + min(MAX_EXTRAPOLATE_S, max(0.0, (wall_now - st.last_batch_wall) * speed))

    def finish(self) -> list[Event]:
        """End of stream: flush the analyzer, close the file (idempotent)."""
        if self._finished:
            return []
        self._finished = True
        if not self._started:
            self.start()
        events: list[Event] = []
        try:
            for ev in self.sa.finish():
                if ev.kind == "gap" and ev.gap is not None:
                    events += self._gap_events([ev.gap], ev.at)
                else:
                    events.append(ev)
            for ev in events:
                self._emit(ev)
            self.state.status = self.sa.status()
        finally:
            self.state.finished = True
            if self.writer is not None:
                self.writer.close()
            if self.cues is not None:
                self.cues.close()
        return events

    # ------------------------------------------------------------------
    def summary(self) -> str:
        """Plain-text summary printed after the session (ends with a newline)."""
        st = self.state
        reps, sets = self.sa.reps, self.sa.sets
        flagged = sum(1 for r in reps if r.flags)
        lines = [
            f"reptrack live: {st.stream_t:.1f} s of data ({st.samples} samples"
            + (f", {st.rate_hz:.1f} Hz" if st.rate_hz else "")
            + (f", {len(st.gaps)} dropout(s), {st.lost_s:.1f} s missing" if st.gaps else "")
            + ")",
        ]
        for s in sets:
            lines.append(
                f"Set {s.index}: {s.reps} of {s.target_reps} reps, {s.flagged} flagged, "
                f"tempo compliance {s.compliance * 100:.0f}%" + (f" \u2014 {s.hint}" if s.hint else "")
            )
        lines.append(f"Total: {len(reps)} reps in {len(sets)} set(s), {flagged} flagged.")
        if st.strap is not None and st.strap_state in ("ok", "problem"):
            lines.append(st.strap.summary())
        if st.out_path:
            lines.append(f"Recorded to {st.out_path} (reptrack analyze {st.out_path} for the per-rep table).")
        return "\n".join(lines) + "\n"


def replay_session(rec: Any, guidance: Guidance, chunk_s: float = 1.0, **kw: Any) -> LiveSession:
    """Run a whole recording through the live path synchronously (speed 0).

    The same path as ``reptrack live --replay FILE --speed 0``; used by tests
    and benchmarks.
    """
    from .replay import ReplaySource, iter_chunks

    kw.setdefault("gyro", rec.has_gyro)
    sess = LiveSession(guidance, rec.nominal_rate_hz, **kw)
    sess.start(ReplaySource(rec, speed=0).meta, rec.nominal_rate_hz)
    for b in iter_chunks(rec, chunk_s):
        sess.feed(b)
    sess.finish()
    return sess


async def run_live(
    source: Any,
    session: LiveSession,
    view: Any = None,
    *,
    speed: float = 1.0,
    refresh_hz: float = 4.0,
    install_signals: bool = True,
) -> str:
    """Drive ``session`` from ``source`` until the stream ends or Ctrl-C.

    ``view`` (optional) has ``update(state, wall_now)``; it is refreshed
    ``refresh_hz`` times a second.  Returns ``"end"`` or ``"stopped"``.
    Source errors (e.g. :class:`~reptrack.errors.SensorError` after the
    reconnect timeout) propagate after the session is finished and the file
    closed.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed: list[int] = []
    if install_signals:
        # Ctrl-C, kill, and the terminal closing all stop normally (file closed, summary).
        for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)

    async def feed() -> None:
        cm = source if hasattr(source, "__aenter__") else contextlib.nullcontext(source)
        async with cm as src:
            meta = dict(getattr(src, "meta", None) or {})
            rate = getattr(src, "nominal_rate_hz", None) or _float(meta.get("sample_rate_hz"))
            session.start(meta, rate)
            async for batch in src:
                session.feed(batch)
                if stop.is_set():
                    break

    async def refresh() -> None:
        # The metronome ticks at CUE_TICK_HZ (cue timing within ~50 ms); the
        # screen is redrawn at refresh_hz (drawing is the expensive part).
        every = max(1, round(CUE_TICK_HZ / refresh_hz))
        n = 0
        while True:
            session.tick(speed=speed)
            if view is not None and n % every == 0:
                view.update(session.state, time.monotonic())
            n += 1
            await asyncio.sleep(1.0 / CUE_TICK_HZ)

    feeder = asyncio.create_task(feed())
    painter = asyncio.create_task(refresh())
    stopper = asyncio.create_task(stop.wait())
    outcome = "end"
    try:
        done, _ = await asyncio.wait({feeder, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done and feeder not in done:
            outcome = "stopped"
            feeder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feeder  # re-raises source errors
        if stop.is_set():
            outcome = "stopped"
    finally:
        for task in (painter, stopper, feeder):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await painter
        session.finish()
        if view is not None:
            session.tick(speed=0)
            view.update(session.state, time.monotonic())
        for sig in installed:
            loop.remove_signal_handler(sig)
    return outcome


def _float(s: Any) -> float | None:
    try:
        return float(s) if s is not None else None
    except (TypeError, ValueError):
        return None


def _utc_now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
