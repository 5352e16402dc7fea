"""The motion signal drawn in the report: shank tilt over time.

A session from the analyzer carries the segmenter's own angle signal
(``Session.trace``), read through :func:`reptrack.analysis.motion_trace`.
A session built without the analyzer (tests, previews, benchmarks) has none;
rather than re-running the whole analysis for a picture, the report then
draws the angle (deg) between the low-passed acceleration and the
recording's median gravity direction -- orientation-free, always >= 0, and
close to the shank tilt excursion of a heel raise (see DESIGN.md, "The
physics") -- and labels it "tilt from gravity".
"""

from __future__ import annotations

import numpy as np

from ..model import Session

#: Low-pass time constant of the fallback (s): keeps the 0.3-0.5 Hz heel-raise
#: motion, removes most 4-12 Hz tremor and sensor noise.
FALLBACK_SMOOTH_S = 0.25


def motion_trace(session: Session) -> tuple[np.ndarray, np.ndarray, str]:
    """``(t_s, angle_deg, source)`` for the plot; ``source`` names which signal."""
    if getattr(session, "trace", None) is not None:
        try:
            from ..analysis import motion_trace as core_trace  # type: ignore[attr-defined]
        except ImportError:  # pragma: no cover - older core
            core_trace = None
        t, y = core_trace(session) if core_trace is not None else session.trace  # type: ignore[misc]
        t = np.asarray(t, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if t.shape == y.shape and len(t):
            return t, y, "shank tilt (deg)"
    return _fallback_trace(session)


def _fallback_trace(session: Session) -> tuple[np.ndarray, np.ndarray, str]:
    rec = session.recording
    t, acc = rec.t, rec.acc
    if len(t) < 2:
        return t, np.zeros_like(t), "tilt from gravity (deg)"
    fs = rec.median_rate_hz or 50.0
    n = max(1, int(round(FALLBACK_SMOOTH_S * fs)))
    if n > 1:
        kernel = np.ones(n) / n
        pad = np.pad(acc, ((n // 2, n - 1 - n // 2), (0, 0)), mode="edge")
        sm = np.column_stack([np.convolve(pad[:, i], kernel, mode="valid") for i in range(3)])
    else:
        sm = acc
    norm = np.linalg.norm(sm, axis=1)
    norm[norm == 0] = 1.0
    u = sm / norm[:, None]
    ref = np.median(u, axis=0)
    ref /= np.linalg.norm(ref) or 1.0
    ang = np.degrees(np.arccos(np.clip(u @ ref, -1.0, 1.0)))
    # rest level at 0: subtract a low percentile so the bottom of a rep sits near 0
    ang = ang - np.percentile(ang, 5)
    return t, ang, "tilt from gravity (deg)"
