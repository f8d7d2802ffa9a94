#!/bin/bash
# ardour7-lua (headless Ardour 7.3) with its DSP routines chosen so that none writes past its buffer.
# usage: ardour_lua.sh SCRIPT.lua   (the environment passes through to the script)
#   ARDOUR_MEMCHECK=1  run Ardour under valgrind's memcheck (Ardour only: not the shells and
#                      programs the script starts); any memory error makes it exit 99
#
# On a CPU with AVX-512F, Ardour 7.3 mixes, copies and scales audio with AVX-512F routines whose
# alignment prologue runs 8 (or 4) samples at a time without checking how many are left. When
# the two buffers sit 32 bytes apart modulo 64 they never reach the aligned loop, and the last
# step writes up to 7 samples past the end. Exporting the master bus mixes each port into a
# 1024-sample buffer from the heap, so whenever the heap places it that way, 16 bytes past it
# are overwritten (the next chunk's header) and the process aborts when that memory is freed:
# at the end of the export or while the session is torn down ("double free or corruption",
# "munmap_chunk(): invalid pointer", SIGSEGV), with or without any plugin in the session.
# Ardour fixed the routines in 8.5 ("Fix potential memory corruption in AVX512f DSP").
#
# ARDOUR_FPU_FLAGS replaces Ardour's CPU detection (libs/pbd/fpu.cc): set it to what that
# detection finds on x86-64, minus AVX-512F, so Ardour takes its AVX/FMA or SSE routines.
# dsp_bounds.lua checks the routines this selects (tests/hosts/test_ardour.py).
set -e
if [ "$(uname -m)" = x86_64 ]; then
  cpu=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 || true) "
  flags=$((0x1 | 0x2 | 0x4 | 0x8)) # flush-to-zero, denormals-are-zero, SSE, SSE2: every x86-64 CPU
  [[ $cpu == *" avx "* ]] && flags=$((flags | 0x10))
  [[ $cpu == *" fma "* ]] && flags=$((flags | 0x40))
  export ARDOUR_FPU_FLAGS=$flags
fi
if [ -n "${ARDOUR_MEMCHECK:-}" ]; then
  exec valgrind --tool=memcheck --error-exitcode=99 --num-callers=30 \
      --trace-children=yes --trace-children-skip='/bin/*,/usr/bin/*' ardour7-lua "$@"
fi
exec ardour7-lua "$@"
