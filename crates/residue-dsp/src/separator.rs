//! One STFT frame of the method, bin by bin: models → bleed fit (autoscale, with tail taps) →
//! residual → smoothing → interference reduction → Wiener mask → logistic compression →
//! output mask → apply.

use super::analysis::Analysis;
use super::image::Image;
use super::interference;
use super::isa::Isa;
use realfft::num_complex::Complex32;

use super::model::{residual, soft_mask, spectral_powers, Compressor, EPS};
use super::pages::{touch, touch_rows};
use super::routing::Routing;
use super::settings::{CompressionRange, OutputMode, Settings};
use super::smoothing::{self, smooth_in_place, step};
use super::stft::Frame;
use super::taps::{RatioFloor, TapFit, MAX_TAPS};
use std::ops::Range;

/// Taps lie half a window apart (at least one hop): adjacent hops of a 4× or 8× overlapped STFT
/// are too alike to tell a tail from the direct sound.
pub const fn tap_spacing(overlap: usize) -> usize {
    if overlap < 2 {
        1
    } else {
        overlap / 2
    }
}
/// Past reference-model frames kept per main channel for the taps, at the largest spacing:
/// Live's frames come every 32nd of a window ([`super::live::LIVE_OVERLAP`]), so its
/// taps lie 16 frames apart.
const HISTORY: usize = (MAX_TAPS - 1) * tap_spacing(super::live::LIVE_OVERLAP);

/// Per-hop constants derived from the settings, worked out when settings or hop change.
#[derive(Clone, Copy, Debug)]
pub struct FrameCoeffs {
    pub alpha: f32,
    /// `None`: gain fixed at 1 (norbert's `autoscale=False`).
    pub autoscale: Option<Adapt>,
    pub smoothing: Option<f32>,
    /// (coefficient, threshold, slope)
    pub interference: Option<(f32, f32, f32)>,
    pub compressor: Option<Compressor>,
    pub link: bool,
    pub output: OutputMode,
    /// Reference frames in the bleed fit, and hops between them.
    pub taps: usize,
    pub spacing: usize,
    pub robust: bool,
    /// The ratio floor the bleed is kept within, with the robust fit (see [`RatioFloor`]).
    pub floor: Option<RatioFloor>,
    /// The target's image kept out of each reference's model (see [`super::image`]).
    pub image: Option<Image>,
}

#[derive(Clone, Copy, Debug)]
pub struct Adapt {
    pub forget: f32,
    pub frozen: bool,
    /// Seconds of audio one frame adds to the fit's evidence, and the evidence at which the
    /// removal is whole (`None`: whole from the first frame).
    pub hop_seconds: f32,
    pub warm_up: Option<f32>,
}

/// The evidence is counted up to this many seconds (the longest Adaptation), no further.
const EVIDENCE_MAX_SECONDS: f32 = 60.0;

impl FrameCoeffs {
    pub fn new(s: &Settings, hop_seconds: f32, overlap: usize) -> Self {
        Self {
            alpha: s.alpha,
            autoscale: s.autoscale.then(|| Adapt {
                forget: smoothing::coefficient(s.adapt_seconds, hop_seconds).unwrap_or(0.0),
                frozen: s.freeze,
                hop_seconds,
                warm_up: s.warm_up.then_some(s.adapt_seconds),
            }),
            smoothing: smoothing::coefficient(s.smoothing_ms * 1e-3, hop_seconds),
            interference: s.interference.map(|i| {
                let coeff = smoothing::coefficient(i.smoothing_ms * 1e-3, hop_seconds).unwrap_or(0.0);
                (coeff, i.threshold, i.slope)
            }),
            compressor: s.compression.then(|| match s.range {
                CompressionRange::Unit => Compressor::unit(s.threshold, s.slope),
                CompressionRange::Raw => Compressor::raw(s.threshold, s.slope),
            }),
            link: s.link_channels,
            output: s.output,
            taps: s.tail_frames.clamp(1, MAX_TAPS),
            spacing: tap_spacing(overlap),
            robust: s.robust_fit,
            floor: s.robust_fit.then(|| RatioFloor::new(hop_seconds, s.adapt_seconds)),
            image: (s.target_image && s.autoscale).then(|| Image::new(s.alpha)),
        }
    }
}

