"""Native CSV: round trip, metadata, and every row of the validation table."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from reptrack.errors import InputError
from reptrack.io import read_native, read_recording, write_native
from reptrack.io.tabular import Source, _plain_floats, sniff
from reptrack.model import Recording


def _still(n: int = 500, fs: float = 50.0) -> Recording:
    t = np.arange(n) / fs
    acc = np.tile([0.1, -0.2, 0.97], (n, 1)) + 0.001 * np.sin(t)[:, None]
    return Recording(t=t, acc=acc, meta={"sensor": "test"}, start_utc="2026-11-22T08:00:00Z")


def _write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _lines(n: int = 200, fs: float = 50.0) -> list[str]:
    return [f"{i / fs:.4f},0.01,0.02,0.99" for i in range(n)]


def test_round_trip_keeps_samples_and_metadata(tmp_path: Path) -> None:
    rec = _still()
    p = tmp_path / "a.csv"
    write_native(rec, p)
    back = read_native(p)
    assert back.n_samples == rec.n_samples
    assert np.allclose(back.t, rec.t, atol=1e-6)
    assert np.allclose(back.acc, rec.acc, atol=1e-5)
    assert back.start_utc == "2026-11-22T08:00:00Z"
    assert back.meta["sensor"] == "test"
    assert back.nominal_rate_hz == pytest.approx(50.0)
    assert back.gaps == []


def test_gyro_on_its_own_time_base_round_trips(tmp_path: Path) -> None:
    rec = _still(500, 50.0)
    rec.gyro_t = np.arange(250) / 25.0 + 0.013
    rec.gyro = np.column_stack([np.arange(250.0), np.zeros(250), np.ones(250)])
    p = tmp_path / "g.csv"
    write_native(rec, p)
    back = read_native(p)
    assert back.n_samples == 500
    assert back.gyro_t is not None and back.gyro is not None
    assert len(back.gyro_t) == 250
    assert np.allclose(back.gyro_t, rec.gyro_t, atol=1e-6)
    assert np.allclose(back.gyro[:, 0], np.arange(250.0))


def test_time_is_rebased_to_first_sample(tmp_path: Path) -> None:
    p = _write(tmp_path, "t,ax,ay,az\n" + "\n".join(f"{100 + i / 50:.4f},0,0,1" for i in range(200)) + "\n")
    rec = read_native(p)
    assert rec.t[0] == 0.0
    assert rec.t[-1] == pytest.approx(199 / 50)


def test_gaps_are_listed_not_filled(tmp_path: Path) -> None:
    rows = _lines(300)
    del rows[100:110]  # 10 lost samples = 0.22 s gap at 50 Hz
    rec = read_native(_write(tmp_path, "# sample_rate_hz: 50\nt,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert rec.n_samples == 290
    assert len(rec.gaps) == 1
    assert rec.gaps[0].start == pytest.approx(99 / 50)
    assert rec.gaps[0].end == pytest.approx(110 / 50)


@pytest.mark.parametrize(
    "text, needle, line",
    [
        ("t,ax,ay\n0,0,0\n", "missing column(s) az; found t, ax, ay", 1),
        ("t;ax;ay;az\n0;0;0;1\n", "separated by ';'", 1),
        ("t,ax,ay,az\n", "no data rows", None),
        ("", "empty", None),
    ],
)
def test_fatal_header_problems(tmp_path: Path, text: str, needle: str, line: int | None) -> None:
    with pytest.raises(InputError) as ei:
        read_native(_write(tmp_path, text))
    assert needle in str(ei.value)
    assert ei.value.line == line


def test_non_numeric_cell_names_line_and_column(tmp_path: Path) -> None:
    rows = _lines()
    rows[41] = "0.8200,0.01,abc,0.99"
    with pytest.raises(InputError) as ei:
        read_native(_write(tmp_path, "# sensor: x\nt,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert ei.value.line == 44  # 1 meta line + header + 42nd row
    assert "'ay'" in str(ei.value) and "abc" in str(ei.value)


def test_time_backwards_is_fatal_with_line(tmp_path: Path) -> None:
    rows = _lines()
    rows[10], rows[11] = rows[11], rows[10]
    with pytest.raises(InputError) as ei:
        read_native(_write(tmp_path, "t,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert "backwards" in str(ei.value)
    assert ei.value.line == 13


@pytest.mark.parametrize(
    "scale, needle", [(9.80665, "m/s^2"), (1000.0, "milli-g"), (0.01, "no gravity")]
)
def test_wrong_units_and_missing_gravity(tmp_path: Path, scale: float, needle: str) -> None:
    rows = [f"{i / 50:.4f},{0.01 * scale:.5f},{0.02 * scale:.5f},{0.99 * scale:.5f}" for i in range(200)]
    with pytest.raises(InputError) as ei:
        read_native(_write(tmp_path, "t,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert needle in str(ei.value)


def test_too_short_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="only 1.98 s"):
        read_native(_write(tmp_path, "t,ax,ay,az\n" + "\n".join(_lines(100)) + "\n"))


def test_truncated_final_line_is_dropped_with_warning(tmp_path: Path) -> None:
    text = "t,ax,ay,az\n" + "\n".join(_lines()) + "\n4.0000,0.01,0.0"
    rec = read_native(_write(tmp_path, text))
    assert rec.n_samples == 200
    assert any("truncated final line" in w for w in rec.warnings)


def test_duplicate_timestamps_repaired(tmp_path: Path) -> None:
    rows = _lines()
    rows.insert(50, rows[50])
    rec = read_native(_write(tmp_path, "t,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert rec.n_samples == 200
    assert any("repeated timestamp" in w for w in rec.warnings)


def test_short_nan_run_is_filled_long_one_becomes_gap(tmp_path: Path) -> None:
    rows = _lines(400)
    for i in (60, 61):  # 2 samples at 50 Hz: filled
        rows[i] = f"{i / 50:.4f},,,"
    for i in range(200, 240):  # 0.8 s: dropped -> gap
        rows[i] = f"{i / 50:.4f},,,"
    rec = read_native(_write(tmp_path, "# sample_rate_hz: 50\nt,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert rec.n_samples == 360
    assert not np.isnan(rec.acc).any()
    assert len(rec.gaps) == 1 and rec.gaps[0].duration_s == pytest.approx(41 / 50)


def test_binary_file_refused(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\x02garbage" * 10)
    with pytest.raises(InputError, match="binary"):
        read_recording(p)


# --- damaged cells, metadata and layout (QA pass) ----------------------------


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e308", "-5e4"])
def test_one_damaged_acceleration_cell_is_repaired_and_nothing_after_it_is_lost(tmp_path: Path, cell: str) -> None:
    rows = _lines(400)
    rows[150] = f"{150 / 50:.4f},0.01,{cell},0.99"
    rec = read_native(_write(tmp_path, "t,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert rec.n_samples == 400 and rec.t[-1] == pytest.approx(399 / 50)
    assert np.isfinite(rec.acc).all() and rec.acc[150, 1] == pytest.approx(0.02)
    assert any("line 152" in w and "treated as empty" in w for w in rec.warnings)


def test_a_damaged_cell_in_a_long_run_becomes_a_gap_not_data(tmp_path: Path) -> None:
    rows = _lines(400)
    for i in range(200, 240):
        rows[i] = f"{i / 50:.4f},inf,inf,inf"
    rec = read_native(_write(tmp_path, "# sample_rate_hz: 50\nt,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert rec.n_samples == 360 and np.isfinite(rec.acc).all()
    assert len(rec.gaps) == 1


@pytest.mark.parametrize(
    "edit, needles, line",
    [
        (lambda rows: rows.__setitem__(300, f"{300 / 50 + 13 * 3600:.4f},0.01,0.02,0.99"), ("time jumps forward by 13 h",), 302),
        (lambda rows: rows.__setitem__(399, "1e300,0.01,0.02,0.99"), ("time jumps forward",), 401),
        (lambda rows: rows.__setitem__(120, f"{120 / 50:.4f},0.01,0.02,0.99,7"), ("this line has 5 cells but the header has 4",), 122),
    ],
    ids=["13h", "1e300", "extra-cell"],
)
def test_damaged_rows_are_fatal_with_their_line(tmp_path: Path, edit, needles: tuple[str, ...], line: int) -> None:
    rows = _lines(400)
    edit(rows)
    with pytest.raises(InputError) as ei:
        read_native(_write(tmp_path, "t,ax,ay,az\n" + "\n".join(rows) + "\n"))
    for n in needles:
        assert n in str(ei.value)
    assert ei.value.line == line


def test_decimal_commas_name_the_first_row_not_a_backwards_time(tmp_path: Path) -> None:
    rows = [r.replace(".", ",") for r in _lines(400)]
    with pytest.raises(InputError) as ei:
        read_native(_write(tmp_path, "# sensor: x\nt,ax,ay,az\n" + "\n".join(rows) + "\n"))
    assert "has 8 cells but the header has 4" in str(ei.value) and ei.value.line == 3


def test_time_in_ms_is_refused_even_with_a_sample_rate_line(tmp_path: Path) -> None:
    rows = [f"{i * 20},0.01,0.02,0.99" for i in range(400)]
    with pytest.raises(InputError, match="sample rate .* is not plausible.*time-unit"):
        read_native(_write(tmp_path, "# sample_rate_hz: 50\nt,ax,ay,az\n" + "\n".join(rows) + "\n"))


@pytest.mark.parametrize("value", ["notadate", "2026-13-45T99:99:99Z"])
def test_unreadable_start_utc_is_dropped_with_a_warning(tmp_path: Path, value: str) -> None:
    rec = read_native(_write(tmp_path, f"# start_utc: {value}\nt,ax,ay,az\n" + "\n".join(_lines(400)) + "\n"))
    assert rec.start_utc is None and "start_utc" not in rec.meta
    assert any("start_utc" in w and value in w for w in rec.warnings)
    assert rec.n_samples == 400


@pytest.mark.parametrize(
    "before_header",
    ["\n", "  \n# sensor: x\n", "# sensor: x\n\n# sample_rate_hz: 50\n\n"],
    ids=["leading-blank", "blank-with-spaces", "blanks-among-metadata"],
)
def test_blank_lines_before_the_header_are_accepted(tmp_path: Path, before_header: str) -> None:
    rec = read_native(_write(tmp_path, before_header + "t,ax,ay,az\n" + "\n".join(_lines(400)) + "\n"))
    assert rec.n_samples == 400
    assert rec.meta.get("sensor", "x") == "x"


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_blank_lines_before_the_header_lose_no_rows_whatever_the_line_ends(tmp_path: Path, eol: str) -> None:
    """Old-Mac files (bare CR) too: pandas skipped the blank lines
    differently and read the header as a data row, losing the first samples."""
    text = "# sensor: x\n\n# sample_rate_hz: 50\nt,ax,ay,az\n" + "\n".join(_lines(400)) + "\n"
    p = tmp_path / "r.csv"
    p.write_bytes(text.replace("\n", eol).encode())
    rec = read_native(p)
    assert rec.n_samples == 400 and rec.t[-1] == pytest.approx(399 / 50.0)


@pytest.mark.parametrize("bad", ["-1e300", "1e300"])
def test_one_absurd_time_is_refused_at_its_own_line(tmp_path: Path, bad: str) -> None:
    """A single damaged time far back or far ahead names its line, not the
    line after it (which is where time 'jumps forward' again after a
    damaged negative time)."""
    rows = _lines(400)
    rows[250] = f"{bad},0.01,0.02,0.99"
    p = _write(tmp_path, "t,ax,ay,az\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as ei:
        read_native(p)
    assert ei.value.line == 252 and "time jumps" in str(ei.value)


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    rows = _lines(400)
    rows[100] = "2.0000,0.01,abc,0.99"
    text = "\n# sensor: x\n\nt,ax,ay,az\n" + "\n".join(rows[:50]) + "\n\n\n" + "\n".join(rows[50:]) + "\n"
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as ei:
        read_native(p)
    bad = next(i for i, ln in enumerate(p.read_text().splitlines(), 1) if "abc" in ln)
    assert ei.value.line == bad == 107


@pytest.mark.parametrize("variant", ["crlf", "a quoted cell", "blank line at the end"])
def test_a_plain_file_reads_the_same_as_its_variants(tmp_path: Path, variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file reptrack wrote can be read without pandas (a plain body); the same
    samples written with CRLF ends, quotes or a trailing blank line take the
    pandas path and must give the same recording."""
    rec = _still(n=700)
    plain = tmp_path / "plain.csv"
    write_native(rec, plain)
    text = plain.read_text()
    if variant == "crlf":
        other = text.replace("\n", "\r\n")
    elif variant == "a quoted cell":
        head, first, rest = text.partition("t,ax,ay,az\n")
        t0, _, cells = rest.partition(",")
        other = f'{head}{first}"{t0}",{cells}'
    else:
        other = text + "\n"
    alt = tmp_path / "alt.csv"
    alt.write_bytes(other.encode())
    assert _plain_floats(Source.from_path(plain), sniff(Source.from_path(plain))) is not None
    assert _plain_floats(Source.from_path(alt), sniff(Source.from_path(alt))) is None
    b = read_native(alt)
    # (as in a CLI run: the numpy path is taken while pandas is not imported)
    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    a = read_native(plain)
    assert "pandas" not in sys.modules
    monkeypatch.undo()
    assert a.n_samples == b.n_samples == 700
    assert np.array_equal(a.t, b.t)
    assert np.allclose(a.acc, b.acc, atol=1e-12, rtol=0)
    assert a.meta == b.meta and a.start_utc == b.start_utc
