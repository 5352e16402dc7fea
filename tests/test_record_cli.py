"""``reptrack record`` / ``reptrack scan`` as a user runs them (subprocesses for
signals): Ctrl-C is a normal stop, a crash leaves a valid file up to the last
flush, a sensor that never comes back is exit 2 with the file intact, and no
Bluetooth adapter is one sentence and exit 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from reptrack.cli import main
from reptrack.io import read_recording
from reptrack.io.native import write_native
from reptrack.model import Recording

ROOT = Path(__file__).resolve().parents[1]


def _source(tmp_path: Path, dur: float = 30.0, fs: float = 100.0) -> Path:
    t = np.arange(0, dur, 1 / fs)
    acc = np.column_stack([0.2 * np.sin(t), 0.3 * np.cos(t), 0.95 + 0 * t])
    p = tmp_path / "src.csv"
    write_native(Recording(t, acc), p)
    return p


def _start(args: list[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "reptrack", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_rows(path: Path, rows: int, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_text().count("\n") > rows + 7:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} did not reach {rows} rows")


def test_ctrl_c_is_a_normal_stop(tmp_path: Path) -> None:
    out = tmp_path / "rec.csv"
    p = _start(["record", "--sensor", f"emulated:{_source(tmp_path)}?profile=nus-binary&speed=1", "--out", str(out)])
    _wait_for_rows(out, 150)  # ~1.5 s of data flushed
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=20)
    assert p.returncode == 0, stderr
    assert "stopped: interrupted" in stdout
    n = int(stdout.split("recorded ")[1].split()[0])
    rec = read_recording(str(out))  # closed and valid: every row written is complete
    assert rec.n_samples == n >= 150 and rec.meta["profile"] == "nus-binary"
    assert out.read_text().endswith("\n")


def test_crash_leaves_the_file_valid_up_to_the_last_flush(tmp_path: Path) -> None:
    out = tmp_path / "rec.csv"
    p = _start(["record", "--sensor", f"emulated:{_source(tmp_path)}?profile=polar-h10&speed=1", "--out", str(out)])
    _wait_for_rows(out, 100)
    seen = out.read_text().count("\n")
    time.sleep(2.0)
    p.kill()  # SIGKILL: no cleanup at all
    p.communicate(timeout=10)
    rec = read_recording(str(out))
    assert rec.n_samples >= seen - 7 + 100  # flushed again within the 2 s (100 Hz)
    assert np.all(np.diff(rec.t) > 0) and rec.t[0] == 0.0


def test_sensor_gone_for_good_is_exit_2_with_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "rec.csv"
    p = _start(["record", "--sensor", f"emulated:{_source(tmp_path)}?profile=movesense&speed=4&disconnect_every=10&down=600",
                "--out", str(out), "--reconnect-timeout", "1"])
    stdout, stderr = p.communicate(timeout=30)
    assert p.returncode == 2
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("reptrack: lost the sensor") and "within 1 s" in last and "Traceback" not in stderr
    assert "stopped: sensor lost" in stderr  # the partial summary
    rec = read_recording(str(out))
    assert 9.0 < rec.t[-1] < 10.0


def test_duration_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec.csv"
    rc = main(["record", "--sensor", f"emulated:{_source(tmp_path, 10)}?speed=0&profile=polar-verity-sense&disconnect_every=4",
               "--out", str(out), "--duration", "6", "--json", "--quiet"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    rec = read_recording(str(out))
    assert doc["samples"] == rec.n_samples and doc["stopped"] == "duration" and doc["profile"] == "polar-verity-sense"
    assert doc["stats"]["reconnects"] == 1 and len(doc["gaps"]) >= 1
    assert rec.t[-1] < 6.0


def test_scan_lists_emulated_sensors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = _source(tmp_path, 3)
    rc = main(["scan", "--timeout", "0.3", "--json", "--emulated", f"emulated:{src}?profile=polar-h10",
               "--emulated", f"emulated:{src}?profile=microbit"])
    assert rc == 0
    found = json.loads(capsys.readouterr().out)
    assert {f["profile"] for f in found} == {"polar-h10", "microbit"}
    for f in found:
        assert f["rssi"] < 0 and len(f["address"].split(":")) == 6 and f["name"]


def test_scan_without_an_adapter_is_one_sentence(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import bleak

    async def no_adapter(*a: object, **k: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")  # what bleak raises without a D-Bus / BlueZ

    monkeypatch.setattr(bleak.BleakScanner, "discover", no_adapter)
    rc = main(["scan", "--timeout", "0.1"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert err.startswith("reptrack: ") and "Bluetooth" in err


def test_out_in_a_missing_folder_is_refused_before_connecting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["record", "--sensor", "Polar H10", "--out", str(tmp_path / "nope" / "rec.csv")])
    err = capsys.readouterr().err
    assert rc == 2 and "existing folder" in err and len(err.strip().splitlines()) == 1
