"""Hand-written inline SVG charts for the HTML report (no matplotlib, no JS).

Every function returns one ``<svg>`` element as a string.  Styling is by CSS
class (defined in :mod:`reptrack.report.html`), so the markup stays small: a
1-hour, 300-rep session draws in well under a second and a few hundred kB.
All text placed in the SVG goes through :func:`esc`.

Sizes are in SVG user units (the ``viewBox``); the element scales to the
page width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from ..guidance import TEMPO_FLAG_PHASE
from ..model import Gap, Rep, SetSummary
from .words import FLAG_LABELS, fmt_clock

WIDTH = 900
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 56, 14, 22, 30
#: Max points drawn per horizontal SVG unit in the motion trace (min/max per column).
TRACE_COLUMNS = WIDTH - MARGIN_L - MARGIN_R
#: Minimum horizontal distance (SVG units) between two "Set N" labels.
LABEL_SPACE = 44.0
#: the tempo flag of each phase
TEMPO_FLAG_OF = {phase: flag for flag, phase in TEMPO_FLAG_PHASE.items()}


def esc(text: object) -> str:
    """Escape any user or data text for HTML/SVG (quotes included)."""
    return escape(str(text), quote=True)


def _n(v: float) -> str:
    """Coordinate with one decimal, no trailing '.0'."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


@dataclass
class Frame:
    """Maps data coordinates to SVG units inside the plot area."""

    x_lo: float
    x_hi: float
    y_lo: float
    y_hi: float
    left: float = MARGIN_L
    top: float = MARGIN_T
    width: float = WIDTH - MARGIN_L - MARGIN_R
    height: float = 160.0

    def x(self, v: float) -> float:
        span = self.x_hi - self.x_lo or 1.0
        return self.left + (v - self.x_lo) / span * self.width

    def y(self, v: float) -> float:
        span = self.y_hi - self.y_lo or 1.0
        return self.top + self.height - (v - self.y_lo) / span * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    v = first
    while v <= hi + 1e-9 * step:
        out.append(round(v, 10))
        v += step
    return out


def _fmt_num(v: float) -> str:
    return f"{v:g}" if abs(v) >= 0.01 or v == 0 else f"{v:.2g}"


def svg(height: float, body: str, label: str, width: float = WIDTH) -> str:
    return (
        f'<svg class="plot" viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>{body}</svg>"
    )


def axes(
    f: Frame,
    yticks: Sequence[float],
    ylabel: str,
    xticks: Sequence[float] = (),
    xfmt=_fmt_num,
    xlabel: str = "",
    yfmt=_fmt_num,
) -> str:
    parts = [f'<rect class="area" x="{_n(f.left)}" y="{_n(f.top)}" width="{_n(f.width)}" height="{_n(f.height)}"/>']
    for v in yticks:
        y = f.y(v)
        parts.append(f'<line class="grid" x1="{_n(f.left)}" x2="{_n(f.right)}" y1="{_n(y)}" y2="{_n(y)}"/>')
        parts.append(f'<text class="tick" x="{_n(f.left - 4)}" y="{_n(y + 3.5)}" text-anchor="end">{esc(yfmt(v))}</text>')
    for v in xticks:
        x = f.x(v)
        parts.append(f'<line class="grid" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(f.top)}" y2="{_n(f.bottom)}"/>')
        parts.append(f'<text class="tick" x="{_n(x)}" y="{_n(f.bottom + 13)}" text-anchor="middle">{esc(xfmt(v))}</text>')
    cy = f.top + f.height / 2
    parts.append(
        f'<text class="axlabel" x="12" y="{_n(cy)}" text-anchor="middle" transform="rotate(-90 12 {_n(cy)})">{esc(ylabel)}</text>'
    )
    if xlabel:
        parts.append(f'<text class="axlabel" x="{_n(f.right)}" y="{_n(f.bottom + 26)}" text-anchor="end">{esc(xlabel)}</text>')
    return "".join(parts)


def polyline_path(xs: np.ndarray, ys: np.ndarray) -> str:
    """SVG path data; NaN in ``ys`` breaks the line."""
    out: list[str] = []
    pen_up = True
    for x, y in zip(xs.tolist(), ys.tolist()):
        if y != y:  # NaN
            pen_up = True
            continue
        out.append(("M" if pen_up else "L") + _n(x) + " " + _n(y))
        pen_up = False
    return "".join(out)


