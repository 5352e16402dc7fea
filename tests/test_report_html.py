"""HTML session report (issue #6): content a coach relies on, self-contained, escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from reptrack.guidance import TEMPO_FLAGS
from reptrack.model import Gap, Recording
from reptrack.report.example import example_session
from reptrack.report.html import render_sessions
from reptrack.report.plots import decimate_minmax, split_at_gaps
from reptrack.report.words import flag_sentence

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collector:
    p = _Collector()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def session():
    return example_session(sets=3, reps_per_set=15, seed=4)


@pytest.fixture(scope="module")
def html(session) -> str:
    return render_sessions([session], athlete="Ann", notes="week 2, left leg")


def test_report_is_self_contained(html: str) -> None:
    p = _parse(html)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags and "iframe" not in p.tags
    assert "http" not in html and "url(" not in html and "@import" not in html
    assert not [v for k, v in p.attrs if k in ("src", "srcset", "data")]
    hrefs = [v for k, v in p.attrs if k == "href"]
    assert all(h.startswith("#") for h in hrefs)
    assert "@media print" in html
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html


def test_set_summary_reps_flags_and_hint(html: str, session) -> None:
    text = " ".join(_parse(html).text)
    for st in session.sets:
        assert f"{st.reps} of {st.target_reps}" in text
        assert f"{st.compliance * 100:.0f}%" in text
        if st.hint:
            assert st.hint in text
    assert "Ann" in text and "week 2, left leg" in text


def test_motion_plot_shades_every_rep_and_marks_flagged_ones(html: str, session) -> None:
    n, flagged = len(session.reps), sum(1 for r in session.reps if r.flags)
    assert html.count('class="lift"') == n
    assert html.count('class="hold"') == n
    assert html.count('class="lower"') == n
    assert html.count('class="flagmark"') == flagged > 0
    # overview of the whole session marks the flagged reps too
    assert html.count('class="flagtick"') == flagged


def test_tempo_bars_are_red_exactly_where_a_tempo_flag_was_raised(html: str, session) -> None:
    n = len(session.reps)
    red = sum(
        f in r.flags for r in session.reps for f in ("lift_too_fast", "no_pause", "lower_too_fast")
    )
    assert html.count('class="bar"') + html.count('class="bar bad"') == 3 * n
    assert html.count('class="bar bad"') == red
    assert red == sum(len(set(r.flags) & set(TEMPO_FLAGS)) for r in session.reps)


def test_tempo_bars_show_each_phase_timing_uncertainty(html: str) -> None:
    """Every bar of a measured rep carries a +-1 sd whisker and says its sd
    in the tooltip, so a coach sees which bars near the band edge are sure
    (the example session has no sd: no whiskers)."""
    from reptrack.analysis import analyze_file

    assert 'class="sd"' not in html
    measured = analyze_file(Path(__file__).resolve().parents[1] / "sample_data" / "standing_fatigue.csv")
    page = render_sessions([measured])
    assert measured.reps and page.count('class="sd"') == 3 * len(measured.reps)
    r = measured.reps[0]
    assert f"lift {r.lift_s:.1f} \u00b1 {r.lift_sd_s:.1f} s" in page


def test_wobble_and_range_per_rep(html: str, session) -> None:
    assert html.count('class="dot"') + html.count('class="dot bad"') == 2 * len(session.reps)
    assert html.count('class="dot bad"') == sum(("wobble" in r.flags) + ("partial" in r.flags) for r in session.reps)


def test_flags_in_plain_words(html: str, session) -> None:
    text = " ".join(_parse(html).text)
    fast_lower = [r for r in session.reps if "lower_too_fast" in r.flags]
    assert fast_lower
    for r in fast_lower:
        words = flag_sentence("lower_too_fast", r, session.guidance)
        assert re.fullmatch(r"lowered in \d\.\d\d? s \u2014 target 3 s", words)
        assert words in text
    r = fast_lower[0]
    r_lift = session.reps[0]
    assert flag_sentence("lift_too_fast", r_lift, session.guidance).startswith(f"lifted in {r_lift.lift_s:.1f} s")


def test_a_value_just_under_the_limit_is_not_rounded_up_to_it(session) -> None:
    r = session.reps[0]
    r.hold_s = 0.49
    assert flag_sentence("no_pause", r, session.guidance) == "paused 0.49 s at the top \u2014 target 1 s"


def test_user_text_is_escaped_everywhere() -> None:
    s = example_session(sets=1, reps_per_set=4, path=f"/data/{HOSTILE}.csv")
    s.recording.meta["sensor"] = HOSTILE
    s.recording.warnings.append(HOSTILE)
    html = render_sessions([s, example_session(sets=1, reps_per_set=3, seed=9, path=HOSTILE)], athlete=HOSTILE, notes=HOSTILE)
    p = _parse(html)
    assert "script" not in p.tags and "img" not in p.tags
    assert not any(k.startswith("on") for k, _ in p.attrs)
    text = "".join(p.text)
    assert text.count("<script>alert(1)</script>") >= 5  # athlete, notes, file, sensor, warning: shown as text


def test_several_sessions_get_a_comparison_and_a_section_each() -> None:
    a = example_session(sets=1, reps_per_set=5, path="monday.csv")
    b = example_session(sets=2, reps_per_set=5, seed=3, path="wednesday.csv")
    html = render_sessions([a, b])
    assert 'class="comparison"' in html and 'id="session-1"' in html and 'id="session-2"' in html
    assert html.index("Comparison") < html.index("Session 1: monday.csv") < html.index("Session 2: wednesday.csv")
    assert '<a href="#session-2">wednesday.csv</a>' in html


def test_a_recording_without_reps_still_reports() -> None:
    s = example_session(sets=1, reps_per_set=3)
    s.reps, s.sets = [], []
    html = render_sessions([s])
    assert "No heel-raise reps were found" in html
    assert html.count("<svg") == 1  # the motion overview


def test_data_gaps_are_shown_and_not_bridged() -> None:
    t = np.concatenate([np.arange(0, 10, 0.02), np.arange(14, 20, 0.02)])
    y = np.sin(t)
    gaps = [Gap(float(t[499]), float(t[500]))]
    tt, yy = split_at_gaps(t, y, gaps)
    assert np.isnan(yy).sum() == 1 and np.isnan(yy[500])
    s = example_session(sets=1, reps_per_set=3)
    rec = s.recording
    keep = (rec.t < 20) | (rec.t > 24)
    s.recording = Recording(t=rec.t[keep], acc=rec.acc[keep], start_utc=rec.start_utc, path=rec.path, nominal_rate_hz=rec.nominal_rate_hz)
    assert s.recording.gaps
    html = render_sessions([s])
    assert 'class="gap"' in html and "no data" in html
    trace = re.search(r'class="trace" d="([^"]+)"', html).group(1)
    assert trace.count("M") == 2


def test_decimation_keeps_the_extremes() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(0, 3600, 0.01)
    y = np.cumsum(rng.normal(size=len(t)))
    tt, yy = decimate_minmax(t, y, 100.0, 2000.0, 800)
    win = y[(t >= 100) & (t < 2000)]
    assert len(yy) <= 1600
    assert yy.max() == win.max() and yy.min() == win.min()
    assert np.all(np.diff(tt) >= 0)


def test_html_size_grows_slowly_with_session_length() -> None:
    short = render_sessions([example_session(sets=1, reps_per_set=15, fs=100)])
    assert len(short.encode()) < 400_000


def test_fallback_motion_signal_follows_the_true_tilt(session) -> None:
    """Without the core's motion_trace, the plotted angle still rises by the
    rep's range (ground truth of the example session) and rests near 0."""
    from reptrack.report.trace import _fallback_trace

    t, y, label = _fallback_trace(session)
    assert "deg" in label
    for r in session.reps[:10]:
        top = y[(t >= r.top) & (t <= r.lower_start)]
        assert abs(np.median(top) - r.range_deg) < 0.15 * r.range_deg + 0.2
    rest = y[(t > session.sets[0].end + 5) & (t < session.sets[1].start - 5)]
    assert abs(np.median(rest)) < 0.3


def test_the_analyzers_motion_trace_is_used_when_the_session_has_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import reptrack.analysis as analysis

    s = example_session(sets=1, reps_per_set=3)
    calls = []

    def fake(sess):
        calls.append(sess)
        t = np.arange(0, 40, 0.1)
        return t, np.full_like(t, 1.25)

    monkeypatch.setattr(analysis, "motion_trace", fake, raising=False)
    html = render_sessions([s])  # built by hand: no trace, no re-analysis, the fallback
    assert calls == [] and "tilt from gravity" in html
    s.trace = (np.arange(0, 40, 0.1), np.zeros(400))  # as the analyzer leaves it
    html = render_sessions([s])
    assert calls == [s]
    assert "shank tilt (deg)" in html and "tilt from gravity" not in html
