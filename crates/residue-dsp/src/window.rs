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

/// Live's analysis window ([`super::live`]): rises over `size − fall` samples and falls over
/// the last `fall` (half a Hann window each), scaled by `1 / Σw` like [`stft_windows`]'s, so
/// the models read the same magnitudes as in Mix.
///
/// The frame still spans `size` samples, so its bins are nearly as narrow as the symmetric
/// Hann's, but its weight sits on the last few hundred samples: the mask describes the input
/// as it is *now*, which is what a filter applied with a few milliseconds of latency needs.
/// `docs/live-mode-study.md` measures the fall against the symmetric Hann; the asymmetric
/// analysis windows of low-delay speech enhancement (Mauler & Martin, 2007) are the same idea.
pub fn asymmetric_window(size: usize, fall: usize, out: &mut [f32]) {
    let rise = size - fall;
    for (n, w) in out[..size].iter_mut().enumerate() {
        // The rise ends at the window's peak (the sample before the fall starts); the fall
        // stops short of 0, so the newest sample still counts.
        let v = if n < rise {
            0.5 - 0.5 * (PI * (n + 1) as f64 / rise as f64).cos()
        } else {
            0.5 + 0.5 * (PI * (n + 1 - rise) as f64 / (fall + 1) as f64).cos()
        };
        *w = v as f32;
    }
    let sum: f64 = out[..size].iter().map(|&x| x as f64).sum();
    for w in &mut out[..size] {
        *w = (*w as f64 / sum) as f32;
    }
}