def decimate_minmax(t: np.ndarray, y: np.ndarray, t_lo: float, t_hi: float, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples of ``(t, y)`` inside [t_lo, t_hi] reduced to at most
    2 x ``columns`` points (each column's min and max, in time order), so the
    drawn envelope looks like the full-resolution trace."""
    i0, i1 = np.searchsorted(t, [t_lo, t_hi])
    tt, yy = t[i0:i1], y[i0:i1]
    if len(tt) <= 2 * columns:
        return tt, yy
    edges = np.searchsorted(tt, np.linspace(tt[0], tt[-1], columns + 1)[:-1])
    edges = np.unique(edges)
    mn = np.minimum.reduceat(yy, edges)
    mx = np.maximum.reduceat(yy, edges)
    amn = _argreduce(yy, edges, np.argmin)
    amx = _argreduce(yy, edges, np.argmax)
    first_min = amn <= amx
    ta = np.where(first_min, tt[amn], tt[amx])
    tb = np.where(first_min, tt[amx], tt[amn])
    ya = np.where(first_min, mn, mx)
    yb = np.where(first_min, mx, mn)
    return np.column_stack([ta, tb]).ravel(), np.column_stack([ya, yb]).ravel()


def _argreduce(y: np.ndarray, edges: np.ndarray, fn) -> np.ndarray:
    bounds = np.append(edges, len(y))
    width = int(np.max(np.diff(bounds)))
    padded = np.full((len(edges), width), np.nan)
    idx = edges[:, None] + np.arange(width)[None, :]
    valid = idx < bounds[1:, None]
    padded[valid] = y[idx[valid]]
    if fn is np.argmin:
        rel = np.nanargmin(padded, axis=1)
    else:
        rel = np.nanargmax(padded, axis=1)
    return edges + rel


def split_at_gaps(t: np.ndarray, y: np.ndarray, gaps: Sequence[Gap]) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN point wherever a data gap lies between two consecutive
    points, so the drawn line breaks there instead of bridging the gap."""
    if not gaps or len(t) < 2:
        return t, y
    starts = np.array([g.start for g in gaps])
    ends = np.array([g.end for g in gaps])
    k = np.searchsorted(t, ends - 1e-9)
    ok = (k > 0) & (k < len(t))
    ok[ok] &= t[k[ok] - 1] <= starts[ok] + 1e-9
    ins = np.unique(k[ok])
    return np.insert(t.astype(float), ins, np.nan), np.insert(y.astype(float), ins, np.nan)


def motion_plot(
    t: np.ndarray,
    y: np.ndarray,
    reps: Sequence[Rep],
    t_lo: float,
    t_hi: float,
    ylabel: str,
    gaps: Sequence[Gap] = (),
    sets: Sequence[SetSummary] = (),
    detail: bool = True,
    height: float = 230.0,
    label: str = "motion signal",
) -> str:
    """The motion signal between ``t_lo`` and ``t_hi`` (s).

    ``detail``: shade each rep's lift / pause / lower and number the reps,
    flagged ones with a red marker.  Otherwise (overview of a whole session)
    shade the sets and mark flagged reps with red ticks.
    """
    tt, yy = decimate_minmax(t, y, t_lo, t_hi, TRACE_COLUMNS)
    if len(yy):
        lo, hi = float(np.nanpercentile(yy, 0.5)), float(np.nanpercentile(yy, 99.5))
    else:
        lo, hi = 0.0, 1.0
    pad = max(0.5, 0.12 * (hi - lo))
    f = Frame(t_lo, t_hi, lo - pad, hi + pad * 1.8, height=height - MARGIN_T - MARGIN_B)
    span = t_hi - t_lo
    step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800) if span / s <= 10), 3600)
    xticks = [v for v in np.arange(math.ceil(t_lo / step) * step, t_hi + 1e-9, step).tolist()]
    parts = [axes(f, nice_ticks(f.y_lo, f.y_hi, 4), ylabel, xticks, xfmt=fmt_clock, xlabel="time (m:ss)")]
    clip_lo, clip_hi = f.x_lo, f.x_hi

    def rect(a: float, b: float, cls: str, title: str = "", top: float | None = None, h: float | None = None) -> str:
        a, b = max(a, clip_lo), min(b, clip_hi)
        if b <= a:
            return ""
        x0, x1 = f.x(a), f.x(b)
        y0 = f.top if top is None else top
        hh = f.height if h is None else h
        inner = f"<title>{esc(title)}</title>" if title else ""
        return f'<rect class="{cls}" x="{_n(x0)}" y="{_n(y0)}" width="{_n(max(0.3, x1 - x0))}" height="{_n(hh)}">{inner}</rect>'

    if detail:
        for r in reps:
            if r.end < t_lo or r.start > t_hi:
                continue
            tip = _rep_tip(r)
            parts.append(
                f"<g><title>{esc(tip)}</title>"
                + rect(r.start, r.top, "lift")
                + rect(r.top, r.lower_start, "hold")
                + rect(r.lower_start, r.end, "lower")
                + "</g>"
            )
    else:
        last_label = -1e9
        for s in sets:
            parts.append(rect(s.start, s.end, "setspan", f"set {s.index}: {s.reps} reps, {s.flagged} flagged"))
            x = f.x(s.start)
            if t_lo <= s.start <= t_hi and x - last_label >= LABEL_SPACE:
                parts.append(f'<text class="setlabel" x="{_n(x + 2)}" y="{_n(f.top + 11)}">Set {s.index}</text>')
                last_label = x
    for g in gaps:
        parts.append(rect(g.start, g.end, "gap", f"no data {fmt_clock(g.start)}\u2013{fmt_clock(g.end)} ({g.duration_s:.1f} s)"))
    if len(tt):
        tt, yy = split_at_gaps(tt, yy, gaps)
        # outliers (fidgets, bumps) are clamped to the frame instead of drawn over the page
        parts.append(f'<path class="trace" d="{polyline_path(f.x(tt), f.y(np.clip(yy, f.y_lo, f.y_hi)))}"/>')
    for r in reps:
        mid = (r.start + r.end) / 2
        if not t_lo <= mid <= t_hi:
            continue
        x = f.x(mid)
        if detail:
            cls = "replabel flagged" if r.flags else "replabel"
            if r.flags:
                parts.append(
                    f'<path class="flagmark" d="M{_n(x - 5)} {_n(f.top + 3)}L{_n(x + 5)} {_n(f.top + 3)}L{_n(x)} {_n(f.top + 11)}Z">'
                    f"<title>{esc(_rep_tip(r))}</title></path>"
                )
            parts.append(f'<text class="{cls}" x="{_n(x)}" y="{_n(f.top + 22)}" text-anchor="middle">{r.index_in_set}</text>')
        elif r.flags:
            parts.append(
                f'<line class="flagtick" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(f.top + 14)}" y2="{_n(f.top + 24)}"><title>{esc(_rep_tip(r))}</title></line>'
            )
    return svg(height, "".join(parts), label)


