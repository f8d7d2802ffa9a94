//! Deterministic test signals.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub fn noise(len: usize, seed: u64, amplitude: f32) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..len).map(|_| amplitude * (rng.random::<f32>() * 2.0 - 1.0)).collect()
}

/// A sum of sines with a slow amplitude wobble: tonal material with changing spectra.
pub fn tones(len: usize, rate: f32, freqs: &[f32], amplitude: f32) -> Vec<f32> {
    (0..len)
        .map(|n| {
            let t = n as f32 / rate;
            let env = 0.6 + 0.4 * (2.0 * std::f32::consts::PI * 1.3 * t).sin();
            freqs.iter().enumerate().map(|(i, f)| (2.0 * std::f32::consts::PI * f * t + i as f32).sin()).sum::<f32>()
                * amplitude
                * env
                / freqs.len() as f32
        })
        .collect()
}

pub fn add(a: &[f32], b: &[f32], gain_b: f32) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + gain_b * y).collect()
}

/// Energy of `a − b` relative to the energy of `b`, in dB.
pub fn error_db(a: &[f32], b: &[f32]) -> f64 {
    let err: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    let reference: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
    10.0 * (err / reference.max(1e-300)).log10()
}

/// Largest absolute sample-to-sample step.
pub fn max_step(x: &[f32]) -> f32 {
    x.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
}

/// The block-split tests' material (`blocking.rs`, `live.rs`): a stereo track of tones and noise
/// with a tonal bleed at two levels, and that bleed as the one reference; 44.1 kHz.
pub fn stereo_bleed(len: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let rate = 44100.0;
    let bleed = tones(len, rate, &[220.0, 330.0, 1250.0], 0.4);
    let target = add(&tones(len, rate, &[310.0, 620.0, 2900.0], 0.3), &noise(len, 1, 0.05), 1.0);
    (vec![add(&target, &bleed, 0.5), add(&target, &bleed, 0.3)], vec![bleed])
}

/// Host block splits the block-split tests feed (cycled): single samples, an odd size, empty
/// blocks among long and short ones.
pub const BLOCK_SPLITS: [&[usize]; 4] = [&[1], &[7], &[0, 8192, 3, 0, 513], &[64, 1, 1000, 17]];
