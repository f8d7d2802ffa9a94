//! Two real signals' transforms from one complex transform.
//!
//! For real `a` and `b` of length `n`, the transform of `z = a + j·b` holds both:
//! `A(k) = (Z(k) + Z*(n − k)) / 2` and `B(k) = (Z(k) − Z*(n − k)) / 2j` (the standard "two real
//! FFTs for the price of one"; e.g. Press et al., *Numerical Recipes*, 3rd ed., §12.3.2). Live
//! transforms two track channels per frame and its filter partitions two at a time this way:
//! the complex transform runs vectorised, where a real transform's separate post-processing
//! pass (realfft's) was measured at a quarter of Live's time.

use realfft::num_complex::Complex32;

/// `z = a·scale + j·b·scale`, zero where `a` or `b` (each at most `z.len()` long) ends.
#[inline(always)]
pub fn pack_scaled(a: &[f32], b: &[f32], scale: f32, z: &mut [Complex32]) {
    z.fill(Complex32::default());
    for (v, &x) in z.iter_mut().zip(a) {
        v.re = x * scale;
    }
    for (v, &x) in z.iter_mut().zip(b) {
        v.im = x * scale;
    }
}

/// `z = a·w + j·b·w`, sample by sample (all four the same length).
#[inline(always)]
pub fn pack_windowed(a: &[f32], b: &[f32], w: &[f32], z: &mut [Complex32]) {
    for (((v, &x), &y), &w) in z.iter_mut().zip(a).zip(b).zip(w) {
        *v = Complex32::new(x * w, y * w);
    }
}

/// Splits `z`, the `n`-point transform of `a + j·b`, into the transforms of `a` and `b`: bins
/// `0..=n/2` of each into `a_out` and `b_out` (each at least `n/2 + 1` long).
#[inline(always)]
pub fn split(z: &[Complex32], a_out: &mut [Complex32], b_out: &mut [Complex32]) {
    let n = z.len();
    for k in 0..=n / 2 {
        let (zk, zm) = (z[k], z[(n - k) % n].conj());
        let (s, d) = (zk + zm, zk - zm);
        a_out[k] = Complex32::new(0.5 * s.re, 0.5 * s.im);
        b_out[k] = Complex32::new(0.5 * d.im, -0.5 * d.re);
    }
}
