//! The frame-local pieces of norbert's method, as plain functions on one bin or one slice of
//! bins, so that tests can hold each of them against norbert's own numbers.
//!
//! Where Residue differs from the seed (`norbert.contrib`), the function's doc says so.

use realfft::num_complex::Complex32;

/// Floor of the mixture model `vx = max(EPS, |X|^alpha)`. norbert uses the dtype's machine
/// epsilon (1.2e-7 for f32), which on spectra scaled like scipy's (a full-scale sine ≈ 0.5)
/// would floor power spectra at about −66 dB; this floor sits far below any audio.
pub const EPS: f32 = 1e-20;

/// `|X|^alpha` for a row of bins. The exponent is matched outside the loop, so that the two
/// common ones (1: magnitude, 2: power) vectorise.
#[inline(always)]
pub fn spectral_powers(spec: &[Complex32], alpha: f32, out: &mut [f32]) {
    #[inline(always)]
    fn fill(spec: &[Complex32], out: &mut [f32], pow: impl Fn(f32) -> f32) {
        for (o, x) in out.iter_mut().zip(spec) {
            *o = pow(x.re * x.re + x.im * x.im);
        }
    }
    match alpha {
        2.0 => fill(spec, out, |n| n),
        1.0 => fill(spec, out, f32::sqrt),
        alpha => fill(spec, out, |n| n.powf(0.5 * alpha)),
    }
}

/// norbert's `residual_model` for one bin: the part of the mixture model that the scaled
/// reference models do not explain, floored at 0 (spectral subtraction).
#[inline(always)]
pub fn residual(vx: f32, bleed: f32) -> f32 {
    (vx - bleed).max(0.0)
}

/// The soft (Wiener / ratio) mask of the target, `v_target / (v_target + v_others)`.
///
/// norbert divides by `eps + total`. Here the total is already ≥ [`EPS`] because the
/// mixture model is floored, so no eps is added: a bin with no bleed gets exactly 1, which
/// is what lets a silent sidechain pass audio through untouched. An all-zero total (possible
/// only before any signal reached the smoothed models) also counts as "no bleed".
#[inline(always)]
pub fn soft_mask(target: f32, total: f32) -> f32 {
    if total > 0.0 {
        target / total
    } else {
        1.0
    }
}

/// norbert's `_logit`: `1 / (1 + exp(-slope (w - threshold)))`.
#[inline(always)]
pub fn logistic(w: f32, threshold: f32, slope: f32) -> f32 {
    1.0 / (1.0 + exp_clamped(-slope * (w - threshold)))
}

/// `e^x` with `x` clamped to ±87, where the logistic is 0 or 1 to f32 precision anyway.
/// Cephes' `expf`: `x = n·ln2 + r`, a polynomial for `e^r` on |r| ≤ ln2/2 (about 1 ulp), and
/// `2^n` built in the exponent bits.
///
/// Why not libm's `expf`: it is a call per bin, which kept the compression loop scalar and
/// made it the engine's most expensive step. This is branch-free, so the loops that use it
/// vectorise (and widen with AVX2 / AVX-512 where the CPU has them, see [`crate::Isa`]).
#[inline(always)]
pub fn exp_clamped(x: f32) -> f32 {
    // 1.5·2^23: adding it rounds to an integer (round-to-nearest), in one vector instruction.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 87.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    for c in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5e-1] {
        p = p * r + c;
    }
    let e = p * (r * r) + r + 1.0;
    // 2^n: n + 127 lands in the low mantissa bits of n + 127 + 2^23; shift it into the exponent.
    e * f32::from_bits((n + (127.0 + 8_388_608.0)).to_bits() << 23)
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
    /// [`crate::CompressionRange::Unit`]). As the slope goes to 0 this tends to the
    /// identity, i.e. the plain Wiener mask; as it grows, to a step at the threshold.
    pub fn unit(threshold: f32, slope: f32) -> Self {
        // Computed in f64: for small slopes the two ends are close and f32 would cancel.
        let l = |w: f64| 1.0 / (1.0 + (-(slope as f64) * (w - threshold as f64)).exp());
        let (lo, hi) = (l(0.0), l(1.0));
        Self { threshold, slope, offset: lo as f32, scale: (1.0 / (hi - lo)) as f32 }
    }

    /// The compressed value of one mask value, kept inside [0, 1].
    #[inline(always)]
    pub fn apply(&self, w: f32) -> f32 {
        let y = (logistic(w, self.threshold, self.slope) - self.offset) * self.scale;
        let y = y.clamp(0.0, 1.0);
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
    #[inline(always)]
    pub fn compress(&self, masks: &mut [f32]) {
        // A plain loop rather than `for_each`: its body stays in this (inlined) function, so it
        // is compiled with the caller's vector width.
        for w in masks.iter_mut() {
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
    ///
    /// `scratch` (at least `bins` long) holds the per-bin factors.
    #[inline(always)]
    pub fn compress_linked<S: AsMut<[f32]>>(&self, channels: &mut [S], bins: usize, scratch: &mut [f32]) {
        let count = channels.len();
        if count == 0 {
            return;
        }
        let factor = &mut scratch[..bins];
        factor.copy_from_slice(&channels[0].as_mut()[..bins]);
        for c in channels[1..].iter_mut() {
            for (g, w) in factor.iter_mut().zip(&c.as_mut()[..bins]) {
                *g += w;
            }
        }
        let inv_c = 1.0 / count as f32;
        for k in factor.iter_mut() {
            let gain = *k * inv_c;
            let compressed = self.apply(gain) / gain;
            *k = if gain > 0.0 { compressed } else { 0.0 };
        }
        for c in channels.iter_mut() {
            for (w, &k) in c.as_mut()[..bins].iter_mut().zip(factor.iter()) {
                *w = (*w * k).clamp(0.0, 1.0);
            }
        }
    }
}
