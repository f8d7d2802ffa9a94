"""The factory presets as VST3 preset files (`presets/vst3/*.vstpreset`) in two real VST3 hosts:
pedalboard loads each, and the plugin's saved state afterwards holds the preset's controls and
every other control as the user had it; DawDreamer loads some, with the sidechain routed, and
the output is `residue-render --preset ID` to −100 dB."""
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from conftest import dawdreamer_with_sidechain, diff_db, render

PRESETS = Path(__file__).resolve().parents[2] / "presets" / "vst3"


def component_state(data):
    """The `Comp` chunk of a VST3 preset file (Steinberg's format), as the JSON it holds."""
    assert data[:4] == b"VST3", "a VST3 preset file"
    (list_at,) = struct.unpack_from("<q", data, 40)
    assert data[list_at : list_at + 4] == b"List"
    (count,) = struct.unpack_from("<i", data, list_at + 4)
    for k in range(count):
        at = list_at + 8 + 20 * k
        chunk = data[at : at + 4]
        offset, size = struct.unpack_from("<qq", data, at + 4)
        if chunk == b"Comp":
            return json.loads(data[offset : offset + size])
    raise AssertionError("no component state in the file")


def preset_files():
    files = sorted(PRESETS.glob("*.vstpreset"))
    assert len(files) >= 6, f"factory presets in {PRESETS}"
    return files


@pytest.mark.parametrize("path", preset_files(), ids=lambda p: p.stem)
def test_pedalboard_loads_each_preset_and_keeps_the_other_controls(vst3, path):
    import pedalboard

    plugin = pedalboard.load_plugin(vst3)
    plugin.mix = 60
    plugin.threshold = 0.9
    plugin.stereo_link = False
    before = component_state(plugin.preset_data)["params"]
    preset = component_state(path.read_bytes())["params"]
    assert set(preset) == {"threshold", "slope", "adapt", "tail", "fft", "latency"}, "the six controls a preset sets"
    plugin.load_preset(str(path))
    after = component_state(plugin.preset_data)["params"]
    assert after == {**before, **preset}, f"{path.stem}: the preset's controls, the rest as they were"


# (preset id, its file, the latency at 44.1 kHz: Mix, window − 1 + a hop of window / 4; Live 233)
LOADED_IN_DAWDREAMER = [
    ("vocal", "Vocal, instrument", 8191 + 2048),
    ("tom", "Tom mic", 4095 + 1024),
    ("stage-vocal", "Stage vocal", 233),
]


@pytest.mark.parametrize("preset,name,latency", LOADED_IN_DAWDREAMER, ids=[p[0] for p in LOADED_IN_DAWDREAMER])
def test_dawdreamer_loads_a_preset_file_and_sounds_as_the_renderers_preset(vst3, example, tmp_path, preset, name, latency):
    mix, ref, rate = example
    mix, ref = mix[: 4 * rate], ref[: 4 * rate]
    main, side = np.stack([mix, 0.8 * mix]), np.stack([ref, 0.9 * ref])

    def setup(plugin):
        assert plugin.load_vst3_preset(str(PRESETS / f"{name}.vstpreset")), "DawDreamer loaded the file"

    out = dawdreamer_with_sidechain(vst3, main, side, rate, latency, setup)
    expected = render(tmp_path, main, [side], rate, "--preset", preset)
    got = out[:, latency : latency + expected.shape[1]]
    for c in range(2):
        d = diff_db(got[c], expected[c])
        print(f"DawDreamer with {name}.vstpreset vs residue-render --preset {preset}, channel {c}: {d:.1f} dB")
        assert d < -100, f"{preset}, channel {c}: {d:.1f} dB"
