//! How large an engine can be: channels, sources, sample rates. Every buffer is sized from
//! these once, at construction.

/// Track channels (mono or stereo).
pub const MAX_MAIN_CHANNELS: usize = 2;
/// A source of more channels than the track is heard as their mean (a 4-channel sidechain taken
/// as one source).
pub const MAX_SOURCE_CHANNELS: usize = 4;
pub const MAX_SOURCES: usize = 8;
/// Rates the engine runs at, Hz. Hosts and validators activate at any rate they like (1234.5677
/// Hz, 768 kHz), and refusing to activate fails the host's whole session, so the range is wide:
/// from 1 Hz up to 64 × 48 kHz. What sizes memory by the rate (the reference delay line) stays
/// small across it.
pub const SAMPLE_RATE_RANGE: (f32, f32) = (1.0, 3_072_000.0);

/// The smallest and largest frame (FFT) sizes, samples.
pub const MIN_WINDOW: usize = 256;
pub const MAX_WINDOW: usize = 16384;
