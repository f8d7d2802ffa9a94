//! The convolutive bleed model: per bin, the bleed is predicted from the reference's model over
//! the last few frames, `bleed(t) = Σ_l g_l · v_ref(t − l·spacing)`, with non-negative gains fitted
//! by running least squares over an exponentially forgetting past. Reverberant bleed that
//! rings on after the reference stopped is explained by the later taps. With one tap this is
//! norbert's autoscale made causal, `g = Σ λ^k x·r / Σ λ^k r²` (norbert fits the same ratio over
//! the whole file; with λ → 1 a file-long run converges to it), bit for bit the one-tap fit
//! Residue had before the taps (tested). While the reference is silent in a bin the fit has no
//! information there, so the sums and gains are held as they are: like norbert's whole-file sums,
//! where a silent frame adds nothing, and unlike a forgetting that would run on without data
//! (after a pause the next frame alone would decide the gain again). Freezing holds the learned
//! gains.
//!
//! The fit keeps the normal equations `A g = b` per bin (`A = Σ λ^k w r rᵀ`, `b = Σ λ^k w x r`)
//! and solves them by projected Gauss–Seidel, two sweeps per frame from the previous frame's
//! gains: `A` changes slowly, so the warm start tracks the non-negative least-squares solution
//! without the branches of an active-set solver (the loop over the bins stays vectorisable).
//!
//! *Robust* weighting (`w`): a frame counts in proportion to how much of the bin the current
//! model already attributes to bleed, `w = ε + (1 − ε) · min(1, ĝ·r / x)`. Where the target is
//! loud the frame barely counts, so the target's energy does not pull the gain up; where the
//! model explains the bin (bleed alone) it counts fully. While nothing is learned yet every frame
//! weighs ε alike, which leaves the ratios (and so the first gains) unchanged.
//!
//! *Ratio floor* ([`RatioFloor`], with the robust fit): the weighting cannot undo a gain the
//! target has already pulled up, and where the target sounds in most frames, or the reference mic
//! hears the target louder than its own source (a frame's ratio is then the inverse of the
//! target's level in the reference, whatever the bleed), the target's frames keep the gain
//! there: a frame where the track is ten times the predicted bleed still weighs a tenth, on a
//! ratio ten times the gain. Such a gain shows as a prediction that stands far above the track in
//! the frames of bleed alone. A low quantile of the track's ratio to the prediction finds it, and
//! the prediction is kept within a margin of that.

use super::pages::touch;

/// The most taps the fit supports.
pub const MAX_TAPS: usize = 4;
/// Entries of the upper triangle of A.
const TRI: usize = MAX_TAPS * (MAX_TAPS + 1) / 2;
/// Normal-equation rows per main channel: A's triangle, then b.
const SUMS: usize = TRI + MAX_TAPS;
/// The row after the sums: the ratio floor ([`RatioFloor`]).
const FLOOR: usize = SUMS;
/// Per-bin rows of a chunk: the sums and the floor.
const ROWS: usize = SUMS + 1;
/// Below this diagonal entry a tap carries no usable information (as in the one-tap fit).
const MIN_WEIGHT: f32 = 1e-30;
/// The weight of a frame the model attributes entirely to the target.
pub const ROBUST_FLOOR: f32 = 0.05;
/// How far the ratio floor rises per Adaptation time while the frames lie above it, dB; it falls
/// [`FLOOR_FALL`] times as fast, so that it settles where one frame in 21 lies below.
pub const FLOOR_RISE_DB: f32 = 12.0;
pub const FLOOR_FALL: f32 = 20.0;
/// How far above the ratio floor the predicted bleed may stand, dB.
pub const FLOOR_MARGIN_DB: f32 = 12.0;

/// The ratio floor of a bin: a low quantile of the track's ratio to the predicted bleed,
/// `x / p`, over the frames where the model predicts some bleed, tracked by steps: down by
/// `fall` when a frame's ratio lies below it, up by `rise` otherwise, so that it settles where
/// a share `rise / (rise + fall)` (in dB) of the frames lie below; at most 1, and 1 at first.
///
/// Why: wherever the reference's source plays without the target, the track holds its bleed
/// alone, and the ratio of the track to the reference is the bleed gain; wherever the target
/// plays too, the ratio is higher — much higher where the reference mic hears the target as
/// well (a singing guitarist: in the singer's frames the ratio is the inverse of the singer's
/// level in the guitar mic). So the bleed gain is the *lower* envelope of that ratio, and a fit
/// whose prediction stands far above the track in the frames of bleed alone has learned the
/// target: the floor finds how far (it sinks below 1), and the predicted bleed is scaled down
/// to within `margin` of it. A frame whose track is more than [`FLOOR_OUTLIER`] below the floor
/// (a gated or muted track) says nothing about the gain and does not move it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatioFloor {
    /// Factors per frame: `rise > 1`, `fall < 1`.
    pub rise: f32,
    pub fall: f32,
    pub margin: f32,
}

