"""`reptrack report` end to end: recordings in, one HTML file out; `--history` progress."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reptrack.cli import main
from reptrack.io.native import write_native
from reptrack.report.example import example_session

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"


def _recordings(tmp_path: Path) -> list[Path]:
    """Two bundled simulated sessions when present, else example sessions."""
    files = [SAMPLE_DATA / "seated_3x15.csv", SAMPLE_DATA / "standing_fatigue.csv"]
    if all(f.exists() for f in files):
        return files
    out = []
    for i in range(2):
        f = tmp_path / f"ex{i}.csv"
        write_native(example_session(sets=2, reps_per_set=8, seed=i).recording, f)
        out.append(f)
    return out


def test_report_of_two_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _recordings(tmp_path)
    out = tmp_path / "report.html"
    assert main(["report", *map(str, files), "--out", str(out), "--athlete", "Ann", "--notes", "check the left heel"]) == 0
    assert "wrote" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert all(f.name in html for f in files)
    assert "Comparison" in html and "check the left heel" in html
    assert "shank tilt (deg)" in html  # the segmenter's own motion signal is drawn
    # the report shows the reps analyze finds
    assert main(["analyze", str(files[0]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    n = len(doc["reps"])
    assert n > 0
    section1 = html[html.index('id="session-1"'): html.index('id="session-2"')]
    assert section1.count('class="lift"') == n


def test_hostile_file_name_is_escaped(tmp_path: Path) -> None:
    src = _recordings(tmp_path)[0]
    evil = tmp_path / "<script>alert(1)<script>.csv"
    shutil.copy(src, evil)
    out = tmp_path / "r.html"
    assert main(["report", str(evil), "--out", str(out), "--athlete", "<script>x</script>"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;script&gt;.csv" in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_report_errors_are_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--out", str(tmp_path / "r.html")]) == 2
    assert "at least one recording" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "r.html")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_progress_report_from_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "h.sqlite")
    for i, day in enumerate(["2026-11-02", "2026-11-04", "2026-11-09", "2026-11-23"]):
        f = tmp_path / f"s{i}.csv"
        write_native(example_session(sets=1, reps_per_set=6, seed=i, start_utc=f"{day}T08:00:00Z", set_rest_s=10).recording, f)
        assert main(["analyze", str(f), "--save", "--athlete", "Ann <b>", "--db", db]) == 0
    f = tmp_path / "bob.csv"
    write_native(example_session(sets=1, reps_per_set=4, seed=11, set_rest_s=10).recording, f)
    assert main(["analyze", str(f), "--save", "--athlete", "Bob", "--db", db]) == 0
    capsys.readouterr()
    out = tmp_path / "progress.html"
    # two athletes stored: the command asks which one
    assert main(["report", "--history", "--db", db, "--out", str(out)]) == 2
    assert "--athlete" in capsys.readouterr().err
    assert main(["report", "--history", "--athlete", "ann <b>", "--db", db, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Ann &lt;b&gt;" in html and "<b>Ann" not in html.replace("<b>Ann &lt;b&gt;", "")
    assert html.count("<svg") == 6  # sessions, reps, compliance, tempo, wobble, range per week
    assert "2026-W45" in html and "2026-W48" in html and "off plan" in html
    assert main(["report", "--history", "--athlete", "Carl", "--db", db, "--out", str(out)]) == 2
    assert "no saved sessions for 'Carl'" in capsys.readouterr().err


def test_report_of_real_vendor_recordings_without_reps(tmp_path: Path, shared_dir: Path) -> None:
    """Real MetaWear / phyphox files (not heel raises, see ../shared/realdata/README.md)."""
    files = sorted((shared_dir / "realdata" / "metabase").glob("A-rest-sitting*Accelerometer*.csv"))
    files += [shared_dir / "realdata" / "phyphox" / "Accelerometer.csv"]
    if not all(f.exists() for f in files) or len(files) < 2:
        pytest.skip("real recordings missing from ../shared/realdata")
    out = tmp_path / "real.html"
    assert main(["report", *map(str, files), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("No heel-raise reps were found") == len(files)
    assert html.count('class="trace"') == len(files)  # the motion is still drawn
    assert "2019-01-18 17:22 UTC" in html  # MetaWear start time from the file
