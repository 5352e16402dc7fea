"""Accuracy benchmark: analyse simulated sessions and score them against truth.

Scoring mirrors the acceptance rules of issue #2: reps are matched to truth
by interval overlap (IoU >= 0.4, greedy by IoU); rep count exact per session;
rep detection F1 pooled; phase errors on lift_s / hold_s / lower_s (95th
percentile of |error| over matched reps); flag F1 pooled per flag over all
sessions, then averaged over the five flags; wobble Spearman correlation
within sessions whose injected wobble varies.

Usage::

    python benchmarks/bench_accuracy.py                  # default grid (scenarios x seeds)
    python benchmarks/bench_accuracy.py --seeds 100-129 --scenarios random
    python benchmarks/bench_accuracy.py --verbose        # per-session lines
    python benchmarks/bench_accuracy.py -j 2 --save base.json            # before a change
    python benchmarks/bench_accuracy.py -j 2 --compare base.json         # after: sessions that changed

Also prints the algorithmic latency of the reports (issue #5: reported_at -
end, the live schedule). Prints figures; it is not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from reptrack.analysis import analyze_recording
from reptrack.guidance import ALL_FLAGS, load_guidance
from reptrack.segment.stream import LATENCY_BUDGET_S
from reptrack.sim import scenario_config, simulate

DEFAULT_SCENARIOS = ("seated-3x15", "standing-fatigue", "step-heel-drop", "mixed", "rest-only", "slow-5-2-5", "random")


def iou(a0: float, a1: float, b0: float, b1: float) -> float:
    inter = max(0.0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 0.0


def match(pred: list[dict[str, Any]], truth: list[dict[str, Any]], thr: float = 0.4) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of predicted to true reps by IoU >= thr."""
    cands = []
    for i, p in enumerate(pred):
        for j, t in enumerate(truth):
            v = iou(p["start"], p["end"], t["start"], t["end"])
            if v >= thr:
                cands.append((v, i, j))
    cands.sort(reverse=True)
    used_p, used_t, pairs = set(), set(), []
    for _, i, j in cands:
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            pairs.append((i, j))
    return pairs


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx = np.argsort(np.argsort(x)).astype(float)
    ry = np.argsort(np.argsort(y)).astype(float)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


