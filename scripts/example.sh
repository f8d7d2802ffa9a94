#!/usr/bin/env bash
# The README's first command: builds the plugin bundles and residue-render, then cleans the
# bundled example (a vocal mic with guitar bleed, the guitar mic as reference).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo xtask bundle residue --release
cargo build --release --bin residue-render
mkdir -p out
ex=examples/vocal-bleed
./target/release/residue-render "$ex/vocal_mic.wav" --reference "$ex/guitar_mic.wav" -o out/vocal_cleaned.wav --plot out/vocal_cleaned.png --force --verbose
./target/release/residue-render "$ex/vocal_mic.wav" --reference "$ex/guitar_mic.wav" -o out/vocal_removed.wav --output removed --force
python3 scripts/score_example.py "$ex" out/vocal_cleaned.wav
echo "plugins: target/bundled/Residue.vst3, target/bundled/Residue.clap (install: see README)"
