"""The held-out benchmark's tonal TEST split (scripts/tonal_scenarios.py): a voice or a melodic
instrument with an accompanying instrument or a kit bleeding in, pairings and seeds nothing
was tuned on, cleaned in Mix and in Live, from a cold start and learned first. Each bound is
the one README.md (*Mix or Live*) and docs/benchmark.md quote; where a goal of the project is
not met yet, the bound is what is met, and the README says so."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENDER = os.path.join(ROOT, "target", "release", "residue-render")
COUNT = 16


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    assert os.path.exists(RENDER), f"{RENDER} missing: cargo build --release --bin residue-render"
    out = tmp_path_factory.mktemp("tonal") / "test.json"
    variants = ["mix=", "live=--mode live", "mixL=--learn-first", "liveL=--mode live --learn-first"]
    run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "benchmark.py"), "--split", "test", "--count", "0",
                          "--tonal", str(COUNT), "--renderer", RENDER, "--json", str(out)]
                         + [a for v in variants for a in ("--variant", v)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    print(run.stdout)
    return json.loads(out.read_text())


def changes(result, variant):
    return [r["variants"][variant]["change"] for r in result["rows"]]


def test_the_tonal_split_holds_no_dev_pairing_or_seed():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import tonal_scenarios as tonal
    split = tonal.split()
    assert not set(split["dev"]) & set(split["test"])
    assert len(split["dev"]) + len(split["test"]) == len(tonal.pairings())
    dev, test = tonal.scenarios("dev", 100), tonal.scenarios("test", 100)
    assert not {s["seed"] for s in dev} & {s["seed"] for s in test}
    assert not {(s["lead"], s["bleed"]) for s in dev} & {(s["lead"], s["bleed"]) for s in test}


def test_every_tonal_case_is_cleaner_than_its_input_in_both_modes(result):
    # README: on the 16 tonal test scenarios every mode improves every case, cold and learned
    # first; the worst is Live from a cold start, +1.5 dB.
    assert len(result["rows"]) == COUNT
    for v in ("mix", "live", "mixL", "liveL"):
        assert min(changes(result, v)) > 1.0, (v, changes(result, v))


def test_live_against_mix_on_tonal_material(result):
    # README: mean SDR change, Mix +6.0 / Live +4.5 dB cold (−1.4), learned first +8.0 / +5.6
    # (−2.4). The goal, Live within 1.0 dB of Mix, is not met; the bound is what is met.
    mean = lambda v: sum(changes(result, v)) / COUNT
    assert mean("mix") >= 5.5 and mean("mixL") >= 7.5, (mean("mix"), mean("mixL"))
    assert mean("live") - mean("mix") >= -1.7, (mean("live"), mean("mix"))
    assert mean("liveL") - mean("mixL") >= -2.7, (mean("liveL"), mean("mixL"))
