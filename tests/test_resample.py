"""The processing grid does not depend on how the stream was chunked.

Live feedback pushes a sensor's packets as they arrive; ``analyze`` pushes
the whole file.  Both must see the same grid values, or a rep's measurement
differs between them (acceptance-like seed 21000 without sway: a 48-ms lost
packet just before a 0.37-s chunk boundary moved a rep's reported end by
0.34 s live).
"""

from __future__ import annotations

import numpy as np
import pytest

from reptrack.signal.resample import GridResampler


def _grid(t: np.ndarray, x: np.ndarray, cuts: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The grid of (t, x) pushed in chunks split at the times ``cuts`` (s)."""
    rs = GridResampler(50.0, dim=3)
    ks, xs = [], []
    edges = [0, *np.searchsorted(t, sorted(cuts)).tolist(), len(t)]
    for a, b in zip(edges[:-1], edges[1:]):
        out = rs.push(t[a:b], x[a:b])
        ks.append(out.k)
        xs.append(out.x)
    return np.concatenate(ks), np.vstack(xs)


def _stream(rate_hz: float, holes: list[tuple[float, float]], seconds: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    """A 3-axis signal at ``rate_hz`` with the samples in each ``(start, length)`` hole (s) lost."""
    t = np.arange(0.0, seconds, 1.0 / rate_hz)
    keep = np.ones(len(t), dtype=bool)
    for start, length in holes:
        keep &= ~((t > start) & (t < start + length))
    t = t[keep]
    x = np.column_stack((np.sin(2.1 * t), np.cos(0.7 * t), 1.0 + 0.1 * np.sin(5.3 * t)))
    return t, x


def test_a_lost_packet_just_before_a_chunk_boundary_leaves_the_grid_as_the_whole_file_gives():
    # 104 Hz, a 48-ms hole (longer than two 20-ms grid periods) with two
    # samples after it before the chunk boundary: the grid point after the
    # boundary averages over the end of the hole and needs the sample before it
    t, x = _stream(104.0, [(3.031, 0.040)])
    k_all, x_all = _grid(t, x, [])
    k_ch, x_ch = _grid(t, x, [3.09])
    assert np.array_equal(k_all, k_ch)
    np.testing.assert_allclose(x_ch, x_all, rtol=0, atol=1e-12)


@pytest.mark.parametrize("rate", [26.0, 50.0, 104.0, 200.0])
def test_every_chunk_boundary_near_a_lost_packet_gives_the_same_grid(rate: float):
    # holes of 45 ms to 0.3 s, each followed by a boundary 0-100 ms after it
    # in 3-ms steps, and one more boundary elsewhere
    for length in (0.045, 0.06, 0.1, 0.3):
        t, x = _stream(rate, [(3.0, length)])
        k_all, x_all = _grid(t, x, [])
        for dt in np.arange(0.0, 0.1, 0.003):
            k_ch, x_ch = _grid(t, x, [1.234, 3.0 + length + dt])
            assert np.array_equal(k_all, k_ch)
            np.testing.assert_allclose(x_ch, x_all, rtol=0, atol=1e-9, err_msg=f"hole {length} s, boundary {dt:.3f} s after")