@dataclass
class Score:
    sessions: int = 0
    exact: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    err: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: |error| / reported sd of each phase duration (calibration of the sd)
    z: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    flag_counts: dict[str, list[int]] = field(default_factory=lambda: {f: [0, 0, 0] for f in ALL_FLAGS})
    spearman: list[float] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, name: str, pred: list[dict[str, Any]], truth: list[dict[str, Any]], verbose: bool) -> None:
        self.sessions += 1
        pairs = match(pred, truth)
        self.tp += len(pairs)
        self.fp += len(pred) - len(pairs)
        self.fn += len(truth) - len(pairs)
        if len(pred) == len(truth):
            self.exact += 1
        else:
            self.failures.append(f"{name}: {len(pred)} reps vs {len(truth)} true")
        for i, j in pairs:
            for k in ("lift_s", "hold_s", "lower_s", "start", "end"):
                self.err[k].append(pred[i][k] - truth[j][k])
            for k in ("lift_s", "hold_s", "lower_s"):
                sd = pred[i].get(k[:-2] + "_sd_s")
                if sd is not None:
                    self.z[k].append(abs(pred[i][k] - truth[j][k]) / max(sd, 1e-9))
        matched_p = {i for i, _ in pairs}
        matched_t = {j for _, j in pairs}
        for f in ALL_FLAGS:
            c = self.flag_counts[f]
            for i, j in pairs:
                pf, tf = f in pred[i]["flags"], f in truth[j]["flags"]
                c[0] += pf and tf
                c[1] += pf and not tf
                c[2] += tf and not pf
            c[1] += sum(f in pred[i]["flags"] for i in range(len(pred)) if i not in matched_p)
            c[2] += sum(f in truth[j]["flags"] for j in range(len(truth)) if j not in matched_t)
        if len(pairs) >= 5:
            tw = np.array([truth[j]["wobble"] for _, j in pairs])
            pw = np.array([pred[i]["wobble"] for i, _ in pairs])
            if tw.std() > 0.05 * tw.mean():
                r = spearman(pw, tw)
                if np.isfinite(r):
                    self.spearman.append(r)
        if verbose:
            e = {k: np.abs(np.array([pred[i][k] - truth[j][k] for i, j in pairs])) for k in ("lift_s", "lower_s")}
            print(
                f"  {name:28s} reps {len(pred):3d}/{len(truth):3d} tp {len(pairs):3d}"
                + "".join(f" {k} p95 {np.percentile(v, 95):.2f}" for k, v in e.items() if len(v))
            )

    def report(self) -> None:
        f1 = 2 * self.tp / max(1, 2 * self.tp + self.fp + self.fn)
        print(f"sessions {self.sessions}: rep count exact in {self.exact}; rep detection F1 {f1:.3f} "
              f"(tp {self.tp}, fp {self.fp}, fn {self.fn})")
        for k in ("lift_s", "hold_s", "lower_s", "start", "end"):
            v = np.array(self.err[k])
            if len(v):
                print(f"  {k:8s} error: bias {v.mean():+.3f} s, median |e| {np.median(np.abs(v)):.3f} s, "
                      f"p95 |e| {np.percentile(np.abs(v), 95):.3f} s")
        for k in ("lift_s", "hold_s", "lower_s"):
            z = np.array(self.z[k])
            if len(z):
                print(f"  {k:8s} sd: true value within 1 sd {np.mean(z <= 1):.3f}, within 2 sd {np.mean(z <= 2):.3f}")
        f1s = []
        for f, (tp, fp, fn) in self.flag_counts.items():
            if tp + fp + fn == 0:
                print(f"  flag {f:15s} no occurrences")
                continue
            ff = 2 * tp / (2 * tp + fp + fn)
            f1s.append(ff)
            print(f"  flag {f:15s} F1 {ff:.3f} (tp {tp}, fp {fp}, fn {fn})")
        if f1s:
            print(f"  mean flag F1 {np.mean(f1s):.3f}")
        if self.spearman:
            print(f"  wobble Spearman: median {np.median(self.spearman):.3f}, mean {np.mean(self.spearman):.3f} "
                  f"over {len(self.spearman)} sessions")
        if self.delays:
            d = np.array(self.delays)
            print(f"  latency (reported_at - end): within {LATENCY_BUDGET_S:g} s {int(np.sum(d <= LATENCY_BUDGET_S))} of {len(d)}, "
                  f"median {np.median(d):.2f} s, worst {d.max():.2f} s")
        print(f"  analysis time {self.seconds:.2f} s")
        for line in self.failures[:20]:
            print("  count mismatch:", line)


def parse_seeds(s: str) -> list[int]:
    out: list[int] = []
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


@dataclass(frozen=True)
class Knobs:
    """The command line's changes to every scenario's configuration."""

    sway_scale: float = 1.0
    tremor_share: float | None = None
    lever_arm: float | None = None
    gyro: bool = False


def run_session(task: tuple[str, int, Knobs]) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]], float, list[float]]:
    """Simulate and analyse one session: ``(name, predicted reps, true reps,
    analysis seconds, report delays)``.  A top-level function, so a process
    pool can run it (``--jobs``)."""
    scen, seed, knobs = task
    cfg = scenario_config(scen, seed)
    if knobs.sway_scale != 1.0:
        cfg = replace(cfg, sway_deg=cfg.sway_deg * knobs.sway_scale)
    if knobs.tremor_share is not None:
        cfg = replace(cfg, tremor_share=(knobs.tremor_share, knobs.tremor_share))
    if knobs.lever_arm is not None:
        # (a range, not one value: the draw is still made, so every
        # other random choice -- and the session -- stays the same)
        cfg = replace(cfg, lever_arm_m=(knobs.lever_arm, knobs.lever_arm + 1e-9))
    if knobs.gyro:
        cfg = replace(cfg, gyro=True)
    res = simulate(cfg, seed)
    guidance = load_guidance(res.truth["guidance"]["name"])
    t0 = time.perf_counter()
    sess = analyze_recording(res.recording, guidance)
    dt = time.perf_counter() - t0
    # (the stream time each rep was reported at: offline analysis runs the
    # live schedule, so this is the live path's latency)
    delays = [r.reported_at - r.end for r in sess.reps if r.reported_at is not None]
    return f"{scen}#{seed}", sess.to_json_dict()["reps"], res.truth["reps"], dt, delays


