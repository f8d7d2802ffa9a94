#!/usr/bin/env python3
"""Scores Residue against norbert's offline pipeline on the evaluation scenarios, synthetic and
real drums, and prints the tables.

    python3 scripts/evaluate.py [--renderer target/release/residue-render] [--markdown] [--json F] [--no-drums] [--mode mix|live]

Synthetic scenarios (ground truth in each folder): examples/vocal-bleed (sustained guitar into a
vocal, mono) and examples/scenarios/* (percussive drums into a piano in a live room; a stereo
keyboard into a stereo vocal pair with a 6 dB level step), made by scripts/make_example.py and
scripts/make_scenarios.py.

Drum scenarios: a real multi-microphone drum kit (MuldjordKit by Lars Muldjord (DrumGizmo),
CC-BY 4.0), a 10 s groove built hit by hit so that every microphone's bleed is real and its
ground truth exact; references are other drums' close mics as recorded (see
scripts/make_drum_scenarios.py). The kit is read from $RESIDUE_DRUMS, else
../shared/data/muldjordkit next to the project, and the scenarios are rendered into a temporary
folder. Without the kit the script names what is missing and where to get it, and fails:
the drums are part of the evaluation. `--no-drums` leaves them out, and says so.

Rows, all with Residue's default mask (FFT 4096 / 4x, alpha 1, Threshold 0.2, Slope 8), so they
differ only in the bleed model:
  input                the track as it is
  norbert              norbert 0.2.1 offline: scipy STFT, `contrib.residual_model` (autoscale
                       fitted over the whole file), `softmask`, logit compression, scipy iSTFT
                       (non-causal: it sees the whole file). With several references each is a
                       source model of its own (`residual_model` takes a source axis), but
                       norbert fits one gain per bin to their sum, not one per reference
  Residue, norbert's model   `residue-render --norbert-model`: causal, frame-local gain
  + lag                the reference delayed by the lag found (GCC-PHAT), one frame, plain least squares
  + lag + tail         and the fit over 3 reference frames (plain least squares)
  Residue (defaults)   `residue-render` as shipped: a cold start, as a fresh instance (the
                       removal warms up over the first Adaptation time, 4 s of these 10 s)
  Residue (defaults), learned first   `--learn-first`: the file played through once, then
                       rendered with what was learned, as a DAW bounce after a play-through
                       (like norbert, it has heard the whole file; unlike norbert, the render
                       itself is causal)
Every Residue row gets all the scenario's references (`--reference` repeated).

Measures, per row and scenario:
  SDR, SIR, SAR   BSS Eval v4 (museval): median over 1 s windows of the target's scores, dB,
                  on the two-source split (target, what was removed).
  bleed           how much of the bleed is left where the target is silent, dB: the energy of
                  the output over the energy of the true bleed, summed over the 20 ms frames in
                  which the true target is at least 20 dB below the true bleed (there one hears
                  bleed only). 0 dB: all of it left (the input); -10 dB: 90 % of its energy
                  gone. Floored at -120 dB. Whatever the output holds there counts, artefacts
                  too: a mask that moves under a loud hit smears the hit's transient up to a
                  window (93 ms) back into the silence before it (pre-echo), which shows here
                  when the bleed is far below the target (the snare mic).
  target          the level of the target kept where it plays, dB: 20 log10 of the projection
                  gain of the output onto the true target, <y, t> / <t, t>, over the 20 ms
                  frames in which the true target is within 30 dB of its loudest frame. The
                  projection is the part of the output that is the target, at its own timing
                  and colour (BSS Eval's target part without its distortion filter), so a cut
                  in level or spectrum, or a smeared transient, shows as a negative value;
                  bleed left in the output barely moves it (it is nearly orthogonal to the
                  target). The input row shows the measure's floor of error (about 0 dB).

Two-reference scenarios are also cleaned with each reference alone (same truth, so the other
drum's bleed counts as left): the second table gives the SDR with both and the change with
each alone.
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

import make_drum_scenarios as drums

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N, OVERLAP, ALPHA, THRESH, SLOPE = 4096, 4, 1.0, 0.2, 8.0  # Residue's defaults
FRAME_S = 0.02          # frames of the drum measures
SILENT_DB = 20.0        # the target this far below the bleed: a frame of bleed only
PLAYS_DB = 30.0         # the target within this of its loudest frame: a frame where it plays
MEASURES = ("SDR", "SIR", "SAR", "bleed", "target")

SYNTHETIC = [
    ("guitar into vocal", "examples/vocal-bleed", "vocal_mic", "guitar_mic", "truth_vocal", "truth_bleed"),
    ("drums into piano", "examples/scenarios/drums-into-piano", "mix", "reference", "truth_target", "truth_bleed"),
    ("stereo keys into vocal pair, +6 dB step", "examples/scenarios/keys-into-vocal-pair", "mix", "reference", "truth_target", "truth_bleed"),
]

RESIDUE_ROWS = [
    ("Residue, norbert's model", ["--norbert-model"]),
    ("+ lag", ["--tail", "1", "--plain-fit", "--target-image", "false"]),
    ("+ lag + tail", ["--tail", "3", "--plain-fit", "--target-image", "false"]),
    ("Residue (defaults)", []),
    ("Residue (defaults), learned first", ["--learn-first"]),
]
ALONE_ROWS = ["norbert", "Residue (defaults)", "Residue (defaults), learned first"]


def read(path):
    x, rate = sf.read(path, dtype="float64", always_2d=True)
    return x, rate


def synthetic_scenarios():
    """The bundled scenarios: [{name, kind, mix, references, labels, truth_target, truth_bleed}]."""
    out = []
    for name, folder, mix, ref, target, bleed in SYNTHETIC:
        path = lambda f: os.path.join(ROOT, folder, f + ".wav")
        out.append({"name": name, "kind": "synthetic", "mix": path(mix), "references": [path(ref)],
                    "labels": [ref], "truth_target": path(target), "truth_bleed": path(bleed)})
    return out


def drum_scenarios(kit, tmp):
    """The drum scenarios rendered from the kit into `tmp`; raises drums.KitMissing."""
    return [{"name": s["name"], "kind": "drums", "mix": s["mix"], "references": s["references"],
             "labels": s["reference_mics"], "truth_target": s["truth_target"], "truth_bleed": s["truth_bleed"]}
            for s in drums.make_all(kit, os.path.join(tmp, "drums"))]


def stft(x):
    return scipy.signal.stft(x, window="hann", nperseg=N, noverlap=N - N // OVERLAP)[2]


def norbert_pipeline(mix, refs):
    """norbert's residual model, whole file; one source model per reference, each with one
    model per mix channel (the matching reference channel, or the mono reference)."""
    import norbert
    from norbert import contrib

    channels = range(mix.shape[1])
    X = np.stack([stft(mix[:, c]) for c in channels], axis=-1).transpose(1, 0, 2)  # (frames, bins, C)
    models = []
    for ref in refs:
        R = np.stack([stft(ref[:, c if ref.shape[1] == mix.shape[1] else 0]) for c in channels], axis=-1).transpose(1, 0, 2)
        models.append(np.abs(R) ** ALPHA)
    v = contrib.residual_model(np.stack(models, axis=-1), X, alpha=ALPHA)  # 0.2.1: autoscale always on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        Y = norbert.softmask(v, X)                              # W·X per source, residual last
    W = np.abs(Y[..., -1]) / np.maximum(np.abs(X), np.finfo(np.float64).eps)
    out = contrib._logit(W, THRESH, SLOPE) * X
    _, y = scipy.signal.istft(out.transpose(2, 1, 0), window="hann", nperseg=N, noverlap=N - N // OVERLAP)
    return y[:, : mix.shape[0]].T


MODE = "mix"  # Residue's latency mode for every Residue row (`--mode`)


def residue(renderer, mix_path, ref_paths, flags, tmp):
    out = os.path.join(tmp, "out.wav")
    refs = [arg for path in ref_paths for arg in ("--reference", path)]
    cmd = [renderer, mix_path, *refs, "-o", out, "--force", "--format", "float32",
           "--fft", str(N), "--overlap", str(OVERLAP), "--threshold", str(THRESH), "--slope", str(SLOPE), "--mode", MODE, *flags]
    subprocess.run(cmd, check=True, capture_output=True)
    return read(out)[0]


def estimates(renderer, scenario, ref_paths, rows, tmp):
    """{row: output} for the named rows, cleaned with the references `ref_paths`."""
    mix = read(scenario["mix"])[0]
    flags = dict(RESIDUE_ROWS)
    out = {}
    for row in rows:
        if row == "input":
            out[row] = mix
        elif row == "norbert":
            out[row] = norbert_pipeline(mix, [read(p)[0] for p in ref_paths])
        else:
            out[row] = residue(renderer, scenario["mix"], ref_paths, flags[row], tmp)
    return out


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


def frame_energy(x, rate):
    """Energy per FRAME_S frame, summed over channels: (frames,), and the frame length."""
    hop = int(FRAME_S * rate)
    n = x.shape[0] // hop
    return np.sum(x[: n * hop].reshape(n, hop, -1) ** 2, axis=(1, 2)), hop


def frames_to_samples(mask, hop, length):
    return np.concatenate([np.repeat(mask, hop), np.zeros(length - len(mask) * hop, dtype=bool)])


def bleed_left(target, bleed, estimate, rate):
    """Output energy over true bleed energy where the target is silent, dB (module docstring)."""
    et, hop = frame_energy(target, rate)
    eb, _ = frame_energy(bleed, rate)
    silent = frames_to_samples(et * 10 ** (SILENT_DB / 10) < eb, hop, target.shape[0])
    b = np.sum(bleed[silent] ** 2)
    return float(10 * np.log10(max(np.sum(estimate[silent] ** 2), b * 1e-12) / b))


def target_kept(target, estimate, rate):
    """Projection gain of the output onto the true target where it plays, dB (module docstring)."""
    et, hop = frame_energy(target, rate)
    plays = frames_to_samples(et >= et.max() * 10 ** (-PLAYS_DB / 10), hop, target.shape[0])
    gain = np.sum(estimate[plays] * target[plays]) / np.sum(target[plays] ** 2)
    return float(20 * np.log10(max(gain, 1e-6)))


def score(scenario, outputs):
    """{row: {measure: dB}} for one scenario's outputs."""
    (mix, rate), target, bleed = read(scenario["mix"]), read(scenario["truth_target"])[0], read(scenario["truth_bleed"])[0]
    scores = {}
    for row, est in outputs.items():
        scores[row] = bss_eval(target, bleed, est, mix, rate)
        scores[row]["bleed"] = bleed_left(target, bleed, est, rate)
        scores[row]["target"] = target_kept(target, est, rate)
    return scores


