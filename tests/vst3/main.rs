//! The built `Residue.vst3` in a VST3 host written here: every bus arrangement a host may ask
//! for (accepted ones echo back, refused ones leave the real one in place), the sidechain bus
//! switched off and on, and `process` calls with missing, null, empty, short or overlong
//! buffers. What Steinberg's validator checks about buses and processing, and more.

mod buffers;
mod buses;
mod bypass;
#[path = "../engine/harness.rs"]
mod harness;
mod host;
#[path = "../engine/kit.rs"]
mod kit;
mod live;
mod presets;
mod sources;
#[path = "../engine/wav.rs"]
mod wav;

use residue::dsp::Settings;

const RATE: f64 = 44100.0;
const BLOCK: usize = 512;

/// 1.5 s of the bundled example: (track, reference), mono.
fn example() -> (Vec<f32>, Vec<f32>) {
    let (mix, rate) = wav::read("examples/vocal-bleed/vocal_mic.wav");
    let (reference, _) = wav::read("examples/vocal-bleed/guitar_mic.wav");
    assert_eq!(rate as f64, RATE);
    (mix[0][..66_150].to_vec(), reference[0][..66_150].to_vec())
}

/// The example as `channels` channels (the second one scaled, so that channels differ).
fn channels(signal: &[f32], channels: usize) -> Vec<Vec<f32>> {
    (0..channels).map(|c| signal.iter().map(|x| x * (1.0 - 0.2 * c as f32)).collect()).collect()
}

/// The engine driven directly at the plugin's defaults, in the same blocks.
fn engine_output(main: &[Vec<f32>], refs: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let sources: &[usize] = if refs.is_empty() { &[] } else { &[refs.len()] };
    harness::run(
        &mut harness::engine(RATE as f32, main.len(), sources, 4096, 4, Settings::default()),
        main,
        refs,
        &[BLOCK],
    )
}

fn diff_db(a: &[f32], b: &[f32]) -> f64 {
    let e: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    let s: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
    10.0 * (e.max(1e-300) / s.max(1e-300)).log10()
}

fn assert_finite(out: &[Vec<f32>], what: &str) {
    assert!(out.iter().flatten().all(|x| x.is_finite()), "{what}: non-finite output");
}

/// The output is the input delayed by the reported latency (what Residue does without a
/// sidechain signal).
fn assert_passes_through(out: &[Vec<f32>], input: &[Vec<f32>], latency: usize, what: &str) {
    assert_finite(out, what);
    assert_eq!(out.len(), input.len(), "{what}: channel count");
    for (c, (o, i)) in out.iter().zip(input).enumerate() {
        let d = diff_db(&o[latency..], &i[..i.len() - latency]);
        assert!(
            d < -100.0,
            "{what}, channel {c}: output vs input delayed by {latency}: {d:.1} dB (not a pass-through)"
        );
        assert!(o[..latency].iter().all(|x| x.abs() < 1e-6), "{what}, channel {c}: sound before the latency");
    }
}

/// Bleed was removed: the output is far from the delayed input.
fn assert_removes_bleed(out: &[Vec<f32>], input: &[Vec<f32>], latency: usize, what: &str) {
    assert_finite(out, what);
    for (c, (o, i)) in out.iter().zip(input).enumerate() {
        let d = diff_db(&o[latency..], &i[..i.len() - latency]);
        assert!(d > -30.0, "{what}, channel {c}: output vs delayed input {d:.1} dB: nothing was removed");
    }
}

fn assert_silent(out: &[Vec<f32>], what: &str) {
    assert_finite(out, what);
    let peak = out.iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak < 1e-6, "{what}: output peaks at {peak} where the input was silence");
}
