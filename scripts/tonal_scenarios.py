#!/usr/bin/env python3
"""Tonal held-out scenarios for the benchmark (scripts/benchmark.py): a lead (a speaking voice
or a melodic instrument) on its own mic, a second source (an accompanying instrument or a drum
kit) bleeding into it through a room, and that source's own close mic as the reference (which
hears the lead faintly too). Everything is drawn from a seed: key, tempo, melody or text,
chords and their pattern, the room (reverberation time, the bleed's lag, level and tone), the
lead's level in the reference, and sometimes a level change of the bleed halfway through.

    python3 scripts/tonal_scenarios.py [--split dev|test] [--count N] [--write DIR]

Sources: espeak-ng (the voices) and fluidsynth with the TimGM6mb General MIDI soundfont (the
instruments), both from Debian: apt-get install espeak-ng fluidsynth timgm6mb-soundfont.
Nothing is kept in the repository; scenarios are rendered when scored.

The split, as the drum benchmark's: every (lead, bleed) pairing is either dev or test, fixed by
a shuffle of all pairings with a constant seed; dev scenarios take pairings from the dev half
and seeds from 5000 on, test scenarios from the test half and seeds from 6000 on.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_scenarios as ms  # noqa: E402  (room, synth and voice helpers)

RATE = ms.RATE
SECONDS = 10.0
SOUNDFONT = "/usr/share/sounds/sf2/TimGM6mb.sf2"
INSTALL = "apt-get install espeak-ng fluidsynth timgm6mb-soundfont"
# Leads: GM program and playable range (MIDI notes); "voice" is espeak-ng.
LEADS = {"voice": None, "voice2": None, "alto-sax": (65, 52, 76), "tenor-sax": (66, 46, 70), "trumpet": (56, 58, 80),
         "violin": (40, 57, 86), "flute": (73, 62, 91), "clarinet": (71, 52, 80), "cello": (42, 38, 67)}
# Bleeds: GM program and how it plays.
BLEEDS = {"nylon-guitar": (24, "strum"), "steel-guitar": (25, "strum"), "piano": (0, "arpeggio"), "e-piano": (4, "comp"),
          "organ": (16, "pad"), "strings": (48, "pad"), "bass": (32, "bass"), "drums": (None, "drums")}
SPLIT_SEED = 30
DEFAULT_COUNT = 16
SEED_BASE = {"dev": 5000, "test": 6000}
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}
TEXTS = [
    "The band plays in one room tonight, and every microphone hears every instrument a little.",
    "She sang the second verse softer, so the guitar in her microphone seemed louder than before.",
    "We recorded the whole song live, with the amplifiers turned toward the far wall.",
    "Nobody noticed the bleed until the mix, when the vocal track carried half of the keys.",
    "Turn the monitor down a little and try the last chorus once more from the top.",
    "The old church has a long echo, so the organ reaches every corner of the room.",
    "Move the stand a bit closer and keep the pop filter between you and the microphone.",
    "After the break the drummer came back in with the brushes instead of the sticks.",
]


class Missing(Exception):
    pass


def pairings():
    return [(lead, bleed) for lead in LEADS for bleed in BLEEDS]


def split():
    """{"dev": [pairing], "test": [pairing]}: half each, by a fixed shuffle."""
    every = pairings()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(every))
    every = [every[i] for i in order]
    half = len(every) // 2
    return {"dev": sorted(every[half:]), "test": sorted(every[:half])}


def scenarios(which, count):
    """The first `count` tonal scenarios of a split: [{slug, kind, lead, bleed, seed}]."""
    pool = list(split()[which])
    np.random.default_rng(SEED_BASE[which]).shuffle(pool)
    out = []
    for i in range(count):
        lead, bleed = pool[i % len(pool)]
        out.append({"slug": f"{which}-tonal{i:02d}-{bleed}-into-{lead}", "kind": "tonal", "lead": lead, "bleed": bleed,
                    "seed": SEED_BASE[which] + i})
    return out


def check_tools():
    missing = [t for t in ("espeak-ng", "fluidsynth") if not any(os.access(os.path.join(d, t), os.X_OK)
                                                                  for d in os.environ.get("PATH", "").split(os.pathsep))]
    if not os.path.exists(SOUNDFONT):
        missing.append(SOUNDFONT)
    if missing:
        raise Missing(f"tonal scenarios need {', '.join(missing)}: {INSTALL}")


def chords(rng, root, scale, bars):
    """A loop of four diatonic triads (MIDI notes), one per bar."""
    steps = SCALES[scale]
    degrees = [0] + list(rng.choice([1, 2, 3, 4, 5], size=3, replace=False))
    out = []
    for bar in range(bars):
        d = degrees[bar % 4]
        out.append([root + 12 * ((d + k) // 7) + steps[(d + k) % 7] for k in (0, 2, 4)])
    return out


def accompaniment(rng, style, progression, beats_per_bar=4):
    """(beat, channel, note, velocity, beats) events of the bleed source."""
    ev = []
    for bar, triad in enumerate(progression):
        b = bar * beats_per_bar
        if style == "strum":
            patterns = [[0, 1, 2, 3], [0, 1.5, 2, 3], [0, 0.5, 1.5, 2.5, 3]]
            pattern = patterns[int(rng.integers(len(patterns)))]
            for at in pattern:
                voicing = [triad[0] - 12] + triad + [triad[0] + 12]
                for k, note in enumerate(voicing):
                    ev.append((b + at + 0.02 * k, 0, note, int(rng.integers(70, 100)), 0.9))
        elif style == "arpeggio":
            notes = [triad[0] - 12] + triad + [triad[1] + 12, triad[2], triad[1], triad[0]]
            for k, note in enumerate(notes):
                ev.append((b + 0.5 * k, 0, note, int(rng.integers(60, 90)), 0.6))
        elif style == "comp":
            for at in (0, 1.5, 2.5):
                for note in triad:
                    ev.append((b + at, 0, note, int(rng.integers(65, 95)), 0.8))
        elif style == "pad":
            for note in [triad[0] - 12] + triad:
                ev.append((b, 0, note, 80, beats_per_bar - 0.05))
        elif style == "bass":
            for at, note in zip((0, 1, 2, 3), (triad[0] - 24, triad[0] - 24, triad[2] - 24, triad[1] - 24)):
                ev.append((b + at, 0, note, int(rng.integers(80, 110)), 0.9))
        elif style == "drums":
            for beat in range(beats_per_bar):
                ev.append((b + beat, 9, 42, int(rng.integers(60, 85)), 0.3))
                ev.append((b + beat + 0.5, 9, 42, int(rng.integers(45, 65)), 0.3))
            ev += [(b, 9, 36, 110, 0.4), (b + 2.5, 9, 36, 95, 0.4), (b + 1, 9, 38, 112, 0.4), (b + 3, 9, 38, 110, 0.4)]
            if bar % 4 == 3:
                ev.append((b + 3.5, 9, 46, 90, 0.4))
    return ev


def melody(rng, program_range, scale, bars, rest_bar):
    """A lead line: a random walk on the scale, 0.5–2 beats a note, a bar of rest."""
    _, low, high = program_range
    root = int(rng.integers(low + 2, high - 12))
    steps = SCALES[scale]
    ev, degree, beat = [], 0, 0.0
    while beat < bars * 4:
        length = float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0]))
        if int(beat // 4) == rest_bar or rng.random() < 0.12:
            beat += length
            continue
        degree = int(np.clip(degree + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), -3, 10))
        note = root + 12 * (degree // 7) + steps[degree % 7]
        ev.append((beat, 0, int(np.clip(note, low, high)), int(rng.integers(70, 105)), length * 0.95))
        beat += length
    return ev, root


def lead_voice(tmp, rng, n, rest_at):
    """Two sentences by one espeak-ng voice with a pause between them at `rest_at` seconds."""
    variant = f"en-us+{rng.choice(['m1', 'm2', 'm3', 'm4', 'm7', 'f1', 'f2', 'f3', 'f4'])}"
    speed, pitch = int(rng.integers(125, 165)), int(rng.integers(30, 70))
    first, second = rng.choice(len(TEXTS), size=2, replace=False)
    a = ms.voice(tmp, TEXTS[first], variant, speed=speed, pitch=pitch)
    b = ms.voice(tmp, TEXTS[second], variant, speed=speed, pitch=pitch)
    start = int(0.3 * RATE)
    x = np.zeros(n)
    a = a[: max(0, int(rest_at * RATE) - start)]
    x[start:start + len(a)] = a
    at = int((rest_at + 1.0) * RATE)
    b = b[: max(0, n - at)]
    x[at:at + len(b)] = b
    return x


def build(sc, tmp):
    """{"mix", "target", "bleed", "refs": {"reference": x}} of one scenario (mono, RATE)."""
    check_tools()
    ms.SOUNDFONT = SOUNDFONT
    rng = np.random.default_rng(sc["seed"])
    n = int(SECONDS * RATE)
    bpm = float(rng.integers(72, 132))
    bars = int(np.ceil(SECONDS * bpm / 60 / 4)) + 1
    scale = str(rng.choice(list(SCALES)))
    rest_bar = int(rng.integers(1, bars - 1))
    program, style = BLEEDS[sc["bleed"]]
    key = int(rng.integers(0, 12))
    progression = chords(rng, 48 + key if style != "bass" else 52 + key, scale, bars)
    acc = accompaniment(rng, style, progression)
    programs = {9: (0, 64)} if style == "drums" else {0: (program, 64)}
    work = os.path.join(tmp, sc["slug"])
    os.makedirs(work, exist_ok=True)
    source = ms.fit(ms.synth(work, "bleed", acc, programs, bpm), n)
    if LEADS[sc["lead"]] is None:
        lead = lead_voice(work, rng, n, rest_bar * 4 * 60 / bpm)
    else:
        ev, _ = melody(rng, LEADS[sc["lead"]], scale, bars, rest_bar)
        lead = ms.fit(ms.synth(work, "lead", ev, {0: (LEADS[sc["lead"]][0], 64)}, bpm), n)
    if not (np.any(lead) and np.any(source)):
        raise RuntimeError(f"{sc['slug']}: a source rendered silent")
    lead *= 0.4 / np.max(np.abs(lead))
    source *= 0.6 / np.max(np.abs(source))
    rt60 = float(rng.uniform(0.25, 1.0))
    reflections = [(float(rng.uniform(0.002, 0.02)), float(rng.uniform(0.2, 0.5))) for _ in range(int(rng.integers(1, 4)))]
    to_track = ms.room(float(rng.uniform(0.002, 0.014)), 0.0, rt60, rng, cutoff=float(rng.uniform(3500, 9000)),
                       reflections=reflections, drr_db=float(rng.uniform(-4.0, 4.0)))
    own_lead = ms.room(0.0, 0.0, float(rng.uniform(0.2, 0.4)), rng, cutoff=11000, drr_db=float(rng.uniform(8.0, 12.0)))
    own_source = ms.room(0.0, 0.0, float(rng.uniform(0.2, 0.4)), rng, cutoff=12000, drr_db=float(rng.uniform(8.0, 12.0)))
    lead_in_ref = ms.room(float(rng.uniform(0.002, 0.012)), 0.0, rt60, rng, cutoff=float(rng.uniform(3000, 6000)),
                          drr_db=float(rng.uniform(-4.0, 2.0)))
    target = ms.conv(own_lead, lead)
    bleed = ms.level(ms.conv(to_track, source), target, float(rng.uniform(-12.0, -2.0)))
    if rng.random() < 0.3:  # the player or the amp gets louder halfway (the reference does not)
        bleed *= np.where(np.arange(n) < n // 2, 1.0, 10 ** (float(rng.uniform(3.0, 6.0)) / 20))
    own = ms.conv(own_source, source)
    reference = own + ms.level(ms.conv(lead_in_ref, lead), own, float(rng.uniform(-30.0, -15.0)))
    noise = lambda: 1e-4 * rng.standard_normal(n)
    return {"mix": target + bleed + noise(), "target": target, "bleed": bleed, "refs": {"reference": reference + noise()}}, bpm


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--write", help="write each scenario's mix, reference and truths into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for sc in scenarios(args.split, args.count):
            sig, bpm = build(sc, tmp)
            ratio = 10 * np.log10(np.sum(sig["bleed"] ** 2) / np.sum(sig["target"] ** 2))
            print(f"{sc['slug']} (seed {sc['seed']}): {bpm:.0f} BPM, bleed {ratio:+.1f} dB")
            if args.write:
                folder = os.path.join(args.write, sc["slug"])
                os.makedirs(folder, exist_ok=True)
                for name, x in [("mix", sig["mix"]), ("reference", sig["refs"]["reference"]), ("truth_target", sig["target"]),
                                ("truth_bleed", sig["bleed"])]:
                    sf.write(os.path.join(folder, name + ".wav"), x.astype(np.float32), RATE, subtype="FLOAT")


if __name__ == "__main__":
    main()
