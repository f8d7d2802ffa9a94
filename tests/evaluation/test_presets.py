"""The factory presets on the held-out benchmark's TEST split (nothing was tuned on it): each
beats the defaults on its kind of scenario, rendered with `residue-render --preset`, from a
cold start. The figures are README.md's *Presets* table; each preset was chosen on the dev
split (docs/benchmark.md, *Presets*)."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENDER = os.path.join(ROOT, "target", "release", "residue-render")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    assert os.path.exists(RENDER), f"{RENDER} missing: cargo build --release --bin residue-render"
    out = tmp_path_factory.mktemp("presets") / "test.json"
    variants = ["defaults=", "live=--mode live"] + [f"{p}=--preset {p}" for p in ("vocal", "snare", "hi-hat", "tom", "stage-vocal")]
    run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "benchmark.py"), "--split", "test", "--count", "24",
                          "--tonal", "16", "--renderer", RENDER, "--json", str(out)]
                         + [a for v in variants for a in ("--variant", v)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text())


def total(result, variant, keep):
    rows = [r for r in result["rows"] if keep(r)]
    assert rows
    return sum(r["variants"][variant]["change"] for r in rows)


tonal = lambda r: r["kind"] == "tonal"
track = lambda *mics: (lambda r: r["kind"] == "drums" and r["scenario"].split("-")[1] in mics)


@pytest.mark.parametrize("preset, base, kind, gain", [
    # README: Σ SDR change over the kind's test cases, defaults → preset.
    ("vocal", "defaults", tonal, 40.0),                  # +95.7 → +146.5 (16 cases)
    ("snare", "defaults", track("Snare_top"), 1.0),      # +12.3 → +13.8 (22)
    ("hi-hat", "defaults", track("Hihat"), 1.5),         # +14.5 → +16.8 (11)
    ("tom", "defaults", track("Tom1", "Tom3"), 8.0),     # −18.4 → −6.8 (31)
    ("stage-vocal", "live", tonal, 15.0),                # Live's defaults +72.6 → +93.1 (16)
])
def test_each_preset_beats_the_defaults_on_its_kind_of_held_out_scenario(result, preset, base, kind, gain):
    got, was = total(result, preset, kind), total(result, base, kind)
    print(f"{preset}: {was:+.1f} → {got:+.1f} dB")
    assert got >= was + gain, (preset, was, got)
