"""Pick a reader from the file itself.

Vendor formats (issue #3) register here; the native format is the fallback
when its header is recognised.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import Recording
from .native import looks_native, read_header_block, read_native


def read_recording(path: str | os.PathLike[str], **options: Any) -> Recording:
    """Read any supported recording file into a validated :class:`Recording`.

    Raises :class:`~reptrack.errors.InputError` with one sentence when the
    file cannot be read.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", str(path))
    if p.is_dir():
        raise InputError("this is a directory, not a recording file", str(path))
    _, _, header, _ = read_header_block(str(p))
    if looks_native(header):
        return read_native(p)
    raise InputError(
        f"unknown header {header[:80]!r}; reptrack reads its native CSV (t,ax,ay,az); "
        "for other layouts name the columns with --columns t=COL,ax=COL,ay=COL,az=COL",
        str(path),
        None,
    )