def _rep_tip(r: Rep) -> str:
    flags = ", ".join(FLAG_LABELS.get(x, x) for x in r.flags) or "no flags"
    return (
        f"set {r.set} rep {r.index_in_set} at {fmt_clock(r.start)}: lift {r.lift_s:.1f} s, pause {r.hold_s:.1f} s, "
        f"lower {r.lower_s:.1f} s, range {r.range_deg:.1f}\u00b0, wobble {r.wobble:.2f} \u2014 {flags}"
        + (" (data gap during the rep: timing less certain)" if r.in_gap else "")
    )


def _set_separators(f: Frame, reps: Sequence[Rep]) -> str:
    parts = []
    prev = None
    last_label = -1e9
    for i, r in enumerate(reps):
        if r.set != prev:
            x = f.x(i + 0.5)
            if i:
                parts.append(f'<line class="setsep" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(f.top)}" y2="{_n(f.bottom)}"/>')
            if x - last_label >= LABEL_SPACE:
                parts.append(f'<text class="setlabel" x="{_n(x + 3)}" y="{_n(f.top + 10)}">Set {r.set}</text>')
                last_label = x
            prev = r.set
    return "".join(parts)


def _rep_xticks(n: int) -> list[float]:
    step = next((s for s in (1, 2, 5, 10, 15, 20, 25, 50, 100) if n / s <= 15), 200)
    return [float(v) for v in range(step, n + 1, step)] if n > 1 else [1.0]


