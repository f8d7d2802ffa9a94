//! What the last STFT frame looked like, for display: per bin, averaged over the main channels.
//! Filled by the separator only while a consumer asks for it (the editor is open), so a closed
//! editor costs nothing; buffers are allocated once, with the engine.

/// Magnitudes are in the engine's spectrum scale (forward FFT normalised by the window sum):
/// a sine of amplitude `A` reads `A / 2` in its bin.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Valid entries in each per-bin vector (window / 2 + 1).
    pub bins: usize,
    pub sample_rate: f32,
    pub window: usize,
    pub overlap: usize,
    /// |X|: the track as it came in.
    pub mixture: Vec<f32>,
    /// The bleed the model predicts, as a magnitude: `(gain · Σ |R|^α)^(1/α)`.
    pub bleed: Vec<f32>,
    /// |Y|: what the plugin outputs (after the output selection).
    pub output: Vec<f32>,
    /// The target's soft mask before Threshold/Slope (what the transfer curve is applied to).
    pub mask: Vec<f32>,
    /// The learned (autoscale) bleed gain per bin; 1 when autoscale is off.
    pub gain: Vec<f32>,
    /// Mean power of the reference spectra this frame (0: the sidechain is silent).
    pub reference_power: f32,
    /// How late the reference is taken (its delay to the bleed), ms; the first source's.
    pub lag_ms: f32,
    /// Whether that lag is settled: set by hand, or found by the lag search.
    pub lag_found: bool,
    /// How late the reference arrives after its own bleed, ms, when the long scan finds it late
    /// (0: not late). A host that does not delay the sidechain for the plugin's latency.
    pub late_ms: f32,
    /// How much of its removal the engine applies while it warms up after a fresh start or a
    /// relearn, 0–1 (first main channel).
    pub warm_up: f32,
    /// Frames analysed since the engine was made; tells a reader whether this one is new.
    pub serial: u64,
}

impl Analysis {
    pub fn with_capacity(max_bins: usize) -> Self {
        let row = || {
            let mut row = vec![0.0; max_bins];
            super::pages::touch(&mut row);
            row
        };
        Self { mixture: row(), bleed: row(), output: row(), mask: row(), gain: row(), ..Self::default() }
    }

    /// Copies `other` into `self` without allocating when `self` has the capacity (it does
    /// when both were made with the same `max_bins`).
    pub fn copy_from(&mut self, other: &Analysis) {
        let n = other.bins;
        for (dst, src) in [
            (&mut self.mixture, &other.mixture),
            (&mut self.bleed, &other.bleed),
            (&mut self.output, &other.output),
            (&mut self.mask, &other.mask),
            (&mut self.gain, &other.gain),
        ] {
            if dst.len() < n {
                dst.resize(n, 0.0);
            }
            dst[..n].copy_from_slice(&src[..n]);
        }
        self.bins = n;
        self.sample_rate = other.sample_rate;
        self.window = other.window;
        self.overlap = other.overlap;
        self.reference_power = other.reference_power;
        self.lag_ms = other.lag_ms;
        self.lag_found = other.lag_found;
        self.late_ms = other.late_ms;
        self.warm_up = other.warm_up;
        self.serial = other.serial;
    }

    /// Frequency of bin `k`, Hz.
    pub fn bin_hz(&self, k: usize) -> f32 {
        k as f32 * self.sample_rate / self.window.max(1) as f32
    }
}
