#!/usr/bin/env python3
"""Reference vectors from norbert (PyPI 0.2.1) for the engine tests in tests/engine/.

    python3 tests/reference/make_vectors.py          # rewrites tests/data/norbert_*
    python3 tests/reference/make_vectors.py --check  # regenerates into a temporary folder and
                                                     # fails if the committed vectors differ

Writes:
  tests/data/norbert_frame.json   frame-local functions: residual, soft mask, logit compression
                                  (single channel and multichannel), on random inputs.
  tests/data/norbert_e2e_*.wav    a two-source signal (mixture, reference) and the output of the
                                  norbert offline pipeline: scipy STFT → residual_model → softmask
                                  → logit compression → scipy iSTFT, on the engine's frame grid.

Where norbert 0.2.1 cannot be called as documented, this script does what the code means and
says so (see ../shared seed notes, mirrored in crates/residue-dsp/src/model.rs):
  * `compress_filter` calls `np.finfo(W)` on an array and raises: `compress` below uses
    `np.finfo(W.dtype)`; its multichannel branch also divides by `trace(W)` where the gain is
    `trace(W)/C` (kept separately as `compress_seed_trace` so the test can pin the difference).
  * `softmask(logit=...)` raises: the mask is taken from `softmask` and compressed afterwards.
  * `residual_model` in 0.2.1 always returns gain-scaled source models but subtracts the
    *unscaled* sum: its residual is the "autoscale off" residual, which is what is compared.
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy.signal
import soundfile as sf
import norbert
from norbert import contrib

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def compress(W, thresh, slope):
    """norbert.contrib.compress_filter as meant: finfo of the dtype, gain = trace(W)/C."""
    eps = np.finfo(W.dtype).eps
    nb_channels = W.shape[-1]
    if nb_channels > 1:
        gains = np.trace(W, axis1=-2, axis2=-1) / nb_channels
        return W * (contrib._logit(gains, thresh, slope) / (eps + gains))[..., None, None]
    return contrib._logit(W, thresh, slope)


def compress_seed_trace(W, thresh, slope):
    """The seed's multichannel branch as written (only the finfo crash fixed)."""
    eps = np.finfo(W.dtype).eps
    gains = np.trace(W, axis1=-2, axis2=-1)
    return W * (contrib._logit(gains, thresh, slope) / (eps + gains))[..., None, None]


def unit_range(y, thresh, slope):
    """Residue's rescaling of the logistic so that 0 -> 0 and 1 -> 1."""
    lo = contrib._logit(np.float64(0.0), thresh, slope)
    hi = contrib._logit(np.float64(1.0), thresh, slope)
    return np.clip((y - lo) / (hi - lo), 0.0, 1.0)


def softmask_filter(v, x):
    """The soft mask norbert.softmask applies (it returns filter * x; the filter is needed)."""
    y = norbert.softmask(v, x)
    eps = np.finfo(np.real(x[0]).dtype).eps
    W = v / (eps + np.sum(v, axis=-1, keepdims=True))
    big = np.abs(x) > 1e-6
    assert np.allclose((y / np.where(big, x, 1)[..., None])[big], W[big], rtol=1e-10), "softmask formula"
    return W