/// See [`RatioFloor`]: −60 dB.
pub const FLOOR_OUTLIER: f32 = 1e-3;

impl RatioFloor {
    /// The steps for a frame of `hop_seconds`, with the fit's memory `adapt_seconds`.
    pub fn new(hop_seconds: f32, adapt_seconds: f32) -> Self {
        let frames = adapt_seconds / hop_seconds;
        let db = |d: f32| 10f32.powf(d / 20.0);
        Self {
            rise: db(FLOOR_RISE_DB / frames),
            fall: db(-FLOOR_FALL * FLOOR_RISE_DB / frames),
            margin: db(FLOOR_MARGIN_DB),
        }
    }

    /// The floor `e` after a frame with track `x` and predicted bleed `p`.
    #[inline(always)]
    fn step(&self, e: f32, x: f32, p: f32) -> f32 {
        let below = e * p;
        let stepped = e * if x < below { self.fall } else { self.rise };
        let stepped = if stepped < 1.0 { stepped } else { 1.0 };
        if p > 0.0 && x >= FLOOR_OUTLIER * below {
            stepped
        } else {
            e
        }
    }

    /// `predicted`, kept within the margin over the floor `e`.
    #[inline(always)]
    fn bound(&self, e: f32, predicted: f32) -> f32 {
        let scale = self.margin * e;
        predicted * if scale < 1.0 { scale } else { 1.0 }
    }
}

#[inline(always)]
const fn tri(i: usize, j: usize) -> usize {
    // Row-major upper triangle, i ≤ j.
    i * MAX_TAPS - i * (i + 1) / 2 + j
}

/// One per-bin quantity of a channel's fit: a sum (index into [`Sums`]), a tap's gain, or the
/// ratio floor.
#[derive(Clone, Copy)]
enum Row {
    Sum(usize),
    Gain(usize),
    Floor,
}

/// The value at fractional bin `at` of a row of `len` bins read through `value`, linearly
/// interpolated; beyond the last bin, the last bin's.
pub fn interpolate(value: impl Fn(usize) -> f32, len: usize, at: f64) -> f32 {
    let at = at.clamp(0.0, (len - 1) as f64);
    let (i, t) = (at.floor() as usize, (at - at.floor()) as f32);
    if t == 0.0 || i + 1 >= len {
        value(i)
    } else {
        value(i) + t * (value(i + 1) - value(i))
    }
}

/// Bins handled together: one 512-bit vector, two 256-bit, four 128-bit.
const LANES: usize = 16;

/// The sums (and the ratio floor) of one chunk of `LANES` bins, each quantity's lanes side by
/// side: a chunk is one contiguous block, read and written in place.
type Sums = [[f32; LANES]; ROWS];

/// Per main channel and bin: the normal equations and the gains. A frame goes through the
/// bins a chunk at a time; one loop over the chunk's lanes runs each bin's update as scalar
/// code with selects (no branch, no conditional store), which the compiler turns into vector
/// code across the lanes. Only the sums a tap count uses are touched.
pub struct TapFit {
    chunks: usize,
    stride: usize,
    /// `chunks` blocks per main channel.
    sums: Vec<Sums>,
    /// Per main channel, `MAX_TAPS` rows of `stride` gains: contiguous per tap, for the
    /// readers (editor, interference reduction).
    gains: Vec<f32>,
}

impl TapFit {
    pub fn new(channels: usize, max_bins: usize) -> Self {
        let chunks = max_bins.div_ceil(LANES);
        let stride = chunks * LANES;
        let mut fit = Self {
            chunks,
            stride,
            sums: vec![[[0.0; LANES]; ROWS]; channels * chunks],
            gains: vec![0.0; channels * MAX_TAPS * stride],
        };
        touch(&mut fit.sums);
        fit.reset();
        touch(&mut fit.gains);
        fit
    }

    /// Forgets everything learned.
    pub fn reset(&mut self) {
        let mut blank = [[0.0; LANES]; ROWS];
        blank[FLOOR] = [1.0; LANES];
        self.sums.fill(blank);
        self.gains.fill(0.0);
    }

    /// Main channels the fit was made for.
    pub fn channels(&self) -> usize {
        self.sums.len() / self.chunks.max(1)
    }

    /// The number of `bins`-long rows [`TapFit::export`] writes for `taps` taps.
    pub const fn saved_rows(taps: usize) -> usize {
        taps * (taps + 1) / 2 + 2 * taps + 1
    }

    /// The first of the saved rows that hold ratios of spectra (the gains, then the ratio
    /// floor) rather than sums: rows from here on take the spectral exponent's power when the
    /// exponent changes, and need no rescaling with the frame rate.
    pub const fn first_gain_row(taps: usize) -> usize {
        taps * (taps + 1) / 2 + taps
    }

