"""An in-process virtual BLE radio and the bleak backends that speak over it.

:class:`VirtualRadio` owns a bumble ``LocalLink`` (a virtual air between
bumble's software link-layer controllers) and one *central* bumble device.
Emulated sensors (:mod:`reptrack.ble.emulated.sensor`) add their own
peripheral devices to the same link.  :meth:`VirtualRadio.scanner_backend` and
:meth:`VirtualRadio.client_backend` return classes implementing bleak's
backend interfaces (``BaseBleakScanner`` / ``BaseBleakClient``) bound to the
radio, to be passed as ``backend=`` to :class:`bleak.BleakScanner` and
:class:`bleak.BleakClient`: the reader then drives the emulated sensor through
bleak's public API exactly as it drives a real one.

Everything runs on the caller's asyncio loop (bumble's link delivers packets
with ``loop.call_soon``); nothing here blocks.
"""

from __future__ import annotations

import asyncio
import logging
import uuid as uuid_mod
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError
from bumble.controller import Controller
from bumble.device import Device, DeviceConfiguration, Peer
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

log = logging.getLogger(__name__)
T = TypeVar("T")

#: ATT MTU the emulated central asks for right after connecting, like BlueZ
#: and Android do automatically (Polar's SDK asks for 512; 517 is the ATT max).
CENTRAL_MTU = 517

#: RSSI (dBm) reported for emulated sensors: a strong, close-range link.
EMULATED_RSSI = -50

_BLEAK_PROPS = {
    0x01: "broadcast",
    0x02: "read",
    0x04: "write-without-response",
    0x08: "write",
    0x10: "notify",
    0x20: "indicate",
    0x40: "authenticated-signed-writes",
    0x80: "extended-properties",
}


def bumble_device(link: LocalLink, name: str, address: str) -> Device:
    """A powered-off bumble device with its own virtual controller on ``link``.

    ``address`` is a random static address (top two bits set, e.g. ``C0:...``).
    """
    controller = Controller(name, link=link)
    controller.random_address = Address(address)
    config = DeviceConfiguration(name=name, address=Address(address))
    return Device(config=config, host=Host(controller, AsyncPipeSink(controller)))


def parse_adv(data: bytes) -> dict[int, list[bytes]]:
    """Advertising data TLVs (Core Spec Vol 3 Part C 11): AD type -> values."""
    out: dict[int, list[bytes]] = {}
    i = 0
    while i < len(data):
        n = data[i]
        if n == 0 or i + 1 + n > len(data):
            break
        out.setdefault(data[i + 1], []).append(bytes(data[i + 2 : i + 1 + n]))
        i += 1 + n
    return out


def _uuid_from_le(raw: bytes) -> str:
    if len(raw) == 2:
        return f"0000{int.from_bytes(raw, 'little'):04x}-0000-1000-8000-00805f9b34fb"
    return str(uuid_mod.UUID(bytes=bytes(reversed(raw))))


def advertisement_data(data: bytes, rssi: int, platform: Any = None) -> AdvertisementData:
    """bleak's :class:`AdvertisementData` from raw advertising (+scan response) bytes."""
    tlv = parse_adv(data)
    name = None
    for t in (0x09, 0x08):  # complete, shortened local name
        if t in tlv:
            name = tlv[t][0].decode("utf-8", "replace")
            break
    uuids: list[str] = []
    for t, size in ((0x02, 2), (0x03, 2), (0x06, 16), (0x07, 16)):
        for v in tlv.get(t, []):
            uuids += [_uuid_from_le(v[k : k + size]) for k in range(0, len(v) - size + 1, size)]
    mfr = {int.from_bytes(v[:2], "little"): v[2:] for v in tlv.get(0xFF, []) if len(v) >= 2}
    sdata = {_uuid_from_le(v[:2]): v[2:] for v in tlv.get(0x16, []) if len(v) >= 2}
    tx = tlv.get(0x0A, [None])[0]
    return AdvertisementData(
        local_name=name,
        manufacturer_data=mfr,
        service_data=sdata,
        service_uuids=uuids,
        tx_power=int.from_bytes(tx, "little", signed=True) if tx else None,
        rssi=rssi,
        platform_data=(platform,),
    )


class VirtualRadio:
    """A virtual BLE air (bumble ``LocalLink``) plus the host's central device."""

    CENTRAL_ADDRESS = "C0:00:00:00:00:FE"

    def __init__(self) -> None:
        self.link = LocalLink()
        self.central = bumble_device(self.link, "reptrack-central", self.CENTRAL_ADDRESS)
        self._powered = False
        self._lock = asyncio.Lock()

    async def power_on(self) -> None:
        async with self._lock:
            if not self._powered:
                await self.central.power_on()
                self._powered = True

    def scanner_backend(self) -> type[BaseBleakScanner]:
        """A ``BaseBleakScanner`` subclass bound to this radio (for ``backend=``)."""
        return type("EmulatedBleakScanner", (EmulatedBleakScanner,), {"radio": self})

    def client_backend(self) -> type[BaseBleakClient]:
        """A ``BaseBleakClient`` subclass bound to this radio (for ``backend=``)."""
        return type("EmulatedBleakClient", (EmulatedBleakClient,), {"radio": self})


