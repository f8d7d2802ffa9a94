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
    pub fn update(&mut self, c: usize, vx: &[f32], vref: &[f32], forget: f32) {
        let range = c * self.bins..c * self.bins + vx.len();
        let (num, den, gain) = (&mut self.num[range.clone()], &mut self.den[range.clone()], &mut self.gain[range]);
        for f in 0..vx.len() {
            let n = forget * num[f] + vx[f] * vref[f];
            let d = forget * den[f] + vref[f] * vref[f];
            let informed = d > MIN_WEIGHT;
            num[f] = if informed { n } else { 0.0 };
            den[f] = if informed { d } else { 0.0 };
            gain[f] = if informed { n / d } else { gain[f] };
        }
    }

    /// The learned gain curve of main channel `c` (`bins` entries are meaningful).
    pub fn gains(&self, c: usize, bins: usize) -> &[f32] {
        &self.gain[c * self.bins..c * self.bins + bins]
    }
}