    /// Row `n` of channel `c`'s saved form for `taps` taps: A's upper triangle over the first
    /// `taps` taps (row-major), then b, then the gains, then the ratio floor.
    fn saved_row(taps: usize, n: usize) -> Row {
        let triangle = taps * (taps + 1) / 2;
        if n == Self::saved_rows(taps) - 1 {
            Row::Floor
        } else if n < triangle {
            let (mut i, mut left) = (0, n);
            while left >= taps - i {
                left -= taps - i;
                i += 1;
            }
            Row::Sum(tri(i, i + left))
        } else if n < triangle + taps {
            Row::Sum(TRI + n - triangle)
        } else {
            Row::Gain(n - triangle - taps)
        }
    }

    fn get(&self, c: usize, row: Row, k: usize) -> f32 {
        match row {
            Row::Sum(q) => self.sums[c * self.chunks + k / LANES][q][k % LANES],
            Row::Gain(l) => self.gains[(c * MAX_TAPS + l) * self.stride + k],
            Row::Floor => self.sums[c * self.chunks + k / LANES][FLOOR][k % LANES],
        }
    }

    fn set(&mut self, c: usize, row: Row, k: usize, v: f32) {
        match row {
            Row::Sum(q) => self.sums[c * self.chunks + k / LANES][q][k % LANES] = v,
            Row::Gain(l) => self.gains[(c * MAX_TAPS + l) * self.stride + k] = v,
            Row::Floor => self.sums[c * self.chunks + k / LANES][FLOOR][k % LANES] = v,
        }
    }

    /// Channel `c`'s fit over the first `taps` taps, in bin order: `saved_rows(taps)` rows of
    /// `bins` values each, one after the other, into `out` (which must hold them). No allocation.
    pub fn export(&self, c: usize, taps: usize, bins: usize, out: &mut [f32]) {
        for (n, row) in out[..Self::saved_rows(taps) * bins].chunks_exact_mut(bins).enumerate() {
            let which = Self::saved_row(taps, n);
            for (k, v) in row.iter_mut().enumerate() {
                *v = self.get(c, which, k);
            }
        }
    }

    /// Sets channel `c`'s fit from rows in [`TapFit::export`]'s form, each row read through
    /// `value(row, k)` for this fit's bin `k < bins`; the sums are multiplied by `sum_scale`.
    /// Taps past `taps` are cleared. No allocation.
    pub fn import(&mut self, c: usize, taps: usize, bins: usize, sum_scale: f32, value: impl Fn(usize, usize) -> f32) {
        for q in 0..SUMS {
            for k in 0..bins {
                self.set(c, Row::Sum(q), k, 0.0);
            }
        }
        for k in 0..bins {
            self.set(c, Row::Floor, k, 1.0);
        }
        for l in 0..MAX_TAPS {
            for k in 0..bins {
                self.set(c, Row::Gain(l), k, 0.0);
            }
        }
        for n in 0..Self::saved_rows(taps.min(MAX_TAPS)) {
            let which = Self::saved_row(taps, n);
            let scale = if matches!(which, Row::Sum(_)) { sum_scale } else { 1.0 };
            for k in 0..bins {
                self.set(c, which, k, value(n, k) * scale);
            }
        }
    }

    /// Moves what was learned on a grid of `old_bins` bins onto one of `new_bins` (both
    /// `window / 2 + 1` for power-of-two windows at the same sample rate), in place: each new
    /// bin takes the linear interpolation of the old bins at its frequency. The sums are
    /// multiplied by `sum_scale` (their scale depends on the window and the hop; the gains,
    /// ratios of spectra, do not).
    pub fn regrid(&mut self, old_bins: usize, new_bins: usize, sum_scale: f32) {
        if old_bins == new_bins && sum_scale == 1.0 {
            return;
        }
        let ratio = (old_bins - 1) as f64 / (new_bins - 1).max(1) as f64;
        let rows = (0..SUMS).map(Row::Sum).chain((0..MAX_TAPS).map(Row::Gain)).chain([Row::Floor]);
        for c in 0..self.channels() {
            for row in rows.clone() {
                let scale = if matches!(row, Row::Sum(_)) { sum_scale } else { 1.0 };
                // Growing reads at or below the bin it writes, shrinking at or above: walking
                // the other way round, every read comes before the write that would spoil it.
                for n in 0..new_bins {
                    let k = if new_bins > old_bins { new_bins - 1 - n } else { n };
                    let v = interpolate(|i| self.get(c, row, i), old_bins, k as f64 * ratio) * scale;
                    self.set(c, row, k, v);
                }
            }
            for row in rows.clone() {
                let blank = if matches!(row, Row::Floor) { 1.0 } else { 0.0 };
                for k in new_bins..old_bins {
                    self.set(c, row, k, blank);
                }
            }
        }
    }

    /// Gain of tap `l` of main channel `c` (`bins` entries are meaningful).
    pub fn gains(&self, c: usize, l: usize, bins: usize) -> &[f32] {
        let at = (c * MAX_TAPS + l) * self.stride;
        &self.gains[at..at + bins]
    }

