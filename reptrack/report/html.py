"""Self-contained HTML reports for coaches (``reptrack report``).

One file, no network: inline CSS, inline SVG charts (:mod:`.plots`), no
JavaScript, no external fonts or images -- it opens offline in any browser
and prints (``@media print`` keeps colours and breaks pages between
sessions).  Every piece of user text (athlete, notes, file names, metadata)
is escaped with :func:`html.escape`.

Two documents:

* :func:`render_sessions` -- one or more analysed sessions: header,
  per-set summary, motion plot with lift / pause / lower shaded and flagged
  reps marked, tempo bars against the target band, wobble and range per rep,
  flags in plain words; with several sessions a comparison table first.
* :func:`render_progress` -- weekly progress from the history database.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..guidance import TEMPO_FLAGS
from ..model import Session
from . import plots
from .plots import esc
from .words import FLAG_LABELS, flag_sentence, fmt_clock, fmt_s, in_rep_order, wobble_reference

#: A motion-plot window longer than this (s) is split so reps stay readable
#: (about 20 reps of 3-1-3 with rests).
MAX_WINDOW_S = 180.0
DASH = "\u2013"
DOT = " \u00b7 "
DEG_FMT = "{:.1f}\u00b0"
PROGRESS_NOTE = "Weeks are ISO weeks (Monday to Sunday); medians are over all reps of the week."

CSS = """
:root{--ink:#1d232a;--muted:#5b6670;--line:#d5dbe0;--lift:#cfe2f6;--hold:#fbe6bd;--lower:#d3edd0;--bad:#c62828;--bar:#4a78a8;--band:#e3f2e1}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:980px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 6px;border-bottom:2px solid var(--ink);padding-bottom:4px}
h3{font-size:15px;margin:22px 0 6px}
.sub{color:var(--muted);margin:0 0 12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.notes{white-space:pre-wrap;background:#f6f7f8;border-left:3px solid var(--line);padding:8px 12px;margin:10px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.file{word-break:break-all;min-width:8em}h2{overflow-wrap:anywhere}
th{background:#f3f5f7;font-weight:600}td.num,th.num{text-align:right}td.num{white-space:nowrap}
.meter{display:inline-block;width:80px;height:9px;background:#eceff1;border-radius:2px;vertical-align:middle;margin-right:6px}
.meter i{display:block;height:100%;background:var(--bar);border-radius:2px}
.hint{color:var(--bad);font-weight:600}.ok{color:#2e7d32}
.warn{color:#8a5a00}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:4px 0}
.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:-1px;border:1px solid #0002}
svg.plot{width:100%;height:auto;display:block;margin:4px 0 10px}
svg.plot text{font-family:inherit}
.area{fill:#fff;stroke:var(--line)}.grid{stroke:#edf0f2;stroke-width:1}
.tick{font-size:10px;fill:var(--muted)}.axlabel{font-size:11px;fill:var(--ink)}
.trace{fill:none;stroke:#1d232a;stroke-width:1.2;stroke-linejoin:round}
.lift{fill:var(--lift)}.hold{fill:var(--hold)}.lower{fill:var(--lower)}
.setspan{fill:#eef3f8}.gap{fill:#9e9e9e;fill-opacity:.35}
.setlabel{font-size:10px;fill:var(--muted)}.setsep{stroke:#9aa5ae;stroke-dasharray:3 3}
.replabel{font-size:9px;fill:var(--muted)}.replabel.flagged{fill:var(--bad);font-weight:700}
.flagmark{fill:var(--bad)}.flagtick{stroke:var(--bad);stroke-width:1.5}
.band{fill:var(--band)}.target{stroke:#2e7d32;stroke-dasharray:5 3;stroke-width:1.2}
.bar{fill:var(--bar)}.bar.bad{fill:var(--bad)}.sd{stroke:#555;stroke-width:1;opacity:.6}
.dot{fill:var(--bar)}.dot.bad{fill:var(--bad)}.trend{fill:none;stroke:#f08c00;stroke-width:2}
.line{fill:none;stroke-width:2}.pt{stroke:#fff;stroke-width:1}
.s-lift{stroke:#1f77b4;fill:#1f77b4}.s-hold{stroke:#e69500;fill:#e69500}.s-lower{stroke:#2ca02c;fill:#2ca02c}
.s-main{stroke:var(--bar);fill:var(--bar)}.s-alt{stroke:#8e44ad;fill:#8e44ad}
line.target.s-lift{stroke:#1f77b4}line.target.s-hold{stroke:#e69500}line.target.s-lower{stroke:#2ca02c}
.key{stroke:none}svg path.line{fill:none}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media print{
 @page{margin:14mm}
 body{font-size:11px}main{max-width:none;padding:0}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 section.session{break-before:page}section.session:first-of-type{break-before:auto}
 svg.plot,table,tr,.cards{break-inside:avoid}
 h2,h3{break-after:avoid}
}
"""


def _doc(title: str, body: str, footnote: str = "Times are minutes:seconds from the start of each recording.") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}<footer>Made by reptrack on {esc(_now())}. {esc(footnote)}</footer></main></body></html>\n"
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _pct(x: float | None) -> str:
    return "\u2013" if x is None else f"{x * 100:.0f}%"


def _meter(frac: float | None) -> str:
    if frac is None:
        return "\u2013"
    return f'<span class="meter"><i style="width:{max(0.0, min(1.0, frac)) * 100:.0f}%"></i></span>{_pct(frac)}'


def _facts(items: Sequence[tuple[str, str | None]]) -> str:
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items if v not in (None, ""))
    return f'<dl class="facts">{rows}</dl>'


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return '<div class="legend">' + "".join(f'<span><i style="background:{c}"></i>{esc(t)}</span>' for t, c in items) + "</div>"


def _session_title(s: Session) -> str:
    p = s.recording.path
    return os.path.basename(p) if p else "recording"


def _session_date(s: Session) -> str | None:
    su = s.recording.start_utc
    if su:
        try:
            d = dt.datetime.fromisoformat(su.replace("Z", "+00:00"))
            return d.strftime("%Y-%m-%d %H:%M") + (" UTC" if d.tzinfo else "")
        except ValueError:
            return su
    return None


def _summary(s: Session) -> dict[str, Any]:
    from ..history import summarize_doc

    return summarize_doc(s.to_json_dict())


# ---------------------------------------------------------------------------
# Sessions report
# ---------------------------------------------------------------------------


def render_sessions(
    sessions: Sequence[Session],
    athlete: str | None = None,
    notes: str | None = None,
    title: str = "Heel-raise session report",
) -> str:
    """The whole HTML document for ``sessions`` (see the module docstring)."""
    from .trace import motion_trace

    g = sessions[0].guidance if sessions else None
    head = [f"<h1>{esc(title)}</h1>"]
    sub = []
    if athlete:
        sub.append(f"Athlete: <b>{esc(athlete)}</b>")
    sub.append(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}")
    head.append(f'<p class="sub">{DOT.join(sub)}</p>')
    if g is not None:
        head.append(
            _facts(
                [
                    ("Guidance", f"{g.name}: lift {g.lift_target_s:g} s, pause {g.hold_target_s:g} s, lower {g.lower_target_s:g} s; "
                     f"{g.sets} sets \u00d7 {g.reps_per_set} reps"),
                    ("Flagged when", f"lift under {g.lift_min_s:g} s, lower under {g.lower_min_s:g} s, pause under {g.hold_min_s:g} s "
                     "(short by more than half the timing uncertainty), "
                     f"height under {g.partial_rel * 100:.0f}% of the usual, wobble over {g.wobble_factor:g}\u00d7 the steady reps"),
                ]
            )
        )
    if notes:
        head.append(f'<div class="notes">{esc(notes)}</div>')
    body = ["<header>" + "".join(head) + "</header>"]
    if len(sessions) > 1:
        body.append(_comparison(sessions))
    for i, s in enumerate(sessions, 1):
        t, y, ylabel = motion_trace(s)
        body.append(_session_section(s, i, len(sessions), t, y, ylabel))
    name = f"{title} \u2014 {athlete}" if athlete else title
    return _doc(name, "".join(body))


def _comparison(sessions: Sequence[Session]) -> str:
    rows = []
    labels = []
    sums = []
    for i, s in enumerate(sessions, 1):
        sm = _summary(s)
        sums.append(sm)
        labels.append(f"#{i}")
        target = s.guidance.sets * s.guidance.reps_per_set
        rows.append(
            f'<tr><td class="num">{i}</td><td class="file"><a href="#session-{i}">{esc(_session_title(s))}</a></td>'
            f"<td>{esc(_session_date(s) or DASH)}</td>"
            f'<td class="num">{sm["reps"]} of {target}</td><td class="num">{len(s.sets)}</td><td class="num">{sm["flagged"]}</td>'
            f"<td>{_meter(sm['compliance'])}</td>"
            f'<td class="num">{fmt_s(sm["median_lift_s"])}</td><td class="num">{fmt_s(sm["median_hold_s"])}</td>'
            f'<td class="num">{fmt_s(sm["median_lower_s"])}</td>'
            f'<td class="num">{_num(sm["median_wobble"], "{:.2f}")}</td><td class="num">{_num(sm["median_range_deg"], DEG_FMT)}</td></tr>'
        )
    g = sessions[0].guidance
    chart = plots.weekly_chart(
        labels,
        [
            ("lift", [x["median_lift_s"] for x in sums], "s-lift"),
            ("pause", [x["median_hold_s"] for x in sums], "s-hold"),
            ("lower", [x["median_lower_s"] for x in sums], "s-lower"),
        ],
        "median time (s)",
        "median lift, pause and lower per session against the targets",
        hlines=[(g.lift_target_s, f"lift target {g.lift_target_s:g} s", "s-lift"),
                (g.hold_target_s, f"pause target {g.hold_target_s:g} s", "s-hold"),
                (g.lower_target_s, f"lower target {g.lower_target_s:g} s", "s-lower")],
    )
    comp = plots.weekly_chart(
        labels, [("tempo compliance %", [None if x["compliance"] is None else 100 * x["compliance"] for x in sums], "s-main")],
        "tempo compliance (%)", "tempo compliance per session", bars=True, y_max=100,
    )
    return (
        '<section class="comparison"><h2>Comparison</h2>'
        "<table><thead><tr><th class=num>#</th><th>File</th><th>Recorded</th><th class=num>Reps</th><th class=num>Sets</th>"
        "<th class=num>Flagged</th><th>Tempo compliance</th><th class=num>Lift</th><th class=num>Pause</th><th class=num>Lower</th>"
        "<th class=num>Wobble</th><th class=num>Range</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table><p class=sub>Lift, pause, lower, wobble and range are medians over each session's reps.</p>"
        + (comp + chart if any(x["reps"] for x in sums) else "") + "</section>"
    )


def _num(x: float | None, fmt: str) -> str:
    return "\u2013" if x is None else fmt.format(x)


def _windows(s: Session) -> list[tuple[str, float, float, list]]:
    """Motion-plot windows: one per set, long sets split at rep boundaries."""
    out = []
    for st in s.sets:
        reps = [r for r in s.reps if r.set == st.index]
        if not reps:
            continue
        chunk: list = []
        for r in reps:
            if chunk and r.end - chunk[0].start > MAX_WINDOW_S:
                out.append((st.index, chunk))
                chunk = []
            chunk.append(r)
        out.append((st.index, chunk))
    res = []
    for set_index, chunk in out:
        t0 = max(0.0, chunk[0].start - 3.0)
        t1 = chunk[-1].end + 3.0
        lab = f"Set {set_index}" + (
            f", reps {chunk[0].index_in_set}\u2013{chunk[-1].index_in_set}" if len([c for c in out if c[0] == set_index]) > 1 else ""
        )
        res.append((lab, t0, t1, chunk))
    return res


def _session_section(s: Session, i: int, n: int, t, y, ylabel: str) -> str:
    rec, g = s.recording, s.guidance
    sm = _summary(s)
    parts = [f'<section class="session" id="session-{i}">']
    parts.append(f"<h2>{'Session %d: ' % i if n > 1 else 'Session: '}{esc(_session_title(s))}</h2>")
    parts.append(
        _facts(
            [
                ("File", rec.path),
                ("Recorded", _session_date(s) or "start time not in the file"),
                ("Length", f"{fmt_clock(rec.duration_s)} ({rec.n_samples} samples at {rec.median_rate_hz:.1f} Hz)"),
                ("Sensor", rec.meta.get("sensor")),
                ("Placement", rec.meta.get("placement")),
                ("Data gaps", f"{len(rec.gaps)} ({sum(x.duration_s for x in rec.gaps):.1f} s without data)" if rec.gaps else None),
            ]
        )
    )
    for w in rec.warnings:
        parts.append(f'<p class="warn">Note: {esc(w)}</p>')
    target = g.sets * g.reps_per_set
    parts.append(
        '<div class="cards">'
        + _card(f"{sm['reps']} of {target}", "reps (target)")
        + _card(str(len(s.sets)), f"sets (target {g.sets})")
        + _card(str(sm["flagged"]), "flagged reps")
        + _card(_pct(sm["compliance"]), "tempo compliance")
        + _card(
            " / ".join(_num(sm[k], "{:.1f}") for k in ("median_lift_s", "median_hold_s", "median_lower_s")) + " s",
            f"median lift / pause / lower (target {g.lift_target_s:g} / {g.hold_target_s:g} / {g.lower_target_s:g})",
        )
        + "</div>"
    )
    if not s.reps:
        parts.append("<p><b>No heel-raise reps were found in this recording.</b></p>")
    else:
        parts.append(_set_table(s))
    # motion
    parts.append("<h3>Motion</h3>")
    parts.append(
        _legend([("lift", "var(--lift)"), ("pause at the top", "var(--hold)"), ("lower", "var(--lower)"),
                 ("flagged rep", "var(--bad)"), ("no data", "#9e9e9e88")])
    )
    label = f"motion signal of {_session_title(s)}"
    windows = _windows(s)
    if len(windows) != 1 or not s.reps:
        parts.append(
            plots.motion_plot(t, y, s.reps, 0.0, max(rec.duration_s, 1.0), ylabel, rec.gaps, s.sets, detail=False,
                              height=170, label=f"{label}: whole session")
        )
    for lab, t0, t1, chunk in windows:
        parts.append(f"<h4>{esc(lab)}</h4>" if len(windows) > 1 else "")
        parts.append(plots.motion_plot(t, y, chunk, t0, t1, ylabel, rec.gaps, detail=True, label=f"{label}: {lab}"))
    if s.reps:
        parts.append("<h3>Tempo per rep</h3>")
        parts.append(
            '<p class="sub">Each bar is one rep; the green band runs from the flag threshold to as far above the target '
            "(dashed line); red bars broke the tempo; the thin line on a bar spans the timing uncertainty "
            "(\u00b11 standard deviation).</p>"
        )
        parts.append(plots.tempo_chart(s.reps, g, label=f"lift, pause and lower time per rep of {_session_title(s)}"))
        parts.append("<h3>Control and height per rep</h3>")
        parts.append('<p class="sub">Dots are reps (red = flagged), the orange line a 5-rep running median: '
                     "rising wobble and falling range late in a set are signs of fatigue.</p>")
        parts.append(
            plots.rep_trend_chart(s.reps, [r.wobble for r in s.reps], "wobble", ["wobble" in r.flags for r in s.reps],
                                  label=f"wobble per rep of {_session_title(s)}")
        )
        parts.append(
            plots.rep_trend_chart(s.reps, [r.range_deg for r in s.reps], "range (deg)", ["partial" in r.flags for r in s.reps],
                                  label=f"range per rep of {_session_title(s)}")
        )
        parts.append(_flags_table(s))
    parts.append("</section>")
    return "".join(parts)


def _set_table(s: Session) -> str:
    rows = []
    for st in s.sets:
        hint = f'<span class="hint">{esc(st.hint)}</span>' if st.hint else '<span class="ok">control kept</span>'
        rows.append(
            f'<tr><td class="num">{st.index}</td><td class="num">{st.reps} of {st.target_reps}</td>'
            f'<td class="num">{st.flagged}</td><td>{_meter(st.compliance)}</td><td>{hint}</td>'
            f"<td>{fmt_clock(st.start)}\u2013{fmt_clock(st.end)}</td></tr>"
        )
    return (
        "<h3>Sets</h3><table><thead><tr><th class=num>Set</th><th class=num>Reps</th><th class=num>Flagged</th>"
        "<th>Tempo compliance</th><th>Advice</th><th>Time</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _flags_table(s: Session) -> str:
    rows = []
    for k, r in enumerate(s.reps):
        if not r.flags:
            continue
        ref = wobble_reference(s.reps, k) if "wobble" in r.flags else None
        words = "; ".join(flag_sentence(f, r, s.guidance, ref) for f in in_rep_order(r.flags))
        if r.in_gap:
            words += " (data gap during this rep: timing less certain)"
        tags = ", ".join(FLAG_LABELS.get(f, f) for f in in_rep_order(r.flags))
        rows.append(
            f'<tr><td class="num">{r.set}</td><td class="num">{r.index_in_set}</td><td>{fmt_clock(r.start)}</td>'
            f"<td>{esc(words)}</td><td>{esc(tags)}</td></tr>"
        )
    if not rows:
        return '<h3>Flags</h3><p class="ok">No rep was flagged.</p>'
    tempo = sum(1 for r in s.reps if set(r.flags) & set(TEMPO_FLAGS))
    return (
        f"<h3>Flags</h3><p class=sub>{len(rows)} flagged rep(s), {tempo} of them off tempo.</p>"
        "<table><thead><tr><th class=num>Set</th><th class=num>Rep</th><th>Time</th><th>What happened</th><th>Flags</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>"
    )


# ---------------------------------------------------------------------------
# Progress report (history)
# ---------------------------------------------------------------------------


def render_progress(
    sessions: Sequence[dict[str, Any]],
    weeks: Sequence[dict[str, Any]],
    athlete: str | None,
    guidance: Any,
    notes: str | None = None,
    db_path: str | None = None,
) -> str:
    """Weekly progress document from :mod:`reptrack.history` rows."""
    from ..history import PLAN_SESSIONS_PER_WEEK

    g = guidance
    title = "Heel-raise progress"
    head = [f"<h1>{esc(title)}</h1>"]
    span = f"{sessions[0]['date']} to {sessions[-1]['date']}" if sessions else "no sessions"
    head.append(f'<p class="sub">{"Athlete: <b>" + esc(athlete) + "</b>" + DOT if athlete else ""}'
                f"{len(sessions)} session(s), {esc(span)}</p>")
    head.append(_facts([("History database", db_path),
                        ("Plan", f"alternate days = {PLAN_SESSIONS_PER_WEEK[0]}\u2013{PLAN_SESSIONS_PER_WEEK[1]} sessions a week; "
                                 f"{g.sets} \u00d7 {g.reps_per_set} at {g.name}")]))
    if notes:
        head.append(f'<div class="notes">{esc(notes)}</div>')
    body = ["<header>" + "".join(head) + "</header>"]
    if not sessions:
        body.append("<p><b>No saved sessions match.</b> Save sessions with <code>reptrack analyze FILE --save --athlete NAME</code>.</p>")
        return _doc(title, "".join(body), PROGRESS_NOTE)
    labels = [f"wk {w['program_week']}" for w in weeks]
    lo, hi = PLAN_SESSIONS_PER_WEEK
    body.append('<section class="progress"><h2>Week by week</h2>')
    body.append(f"<h3>Sessions per week</h3><p class=sub>Green band: the alternate-day plan, {lo}\u2013{hi} sessions a week.</p>")
    body.append(
        plots.weekly_chart(labels, [("sessions", [w["sessions"] for w in weeks], "s-main")], "sessions",
                           "sessions per week against the alternate-day plan", band=(lo, hi),
                           band_title=f"plan: {lo}\u2013{hi} sessions a week", bars=True)
    )
    body.append("<h3>Reps per week</h3><p class=sub>Green band: the reps the plan asks for in a week.</p>")
    body.append(
        plots.weekly_chart(labels, [("reps", [w["reps"] for w in weeks], "s-main")], "reps", "reps per week",
                           band=(lo * g.sets * g.reps_per_set, hi * g.sets * g.reps_per_set),
                           band_title="reps the plan asks for", bars=True)
    )
    body.append("<h3>Tempo compliance</h3><p class=sub>Share of the week's reps with no tempo flag.</p>")
    body.append(
        plots.weekly_chart(labels, [("tempo compliance", [None if w["compliance"] is None else 100 * w["compliance"] for w in weeks], "s-main")],
                           "tempo compliance (%)", "tempo compliance per week", y_max=100)
    )
    body.append("<h3>Tempo</h3><p class=sub>Median lift, pause and lower of the week's reps; dashed lines are the targets.</p>")
    body.append(
        plots.weekly_chart(
            labels,
            [("lift", [w["median_lift_s"] for w in weeks], "s-lift"), ("pause", [w["median_hold_s"] for w in weeks], "s-hold"),
             ("lower", [w["median_lower_s"] for w in weeks], "s-lower")],
            "median time (s)", "median lift, pause and lower per week against the targets",
            hlines=[(g.lift_target_s, f"lift target {g.lift_target_s:g} s", "s-lift"),
                    (g.hold_target_s, f"pause target {g.hold_target_s:g} s", "s-hold"),
                    (g.lower_target_s, f"lower target {g.lower_target_s:g} s", "s-lower")],
        )
    )
    body.append("<h3>Control and height</h3><p class=sub>Median wobble (lower is steadier) and median range (higher raises).</p>")
    body.append(plots.weekly_chart(labels, [("wobble", [w["median_wobble"] for w in weeks], "s-alt")], "median wobble",
                                   "median wobble per week (lower is steadier)"))
    body.append(plots.weekly_chart(labels, [("range", [w["median_range_deg"] for w in weeks], "s-main")], "median range (deg)",
                                   "median range per week (higher raises)"))
    rows = "".join(
        f"<tr><td>{w['program_week']}</td><td>{esc(w['week'])} ({esc(w['week_start'])})</td>"
        + (f"<td>{esc(w['athlete'] or DASH)}</td>" if not athlete else "")
        + f"<td class=num>{w['sessions']}{'' if w['on_plan'] else ' <span class=hint>off plan</span>'}</td>"
        f"<td class=num>{w['reps']}</td><td>{_meter(w['compliance'])}</td>"
        f"<td class=num>{_num(w['median_lift_s'], '{:.1f}')} / {_num(w['median_hold_s'], '{:.1f}')} / {_num(w['median_lower_s'], '{:.1f}')}</td>"
        f"<td class=num>{_num(w['median_wobble'], '{:.2f}')}</td><td class=num>{_num(w['median_range_deg'], DEG_FMT)}</td></tr>"
        for w in weeks
    )
    body.append(
        "<table><thead><tr><th>Week</th><th>ISO week</th>" + ("<th>Athlete</th>" if not athlete else "")
        + "<th class=num>Sessions</th><th class=num>Reps</th><th>Tempo compliance</th>"
        "<th class=num>Lift / pause / lower (s)</th><th class=num>Wobble</th><th class=num>Range</th></tr></thead><tbody>"
        + rows + "</tbody></table></section>"
    )
    srows = "".join(
        f"<tr><td class=num>{s['id']}</td><td>{esc(s['date'])}</td><td>{esc(os.path.basename(s['path'] or '') or DASH)}</td>"
        f"<td class=num>{s['reps']}</td><td class=num>{s['flagged']}</td><td>{_meter(s['compliance'])}</td>"
        f"<td class=num>{_num(s['median_lift_s'], '{:.1f}')} / {_num(s['median_hold_s'], '{:.1f}')} / {_num(s['median_lower_s'], '{:.1f}')}</td></tr>"
        for s in sessions
    )
    body.append(
        "<section><h2>Sessions</h2><table><thead><tr><th class=num>ID</th><th>Date</th><th>File</th><th class=num>Reps</th>"
        "<th class=num>Flagged</th><th>Tempo compliance</th><th class=num>Lift / pause / lower (s)</th></tr></thead><tbody>"
        + srows + "</tbody></table></section>"
    )
    return _doc(f"{title} \u2014 {athlete}" if athlete else title, "".join(body), PROGRESS_NOTE)


def write_html(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` to ``path`` (UTF-8); :class:`InputError` if impossible."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report ({exc.strerror or exc}); check the folder exists and is writable", str(path)) from None
