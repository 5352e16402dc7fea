"""Every malformed input of issue #3: one sentence with file, line and fix; exit 2; no traceback.

Repairs (truncated final line, duplicated timestamps) keep the recording and
say what was done, with the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reptrack.cli import main
from reptrack.errors import InputError
from reptrack.io import read_recording
from reptrack.io.export import zip_bytes

DATA = Path(__file__).resolve().parent / "data" / "io"
OHP = next((DATA / "metabase").glob("A-ohp-*_Accelerometer_*.csv"))
SL = DATA / "sensorlogger" / "Accelerometer.csv"


def _metabase_lines() -> list[str]:
    return OHP.read_text().splitlines()


def _write(tmp_path: Path, lines: list[str], name: str = "rec_MetaWear_x_Accelerometer_12.500Hz_1.4.4.csv", end: str = "\n") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + end)
    return p


def _polar_lines(n: int = 600) -> list[str]:
    head = "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"
    return [head] + [f"2026-01-01T00:00:00.000;{700_000_000_000_000_000 + i * 20_000_000};12;-990;40" for i in range(n)]


def _refused(path: Path, capsys, *needles: str, line: int | None = None, **options: str) -> InputError:
    """Assert the reader and the CLI refuse ``path`` with one sentence."""
    with pytest.raises(InputError) as ei:
        read_recording(path, **options)
    err = ei.value
    for n in needles:
        assert n in str(err), str(err)
    assert err.path is not None and str(path) in err.path
    assert err.line == line
    argv = ["analyze", str(path)]
    for k, v in options.items():
        argv += [f"--{k.replace('_', '-')}", v]
    assert main(argv) == 2
    out = capsys.readouterr().err
    assert out.startswith("reptrack: ") and out.strip().count("\n") == 0 and "Traceback" not in out
    if line is not None:
        assert f", line {line}: " in out
    return err


def test_rows_with_another_delimiter_than_the_header(tmp_path: Path, capsys) -> None:
    lines = _metabase_lines()
    lines[1:] = [r.replace(",", ";") for r in lines[1:]]
    _refused(_write(tmp_path, lines), capsys, "separated by ';' but the header by ','", line=2)


def test_a_decimal_comma_in_a_comma_separated_row_names_the_line(tmp_path: Path, capsys) -> None:
    lines = _metabase_lines()
    lines[40] = lines[40][: lines[40].rindex(",")] + ",0,027"
    _refused(_write(tmp_path, lines), capsys, "7 cells but the header has 6", "delimiter", line=41)


def test_truncated_last_line_is_dropped_with_a_warning(tmp_path: Path, capsys) -> None:
    lines = _metabase_lines()
    lines[-1] = lines[-1][:30]
    p = _write(tmp_path, lines, end="")
    rec = read_recording(p)
    assert rec.n_samples == len(lines) - 2
    assert any(f"truncated final line (line {len(lines)})" in w for w in rec.warnings)
    assert main(["analyze", str(p)]) == 0
    assert "truncated final line" in capsys.readouterr().err


def test_text_in_a_numeric_cell_names_line_and_column(tmp_path: Path, capsys) -> None:
    lines = _polar_lines()
    lines[100] = lines[100].replace(";-990;", ";-99o;")
    _refused(_write(tmp_path, lines, "Polar_ACC.txt"), capsys, "'Y [mg]'", "'-99o'", "not a number", line=101)


def test_header_only(tmp_path: Path, capsys) -> None:
    _refused(_write(tmp_path, _metabase_lines()[:1]), capsys, "header but no data rows")


def test_empty_file(tmp_path: Path, capsys) -> None:
    _refused(_write(tmp_path, [], end=""), capsys, "empty")


def test_unknown_header_suggests_columns(tmp_path: Path, capsys) -> None:
    p = _write(tmp_path, ["stamp,a1,a2,a3"] + [f"{i},0,0,1" for i in range(300)], "x.csv")
    _refused(p, capsys, "unknown header 'stamp,a1,a2,a3'", "--columns t=COL,ax=COL,ay=COL,az=COL", line=1)


def test_gravity_missing_in_a_vendor_format(tmp_path: Path, capsys) -> None:
    lines = _polar_lines()
    lines[1:] = [r.replace(";-990;", ";10;") for r in lines[1:]]
    _refused(_write(tmp_path, lines, "Polar_ACC.txt"), capsys, "no gravity", "including* gravity")


def test_time_going_backwards_names_the_line(tmp_path: Path, capsys) -> None:
    lines = _metabase_lines()
    lines[50], lines[51] = lines[51], lines[50]
    _refused(_write(tmp_path, lines), capsys, "time runs backwards", "sort the rows", line=52)


def test_duplicate_timestamps_are_dropped_with_a_warning(tmp_path: Path) -> None:
    lines = _metabase_lines()
    lines.insert(60, lines[59])
    rec = read_recording(_write(tmp_path, lines))
    assert rec.n_samples == len(lines) - 2
    assert any("repeated timestamp (first at line 61)" in w for w in rec.warnings)


def test_absurd_sample_rate(tmp_path: Path, capsys) -> None:
    lines = _polar_lines(40)
    lines[1:] = [f"x;{700_000_000_000_000_000 + i * 20_000_000_000};12;-990;40" for i in range(40)]  # one sample per 20 s
    _refused(_write(tmp_path, lines, "Polar_ACC.txt"), capsys, "sample rate", "not plausible")


def test_wrong_time_unit_for_generic_csv_says_which_option(tmp_path: Path, capsys) -> None:
    p = _write(tmp_path, ["ms,x,y,z"] + [f"{i * 10},0,0,1" for i in range(400)], "g.csv")
    _refused(p, capsys, "not plausible", "--time-unit", columns="t=ms,ax=x,ay=y,az=z")


def test_time_jumping_forward_by_years_names_the_line(tmp_path: Path, capsys) -> None:
    lines = _metabase_lines()
    lines[-1] = "2" + lines[-1][1:]  # epoch 1.5e12 -> 2.5e12 ms: 32 years later
    _refused(_write(tmp_path, lines), capsys, "time jumps forward", "split the file", line=len(lines))


def test_binary_file(tmp_path: Path, capsys) -> None:
    p = tmp_path / "rec.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _refused(p, capsys, "binary file")


def test_utf16_and_gzip_files_say_how_to_fix_them(tmp_path: Path, capsys) -> None:
    import gzip

    text = OHP.read_text()
    p = tmp_path / "u16.csv"
    p.write_bytes(text.encode("utf-16"))
    _refused(p, capsys, "UTF-16", "UTF-8")
    g = tmp_path / "rec.csv.gz"
    g.write_bytes(gzip.compress(text.encode()))
    _refused(g, capsys, "gzip", "unpack")


def test_empty_zip(tmp_path: Path, capsys) -> None:
    p = tmp_path / "export.zip"
    p.write_bytes(zip_bytes({}))
    _refused(p, capsys, "zip file is empty")


def test_damaged_zip(tmp_path: Path, capsys) -> None:
    good = zip_bytes({"TotalAcceleration.csv": SL.read_bytes()})
    p = tmp_path / "export.zip"
    p.write_bytes(good[: len(good) // 2])
    _refused(p, capsys, "zip file is damaged")


def test_zip_without_a_recording(tmp_path: Path, capsys) -> None:
    p = tmp_path / "export.zip"
    p.write_bytes(zip_bytes({"notes.txt": b"hello,world\n1,2\n", "photo.jpg": b"\xff\xd8"}))
    _refused(p, capsys, "unknown header", "--columns", line=1)


def test_missing_file_and_directory(tmp_path: Path, capsys) -> None:
    _refused(tmp_path / "nope.csv", capsys, "no such file")
    with pytest.raises(InputError, match="directory"):
        read_recording(tmp_path)


def test_bad_columns_option(tmp_path: Path, capsys) -> None:
    p = _write(tmp_path, ["a,b,c,d"] + [f"{i / 50},0,0,1" for i in range(300)], "g.csv")
    _refused(p, capsys, "cannot understand 'tx'", columns="t=a,ax=b,ay=c,az=d,tx")


def test_native_header_ended_by_a_vertical_tab_is_refused(tmp_path: Path, capsys) -> None:
    """Regression (found by the fuzz test): Python and pandas disagree on line ends."""
    p = tmp_path / "n.csv"
    p.write_text("# sensor: x\nt,ax,ay,az,gx,gy,gz\x0b0.0,,,,1,2,3\n" + "\n".join(f"{i / 50},0,0,1,,," for i in range(200)) + "\n")
    with pytest.raises(InputError):
        read_recording(p)
    assert main(["analyze", str(p)]) == 2
    assert "Traceback" not in capsys.readouterr().err
