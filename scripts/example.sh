#!/usr/bin/env bash
# The README's first command: builds Residue and runs it on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --release --example tune_defaults
