"""Render a :class:`~reptrack.sim.plan.Plan` into accelerometer samples.

Physics (see ``docs/simulator.md``)
-----------------------------------
Shank frame: z along the shank towards the knee, x anterior, y lateral.
World: z up.  The shank orientation is ``R = Ry(pitch) @ Rx(roll)``; pitch
is the rotation about the ankle axis that a heel raise produces.  The sensor
sits ``r`` (lever arm, m) up the shank from the ankle, whose height changes
by the heel-raise rise ``z(t)``, so its position is
``p = (0, 0, z) + R (0, 0, r)``.  The accelerometer measures the specific
force ``f = p'' / g0 + (0, 0, 1)`` in g (``g0 = 9.80665 m/s^2``), seen in the
shank frame (``R^T f``) and then in the sensor frame through the mounting
rotation ``M`` (any 3-D rotation; it changes at a re-strap, drifts during a
slip).  ``p''`` is the exact second difference on an internal grid of at
least 200 Hz, so tremor, walking swings and the (tiny, ~4 mg) heel-raise
translation all enter physically.  Heel strikes add 30 ms half-sine pulses
(0.5-2 g) in the world frame.

Sensor: the internal grid is an integer multiple ``m`` of the output rate;
each output sample is the centred boxcar mean over ``m`` (odd: ``m + 1``)
internal points (the averaging a MEMS part does at low output rates), then
per-axis scale error and bias (plus a slow drift over minutes), white noise, clipping at full scale and
quantisation.  With ``cfg.gyro`` a gyroscope on the same time base reads the
shank's body rate ``(roll', pitch' cos(roll), -pitch' sin(roll))`` rotated by
``M`` plus the rate of a changing mounting, with bias, noise and quantisation.  The real rate ``fs`` is the nominal one times ``1 +- rate_error``.
Timestamps are ``k / fs`` plus uniform jitter (capped at 20 %
of the period so they never reorder or fake a gap); lost packets remove
blocks of samples but keep the other timestamps true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from . import quat
from .config import SimConfig
from .plan import Plan

G0 = 9.80665
#: lowest internal simulation rate (Hz): resolves 4-12 Hz tremor and 30 ms heel strikes
MIN_INTERNAL_HZ = 200.0
#: spacing of the bias-drift knots (s): temperature drift changes over minutes
DRIFT_KNOT_S = 90.0


@dataclass
class Rendered:
    """Samples plus the noiseless signals at the *true* sample instants (before loss).

    ``t`` (n,) recorded timestamps (s), ``acc`` (n, 3) g as written; ``keep``
    (N,) mask of kept samples; ``t_true`` (N,) = k / fs; ``pitch_deg``,
    ``roll_deg``, ``wobble_deg`` (N,) shank angles; ``acc_clean`` (N, 3) the
    noiseless sensor-frame specific force (g); ``gravity`` (N, 3) the unit
    "up" direction in the sensor frame (what a perfect accelerometer at rest
    reads).
    """

    t: np.ndarray
    acc: np.ndarray
    keep: np.ndarray
    t_true: np.ndarray
    pitch_deg: np.ndarray
    roll_deg: np.ndarray
    wobble_deg: np.ndarray
    acc_clean: np.ndarray
    gravity: np.ndarray
    sensor: dict[str, object]
    #: (n, 3) deg/s as written (kept samples) and (N, 3) noiseless, when ``cfg.gyro``
    gyro: np.ndarray | None = None
    gyro_clean: np.ndarray | None = None
    #: (N, 3) g: the bias at each true sample instant (constant part + slow drift)
    bias_t: np.ndarray | None = None


def _slice(tf: np.ndarray, t0: float, t1: float) -> tuple[int, int]:
    return int(np.searchsorted(tf, t0)), int(np.searchsorted(tf, t1))


def band_noise(n: int, fs: float, band: tuple[float | None, float | None], rng: np.random.Generator,
               size: int = 1) -> np.ndarray:
    """(n, size) Gaussian noise of unit RMS, band-limited in the frequency domain.

    The gain is the magnitude response of a 2nd-order Butterworth band-pass
    applied forwards and backwards (``1 / (1 + (f/fh)^4) / (1 + (fl/f)^4)``,
    zero phase); ``band = (fl, fh)`` Hz, either end None for low/high-pass.
    Plain numpy (the simulator does not import scipy.signal: it is slow to load).
    """
    x = np.fft.rfft(rng.normal(size=(n, size)), axis=0)
    f = np.fft.rfftfreq(n, 1.0 / fs)[:, None]
    gain = np.ones_like(f)
    lo, hi = band
    if hi is not None:
        gain /= 1 + (f / hi) ** 4
    if lo is not None:
        with np.errstate(divide="ignore"):
            gain = np.where(f > 0, gain / (1 + (lo / np.where(f > 0, f, 1.0)) ** 4), 0.0)
    y = np.fft.irfft(x * gain, n=n, axis=0)
    return y / max(float(np.sqrt(np.mean(y**2))), 1e-12)


def _sway(tf: np.ndarray, plan: Plan, band: tuple[float, float], fs_i: float, rng: np.random.Generator) -> np.ndarray:
    """(nf, 2) pitch and roll sway (deg): band-limited noise of unit RMS times the posture's sway level."""
    level = np.full(len(tf), plan.sway_levels[0][1])
    for ts, lv in plan.sway_levels[1:]:
        level[tf >= ts] = lv
    return band_noise(len(tf), fs_i, band, rng, size=2) * level[:, None]


