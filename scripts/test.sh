#!/usr/bin/env bash
# The whole test suite, set-up included: the README's second command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== reference vectors: do the committed ones still come out of norbert?"
python3 tests/reference/make_vectors.py --check
echo "== format: cargo fmt --check (rustfmt.toml)"
cargo fmt --all --check
echo "== lint: cargo clippy, every target of every crate, warnings are errors"
cargo clippy --workspace --all-targets -- -D warnings
echo "== the project: the fork's diff against the published crates, no import circle, every module in docs/layout.md"
python3 -m pytest -q tests/project
echo "== build: plugin bundles (VST3, CLAP), residue-render, the editor demo"
cargo xtask bundle residue --release
cargo build --release --bin residue-render --example editor_demo
echo "== cargo tests: engine, allocation, CLAP host (release: the DSP is too slow unoptimised)"
cargo test --release --workspace
echo "== benches compile; heap per instance, and no growth while processing"
cargo build --release --benches
cargo run --release --example memory
echo "== soak: one hour of audio through the engine (offline speed)"
cargo run --release --example soak
echo "== host tests: DawDreamer, pedalboard (VST3), Ardour 7.3 headless, the editor in a real window (Xvfb);"
echo "   the evaluation set scored with BSS Eval against norbert's offline pipeline"
python3 -m pytest -q tests/hosts tests/evaluation
