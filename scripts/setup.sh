#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine (idempotent, quiet
# when everything is there). Rust itself (1.95+) is expected to be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libsndfile1)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c "import norbert, numpy, scipy, soundfile, mido" 2>/dev/null; then
  echo "setup: installing Python packages from tests/requirements.txt"
  python3 -m pip install -q --disable-pip-version-check -r tests/requirements.txt
fi
