"""Flags and numbers in plain words for coaches ("lowered in 1.2 s — target 3 s")."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ..guidance import TEMPO_FLAG_PHASE
from ..model import Rep
from .text import FLAG_WORDS

#: Short labels (legends, table cells): the same words as the text table.
FLAG_LABELS = FLAG_WORDS


def fmt_s(x: float | None) -> str:
    """Seconds with one decimal ("1.2 s"); "–" for None."""
    return "\u2013" if x is None else f"{x:.1f} s"


def fmt_clock(t_s: float) -> str:
    """Seconds since the recording's start as m:ss or h:mm:ss."""
    t = int(round(max(0.0, t_s)))
    h, rem = divmod(t, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def wobble_reference(reps: Sequence[Rep], upto: int) -> float | None:
    """Median wobble of the unflagged reps before ``reps[upto]`` (None if none).

    This approximates the segmenter's causal reference (its exact value is
    not stored per rep) and is only used to phrase the wobble flag.
    """
    vals = [r.wobble for r in reps[:upto] if not r.flags]
    return statistics.median(vals) if vals else None


def fmt_below(value: float, limit: float) -> str:
    """``value`` (s) with one decimal, or two when one decimal would round
    it up to the ``limit`` it fell short of (0.49 -> "0.49", not "0.5")."""
    one = f"{value:.1f}"
    return f"{value:.2f}" if value < limit and float(one) >= limit else one


#: Order in which a rep's flags are told: the order things happen in a rep.
SENTENCE_ORDER = ("lift_too_fast", "no_pause", "lower_too_fast", "partial", "wobble")


def in_rep_order(flags: Sequence[str]) -> list[str]:
    """``flags`` sorted lift, pause, lower, then height and control."""
    return sorted(flags, key=lambda f: SENTENCE_ORDER.index(f) if f in SENTENCE_ORDER else len(SENTENCE_ORDER))


def flag_sentence(flag: str, rep: Rep, guidance: object, wobble_ref: float | None = None) -> str:
    """One plain sentence for ``flag`` raised on ``rep`` under ``guidance``;
    a tempo flag the timing cannot settle (``rep.uncertain_flags``) says so."""
    text = _flag_words(flag, rep, guidance, wobble_ref)
    sd = getattr(rep, f"{TEMPO_FLAG_PHASE[flag]}_sd_s", None) if flag in TEMPO_FLAG_PHASE else None
    if flag in rep.uncertain_flags and sd is not None:
        text += f" (timing \u00b1{sd:.1f} s: may not hold)"
    return text


def _flag_words(flag: str, rep: Rep, guidance: object, wobble_ref: float | None) -> str:
    g = guidance
    if flag == "lift_too_fast":
        return f"lifted in {fmt_below(rep.lift_s, g.lift_min_s)} s \u2014 target {g.lift_target_s:g} s"  # type: ignore[attr-defined]
    if flag == "lower_too_fast":
        return f"lowered in {fmt_below(rep.lower_s, g.lower_min_s)} s \u2014 target {g.lower_target_s:g} s"  # type: ignore[attr-defined]
    if flag == "no_pause":
        if rep.hold_s < 0.05:
            return f"no pause at the top \u2014 target {g.hold_target_s:g} s"  # type: ignore[attr-defined]
        return f"paused {fmt_below(rep.hold_s, g.hold_min_s)} s at the top \u2014 target {g.hold_target_s:g} s"  # type: ignore[attr-defined]
    if flag == "partial":
        full = rep.range_deg / rep.range_rel if rep.range_rel > 0 else None
        tail = f" ({rep.range_deg:.1f}\u00b0 of about {full:.1f}\u00b0)" if full else ""
        return f"partial rep: {rep.range_rel * 100:.0f}% of the usual height{tail}"
    if flag == "wobble":
        factor = getattr(g, "wobble_factor", 2.0)
        if wobble_ref and wobble_ref > 0:
            return (
                f"wobbly: {rep.wobble / wobble_ref:.1f}\u00d7 the wobble of the steady reps before it"
                f" (flagged above {factor:g}\u00d7) \u2014 control was lost"
            )
        return f"wobbly: wobble {rep.wobble:.2f} \u2014 control was lost"
    return flag.replace("_", " ")
