"""Vendor formats: the real files of issue #3, detection, time bases, units, companions, zips, convert."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from reptrack.analysis import analyze_recording
from reptrack.cli import main
from reptrack.errors import InputError
from reptrack.io import read_native, read_recording
from reptrack.io.detect import companion_of
from reptrack.io.export import (
    EXPORTS,
    write_metabase,
    write_phyphox,
    write_phyphox_zip,
    write_polar,
    write_sensorlogger,
    write_sensorlogger_zip,
    zip_bytes,
)
from reptrack.model import Recording

DATA = Path(__file__).resolve().parent / "data" / "io"
MB = DATA / "metabase"
OHP_ACC = MB / "A-ohp-medium1-rpe7_MetaWear_2019-01-11T16.53.53.376_C42732BE255C_Accelerometer_12.500Hz_1.4.4.csv"
OHP_GYRO = MB / "A-ohp-medium1-rpe7_MetaWear_2019-01-11T16.53.53.376_C42732BE255C_Gyroscope_25.000Hz_1.4.4.csv"
REST = sorted(MB.glob("A-rest-*_Accelerometer_*.csv"))
EXERCISE = [OHP_ACC, *sorted(MB.glob("A-squat-*_Accelerometer_*.csv"))]
PHYPHOX_G = DATA / "phyphox" / "Accelerometer.csv"
PHYPHOX_LINEAR = DATA / "phyphox" / "Raw_linear_acceleration.csv"
SL_ACC = DATA / "sensorlogger" / "Accelerometer.csv"


def _session(n: int = 1500, fs: float = 50.0, gyro: bool = True) -> Recording:
    """A still-ish recording with slow tilt changes and an absolute start."""
    rng = np.random.default_rng(3)
    t = np.arange(n) / fs + rng.normal(0, 0.0005, n)
    t -= t[0]
    ang = np.radians(5.0) * np.sin(2 * np.pi * t / 7.0)
    acc = np.column_stack([np.sin(ang), 0.05 + 0 * t, np.cos(ang)]) + rng.normal(0, 0.002, (n, 3))
    rec = Recording(t=t, acc=acc, start_utc="2026-05-04T07:30:00.250Z", nominal_rate_hz=fs)
    if gyro:
        rec.gyro_t = np.arange(2 * n) / (2 * fs) + 0.004
        rec.gyro = np.column_stack([10 * np.sin(rec.gyro_t), np.zeros(2 * n), np.ones(2 * n)])
    return rec


# ---------------------------------------------------------------------------
# The real files (figures the issue asks for)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", REST, ids=lambda p: p.name[:16])
def test_metabase_rest_files_give_zero_reps(path: Path) -> None:
    rec = read_recording(path)
    assert rec.nominal_rate_hz == pytest.approx(12.5)
    assert 30 < rec.duration_s < 45
    assert analyze_recording(rec).reps == []


@pytest.mark.parametrize("path", [*EXERCISE, PHYPHOX_G], ids=lambda p: p.name[:16])
def test_real_exercise_files_analyse_without_error(path: Path) -> None:
    rec = read_recording(path)
    mag = np.linalg.norm(rec.acc, axis=1)
    assert 0.8 < np.median(mag) < 1.2  # converted to g, gravity kept
    assert rec.t[0] == 0.0 and np.all(np.diff(rec.t) > 0)
    session = analyze_recording(rec)
    assert session.to_json_dict()["recording"]["samples"] == rec.n_samples


@pytest.mark.parametrize(
    "path, export",
    [(PHYPHOX_LINEAR, '"Acceleration with g"'), (SL_ACC, "TotalAcceleration.csv")],
    ids=["phyphox-linear", "sensorlogger-accelerometer"],
)
def test_gravity_free_real_files_are_refused_naming_the_export(path: Path, export: str, capsys) -> None:
    with pytest.raises(InputError) as ei:
        read_recording(path)
    msg = str(ei.value)
    assert "no gravity" in msg and export in msg and str(path) in msg
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no gravity" in err and "Traceback" not in err


def test_metabase_real_times_units_and_start() -> None:
    rec = read_recording(OHP_ACC)
    # epoch (ms) 1547222033950 is 2019-01-11T15:53:53.950Z (the time column shows local +01:00)
    assert rec.start_utc == "2019-01-11T15:53:53.950Z"
    assert rec.t[1] == pytest.approx(0.080)
    assert rec.acc[0] == pytest.approx([-0.066, 0.935, 0.027])
    assert rec.meta["format"] == "metabase"


def test_metabase_gyroscope_beside_the_accelerometer_is_read_with_it() -> None:
    rec = read_recording(OHP_ACC)
    assert rec.gyro is not None and rec.gyro_t is not None and len(rec.gyro_t) == 556
    # gyro epoch 1547222033555 is 0.395 s before the first accelerometer sample
    assert rec.gyro_t[0] == pytest.approx(-0.395)
    assert rec.gyro[0] == pytest.approx([2.378, -5.427, 2.927])


def test_metabase_gyroscope_file_given_alone_reads_its_accelerometer(tmp_path: Path) -> None:
    rec = read_recording(OHP_GYRO)
    assert rec.n_samples == 274 and any("accelerometer file" in w for w in rec.warnings)
    lone = tmp_path / OHP_GYRO.name
    shutil.copy(OHP_GYRO, lone)
    with pytest.raises(InputError, match="gyroscope file; reptrack needs the accelerometer file"):
        read_recording(lone)
    assert companion_of(OHP_GYRO) == OHP_ACC and companion_of(OHP_ACC) is None


def test_real_phyphox_simple_export() -> None:
    rec = read_recording(PHYPHOX_G)
    assert rec.n_samples == 480  # the last line has no newline but is complete: kept
    assert rec.acc[0] == pytest.approx(np.array([-3.936813354e-2, 7.454498291e-2, 9.732910309]) / 9.80665)
    assert rec.start_utc is None  # a bare phyphox CSV has no absolute clock
    assert rec.median_rate_hz == pytest.approx(99.5, abs=1.0)


# ---------------------------------------------------------------------------
# Same motion, every format: same samples, same start
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_every_format_gives_the_same_samples_and_start(fmt: str, tmp_path: Path) -> None:
    rec = _session()
    path, options = EXPORTS[fmt](rec, tmp_path)
    back = read_recording(path, **options)
    period = 1.0 / 50.0
    assert back.n_samples == rec.n_samples
    assert np.abs(back.t - rec.t).max() < period
    resolution = {"metabase": 5e-4, "metabase-packets": 5e-4, "polar": 5e-4}.get(fmt, 5e-5)
    assert np.abs(back.acc - rec.acc).max() <= resolution + 1e-9
    if fmt in ("phyphox", "phyphox-simple", "phyphox-semicolon"):
        assert back.start_utc is None
    else:
        assert back.start_utc == "2026-05-04T07:30:00.250Z"


def test_packet_stamped_metabase_times_are_rebuilt_from_the_odr(tmp_path: Path) -> None:
    rec = _session(n=3000, fs=100.0, gyro=False)
    rec.t = np.arange(3000) / 100.0
    keep = np.ones(3000, dtype=bool)
    keep[1200:1240] = False  # 0.4 s of lost packets must stay a gap
    rec.t, rec.acc = rec.t[keep], rec.acc[keep]
    path = write_metabase(rec, tmp_path, epoch_group=4)
    raw = np.loadtxt(path, delimiter=",", skiprows=1, usecols=0)
    assert np.mean(np.diff(raw) == 0) > 0.5  # most rows repeat the previous epoch
    back = read_recording(path)
    assert back.nominal_rate_hz == pytest.approx(100.0)
    assert np.abs(back.t - rec.t).max() <= 0.0011  # within the epoch's 1 ms resolution
    assert [(round(g.start, 2), round(g.end, 2)) for g in back.gaps] == [(11.99, 12.4)]
    assert any("rebuilt" in w for w in back.warnings)


def test_polar_decimal_comma_and_gyro_companion(tmp_path: Path) -> None:
    rec = _session()
    path = write_polar(rec, tmp_path, decimal=",")
    text = path.read_text().splitlines()
    assert text[0] == "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"
    assert "," in text[1]
    back = read_recording(path)
    assert np.abs(back.acc - rec.acc).max() < 1e-4
    assert back.gyro is not None and np.allclose(back.gyro_t, rec.gyro_t, atol=1e-6)
    # the GYRO file alone points to (and reads) the ACC file beside it
    assert read_recording(tmp_path / path.name.replace("_ACC", "_GYRO")).n_samples == rec.n_samples


def test_polar_time_base_is_ns_since_2000(tmp_path: Path) -> None:
    p = tmp_path / "Polar_H10_1_20260101_000000_ACC.txt"
    rows = [f"2026-01-01T00:00:00.000;{599_616_000_000_000_000 + i * 5_000_000};0;-1000;12" for i in range(600)]
    p.write_text("Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n" + "\n".join(rows) + "\n")
    rec = read_recording(p)
    assert rec.start_utc == "2019-01-01T00:00:00Z"  # 599616000 s after 2000-01-01
    assert rec.median_rate_hz == pytest.approx(200.0)
    assert rec.acc[0] == pytest.approx([0.0, -1.0, 0.012])


def test_other_polar_files_point_to_the_acc_file(tmp_path: Path) -> None:
    p = tmp_path / "Polar_H10_1_20260101_000000_HR.txt"
    p.write_text("Phone timestamp;sensor timestamp [ns];HR [bpm];HRV [ms]\n2026-01-01T00:00:00;1;60;800\n")
    with pytest.raises(InputError, match=r"Polar Sensor Logger HR file.*\*_ACC\.txt"):
        read_recording(p)


def test_phyphox_zip_reads_raw_data_and_its_clock(tmp_path: Path) -> None:
    rec = _session(gyro=False)
    path = write_phyphox_zip(rec, tmp_path / "Acceleration with g 2026-05-04.zip", t_offset_s=0.5)
    back = read_recording(path)
    assert back.n_samples == rec.n_samples
    assert back.start_utc == "2026-05-04T07:30:00.250Z"
    assert "Raw Data.csv" in (back.path or "")


def test_phyphox_linear_zip_is_refused(tmp_path: Path) -> None:
    path = write_phyphox_zip(_session(gyro=False), tmp_path / "Acceleration without g.zip", variant="linear")
    with pytest.raises(InputError, match='no gravity.*"Acceleration with g"'):
        read_recording(path)


def test_sensorlogger_folder_and_zip_pick_total_acceleration(tmp_path: Path) -> None:
    rec = _session()
    total = write_sensorlogger(rec, tmp_path / "sl")
    assert total.read_text().splitlines()[0] == "time,seconds_elapsed,z,y,x"
    back = read_recording(total)
    assert np.abs(back.acc - rec.acc).max() < 1e-9
    assert back.gyro is not None and np.abs(back.gyro - rec.gyro).max() < 1e-9
    with pytest.raises(InputError, match="TotalAcceleration.csv"):
        read_recording(tmp_path / "sl" / "Accelerometer.csv")
    with pytest.raises(InputError, match="not acceleration; give TotalAcceleration.csv"):
        read_recording(tmp_path / "sl" / "Gyroscope.csv")
    z = write_sensorlogger_zip(rec, tmp_path / "export.zip")
    zback = read_recording(z)
    assert zback.path.endswith("export.zip:TotalAcceleration.csv")
    assert zback.start_utc == rec.start_utc and zback.gyro is not None


def test_sensorlogger_zip_without_total_acceleration_is_refused(tmp_path: Path) -> None:
    z = tmp_path / "sl.zip"
    z.write_bytes(zip_bytes({"Accelerometer.csv": SL_ACC.read_bytes(), "Metadata.csv": b"version\n1\n"}))
    with pytest.raises(InputError, match="no gravity.*TotalAcceleration.csv"):
        read_recording(z)


def test_zip_of_metabase_pair_reads_both(tmp_path: Path) -> None:
    z = tmp_path / "metabase.zip"
    z.write_bytes(zip_bytes({f"export/{p.name}": p.read_bytes() for p in (OHP_GYRO, OHP_ACC)}))
    rec = read_recording(z)
    assert rec.n_samples == 274 and rec.gyro is not None


def test_detection_uses_content_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "my_session.dat"
    shutil.copy(PHYPHOX_G, renamed)
    assert read_recording(renamed).meta["format"] == "phyphox"
    mb = tmp_path / "whatever.csv"
    shutil.copy(REST[0], mb)
    rec = read_recording(mb)  # no ODR in the name: the measured rate is used
    assert rec.meta["format"] == "metabase" and rec.nominal_rate_hz == pytest.approx(12.5)


# ---------------------------------------------------------------------------
# Any other CSV
# ---------------------------------------------------------------------------


def test_generic_columns_units_and_time_unit(tmp_path: Path) -> None:
    p = tmp_path / "logger.csv"
    rows = [f"{i},{1_700_000_000_000 + i * 20},{9.80665 * 0.02:.5f},0,{9.80665 * 0.99:.5f}" for i in range(300)]
    p.write_text("idx,Timestamp,AccX,AccY,AccZ\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="--columns"):
        read_recording(p)
    rec = read_recording(p, columns="t=timestamp,ax=AccX,ay=AccY,az=5", units="m/s2", time_unit="ms")
    assert rec.median_rate_hz == pytest.approx(50.0)
    assert rec.acc[0] == pytest.approx([0.02, 0.0, 0.99], abs=1e-5)
    assert rec.start_utc == "2023-11-14T22:13:20Z"


def test_generic_bad_column_spec_names_the_columns_found(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b,c,d\n" + "\n".join(f"{i / 50},0,0,1" for i in range(200)) + "\n")
    with pytest.raises(InputError, match=r"no column 'zz' \(for az\).*'a', 'b', 'c', 'd'"):
        read_recording(p, columns="t=a,ax=b,ay=c,az=zz")
    with pytest.raises(InputError, match="--columns lacks az"):
        read_recording(p, columns="t=a,ax=b,ay=c")
    assert read_recording(p, columns="t=a,ax=b,ay=c,az=d").n_samples == 200


def test_native_with_semicolons_and_decimal_commas_is_read(tmp_path: Path) -> None:
    p = tmp_path / "excel.csv"
    p.write_text("t;ax;ay;az\n" + "\n".join(f"{i / 50:.3f};0,01;0,02;0,99".replace(".", ",") for i in range(200)) + "\n")
    rec = read_recording(p)
    assert rec.n_samples == 200 and rec.acc[0] == pytest.approx([0.01, 0.02, 0.99])


def test_native_files_keep_the_native_reader(tmp_path: Path) -> None:
    rec = _session()
    p = tmp_path / "n.csv"
    from reptrack.io import write_native

    write_native(rec, p)
    a, b = read_recording(p), read_native(p)
    assert np.array_equal(a.t, b.t) and np.array_equal(a.acc, b.acc) and a.meta == b.meta


# ---------------------------------------------------------------------------
# reptrack convert
# ---------------------------------------------------------------------------


def test_convert_writes_native_csv(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ohp.csv"
    assert main(["convert", str(OHP_ACC), str(out)]) == 0
    assert "274 samples" in capsys.readouterr().out
    rec = read_native(out)
    src = read_recording(OHP_ACC)
    assert np.allclose(rec.t, src.t, atol=1e-6) and np.allclose(rec.acc, src.acc, atol=1e-5)
    assert rec.start_utc == src.start_utc and rec.gyro is not None
    assert main(["convert", str(OHP_ACC), str(out)]) == 2  # no silent overwrite
    assert "--force" in capsys.readouterr().err
    assert main(["convert", str(OHP_ACC), str(out), "--force"]) == 0


def test_convert_accepts_reader_options(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("ms\tX\tY\tZ\n" + "\n".join(f"{i * 10}\t10\t-20\t990" for i in range(300)) + "\n")
    out = tmp_path / "o.csv"
    assert main(["convert", str(p), str(out), "--columns", "t=ms,ax=X,ay=Y,az=Z", "--units", "mg", "--time-unit", "ms"]) == 0
    assert read_native(out).acc[0] == pytest.approx([0.01, -0.02, 0.99])


def test_convert_refusal_is_one_sentence(tmp_path: Path, capsys) -> None:
    assert main(["convert", str(SL_ACC), str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "TotalAcceleration.csv" in err
    assert not (tmp_path / "o.csv").exists()


def test_zip_export_is_a_real_zip(tmp_path: Path) -> None:
    z = write_sensorlogger_zip(_session(gyro=False), tmp_path / "a.zip")
    with zipfile.ZipFile(z) as zf:
        assert "TotalAcceleration.csv" in zf.namelist()
    assert write_phyphox(_session(gyro=False), tmp_path / "p.csv").read_text().startswith('"Time (s)",')


def test_analyze_on_a_folder_gives_one_session_per_recording(tmp_path: Path, capsys) -> None:
    """Companion files (the MetaBase gyroscope, Sensor Logger's other sensors) are not analysed twice."""
    import json

    mb = tmp_path / "mb"
    shutil.copytree(MB, mb)
    assert main(["analyze", str(mb), "--json"]) == 0
    paths = [s["recording"]["path"] for s in json.loads(capsys.readouterr().out)["sessions"]]
    assert len(paths) == 4 and all("_Accelerometer_" in p for p in paths)
    sl = tmp_path / "sl"
    write_sensorlogger(_session(), sl)
    (sl / "Orientation.csv").write_text("time,seconds_elapsed,qz,qy,qx,qw,roll,pitch,yaw\n1,0,0,0,0,1,0,0,0\n")
    assert main(["analyze", str(sl), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["recording"]["path"].endswith("TotalAcceleration.csv")


@pytest.mark.parametrize("path", [OHP_ACC, PHYPHOX_G, REST[0]], ids=lambda p: p.name[:12])
def test_excel_resaved_files_with_bom_and_crlf_read_the_same(path: Path, tmp_path: Path) -> None:
    """Spreadsheet round trips add a byte-order mark and CRLF line ends."""
    ref = read_recording(path)
    p = tmp_path / path.name
    p.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    rec = read_recording(p)
    assert np.array_equal(rec.t, ref.t) and np.array_equal(rec.acc, ref.acc) and rec.start_utc == ref.start_utc
