"""Two bleeding sources, two references (scripts/evaluate_sources.py, BSS Eval v4): split into
two sources, the references remove both bleeds, far better than either alone, and at least as
well as one stereo source holding both (what a stereo sidechain was before it could be split);
by far better where the two bleeds reach the track at different lags."""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENDER = os.path.join(ROOT, "target", "release", "residue-render")


def test_two_sources_beat_each_alone_and_one_stereo_source(tmp_path):
    assert os.path.exists(RENDER), f"{RENDER} missing: cargo build --release --bin residue-render"
    out = tmp_path / "scores.json"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "evaluate_sources.py"), "--renderer", RENDER, "--json", str(out)],
                   check=True, capture_output=True)
    table = json.loads(out.read_text())
    assert len(table) == 3, list(table)
    for name, sdr in table.items():
        print(name, {row: round(v, 2) for row, v in sdr.items()})
        alone = [v for row, v in sdr.items() if row.endswith(" alone")]
        assert len(alone) == 2, (name, sdr)
        assert sdr["two sources"] > max(alone) + 3.0, (name, sdr)
        assert sdr["two sources"] > sdr["one stereo source"] - 0.2, (name, sdr)
        assert all(v > sdr["input"] for row, v in sdr.items() if row != "input" and not row.endswith(" alone")), (name, sdr)
    for name in ["kick + hi-hat into vocal", "kick + hi-hat, stereo"]:
        assert table[name]["two sources"] > table[name]["one stereo source"] + 3.0, (name, table[name])