    /// One frame of main channel `c`: folds in the mixture model `x` and the reference model's
    /// taps `refs` (newest first) with forgetting `forget`; `learn = false` holds the gains.
    /// With `floor`, also tracks each bin's ratio floor and keeps the bleed within it (see
    /// [`RatioFloor`]). Writes the predicted bleed `Σ_l g_l·refs[l]`. Inlined so that it is
    /// compiled into each instruction-set version of the frame.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn process<const L: usize>(
        &mut self,
        c: usize,
        x: &[f32],
        refs: [&[f32]; L],
        forget: f32,
        robust: bool,
        floor: Option<RatioFloor>,
        learn: bool,
        bleed: &mut [f32],
    ) {
        let f = floor.unwrap_or(RatioFloor { rise: 1.0, fall: 1.0, margin: 1.0 });
        match (learn, robust, floor.is_some()) {
            (false, _, false) => self.frame::<L, false, false, false>(c, x, refs, forget, f, bleed),
            (false, _, true) => self.frame::<L, false, false, true>(c, x, refs, forget, f, bleed),
            (true, false, _) => self.frame::<L, true, false, false>(c, x, refs, forget, f, bleed),
            (true, true, false) => self.frame::<L, true, true, false>(c, x, refs, forget, f, bleed),
            (true, true, true) => self.frame::<L, true, true, true>(c, x, refs, forget, f, bleed),
        }
    }

    #[inline(always)]
    fn frame<const L: usize, const LEARN: bool, const ROBUST: bool, const FLOORED: bool>(
        &mut self,
        c: usize,
        x: &[f32],
        refs: [&[f32]; L],
        forget: f32,
        floor: RatioFloor,
        bleed: &mut [f32],
    ) {
        let bins = x.len();
        let sums = &mut self.sums[c * self.chunks..(c + 1) * self.chunks];
        let gains = &mut self.gains[c * MAX_TAPS * self.stride..(c + 1) * MAX_TAPS * self.stride];
        let (stride, full) = (self.stride, bins / LANES);
        // Full chunks load whole arrays (kept in registers); the last, partial one is padded
        // with zeros (its extra lanes are never stored).
        for (chunk, s) in sums[..full].iter_mut().enumerate() {
            let at = chunk * LANES;
            let lanes = |row: &[f32]| -> [f32; LANES] { row[at..at + LANES].try_into().expect("LANES entries") };
            let r: [[f32; LANES]; L] = std::array::from_fn(|l| lanes(refs[l]));
            let mut g: [[f32; LANES]; L] = std::array::from_fn(|l| lanes(&gains[l * stride..]));
            let p = chunk_update::<L, LEARN, ROBUST, FLOORED>(s, &mut g, &lanes(x), &r, forget, floor);
            if LEARN {
                for (l, g) in g.iter().enumerate() {
                    gains[l * stride + at..l * stride + at + LANES].copy_from_slice(g);
                }
            }
            bleed[at..at + LANES].copy_from_slice(&p);
        }
        let (at, rest) = (full * LANES, bins - full * LANES);
        if rest > 0 {
            let pad =
                |row: &[f32]| -> [f32; LANES] { std::array::from_fn(|n| if n < rest { row[at + n] } else { 0.0 }) };
            let r: [[f32; LANES]; L] = std::array::from_fn(|l| pad(refs[l]));
            let mut g: [[f32; LANES]; L] = std::array::from_fn(|l| pad(&gains[l * stride..]));
            let p = chunk_update::<L, LEARN, ROBUST, FLOORED>(&mut sums[full], &mut g, &pad(x), &r, forget, floor);
            if LEARN {
                for (l, g) in g.iter().enumerate() {
                    gains[l * stride + at..l * stride + at + rest].copy_from_slice(&g[..rest]);
                }
            }
            bleed[at..bins].copy_from_slice(&p[..rest]);
        }
    }
}

/// One chunk's bins, lane by lane: updates the sums in place and the gains `g`, returns the
/// predicted bleed.
#[inline(always)]
fn chunk_update<const L: usize, const LEARN: bool, const ROBUST: bool, const FLOORED: bool>(
    s: &mut Sums,
    g: &mut [[f32; LANES]; L],
    xs: &[f32; LANES],
    r: &[[f32; LANES]; L],
    forget: f32,
    floor: RatioFloor,
) -> [f32; LANES] {
    let mut p = [0.0f32; LANES];
    for k in 0..LANES {
        let rk: [f32; L] = std::array::from_fn(|l| r[l][k]);
        let mut gk: [f32; L] = std::array::from_fn(|l| g[l][k]);
        if LEARN {
            let mut a = [[0.0f32; L]; L];
            let mut b = [0.0f32; L];
            for i in 0..L {
                for j in i..L {
                    a[i][j] = s[tri(i, j)][k];
                }
                b[i] = s[TRI + i][k];
            }
            update::<L>(&mut a, &mut b, &mut gk, xs[k], &rk, forget, ROBUST);
            for i in 0..L {
                for j in i..L {
                    s[tri(i, j)][k] = a[i][j];
                }
                s[TRI + i][k] = b[i];
                g[i][k] = gk[i];
            }
        }
        let predicted = predict(&gk, &rk);
        p[k] = if FLOORED {
            let mut e = s[FLOOR][k];
            if LEARN {
                e = floor.step(e, xs[k], predicted);
                s[FLOOR][k] = e;
            }
            floor.bound(e, predicted)
        } else {
            predicted
        };
    }
    p
}

