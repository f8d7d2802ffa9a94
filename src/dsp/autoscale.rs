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

    /// One frame of the running fit for main channel `c` (`forget` = λ per hop).
    #[inline(always)]
    pub fn update(&mut self, c: usize, vx: &[f32], vref: &[f32], forget: f32) {
        let at = c * self.bins;
        let (num, den, gain) = (&mut self.num[at..at + vx.len()], &mut self.den[at..at + vx.len()], &mut self.gain[at..at + vx.len()]);
        // Branch-free (the quotient is computed everywhere and selected), zipped (no bounds
        // checks): the compiler vectorises it.
        let rows = num.iter_mut().zip(den.iter_mut()).zip(gain.iter_mut()).zip(vx.iter().zip(vref));
        for (((num, den), gain), (&x, &r)) in rows {
            let n = forget * *num + x * r;
            let d = forget * *den + r * r;
            let informed = d > MIN_WEIGHT;
            let quotient = n / if informed { d } else { 1.0 };
            *num = if informed { n } else { 0.0 };
            *den = if informed { d } else { 0.0 };
            *gain = if informed { quotient } else { *gain };
        }
    }

    /// The learned gain curve of main channel `c` (`bins` entries are meaningful).
    pub fn gains(&self, c: usize, bins: usize) -> &[f32] {
        &self.gain[c * self.bins..c * self.bins + bins]
    }
}
