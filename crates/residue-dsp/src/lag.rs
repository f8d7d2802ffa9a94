//! Finds how much later the bleed reaches the track than the reference mic hears its source:
//! GCC-PHAT (generalised cross-correlation with phase transform) on the spectra the engine
//! computes anyway, causal.
//!
//! Per main channel and source (each mic has its own distance to the source), the cross
//! spectrum `X · conj(R)` (R summed over the source channels the main channel hears) is averaged
//! over the past with forgetting. The reference's spectra are those of the already delayed
//! reference, so the average is of the delayed cross spectrum; at each search it is turned
//! back by the applied delay (`e^{-iωd}`) to the undelayed one, and when the delay changes the
//! average is re-expressed for the new delay, so a change does not disturb it. Then it is
//! whitened (PHAT: only the phase is kept, so a few loud low partials cannot decide the lag)
//! and transformed back; the highest peak within half a window of the applied delay (and in
//! `[0, max_lag]`) is the lag, taken only when it stands clear of the rest of the correlation.
//!
//! The frames see lags of at most half the window *beyond the applied delay*: further, the
//! frames of the two signals hardly overlap and the circular correlation aliases. So the search
//! is centred on the delay the reference is already read with, and a lag further away is first
//! brought within reach by [`LagFinder::seed`] (from the long scan, [`super::lag_scan`]): the
//! delay line carries the lag, the window only the residual. With nothing applied yet the
//! search covers `[0, half a window]`.
//!
//! A reference mic hears the track's own source too (the singer in the guitar mic), and that
//! part of the cross spectrum is far more coherent than the bleed's: it reaches the track's mic
//! first (a peak at a negative lag) or, at equal distances, at the same time (a peak at lag 0,
//! as wide on the negative side as on the positive one). Bleed reaches the track's mic after
//! the reference mic hears it, so the correlation at a lag `d` within half a window of 0 counts
//! only by what it has beyond its mirror at `−d`: the target's peak and its shoulders, symmetric
//! about 0 or leaning to the negative side, cancel, and the bleed's peak stands. (A bleed at
//! exactly lag 0 is never "found"; the reference is then read as it is, at lag 0, which is the
//! same.)

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner};

use super::isa::Isa;
use super::limits::MIN_WINDOW;
use super::pages::{touch, touch_rows};

/// `out[k] = e^{-iωd}`, ω = 2πk/size, as powers of one step in f64 (cheaper than a sin/cos
/// per bin; the recurrence drifts by ~1e-13 over the bins).
fn phasor(out: &mut [Complex32], d: f64, size: usize) {
    let phase = -2.0 * std::f64::consts::PI * d / size as f64;
    let step = (phase.cos(), phase.sin());
    let mut t = (1.0f64, 0.0f64);
    for o in out {
        *o = Complex32::new(t.0 as f32, t.1 as f32);
        t = (t.0 * step.0 - t.1 * step.1, t.0 * step.1 + t.1 * step.0);
    }
}

/// Lanes of the partial sums and maxima below: one 512-bit vector.
const LANES: usize = 16;

/// `Σ f(v)` over `values` in `LANES` interleaved partial sums, added up at the end: independent
/// sums vectorise, where one running sum is a chain of dependent adds. The same order on every
/// instruction set, so every version gets the same bits.
#[inline(always)]
fn lane_sum<T: Copy>(values: &[T], f: impl Fn(T) -> f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a += f(v);
        }
    }
    for (a, &v) in acc.iter_mut().zip(rest) {
        *a += f(v);
    }
    acc.iter().sum()
}

/// The first position of the largest value (`values` not empty, no NaN), by lane-wise maxima:
/// the maximum itself is found without a branch per value.
#[inline(always)]
fn peak(values: &[f32]) -> (usize, f32) {
    let mut top = [f32::MIN; LANES];
    for chunk in values.chunks(LANES) {
        for (t, &v) in top.iter_mut().zip(chunk) {
            *t = if v > *t { v } else { *t };
        }
    }
    let max = top.iter().fold(f32::MIN, |m, &t| if t > m { t } else { m });
    (values.iter().position(|&v| v == max).unwrap_or(0), max)
}

/// Frames are observed every this many hops.
fn observe_every(overlap: usize) -> usize {
    (overlap / 2).max(1)
}

