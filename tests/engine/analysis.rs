//! The per-frame analysis the editor draws: off by default, silent about the audio, and
//! telling the truth about where the bleed is.

use residue::dsp::Settings;

use crate::harness::{engine, run};
use crate::signals::add;

const RATE: f32 = 48000.0;
/// Bin centres at a 4096 window: bin 88 (1031 Hz) and bin 21 (246 Hz).
const VOICE_BIN: usize = 88;
const BLEED_BIN: usize = 21;

fn sine(bin: usize, amplitude: f32) -> Vec<f32> {
    let hz = bin as f32 * RATE / 4096.0;
    (0..48000).map(|n| amplitude * (2.0 * std::f32::consts::PI * hz * n as f32 / RATE).sin()).collect()
}

/// A "voice" at bin 88 plus bleed at bin 21, whose reference is the same tone at twice the level.
fn scene() -> (Vec<f32>, Vec<f32>) {
    let bleed = sine(BLEED_BIN, 0.4);
    (add(&sine(VOICE_BIN, 0.3), &bleed, 0.5), bleed)
}

#[test]
fn analysis_reports_mixture_bleed_mask_output_and_gain() {
    let (mix, reference) = scene();
    // The removal whole from the first frame (no warm-up): this second shows the model at work.
    let mut e = engine(
        RATE,
        1,
        &[1],
        4096,
        4,
        Settings { compression: false, smoothing_ms: 0.0, warm_up: false, ..Settings::default() },
    );
    e.set_analysis(true);
    run(&mut e, &[mix], &[reference], &[512]);
    let a = e.analysis();
    assert_eq!((a.bins, a.window, a.overlap, a.sample_rate), (2049, 4096, 4, RATE));
    assert_eq!(a.serial as usize, 48000 / 1024, "one analysis per hop");
    let (voice, bleed) = (VOICE_BIN, BLEED_BIN);
    // Magnitudes in the spectrum scale: a sine of amplitude A reads A/2.
    assert!((a.mixture[voice] - 0.15).abs() < 0.01, "voice {}", a.mixture[voice]);
    assert!((a.mixture[bleed] - 0.1).abs() < 0.01, "bleed in the mix {}", a.mixture[bleed]);
    assert!(
        (a.bleed[bleed] / a.mixture[bleed] - 1.0).abs() < 0.1,
        "bleed estimate {} vs {}",
        a.bleed[bleed],
        a.mixture[bleed]
    );
    assert!(a.bleed[voice] < 0.01 * a.mixture[voice], "no bleed predicted under the voice");
    assert!(a.mask[voice] > 0.95 && a.mask[bleed] < 0.1, "mask {} / {}", a.mask[voice], a.mask[bleed]);
    assert!(a.output[bleed] < 0.2 * a.mixture[bleed] && (a.output[voice] / a.mixture[voice] - 1.0).abs() < 0.05);
    // The reference is 0.4, the bleed in the mix 0.2: the learned gain (α = 1) is about 0.5.
    assert!((a.gain[bleed] - 0.5).abs() < 0.05, "learned gain {}", a.gain[bleed]);
    assert!(a.reference_power > 0.0);
}

#[test]
fn analysis_is_off_by_default_and_never_changes_the_audio() {
    let (mix, reference) = scene();
    let mut plain = engine(RATE, 1, &[1], 2048, 4, Settings::default());
    let mut watched = engine(RATE, 1, &[1], 2048, 4, Settings::default());
    watched.set_analysis(true);
    let a = run(&mut plain, std::slice::from_ref(&mix), std::slice::from_ref(&reference), &[256]);
    let b = run(&mut watched, &[mix], &[reference], &[256]);
    assert!(a == b, "analysis changed the output");
    assert_eq!(plain.analysis().serial, 0, "analysed without being asked");
    assert!(watched.analysis().serial > 0);
}

#[test]
fn silent_sidechain_reads_zero_reference_power() {
    let (mix, _) = scene();
    let mut e = engine(RATE, 1, &[1], 1024, 4, Settings::default());
    e.set_analysis(true);
    run(&mut e, std::slice::from_ref(&mix), &[vec![0.0; mix.len()]], &[512]);
    assert_eq!(e.analysis().reference_power, 0.0);
    assert!(e.analysis().bleed[..e.analysis().bins].iter().all(|&b| b == 0.0));
}
