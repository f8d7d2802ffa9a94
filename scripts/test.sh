#!/usr/bin/env bash
# The whole test suite, set-up included: the README's second command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== reference vectors: do the committed ones still come out of norbert?"
python3 tests/reference/make_vectors.py --check
echo "== cargo tests (release: the DSP is too slow to test unoptimised)"
cargo test --release --workspace
