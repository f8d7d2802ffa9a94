#!/usr/bin/env python3
"""How much bleed a cleaned example lost, measured against the example's ground truth.

    python3 scripts/score_example.py examples/vocal-bleed out/vocal_cleaned.wav
"""
import os
import sys

import numpy as np
import soundfile as sf


def main():
    folder, cleaned = sys.argv[1], sys.argv[2]
    read = lambda name: sf.read(os.path.join(folder, name), dtype="float64")[0]
    mix, vocal, bleed = read("vocal_mic.wav"), read("truth_vocal.wav"), read("truth_bleed.wav")
    out = sf.read(cleaned, dtype="float64")[0]
    db = lambda x: 10 * np.log10(np.sum(x ** 2))
    # After cleaning, the error against the true vocal is what is left of the bleed plus any
    # damage done to the voice: an honest upper bound on the remaining bleed.
    print(f"bleed before:         {db(bleed) - db(vocal):+.1f} dB relative to the voice")
    print(f"bleed + damage after: {db(out - vocal) - db(vocal):+.1f} dB relative to the voice "
          f"({db(bleed) - db(out - vocal):.1f} dB better)")
    print(f"wrote {cleaned} and {os.path.join(os.path.dirname(cleaned), 'vocal_removed.wav')}")


if __name__ == "__main__":
    main()
