#!/usr/bin/env python3
"""Makes evaluation scenarios from a real multi-microphone drum kit: MuldjordKit by Lars
Muldjord (DrumGizmo), CC-BY 4.0 (github.com/sfzinstruments/DrumGizmo.MuldjordKit).

    python3 scripts/make_drum_scenarios.py OUT_DIR [--kit DIR]

Every sample of the kit is one real hit recorded on all the kit's microphones at once, so a
performance built as a sum of hits has real bleed (real room, mic patterns and lags) and an
exact ground truth for every microphone: the target drum's part and each other drum's part.
The kit is an external data set: it is read from a path, and neither it nor anything rendered
from it belongs in the repository. The path is `--kit`, else $RESIDUE_DRUMS, else
`../shared/data/muldjordkit` next to the project; it holds the samples as
`samples/PIECE/N-PIECE-MIC.flac` or, in a clone of the public repository,
`DrumGizmo/MuldjordKit/Samples/PIECE/N-PIECE-MIC.flac` (N = velocity layer, higher is louder).

The performance: 4 bars of a rock groove at 96 BPM (10 s, 44.1 kHz, mono), humanised with a
fixed seed (timing ±3 ms, velocities ±0.05 and a random choice among neighbouring velocity
layers, so no two hits are the same sample): closed hi-hat eighths with accented downbeats and
a one-and-a-half-beat break, kick on 1 and 3 with pushes, snare backbeats with ghost notes, a
crash on bars 1 and 3, a tom fill at the end. Each scenario plays only its target drum and its
bleed drums; the track is the target's close mic, each reference another close mic exactly as
recorded (it carries its own bleed, the target's included, as a real sidechain does).

Each scenario folder holds, 32-bit float WAV at the levels as recorded:
  mix.wav                 the track to clean (target + bleed, as the track's mic heard them)
  reference_MIC.wav       the sidechain reference(s), one file per reference mic
  truth_target.wav        the target drum alone on the track's mic
  truth_bleed.wav         every other drum on the track's mic
  truth_bleed_PIECE.wav   one bleed drum alone on the track's mic (to score one reference alone)
  scenario.json           name, target, bleed pieces, reference files (in order)
"""
import argparse
import json
import os
import sys
from dataclasses import dataclass

import numpy as np
import soundfile as sf

RATE = 44100
SECONDS = 10.0
BPM = 96.0
SEED = 7
ENV = "RESIDUE_DRUMS"
SOURCE = "https://github.com/sfzinstruments/DrumGizmo.MuldjordKit (CC-BY 4.0)"
CREDIT = "MuldjordKit by Lars Muldjord (DrumGizmo), CC-BY 4.0"
LAYOUTS = ("samples", os.path.join("DrumGizmo", "MuldjordKit", "Samples"))


@dataclass(frozen=True)
class Scenario:
    """A track mic with one drum as the target and other drums as bleed; references are other
    close mics (in the order they are given to the renderer)."""
    slug: str
    name: str
    mic: str
    target: str
    bleed: tuple
    references: tuple


SCENARIOS = (
    Scenario("hihat-snare-kick", "hi-hat mic: snare + kick (drums)", "Hihat", "HihatClosed",
             ("Snare", "KdrumL"), ("Snare_top", "KdrumL")),
    Scenario("snare-hihat-kick", "snare mic: hi-hat + kick (drums)", "Snare_top", "Snare",
             ("HihatClosed", "KdrumL"), ("Hihat", "KdrumL")),
    Scenario("tom-snare-crash", "tom mic: snare + crash (drums)", "Tom1", "Tom1",
             ("Snare", "CrashL"), ("Snare_top", "OHL")),
    Scenario("hihat-snare", "hi-hat mic: snare (drums)", "Hihat", "HihatClosed",
             ("Snare",), ("Snare_top",)),
)


class KitMissing(Exception):
    """The kit (or a file a scenario needs) is not where it was looked for."""


