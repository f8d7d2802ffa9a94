"""What Residue learned, in a real VST3 host (DawDreamer): a host re-preparing the plugin keeps
it, and a saved state carries it into a new instance that then sounds exactly like the
original carrying on. (DawDreamer saves while the plugin is still active, as DAWs do; the state
then holds the copy the audio thread published once the fit stopped learning.)"""
import numpy as np
import pytest
import soundfile as sf

from conftest import EXAMPLE

LATENCY = 4095 + 1024  # FFT Size Auto at 44.1 kHz: 4096, 4x


def example():
    read = lambda name: sf.read(f"{EXAMPLE}/{name}", dtype="float32")[0]
    return read("vocal_mic.wav"), read("guitar_mic.wav"), read("truth_vocal.wav")


def instance(vst3, mix, ref):
    import dawdreamer as daw

    eng = daw.RenderEngine(44100, 512)
    main = eng.make_playback_processor("main", np.stack([mix, mix]))
    side = eng.make_playback_processor("sc", np.stack([ref, ref]))
    plug = eng.make_plugin_processor("residue", vst3)
    eng.load_graph([(main, []), (side, []), (plug, ["main", "sc"])])
    names = [plug.get_parameter_name(i) for i in range(plug.get_plugin_parameter_size())]
    return eng, plug, names


def render(eng, n):
    # Half a second past the end, as a DAW goes on calling a plugin after the transport stops
    # (silence in: the fit has stopped learning, and the copy a save takes is exact).
    eng.render((n + LATENCY) / 44100 + 0.5)
    return eng.get_audio()[:, LATENCY:LATENCY + n]


def gain_db(out, mix, truth, span):
    sdr = lambda e: 10 * np.log10(np.sum(truth[span] ** 2) / np.sum((e[span] - truth[span]) ** 2))
    return sdr(out) - sdr(mix)


def frozen_twice(vst3, tmp_path):
    """Learn over the example, press Freeze, save the state, render again (DawDreamer prepares
    the plugin again before every render: a reset); a new instance loads the saved state and
    renders. Returns the example and the three renders."""
    mix, ref, truth = example()
    eng, plug, names = instance(vst3, mix, ref)
    first = render(eng, len(mix))[0]
    plug.set_parameter(names.index("Freeze"), 1.0)
    state = str(tmp_path / "frozen.state")
    plug.save_state(state)
    again = render(eng, len(mix))[0]
    eng2, plug2, _ = instance(vst3, mix, ref)
    plug2.load_state(state)
    reloaded = render(eng2, len(mix))[0]
    return (mix, truth), first, again, reloaded


def test_a_host_re_preparing_the_plugin_keeps_what_it_learned(vst3, tmp_path):
    # The removal after the host's reset with Freeze on is the learned one, not a fresh start.
    (mix, truth), first, again, _ = frozen_twice(vst3, tmp_path)
    whole = slice(2 * 44100, None)
    opening = slice(0, 44100)
    learned, kept = gain_db(first, mix, truth, whole), gain_db(again, mix, truth, whole)
    warm, cold = gain_db(again, mix, truth, opening), gain_db(first, mix, truth, opening)
    print(f"learning {learned:+.2f} dB; after the host's reset with Freeze on {kept:+.2f} dB; "
          f"first second: fresh {cold:+.2f} dB, after the reset {warm:+.2f} dB")
    assert learned > 5.0 and kept > 5.0
    assert warm > cold + 3.0, "the second pass started from nothing again"


@pytest.mark.xfail(strict=True, reason="known: after the host's reset with Freeze on Residue removes "
                   "6.57 dB where the state saved when Freeze was pressed, reloaded into a new instance, removes 8.18 dB "
                   "(README, *What Residue keeps*)")
def test_a_host_reset_with_freeze_removes_what_the_saved_state_removes_in_a_new_instance(vst3, tmp_path):
    (mix, truth), _, again, reloaded = frozen_twice(vst3, tmp_path)
    whole = slice(2 * 44100, None)
    kept, loaded = gain_db(again, mix, truth, whole), gain_db(reloaded, mix, truth, whole)
    print(f"after the host's reset with Freeze on {kept:+.2f} dB; the saved state in a new instance {loaded:+.2f} dB")
    assert abs(kept - loaded) < 0.1


def test_a_saved_state_carries_on_exactly_where_the_instance_was(vst3, tmp_path):
    mix, ref, truth = example()
    eng, plug, _ = instance(vst3, mix, ref)
    render(eng, len(mix))
    state = str(tmp_path / "residue.state")
    plug.save_state(state)
    carried_on = render(eng, len(mix))
    eng2, plug2, _ = instance(vst3, mix, ref)
    plug2.load_state(state)
    reloaded = render(eng2, len(mix))
    fresh = render(instance(vst3, mix, ref)[0], len(mix))
    opening = slice(0, 44100)
    print("first second: carried on %+.2f dB, reloaded %+.2f dB, fresh %+.2f dB" % tuple(
        gain_db(x[0], mix, truth, opening) for x in (carried_on, reloaded, fresh)))
    assert np.array_equal(carried_on, reloaded), f"reloaded differs: max {np.max(np.abs(carried_on - reloaded))}"
    assert gain_db(reloaded[0], mix, truth, opening) > gain_db(fresh[0], mix, truth, opening) + 3.0
