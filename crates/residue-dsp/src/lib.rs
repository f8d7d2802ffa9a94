//! Residue's engine: norbert's residual-model bleed removal, causal, on an STFT ring buffer.
//!
//! Framework-free on purpose: the plugin, the offline renderer, the tests and the benchmarks
//! all drive [`Engine`] with plain slices.

pub mod analysis;
pub mod convolver;
mod engine;
mod fft;
pub mod image;
pub mod interference;
mod isa;
mod lag;
pub mod lag_scan;
pub mod limits;
pub mod live;
pub mod mask_filter;
pub mod model;
mod pages;
mod pair_fft;
pub mod presets;
pub mod profile;
mod ramp;
pub mod references;
pub mod routing;
pub mod samples;
mod separator;
mod settings;
pub mod sidechain;
pub mod smoothing;
pub mod stft;
pub mod taps;
pub mod window;

pub use analysis::Analysis;
pub use engine::{max_lag_samples, ConfigError, Engine, EngineConfig};
pub use isa::Isa;
pub use limits::{MAX_MAIN_CHANNELS, MAX_SOURCES, MAX_SOURCE_CHANNELS, SAMPLE_RATE_RANGE};
pub use live::{live_latency, live_shape, LatencyMode, LIVE_LATENCY_SECONDS, LIVE_OVERLAP};
pub use profile::{ChannelProfile, Profile};
pub use ramp::Ramp;
pub use settings::{
    auto_window, CompressionRange, Interference, OutputMode, Settings, ADAPT_RANGE, ALPHA_RANGE, DEFAULT_OVERLAP,
    DEFAULT_WINDOW, DEFAULT_WINDOW_SECONDS, LAG_RANGE_MS, MAX_TAIL_FRAMES, SLOPE_RANGE, SMOOTHING_RANGE,
};