/// All per-bin state and scratch, allocated once for the largest window.
pub struct Separator {
    channels: usize,
    routing: Routing,
    /// Model of each reference view (see [`Routing`]), in the row `pow_row[v]`: a view that
    /// shares an earlier one's spectrum ([`Frame::shares`]) reads that view's row.
    ref_pow: Vec<Vec<f32>>,
    pow_row: Vec<usize>,
    vx: Vec<Vec<f32>>,
    vref: Vec<f32>,
    total: Vec<f32>,
    scratch: Vec<f32>,
    /// `models[c * K + k]`: k = 0 the target (residual), k = 1 + j reference source j.
    models: Vec<Vec<f32>>,
    smooth_state: Vec<Vec<f32>>,
    /// Smoothed target and bleed per main channel (the path without interference reduction,
    /// where only their sum matters: smoothing is linear, so Σ of smoothed = smoothed Σ).
    fused_state: Vec<Vec<f32>>,
    interference_state: Vec<Vec<f32>>,
    masks: Vec<Vec<f32>>,
    fit: TapFit,
    /// `history[c * HISTORY + f % HISTORY]`: main channel c's reference model of frame f.
    history: Vec<Vec<f32>>,
    frames: usize,
    /// Per main channel: seconds of audio the fit has learned from while the reference carried
    /// signal (see [`Separator::confidence`]).
    evidence: Vec<f32>,
    /// Per main channel: frames in a row whose reference model was silent.
    quiet: Vec<usize>,
    /// Frames the fit learned from (for readers that copy what was learned when it changes).
    learned: u64,
    isa: Isa,
}

impl Separator {
    pub fn new(routing: &Routing, max_bins: usize) -> Self {
        let channels = routing.main_channels();
        let rows = |n: usize| vec![vec![0.0f32; max_bins]; n];
        let k = routing.sources() + 1;
        let mut separator = Self {
            channels,
            ref_pow: rows(routing.views().len()),
            pow_row: (0..routing.views().len()).collect(),
            vx: rows(channels),
            vref: vec![0.0; max_bins],
            total: vec![0.0; max_bins],
            scratch: vec![0.0; max_bins],
            models: rows(channels * k),
            smooth_state: rows(channels * k),
            fused_state: rows(channels * 2),
            interference_state: rows(channels * k),
            masks: rows(channels),
            fit: TapFit::new(channels, max_bins),
            history: rows(channels * HISTORY),
            frames: 0,
            evidence: vec![0.0; channels],
            quiet: vec![usize::MAX; channels],
            learned: 0,
            isa: Isa::best(),
            routing: routing.clone(),
        };
        let s = &mut separator;
        for rows in [
            &mut s.ref_pow,
            &mut s.vx,
            &mut s.models,
            &mut s.smooth_state,
            &mut s.fused_state,
            &mut s.interference_state,
            &mut s.masks,
            &mut s.history,
        ] {
            touch_rows(rows);
        }
        for buf in [&mut s.vref, &mut s.total, &mut s.scratch] {
            touch(buf);
        }
        separator
    }

    /// Forgets the audio: the smoothed models and the reference frames the taps look back on.
    /// What was learned (the fit and its evidence) stays.
    pub fn reset(&mut self) {
        for row in self.smooth_state.iter_mut().chain(&mut self.interference_state).chain(&mut self.fused_state) {
            row.fill(0.0);
        }
        for row in &mut self.history {
            row.fill(0.0);
        }
        self.frames = 0;
        self.quiet.fill(usize::MAX);
    }

    /// Forgets what was learned: the fit and its evidence.
    pub fn relearn(&mut self) {
        self.fit.reset();
        self.evidence.fill(0.0);
        self.learned += 1;
    }

    /// Grows whenever what was learned changes.
    pub fn learned(&self) -> u64 {
        self.learned
    }

    pub fn fit(&self) -> &TapFit {
        &self.fit
    }

    pub fn fit_mut(&mut self) -> &mut TapFit {
        &mut self.fit
    }

    /// Seconds of audio main channel `c`'s fit has learned from.
    pub fn evidence(&self, c: usize) -> f32 {
        self.evidence[c]
    }

    pub fn set_evidence(&mut self, c: usize, seconds: f32) {
        self.learned += 1;
        self.evidence[c] = if seconds.is_finite() { seconds.clamp(0.0, EVIDENCE_MAX_SECONDS) } else { 0.0 };
    }

    /// How much of the removal main channel `c` applies, 0–1 (see [`confidence`]).
    pub fn confidence(&self, c: usize, k: &FrameCoeffs) -> f32 {
        confidence(&self.evidence, c, k)
    }

