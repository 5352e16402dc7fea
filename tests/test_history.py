"""History database (issue #6): save, dedupe, dates, weekly progress, delete, damage."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import statistics
from pathlib import Path

import pytest

from reptrack.cli import main
from reptrack.errors import HistoryError
from reptrack.guidance import TEMPO_FLAGS
from reptrack.history import History, default_db_path, samples_hash, session_date, weekly_progress
from reptrack.io.native import write_native
from reptrack.report.example import example_session


def _session(seed: int, day: str | None, path: str = "s.csv", reps: int = 6):
    start = f"{day}T07:30:00Z" if day else None
    return example_session(sets=2, reps_per_set=reps, seed=seed, start_utc=start, path=path, set_rest_s=20)


def test_saving_the_same_recording_twice_stores_it_once(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    s = _session(1, "2026-11-02")
    with History(db) as h:
        first = h.save(s, athlete="Ann")
        again = h.save(_session(1, "2026-11-02", path="renamed-copy.csv"), athlete="Ann")
        other = h.save(_session(2, "2026-11-02"), athlete="Ann")
        assert first.created and not again.created and other.created
        assert again.id == first.id
        assert [x["id"] for x in h.sessions()] == [first.id, other.id]


def test_date_comes_from_start_utc_then_date_option_then_mtime(tmp_path: Path) -> None:
    s = _session(1, "2026-11-02")
    s.recording.start_utc = "2026-11-02T23:30:00-02:00"  # already 11-03 in UTC
    assert session_date(s.recording, "2026-01-01") == ("2026-11-03", "start_utc")
    s.recording.start_utc = None
    assert session_date(s.recording, "2026-01-05") == ("2026-01-05", "--date")
    f = tmp_path / "rec.csv"
    f.write_text("x")
    stamp = dt.datetime(2026, 3, 4, 12, 0).timestamp()
    os.utime(f, (stamp, stamp))
    s.recording.path = str(f)
    assert session_date(s.recording, None) == ("2026-03-04", "file mtime")
    with pytest.raises(HistoryError, match="YYYY-MM-DD"):
        session_date(s.recording, "4 March")


def test_weekly_progress_against_hand_computed_figures(tmp_path: Path) -> None:
    days = ["2026-11-02", "2026-11-04", "2026-11-06", "2026-11-10", "2026-11-25"]  # Mon/Wed/Fri, Tue, (gap), Wed
    sessions = [_session(i, d) for i, d in enumerate(days)]
    with History(tmp_path / "h.sqlite") as h:
        for s in sessions:
            h.save(s, athlete="Ann")
        h.save(_session(99, "2026-11-03"), athlete="Bob")
        stored = h.sessions(athlete="ann", with_doc=True)  # case-insensitive
    weeks = weekly_progress(stored)
    assert [w["week"] for w in weeks] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert [w["sessions"] for w in weeks] == [3, 1, 0, 1]
    assert [w["on_plan"] for w in weeks] == [True, False, False, False]
    assert [w["program_week"] for w in weeks] == [1, 2, 3, 4]
    week1 = [r for s in sessions[:3] for r in s.reps]
    assert weeks[0]["reps"] == len(week1)
    ok = sum(1 for r in week1 if not set(r.flags) & set(TEMPO_FLAGS))
    assert weeks[0]["compliance"] == pytest.approx(ok / len(week1))
    assert weeks[0]["median_lift_s"] == pytest.approx(statistics.median(r.lift_s for r in week1))
    assert weeks[0]["median_lower_s"] == pytest.approx(statistics.median(r.lower_s for r in week1))
    assert weeks[0]["median_wobble"] == pytest.approx(statistics.median(r.wobble for r in week1))
    assert weeks[0]["median_range_deg"] == pytest.approx(statistics.median(r.range_deg for r in week1))
    assert weeks[2]["reps"] == 0 and weeks[2]["compliance"] is None


def test_cli_save_list_json_and_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "h.sqlite")
    f1, f2 = tmp_path / "a.csv", tmp_path / "b.csv"
    write_native(_session(1, "2026-11-02").recording, f1)
    write_native(_session(2, None).recording, f2)
    assert main(["analyze", str(f1), "--json", "--save", "--athlete", "Ann", "--db", db]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout still carries only the JSON
    assert "saved" in err and "start_utc" in err
    assert main(["analyze", str(f2), "--save", "--athlete", "Ann", "--db", db, "--date", "2026-11-04"]) == 0
    assert "--date" in capsys.readouterr().err
    assert main(["analyze", str(f1), "--save", "--athlete", "Ann", "--db", db]) == 0
    assert "already stored" in capsys.readouterr().err

    assert main(["history", "--db", db, "--athlete", "Ann", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"sessions", "weeks"}
    assert [s["date"] for s in doc["sessions"]] == ["2026-11-02", "2026-11-04"]
    assert [s["date_source"] for s in doc["sessions"]] == ["start_utc", "--date"]
    assert doc["weeks"][0]["sessions"] == 2
    assert doc["sessions"][0]["reps"] == doc["weeks"][0]["reps"] - doc["sessions"][1]["reps"]

    assert main(["history", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "Weekly progress" in text and "a.csv" in text

    first_id = doc["sessions"][0]["id"]
    assert main(["history", "delete", str(first_id), "--db", db]) == 0
    assert main(["history", "--db", db, "--json"]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)["sessions"]] == [doc["sessions"][1]["id"]]
    assert main(["history", "delete", "999", "--db", db]) == 2
    assert "no session 999" in capsys.readouterr().err


def test_listing_a_missing_database_does_not_create_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "none.sqlite"
    assert main(["history", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sessions": [], "weeks": []}
    assert not db.exists()


@pytest.mark.parametrize("kind", ["garbage", "other-sqlite", "truncated"])
def test_a_damaged_database_is_a_clear_error_and_left_untouched(tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.sqlite"
    if kind == "garbage":
        db.write_bytes(b"this is not a database\n" * 200)
    elif kind == "other-sqlite":
        c = sqlite3.connect(db)
        c.execute("CREATE TABLE notes (x TEXT)")
        c.commit()
        c.close()
    else:
        with History(db) as h:
            for i in range(4):
                h.save(_session(i, "2026-11-02", reps=15), athlete="Ann")
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    before = db.read_bytes()
    with pytest.raises(HistoryError):
        History(db).sessions()
    f = tmp_path / "a.csv"
    write_native(_session(7, "2026-11-02").recording, f)
    assert main(["analyze", str(f), "--save", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert str(db) in err and "untouched" in err and "Traceback" not in err
    assert main(["history", "--db", str(db)]) == 2
    assert db.read_bytes() == before


def test_default_database_lives_in_the_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPTRACK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "reptrack" / "history.sqlite"
    monkeypatch.setenv("REPTRACK_DB", str(tmp_path / "x.sqlite"))
    assert default_db_path() == tmp_path / "x.sqlite"


def test_samples_hash_depends_on_data_only() -> None:
    a, b = _session(1, "2026-11-02", path="a.csv"), _session(1, "2026-12-01", path="b.csv")
    assert samples_hash(a.recording) == samples_hash(b.recording)
    b.recording.acc[100, 0] += 1e-6
    assert samples_hash(a.recording) != samples_hash(b.recording)
