//! The per-sample loops both frame grids run on their input and output: sanitising what comes
//! in, windowing a frame, the dry/wet mix going out. Written branch-free so they vectorise.

/// Input samples beyond ±this (+80 dBFS) or not finite are garbage, not loud audio: they are
/// replaced by silence, so no host can push the spectra or the learned state into overflow, and
/// the dry path is just as safe. Silence rather than clipping: a clipped 1e30 would still be an
/// outlier that the running fit remembers for seconds.
pub const INPUT_LIMIT: f32 = 1.0e4;
/// Input samples smaller than this (denormal range and just above) count as silence, so that
/// no arithmetic downstream ever runs on denormals.
pub const INPUT_FLOOR: f32 = 1.0e-30;

#[inline(always)]
pub(crate) fn window_into(src: &[f32], window: &[f32], dst: &mut [f32]) {
    for ((d, &x), &w) in dst.iter_mut().zip(src).zip(window) {
        *d = x * w;
    }
}

#[inline(always)]
pub(crate) fn sanitize_into(src: &[f32], dst: &mut [f32]) {
    // On the bits of |s|: NaN and ±Inf lie above INPUT_LIMIT's, so one unsigned range check
    // keeps exactly the samples with FLOOR ≤ |s| ≤ LIMIT. Branch-free, so the loop vectorises.
    const LOW: u32 = INPUT_FLOOR.to_bits();
    const SPAN: u32 = INPUT_LIMIT.to_bits() - INPUT_FLOOR.to_bits();
    for (d, &s) in dst.iter_mut().zip(src) {
        let keep = (s.to_bits() & 0x7fff_ffff).wrapping_sub(LOW) <= SPAN;
        *d = if keep { s } else { 0.0 };
    }
}

#[inline(always)]
pub(crate) fn mix_into(out: &mut [f32], wet: &[f32], dry: &[f32], gains: &[f32]) {
    for (((o, &w), &d), &g) in out.iter_mut().zip(wet).zip(dry).zip(gains) {
        // Both sides computed, then selected: a branch here would keep the loop scalar.
        let mixed = g * w + (1.0 - g) * d;
        let y = if g == 1.0 { w } else { mixed };
        // What counts as silence going in is silence coming out: the syntheses of a near-silent
        // input (or a near-empty mask) end in denormals, which slow down whatever plugin comes
        // next on the track.
        *o = if y.abs() < INPUT_FLOOR { 0.0 } else { y };
    }
}