    /// The learned gain of main channel `c`'s regressor `l` (0: the direct bleed, of the first
    /// source where each source has its own; see [`regressors`]).
    pub fn learned_gain(&self, c: usize, l: usize, bins: usize) -> &[f32] {
        self.fit.gains(c, l, bins)
    }

    /// The bleed fit's regressors per main channel with `taps` taps (see [`regressors`]).
    pub fn regressors(&self, taps: usize) -> usize {
        regressors(self.routing.sources(), taps).1
    }

    /// Runs the method on one frame. With `analysis`, also records what the frame looked like
    /// (its `bins`, rows and `reference_power`; the caller sets the rest).
    pub fn process(&mut self, frame: &mut Frame, k: &FrameCoeffs, analysis: Option<&mut Analysis>) {
        let isa = self.isa;
        isa.run(
            #[inline(always)]
            || self.process_inline(frame, k, analysis),
        );
    }

    /// Selects the compiled version of the frame (default: [`Isa::best`]); `isa` must be
    /// supported on this CPU (the engine checks).
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa;
    }

    pub fn isa(&self) -> Isa {
        self.isa
    }

    #[inline(always)]
    fn process_inline(&mut self, frame: &mut Frame, k: &FrameCoeffs, mut analysis: Option<&mut Analysis>) {
        let bins = frame.bins;
        let channels = frame.main.len().min(self.channels);
        let share = 1.0 / channels.max(1) as f32;
        if let Some(a) = analysis.as_deref_mut() {
            record_input(a, frame, channels, share);
        }
        for (v, (pow, spec)) in self.ref_pow.iter_mut().zip(frame.refs).enumerate() {
            self.pow_row[v] = frame.shares.get(v).copied().flatten().unwrap_or(v);
            if self.pow_row[v] == v {
                spectral_powers(&spec[..bins], k.alpha, &mut pow[..bins]);
            }
        }
        for c in 0..channels {
            self.channel_mask(c, &frame.main[c][..bins], k, analysis.as_deref_mut().map(|a| (a, share)));
        }
        self.frames += 1;
        self.apply_masks(frame.main, frame.gains.as_deref_mut(), channels, bins, k);
        if let Some(a) = analysis {
            for (c, spec) in frame.main[..channels].iter().enumerate() {
                match frame.gains.as_deref() {
                    None => a.output[..bins].iter_mut().zip(&spec[..bins]).for_each(|(e, x)| *e += x.norm() * share),
                    Some(g) => {
                        let rows = a.output[..bins].iter_mut().zip(&spec[..bins]).zip(&g[c][..bins]);
                        rows.for_each(|((e, x), g)| *e += x.norm() * g * share);
                    }
                }
            }
        }
    }

    /// The target's soft mask of main channel `c` (spectrum `spec`) into `self.masks[c]`:
    /// models, autoscale, residual, smoothing, interference reduction, Wiener mask.
    #[inline(always)]
    fn channel_mask(
        &mut self,
        c: usize,
        spec: &[Complex32],
        k: &FrameCoeffs,
        mut analysis: Option<(&mut Analysis, f32)>,
    ) {
        let bins = spec.len();
        let per = self.routing.sources() + 1;
        let models = &mut self.models[c * per..(c + 1) * per];
        let vx = &mut self.vx[c][..bins];
        mixture_model(spec, k.alpha, vx);
        // Σ_j v_j. The usual case, one source whose channel is used as it is, borrows its row.
        let vref: &[f32] = match per - 1 {
            1 if k.interference.is_none() && k.image.is_none() => {
                let views = self.routing.of(c, 0);
                if views.len() == 1 {
                    &self.ref_pow[self.pow_row[views.start]][..bins]
                } else {
                    source_model(&self.ref_pow, &self.pow_row, views, &mut self.vref[..bins]);
                    &self.vref[..bins]
                }
            }
            sources => {
                let vref = &mut self.vref[..bins];
                vref.fill(0.0);
                for j in 0..sources {
                    let m = &mut models[1 + j][..bins];
                    source_model(&self.ref_pow, &self.pow_row, self.routing.of(c, j), m);
                    if let Some(image) = k.image {
                        image.remove(vx, m);
                    }
                    for (r, m) in vref.iter_mut().zip(m.iter()) {
                        *r += m;
                    }
                }
                vref
            }
        };
        let vx = &self.vx[c][..bins];
        // The fit's regressors: each source's model (or their sum), then the summed model's
        // earlier frames (see [`regressors`]).
        let (split, regs) = regressors(per - 1, k.taps);
        // The predicted bleed, Σ_j Σ_l g_l·v_j(t − l·spacing).
        let bleed = &mut self.total[..bins];
        if k.autoscale.is_none() {
            bleed.copy_from_slice(vref);
        }
        if let Some(a) = k.autoscale {
            let history = &mut self.history[c * HISTORY..(c + 1) * HISTORY];
            let (now, sp) = (self.frames, k.spacing);
            let past = |l: usize| (now + HISTORY - l * sp) % HISTORY;
            let fit = &mut self.fit;
            let (forget, learn) = (a.forget, !a.frozen);
            let mut r: [&[f32]; MAX_TAPS] = [vref; MAX_TAPS];
            let direct = if split { per - 1 } else { 1 };
            if split {
                for (j, r) in r[..direct].iter_mut().enumerate() {
                    *r = &models[1 + j][..bins];
                }
            }
            for (l, r) in r[direct..regs].iter_mut().enumerate() {
                *r = &history[past(l + 1)][..bins];
            }
            match regs {
                1 => fit.process::<1>(c, vx, [r[0]], forget, k.robust, k.floor, learn, bleed),
                2 => fit.process::<2>(c, vx, [r[0], r[1]], forget, k.robust, k.floor, learn, bleed),
                3 => fit.process::<3>(c, vx, [r[0], r[1], r[2]], forget, k.robust, k.floor, learn, bleed),
                _ => fit.process::<4>(c, vx, [r[0], r[1], r[2], r[3]], forget, k.robust, k.floor, learn, bleed),
            }
            if k.taps > 1 {
                history[now % HISTORY][..bins].copy_from_slice(vref);
            }
            let heard = vref.iter().any(|&v| v > 0.0);
            self.quiet[c] = if heard { 0 } else { self.quiet[c].saturating_add(1) };
            if learn && heard {
                self.evidence[c] = (self.evidence[c] + a.hop_seconds).min(EVIDENCE_MAX_SECONDS);
            }
            // The later taps still hear the reference for a few frames after it fell silent, and
            // the fit moves with them: that is learning too.
            if learn && self.quiet[c] <= (k.taps - 1) * k.spacing {
                self.learned += 1;
            }
        }
        let gain = k.autoscale.map(|_| self.fit.gains(c, 0, bins));
        if let Some((a, share)) = analysis.as_mut() {
            record_model(a, bleed, gain, k.alpha, *share);
        }
        let mask = &mut self.masks[c][..bins];
        match k.interference {
            None => {
                let state = &mut self.fused_state[2 * c..2 * c + 2];
                fused_mask(vx, bleed, k.smoothing, state, mask);
            }
            Some((coeff, threshold, slope)) => {
                if k.autoscale.is_some() {
                    // Each source's own gain where the fit has one per source, else the one
                    // gain of their sum.
                    for (j, m) in models[1..].iter_mut().enumerate() {
                        let gain = self.fit.gains(c, if split { j } else { 0 }, bins);
                        for (v, g) in m[..bins].iter_mut().zip(gain) {
                            *v *= g;
                        }
                    }
                }
                let (target, _) = models.split_first_mut().expect("at least the target model");
                for ((t, &x), &b) in target[..bins].iter_mut().zip(vx.iter()).zip(bleed.iter()) {
                    *t = residual(x, b);
                }
                if let Some(coeff) = k.smoothing {
                    for (m, s) in models.iter_mut().zip(&mut self.smooth_state[c * per..(c + 1) * per]) {
                        smooth_in_place(&mut s[..bins], &mut m[..bins], coeff);
                    }
                }
                let state = &mut self.interference_state[c * per..(c + 1) * per];
                interference::reduce(models, state, bleed, &mut self.scratch[..bins], coeff, threshold, slope);
                let total = bleed;
                total.copy_from_slice(&models[0][..bins]);
                for m in &models[1..] {
                    for (t, v) in total.iter_mut().zip(&m[..bins]) {
                        *t += v;
                    }
                }
                for ((w, &t), &sum) in mask.iter_mut().zip(&models[0][..bins]).zip(total.iter()) {
                    *w = soft_mask(t, sum);
                }
            }
        }
        if let Some((a, share)) = analysis {
            for (e, &w) in a.mask[..bins].iter_mut().zip(mask.iter()) {
                *e += w * share;
            }
        }
    }

    /// Turns the target's soft masks into the selected output's masks and applies them to the
    /// spectra, in one pass per channel (linked compression first needs every channel's mask).
    #[inline(always)]
    fn apply_masks(
        &mut self,
        main: &mut [Vec<Complex32>],
        mut gains: Option<&mut [Vec<f32>]>,
        channels: usize,
        bins: usize,
        k: &FrameCoeffs,
    ) {
        let masks = &mut self.masks[..channels];
        let mut curve = k.compressor;
        if k.output != OutputMode::Reference && k.link && channels > 1 {
            // The linked curve needs every channel's mask: it runs as a pass of its own.
            if let Some(comp) = curve.take() {
                comp.compress_linked(masks, bins, &mut self.total);
            }
        }
        // Plain loops and closures inlined into `apply`: no loop body leaves this function, so
        // each is compiled at the vector width `process` picked.
        for (ch, (spec, mask)) in main[..channels].iter_mut().zip(masks.iter()).enumerate() {
            let (x, m) = (&mut spec[..bins], &mask[..bins]);
            let g = gains.as_deref_mut().map(|rows| &mut rows[ch][..bins]);
            // The removal grows with the evidence (`confidence`); once whole, the masks are
            // exactly those without the warm-up.
            let trust = confidence(&self.evidence, ch, k);
            let part = |w: f32| 1.0 - trust * (1.0 - w);
            match (k.output, curve, trust < 1.0) {
                (OutputMode::Reference, _, false) => apply(x, g, m, |w| 1.0 - w),
                (OutputMode::Reference, _, true) => apply(x, g, m, |w| trust * (1.0 - w)),
                (OutputMode::Removed, Some(c), false) => apply(x, g, m, |w| 1.0 - c.apply(w)),
                (OutputMode::Removed, Some(c), true) => apply(x, g, m, |w| trust * (1.0 - c.apply(w))),
                (OutputMode::Removed, None, false) => apply(x, g, m, |w| 1.0 - w),
                (OutputMode::Removed, None, true) => apply(x, g, m, |w| trust * (1.0 - w)),
                (OutputMode::Target, Some(c), false) => apply(x, g, m, |w| c.apply(w)),
                (OutputMode::Target, Some(c), true) => apply(x, g, m, |w| part(c.apply(w))),
                (OutputMode::Target, None, false) => apply(x, g, m, |w| w),
                (OutputMode::Target, None, true) => apply(x, g, m, part),
            }
        }
    }
}

