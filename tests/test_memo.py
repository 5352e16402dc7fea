"""The fits made ahead by another process (reptrack.segment.memo) are taken
only for calls with the very same arguments, so an analysis that uses them
reports exactly what its own fits would."""

from __future__ import annotations

import pickle

import numpy as np

from reptrack.segment.memo import FitMemo
from reptrack.segment.transitions import fit_rise


def _lift(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A 3-s minimum-jerk lift of 5 deg between rests, 50 Hz, 0.05 deg noise."""
    t = np.arange(0.0, 6.0, 0.02)
    u = np.clip((t - 1.5) / 3.0, 0.0, 1.0)
    s = 5.0 * (10 * u**3 - 15 * u**4 + 6 * u**5)
    return t, s + np.random.default_rng(seed).normal(0.0, 0.05, len(t))


def _same_fit(a: tuple, b: tuple) -> bool:
    return a[0].onset == b[0].onset and a[0].offset == b[0].offset and a[1:] == b[1:]


def test_a_fit_made_ahead_is_taken_for_the_same_call_and_equals_the_fit():
    t, s = _lift()
    ahead = FitMemo(record=True)
    made = ahead.call(fit_rise, t, s, 0.0, 5.0, lever_s2=0.0)
    # (sent through a pipe as the read-ahead child does)
    here = FitMemo(pickle.loads(pickle.dumps(ahead.results)))
    taken = here.call(fit_rise, t, s, 0.0, 5.0, lever_s2=0.0)
    assert here.hits == 1
    assert _same_fit(taken, made) and _same_fit(taken, fit_rise(t, s, 0.0, 5.0, lever_s2=0.0))
    # a seeded re-fit on a longer window: the seed is known by the call
    # that made it, so the re-fit made ahead is taken too
    t2, s2 = np.append(t, 6.0), np.append(s, 5.0)
    ahead.call(fit_rise, t2, s2, 0.0, 5.0, start=made)
    here = FitMemo(pickle.loads(pickle.dumps(ahead.results)))
    seed = here.call(fit_rise, t, s, 0.0, 5.0, lever_s2=0.0)
    here.call(fit_rise, t2, s2, 0.0, 5.0, start=seed)
    assert here.hits == 2


def test_a_call_that_differs_in_the_last_bit_is_fitted_afresh():
    t, s = _lift()
    ahead = FitMemo(record=True)
    ahead.call(fit_rise, t, s, 0.0, 5.0)
    here = FitMemo(dict(ahead.results))
    moved = s.copy()
    moved[150] = np.nextafter(moved[150], np.inf)
    got = here.call(fit_rise, t, moved, 0.0, 5.0)
    # (a level given as another type of number, or another keyword, too)
    here.call(fit_rise, t, s, 0.0, np.float32(5.0))
    here.call(fit_rise, t, s, 0.0, 5.0, refine_hi=False)
    assert here.hits == 0
    assert _same_fit(got, fit_rise(t, moved, 0.0, 5.0))


def test_a_seed_the_memo_did_not_make_is_not_looked_up():
    t, s = _lift()
    other = fit_rise(t, s, 0.0, 5.0)  # (made outside the memo: no key)
    ahead = FitMemo(record=True)
    ahead.call(fit_rise, t, s, 0.0, 5.0, start=other)
    assert not ahead.results  # nothing recorded that could be taken wrongly
