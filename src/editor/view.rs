//! The editor's reading of the analysis frames: folded onto log-spaced bands and smoothed in
//! time so the curves can be read while music plays. Lives on the GUI thread only.

use std::time::{Duration, Instant};

use crate::dsp::sidechain::MAX_SIDECHAIN_CHANNELS;
use crate::dsp::{Analysis, MAX_SOURCES};

/// Display bands between `LOWEST_HZ` and Nyquist.
pub const BANDS: usize = 128;
pub const LOWEST_HZ: f32 = 20.0;
/// Soft-mask histogram resolution (0..1).
pub const HISTOGRAM_BINS: usize = 40;
/// Time constants of the display smoothing: spectra settle in about a quarter second, the
/// histogram remembers about the last second and a half.
const SPECTRUM_TAU: f32 = 0.25;
const HISTOGRAM_TAU: f32 = 1.5;
/// Below this the displayed level is "nothing" (dB).
pub const FLOOR_DB: f32 = -120.0;
/// Reference power below which the sidechain counts as silent (about −100 dBFS).
const SILENT_POWER: f32 = 1e-10;
/// No frame for this long: the host has stopped processing.
const STALE: Duration = Duration::from_millis(500);
/// Sources shown one by one: as many as a sidechain can be split into.
pub const SHOWN_SOURCES: usize = MAX_SIDECHAIN_CHANNELS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sidechain {
    /// No audio processed lately (transport stopped or the plugin bypassed).
    Idle,
    /// Processing, but the sidechain carries nothing (not routed, or the source is silent).
    Silent,
    Active,
}

pub struct View {
    /// Smoothed power per band (mixture, bleed, output): averaged as power, so a band whose
    /// output comes and goes reads its mean level, not the mean of its dB.
    power: [[f32; BANDS]; 3],
    /// Levels in dB per band (`FLOOR_DB` when empty), from the smoothed power.
    pub mixture_db: [f32; BANDS],
    pub bleed_db: [f32; BANDS],
    pub output_db: [f32; BANDS],
    /// Learned gain per band as an amplitude ratio in dB (`20/α · log10 g`).
    pub gain_db: [f32; BANDS],
    /// Energy-weighted distribution of the soft mask, normalised to a peak of 1.
    pub histogram: [f32; HISTOGRAM_BINS],
    histogram_raw: [f32; HISTOGRAM_BINS],
    /// Band edges in FFT bins for the current frame shape.
    edges: [usize; BANDS + 1],
    shape: (usize, u32),
    pub sample_rate: f32,
    pub window: usize,
    pub overlap: usize,
    reference_power: f32,
    /// The reference's delay (ms) and whether it is settled (set, or found by the search).
    pub lag_ms: f32,
    pub lag_found: bool,
    /// How late the reference arrives (ms, 0: not late), and the warm-up (0–1).
    pub late_ms: f32,
    pub warm_up: f32,
    last_frame: Option<Instant>,
    pub frames: u64,
    /// Reference sources in the frames (the first `sources` rows below are valid, up to
    /// [`SHOWN_SOURCES`]) and each one's channel count.
    pub sources: usize,
    pub source_channels: [usize; MAX_SOURCES],
    /// Per source: smoothed power per band of the bleed the model attributes to it, and that
    /// as dB of the track's own level in the band (0 dB: the whole band is this source's bleed).
    source_power: [[f32; BANDS]; SHOWN_SOURCES],
    pub source_db: [[f32; BANDS]; SHOWN_SOURCES],
    /// Per source: its lag (ms) and whether it is settled.
    pub source_lag_ms: [f32; MAX_SOURCES],
    pub source_lag_found: [bool; MAX_SOURCES],
}

impl Default for View {
    fn default() -> Self {
        Self {
            power: [[0.0; BANDS]; 3],
            mixture_db: [FLOOR_DB; BANDS],
            bleed_db: [FLOOR_DB; BANDS],
            output_db: [FLOOR_DB; BANDS],
            gain_db: [0.0; BANDS],
            histogram: [0.0; HISTOGRAM_BINS],
            histogram_raw: [0.0; HISTOGRAM_BINS],
            edges: [0; BANDS + 1],
            shape: (0, 0),
            sample_rate: 0.0,
            window: 0,
            overlap: 0,
            reference_power: 0.0,
            lag_ms: 0.0,
            lag_found: false,
            late_ms: 0.0,
            warm_up: 1.0,
            last_frame: None,
            frames: 0,
            sources: 0,
            source_channels: [0; MAX_SOURCES],
            source_power: [[0.0; BANDS]; SHOWN_SOURCES],
            source_db: [[FLOOR_DB; BANDS]; SHOWN_SOURCES],
            source_lag_ms: [0.0; MAX_SOURCES],
            source_lag_found: [false; MAX_SOURCES],
        }
    }
}

impl View {
    /// Frequency of band `b`'s lower edge (`b` may be `BANDS` for the top edge).
    pub fn band_edge_hz(&self, b: usize) -> f32 {
        let nyquist = (self.sample_rate / 2.0).max(LOWEST_HZ * 2.0);
        LOWEST_HZ * (nyquist / LOWEST_HZ).powf(b as f32 / BANDS as f32)
    }

    pub fn band_centre_hz(&self, b: usize) -> f32 {
        (self.band_edge_hz(b) * self.band_edge_hz(b + 1)).sqrt()
    }

    pub fn nyquist(&self) -> f32 {
        self.band_edge_hz(BANDS)
    }

