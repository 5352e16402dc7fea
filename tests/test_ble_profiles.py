"""Firmware profiles (built-in and user TOML files) and the `profiles` / `decode` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reptrack.ble import profiles as bp
from reptrack.ble.decoders import make_decoder
from reptrack.ble.profiles import load_profiles, match_profile, parse_command
from reptrack.cli import main
from reptrack.errors import InputError

REQUIRED_IDS = {
    "polar-h10", "polar-verity-sense", "metamotion", "movesense", "witmotion",
    "microbit", "thingy52", "nus-text", "nus-binary",
}
VECTORS = Path(__file__).resolve().parent / "data" / "ble_vectors"

MINIMAL = """\
name = "My board"
service_uuid = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
data_uuid = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"
decoder = "nus-binary"
sample_rate_hz = 200
range_g = 4
time_base = "device"
packet_bytes = 244
samples_per_packet = 39
"""


@pytest.fixture(autouse=True)
def no_user_profiles(tmp_path, monkeypatch):
    """Keep the developer's own config dir out of the tests."""
    monkeypatch.setattr(bp, "user_profile_dir", lambda: tmp_path / "user-config" / "profiles")


@pytest.fixture
def builtins():
    return load_profiles()


def test_builtin_profiles_cover_the_issue(builtins):
    assert REQUIRED_IDS <= set(builtins)
    for p in builtins.values():
        assert Path(p.source).name == f"{p.id}.toml"
        assert p.start or p.decoder in ("witmotion",)  # WitMotion streams once notifications are on
        make_decoder(p)  # every profile's settings are valid for its decoder


def test_gap_detection_is_declared_where_guaranteed(builtins):
    guaranteed = {pid for pid, p in builtins.items() if p.gap_detection}
    assert guaranteed == {"polar-h10", "polar-verity-sense", "movesense", "nus-binary", "nus-text"}
    assert all(builtins[p].time_base == "none" for p in ("metamotion", "metamotion-s", "witmotion", "microbit", "thingy52"))


@pytest.mark.parametrize(
    "name,uuids,expected",
    [
        ("Polar H10 1A2B3C4D", [], "polar-h10"),
        ("Polar Sense AAAA0003", ["fb005c80-02e7-f387-1cad-8acd2d8df0c8"], "polar-verity-sense"),
        ("Polar OH1 0A1B2C3D", [], "polar-verity-sense"),
        ("Movesense 204730000081", [], "movesense"),
        ("MetaWear", [], "metamotion"),
        ("WT901BLE68", [], "witmotion"),
        ("BBC micro:bit [tupaz]", [], "microbit"),
        ("Thingy", [], "thingy52"),
        ("reptrack-text-01", [], "nus-text"),
        (None, ["6E400001-B5A3-F393-E0A9-E50E24DCCA9E"], "nus-binary"),
        (None, ["326a9000-85cb-9195-d9dd-464cfbbae75a"], "metamotion"),
        ("Some headphones", ["180d"], None),
        (None, [], None),
    ],
)
def test_match_profile(builtins, name, uuids, expected):
    got = match_profile(name, uuids, builtins)
    assert (got.id if got else None) == expected


def test_user_profile_dir_and_override(tmp_path, monkeypatch):
    user = tmp_path / "cfg" / "profiles"
    user.mkdir(parents=True)
    (user / "my-board.toml").write_text(MINIMAL + 'name_patterns = ["re:^MyBoard-\\\\d+$"]\n')
    (user / "h10.toml").write_text(
        (Path(load_profiles()["polar-h10"].source)).read_text().replace("sample_rate_hz = 100", "sample_rate_hz = 200")
    )
    monkeypatch.setattr(bp, "user_profile_dir", lambda: user)
    profs = load_profiles()
    assert profs["my-board"].source == str(user / "my-board.toml")  # id defaults to the file stem
    assert profs["polar-h10"].sample_rate_hz == 200  # same id overrides the built-in
    assert match_profile("MyBoard-12", [], profs).id == "my-board"
    assert match_profile("MyBoard-x", [], profs) is None


@pytest.mark.parametrize(
    "text,key",
    [
        (MINIMAL + "sample_rate = 50\n", "sample_rate"),
        (MINIMAL.replace('decoder = "nus-binary"\n', ""), "decoder"),
        (MINIMAL + 'control_uuid = "not-a-uuid"\n', "control_uuid"),
        (MINIMAL + 'start = ["02 0g"]\n', "start"),
        (MINIMAL + 'axes = ["x", "x", "z"]\n', "axes"),
        (MINIMAL + 'name_patterns = ["re:(("]\n', "name_patterns"),
        (MINIMAL.replace('"nus-binary"', '"nus-binarry"'), "decoder"),
        (MINIMAL.replace('"device"', '"clock"'), "time_base"),
        (MINIMAL.replace("packet_bytes = 244", 'packet_bytes = "244"'), "packet_bytes"),
        (MINIMAL + "[settings]\nfactor = [1, 2]\n", "settings.factor"),
        (MINIMAL + "name = [", None),  # not TOML
    ],
)
def test_bad_profile_names_file_and_key(tmp_path, text, key):
    d = tmp_path / "profiles"
    d.mkdir()
    f = d / "bad.toml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load_profiles([d])
    msg = str(exc.value)
    assert str(f) in msg
    assert (f"'{key}'" in msg) if key else ("not valid TOML" in msg)
    assert msg.count(". ") == 0  # one sentence


