"""Work done in a forked child, its output read back through a pipe.

The second core is used by forking (numpy's parser and the segmenter hold
the GIL): :mod:`reptrack.io.split_parse` parses half a CSV body in a child,
:mod:`reptrack.overlap` reads and resamples a whole file in one (and then
segments its later part, sending message after message).  Both go
through :class:`ForkedCall`, which keeps the rules in one place: the child
never returns to the caller's code (``os._exit``: no atexit handlers, no
second flush of stdout), Ctrl-C ends it quietly, and the parent reads the
pipe to its end before it waits (a child blocked on a full pipe never exits)
and reaps the child whatever happens.
"""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Callable
from typing import BinaryIO


def may_fork() -> bool:
    """Whether a ``fork`` to use a second core is safe and worth it here: a
    POSIX fork, two or more CPUs, and no other thread in this process
    (forking a threaded process can deadlock the child)."""
    return hasattr(os, "fork") and usable_cpus() >= 2 and threading.active_count() == 1


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system
    has one: a container limited to one CPU of many gets 1)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class ForkedCall:
    """``work(out)`` run in a forked child, which writes its result to the
    binary file ``out`` (a pipe); :meth:`result` reads it back.  The caller
    checks :func:`may_fork` first."""

    def __init__(self, work: Callable[[BinaryIO], None]) -> None:
        r, w = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: work, write, exit
            status = 1
            try:
                os.close(r)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # (Ctrl-C ends the child, quietly)
                with os.fdopen(w, "wb") as out:
                    work(out)
                status = 0
            finally:
                os._exit(status)
        os.close(w)
        self._r: int | None = r

    def message(self) -> bytes | None:
        """The child's next message (written with :func:`send_message`); None
        when its output ended (or broke off) before a whole one."""
        assert self._r is not None
        head = self._read_exactly(8)
        return None if head is None else self._read_exactly(int.from_bytes(head, "little"))

    def ready(self, timeout_s: float = 0.0) -> bool:
        """Whether the child has written something not yet read (a message
        has begun, or its output has ended), waiting up to ``timeout_s``:
        :meth:`message` will not wait long then."""
        assert self._r is not None
        return bool(select.select([self._r], [], [], max(0.0, timeout_s))[0])

    def _read_exactly(self, n: int) -> bytes | None:
        parts, left = [], n
        while left:
            part = os.read(self._r, min(left, 1 << 20))  # type: ignore[arg-type]
            if not part:
                return None
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    def result(self) -> bytes | None:
        """All the child wrote, once it has exited; None when it failed."""
        assert self._r is not None
        with os.fdopen(self._r, "rb") as inp:
            self._r = None
            data = inp.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return data if status == 0 else None

    def close(self) -> None:
        """Stop and reap the child if :meth:`result` was not reached (an
        error or Ctrl-C in the parent)."""
        if self._r is not None:
            os.close(self._r)
            self._r = None
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._pid = 0


def send_message(out: BinaryIO, payload: bytes) -> None:
    """Write one message for :meth:`ForkedCall.message` (its length first)."""
    out.write(len(payload).to_bytes(8, "little"))
    out.write(payload)
    out.flush()
