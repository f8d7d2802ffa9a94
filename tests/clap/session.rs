//! What Residue learned, through a real CLAP host's life cycle: re-activation and the resets at
//! every start of processing keep it, a saved state carries it into a new instance, Relearn
//! (a parameter, so automation can do it) forgets it.

use super::host::{self, Loaded};
use super::wav;
use super::RATE;

/// The whole bundled example: (vocal mic, guitar mic, vocal alone), mono.
fn whole_example() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let read = |name: &str| wav::read(&format!("examples/vocal-bleed/{name}")).0.remove(0);
    (read("vocal_mic.wav"), read("guitar_mic.wav"), read("truth_vocal.wav"))
}

fn mono() -> Loaded {
    let mut p = Loaded::new();
    let id = p.configs().into_iter().find(|c| c.1 == "Mono").unwrap().0;
    p.select_config(id);
    p
}

/// SDR improvement of a latency-aligned output over the input, over `span` of the track.
fn gain_db(out: &[f32], latency: usize, mix: &[f32], truth: &[f32], span: std::ops::Range<usize>) -> f64 {
    let sdr = |e: &dyn Fn(usize) -> f32| {
        let (mut s, mut n) = (0.0f64, 0.0f64);
        for i in span.clone() {
            s += (truth[i] as f64).powi(2);
            n += ((e(i) - truth[i]) as f64).powi(2);
        }
        10.0 * (s / n).log10()
    };
    sdr(&|i| out[i + latency]) - sdr(&|i| mix[i])
}

#[test]
fn a_saved_state_carries_on_exactly_where_the_instance_was() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference, truth) = whole_example();
    let split = 5 * RATE as usize;
    let (first_mix, first_ref) = (vec![mix[..split].to_vec()], vec![reference[..split].to_vec()]);
    let (rest_mix, rest_ref) = (vec![mix[split..].to_vec()], vec![reference[split..].to_vec()]);
    for freeze in [false, true] {
        let mut a = mono();
        a.process(RATE, &first_mix, Some(&first_ref), &[512], &[]);
        if freeze {
            a.set_params_text(&[("Freeze", "On")]);
        }
        let state = a.save();
        let json: serde_json::Value = serde_json::from_slice(&state[8..]).expect("the state is JSON");
        let profile: serde_json::Value =
            serde_json::from_str(json["fields"]["profile"].as_str().expect("a profile field")).unwrap();
        assert_eq!(profile["sample_rate"].as_f64(), Some(RATE), "{profile}");
        // The original carries on (activated again: the host's reset at the start of processing).
        let carried_on = a.process(RATE, &rest_mix, Some(&rest_ref), &[512], &[]);
        let mut b = mono();
        assert!(b.load(&state), "load");
        let reloaded = b.process(RATE, &rest_mix, Some(&rest_ref), &[333], &[]);
        assert!(carried_on == reloaded, "freeze {freeze}: the reloaded instance differs from the original carrying on");
        // And it matters: a fresh instance starts from nothing (and warms up): over its first
        // half second it applies at most an eighth of its removal.
        let fresh = mono().process(RATE, &rest_mix, Some(&rest_ref), &[512], &[]);
        let latency = a.latency() as usize;
        let first = 0..RATE as usize / 2;
        let (t, m) = (&truth[split..], &mix[split..]);
        let (kept, cold) =
            (gain_db(&reloaded[0], latency, m, t, first.clone()), gain_db(&fresh[0], latency, m, t, first));
        eprintln!("freeze {freeze}: first half second after reload {kept:+.2} dB, fresh instance {cold:+.2} dB");
        assert!(kept > cold + 1.0, "freeze {freeze}: reloaded {kept:.2} dB vs fresh {cold:.2} dB");
    }
}

#[test]
fn a_state_saved_before_anything_was_learned_loads_as_nothing_learned() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference, _) = whole_example();
    let n = 4 * RATE as usize;
    let blank = mono().save();
    let mut p = mono();
    let learned = p.process(RATE, &[mix[..n].to_vec()], Some(&[reference[..n].to_vec()]), &[512], &[]);
    assert!(p.load(&blank));
    let after_load = p.process(RATE, &[mix[..n].to_vec()], Some(&[reference[..n].to_vec()]), &[512], &[]);
    let fresh = mono().process(RATE, &[mix[..n].to_vec()], Some(&[reference[..n].to_vec()]), &[512], &[]);
    assert!(after_load == fresh, "loading a blank session kept what the instance had learned");
    assert!(learned == fresh, "the same audio from nothing learned gives the same output");
}

#[test]
fn relearn_forgets_and_automation_can_press_it() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference, truth) = whole_example();
    let split = 5 * RATE as usize;
    let relearn = mono().param_id("Relearn");
    let mut outs = Vec::new();
    for press in [false, true] {
        let mut p = mono();
        p.process(RATE, &[mix[..split].to_vec()], Some(&[reference[..split].to_vec()]), &[512], &[]);
        // Pressed at the start of the next pass (on, then off again a little later).
        let events = if press { vec![(0, relearn, 1.0), (4000, relearn, 0.0)] } else { vec![] };
        let out = p.process(RATE, &[mix[split..].to_vec()], Some(&[reference[split..].to_vec()]), &[512], &events);
        let latency = p.latency() as usize;
        outs.push(gain_db(&out[0], latency, &mix[split..], &truth[split..], 0..RATE as usize));
    }
    eprintln!("first second after the restart: kept {:+.2} dB, relearned {:+.2} dB", outs[0], outs[1]);
    assert!(outs[0] > 3.0, "kept: {:.2} dB", outs[0]);
    // After Relearn the removal warms up again: far less in the first second, never below the input.
    assert!(outs[1] < outs[0] - 3.0 && outs[1] > -0.1, "after Relearn: {:.2} dB", outs[1]);
}
