#!/usr/bin/env python3
"""Live mode study: how close a ~5 ms latency can come to the 4096 / 4x STFT (Mix mode), in a
compact numpy model of Residue's causal pipeline. The record behind docs/live-mode-study.md.

    python3 scripts/study_live.py [--drums DIR] [--only NAME,...] [--json F] [--markdown]

    DIR: the output of make_drum_scenarios.py (real multi-mic drums; nothing rendered from
    that kit is kept in the repository). Without it only the bundled scenarios are scored.
    Run it niced with one BLAS thread on a shared machine:
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 python3 scripts/study_live.py --drums DIR

The model (one for every candidate, so they differ only in how the mask reaches the audio):
per bin and track channel, |X| and the lag-aligned reference magnitudes |R_k|; a running
least-squares bleed gain per bin (forgetting 4 s, gains >= 0, Residue's robust weighting), residual max(0, |X| - sum g|R|),
Wiener mask residual / |X|, the two channels' masks linked (mean), logistic compression
(threshold 0.2, slope 8, rescaled so 0 -> 0 and 1 -> 1, as Residue does). Lags: GCC-PHAT of
the true bleed against each reference, 0-50 ms (what Residue's lag search converges to).
Everything is causal: a mask used for the output at time t comes from input up to the moment
that output is released (t + latency), and the cold start is kept (no learned profile).

Candidates (latency in samples at 44.1 kHz; 5.3 ms is 233 samples there, 254 at 48 kHz):
  mix           STFT 4096 / 4x, Hann / Hann: Mix mode, latency 4095 (+ one hop in Residue)
  stft-N        a symmetric STFT of N samples / 4x, the model at that resolution
  pair-*        asymmetric analysis / synthesis pair: 4096-sample analysis window falling over
                its last M samples, FFT every M, the mask applied to the long spectrum, a
                2M-sample synthesis window: latency 2M - 1 (Mauler & Martin's scheme; `sqrt`
                is their square-root analysis window)
  dual-*        dual window: the mask from the causal 4096-sample analysis (frames ending now,
                every H), smoothed onto the bins of a short STFT (energy-weighted through the
                short window's kernel) and applied there: latency = short window - 1
  fir-*         the mask as a filter: minimum phase (real cepstrum) or linear phase cut to a
                short pre-delay D, up to 4096 taps, applied by block convolution (block B,
                filters switched every H with a crossfade of one block; the mask for a block
                comes from the frame ending with that block, or S samples earlier when the
                work is spread). Latency B + D; output identical to uniformly partitioned
                convolution
  sub-*         AEC-style: the bleed path per bin as a complex least-squares transfer function
                (block frequency-domain, like an echo canceller's), as a filter on the reference
                by block convolution, subtracted from the track; optionally followed by a fir
                mask on what is left
Scores: museval BSS Eval v4 SDR (median over 1 s windows, as scripts/evaluate.py) and global
SDR, each as the change from the input's; the `late` rows give the reference one latency late
(as Ardour does) with the lag found on it.
"""
import argparse
import json
import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402
from evaluate import ROOT, SLOPE, THRESH, bss_eval, read  # noqa: E402

# the bundled scenarios: (name, folder, mix, reference, truth target, truth bleed)
SYNTHETIC = getattr(evaluate, "SYNTHETIC", None) or evaluate.SCENARIOS

N_LONG = 4096
MIX = "mix (4096/4x)"
ADAPT_S = 4.0
MAX_LAG_S = 0.05
EPS = 1e-12


@dataclass
class Scenario:
    name: str
    rate: int
    mix: np.ndarray       # (T, C)
    ref: np.ndarray       # (T, C, K): reference k as used for track channel c
    target: np.ndarray    # (T, C)
    bleed: np.ndarray     # (T, C)
    lags: np.ndarray      # (C, K) samples: how much later the bleed reaches the track


def gcc_phat_lag(y, r, max_lag):
    """Lag (samples, 0..max_lag) at which r best matches y: y[n] ~ r[n - lag]."""
    n = 1 << int(np.ceil(np.log2(len(y) + len(r))))
    cross = np.fft.rfft(y, n) * np.conj(np.fft.rfft(r, n))
    cc = np.fft.irfft(cross / np.maximum(np.abs(cross), EPS), n)
    return int(np.argmax(cc[: max_lag + 1]))


