//! The plugin's parameters and their mapping to engine settings. Ids are stable: hosts save
//! sessions and automation under them, so an id is never renamed or reused.

use nice_plug::prelude::*;

use std::sync::Arc;

use crate::dsp::{self, OutputMode, Settings};

mod choices;
mod geometry;
pub mod presets;
pub mod text;
pub mod vstpreset;

pub use choices::{FftSize, Latency, Output, Overlap, Sources};
pub use geometry::{Geometry, DEFAULT_SIZE, MIN_SIZE};

/// Host-facing smoothing of the continuous controls, on top of the engine's own per-hop
/// overlap-add crossfade: automation written as steps still moves the mask gradually.
const SMOOTHING_MS: f32 = 30.0;

#[derive(Params)]
pub struct ResidueParams {
    /// The editor's size and zoom, saved with the session.
    #[persist = "editor"]
    pub editor: std::sync::Arc<std::sync::Mutex<Geometry>>,
    #[id = "threshold"]
    pub threshold: FloatParam,
    #[id = "slope"]
    pub slope: FloatParam,
    #[id = "alpha"]
    pub alpha: FloatParam,
    #[id = "autoscale"]
    pub autoscale: BoolParam,
    #[id = "adapt"]
    pub adapt: FloatParam,
    #[id = "freeze"]
    pub freeze: BoolParam,
    #[id = "smoothing"]
    pub smoothing: FloatParam,
    #[id = "compression"]
    pub compression: BoolParam,
    #[id = "link"]
    pub link: BoolParam,
    #[id = "output"]
    pub output: EnumParam<Output>,
    #[id = "mix"]
    pub mix: FloatParam,
    #[id = "fft"]
    pub fft_size: EnumParam<FftSize>,
    #[id = "overlap"]
    pub overlap: EnumParam<Overlap>,
    #[id = "auto_lag"]
    pub auto_lag: BoolParam,
    #[id = "lag"]
    pub lag: FloatParam,
    #[id = "tail"]
    pub tail: IntParam,
    #[id = "robust"]
    pub robust: BoolParam,
    /// Forget what was learned (the bleed profile and the lags): when it turns on. The editor's
    /// Relearn button turns it on and off again; automation can do the same.
    #[id = "relearn"]
    pub relearn: BoolParam,
    /// How the sidechain's channels are grouped into reference sources (see [`crate::dsp::sidechain`]).
    #[id = "sources"]
    pub sources: EnumParam<Sources>,
    /// Mix (the STFT, about 107 ms at 48 kHz) or Live (about 5 ms; see [`dsp::LatencyMode`]).
    #[id = "latency"]
    pub latency: EnumParam<Latency>,
    /// The host's bypass (CLAP's and VST3's bypass flag): the track as it came in, delayed by
    /// the latency, reached by the same crossfade as the Mix knob's; the fit goes on learning
    /// underneath, so that switching back finds it where an instance never bypassed would be.
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// What was learned, saved with the session (see [`crate::session`]).
    #[persist = "profile"]
    pub profile: crate::session::ProfileStore,
}

fn two_decimals() -> std::sync::Arc<dyn Fn(f32) -> String + Send + Sync> {
    formatters::v2s_f32_rounded(2)
}

