"""Analyse a big recording file on one core while the other reads it.

``reptrack analyze`` on a 1-hour 100 Hz native CSV spent ~0.25 s reading
(parsing 1.4 million numbers, validating them) before its ~1.7 s of
analysis could start, and the analysis then resampled the whole file onto
its grid (~0.07 s).  Here a forked child reads the file exactly as
:func:`reptrack.io.read_recording` does and resamples it block by block
(:data:`reptrack.analysis.PUSH_BLOCK`), while this process parses the first
block's rows itself (:func:`reptrack.io.native.native_head`) and analyses
them.  When the child's recording arrives, that start is kept only where
the validated recording begins with the very same numbers under the same
metadata and reads its gaps there alike; otherwise the analysis starts over
on the child's recording.  Either way the session is
:func:`reptrack.analysis.analyze_recording`'s, to the bit.

Only where it is safe and worth it: a file of at least
:data:`MIN_FILE_BYTES` and a process that may fork
(:func:`reptrack.io.forked.may_fork`).  A fault in the child -- a file
it cannot read, a crash -- returns None: the caller then reads the file
itself, and a bad file gets its usual one-sentence error.
"""

from __future__ import annotations

import math
import os
import pickle
import queue
import threading
import time
import warnings
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from .analysis import PUSH_BLOCK, analyze_recording, finished_session, push_blocks
from .guidance import Guidance, guidance_for
from .io import read_recording, split_parse
from .io.forked import ForkedCall, may_fork, send_message
from .io.native import NativeHead, native_head, plain_native
from .io.tabular import MAX_ABS_G, MAX_JUMP_S, meta_rate_hz
from .model import Recording, Session, find_gaps, median_rate_hz
from .signal.resample import GridChunk, grid_resampler

if TYPE_CHECKING:
    from .segment.memo import FitMemo
    from .segment.stream import StreamAnalyzer

#: Smallest file (bytes) worth it: about two blocks of native rows.  Below,
#: the read is short and the split parse (:mod:`reptrack.io.split_parse`)
#: already uses the second core.
MIN_FILE_BYTES = 4_000_000
#: Once it has sent the recording, the read-ahead child segments the file's
#: later part too and sends the fits it makes (:mod:`reptrack.segment.memo`)
#: block by block; this process takes them from the next whole block on
#: (:func:`_ahead_from`).  A fresh segmenter reads its first movements its
#: own way, so it starts half a block before that: on the 1-hour benchmark
#: file ~90 % of the fits' time there is then found.  It starts at least
#: this many blocks in: with fewer, the child was still on a block when
#: this process reached it.
AHEAD_MIN_BLOCKS = 3.0
#: Longest wait (s) for fits the child is still making before a block: past
#: it the child has fallen behind, and this process goes on without them.
AHEAD_WAIT_S = 0.1


def analyze_native_overlapped(path: str | os.PathLike[str], guidance: Guidance | None = None) -> Session | None:
    """:func:`reptrack.analysis.analyze_recording` of the file at ``path``
    (read with the default reader options), its reading overlapped with
    the analysis; None where this does not apply or the read failed (read
    the file the usual way then)."""
    try:
        if Path(path).stat().st_size < MIN_FILE_BYTES or not may_fork():
            return None
    except OSError:
        return None
    layout = plain_native(path)
    if layout is None:  # (the split parse serves the others better)
        return None
    from .segment.transitions import warm_tables
    warm_tables()
    child = ForkedCall(partial(_read_ahead, path, guidance))
    try:
        # (imported once the child runs: ~0.04 s of the read overlapped)
        from .segment.memo import FitMemo
        from .segment.stream import StreamAnalyzer

        head = native_head(layout, PUSH_BLOCK)
        sa = None
        if head is not None and _plausible(head):
            try:
                sa = StreamAnalyzer(guidance=guidance or guidance_for(head.meta), nominal_rate_hz=_rate_guess(head))
                sa.push(head.t, head.acc)
            except Exception:  # (a guess that fails is only dropped: the child's read judges the file)
                sa = None
        got = _read_back(child)
        if got is None:
            return None
        rec, chunks = got
        if sa is None or head is None or chunks is None or not _same_start(rec, head, sa):
            return analyze_recording(rec, guidance)
        ahead = _ahead_from(len(rec.t))
        listening = ahead is not None  # (to the child's fits)
        memo, got_to = FitMemo(), 0
        for (a, b), chunk in zip(push_blocks(len(rec.t))[1:], chunks):
            if listening and ahead is not None and a >= ahead:
                sa.memo = memo  # (from here on: the fits of the blocks before are not there)
                listening, got_to = _fits_back(child, memo, b, got_to)
            sa.push_resampled(rec.t[a:b], chunk)
        return finished_session(rec, sa.guidance, sa)
    finally:
        child.close()


