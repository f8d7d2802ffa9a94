"""The held-out benchmark (scripts/benchmark.py) on its TEST split: real-kit drum scenarios
whose pairings and grooves nothing was tuned on. Each bound below is the one docs/evaluation.md
(*Evaluation on held-out material*) and docs/benchmark.md quote; where a goal of the project is
not met yet, the bound is what is met, and docs/evaluation.md says so. The kit is read from
$RESIDUE_DRUMS or ../shared/data/muldjordkit; without it the benchmark fails, naming what is
missing."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENDER = os.path.join(ROOT, "target", "release", "residue-render")
# The whole test split: 24 scenarios, each cleaned with every reference alone and all together.
COUNT = 24


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    assert os.path.exists(RENDER), f"{RENDER} missing: cargo build --release --bin residue-render"
    out = tmp_path_factory.mktemp("benchmark") / "test.json"
    run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "benchmark.py"), "--split", "test", "--count", str(COUNT),
                          "--tonal", "0", "--renderer", RENDER, "--variant", "defaults=", "--variant", "off=--target-image false", "--variant", "learned=--learn-first", "--json", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    print(run.stdout)
    return json.loads(out.read_text())


def changes(result, variant):
    return [r["variants"][variant]["change"] for r in result["rows"]]


def test_the_split_holds_no_dev_pairing_or_seed():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import benchmark
    split = benchmark.split()
    assert not set(split["dev"]) & set(split["test"])
    assert benchmark.FOUND <= set(split["test"])
    dev, test = benchmark.scenarios("dev", 100), benchmark.scenarios("test", 100)
    assert not {s["seed"] for s in dev} & {s["seed"] for s in test}
    assert not {(s["target"], s["bleed"]) for s in dev} & {(s["target"], s["bleed"]) for s in test}


def test_the_target_image_turns_the_summed_loss_around(result):
    # docs/evaluation.md: at the defaults (the target's image modelled), cold start, Σ change over the 88
    # cases −16.9 dB (the image off: −264.2; goal: ≥ 60 % of the oracle's +86.5, not met);
    # learned first +48.2, 56 % of the oracle.
    s = result["summary"]
    assert s["defaults"]["sum"] >= -20.0 and s["off"]["sum"] <= -200.0, (s["defaults"], s["off"])
    assert s["learned"]["share"] >= 0.53, s["learned"]


def test_the_target_image_makes_fewer_and_smaller_losses(result):
    # docs/evaluation.md: at the defaults, cold, 20 of 88 cases below −0.1 dB (the image off: 48; goal:
    # none, not met), the worst −10.8 dB (off: −25.6), on the kick and rack-tom mics.
    s = result["summary"]
    assert s["defaults"]["below"] <= 22 and s["off"]["below"] >= 40, (s["defaults"], s["off"])
    assert s["defaults"]["worst"] >= -11.5 and s["off"]["worst"] <= -20.0, (s["defaults"], s["off"])