/// `Σ_l g_l·r_l`, left to right.
#[inline(always)]
fn predict<const L: usize>(g: &[f32; L], r: &[f32; L]) -> f32 {
    let mut p = g[0] * r[0];
    for l in 1..L {
        p += g[l] * r[l];
    }
    p
}

/// One bin's frame: folds `x` and the taps `r` into the sums (`a`'s upper triangle, `b`) and
/// moves the gains `g` towards the new non-negative least-squares solution.
#[inline(always)]
fn update<const L: usize>(
    a: &mut [[f32; L]; L],
    b: &mut [f32; L],
    g: &mut [f32; L],
    x: f32,
    r: &[f32; L],
    forget: f32,
    robust: bool,
) {
    let w = if robust {
        let share = predict(g, r) / x;
        ROBUST_FLOOR + (1.0 - ROBUST_FLOOR) * if share < 1.0 { share } else { 1.0 }
    } else {
        1.0
    };
    // A frame with no reference in this bin (every tap silent) carries no information: the sums
    // are held, not forgotten. A select, not a branch, so the lanes stay one vector.
    let heard = r.iter().fold(0.0f32, |m, &v| if v > m { v } else { m }) > 0.0;
    let forget = if heard { forget } else { 1.0 };
    for i in 0..L {
        for j in i..L {
            a[i][j] = forget * a[i][j] + if robust { w * r[i] * r[j] } else { r[i] * r[j] };
        }
        b[i] = forget * b[i] + if robust { w * x * r[i] } else { x * r[i] };
    }
    let informed: [bool; L] = std::array::from_fn(|i| a[i][i] > MIN_WEIGHT);
    if L == 1 {
        // One tap: the ratio itself (norbert's autoscale, bit for bit).
        let q = b[0] / if informed[0] { a[0][0] } else { MIN_WEIGHT };
        g[0] = if informed[0] { q } else { g[0] };
    } else {
        // Projected Gauss–Seidel, two sweeps. The diagonal's reciprocals are worked out once,
        // off the sweeps' chain of dependent steps.
        let inv: [f32; L] = std::array::from_fn(|i| 1.0 / if informed[i] { a[i][i] } else { 1.0 });
        // Only frames with information move the gains: without them the sweeps would go on
        // converging on the held sums, and a pause would still change what was learned. (A
        // select per lane, like every other decision here.)
        let moving: [bool; L] = std::array::from_fn(|i| informed[i] && heard);
        for _sweep in 0..2 {
            for i in 0..L {
                let mut q = b[i];
                for j in 0..L {
                    if j != i {
                        q -= a[i.min(j)][i.max(j)] * g[j];
                    }
                }
                let q = q * inv[i];
                g[i] = if moving[i] {
                    if q > 0.0 {
                        q
                    } else {
                        0.0
                    }
                } else {
                    g[i]
                };
            }
        }
    }
    // A tap the reference left empty forgets its sums (no denormals) and holds its gain.
    for i in 0..L {
        for j in i..L {
            a[i][j] = if informed[i] && informed[j] { a[i][j] } else { 0.0 };
        }
        b[i] = if informed[i] { b[i] } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-tap causal autoscale as Residue computed it before the taps (the code the
    /// norbert-matching tests were first passed with), holding its sums where the reference is
    /// silent: one bin, one frame.
    fn autoscale_fit(num: &mut f32, den: &mut f32, gain: &mut f32, x: f32, r: f32, forget: f32) -> f32 {
        let forget = if r > 0.0 { forget } else { 1.0 };
        let n = forget * *num + x * r;
        let d = forget * *den + r * r;
        let informed = d > MIN_WEIGHT;
        let quotient = n / if informed { d } else { 1.0 };
        *num = if informed { n } else { 0.0 };
        *den = if informed { d } else { 0.0 };
        *gain = if informed { quotient } else { *gain };
        *gain
    }

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 40) as f32 / (1u64 << 24) as f32
    }

    /// With one tap and plain least squares, the tap fit is norbert's autoscale bit for bit.
    #[test]
    fn one_tap_is_autoscale_exactly() {
        let bins = 37; // not a multiple of the lane count: both paths run
        let mut fit = TapFit::new(1, bins);
        let (mut num, mut den, mut gain) = (vec![0.0f32; bins], vec![0.0f32; bins], vec![0.0f32; bins]);
        let mut bleed = vec![0.0; bins];
        let mut seed = 1;
        for frame in 0..500 {
            // Silent stretches too: the "no information, hold" path.
            let silent = (200..260).contains(&frame);
            let r: Vec<f32> = (0..bins).map(|_| if silent { 0.0 } else { lcg(&mut seed) }).collect();
            let x: Vec<f32> = r.iter().map(|r| 0.3 * r + 0.5 * lcg(&mut seed) + 1e-6).collect();
            fit.process::<1>(0, &x, [&r], 0.97, false, None, true, &mut bleed);
            for k in 0..bins {
                let want = autoscale_fit(&mut num[k], &mut den[k], &mut gain[k], x[k], r[k], 0.97) * r[k];
                assert_eq!(bleed[k].to_bits(), want.to_bits(), "frame {frame}, bin {k}");
            }
        }
        assert_eq!(fit.gains(0, 0, bins), &gain[..]);
    }

    /// The exact non-negative least-squares solution of `A g = b` by trying every active set
    /// (L ≤ 4: at most 16).
    fn nnls(a: &[[f64; MAX_TAPS]; MAX_TAPS], b: &[f64; MAX_TAPS], l: usize) -> Vec<f64> {
        let cost = |g: &[f64]| -> f64 {
            let mut c = 0.0;
            for i in 0..l {
                for j in 0..l {
                    c += 0.5 * g[i] * a[i][j] * g[j];
                }
                c -= b[i] * g[i];
            }
            c
        };
        let mut best = (vec![0.0; l], 0.0);
        for set in 1u32..(1 << l) {
            let idx: Vec<usize> = (0..l).filter(|i| set & (1 << i) != 0).collect();
            // Gaussian elimination on the active set.
            let n = idx.len();
            let mut m: Vec<Vec<f64>> =
                idx.iter().map(|&i| idx.iter().map(|&j| a[i][j]).chain([b[i]]).collect()).collect();
            for p in 0..n {
                for q in p + 1..n {
                    let f = m[q][p] / m[p][p];
                    for k in p..=n {
                        m[q][k] -= f * m[p][k];
                    }
                }
            }
            let mut sol = vec![0.0; n];
            for p in (0..n).rev() {
                sol[p] = (m[p][n] - (p + 1..n).map(|k| m[p][k] * sol[k]).sum::<f64>()) / m[p][p];
            }
            if sol.iter().all(|&s| s >= 0.0) {
                let mut g = vec![0.0; l];
                for (&i, &s) in idx.iter().zip(&sol) {
                    g[i] = s;
                }
                let c = cost(&g);
                if c < best.1 {
                    best = (g, c);
                }
            }
        }
        best.0
    }

    /// On a reverberant bleed (the bleed rings on for two more frames) the fit converges to
    /// the exact non-negative least-squares gains of its own normal equations, recovers the
    /// true tail, and explains the bleed far better than one tap.
    #[test]
    fn taps_converge_to_nnls_and_recover_a_tail() {
        let (bins, l) = (16, 3);
        let truth = [0.5f32, 0.3, 0.1];
        let mut fit = TapFit::new(1, bins);
        let mut one = TapFit::new(1, bins);
        let mut seed = 9;
        let mut hist: Vec<Vec<f32>> = vec![vec![0.0; bins]; l];
        let (mut bleed, mut bleed1) = (vec![0.0; bins], vec![0.0; bins]);
        let (mut err3, mut err1, mut energy) = (0.0f64, 0.0f64, 0.0f64);
        // Normal equations accumulated in f64 alongside, to compare with.
        let mut a = vec![[[0.0f64; MAX_TAPS]; MAX_TAPS]; bins];
        let mut b = vec![[0.0f64; MAX_TAPS]; bins];
        let forget = 0.99f32;
        for frame in 0..3000 {
            hist.rotate_right(1);
            hist[0] = (0..bins).map(|_| if lcg(&mut seed) < 0.3 { lcg(&mut seed) } else { 0.0 }).collect();
            let x: Vec<f32> =
                (0..bins).map(|k| truth.iter().zip(&hist).map(|(g, h)| g * h[k]).sum::<f32>() + 1e-6).collect();
            fit.process::<3>(0, &x, [&hist[0], &hist[1], &hist[2]], forget, false, None, true, &mut bleed);
            one.process::<1>(0, &x, [&hist[0]], forget, false, None, true, &mut bleed1);
            for k in 0..bins {
                for i in 0..l {
                    for j in 0..l {
                        a[k][i][j] = forget as f64 * a[k][i][j] + (hist[i][k] * hist[j][k]) as f64;
                    }
                    b[k][i] = forget as f64 * b[k][i] + (x[k] * hist[i][k]) as f64;
                }
                if frame > 1000 {
                    err3 += ((x[k] - bleed[k]) as f64).powi(2);
                    err1 += ((x[k] - bleed1[k]) as f64).powi(2);
                    energy += (x[k] as f64).powi(2);
                }
            }
        }
        for k in 0..bins {
            let exact = nnls(&a[k], &b[k], l);
            for i in 0..l {
                let got = fit.gains(0, i, bins)[k] as f64;
                assert!((got - exact[i]).abs() < 2e-3, "bin {k} tap {i}: {got} vs NNLS {}", exact[i]);
                assert!((got - truth[i] as f64).abs() < 2e-3, "bin {k} tap {i}: {got} vs true {}", truth[i]);
            }
        }
        let db = |e: f64| 10.0 * (e / energy).log10();
        assert!(db(err3) < -50.0 && db(err1) > -15.0, "3 taps: {:.1} dB, 1 tap: {:.1} dB", db(err3), db(err1));
    }

    /// A fit learned on some random frames, `bins` wide, two channels.
    fn learned(bins: usize, taps: usize) -> TapFit {
        let mut fit = TapFit::new(2, 8193);
        let mut seed = 5;
        let mut bleed = vec![0.0; bins];
        for _ in 0..50 {
            for c in 0..2 {
                let r: Vec<Vec<f32>> = (0..MAX_TAPS).map(|_| (0..bins).map(|_| lcg(&mut seed)).collect()).collect();
                let x: Vec<f32> = (0..bins).map(|k| 0.4 * r[0][k] + 0.2 * r[1][k] + 0.3 * lcg(&mut seed)).collect();
                match taps {
                    1 => fit.process::<1>(c, &x, [&r[0]], 0.9, true, None, true, &mut bleed),
                    _ => fit.process::<4>(c, &x, [&r[0], &r[1], &r[2], &r[3]], 0.9, true, None, true, &mut bleed),
                }
            }
        }
        fit
    }

    fn exported(fit: &TapFit, taps: usize, bins: usize) -> Vec<Vec<f32>> {
        (0..2)
            .map(|c| {
                let mut out = vec![0.0; TapFit::saved_rows(taps) * bins];
                fit.export(c, taps, bins, &mut out);
                out
            })
            .collect()
    }

    /// Export then import is the identity; regridding to a window twice as long and back is
    /// too (each old bin lands on an even new bin), and sums follow the scale, gains do not.
    #[test]
    fn export_import_and_regrid_keep_the_fit() {
        let (bins, taps) = (2049, MAX_TAPS);
        let fit = learned(bins, taps);
        let saved = exported(&fit, taps, bins);
        let mut copy = TapFit::new(2, 8193);
        for c in 0..2 {
            copy.import(c, taps, bins, 1.0, |n, k| saved[c][n * bins + k]);
        }
        assert_eq!(exported(&copy, taps, bins), saved);
        let mut grown = learned(bins, taps);
        grown.regrid(bins, 4097, 2.0);
        let wide = exported(&grown, taps, 4097);
        let first_gain = TapFit::first_gain_row(taps);
        for n in 0..TapFit::saved_rows(taps) {
            for k in (0..bins).step_by(97) {
                let scale = if n < first_gain { 2.0 } else { 1.0 };
                assert_eq!(wide[1][n * 4097 + 2 * k], saved[1][n * bins + k] * scale, "row {n} bin {k}");
            }
            // Between two old bins: between their values.
            let (a, b, mid) = (saved[0][n * bins + 10], saved[0][n * bins + 11], wide[0][n * 4097 + 21]);
            let scale = if n < first_gain { 2.0 } else { 1.0 };
            assert!(
                (mid - scale * 0.5 * (a + b)).abs() <= 1e-6 * mid.abs().max(1.0),
                "row {n}: {mid} between {a} and {b}"
            );
        }
        grown.regrid(4097, bins, 0.5);
        assert_eq!(exported(&grown, taps, bins), saved, "twice as long and back");
        // One tap's rows: A, b, g, the ratio floor.
        assert_eq!(TapFit::saved_rows(1), 4);
        let one = learned(bins, 1);
        let rows = exported(&one, 1, bins);
        for k in (0..bins).step_by(101) {
            assert_eq!(rows[0][2 * bins + k], one.gains(0, 0, bins)[k]);
        }
    }

    /// The reference mic hears the target (6 dB down, and in these bins louder than its own
    /// source whenever the target plays): the fit, robust as it is, learns the target's image as
    /// bleed and predicts most of the track as bleed under the target. The ratio floor finds how
    /// far the prediction stands above the track in the frames of bleed alone and keeps the bleed
    /// predicted under the target near the true one, while the bleed alone stays predicted.
    #[test]
    fn the_ratio_floor_keeps_the_targets_image_out_of_the_bleed() {
        let (bins, h, c) = (20, 0.1f32, 0.5f32); // 20 bins: a full chunk and a partial one
        let floor = RatioFloor::new(1024.0 / 44100.0, 4.0);
        let (mut with, mut without) = (TapFit::new(1, bins), TapFit::new(1, bins));
        let (mut p_with, mut p_without) = (vec![0.0; bins], vec![0.0; bins]);
        let mut seed = 17;
        // Per kind of frame (bleed alone, target): Σ predicted bleed with and without the floor,
        // Σ true bleed, Σ track.
        let mut sums = [[0.0f64; 4]; 2];
        for frame in 0..4000 {
            let plays = frame % 5 < 3;
            let source: Vec<f32> = (0..bins).map(|_| 0.1 + lcg(&mut seed)).collect();
            let target: Vec<f32> = (0..bins).map(|_| if plays { 0.5 + 3.0 * lcg(&mut seed) } else { 0.0 }).collect();
            let level = if plays { 0.1 } else { 1.0 };
            let r: Vec<f32> = (0..bins).map(|k| level * source[k] + c * target[k]).collect();
            let x: Vec<f32> = (0..bins).map(|k| target[k] + h * level * source[k] + 1e-6).collect();
            with.process::<1>(0, &x, [&r], 0.99, true, Some(floor), true, &mut p_with);
            without.process::<1>(0, &x, [&r], 0.99, true, None, true, &mut p_without);
            if frame >= 3000 {
                let s = &mut sums[usize::from(plays)];
                for k in 0..bins {
                    for (q, v) in [p_with[k], p_without[k], h * level * source[k], x[k]].into_iter().enumerate() {
                        s[q] += v as f64;
                    }
                }
            }
        }
        let db = |a: f64, b: f64| 20.0 * (a / b).log10();
        let [alone, under] = sums;
        eprintln!(
            "predicted / true bleed: under the target {:+.1} dB with the floor, {:+.1} dB without; alone {:+.1} dB with, {:+.1} dB without",
            db(under[0], under[2]), db(under[1], under[2]), db(alone[0], alone[2]), db(alone[1], alone[2])
        );
        // Without the floor the fit predicts most of the track as bleed under the target.
        assert!(under[1] > 0.5 * under[3], "the fit alone kept the image out: {} of {}", under[1], under[3]);
        // With it, what is predicted under the target is a small part of the track (the mask
        // keeps the voice)...
        assert!(
            under[0] < 0.25 * under[3],
            "with the floor {} of {} is predicted as bleed under the target",
            under[0],
            under[3]
        );
        // ...and the bleed alone is still predicted whole.
        assert!(alone[0] >= alone[2], "the bleed alone is predicted at {:+.1} dB", db(alone[0], alone[2]));
    }

    /// The floor settles at its quantile of the ratio; a gated track (far below the floor) and a
    /// silent reference leave it as it is; it never rises above 1.
    #[test]
    fn the_ratio_floor_tracks_a_low_quantile() {
        let floor = RatioFloor::new(1024.0 / 44100.0, 4.0);
        let mut seed = 23;
        let mut e = 1.0f32;
        // Ratios x / p log-uniform over 40 dB (0.01 to 1), 20 Adaptation times long.
        let mut ratios = Vec::new();
        for _ in 0..(20.0 * 4.0 * 44100.0 / 1024.0) as usize {
            let ratio = 10f32.powf(-2.0 * lcg(&mut seed));
            e = floor.step(e, ratio, 1.0);
            ratios.push(ratio);
        }
        let share = (floor.rise.ln() / (floor.rise.ln() - floor.fall.ln())) as f64;
        let below = ratios.iter().filter(|&&r| r < e).count() as f64 / ratios.len() as f64;
        assert!((below - share).abs() < 0.03, "{below} of the ratios lie below the floor, {share} expected");
        // A gated track: not a step.
        assert_eq!(floor.step(e, 0.0, 1.0), e);
        assert_eq!(floor.step(e, 0.5 * FLOOR_OUTLIER * e, 1.0), e);
        // Nothing predicted: nothing learned.
        assert_eq!(floor.step(e, 1.0, 0.0), e);
        // A ratio far above: up, but never past 1.
        assert!(floor.step(e, 100.0, 1.0) > e && floor.step(1.0, 100.0, 1.0) == 1.0);
    }

    /// Gains never go negative, even when the data alone would ask for it.
    #[test]
    fn gains_stay_non_negative() {
        let bins = 8;
        let mut fit = TapFit::new(1, bins);
        let mut seed = 3;
        let mut bleed = vec![0.0; bins];
        let mut prev = vec![0.0f32; bins];
        for _ in 0..2000 {
            let r: Vec<f32> = (0..bins).map(|_| lcg(&mut seed)).collect();
            // x anti-correlated with the previous frame: unconstrained LS wants a negative tap.
            let x: Vec<f32> = r.iter().zip(&prev).map(|(r, p)| (r - 0.5 * p).max(0.0) + 1e-6).collect();
            fit.process::<2>(0, &x, [&r, &prev], 0.99, false, None, true, &mut bleed);
            prev = r;
        }
        assert!(fit.gains(0, 1, bins).iter().all(|&g| g == 0.0), "{:?}", fit.gains(0, 1, bins));
        assert!(fit.gains(0, 0, bins).iter().all(|&g| g > 0.3), "{:?}", fit.gains(0, 0, bins));
    }
}
