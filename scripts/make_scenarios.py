#!/usr/bin/env python3
"""Makes the evaluation scenarios in examples/scenarios/ (the bundled example in
examples/vocal-bleed/ is the first scenario; see scripts/make_example.py).

    apt-get install espeak-ng fluidsynth fluid-soundfont-gm && pip install numpy scipy soundfile mido
    python3 scripts/make_scenarios.py

Each folder holds, 44.1 kHz 16-bit:
  mix.wav           the track to clean (the target plus the bleed, as its mic hears them)
  reference.wav     the sidechain: the bleeding source's own mic or DI
  truth_target.wav  the track's target alone (what a perfect clean-up gives)
  truth_bleed.wav   the track's bleed alone (what a perfect clean-up removes)

drums-into-piano   percussive: a drum kit (mono overhead as reference) bleeding into a piano
                   mic in a live room: 11 ms late, 14 dB down, RT60 0.8 s, with early
                   reflections. The piano leaks into the overhead.
keys-into-vocal-pair
                   stereo: a stereo keyboard (its stereo DI as reference, left hand panned
                   left, right hand right) bleeding into a stereo pair on a singer; each mic
                   hears its side 6 / 9 ms late and the other side 10 dB further down, RT60
                   0.5 s; halfway through the keyboard amp goes up 6 dB (the DI does not).
"""
import os
import subprocess
import sys
import tempfile

import mido
import numpy as np
import scipy.signal
import soundfile as sf

RATE = 44100
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "scenarios")
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"


def run(cmd):
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except FileNotFoundError:
        sys.exit(f"make_scenarios.py: '{cmd[0]}' not found: apt-get install espeak-ng fluidsynth fluid-soundfont-gm")


def voice(tmp, text, voice_name, speed=140, pitch=50):
    path = os.path.join(tmp, "voice.wav")
    run(["espeak-ng", "-v", voice_name, "-s", str(speed), "-p", str(pitch), "-w", path, text])
    x, rate = sf.read(path, dtype="float64")
    return scipy.signal.resample_poly(x, RATE, rate)


def synth(tmp, name, events, programs, bpm, stereo=False):
    """Renders (beat, channel, note, velocity, beats) events with FluidR3; `programs` per channel,
    optionally with a pan per channel: {channel: (program, pan 0..127)}."""
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    for ch, (program, pan) in programs.items():
        if ch != 9:
            track.append(mido.Message("program_change", channel=ch, program=program, time=0))
        track.append(mido.Message("control_change", channel=ch, control=10, value=pan, time=0))
        track.append(mido.Message("control_change", channel=ch, control=91, value=0, time=0))  # no reverb
        track.append(mido.Message("control_change", channel=ch, control=93, value=0, time=0))  # no chorus
    msgs = []
    for beat, ch, note, vel, length in events:
        msgs.append((int(beat * 480), 1, ch, note, vel))
        msgs.append((int((beat + length) * 480), 0, ch, note, 0))
    msgs.sort(key=lambda m: (m[0], m[1]))
    last = 0
    for when, on, ch, note, vel in msgs:
        track.append(mido.Message("note_on" if on else "note_off", channel=ch, note=note, velocity=vel, time=when - last))
        last = when
    midi_path = os.path.join(tmp, name + ".mid")
    mid.save(midi_path)
    wav = os.path.join(tmp, name + ".wav")
    run(["fluidsynth", "-ni", "-g", "0.5", "-r", str(RATE), "-F", wav, SOUNDFONT, midi_path])
    x, rate = sf.read(wav, dtype="float64")
    assert rate == RATE
    return x if stereo else x.mean(axis=1)


def room(delay_s, gain_db, rt60, rng, cutoff=5000, reflections=(), drr_db=0.0):
    """Direct sound (delayed, low-passed), a few early reflections (delay s, gain), and an
    exponentially decaying diffuse tail `drr_db` below the direct sound in energy."""
    n = int(RATE * (delay_s + rt60))
    h = np.zeros(n)
    d = int(RATE * delay_s)
    h[d] = 1.0
    for extra, g in reflections:
        h[d + int(extra * RATE)] += g
    t = np.arange(n - d) / RATE
    tail = rng.standard_normal(n - d) * np.exp(-6.91 * t / rt60)
    tail[: int(0.008 * RATE)] = 0
    tail *= np.sqrt(10 ** (-drr_db / 10) / np.sum(tail ** 2))
    h[d:] += tail
    b, a = scipy.signal.butter(2, cutoff / (RATE / 2))
    return scipy.signal.lfilter(b, a, h) * 10 ** (gain_db / 20)


def fit(x, n):
    pad = [(0, max(0, n - len(x)))] + [(0, 0)] * (x.ndim - 1)
    return np.pad(x, pad)[:n]


def conv(h, x):
    return scipy.signal.fftconvolve(x, h)[: len(x)]


def level(x, y, db):
    """`x` scaled to `db` dB relative to `y` in energy."""
    return x * np.sqrt(10 ** (db / 10) * np.sum(y ** 2) / np.sum(x ** 2))


def write(folder, files, peak=0.7):
    os.makedirs(folder, exist_ok=True)
    scale = peak / max(np.max(np.abs(files["mix"])), np.max(np.abs(files["reference"])))
    for name, x in files.items():
        sf.write(os.path.join(folder, name + ".wav"), x * scale, RATE, subtype="PCM_16")
    target, bleed = files["truth_target"], files["truth_bleed"]
    ratio = 10 * np.log10(np.sum(bleed ** 2) / np.sum(target ** 2))
    print(f"wrote {folder}: {len(target) / RATE:.1f} s, bleed {ratio:+.1f} dB relative to the target")


