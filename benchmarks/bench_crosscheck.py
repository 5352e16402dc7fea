"""Cross-check benchmark: the analyzer on a second, independently built simulator.

The accuracy figures of ``bench_accuracy.py`` come from ``reptrack.sim``,
whose choices (velocity profiles, the wobble model, the walk) the segmenter
was tuned against.  Acceptance runs on an independent simulator, so this
one was written from the issue's description alone, differently:

* kinematics of a rigid shank turning about the ankle: the sensor, 0.12-0.35
  m up the shank (0 with ``--lever-arm 0``), feels gravity turned by the
  pitch, the tangential and centripetal acceleration of the turn and the
  ankle's rise (3-8 cm for a full rep), differentiated numerically on a
  400 Hz grid, then turned into a random mounting (a new one at a re-strap);
* velocity profiles: minimum jerk; half-cosine position (sine velocity:
  sharp starts); minimum jerk on a power-warped clock (skewed, p 0.6-1.6);
  constant speed between quintic ramps; and two minimum-jerk parts with a
  stop (or a creep) of up to a quarter of the time between them, anywhere
  from 30 to 70 % of it, splitting the range 35-65 % (hesitations);
* wobble: a sine tremor at a per-rep 4-12 Hz plus band-limited 1-3 Hz
  irregularity, 70 / 30 in amplitude, scaled to the rep's angular-velocity
  RMS (deg/s, the truth); wobbly reps 3-5x the session's baseline;
* walking: 18-deg pitch swings at 0.9 Hz with heel-strike impacts;
  standing sway 0.25 deg RMS in 0.1-0.6 Hz (``--no-sway`` off);
* sampling at 25-104 Hz with +-3 ms jitter, ~1 % of samples lost in runs of
  1-4, 1-5 mg noise, 1/4096 g quantisation.

Truth flags are the guidance's rules on the true durations, the partial flag
against the median of the last six full reps, the wobble flag at 2.2x the
session's baseline.  Scored as ``bench_accuracy.py`` scores (same matching,
same figures).  Prints figures; not a pass/fail test.

Usage::

    python benchmarks/bench_crosscheck.py                    # seeds 1-48, with sway
    python benchmarks/bench_crosscheck.py --no-sway --seeds 1-96
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from bench_accuracy import Score, parse_seeds

from reptrack.analysis import analyze_recording
from reptrack.guidance import Guidance, load_guidance
from reptrack.model import Recording

G = 9.80665
#: The kinematics' time grid (Hz): fine enough to differentiate twice.
FS_SIM = 400.0
PROFILES = ("minjerk", "halfcosine", "warped", "ramped", "twostep")


def _mj(x: np.ndarray) -> np.ndarray:
    """Minimum-jerk position on x in [0, 1]."""
    return 10 * x**3 - 15 * x**4 + 6 * x**5


def profile(kind: str, u: np.ndarray, p: Any) -> np.ndarray:
    """Normalised position (0 -> 1) of a movement of ``kind`` at normalised
    times ``u`` (clipped to [0, 1]); ``p`` its parameters."""
    u = np.clip(u, 0.0, 1.0)
    if kind == "minjerk":
        return _mj(u)
    if kind == "halfcosine":
        return 0.5 - 0.5 * np.cos(np.pi * u)
    if kind == "warped":
        return _mj(u**p)
    if kind == "ramped":  # constant speed between quintic ramps over a fraction p at each end
        grid = np.linspace(0.0, 1.0, 4001)
        v = np.minimum(_mj(np.clip(grid / p, 0, 1)), _mj(np.clip((1 - grid) / p, 0, 1)))
        pos = np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]))))
        return np.interp(u, grid, pos / pos[-1])
    if kind == "twostep":  # two min-jerk parts, a stop (or a creep) between
        c, q, creep, share = p
        a1, a2 = c - q / 2, c + q / 2
        first = (1 - creep) * share
        mid = np.clip((u - a1) / max(q, 1e-9), 0, 1)
        return first * _mj(np.clip(u / a1, 0, 1)) + creep * mid + (1 - creep - first) * _mj(np.clip((u - a2) / (1 - a2), 0, 1))
    raise ValueError(kind)


def _rotation(rng: np.random.Generator) -> np.ndarray:
    """A uniformly random rotation matrix (from a random unit quaternion)."""
    w, x, y, z = (q := rng.normal(size=4)) / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def _band_noise(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    """Unit-RMS Gaussian noise band-limited to [lo, hi] Hz on the FS_SIM grid."""
    spec = np.fft.rfft(rng.normal(size=n))
    f = np.fft.rfftfreq(n, 1.0 / FS_SIM)
    spec[(f < lo) | (f > hi)] = 0.0
    x = np.fft.irfft(spec, n)
    return x / max(float(x.std()), 1e-12)


@dataclass
class SimulatedSession:
    """A cross-check session: its recording, the true reps (the JSON
    schema's fields, ``flags`` included, plus the profiles drawn) and the
    guidance it was performed to."""

    recording: Recording
    truth: list[dict[str, Any]]
    guidance: Guidance


def session(seed: int, sway: bool = True, lever_arm: float | None = None) -> SimulatedSession:
    """One simulated session (see the module docstring)."""
    rng = np.random.default_rng([seed, 77])
    u = rng.uniform
    posture = str(rng.choice(["seated", "standing", "standing"]))
    slow = rng.random() < 0.15
    rest_only = rng.random() < 0.05
    tl, th = (5.0, 2.0) if slow else (3.0, 1.0)
    guidance = load_guidance("5-2-5" if slow else "3-1-3")
    full = u(2.5, 5.0) if posture == "seated" else u(4.0, 9.0)
    base = np.deg2rad(u(0, 15) if posture == "seated" else u(10, 25))
    rise_m = u(0.03, 0.08)
    lever = u(0.12, 0.35) if lever_arm is None else lever_arm
    fs = float(rng.choice([25.0, 26.0, 50.0, 52.0, 100.0, 104.0]))
    noise_g = u(1.0, 5.0) * 1e-3
    n_sets, per_set = int(rng.integers(2, 4)), int(rng.integers(8, 15))
    wob_base = u(0.5, 1.2)  # deg/s RMS
    tremor_hz = u(4.0, 12.0)
    t_cur = u(4, 8)
    reps: list[dict[str, Any]] = []
    mounts: list[tuple[float, np.ndarray]] = [(0.0, _rotation(rng))]
    walks: list[tuple[float, float]] = []
    for si in range(0 if rest_only else n_sets):
        if si > 0:
            rest = u(30, 70)
            if rng.random() < 0.7:
                w0 = t_cur + u(5, 15)
                walks.append((w0, w0 + u(6, 15)))
            if rng.random() < 0.6:
                mounts.append((t_cur + 0.6 * rest, _rotation(rng)))
            t_cur += rest
        for k in range(per_set):
            fat = (k / max(per_set - 1, 1)) * u(0.0, 0.35) if rng.random() < 0.6 else 0.0
            lift, lower, hold = tl * u(0.85, 1.2) * (1 - fat), tl * u(0.85, 1.2) * (1 - fat), th * u(0.8, 1.4)
            kind, rng_deg = "full", full * u(0.9, 1.05) * (1 - 0.1 * fat)
            r = rng.random()
            if k > 1 and r < 0.06:
                kind, rng_deg = "partial", full * u(0.28, 0.45)
            elif k > 0 and r < 0.12:
                kind, hold = "no_pause", u(0.0, 0.3)
            elif k > 0 and r < 0.16:
                kind, lift, lower, hold = "fast", u(0.8, 1.6), u(0.8, 1.6), u(0.0, 0.4)
            wob = wob_base * (u(3.0, 5.0) if (k > 2 and rng.random() < 0.08) else u(0.7, 1.2))
            kinds = [str(rng.choice(PROFILES)) for _ in range(2)]
            params = []
            for x in kinds:
                if x == "warped":
                    params.append(u(0.6, 1.6))
                elif x == "twostep":
                    c, q = u(0.3, 0.7), u(0.0, 0.25)
                    params.append((c, q, q * u(0.0, 0.3), u(0.35, 0.65)))
                else:
                    params.append(u(0.1, 0.3))
            reps.append(dict(start=t_cur, top=t_cur + lift, lower_start=t_cur + lift + hold,
                             end=t_cur + lift + hold + lower, lift_s=lift, hold_s=hold, lower_s=lower,
                             range_deg=rng_deg, kind=kind, wobble=wob, profiles=kinds, params=params,
                             tremor_hz=tremor_hz * u(0.8, 1.2)))
            t_cur = reps[-1]["end"] + (u(0.8, 3.0) if rng.random() < 0.85 else u(0.0, 0.3))
    dur = t_cur + u(5, 10) if not rest_only else u(90, 180)
    tf = np.arange(0.0, dur, 1.0 / FS_SIM)
    theta = np.zeros_like(tf)  # pitch over the base (rad)
    z = np.zeros_like(tf)  # the ankle's rise (m)
    for rp in reps:
        m = (tf >= rp["start"]) & (tf <= rp["end"])
        tt = tf[m]
        up = profile(rp["profiles"][0], (tt - rp["start"]) / rp["lift_s"], rp["params"][0])
        down = profile(rp["profiles"][1], (tt - rp["lower_start"]) / rp["lower_s"], rp["params"][1])
        pos = np.where(tt < rp["lower_start"], up, 1.0 - down)
        theta[m] += np.deg2rad(rp["range_deg"]) * pos
        z[m] += rise_m * (rp["range_deg"] / full) * pos
        n = int(m.sum())
        if n > 10:
            f1 = rp["tremor_hz"]
            w = 0.7 * np.sin(2 * np.pi * f1 * tt + u(0, 2 * np.pi)) / (2 * np.pi * f1)
            slow_part = _band_noise(rng, n, 1.0, 3.0)
            w += 0.3 * slow_part / max(float(np.std(np.gradient(slow_part) * FS_SIM)), 1e-12)
            w *= np.deg2rad(rp["wobble"]) / max(float(np.sqrt(np.mean((np.gradient(w) * FS_SIM) ** 2))), 1e-12)
            theta[m] += w * np.sin(np.pi * np.linspace(0, 1, n)) ** 0.3
    if sway:
        theta += np.deg2rad(0.25 if posture != "seated" else 0.03) * _band_noise(rng, len(tf), 0.1, 0.6)
    impacts = np.zeros((len(tf), 3))
    for w0, w1 in walks:
        m = (tf >= w0) & (tf <= w1)
        ramp = np.clip(np.minimum(tf[m] - w0, w1 - tf[m]) / 0.7, 0, 1)
        theta[m] += np.deg2rad(18) * np.sin(2 * np.pi * 0.9 * (tf[m] - w0)) * ramp
        for ts in np.arange(w0 + 0.5, w1 - 0.3, 1 / 0.9):
            i = int(ts * FS_SIM)
            impacts[i : i + 8, 2] += 0.6 * G * np.hanning(8)
    th = base + theta
    # the sensor's position (ankle + lever along the shank) and acceleration
    px, pz = lever * np.sin(th), z + lever * np.cos(th)
    ax = np.gradient(np.gradient(px, 1 / FS_SIM), 1 / FS_SIM)
    az = np.gradient(np.gradient(pz, 1 / FS_SIM), 1 / FS_SIM) + impacts[:, 2]
    fx, fz = ax, az + G  # specific force, world frame
    c, s = np.cos(th), np.sin(th)
    f_shank = np.stack([c * fx - s * fz, np.zeros_like(fx), s * fx + c * fz], axis=1) / G
    acc = np.empty_like(f_shank)
    for i, (t0, rot) in enumerate(mounts):
        t1 = mounts[i + 1][0] if i + 1 < len(mounts) else np.inf
        m = (tf >= t0) & (tf < t1)
        acc[m] = f_shank[m] @ rot.T
    nominal = np.arange(0.0, dur - 0.1, 1.0 / fs)
    ts = np.sort(nominal + rng.uniform(-0.003, 0.003, size=len(nominal)))
    ts[0] = 0.0
    keep = np.ones(len(ts), bool)
    for i in np.nonzero(rng.random(len(ts)) < 0.004)[0]:
        keep[i : i + int(rng.integers(1, 5))] = False
    keep[0] = True
    ts = ts[keep]
    samples = np.stack([np.interp(ts, tf, acc[:, j]) for j in range(3)], axis=1)
    samples += rng.normal(scale=noise_g, size=samples.shape)
    samples = np.round(samples * 4096) / 4096
    fulls: list[float] = []
    truth = []
    for rp in reps:
        ref = float(np.median(fulls[-6:])) if fulls else full
        rel = rp["range_deg"] / ref
        flags = [f for f, hit in (
            ("lift_too_fast", rp["lift_s"] < guidance.lift_min_s),
            ("lower_too_fast", rp["lower_s"] < guidance.lower_min_s),
            ("no_pause", rp["hold_s"] < guidance.hold_min_s),
            ("partial", rel < guidance.partial_rel),
            ("wobble", rp["wobble"] > 2.2 * wob_base),
        ) if hit]
        if rel >= guidance.partial_rel:
            fulls.append(rp["range_deg"])
        truth.append(dict(rp, flags=flags))
    rec = Recording(t=ts, acc=samples, meta={"sensor": "crosscheck-simulator"}, nominal_rate_hz=fs)
    return SimulatedSession(rec, truth, guidance)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-48")
    ap.add_argument("--no-sway", action="store_true", help="no postural sway")
    ap.add_argument("--lever-arm", type=float, default=None, metavar="M",
                    help="the sensor's distance (m) from the ankle in every session (default 0.12-0.35)")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    score = Score()
    for seed in parse_seeds(args.seeds):
        ses = session(seed, sway=not args.no_sway, lever_arm=args.lever_arm)
        t0 = time.perf_counter()
        analysed = analyze_recording(ses.recording, ses.guidance)
        score.seconds += time.perf_counter() - t0
        score.delays.extend(r.reported_at - r.end for r in analysed.reps if r.reported_at is not None)
        score.add(f"crosscheck#{seed}", analysed.to_json_dict()["reps"], ses.truth, args.verbose)
    score.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
