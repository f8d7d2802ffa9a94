"""Values typed into Residue's parameters in a JUCE-based VST3 host (pedalboard): what a user
types lands where they meant it. JUCE reads a text the plugin refuses as a raw 0-1 number, so a
refusal is not harmless there: '10ms' became 50 ms and Overlap '4' became 8x."""
import pytest

# (parameter, typed, shown afterwards)
CASES = [
    ("lag_ms", "10ms", "10.0"), ("lag_ms", "10 ms", "10.0"), ("lag_ms", "10", "10.0"), ("lag_ms", "0.01 s", "10.0"),
    ("smoothing_ms", "120ms", "120"), ("smoothing_ms", "0.5s", "500"),
    ("adaptation_s", "2s", "2.00"), ("adaptation_s", "500 ms", "0.50"), ("adaptation_s", "1,5", "1.50"),
    ("overlap", "4", "4x"), ("overlap", "4x", "4x"), ("overlap", "8 x", "8x"), ("overlap", "2X", "2x"),
    ("freeze", "1", "On"), ("freeze", "on", "On"), ("freeze", "true", "On"), ("freeze", "0", "Off"), ("freeze", "OFF", "Off"),
    ("output", "removed", "Removed"), ("output", "bleed estimate", "Bleed Estimate"), ("output", "CLEANED", "Cleaned"),
    ("fft_size", "2048", "2048"), ("fft_size", "1k", "1024"), ("fft_size", "16k", "16384"), ("fft_size", "auto", "Auto"),
    ("mix", "50", "50"), ("mix", "50%", "50"), ("mix", "75 %", "75"), ("threshold", "0.3", "0.30"), ("threshold", "30 %", "0.30"),
    ("alpha", "power", "2.00 (power)"), ("tail", "3", "3 frames"), ("tail", "1 frame", "1 frame"),
]


@pytest.fixture(scope="module")
def plugin(vst3):
    import pedalboard

    return pedalboard.load_plugin(vst3)


@pytest.mark.parametrize("name,typed,shown", CASES)
def test_typed_text_lands_where_it_was_meant(plugin, name, typed, shown):
    prm = plugin.parameters[name]
    raw = min(max(prm.get_raw_value_for_text(typed), 0.0), 1.0)  # as JUCE does with a refused text
    assert prm.get_text_for_raw_value(raw).strip() == shown, f"{name}: typed {typed!r}"