    /// The name of source `j`, by the sidechain channels it takes: `Source 1 (L)` and `Source 2
    /// (R)` for a stereo sidechain split in two, `Source 2 (ch 3–4)` for a pair.
    pub fn source_name(&self, j: usize) -> String {
        let channels = &self.source_channels[..self.sources.min(MAX_SOURCES)];
        if channels == [1, 1] {
            return format!("Source {} ({})", j + 1, ["L", "R"][j.min(1)]);
        }
        let first = channels.iter().take(j).sum::<usize>() + 1;
        match channels.get(j).copied().unwrap_or(1) {
            1 => format!("Source {} (ch {first})", j + 1),
            n => format!("Source {} (ch {first}–{})", j + 1, first + n - 1),
        }
    }

    pub fn sidechain(&self, now: Instant) -> Sidechain {
        match self.last_frame {
            Some(t) if now.duration_since(t) < STALE => {
                if self.reference_power < SILENT_POWER {
                    Sidechain::Silent
                } else {
                    Sidechain::Active
                }
            }
            _ => Sidechain::Idle,
        }
    }

    /// Takes one analysis frame. `alpha` is the model exponent the frame was made with.
    pub fn update(&mut self, a: &Analysis, alpha: f32, now: Instant) {
        if a.bins == 0 || a.window == 0 {
            return;
        }
        if (a.window, a.sample_rate.to_bits()) != self.shape {
            self.reshape(a);
        }
        self.frames += 1;
        self.last_frame = Some(now);
        let frame_seconds = a.window as f32 / a.overlap.max(1) as f32 / a.sample_rate;
        let k_spec = 1.0 - (-frame_seconds / SPECTRUM_TAU).exp();
        let k_hist = (-frame_seconds / HISTOGRAM_TAU).exp();
        // Peak-hold-free averaging of power per band; a sine of amplitude A reads A/2 in the
        // engine's scale, hence the factor 2 so a full-scale sine reads 0 dB.
        let level = |row: &[f32], lo: usize, hi: usize| {
            let p: f32 = row[lo..hi].iter().map(|m| 4.0 * m * m).sum::<f32>();
            p.max(0.0)
        };
        let sources = a.sources.min(a.source_bleed.len());
        if (sources, a.source_channels) != (self.sources, self.source_channels) {
            // Another grouping of the sidechain: other sources.
            self.source_power = [[0.0; BANDS]; SHOWN_SOURCES];
            (self.sources, self.source_channels) = (sources, a.source_channels);
        }
        for b in 0..BANDS {
            // Low bands can share a bin (the FFT is coarser than the display there).
            let lo = self.edges[b].min(a.bins - 1);
            let hi = self.edges[b + 1].clamp(lo + 1, a.bins);
            for (power, row) in self.source_power.iter_mut().zip(&a.source_bleed[..sources.min(SHOWN_SOURCES)]) {
                power[b] += k_spec * (level(&row[..a.bins], lo, hi) - power[b]);
            }
            for (power, row) in self.power.iter_mut().zip([&a.mixture, &a.bleed, &a.output]) {
                power[b] += k_spec * (level(&row[..a.bins], lo, hi) - power[b]);
            }
            self.mixture_db[b] = power_db(self.power[0][b]);
            self.bleed_db[b] = power_db(self.power[1][b]);
            self.output_db[b] = power_db(self.power[2][b]);
            let g = a.gain[lo..hi].iter().sum::<f32>() / (hi - lo) as f32;
            let g_db = 20.0 / alpha.max(0.1) * g.max(1e-6).log10();
            self.gain_db[b] += k_spec * (g_db - self.gain_db[b]);
            for (db, power) in self.source_db.iter_mut().zip(&self.source_power).take(sources) {
                db[b] = if self.power[0][b] > 0.0 && power[b] > 0.0 {
                    (10.0 * (power[b] / self.power[0][b]).log10()).max(FLOOR_DB)
                } else {
                    FLOOR_DB
                };
            }
        }
        for h in &mut self.histogram_raw {
            *h *= k_hist;
        }
        for (w, m) in a.mask[..a.bins].iter().zip(&a.mixture[..a.bins]) {
            let slot = ((w.clamp(0.0, 1.0) * HISTOGRAM_BINS as f32) as usize).min(HISTOGRAM_BINS - 1);
            self.histogram_raw[slot] += m * m;
        }
        let peak = self.histogram_raw.iter().fold(0.0f32, |a, &b| a.max(b));
        for (h, r) in self.histogram.iter_mut().zip(&self.histogram_raw) {
            *h = if peak > 0.0 { r / peak } else { 0.0 };
        }
        self.reference_power += k_spec * (a.reference_power - self.reference_power);
        if a.reference_power == 0.0 {
            self.reference_power = 0.0;
        }
        (self.sample_rate, self.window, self.overlap) = (a.sample_rate, a.window, a.overlap);
        (self.lag_ms, self.lag_found, self.late_ms, self.warm_up) = (a.lag_ms, a.lag_found, a.late_ms, a.warm_up);
        (self.source_lag_ms, self.source_lag_found) = (a.source_lag_ms, a.source_lag_found);
    }

    fn reshape(&mut self, a: &Analysis) {
        self.sample_rate = a.sample_rate;
        self.shape = (a.window, a.sample_rate.to_bits());
        let hz_per_bin = a.sample_rate / a.window as f32;
        for b in 0..=BANDS {
            self.edges[b] = ((self.band_edge_hz(b) / hz_per_bin).round() as usize).min(a.bins - 1);
        }
        *self = Self { edges: self.edges, shape: self.shape, sample_rate: self.sample_rate, ..Self::default() };
    }
}

fn power_db(p: f32) -> f32 {
    if p > 0.0 {
        (10.0 * p.log10()).max(FLOOR_DB)
    } else {
        FLOOR_DB
    }
}
