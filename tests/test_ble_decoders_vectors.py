"""Every vendor test vector (tests/data/ble_vectors, copied from ../shared/sensors/vectors).

Each vector holds real notification/command bytes from a vendor SDK test and the
values the vendor asserts; a decoder that disagrees would record wrong
accelerations or times from the real sensor.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from reptrack.ble.decoders import make_decoder
from reptrack.ble.decoders import metawear as mw
from reptrack.ble.decoders import polar
from reptrack.ble.profiles import load_profiles

VECTORS = Path(__file__).resolve().parent / "data" / "ble_vectors"
COVERED = {
    "polar_acc_raw_type1_h10",
    "polar_acc_delta_type0_0x80",
    "polar_acc_delta_type1_0x81",
    "polar_pmd_delta_multiblock_16bit",
    "polar_pmd_control_point",
    "metawear_acc_data",
    "metawear_acc_commands",
}


def vec(name: str) -> dict:
    return json.loads((VECTORS / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def profiles():
    return load_profiles(include_user=False)


def polar_decoder(profiles, settings: dict, profile: str = "polar-verity-sense"):
    return make_decoder(
        profiles[profile],
        factor=float(settings.get("factor", 1.0)),
        sample_rate_hz=float(settings["sample_rate_hz"]),
        previous_timestamp_ns=int(settings["previous_frame_timestamp_ns"]),
    )


def ns(t: np.ndarray) -> list[int]:
    return [int(round(x * 1e9)) for x in t]


def test_every_vector_file_has_a_test():
    ids = {json.loads(p.read_text())["id"] for p in VECTORS.glob("*.json")}
    assert ids == COVERED


def test_vectors_match_shared_copy():
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "sensors" / "vectors"
    if not shared.is_dir():
        pytest.skip(f"{shared} not present")
    for p in shared.glob("*.json"):
        assert (VECTORS / p.name).read_bytes() == p.read_bytes(), f"tests/data/ble_vectors/{p.name} is stale"


# --------------------------------------------------------------------------- Polar data frames
def test_polar_raw_type1_h10(profiles):
    v = vec("polar_acc_raw_type1_h10")
    exp = v["expected"]
    dec = polar_decoder(profiles, v["decode_settings"], "polar-h10")
    s = dec.feed(bytes.fromhex(v["notification_hex"]))
    assert len(s) == exp["sample_count"] == 36
    assert np.array_equal(np.round(s.acc[:2] * 1000), exp["samples_mG_first_two"])
    assert ns(s.t)[-1] == exp["last_sample_timestamp_ns"] == exp["timestamp_field_ns"]
    # first frame without a previous timestamp: laid back at the nominal 52 Hz
    assert np.allclose(np.diff(s.t), 1 / 52, atol=1e-9)
    assert dec.errors == 0


def test_polar_raw_type1_h10_original_header(profiles):
    v = vec("polar_acc_raw_type1_h10")
    dec = polar_decoder(profiles, v["decode_settings"], "polar-h10")
    raw = bytes.fromhex(v["notification_hex_original_2021_real_timestamp"])
    s = dec.feed(raw)
    assert np.array_equal(np.round(s.acc[:2] * 1000), v["expected"]["samples_mG_first_two"])
    ts = int.from_bytes(raw[1:9], "little")
    assert ns(s.t)[-1] == pytest.approx(ts, abs=256)  # float64 seconds at ~6e8 s keep ~0.1 us
    # the H10 clock counts from its 2019-01-01 reset value (PROTOCOLS.md 1.8)
    assert s.t[-1] >= polar.H10_RESET_NS / 1e9


def test_polar_delta_type0_0x80(profiles):
    v = vec("polar_acc_delta_type0_0x80")
    exp = v["expected"]
    st = v["decode_settings"]
    payload = bytes.fromhex(v["notification_hex"])
    body = payload[10:]
    raw = polar.decode_delta_payload(body, st["channels"], st["resolution_bits"])
    assert raw[0].tolist() == exp["reference_sample_raw"]
    blocks = list(polar.iter_delta_blocks(body))
    assert (blocks[0][0], blocks[0][1]) == (exp["first_delta_block"]["bit_width"], exp["first_delta_block"]["sample_count"])
    assert blocks[0][2][0].tolist() == exp["sample1_delta_raw"]
    assert raw[1].tolist() == exp["sample1_raw"]

    dec = polar_decoder(profiles, st)
    s = dec.feed(payload)
    assert len(s) == exp["sample_count"] == 57
    # SDK: mG = trunc(float32(factor) * raw * 1000f); reptrack keeps the float
    f32 = np.float32(st["factor"])
    sdk = np.trunc(f32 * raw[:2].astype(np.float32) * np.float32(1000)).astype(int)
    assert sdk.tolist() == exp["samples_mG_first_two"]
    assert np.trunc(s.acc[:2] * 1000).astype(int).tolist() == exp["samples_mG_first_two"]
    assert np.abs(s.acc * 1000).max() <= exp["all_abs_mG_le"]
    t = ns(s.t)
    assert t[-1] == exp["last_sample_timestamp_ns"]
    assert t[0] == round(100 + (2000000000 - 100) / 57)


@pytest.mark.parametrize("case", vec("polar_acc_delta_type1_0x81")["cases"], ids=lambda c: c["name"])
def test_polar_delta_type1_0x81(profiles, case):
    dec = polar_decoder(profiles, case["decode_settings"])
    s = dec.feed(bytes.fromhex(case["notification_hex"]))
    exp = case["expected"]
    assert len(s) == exp["sample_count"]
    assert np.array_equal(s.acc * 1000, exp["samples_mG"])
    assert ns(s.t) == exp["sample_timestamps_ns"]


def test_polar_delta_multiblock_16bit():
    v = vec("polar_pmd_delta_multiblock_16bit")
    exp = v["expected"]
    body = bytes.fromhex(v["payload_hex"])
    raw = polar.decode_delta_payload(body, v["decode_settings"]["channels"], v["decode_settings"]["resolution_bits"])
    assert len(raw) == exp["sample_count"] == 140
    assert [[w, c] for w, c, _ in polar.iter_delta_blocks(body)] == exp["block_headers_in_order"]
    assert raw[0].tolist() == exp["sample0_raw"]
    assert raw[1].tolist() == exp["sample1_raw"]


# --------------------------------------------------------------------------- Polar control point
CP = {c["name"]: c for c in vec("polar_pmd_control_point")["cases"]}


def test_polar_settings_tlv_parse():
    c = CP["settings_tlv_parse"]
    parsed = polar.parse_pmd_settings(bytes.fromhex(c["hex"]))
    for key, val in c["expected"].items():
        assert parsed.get(key) == val


@pytest.mark.parametrize("name", ["cp_response_success_acc_get_settings", "cp_response_error_mag"])
def test_polar_cp_responses(profiles, name):
    c = CP[name]
    exp = c["expected"]
    r = polar.parse_cp_response(bytes.fromhex(c["hex"]))
    assert r["kind"] == "response"
    assert r["op_code"] == exp["op_code"]
    assert r["measurement_type"] == exp["measurement_type"]
    assert r["status"] == exp["status"]
    assert r["more"] is exp["more"]
    assert r["parameters"].hex() == exp["parameters_hex"]
    dec = make_decoder(profiles["polar-verity-sense"])
    resp = dec.control(bytes.fromhex(c["hex"]))
    assert resp is not None and resp.ok is (exp["status"] == 0)
    if exp["status"] == 7:
        assert "invalid resolution" in resp.message


def test_polar_device_initiated_stop(profiles):
    dec = make_decoder(profiles["polar-verity-sense"])
    resp = dec.control(bytes.fromhex(CP["device_initiated_stop"]["hex"]))
    assert resp is not None and resp.stream_stopped


def test_polar_verity_start_request_and_reply(profiles):
    c = CP["verity_acc_start_request_user_reported"]
    prof = profiles["polar-verity-sense"]
    assert prof.start == (bytes.fromhex(c["hex"]),)
    assert polar.pmd_start_command(52, 8, 16, channels=3).hex() == c["hex"]
    dec = make_decoder(prof)
    resp = dec.control(bytes.fromhex(c["expected"]["reported_response_hex"]))
    assert resp.ok and not resp.settings and dec.settings["factor"] == 1.0
    assert prof.settings["frame_type"] == int(c["expected"]["reported_first_frame_type"], 16)


def test_polar_h10_bleakheart_start_request():
    c = CP["h10_acc_start_request_bleakheart_default"]
    assert polar.pmd_start_command(200, 2).hex() == c["hex"]
    assert polar.parse_pmd_settings(bytes.fromhex(c["hex"])[2:]) == {
        "SAMPLE_RATE": [200], "RESOLUTION": [16], "RANGE": [2]
    }


# --------------------------------------------------------------------------- MetaWear
def _is_close(a: float, b: float) -> bool:
    # the SDK's tolerance (cbindings.py): |a-b| <= max(0.001*max(|a|,|b|), 0.001)
    return abs(a - b) <= max(0.001 * max(abs(a), abs(b)), 0.001)


@pytest.mark.parametrize("case", vec("metawear_acc_data")["cases"], ids=lambda c: c["name"])
def test_metawear_data(profiles, case):
    pid = "metamotion-s" if "bmi270" in case["name"] else "metamotion"
    dec = make_decoder(profiles[pid], range_g=float(case["decode_settings"]["range_g"]))
    assert mw.lsb_per_g(case["decode_settings"]["range_g"]) == case["decode_settings"]["lsb_per_g"]
    s = dec.feed(bytes.fromhex(case["notification_hex"]))
    exp = case["expected"]["samples_g"]
    assert s.acc.shape == (len(exp), 3)
    assert all(_is_close(a, b) for a, b in zip(s.acc.ravel(), np.ravel(exp)))
    assert np.isnan(s.t).all()  # no device clock: the reader uses host time


MW = {c["name"]: c for c in vec("metawear_acc_commands")["cases"]}
CONFIG_CASES = {
    "bmi160_config_odr_100hz_range_16g": ("BMI160", 100, 16),
    "bmi160_config_odr_200hz_range_8g": ("BMI160", 200, 8),
    "bmi160_config_odr_50hz_default_range_2g": ("BMI160", 50, 2),
    "bmi160_config_odr_25hz": ("BMI160", 25, 2),
    "bmi270_config_odr_100hz_range_16g": ("BMI270", 100, 16),
    "bmi270_config_odr_200hz_range_8g": ("BMI270", 200, 8),
    "bmi270_config_odr_50hz_range_8g": ("BMI270", 50, 8),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_metawear_config_commands(name):
    assert mw.config_command(*CONFIG_CASES[name]).hex() == MW[name]["hex"]


def test_metawear_profile_commands(profiles):
    """The profiles' start/stop lists use exactly the SDK's command bytes."""
    m160, m270 = profiles["metamotion"], profiles["metamotion-s"]
    hx = lambda cmds: [c.hex() for c in cmds]  # noqa: E731
    for prof, sub, chip in ((m160, "subscribe_packed_bmi160", "BMI160"), (m270, "subscribe_packed_bmi270", "BMI270")):
        start = hx(prof.start)
        assert start[0] == MW["module_info_read_acc"]["hex"]
        assert start[1] == mw.config_command(chip, prof.sample_rate_hz, int(prof.range_g)).hex()
        assert start[2:] == [MW[sub]["hex"], MW["enable_acc_sampling"]["hex"], MW["acc_start"]["hex"]]
        stop = hx(prof.stop)
        assert stop[:2] == [MW["disable_acc_sampling"]["hex"], MW["acc_stop"]["hex"]]
        assert stop[2] == MW[sub]["hex"][:-2] + "00"
    assert MW["subscribe_acc_data"]["hex"] == "030401" and MW["unsubscribe_acc_data"]["hex"] == "030400"


@pytest.mark.parametrize("chip", ["BMI160", "BMI270"])
def test_metawear_module_info_reply(profiles, chip):
    reply = MW["module_info_read_acc"]["expected_reply_examples"][chip]
    dec = make_decoder(profiles["metamotion"])
    assert len(dec.feed(bytes.fromhex(reply))) == 0  # a reply on the data characteristic is not data
    assert dec.info["chip"] == chip
    assert dec.responses[-1].ok is (chip == "BMI160")
    if chip == "BMI270":
        assert "metamotion-s" in dec.responses[-1].message


def test_metawear_conn_params_command():
    assert mw.conn_params_command(750, 1000, 128, 16384).hex() == MW["settings_conn_params_750_1000ms_lat128_to16384ms"]["hex"]


def test_metawear_packed_register_matches_chip(profiles):
    """BMI160 boards stream register 0x1C, BMI270 boards 0x05: both decode with either profile."""
    c = {x["name"]: x for x in vec("metawear_acc_data")["cases"]}
    dec = make_decoder(profiles["metamotion"], range_g=8.0)
    a = dec.feed(bytes.fromhex(c["bmi160_packed_3_samples_8g"]["notification_hex"]))
    b = dec.feed(bytes.fromhex(c["bmi270_packed_3_samples_8g"]["notification_hex"]))
    assert np.array_equal(a.acc, b.acc) and not math.isnan(a.acc.sum())
