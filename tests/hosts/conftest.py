"""Shared fixtures of the host tests: the built bundles, the renderer, the example audio."""
import os
import subprocess

import numpy as np
import pytest
import soundfile as sf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VST3 = os.path.join(ROOT, "target", "bundled", "Residue.vst3")
RENDER = os.path.join(ROOT, "target", "release", "residue-render")
EXAMPLE = os.path.join(ROOT, "examples", "vocal-bleed")


@pytest.fixture(scope="session")
def vst3():
    assert os.path.isdir(VST3), f"{VST3} missing: run `cargo xtask bundle residue --release`"
    return VST3


@pytest.fixture(scope="session")
def example():
    """(mix, reference, rate): the bundled example, mono float32."""
    mix, rate = sf.read(os.path.join(EXAMPLE, "vocal_mic.wav"), dtype="float32")
    ref, _ = sf.read(os.path.join(EXAMPLE, "guitar_mic.wav"), dtype="float32")
    return mix, ref, rate


def render(tmp_path, mix, refs, rate, *flags):
    """residue-render on (channels, frames) arrays; returns (channels, frames)."""
    assert os.path.exists(RENDER), f"{RENDER} missing: run `cargo build --release`"
    mix_path, out_path = tmp_path / "mix.wav", tmp_path / "out.wav"
    sf.write(mix_path, np.asarray(mix).T, rate, subtype="FLOAT")
    args = [RENDER, str(mix_path), "-o", str(out_path), "--force"]
    for i, r in enumerate(refs):
        p = tmp_path / f"ref{i}.wav"
        sf.write(p, np.asarray(r).T, rate, subtype="FLOAT")
        args += ["--reference", str(p)]
    subprocess.run(args + list(flags), check=True, capture_output=True)
    out, _ = sf.read(out_path, dtype="float32", always_2d=True)
    return out.T


def diff_db(a, b):
    return 10 * np.log10(max(np.sum((a - b) ** 2.0), 1e-300) / np.sum(b ** 2.0))


def dawdreamer_with_sidechain(vst3, main, side, rate, latency, setup):
    """`main` (channels, frames) through Residue in DawDreamer with `side` routed to its
    sidechain, `setup(plugin)` called before the graph is built (parameters, a preset); renders
    `latency` samples past the end (DawDreamer does not compensate latency) and returns the
    output (channels, frames)."""
    import dawdreamer as daw

    engine = daw.RenderEngine(rate, 512)
    playback_main = engine.make_playback_processor("main", main)
    playback_side = engine.make_playback_processor("sc", side)
    plugin = engine.make_plugin_processor("residue", vst3)
    setup(plugin)
    engine.load_graph([(playback_main, []), (playback_side, []), (plugin, ["main", "sc"])])
    engine.render((main.shape[1] + latency) / rate + 0.1)
    return engine.get_audio()
