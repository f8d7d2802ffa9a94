#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine (idempotent, quiet
# when everything is there). Rust itself (1.95+) is expected to be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# libsndfile1: Python's soundfile; ardour: the DAW of the host tests (ardour7-lua, VST3 scanner);
# valgrind: the Ardour session run under memcheck; ffmpeg: museval (BSS Eval) imports stempeg, which
# refuses to load without it; espeak-ng, fluidsynth, timgm6mb-soundfont: the voices and instruments of
# the benchmark's tonal scenarios (scripts/tonal_scenarios.py); xvfb … libxcursor1: a virtual X display with
# Mesa OpenGL for the editor window test (the plugin loads X11/GL at run time, so building needs
# none of them).
apt_packages=(libsndfile1 ffmpeg espeak-ng fluidsynth timgm6mb-soundfont ardour valgrind xvfb xauth libgl1 libglx-mesa0 libgl1-mesa-dri libx11-xcb1 libxkbcommon-x11-0 libxcursor1)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]} (ardour is ~600 MB, about a minute)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c "import norbert, numpy, scipy, soundfile, mido, pytest, pedalboard, dawdreamer, PIL, museval" 2>/dev/null; then
  echo "setup: installing Python packages from tests/requirements.txt"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -r tests/requirements.txt
fi
