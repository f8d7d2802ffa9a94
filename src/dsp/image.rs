//! The target's image in a reference, and keeping it out of the bleed estimate.
//!
//! A reference mic hears the track's own source too (a drum mic hears every drum): per bin its
//! model is `r = g + c·v`, its own source `g` plus a faint image of the target `v`. The bleed fit
//! predicts the bleed from `r`, so wherever the target is far louder than the bleed, `c·v` times
//! the learned gain explains part of the target as bleed and the mask takes it out: a faint
//! image is enough, because the target is loud exactly where it matters.
//!
//! The source model the fit sees is `max(0, r − c·x)`: the track `x` stands in for the target,
//! which where the target plays is nearly all of it, and where only bleed plays is far below
//! the reference (`x = h·g`), so that the subtraction leaves the reference nearly as it is.
//! The image ratio `c` is taken as a bound, not measured: a mic placed at its own source hears
//! another source at least [`IMAGE_DB`] below that source's own mic (close mics: 22–34 dB, see
//! `docs/benchmark.md`). A bound errs high, and that is the safe side: an image overestimated
//! takes a little of the reference where target and bleed play together (less is removed
//! there); an image underestimated leaves the target's image in the bleed estimate, and the
//! target is removed. (A per-bin low quantile of `r / x` was tried as an estimate of `c`: it
//! sinks with the frames where neither source plays, and removed less; `docs/benchmark.md`.)
//!
//! The bound speaks of mics gain-staged for their own sources. A reference recorded far lower
//! than the track (a DI at −30 dB, a track mic with more gain) would have all of itself taken
//! for the image, so the subtraction is also kept within [`IMAGE_SHARE`] of the reference's
//! long-term level against the track's: `c ≤ share · R̄ / X̄`, both running means, over the
//! Adaptation time, of the frame's model summed over the bins, counted only in the frames where
//! the reference is heard. Where only bleed plays, `x / r` is the bleed gain `h`, which the
//! long-term ratio `X̄ / R̄` is seldom below (the target only adds to the track), so the
//! subtraction takes about that share of a reference's own source at most, however the two are
//! staged. (Per-bin levels, and levels relative to each other without the bound, were tried:
//! they bind where the target is far louder than the reference's source in its own mic, exactly
//! where the image must go; `docs/benchmark.md`.) The levels are not part of the saved profile:
//! after a reload they are learned again from the first frames, and until they bind the bound
//! applies alone.

use super::smoothing::step;

/// The image ratio's bound: the target reaches a reference mic at least this far below the
/// track's mic, dB (of magnitude).
pub const IMAGE_DB: f32 = -15.0;
/// The most of a reference's own source the subtraction may take where only bleed plays.
pub const IMAGE_SHARE: f32 = 1.0;

/// Per-hop constants of the image subtraction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Image {
    /// [`IMAGE_DB`] and [`IMAGE_SHARE`] in the spectrogram's exponent.
    pub ratio: f32,
    pub share: f32,
    /// One-pole coefficient of the long-term levels.
    pub level: f32,
}

impl Image {
    pub fn new(alpha: f32, hop_seconds: f32, adapt_seconds: f32) -> Self {
        Self {
            ratio: 10f32.powf(alpha * IMAGE_DB / 20.0),
            share: IMAGE_SHARE.powf(alpha),
            level: super::smoothing::coefficient(adapt_seconds, hop_seconds).unwrap_or(0.0),
        }
    }

    /// One source at one main channel: steps the long-term levels `levels` = [track, source]
    /// with the track `x` (summed over the bins: `x_sum`) and the source's model `r` (only while
    /// the source is heard: a silent reference, or a sidechain switched off, teaches nothing),
    /// then writes the model without the target's image into `r`.
    #[inline(always)]
    pub fn remove(&self, levels: &mut [f32; 2], x_sum: f32, x: &[f32], r: &mut [f32]) {
        let heard: f32 = r.iter().sum();
        if heard > 0.0 {
            levels[0] = step(levels[0], x_sum, self.level);
            levels[1] = step(levels[1], heard, self.level);
        }
        let [xl, rl] = *levels;
        let bound = self.share * rl;
        // c = min(ratio, share·R̄/X̄).
        let c = if self.ratio * xl <= bound { self.ratio } else { bound / xl };
        for (&x, r) in x.iter().zip(r.iter_mut()) {
            let clean = *r - c * x;
            *r = if clean > 0.0 { clean } else { 0.0 };
        }
    }
}
