"""What the live loop consumes: an async iterator of :class:`Batch`.

A BLE sensor (:class:`reptrack.ble.reader.SensorStream`), an emulated sensor
and a replayed file (:class:`reptrack.live.replay.ReplaySource`) all plug in
the same way; the loop only relies on the four attributes below (duck typing,
so the BLE reader's own ``Batch`` class fits without importing it here).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..model import Gap


@dataclass
class Batch:
    """Samples delivered together.

    ``t`` (n,) seconds since the stream's first sample, ``acc`` (n, 3) g,
    ``gaps`` stretches with lost samples that the source located (reported
    once, in the batch that follows them), ``status`` a one-line sensor state
    change ("connected", "reconnecting", ...) or None, ``gyro`` (n, 3) deg/s
    at the same instants (NaN where none) from a source with a gyroscope --
    a replayed file that has one -- else None.
    """

    t: np.ndarray
    acc: np.ndarray
    gaps: list[Gap] = field(default_factory=list)
    status: str | None = None
    gyro: np.ndarray | None = None


class BatchLike(Protocol):
    t: np.ndarray
    acc: np.ndarray
    gaps: list[Gap]
    status: str | None


class BatchSource(Protocol):
    """An async iterator of batches with a description for the screen."""

    def __aiter__(self) -> AsyncIterator[BatchLike]: ...
