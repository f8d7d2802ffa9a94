"""The built Residue.vst3 in two real VST3 hosts: DawDreamer (with a routed sidechain) and
pedalboard (no sidechain support, but latency compensation and named parameters)."""
import numpy as np

from conftest import diff_db, render


def param_index(processor, name):
    names = [processor.get_parameter_name(i) for i in range(processor.get_plugin_parameter_size())]
    assert name in names, f"no parameter {name!r} in {names}"
    return names.index(name)


def test_dawdreamer_sidechain_matches_the_engine(vst3, example, tmp_path):
    import dawdreamer as daw

    mix, ref, rate = example
    mix, ref = mix[: 4 * rate], ref[: 4 * rate]
    main = np.stack([mix, 0.8 * mix])
    side = np.stack([ref, 0.9 * ref])
    engine = daw.RenderEngine(rate, 512)
    playback_main = engine.make_playback_processor("main", main)
    playback_side = engine.make_playback_processor("sc", side)
    plugin = engine.make_plugin_processor("residue", vst3)
    assert plugin.get_num_input_channels() == 4, "main stereo + sidechain stereo"
    # Set by name. Threshold is linear 0..1, so its normalised value is the value itself;
    # FFT Size is a list of six: index 2 of 0..5 is 2048.
    plugin.set_parameter(param_index(plugin, "Threshold"), 0.3)
    plugin.set_parameter(param_index(plugin, "FFT Size"), 2 / 5)
    assert plugin.get_parameter_text(param_index(plugin, "FFT Size")) == "2048"
    assert plugin.get_parameter_text(param_index(plugin, "Threshold")) == "0.30"
    engine.load_graph([(playback_main, []), (playback_side, []), (plugin, ["main", "sc"])])
    latency = 2047 + 512  # window - 1, plus the hop over which each frame's work is spread
    engine.render((main.shape[1] + latency) / rate + 0.1)
    out = engine.get_audio()
    expected = render(tmp_path, main, [side], rate, "--threshold", "0.3", "--fft", "2048")
    # DawDreamer does not compensate latency: the plugin's output is `latency` samples late.
    got = out[:, latency : latency + expected.shape[1]]
    for c in range(2):
        d = diff_db(got[c], expected[c])
        print(f"DawDreamer vs engine, channel {c}: {d:.1f} dB")
        assert d < -100, f"channel {c}: {d:.1f} dB"
        assert diff_db(got[c], main[c]) > -30, "bleed was removed"


def test_pedalboard_loads_with_named_parameters_and_compensates_latency(vst3):
    import pedalboard

    plugin = pedalboard.load_plugin(vst3)
    params = plugin.parameters
    for name in ["threshold", "slope", "alpha", "autoscale", "adaptation_s", "freeze", "smoothing_ms",
                 "compression", "stereo_link", "output", "mix", "fft_size", "overlap", "auto_lag", "lag_ms", "tail", "robust_fit"]:
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
