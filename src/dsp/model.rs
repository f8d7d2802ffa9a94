//! The frame-local pieces of norbert's method, as plain functions on one bin or one slice of
//! bins, so that tests can hold each of them against norbert's own numbers.
//!
//! Where Residue differs from the seed (`norbert.contrib`), the function's doc says so.

/// Floor of the mixture model `vx = max(EPS, |X|^alpha)`. norbert uses the dtype's machine
/// epsilon (1.2e-7 for f32), which on spectra scaled like scipy's (a full-scale sine ≈ 0.5)
/// would floor power spectra at about −66 dB; this floor sits far below any audio.
pub const EPS: f32 = 1e-20;

/// `|X|^alpha` from the squared magnitude, with the two common exponents exact and cheap.
#[inline]
pub fn spectral_power(norm_sqr: f32, alpha: f32) -> f32 {
    if alpha == 2.0 {
        norm_sqr
    } else if alpha == 1.0 {
        norm_sqr.sqrt()
    } else {
        norm_sqr.powf(0.5 * alpha)
    }
}

/// norbert's `residual_model` for one bin: the part of the mixture model that the scaled
/// reference models do not explain, floored at 0 (spectral subtraction).
#[inline]
pub fn residual(vx: f32, bleed: f32) -> f32 {
    (vx - bleed).max(0.0)
}

/// The soft (Wiener / ratio) mask of the target, `v_target / (v_target + v_others)`.
///
/// norbert divides by `eps + total`. Here the total is already ≥ [`EPS`] because the
/// mixture model is floored, so no eps is added: a bin with no bleed gets exactly 1, which
/// is what lets a silent sidechain pass audio through untouched. An all-zero total (possible
/// only before any signal reached the smoothed models) also counts as "no bleed".
#[inline]
pub fn soft_mask(target: f32, total: f32) -> f32 {
    if total > 0.0 {
        target / total
    } else {
        1.0
    }
}

/// norbert's `_logit`: `1 / (1 + exp(-slope (w - threshold)))`.
#[inline]
pub fn logistic(w: f32, threshold: f32, slope: f32) -> f32 {
    1.0 / (1.0 + (-slope * (w - threshold)).exp())
}

/// The compression curve with its constants worked out once per hop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compressor {
    threshold: f32,
    slope: f32,
    /// `(logistic(w) - offset) * scale` maps the curve; identity for the raw curve.
    offset: f32,
    scale: f32,
}

impl Compressor {
    /// norbert's curve exactly (`compress_filter`'s single-channel branch).
    pub fn raw(threshold: f32, slope: f32) -> Self {
        Self { threshold, slope, offset: 0.0, scale: 1.0 }
    }

    /// norbert's curve mapped affinely so that 0 → 0 and 1 → 1 (see
    /// [`crate::dsp::CompressionRange::Unit`]). As the slope goes to 0 this tends to the
    /// identity, i.e. the plain Wiener mask; as it grows, to a step at the threshold.
    pub fn unit(threshold: f32, slope: f32) -> Self {
        // Computed in f64: for small slopes the two ends are close and f32 would cancel.
        let l = |w: f64| 1.0 / (1.0 + (-(slope as f64) * (w - threshold as f64)).exp());
        let (lo, hi) = (l(0.0), l(1.0));
        Self { threshold, slope, offset: lo as f32, scale: (1.0 / (hi - lo)) as f32 }
    }

    /// The compressed value of one mask value, kept inside [0, 1].
    #[inline]
    pub fn apply(&self, w: f32) -> f32 {
        let y = ((logistic(w, self.threshold, self.slope) - self.offset) * self.scale).clamp(0.0, 1.0);
        // The rescaled ends are exact by construction; f32 rounding must not undo that.
        if self.offset == 0.0 {
            y
        } else if w >= 1.0 {
            1.0
        } else if w <= 0.0 {
            0.0
        } else {
            y
        }
    }

    /// Single-channel compression of a slice of masks, in place.
    pub fn compress(&self, masks: &mut [f32]) {
        for w in masks {
            *w = self.apply(*w);
        }
    }

    /// Multichannel compression (norbert's `compress_filter` for `C×C` filters): the gain
    /// `g = trace(W) / C` is compressed and every channel is scaled by `L(g) / g`.
    ///
    /// Residue's filters are diagonal (per-channel soft masks), so `trace(W) / C` is the mean
    /// of the channels' masks at that bin: a stereo-linked mask that keeps the image still.
    /// The seed divides by `eps + trace(W)` without the `/ C`: for `W = m·I` (2×2) it returns
    /// `logit(2m)/2 · I`, capped at 0.5. Here `W = m·I` gives `L(m)·I`, as for one channel.
    /// Channels whose mask is above the mean could be pushed above 1; they are capped at 1
    /// so that the target is never louder than the input.
    pub fn compress_linked<S: AsMut<[f32]>>(&self, channels: &mut [S], bins: usize) {
        let count = channels.len();
        if count == 0 {
            return;
        }
        let inv_c = 1.0 / count as f32;
        for f in 0..bins {
            let gain = channels.iter_mut().map(|c| c.as_mut()[f]).sum::<f32>() * inv_c;
            let factor = if gain > 0.0 { self.apply(gain) / gain } else { 0.0 };
            for c in channels.iter_mut() {
                let w = &mut c.as_mut()[f];
                *w = (*w * factor).clamp(0.0, 1.0);
            }
        }
    }
}
