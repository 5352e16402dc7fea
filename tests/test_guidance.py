"""Flag rules of a guidance profile (reptrack.guidance)."""

from __future__ import annotations

from reptrack.guidance import FLAG_MARGIN_SD, load_guidance


def test_a_tempo_flag_needs_the_phase_short_beyond_its_timing_uncertainty() -> None:
    """A lift read at 1.9 s is flagged when it is timed to +-0.1 s, not when
    the timing could be off by 0.4 s; exact durations (sd 0) flag plainly
    below the minimum, as the simulator's truth does."""
    g = load_guidance("3-1-3")
    assert FLAG_MARGIN_SD == 0.5
    fine = dict(range_rel=1.0, wobble=1.0, wobble_ref=1.0)
    assert "lift_too_fast" in g.flags_for(1.9, 1.0, 3.0, **fine, sds_s=(0.1, 0.1, 0.1))
    assert "lift_too_fast" not in g.flags_for(1.9, 1.0, 3.0, **fine, sds_s=(0.4, 0.1, 0.1))
    assert "no_pause" in g.flags_for(3.0, 0.3, 3.0, **fine, sds_s=(0.1, 0.3, 0.1))
    assert "no_pause" not in g.flags_for(3.0, 0.3, 3.0, **fine, sds_s=(0.1, 0.5, 0.1))
    assert "lower_too_fast" in g.flags_for(3.0, 1.0, 1.99, **fine)
    assert g.flags_for(3.0, 1.0, 2.0, **fine) == []
