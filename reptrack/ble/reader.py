"""Stream samples from a BLE sensor (or an ``emulated:`` one) through bleak.

:class:`SensorStream` finds the sensor (address, name or ``emulated:PATH``),
picks its firmware profile, connects, subscribes, writes the start commands,
and yields :class:`Batch` es of samples with their own times.  When the link
drops it reconnects with backoff, re-subscribes and restarts the stream,
marking the gap; it gives up (:class:`~reptrack.errors.SensorError`) only when
the sensor stays away longer than ``reconnect_timeout_s``.

The bleak notification callback never blocks: it stamps the payload with the
host clock and puts it on an :class:`asyncio.Queue`; decoding and timing run
in the consumer (lessons from bleak's and Polar clients' issue trackers:
missed notifications when the loop blocks, reconnects that do not
re-subscribe, one timestamp per packet that must be spread over its samples).

:func:`record` writes a stream to native CSV (flushed at least once a second).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..errors import DecodeError, SensorError
from ..model import Gap

log = logging.getLogger(__name__)

_MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")
_UUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")

#: How long a first scan looks for the sensor (s).
SCAN_TIMEOUT_S = 10.0
#: Reconnect backoff: first wait, factor, cap (s).  The cap keeps recovery
#: within ~2 s of the sensor advertising again (scanning runs between waits).
BACKOFF_START_S, BACKOFF_FACTOR, BACKOFF_MAX_S = 0.1, 2.0, 2.0
#: No notification for this long while connected = the link is dead even if
#: the OS has not noticed yet (BLE supervision timeouts reach 32 s).
STALL_MIN_S = 5.0
#: How long to wait for the device's answer to the start commands (s).
START_ANSWER_S = 1.0
#: Pause between commands written without response (MetaWear drops commands
#: sent back to back, PROTOCOLS.md 2.6).
WRITE_GAP_S = 0.02
#: At most this many queued notifications are decoded into one Batch.
MAX_COALESCE = 256
#: Batches are yielded at most this often (s): notifications arriving closer
#: together are decoded and written together (the live view redraws at ~10-30 Hz).
BATCH_INTERVAL_S = 0.02
#: record() formats rows into the CSV at most this often (s); the writer
#: flushes and fsyncs at least once a second on top of that.
WRITE_INTERVAL_S = 0.25


@dataclass
class Batch:
    """Samples decoded from one or more notifications.

    ``t`` (n,) seconds since the stream's first sample (device time base where
    the sensor has one), ``acc`` (n, 3) g, ``gaps`` detected just before or
    within this batch, ``status`` a link event (``"connected"``,
    ``"disconnected"``, ``"reconnecting"``, ``"reconnected"``, ``"ended"``)
    for batches that carry one (then ``n`` may be 0).
    """

    t: np.ndarray
    acc: np.ndarray
    gaps: list[Gap] = field(default_factory=list)
    status: str | None = None

    @classmethod
    def event(cls, status: str) -> "Batch":
        return cls(np.zeros(0), np.zeros((0, 3)), [], status)

    def __len__(self) -> int:
        return int(len(self.t))


@dataclass
class RecordSummary:
    """What :func:`record` wrote: ``samples`` rows over ``duration_s`` seconds,
    the gaps found, the stream's counters and why it stopped (``duration``,
    ``interrupted``, ``ended`` or ``sensor lost``)."""

    path: str
    sensor: str
    profile: str
    samples: int
    duration_s: float
    gaps: list[Gap]
    stats: dict[str, int]
    stopped: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sensor": self.sensor,
            "profile": self.profile,
            "samples": self.samples,
            "duration_s": round(self.duration_s, 6),
            "gaps": [{"start": g.start, "end": g.end} for g in self.gaps],
            "stats": dict(self.stats),
            "stopped": self.stopped,
        }

    def format(self) -> str:
        """A few human lines (for ``reptrack record``)."""
        s = self.stats
        lost = sum(g.duration_s for g in self.gaps)
        lines = [
            f"recorded {self.samples} samples ({self.duration_s:.1f} s) from {self.sensor} [{self.profile}] to {self.path}",
            f"notifications {s.get('received', 0)}, corrupt {s.get('corrupt', 0)}, "
            f"reconnects {s.get('reconnects', 0)}, gaps {len(self.gaps)} ({lost:.2f} s, ~{s.get('lost', 0)} samples)",
            f"stopped: {self.stopped}",
        ]
        return "\n".join(lines) + "\n"


class StreamStopped(Exception):
    """:meth:`SensorStream.stop` was called before the stream was open."""


def _looks_like_address(s: str) -> bool:
    return bool(_MAC_RE.match(s) or _UUID_RE.match(s))


def _name_matches(wanted: str, name: str | None) -> bool:
    """Exact name, glob (``*``/``?``) or case-insensitive prefix ("Polar H10" finds "Polar H10 1A2B3C4D")."""
    import fnmatch

    if not name:
        return False
    if any(c in wanted for c in "*?["):
        return fnmatch.fnmatchcase(name, wanted)
    return name == wanted or name.lower().startswith(wanted.lower())


class SensorStream:
    """Async context manager and async iterator of :class:`Batch` (see module doc).

    ``sensor`` is an address (MAC, or the UUID macOS shows), an advertised
    name, or ``emulated:PATH[?options]``.  ``profile_id`` forces a firmware
    profile (default: the one whose name patterns / service match the
    advertisement).  ``profiles_dirs`` are extra profile directories.

    Attributes: ``profile`` (FirmwareProfile), ``meta`` (CSV header fields),
    ``stats`` (``received`` notifications, ``decoded`` samples, ``corrupt``
    notifications, ``lost`` samples estimated from gaps, ``duplicates``
    dropped, ``reconnects``), ``gaps`` (all gaps so far), ``emulator`` (the
    :class:`~reptrack.ble.emulated.EmulatedSensor` for ``emulated:``).
    """

    def __init__(
        self,
        sensor: str,
        profile_id: str | None = None,
        profiles_dirs: Sequence[str] = (),
        reconnect_timeout_s: float = 60.0,
        scan_timeout_s: float = SCAN_TIMEOUT_S,
    ) -> None:
        self.sensor = sensor
        self.profile_id = profile_id
        self.profiles_dirs = tuple(profiles_dirs)
        self.reconnect_timeout_s = float(reconnect_timeout_s)
        self.scan_timeout_s = float(scan_timeout_s)
        self.profile: Any = None
        self.meta: dict[str, str] = {}
        self.stats: dict[str, int] = {"received": 0, "decoded": 0, "corrupt": 0, "lost": 0, "duplicates": 0, "reconnects": 0}
        self.gaps: list[Gap] = []
        self.emulator: Any = None
        self.recoveries_s: list[float] = []  # link lost -> first sample after it (host s)
        self._clock: Callable[[], float] = time.monotonic
        self._scanner_backend: Any = None
        self._client_backend: Any = None
        self._queue: asyncio.Queue[tuple[str, int, float, bytes]] = asyncio.Queue()
        self._client: Any = None
        self._device: Any = None
        self._generation = 0
        self._decoder: Any = None
        self._timeline: Any = None
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._lost_at: float | None = None
        self._first_clock: float | None = None
        self._last_rx = time.monotonic()
        self._profiles: dict[str, Any] = {}

    # ------------------------------------------------------------------ setup
    async def __aenter__(self) -> "SensorStream":
        from .profiles import get_profile, load_profiles

        self._profiles = load_profiles(self.profiles_dirs)
        forced = get_profile(self.profile_id, self._profiles) if self.profile_id else None
        target = self.sensor
        if self.sensor.startswith("emulated:"):
            forced, target = await self._start_emulator(forced)
        try:
            device, adv = await self._find(target, self.scan_timeout_s)
            if self._stopping:
                raise StreamStopped()
            if device is None:
                raise SensorError(
                    f"no sensor matching {target!r} was found within {self.scan_timeout_s:g} s; "
                    "check it is on, charged and not connected to another app (`reptrack scan` lists nearby sensors)"
                )
            self._device = device
            if forced is None:
                from .profiles import match_profile

                forced = match_profile(adv.local_name, adv.service_uuids, self._profiles)
                if forced is None:
                    raise SensorError(
                        f"no firmware profile matches {adv.local_name or device.address!r}; "
                        "name one with --profile ID (`reptrack profiles` lists them) or add a TOML profile with --profiles DIR"
                    )
            self.profile = forced
            self._make_state()
            await self._first_connect()
        except BaseException:
            await self._shutdown()
            raise
        self.meta = {
            "sensor": adv.local_name or device.name or device.address,
            "address": device.address,
            "profile": self.profile.id,
            "sample_rate_hz": f"{self.profile.sample_rate_hz:g}",
            "time_base": self.profile.time_base,
            "start_utc": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._shutdown()

    async def _start_emulator(self, forced: Any) -> tuple[Any, str]:
        from .emulated import DEFAULT_PROFILE, VirtualRadio, load_emulated, parse_emulated
        from .encoders import Encoder
        from .profiles import get_profile

        spec = parse_emulated(self.sensor)
        if forced is None:
            forced = get_profile(spec.profile or DEFAULT_PROFILE, self._profiles)
        radio = VirtualRadio()
        self.emulator = load_emulated(spec, forced, Encoder(forced), radio)
        await self.emulator.start()
        self._clock = self.emulator.world_clock
        self._scanner_backend = radio.scanner_backend()
        self._client_backend = radio.client_backend()
        return forced, self.emulator.address

    def _make_state(self) -> None:
        from .decoders import make_decoder
        from .timing import DeviceTimeline, HostSpreader

        self._decoder = make_decoder(self.profile)
        rate = self.profile.sample_rate_hz
        if self.emulator is not None:
            rate = self.emulator.rate_hz
        self.rate_hz = float(rate)
        self._timeline = HostSpreader(rate) if self.profile.time_base == "none" else DeviceTimeline(rate)

    async def _find(self, target: str, timeout: float) -> tuple[Any, Any]:
        """Scan until an advertisement matches ``target`` (address or name)."""
        from bleak import BleakScanner

        by_address = _looks_like_address(target)
        found: asyncio.Future[tuple[Any, Any]] = asyncio.get_running_loop().create_future()

        def on_adv(device: Any, adv: Any) -> None:
            if found.done():
                return
            if by_address:
                ok = device.address.lower().replace("-", ":") == target.lower().replace("-", ":")
            else:
                ok = _name_matches(target, adv.local_name) or _name_matches(target, device.name)
            if ok:
                found.set_result((device, adv))

        kwargs: dict[str, Any] = {}
        if self._scanner_backend is not None:
            kwargs["backend"] = self._scanner_backend
        try:
            scanner = BleakScanner(on_adv, **kwargs)
            stopper = asyncio.ensure_future(self._stop_event.wait())
            try:
                async with scanner:
                    await asyncio.wait({found, stopper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopper.cancel()
        except SensorError:
            raise
        except Exception as exc:  # no adapter, permissions, BlueZ not running
            raise _no_radio(exc) from None
        if found.done():
            return found.result()
        found.cancel()
        return None, None

    async def _first_connect(self, attempts: int = 3) -> None:
        """Connect and start, retrying transient failures (BlueZ/WinRT aborts are common)."""
        delay = BACKOFF_START_S
        for i in range(attempts):
            try:
                await asyncio.wait_for(self._connect_and_start(), 30.0)
                return
            except (SensorError, StreamStopped):
                raise
            except Exception as exc:
                await self._drop_client()
                if "CharacteristicNotFound" in type(exc).__name__:
                    raise SensorError(
                        f"the sensor has no characteristic the {self.profile.id!r} profile needs ({_one_line(exc)}); "
                        "is this the right --profile for it? (`reptrack scan` shows the matching one)"
                    ) from None
                if i == attempts - 1:
                    name = self.sensor if self.emulator is None else self.emulator.name
                    raise SensorError(
                        f"could not connect to {name!r} and start its stream ({type(exc).__name__}: {_one_line(exc)}); "
                        "move it closer, make sure no phone app holds it, and try again"
                    ) from None
                log.info("connect attempt %d failed: %s", i + 1, _one_line(exc))
                await asyncio.sleep(delay)
                delay *= BACKOFF_FACTOR

    async def _connect_and_start(self) -> None:
        """Connect, subscribe (data + answers) and write the start commands."""
        from bleak import BleakClient

        self._generation += 1
        gen = self._generation
        kwargs: dict[str, Any] = {}
        if self._client_backend is not None:
            kwargs["backend"] = self._client_backend
        client = BleakClient(self._device, disconnected_callback=lambda _c: self._on_disconnect(gen), **kwargs)
        await client.connect()
        self._client = client
        prof = self.profile
        await client.start_notify(prof.data_uuid, lambda _ch, data: self._enqueue("data", gen, data))
        separate_answers = prof.response_uuid and prof.response_uuid != prof.data_uuid
        if separate_answers:
            await client.start_notify(prof.response_uuid, lambda _ch, data: self._on_answer(data))
        await self._write_start(client, bool(separate_answers))

    async def _write_start(self, client: Any, wait_answer: bool, retry: bool = True) -> None:
        prof = self.profile
        n0 = len(self._decoder.responses)
        for cmd in prof.start:
            await client.write_gatt_char(prof.command_uuid, cmd, response=prof.write_with_response)
            if not prof.write_with_response:
                await asyncio.sleep(WRITE_GAP_S)
        if not (wait_answer and prof.start):
            return
        deadline = time.monotonic() + START_ANSWER_S
        while len(self._decoder.responses) == n0 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for resp in self._decoder.responses[n0:]:
            if resp.restart and retry:
                for cmd in prof.stop:
                    await client.write_gatt_char(prof.command_uuid, cmd, response=prof.write_with_response)
                await self._write_start(client, wait_answer, retry=False)
                return
            if not resp.ok:
                raise SensorError(f"the sensor refused to start streaming: {resp.message}")

    def _enqueue(self, kind: str, gen: int, data: bytes | bytearray | None) -> None:
        # bleak callback: never blocks, never decodes.
        self._last_rx = time.monotonic()
        self._queue.put_nowait((kind, gen, self._clock(), bytes(data) if data is not None else b""))

    def _on_answer(self, data: bytes | bytearray) -> None:
        resp = self._decoder.control(bytes(data))
        if resp is not None and resp.stream_stopped:
            self._enqueue("stopped", self._generation, None)

    def _on_disconnect(self, gen: int) -> None:
        self._enqueue("disconnected", gen, None)

    def stop(self) -> None:
        """Ask the iterator to end after the batches already received."""
        self._stopping = True
        self._stop_event.set()
        self._queue.put_nowait(("stop", self._generation, self._clock(), b""))

    async def _shutdown(self) -> None:
        client, self._client = self._client, None
        self._generation += 1  # late callbacks from this client are ignored
        if client is not None:
            if client.is_connected and self.profile is not None:
                for cmd in self.profile.stop:
                    await _quietly(client.write_gatt_char(self.profile.command_uuid, cmd, response=self.profile.write_with_response), 2.0)
            await _quietly(client.disconnect(), 5.0)
        if self.emulator is not None:
            # bounded: a virtual controller that is already tearing down must
            # not hang the stop (seen as a rare hang in the test suite)
            await _quietly(self.emulator.stop(), 5.0)

    # ------------------------------------------------------------ iteration
    def elapsed_s(self) -> float:
        """Stream-clock seconds since the first sample arrived (0 before)."""
        return 0.0 if self._first_clock is None else self._clock() - self._first_clock

    def __aiter__(self) -> AsyncIterator[Batch]:
        return self._iterate()

    def _stall_s(self) -> float:
        prof = self.profile
        packet_s = prof.samples_per_packet / prof.sample_rate_hz
        speed = self.emulator.spec.speed if self.emulator is not None else 1.0
        return max(STALL_MIN_S, 20 * packet_s / speed) if speed > 0 else STALL_MIN_S

    async def _watchdog(self) -> None:
        """Enqueue a ``stall`` event when a connected sensor has sent nothing for a while."""
        while True:
            await asyncio.sleep(1.0)
            if self._client is not None and time.monotonic() - self._last_rx > self._stall_s():
                self._last_rx = time.monotonic()
                self._queue.put_nowait(("stall", self._generation, self._clock(), b""))

    async def _iterate(self) -> AsyncIterator[Batch]:
        self._last_rx = time.monotonic()
        watchdog = asyncio.ensure_future(self._watchdog())
        try:
            async for b in self._batches():
                yield b
        finally:
            watchdog.cancel()

    async def _batches(self) -> AsyncIterator[Batch]:
        yield Batch.event("connected")
        last_yield = 0.0
        while True:
            item = await self._queue.get()
            # Let a few more notifications gather (fewer, larger batches: cheaper
            # to decode and write; adds at most BATCH_INTERVAL_S of latency).
            wait = BATCH_INTERVAL_S - (time.monotonic() - last_yield)
            if item[0] == "data" and wait > 0 and self._queue.qsize() < MAX_COALESCE:
                await asyncio.sleep(wait)
            items = [item]
            while len(items) < MAX_COALESCE and not self._queue.empty():
                items.append(self._queue.get_nowait())
            last_yield = time.monotonic()
            ts: list[np.ndarray] = []
            accs: list[np.ndarray] = []
            gaps: list[Gap] = []
            event: str | None = None
            for kind, gen, arrival, payload in items:
                if gen != self._generation:
                    continue  # from a previous connection
                if kind == "data":
                    # Everything received is decoded, even after an event in the same drain.
                    self._decode_one(payload, arrival, ts, accs, gaps)
                    if event == "stall":
                        event = None  # data did come: the link is alive after all
                    continue
                if event is None or event == "stall":
                    event = kind
            if event == "stall":
                log.info("no data for %.1f s: treating the link as lost", self._stall_s())
                event = "disconnected"
            if ts:
                batch = Batch(np.concatenate(ts), np.concatenate(accs), gaps)
                self._account(batch)
                yield batch
            elif gaps:
                self.gaps.extend(gaps)
            if event is None:
                continue
            # Re-queue whatever followed the event (nothing from this generation should).
            if event == "stop":
                return
            if self.emulator is not None and self.emulator.finished.is_set():
                yield Batch.event("ended")
                return
            yield Batch.event("disconnected")
            async for b in self._reconnect():
                yield b
            if self._stopping:
                return

    def _decode_one(self, payload: bytes, arrival: float, ts: list[np.ndarray], accs: list[np.ndarray], gaps: list[Gap]) -> None:
        prof = self.profile
        self.stats["received"] += 1
        dec = self._decoder
        if prof.response_uuid and prof.response_uuid == prof.data_uuid:
            resp = dec.control(payload)
            if resp is not None:
                if not resp.ok and not resp.restart:
                    log.warning("sensor answered: %s", resp.message)
                return
        try:
            s = dec.feed(payload)
        except DecodeError as exc:
            log.debug("%s", exc)
            self.stats["corrupt"] = dec.errors
            if hasattr(self._timeline, "skip"):
                # Clock-less: a packet's worth of samples is known to be missing.
                self._timeline.skip(prof.samples_per_packet)
            return
        self.stats["corrupt"] = dec.errors
        n = len(s)
        if n == 0:
            return
        if self._first_clock is None:
            self._first_clock = arrival
        from .timing import HostSpreader

        tl = self._timeline
        if isinstance(tl, HostSpreader) or not np.isfinite(s.t).all():
            if not isinstance(tl, HostSpreader):  # a "device" profile that sent no times
                tl = self._timeline = HostSpreader(self.rate_hz)
            t, gap = tl.place(arrival, n)
            acc = s.acc
            if gap is not None:
                gaps.append(gap)
        else:
            t, g, keep = tl.place(s.t, arrival, discontinuity=bool(getattr(s, "discontinuity", False)))
            acc = s.acc[keep]
            gaps.extend(g)
        if len(t):
            if self._lost_at is not None:
                self.recoveries_s.append(time.monotonic() - self._lost_at)
                self._lost_at = None
            ts.append(t)
            accs.append(acc)

    def _account(self, batch: Batch) -> None:
        self.stats["decoded"] += len(batch)
        tl = self._timeline
        self.stats["duplicates"] = int(getattr(tl, "duplicates", 0))
        for g in batch.gaps:
            self.stats["lost"] += max(int(round(g.duration_s * self.rate_hz)) - 1, 0)
        self.gaps.extend(batch.gaps)

    async def _reconnect(self) -> AsyncIterator[Batch]:
        """Reconnect with backoff until ``reconnect_timeout_s``; re-subscribe and restart."""
        lost_at = time.monotonic()
        self._lost_at = lost_at
        await self._drop_client()
        self._decoder.reset()
        if hasattr(self._timeline, "link_lost"):
            self._timeline.link_lost()
        yield Batch.event("reconnecting")
        delay = BACKOFF_START_S
        last_error = "it was not seen advertising"
        while not self._stopping:
            remaining = self.reconnect_timeout_s - (time.monotonic() - lost_at)
            if remaining <= 0:
                break
            target = self.emulator.address if self.emulator is not None else self._device.address
            try:
                device, _adv = await self._find(target, min(remaining, 5.0))
                if device is not None:
                    self._device = device
                    await asyncio.wait_for(self._connect_and_start(), max(min(remaining, 20.0), 0.5))
                    self.stats["reconnects"] += 1
                    yield Batch.event("reconnected")
                    return
            except SensorError:
                raise
            except Exception as exc:  # BleakError, timeouts, OS errors: try again
                last_error = _one_line(exc)
                log.info("reconnect attempt failed: %s", last_error)
                await self._drop_client()
            if self.emulator is not None and self.emulator.finished.is_set():
                return
            await asyncio.sleep(min(delay, max(self.reconnect_timeout_s - (time.monotonic() - lost_at), 0)))
            delay = min(delay * BACKOFF_FACTOR, BACKOFF_MAX_S)
        if self._stopping:
            return
        raise SensorError(
            f"lost the sensor {self.meta.get('sensor', self.sensor)!r} and could not reconnect within "
            f"{self.reconnect_timeout_s:g} s ({last_error}); everything received before is saved"
        )

    async def _drop_client(self) -> None:
        """Forget the current client (late callbacks from it are ignored) and hang up."""
        client, self._client = self._client, None
        self._generation += 1
        if client is not None:
            await _quietly(client.disconnect(), 2.0)


async def _quietly(aw: Any, timeout: float) -> None:
    """Best-effort link housekeeping (stop commands, hang-up): failures are only logged.

    The caller's own cancellation (Ctrl-C) still propagates.
    """
    try:
        await asyncio.wait_for(aw, timeout)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
    except Exception as exc:
        log.debug("ignored while closing the link: %s", _one_line(exc))


def _no_radio(exc: BaseException) -> SensorError:
    """One sentence for "this machine cannot scan" (no adapter, Bluetooth off, no BlueZ/D-Bus, no permission)."""
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)):
        what = "the system Bluetooth service is not reachable (on Linux: BlueZ and D-Bus not running)"
    else:
        what = f"Bluetooth is not available ({type(exc).__name__}: {_one_line(exc)})"
    return SensorError(
        f"no usable Bluetooth adapter: {what}; switch Bluetooth on, check an adapter is present and that this "
        "user may use it (Linux: user in the bluetooth group)"
    )


@dataclass
class FoundSensor:
    """One advertising device seen by :func:`scan`: ``rssi`` in dBm, ``profile``
    the id of the firmware profile that matches it (None if none does)."""

    address: str
    name: str | None
    rssi: int | None
    profile: str | None
    service_uuids: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "name": self.name, "rssi": self.rssi, "profile": self.profile,
                "service_uuids": list(self.service_uuids)}


async def scan(timeout_s: float = 5.0, profiles_dirs: Sequence[str] = (), emulated: Sequence[str] = (),
               include_unknown: bool = False) -> list[FoundSensor]:
    """Scan for ``timeout_s`` seconds; sensors with a matching profile first, strongest signal first.

    ``emulated`` lists ``emulated:`` URIs to put on a virtual radio and scan
    instead of the real adapter (for demos and tests).  Raises
    :class:`SensorError` with one sentence when there is no usable adapter.
    """
    from bleak import BleakScanner

    from .profiles import get_profile, load_profiles, match_profile

    profiles = load_profiles(profiles_dirs)
    kwargs: dict[str, Any] = {}
    sensors: list[Any] = []
    try:
        if emulated:
            from .emulated import DEFAULT_PROFILE, VirtualRadio, load_emulated, parse_emulated
            from .encoders import Encoder

            radio = VirtualRadio()
            for i, uri in enumerate(emulated):
                spec = parse_emulated(uri)
                prof = get_profile(spec.profile or DEFAULT_PROFILE, profiles)
                sensors.append(load_emulated(spec, prof, Encoder(prof), radio, address=f"C0:00:00:00:01:{i + 1:02X}"))
                await sensors[-1].start()
            kwargs["backend"] = radio.scanner_backend()
        try:
            found = await BleakScanner.discover(timeout_s, return_adv=True, **kwargs)
        except SensorError:
            raise
        except Exception as exc:
            raise _no_radio(exc) from None
    finally:
        for s in sensors:
            await s.stop()
    out = []
    for device, adv in found.values():
        prof = match_profile(adv.local_name, adv.service_uuids, profiles)
        if prof is None and not include_unknown:
            continue
        out.append(FoundSensor(device.address, adv.local_name or device.name, adv.rssi,
                               prof.id if prof else None, list(adv.service_uuids)))
    out.sort(key=lambda f: (f.profile is None, -(f.rssi if f.rssi is not None else -999), f.address))
    return out


def _one_line(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()
    return s[0][:160] if s else type(exc).__name__


async def record(
    sensor: str,
    out: str,
    profile_id: str | None = None,
    duration_s: float | None = None,
    reconnect_timeout_s: float = 60.0,
    profiles_dirs: Sequence[str] = (),
    on_batch: Callable[[Batch], None] | None = None,
    stop: asyncio.Event | None = None,
    on_open: Callable[[SensorStream], None] | None = None,
) -> RecordSummary:
    """Record ``sensor`` to native CSV ``out`` until ``duration_s`` (stream seconds),
    ``stop`` is set, or (``emulated:``) the recording ends.

    The file is flushed (and fsync'ed) at least once a second, so it is valid
    up to the last flush even after a crash.  A :class:`SensorError` after
    the reconnect timeout propagates with the file closed and intact; the
    partial summary is attached to it as ``exc.summary``.
    """
    from ..io.native import NativeCsvWriter

    stream = SensorStream(sensor, profile_id, profiles_dirs, reconnect_timeout_s)
    stopped = "ended"

    async def watch_stop() -> None:
        assert stop is not None
        await stop.wait()
        stream.stop()

    stopper = asyncio.ensure_future(watch_stop()) if stop is not None else None
    try:
        await stream.__aenter__()
    except StreamStopped:
        # Stopped (Ctrl-C) while still looking for the sensor: nothing recorded, no file.
        return RecordSummary(str(out), sensor, profile_id or "?", 0, 0.0, [], dict(stream.stats), "interrupted")
    except BaseException:
        if stopper is not None:
            stopper.cancel()
        raise
    try:
        if on_open is not None:
            on_open(stream)
        writer = NativeCsvWriter(out, stream.meta)
        last_t = 0.0
        pending: list[tuple[np.ndarray, np.ndarray]] = []
        last_write = time.monotonic()

        def drain() -> None:
            # Rows are formatted in blocks (cheaper than per notification).
            nonlocal last_write
            if pending:
                writer.write(np.concatenate([p[0] for p in pending]), np.concatenate([p[1] for p in pending]))
                pending.clear()
            last_write = time.monotonic()

        async def flusher() -> None:
            while True:
                await asyncio.sleep(WRITE_INTERVAL_S)
                drain()
                writer.maybe_flush()
                if duration_s is not None and stream.elapsed_s() > duration_s + 2.0:
                    stream.stop()  # no data arrived to end it (link down)
                    return

        helpers = [asyncio.ensure_future(flusher())]
        if stopper is not None:
            helpers.append(stopper)
        try:
            async for batch in stream:
                t, acc = batch.t, batch.acc
                done = False
                if duration_s is not None and len(t) and t[-1] >= duration_s:
                    keep = t < duration_s
                    t, acc = t[keep], acc[keep]
                    batch = Batch(t, acc, [g for g in batch.gaps if g.end < duration_s], batch.status)
                    done = True
                if len(t):
                    pending.append((t, acc))
                    last_t = float(t[-1])
                if on_batch is not None:
                    on_batch(batch)
                if time.monotonic() - last_write >= WRITE_INTERVAL_S:
                    drain()
                    writer.maybe_flush()
                if done:
                    stopped = "duration"
                    break
                if batch.status == "ended":
                    stopped = "ended"
            else:
                if stream._stopping:
                    stopped = "interrupted" if (stop is not None and stop.is_set()) else "duration"
        except SensorError as exc:
            drain()
            writer.close()
            exc.summary = _summary(stream, out, writer.samples_written, last_t, "sensor lost")  # type: ignore[attr-defined]
            raise
        finally:
            for h in helpers:
                h.cancel()
            drain()
            writer.close()
        return _summary(stream, out, writer.samples_written, last_t, stopped)
    finally:
        if stopper is not None:
            stopper.cancel()
        await stream.__aexit__(None, None, None)


def _summary(stream: SensorStream, out: str, n: int, last_t: float, stopped: str) -> RecordSummary:
    gaps = [g for g in stream.gaps if g.end <= last_t + 1e-9]
    return RecordSummary(
        path=str(out),
        sensor=stream.meta.get("sensor", stream.sensor),
        profile=getattr(stream.profile, "id", "?"),
        samples=n,
        duration_s=last_t,
        gaps=gaps,
        stats=dict(stream.stats),
        stopped=stopped,
    )
