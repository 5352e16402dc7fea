"""Session history: a SQLite store of analysed sessions and weekly progress.

``reptrack analyze FILE --save`` stores each session (its schema-1 JSON
document plus a few summary columns); ``reptrack history`` lists them with
weekly progress; ``reptrack report --history`` draws it.

Database
--------
One SQLite file (stdlib :mod:`sqlite3`), by default
``<user data dir>/reptrack/history.sqlite`` (:func:`platformdirs.user_data_dir`),
overridable with ``--db PATH`` or the ``REPTRACK_DB`` environment variable.
Tables: ``meta(key, value)`` with ``app = reptrack`` and ``schema = 1``, and
``sessions`` (one row per stored recording).  A file that is not a reptrack
database, or is damaged, raises :class:`~reptrack.errors.HistoryError` and is
never modified.

Deduplication: a session is keyed by the SHA-256 of its samples (times,
acceleration and gyro as float64 bytes), so saving the same recording twice
-- even from a renamed copy -- stores it once.

Session date: the recording's ``start_utc`` (its UTC date), else ``--date``,
else the file's modification time (local date); ``date_source`` records which.

Weekly progress (ISO weeks, Monday first) per athlete: sessions against the
alternate-day plan (every other day = 3-4 sessions a week, the guidance in
DESIGN.md: "alternate days for ~6 weeks"), reps, tempo compliance (fraction
of reps with no tempo flag), median lift / pause / lower (s), median wobble
and median range (deg) over all the week's reps.  Weeks without a session
between an athlete's first and last week are listed with 0 sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HistoryError
from .guidance import TEMPO_FLAGS
from .model import Recording, Session

APP_ID = "reptrack"
SCHEMA_VERSION = 1
DB_ENV = "REPTRACK_DB"
#: Alternate-day plan: every other day is 3 or 4 sessions in a 7-day week.
PLAN_SESSIONS_PER_WEEK = (3, 4)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    samples_sha256 TEXT NOT NULL UNIQUE,
    athlete TEXT,
    date TEXT NOT NULL,
    date_source TEXT NOT NULL,
    start_utc TEXT,
    path TEXT,
    saved_utc TEXT NOT NULL,
    guidance TEXT,
    reps INTEGER NOT NULL,
    sets INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_athlete_date ON sessions (athlete, date);
"""


def default_db_path() -> Path:
    """``$REPTRACK_DB`` if set, else ``history.sqlite`` in the user data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("reptrack", appauthor=False)) / "history.sqlite"


def samples_hash(rec: Recording) -> str:
    """SHA-256 (hex) of the recording's samples: identical data, identical hash."""
    h = hashlib.sha256()
    for arr in (rec.t, rec.acc, rec.gyro_t, rec.gyro):
        if arr is not None:
            import numpy as np

            h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
        h.update(b"|")
    return h.hexdigest()


def session_date(rec: Recording, date: str | None = None) -> tuple[str, str]:
    """``(YYYY-MM-DD, source)``: from ``start_utc``, else ``date``, else the file's mtime.

    ``source`` is ``"start_utc"``, ``"--date"`` or ``"file mtime"``.
    Raises :class:`HistoryError` for a malformed ``date`` or when none is available.
    """
    if rec.start_utc:
        try:
            d = dt.datetime.fromisoformat(rec.start_utc.strip().replace("Z", "+00:00"))
            if d.tzinfo is not None:
                d = d.astimezone(dt.timezone.utc)
            return d.date().isoformat(), "start_utc"
        except ValueError:
            pass  # unreadable start_utc: fall through to --date / mtime
    if date:
        try:
            return dt.date.fromisoformat(date.strip()).isoformat(), "--date"
        except ValueError:
            raise HistoryError(f"--date {date!r} is not a date; write it as YYYY-MM-DD") from None
    if rec.path and os.path.exists(rec.path):
        return dt.date.fromtimestamp(os.path.getmtime(rec.path)).isoformat(), "file mtime"
    raise HistoryError("the recording has no start_utc and no file to date it by; pass --date YYYY-MM-DD")


# ---------------------------------------------------------------------------
# Summaries of one session document (also used by the HTML comparison)
# ---------------------------------------------------------------------------


def _median(vals: Iterable[float | None]) -> float | None:
    v = [x for x in vals if x is not None]
    return float(statistics.median(v)) if v else None


