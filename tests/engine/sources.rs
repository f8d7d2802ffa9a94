//! Several references at once: a kick and a hi-hat bleeding into a vocal mic along paths of
//! their own (gain, lag), heard as two sources, as each alone, and as one stereo source (what a
//! stereo sidechain carrying both was before it could be split).
//!
//! Reproduce the numbers: `cargo test --release --test engine sources -- --nocapture`.

use residue::dsp::Settings;

use super::harness;
use super::kit::{self, Path, Voice};
use super::wav;

const RATE: f32 = 44100.0;

/// (track channels, kick, hi-hat, the voice alone per channel).
fn scene(channels: usize) -> (Vec<Vec<f32>>, Vec<f32>, Vec<f32>, Vec<Vec<f32>>) {
    let voice = wav::read("examples/vocal-bleed/truth_vocal.wav").0.remove(0);
    let len = voice.len();
    let (kick, hat) = (kit::voice(Voice::Kick, len, RATE), kit::voice(Voice::HiHat, len, RATE));
    let truth: Vec<Vec<f32>> =
        (0..channels).map(|c| voice.iter().map(|x| x * (1.0 - 0.25 * c as f32)).collect()).collect();
    // Each source reaches each mic at its own level and time.
    let paths = [
        vec![Path { gain: 0.3, lag_ms: 4.0 }, Path { gain: 0.12, lag_ms: 11.0 }],
        vec![Path { gain: 0.2, lag_ms: 6.5 }, Path { gain: 0.2, lag_ms: 8.0 }],
    ];
    let track = kit::track(&truth, &[kick.clone(), hat.clone()], &paths[..channels], RATE);
    (track, kick, hat, truth)
}

/// SDR improvement per track channel over the last 5 s, rendering `refs` grouped as `sources`.
fn improvement(track: &[Vec<f32>], truth: &[Vec<f32>], refs: &[Vec<f32>], sources: &[usize]) -> Vec<f64> {
    let mut engine = harness::engine(RATE, track.len(), sources, 4096, 4, Settings::default());
    let latency = engine.latency();
    let out = harness::run(&mut engine, track, refs, &[512]);
    let from = truth[0].len() / 2;
    (0..track.len()).map(|c| kit::improvement_db(&out[c], latency, &track[c], &truth[c], from)).collect()
}

#[test]
fn two_references_remove_two_bleeds_better_than_either_alone_or_one_stereo_source() {
    for channels in [1, 2] {
        let (track, kick, hat, truth) = scene(channels);
        let both = vec![kick.clone(), hat.clone()];
        let two = improvement(&track, &truth, &both, &[1, 1]);
        let stereo = improvement(&track, &truth, &both, &[2]);
        let kick_alone = improvement(&track, &truth, std::slice::from_ref(&kick), &[1]);
        let hat_alone = improvement(&track, &truth, std::slice::from_ref(&hat), &[1]);
        for c in 0..channels {
            eprintln!(
                "{channels}-channel track, channel {c}: SDR +{:.2} dB with two references, +{:.2} as one stereo source, +{:.2} kick alone, +{:.2} hi-hat alone",
                two[c], stereo[c], kick_alone[c], hat_alone[c]
            );
            assert!(
                two[c] > kick_alone[c] + 1.0 && two[c] > hat_alone[c] + 1.0,
                "channel {c}: two references {:.2} dB vs alone {:.2} / {:.2}",
                two[c],
                kick_alone[c],
                hat_alone[c]
            );
            assert!(
                two[c] > stereo[c] + 1.0,
                "channel {c}: two references {:.2} dB vs one stereo source {:.2}",
                two[c],
                stereo[c]
            );
        }
    }
}

/// Two sources bleeding at different levels (0.2 and 0.02), taking turns half a second each:
/// the fit learns a gain per source, each within 1 dB of its path (one gain for their sum would
/// lie between the two, 20 dB apart).
#[test]
fn each_source_has_a_leakage_gain_of_its_own() {
    let len = (8.0 * RATE) as usize;
    let half = (0.5 * RATE) as usize;
    let gate = |x: Vec<f32>, on: usize| -> Vec<f32> {
        x.into_iter().enumerate().map(|(i, v)| if (i / half) % 2 == on { v } else { 0.0 }).collect()
    };
    let (a, b) = (gate(super::signals::noise(len, 1, 0.5), 0), gate(super::signals::noise(len, 2, 0.5), 1));
    let track: Vec<f32> = a.iter().zip(&b).map(|(a, b)| 0.2 * a + 0.02 * b).collect();
    // The fit alone: no lag search (the paths have none), one tap, the references as they are.
    let settings = Settings { auto_lag: false, tail_frames: 1, target_image: false, ..Settings::default() };
    let mut engine = harness::engine(RATE, 1, &[1, 1], 4096, 4, settings);
    harness::run(&mut engine, &[track], &[a, b], &[512]);
    let median = |g: &[f32]| {
        let mut g = g[8..g.len() - 8].to_vec();
        g.sort_by(f32::total_cmp);
        g[g.len() / 2]
    };
    for (l, want) in [(0, 0.2f32), (1, 0.02)] {
        let got = median(engine.learned_tap(0, l));
        eprintln!("source {l}: learned gain {got:.4} (path {want})");
        assert!((20.0 * (got / want).log10()).abs() < 1.0, "source {l}: learned {got:.4}, path {want}");
    }
}