def default_kit_dir(root):
    """$RESIDUE_DRUMS, else ../shared/data/muldjordkit next to the project root `root`."""
    return os.environ.get(ENV) or os.path.normpath(os.path.join(root, "..", "shared", "data", "muldjordkit"))


def missing_message(kit, what):
    """What is missing, where it was looked for and where to get it."""
    return (f"drum scenarios: {what}\n"
            f"  looked in {os.path.abspath(kit)} (set ${ENV} to the kit's folder to look elsewhere)\n"
            f"  expected  {os.path.join('samples', 'PIECE', 'N-PIECE-MIC.flac')} or, in a clone of the public repository,\n"
            f"            {os.path.join(LAYOUTS[1], 'PIECE', 'N-PIECE-MIC.flac')}\n"
            f"  pieces    {', '.join(sorted(_pieces()))}; mics {', '.join(sorted(_mics()))}\n"
            f"  get it    {SOURCE}; credit \"{CREDIT}\"")


def _pieces():
    return {p for s in SCENARIOS for p in (s.target, *s.bleed)}


def _mics():
    return {m for s in SCENARIOS for m in (s.mic, *s.references)}


class Kit:
    """The kit's samples: `hit(piece, layer, mic)` is one recorded hit as heard by one mic."""

    def __init__(self, kit_dir):
        folders = [os.path.join(kit_dir, layout) for layout in LAYOUTS]
        self.samples = next((f for f in folders if os.path.isdir(f)), None)
        if self.samples is None:
            raise KitMissing(missing_message(kit_dir, "no samples folder"))
        self.layers = {piece: self._count_layers(piece, kit_dir) for piece in sorted(_pieces())}
        self._cache = {}

    def _count_layers(self, piece, kit_dir):
        n = 0
        while all(os.path.exists(self._path(piece, n + 1, mic)) for mic in _mics()):
            n += 1
        if n == 0:
            raise KitMissing(missing_message(kit_dir, f"no complete hit of {piece} on every mic "
                                             f"(first: {self._path(piece, 1, sorted(_mics())[0])})"))
        return n

    def _path(self, piece, layer, mic):
        return os.path.join(self.samples, piece, f"{layer}-{piece}-{mic}.flac")

    def hit(self, piece, layer, mic):
        key = (piece, layer, mic)
        if key not in self._cache:
            x, rate = sf.read(self._path(piece, layer, mic), dtype="float64", always_2d=True)
            if rate != RATE:
                raise KitMissing(f"{self._path(piece, layer, mic)}: {rate} Hz, expected {RATE}")
            self._cache[key] = x[:, 0]
        return self._cache[key]


def groove(rng):
    """The performance: (piece, time s, velocity 0–1) for every hit, humanised with `rng`."""
    beat = 60.0 / BPM
    score = []
    for bar in range(4):
        b = 4 * bar
        fill = bar == 3
        for eighth in range(8):
            pos = b + eighth / 2
            hat_break = bar == 2 and eighth >= 5          # a break: the hats stop for 1.5 beats
            if not hat_break and not (fill and eighth >= 4):
                score.append(("HihatClosed", pos, 0.8 if eighth % 2 == 0 else 0.5))
        score += [("KdrumL", b, 0.95), ("KdrumL", b + 2, 0.9), ("KdrumL", b + 2.5, 0.7)]
        if bar % 2 == 1:
            score.append(("KdrumL", b + 3.75, 0.6))
        score += [("Snare", b + 1, 0.9), ("Snare", b + 1.75, 0.25), ("Snare", b + 3.25, 0.3)]
        if not fill:
            score.append(("Snare", b + 3, 0.95))
        if bar in (0, 2):
            score.append(("CrashL", b, 0.85))
    score += [("Snare", 14.5, 0.7), ("Tom1", 14.75, 0.8), ("Tom1", 15.0, 0.85), ("Tom1", 15.25, 0.75),
              ("Snare", 15.5, 0.8), ("Tom1", 15.75, 0.9)]
    score += [("Tom1", 6.5, 0.6)]                          # a lone tom accent in bar 2
    start = 0.05
    return [(piece, start + pos * beat + rng.normal(0, 0.003), float(np.clip(v + rng.normal(0, 0.05), 0.05, 1.0)))
            for piece, pos, v in score]


