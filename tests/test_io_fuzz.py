"""Property-based: mutated REAL files either read as a valid Recording or raise InputError.

Mutations (issue #3): drop / duplicate / swap lines, truncate the file,
flip bytes, change delimiters, reorder columns -- on the real MetaBase,
phyphox and Sensor Logger exports in tests/data/io, on a Polar file and
zips made from those real samples.  Never another exception, never a hang
(each example has a deadline; the whole file runs in well under 30 s).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reptrack.errors import InputError
from reptrack.io import read_recording
from reptrack.io.export import write_polar, zip_bytes
from reptrack.model import Recording

DATA = Path(__file__).resolve().parent / "data" / "io"
MB = DATA / "metabase"
OHP_ACC = next(MB.glob("A-ohp-*_Accelerometer_*.csv"))
OHP_GYRO = next(MB.glob("A-ohp-*_Gyroscope_*.csv"))
REST = next(MB.glob("A-rest-sitting*_Accelerometer_*.csv"))
PHYPHOX = DATA / "phyphox" / "Accelerometer.csv"
PHYPHOX_LINEAR = DATA / "phyphox" / "Raw_linear_acceleration.csv"
SL = DATA / "sensorlogger" / "Accelerometer.csv"

FUZZ = settings(
    max_examples=60,
    deadline=3000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _polar_bytes() -> bytes:
    """A Polar Sensor Logger ACC file holding the real MetaBase rest samples."""
    rec = read_recording(REST)
    with tempfile.TemporaryDirectory() as d:
        return write_polar(rec, Path(d)).read_bytes()


def _sl_total_bytes() -> bytes:
    """Sensor Logger's real file with gravity put back (a TotalAcceleration.csv)."""
    lines = SL.read_text().splitlines()
    out = [lines[0]]
    for row in lines[1:]:
        t, e, z, y, x = row.split(",")
        out.append(f"{t},{e},{float(z) + 9.80665},{y},{x}")
    return ("\n".join(out) + "\n").encode()


def _native_bytes() -> bytes:
    """The real MetaBase accelerometer + gyroscope pair as one native CSV."""
    from reptrack.io import write_native

    with tempfile.TemporaryDirectory() as d:
        write_native(read_recording(OHP_ACC), Path(d) / "n.csv")
        return (Path(d) / "n.csv").read_bytes()


#: name -> (file name, bytes, companion files written next to it)
BASES: dict[str, tuple[str, bytes, dict[str, bytes]]] = {
    "metabase+gyro": (OHP_ACC.name, OHP_ACC.read_bytes(), {OHP_GYRO.name: OHP_GYRO.read_bytes()}),
    "metabase-rest": (REST.name, REST.read_bytes(), {}),
    "phyphox": (PHYPHOX.name, PHYPHOX.read_bytes(), {}),
    "phyphox-linear": (PHYPHOX_LINEAR.name, PHYPHOX_LINEAR.read_bytes(), {}),
    "sensorlogger-acc": (SL.name, SL.read_bytes(), {}),
    "sensorlogger-total": ("TotalAcceleration.csv", _sl_total_bytes(), {}),
    "polar": ("Polar_Sense_1_ACC.txt", _polar_bytes(), {}),
    "native": ("session.csv", _native_bytes(), {}),
}


def assert_valid(rec: Recording) -> None:
    """What every reader promises about a Recording it returns."""
    assert isinstance(rec, Recording)
    t, acc = rec.t, rec.acc
    assert t.dtype == np.float64 and t.ndim == 1 and len(t) >= 2
    assert t[0] == 0.0 and np.all(np.isfinite(t)) and np.all(np.diff(t) > 0)
    assert acc.shape == (len(t), 3) and np.all(np.isfinite(acc))
    assert rec.duration_s >= 2.0
    assert 0.5 <= rec.nominal_rate_hz <= 5000.0
    assert 0.5 <= float(np.median(np.linalg.norm(acc, axis=1))) <= 4.0
    if rec.gyro is not None:
        assert rec.gyro_t is not None and rec.gyro.shape == (len(rec.gyro_t), 3)
        assert np.all(np.isfinite(rec.gyro)) and np.all(np.isfinite(rec.gyro_t))
    assert all(isinstance(w, str) for w in rec.warnings)


