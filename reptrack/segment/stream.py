"""Streaming analyzer: samples in, rep/set/gap events out (bounded lookahead).

API (stable; the live view and ``analyze`` both use it)::

    sa = StreamAnalyzer(guidance, nominal_rate_hz=52.0)
    events = sa.push(t, acc)      # t (n,) s since first sample, acc (n, 3) g; any chunk size
    events += sa.finish()         # end of stream: flush what is pending
    sa.reps, sa.sets              # everything reported so far
    sa.status()                   # current phase for the live view

Implementation in progress (issue #2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..guidance import Guidance
from ..model import Gap, Rep, SetSummary


@dataclass
class Event:
    """Something the stream produced; ``at`` is the stream time (s) when it was reported."""

    kind: Literal["rep", "set", "gap"]
    at: float
    rep: Rep | None = None
    set: SetSummary | None = None
    gap: Gap | None = None


@dataclass
class Status:
    """Live state: ``phase`` is resting/lifting/holding/lowering since ``phase_since`` (s)."""

    t: float
    phase: Literal["resting", "lifting", "holding", "lowering"]
    phase_since: float
    set_index: int
    reps_in_set: int
    last_rep: Rep | None = None


class StreamAnalyzer:
    def __init__(self, guidance: Guidance, nominal_rate_hz: float | None = None) -> None:
        self.guidance = guidance
        self.nominal_rate_hz = nominal_rate_hz
        self.reps: list[Rep] = []
        self.sets: list[SetSummary] = []
        self._t = 0.0

    def push(self, t: np.ndarray, acc: np.ndarray) -> list[Event]:
        if len(t):
            self._t = float(t[-1])
        return []

    def finish(self) -> list[Event]:
        return []

    def status(self) -> Status:
        return Status(t=self._t, phase="resting", phase_since=0.0, set_index=max(1, len(self.sets)), reps_in_set=0)
