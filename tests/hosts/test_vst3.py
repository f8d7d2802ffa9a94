"""The built Residue.vst3 in two real VST3 hosts: DawDreamer (with a routed sidechain) and
pedalboard (no sidechain support, but latency compensation and named parameters). Both are
built on JUCE, which asks for bus arrangements other than the declared layouts (a mono track, a
sidechain bus switched off) and then processes anyway."""
import signal
import subprocess
import sys

import numpy as np
import pytest

from conftest import dawdreamer_with_sidechain, diff_db, render


def param_index(processor, name):
    names = [processor.get_parameter_name(i) for i in range(processor.get_plugin_parameter_size())]
    assert name in names, f"no parameter {name!r} in {names}"
    return names.index(name)


def dawdreamer_matches_the_renderer(vst3, example, tmp_path, what, params, latency, flags):
    """4 s of the example, stereo track (right 0.8×) and stereo sidechain (right 0.9×), through
    Residue in DawDreamer with `params` ({name: (normalised value, expected text)}): the output,
    shifted by `latency` (DawDreamer does not compensate it), is `residue-render *flags` to
    −100 dB, and bleed was removed."""
    mix, ref, rate = example
    mix, ref = mix[: 4 * rate], ref[: 4 * rate]
    main = np.stack([mix, 0.8 * mix])
    side = np.stack([ref, 0.9 * ref])

    def setup(plugin):
        assert plugin.get_num_input_channels() == 4, "main stereo + sidechain stereo"
        for name, (value, text) in params.items():
            plugin.set_parameter(param_index(plugin, name), value)
            assert plugin.get_parameter_text(param_index(plugin, name)) == text, name

    out = dawdreamer_with_sidechain(vst3, main, side, rate, latency, setup)
    expected = render(tmp_path, main, [side], rate, *flags)
    got = out[:, latency : latency + expected.shape[1]]
    for c in range(2):
        d = diff_db(got[c], expected[c])
        print(f"DawDreamer ({what}) vs engine, channel {c}: {d:.1f} dB")
        assert d < -100, f"{what}, channel {c}: {d:.1f} dB"
        assert diff_db(got[c], main[c]) > -30, f"{what}: bleed was removed"


def test_dawdreamer_sidechain_matches_the_engine(vst3, example, tmp_path):
    # Set by name. Threshold is linear 0..1, so its normalised value is the value itself;
    # FFT Size is a list of seven (Auto first): index 3 of 0..6 is 2048. Latency: window − 1,
    # plus the hop over which each frame's work is spread.
    params = {"Threshold": (0.3, "0.30"), "FFT Size": (3 / 6, "2048")}
    dawdreamer_matches_the_renderer(vst3, example, tmp_path, "Mix", params, 2047 + 512, ["--threshold", "0.3", "--fft", "2048"])


def test_dawdreamer_live_matches_the_engine_in_live_mode(vst3, example, tmp_path):
    """Latency at Live (the list's second entry, normalised 1): DawDreamer's output, shifted by
    Live's latency (233 at 44.1 kHz: the filter's lookahead; its convolution adds none), is
    `residue-render --mode live` to −100 dB, bleed removed."""
    dawdreamer_matches_the_renderer(vst3, example, tmp_path, "Live", {"Latency": (1.0, "Live")}, 233, ["--mode", "live"])


def test_pedalboard_loads_with_named_parameters_and_compensates_latency(vst3):
    import pedalboard

    plugin = pedalboard.load_plugin(vst3)
    params = plugin.parameters
    for name in ["threshold", "slope", "alpha", "autoscale", "adaptation_s", "freeze", "smoothing_ms",
                 "compression", "stereo_link", "output", "mix", "fft_size", "overlap", "auto_lag", "lag_ms", "tail", "robust_fit", "latency"]:
        assert name in params, f"{name} not among {sorted(params)}"
    assert params["adaptation_s"].units.strip() == "s"
    assert params["smoothing_ms"].units.strip() == "ms"
    assert abs(plugin.threshold - 0.2) < 1e-6 and abs(plugin.slope - 8.0) < 0.05
    plugin.threshold = 0.35
    assert abs(plugin.threshold - 0.35) < 1e-3
    # No sidechain in pedalboard: Residue passes the input through, and pedalboard removes
    # the latency, so an impulse at 100 comes out at 100, unchanged.
    for fft in ["1024", "4096"]:
        plugin.fft_size = fft
        x = np.zeros((2, 30000), dtype=np.float32)
        x[:, 100] = 1.0
        y = plugin(x, 48000)
        assert int(np.argmax(np.abs(y[0]))) == 100, f"fft {fft}"
        assert diff_db(y, x) < -100, f"fft {fft}: pass-through without a sidechain"
    # Live: another latency, compensated as well.
    plugin.latency = "Live"
    x = np.zeros((2, 30000), dtype=np.float32)
    x[:, 100] = 1.0
    y = plugin(x, 48000)
    assert int(np.argmax(np.abs(y[0]))) == 100, "Live"
    assert diff_db(y, x) < -100, "Live: pass-through without a sidechain"