def session_counts(pred: list[dict[str, Any]], truth: list[dict[str, Any]]) -> dict[str, int]:
    """One session's counts as ``--save`` stores them: reps read and true,
    matched (tp), false (fp) and missed (fn)."""
    tp = len(match(pred, truth))
    return {"pred": len(pred), "truth": len(truth), "tp": tp, "fp": len(pred) - tp, "fn": len(truth) - tp}


def compare(saved: dict[str, dict[str, int]], now: dict[str, dict[str, int]]) -> None:
    """Print the sessions whose counts differ from a ``--save``d run, and how
    many became / stopped being exact (a change to the segmenter checked
    session by session, not only in the totals)."""
    gained = lost = 0
    for name in sorted(set(saved) & set(now)):
        a, b = saved[name], now[name]
        if a == b:
            continue
        was, is_ = a["pred"] == a["truth"], b["pred"] == b["truth"]
        gained += is_ and not was
        lost += was and not is_
        print(f"  changed: {name}: reps {a['pred']} -> {b['pred']} of {b['truth']}, "
              f"tp {a['tp']} -> {b['tp']}, fp {a['fp']} -> {b['fp']}, fn {a['fn']} -> {b['fn']}")
    print(f"compared with the saved run ({len(set(saved) & set(now))} sessions in both): "
          f"exact +{gained} -{lost}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS))
    ap.add_argument("--seeds", default="1000-1004", help="seeds (not those used for tuning: 1-99)")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--sway-scale", type=float, default=1.0,
                    help="multiply the scenarios' postural sway (sensitivity to sway; 1 = as configured)")
    ap.add_argument("--tremor-share", type=float, default=None,
                    help="share of every rep's wobble that is tremor (the rest 0.5-3 Hz irregularity); "
                    "default: as configured (0.4-0.9 per rep)")
    ap.add_argument("--lever-arm", type=float, default=None, metavar="M",
                    help="distance (m) of the sensor from the point the shank turns about, in every "
                    "session (0: the sensor sees no tangential acceleration, as when a simulator only "
                    "rotates gravity); the sessions are otherwise the same ones; default: as configured "
                    "(0.15-0.35 m)")
    ap.add_argument("--gyro", action="store_true",
                    help="simulate a gyroscope too (gx,gy,gz; the same sessions otherwise): the wobble is "
                    "then read from it")
    ap.add_argument("--jobs", "-j", type=int, default=1,
                    help="sessions analysed in parallel by this many processes (the figures are the same; "
                    "the analysis time printed is the sum over sessions)")
    ap.add_argument("--save", metavar="FILE.json", help="write each session's counts to FILE.json")
    ap.add_argument("--compare", metavar="FILE.json",
                    help="list the sessions whose counts differ from a --save'd run")
    args = ap.parse_args(argv)
    knobs = Knobs(args.sway_scale, args.tremor_share, args.lever_arm, args.gyro)
    tasks = [(scen, seed, knobs) for scen in args.scenarios.split(",") for seed in parse_seeds(args.seeds)]
    if args.jobs > 1:
        from multiprocessing import Pool

        with Pool(args.jobs) as pool:
            results = pool.map(run_session, tasks, chunksize=2)
    else:
        results = [run_session(t) for t in tasks]
    score = Score()
    per_scen: dict[str, Score] = {}
    counts: dict[str, dict[str, int]] = {}
    for (scen, _, _), (name, pred, truth, dt, delays) in zip(tasks, results):
        sc = per_scen.setdefault(scen, Score())
        for s in (score, sc):
            s.seconds += dt
            s.delays.extend(delays)
        score.add(name, pred, truth, args.verbose)
        sc.add(name, pred, truth, False)
        counts[name] = session_counts(pred, truth)
    for scen, sc in per_scen.items():
        print(f"== {scen}")
        sc.report()
    print("== ALL")
    score.report()
    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            json.dump(counts, f, indent=0)
    if args.compare:
        with open(args.compare, encoding="utf-8") as f:
            compare(json.load(f), counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
