"""Session planning: what the athlete does when (continuous time, exact truth).

The planner turns a :class:`~reptrack.sim.config.SimConfig` and a random
generator into a :class:`Plan`: one-way shank movements (:class:`Move`), the
reps they form (:class:`RepPlan`, with exact onset/offset instants),
walking bouts, sensor re-straps / slips and the distractor list.  Nothing
here touches samples; :mod:`reptrack.sim.render` turns the plan into data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..guidance import Guidance
from . import quat
from .config import SimConfig, SimulationError
from .profiles import PROFILES, Shape, draw_shape, make_shape

#: shapes a fast (bouncing, 0.5-1.2 s) movement may take: a hesitation or a
#: long constant-speed plateau inside half a second is not a human movement
FAST_PROFILES = ("min_jerk", "raised_cosine", "skewed")

#: fatigue effects at full fatigue (fatigue = 1, last rep of a set); issue #2:
#: "late in a set tempo speeds up by up to ~40 %, range may shrink, wobble grows".
FATIGUE_TEMPO = 0.40
FATIGUE_RANGE = 0.15
#: controlled reps' wobble as a multiple of the athlete's baseline: wide enough
#: (1.8x) that ranking reps by wobble is measurable, and with the growth under
#: fatigue (up to +18 %) still below 1.3x, far from the 2.8-5x of wobbly reps.
FATIGUE_WOBBLE = 0.18
CONTROLLED_WOBBLE = (0.6, 1.1)


@dataclass
class Move:
    """One-way shank movement on [t0, t1] (s): pitch/roll change (deg), rise (m)."""

    t0: float
    t1: float
    dpitch: float
    droll: float
    drise: float
    shape: Shape


@dataclass
class RepPlan:
    """One heel raise with exact instants (s) and its injected wobble."""

    set: int
    index_in_set: int
    kind: str
    start: float
    top: float
    lower_start: float
    end: float
    rest_s: float | None
    range_deg: float
    wobble_dps: float
    wobble_mult: float
    tremor_hz: float
    tremor_share: float
    envelope: str
    profile_lift: str
    profile_lower: str
    wobble_injected_deg: float = 0.0


@dataclass
class Walk:
    t0: float
    t1: float
    swing_deg: float
    cadence_hz: float
    strike_g: float


@dataclass
class MountChange:
    """Sensor mounting (shank -> sensor quaternion, xyzw) changes from the previous
    one to ``new`` over [t0, t1] (s), through ``via`` for a re-strap."""

    t0: float
    t1: float
    kind: str  # restrap | slip
    via: np.ndarray | None
    new: np.ndarray
    jostle_g: float


@dataclass
class Plan:
    duration_s: float
    base_pitch_deg: float
    base_roll_deg: float
    lever_arm_m: float
    full_range_deg: float
    rise_m: float
    baseline_wobble_dps: float
    mount0: np.ndarray
    #: roll (deg) per degree of rep pitch
    rep_roll_ratio: float = 0.0
    moves: list[Move] = field(default_factory=list)
    reps: list[RepPlan] = field(default_factory=list)
    walks: list[Walk] = field(default_factory=list)
    mounts: list[MountChange] = field(default_factory=list)
    distractors: list[dict[str, object]] = field(default_factory=list)
    #: (time s, sway RMS deg) steps; the first applies from t = 0
    sway_levels: list[tuple[float, float]] = field(default_factory=list)
    set_targets: list[int] = field(default_factory=list)


def _u(rng: np.random.Generator, r: tuple[float, float]) -> float:
    return float(rng.uniform(r[0], r[1])) if r[1] > r[0] else float(r[0])


def _ri(rng: np.random.Generator, r: tuple[int, int]) -> int:
    return int(rng.integers(r[0], r[1] + 1)) if r[1] > r[0] else int(r[0])


def _away(x: float, thr: float, margin: float) -> float:
    """Push ``x`` out of (thr - margin, thr + margin) to the nearer edge."""
    if margin > 0 and abs(x - thr) < margin:
        return thr - margin if x < thr else thr + margin
    return x


class _Planner:
    def __init__(self, cfg: SimConfig, guidance: Guidance, rng: np.random.Generator) -> None:
        self.cfg, self.g, self.rng = cfg, guidance, rng
        for p in cfg.profiles:
            if p not in PROFILES:
                raise SimulationError(f"unknown velocity profile {p!r}; known: {', '.join(PROFILES)}")
        if cfg.posture not in ("seated", "standing", "step"):
            raise SimulationError(f"posture must be seated, standing or step, not {cfg.posture!r}")
        if not 1.0 <= cfg.sample_rate_hz <= 2000.0:
            raise SimulationError(f"sample rate {cfg.sample_rate_hz} Hz is outside 1-2000 Hz")
        if cfg.mounting not in ("random", "aligned"):
            raise SimulationError(f"mounting must be random or aligned, not {cfg.mounting!r}")
        mount0 = quat.random(rng) if cfg.mounting == "random" else quat.IDENTITY.copy()
        self.plan = Plan(
            duration_s=0.0,
            base_pitch_deg=_u(rng, cfg.base_pitch_deg),
            base_roll_deg=_u(rng, cfg.base_roll_deg),
            lever_arm_m=_u(rng, cfg.lever_arm_m),
            full_range_deg=_u(rng, cfg.range_deg),
            rise_m=_u(rng, cfg.rise_cm) / 100.0,
            baseline_wobble_dps=_u(rng, cfg.wobble_baseline_dps),
            mount0=mount0,
        )
        self.mount = mount0
        self.n_rests = 0
        self.tremor_hz = _u(rng, cfg.tremor_hz)
        self.plan.rep_roll_ratio = _u(rng, cfg.rep_roll_ratio)
        self.plan.sway_levels.append((0.0, cfg.sway_deg))

    # -- primitives ---------------------------------------------------------
    def move(self, t0: float, dur: float, dpitch: float, droll: float = 0.0, drise: float = 0.0,
             shape: Shape | None = None) -> float:
        shape = shape or make_shape("min_jerk", self.rng)
        self.plan.moves.append(Move(t0, t0 + dur, dpitch, droll, drise, shape))
        return t0 + dur

    def fidget(self, t0: float, dur: float) -> None:
        rng = self.rng
        a = rng.uniform(0, 2 * np.pi)
        mag = _u(rng, self.cfg.fidget_deg)
        dp, dr = mag * math.cos(a), mag * math.sin(a)
        dz = rng.uniform(-0.005, 0.005)
        if rng.random() < 0.65:  # out and back
            hold = rng.uniform(0.0, 0.2) * dur
            out = (dur - hold) * rng.uniform(0.4, 0.6)
            t = self.move(t0, out, dp, dr, dz)
            self.move(t + hold, dur - hold - out, -dp, -dr, -dz)
            kind = "fidget"
        else:  # a step that stays
            self.move(t0, dur, dp, dr, dz)
            kind = "fidget_step"
        self.plan.distractors.append({"kind": kind, "start": t0, "end": t0 + dur, "deg": mag})

    def walk(self, t0: float, dur: float) -> None:
        rng, cfg = self.rng, self.cfg
        w = Walk(t0, t0 + dur, _u(rng, cfg.walk_swing_deg), _u(rng, cfg.walk_cadence_hz), _u(rng, cfg.heel_strike_g))
        self.plan.walks.append(w)
        # coming back to a slightly different place / seat: a small baseline step
        self.move(t0 + dur - 1.0, 0.8, rng.uniform(-2, 2), rng.uniform(-1.5, 1.5))
        self.plan.distractors.append({"kind": "walk", "start": t0, "end": t0 + dur})

    def mount_change(self, t0: float, dur: float, kind: str) -> None:
        rng = self.rng
        if kind == "restrap":
            via = quat.random(rng)
            new = quat.random(rng)
            jostle = rng.uniform(0.05, 0.3)
        else:
            axis = rng.normal(size=3)
            axis /= np.linalg.norm(axis)
            new = quat.mul(quat.from_rotvec(np.radians(_u(rng, self.cfg.slip_deg)) * axis), self.mount)
            via, jostle = None, 0.0
        self.plan.mounts.append(MountChange(t0, t0 + dur, kind, via, new, jostle))
        self.mount = new
        self.plan.distractors.append({"kind": kind, "start": t0, "end": t0 + dur})

    def rest_block(self, t0: float, length: float, walk_ok: bool = True, mount_ok: bool = True) -> None:
        """Fill a rest of ``length`` s with distractors (3 s clear at each end)."""
        rng, cfg = self.rng, self.cfg
        items: list[tuple[str, float]] = []
        if mount_ok:
            r = rng.random()
            self.n_rests += 1
            if self.n_rests <= len(cfg.mount_changes):
                kind = cfg.mount_changes[self.n_rests - 1]
                if kind not in ("restrap", "slip", "none"):
                    raise SimulationError(f"mount_changes holds {kind!r}; use restrap, slip or none")
                if kind != "none":
                    items.append((kind, rng.uniform(3.0, 8.0) if kind == "restrap" else _u(rng, cfg.slip_s)))
            elif r < cfg.p_restrap:
                items.append(("restrap", rng.uniform(3.0, 8.0)))
            elif r < cfg.p_restrap + cfg.p_slip:
                items.append(("slip", _u(rng, cfg.slip_s)))
        if walk_ok and rng.random() < cfg.p_walk:
            items.append(("walk", _u(rng, cfg.walk_s)))
        items += [("fidget", _u(rng, cfg.fidget_s)) for _ in range(_ri(rng, cfg.fidgets_per_rest))]
        margin = 3.0

        def excess() -> float:
            return sum(d for _, d in items) + 2 * margin + 1.0 * len(items) - length

        # too long for the rest: drop fidgets, then shorten (>= 5 s) or drop the walk, then the mount change
        while items and excess() > 0:
            kind, d = items[-1]
            if kind == "walk" and d - excess() >= 5.0:
                items[-1] = (kind, d - excess())
            else:
                items.pop()
        if not items:
            return
        order = rng.permutation(len(items))
        items = [items[i] for i in order]
        free = length - 2 * margin - sum(d for _, d in items)
        gaps = rng.dirichlet(np.ones(len(items) + 1)) * free
        t = t0 + margin
        for (kind, d), gap in zip(items, gaps):
            t += gap
            if kind == "walk":
                self.walk(t, d)
            elif kind in ("restrap", "slip"):
                self.mount_change(t, d, kind)
            else:
                self.fidget(t, d)
            t += d

    # -- reps -----------------------------------------------------------------
    def plan_sets(self, t: float) -> float:
        cfg, rng, plan = self.cfg, self.rng, self.plan
        target = max(1, round(cfg.reps_per_set * cfg.duration_scale))
        sizes = [max(1, target - _ri(rng, (0, cfg.reps_short_max))) for _ in range(cfg.n_sets)]
        total = sum(sizes)
        wobbly: set[int] = set()
        eligible = list(range(3, total))
        k = min(_ri(rng, cfg.n_wobbly), len(eligible))
        if k:
            wobbly.update(int(i) for i in rng.choice(eligible, size=k, replace=False))
        gi = 0
        for s, n in enumerate(sizes):
            plan.set_targets.append(target)
            if cfg.fatigue > 0 and rng.random() < cfg.p_lose_control:
                c = int(rng.integers(1, 4))
                wobbly.update(i for i in range(gi + max(0, n - c), gi + n) if i >= 3)
            drop = 0.0
            if cfg.posture == "step":
                drop = _u(rng, cfg.heel_drop_deg)
                t0 = t
                t = self.move(t, rng.uniform(0.8, 1.5), -drop, drise=-self.plan.rise_m * 0.3)
                plan.distractors.append({"kind": "heel_drop_settle", "start": t0, "end": t})
                t += rng.uniform(1.0, 2.5)
            reps = [self.draw_rep(s, i, n, gi + i, (gi + i) in wobbly) for i in range(n)]
            # set reference range: median of the set's non-partial reps
            full = [r["range"] for r in reps if r["kind"] != "partial"]
            ref = float(np.median(full)) if full else plan.full_range_deg
            prev_end: float | None = None
            for i, r in enumerate(reps):
                if r["kind"] == "partial":
                    r["range"] = ref * _u(rng, cfg.partial_frac)
                if prev_end is not None:
                    t += r["rest"]
                rest = None if prev_end is None else t - prev_end
                t = self.schedule_rep(t, s, i, r, rest)
                prev_end = t
            gi += n
            if cfg.posture == "step":
                t += rng.uniform(1.0, 2.0)
                t0 = t
                t = self.move(t, rng.uniform(0.8, 1.5), drop, drise=self.plan.rise_m * 0.3)
                plan.distractors.append({"kind": "heel_drop_return", "start": t0, "end": t})
            if s < len(sizes) - 1:
                rest_len = max(15.0, _u(rng, cfg.set_rest_s) * cfg.duration_scale)
                self.rest_block(t, rest_len)
                t += rest_len
        return t

    def draw_rep(self, s: int, i: int, n: int, gi: int, wobbly: bool) -> dict[str, object]:
        cfg, rng, g, plan = self.cfg, self.rng, self.g, self.plan
        kind = "full"
        if i > 0 and gi >= 2:
            r = rng.random()
            if r < cfg.p_partial:
                kind = "partial"
            elif r < cfg.p_partial + cfg.p_fast:
                kind = "fast"
            elif r < cfg.p_partial + cfg.p_fast + cfg.p_no_pause:
                kind = "no_pause"
        x = i / (n - 1) if n > 1 else 0.0
        f = cfg.fatigue * max(0.0, (x - 0.5) / 0.5) ** 1.5
        speed = 1.0 - FATIGUE_TEMPO * f
        if kind == "fast":
            lift, lower, hold = _u(rng, cfg.fast_move_s), _u(rng, cfg.fast_move_s), _u(rng, cfg.fast_hold_s)
            rest = rng.uniform(0.0, 0.3)
        else:
            lift, lower = _u(rng, cfg.lift_s) * speed, _u(rng, cfg.lower_s) * speed
            hold = _u(rng, cfg.no_pause_hold_s) if kind == "no_pause" else _u(rng, cfg.hold_s) * speed
            rest = _u(rng, cfg.rep_rest_s)
        lift = _away(lift, g.lift_min_s, cfg.tempo_margin_s)
        lower = _away(lower, g.lower_min_s, cfg.tempo_margin_s)
        hold = max(0.0, _away(hold, g.hold_min_s, cfg.hold_margin_s))
        rng_deg = plan.full_range_deg * (1 + rng.uniform(-cfg.range_jitter, cfg.range_jitter)) * (1 - FATIGUE_RANGE * f)
        if wobbly:
            mult = _u(rng, cfg.wobble_flag_factor)
        else:
            mult = rng.uniform(*CONTROLLED_WOBBLE) * (1 + FATIGUE_WOBBLE * f)
        shapes = cfg.profiles
        if kind == "fast":
            shapes = tuple(p for p in cfg.profiles if p in FAST_PROFILES) or ("min_jerk",)
        return {
            "kind": kind, "lift": lift, "hold": hold, "lower": lower, "rest": rest, "range": rng_deg,
            "mult": mult, "wobbly": wobbly,
            "shape_lift": draw_shape(shapes, rng), "shape_lower": draw_shape(shapes, rng),
        }

    def schedule_rep(self, t: float, s: int, i: int, r: dict, rest: float | None) -> float:
        rng, plan = self.rng, self.plan
        R = float(r["range"])
        rise = plan.rise_m * R / plan.full_range_deg
        start = t
        roll = plan.rep_roll_ratio * R
        top = self.move(start, r["lift"], R, roll, rise, r["shape_lift"])
        lower_start = top + r["hold"]
        end = self.move(lower_start, r["lower"], -R, -roll, -rise, r["shape_lower"])
        env = "flat" if not r["wobbly"] else str(rng.choice(["flat", "growing", "burst"]))
        plan.reps.append(
            RepPlan(
                set=s + 1, index_in_set=i + 1, kind=r["kind"], start=start, top=top, lower_start=lower_start,
                end=end, rest_s=rest, range_deg=R, wobble_dps=plan.baseline_wobble_dps * r["mult"],
                wobble_mult=r["mult"], tremor_hz=float(np.clip(self.tremor_hz * rng.uniform(0.85, 1.15), 4.0, 12.0)),
                tremor_share=_u(rng, self.cfg.tremor_share), envelope=env,
                profile_lift=r["shape_lift"].name, profile_lower=r["shape_lower"].name,
            )
        )
        return end

    def plan_rest_only(self, t: float) -> float:
        cfg, rng = self.cfg, self.rng
        total = _u(rng, cfg.quiet_s) * max(cfg.duration_scale, 0.1)
        if not cfg.posture_change:
            self.rest_block(t, total, walk_ok=True)
            return t + total
        half = total / 2
        self.rest_block(t, half, walk_ok=False)
        t += half
        dur = rng.uniform(1.5, 2.5)
        seated = self.cfg.posture == "seated"
        dz = 0.45 if seated else -0.45
        self.move(t, dur, rng.uniform(3, 10) * rng.choice([-1, 1]), rng.uniform(-2, 2), dz)
        self.plan.distractors.append({"kind": "stand_up" if seated else "sit_down", "start": t, "end": t + dur})
        self.plan.sway_levels.append((t + dur, 0.25 if seated else 0.03))
        t += dur
        self.rest_block(t, half, walk_ok=False)
        return t + half


def plan_session(cfg: SimConfig, guidance: Guidance, rng: np.random.Generator) -> Plan:
    """Plan a whole session (see module docstring)."""
    p = _Planner(cfg, guidance, rng)
    t = _u(rng, cfg.lead_in_s)
    t = p.plan_sets(t) if cfg.n_sets > 0 else p.plan_rest_only(t)
    p.plan.duration_s = t + _u(rng, cfg.lead_out_s)
    return p.plan
