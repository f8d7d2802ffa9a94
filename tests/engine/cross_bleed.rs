//! A reference mic that hears the target too: in a live room the guitar mic picks up the singer.
//! The fit must not learn the target's image in the reference as bleed (which would take the
//! voice out with the guitar), and the lag search must find the bleed's lag, not the target's.

use residue::dsp::{Engine, Settings};

use crate::harness::{engine, run};
use crate::signals::noise;
use crate::wav;

/// The bundled example: (vocal mic, guitar mic, the vocal mic's voice alone), mono, 44.1 kHz.
fn example() -> (Vec<f32>, Vec<f32>, Vec<f32>, f32) {
    let (mix, rate) = wav::read("examples/vocal-bleed/vocal_mic.wav");
    let (guitar, _) = wav::read("examples/vocal-bleed/guitar_mic.wav");
    let (voice, _) = wav::read("examples/vocal-bleed/truth_vocal.wav");
    (mix[0].clone(), guitar[0].clone(), voice[0].clone(), rate as f32)
}

/// SDR of `estimate` against `truth` from `from` on, dB.
fn sdr(truth: &[f32], estimate: &[f32], from: usize) -> f64 {
    let e: f64 = truth[from..].iter().zip(&estimate[from..]).map(|(t, y)| ((t - y) as f64).powi(2)).sum();
    let s: f64 = truth[from..].iter().map(|t| (*t as f64).powi(2)).sum();
    10.0 * (s / e).log10()
}

/// The cleaned track, latency removed: from a cold start, or (`learn_first`) after the engine
/// has heard the whole file once (a reset keeps what was learned), as `--learn-first` renders.
fn cleaned(mix: &[f32], reference: &[f32], rate: f32, learn_first: bool) -> Vec<f32> {
    let mut e: Engine = engine(rate, 1, &[1], 4096, 4, Settings::default());
    let lat = e.latency();
    let pad = |x: &[f32]| x.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect::<Vec<f32>>();
    if learn_first {
        run(&mut e, &[pad(mix)], &[pad(reference)], &[1024]);
        e.reset();
    }
    run(&mut e, &[pad(mix)], &[pad(reference)], &[1024])[0][lat..].to_vec()
}

/// The voice leaks into the guitar mic at `k_db` below its level in the vocal mic (on top of
/// the example's own leak, 24 dB down): the SDR change of the cleaned vocal from 2 s on, cold
/// and learned first.
fn change(k_db: f32) -> (f64, f64) {
    let (mix, guitar, voice, rate) = example();
    let k = 10f32.powf(k_db / 20.0);
    let reference: Vec<f32> = guitar.iter().zip(&voice).map(|(g, v)| g + k * v).collect();
    let from = 2 * rate as usize;
    let input = sdr(&voice, &mix, from);
    let [cold, learned] = [false, true].map(|l| sdr(&voice, &cleaned(&mix, &reference, rate, l), from) - input);
    (cold, learned)
}

#[test]
fn the_voice_in_the_guitar_mic_is_not_removed_as_bleed() {
    let mut report = String::new();
    for k_db in [-3.0, -6.0, -9.0, -12.0, -18.0, -24.0] {
        let (cold, learned) = change(k_db);
        report += &format!("{k_db} dB: {cold:+.2} / {learned:+.2}; ");
        // Never worse than the track as it came in, whatever the leak.
        assert!(
            cold > 0.0 && learned > 0.0,
            "voice at {k_db} dB in the reference: SDR change {cold:+.2} dB cold, {learned:+.2} dB learned first"
        );
        if k_db == -6.0 {
            assert!(
                cold >= 3.0 && learned >= 3.0,
                "voice at -6 dB in the reference: {cold:+.2} dB cold, {learned:+.2} dB learned first"
            );
        }
    }
    eprintln!("SDR change, cold / learned first: {report}");
}

#[test]
fn the_lag_found_is_the_bleeds_not_the_targets() {
    const RATE: f32 = 48000.0;
    let len = (RATE * 6.0) as usize;
    let (source, target) = (noise(len, 61, 0.3), noise(len, 62, 0.3));
    let late = |x: &[f32], by: usize| -> Vec<f32> { (0..len).map(|n| if n >= by { x[n - by] } else { 0.0 }).collect() };
    // The bleed reaches the track 7 ms after the reference mic hears its source.
    let lag = (0.007 * RATE) as usize;
    let mix: Vec<f32> = target.iter().zip(late(&source, lag)).map(|(t, b)| t + 0.3 * b).collect();
    // The reference mic hears the target 6 dB down: at the same time as the track's mic (the
    // two mics as near the singer), or 2 ms after it.
    for image_lag in [0, (0.002 * RATE) as usize] {
        let reference: Vec<f32> = source.iter().zip(late(&target, image_lag)).map(|(s, t)| s + 0.5 * t).collect();
        let mut e = engine(RATE, 1, &[1], 4096, 4, Settings::default());
        run(&mut e, std::slice::from_ref(&mix), &[reference], &[512]);
        assert_eq!(
            e.reference_lag(0, 0),
            (lag, true),
            "target heard by the reference {image_lag} samples after the track"
        );
    }
}