def alone(renderer, scenario, both, tmp):
    """For a scenario with several references, each cleaned with one reference alone:
    {row: {"both": scores, LABEL + " alone": scores}}; `both` holds the scores with all of them."""
    runs = {"both": both}
    for label, path in zip(scenario["labels"], scenario["references"]):
        runs[f"{label} alone"] = score(scenario, estimates(renderer, scenario, [path], ALONE_ROWS, tmp))
    return {row: {run: runs[run][row] for run in runs} for row in ALONE_ROWS}


def mean(scores, names):
    rows = scores[names[0]].keys()
    return {row: {m: float(np.mean([scores[s][row][m] for s in names])) for m in MEASURES} for row in rows}


def load_scenarios(args, tmp):
    """The scenarios to score and what became of the drums ("scored" or why they were skipped)."""
    scenarios = synthetic_scenarios()
    if args.no_drums:
        return scenarios, "skipped (--no-drums)"
    try:
        return scenarios + drum_scenarios(args.kit, tmp), "scored"
    except drums.KitMissing as e:
        sys.exit(f"{e}\n  or pass --no-drums to score the synthetic scenarios only")


def print_table(table, columns, rows, cell, title, markdown):
    if markdown:
        print(f"\n{title}\n")
        print("| | " + " | ".join(columns) + " |")
        print("|---|" + "---|" * len(columns))
        for row in rows:
            print(f"| {row} | " + " | ".join(cell(table[c][row]) for c in columns) + " |")
    else:
        width = max(len(r) for r in rows)
        print(f"\n{title}")
        print(" " * width + "".join(f"  {c[:22]:>22}" for c in columns))
        for row in rows:
            print(row.ljust(width) + "".join(f"  {cell(table[c][row]):>22}" for c in columns))