def summarize_reps(reps: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Reps, tempo compliance and medians over schema-1 rep objects.

    ``compliance`` is the fraction (0-1) of reps with no tempo flag (the
    definition of the per-set compliance, issue #2), None with no reps.
    """
    n = len(reps)
    ok = sum(1 for r in reps if not set(r.get("flags") or ()) & set(TEMPO_FLAGS))
    return {
        "reps": n,
        "flagged": sum(1 for r in reps if r.get("flags")),
        "compliance": (ok / n) if n else None,
        "median_lift_s": _median(r.get("lift_s") for r in reps),
        "median_hold_s": _median(r.get("hold_s") for r in reps),
        "median_lower_s": _median(r.get("lower_s") for r in reps),
        "median_wobble": _median(r.get("wobble") for r in reps),
        "median_range_deg": _median(r.get("range_deg") for r in reps),
    }


def summarize_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """Summary of one schema-1 session document (see :func:`summarize_reps`)."""
    out = summarize_reps(doc.get("reps") or [])
    out["sets"] = len(doc.get("sets") or [])
    out["duration_s"] = (doc.get("recording") or {}).get("duration_s")
    return out


# ---------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------


@dataclass
class SaveResult:
    id: int
    created: bool
    date: str
    date_source: str
    athlete: str | None
    path: str | None


class History:
    """A reptrack history database.

    ``History(path, create=True)`` opens (and creates when missing) the
    database; with ``create=False`` a missing file reads as empty.  Use as a
    context manager or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, create: bool = True) -> None:
        self.path = Path(path) if path else default_db_path()
        self._conn: sqlite3.Connection | None = None
        if self.path.is_dir():
            raise HistoryError(f"history database {self.path} is a directory; pass --db with a file name")
        exists = self.path.exists()
        if not exists and not create:
            return
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(f"cannot create the folder for the history database {self.path} ({exc.strerror})") from None
        try:
            self._conn = sqlite3.connect(str(self.path))
            self._check_or_init(new=not exists or self.path.stat().st_size == 0)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise HistoryError(
                f"{self.path} is damaged or not a reptrack history database ({exc}); "
                "it was left untouched -- move it aside or pass --db with another file"
            ) from None

    def _check_or_init(self, new: bool) -> None:
        c = self._conn
        assert c is not None
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if new and not tables:
            with c:
                c.executescript(_SCHEMA)
                c.execute("INSERT INTO meta VALUES ('app', ?), ('schema', ?)", (APP_ID, str(SCHEMA_VERSION)))
            return
        meta = dict(c.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
        if meta.get("app") != APP_ID or "sessions" not in tables:
            raise HistoryError(
                f"{self.path} is an SQLite file but not a reptrack history database; "
                "it was left untouched -- pass --db with another file"
            )
        if int(meta.get("schema", "0")) > SCHEMA_VERSION:
            raise HistoryError(f"{self.path} was written by a newer reptrack (schema {meta['schema']}); upgrade reptrack")
        res = c.execute("PRAGMA quick_check").fetchone()
        if not res or res[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {res[0] if res else 'no answer'}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        if self._conn is None:
            return []
        try:
            self._conn.row_factory = sqlite3.Row
            with self._conn:
                return list(self._conn.execute(sql, args))
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{self.path} is damaged ({exc}); it was left untouched -- move it aside or pass --db") from None

    # -- writing ------------------------------------------------------------
    def save(self, session: Session, athlete: str | None = None, date: str | None = None) -> SaveResult:
        """Store ``session`` unless a session with the same samples is stored."""
        if self._conn is None:  # opened with create=False on a missing file
            raise HistoryError(f"history database {self.path} does not exist")
        rec = session.recording
        digest = samples_hash(rec)
        athlete = athlete.strip() if athlete and athlete.strip() else None
        old = self._run("SELECT id, date, date_source, athlete, path FROM sessions WHERE samples_sha256 = ?", (digest,))
        if old:
            o = old[0]
            return SaveResult(o["id"], False, o["date"], o["date_source"], o["athlete"], o["path"])
        day, source = session_date(rec, date)
        doc = session.to_json_dict()
        path = str(Path(rec.path).resolve()) if rec.path else None
        rows = self._run(
            "INSERT INTO sessions (samples_sha256, athlete, date, date_source, start_utc, path, saved_utc, guidance,"
            " reps, sets, flagged, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                digest, athlete, day, source, rec.start_utc, path,
                dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                getattr(session.guidance, "name", None), len(session.reps), len(session.sets), session.flagged,
                json.dumps(doc, allow_nan=False),
            ),
        )
        return SaveResult(rows[0]["id"], True, day, source, athlete, path)

    def delete(self, session_id: int) -> bool:
        """Remove one session; False if there is no such id."""
        if self._conn is None:
            return False
        return bool(self._run("DELETE FROM sessions WHERE id = ? RETURNING id", (session_id,)))

    # -- reading ------------------------------------------------------------
    def sessions(self, athlete: str | None = None, with_doc: bool = False) -> list[dict[str, Any]]:
        """Stored sessions (oldest first) with their summaries; ``athlete``
        matches case-insensitively."""
        sql = "SELECT * FROM sessions"
        args: tuple[Any, ...] = ()
        if athlete is not None:
            sql += " WHERE athlete = ? COLLATE NOCASE"
            args = (athlete,)
        out = []
        for r in self._run(sql + " ORDER BY date, id", args):
            doc = json.loads(r["doc"])
            item = {
                "id": r["id"], "athlete": r["athlete"], "date": r["date"], "date_source": r["date_source"],
                "start_utc": r["start_utc"], "path": r["path"], "saved_utc": r["saved_utc"], "guidance": r["guidance"],
            }
            item.update(summarize_doc(doc))
            if with_doc:
                item["doc"] = doc
            out.append(item)
        return out

    def athletes(self) -> list[str | None]:
        return [r[0] for r in self._run("SELECT DISTINCT athlete FROM sessions ORDER BY athlete")]


def weekly_progress(sessions_with_docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Weekly rows (see the module docstring) from :meth:`History.sessions`
    output with ``with_doc=True``; per athlete, oldest week first."""
    by_athlete: dict[str | None, list[dict[str, Any]]] = {}
    for s in sessions_with_docs:
        by_athlete.setdefault(s["athlete"], []).append(s)
    weeks: list[dict[str, Any]] = []
    for athlete in sorted(by_athlete, key=lambda a: (a is None, a or "")):
        items = by_athlete[athlete]
        mondays = {_monday(s["date"]) for s in items}
        first, last = min(mondays), max(mondays)
        monday = first
        n = 1
        while monday <= last:
            in_week = [s for s in items if _monday(s["date"]) == monday]
            reps = [r for s in in_week for r in s["doc"].get("reps") or []]
            iso = monday.isocalendar()
            row: dict[str, Any] = {
                "athlete": athlete,
                "week": f"{iso.year}-W{iso.week:02d}",
                "week_start": monday.isoformat(),
                "program_week": n,
                "sessions": len(in_week),
                "planned_sessions": list(PLAN_SESSIONS_PER_WEEK),
                "on_plan": PLAN_SESSIONS_PER_WEEK[0] <= len(in_week) <= PLAN_SESSIONS_PER_WEEK[1],
                "session_ids": [s["id"] for s in in_week],
            }
            row.update(summarize_reps(reps))
            weeks.append(row)
            monday += dt.timedelta(days=7)
            n += 1
    return weeks


def _monday(day: str) -> dt.date:
    d = dt.date.fromisoformat(day)
    return d - dt.timedelta(days=d.weekday())


# ---------------------------------------------------------------------------
# CLI glue (analyze --save)
# ---------------------------------------------------------------------------


def save_sessions_cli(sessions: Sequence[Session], db: str | None, athlete: str | None, date: str | None) -> None:
    """Store ``sessions`` (``analyze --save``); one line per session on stderr."""
    if date:
        try:
            dt.date.fromisoformat(date.strip())
        except ValueError:
            raise HistoryError(f"--date {date!r} is not a date; write it as YYYY-MM-DD") from None
    with History(db, create=True) as h:
        for s in sessions:
            res = h.save(s, athlete=athlete, date=date)
            name = s.recording.path or "recording"
            who = f" for {res.athlete}" if res.athlete else ""
            if res.created:
                note = f"date {res.date} from the {_source_words(res.date_source)}"
                if date and res.date_source == "start_utc":
                    note += " (--date ignored: the recording has its own start time)"
                print(f"reptrack: saved {name} as session {res.id}{who} in {h.path}; {note}", file=sys.stderr)
            else:
                print(
                    f"reptrack: {name} is already stored as session {res.id} ({res.date}"
                    + (f", {res.athlete}" if res.athlete else "") + "); not saved again",
                    file=sys.stderr,
                )
        if not athlete:
            print("reptrack: note: saved without --athlete NAME; history groups sessions by athlete", file=sys.stderr)


def _source_words(source: str) -> str:
    return {"start_utc": "recording's start_utc", "--date": "--date option", "file mtime": "file's modification time"}[source]