def _drift(t: np.ndarray, rms: float, rng: np.random.Generator) -> np.ndarray:
    """(n, 3) slow drift of RMS ~``rms``: random knots every :data:`DRIFT_KNOT_S` s, cosine-interpolated."""
    if rms <= 0:
        return np.zeros((len(t), 3))
    knots = rng.normal(scale=rms, size=(int(t[-1] // DRIFT_KNOT_S) + 2, 3))
    x = t / DRIFT_KNOT_S
    i = np.floor(x).astype(int)
    w = (0.5 * (1 - np.cos(np.pi * (x - i))))[:, None]
    return knots[i] * (1 - w) + knots[i + 1] * w


def _wobble(tf: np.ndarray, dt: float, plan: Plan, rng: np.random.Generator) -> np.ndarray:
    """Injected wobble (deg of pitch): tremor 4-12 Hz plus 0.5-3 Hz irregularity per rep.

    Each rep's component is scaled so that its RMS angular velocity over
    [start, end] equals the rep's ``wobble_dps`` exactly (the truth value).
    """
    w = np.zeros(len(tf))
    for rp in plan.reps:
        i0, i1 = _slice(tf, rp.start, rp.end)
        if i1 - i0 < 4:
            continue
        tt = tf[i0:i1] - rp.start
        dur = rp.end - rp.start
        u = tt / dur
        taper = min(0.3, dur / 4)
        env = np.minimum(1.0, np.minimum(tt, dur - tt) / taper)
        env = 0.5 * (1 - np.cos(np.pi * np.clip(env, 0, 1)))
        if rp.envelope == "growing":
            env = env * (0.3 + 0.7 * u)
        elif rp.envelope == "burst":
            c = rng.uniform(0.3, 0.8)
            env = env * (0.2 + np.exp(-0.5 * ((u - c) / 0.15) ** 2))
        fm = 1 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.2, 1.0) * tt + rng.uniform(0, 2 * np.pi))
        tremor = np.sin(2 * np.pi * rp.tremor_hz * np.cumsum(fm) * dt + rng.uniform(0, 2 * np.pi))
        lf = np.zeros_like(tt)
        for _ in range(4):
            lf += np.sin(2 * np.pi * rng.uniform(0.5, 3.0) * tt + rng.uniform(0, 2 * np.pi))
        comps = []
        for x, share in ((tremor * env, rp.tremor_share), (lf * env, 1 - rp.tremor_share)):
            v = np.gradient(x, dt)
            comps.append(x * math.sqrt(share) / max(float(np.sqrt(np.mean(v**2))), 1e-12))
        x = (comps[0] + comps[1]) * rp.wobble_dps
        v_rms = float(np.sqrt(np.mean(np.gradient(x, dt) ** 2)))
        x *= rp.wobble_dps / max(v_rms, 1e-12)
        rp.wobble_injected_deg = float(np.max(np.abs(x)))
        w[i0:i1] += x
    return w


def _walks(tf: np.ndarray, plan: Plan, pitch: np.ndarray, roll: np.ndarray, impacts: np.ndarray,
           fs_i: float, rng: np.random.Generator) -> None:
    """Add walking swings (deg) and heel-strike pulses (g, world frame) in place."""
    for wk in plan.walks:
        i0, i1 = _slice(tf, wk.t0, wk.t1)
        tt = tf[i0:i1] - wk.t0
        dur = wk.t1 - wk.t0
        env = 0.5 * (1 - np.cos(np.pi * np.clip(np.minimum(tt, dur - tt) / 1.0, 0, 1)))
        ph = 2 * np.pi * wk.cadence_hz * tt
        pitch[i0:i1] += env * wk.swing_deg * np.sin(ph)
        roll[i0:i1] += env * 0.1 * wk.swing_deg * np.sin(ph + 1.0)
        # heel strike when the shank is furthest forward (sin = 1), once per stride
        n_pulse = max(3, int(round(0.03 * fs_i)))
        pulse = np.sin(np.pi * (np.arange(n_pulse) + 0.5) / n_pulse)
        k = 0
        while True:
            ts = (k + 0.25) / wk.cadence_hz
            k += 1
            if ts > dur - 1.0:
                break
            if ts < 1.0:
                continue
            j = i0 + int(round(ts * fs_i))
            amp = wk.strike_g * rng.uniform(0.8, 1.2)
            impacts[j : j + n_pulse, 2] += amp * pulse
            impacts[j : j + n_pulse, 0] -= 0.4 * amp * pulse


def _mount_segments(tf: np.ndarray, plan: Plan) -> list[tuple[int, int, np.ndarray]]:
    """Shank -> sensor rotation over the grid: ``(i0, i1, q)`` pieces, ``q`` one quaternion
    (constant piece) or ``(i1 - i0, 4)`` of them (a re-strap or slip, slerped through its key frames)."""
    segs: list[tuple[int, int, np.ndarray]] = []
    cur, pos = plan.mount0, 0
    for mc in plan.mounts:
        i0, i1 = _slice(tf, mc.t0, mc.t1)
        segs.append((pos, i0, cur))
        keys = [cur] + ([mc.via] if mc.via is not None else []) + [mc.new]
        if i1 > i0:
            # min-jerk time warp on each key-frame leg: every turn starts and ends at rest
            x = np.clip((tf[i0:i1] - mc.t0) / (mc.t1 - mc.t0), 0.0, 1.0) * (len(keys) - 1)
            leg = np.minimum(np.floor(x), len(keys) - 2).astype(int)
            v = x - leg
            v = v**3 * (10 - 15 * v + 6 * v**2)
            q = np.empty((i1 - i0, 4))
            for k in range(len(keys) - 1):
                sel = leg == k
                q[sel] = quat.slerp(keys[k], keys[k + 1], v[sel])
            segs.append((i0, i1, q))
        cur, pos = mc.new, i1
    segs.append((pos, len(tf), cur))
    return segs


def _to_sensor(segs: list[tuple[int, int, np.ndarray]], v: np.ndarray) -> np.ndarray:
    """Rotate shank-frame vectors (nf, 3) into the sensor frame."""
    out = np.empty_like(v)
    for i0, i1, q in segs:
        if i1 > i0:
            out[i0:i1] = quat.apply(q, v[i0:i1])
    return out


def _mount_rate_dps(segs: list[tuple[int, int, np.ndarray]], nf: int, dt: float) -> np.ndarray:
    """Angular velocity (deg/s, sensor frame) the changing mounting adds: with
    ``M(t + dt) = exp(d) M(t)`` the sensor turns by ``-d`` relative to the shank."""
    w = np.zeros((nf, 3))
    for i0, i1, q in segs:
        if q.ndim == 2 and i1 - i0 > 1:
            d = quat.as_rotvec(quat.mul(q[1:], quat.inv(q[:-1])))
            w[i0 : i1 - 1] = -np.degrees(d) / dt
    return w


def _jostle(tf: np.ndarray, plan: Plan, rng: np.random.Generator, dt: float) -> np.ndarray:
    """Handling acceleration (g, sensor frame) while the sensor is re-strapped: noise low-passed at 6 Hz."""
    out = np.zeros((len(tf), 3))
    for mc in plan.mounts:
        i0, i1 = _slice(tf, mc.t0, mc.t1)
        if mc.jostle_g > 0 and i1 - i0 > 20:
            j = band_noise(i1 - i0, 1.0 / dt, (None, 6.0), rng, size=3) * mc.jostle_g / np.sqrt(3)
            tt = tf[i0:i1] - mc.t0
            out[i0:i1] = j * np.clip(np.minimum(tt, mc.t1 - mc.t0 - tt) / 0.5, 0, 1)[:, None]
    return out


def _boxcar(x: np.ndarray, idx: np.ndarray, m: int) -> np.ndarray:
    """Centred mean of ``x`` (nf, 3) over ``m`` (odd: ``m + 1``) points around each index."""
    if m == 1:
        return x[idx]
    L = m if m % 2 else m + 1
    h = L // 2
    cs = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    return (cs[idx + h + 1] - cs[idx - h]) / L


def render(plan: Plan, cfg: SimConfig, rng: np.random.Generator) -> Rendered:
    """Samples of ``plan`` as the configured sensor would record them."""
    # the part's real rate differs a little from its nominal rate; timestamps are true
    fs = float(cfg.sample_rate_hz) * (1 + rng.uniform(-cfg.rate_error, cfg.rate_error))
    m = max(1, math.ceil(MIN_INTERNAL_HZ / fs))
    fs_i = fs * m
    dt = 1.0 / fs_i
    n = int(math.floor(plan.duration_s * fs)) + 1
    pad = m + 2
    nf = n * m + 2 * pad
    tf = (np.arange(nf) - pad) * dt

    pitch = np.full(nf, plan.base_pitch_deg)
    roll = np.full(nf, plan.base_roll_deg)
    rise = np.zeros(nf)
    steps = np.zeros((nf + 1, 3))
    for mv in plan.moves:
        i0, i1 = _slice(tf, mv.t0, mv.t1)
        s = mv.shape((tf[i0:i1] - mv.t0) / (mv.t1 - mv.t0))
        pitch[i0:i1] += mv.dpitch * s
        roll[i0:i1] += mv.droll * s
        rise[i0:i1] += mv.drise * s
        steps[i1] += (mv.dpitch, mv.droll, mv.drise)
    lev = np.cumsum(steps[:-1], axis=0)
    pitch += lev[:, 0]
    roll += lev[:, 1]
    rise += lev[:, 2]

    wob = _wobble(tf, dt, plan, rng)
    pitch += wob
    impacts = np.zeros((nf, 3))
    _walks(tf, plan, pitch, roll, impacts, fs_i, rng)
    sway = _sway(tf, plan, cfg.sway_band_hz, fs_i, rng)
    pitch += sway[:, 0]
    roll += sway[:, 1]

    th, ph = np.radians(pitch), np.radians(roll)
    cth, sth, cph, sph = np.cos(th), np.sin(th), np.cos(ph), np.sin(ph)
    r = plan.lever_arm_m
    p = np.stack([r * sth * cph, -r * sph, r * cth * cph + rise], axis=1)
    a = np.zeros_like(p)
    a[1:-1] = (p[2:] - 2 * p[1:-1] + p[:-2]) / (dt * dt * G0)
    a[0], a[-1] = a[1], a[-2]
    f = a + impacts
    f[:, 2] += 1.0

    def to_shank(v: np.ndarray) -> np.ndarray:
        return np.stack(
            [
                cth * v[:, 0] - sth * v[:, 2],
                sth * sph * v[:, 0] + cph * v[:, 1] + cth * sph * v[:, 2],
                sth * cph * v[:, 0] - sph * v[:, 1] + cth * cph * v[:, 2],
            ],
            axis=1,
        )

    segs = _mount_segments(tf, plan)
    f_sensor = _to_sensor(segs, to_shank(f)) + _jostle(tf, plan, rng, dt)
    up = np.zeros((nf, 3))
    up[:, 2] = 1.0
    # sensor output: centred boxcar over the internal points of each sample
    idx = pad + np.arange(n) * m
    clean = _boxcar(f_sensor, idx, m)
    gravity = _to_sensor(segs, to_shank(up))[idx]
    gyro_clean = None
    if cfg.gyro:
        # body rate of R = Ry(pitch) Rx(roll): (roll', pitch' cos(roll), -pitch' sin(roll)) in the shank frame
        dp, dr = np.gradient(pitch, dt), np.gradient(roll, dt)
        w_shank = np.stack([dr, dp * cph, -dp * sph], axis=1)
        gyro_clean = _boxcar(_to_sensor(segs, w_shank) + _mount_rate_dps(segs, nf, dt), idx, m)

    t_true = np.arange(n) / fs
    bias = rng.uniform(-cfg.bias_mg, cfg.bias_mg, size=3) / 1000.0
    scale = 1 + rng.uniform(-cfg.scale_error, cfg.scale_error, size=3)
    bias_t = bias + _drift(t_true, cfg.bias_drift_mg / 1000.0, rng)
    acc = clean * scale + bias_t + rng.normal(scale=cfg.noise_mg / 1000.0, size=(n, 3))
    acc = np.clip(acc, -cfg.full_scale_g, cfg.full_scale_g)
    if cfg.lsb_g > 0:
        acc = np.round(acc / cfg.lsb_g) * cfg.lsb_g

    jit = min(cfg.jitter_ms / 1000.0, 0.2 / fs)
    t = t_true + (rng.uniform(-jit, jit, size=n) if jit > 0 else 0.0)
    t[0] = 0.0
    keep = np.ones(n, dtype=bool)
    if cfg.packet_loss > 0:
        k = int(rng.integers(cfg.packet_samples[0], cfg.packet_samples[1] + 1))
        n_pk = n // k
        drop = rng.random(n_pk) < cfg.packet_loss
        drop[0] = drop[-1] = False
        keep[: n_pk * k] = ~np.repeat(drop, k)
    gyro = None
    if gyro_clean is not None:
        gb = rng.uniform(-cfg.gyro_bias_dps, cfg.gyro_bias_dps, size=3)
        gyro = gyro_clean + gb + rng.normal(scale=cfg.gyro_noise_dps, size=(n, 3))
        gyro = np.clip(gyro, -cfg.gyro_full_scale_dps, cfg.gyro_full_scale_dps)
        if cfg.gyro_lsb_dps > 0:
            gyro = np.round(gyro / cfg.gyro_lsb_dps) * cfg.gyro_lsb_dps
    sensor = {
        "bias_g": bias.tolist(),
        "scale": scale.tolist(),
        "noise_mg": cfg.noise_mg,
        "lsb_g": cfg.lsb_g,
        "internal_rate_hz": fs_i,
        "true_rate_hz": fs,
        "mounting_quat_xyzw": plan.mount0.tolist(),
    }
    return Rendered(
        t=t[keep], acc=acc[keep], keep=keep, t_true=t_true, pitch_deg=pitch[idx], roll_deg=roll[idx],
        wobble_deg=wob[idx], acc_clean=clean, gravity=gravity, sensor=sensor, bias_t=bias_t,
        gyro=None if gyro is None else gyro[keep], gyro_clean=gyro_clean,
    )
