"""Per-rep CSV export (issue #6): same fields and values as the JSON reps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from reptrack.cli import main
from reptrack.errors import InputError
from reptrack.io.native import write_native
from reptrack.report.csv import REP_FIELDS, write_reps_csv
from reptrack.report.example import example_session

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "seated_3x15.csv"


def _same(csv_value, json_value) -> bool:
    if json_value is None:
        return isinstance(csv_value, float) and math.isnan(csv_value)
    if isinstance(json_value, list):
        got = "" if isinstance(csv_value, float) and math.isnan(csv_value) else csv_value
        return got.split(";") == json_value if json_value else got == ""
    if isinstance(json_value, bool):
        return bool(csv_value) == json_value
    if isinstance(json_value, float):
        return math.isclose(float(csv_value), json_value, rel_tol=0, abs_tol=1e-12)
    return csv_value == json_value


def test_csv_has_the_json_rep_fields_and_values(tmp_path: Path) -> None:
    s = example_session(sets=2, reps_per_set=10)
    out = tmp_path / "reps.csv"
    write_reps_csv([s], str(out))
    df = pd.read_csv(out, keep_default_na=True)
    reps = s.to_json_dict()["reps"]
    assert list(df.columns) == list(reps[0].keys()) == list(REP_FIELDS)
    assert len(df) == len(reps) == 20
    for i, rep in enumerate(reps):
        for k, v in rep.items():
            assert _same(df.iloc[i][k], v), (i, k, df.iloc[i][k], v)
    # the first rep of a set has no rest: an empty cell, read back as NaN
    assert df["rest_s"].isna().sum() == 2
    # several flags in one cell, joined with ';'
    assert any(";" in str(x) for x in df["flags"].dropna())


def test_several_sessions_get_a_file_column(tmp_path: Path) -> None:
    a = example_session(sets=1, reps_per_set=5, path="a.csv")
    b = example_session(sets=1, reps_per_set=7, path="b.csv", seed=2)
    out = tmp_path / "reps.csv"
    write_reps_csv([a, b], str(out))
    df = pd.read_csv(out)
    assert df.columns[0] == "file"
    assert df["file"].tolist() == ["a.csv"] * 5 + ["b.csv"] * 7


def test_no_reps_gives_a_header_only(tmp_path: Path) -> None:
    s = example_session(sets=1, reps_per_set=3)
    s.reps, s.sets = [], []
    out = tmp_path / "reps.csv"
    write_reps_csv([s], str(out))
    assert out.read_text().strip() == ",".join(REP_FIELDS)


def test_unwritable_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write the CSV"):
        write_reps_csv([example_session(sets=1, reps_per_set=2)], str(tmp_path / "missing" / "reps.csv"))


def test_analyze_csv_matches_analyze_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: `reptrack analyze FILE --csv` writes the reps `--json` prints."""
    rec_path = SAMPLE if SAMPLE.exists() else tmp_path / "ex.csv"
    if not SAMPLE.exists():
        write_native(example_session(sets=1, reps_per_set=8).recording, rec_path)
    out = tmp_path / "reps.csv"
    assert main(["analyze", str(rec_path), "--json", "--csv", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    df = pd.read_csv(out)
    assert len(df) == len(doc["reps"]) > 0
    for i, rep in enumerate(doc["reps"]):
        for k in ("index", "set", "start", "end", "lift_s", "hold_s", "lower_s", "rest_s", "flags"):
            assert _same(df.iloc[i][k], rep[k]), (i, k)