/// Once a lag is found, the search runs about this often, seconds: the average it searches
/// spans [`MEMORY_SECONDS`], so searching every window (85 ms at 4096 / 48 kHz) would mostly
/// find the same peak again, for an inverse FFT per pair each time.
pub const SEARCH_SECONDS: f32 = 0.5;

/// Hops between searches: whole windows, about [`SEARCH_SECONDS`].
fn search_every(overlap: usize, hop_seconds: f32) -> usize {
    let windows = (SEARCH_SECONDS / (hop_seconds * overlap as f32)).round().max(1.0) as usize;
    windows * overlap
}

/// A peak counts as found when it is this many times the correlation's RMS.
const CONFIDENCE: f32 = 6.0;
/// Time constant of the cross-spectrum average, seconds.
const MEMORY_SECONDS: f32 = 2.0;

pub struct LagFinder {
    /// Per (main channel, source) pair: averaged cross spectrum, and `e^{-iωd}` for its applied
    /// delay `d`.
    cross: Vec<Vec<Complex32>>,
    turn: Vec<Vec<Complex32>>,
    turn_for: Vec<(usize, usize)>,
    lags: Vec<usize>,
    found: Vec<bool>,
    /// Per pair: the last lag seeded from outside ([`LagFinder::seed`]), so that the same one is
    /// not seeded again over what the search found near it.
    seeded: Vec<Option<usize>>,
    /// Per pair: the hop it was seeded at, until its search finds the lag there (or
    /// [`MEMORY_SECONDS`] pass): it searches every window meanwhile, as one that has found nothing.
    eager: Vec<Option<usize>>,
    /// Grows whenever a lag changes.
    changes: u64,
    inverse: Vec<Arc<dyn ComplexToReal<f32>>>,
    spectrum: Vec<Complex32>,
    time: Vec<f32>,
    /// The correlation at each lag searched, less its mirror at the negative lag.
    onesided: Vec<f32>,
    scratch: Vec<Complex32>,
    hops: usize,
    isa: Isa,
}

impl LagFinder {
    /// `pairs`: main channels × sources.
    pub fn new(pairs: usize, max_window: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let inverse: Vec<_> = std::iter::successors(Some(MIN_WINDOW), |n| Some(n * 2))
            .take_while(|&n| n <= max_window)
            .map(|n| planner.plan_fft_inverse(n))
            .collect();
        let scratch = inverse.iter().map(|p| p.get_scratch_len()).max().unwrap_or(0);
        let bins = max_window / 2 + 1;
        let rows = || vec![vec![Complex32::default(); bins]; pairs];
        let mut finder = Self {
            cross: rows(),
            turn: rows(),
            turn_for: vec![(usize::MAX, 0); pairs],
            lags: vec![0; pairs],
            found: vec![false; pairs],
            seeded: vec![None; pairs],
            eager: vec![None; pairs],
            changes: 0,
            inverse,
            spectrum: vec![Complex32::default(); bins],
            time: vec![0.0; max_window],
            onesided: vec![0.0; max_window],
            scratch: vec![Complex32::default(); scratch],
            hops: 0,
            isa: Isa::best(),
        };
        touch_rows(&mut finder.cross);
        touch_rows(&mut finder.turn);
        touch(&mut finder.spectrum);
        touch(&mut finder.time);
        touch(&mut finder.onesided);
        touch(&mut finder.scratch);
        finder
    }

    /// Forgets the audio: the averaged cross spectra (and when the next search is due). The
    /// lags found stay: they are what was learned, and a host resets often.
    pub fn reset(&mut self) {
        for row in &mut self.cross {
            row.fill(Complex32::default());
        }
        self.hops = 0;
    }

    /// Forgets the lags found too.
    pub fn relearn(&mut self) {
        self.reset();
        self.lags.fill(0);
        self.found.fill(false);
        self.seeded.fill(None);
        self.eager.fill(None);
        self.changes += 1;
    }

