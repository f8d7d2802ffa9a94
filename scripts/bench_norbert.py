#!/usr/bin/env python3
"""Residue's renderer against the norbert offline pipeline, on the same 3-minute stereo file.

    python3 scripts/bench_norbert.py [--runs 3] [--renderer target/release/residue-render]

The file is made from the bundled example (examples/vocal-bleed), tiled to 3 minutes: a
stereo track (the vocal mic, its right channel delayed by 7 samples and 1 dB quieter) and the
mono guitar reference, 44.1 kHz, in a temporary folder.

Both sides do the same job, file to file, at FFT 4096 / 4x, alpha 1, Threshold 0.2, Slope 15:
  norbert: read the WAVs (soundfile), scipy STFT, `norbert.contrib.residual_model` (its
           autoscale is always on in 0.2.1), `norbert.softmask`, the logit compression (norbert's `_logit`;
           `compress_filter` itself raises on arrays in 0.2.1), scipy iSTFT, write the WAV.
  Residue: `residue-render` with its defaults (causal, running autoscale, 60 ms smoothing).
Wall-clock, median of --runs, measured in this one run; the ratio is what is reported.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy.signal
import soundfile as sf
import norbert
from norbert import contrib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "vocal-bleed")
SECONDS = 180
N, OVERLAP, ALPHA, THRESH, SLOPE = 4096, 4, 1.0, 0.2, 15.0


def make_inputs(folder):
    vocal, rate = sf.read(os.path.join(EXAMPLE, "vocal_mic.wav"), dtype="float32", always_2d=True)
    guitar, _ = sf.read(os.path.join(EXAMPLE, "guitar_mic.wav"), dtype="float32", always_2d=True)
    length = SECONDS * rate
    tile = lambda x: np.resize(x[:, 0], length)
    left = tile(vocal)
    right = np.concatenate([np.zeros(7, np.float32), left[:-7]]) * np.float32(10 ** (-1 / 20))
    mix, ref = os.path.join(folder, "mix.wav"), os.path.join(folder, "ref.wav")
    sf.write(mix, np.stack([left, right], axis=1), rate, subtype="FLOAT")
    sf.write(ref, tile(guitar), rate, subtype="FLOAT")
    return mix, ref, rate


def norbert_pipeline(mix_path, ref_path, out_path):
    mix, rate = sf.read(mix_path, dtype="float32", always_2d=True)
    ref, _ = sf.read(ref_path, dtype="float32")
    hop = N // OVERLAP
    stft = lambda x: scipy.signal.stft(x, window="hann", nperseg=N, noverlap=N - hop)[2]
    X = np.stack([stft(mix[:, c]) for c in range(mix.shape[1])], axis=-1).transpose(1, 0, 2)  # (frames, bins, C)
    R = stft(ref).T[..., None, None]                                                           # (frames, bins, 1, 1)
    vr = np.broadcast_to(np.abs(R) ** ALPHA, X.shape + (1,)).copy()                           # one model per channel
    v = contrib.residual_model(vr, X, alpha=ALPHA)                # 0.2.1: autoscale always on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        Y = norbert.softmask(v, X)                               # (frames, bins, C, sources): W·X
    W = np.abs(Y[..., -1]) / np.maximum(np.abs(X), np.finfo(np.float32).eps)
    Wc = contrib._logit(W, THRESH, SLOPE)
    out = Wc * X
    _, y = scipy.signal.istft(out.transpose(2, 1, 0), window="hann", nperseg=N, noverlap=N - hop)
    sf.write(out_path, y[:, : mix.shape[0]].T.astype(np.float32), rate, subtype="FLOAT")


def timed(job, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--renderer", default=os.path.join(ROOT, "target", "release", "residue-render"))
    args = parser.parse_args()
    if not os.access(args.renderer, os.X_OK):
        sys.exit(f"bench_norbert.py: {args.renderer} is missing; build it with `cargo build --release --bin residue-render`")
    with tempfile.TemporaryDirectory() as folder:
        mix, ref, rate = make_inputs(folder)
        ours = os.path.join(folder, "residue.wav")
        theirs = os.path.join(folder, "norbert.wav")
        render = [args.renderer, mix, "--reference", ref, "-o", ours, "--force"]
        t_residue = timed(lambda: subprocess.run(render, check=True, stdout=subprocess.DEVNULL), args.runs)
        t_norbert = timed(lambda: norbert_pipeline(mix, ref, theirs), args.runs)
        for path in (ours, theirs):
            info = sf.info(path)
            if info.frames != SECONDS * rate or info.channels != 2:
                sys.exit(f"bench_norbert.py: {os.path.basename(path)} has {info.frames} frames × {info.channels} channels")
    print(f"{SECONDS} s stereo track + mono reference, {rate} Hz, FFT {N} / {OVERLAP}x, file to file, median of {args.runs}")
    print(f"| pipeline | seconds | × real time |")
    print(f"|---|---:|---:|")
    print(f"| norbert (numpy/scipy, offline) | {t_norbert:.2f} | {SECONDS / t_norbert:.0f} |")
    print(f"| residue-render | {t_residue:.2f} | {SECONDS / t_residue:.0f} |")
    print(f"residue-render is {t_norbert / t_residue:.1f}x faster than the norbert pipeline")


if __name__ == "__main__":
    main()
