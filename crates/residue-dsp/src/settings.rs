//! Everything the user can change while audio runs. Settings are plain data: the engine reads
//! them once per STFT hop, so a change takes effect within one hop and never mid-frame.

/// What the engine writes to its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// The cleaned track: the compressed target mask times the input.
    #[default]
    Target,
    /// What was taken out: input minus target, so `target + removed` is the delayed input.
    Removed,
    /// The bleed as the model predicts it, before Threshold/Slope: the uncompressed Wiener
    /// estimate of the references. For auditioning the model, e.g. its alignment.
    Reference,
}

/// How the logistic of the mask compression is mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CompressionRange {
    /// Rescaled so that a mask of 0 stays 0 and 1 stays 1 (norbert's curve, affinely mapped).
    /// Residue's choice: a bin with no bleed passes untouched at every Slope, and a fully
    /// masked bin is fully removed; norbert's raw curve floors at e.g. −78 dB and tops out at
    /// 0.9975 (thresh 0.6, slope 15), or at 0.88 (slope 5), which would dull the clean track.
    #[default]
    Unit,
    /// norbert's `compress_filter` exactly: `1 / (1 + exp(-slope (W - thresh)))`.
    Raw,
}

/// Causal version of norbert's `reduce_interferences`: each model is weighted by the
/// logistic of its temporally smoothed share of the energy across sources.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interference {
    pub threshold: f32,
    pub slope: f32,
    /// Time constant of the share estimate (norbert used a ~10-frame Gaussian).
    pub smoothing_ms: f32,
}

/// The live settings of the engine. Window size and overlap are not here: changing them
/// resets the STFT state, so they go through [`crate::Engine::set_window`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Spectrogram exponent: 1 = magnitude, 2 = power; anything in [0.5, 2].
    pub alpha: f32,
    /// Fit a per-bin gain of the reference model to the mixture (else the gain is 1).
    pub autoscale: bool,
    /// Forgetting time constant of the running least-squares fit, in seconds.
    pub adapt_seconds: f32,
    /// Hold the learned gains ("learn the bleed, then freeze").
    pub freeze: bool,
    /// One-pole temporal smoothing of the models, in ms; 0 = off.
    pub smoothing_ms: f32,
    /// Logistic compression of the target mask on/off.
    pub compression: bool,
    /// The logistic's threshold: masks below are pushed to 0, above to 1.
    pub threshold: f32,
    /// The logistic's slope: small = plain Wiener mask, large = a binary mask.
    pub slope: f32,
    pub range: CompressionRange,
    /// Stereo-linked compression: norbert's multichannel variant, compressing the
    /// trace-derived gain `trace(W)/C` and applying it to every channel.
    pub link_channels: bool,
    pub interference: Option<Interference>,
    pub output: OutputMode,
    /// Dry/wet: 1 = fully processed, 0 = the latency-aligned input.
    pub mix: f32,
    /// Find the lag between the reference and its bleed (GCC-PHAT) and delay the reference
    /// by it; off: the reference is delayed by `lag_ms`.
    pub auto_lag: bool,
    /// The reference's delay when `auto_lag` is off, ms (0 = norbert: frames taken as they are).
    pub lag_ms: f32,
    /// Reference frames the bleed fit spans (1 = norbert's frame-local gain; more explain a
    /// reverberant tail that outlasts a frame). Taps lie half a window apart.
    pub tail_frames: usize,
    /// Weight each frame in the fit by how much of the bin the predicted bleed explains, so
    /// that the target's own energy does not pull the bleed gain up (off = norbert's plain
    /// least squares).
    pub robust_fit: bool,
    /// Let the removal grow with what the fit has learned, from none (pass-through) to whole
    /// after one Adaptation time of reference signal, after a fresh start or a relearn; off =
    /// whole from the first frame (norbert's offline fit sees the whole file at once).
    pub warm_up: bool,
    /// Model the target's image in each reference (a drum mic hears every drum) and keep it out
    /// of the bleed estimate (see `dsp::image`); off: each reference counts as its own source
    /// alone, as norbert takes it.
    pub target_image: bool,
}

