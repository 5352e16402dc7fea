"""Cues (issue #5): a metronome that counts the tempo and a bell when a rep breaks it,
degrading gracefully without audio."""

from __future__ import annotations

import io
import shutil
import stat
import time
import wave
from pathlib import Path

import pytest

from reptrack.guidance import load_guidance
from reptrack.live.cues import CuePlayer, phase_schedule
from reptrack.model import Rep

G313 = load_guidance("3-1-3")


def fake_program(bin_dir: Path, name: str, log: Path, rc: int = 0) -> None:
    bin_dir.mkdir(exist_ok=True)
    p = bin_dir / name
    p.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexit {rc}\n')
    p.chmod(p.stat().st_mode | stat.S_IEXEC)


def wait_players(player: CuePlayer, timeout: float = 20.0) -> None:
    """Let the (fake) players finish before close(), however loaded the machine is."""
    deadline = time.monotonic() + timeout
    for p in list(player._procs):
        p.wait(timeout=max(0.1, deadline - time.monotonic()))


def which_in(bin_dir: Path):
    return lambda name: shutil.which(name, path=str(bin_dir))


def rep(flags: list[str]) -> Rep:
    return Rep(1, 1, 1, 10.0, 13.0, 14.0, 17.0, 3.0, 1.0, 3.0, None, 4.0, 1.0, 0.5, flags, reported_at=17.4)


def drive_one_rep(player: CuePlayer) -> None:
    """A 3-1-3 rep as the segmenter reports it: each phase detected ~0.3 s after its onset."""
    for now in (10.3, 10.6, 11.0, 11.5, 12.0, 12.5, 13.0):
        player.update("lifting", 10.0, now)
    for now in (13.3, 13.6, 14.0):
        player.update("holding", 13.0, now)
    for now in (14.3, 15.0, 15.5, 16.0, 16.5, 17.0):
        player.update("lowering", 14.0, now)
    player.update("resting", 17.0, 17.4)


def test_schedule_counts_the_targets():
    words = [(c.at, c.word) for c in phase_schedule("lifting", 10.0, G313)]
    assert words == [(10.0, "up"), (11.0, "two"), (12.0, "three"), (13.0, "hold")]
    assert [c.word for c in phase_schedule("holding", 13.0, G313)] == ["hold", "down"]
    g525 = load_guidance("5-2-5")
    assert [c.word for c in phase_schedule("lowering", 0.0, g525)] == ["down", "two", "three", "four", "five"]
    assert phase_schedule("resting", 0.0, G313) == []


def test_metronome_counts_a_rep_in_time_without_repeats():
    player = CuePlayer("off", G313)
    drive_one_rep(player)
    assert [c.word for c in player.fired] == ["up", "two", "three", "hold", "down", "two", "three"]
    # Each cue is played within 0.5 s of when it is due.
    assert player.last_word == "three"


def test_bell_mode_plays_tones_through_an_audio_player(tmp_path):
    log = tmp_path / "played.log"
    fake_program(tmp_path / "bin", "aplay", log)
    player = CuePlayer("bell", G313, which=which_in(tmp_path / "bin"))
    assert player.notice == "cues: tones via aplay"
    drive_one_rep(player)
    player.on_rep(rep(["lower_too_fast"]))
    # Read the tone files before close() removes them.
    files = [Path(p) for p in player._tones.values()]
    with wave.open(str(files[0])) as w:
        assert w.getnframes() > 0 and w.getframerate() == 22050
    wait_players(player)
    player.close()
    played = log.read_text().split()  # players run concurrently: compare as a multiset
    assert len(played) == 8  # 7 metronome cues + 1 alert
    assert sum(p.endswith("tick.wav") for p in played) == 4  # two, three, two, three
    assert sum(p.endswith("phase.wav") for p in played) == 3  # up, hold, down
    assert sum(p.endswith("alert.wav") for p in played) == 1
    assert [c.kind for c in player.fired][-1] == "alert"


def test_voice_mode_speaks_counts_and_what_to_fix(tmp_path):
    log = tmp_path / "said.log"
    fake_program(tmp_path / "bin", "espeak-ng", log)
    player = CuePlayer("voice", G313, which=which_in(tmp_path / "bin"))
    drive_one_rep(player)
    player.on_rep(rep(["no_pause", "lower_too_fast"]))
    wait_players(player)
    player.close()
    expected = ["up", "two", "three", "hold", "down", "two", "three", "pause at the top, lower slower"]
    assert [c.word for c in player.fired] == expected  # spoken in this order...
    assert sorted(log.read_text().splitlines()) == sorted(expected)  # ...and each one reached the speech program


def test_without_audio_alerts_ring_the_terminal_bell_and_say_so_once(tmp_path):
    term = io.StringIO()
    player = CuePlayer("voice", G313, bell_out=term, which=which_in(tmp_path / "empty"))
    assert "no audio player found" in (player.notice or "")
    assert "terminal bell" in (player.notice or "")
    drive_one_rep(player)
    assert term.getvalue() == ""  # metronome is visual only
    assert player.last_word == "three"
    player.on_rep(rep([]))
    assert term.getvalue() == ""
    player.on_rep(rep(["wobble"]))
    assert term.getvalue() == "\a"


def test_broken_audio_player_falls_back(tmp_path):
    log = tmp_path / "played.log"
    fake_program(tmp_path / "bin", "paplay", log, rc=1)  # like paplay with no sound server
    term = io.StringIO()
    player = CuePlayer("bell", G313, bell_out=term, which=which_in(tmp_path / "bin"))
    player.update("lifting", 0.0, 0.0)
    deadline = time.monotonic() + 5
    while player._procs and player._procs[0].poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    player.on_rep(rep(["partial"]))
    assert player.mode == "terminal"
    assert "paplay failed (exit 1" in (player.notice or "")
    assert term.getvalue() == "\a"
    player.close()


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        CuePlayer("loud", G313)
