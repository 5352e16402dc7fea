"""The HTML reports in a real browser (headless Chromium): no console errors,
no network requests, hostile text shown as text, a non-blank page, and it prints.

Chromium comes from the Debian package (tests/browser.py installs it as root
when missing); where that is impossible the test is skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reptrack.history import History, weekly_progress
from reptrack.report.example import example_session
from reptrack.report.html import render_progress, render_sessions, write_html

from browser import Chromium, chromium_or_reason, non_blank_fraction  # tests/browser.py

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def chromium():
    """One browser for the module (each page opens in its own new tab)."""
    path, why = chromium_or_reason()
    if not path:
        print(f"headless Chromium test skipped: {why}")
        pytest.skip(why)
    with Chromium(path) as browser:
        yield browser


def _check_page(res, min_svgs: int) -> None:
    assert res.console_errors == []
    assert len(res.requests) == 1 and res.requests[0].startswith("file://")  # only the report itself
    assert res.svg_count >= min_svgs
    dark, colours = non_blank_fraction(res.screenshot_png)
    assert dark > 0.05 and colours > 50, (dark, colours)
    assert res.pdf.startswith(b"%PDF") and res.pdf_pages >= 1


def test_session_report_in_chromium(tmp_path: Path, chromium: Chromium) -> None:
    sessions = [
        example_session(sets=2, reps_per_set=10, path=f"{HOSTILE}.csv"),
        example_session(sets=1, reps_per_set=12, seed=2, path="second.csv"),
    ]
    out = tmp_path / "report.html"
    write_html(render_sessions(sessions, athlete=HOSTILE, notes=f"notes {HOSTILE}"), out)
    res = chromium.load(out)
    _check_page(res, min_svgs=10)
    assert f"Athlete: {HOSTILE}" in res.text  # rendered as text, not run
    assert f"notes {HOSTILE}" in res.text
    assert f"{HOSTILE}.csv" in res.text
    assert "stop the set at rep" in res.text and "lowered in" in res.text
    assert res.pdf_pages >= 3  # one page break per session section at least


def test_progress_report_in_chromium(tmp_path: Path, chromium: Chromium) -> None:
    with History(tmp_path / "h.sqlite") as h:
        for i, day in enumerate(["2026-11-02", "2026-11-04", "2026-11-11"]):
            h.save(example_session(sets=1, reps_per_set=5, seed=i, start_utc=f"{day}T08:00:00Z", set_rest_s=10), athlete=HOSTILE)
        sessions = h.sessions(with_doc=True)
    weeks = weekly_progress(sessions)
    out = tmp_path / "progress.html"
    write_html(render_progress(sessions, weeks, HOSTILE, example_session(sets=1, reps_per_set=1).guidance), out)
    res = chromium.load(out)
    _check_page(res, min_svgs=6)
    assert HOSTILE in res.text


def test_the_checker_sees_errors_requests_and_blank_pages(tmp_path: Path, chromium: Chromium) -> None:
    """Negative control: a page with a script error and a (local, dead) image
    request is caught, and an empty page reads as blank."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">'
        "<script>console.error('boom'); undefined_function();</script></body></html>"
    )
    res = chromium.load(bad)
    assert any("boom" in e for e in res.console_errors)
    assert any("undefined_function" in e for e in res.console_errors)
    assert "http://127.0.0.1:9/x.png" in res.requests
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    dark, colours = non_blank_fraction(chromium.load(blank).screenshot_png)
    assert dark < 0.01 and colours < 5