def _read(name: str, data: bytes, companions: dict[str, bytes], zipped: bool = False, **options: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        for n, b in companions.items():
            (folder / n).write_bytes(b)
        if zipped:
            path = folder / "export.zip"
            path.write_bytes(zip_bytes({name: data, **companions}))
        else:
            path = folder / name
            path.write_bytes(data)
        try:
            rec = read_recording(path, **options)
        except InputError as exc:
            assert str(exc).startswith(str(path)) and exc.message.strip()
            assert "\n" not in str(exc)
            return
        assert_valid(rec)


# --- mutations --------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply 1-3 random mutations to ``data``."""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "dup", "swap", "truncate", "flip", "delimiter", "reorder"]))
        lines = _lines(data)
        n = len(lines)
        if kind == "drop":
            i = draw(st.integers(0, n - 1))
            k = draw(st.integers(1, 20))
            del lines[i : i + k]
        elif kind == "dup":
            i = draw(st.integers(0, n - 1))
            lines[i:i] = [lines[i]] * draw(st.integers(1, 3))
        elif kind == "swap":
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
            continue
        elif kind == "flip":
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                if buf:
                    buf[draw(st.integers(0, len(buf) - 1))] ^= draw(st.integers(1, 255))
            data = bytes(buf)
            continue
        elif kind == "delimiter":
            old = draw(st.sampled_from([b",", b";", b"\t"]))
            new = draw(st.sampled_from([b",", b";", b"\t", b" ", b"|"]))
            a = draw(st.integers(0, n))
            b = draw(st.integers(a, n))
            lines[a:b] = [ln.replace(old, new) for ln in lines[a:b]]
        elif kind == "reorder":
            data = _reorder(data, draw(st.randoms(use_true_random=False)))
            continue
        data = b"\n".join(lines)
    return data


def _reorder(data: bytes, rnd) -> bytes:
    """Permute the columns of every line the same way."""
    lines = _lines(data)
    sep = b";" if lines and lines[0].count(b";") > lines[0].count(b",") else b","
    k = lines[0].count(sep) + 1 if lines else 1
    perm = list(range(k))
    rnd.shuffle(perm)
    out = []
    for ln in lines:
        cells = ln.split(sep)
        out.append(sep.join(cells[p] for p in perm) if len(cells) == k else ln)
    return b"\n".join(out)


# --- properties ---------------------------------------------------------------


@pytest.mark.parametrize("base", sorted(BASES))
def test_mutated_real_files_never_crash(base: str) -> None:
    name, data, companions = BASES[base]

    @FUZZ
    @given(mutated(data))
    def check(mut: bytes) -> None:
        _read(name, mut, companions)

    check()


def _generic() -> tuple[bytes, dict[str, str]]:
    """The real MetaBase samples as a tab-separated CSV in mg and Unix ms (read with --columns)."""
    from reptrack.io.export import write_generic

    with tempfile.TemporaryDirectory() as d:
        path, options = write_generic(read_recording(REST), Path(d) / "x.tsv")
        return path.read_bytes(), options


def test_mutated_generic_csv_with_columns_never_crashes() -> None:
    data, options = _generic()

    @FUZZ
    @given(mutated(data))
    def check(mut: bytes) -> None:
        _read("log.tsv", mut, {}, **options)

    check()


@pytest.mark.parametrize("base", ["phyphox", "sensorlogger-total", "metabase+gyro"])
def test_mutated_zips_never_crash(base: str) -> None:
    name, data, companions = BASES[base]
    archive = zip_bytes({name: data, **companions})

    @settings(FUZZ, max_examples=40)
    @given(st.one_of(mutated(archive), mutated(data).map(lambda m: zip_bytes({name: m, **companions}))))
    def check(mut: bytes) -> None:
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "export.zip"
            p.write_bytes(mut)
            try:
                rec = read_recording(p)
            except InputError:
                return
            assert_valid(rec)

    check()


@pytest.mark.parametrize("base", ["metabase+gyro", "phyphox", "sensorlogger-total", "polar"])
def test_reordered_columns_read_the_same_samples(base: str) -> None:
    """Readers find columns by name, so any column order gives the same data."""
    name, data, companions = BASES[base]
    with tempfile.TemporaryDirectory() as d:
        ref_path = Path(d) / name
        ref_path.write_bytes(data)
        for n, b in companions.items():
            (Path(d) / n).write_bytes(b)
        ref = read_recording(ref_path)

    @settings(FUZZ, max_examples=10)
    @given(st.randoms(use_true_random=False))
    def check(rnd) -> None:
        with tempfile.TemporaryDirectory() as d:
            for n, b in companions.items():
                (Path(d) / n).write_bytes(b)
            p = Path(d) / name
            p.write_bytes(_reorder(data, rnd))
            rec = read_recording(p)
        assert np.array_equal(rec.t, ref.t) and np.array_equal(rec.acc, ref.acc)
        assert rec.start_utc == ref.start_utc

    check()


def test_unmutated_bases_behave_as_documented() -> None:
    """The fuzz bases themselves: gravity-free ones refused, the rest valid."""
    for base, (name, data, companions) in BASES.items():
        if base in ("phyphox-linear", "sensorlogger-acc"):
            with tempfile.TemporaryDirectory() as d:
                p = Path(d) / name
                p.write_bytes(data)
                with pytest.raises(InputError, match="no gravity"):
                    read_recording(p)
        else:
            _read(name, data, companions)
