"""Several sources on one stereo sidechain in a real VST3 host (DawDreamer): a kick on the
sidechain's left channel and a hi-hat on its right, split into two mono references by the
Sources parameter, rendered like `residue-render --sources each`, removing both bleeds better
than one stereo reference; and a state saved with the split restores its learning."""
import os
import sys

import numpy as np
import soundfile as sf

from conftest import EXAMPLE, ROOT, diff_db, render

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from evaluate_sources import drums, late  # noqa: E402  (the same kick and hi-hat as the evaluation)

RATE = 44100
LATENCY = 4095 + 1024  # FFT Size Auto at 44.1 kHz: 4096, 4x


def scene(seconds=8):
    """(track, sidechain, truth), all (2, n): the voice with each drum bleeding into each side
    at its own level and lag; the sidechain holds the kick left, the hi-hat right."""
    voice = sf.read(f"{EXAMPLE}/truth_vocal.wav", dtype="float32")[0][: seconds * RATE]
    kick, hat = drums(len(voice))
    truth = np.stack([voice, 0.75 * voice])
    track = np.stack([
        truth[0] + 0.3 * late(kick, 4.0) + 0.12 * late(hat, 11.0),
        truth[1] + 0.2 * late(kick, 6.5) + 0.2 * late(hat, 8.0),
    ]).astype(np.float32)
    return track, np.stack([kick, hat]), truth


def instance(vst3, track, sidechain, sources):
    import dawdreamer as daw

    eng = daw.RenderEngine(RATE, 512)
    main = eng.make_playback_processor("main", track)
    side = eng.make_playback_processor("sc", sidechain)
    plug = eng.make_plugin_processor("residue", vst3)
    names = [plug.get_parameter_name(i) for i in range(plug.get_plugin_parameter_size())]
    # Three choices: One, Each Channel, Stereo Pairs at 0, 0.5, 1.
    plug.set_parameter(names.index("Sources"), {"One": 0.0, "Each Channel": 0.5}[sources])
    assert plug.get_parameter_text(names.index("Sources")) == sources
    eng.load_graph([(main, []), (side, []), (plug, ["main", "sc"])])
    return eng, plug


def run(eng, n):
    # DawDreamer does not compensate latency; half a second more, as a DAW goes on playing.
    eng.render((n + LATENCY) / RATE + 0.5)
    return eng.get_audio()[:, LATENCY:LATENCY + n]


def gain_db(out, mix, truth, span):
    sdr = lambda e: 10 * np.log10(np.sum(truth[span] ** 2) / np.sum((e[span] - truth[span]) ** 2))
    return sdr(out) - sdr(mix)


def test_a_stereo_sidechain_split_in_two_removes_two_bleeds_as_the_renderer_does(vst3, tmp_path):
    track, sidechain, truth = scene()
    n = track.shape[1]
    second_half = slice(n // 2, None)
    gains = {}
    for sources, flag in [("One", "one"), ("Each Channel", "each")]:
        out = run(instance(vst3, track, sidechain, sources)[0], n)
        expected = render(tmp_path, track, [sidechain], RATE, "--sources", flag)
        for c in range(2):
            d = diff_db(out[c], expected[c])
            print(f"Sources {sources}, channel {c}: DawDreamer vs residue-render --sources {flag}: {d:.1f} dB")
            assert d < -100, f"{sources}, channel {c}: {d:.1f} dB from the renderer"
        gains[sources] = [gain_db(out[c], track[c], truth[c], second_half) for c in range(2)]
    for c in range(2):
        print(f"channel {c}: SDR {gains['Each Channel'][c]:+.2f} dB as two sources, {gains['One'][c]:+.2f} dB as one")
        assert gains["Each Channel"][c] > gains["One"][c] + 1.0


def test_a_state_saved_with_the_split_restores_its_learning(vst3, tmp_path):
    track, sidechain, truth = scene(6)
    n = track.shape[1]
    eng, plug = instance(vst3, track, sidechain, "Each Channel")
    run(eng, n)
    state = str(tmp_path / "residue.state")
    plug.save_state(state)
    carried_on = run(eng, n)
    # Loaded into an instance that had been running the other grouping.
    eng2, plug2 = instance(vst3, track, sidechain, "One")
    run(eng2, n)
    plug2.load_state(state)
    names = [plug2.get_parameter_name(i) for i in range(plug2.get_plugin_parameter_size())]
    assert plug2.get_parameter_text(names.index("Sources")) == "Each Channel"
    reloaded = run(eng2, n)
    fresh = run(instance(vst3, track, sidechain, "Each Channel")[0], n)
    opening = slice(0, RATE)
    kept, cold = gain_db(reloaded[0], track[0], truth[0], opening), gain_db(fresh[0], track[0], truth[0], opening)
    print(f"first second: reloaded {kept:+.2f} dB, fresh {cold:+.2f} dB")
    assert np.array_equal(carried_on, reloaded), f"reloaded differs: max {np.max(np.abs(carried_on - reloaded))}"
    assert kept > cold + 3.0
