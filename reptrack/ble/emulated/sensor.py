"""A virtual sensor: plays a recording through a real (bumble) GATT server.

The emulated sensor samples the recording at the profile's nominal rate
(linear interpolation onto a perfect clock; grid points inside a gap of the
source recording are not sent, as a real sensor would have had nothing), packs
the samples with the profile's :class:`~reptrack.ble.encoders.Encoder` at the
profile's real packet size, and notifies them on the profile's data
characteristic once the central has subscribed (and, where the profile has a
start command, written it to the control characteristic; answers come from
``Encoder.control_response``).

Faults from the URI: ``disconnect_every`` (the peripheral drops the link,
stays silent for ``down`` stream seconds -- samples due then are never sent,
as with a real sensor out of range -- then advertises again),
``drop_packets`` and ``corrupt_packets`` (per notification, from a seeded
RNG; corruption cuts 1-5 bytes off the end, which every decoder must detect).

:attr:`EmulatedSensor.log` records the fate of every sample (sent, dropped,
corrupted, offline) so tests can check the recorder's output against what
actually went on air.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from bumble import gatt
from bumble.core import UUID
from bumble.device import AdvertisingEventProperties, AdvertisingParameters

from ...errors import SensorError
from .radio import VirtualRadio, bumble_device
from .uri import EmulatedSpec

log = logging.getLogger(__name__)

#: Sample fates in :class:`SentLog`.
PENDING, SENT, DROPPED, CORRUPTED, OFFLINE = 0, 1, 2, 3, 4

#: Advertising interval of the emulated sensor (ms).  Real sensors advertise
#: every 20-1000 ms; a short one keeps reconnect tests fast.
ADV_INTERVAL_MS = 20.0

SENSOR_ADDRESS = "C0:00:00:00:00:01"

#: Real seconds the sensor waits before dropping the link so packets already
#: handed to the virtual controller are delivered (the emulated link drops
#: between packets, never in the middle of one: what was sent arrives).
DRAIN_S = 0.02


@dataclass
class SentLog:
    """What the emulated sensor did with each sample of its stream.

    ``t`` (n,) stream seconds (the recording's own time base, first grid
    point = the recording's first sample), ``acc`` (n, 3) g, ``status`` (n,)
    one of PENDING/SENT/DROPPED/CORRUPTED/OFFLINE.  ``events`` lists
    ``(kind, stream_t, monotonic_s)`` for ``disconnect``, ``advertise``,
    ``connect``, ``start`` and ``end``.
    """

    t: np.ndarray
    acc: np.ndarray
    status: np.ndarray
    events: list[tuple[str, float, float]] = field(default_factory=list)
    packets: int = 0
    packet_sizes: list[int] = field(default_factory=list)

    def event_times(self, kind: str) -> list[float]:
        return [e[2] for e in self.events if e[0] == kind]


def sample_grid(t: np.ndarray, acc: np.ndarray, rate_hz: float, gap_factor: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Resample ``(t, acc)`` onto a perfect ``rate_hz`` clock starting at ``t[0]``.

    Grid points that fall inside a gap of the source (an interval longer than
    ``gap_factor`` source median periods, the model's gap rule) are left out.
    """
    if len(t) < 2:
        return t.copy(), acc.copy()
    n = int(np.floor((t[-1] - t[0]) * rate_hz + 1e-9)) + 1
    grid = t[0] + np.arange(n) / rate_hz
    out = np.column_stack([np.interp(grid, t, acc[:, k]) for k in range(3)])
    dt = np.diff(t)
    src_period = float(np.median(dt))
    gaps = np.flatnonzero(dt > gap_factor * src_period)
    if len(gaps):
        keep = np.ones(n, bool)
        for i in gaps:
            keep &= ~((grid > t[i]) & (grid < t[i + 1]))
        grid, out = grid[keep], out[keep]
    return grid, out


def advertised_name(profile: Any, override: str | None) -> str:
    """A name the profile's patterns match (``*``/``?`` globs or regex bits filled in)."""
    if override:
        return override
    for pat in getattr(profile, "name_patterns", None) or []:
        name = str(pat)
        for a, b in (("^", ""), ("$", ""), (".*", " EMU0001"), ("*", " EMU0001"), ("?", "E"), ("\\", "")):
            name = name.replace(a, b)
        name = " ".join(name.split())
        if name:
            return name
    return f"reptrack-emulated {getattr(profile, 'id', 'sensor')}"


def _adv_payloads(name: str, service_uuid: str | None) -> tuple[bytes, bytes]:
    flags = bytes([2, 0x01, 0x06])
    nb = name.encode()[:26]
    adv = flags + bytes([len(nb) + 1, 0x09]) + nb
    rsp = b""
    if service_uuid:
        u = UUID(service_uuid).to_bytes(force_128=True)
        rsp = bytes([len(u) + 1, 0x07]) + u
    return adv, rsp


class EmulatedSensor:
    """One emulated sensor on a :class:`VirtualRadio`.

    ``profile`` is a :class:`~reptrack.ble.profiles.FirmwareProfile`; ``encoder``
    an object with ``encode(t, acc) -> list[bytes]`` and
    ``control_response(cmd) -> bytes | list[bytes] | None``.
    """

    def __init__(self, spec: EmulatedSpec, profile: Any, encoder: Any, radio: VirtualRadio,
                 t: np.ndarray, acc: np.ndarray, address: str = SENSOR_ADDRESS) -> None:
        self.spec = spec
        self.profile = profile
        self.encoder = encoder
        self.radio = radio
        self.rate_hz = float(spec.rate or profile.sample_rate_hz)
        grid, vals = sample_grid(np.asarray(t, float), np.asarray(acc, float), self.rate_hz)
        self.log = SentLog(grid, vals, np.zeros(len(grid), np.int8))
        self.name = advertised_name(profile, spec.name)
        self.address = address
        self._rng = np.random.default_rng(spec.seed)
        self._device = bumble_device(radio.link, self.name, self.address)
        self._conn: Any = None
        self._streaming = asyncio.Event()
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pos = 0
        self._t0 = float(grid[0]) if len(grid) else 0.0
        self._world = self._t0  # speed 0: stream time of the last packet sent
        self._mono0: float | None = None
        self._needs_start = bool(getattr(profile, "start", None))
        self._adv_set: Any = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.finished = asyncio.Event()
        self._build_gatt()

    # -- GATT ---------------------------------------------------------------
    def _build_gatt(self) -> None:
        """Data (notify), command and answer characteristics at the profile's UUIDs."""
        p = self.profile
        P = gatt.Characteristic.Properties
        rw = gatt.Characteristic.READABLE | gatt.Characteristic.WRITEABLE
        value = gatt.CharacteristicValue(read=self._on_control_read, write=self._on_control_write)
        chars: dict[str, gatt.Characteristic] = {}
        data_props = P.NOTIFY | P.READ
        if not p.control_uuid or p.control_uuid == p.data_uuid:
            # Commands go to the data characteristic itself (e.g. NUS-style boards).
            chars[p.data_uuid] = gatt.Characteristic(p.data_uuid, data_props | P.WRITE | P.WRITE_WITHOUT_RESPONSE, rw, value)
        else:
            chars[p.data_uuid] = gatt.Characteristic(p.data_uuid, data_props, gatt.Characteristic.READABLE, b"")
            chars[p.control_uuid] = gatt.Characteristic(
                p.control_uuid, P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE | P.NOTIFY | P.INDICATE, rw, value
            )
        resp = getattr(p, "response_uuid", None)
        if resp and resp not in chars:
            chars[resp] = gatt.Characteristic(resp, P.NOTIFY | P.INDICATE | P.READ, gatt.Characteristic.READABLE, b"")
        self._data = chars[p.data_uuid]
        self._answers = chars.get(resp) if resp else None
        self._device.add_service(gatt.Service(p.service_uuid, list(chars.values())))
        self._device.gatt_server.max_mtu = 517
        self._data.on("subscription", self._on_data_subscription)
        self._device.on("connection", self._on_connection)

    def _on_control_read(self, connection: Any) -> bytes:
        return b""  # the encoders model command answers, not register reads

    def _respond(self, cmd: bytes) -> list[bytes]:
        fn = getattr(self.encoder, "control_response", None)
        r = fn(bytes(cmd)) if fn else None
        if r is None:
            return []
        return [bytes(r)] if isinstance(r, (bytes, bytearray)) else [bytes(x) for x in r]

    def _on_control_write(self, connection: Any, value: bytes) -> None:
        value = bytes(value)
        starts = [bytes(s) for s in (self.profile.start or [])]
        stops = [bytes(s) for s in (getattr(self.profile, "stop", None) or [])]
        if starts and value == starts[-1]:
            self._start_streaming()
        elif value in stops:
            self._streaming.clear()
        replies = self._respond(value)
        if replies:
            task = asyncio.get_running_loop().create_task(self._send_replies(replies))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send_replies(self, replies: list[bytes]) -> None:
        target = self._answers
        if target is None:
            return
        for r in replies:
            try:
                await self._device.notify_subscribers(target, r)
            except Exception as exc:  # link gone
                log.debug("reply: %s", exc)

    def _on_data_subscription(self, connection: Any, notify: bool, indicate: bool) -> None:
        if (notify or indicate) and not self._needs_start:
            self._start_streaming()
        elif not (notify or indicate):
            self._streaming.clear()

    def _start_streaming(self) -> None:
        if not self._streaming.is_set():
            self.log.events.append(("start", self.world_clock(), time.monotonic()))
        self._streaming.set()

    def _on_connection(self, connection: Any) -> None:
        self._conn = connection
        self._connected.set()
        self.log.events.append(("connect", self.world_clock(), time.monotonic()))
        connection.on("disconnection", self._on_disconnection)

    def _on_disconnection(self, reason: int) -> None:
        self._conn = None
        self._connected.clear()
        self._streaming.clear()

    # -- clock --------------------------------------------------------------
    def world_clock(self) -> float:
        """Stream time (s, recording time base) of the emulated world right now.

        Real time x speed since playback began; at speed 0 the time of the
        last packet sent (plus any offline stretches).
        """
        if self.spec.speed > 0 and self._mono0 is not None:
            return self._t0 + (time.monotonic() - self._mono0) * self.spec.speed
        return self._world

    async def _sleep_until(self, stream_t: float) -> None:
        if self.spec.speed <= 0:
            self._world = max(self._world, stream_t)
            await asyncio.sleep(0)
            return
        while True:
            now = self.world_clock()
            if now >= stream_t:
                return
            await asyncio.sleep(min((stream_t - now) / self.spec.speed, 0.5))

    # -- life cycle ---------------------------------------------------------
    async def start(self) -> None:
        # bumble logs link-layer chatter (e.g. late packets after a hang-up) as warnings.
        logging.getLogger("bumble").setLevel(logging.ERROR)
        await self._device.power_on()
        await self._advertise()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _advertise(self) -> None:
        """Connectable advertising with the name and the service UUID in one payload.

        An extended (BLE 5) advertising set: bumble's virtual controller echoes
        the advertising data as the scan response of legacy advertising, so the
        service UUID could not travel in a scan response as on most real sensors.
        """
        self.log.events.append(("advertise", self.world_clock(), time.monotonic()))
        if self._adv_set is None:
            adv, rsp = _adv_payloads(self.name, self.profile.service_uuid)
            params = AdvertisingParameters(
                advertising_event_properties=AdvertisingEventProperties(
                    is_connectable=True, is_scannable=False, is_legacy=False
                ),
                primary_advertising_interval_min=ADV_INTERVAL_MS,
                primary_advertising_interval_max=ADV_INTERVAL_MS,
            )
            self._adv_set = await self._device.create_advertising_set(
                advertising_parameters=params, advertising_data=adv + rsp, random_address=self._device.random_address
            )
        else:
            await self._adv_set.start()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        try:
            if self._conn is not None:
                await self._conn.disconnect()
            if self._adv_set is not None:
                await self._adv_set.stop()
        except Exception:
            pass

    async def _run(self) -> None:
        try:
            await self._play()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("emulated sensor failed")
            raise
        finally:
            self.finished.set()
        # End of the recording: the sensor switches off.
        await self._hang_up()
        try:
            if self._adv_set is not None:
                await self._adv_set.stop()
        except Exception:
            pass

    async def _hang_up(self) -> None:
        """Drop the link after letting packets already queued reach the central."""
        conn = self._conn
        if conn is None:
            return
        await asyncio.sleep(DRAIN_S)
        try:
            await conn.disconnect()
        except Exception as exc:
            log.debug("disconnect: %s", exc)

    def _mark_offline_until(self, stream_t: float) -> None:
        """Samples due before ``stream_t`` while nobody listens are never sent."""
        n = len(self.log.t)
        while self._pos < n and self.log.t[self._pos] < stream_t:
            self.log.status[self._pos] = OFFLINE
            self._pos += 1

    async def _play(self) -> None:
        spec = self.spec
        lg = self.log
        n = len(lg.t)
        spp = max(1, int(getattr(self.profile, "samples_per_packet", 1) or 1))
        next_drop = (self._t0 + spec.disconnect_every) if spec.disconnect_every else None
        await self._streaming.wait()
        self._mono0 = time.monotonic()
        while self._pos < n:
            if not self._streaming.is_set():
                # Waiting for the central to come back: the world goes on.
                while not self._streaming.is_set():
                    if spec.speed > 0:
                        self._mark_offline_until(self.world_clock())
                    try:
                        await asyncio.wait_for(self._streaming.wait(), 0.05)
                    except asyncio.TimeoutError:
                        pass
                if spec.speed > 0:
                    self._mark_offline_until(self.world_clock())
                if self._pos >= n:
                    break
            end = min(self._pos + spp, n)
            t_end = float(lg.t[end - 1])
            if next_drop is not None and t_end >= next_drop:
                await self._sleep_until(next_drop)
                await self._drop_link(next_drop)
                next_drop += spec.disconnect_every  # type: ignore[operator]
                continue
            await self._sleep_until(t_end)
            if not self._streaming.is_set():
                continue
            sl = slice(self._pos, end)
            packets = self.encoder.encode(lg.t[sl] - self._t0, lg.acc[sl])
            fate = SENT
            u = self._rng.random()
            if u < spec.drop_packets:
                fate = DROPPED
            elif u < spec.drop_packets + spec.corrupt_packets:
                fate = CORRUPTED
            for k, pkt in enumerate(packets):
                pkt = bytes(pkt)
                if fate == DROPPED:
                    continue
                if fate == CORRUPTED and k == 0:
                    cut = int(self._rng.integers(1, 6))
                    pkt = pkt[: max(1, len(pkt) - cut)]
                try:
                    await self._device.notify_subscribers(self._data, pkt)
                except Exception as exc:
                    log.debug("notify failed: %s", exc)
                    fate = OFFLINE
                    break
                lg.packets += 1
                lg.packet_sizes.append(len(pkt))
            lg.status[sl] = fate
            self._pos = end
        lg.events.append(("end", self.world_clock(), time.monotonic()))

    async def _drop_link(self, at: float) -> None:
        """The sensor goes out of range for ``spec.down`` stream seconds."""
        self.log.events.append(("disconnect", at, time.monotonic()))
        self._streaming.clear()
        await self._hang_up()
        back = at + self.spec.down
        if self.spec.speed > 0:
            await self._sleep_until(back)
        else:
            self._world = max(self._world, back)
        self._mark_offline_until(back)
        await self._advertise()


def load_emulated(spec: EmulatedSpec, profile: Any, encoder: Any, radio: VirtualRadio,
                  address: str = SENSOR_ADDRESS) -> EmulatedSensor:
    """Read ``spec.path`` with :func:`reptrack.io.read_recording` and build the sensor."""
    from ...io import read_recording

    rec = read_recording(spec.path)
    if rec.n_samples < 2:
        raise SensorError(f"the recording {spec.path} has fewer than 2 samples to play")
    return EmulatedSensor(spec, profile, encoder, radio, rec.t, rec.acc, address)