    /// Offers pair `j` a coarse lag found elsewhere (samples; the long scan's): taken, as found,
    /// when the pair has found nothing yet or its lag is more than `reach` samples away (beyond
    /// what the frames see well), unless it is the lag last seeded (within `reach`), which the
    /// search has since moved from: near its own peak the search, finer, decides. The search
    /// then refines it around the new delay. Returns whether it was taken.
    pub fn seed(&mut self, j: usize, lag: usize, reach: usize) -> bool {
        let Some(&now) = self.lags.get(j) else { return false };
        let far = !self.found[j] || now.abs_diff(lag) > reach;
        let again = self.seeded[j].is_some_and(|s| s.abs_diff(lag) <= reach);
        if !far || again {
            return false;
        }
        self.changes += 1;
        self.lags[j] = lag;
        self.found[j] = true;
        self.seeded[j] = Some(lag);
        self.eager[j] = Some(self.hops);
        true
    }

    /// Grows whenever a lag changes.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Sets pair `j`'s lag (samples), e.g. from a saved profile, as found.
    pub fn set_found(&mut self, j: usize, lag: usize) {
        if j < self.lags.len() {
            self.lags[j] = lag;
            self.found[j] = true;
            self.changes += 1;
        }
    }

    /// Pairs (main channels × sources).
    pub fn pairs(&self) -> usize {
        self.lags.len()
    }

