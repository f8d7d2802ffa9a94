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
//! another source at least [`IMAGE_DB`] below that source's own mic (`docs/benchmark.md` has
//! the kit's figures). A bound errs high, and that is the safe side: an image overestimated
//! takes a little of the reference where target and bleed play together (less is removed
//! there); an image underestimated leaves the target's image in the bleed estimate, and the
//! target is removed. (A per-bin low quantile of `r / x` was tried as an estimate of `c`: it
//! sinks with the frames where neither source plays, and removed less; `docs/benchmark.md`.)
//!
//! The subtraction holds no state: a frame's reference model depends on that frame alone, so a
//! reloaded, re-prepared or frozen fit sees the references exactly as before. The bound speaks
//! of mics gain-staged for their own sources; a reference recorded far lower than the track
//! loses more of itself to the subtraction where only bleed plays (`docs/benchmark.md` measures
//! references 30 dB low).

/// The image ratio's bound: the target reaches a reference mic at least this far below the
/// track's mic, dB (of magnitude).
pub const IMAGE_DB: f32 = -15.0;

/// The image subtraction, with [`IMAGE_DB`] in the spectrogram's exponent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Image {
    pub ratio: f32,
}

impl Image {
    pub fn new(alpha: f32) -> Self {
        Self { ratio: 10f32.powf(alpha * IMAGE_DB / 20.0) }
    }

    /// Writes the source's model `r` without the target's image, the track `x` times the ratio.
    #[inline(always)]
    pub fn remove(&self, x: &[f32], r: &mut [f32]) {
        let c = self.ratio;
        for (&x, r) in x.iter().zip(r.iter_mut()) {
            let clean = *r - c * x;
            *r = if clean > 0.0 { clean } else { 0.0 };
        }
    }
}
