//! Which reference channels each main channel hears, and the *views* that follow from it: a
//! reference channel as one main channel hears it, with that main channel's own lag (two mics
//! of a stereo track sit at two distances from the source). The STFT analyses one spectrum per
//! view (sharing the transform when two views of a channel have the same delay), the separator
//! models each main channel from its views, the lag search runs per main channel and source.
//!
//! This is the one place the rule lives; the renderer's per-channel lanes use it too, which is
//! what makes them bit-identical to the stereo engine.

use std::ops::Range;

/// The reference channels (indices into all reference inputs) that main channel `c` hears of a
/// source whose `channels` start at `first`: its matching channel when the source has as many
/// channels as the main input, its only channel when mono, both (averaged) for a mono track.
pub fn heard(first: usize, channels: usize, c: usize, main_channels: usize) -> Range<usize> {
    if channels == main_channels {
        first + c..first + c + 1
    } else if channels == 1 {
        first..first + 1
    } else {
        first..first + channels
    }
}

#[derive(Clone, Debug)]
pub struct Routing {
    main_channels: usize,
    sources: usize,
    /// Reference channel of each view; views run main channel after main channel, source after
    /// source.
    views: Vec<usize>,
    /// `ranges[c * sources + j]`: the views main channel `c` has of source `j`.
    ranges: Vec<Range<usize>>,
}

impl Routing {
    /// `sources[j]`: channel count of source `j`; their channels follow each other.
    pub fn new(main_channels: usize, sources: &[usize]) -> Self {
        let (mut views, mut ranges) = (Vec::new(), Vec::new());
        for c in 0..main_channels {
            let mut first = 0;
            for &n in sources {
                let start = views.len();
                views.extend(heard(first, n, c, main_channels));
                ranges.push(start..views.len());
                first += n;
            }
        }
        Self { main_channels, sources: sources.len(), views, ranges }
    }

    /// The reference channel behind each view.
    pub fn views(&self) -> &[usize] {
        &self.views
    }

    /// The views main channel `c` has of source `j`.
    pub fn of(&self, c: usize, j: usize) -> Range<usize> {
        self.ranges[c * self.sources + j].clone()
    }

    pub fn main_channels(&self) -> usize {
        self.main_channels
    }

    pub fn sources(&self) -> usize {
        self.sources
    }
}
