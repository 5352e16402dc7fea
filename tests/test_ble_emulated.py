"""The emulated sensor seen through bleak's public API only (no reptrack reader):
it advertises like the real device, answers the start command, and notifies
samples at the profile's real packet size; plus the ``emulated:`` URI rules."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from bleak import BleakClient, BleakScanner

from reptrack.ble.decoders import make_decoder
from reptrack.ble.emulated import SENT, VirtualRadio, load_emulated, parse_emulated, sample_grid
from reptrack.ble.encoders import Encoder
from reptrack.ble.profiles import load_profiles, match_profile
from reptrack.errors import SensorError
from reptrack.io.native import write_native
from reptrack.model import Recording

PROFILES = load_profiles(include_user=False)


def _source(tmp_path: Path, dur: float = 3.0, fs: float = 100.0) -> Path:
    t = np.arange(0, dur, 1 / fs)
    acc = np.column_stack([np.sin(t), np.cos(t), 0.5 + 0 * t])
    p = tmp_path / "src.csv"
    write_native(Recording(t, acc), p)
    return p


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
async def test_bleak_sees_the_real_protocol(tmp_path: Path, profile_id: str) -> None:
    prof = PROFILES[profile_id]
    radio = VirtualRadio()
    spec = parse_emulated(f"emulated:{_source(tmp_path)}?speed=0&profile={profile_id}")
    sensor = load_emulated(spec, prof, Encoder(prof), radio)
    await sensor.start()
    try:
        # discovery: the advertisement matches the profile by name and carries the service UUID
        found = await BleakScanner.discover(0.3, return_adv=True, backend=radio.scanner_backend())
        (device, adv), = found.values()
        assert match_profile(adv.local_name, adv.service_uuids, PROFILES).decoder == prof.decoder
        assert prof.service_uuid in adv.service_uuids and adv.rssi < 0
        got: list[bytes] = []
        answers: list[bytes] = []
        async with BleakClient(device, backend=radio.client_backend()) as client:
            assert client.mtu_size >= prof.packet_bytes + 3
            chars = {c.uuid for s in client.services for c in s.characteristics}
            assert {prof.data_uuid, prof.command_uuid} <= chars
            await client.start_notify(prof.data_uuid, lambda _c, d: got.append(bytes(d)))
            if prof.response_uuid and prof.response_uuid != prof.data_uuid:
                await client.start_notify(prof.response_uuid, lambda _c, d: answers.append(bytes(d)))
            for cmd in prof.start:
                await client.write_gatt_char(prof.command_uuid, cmd, response=prof.write_with_response)
            await asyncio.wait_for(sensor.finished.wait(), 10)
            await asyncio.sleep(0.05)
        # a device with its own answer channel says yes to the start command
        dec = make_decoder(prof)
        for a in answers:
            r = dec.control(a)
            assert r is not None and r.ok, r
        if prof.id.startswith("polar"):
            assert answers and answers[-1][:4] == bytes([0xF0, 0x02, 0x02, 0x00])
        # notifications at the device's packet size, decoding back to what was sent
        data = [g for g in got if not (prof.response_uuid == prof.data_uuid and dec.control(g) is not None)]
        assert max(len(g) for g in data) <= prof.packet_bytes  # fits the device's MTU
        per = [dec.feed(g).acc for g in data]
        if prof.decoder != "nus-text":  # text lines straddle 20-byte notifications
            assert {len(a) for a in per[:-1]} == {prof.samples_per_packet}
        acc = np.concatenate(per)
        sent = sensor.log.status == SENT
        assert len(acc) == sent.sum() == len(sensor.log.t)
        np.testing.assert_allclose(acc, sensor.log.acc, atol=1.1e-3)
    finally:
        await sensor.stop()


def test_uri_options() -> None:
    s = parse_emulated("emulated:run.csv?speed=10&disconnect_every=15&drop_packets=0.01&corrupt_packets=0.02&profile=movesense")
    assert (s.path, s.speed, s.disconnect_every, s.drop_packets, s.corrupt_packets, s.profile) == (
        "run.csv", 10.0, 15.0, 0.01, 0.02, "movesense")
    assert parse_emulated("emulated:a b.csv").speed == 1.0
    for bad, why in [("emulated:x.csv?speed=fast", "not a number"), ("emulated:x.csv?drop_packets=2", "out of range"),
                     ("emulated:x.csv?colour=red", "unknown option"), ("emulated:", "needs a recording"),
                     ("emulated:x.csv?disconnect_every=0", "greater than 0")]:
        with pytest.raises(SensorError, match=why):
            parse_emulated(bad)


def test_sample_grid_resamples_onto_the_sensor_clock_and_keeps_source_gaps() -> None:
    t = np.concatenate([np.arange(0, 2, 0.01), np.arange(3, 4, 0.01)])  # 1 s hole
    acc = np.column_stack([t, 2 * t, 0 * t])
    g, a = sample_grid(t, acc, 52.0)
    assert np.allclose(np.diff(g)[np.diff(g) < 0.5], 1 / 52.0)
    assert not ((g > 2.0) & (g < 3.0)).any()
    np.testing.assert_allclose(a[:, 0], g, atol=1e-9)


async def test_missing_file_is_one_sentence(tmp_path: Path) -> None:
    from reptrack.ble.reader import SensorStream
    from reptrack.errors import ReptrackError

    with pytest.raises(ReptrackError, match="no such file"):
        async with SensorStream(f"emulated:{tmp_path / 'nope.csv'}"):
            pass