/// Default STFT shape: 4096 samples (93 ms at 44.1 kHz), 4× overlap. Chosen with the defaults.
pub const DEFAULT_WINDOW: usize = 4096;
pub const DEFAULT_OVERLAP: usize = 4;
/// The default window's duration, seconds: what the defaults were tuned for. The bleed model's
/// frequency resolution and its time constants are durations; a window in samples would mean
/// a third of the resolution at 192 kHz and twice it at 22.05 kHz.
pub const DEFAULT_WINDOW_SECONDS: f64 = DEFAULT_WINDOW as f64 / 44_100.0;

/// FFT Size "Auto": the power of two nearest [`DEFAULT_WINDOW_SECONDS`] at `sample_rate` (in
/// octaves), within the supported sizes: 4096 at 44.1 and 48 kHz, 8192 at 88.2 and 96 kHz,
/// 16384 at 176.4 and 192 kHz and above, 2048 at 22.05 kHz, 1024 at 8 kHz.
pub fn auto_window(sample_rate: f32) -> usize {
    use super::stft::{MAX_WINDOW, MIN_WINDOW};
    let ideal = DEFAULT_WINDOW_SECONDS * sample_rate as f64;
    let size = if ideal.is_finite() && ideal >= 1.0 {
        1usize << ideal.log2().round().clamp(0.0, 30.0) as u32
    } else {
        MIN_WINDOW
    };
    size.clamp(MIN_WINDOW, MAX_WINDOW)
}

pub const ALPHA_RANGE: (f32, f32) = (0.5, 2.0);
pub const ADAPT_RANGE: (f32, f32) = (0.05, 60.0);
pub const SMOOTHING_RANGE: (f32, f32) = (0.0, 1000.0);
pub const SLOPE_RANGE: (f32, f32) = (0.1, 100.0);
/// The reference's delay: from a reference mic at the source to a track mic up to ~34 m away
/// (a stage, a hall, a distant room mic).
pub const LAG_RANGE_MS: (f32, f32) = (0.0, 100.0);
pub const MAX_TAIL_FRAMES: usize = 4;

impl Default for Settings {
    /// Chosen on the bundled bleed material; `docs/method.md` ("Defaults") says why.
    fn default() -> Self {
        Self {
            alpha: 1.0,
            autoscale: true,
            adapt_seconds: 4.0,
            freeze: false,
            smoothing_ms: 60.0,
            compression: true,
            threshold: 0.2,
            slope: 8.0,
            range: CompressionRange::Unit,
            link_channels: false,
            interference: None,
            output: OutputMode::Target,
            mix: 1.0,
            auto_lag: true,
            lag_ms: 0.0,
            tail_frames: 2,
            robust_fit: true,
            warm_up: true,
            target_image: true,
        }
    }
}

impl Settings {
    /// The same settings forced into their valid ranges (NaN falls back to the default), so
    /// that no host or command line can drive the engine into NaN or a division by zero.
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        let clamp = |v: f32, (lo, hi): (f32, f32), def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        Self {
            alpha: clamp(self.alpha, ALPHA_RANGE, d.alpha),
            adapt_seconds: clamp(self.adapt_seconds, ADAPT_RANGE, d.adapt_seconds),
            smoothing_ms: clamp(self.smoothing_ms, SMOOTHING_RANGE, d.smoothing_ms),
            threshold: clamp(self.threshold, (0.0, 1.0), d.threshold),
            slope: clamp(self.slope, SLOPE_RANGE, d.slope),
            interference: self.interference.map(|i| Interference {
                threshold: clamp(i.threshold, (0.0, 1.0), 0.4),
                slope: clamp(i.slope, SLOPE_RANGE, 15.0),
                smoothing_ms: clamp(i.smoothing_ms, SMOOTHING_RANGE, 100.0),
            }),
            mix: clamp(self.mix, (0.0, 1.0), d.mix),
            lag_ms: clamp(self.lag_ms, LAG_RANGE_MS, d.lag_ms),
            tail_frames: self.tail_frames.clamp(1, MAX_TAIL_FRAMES),
            ..*self
        }
    }

    /// The same settings with norbert's bleed model: the reference taken as it is (no lag),
    /// a frame-local gain, plain least squares.
    pub fn norbert_model(self) -> Self {
        Self { auto_lag: false, lag_ms: 0.0, tail_frames: 1, robust_fit: false, target_image: false, ..self }
    }
}