def frame_vectors(rng):
    out = {}
    frames, bins = 3, 40
    # residual_model: mixture x (C=2), one mono source v; compared without autoscale.
    for alpha in (1.0, 2.0, 0.7):
        x = (rng.standard_normal((frames, bins, 2)) + 1j * rng.standard_normal((frames, bins, 2))) * 0.3
        v = np.abs(rng.standard_normal((frames, bins, 1, 1)) * 0.3) ** alpha
        res = contrib.residual_model(v, x, alpha=alpha)[..., -1]
        out[f"residual_alpha{alpha}"] = {
            "alpha": alpha,
            "x_re": x.real.ravel().tolist(), "x_im": x.imag.ravel().tolist(),
            "v": np.broadcast_to(v[..., 0], x.shape).ravel().tolist(),
            "expected": res.ravel().tolist(),
        }
    # soft mask of the target among [bleed, target]
    vb = np.abs(rng.standard_normal((frames, bins, 1))) + 1e-3
    vt = np.abs(rng.standard_normal((frames, bins, 1))) * np.linspace(0, 2, bins)[None, :, None]
    x = np.ones((frames, bins, 1), dtype=complex)
    W = softmask_filter(np.stack([vb, vt], axis=-1), x)
    out["softmask"] = {"bleed": vb.ravel().tolist(), "target": vt.ravel().tolist(), "expected": W[..., 1].ravel().tolist()}
    # logit compression, single channel
    w = np.linspace(0.0, 1.0, 101)
    for thresh, slope in ((0.6, 15.0), (0.4, 5.0), (0.2, 40.0)):
        raw = compress(w[:, None, None], thresh, slope)[:, 0, 0]
        out[f"logit_{thresh}_{slope}"] = {
            "thresh": thresh, "slope": slope, "w": w.tolist(),
            "raw": raw.tolist(), "unit": unit_range(raw, thresh, slope).tolist(),
        }
    # multichannel compression of diagonal 2x2 filters (Residue's filters are per-channel masks)
    m = rng.uniform(0, 1, (60, 2))
    m[:10, 1] = m[:10, 0]  # W = m·I
    Wd = np.zeros((60, 2, 2))
    Wd[:, 0, 0], Wd[:, 1, 1] = m[:, 0], m[:, 1]
    thresh, slope = 0.5, 10.0
    meant = compress(Wd, thresh, slope)
    seed = compress_seed_trace(Wd, thresh, slope)
    out["multichannel"] = {
        "thresh": thresh, "slope": slope,
        "m0": m[:, 0].tolist(), "m1": m[:, 1].tolist(),
        "raw0": meant[:, 0, 0].tolist(), "raw1": meant[:, 1, 1].tolist(),
        "seed0": seed[:, 0, 0].tolist(),
    }
    return out


def window(n, overlap):
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
    return np.sqrt(hann) if overlap == 2 else hann


def stft(x, w, hop):
    """scipy's STFT on the engine's frame grid: frame k ends at sample (k+1)·hop − 1."""
    n = len(w)
    padded = np.concatenate([np.zeros(n - hop), x, np.zeros(n)])
    _, _, Z = scipy.signal.stft(padded, window=w, nperseg=n, noverlap=n - hop, boundary=None,
                                padded=False, detrend=False, return_onesided=True)
    return Z.T  # (frames, bins)


def istft(Z, w, hop, length):
    n = len(w)
    # scipy warns (NOLA) about padded sample 0, where the periodic Hann window is 0 and only
    # one frame reaches: it lies in the discarded padding, every kept sample is fully covered.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, y = scipy.signal.istft(Z.T, window=w, nperseg=n, noverlap=n - hop, boundary=False, input_onesided=True)
    return y[n - hop:n - hop + length]


def pipeline(mix, ref, n, overlap, alpha, thresh, slope, link, unit):
    """norbert offline: mix (C, T), ref (T,) -> target (C, T)."""
    hop = n // overlap
    w = window(n, overlap)
    X = np.stack([stft(c, w, hop) for c in mix], axis=-1)            # (frames, bins, C)
    R = stft(ref, w, hop)[..., None, None]                            # (frames, bins, 1, 1)
    v = np.abs(R) ** alpha
    target = contrib.residual_model(v, X, alpha=alpha)[..., -1]      # autoscale off (see above)
    models = np.stack([np.broadcast_to(v[..., 0], X.shape), target], axis=-1)
    W = softmask_filter(models, X)[..., 1]                            # (frames, bins, C)
    C = X.shape[-1]
    if link and C > 1:
        D = np.zeros(W.shape + (C,))
        for c in range(C):
            D[..., c, c] = W[..., c]
        D = compress(D, thresh, slope)
        Wc = np.stack([D[..., c, c] for c in range(C)], axis=-1)
        if unit:  # Residue's multichannel gain uses the rescaled curve: L(g)/g with L rescaled
            g = W.mean(-1)
            factor = np.where(g > 0, unit_range(contrib._logit(g, thresh, slope), thresh, slope) / np.where(g > 0, g, 1), 0)
            Wc = np.clip(W * factor[..., None], 0, 1)
    else:
        Wc = compress(W[..., None, None], thresh, slope)[..., 0, 0]
        if unit:
            Wc = unit_range(Wc, thresh, slope)
    Y = Wc * X
    return np.stack([istft(Y[..., c], w, hop, mix.shape[1]) for c in range(C)])


