"""The analysis entry points: a Recording in, a Session out.

``analyze`` is the streaming analyzer (:class:`reptrack.segment.stream.StreamAnalyzer`)
run over the whole file, so live feedback and offline analysis share one
implementation of every rule.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .guidance import Guidance, guidance_for
from .model import Recording, Session


def analyze_recording(rec: Recording, guidance: Guidance | None = None) -> Session:
    """Segment ``rec`` into reps and sets, measure them and raise flags:
    against ``guidance``, or else the built-in one its metadata names
    (:func:`reptrack.guidance.guidance_for`), or else the default."""
    from .segment.stream import StreamAnalyzer

    guidance = guidance or guidance_for(rec.meta)
    gyro = rec.gyro_at_acc_times()
    sa = StreamAnalyzer(guidance=guidance, nominal_rate_hz=rec.nominal_rate_hz, gyro=gyro is not None)
    sa.push(rec.t, rec.acc, gyro)
    sa.finish()
    return Session(recording=rec, guidance=guidance, reps=list(sa.reps), sets=list(sa.sets), trace=sa.motion_trace())


def motion_trace(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """The motion signal behind a session, for plots: ``(t_s, tilt_deg)``.

    ``tilt_deg`` is the shank's angle (deg) from its resting (bottom)
    direction, sampled at ~10 Hz; reps show as out-and-back humps.
    """
    if session.trace is None:
        session.trace = analyze_recording(session.recording, session.guidance).trace
    assert session.trace is not None
    return session.trace


def analyze_file(path: str | os.PathLike[str], guidance: Guidance | None = None, **reader_options: Any) -> Session:
    """Read any supported file (see :func:`reptrack.io.read_recording`) and analyse it."""
    from .io import read_recording

    return analyze_recording(read_recording(path, **reader_options), guidance)
