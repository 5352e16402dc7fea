"""Per-rep CSV export (``reptrack analyze FILE --csv reps.csv``).

One row per rep with exactly the fields of the ``reps`` objects in the
schema-1 JSON (:meth:`reptrack.model.Session.to_json_dict`), in the same
order and units (times and durations in seconds since the recording's first
sample, ``range_deg`` in degrees, ``wobble`` as documented in
:mod:`reptrack.metrics`).  Conventions for spreadsheets and pandas:

* ``flags`` and ``uncertain_flags`` are joined with ``;`` (empty cell when
  the list is empty);
* a JSON ``null`` (e.g. ``rest_s`` of a set's first rep) is an empty cell;
* booleans are ``true`` / ``false`` like in the JSON;
* when several sessions go into one file a leading ``file`` column names the
  recording each rep comes from.

``pandas.read_csv("reps.csv")`` reads it back with numeric columns as
float/int and empty cells as NaN.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import Any

from ..errors import InputError
from ..model import Rep, Session

#: Column order = the JSON rep object's field order (Rep.to_dict()).
REP_FIELDS: tuple[str, ...] = tuple(
    Rep(0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None, 0.0, 0.0, 0.0).to_dict().keys()
)
FLAG_SEPARATOR = ";"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return FLAG_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def rep_rows(sessions: Sequence[Session], with_file: bool | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows (strings) for ``sessions``; ``with_file`` defaults to
    ``len(sessions) > 1``."""
    if with_file is None:
        with_file = len(sessions) > 1
    header = (["file"] if with_file else []) + list(REP_FIELDS)
    rows: list[list[str]] = []
    for s in sessions:
        for rep in s.to_json_dict()["reps"]:
            row = [_cell(rep.get(k)) for k in REP_FIELDS]
            if with_file:
                row.insert(0, s.recording.path or "")
            rows.append(row)
    return header, rows


def write_reps_csv(sessions: list[Session], path: str | os.PathLike[str]) -> None:
    """Write the per-rep table of ``sessions`` to ``path`` (UTF-8, ``\\n`` line ends).

    Raises :class:`InputError` when the file cannot be written.
    """
    header, rows = rep_rows(sessions)
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    except OSError as exc:
        raise InputError(
            f"cannot write the CSV file ({exc.strerror or exc}); check the folder exists and is writable",
            str(path),
        ) from None
