#!/usr/bin/env python3
"""Scores Residue against norbert's offline pipeline on the evaluation scenarios with BSS Eval
(museval v4: median over 1 s windows of the target's SDR, SIR and SAR, dB), and prints one
table.

    python3 scripts/evaluate.py [--renderer target/release/residue-render] [--markdown] [--json F]

Scenarios (ground truth in each folder): examples/vocal-bleed (sustained guitar into a vocal,
mono) and examples/scenarios/* (percussive drums into a piano in a live room; a stereo
keyboard into a stereo vocal pair with a 6 dB level step), made by scripts/make_example.py and
scripts/make_scenarios.py.

Rows, all with Residue's default mask (FFT 4096 / 4x, alpha 1, Threshold 0.2, Slope 8), so they
differ only in the bleed model:
  input                the track as it is
  norbert              norbert 0.2.1 offline: scipy STFT, `contrib.residual_model` (autoscale
                       fitted over the whole file), `softmask`, logit compression, scipy iSTFT
                       (non-causal: it sees the whole file)
  Residue, norbert's model   `residue-render --norbert-model`: causal, frame-local gain
  + lag                the reference delayed by the lag found (GCC-PHAT), one frame, plain least squares
  + lag + tail         and the fit over 3 reference frames (plain least squares)
  Residue (defaults)   `residue-render` as shipped: a cold start, as a fresh instance (the
                       removal warms up over the first Adaptation time, 4 s of these 10 s)
  Residue (defaults), learned first   `--learn-first`: the file played through once, then
                       rendered with what was learned, as a DAW bounce after a play-through
                       (like norbert, it has heard the whole file; unlike norbert, the render
                       itself is causal)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import scipy.signal
import soundfile as sf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N, OVERLAP, ALPHA, THRESH, SLOPE = 4096, 4, 1.0, 0.2, 8.0  # Residue's defaults

SCENARIOS = [
    ("guitar into vocal", "examples/vocal-bleed", "vocal_mic", "guitar_mic", "truth_vocal", "truth_bleed"),
    ("drums into piano", "examples/scenarios/drums-into-piano", "mix", "reference", "truth_target", "truth_bleed"),
    ("stereo keys into vocal pair, +6 dB step", "examples/scenarios/keys-into-vocal-pair", "mix", "reference", "truth_target", "truth_bleed"),
]

RESIDUE_ROWS = [
    ("Residue, norbert's model", ["--norbert-model"]),
    ("+ lag", ["--tail", "1", "--plain-fit"]),
    ("+ lag + tail", ["--tail", "3", "--plain-fit"]),
    ("Residue (defaults)", []),
    ("Residue (defaults), learned first", ["--learn-first"]),
]


def read(path):
    x, rate = sf.read(path, dtype="float64", always_2d=True)
    return x, rate


def norbert_pipeline(mix, ref):
    """norbert's residual model, whole file; one reference model per mix channel (the matching
    reference channel, or the mono reference)."""
    import norbert
    from norbert import contrib

    hop = N // OVERLAP
    stft = lambda x: scipy.signal.stft(x, window="hann", nperseg=N, noverlap=N - hop)[2]
    X = np.stack([stft(mix[:, c]) for c in range(mix.shape[1])], axis=-1).transpose(1, 0, 2)  # (frames, bins, C)
    R = np.stack([stft(ref[:, c if ref.shape[1] == mix.shape[1] else 0]) for c in range(mix.shape[1])], axis=-1).transpose(1, 0, 2)
    vr = (np.abs(R) ** ALPHA)[..., None]                        # (frames, bins, C, 1)
    v = contrib.residual_model(vr, X, alpha=ALPHA)              # 0.2.1: autoscale always on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        Y = norbert.softmask(v, X)                              # W·X per source, residual last
    W = np.abs(Y[..., -1]) / np.maximum(np.abs(X), np.finfo(np.float64).eps)
    out = contrib._logit(W, THRESH, SLOPE) * X
    _, y = scipy.signal.istft(out.transpose(2, 1, 0), window="hann", nperseg=N, noverlap=N - hop)
    return y[:, : mix.shape[0]].T


def residue(renderer, mix_path, ref_path, flags, tmp):
    out = os.path.join(tmp, "out.wav")
    cmd = [renderer, mix_path, "--reference", ref_path, "-o", out, "--force", "--format", "float32",
           "--fft", str(N), "--overlap", str(OVERLAP), "--threshold", str(THRESH), "--slope", str(SLOPE), *flags]
    subprocess.run(cmd, check=True, capture_output=True)
    return read(out)[0]


def bss_eval(target, bleed, estimate, mix, rate):
    """museval v4 on the two-source split (target, what was removed); the target's medians."""
    import museval

    refs = np.stack([target, bleed])
    # A whisper of noise keeps "removed nothing" (the input row) a valid estimate for BSS Eval.
    removed = mix - estimate + 1e-9 * np.random.default_rng(0).standard_normal(mix.shape)
    ests = np.stack([estimate, removed])
    sdr, _isr, sir, sar = museval.evaluate(refs, ests, win=rate, hop=rate)
    med = lambda m: float(np.nanmedian(m[0]))
    return {"SDR": med(sdr), "SIR": med(sir), "SAR": med(sar)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default=os.path.join(ROOT, "target", "release", "residue-render"))
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", help="also write the scores to this JSON file")
    args = parser.parse_args()
    if not os.path.exists(args.renderer):
        sys.exit(f"{args.renderer} not found: cargo build --release --bin residue-render")
    scores = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder, mix_name, ref_name, target_name, bleed_name in SCENARIOS:
            path = lambda f: os.path.join(ROOT, folder, f + ".wav")
            (mix, rate), (ref, _) = read(path(mix_name)), read(path(ref_name))
            target, bleed = read(path(target_name))[0], read(path(bleed_name))[0]
            rows = {"input": mix, "norbert": norbert_pipeline(mix, ref)}
            for row, flags in RESIDUE_ROWS:
                rows[row] = residue(args.renderer, path(mix_name), path(ref_name), flags, tmp)
            scores[name] = {row: bss_eval(target, bleed, est, mix, rate) for row, est in rows.items()}
            print(f"scored {name}", file=sys.stderr)
    row_names = list(next(iter(scores.values())).keys())
    mean = {row: {m: float(np.mean([scores[s][row][m] for s in scores])) for m in ("SDR", "SIR", "SAR")} for row in row_names}
    table = dict(scores, mean=mean)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(table, f, indent=1)
    cols = list(table.keys())
    if args.markdown:
        print("| | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for row in row_names:
            cells = [f"{table[c][row]['SDR']:.1f} / {table[c][row]['SIR']:.1f} / {table[c][row]['SAR']:.1f}" for c in cols]
            print(f"| {row} | " + " | ".join(cells) + " |")
    else:
        width = max(len(r) for r in row_names)
        print("target SDR / SIR / SAR, dB (BSS Eval v4, median over 1 s windows)")
        print(" " * width + "".join(f"  {c[:24]:>24}" for c in cols))
        for row in row_names:
            print(row.ljust(width) + "".join(f"  {table[c][row]['SDR']:6.1f} {table[c][row]['SIR']:6.1f} {table[c][row]['SAR']:6.1f}   " for c in cols))


if __name__ == "__main__":
    main()
