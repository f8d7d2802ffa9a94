//! Causal interference reduction (norbert's `reduce_interferences`, as it is meant).
//!
//! Sources are sparse: a bin is rarely loud in two of them at once. Each model is weighted by
//! the logistic of its *temporally* smoothed share of the energy across the sources (target
//! and references), so a source that dominates a bin keeps it and the others are pushed down.
//! The seed hard-wires thresh 0.4 / slope 15 whatever it is given, and blurs across sources
//! and channels too, which makes every share nearly equal and the whole step a no-op; here
//! the caller's threshold and slope are used and smoothing runs along time only.

use super::model::{logistic, EPS};
use super::smoothing::smooth_in_place;

/// `models[k][f]`: the models of every source at one main channel, reweighted in place for
/// the first `total.len()` bins. `state` holds the smoothed models (same shape); `total` and
/// `share` are scratch rows of that length.
#[inline(always)]
pub fn reduce(
    models: &mut [Vec<f32>],
    state: &mut [Vec<f32>],
    total: &mut [f32],
    share: &mut [f32],
    coeff: f32,
    threshold: f32,
    slope: f32,
) {
    let bins = total.len();
    let share = &mut share[..bins];
    for (m, s) in models.iter().zip(state.iter_mut()) {
        // Smooth a copy of the model: the state advances, the model itself stays sharp.
        share.copy_from_slice(&m[..bins]);
        smooth_in_place(&mut s[..bins], share, coeff);
    }
    total.fill(EPS);
    for s in state.iter() {
        for (t, s) in total.iter_mut().zip(&s[..bins]) {
            *t += s;
        }
    }
    for (m, s) in models.iter_mut().zip(state.iter()) {
        let rows = m[..bins].iter_mut().zip(&s[..bins]).zip(total.iter());
        for ((m, s), t) in rows {
            *m *= logistic(s / t, threshold, slope);
        }
    }
}