impl Default for ResidueParams {
    fn default() -> Self {
        let d = Settings::default();
        let smooth = SmoothingStyle::Linear(SMOOTHING_MS);
        Self {
            editor: Default::default(),
            threshold: FloatParam::new("Threshold", d.threshold, FloatRange::Linear { min: 0.0, max: 1.0 })
                .with_smoother(smooth.clone())
                .with_value_to_string(two_decimals())
                .with_string_to_value(Arc::new(text::fraction))
                .with_step_size(0.001),
            slope: FloatParam::new(
                "Slope",
                d.slope,
                FloatRange::Skewed {
                    min: dsp::SLOPE_RANGE.0,
                    max: dsp::SLOPE_RANGE.1,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_smoother(smooth.clone())
            .with_value_to_string(formatters::v2s_f32_rounded(1))
            .with_string_to_value(Arc::new(text::number)),
            alpha: FloatParam::new(
                "Alpha",
                d.alpha,
                FloatRange::Linear { min: dsp::ALPHA_RANGE.0, max: dsp::ALPHA_RANGE.1 },
            )
            .with_value_to_string(std::sync::Arc::new(|a| match a {
                a if (a - 1.0).abs() < 0.005 => "1.00 (magnitude)".to_string(),
                a if (a - 2.0).abs() < 0.005 => "2.00 (power)".to_string(),
                a => format!("{a:.2}"),
            }))
            .with_string_to_value(Arc::new(text::alpha))
            .with_step_size(0.01),
            autoscale: BoolParam::new("Autoscale", d.autoscale),
            adapt: FloatParam::new(
                "Adaptation",
                d.adapt_seconds,
                FloatRange::Skewed {
                    min: dsp::ADAPT_RANGE.0,
                    max: dsp::ADAPT_RANGE.1,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_unit(" s")
            .with_value_to_string(two_decimals())
            .with_string_to_value(Arc::new(text::seconds)),
            freeze: BoolParam::new("Freeze", d.freeze),
            smoothing: FloatParam::new(
                "Smoothing",
                d.smoothing_ms,
                FloatRange::Skewed {
                    min: dsp::SMOOTHING_RANGE.0,
                    max: dsp::SMOOTHING_RANGE.1,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_unit(" ms")
            .with_value_to_string(formatters::v2s_f32_rounded(0))
            .with_string_to_value(Arc::new(text::milliseconds)),
            compression: BoolParam::new("Compression", d.compression),
            link: BoolParam::new("Stereo Link", d.link_channels),
            output: EnumParam::new("Output", Output::Target).with_string_to_value(Arc::new(text::output)),
            mix: FloatParam::new("Mix", d.mix, FloatRange::Linear { min: 0.0, max: 1.0 })
                .with_unit(" %")
                .with_value_to_string(formatters::v2s_f32_percentage(0))
                .with_string_to_value(Arc::new(text::percent)),
            fft_size: EnumParam::new("FFT Size", FftSize::Auto).with_string_to_value(Arc::new(text::fft_size)),
            overlap: EnumParam::new("Overlap", Overlap::X4).with_string_to_value(Arc::new(text::overlap)),
            auto_lag: BoolParam::new("Auto Lag", d.auto_lag),
            lag: FloatParam::new(
                "Lag",
                d.lag_ms,
                FloatRange::Linear { min: dsp::LAG_RANGE_MS.0, max: dsp::LAG_RANGE_MS.1 },
            )
            .with_unit(" ms")
            .with_value_to_string(formatters::v2s_f32_rounded(1))
            .with_string_to_value(Arc::new(text::milliseconds))
            .with_step_size(0.1),
            tail: IntParam::new(
                "Tail",
                d.tail_frames as i32,
                IntRange::Linear { min: 1, max: dsp::MAX_TAIL_FRAMES as i32 },
            )
            .with_value_to_string(std::sync::Arc::new(|n| {
                if n == 1 {
                    "1 frame".to_string()
                } else {
                    format!("{n} frames")
                }
            }))
            .with_string_to_value(Arc::new(text::frames)),
            robust: BoolParam::new("Robust Fit", d.robust_fit),
            relearn: BoolParam::new("Relearn", false),
            sources: EnumParam::new("Sources", Sources::One).with_string_to_value(Arc::new(text::sources)),
            latency: EnumParam::new("Latency", Latency::Mix).with_string_to_value(Arc::new(text::latency)),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            profile: crate::session::ProfileStore::new(
                dsp::MAX_MAIN_CHANNELS,
                dsp::MAX_MAIN_CHANNELS * dsp::MAX_SOURCES,
                dsp::stft::MAX_WINDOW / 2 + 1,
            ),
        }
    }
}

impl ResidueParams {
    /// The engine settings for the next block, advancing the smoothers by `samples`.
    pub fn settings(&self, samples: u32) -> Settings {
        Settings {
            alpha: self.alpha.value(),
            autoscale: self.autoscale.value(),
            adapt_seconds: self.adapt.value(),
            freeze: self.freeze.value(),
            smoothing_ms: self.smoothing.value(),
            compression: self.compression.value(),
            threshold: self.threshold.smoothed.next_step(samples),
            slope: self.slope.smoothed.next_step(samples),
            link_channels: self.link.value(),
            output: match self.output.value() {
                Output::Target => OutputMode::Target,
                Output::Removed => OutputMode::Removed,
                Output::Reference => OutputMode::Reference,
            },
            mix: if self.bypass.value() { 0.0 } else { self.mix.value() },
            auto_lag: self.auto_lag.value(),
            lag_ms: self.lag.value(),
            tail_frames: self.tail.value().max(1) as usize,
            robust_fit: self.robust.value(),
            ..Settings::default()
        }
    }

    /// FFT size (samples, at `sample_rate`) and overlap.
    pub fn window(&self, sample_rate: f32) -> (usize, usize) {
        (self.fft_size.value().samples(sample_rate), self.overlap.value().factor())
    }

    /// The engine's latency mode.
    pub fn mode(&self) -> dsp::LatencyMode {
        match self.latency.value() {
            Latency::Mix => dsp::LatencyMode::Mix,
            Latency::Live => dsp::LatencyMode::Live,
        }
    }

    /// The latency the engine reports with these parameters at `sample_rate`, samples.
    pub fn latency_samples(&self, sample_rate: f32) -> usize {
        match self.mode() {
            dsp::LatencyMode::Mix => {
                let (window, overlap) = self.window(sample_rate);
                dsp::stft::latency(window, overlap)
            }
            dsp::LatencyMode::Live => dsp::live_latency(sample_rate),
        }
    }
}