def drums_into_piano(tmp, rng):
    seconds, bpm = 10.0, 100
    n = int(seconds * RATE)
    drums = []
    for bar in range(5):
        b = bar * 4
        for beat in range(4):
            drums.append((b + beat, 9, 42, 70 + 10 * (beat % 2), 0.4))          # closed hat
            drums.append((b + beat + 0.5, 9, 42, 55, 0.4))
        drums += [(b, 9, 36, 110, 0.5), (b + 1.5, 9, 36, 90, 0.5), (b + 2.5, 9, 36, 100, 0.5)]  # kick
        drums += [(b + 1, 9, 38, 112, 0.5), (b + 3, 9, 38, 115, 0.5)]          # snare
        if bar % 2 == 1:
            drums += [(b + 3.5, 9, 46, 90, 0.5)]                               # open hat
    drums.append((0, 9, 49, 100, 2.0))                                        # crash
    drums.append((16, 9, 49, 100, 2.0))
    piano = []
    chords = [[48, 55, 60, 64], [45, 52, 57, 60], [41, 48, 53, 57], [43, 50, 55, 59]]
    melody = [72, 74, 76, 79, 76, 74, 72, 71, 69, 71, 72, 74, 76, 74, 72, 67]
    for bar in range(4):
        for note in chords[bar]:
            piano.append((bar * 4 + 0.25, 0, note, 60, 3.5))
        for i in range(4):
            piano.append((bar * 4 + 0.25 + i, 0, melody[bar * 4 + i], 80, 0.9))
    d = fit(synth(tmp, "drums", drums, {9: (0, 64)}, bpm), n)
    p = fit(np.concatenate([np.zeros(int(0.3 * RATE)), synth(tmp, "piano", piano, {0: (0, 64)}, bpm)]), n)
    d *= 0.6 / np.max(np.abs(d))
    p *= 0.4 / np.max(np.abs(p))
    to_piano = room(0.011, 0.0, 0.8, rng, cutoff=6000, reflections=[(0.004, 0.5), (0.009, 0.35), (0.017, 0.25)], drr_db=-3.0)
    to_overhead = room(0.006, -20.0, 0.8, rng, drr_db=-3.0)
    own = room(0.0, 0.0, 0.3, rng, cutoff=12000, drr_db=10.0)
    target = conv(own, p)
    bleed = level(conv(to_piano, d), target, -8.0)
    noise = lambda: 1e-4 * rng.standard_normal(n)
    write(os.path.join(ROOT, "drums-into-piano"), {
        "mix": target + bleed + noise(), "reference": d + conv(to_overhead, p) + noise(),
        "truth_target": target, "truth_bleed": bleed})


def keys_into_vocal_pair(tmp, rng):
    seconds, bpm = 8.0, 84
    n = int(seconds * RATE)
    keys = []
    left = [[40, 47], [45, 52], [38, 45], [43, 50]]
    right = [[64, 67, 71], [64, 69, 72], [62, 65, 69], [62, 67, 71]]
    for bar in range(3):
        for half in range(2):
            c = (bar * 2 + half) % 4
            for note in left[c]:
                keys.append((bar * 4 + half * 2, 1, note, 85, 1.9))
            for i, note in enumerate(right[c]):
                keys.append((bar * 4 + half * 2 + 0.5 + 0.25 * i, 2, note, 75, 1.2))
    k = fit(synth(tmp, "keys", keys, {1: (4, 10), 2: (4, 117)}, bpm, stereo=True), n)
    k *= 0.6 / np.max(np.abs(k))
    text = "A stereo pair on the singer hears the keyboard amp too, and then somebody turns it up."
    v = fit(np.concatenate([np.zeros(int(0.4 * RATE)), voice(tmp, text, "en-us+m3", speed=135, pitch=40)]), n)
    v *= 0.35 / np.max(np.abs(v))
    # The pair: slightly different views of the voice.
    own = [room(0.0, 0.0, 0.25, rng, cutoff=11000, drr_db=10.0), room(0.0004, -1.0, 0.25, rng, cutoff=10000, drr_db=10.0)]
    target = np.stack([conv(own[0], v), conv(own[1], v)], axis=1)
    step = np.where(np.arange(n) < n // 2, 1.0, 2.0)  # the amp goes up 6 dB halfway
    near = [room(0.006, 0.0, 0.5, rng), room(0.009, 0.0, 0.5, rng)]
    far = [room(0.010, -10.0, 0.5, rng, cutoff=3500), room(0.008, -10.0, 0.5, rng, cutoff=3500)]
    bleed = np.stack([conv(near[0], k[:, 0]) + conv(far[0], k[:, 1]), conv(near[1], k[:, 1]) + conv(far[1], k[:, 0])], axis=1)
    bleed = level(bleed, target, -9.0) * step[:, None]
    noise = lambda: 1e-4 * rng.standard_normal((n, 2))
    write(os.path.join(ROOT, "keys-into-vocal-pair"), {
        "mix": target + bleed + noise(), "reference": k + noise(),
        "truth_target": target, "truth_bleed": bleed})


def main():
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as tmp:
        drums_into_piano(tmp, rng)
        keys_into_vocal_pair(tmp, rng)


if __name__ == "__main__":
    main()