/// The bleed fit's regressors for `sources` sources and `taps` taps: whether each source has a
/// gain of its own (`true`), and how many regressors there are. Several sources are fitted one
/// gain each, per bin (a leakage gain per source, as KAMIR's and MIRA's interference matrices
/// have), as long as they fit in [`MAX_TAPS`]; the later taps, which model the bleed's
/// reverberant tail, are fitted on the sources' sum and fill the regressors left. More sources
/// than [`MAX_TAPS`] are fitted as their sum, with every tap.
pub const fn regressors(sources: usize, taps: usize) -> (bool, usize) {
    if sources > 1 && sources <= MAX_TAPS {
        let total = sources + taps - 1;
        (true, if total < MAX_TAPS { total } else { MAX_TAPS })
    } else {
        (false, taps)
    }
}

/// How much of the removal main channel `c` applies, 0–1: its evidence over the Adaptation
/// time. A fit that has seen a frame or two explains the whole track as bleed (one frame: the
/// gain is |X|/|R|, every bin goes); echo cancellers pass the signal through while they
/// converge, and so does this, with the removal growing as the evidence does until it is whole
/// after one Adaptation time of reference signal. 1 without autoscale (nothing to learn) or
/// without the warm-up.
#[inline(always)]
fn confidence(evidence: &[f32], c: usize, k: &FrameCoeffs) -> f32 {
    match k.autoscale.and_then(|a| a.warm_up) {
        Some(full) => (evidence[c] / full).min(1.0),
        None => 1.0,
    }
}

