//! Causal temporal smoothing per bin: a one-pole low-pass across frames. norbert's `smooth`
//! is a Gaussian centred on the frame (it needs the future); this only looks back.

/// Below this a smoothed state is set to 0, so that decaying tails never turn denormal.
const FLUSH: f32 = 1e-30;

/// The one-pole coefficient for a time constant (`None` = smoothing off).
pub fn coefficient(time_constant_s: f32, hop_s: f32) -> Option<f32> {
    (time_constant_s > 0.0).then(|| (-hop_s / time_constant_s).exp())
}

/// `state ← coeff·state + (1 − coeff)·x`, element-wise; `x` is replaced by the new state.
#[inline]
pub fn smooth_in_place(state: &mut [f32], x: &mut [f32], coeff: f32) {
    let k = 1.0 - coeff;
    for (s, v) in state.iter_mut().zip(x.iter_mut()) {
        let y = *s + k * (*v - *s);
        let y = if y.abs() < FLUSH { 0.0 } else { y };
        *s = y;
        *v = y;
    }
}