def _plausible(head: NativeHead) -> bool:
    """Whether the first rows may be analysed before the file is validated:
    times rising, spanning no more than a recording may
    (:data:`~reptrack.io.tabular.MAX_JUMP_S`), accelerations within
    :data:`~reptrack.io.tabular.MAX_ABS_G`.  (Rows that the validation would
    reject or repair could make the analysis fail, or allocate for a reset
    clock's span, before the child's one-sentence error arrives.)"""
    t = head.t
    return (
        bool(np.all(np.diff(t) > 0.0))
        and float(t[-1] - t[0]) <= MAX_JUMP_S
        and bool(np.all(np.abs(head.acc) <= MAX_ABS_G))
    )


def _rate_guess(head: NativeHead) -> float:
    """The nominal rate (Hz) :func:`reptrack.io.read_recording` will give the
    file, as far as its first rows tell: its metadata's, else their median."""
    rate = meta_rate_hz(head.meta, [])
    if rate is not None:
        return rate
    return median_rate_hz(head.t)


def _same_start(rec: Recording, head: NativeHead, sa: StreamAnalyzer) -> bool:
    """Whether the analysis ``sa`` began on the validated recording ``rec``:
    the same metadata, no gyroscope, the same first rows to the bit, and the
    same gaps among them at ``rec``'s nominal rate (which ``sa`` then takes)."""
    n = len(head.t)
    if rec.meta != head.meta or rec.gyro is not None or len(rec.t) < n:
        return False
    if not (np.array_equal(rec.t[:n], head.t) and np.array_equal(rec.acc[:n], head.acc)):
        return False
    rate = rec.nominal_rate_hz
    if rate != sa.nominal_rate_hz:
        if find_gaps(head.t, rate) != find_gaps(head.t, sa.nominal_rate_hz or 0.0):
            return False
        sa.nominal_rate_hz = rate
    return True


def _ahead_from(n_samples: int) -> int | None:
    """The sample the read-ahead child segments a recording of ``n_samples``
    from (:data:`AHEAD_MIN_BLOCKS`); None for one too short for it to pay.

    Both processes segment a block in about the same time, and this one
    starts on its second block as the child starts; where the child's fits
    have come, it goes about twice as fast and catches up with the child
    near block ``3 x - 2`` when the child starts at block ``x``.  So the
    child starts at ``(n + 2) / 3`` blocks of ``n``, and half a block more."""
    n = n_samples / PUSH_BLOCK
    first = math.ceil(max(AHEAD_MIN_BLOCKS, (n + 2.0) / 3.0 + 0.5))
    return int((first - 0.5) * PUSH_BLOCK) if first < n else None


