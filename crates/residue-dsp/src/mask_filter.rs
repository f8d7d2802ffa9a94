//! Live's mask → filter: the separator's per-bin real gains of one frame become a causal FIR.
//!
//! A real, non-negative gain per bin is a zero-phase filter: its inverse transform is an
//! impulse response symmetric about 0, `size` samples long (circularly). Applied as it is it
//! would need `size / 2` samples of lookahead. Live keeps all of its causal half (`size / 2`
//! taps behind, so the mask's 10 Hz structure survives: the whole 4096-point mask becomes the
//! filter) and only `lookahead` taps ahead, tapered to 0 by half a Hann window; the causal half
//! fades out over its last eighth, and its taps whose mirrors ahead are cut weigh
//! [`CAUSAL_WEIGHT`] (so the mask's notches keep more of their depth). The result is a
//! linear-phase filter within the lookahead: no phase error on the mask's coarse shape, where a
//! minimum-phase version of the same mask turns the phase
//! through large angles beside every notch (`docs/live-mode-study.md` measures the loss;
//! minimum-phase filter-bank equalisers, Löllmann & Vary, "Uniform
//! and warped low delay filter-banks for speech enhancement", Speech Communication 2007, suit
//! smooth speech-enhancement gains, not a mask this sharp). The filter's centre is tap
//! `lookahead`: a mask of ones is a unit impulse there, an exact delay.

use std::f64::consts::PI;
use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner};

use super::limits::MIN_WINDOW;
use super::pages::touch;

/// Weight of the causal taps beyond the lookahead, where the acausal ones they mirror are cut.
///
/// A zero-phase response cut to `lookahead` taps ahead keeps the mask's coarse shape (what
/// varies over more than `1 / lookahead` of the band) whole, but its fine structure only at
/// half strength, plus a quadrature error of half strength: the Hilbert transform of the fine
/// structure along frequency (the causal half of a symmetric response is `(M + j·H{M}) / 2`).
/// Weight 1 is that least-squares cut; weight 2 keeps the real part of the response exactly
/// (the causal filter whose real part is the mask), so a notch between two harmonics is as
/// deep as the mask asks, for a quadrature error twice as large, which falls beside the notch
/// rather than in it. Between the two, 1.5 measured best against Mix on the evaluation set
/// (`docs/live-mode-study.md`): tonal material gains, percussive material loses a little.
pub const CAUSAL_WEIGHT: f64 = 1.5;

/// Taps of the filter for an analysis of `size` samples and `lookahead` samples ahead.
pub fn filter_taps(size: usize, lookahead: usize) -> usize {
    lookahead + size / 2
}

pub struct MaskFilter {
    /// Inverse transforms of every power-of-two size from [`MIN_WINDOW`] to the largest.
    inverse: Vec<Arc<dyn ComplexToReal<f32>>>,
    spectrum: Vec<Complex32>,
    time: Vec<f32>,
    scratch: Vec<Complex32>,
    /// The shape [`MaskFilter::set_shape`] prepared the tapers for.
    size: usize,
    lookahead: usize,
    /// Taps actually used ahead of the centre: the lookahead, within the half window the
    /// zero-phase response spans.
    ahead: usize,
    /// Taper of tap `−m` (m = 1…ahead), scaled by `1 / size` (realfft's inverse is unnormalised).
    ahead_taper: Vec<f32>,
    /// Taper of tap `m` (m = 0…size/2 − 1), scaled the same way.
    behind_taper: Vec<f32>,
}

impl MaskFilter {
    /// Allocates for analyses up to `max_window` samples and up to `max_lookahead` ahead.
    pub fn new(max_window: usize, max_lookahead: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let mut inverse = Vec::new();
        let mut n = MIN_WINDOW;
        while n <= max_window {
            inverse.push(planner.plan_fft_inverse(n));
            n *= 2;
        }
        let scratch_len = inverse.iter().map(|p| p.get_scratch_len()).max().unwrap_or(0);
        let mut filter = Self {
            inverse,
            spectrum: vec![Complex32::default(); max_window / 2 + 1],
            time: vec![0.0; max_window],
            scratch: vec![Complex32::default(); scratch_len],
            size: 0,
            lookahead: 0,
            ahead: 0,
            ahead_taper: vec![0.0; max_lookahead.min(max_window / 2) + 1],
            behind_taper: vec![0.0; max_window / 2],
        };
        touch(&mut filter.spectrum);
        touch(&mut filter.time);
        touch(&mut filter.scratch);
        touch(&mut filter.ahead_taper);
        touch(&mut filter.behind_taper);
        filter
    }

    /// Prepares the tapers for frames of `size` samples (a power of two within the maximum)
    /// and `lookahead` samples ahead (within the maximum). No allocation.
    pub fn set_shape(&mut self, size: usize, lookahead: usize) {
        let half = size / 2;
        let ahead = lookahead.min(half - 1).min(self.ahead_taper.len() - 1);
        let scale = 1.0 / size as f64;
        for m in 1..=ahead {
            self.ahead_taper[m] = ((0.5 + 0.5 * (PI * m as f64 / (ahead + 1) as f64).cos()) * scale) as f32;
        }
        let fade = half / 8;
        for m in 0..half {
            let into = (m + fade + 1).saturating_sub(half);
            // Tap m keeps weight 1 where its mirror −m is kept whole and CAUSAL_WEIGHT where
            // the mirror is cut, in between as the taper ahead cuts the mirror.
            let ahead_weight = match m {
                0 => 1.0,
                m if m <= ahead => 0.5 + 0.5 * (PI * m as f64 / (ahead + 1) as f64).cos(),
                _ => 0.0,
            };
            let weight = CAUSAL_WEIGHT - (CAUSAL_WEIGHT - 1.0) * ahead_weight;
            self.behind_taper[m] = ((0.5 + 0.5 * (PI * into as f64 / (fade + 1) as f64).cos()) * scale * weight) as f32;
        }
        (self.size, self.lookahead, self.ahead) = (size, lookahead, ahead);
    }

    /// The filter of one frame's gains: `gains` holds `size / 2 + 1` per-bin real gains, `taps`
    /// receives [`filter_taps`] taps, the centre (the gains' zero-phase response at 0) at tap
    /// `lookahead`. A gain of 1 everywhere gives exactly a unit impulse there.
    #[inline(always)]
    pub fn design(&mut self, gains: &[f32], taps: &mut [f32]) {
        let (size, lookahead, ahead) = (self.size, self.lookahead, self.ahead);
        let (half, bins) = (size / 2, size / 2 + 1);
        for (x, &g) in self.spectrum[..bins].iter_mut().zip(&gains[..bins]) {
            *x = Complex32::new(g, 0.0);
        }
        let plan = (size / MIN_WINDOW).trailing_zeros() as usize;
        // Lengths are right by construction and the DC and Nyquist bins real, so it cannot fail.
        let _ = self.inverse[plan].process_with_scratch(
            &mut self.spectrum[..bins],
            &mut self.time[..size],
            &mut self.scratch,
        );
        let taps = &mut taps[..filter_taps(size, lookahead)];
        taps[..lookahead - ahead].fill(0.0);
        // Tap `lookahead − m` is the response at −m, which the circular transform holds at
        // `size − m`.
        for m in 1..=ahead {
            taps[lookahead - m] = self.time[size - m] * self.ahead_taper[m];
        }
        for ((t, &h), &w) in taps[lookahead..].iter_mut().zip(&self.time[..half]).zip(&self.behind_taper[..half]) {
            *t = h * w;
        }
    }
}