/// `spec *= out(mask)`, bin by bin, with the output curve `out` inlined into the loop; with
/// `gains`, `gains = out(mask)` instead and the spectrum is left alone (the same gains, for a
/// caller that applies them some other way).
#[inline(always)]
fn apply(spec: &mut [Complex32], gains: Option<&mut [f32]>, mask: &[f32], out: impl Fn(f32) -> f32) {
    // A plain loop keeps the body (and `out`) in the caller, compiled at its vector width.
    match gains {
        None => {
            for (x, &w) in spec.iter_mut().zip(mask) {
                *x *= out(w);
            }
        }
        Some(gains) => {
            for (g, &w) in gains.iter_mut().zip(mask) {
                *g = out(w);
            }
        }
    }
}

/// A source's model as one main channel hears it, from that channel's views of it: the view
/// itself, or the mean of two (a stereo source on a mono track).
#[inline(always)]
fn source_model(ref_pow: &[Vec<f32>], pow_row: &[usize], views: Range<usize>, out: &mut [f32]) {
    let bins = out.len();
    if views.len() == 1 {
        out.copy_from_slice(&ref_pow[pow_row[views.start]][..bins]);
    } else {
        let n = views.len() as f32;
        out.fill(0.0);
        for v in views {
            for (o, p) in out.iter_mut().zip(&ref_pow[pow_row[v]][..bins]) {
                *o += p / n;
            }
        }
    }
}

