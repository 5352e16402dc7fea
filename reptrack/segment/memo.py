"""Fit results computed ahead by another process, looked up by their arguments.

The segmenter's fits (:func:`reptrack.segment.transitions.fit_rise`,
:func:`~reptrack.segment.transitions.with_magnitude`,
:func:`~reptrack.segment.transitions.with_magnitude_decided`) are pure
functions of their arguments and take most of an analysis's time.
:mod:`reptrack.overlap` lets a second process run the segmenter over the
last part of a big file while this one works through the first part; that
run records every fit it makes (:class:`FitMemo` with ``record=True``).
Where this process's own run reaches the same movements, it mostly makes
the very same calls -- the same window of the same grid, the same levels,
the same seed -- and takes the recorded result instead of fitting again.

A result is only ever taken for a call whose arguments are equal to the
bit (arrays by their bytes, numbers by their exact ``repr``, a seed by the
arguments of the call that returned it), so the session is the one the
fits themselves would give; a call that differs in anything is fitted as
usual.  (The other run starts from a fresh state part-way through the
file, so its first movements may be read differently; its later ones are
mostly read the same.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np

#: The plain values an argument may be; anything else must be a result
#: this memo returned (a seed), or the call is not looked up.
_PLAIN = (bool, int, float, str, type(None))


class FitMemo:
    """Results of the fits keyed by a digest of their arguments.

    ``results``: what a recording run found (``{key: result}``);
    ``record``: keep this run's results too (the recording run)."""

    def __init__(self, results: dict[bytes, Any] | None = None, record: bool = False) -> None:
        self.results: dict[bytes, Any] = {} if results is None else results
        self._record = record
        # id -> (the object, the key it is known by): results and their
        # parts, passed back in as seeds (held, so an id is never reused)
        self._known: dict[int, tuple[object, bytes]] = {}
        #: calls answered from :attr:`results`
        self.hits = 0

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, taken from :attr:`results` when this call
        was made before."""
        key = self._key(fn.__name__, args, kwargs)
        if key is None:
            return fn(*args, **kwargs)
        if key in self.results:
            out = self.results[key]
            self.hits += 1
        else:
            out = fn(*args, **kwargs)
            if self._record:
                self.results[key] = out
        self._learn(out, key)
        return out

    def _learn(self, out: Any, key: bytes) -> None:
        """Know ``out`` and the non-number parts of a tuple result by ``key``."""
        if out is None:
            return
        self._known[id(out)] = (out, key)
        if isinstance(out, tuple):
            for i, part in enumerate(out):
                if not isinstance(part, _PLAIN):
                    self._known[id(part)] = (part, key + bytes([i]))

    def _key(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes | None:
        """The digest of a call's arguments, or None when one of them is
        neither plain nor known (the call is then not looked up)."""
        h = hashlib.blake2b(name.encode(), digest_size=20)
        for label, value in [("", a) for a in args] + sorted(kwargs.items()):
            if isinstance(value, np.ndarray):
                piece = b"a" + f"{value.dtype.str}{value.shape}".encode() + np.ascontiguousarray(value).tobytes()
            elif isinstance(value, _PLAIN):
                piece = b"v" + repr(value).encode()
            else:
                known = self._known.get(id(value))
                if known is None or known[0] is not value:
                    return None
                piece = b"k" + known[1]
            for part in (label.encode(), piece):
                h.update(len(part).to_bytes(8, "little"))
                h.update(part)
        return h.digest()
