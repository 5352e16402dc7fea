"""Unit quaternions ``[x, y, z, w]`` (scipy's order) in plain numpy.

Just what the simulator needs for sensor mountings: uniform random
rotations, rotation vectors, composition, applying to vectors and slerp.
``mul(p, q)`` is the rotation ``q`` followed by ``p``.  Every function takes a
single quaternion ``(4,)`` or an array ``(n, 4)`` and broadcasts.
"""

from __future__ import annotations

import numpy as np

IDENTITY = np.array([0.0, 0.0, 0.0, 1.0])


def random(rng: np.random.Generator) -> np.ndarray:
    """A uniformly distributed random rotation (normalised 4-D Gaussian)."""
    q = rng.normal(size=4)
    return q / np.linalg.norm(q)


def from_rotvec(v: np.ndarray) -> np.ndarray:
    """Rotation of ``|v|`` rad about ``v``."""
    v = np.asarray(v, dtype=float)
    a = np.linalg.norm(v, axis=-1, keepdims=True)
    s = np.where(a > 1e-12, np.sin(a / 2) / np.where(a > 1e-12, a, 1.0), 0.5)
    return np.concatenate([v * s, np.cos(a / 2)], axis=-1)


def as_rotvec(q: np.ndarray) -> np.ndarray:
    """Rotation vector (rad) of ``q`` (the short way round)."""
    q = np.where(q[..., 3:4] < 0, -q, q)
    u, w = q[..., :3], q[..., 3]
    n = np.linalg.norm(u, axis=-1)
    ang = 2 * np.arctan2(n, w)
    k = np.where(n > 1e-12, ang / np.where(n > 1e-12, n, 1.0), 2.0)
    return u * k[..., None]


def mul(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product: rotate by ``q``, then by ``p``."""
    px, py, pz, pw = np.moveaxis(np.asarray(p, dtype=float), -1, 0)
    qx, qy, qz, qw = np.moveaxis(np.asarray(q, dtype=float), -1, 0)
    return np.stack(
        [
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
            pw * qw - px * qx - py * qy - pz * qz,
        ],
        axis=-1,
    )


def inv(q: np.ndarray) -> np.ndarray:
    return np.asarray(q, dtype=float) * np.array([-1.0, -1.0, -1.0, 1.0])


def apply(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (..., 3) by ``q`` (4,) or (..., 4)."""
    q = np.asarray(q, dtype=float)
    u, w = q[..., :3], q[..., 3:4]
    t = 2 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def slerp(q0: np.ndarray, q1: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Spherical interpolation from ``q0`` (u = 0) to ``q1`` (u = 1); ``u`` (n,) -> (n, 4)."""
    q0, q1 = np.asarray(q0, dtype=float), np.asarray(q1, dtype=float)
    d = float(np.dot(q0, q1))
    if d < 0:
        q1, d = -q1, -d
    u = np.asarray(u, dtype=float)[:, None]
    if d > 0.9995:
        q = q0 + u * (q1 - q0)
    else:
        th = np.arccos(d)
        q = (np.sin((1 - u) * th) * q0 + np.sin(u * th) * q1) / np.sin(th)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def as_matrix(q: np.ndarray) -> np.ndarray:
    """3x3 rotation matrix of a single quaternion."""
    return np.stack([apply(q, e) for e in np.eye(3)], axis=1)
