"""The analysis entry points: a Recording in, a Session out.

``analyze`` is the streaming analyzer (:class:`reptrack.segment.stream.StreamAnalyzer`)
run over the whole file, so live feedback and offline analysis share one
implementation of every rule.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .guidance import Guidance, guidance_for
from .model import Recording, Session

if TYPE_CHECKING:
    from .segment.stream import StreamAnalyzer


#: Samples handed to the analyzer per push (:func:`push_blocks`).  The
#: resampler's running integral restarts at each push, so a grid point's
#: value can differ in its last bits with the pushes' sizes: every whole-file
#: analysis pushes the same blocks, so its result is a function of the file
#: alone (and :mod:`reptrack.overlap` can start on the first block before
#: the rest is read).  2^16 samples: 11 minutes at 100 Hz.
PUSH_BLOCK = 65536


def analyze_recording(rec: Recording, guidance: Guidance | None = None) -> Session:
    """Segment ``rec`` into reps and sets, measure them and raise flags:
    against ``guidance``, or else the built-in one its metadata names
    (:func:`reptrack.guidance.guidance_for`), or else the default."""
    from .segment.stream import StreamAnalyzer

    guidance = guidance or guidance_for(rec.meta)
    gyro = rec.gyro_at_acc_times()
    sa = StreamAnalyzer(guidance=guidance, nominal_rate_hz=rec.nominal_rate_hz, gyro=gyro is not None)
    for a, b in push_blocks(len(rec.t)):
        sa.push(rec.t[a:b], rec.acc[a:b], None if gyro is None else gyro[a:b])
    return finished_session(rec, guidance, sa)


def push_blocks(n: int) -> list[tuple[int, int]]:
    """The ``[a, b)`` sample ranges a whole-file analysis of ``n`` samples
    pushes, in order (:data:`PUSH_BLOCK`)."""
    return [(a, min(a + PUSH_BLOCK, n)) for a in range(0, n, PUSH_BLOCK)]


def finished_session(rec: Recording, guidance: Guidance, sa: StreamAnalyzer) -> Session:
    """The session of ``rec`` once ``sa`` has been pushed all of it."""
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

    if not any(reader_options.values()):
        # (a big native file: read on the other core while this one analyses)
        from .overlap import analyze_native_overlapped

        session = analyze_native_overlapped(path, guidance)
        if session is not None:
            return session
    return analyze_recording(read_recording(path, **reader_options), guidance)
