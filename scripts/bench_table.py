#!/usr/bin/env python3
"""The README's performance table from the last `cargo bench --bench engine` run.

    cargo bench --bench engine && python3 scripts/bench_table.py

Reads criterion's medians (target/criterion/<group>/<bench>/<window>/new/estimates.json) and
prints, per sample rate, window and reference width: the engine and the bare STFT per second of
audio, their ratio, and the engine's real-time factor on one core.
"""
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def medians():
    found = {}
    for path in glob.glob(os.path.join(ROOT, "target", "criterion", "*", "*", "*", "new", "estimates.json")):
        parts = path.split(os.sep)
        group, bench, window = parts[-5], parts[-4], parts[-3]
        rate = re.search(r"([\d.]+) kHz", group)
        ref = re.search(r"(\d)-ch reference", bench)
        if not (rate and ref and window.isdigit()):
            continue
        kind = "engine" if bench.startswith("engine") else "floor"
        with open(path) as f:
            median = json.load(f)["median"]["point_estimate"] * 1e-9  # seconds per second of audio
        found[(float(rate.group(1)), int(window), int(ref.group(1)), kind)] = median
    return found


def main():
    found = medians()
    rows = sorted({k[:3] for k in found}, key=lambda k: (-k[0], k[1], k[2]))
    if not rows:
        sys.exit("bench_table.py: no criterion results; run `cargo bench --bench engine` first")
    print("| rate | FFT / overlap | reference | engine, ms per s | STFT floor, ms per s | engine ÷ floor | × real time |")
    print("|---|---|---|---:|---:|---:|---:|")
    for rate, window, ref in rows:
        engine, floor = found.get((rate, window, ref, "engine")), found.get((rate, window, ref, "floor"))
        if engine is None or floor is None:
            continue
        print(f"| {rate:g} kHz | {window} / 4x | {'mono' if ref == 1 else 'stereo'} | {engine * 1e3:.2f} | {floor * 1e3:.2f} | {engine / floor:.2f} | {1 / engine:.0f} |")


if __name__ == "__main__":
    main()