def _read_ahead(path: str | os.PathLike[str], guidance: Guidance | None, out: BinaryIO) -> None:
    """The read-ahead child's work: read the file at ``path`` and resample it
    for the analysis, and send ``(recording, chunks, warnings)`` --
    ``chunks`` the grid chunks of every block after the first (None for a
    recording with a gyroscope, which the analyzer resamples with its
    readings), ``warnings`` the Python warnings of the read (shown by the
    parent once the read is taken; a failed read is read again by the
    parent, which shows its own).  Then, for a long recording, segment its
    last part and send the fits it makes (:func:`_fits_ahead`)."""
    split_parse.split_allowed = False  # (the other core is analysing)
    with warnings.catch_warnings(record=True) as caught:
        rec = read_recording(path)
    shown = [(str(x.message), x.category, x.filename, x.lineno) for x in caught]
    chunks = None
    if rec.gyro is None:
        res = grid_resampler()
        chunks = [res.push(rec.t[a:b], rec.acc[a:b]) for a, b in push_blocks(len(rec.t))]
    send_message(out, pickle.dumps((rec, chunks and chunks[1:], shown), protocol=pickle.HIGHEST_PROTOCOL))
    at = _ahead_from(len(rec.t))
    if chunks is not None and at is not None:
        _fits_ahead(rec, chunks, guidance or guidance_for(rec.meta), at, out)


def _fits_ahead(rec: Recording, chunks: list[GridChunk], guidance: Guidance, at: int, out: BinaryIO) -> None:
    """Run the segmenter fresh over ``rec``'s grid ``chunks`` (one per
    block) from its sample ``at`` on, and send to ``out``, after each
    block, ``(the block's end sample, the fits made in it)``
    (:class:`~reptrack.segment.memo.FitMemo` results)."""
    from .segment.memo import FitMemo
    from .segment.stream import StreamAnalyzer

    sa = StreamAnalyzer(guidance=guidance, nominal_rate_hz=rec.nominal_rate_hz)
    sa.memo = memo = FitMemo(record=True)
    # (written by a thread: the pipe fills up while this process waits to
    # read, and the segmenting must not wait on it)
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_all, args=(outbox, out), daemon=True)
    writer.start()
    try:
        for (a, b), chunk in zip(push_blocks(len(rec.t)), chunks):
            if b <= at:
                continue
            if a < at:  # (the block it starts in: from the grid point of its sample on)
                i = int(chunk.k.searchsorted(int(np.ceil(rec.t[at] * sa.fs))))
                if i >= len(chunk.k):
                    continue
                chunk = GridChunk(chunk.k[i:], chunk.x[i:], [k for k in chunk.breaks if k >= chunk.k[i]])
                a = at
            n_sent = len(memo.results)
            sa.push_resampled(rec.t[a:b], chunk)
            new = dict(list(memo.results.items())[n_sent:])
            outbox.put(pickle.dumps((b, new), protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        outbox.put(None)
        writer.join()


def _write_all(outbox: queue.SimpleQueue[bytes | None], out: BinaryIO) -> None:
    """Send the messages put in ``outbox`` until a None."""
    while (payload := outbox.get()) is not None:
        send_message(out, payload)


def _read_back(child: ForkedCall) -> tuple[Recording, list | None] | None:
    """What the read-ahead child sent first (its read's warnings shown), or
    None when it failed."""
    data = child.message()
    if not data:
        return None
    try:
        rec, chunks, shown = pickle.loads(data)
    except Exception:  # (a truncated message: as a failed read)
        return None
    for message, category, filename, lineno in shown:
        warnings.warn_explicit(message, category, filename, lineno)
    return rec, chunks


def _fits_back(child: ForkedCall, memo: FitMemo, need: int, got_to: int) -> tuple[bool, int]:
    """Add to ``memo`` the fits the read-ahead child has sent, up to the
    sample ``need`` (waiting up to :data:`AHEAD_WAIT_S` for them) or as
    far as it has come; ``got_to`` is the sample its fits have come up to.
    Returns whether it will send more, and how far its fits now go."""
    deadline = time.monotonic() + AHEAD_WAIT_S
    # (waiting while the block's fits are still to come, else taking what is there)
    while child.ready(deadline - time.monotonic() if got_to < need else 0.0):
        data = child.message()
        if not data:
            return False, got_to
        try:
            got_to, results = pickle.loads(data)
            memo.results.update(results)
        except Exception:  # (a broken message: the fits so far stand)
            return False, got_to
    return True, got_to
