"""Zipped exports (phyphox "CSV zip", Sensor Logger zip, or any zip of one recording).

The archive is read in memory; the member to analyse is chosen by name
first (``TotalAcceleration.csv`` of Sensor Logger, ``Raw Data.csv`` of
phyphox), then by content (the first member whose header a reader
recognises).  Companion files (a Sensor Logger ``Gyroscope.csv``, phyphox's
``meta/time.csv``) are reached inside the archive as siblings.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..errors import InputError
from ..model import Recording
from .tabular import NotARecording, Source

#: Members tried first, in order (lower-case base names).
PREFERRED = ("totalacceleration.csv", "raw data.csv", "accelerometer.csv")
SUFFIXES = (".csv", ".txt", ".tsv")


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def read(src: Source, reader: Callable[..., Recording], **options: Any) -> Recording:
    """Read the recording inside the zip ``src`` with ``reader(member_source, **options)``."""
    try:
        zf = zipfile.ZipFile(src.path if src.path is not None else io.BytesIO(src.data))
        members = [i.filename for i in zf.infolist() if not i.is_dir()]
    except Exception as exc:  # zipfile raises many types for damaged archives
        raise InputError(f"the zip file is damaged ({type(exc).__name__}); export it again", src.name) from None
    if not members:
        raise InputError("the zip file is empty; export the recording again", src.name)
    data_members = [
        m
        for m in members
        if PurePosixPath(m).suffix.lower() in SUFFIXES
        and not PurePosixPath(m).name.startswith(".")
        and "__macosx" not in m.lower()
        and PurePosixPath(m).parent.name.lower() != "meta"
    ]
    if not data_members:
        raise InputError(
            f"the zip file holds no CSV recording (found {', '.join(members[:5])}); give the CSV export",
            src.name,
        )
    rank = {n: i for i, n in enumerate(PREFERRED)}
    data_members.sort(key=lambda m: (rank.get(PurePosixPath(m).name.lower(), len(PREFERRED)), m))
    skipped: NotARecording | None = None
    for m in data_members:
        try:
            return reader(Source.from_zip(zf, m, src.name), **options)
        except NotARecording as exc:  # metadata, another sensor: try the next member
            skipped = skipped or exc
    if skipped is not None and len(data_members) == 1:
        raise skipped
    raise InputError(
        f"no file in the zip is a recording reptrack knows ({', '.join(data_members[:5])}); "
        "extract the CSV and name its columns with --columns t=COL,ax=COL,ay=COL,az=COL",
        src.name,
    )
