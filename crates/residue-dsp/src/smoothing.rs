//! Causal temporal smoothing per bin: a one-pole low-pass across frames. norbert's `smooth`
//! is a Gaussian centred on the frame (it needs the future); this only looks back.

/// Below this a smoothed state is set to 0, so that decaying tails never turn denormal.
const FLUSH: f32 = 1e-30;

/// The one-pole coefficient for a time constant (`None` = smoothing off).
pub fn coefficient(time_constant_s: f32, hop_s: f32) -> Option<f32> {
    (time_constant_s > 0.0).then(|| (-hop_s / time_constant_s).exp())
}

/// `state ← coeff·state + (1 − coeff)·x`, element-wise; `x` is replaced by the new state.
#[inline(always)]
pub fn smooth_in_place(state: &mut [f32], x: &mut [f32], coeff: f32) {
    for (s, v) in state.iter_mut().zip(x.iter_mut()) {
        let y = step(*s, *v, coeff);
        *s = y;
        *v = y;
    }
}

/// One step of the one-pole, as a weighted sum of two non-negative terms (no cancellation:
/// a tiny new value after a loud one keeps its relative precision).
#[inline(always)]
pub fn step(state: f32, x: f32, coeff: f32) -> f32 {
    let y = coeff * state + (1.0 - coeff) * x;
    if y.abs() < FLUSH {
        0.0
    } else {
        y
    }
}
