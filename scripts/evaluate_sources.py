#!/usr/bin/env python3
"""Two bleeding sources, two references: each alone, both in one stereo file taken as one
source (what a stereo sidechain carrying both was to Residue before the Sources parameter), and
both split into two sources (`residue-render --sources each`, the plugin's Sources: Each
Channel).

    python3 scripts/evaluate_sources.py [--renderer target/release/residue-render] [--json F]

Scenarios, 10 s at 44.1 kHz, built here from the bundled example's voice:
  guitar + kick into vocal   the bundled example (a nylon guitar into the vocal mic) with a
                             kick drum bleeding in as well (0.25, 5 ms, one reflection);
                             references: the guitar mic and the kick
  kick + hi-hat into vocal   the voice alone with a kick (0.3, 4 ms) and a hi-hat (0.12, 11 ms)
                             bleeding in; references: the kick and the hi-hat
  kick + hi-hat, stereo      a vocal pair, each drum reaching each mic at its own level and
                             lag; references: the kick and the hi-hat
The kick and hi-hat are synthetic (a pitch drop every half second; high-passed noise bursts
every eighth, accents on the beat), the same as `tests/hosts/test_sources.py` plays.

Scores: BSS Eval v4 (museval) SDR of the cleaned track, median over 1 s windows, dB, on the
two-source split (target, what was removed), as `scripts/evaluate.py` scores; Residue at its
defaults from a cold start (the removal warms up over the first 4 s).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
EXAMPLE = os.path.join(ROOT, "examples", "vocal-bleed")
RATE = 44100


def drums(n, rate=RATE):
    """(kick, hi-hat), float32, n samples: a pitch drop from 150 to 50 Hz every half second
    (0.15 s decay), and high-passed noise bursts every eighth of a second (40 ms, accents on the
    beat)."""
    t = np.arange(n) / rate
    since = np.mod(t, 0.5)
    freq = 50 + 100 * np.exp(-since / 0.03)
    kick = 0.5 * np.exp(-since / 0.15) * np.sin(2 * np.pi * np.cumsum(freq) / rate)
    noise = np.random.default_rng(7).uniform(-1, 1, n)
    high = np.concatenate([[0.0], np.diff(noise)]) / 2
    accent = np.where(np.floor(t / 0.125) % 4 == 0, 1.0, 0.55)
    hat = 0.5 * accent * np.exp(-np.mod(t, 0.125) / 0.04) * high
    return kick.astype(np.float32), hat.astype(np.float32)


def late(x, ms, rate=RATE):
    """`x` delayed by `ms`, same length."""
    d = int(round(ms * 1e-3 * rate))
    return np.concatenate([np.zeros(d, np.float32), x[: len(x) - d]]).astype(np.float32)


def path(x, gain, ms):
    """`x` as it bleeds into a mic: `gain`, `ms` late, one reflection 7 ms later at a third."""
    return gain * (late(x, ms) + late(x, ms + 7.0) / 3)


def scenarios():
    """[(name, track (channels, n), references [(label, (n,))], truth (channels, n))]."""
    read = lambda name: sf.read(os.path.join(EXAMPLE, name), dtype="float32")[0]
    vocal_mic, guitar, voice = read("vocal_mic.wav"), read("guitar_mic.wav"), read("truth_vocal.wav")
    kick, hat = drums(len(voice))
    pair = np.stack([voice, 0.75 * voice])
    return [
        ("guitar + kick into vocal", (vocal_mic + path(kick, 0.25, 5.0))[None], [("guitar", guitar), ("kick", kick)], voice[None]),
        ("kick + hi-hat into vocal", (voice + path(kick, 0.3, 4.0) + path(hat, 0.12, 11.0))[None], [("kick", kick), ("hi-hat", hat)], voice[None]),
        ("kick + hi-hat, stereo", np.stack([pair[0] + path(kick, 0.3, 4.0) + path(hat, 0.12, 11.0),
                                            pair[1] + path(kick, 0.2, 6.5) + path(hat, 0.2, 8.0)]), [("kick", kick), ("hi-hat", hat)], pair),
    ]


def render(renderer, track, refs, flags, tmp):
    """residue-render on a (channels, n) track with `refs` (each (channels, n)): (channels, n)."""
    mix, out = os.path.join(tmp, "mix.wav"), os.path.join(tmp, "out.wav")
    sf.write(mix, track.T, RATE, subtype="FLOAT")
    args = [renderer, mix, "-o", out, "--force", "--format", "float32", *flags]
    for i, r in enumerate(refs):
        p = os.path.join(tmp, f"ref{i}.wav")
        sf.write(p, np.atleast_2d(r).T, RATE, subtype="FLOAT")
        args += ["--reference", p]
    subprocess.run(args, check=True, capture_output=True)
    return sf.read(out, dtype="float32", always_2d=True)[0].T


def sdr(track, truth, estimate):
    """BSS Eval v4 SDR of the target, median over 1 s windows (mean over channels), dB."""
    import museval

    scores = []
    for c in range(track.shape[0]):
        refs = np.stack([truth[c], track[c] - truth[c]])[..., None]
        removed = track[c] - estimate[c] + 1e-9 * np.random.default_rng(0).standard_normal(track.shape[1])
        s, _, _, _ = museval.evaluate(refs, np.stack([estimate[c], removed])[..., None], win=RATE, hop=RATE)
        scores.append(float(np.nanmedian(s[0])))
    return float(np.mean(scores))


def evaluate(renderer):
    """{scenario: {row: SDR}}."""
    table = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, track, refs, truth in scenarios():
            (a, ra), (b, rb) = refs
            both = np.stack([ra, rb])
            rows = {
                "input": track,
                f"{a} alone": render(renderer, track, [ra], [], tmp),
                f"{b} alone": render(renderer, track, [rb], [], tmp),
                "one stereo source": render(renderer, track, [both], ["--sources", "one"], tmp),
                "two sources": render(renderer, track, [both], ["--sources", "each"], tmp),
            }
            table[name] = {row: sdr(track, truth, est) for row, est in rows.items()}
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default=os.path.join(ROOT, "target", "release", "residue-render"))
    parser.add_argument("--json", help="also write the scores to this JSON file")
    args = parser.parse_args()
    if not os.path.exists(args.renderer):
        sys.exit(f"{args.renderer} not found: cargo build --release --bin residue-render")
    table = evaluate(args.renderer)
    print("| SDR, dB (change from the input) | " + " | ".join(table) + " |")
    print("|---|" + "---|" * len(table))
    rows = ["input", "first reference alone", "second reference alone", "one stereo source", "two sources"]
    for i, row in enumerate(rows):
        cells = []
        for scores in table.values():
            name = list(scores)[i]
            value, base = scores[name], scores["input"]
            label = f"{name}: " if "alone" in name else ""
            cells.append(f"{label}{value:.1f}" if row == "input" else f"{label}{value:.1f} ({value - base:+.1f})")
        print(f"| {row} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(table, f, indent=1)


if __name__ == "__main__":
    main()