def print_results(result, markdown):
    table = dict(result["scenarios"], **{f"mean ({k})": v for k, v in result["means"].items()})
    columns = list(table.keys())
    rows = list(next(iter(table.values())).keys())
    bss = lambda s: f"{s['SDR']:.1f} / {s['SIR']:.1f} / {s['SAR']:.1f}"
    level = lambda s: f"{s['bleed']:.1f} / {s['target']:+.1f}"
    print_table(table, columns, rows, bss, "target SDR / SIR / SAR, dB (BSS Eval v4, median over 1 s windows)", markdown)
    print_table(table, columns, rows, level, "bleed left where the target is silent / target kept where it plays, dB", markdown)
    for name, runs_by_row in result["alone"].items():
        runs = list(next(iter(runs_by_row.values())))
        change = lambda r: f"{r['both']['SDR']:.1f} / " + " / ".join(f"{r[run]['SDR'] - r['both']['SDR']:+.1f}" for run in runs[1:])
        print_table({name: runs_by_row}, [name], ALONE_ROWS, change,
                    f"SDR with both references, dB / its change with {' / '.join(runs[1:])}", markdown)
    print(f"\ndrum scenarios: {result['drums']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default=os.path.join(ROOT, "target", "release", "residue-render"))
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument("--json", help="also write the scores to this JSON file")
    parser.add_argument("--kit", default=drums.default_kit_dir(ROOT),
                        help=f"the drum kit's folder (default: ${drums.ENV}, else ../shared/data/muldjordkit)")
    parser.add_argument("--no-drums", action="store_true", help="leave out the drum scenarios (for a user without the kit)")
    parser.add_argument("--mode", choices=("mix", "live"), default="mix",
                        help="Residue's latency mode for its rows: mix (the STFT) or live (about 5 ms)")
    args = parser.parse_args()
    global MODE
    MODE = args.mode
    if not os.path.exists(args.renderer):
        sys.exit(f"{args.renderer} not found: cargo build --release --bin residue-render")
    rows = ["input", "norbert", *dict(RESIDUE_ROWS)]
    result = {"mode": args.mode, "scenarios": {}, "kinds": {}, "alone": {}}
    with tempfile.TemporaryDirectory() as tmp:
        scenarios, result["drums"] = load_scenarios(args, tmp)
        for s in scenarios:
            result["scenarios"][s["name"]] = score(s, estimates(args.renderer, s, s["references"], rows, tmp))
            result["kinds"][s["name"]] = s["kind"]
            if len(s["references"]) > 1:
                result["alone"][s["name"]] = alone(args.renderer, s, result["scenarios"][s["name"]], tmp)
            print(f"scored {s['name']}", file=sys.stderr)
    kinds = sorted(set(result["kinds"].values()), key=["synthetic", "drums"].index)
    result["means"] = {k: mean(result["scenarios"], [n for n, kind in result["kinds"].items() if kind == k]) for k in kinds}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print_results(result, args.markdown)


if __name__ == "__main__":
    main()
