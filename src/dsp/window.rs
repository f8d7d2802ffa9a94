//! Analysis and synthesis windows with perfect reconstruction.
//!
//! Overlap 2 uses the sine window (√Hann), whose square sums to 1 at half-window hops; overlap
//! 4 and 8 use the periodic Hann window, better at rejecting leakage between bins. The
//! synthesis window divides by the actual overlap-added `Σ w²` at each sample, so
//! analysis → synthesis → overlap-add is the identity (up to rounding) for any of them, which
//! is also exactly what scipy's `istft` does.

use std::f64::consts::PI;

/// The analysis window for a window length and overlap (both validated by the caller).
pub fn analysis_window(size: usize, overlap: usize, out: &mut [f32]) {
    for (n, w) in out[..size].iter_mut().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * PI * n as f64 / size as f64).cos();
        *w = if overlap == 2 { hann.sqrt() } else { hann } as f32;
    }
}

/// Fills the windows the STFT uses, with the spectrum scaling folded in.
///
/// The forward transform is scaled by `1 / Σw` like scipy's `stft`, so a full-scale sine reads
/// ≈ 0.5 in its bin whatever the window size (the GUI shows dBFS without knowing N), and the
/// models' magnitudes do not depend on the window size. The synthesis window undoes that,
/// undoes realfft's unnormalised inverse (`× N`) and divides by the overlap-added `Σ w²`.
pub fn stft_windows(size: usize, overlap: usize, analysis: &mut [f32], synthesis: &mut [f32]) {
    let hop = size / overlap;
    analysis_window(size, overlap, analysis);
    let w = &analysis[..size];
    let sum: f64 = w.iter().map(|&x| x as f64).sum();
    for n in 0..size {
        let ola: f64 = (0..overlap).map(|k| (w[(n % hop) + k * hop] as f64).powi(2)).sum();
        synthesis[n] = (w[n] as f64 * sum / (size as f64 * ola)) as f32;
    }
    let inv_sum = 1.0 / sum;
    for x in &mut analysis[..size] {
        *x = (*x as f64 * inv_sum) as f32;
    }
}