def in_child(probe, *args):
    """Runs a host script in a child process: if the plugin crashes the host, that fails the
    test instead of killing pytest."""
    run = subprocess.run([sys.executable, "-c", probe, *map(str, args)], capture_output=True, text=True, timeout=300)
    died = f" ({signal.Signals(-run.returncode).name})" if run.returncode < 0 else ""
    assert run.returncode == 0, f"the host exited with {run.returncode}{died}:\n{run.stderr[-2000:]}"


# pedalboard makes the main bus as wide as the buffer (asking Residue for a mono track when the
# buffer has one channel) and switches the sidechain bus off.
PEDALBOARD_PROBE = r"""
import sys
import numpy as np
import pedalboard
plugin = pedalboard.load_plugin(sys.argv[1])
plugin.fft_size = sys.argv[4]
np.save(sys.argv[3], plugin(np.load(sys.argv[2]), 44100))
"""


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("fft", ["1024", "4096"])
def test_pedalboard_passes_mono_and_stereo_tracks_through(vst3, example, tmp_path, channels, fft):
    mix, _, rate = example
    assert rate == 44100
    x = np.stack([mix[: 3 * rate] * (1.0 - 0.2 * c) for c in range(channels)]).astype(np.float32)
    np.save(tmp_path / "in.npy", x)
    in_child(PEDALBOARD_PROBE, vst3, tmp_path / "in.npy", tmp_path / "out.npy", fft)
    y = np.load(tmp_path / "out.npy")
    assert y.shape == x.shape, f"{y.shape} out for {x.shape} in"
    assert np.all(np.isfinite(y))
    # No sidechain: the track passes through, and pedalboard removes the latency.
    for c in range(channels):
        d = diff_db(y[c], x[c])
        print(f"pedalboard, {channels} channel(s), FFT {fft}, channel {c}: {d:.1f} dB from the input")
        assert d < -100, f"channel {c}: {d:.1f} dB, not a pass-through"


# DawDreamer with the track, and optionally a sidechain source whose bus is switched off
# (JUCE's disableNonMainBuses: activateBus(false), then null channel pointers for that bus).
DAWDREAMER_PROBE = r"""
import sys
import numpy as np
import dawdreamer as daw
vst3, rate, main_path, side_path, out_path = sys.argv[1:]
engine = daw.RenderEngine(int(rate), 512)
main = np.load(main_path)
graph = [(engine.make_playback_processor("main", main), [])]
plugin = engine.make_plugin_processor("residue", vst3)
if side_path == "-":
    graph.append((plugin, ["main"]))
else:
    assert plugin.disable_nonmain_buses()
    graph += [(engine.make_playback_processor("sc", np.load(side_path)), []), (plugin, ["main", "sc"])]
engine.load_graph(graph)
engine.render((main.shape[1] + 5119) / int(rate) + 0.1)
np.save(out_path, engine.get_audio())
"""


@pytest.mark.parametrize("route", ["no sidechain connected", "sidechain connected, bus switched off"])
def test_dawdreamer_without_a_sidechain_passes_the_track_through(vst3, example, tmp_path, route):
    mix, ref, rate = example
    main = np.stack([mix[: 3 * rate], 0.8 * mix[: 3 * rate]])
    np.save(tmp_path / "main.npy", main)
    np.save(tmp_path / "side.npy", np.stack([ref[: 3 * rate], 0.9 * ref[: 3 * rate]]))
    side = "-" if route == "no sidechain connected" else tmp_path / "side.npy"
    in_child(DAWDREAMER_PROBE, vst3, rate, tmp_path / "main.npy", side, tmp_path / "out.npy")
    out = np.load(tmp_path / "out.npy")
    latency = 4095 + 1024
    assert np.all(np.isfinite(out))
    # DawDreamer does not compensate latency: the input comes out `latency` samples late.
    assert np.max(np.abs(out[:, :latency])) < 1e-6, "sound before the latency"
    for c in range(2):
        d = diff_db(out[c, latency : latency + main.shape[1]], main[c])
        print(f"DawDreamer, {route}, channel {c}: {d:.1f} dB from the delayed input")
        assert d < -100, f"channel {c}: {d:.1f} dB, not a pass-through"


def test_dawdreamer_bypass_passes_the_delayed_track_with_the_sidechain_routed(vst3, example):
    """The Bypass parameter (VST3's bypass flag) set by DawDreamer, a JUCE host, with the
    sidechain routed: the output is the track delayed by the latency, in both channels."""
    mix, ref, rate = example
    mix, ref = mix[: 3 * rate], ref[: 3 * rate]
    main, side = np.stack([mix, 0.8 * mix]), np.stack([ref, 0.9 * ref])

    def setup(plugin):
        plugin.set_parameter(param_index(plugin, "Bypass"), 1.0)
        assert plugin.get_parameter_text(param_index(plugin, "Bypass")) == "On"

    latency = 4095 + 1024
    got = dawdreamer_with_sidechain(vst3, main, side, rate, latency, setup)[:, latency : latency + main.shape[1]]
    for c in range(2):
        d = diff_db(got[c], main[c])
        print(f"DawDreamer, Bypass on, channel {c}: {d:.1f} dB from the delayed track")
        assert d < -100, f"channel {c}: bypassed output is {d:.1f} dB from the delayed track"
