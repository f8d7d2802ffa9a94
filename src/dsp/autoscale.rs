//! Causal autoscale: per bin and main channel, the gain `g` that best fits the summed
//! reference models to the mixture model in the least-squares sense,
//! `g = Σ λ^k vx·vref / Σ λ^k vref²`, over an exponentially forgetting past.
//!
//! norbert fits the same ratio over the whole file at once (non-causal); with λ → 1 and a
//! file-long run this converges to norbert's gain. Freezing stops the update and holds the
//! learned curve. While the reference is silent the fit has no information, so the gain is
//! held too (the sums decay together, and are dropped to 0 before they turn denormal).

/// Below this `Σ vref²` the reference carries no usable information for the fit.
const MIN_WEIGHT: f32 = 1e-30;

pub struct Autoscale {
    bins: usize,
    num: Vec<f32>,
    den: Vec<f32>,
    gain: Vec<f32>,
}

impl Autoscale {
    pub fn new(channels: usize, max_bins: usize) -> Self {
        let zeros = vec![0.0; channels * max_bins];
        Self { bins: max_bins, num: zeros.clone(), den: zeros.clone(), gain: zeros }
    }

    /// Forget everything: gains start from 0 (no bleed assumed until the reference plays).
    pub fn reset(&mut self) {
        self.num.fill(0.0);
        self.den.fill(0.0);
        self.gain.fill(0.0);
    }

    /// Main channel `c`'s running sums and gains, `bins` long: `(num, den, gain)`, for a caller
    /// that folds [`fit`] into its own pass over the bins.
    pub fn rows(&mut self, c: usize, bins: usize) -> (&mut [f32], &mut [f32], &mut [f32]) {
        let at = c * self.bins;
        (&mut self.num[at..at + bins], &mut self.den[at..at + bins], &mut self.gain[at..at + bins])
    }

    /// The learned gain curve of main channel `c` (`bins` entries are meaningful).
    pub fn gains(&self, c: usize, bins: usize) -> &[f32] {
        &self.gain[c * self.bins..c * self.bins + bins]
    }
}

/// One bin of the running fit: folds in this frame's mixture `x` and reference model `r` with
/// forgetting `forget` (λ per hop) and returns the bin's gain.
///
/// Branch-free (the quotient is computed everywhere and selected), so that a loop over the bins
/// that calls it vectorises.
#[inline(always)]
pub fn fit(num: &mut f32, den: &mut f32, gain: &mut f32, x: f32, r: f32, forget: f32) -> f32 {
    let n = forget * *num + x * r;
    let d = forget * *den + r * r;
    let informed = d > MIN_WEIGHT;
    let quotient = n / if informed { d } else { 1.0 };
    *num = if informed { n } else { 0.0 };
    *den = if informed { d } else { 0.0 };
    *gain = if informed { quotient } else { *gain };
    *gain
}
