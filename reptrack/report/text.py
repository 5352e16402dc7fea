"""Plain-text per-rep table and set summary (what ``reptrack analyze`` prints)."""

from __future__ import annotations

from ..model import Rep, Session

FLAG_WORDS = {
    "lift_too_fast": "fast lift",
    "lower_too_fast": "fast lower",
    "no_pause": "no pause",
    "partial": "partial",
    "wobble": "wobbly",
}


def flag_words(rep: Rep) -> str:
    """The rep's raised flags in words, ``?`` after each the timing cannot
    settle (``rep.uncertain_flags``): "fast lift, fast lower?"."""
    return ", ".join(FLAG_WORDS.get(f, f) + ("?" if f in rep.uncertain_flags else "") for f in rep.flags)


def _f(x: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def format_session(s: Session) -> str:
    """Human-readable report of one session (ends with a newline)."""
    rec, g = s.recording, s.guidance
    lines = [
        f"{rec.path or 'recording'}: {rec.duration_s:.1f} s at {rec.median_rate_hz:.1f} Hz"
        + (f", {len(rec.gaps)} gap(s)" if rec.gaps else "")
        + (f", started {rec.start_utc}" if rec.start_utc else ""),
        f"guidance {g.name}: lift {g.lift_target_s:g} s, pause {g.hold_target_s:g} s, lower {g.lower_target_s:g} s"
        f" (flag lift/lower < {g.lift_min_s:g}/{g.lower_min_s:g} s, pause < {g.hold_min_s:g} s,"
        " short by over half the timing sd)",
        "",
    ]
    if not s.reps:
        lines.append("No heel-raise reps found.")
        return "\n".join(lines) + "\n"
    header = f"{'set':>3} {'rep':>3} {'start':>8} {'lift':>5} {'pause':>5} {'lower':>5} {'rest':>5} {'range':>6} {'rel':>5} {'wobble':>6}  flags"
    lines.append(header)
    lines.append("-" * len(header))
    for r in s.reps:
        lines.append(
            f"{r.set:>3} {r.index_in_set:>3} {r.start:>8.1f} {r.lift_s:>5.1f} {r.hold_s:>5.1f} {r.lower_s:>5.1f} "
            f"{_f(r.rest_s):>5} {r.range_deg:>5.1f}\u00b0 {r.range_rel:>5.2f} {r.wobble:>6.2f}  "
            + flag_words(r)
        )
    if any(f in r.uncertain_flags for r in s.reps for f in r.flags):
        lines.append("? the phase is within its timing uncertainty (1 sd) of the threshold: the flag may not hold")
    lines.append("")
    for st in s.sets:
        lines.append(
            f"Set {st.index}: {st.reps} of {st.target_reps} reps, {st.flagged} flagged, "
            f"tempo compliance {st.compliance * 100:.0f}%" + (f" \u2014 {st.hint}" if st.hint else "")
        )
    lines.append(f"Total: {len(s.reps)} reps in {len(s.sets)} set(s), {s.flagged} flagged.")
    return "\n".join(lines) + "\n"