def tempo_chart(reps: Sequence[Rep], guidance: object, label: str = "tempo per rep") -> str:
    """Three panels (lift, pause, lower): one bar per rep against the target
    band.  The band runs from the flag threshold (e.g. 2 s) to as far above
    the target (e.g. 3 s, dashed) as the threshold is below it; a red bar
    broke the tempo.  A whisker spans +-1 sd of the phase's timing where the
    rep has one (``lift_sd_s`` ...)."""
    g = guidance
    phases = [
        ("lift", "lift (s)", g.lift_target_s, g.lift_min_s, "lift_s"),  # type: ignore[attr-defined]
        ("hold", "pause (s)", g.hold_target_s, g.hold_min_s, "hold_s"),  # type: ignore[attr-defined]
        ("lower", "lower (s)", g.lower_target_s, g.lower_min_s, "lower_s"),  # type: ignore[attr-defined]
    ]
    n = len(reps)
    panel_h, gap_h = 92.0, 24.0
    parts = []
    top = MARGIN_T
    for key, ylabel, target, vmin, attr in phases:
        vals = [getattr(r, attr) for r in reps]
        band_hi = target + max(target - vmin, 0.25 * target)
        ymax = max([band_hi * 1.15] + [v * 1.05 for v in vals])
        f = Frame(0.5, n + 0.5, 0.0, ymax, top=top, height=panel_h)
        parts.append(axes(f, nice_ticks(0, ymax, 3), ylabel, _rep_xticks(n) if key == "lower" else (), xfmt=lambda v: f"{v:g}",
                          xlabel="rep" if key == "lower" else ""))
        parts.append(
            f'<rect class="band" x="{_n(f.left)}" y="{_n(f.y(band_hi))}" width="{_n(f.width)}" height="{_n(f.y(vmin) - f.y(band_hi))}">'
            f"<title>target band {vmin:g}\u2013{band_hi:g} s (flagged below {vmin:g} s)</title></rect>"
        )
        parts.append(f'<line class="target" x1="{_n(f.left)}" x2="{_n(f.right)}" y1="{_n(f.y(target))}" y2="{_n(f.y(target))}"/>')
        bw = max(0.6, f.width / max(n, 1) * 0.72)
        for i, (r, v) in enumerate(zip(reps, vals)):
            bad = TEMPO_FLAG_OF[key] in r.flags
            x = f.x(i + 1) - bw / 2
            sd = getattr(r, f"{key}_sd_s", None)
            pm = f" \u00b1 {sd:.1f}" if sd is not None else ""
            parts.append(
                f'<rect class="{"bar bad" if bad else "bar"}" x="{_n(x)}" y="{_n(f.y(v))}" width="{_n(bw)}" height="{_n(f.bottom - f.y(v))}">'
                f"<title>set {r.set} rep {r.index_in_set}: {ylabel.split()[0]} {v:.1f}{pm} s</title></rect>"
            )
            if sd is not None and sd > 0:
                lo, hi = max(v - sd, 0.0), min(v + sd, ymax)
                parts.append(
                    f'<line class="sd" x1="{_n(f.x(i + 1))}" x2="{_n(f.x(i + 1))}" y1="{_n(f.y(lo))}" y2="{_n(f.y(hi))}"/>'
                )
        parts.append(_set_separators(f, reps))
        parts.append(f'<text class="tick" x="{_n(f.right - 2)}" y="{_n(f.y(target) - 3)}" text-anchor="end">target {target:g} s</text>')
        top += panel_h + gap_h
    return svg(top + 8, "".join(parts), label)


def rep_trend_chart(
    reps: Sequence[Rep],
    values: Sequence[float],
    ylabel: str,
    bad: Sequence[bool],
    label: str,
    y_from_zero: bool = True,
) -> str:
    """One dot per rep (red where ``bad``) plus a 5-rep running median within
    each set, so fatigue shows as a trend."""
    n = len(reps)
    v = np.asarray(values, dtype=float)
    hi = float(np.nanmax(v)) if n else 1.0
    lo = 0.0 if y_from_zero else (float(np.nanmin(v)) if n else 0.0)
    if not hi > lo:
        hi = lo + 1.0
    f = Frame(0.5, n + 0.5, lo, hi * 1.12 if y_from_zero else hi + 0.12 * (hi - lo), height=120)
    parts = [axes(f, nice_ticks(f.y_lo, f.y_hi, 4), ylabel, _rep_xticks(n), xfmt=lambda x: f"{x:g}", xlabel="rep")]
    parts.append(_set_separators(f, reps))
    # running median inside each set
    start = 0
    while start < n:
        end = start
        while end < n and reps[end].set == reps[start].set:
            end += 1
        seg = v[start:end]
        med = np.array([np.nanmedian(seg[max(0, i - 2): i + 3]) for i in range(len(seg))])
        xs = np.array([f.x(i + 1) for i in range(start, end)])
        parts.append(f'<path class="trend" d="{polyline_path(xs, np.array([f.y(m) for m in med]))}"/>')
        start = end
    for i, (r, val, b) in enumerate(zip(reps, v.tolist(), bad)):
        if val != val:
            continue
        parts.append(
            f'<circle class="{"dot bad" if b else "dot"}" cx="{_n(f.x(i + 1))}" cy="{_n(f.y(val))}" r="{2.2 if n > 150 else 3}">'
            f"<title>set {r.set} rep {r.index_in_set}: {esc(ylabel)} {val:.2f}</title></circle>"
        )
    return svg(f.bottom + MARGIN_B + 4, "".join(parts), label)