    /// Compiles the per-bin loops for `isa` (which must be supported on this CPU).
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa;
    }

    /// The lag of pair `j` in samples, and whether it was found (false: nothing clear yet, 0).
    pub fn lag(&self, j: usize) -> (usize, bool) {
        (self.lags[j], self.found[j])
    }

    /// Whether the coming hop's frame is one to observe: every `overlap / 2` hops (frames
    /// overlapping by half still see every sample at a useful window weight; the frames in
    /// between add little new and would double the cost).
    pub fn due(&self, overlap: usize) -> bool {
        (self.hops + 1).is_multiple_of(observe_every(overlap))
    }

    /// Folds one frame into pair `j`'s average: `main` the main channel's spectrum, `refs` the
    /// spectra of the source channels it hears (delayed by `applied` samples), `size` the window.
    pub fn observe(
        &mut self,
        j: usize,
        main: &[Complex32],
        refs: &[Vec<Complex32>],
        size: usize,
        overlap: usize,
        applied: usize,
        hop_seconds: f32,
    ) {
        let isa = self.isa;
        isa.run(
            #[inline(always)]
            || self.observe_inline(j, main, refs, size, overlap, applied, hop_seconds),
        );
    }

    #[inline(always)]
    fn observe_inline(
        &mut self,
        j: usize,
        main: &[Complex32],
        refs: &[Vec<Complex32>],
        size: usize,
        overlap: usize,
        applied: usize,
        hop_seconds: f32,
    ) {
        let bins = size / 2 + 1;
        let (was_size, was_delay) = self.turn_for[j];
        if (was_size, was_delay) != (size, applied) {
            if was_size == size {
                // The delay changed: re-express the average for the new one, × e^{-iω(was − now)}.
                phasor(&mut self.spectrum[..bins], was_delay as f64 - applied as f64, size);
                for (g, r) in self.cross[j][..bins].iter_mut().zip(&self.spectrum[..bins]) {
                    *g *= r;
                }
            } else {
                // Another window: other bins, start over.
                self.cross[j].fill(Complex32::default());
            }
            phasor(&mut self.turn[j][..bins], applied as f64, size);
            self.turn_for[j] = (size, applied);
        }
        let forget = (-hop_seconds * observe_every(overlap) as f32 / MEMORY_SECONDS).exp();
        let (cross, x) = (&mut self.cross[j][..bins], &main[..bins]);
        match refs {
            [r] => {
                for ((g, &x), r) in cross.iter_mut().zip(x).zip(&r[..bins]) {
                    *g = *g * forget + x * r.conj();
                }
            }
            refs => {
                for (k, (g, &x)) in cross.iter_mut().zip(x).enumerate() {
                    let r: Complex32 = refs.iter().map(|r| r[k]).sum();
                    *g = *g * forget + x * r.conj();
                }
            }
        }
    }

    /// Called once per hop after every source was observed: looks for each pair's lag within
    /// half the window of its applied delay (and `max_lag` samples), once per window for a pair
    /// that has not found its lag yet in the first [`MEMORY_SECONDS`] after a reset (or after it
    /// was seeded, until it finds the lag there), otherwise every [`SEARCH_SECONDS`] (in whole
    /// windows; so a track with no clear lag does not pay for a search every window). When a
    /// pair searches depends on nothing but its own state: a channel processed in an engine of
    /// its own (the renderer's lanes) must find its lag at the same time as in the multichannel
    /// engine.
    pub fn update(&mut self, size: usize, overlap: usize, max_lag: usize, hop_seconds: f32) {
        self.hops += 1;
        if self.hops.is_multiple_of(overlap) {
            let scheduled = self.hops.is_multiple_of(search_every(overlap, hop_seconds));
            let early = (self.hops as f32) * hop_seconds < MEMORY_SECONDS;
            let hops = self.hops;
            for e in &mut self.eager {
                *e = e.filter(|&at| ((hops - at) as f32) * hop_seconds < MEMORY_SECONDS);
            }
            if scheduled || early || self.eager.iter().any(Option::is_some) {
                let isa = self.isa;
                isa.run(
                    #[inline(always)]
                    || self.search(size, max_lag, scheduled),
                );
            }
        }
    }

    /// `scheduled`: every pair searches; otherwise those that have found nothing yet, or were
    /// seeded and have not found the lag there yet.
    #[inline(always)]
    fn search(&mut self, size: usize, max_lag: usize, scheduled: bool) {
        let (bins, half) = (size / 2 + 1, size / 2);
        let plan = (size / MIN_WINDOW).trailing_zeros() as usize;
        for j in 0..self.cross.len() {
            if !scheduled && self.found[j] && self.eager[j].is_none() {
                continue;
            }
            // Within half a window of the applied delay, either way: `size` lags, each at its own
            // place in the circular correlation (absolute lag `a` at `a mod size`).
            let centre = self.lags[j];
            let (lo, hi) = (centre.saturating_sub(half - 1), max_lag.min(centre + half));
            if lo > hi {
                continue;
            }
            let cross = &self.cross[j][..bins];
            // |c| as sqrt(re² + im²): the cross spectrum is far from overflow, and hypot is slow.
            // Kept in `time` (free until the inverse transform) for the whitening below.
            let magnitude = &mut self.time[..bins];
            for (m, c) in magnitude.iter_mut().zip(cross) {
                *m = c.norm_sqr().sqrt();
            }
            let mean = lane_sum(magnitude, |m| m) / bins as f32;
            if mean.is_nan() || mean <= 0.0 {
                continue;
            }
            // PHAT, regularised so that empty bins (no reference there) stay quiet.
            let floor = 1e-3 * mean;
            // × e^{-iωd}: the average is kept for the delayed reference (one product per frame
            // instead of two); turned back here, once per search, to the undelayed one.
            for (((s, c), t), &m) in
                self.spectrum[..bins].iter_mut().zip(cross).zip(&self.turn[j][..bins]).zip(magnitude.iter())
            {
                *s = c * t * (1.0 / (m + floor));
            }
            self.spectrum[0].im = 0.0;
            self.spectrum[bins - 1].im = 0.0;
            let time = &mut self.time[..size];
            if self.inverse[plan].process_with_scratch(&mut self.spectrum[..bins], time, &mut self.scratch).is_err() {
                continue;
            }
            let rms = (lane_sum(time, |t| t * t) / size as f32).sqrt();
            // Lags `lo..=hi`, each at `a mod size` in the circular correlation, less the
            // correlation at the mirrored lag `−a` (within half a window of 0, where the mirror
            // is no other lag in reach): what reaches the track no later than the reference is
            // not bleed (module documentation).
            let onesided = &mut self.onesided[..hi - lo + 1];
            for (n, o) in onesided.iter_mut().enumerate() {
                let a = lo + n;
                let mirror = if a < half { time[(size - a) % size] } else { 0.0 };
                *o = time[a % size] - if mirror > 0.0 { mirror } else { 0.0 };
            }
            let (n, peak) = peak(onesided);
            let at = lo + n;
            if peak > CONFIDENCE * rms {
                self.changes += u64::from(self.lags[j] != at || !self.found[j]);
                self.lags[j] = at;
                self.found[j] = true;
                self.eager[j] = None;
            }
        }
    }
}
