"""Parse a plain numeric CSV body on two cores.

numpy's text parser holds the GIL and runs at ~0.2 us per number: on a
1-hour 100 Hz recording (1.4 million numbers) it is ~0.27 s of a CLI run,
the largest part after the analysis itself.  A forked child parses the
second half of the lines while this process parses the first, which takes
~0.11 s off (issue #2's speed bar: a 1-hour file in under 2 s on a 2-core
machine).  The numbers are numpy's either way, to the bit.

Only where it is safe and worth it (:func:`reptrack.io.forked.may_fork`) and
for a body of at least :data:`SPLIT_MIN_BYTES`.  Any fault in the
child reads as a ``ValueError`` -- the caller then takes its slower path,
which names the faulty line.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

import numpy as np

from .forked import ForkedCall, may_fork

#: Smallest body (bytes) worth a fork: ~2 ms of fork and pipe against
#: ~20 ms of parsing saved per MB.
SPLIT_MIN_BYTES = 1_000_000

_HEADER = struct.Struct("<qq")

#: False in a process that already shares the CPUs with another doing
#: useful work (:mod:`reptrack.overlap`'s read-ahead child): one parse there.
split_allowed = True


def parse_floats(body: bytes, sep: str) -> np.ndarray:
    """The rows of ``body`` (``sep``-separated numbers, LF line ends, the
    last line ended too) as a float64 array (rows, columns).  Raises what
    :func:`numpy.loadtxt` raises (``ValueError``, or a warning the caller
    turned into an error) on any cell that is not a number."""
    if len(body) < SPLIT_MIN_BYTES or not split_allowed or not may_fork():
        return parse_floats_here(body, sep)
    mid = body.index(b"\n", len(body) // 2) + 1
    if mid >= len(body):
        return parse_floats_here(body, sep)

    def second_half(out: BinaryIO) -> None:
        a = parse_floats_here(body[mid:], sep)
        out.write(_HEADER.pack(*a.shape))
        out.write(a.tobytes())

    child = ForkedCall(second_half)
    try:
        first = parse_floats_here(body[:mid], sep)
    finally:
        # (read also when the first half failed: the child is reaped)
        data = child.result()
    if data is None or len(data) < _HEADER.size:
        raise ValueError("the second half of the rows could not be parsed")
    rows, cols = _HEADER.unpack_from(data)
    second = np.frombuffer(data, np.float64, offset=_HEADER.size).reshape(rows, cols)
    if first.shape[1] != cols:
        raise ValueError("the two halves of the rows have different numbers of cells")
    return np.vstack((first, second))


def parse_floats_here(body: bytes, sep: str) -> np.ndarray:
    """:func:`parse_floats` in this process alone (numpy's parser)."""
    return np.loadtxt(io.StringIO(body.decode("utf-8")), delimiter=sep, dtype=np.float64, comments=None, ndmin=2)