/// The mixture model `vx = max(EPS, |X|^alpha)` of a main channel. The exponent is matched
/// outside the loop so that each case compiles to one vectorised loop.
#[inline(always)]
fn mixture_model(spec: &[Complex32], alpha: f32, vx: &mut [f32]) {
    match alpha {
        2.0 => model_loop(spec, |n| n, vx),
        1.0 => model_loop(spec, f32::sqrt, vx),
        alpha => model_loop(spec, |n| n.powf(0.5 * alpha), vx),
    }
}

#[inline(always)]
fn model_loop(spec: &[Complex32], pow: impl Fn(f32) -> f32, vx: &mut [f32]) {
    for (x, v) in spec.iter().zip(vx.iter_mut()) {
        *v = pow(x.norm_sqr()).max(EPS);
    }
}

/// Residual, smoothing and Wiener mask in one pass, for the usual case without interference
/// reduction: `state` = [smoothed target, smoothed bleed] of this channel.
#[inline(always)]
fn fused_mask(vx: &[f32], bleed: &[f32], smoothing: Option<f32>, state: &mut [Vec<f32>], mask: &mut [f32]) {
    let bins = mask.len();
    let rows = mask.iter_mut().zip(vx).zip(bleed);
    match smoothing {
        None => {
            for ((w, &x), &b) in rows {
                let t = residual(x, b);
                *w = soft_mask(t, t + b);
            }
        }
        Some(coeff) => {
            let [target, others] = state else { unreachable!("two state rows per channel") };
            let states = target[..bins].iter_mut().zip(&mut others[..bins]);
            for (((w, &x), &b), (st, sb)) in rows.zip(states) {
                *st = step(*st, residual(x, b), coeff);
                *sb = step(*sb, b, coeff);
                *w = soft_mask(*st, *st + *sb);
            }
        }
    }
}

/// The frame's mixture magnitude and reference power, before anything changes them.
fn record_input(a: &mut Analysis, frame: &Frame, channels: usize, share: f32) {
    let bins = frame.bins;
    a.bins = bins;
    for row in [&mut a.mixture, &mut a.bleed, &mut a.output, &mut a.mask, &mut a.gain] {
        row[..bins].fill(0.0);
    }
    for spec in &frame.main[..channels] {
        for (m, x) in a.mixture[..bins].iter_mut().zip(&spec[..bins]) {
            *m += x.norm() * share;
        }
    }
    let power: f32 = frame.refs.iter().map(|r| r[..bins].iter().map(|x| x.norm_sqr()).sum::<f32>()).sum();
    a.reference_power = power / (bins * frame.refs.len()).max(1) as f32;
}

/// One channel's share of the predicted bleed (back to a magnitude) and of the learned gain.
fn record_model(a: &mut Analysis, bleed: &[f32], gain: Option<&[f32]>, alpha: f32, share: f32) {
    let bins = bleed.len();
    // The common exponents without `powf`.
    let bleed_out = a.bleed[..bins].iter_mut().zip(bleed.iter());
    match alpha {
        1.0 => bleed_out.for_each(|(e, &b)| *e += b * share),
        2.0 => bleed_out.for_each(|(e, &b)| *e += b.sqrt() * share),
        alpha => bleed_out.for_each(|(e, &b)| *e += b.powf(1.0 / alpha) * share),
    }
    match gain {
        Some(gain) => a.gain[..bins].iter_mut().zip(gain).for_each(|(e, g)| *e += g * share),
        None => a.gain[..bins].iter_mut().for_each(|e| *e += share),
    }
}