def signals(rate, seconds, rng):
    t = np.arange(int(rate * seconds)) / rate
    # target: a voice-like harmonic tone with vibrato and syllable-rate envelope
    f0 = 180 * (1 + 0.02 * np.sin(2 * np.pi * 5.5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 12)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2)
    # bleed source: plucked notes (decaying harmonics) at other pitches
    guitar = np.zeros_like(t)
    for i, f in enumerate([110, 147, 196, 247, 330, 220]):
        start = int(i * 0.45 * rate)
        tt = t[: len(t) - start]
        note = sum(np.sin(2 * np.pi * f * k * tt + k) * np.exp(-tt * (2 + k)) / k for k in range(1, 10))
        guitar[start:] += note
    guitar += 0.01 * rng.standard_normal(len(t))
    # the bleed reaches the vocal mic a little later and duller (a short FIR)
    room = np.zeros(64)
    room[20], room[35], room[63] = 0.5, 0.2, 0.1
    bleed = scipy.signal.lfilter(room, [1.0], guitar)
    return 0.25 * voice, 0.3 * guitar, 0.3 * bleed


def write_all(DATA):
    rng = np.random.default_rng(20261124)
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, "norbert_frame.json"), "w") as f:
        json.dump(frame_vectors(rng), f)
    rate = 22050
    voice, guitar, bleed = signals(rate, 3.0, rng)
    mono = (voice + bleed)[None, :]
    stereo = np.stack([voice + bleed, 0.8 * voice + 1.2 * bleed])
    sf.write(os.path.join(DATA, "norbert_e2e_mix_mono.wav"), mono.T.astype(np.float32), rate, subtype="FLOAT")
    sf.write(os.path.join(DATA, "norbert_e2e_mix_stereo.wav"), stereo.T.astype(np.float32), rate, subtype="FLOAT")
    sf.write(os.path.join(DATA, "norbert_e2e_ref.wav"), guitar.astype(np.float32), rate, subtype="FLOAT")
    cases = {
        # name: (mix, window, overlap, alpha, thresh, slope, link, unit)
        "mono_raw": (mono, 2048, 4, 1.0, 0.5, 10.0, False, False),
        "mono_unit_power": (mono, 1024, 2, 2.0, 0.4, 6.0, False, True),
        "stereo_linked_unit": (stereo, 2048, 8, 1.0, 0.6, 15.0, True, True),
        "stereo_unlinked_raw": (stereo, 512, 4, 1.0, 0.3, 20.0, False, False),
    }
    meta = {}
    for name, (mix, n, overlap, alpha, thresh, slope, link, unit) in cases.items():
        y = pipeline(mix, guitar, n, overlap, alpha, thresh, slope, link, unit)
        sf.write(os.path.join(DATA, f"norbert_e2e_{name}.wav"), y.T.astype(np.float32), rate, subtype="FLOAT")
        meta[name] = {"mix": "stereo" if mix.shape[0] == 2 else "mono", "window": n, "overlap": overlap,
                      "alpha": alpha, "thresh": thresh, "slope": slope, "link": link, "unit": unit}
    with open(os.path.join(DATA, "norbert_e2e.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return sorted(f for f in os.listdir(DATA) if f.startswith("norbert_"))


def same(a, b):
    if a.endswith(".wav"):
        x, y = sf.read(a)[0], sf.read(b)[0]
        return x.shape == y.shape and np.max(np.abs(x - y), initial=0) <= 1e-6
    with open(a) as fa, open(b) as fb:
        ja, jb = json.load(fa), json.load(fb)
    flat = lambda j: np.array([v for k in sorted(j) for v in (j[k].values() if isinstance(j[k], dict) else [j[k]])
                               for v in (v if isinstance(v, list) else [v]) if isinstance(v, (int, float))])
    fa, fb = flat(ja), flat(jb)
    return fa.shape == fb.shape and np.allclose(fa, fb, rtol=1e-9, atol=1e-12)


def main():
    if "--check" in sys.argv:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            names = write_all(tmp)
            bad = [n for n in names if not os.path.exists(os.path.join(DATA, n)) or not same(os.path.join(tmp, n), os.path.join(DATA, n))]
        if bad:
            sys.exit(f"make_vectors.py --check: committed vectors differ from norbert's output: {bad}")
        print(f"make_vectors.py --check: {len(names)} committed vector files match norbert {norbert.__version__ if hasattr(norbert, '__version__') else ''}".rstrip())
        return
    print("wrote", write_all(DATA), file=sys.stderr)


if __name__ == "__main__":
    main()