def delay(x, d):
    """x (T, ...) delayed by d >= 0 samples, same length."""
    if d == 0:
        return x.copy()
    out = np.zeros_like(x)
    out[d:] = x[:-d]
    return out


def load(drums_dir):
    scen = []
    for name, folder, mix_n, ref_n, tgt_n, bl_n in SYNTHETIC:
        p = lambda f: os.path.join(ROOT, folder, f + ".wav")
        (mix, rate), ref = read(p(mix_n)), read(p(ref_n))[0]
        tgt, bl = read(p(tgt_n))[0], read(p(bl_n))[0]
        C = mix.shape[1]
        refs = np.stack([ref[:, c if ref.shape[1] == C else 0] for c in range(C)], 1)[..., None]
        parts = [[bl[:, c]] for c in range(C)]
        scen.append((name, rate, mix, refs, tgt, bl, parts))
    if drums_dir:
        for slug in sorted(os.listdir(drums_dir)):
            meta_path = os.path.join(drums_dir, slug, "scenario.json")
            if not os.path.exists(meta_path):
                continue
            meta = json.load(open(meta_path))
            mix, rate = read(meta["mix"])
            refs = np.stack([read(f)[0][:, 0] for f in meta["references"]], 1)[:, None, :]
            part_files = meta.get("truth_bleed_parts", {})
            parts = [[read(part_files.get(b, meta["truth_bleed"]))[0][:, 0] for b in meta["bleed"]]]
            scen.append((meta["name"], rate, mix, refs, read(meta["truth_target"])[0],
                         read(meta["truth_bleed"])[0], parts))
    out = []
    for name, rate, mix, refs, tgt, bl, parts in scen:
        C, K = mix.shape[1], refs.shape[2]
        lags = np.array([[gcc_phat_lag(parts[c][k], refs[:, c, k], int(MAX_LAG_S * rate))
                          for k in range(K)] for c in range(C)])
        out.append(Scenario(name, rate, mix, refs, tgt, bl, lags))
    return out


# ----------------------------------------------------------------------------- the model

def compress(w):
    """Residue's logistic compression, rescaled so 0 -> 0 and 1 -> 1."""
    s = lambda v: 1.0 / (1.0 + np.exp(-SLOPE * (v - THRESH)))
    lo, hi = s(0.0), s(1.0)
    return (s(w) - lo) / (hi - lo)


class BleedFit:
    """Running least-squares gains per (bin, channel) of K reference magnitudes to the track's
    magnitude, forgetting with time constant ADAPT_S; the gains kept non-negative (K <= 2)."""

    def __init__(self, bins, C, K, hop, rate):
        self.lam = np.exp(-hop / (ADAPT_S * rate))
        self.A = np.zeros((bins, C, K, K))
        self.b = np.zeros((bins, C, K))
        self.K = K

    def gains(self):
        A, b = self.A, self.b
        if self.K == 1:
            return b / (A[..., 0] + EPS)
        d = A[..., 0, 0] * A[..., 1, 1] - A[..., 0, 1] ** 2
        g0 = (A[..., 1, 1] * b[..., 0] - A[..., 0, 1] * b[..., 1]) / (d + EPS)
        g1 = (A[..., 0, 0] * b[..., 1] - A[..., 0, 1] * b[..., 0]) / (d + EPS)
        only0 = b[..., 0] / (A[..., 0, 0] + EPS)
        only1 = b[..., 1] / (A[..., 1, 1] + EPS)
        g0, g1 = np.where(g1 < 0, only0, g0), np.where(g1 < 0, 0.0, g1)
        g0, g1 = np.where(g0 < 0, 0.0, g0), np.where(g0 < 0, only1, g1)
        return np.maximum(np.stack([g0, g1], -1), 0.0)

    def step(self, vx, vr):
        """vx (F, C), vr (F, C, K) magnitudes -> linked, compressed mask (F,). Residue's
        robust fit: each frame weighted by the share of the bin the model already gives the
        bleed, so frames where the track (the target) is loud barely teach the gains."""
        prior = np.sum(self.gains() * vr, -1)
        w = (0.05 + 0.95 * np.minimum(1.0, prior / np.maximum(vx, EPS)))[..., None]
        self.A = self.lam * self.A + w[..., None] * vr[..., :, None] * vr[..., None, :]
        self.b = self.lam * self.b + w * vr * vx[..., None]
        bleed = np.sum(np.maximum(self.gains(), 0.0) * vr, -1)
        res = np.maximum(0.0, vx - bleed)
        w = res / np.maximum(res + bleed, EPS)
        return compress(w.mean(axis=1))


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def asym_window(n, fall, power=1.0):
    """Rising half-Hann over n - fall samples, falling half-Hann over the last `fall`."""
    rise = hann(2 * (n - fall))[: n - fall]
    down = hann(2 * fall)[fall:]
    return np.concatenate([rise, down]) ** power


