//! What the last STFT frame looked like, for display: per bin, averaged over the main channels.
//! Filled by the separator only while a consumer asks for it (the editor is open), so a closed
//! editor costs nothing; buffers are allocated once, with the engine.

use realfft::num_complex::Complex32;

use super::routing::Routing;
use super::MAX_SOURCES;

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
    /// Reference sources in this frame (the first `sources` entries below are valid).
    pub sources: usize,
    /// Channel count of each source.
    pub source_channels: [usize; MAX_SOURCES],
    /// Per source, the bleed the model attributes to it, as a magnitude: the direct tap's
    /// learned gain applied to that source's reference alone, `g^(1/α) · |R_j|` (|R_j| the mean
    /// of the views of it), averaged over the main channels. The sources share the fitted gain
    /// per bin (the fit models the bleed of their sum), so what tells them apart is where each
    /// one's energy lies and when.
    pub source_bleed: Vec<Vec<f32>>,
    /// Per source, its lag as the first main channel hears it, ms, and whether it is settled.
    pub source_lag_ms: [f32; MAX_SOURCES],
    pub source_lag_found: [bool; MAX_SOURCES],
}

impl Analysis {
    /// Rows for frames of up to `max_bins` bins and no per-source rows.
    pub fn with_capacity(max_bins: usize) -> Self {
        Self::with_sources(max_bins, &[])
    }

    /// Rows for frames of up to `max_bins` bins, and a per-source row for each of `sources`
    /// (their channel counts). A copy ([`Analysis::copy_from`]) needs as many per-source rows.
    pub fn with_sources(max_bins: usize, sources: &[usize]) -> Self {
        let row = || {
            let mut row = vec![0.0; max_bins];
            super::pages::touch(&mut row);
            row
        };
        let sources = &sources[..sources.len().min(MAX_SOURCES)];
        let mut source_channels = [0; MAX_SOURCES];
        source_channels[..sources.len()].copy_from_slice(sources);
        Self {
            mixture: row(),
            bleed: row(),
            output: row(),
            mask: row(),
            gain: row(),
            sources: sources.len(),
            source_channels,
            source_bleed: sources.iter().map(|_| row()).collect(),
            ..Self::default()
        }
    }

    /// Fills [`Analysis::source_bleed`] from a frame's reference views (`refs`, `bins` valid),
    /// with main channel `c`'s direct gain `gain(c)` (`None`: 1, autoscale off) at exponent
    /// `alpha`.
    pub(super) fn record_sources<'a>(
        &mut self,
        refs: &[Vec<Complex32>],
        bins: usize,
        routing: &Routing,
        gain: impl Fn(usize) -> Option<&'a [f32]>,
        alpha: f32,
    ) {
        let channels = routing.main_channels();
        let share = 1.0 / channels.max(1) as f32;
        for (j, row) in self.source_bleed.iter_mut().enumerate().take(routing.sources()) {
            let row = &mut row[..bins];
            row.fill(0.0);
            for c in 0..channels {
                let views = routing.of(c, j);
                let per_view = share / views.len() as f32;
                let g = gain(c);
                for v in views {
                    for (k, (e, r)) in row.iter_mut().zip(&refs[v][..bins]).enumerate() {
                        let amplitude = match (g, alpha) {
                            (None, _) => 1.0,
                            (Some(g), 1.0) => g[k],
                            (Some(g), 2.0) => g[k].sqrt(),
                            (Some(g), alpha) => g[k].powf(1.0 / alpha),
                        };
                        *e += amplitude * r.norm() * per_view;
                    }
                }
            }
        }
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
        // Rows for every source: the reader was made with room for them (no allocation then).
        for (j, src) in other.source_bleed.iter().enumerate().take(other.sources) {
            if self.source_bleed.len() <= j {
                self.source_bleed.push(Vec::new());
            }
            let dst = &mut self.source_bleed[j];
            if dst.len() < n {
                dst.resize(n, 0.0);
            }
            dst[..n].copy_from_slice(&src[..n]);
        }
        self.sources = other.sources;
        self.source_channels = other.source_channels;
        self.source_lag_ms = other.source_lag_ms;
        self.source_lag_found = other.source_lag_found;
    }

    /// Frequency of bin `k`, Hz.
    pub fn bin_hz(&self, k: usize) -> f32 {
        k as f32 * self.sample_rate / self.window.max(1) as f32
    }
}