def weekly_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    ylabel: str,
    label: str,
    band: tuple[float, float] | None = None,
    band_title: str = "",
    hlines: Sequence[tuple[float, str, str]] = (),
    bars: bool = False,
    y_max: float | None = None,
) -> str:
    """Per-week values.  ``series`` is ``(name, values, css class)``; None
    leaves a hole.  ``bars`` draws the first series as bars; ``band`` shades a
    target range; ``hlines`` are ``(value, text, css class)`` target lines."""
    n = len(labels)
    allv = [v for _, vals, _ in series for v in vals if v is not None]
    top_v = max(allv + [b for b in (band or ())] + [h for h, _, _ in hlines] + [1e-9])
    ymax = y_max if y_max is not None else top_v * 1.15
    f = Frame(0.5, n + 0.5, 0.0, ymax, height=130)
    parts = [axes(f, nice_ticks(0, ymax, 4), ylabel)]
    step = max(1, math.ceil(n / 12))
    for i, lab in enumerate(labels):
        if i % step == 0:
            parts.append(f'<text class="tick" x="{_n(f.x(i + 1))}" y="{_n(f.bottom + 13)}" text-anchor="middle">{esc(lab)}</text>')
    if band:
        parts.append(
            f'<rect class="band" x="{_n(f.left)}" y="{_n(f.y(band[1]))}" width="{_n(f.width)}" height="{_n(f.y(band[0]) - f.y(band[1]))}">'
            f"<title>{esc(band_title)}</title></rect>"
        )
    for value, text, cls in hlines:
        y = f.y(value)
        parts.append(f'<line class="target {esc(cls)}" x1="{_n(f.left)}" x2="{_n(f.right)}" y1="{_n(y)}" y2="{_n(y)}"><title>{esc(text)}</title></line>')
    for k, (name, vals, cls) in enumerate(series):
        if bars and k == 0:
            bw = min(60.0, max(1.0, f.width / max(n, 1) * 0.6))
            for i, v in enumerate(vals):
                if v is None:
                    continue
                parts.append(
                    f'<rect class="bar {esc(cls)}" x="{_n(f.x(i + 1) - bw / 2)}" y="{_n(f.y(v))}" width="{_n(bw)}" height="{_n(f.bottom - f.y(v))}">'
                    f"<title>{esc(labels[i])}: {esc(name)} {v:g}</title></rect>"
                )
            continue
        ys = np.array([np.nan if v is None else f.y(v) for v in vals])
        # several lines: shift each a little sideways so equal values stay visible
        dx = (k - (len(series) - 1) / 2) * 0.05 if len(series) > 1 else 0.0
        xs = np.array([f.x(i + 1 + dx) for i in range(n)])
        parts.append(f'<path class="line {esc(cls)}" d="{polyline_path(xs, ys)}"/>')
        for i, v in enumerate(vals):
            if v is not None:
                parts.append(
                    f'<circle class="pt {esc(cls)}" cx="{_n(xs[i])}" cy="{_n(f.y(v))}" r="3">'
                    f"<title>{esc(labels[i])}: {esc(name)} {v:.2f}</title></circle>"
                )
    if len(series) > 1 or hlines:
        x = f.left + 6
        for name, _, cls in series:
            parts.append(f'<rect class="key {esc(cls)}" x="{_n(x)}" y="{_n(f.top + 4)}" width="10" height="8"/>')
            parts.append(f'<text class="tick" x="{_n(x + 13)}" y="{_n(f.top + 11)}">{esc(name)}</text>')
            x += 16 + 6.5 * len(name)
    return svg(f.bottom + MARGIN_B, "".join(parts), label)