def layer_of(velocity, layers, rng):
    """The velocity layer for a hit: the nearest one, or a neighbour (as a sampler varies)."""
    nearest = 1 + int(round(velocity * (layers - 1)))
    return int(np.clip(nearest + rng.integers(-1, 2), 1, layers))


def assign_layers(hits, kit, rng):
    """(piece, start sample, layer) for every hit."""
    return [(piece, max(0, int(round(t * RATE))), layer_of(v, kit.layers[piece], rng)) for piece, t, v in hits]


def mic_parts(kit, hits, mic, pieces, n):
    """What `mic` hears of each piece in `pieces`: {piece: n samples}."""
    parts = {piece: np.zeros(n) for piece in pieces}
    for piece, start, layer in hits:
        if piece in parts and start < n:
            x = kit.hit(piece, layer, mic)[: n - start]
            parts[piece][start:start + len(x)] += x
    return parts


def build(scenario, kit, hits, n):
    """The scenario's signals: {file stem: samples}."""
    pieces = (scenario.target, *scenario.bleed)
    track = mic_parts(kit, hits, scenario.mic, pieces, n)
    target = track[scenario.target]
    bleed = sum(track[p] for p in scenario.bleed)
    files = {"mix": target + bleed, "truth_target": target, "truth_bleed": bleed}
    if len(scenario.bleed) > 1:
        files.update({f"truth_bleed_{p}": track[p] for p in scenario.bleed})
    for mic in scenario.references:
        files[f"reference_{mic}"] = sum(mic_parts(kit, hits, mic, pieces, n).values())
    return files


def write(scenario, files, out_dir):
    """Writes one scenario's folder; returns its description (paths absolute)."""
    folder = os.path.join(out_dir, scenario.slug)
    os.makedirs(folder, exist_ok=True)
    for stem, x in files.items():
        sf.write(os.path.join(folder, stem + ".wav"), x.astype(np.float32), RATE, subtype="FLOAT")
    path = lambda stem: os.path.join(folder, stem + ".wav")
    desc = {
        "name": scenario.name, "folder": folder, "mic": scenario.mic, "target": scenario.target,
        "bleed": list(scenario.bleed), "mix": path("mix"),
        "references": [path(f"reference_{m}") for m in scenario.references],
        "reference_mics": list(scenario.references),
        "truth_target": path("truth_target"), "truth_bleed": path("truth_bleed"),
        "truth_bleed_parts": {p: path(f"truth_bleed_{p}") for p in scenario.bleed if len(scenario.bleed) > 1},
    }
    with open(os.path.join(folder, "scenario.json"), "w") as f:
        json.dump(desc, f, indent=1)
    return desc


def make_all(kit_dir, out_dir):
    """Renders every scenario into `out_dir`; returns their descriptions. Raises KitMissing."""
    kit = Kit(kit_dir)
    rng = np.random.default_rng(SEED)
    hits = assign_layers(groove(rng), kit, rng)
    n = int(SECONDS * RATE)
    return [write(s, build(s, kit, hits, n), out_dir) for s in SCENARIOS]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="where to write the scenario folders (not inside the repository)")
    parser.add_argument("--kit", default=default_kit_dir(root), help=f"the kit's folder (default: ${ENV} or ../shared/data/muldjordkit)")
    args = parser.parse_args()
    try:
        scenarios = make_all(args.kit, args.out_dir)
    except KitMissing as e:
        sys.exit(str(e))
    for s in scenarios:
        t, b = sf.read(s["truth_target"])[0], sf.read(s["truth_bleed"])[0]
        ratio = 10 * np.log10(np.sum(b ** 2) / np.sum(t ** 2))
        print(f"wrote {s['folder']}: bleed {ratio:+.1f} dB relative to the target")


if __name__ == "__main__":
    main()