class EmulatedBleakScanner(BaseBleakScanner):
    """bleak scanner backend over a :class:`VirtualRadio` (active scanning)."""

    radio: VirtualRadio

    def __init__(
        self,
        detection_callback: Callable[..., Any] | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._adv: dict[str, bytes] = {}
        self._scan_rsp: dict[str, bytes] = {}
        self._listening = False

    def _on_advertisement(self, adv: Any) -> None:
        key = str(adv.address).split("/")[0]
        # Merge advertising and scan-response payloads per address, like BlueZ.
        (self._scan_rsp if adv.is_scan_response else self._adv)[key] = adv.data_bytes
        ad = advertisement_data(self._adv.get(key, b"") + self._scan_rsp.get(key, b""), EMULATED_RSSI, adv)
        if not self.is_allowed_uuid(ad.service_uuids):
            return
        device = self.create_or_update_device(key, key, ad.local_name, adv.address, ad)
        self.call_detection_callbacks(device, ad)

    async def start(self) -> None:
        await self.radio.power_on()
        self.seen_devices = {}
        self._adv, self._scan_rsp = {}, {}
        self.radio.central.on("advertisement", self._on_advertisement)
        self._listening = True
        await self.radio.central.start_scanning(filter_duplicates=False)

    async def stop(self) -> None:
        if self._listening:
            self.radio.central.remove_listener("advertisement", self._on_advertisement)
            self._listening = False
        if self.radio.central.is_scanning:
            await self.radio.central.stop_scanning()


class EmulatedBleakClient(BaseBleakClient):
    """bleak client backend over a :class:`VirtualRadio`.

    Connects with bumble's central, asks for a large ATT MTU, discovers all
    services/characteristics/descriptors and maps them onto bleak's GATT
    objects (whose ``obj`` is the bumble proxy).
    """

    radio: VirtualRadio

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        kwargs.setdefault("disconnected_callback", None)
        kwargs.setdefault("timeout", 10.0)
        known = {k: kwargs.pop(k) for k in ("disconnected_callback", "timeout")}
        super().__init__(address_or_ble_device, **known)
        self._connection: Any = None
        self._peer: Peer | None = None
        self._mtu = 23
        self._name = address_or_ble_device.name if isinstance(address_or_ble_device, BLEDevice) else None
        self._closing = False

    @property
    def name(self) -> str:
        return self._name or self.address

    @property
    def mtu_size(self) -> int:
        return self._mtu

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        await _as_bleak(self._connect())

    async def _connect(self) -> None:
        await self.radio.power_on()
        central = self.radio.central
        if central.is_scanning:
            await central.stop_scanning()
        target = Address(self.address.upper())
        if self.radio.link.find_le_controller(target) is None:
            raise BleakDeviceNotFoundError(self.address, f"Device with address {self.address} was not found.")
        try:
            conn = await asyncio.wait_for(central.connect(target), timeout=self._timeout)
        except asyncio.TimeoutError:
            raise BleakError(f"connection to {self.address} timed out") from None
        self._connection = conn
        self._closing = False
        conn.on("disconnection", self._on_disconnection)
        peer = Peer(conn)
        self._peer = peer
        self._mtu = await peer.request_mtu(CENTRAL_MTU)
        await peer.discover_services()
        collection = BleakGATTServiceCollection()
        for s in peer.services:
            await peer.discover_characteristics(service=s)
            bs = BleakGATTService(s, s.handle, _uuid_str(s.uuid))
            collection.add_service(bs)
            for c in s.characteristics:
                await peer.discover_descriptors(characteristic=c)
                props = [name for bit, name in _BLEAK_PROPS.items() if int(c.properties) & bit]
                bc = BleakGATTCharacteristic(c, c.handle, _uuid_str(c.uuid), props, lambda: self._mtu - 3, bs)  # type: ignore[arg-type]
                collection.add_characteristic(bc)
                for d in c.descriptors:
                    collection.add_descriptor(BleakGATTDescriptor(d, d.handle, _uuid_str(d.type), bc))
        self.services = collection

    def _on_disconnection(self, reason: int) -> None:
        self._connection = None
        self._peer = None
        self.services = None
        if not self._closing and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        conn = self._connection
        if conn is None:
            return
        self._closing = True
        try:
            await conn.disconnect()
        except Exception as exc:  # already gone
            log.debug("disconnect: %s", exc)
        self._connection = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("emulated sensors need no pairing")

    async def unpair(self) -> None:
        raise NotImplementedError("emulated sensors need no pairing")

    def _need_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        return bytearray(await _as_bleak(self._need_peer().read_value(characteristic.obj)))

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        return bytearray(await _as_bleak(self._need_peer().read_value(descriptor.obj)))

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        await _as_bleak(self._need_peer().write_value(characteristic.obj, bytes(data), with_response=response))

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        await _as_bleak(self._need_peer().write_value(descriptor.obj, bytes(data), with_response=True))

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any) -> None:
        await _as_bleak(self._need_peer().subscribe(characteristic.obj, lambda value: callback(bytearray(value))))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        await _as_bleak(self._need_peer().unsubscribe(characteristic.obj))


async def _as_bleak(aw: Awaitable[T]) -> T:
    """Await a bumble operation; a link lost under it raises BleakError as bleak's backends do.

    bumble cancels the pending ATT request when the link drops; that inner
    cancellation must not look like the caller's task being cancelled.
    """
    try:
        return await aw
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        raise BleakError("Not connected: the link was lost during the operation") from None


def _uuid_str(u: Any) -> str:
    """bumble UUID -> bleak's lower-case 128-bit string form."""
    return str(uuid_mod.UUID(bytes=bytes(reversed(u.to_bytes(force_128=True)))))