def test_bad_decoder_setting_is_one_sentence(builtins, tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (d / "x.toml").write_text(MINIMAL + "[settings]\nfactr = 1.0\n")
    prof = load_profiles([d])["x"]
    with pytest.raises(InputError, match="no setting 'factr'"):
        make_decoder(prof)


def test_parse_command():
    assert parse_command("02 02 00 01") == b"\x02\x02\x00\x01"
    assert parse_command('01 63 "/Meas/Acc/52"') == b"\x01\x63/Meas/Acc/52"
    assert parse_command('"start\\n"') == b"start\n"
    assert parse_command("FFAA0308 00") == b"\xff\xaa\x03\x08\x00"
    with pytest.raises(ValueError):
        parse_command("0")


def test_movesense_start_is_the_gsp_subscribe(builtins):
    assert builtins["movesense"].start == (b"\x01\x63/Meas/Acc/52",)
    assert builtins["nus-binary"].start == (b"start\n",)


# --------------------------------------------------------------------------- commands
def test_profiles_command_json(capsys):
    assert main(["profiles", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in rows}
    assert REQUIRED_IDS <= set(by_id)
    h10 = by_id["polar-h10"]
    assert h10["name_patterns"] == ["Polar H10 *"]
    assert h10["service_uuid"] == "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
    assert h10["decoder"] == "polar-pmd" and h10["time_base"] == "device" and h10["gap_detection"]
    assert h10["start"] == ["02 02 00 01 64 00 01 01 10 00 02 01 04 00"]
    assert h10["source"].endswith("polar-h10.toml")


def test_profiles_command_text_and_extra_dir(capsys, tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "my-board.toml").write_text(MINIMAL)
    assert main(["profiles", "--profiles", str(d)]) == 0
    out = capsys.readouterr().out
    assert "my-board: My board" in out and str(d / "my-board.toml") in out
    assert "polar-verity-sense" in out and "gaps not detectable" in out


def test_profiles_command_bad_file_exits_2(capsys, tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "oops.toml").write_text(MINIMAL + "smaple_rate_hz = 3\n")
    assert main(["profiles", "--profiles", str(d)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "oops.toml" in err and "'smaple_rate_hz'" in err


def test_decode_command_polar_state_carries_over(capsys):
    v = json.loads((VECTORS / "polar_acc_delta_type1_0x81.json").read_text())
    kotlin, swift = (c["notification_hex"] for c in v["cases"])
    rc = main(["decode", "--profile", "polar-verity-sense", "--set", "sample_rate_hz=0",
               "--set", "previous_timestamp_ns=100", kotlin, swift])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["errors"] == 0
    s = doc["samples"]
    assert [[round(x["x"] * 1000), round(x["y"] * 1000), round(x["z"] * 1000)] for x in s[:2]] == [[-15, 20, 1008], [-20, 17, 1008]]
    # second frame (ts 102) continues from the first (ts 101): SDK rule from the carried state
    # (101.5 rounds half-to-even to 102, like Kotlin's round in PmdTimeStampUtils)
    assert [round(x["t"] * 1e9) for x in s] == [100, 101, 102, 102]


def test_decode_command_counts_corrupt_payloads(capsys):
    v = json.loads((VECTORS / "metawear_acc_data.json").read_text())
    good = v["cases"][2]["notification_hex"]  # BMI160 packed, +-8 g
    rc = main(["decode", "--profile", "metamotion", "--set", "range_g=8", good, good[:-4], "0304 16c4 94a2 2ad0"])
    assert rc == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["errors"] == 1 and "payload 2" in captured.err
    assert len(doc["samples"]) == 4
    assert all(s["t"] is None for s in doc["samples"])  # MetaWear has no device clock
    assert doc["samples"][0]["x"] == pytest.approx(-4.539, abs=0.001)
    assert doc["samples"][3]["x"] == pytest.approx(-1.872 * 2, abs=0.002)  # same bytes as the 4 g vector, at 8 g


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["decode", "--profile", "nope", "00"], "unknown firmware profile 'nope'"),
        (["decode", "--profile", "microbit", "--set", "gain=2", "00"], "no setting 'gain'"),
        (["decode", "--profile", "microbit", "--set", "range_g", "00"], "KEY=VALUE"),
        (["decode", "--profile", "microbit", "--set", "range_g=big", "00"], "range_g"),
        (["decode", "--profile", "microbit", "xyz"], "not hex"),
        (["decode", "--profile", "nus-text", "--set", "checksum=requried", "00"], "must be one of"),
    ],
)
def test_decode_command_user_errors(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and err.count("\n") == 0
