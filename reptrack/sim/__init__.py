"""Shin-worn accelerometer simulator of heel-raise sessions with exact truth.

Usage::

    from reptrack.sim import SimConfig, scenario_config, simulate, write_simulation, SCENARIOS
    cfg = scenario_config("seated-3x15", seed=1)   # all knobs; override with dataclasses.replace
    res = simulate(cfg, seed=1)                     # SimResult(recording, truth)
    write_simulation(res, "out.csv")                # out.csv + out.truth.json

Physics in brief (full text: ``docs/simulator.md``, and the docstrings of
:mod:`.render`, :mod:`.plan`, :mod:`.profiles`):

* The shank pitches about the ankle axis by the rep's range (seated
  ~1.5-3 deg, standing bent-knee 4-12 deg, single-leg on a step from the
  dropped heel 8-15 deg) while the shin rises 3-8 cm; gravity in the shank
  frame rotates with the pitch and the second derivative of the sensor's
  position (heel-raise rise plus the lever arm ``r`` times the rotation) adds
  the linear acceleration (a few mg for a slow rep).
* Every movement (lift and lower separately) has its own velocity profile
  (min-jerk, raised cosine, skewed beta, near-constant trapezoid,
  hesitation); the position shape is exactly flat outside [onset, offset], so
  the truth instants are exact.
* Wobble: a 4-12 Hz tremor plus 0.5-3 Hz irregularity added to the pitch
  during each rep, scaled so its RMS angular velocity over the rep equals the
  truth ``wobble`` (deg/s).  Controlled reps sit at 0.6-1.3x the athlete's
  baseline, wobble-flagged reps at >= 2.8x (so the truth flag is unambiguous).
* Postural sway (band-limited noise, 0.1-0.6 Hz, pitch and roll), fidgets,
  walking with heel strikes, sensor mounting (random, re-strap, slip), bias,
  scale error, noise, quantisation, timestamp jitter and lost packets.

Truth is a dict in the schema of ``reptrack analyze --json`` plus
``scenario``, ``seed``, ``config``, ``distractors``, ``athlete``, ``sensor``,
``mountings`` and per rep ``kind``, ``profile_lift``, ``profile_lower``,
``wobble_injected_deg``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..guidance import TEMPO_FLAGS, WOBBLE, load_guidance
from ..model import Recording, Rep, Session, SetSummary, _clean
from .config import SCENARIOS, SimConfig, SimulationError, scenario_config
from .plan import Plan, plan_session
from .profiles import PROFILES
from .render import Rendered, render

__all__ = [
    "SCENARIOS",
    "PROFILES",
    "SimConfig",
    "SimResult",
    "SimulationError",
    "scenario_config",
    "simulate",
    "write_simulation",
    "truth_path",
]


@dataclass
class SimResult:
    """A simulated session: ``recording`` (as a reader would return it) and ``truth`` (JSON-ready dict).

    ``signals`` holds the noiseless internals (:class:`reptrack.sim.render.Rendered`)
    for tests and plots; it is not written to disk.
    """

    recording: Recording
    truth: dict[str, Any]
    signals: Rendered | None = None
    plan: Plan | None = None


def simulate(cfg: SimConfig, seed: int = 0) -> SimResult:
    """Simulate one session of ``cfg``; identical ``(cfg, seed)`` give identical output."""
    guidance = load_guidance(cfg.guidance)
    rng = np.random.default_rng([int(seed), 0x52E9])
    plan = plan_session(cfg, guidance, rng)
    sig = render(plan, cfg, rng)
    meta = {
        "sensor": "simulator",
        "placement": "shin",
        "sample_rate_hz": f"{cfg.sample_rate_hz:g}",
        "scenario": cfg.scenario,
        "seed": str(int(seed)),
        "guidance": cfg.guidance,
    }
    rec = Recording(
        t=sig.t,
        acc=sig.acc,
        gyro_t=None if sig.gyro is None else sig.t.copy(),
        gyro=sig.gyro,
        meta=meta,
        start_utc=cfg.start_utc or default_start_utc(int(seed)),
        nominal_rate_hz=float(cfg.sample_rate_hz),
    )
    truth = build_truth(cfg, int(seed), plan, rec, sig)
    return SimResult(recording=rec, truth=truth, signals=sig, plan=plan)


def default_start_utc(seed: int) -> str:
    """07:30 UTC on 2026-01-01 plus ``seed`` days (mod 3650), ISO 8601."""
    d = _dt.datetime(2026, 1, 1, 7, 30, tzinfo=_dt.timezone.utc) + _dt.timedelta(days=seed % 3650)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_truth(cfg: SimConfig, seed: int, plan: Plan, rec: Recording, sig: Rendered) -> dict[str, Any]:
    """The truth document (schema of ``analyze --json`` plus simulator extras)."""
    g = load_guidance(cfg.guidance)
    reps: list[Rep] = []
    extras: list[dict[str, Any]] = []
    set_ref: dict[int, float] = {}
    for s in {rp.set for rp in plan.reps}:
        full = [rp.range_deg for rp in plan.reps if rp.set == s and rp.kind != "partial"]
        set_ref[s] = float(np.median(full)) if full else plan.full_range_deg
    for k, rp in enumerate(plan.reps):
        lift, hold, lower = rp.top - rp.start, rp.lower_start - rp.top, rp.end - rp.lower_start
        rel = rp.range_deg / set_ref[rp.set]
        ref = plan.baseline_wobble_dps if k > 0 else None
        flags = g.flags_for(lift, hold, lower, rel, rp.wobble_dps, ref)
        in_gap = any(gp.start < rp.end and gp.end > rp.start for gp in rec.gaps)
        reps.append(
            Rep(
                index=k + 1, set=rp.set, index_in_set=rp.index_in_set, start=rp.start, top=rp.top,
                lower_start=rp.lower_start, end=rp.end, lift_s=lift, hold_s=hold, lower_s=lower,
                rest_s=rp.rest_s, range_deg=rp.range_deg, range_rel=rel, wobble=rp.wobble_dps, flags=flags,
                in_gap=in_gap, lift_sd_s=0.0, hold_sd_s=0.0, lower_sd_s=0.0,
            )
        )
        extras.append(
            {
                "kind": rp.kind,
                "profile_lift": rp.profile_lift,
                "profile_lower": rp.profile_lower,
                "wobble_injected_deg": rp.wobble_injected_deg,
                "wobble_rel": rp.wobble_mult,
                "tremor_hz": rp.tremor_hz,
            }
        )
    sets: list[SetSummary] = []
    for s in sorted(set_ref):
        rs = [r for r in reps if r.set == s]
        wob = [r.index_in_set for r in rs if WOBBLE in r.flags]
        sets.append(
            SetSummary(
                index=s, start=rs[0].start, end=rs[-1].end, reps=len(rs), target_reps=plan.set_targets[s - 1],
                flagged=sum(1 for r in rs if r.flags),
                compliance=sum(1 for r in rs if not set(r.flags) & set(TEMPO_FLAGS)) / len(rs),
                hint=f"stop the set at rep {wob[0]}" if wob else None,
            )
        )
    doc = Session(recording=rec, guidance=g, reps=reps, sets=sets).to_json_dict()
    for d, e in zip(doc["reps"], extras):
        d.update(e)
    mountings = [{"start": 0.0, "quat_xyzw": plan.mount0.tolist()}]
    mountings += [{"start": mc.t1, "kind": mc.kind, "quat_xyzw": mc.new.tolist()} for mc in plan.mounts]
    doc.update(
        scenario=cfg.scenario,
        seed=seed,
        config=cfg.to_dict(),
        distractors=sorted(plan.distractors, key=lambda d: float(d["start"])),  # type: ignore[arg-type]
        athlete={
            "posture": cfg.posture,
            "full_range_deg": plan.full_range_deg,
            "rise_cm": plan.rise_m * 100,
            "lever_arm_m": plan.lever_arm_m,
            "base_pitch_deg": plan.base_pitch_deg,
            "base_roll_deg": plan.base_roll_deg,
            "baseline_wobble_dps": plan.baseline_wobble_dps,
            "rep_roll_ratio": plan.rep_roll_ratio,
        },
        sensor=sig.sensor,
        mountings=mountings,
        lost_samples=int((~sig.keep).sum()),
    )
    return _clean(doc)


def truth_path(csv_path: str | os.PathLike[str]) -> Path:
    """``x.csv`` -> ``x.truth.json`` (any other name gets ``.truth.json`` appended)."""
    p = Path(csv_path)
    return p.with_name(p.name[:-4] + ".truth.json") if p.name.lower().endswith(".csv") else p.with_name(p.name + ".truth.json")


def write_simulation(res: SimResult, path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``path`` (native CSV) and its ``.truth.json``; returns both paths."""
    from ..io.native import write_native

    p = Path(path)
    write_native(res.recording, p)
    truth = dict(res.truth)
    truth["recording"] = {**truth["recording"], "path": str(p)}
    tp = truth_path(p)
    with open(tp, "w", encoding="utf-8") as fh:
        json.dump(truth, fh, indent=1, allow_nan=False)
        fh.write("\n")
    return p, tp
