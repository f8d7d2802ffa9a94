#!/usr/bin/env python3
"""Makes the bundled bleed example in examples/vocal-bleed/ from sounds Debian packages ship.

    apt-get install espeak-ng fluidsynth fluid-soundfont-gm && pip install numpy scipy soundfile mido
    python3 scripts/make_example.py

A vocal mic and a guitar close mic in one room, 44.1 kHz mono, 16-bit:
  vocal_mic.wav    the track to clean: the voice, plus the guitar arriving late and reverberant
  guitar_mic.wav   the sidechain reference: the guitar, plus a little of the voice
  truth_vocal.wav  the vocal mic's voice alone (what a perfect clean-up would give)
  truth_bleed.wav  the vocal mic's guitar alone (what a perfect clean-up would remove)

The voice is espeak-ng; the guitar is a nylon-string guitar from the FluidR3 GM soundfont
playing a MIDI arpeggio written here. The room is simulated: the guitar reaches the vocal mic
7 ms after its close mic (about 2.4 m further), 24 dB down, duller (off-axis), with a
reverberant tail (RT60 0.35 s); the voice leaks into the guitar mic 24 dB down.
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
SECONDS = 9.0
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "vocal-bleed")
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
TEXT = ("Residue listens to the guitar on its sidechain and takes it out of the vocal. "
        "Move the threshold and the slope while the song plays, then bounce it.")


def run(cmd):
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except FileNotFoundError:
        sys.exit(f"make_example.py: '{cmd[0]}' not found: apt-get install espeak-ng fluidsynth fluid-soundfont-gm")


def voice(tmp):
    path = os.path.join(tmp, "voice.wav")
    run(["espeak-ng", "-v", "en-us+f3", "-s", "140", "-p", "55", "-w", path, TEXT])
    x, rate = sf.read(path, dtype="float64")
    return scipy.signal.resample_poly(x, RATE, rate)


def guitar(tmp):
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(96)))
    track.append(mido.Message("program_change", program=24, time=0))  # nylon guitar
    chords = [[45, 52, 57, 60, 64], [41, 48, 53, 57, 60], [43, 50, 55, 59, 62], [40, 47, 52, 56, 59]]
    events = []
    t = 0
    for bar in range(4):
        for rep in range(2):
            for i, note in enumerate(chords[bar] + chords[bar][-2:0:-1]):
                events.append((t + i * 120, "on", note, 70 + (i * 13) % 30))
                events.append((t + i * 120 + 700, "off", note, 0))
            t += 8 * 120 * 1  # two beats per pattern half
    events.sort(key=lambda e: (e[0], e[1] == "on"))
    last = 0
    for when, kind, note, vel in events:
        msg = "note_on" if kind == "on" else "note_off"
        track.append(mido.Message(msg, note=note, velocity=vel, time=when - last))
        last = when
    midi_path = os.path.join(tmp, "guitar.mid")
    mid.save(midi_path)
    wav = os.path.join(tmp, "guitar.wav")
    run(["fluidsynth", "-ni", "-g", "0.6", "-r", str(RATE), "-F", wav, SOUNDFONT, midi_path])
    x, rate = sf.read(wav, dtype="float64")
    assert rate == RATE
    return x.mean(axis=1) if x.ndim == 2 else x


def room_response(delay_s, gain_db, rt60, rng):
    """Direct sound (delayed, low-passed) plus an exponentially decaying noise tail."""
    n = int(RATE * (delay_s + rt60))
    h = np.zeros(n)
    d = int(RATE * delay_s)
    h[d] = 1.0
    tail_t = np.arange(n - d) / RATE
    tail = rng.standard_normal(n - d) * np.exp(-6.91 * tail_t / rt60) * 0.12
    tail[: int(0.004 * RATE)] = 0  # first reflections arrive a few ms after the direct sound
    h[d:] += tail
    b, a = scipy.signal.butter(2, 5000 / (RATE / 2))
    return scipy.signal.lfilter(b, a, h) * 10 ** (gain_db / 20)


def fit(x, n):
    return np.pad(x, (0, max(0, n - len(x))))[:n]


def main():
    rng = np.random.default_rng(7)
    n = int(RATE * SECONDS)
    with tempfile.TemporaryDirectory() as tmp:
        v = fit(np.concatenate([np.zeros(int(0.6 * RATE)), voice(tmp)]), n)
        g = fit(guitar(tmp), n)
    v *= 0.3 / np.max(np.abs(v))
    g *= 0.5 / np.max(np.abs(g))
    to_vocal = room_response(0.007, -24.0, 0.35, rng)
    to_guitar = room_response(0.004, -24.0, 0.35, rng)
    own_room = room_response(0.0, 0.0, 0.2, rng) * 0.15
    own_room[0] = 1.0
    truth_vocal = scipy.signal.lfilter(own_room, [1.0], v)
    truth_bleed = scipy.signal.lfilter(to_vocal, [1.0], g)
    vocal_mic = truth_vocal + truth_bleed + 1e-4 * rng.standard_normal(n)
    guitar_mic = g + scipy.signal.lfilter(to_guitar, [1.0], v) + 1e-4 * rng.standard_normal(n)
    peak = max(np.max(np.abs(vocal_mic)), np.max(np.abs(guitar_mic)))
    scale = 0.7 / peak
    os.makedirs(OUT, exist_ok=True)
    for name, x in [("vocal_mic", vocal_mic), ("guitar_mic", guitar_mic),
                    ("truth_vocal", truth_vocal), ("truth_bleed", truth_bleed)]:
        sf.write(os.path.join(OUT, name + ".wav"), x * scale, RATE, subtype="PCM_16")
    ratio = 10 * np.log10(np.sum(truth_bleed ** 2) / np.sum(truth_vocal ** 2))
    print(f"wrote {OUT}: {SECONDS} s, bleed {ratio:+.1f} dB relative to the voice")


if __name__ == "__main__":
    main()
