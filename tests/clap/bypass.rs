//! The Bypass parameter in a real CLAP host: flagged as the plugin's bypass, automatable; while
//! on, the output is the track delayed by the latency; each change is a crossfade, not a step;
//! the fit learns on underneath, so that once bypass is off again the output is, sample for
//! sample, what an instance never bypassed gives.

use super::host::{self, Loaded};
use super::{diff_db, example, RATE};

fn mono() -> Loaded {
    let mut p = Loaded::new();
    let id = p.configs().into_iter().find(|c| c.1 == "Mono").unwrap().0;
    p.select_config(id);
    p
}

#[test]
fn bypass_is_the_delayed_track_reached_by_a_crossfade_and_learning_goes_on() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let mut p = mono();
    let params = p.params();
    let flagged: Vec<&str> = params.iter().filter(|q| q.bypass).map(|q| q.name.as_str()).collect();
    assert_eq!(flagged, ["Bypass"], "exactly one parameter carries the bypass flag");
    let bypass = params.iter().find(|q| q.name == "Bypass").unwrap();
    assert!(bypass.automatable && bypass.default == 0.0 && (bypass.min, bypass.max) == (0.0, 1.0));
    let id = bypass.id;

    // Bypass on from about 1 s to about 2 s of the 3 s example, at the starts of 512-sample
    // blocks (a parameter change takes effect from the block it arrives in).
    let (on, off) = (86 * 512, 172 * 512);
    let out = p.process(
        RATE,
        std::slice::from_ref(&mix),
        Some(std::slice::from_ref(&reference)),
        &[512],
        &[(on, id, 1.0), (off, id, 0.0)],
    );
    let latency = p.latency() as usize;
    let plain = mono().process(RATE, std::slice::from_ref(&mix), Some(std::slice::from_ref(&reference)), &[512], &[]);
    let hop = 1024; // the crossfade: one hop of the default 4096 / 4x
                    // Before the switch: the plugin as it is.
    assert!(out[0][..on] == plain[0][..on], "bypass changed the output before it was switched on");
    // While bypassed (after the crossfade): the track, delayed by the latency.
    let span = on + hop..off;
    let d = diff_db(&out[0][span.clone()], &mix[span.start - latency..span.end - latency]);
    eprintln!("bypassed: {d:.1} dB from the delayed track");
    assert!(d < -120.0, "bypassed output is not the delayed track: {d:.1} dB");
    // After it (the crossfade back over): exactly the instance that was never bypassed, because
    // the fit went on learning.
    assert!(
        out[0][off + hop..] == plain[0][off + hop..],
        "the output after bypass differs from an instance never bypassed"
    );
    // Each switch is a linear crossfade over one hop between the cleaned and the delayed track
    // (the Mix knob's ramp), not a step from one to the other.
    for (at, to_dry) in [(on, true), (off, false)] {
        let mut worst = 0.0f32;
        for k in 0..hop {
            let toward = (k + 1) as f32 / hop as f32;
            let dry_share = if to_dry { toward } else { 1.0 - toward };
            let (wet, dry) = (plain[0][at + k], mix[at + k - latency]);
            worst = worst.max((out[0][at + k] - (dry_share * dry + (1.0 - dry_share) * wet)).abs());
        }
        eprintln!("switch at {at}: {worst:.2e} from a linear crossfade over {hop} samples");
        assert!(worst < 1e-4, "switch at {at}: {worst} from a linear crossfade");
    }
}
