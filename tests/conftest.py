"""Shared fixtures: paths to the repo's and ../shared's data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found next to the repo ({SHARED})")
    return SHARED