def frames(x, ends, n):
    """x (T, ...) -> (J, n, ...) frames x[e - n : e]."""
    return x[ends[:, None] - n + np.arange(n)]


def analyse(x, r, ends, win, rate, hop, want_power=False, chunk=256):
    """Masks (J, F) from frames of x (T, C) and aligned references r (T, C, K) ending at
    `ends` (frame end, exclusive), one step of the fit per frame, in order."""
    n = len(win)
    fit = BleedFit(n // 2 + 1, x.shape[1], r.shape[2], hop, rate)
    masks = np.empty((len(ends), n // 2 + 1), np.float32)
    power = np.empty_like(masks) if want_power else None
    for c0 in range(0, len(ends), chunk):
        e = ends[c0:c0 + chunk]
        X = np.abs(np.fft.rfft(frames(x, e, n) * win[:, None], axis=1))           # (J, F, C)
        R = np.abs(np.fft.rfft(frames(r, e, n) * win[:, None, None], axis=1))     # (J, F, C, K)
        for j in range(len(e)):
            masks[c0 + j] = fit.step(X[j], R[j])
        if want_power:
            power[c0:c0 + len(e)] = np.mean(X ** 2, axis=-1)
    return masks, power


# ----------------------------------------------------------------------------- candidates
# Each takes (x, r, rate) with x (T, C) and r (T, C, K) already lag-aligned, and returns the
# output (T, C) aligned with x (the latency taken out).

def pad(x, front, back):
    return np.concatenate([np.zeros((front,) + x.shape[1:]), x, np.zeros((back,) + x.shape[1:])])


def stft_apply(xp, ends, masks, wa, ws, out_len):
    """Overlap-add of ws * irfft(mask * rfft(wa * frame)) for frames ending at `ends`."""
    n = len(wa)
    y = np.zeros((out_len, xp.shape[1]))
    for c0 in range(0, len(ends), 256):
        e = ends[c0:c0 + 256]
        X = np.fft.rfft(frames(xp, e, n) * wa[:, None], axis=1)
        seg = np.fft.irfft(X * masks[c0:c0 + 256, :, None], n, axis=1) * ws[:, None]
        for j, ej in enumerate(e):
            y[ej - n:ej] += seg[j]
    return y


def stft_candidate(n, overlap=4):
    """Symmetric STFT (Mix at n = 4096): Hann analysis and synthesis, latency n - 1."""
    def run(x, r, rate):
        hop = n // overlap
        xp, rp = pad(x, n, n), pad(r, n, n)
        ends = np.arange(n, len(xp) + 1, hop)
        masks, _ = analyse(xp, rp, ends, hann(n), rate, hop)
        norm = np.sum(hann(n) ** 2) / hop
        return stft_apply(xp, ends, masks, hann(n), hann(n) / norm, len(xp))[n:n + len(x)]
    return run, n - 1


def pair_candidate(m, power=1.0, n=N_LONG):
    """Asymmetric pair: analysis falls over the last m samples, synthesis 2m, hop m."""
    wa = asym_window(n, m, power)
    ws = np.zeros(n)
    ws[n - 2 * m:] = hann(2 * m) / np.maximum(wa[n - 2 * m:], EPS)

    def run(x, r, rate):
        xp, rp = pad(x, n, n), pad(r, n, n)
        ends = np.arange(n, len(xp) + 1, m)
        masks, _ = analyse(xp, rp, ends, wa, rate, m)
        return stft_apply(xp, ends, masks, wa, ws, len(xp))[n:n + len(x)]
    return run, 2 * m - 1


def short_kernel(ls, n=N_LONG):
    """(ls//2+1, n//2+1) weights: the short window's power response around each short bin,
    sampled on the long bins (rows sum to 1 after the energy weighting)."""
    fine = n * ls // np.gcd(n, ls)            # a grid holding both bin spacings exactly
    resp = np.abs(np.fft.fft(np.sqrt(hann(ls)), fine)) ** 2
    f = np.arange(n // 2 + 1)[None, :] * (fine // n)
    k = np.arange(ls // 2 + 1)[:, None] * (fine // ls)
    return resp[(f - k) % fine]


def dual_candidate(ls, h, fall=None, stale=0):
    """Mask from the long causal analysis every h, applied through a short STFT of ls / 4x
    (sqrt-Hann pair); latency ls - 1."""
    wl = hann(N_LONG) if fall is None else asym_window(N_LONG, fall)
    kern = short_kernel(ls)

    def run(x, r, rate):
        hs = ls // 4
        xp, rp = pad(x, N_LONG, N_LONG), pad(r, N_LONG, N_LONG)
        long_ends = np.arange(N_LONG, len(xp) + 1, h)
        masks, power = analyse(xp, rp, long_ends, wl, rate, h, want_power=True)
        ends = np.arange(N_LONG, len(xp) + 1, hs)
        # the latest long frame ending no later than the short frame (less `stale`)
        j = np.clip(np.searchsorted(long_ends, ends - stale, side="right") - 1, 0, None)
        num = (masks * power)[j] @ kern.T
        den = power[j] @ kern.T
        ms = (num / np.maximum(den, EPS)).astype(np.float32)
        w = np.sqrt(hann(ls))
        norm = np.sum(hann(ls)) / hs
        return stft_apply(xp, ends, ms, w, w / norm, len(xp))[N_LONG:N_LONG + len(x)]
    return run, ls - 1


def mask_to_fir(masks, kind, taps, delay_d, nfft=8192, floor=1e-4):
    """Masks (J, F) on the long bins -> causal filters (J, taps + delay_d).
    minimum: minimum phase by the folded real cepstrum on nfft points, shifted by delay_d;
    complement: a delay minus the minimum-phase filter of 1 - mask (the removed part takes the
    phase error, the kept part passes nearly untouched);
    linear: the zero-phase response cut to delay_d samples ahead and `taps` behind;
    symmetric: the zero-phase response windowed to +-delay_d (linear phase, a smoothed mask)."""
    J, F = masks.shape
    n = 2 * (F - 1)
    fade = np.ones(taps)
    q = taps // 8
    fade[taps - q:] = hann(2 * q)[q:]
    out = np.zeros((J, taps + delay_d))
    if kind in ("minimum", "complement"):
        if kind == "complement":         # the removed part's filter, 1 - mask
            masks = 1.0 - masks
        grid = np.linspace(0, F - 1, nfft // 2 + 1)
        for c0 in range(0, J, 256):
            m = masks[c0:c0 + 256].astype(np.float64)
            mi = np.stack([np.interp(grid, np.arange(F), mm) for mm in m]) if nfft != n else m
            cep = np.fft.irfft(np.log(np.maximum(mi, floor)), nfft, axis=1)
            cep[:, 1:nfft // 2] *= 2
            cep[:, nfft // 2 + 1:] = 0
            hmin = np.fft.irfft(np.exp(np.fft.rfft(cep, nfft, axis=1)), nfft, axis=1)
            out[c0:c0 + 256, delay_d:] = hmin[:, :taps] * fade
        if kind == "complement":         # delta(n - delay_d) minus the removed part's filter
            out = -out
            out[:, delay_d] += 1.0
    elif kind == "symmetric":
        w = np.hanning(2 * delay_d + 1)
        out = np.zeros((J, 2 * delay_d + 1))
        for c0 in range(0, J, 256):
            h0 = np.fft.irfft(masks[c0:c0 + 256].astype(np.float64), n, axis=1)
            out[c0:c0 + 256] = np.roll(h0, delay_d, axis=1)[:, :2 * delay_d + 1] * w
    else:
        pre = hann(2 * delay_d)[:delay_d] if delay_d else np.zeros(0)
        for c0 in range(0, J, 256):
            h0 = np.fft.irfft(masks[c0:c0 + 256].astype(np.float64), n, axis=1)
            if delay_d:
                out[c0:c0 + 256, :delay_d] = h0[:, n - delay_d:] * pre
            out[c0:c0 + 256, delay_d:] = h0[:, :taps] * fade
    return out


def block_filter(xp, filters, starts, h, xfade):
    """z[n] = sum_k f_j[k] x[n - k] on [starts[j], starts[j] + h), crossfaded from f_{j-1}
    over the first `xfade` samples: what a partitioned convolution that swaps its filter at
    block edges outputs."""
    L = filters.shape[1]
    seg_len = h + xfade
    nfft = 1 << int(np.ceil(np.log2(L + seg_len - 1)))
    z = np.zeros_like(xp)
    ramp = (np.arange(xfade) + 0.5) / xfade
    prev_tail = None
    for c0 in range(0, len(starts), 128):
        s = starts[c0:c0 + 128]
        seg = xp[s[:, None] - L + 1 + np.arange(L + seg_len - 1)]                  # (J, len, C)
        Y = np.fft.rfft(seg, nfft, axis=1) * np.fft.rfft(filters[c0:c0 + 128], nfft, axis=1)[..., None]
        out = np.fft.irfft(Y, nfft, axis=1)[:, L - 1:L - 1 + seg_len]
        for j, sj in enumerate(s):
            cur = out[j, :h].copy()
            if prev_tail is not None and xfade:
                cur[:xfade] = (1 - ramp[:, None]) * prev_tail + ramp[:, None] * cur[:xfade]
            z[sj:sj + h] = cur
            prev_tail = out[j, h:]
    return z


def fir_candidate(kind, block, h, delay_d=0, taps=4096, fall=None, stale=0, nfft=8192):
    """Mask from the long causal analysis every h, as a causal filter (see mask_to_fir) by
    block convolution; latency block + delay_d."""
    wl = hann(N_LONG) if fall is None else asym_window(N_LONG, fall)

    def run(x, r, rate):
        front = N_LONG + taps + delay_d + h
        xp, rp = pad(x, front, N_LONG + h), pad(r, front, N_LONG + h)
        ends = np.arange(h * (N_LONG // h + 1), len(xp) - h + 1, h)
        masks, _ = analyse(xp, rp, ends, wl, rate, h)
        filt = mask_to_fir(masks, kind, taps, delay_d, nfft)
        taps_ = filt.shape[1] - delay_d
        # the filter of the frame ending at e serves the block ending at e + stale onwards
        starts = ends + stale - block
        keep = (starts - taps_ - delay_d >= 0) & (starts + 2 * h <= len(xp))
        z = block_filter(xp, filt[keep], starts[keep], h, block)
        return z[front + delay_d:front + delay_d + len(x)]
    return run, block + delay_d


def subtract_candidate(block, h, pre=64, taps=4096, stale=0, post=None):
    """AEC-style: the bleed path per reference as a complex least-squares transfer function per
    bin (same frames and forgetting as the magnitude fit: the target, uncorrelated with the
    reference, averages out), turned into a filter of `taps` (with `pre` samples before the
    lag) and applied to the reference by block convolution; the estimate is subtracted from
    the track, which passes with no phase change. `post`: a fir candidate's run applied to
    what is left (the residual suppressor). Latency block + pre (+ the post filter's)."""
    win = hann(N_LONG)
    fade = np.ones(taps)
    fade[taps - taps // 8:] = hann(taps // 4)[taps // 8:]

    def run(x, r, rate):
        T, C = x.shape
        K = r.shape[2]
        front = N_LONG + taps + h
        xp, rp = pad(x, front, N_LONG + h), pad(r, front, N_LONG + h)
        ends = np.arange(h * (N_LONG // h + 1), len(xp) - h + 1, h)
        lam = np.exp(-h / (ADAPT_S * rate))
        F = N_LONG // 2 + 1
        A = np.zeros((F, C, K, K), complex)
        b = np.zeros((F, C, K), complex)
        filt = np.zeros((len(ends), C, K, taps))
        for c0 in range(0, len(ends), 256):
            e = ends[c0:c0 + 256]
            X = np.fft.rfft(frames(xp, e, N_LONG) * win[:, None], axis=1)
            R = np.fft.rfft(frames(rp, e, N_LONG) * win[:, None, None], axis=1)
            for j in range(len(e)):
                Rj = R[j]
                A = lam * A + Rj[..., :, None] * np.conj(Rj[..., None, :])
                b = lam * b + np.conj(Rj) * X[j][..., None]
                reg = (1e-3 * np.trace(A, axis1=-2, axis2=-1).real[..., None, None] + EPS) * np.eye(K)
                Hb = np.linalg.solve(np.conj(A) + reg, b[..., None])[..., 0]             # (F, C, K)
                hb = np.fft.irfft(Hb, N_LONG, axis=0)                                    # (N, C, K)
                f = np.concatenate([hb[N_LONG - pre:], hb[:taps - pre]], 0) * fade[:, None, None]
                filt[c0 + j] = f.transpose(1, 2, 0)
        starts = ends + stale - block
        keep = (starts - taps >= 0) & (starts + 2 * h <= len(xp))
        y = np.zeros_like(xp)
        y[pre:] = xp[:-pre] if pre else xp
        for c in range(C):
            for k in range(K):
                y[:, c] -= block_filter(rp[:, c, k:k + 1], filt[keep, c, k], starts[keep], h, block)[:, 0]
        y = y[front + pre:front + pre + T]
        return y if post is None else post[0](y, r, rate)
    return run, block + pre + (post[1] - block if post else 0)


# ----------------------------------------------------------------------------- cost model
# Rough Rust cost per second of 48 kHz audio, stereo track + mono reference, calibrated on
# Residue's measured Mix engine (4096 / 4x: about 1.0 ms/s of transforms for 5 transforms per
# hop = 4.3 us per 4096-point real transform; about 0.5 ms/s for the per-bin model, 11 us per
# frame of 2049 bins). Complex multiply-adds at 0.4 ns (vectorised, in cache).

def fft_us(n):
    return 4.3 * (n * np.log2(n)) / (4096 * 12)


def cost_ms_per_s(cand, rate=48000, C=2, K=1):
    kind = cand["kind"]
    model = lambda n, hop: rate / hop * 11.0 * (n / 2 + 1) / 2049 * (C + C * K) / 3
    if kind in ("stft", "pair"):
        n, hop = cand["n"], cand["hop"]
        us = rate / hop * (C + C * K + C) * fft_us(n) + model(n, hop)
    elif kind == "dual":
        ls, h = cand["ls"], cand["h"]
        long_ = rate / h * (C + C * K) * fft_us(N_LONG) + model(N_LONG, h)
        short = rate / (ls / 4) * (2 * C * fft_us(ls) + (ls / 2 + 1) * 2 * 0.4e-3 * (N_LONG / ls))
        us = long_ + short
    elif kind == "fir":
        b, h, taps = cand["block"], cand["h"], cand["taps"] + cand.get("delay", 0)
        parts = int(np.ceil(taps / b))
        long_ = rate / h * (C + C * K) * fft_us(N_LONG) + model(N_LONG, h)
        # minimum phase: the cepstrum's two nfft-point transforms; linear: one inverse
        cep = 2 * fft_us(cand.get("nfft", 8192)) if cand.get("phase") == "minimum" else 0.0
        design = rate / h * (cep + fft_us(N_LONG) + parts * fft_us(2 * b))
        conv = rate / b * C * (2 * fft_us(2 * b) + parts * (b + 1) * 0.4e-3)
        xfade = rate / h * C * (2 * fft_us(2 * b) + parts * (b + 1) * 0.4e-3)
        us = long_ + design + conv + xfade
    elif kind == "sub":
        b, h, taps = cand["block"], cand["h"], cand["taps"]
        parts = int(np.ceil(taps / b))
        long_ = rate / h * (C + C * K) * fft_us(N_LONG) + 2 * model(N_LONG, h)
        design = rate / h * C * K * (fft_us(N_LONG) + parts * fft_us(2 * b))
        conv = rate / b * C * K * (2 * fft_us(2 * b) + parts * (b + 1) * 0.4e-3) * (1 + b / h)
        us = long_ + design + conv
        if cand.get("post"):
            us += cost_ms_per_s(cand["post"], rate, C, K) * 1000
    return us / 1000.0


# ----------------------------------------------------------------------------- driver

def candidates():
    """name -> (run, latency in samples at 44.1 kHz, cost description, latency reported to the
    host). At 48 kHz the same structure scales its block / window sizes by 48 / 44.1."""
    c = {}
    def add(name, made, desc, reported=None):
        c[name] = (made[0], made[1], desc, made[1] if reported is None else reported)
    add(MIX, stft_candidate(4096), dict(kind="stft", n=4096, hop=1024), reported=4095 + 1024)
    add("stft-512/4x", stft_candidate(512), dict(kind="stft", n=512, hop=128))
    add("stft-224/4x", stft_candidate(224), dict(kind="stft", n=224, hop=56))
    add("pair M=112", pair_candidate(112, 1.0), dict(kind="pair", n=4096, hop=112))
    add("pair M=112 sqrt (M&M)", pair_candidate(112, 0.5), dict(kind="pair", n=4096, hop=112))
    add("dual 224 H=112", dual_candidate(224, 112), dict(kind="dual", ls=224, h=112))
    add("dual 224 H=112 fall 512", dual_candidate(224, 112, fall=512), dict(kind="dual", ls=224, h=112))
    add("fir min B=128 H=256", fir_candidate("minimum", 128, 256), dict(kind="fir", block=128, h=256, taps=4096, phase="minimum"))
    add("fir compl B=128 H=256", fir_candidate("complement", 128, 256),
        dict(kind="fir", block=128, h=256, taps=4096, phase="minimum"))
    add("fir compl+D64 B=128 H=256", fir_candidate("complement", 128, 256, delay_d=64),
        dict(kind="fir", block=128, h=256, taps=4096, delay=64, phase="minimum"))
    add("fir sym D=200 B=32 H=256", fir_candidate("symmetric", 32, 256, delay_d=200),
        dict(kind="fir", block=32, h=256, taps=201, delay=200))
    for h in (128, 256, 512):
        add(f"fir lin D=169 B=64 H={h}", fir_candidate("linear", 64, h, delay_d=169, taps=2048),
            dict(kind="fir", block=64, h=h, taps=2048, delay=169))
    add("fir lin D=169 B=64 H=256 fall 512", fir_candidate("linear", 64, 256, delay_d=169, taps=2048, fall=512),
        dict(kind="fir", block=64, h=256, taps=2048, delay=169))
    for fall in (256, 1024):
        add(f"fir lin D=169 B=64 H=256 fall {fall}", fir_candidate("linear", 64, 256, delay_d=169, taps=2048, fall=fall),
            dict(kind="fir", block=64, h=256, taps=2048, delay=169))
        add(f"dual 224 H=112 fall {fall}", dual_candidate(224, 112, fall=fall), dict(kind="dual", ls=224, h=112))
    add("fir lin D=169 B=64 H=128 fall 512", fir_candidate("linear", 64, 128, delay_d=169, taps=2048, fall=512),
        dict(kind="fir", block=64, h=128, taps=2048, delay=169))
    add("fir lin D=169 B=64 H=512 fall 512", fir_candidate("linear", 64, 512, delay_d=169, taps=2048, fall=512),
        dict(kind="fir", block=64, h=512, taps=2048, delay=169))
    add("fir lin D=169 B=64 H=128 fall 256", fir_candidate("linear", 64, 128, delay_d=169, taps=2048, fall=256),
        dict(kind="fir", block=64, h=128, taps=2048, delay=169))
    add("fir lin D=169 B=64 H=256 fall 128", fir_candidate("linear", 64, 256, delay_d=169, taps=2048, fall=128),
        dict(kind="fir", block=64, h=256, taps=2048, delay=169))
    add("fir lin D=201 B=32 H=256 fall 256", fir_candidate("linear", 32, 256, delay_d=201, taps=2048, fall=256),
        dict(kind="fir", block=32, h=256, taps=2048, delay=201))
    add("fir lin D=169 B=64 H=256 fall 512 stale 256",
        fir_candidate("linear", 64, 256, delay_d=169, taps=2048, fall=512, stale=256),
        dict(kind="fir", block=64, h=256, taps=2048, delay=169))
    add("fir lin D=169 B=64 H=256 stale 256", fir_candidate("linear", 64, 256, delay_d=169, taps=2048, stale=256),
        dict(kind="fir", block=64, h=256, taps=2048, delay=169))
    add("sub B=64 H=256 pre 64", subtract_candidate(64, 256, pre=64), dict(kind="sub", block=64, h=256, taps=4096))
    post = fir_candidate("linear", 64, 256, delay_d=105, taps=2048)
    add("sub + fir lin D=105", subtract_candidate(64, 256, pre=64, post=post),
        dict(kind="sub", block=64, h=256, taps=4096,
             post=dict(kind="fir", block=64, h=256, taps=2048, delay=105)))
    return c


def global_sdr(target, est):
    return float(10 * np.log10(np.sum(target ** 2) / max(np.sum((target - est) ** 2), EPS)))


def score(sc, est):
    b = bss_eval(sc.target, sc.bleed, est, sc.mix, sc.rate)
    return {"bss": b["SDR"], "global": global_sdr(sc.target, est)}


def aligned_ref(sc, late=0):
    """The references as the engine uses them: late by `late` samples (a host's sidechain),
    then delayed by the lag the search would find on them (>= 0)."""
    T, C, K = sc.ref.shape
    out = np.zeros_like(sc.ref)
    for c in range(C):
        for k in range(K):
            shift = max(int(sc.lags[c, k]), late)   # late by L, lag found max(0, lag - L)
            out[:, c, k] = delay(sc.ref[:, c, k], shift)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drums", help="output folder of make_drum_scenarios.py")
    ap.add_argument("--only", help="comma-separated candidate names (substring match)")
    ap.add_argument("--late", default=f"{MIX};fir lin D=169 B=64 H=256",
                    help="candidates (;-separated names) also scored with the reference one "
                         "reported latency late")
    ap.add_argument("--json", help="write all scores here")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--table", nargs="+", metavar="JSON",
                    help="print the table from saved --json files (merged) and stop")
    args = ap.parse_args()
    if args.table:
        res = {}
        for path in args.table:
            for sc, rows in json.load(open(path)).items():
                res.setdefault(sc, {}).update(rows)
        print_table(res, candidates(), args.markdown)
        return
    scen = load(args.drums)
    cands = candidates()
    if args.only:
        keys = args.only.split(",")
        cands = {k: v for k, v in cands.items() if any(s in k for s in keys)}
    res = {}
    for sc in scen:
        res[sc.name] = {"synthetic": sc.name in [row[0] for row in SYNTHETIC]}
        base = score(sc, sc.mix)
        res[sc.name].update({"input": base, "lags": sc.lags.tolist()})
        r_al = aligned_ref(sc)
        for name, (run, _lat, _cost, reported) in cands.items():
            t0 = time.time()
            est = run(sc.mix, r_al, sc.rate)
            s = score(sc, est)
            res[sc.name][name] = s
            print(f"{sc.name[:28]:28s} {name:34s} bss {s['bss'] - base['bss']:+6.2f} "
                  f"global {s['global'] - base['global']:+6.2f}  ({time.time() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
            if name in args.late.split(";"):
                est = run(sc.mix, aligned_ref(sc, late=reported), sc.rate)
                s = score(sc, est)
                res[sc.name][name + " [late]"] = s
                print(f"{'':28s} {name + ' [late]':34s} bss {s['bss'] - base['bss']:+6.2f} "
                      f"global {s['global'] - base['global']:+6.2f}", file=sys.stderr, flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    print_table(res, cands, args.markdown)


def print_table(res, cands, markdown=False):
    """One row per candidate: BSS SDR change from the input per scenario, the means over the
    bundled (synthetic) scenarios, the drums and all, each against Mix, latency and cost."""
    names = list(res.keys())
    meta = ("input", "lags", "synthetic")
    rows = []
    for n in names:
        rows += [k for k in res[n] if k not in meta and k not in rows]
    synth = [n for n in names if res[n].get("synthetic", n in [r[0] for r in SYNTHETIC])]
    drums = [n for n in names if n not in synth]
    d = lambda n, row, m: res[n][row][m] - res[n]["input"][m] if row in res[n] else np.nan
    mean = lambda row, group, m="bss": float(np.mean([d(n, row, m) for n in group])) if group else np.nan
    short = [n.replace(" (drums)", "").split(",")[0] for n in names]
    hdr = (["candidate"] + short + ["mean synth", "vs mix", "mean drums", "vs mix", "mean all",
                                     "vs mix", "global all", "latency", "ms/s @48k"])
    out = []
    fmt = lambda cells: ("| " + " | ".join(cells) + " |") if markdown else "  ".join(cells)
    out.append(fmt(hdr))
    if markdown:
        out.append("|" + "---|" * len(hdr))
    for row in rows:
        base = row.replace(" [late]", "")
        cand = cands.get(base)
        lat = cand[3] if cand and row.endswith("[late]") else (cand[1] if cand else "")
        cost = f"{cost_ms_per_s(cand[2]):.1f}" if cand else ""
        cells = [row] + [f"{d(n, row, 'bss'):+.2f}" for n in names]
        for group in (synth, drums, names):
            cells += [f"{mean(row, group):+.2f}", f"{mean(row, group) - mean(MIX, group):+.2f}"]
        cells += [f"{mean(row, names, 'global'):+.2f}", f"{lat}", cost]
        out.append(fmt(cells))
    print("\n".join(out))


if __name__ == "__main__":
    main()
