"""Cues so the athlete need not look: a metronome for the tempo and a bell
when a rep breaks the guidance (``--cues off|bell|voice``).

Metronome
---------
Anchored on the detected onset of each phase (the segmenter's
``phase_since``, i.e. the true onset estimate, not the moment it was
detected): a lift counts "up", "two", "three" at 0, 1, 2 s and says "hold"
when the lift target is reached; the pause says "down" when the hold target
is reached; the lower counts "down", "two", "three".  For other profiles
(5-2-5, ...) the counts follow the targets.  A cue more than
:data:`STALE_S` late (the phase was detected late) is skipped rather than
played out of time.

Backends, chosen once at start-up, degrading gracefully
-------------------------------------------------------
- ``bell``: short WAV tones through the first audio player found on PATH
  (``paplay``, ``pw-play``, ``aplay``, ``afplay``).  Without one, or when the
  player fails (no sound device), alerts ring the terminal bell and the
  metronome is visual only -- said once in :attr:`CuePlayer.notice`.
- ``voice``: words through a speech program (``espeak-ng``, ``espeak``,
  ``spd-say``, ``say``); without one it falls back to ``bell``.
- ``off``: nothing (the screen still shows the metronome word).
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from ..guidance import Guidance
from ..model import Rep

#: A metronome cue this late (s of stream time) is dropped, not played.
STALE_S = 0.5
AUDIO_PLAYERS = ("paplay", "pw-play", "aplay", "afplay")
SPEECH_PROGRAMS = ("espeak-ng", "espeak", "spd-say", "say")
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
FLAG_SPEECH = {
    "lift_too_fast": "lift slower",
    "lower_too_fast": "lower slower",
    "no_pause": "pause at the top",
    "partial": "go higher",
    "wobble": "control",
}
#: (frequency Hz, duration s) of each tone.
TONES = {"tick": (880.0, 0.05), "phase": (660.0, 0.15), "alert": (1320.0, 0.4)}


@dataclass
class Cue:
    at: float  # stream time (s) the cue is due
    word: str
    kind: str  # tick | phase | alert


def phase_schedule(phase: str, since: float, g: Guidance) -> list[Cue]:
    """Metronome cues for a phase that started at ``since`` (s)."""

    def counts(target: float, first: str) -> list[Cue]:
        out = [Cue(since, first, "phase")]
        for k in range(1, int(math.ceil(target - 1e-9))):
            out.append(Cue(since + k, NUMBERS[k] if k < len(NUMBERS) else str(k + 1), "tick"))
        return out

    if phase == "lifting":
        return counts(g.lift_target_s, "up") + [Cue(since + g.lift_target_s, "hold", "phase")]
    if phase == "holding":
        return [Cue(since, "hold", "phase"), Cue(since + g.hold_target_s, "down", "phase")]
    if phase == "lowering":
        return counts(g.lower_target_s, "down")
    return []


def _write_tone(path: str, freq: float, dur: float, rate: int = 22050) -> None:
    n = int(rate * dur)
    frames = bytearray()
    for i in range(n):
        env = min(1.0, i / (0.005 * rate), (n - i) / (0.005 * rate))
        frames += struct.pack("<h", int(12000 * env * math.sin(2 * math.pi * freq * i / rate)))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


class CuePlayer:
    """Turns live status and reps into sounds.

    ``mode`` off|bell|voice; ``bell_out`` where the terminal bell goes (a
    TTY; None = silent); ``which`` finds programs (``shutil.which``;
    injectable for tests).  :attr:`notice` is one sentence about how cues
    work on this machine, shown once; :attr:`last_word` is the latest
    metronome word (the screen shows it even when silent).
    """

    def __init__(
        self,
        mode: str,
        guidance: Guidance,
        bell_out: IO[str] | None = None,
        which: Callable[[str], str | None] = shutil.which,
    ) -> None:
        if mode not in ("off", "bell", "voice"):
            raise ValueError(f"unknown cue mode {mode!r}")
        self.mode = mode
        self.guidance = guidance
        self.bell_out = bell_out
        self.notice: str | None = None
        self.last_word: str | None = None
        self._last_word_at = -math.inf
        self._now = 0.0
        self.fired: list[Cue] = []
        self._schedule: list[Cue] = []
        self._phase: tuple[str, float] | None = None
        self._procs: list[subprocess.Popen[bytes]] = []
        self._player: str | None = None
        self._speech: str | None = None
        self._tones: dict[str, str] = {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if mode == "voice":
            self._speech = next((p for p in (which(n) for n in SPEECH_PROGRAMS) if p), None)
            if self._speech is None:
                self.notice = "no speech program found (espeak-ng, espeak, spd-say, say): using tones instead"
                self.mode = mode = "bell"
            else:
                self.notice = f"cues: voice via {os.path.basename(self._speech)}"
        if mode == "bell":
            self._player = next((p for p in (which(n) for n in AUDIO_PLAYERS) if p), None)
            if self._player is None:
                self._no_audio("no audio player found (paplay, pw-play, aplay, afplay)")
            else:
                self._tmp = tempfile.TemporaryDirectory(prefix="reptrack-cues-")
                for kind, (f, d) in TONES.items():
                    path = os.path.join(self._tmp.name, f"{kind}.wav")
                    _write_tone(path, f, d)
                    self._tones[kind] = path
                if self.notice is None:
                    self.notice = f"cues: tones via {os.path.basename(self._player)}"

    # -- backends -----------------------------------------------------------
    def _no_audio(self, why: str) -> None:
        self._player = None
        self._speech = None
        self.mode = "terminal"
        where = "the terminal bell" if self.bell_out is not None else "nothing (no terminal)"
        self.notice = f"{why}: alerts use {where}, the metronome is shown on screen only"

    def _reap(self) -> None:
        alive = []
        for p in self._procs:
            rc = p.poll()
            if rc is None:
                alive.append(p)
            elif rc != 0 and self.mode in ("bell", "voice"):
                self._no_audio(f"{os.path.basename(str(p.args[0]))} failed (exit {rc}; no sound device?)")
        self._procs = alive

    def _spawn(self, argv: list[str]) -> None:
        if len(self._procs) > 8:  # never pile up players if audio hangs
            return
        try:
            self._procs.append(
                subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        except OSError as exc:
            self._no_audio(f"cannot run {argv[0]} ({exc.strerror or exc})")

    def _bell(self) -> None:
        if self.bell_out is not None:
            try:
                self.bell_out.write("\a")
                self.bell_out.flush()
            except (OSError, ValueError):
                pass

    def play(self, cue: Cue) -> None:
        """Play one cue with the chosen backend."""
        self._reap()
        self.fired.append(cue)
        if cue.kind != "alert":
            self.last_word = cue.word
            self._last_word_at = self._now
        if self.mode == "off":
            return
        if self.mode == "voice" and self._speech:
            self._spawn([self._speech, cue.word])
        elif self.mode == "bell" and self._player:
            self._spawn([self._player, self._tones[cue.kind]])
        elif self.mode == "terminal" and cue.kind == "alert":
            self._bell()

    # -- inputs -------------------------------------------------------------
    def update(self, phase: str, phase_since: float, now: float) -> None:
        """Advance the metronome to stream time ``now`` (s)."""
        self._now = now
        key = (phase, round(phase_since, 3))
        if key != self._phase:
            self._phase = key
            self._schedule = phase_schedule(phase, phase_since, self.guidance)
            # "hold"/"down" said when the previous phase reached its target is not repeated.
            if (
                self._schedule
                and self.last_word == self._schedule[0].word
                and now - self._last_word_at <= 2.0
            ):
                self._schedule.pop(0)
        due = [c for c in self._schedule if c.at <= now]
        self._schedule = [c for c in self._schedule if c.at > now]
        for c in due:
            if now - c.at <= STALE_S or c is due[0] and c.kind == "phase" and now - c.at <= 2 * STALE_S:
                self.play(c)

    def on_rep(self, rep: Rep) -> None:
        """Alert when a rep breaks the guidance."""
        if rep.flags:
            words = ", ".join(FLAG_SPEECH.get(f, f) for f in rep.flags)
            self.play(Cue(rep.reported_at if rep.reported_at is not None else rep.end, words, "alert"))

    def close(self) -> None:
        import time

        deadline = time.monotonic() + 2.0  # let the last cue finish, but never hang the exit
        for p in self._procs:
            try:
                p.wait(timeout=max(0.05, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self._procs = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def default_bell_out() -> IO[str] | None:
    """The terminal for the bell: stderr if it is a TTY, else None (silent)."""
    return sys.stderr if sys.stderr.isatty() else None
