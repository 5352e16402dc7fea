"""The full-screen view for real (issue #5): run ``reptrack live`` in a tmux pane,
read the screen, resize the pane, lose the sensor, press Ctrl-C."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from reptrack.io import read_recording
from reptrack.io.native import write_native
from reptrack.model import Recording

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "seated_3x15.csv"
EXE = Path(sys.executable).with_name("reptrack")


def ensure_tmux() -> str:
    """tmux on PATH, installing the Debian package when possible; skip with the reason otherwise."""
    found = shutil.which("tmux")
    if found:
        return found
    reason = "tmux is not installed"
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        r = subprocess.run(["apt-get", "install", "-y", "-q", "tmux"], capture_output=True, text=True, timeout=300)
        if r.returncode == 0 and shutil.which("tmux"):
            return str(shutil.which("tmux"))
        reason += f" and apt-get install tmux failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}"
    else:
        reason += " and cannot be installed here (no apt-get or not root)"
    print(f"SKIP: {reason}")
    pytest.skip(reason)


class Pane:
    """One tmux server on a private socket (safe under pytest -n)."""

    def __init__(self, tmp: Path, cmd: str, width: int, height: int) -> None:
        self.tmux = ensure_tmux()
        self.sock = str(tmp / "tmux.sock")
        env_cmd = f"cd {ROOT} && {cmd}; echo EXIT=$?; sleep 60"
        self.run("new-session", "-d", "-s", "live", "-x", str(width), "-y", str(height), env_cmd)

    def run(self, *args: str) -> str:
        r = subprocess.run([self.tmux, "-S", self.sock, *args], capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "live")

    def wait_for(self, *needles: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if all(n in text for n in needles):
                return text
            time.sleep(0.2)
        raise AssertionError(f"screen never showed {needles!r}; last screen:\n{text}")

    def resize(self, width: int, height: int) -> None:
        self.run("resize-window", "-t", "live", "-x", str(width), "-y", str(height))

    def close(self) -> None:
        subprocess.run([self.tmux, "-S", self.sock, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def pane_factory(tmp_path):
    panes: list[Pane] = []

    def make(cmd: str, width: int = 100, height: int = 30) -> Pane:
        p = Pane(tmp_path, cmd, width, height)
        panes.append(p)
        return p

    yield make
    for p in panes:
        p.close()


def test_screen_resize_and_ctrl_c(pane_factory, tmp_path):
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} missing")
    out = tmp_path / "session.csv"
    pane = pane_factory(f"{EXE} live --replay {SAMPLE} --speed 15 --out {out} --cues bell", 100, 30)
    text = pane.wait_for("reptrack live", "SET 1 of 3", "Strap: OK", "Recording to")
    assert "guidance 3-1-3" in text and "Ctrl-C to stop" in text
    assert "strap check OK" in text  # the strap check result is on screen
    # A rep is counted and timed on screen (the sample starts with a set of 15).
    text = pane.wait_for("Last rep #1:", timeout=30)
    assert "lift" in text and "pause" in text and "lower" in text
    assert any(w in text for w in ("LIFTING", "HOLDING", "LOWERING", "RESTING"))

    # Resize smaller: the layout follows the new size and the program keeps running.
    pane.resize(60, 16)
    time.sleep(1.0)
    text = pane.wait_for("reptrack live", "SET ")
    lines = text.splitlines()
    assert max(len(s.rstrip()) for s in lines) <= 60
    assert "EXIT=" not in text
    pane.resize(120, 40)
    text = pane.wait_for("Sensor:", "REP ")
    assert "EXIT=" not in text

    # Ctrl-C: normal stop, summary printed, exit 0, file closed and readable.
    pane.run("send-keys", "-t", "live", "C-c")
    text = pane.wait_for("EXIT=", timeout=20)
    assert "EXIT=0" in text, text
    assert "Total:" in text and "Recorded to" in text
    assert "Traceback" not in text
    back = read_recording(out)
    assert back.duration_s > 5 and not back.warnings


def test_sensor_dropout_is_shown_not_a_crash(pane_factory, tmp_path):
    """A file with an 8 s hole played at x2: the screen says no data, then counts the dropout."""
    fs = 52.0
    t = np.arange(0, 14, 1 / fs)
    t = t[(t < 3) | (t > 11)]
    rng = np.random.default_rng(0)
    acc = np.tile([0.34, -0.94, 0.0], (len(t), 1)) + rng.normal(0, 0.003, (len(t), 3))
    src = tmp_path / "dropout.csv"
    write_native(Recording(t, acc, meta={"sensor": "test"}, nominal_rate_hz=fs), src)
    pane = pane_factory(f"{EXE} live --replay {src} --speed 2", 100, 24)
    text = pane.wait_for("no data for", timeout=20)
    assert "EXIT=" not in text
    text = pane.wait_for("1 dropout(s)", timeout=20)
    assert "dropout: 8.0 s of samples missing" in text
    text = pane.wait_for("EXIT=0", timeout=30)  # the replay ends by itself
    assert "1 dropout(s), 8.0 s missing" in text
