#!/usr/bin/env python3
"""docs/performance.md's table from the last `cargo bench --bench engine` run.

    cargo bench --bench engine && python3 scripts/bench_table.py

Reads criterion's medians (target/criterion/<group>/<bench>/<window>/new/estimates.json) and
prints, per sample rate, window and reference: the engine and the STFT floor per second of
audio, their ratio, the engine's real-time factor on one core, and (mono reference, two lags)
the floor that analyses the reference at both of the engine's lags.
"""
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = {"engine": "engine", "STFT floor": "floor", "STFT floor at the engine's lags": "floor at lags"}
CASES = ["mono reference, one lag", "mono reference, two lags", "stereo reference"]


def medians():
    found = {}
    for path in glob.glob(os.path.join(ROOT, "target", "criterion", "*", "*", "*", "new", "estimates.json")):
        parts = path.split(os.sep)
        group, bench, window = parts[-5], parts[-4], parts[-3]
        rate = re.search(r"([\d.]+) kHz", group)
        kind, _, case = bench.partition(", ")
        if not (rate and window.isdigit() and kind in KINDS and case in CASES):
            continue
        with open(path) as f:
            median = json.load(f)["median"]["point_estimate"] * 1e-9  # seconds per second of audio
        found[(float(rate.group(1)), int(window), case, KINDS[kind])] = median
    return found


def main():
    found = medians()
    rows = sorted({k[:3] for k in found}, key=lambda k: (-k[0], k[1], CASES.index(k[2])))
    if not rows:
        sys.exit("bench_table.py: no criterion results; run `cargo bench --bench engine` first")
    print("| rate | FFT / overlap | reference | engine, ms per s | STFT floor, ms per s | engine ÷ floor | × real time | ÷ floor at the engine's lags |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for rate, window, case in rows:
        engine, floor = found.get((rate, window, case, "engine")), found.get((rate, window, case, "floor"))
        if engine is None or floor is None:
            continue
        at_lags = found.get((rate, window, case, "floor at lags"))
        extra = f"{engine / at_lags:.2f}" if at_lags else ""
        print(f"| {rate:g} kHz | {window} / 4x | {case.replace(' reference', '')} | {engine * 1e3:.2f} | {floor * 1e3:.2f} | {engine / floor:.2f} | {1 / engine:.0f} | {extra} |")


if __name__ == "__main__":
    main()
