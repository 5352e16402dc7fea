"""``reptrack simulate``: write a simulated heel-raise session and its truth.

Writes ``F.csv`` (native CSV) and ``F.truth.json`` (the ``analyze --json``
schema plus the injected truth); see ``docs/simulator.md``.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="write a simulated shin-IMU heel-raise session with ground truth",
        description="Simulate a shin-worn accelerometer during heel-raise sets (reps with exact truth, sway, "
        "fidgets, walking, re-straps, sensor errors) and write F.csv plus F.truth.json.",
    )
    p.add_argument("--scenario", default="seated-3x15", metavar="NAME", help="scenario (see --list); default seated-3x15")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same output); default 1")
    p.add_argument("--out", default=None, metavar="F.csv", help="output CSV; the truth goes to F.truth.json")
    p.add_argument("--rate", type=float, default=None, metavar="HZ", help="sample rate override (Hz)")
    p.add_argument("--noise-mg", type=float, default=None, metavar="X", help="white noise RMS override (mg)")
    p.add_argument(
        "--duration-scale", type=float, default=None, metavar="S",
        help="scale reps per set and rests (e.g. 0.3 for a short session)",
    )
    p.add_argument("--gyro", action="store_true", help="also simulate a gyroscope (gx,gy,gz in deg/s)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..sim import SCENARIOS, SimulationError, scenario_config, simulate, write_simulation

    if args.list:
        width = max(len(n) for n in SCENARIOS)
        for name, desc in SCENARIOS.items():
            print(f"{name:<{width}}  {desc}")
        return 0
    if not args.out:
        raise SimulationError("give the output file with --out F.csv (or --list to see the scenarios)")
    cfg = scenario_config(args.scenario, seed=args.seed)
    over: dict[str, float | bool] = {}
    if args.rate is not None:
        if not 1.0 <= args.rate <= 2000.0:
            raise SimulationError(f"--rate {args.rate:g} is outside 1-2000 Hz")
        over["sample_rate_hz"] = args.rate
    if args.noise_mg is not None:
        if not 0.0 <= args.noise_mg <= 1000.0:
            raise SimulationError(f"--noise-mg {args.noise_mg:g} must be between 0 and 1000")
        over["noise_mg"] = args.noise_mg
    if args.duration_scale is not None:
        if not 0.01 <= args.duration_scale <= 100.0:
            raise SimulationError(f"--duration-scale {args.duration_scale:g} must be between 0.01 and 100")
        over["duration_scale"] = args.duration_scale
    if args.gyro:
        over["gyro"] = True
    cfg = replace(cfg, **over)
    res = simulate(cfg, seed=args.seed)
    try:
        csv_path, truth_path = write_simulation(res, args.out)
    except OSError as exc:
        raise SimulationError(f"cannot write {args.out} ({exc.strerror or exc}); check the directory exists") from None
    rec, s = res.recording, res.truth["summary"]
    print(
        f"wrote {csv_path} ({rec.n_samples} samples, {rec.duration_s:.1f} s at {cfg.sample_rate_hz:g} Hz, "
        f"{len(rec.gaps)} gaps) and {truth_path}: scenario {cfg.scenario} seed {args.seed}, "
        f"{s['reps']} reps in {s['sets']} sets, {s['flagged']} flagged"
    )
    return 0
