//! Two real signals' transforms from one complex transform.
//!
//! For real `a` and `b` of length `n`, the transform of `z = a + j·b` holds both:
//! `A(k) = (Z(k) + Z*(n − k)) / 2` and `B(k) = (Z(k) − Z*(n − k)) / 2j` (the standard "two real
//! FFTs for the price of one"; e.g. Press et al., *Numerical Recipes*, 3rd ed., §12.3.2). Live
//! transforms its filter partitions two at a time this way: a short complex transform costs
//! less than two real ones (`docs/live-mode-study.md` has the timings), and Live transforms
//! many partitions per frame. (Not the track's channels: a stereo engine must transform each channel exactly as a
//! mono engine does, which the renderer relies on when it splits an unlinked stereo file.)

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

/// Splits `z`, the `n`-point transform of `a + j·b`, into the transforms of `a` and `b`: bins
/// `0..=n/2` of each into `a_out` and `b_out` (each at least `n/2 + 1` long).
#[inline(always)]
pub fn split(z: &[Complex32], a_out: &mut [Complex32], b_out: &mut [Complex32]) {
    let (n, half) = (z.len(), z.len() / 2);
    let one = |zk: Complex32, zm: Complex32| {
        let (s, d) = (zk + zm.conj(), zk - zm.conj());
        (Complex32::new(0.5 * s.re, 0.5 * s.im), Complex32::new(0.5 * d.im, -0.5 * d.re))
    };
    // Bins 0 and n/2 are their own mirrors; bins 1…n/2−1 meet n−1…n/2+1, read backwards (no
    // index arithmetic, so the loop vectorises).
    (a_out[0], b_out[0]) = one(z[0], z[0]);
    (a_out[half], b_out[half]) = one(z[half], z[half]);
    let pairs = z[1..half].iter().zip(z[half + 1..n].iter().rev());
    for ((a, b), (&zk, &zm)) in a_out[1..half].iter_mut().zip(&mut b_out[1..half]).zip(pairs) {
        (*a, *b) = one(zk, zm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use realfft::RealFftPlanner;
    use rustfft::FftPlanner;

    #[test]
    fn two_real_transforms_from_one_complex_equal_the_real_transforms() {
        for n in [4usize, 8, 128, 4096] {
            let a: Vec<f32> = (0..n).map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5).collect();
            let b: Vec<f32> = (0..n).map(|i| ((i * 104_729) % 89) as f32 / 89.0 - 0.5).collect();
            let mut z = vec![Complex32::default(); n];
            pack_scaled(&a, &b, 0.75, &mut z);
            FftPlanner::<f32>::new().plan_fft_forward(n).process(&mut z);
            let (mut got_a, mut got_b) = (vec![Complex32::default(); n / 2 + 1], vec![Complex32::default(); n / 2 + 1]);
            split(&z, &mut got_a, &mut got_b);
            let r2c = RealFftPlanner::<f32>::new().plan_fft_forward(n);
            for (x, got) in [(&a, &got_a), (&b, &got_b)] {
                let mut input: Vec<f32> = x.iter().map(|x| x * 0.75).collect();
                let mut want = r2c.make_output_vec();
                r2c.process(&mut input, &mut want).unwrap();
                let worst = got.iter().zip(&want).map(|(g, w)| (g - w).norm()).fold(0.0f32, f32::max);
                // Sums of n terms of about ±0.75: relative to √n.
                assert!(worst / (n as f32).sqrt() < 1e-5, "n {n}: error {worst}");
            }
            // Zero-padded and scaled: the first half of each filled, the rest zero.
            pack_scaled(&a[..n / 2], &b[..n / 4], 0.5, &mut z);
            assert!(z[..n / 4].iter().zip(&a).zip(&b).all(|((z, &a), &b)| z.re == 0.5 * a && z.im == 0.5 * b));
            assert!(z[n / 4..n / 2].iter().zip(&a[n / 4..]).all(|(z, &a)| z.re == 0.5 * a && z.im == 0.0));
            assert!(z[n / 2..].iter().all(|z| *z == Complex32::default()));
        }
    }
}
