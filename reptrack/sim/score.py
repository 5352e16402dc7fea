"""Score an analysis against simulator truth with the metrics of issue #2.

Usage::

    from reptrack.sim.score import score_session, summarize
    s = score_session(truth_doc, analysis_doc)   # both schema-1 dicts (analyze --json / .truth.json)
    figures = summarize([s, ...])                 # the acceptance figures over many sessions

Definitions (issue #2, "Figures it must reach"):

* Reps are matched one-to-one by interval overlap: intersection over union of
  ``[start, end]`` >= :data:`IOU_MIN` (0.4), greedily from the best pair.
* Rep count exact: the number of detected reps equals the number of truth reps.
* Detection F1 = 2 TP / (2 TP + FP + FN), pooled over sessions.
* Phase errors: absolute ``lift_s``, ``hold_s``, ``lower_s`` differences over
  matched reps, pooled; reported as 95th percentiles (s).
* Flag F1 per flag pooled over all sessions (an unmatched detected rep counts
  its flags as false positives, an unmatched truth rep its flags as false
  negatives), then averaged over the five flags; a flag that is absent from
  both truth and detections everywhere counts as F1 = 1.
* Wobble: Spearman correlation between detected and truth ``wobble`` over the
  matched reps of a session, for sessions where the injected wobble varies
  (>= :data:`WOBBLE_MIN_REPS` matched reps and truth max/min >= :data:`WOBBLE_VARIES`);
  summarised by the median over those sessions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..guidance import ALL_FLAGS

IOU_MIN = 0.4
WOBBLE_MIN_REPS = 5
WOBBLE_VARIES = 2.0
PHASES = ("lift_s", "hold_s", "lower_s")


def iou(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Intersection over union of two reps' ``[start, end]`` (s)."""
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    if inter <= 0:
        return 0.0
    union = max(a["end"], b["end"]) - min(a["start"], b["start"])
    return inter / union if union > 0 else 0.0


def match_reps(truth: list[dict[str, Any]], det: list[dict[str, Any]], iou_min: float = IOU_MIN) -> list[tuple[int, int]]:
    """One-to-one ``(truth index, detected index)`` pairs with IoU >= ``iou_min``, best first."""
    cand = []
    for i, t in enumerate(truth):
        for j, d in enumerate(det):
            if d["end"] < t["start"] or d["start"] > t["end"]:
                continue
            v = iou(t, d)
            if v >= iou_min:
                cand.append((v, i, j))
    cand.sort(reverse=True)
    used_t: set[int] = set()
    used_d: set[int] = set()
    pairs = []
    for _, i, j in cand:
        if i not in used_t and j not in used_d:
            used_t.add(i)
            used_d.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 with ties given their average rank."""
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    _, inv = np.unique(x, return_inverse=True)
    return (np.bincount(inv, weights=r) / np.bincount(inv))[inv]


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman rank correlation (ties averaged); None when undefined."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return None
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def score_session(truth: dict[str, Any], analysis: dict[str, Any]) -> dict[str, Any]:
    """Per-session counts and errors (see the module docstring)."""
    tr, de = truth["reps"], analysis["reps"]
    pairs = match_reps(tr, de)
    mt = {i for i, _ in pairs}
    md = {j for _, j in pairs}
    flags: dict[str, dict[str, int]] = {}
    for f in ALL_FLAGS:
        c = {"tp": 0, "fp": 0, "fn": 0}
        for i, j in pairs:
            a, b = f in tr[i]["flags"], f in de[j]["flags"]
            c["tp"] += a and b
            c["fp"] += b and not a
            c["fn"] += a and not b
        c["fp"] += sum(f in de[j]["flags"] for j in range(len(de)) if j not in md)
        c["fn"] += sum(f in tr[i]["flags"] for i in range(len(tr)) if i not in mt)
        flags[f] = c
    errors = {p: [abs(de[j][p] - tr[i][p]) for i, j in pairs] for p in PHASES}
    tw = np.array([tr[i]["wobble"] for i, _ in pairs], dtype=float)
    dw = np.array([de[j]["wobble"] if de[j]["wobble"] is not None else np.nan for _, j in pairs], dtype=float)
    wob = None
    ok = np.isfinite(dw)
    if ok.sum() >= WOBBLE_MIN_REPS and tw[ok].min() > 0 and tw[ok].max() / tw[ok].min() >= WOBBLE_VARIES:
        wob = spearman(tw[ok], dw[ok])
    return {
        "truth_reps": len(tr),
        "detected_reps": len(de),
        "tp": len(pairs),
        "fp": len(de) - len(pairs),
        "fn": len(tr) - len(pairs),
        "count_exact": len(tr) == len(de),
        "phase_errors": errors,
        "flags": flags,
        "wobble_spearman": wob,
        "unmatched_detected": [{"start": de[j]["start"], "end": de[j]["end"]} for j in range(len(de)) if j not in md],
        "missed_truth": [tr[i]["index"] for i in range(len(tr)) if i not in mt],
    }


def _f1(tp: int, fp: int, fn: int) -> float | None:
    d = 2 * tp + fp + fn
    return 2 * tp / d if d else None


def summarize(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's acceptance figures over many sessions' :func:`score_session` results."""
    tp = sum(s["tp"] for s in scores)
    fp = sum(s["fp"] for s in scores)
    fn = sum(s["fn"] for s in scores)
    out: dict[str, Any] = {
        "sessions": len(scores),
        "count_exact": sum(s["count_exact"] for s in scores),
        "detection_f1": _f1(tp, fp, fn) if (tp + fp + fn) else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
    for p in PHASES:
        e = np.concatenate([np.asarray(s["phase_errors"][p], dtype=float) for s in scores]) if scores else np.array([])
        out[f"{p}_p95"] = float(np.percentile(e, 95)) if len(e) else None
        out[f"{p}_median"] = float(np.median(e)) if len(e) else None
    per_flag = {}
    for f in ALL_FLAGS:
        c = {k: sum(s["flags"][f][k] for s in scores) for k in ("tp", "fp", "fn")}
        v = _f1(**c)
        per_flag[f] = {**c, "f1": 1.0 if v is None else v}
    out["flag_f1"] = per_flag
    out["flag_f1_mean"] = float(np.mean([v["f1"] for v in per_flag.values()]))
    wob = [s["wobble_spearman"] for s in scores if s["wobble_spearman"] is not None]
    out["wobble_spearman_median"] = float(np.median(wob)) if wob else None
    out["wobble_sessions"] = len(wob)
    return out
