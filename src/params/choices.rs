//! The choice parameters' values: what the host lists, with the ids sessions are saved under.

use nice_plug::prelude::Enum;

use crate::dsp::{self, sidechain::Grouping};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    #[id = "target"]
    #[name = "Cleaned"]
    Target,
    #[id = "removed"]
    #[name = "Removed"]
    Removed,
    #[id = "reference"]
    #[name = "Bleed Estimate"]
    Reference,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FftSize {
    /// The power of two nearest the tuned duration at the host's sample rate
    /// ([`dsp::auto_window`]).
    #[id = "auto"]
    #[name = "Auto"]
    Auto,
    #[id = "512"]
    #[name = "512"]
    W512,
    #[id = "1024"]
    #[name = "1024"]
    W1024,
    #[id = "2048"]
    #[name = "2048"]
    W2048,
    #[id = "4096"]
    #[name = "4096"]
    W4096,
    #[id = "8192"]
    #[name = "8192"]
    W8192,
    #[id = "16384"]
    #[name = "16384"]
    W16384,
}

impl FftSize {
    /// The window in samples at `sample_rate`.
    pub fn samples(self, sample_rate: f32) -> usize {
        match self {
            Self::Auto => dsp::auto_window(sample_rate),
            fixed => 512 << (fixed as usize - 1),
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    #[id = "2"]
    #[name = "2x"]
    X2,
    #[id = "4"]
    #[name = "4x"]
    X4,
    #[id = "8"]
    #[name = "8x"]
    X8,
}

impl Overlap {
    pub fn factor(self) -> usize {
        2 << (self as usize)
    }
}

/// The Latency parameter's choices (see [`dsp::LatencyMode`]).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// The STFT: the best removal, latency FFT Size − 1 + one hop (107 ms at 48 kHz at Auto).
    #[id = "mix"]
    #[name = "Mix"]
    Mix,
    /// The same mask as a low-delay filter: about 5 ms at any rate, for tracking and stage use.
    #[id = "live"]
    #[name = "Live"]
    Live,
}

/// The Sources parameter's choices: how the sidechain's channels are grouped into sources
/// (see [`Grouping`]).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sources {
    #[id = "one"]
    #[name = "One"]
    One,
    #[id = "each"]
    #[name = "Each Channel"]
    Each,
    #[id = "pairs"]
    #[name = "Stereo Pairs"]
    Pairs,
}

impl From<Sources> for Grouping {
    fn from(s: Sources) -> Grouping {
        match s {
            Sources::One => Grouping::One,
            Sources::Each => Grouping::Each,
            Sources::Pairs => Grouping::Pairs,
        }
    }
}
