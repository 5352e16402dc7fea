"""Velocity profiles of single movements (lift, lower, fidget, ...).

Every profile is a position shape ``S(u)`` on normalised time ``u`` in [0, 1]
with ``S(0) = 0``, ``S(1) = 1`` and zero velocity at both ends.  ``S`` is
*exactly* 0 for ``u <= 0`` and exactly 1 for ``u >= 1``, so a movement
scheduled on ``[onset, offset]`` leaves the angle exactly flat outside that
interval and the truth onset/offset are exact.

Shapes (names appear in the truth JSON as ``profile_lift`` / ``profile_lower``):

``min_jerk``
    Flash & Hogan minimum-jerk: v(u) = 30 u^2 (1-u)^2 (bell, peak at 0.5).
``raised_cosine``
    v(u) = 1 - cos(2 pi u) (bell, slightly fuller than min-jerk).
``skewed``
    Beta-density velocity v(u) ~ u^(a-1) (1-u)^(b-1), a != b drawn from
    [2, 5]: the velocity peak sits early (a < b) or late (a > b).
``trapezoid``
    Near-constant speed: cosine ramps over 10-25 % of the movement at each
    end, flat velocity in between.
``hesitation``
    A min-jerk bell multiplied by a dip (depth 60-100 %, a mini-pause when
    100 %) centred somewhere in 30-70 % of the movement.

The shape is tabulated on :data:`GRID` points, integrated with the
trapezoid rule and normalised, so ``S`` is monotone and ends exactly at 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Shape names, in the order the random draws use.
PROFILES: tuple[str, ...] = ("min_jerk", "raised_cosine", "skewed", "trapezoid", "hesitation")
#: Table resolution (points on [0, 1]).
GRID = 1201

_U = np.linspace(0.0, 1.0, GRID)


@dataclass(frozen=True)
class Shape:
    """A tabulated position shape: ``name``, ``params`` (for the record), ``s`` = S(u) on :data:`GRID` points."""

    name: str
    params: dict[str, float]
    s: np.ndarray

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """S(u) (0..1); exactly 0 for u <= 0 and 1 for u >= 1."""
        return np.interp(u, _U, self.s)


def _cosine_window(u: np.ndarray, a: float, b: float, taper: float) -> np.ndarray:
    """1 on [a, b], cosine tapers of width ``taper`` outside, 0 beyond."""
    w = np.zeros_like(u)
    w[(u >= a) & (u <= b)] = 1.0
    if taper > 0:
        left = (u > a - taper) & (u < a)
        w[left] = 0.5 * (1 - np.cos(np.pi * (u[left] - (a - taper)) / taper))
        right = (u > b) & (u < b + taper)
        w[right] = 0.5 * (1 + np.cos(np.pi * (u[right] - b) / taper))
    return w


def velocity(name: str, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, float]]:
    """Unnormalised velocity v(u) >= 0 on the grid, with v(0) = v(1) = 0, and its parameters."""
    u = _U
    if name == "min_jerk":
        return 30 * u**2 * (1 - u) ** 2, {}
    if name == "raised_cosine":
        return 1 - np.cos(2 * np.pi * u), {}
    if name == "skewed":
        a = float(rng.uniform(2.0, 5.0))
        # keep |a - b| >= 1 so the skew is real (peak at (a-1)/(a+b-2))
        b = float(rng.uniform(2.0, 5.0))
        while abs(a - b) < 1.0:
            b = float(rng.uniform(2.0, 5.0))
        return u ** (a - 1) * (1 - u) ** (b - 1), {"a": a, "b": b}
    if name == "trapezoid":
        r = float(rng.uniform(0.10, 0.25))
        return _cosine_window(u, r, 1 - r, r), {"ramp": r}
    if name == "hesitation":
        c = float(rng.uniform(0.3, 0.7))
        depth = float(rng.uniform(0.6, 1.0))
        plateau = float(rng.uniform(0.0, 0.08))
        taper = float(rng.uniform(0.05, 0.12))
        dip = _cosine_window(u, c - plateau / 2, c + plateau / 2, taper)
        return 30 * u**2 * (1 - u) ** 2 * (1 - depth * dip), {"centre": c, "depth": depth, "plateau": plateau}
    raise ValueError(f"unknown velocity profile {name!r}; known: {', '.join(PROFILES)}")


def make_shape(name: str, rng: np.random.Generator) -> Shape:
    """Draw one shape of kind ``name`` (random parameters from ``rng``)."""
    v, params = velocity(name, rng)
    v = np.clip(v, 0.0, None)
    v[0] = v[-1] = 0.0
    s = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]))])
    s /= s[-1]
    s[-1] = 1.0
    return Shape(name, params, s)


def draw_shape(names: tuple[str, ...], rng: np.random.Generator) -> Shape:
    """A shape of a kind drawn uniformly from ``names``."""
    return make_shape(names[int(rng.integers(len(names)))], rng)
