//! What the engine has learned about the bleed, in a form that outlives the engine: the bleed
//! fit of every main channel (its normal equations and gains, every tap in use) and how much
//! evidence it rests on, and the lag found per main channel and source.
//!
//! The fit is kept per bin, and bins are only meaningful with the sample rate and window they
//! belong to, so a profile carries both: loaded into an engine with another rate or FFT size it
//! is read at each of that engine's bins' frequencies (linear interpolation; above the old
//! Nyquist frequency, the last bin). Lags are kept in seconds. A host saving a session, a host
//! re-preparing the plugin at another rate, and an FFT Size change all go through this form.

use super::taps::TapFit;

/// One main channel's fit.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelProfile {
    /// Seconds of audio the fit learned from while the reference carried signal.
    pub evidence_seconds: f32,
    /// [`TapFit::saved_rows`]`(taps)` rows of `window / 2 + 1` values, one after the other: the
    /// normal equations' upper triangle `A` (row-major), then `b`, then the gains, tap by tap,
    /// then the ratio floor ([`super::taps::RatioFloor`], 1 where nothing is known).
    /// Sums and gains are in the units of the spectral exponent `alpha` (|X|^alpha).
    pub rows: Vec<f32>,
}

/// See the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub sample_rate: f32,
    /// FFT size (samples) and overlap the bins and sums belong to.
    pub window: usize,
    pub overlap: usize,
    /// Spectral exponent of the models the fit was made on.
    pub alpha: f32,
    /// Taps in the rows (1–[`super::MAX_TAIL_FRAMES`]).
    pub taps: usize,
    pub channels: Vec<ChannelProfile>,
    /// Per (main channel, source) pair, channel after channel: the lag found, seconds.
    pub lags: Vec<Option<f32>>,
}

impl Profile {
    /// A blank profile (window 0: it holds nothing) whose vectors can take `channels` channels
    /// and `pairs` lags of up to `max_bins` bins and every tap without allocating, for
    /// [`super::Engine::profile_into`] on the audio thread. Its vectors are at full length, so
    /// that a clone has the same room.
    pub fn with_capacity(channels: usize, pairs: usize, max_bins: usize) -> Self {
        let rows = TapFit::saved_rows(super::MAX_TAIL_FRAMES) * max_bins;
        Self {
            sample_rate: 0.0,
            window: 0,
            overlap: 0,
            alpha: 1.0,
            taps: 1,
            channels: (0..channels).map(|_| ChannelProfile { evidence_seconds: 0.0, rows: vec![0.0; rows] }).collect(),
            lags: vec![None; pairs],
        }
    }

    /// Whether it holds a profile (not a blank from [`Profile::with_capacity`]).
    pub fn is_blank(&self) -> bool {
        self.window == 0
    }

    pub fn bins(&self) -> usize {
        self.window / 2 + 1
    }

    /// Whether the profile is whole and sane (as a profile read from a file or a host's saved
    /// state must be before it goes near an engine): a supported shape, rows of the right
    /// length, finite values, non-negative gains and evidence, lags within a second.
    pub fn check(&self) -> Result<(), String> {
        use super::stft::{valid_shape, MAX_WINDOW};
        if !(self.sample_rate.is_finite() && self.sample_rate > 0.0) {
            return Err(format!("sample rate {}", self.sample_rate));
        }
        // Live's frames come up to 32 per window (16 before it moved to 32) (fewer where its block is longer than a hop).
        let live_overlap = self.overlap.is_power_of_two() && self.overlap <= super::LIVE_OVERLAP;
        if !(valid_shape(self.window, self.overlap, MAX_WINDOW)
            || live_overlap && valid_shape(self.window, 2, MAX_WINDOW))
        {
            return Err(format!("window {} / overlap {}", self.window, self.overlap));
        }
        if !(super::ALPHA_RANGE.0..=super::ALPHA_RANGE.1).contains(&self.alpha) {
            return Err(format!("alpha {}", self.alpha));
        }
        if !(1..=super::MAX_TAIL_FRAMES).contains(&self.taps) {
            return Err(format!("{} taps", self.taps));
        }
        if self.channels.is_empty() || self.channels.len() > super::MAX_MAIN_CHANNELS {
            return Err(format!("{} channels", self.channels.len()));
        }
        let bins = self.bins();
        let first_gain = TapFit::first_gain_row(self.taps);
        for (c, ch) in self.channels.iter().enumerate() {
            if ch.rows.len() != TapFit::saved_rows(self.taps) * bins {
                return Err(format!("channel {c}: {} values for {} bins", ch.rows.len(), bins));
            }
            if !ch.rows.iter().all(|v| v.is_finite()) || !ch.rows[first_gain * bins..].iter().all(|&g| g >= 0.0) {
                return Err(format!("channel {c}: values out of range"));
            }
            if !(ch.evidence_seconds.is_finite() && ch.evidence_seconds >= 0.0) {
                return Err(format!("channel {c}: evidence {}", ch.evidence_seconds));
            }
        }
        if self.lags.len() > super::MAX_MAIN_CHANNELS * super::MAX_SOURCES
            || !self.lags.iter().flatten().all(|l| (0.0..=1.0).contains(l))
        {
            return Err("lags out of range".to_string());
        }
        Ok(())
    }

    /// Row `n`'s value at frequency `hz` (interpolated between this profile's bins).
    pub fn value_at(&self, channel: usize, n: usize, hz: f64) -> f32 {
        let bins = self.bins();
        let row = &self.channels[channel].rows[n * bins..(n + 1) * bins];
        super::taps::interpolate(|i| row[i], bins, hz * self.window as f64 / self.sample_rate as f64)
    }

    /// Frames per second of the analysis the sums were gathered at.
    pub fn frames_per_second(&self) -> f64 {
        frames_per_second(self.sample_rate, self.window, self.overlap)
    }
}

/// STFT frames per second at a sample rate and shape.
pub fn frames_per_second(sample_rate: f32, window: usize, overlap: usize) -> f64 {
    sample_rate as f64 * overlap as f64 / window as f64
}

/// The factor that carries the fit's sums from one analysis to another. A sum is about (the
/// mean of its per-frame term) × (frames in the fit's memory); the memory is a time, so the
/// frame count follows the frame rate. The per-frame terms keep their scale for tonal sounds
/// (spectra are normalised by the window sum). The gains, ratios of spectra, need no factor.
pub fn sum_scale(from_fps: f64, to_fps: f64) -> f32 {
    (to_fps / from_fps) as f32
}
