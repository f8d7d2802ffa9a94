//! One STFT frame of the method, bin by bin: models → autoscale → residual → smoothing →
//! interference reduction → Wiener mask → logistic compression → output mask → apply.


use super::analysis::Analysis;
use super::autoscale::Autoscale;
use super::interference;
use multiversion::multiversion;
use realfft::num_complex::Complex32;

use super::model::{residual, soft_mask, spectral_powers, Compressor, EPS};
use super::settings::{CompressionRange, OutputMode, Settings};
use super::smoothing::{self, smooth_in_place, step};
use super::stft::Frame;

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
}

#[derive(Clone, Copy, Debug)]
pub struct Adapt {
    pub forget: f32,
    pub frozen: bool,
}

impl FrameCoeffs {
    pub fn new(s: &Settings, hop_seconds: f32) -> Self {
        Self {
            alpha: s.alpha,
            autoscale: s.autoscale.then(|| Adapt {
                forget: smoothing::coefficient(s.adapt_seconds, hop_seconds).unwrap_or(0.0),
                frozen: s.freeze,
            }),
            smoothing: smoothing::coefficient(s.smoothing_ms * 1e-3, hop_seconds),
            interference: s.interference.and_then(|i| {
                let coeff = smoothing::coefficient(i.smoothing_ms * 1e-3, hop_seconds).unwrap_or(0.0);
                Some((coeff, i.threshold, i.slope))
            }),
            compressor: s.compression.then(|| match s.range {
                CompressionRange::Unit => Compressor::unit(s.threshold, s.slope),
                CompressionRange::Raw => Compressor::raw(s.threshold, s.slope),
            }),
            link: s.link_channels,
            output: s.output,
        }
    }
}

/// Which reference channels make up one source.
#[derive(Clone, Copy, Debug)]
struct Source {
    first: usize,
    channels: usize,
}

/// All per-bin state and scratch, allocated once for the largest window.
pub struct Separator {
    channels: usize,
    sources: Vec<Source>,
    ref_pow: Vec<Vec<f32>>,
    vx: Vec<Vec<f32>>,
    vref: Vec<f32>,
    total: Vec<f32>,
    /// `models[c * K + k]`: k = 0 the target (residual), k = 1 + j reference source j.
    models: Vec<Vec<f32>>,
    smooth_state: Vec<Vec<f32>>,
    /// Smoothed target and bleed per main channel (the path without interference reduction,
    /// where only their sum matters: smoothing is linear, so Σ of smoothed = smoothed Σ).
    fused_state: Vec<Vec<f32>>,
    interference_state: Vec<Vec<f32>>,
    masks: Vec<Vec<f32>>,
    autoscale: Autoscale,
}

impl Separator {
    /// `sources[j]` = channel count (1 or 2) of reference source j; their channels follow each
    /// other in the reference inputs.
    pub fn new(channels: usize, sources: &[usize], max_bins: usize) -> Self {
        let mut first = 0;
        let sources: Vec<Source> = sources
            .iter()
            .map(|&n| {
                let s = Source { first, channels: n };
                first += n;
                s
            })
            .collect();
        let rows = |n: usize| vec![vec![0.0f32; max_bins]; n];
        let k = sources.len() + 1;
        Self {
            channels,
            ref_pow: rows(first),
            vx: rows(channels),
            vref: vec![0.0; max_bins],
            total: vec![0.0; max_bins],
            models: rows(channels * k),
            smooth_state: rows(channels * k),
            fused_state: rows(channels * 2),
            interference_state: rows(channels * k),
            masks: rows(channels),
            autoscale: Autoscale::new(channels, max_bins),
            sources,
        }
    }

    pub fn reset(&mut self) {
        for row in self.smooth_state.iter_mut().chain(&mut self.interference_state).chain(&mut self.fused_state) {
            row.fill(0.0);
        }
        self.autoscale.reset();
    }

    pub fn learned_gain(&self, c: usize, bins: usize) -> &[f32] {
        self.autoscale.gains(c, bins)
    }

    /// Runs the method on one frame. With `analysis`, also records what the frame looked like
    /// (its `bins`, rows and `reference_power`; the caller sets the rest).
    pub fn process(&mut self, frame: &mut Frame, k: &FrameCoeffs, analysis: Option<&mut Analysis>) {
        process_frame(self, frame, k, analysis);
    }

    #[inline(always)]
    fn process_inline(&mut self, frame: &mut Frame, k: &FrameCoeffs, mut analysis: Option<&mut Analysis>) {
        let bins = frame.bins;
        let channels = frame.main.len().min(self.channels);
        let share = 1.0 / channels.max(1) as f32;
        if let Some(a) = analysis.as_deref_mut() {
            record_input(a, frame, channels, share);
        }
        for (pow, spec) in self.ref_pow.iter_mut().zip(frame.refs) {
            spectral_powers(&spec[..bins], k.alpha, &mut pow[..bins]);
        }
        for c in 0..channels {
            self.channel_mask(c, channels, &frame.main[c][..bins], k, analysis.as_deref_mut().map(|a| (a, share)));
        }
        self.output_masks(channels, bins, k);
        for (spec, mask) in frame.main.iter_mut().zip(&self.masks).take(channels) {
            for (x, &m) in spec[..bins].iter_mut().zip(&mask[..bins]) {
                *x *= m;
            }
            if let Some(a) = analysis.as_deref_mut() {
                for (e, x) in a.output[..bins].iter_mut().zip(&spec[..bins]) {
                    *e += x.norm() * share;
                }
            }
        }
    }

    /// The target's soft mask of main channel `c` (spectrum `spec`) into `self.masks[c]`:
    /// models, autoscale, residual, smoothing, interference reduction, Wiener mask.
    #[inline(always)]
    fn channel_mask(&mut self, c: usize, channels: usize, spec: &[Complex32], k: &FrameCoeffs, mut analysis: Option<(&mut Analysis, f32)>) {
        let bins = spec.len();
        let per = self.sources.len() + 1;
        let vx = &mut self.vx[c][..bins];
        spectral_powers(spec, k.alpha, vx);
        for v in vx.iter_mut() {
            *v = v.max(EPS);
        }
        let models = &mut self.models[c * per..(c + 1) * per];
        let vref = &mut self.vref[..bins];
        match self.sources.as_slice() {
            // The usual case: one source, whose model is all the fused path needs.
            [only] if k.interference.is_none() => source_model(&self.ref_pow, *only, c, channels, vref),
            sources => {
                vref.fill(0.0);
                for (j, src) in sources.iter().enumerate() {
                    source_model(&self.ref_pow, *src, c, channels, &mut models[1 + j][..bins]);
                    vref.iter_mut().zip(&models[1 + j][..bins]).for_each(|(r, m)| *r += m);
                }
            }
        }
        if let Some(a) = k.autoscale.filter(|a| !a.frozen) {
            self.autoscale.update(c, vx, vref, a.forget);
        }
        let gain = k.autoscale.map(|_| self.autoscale.gains(c, bins));
        // The predicted bleed, Σ_j g·v_j.
        let bleed = &mut self.total[..bins];
        match gain {
            Some(gain) => bleed.iter_mut().zip(vref.iter()).zip(gain).for_each(|((b, r), g)| *b = g * r),
            None => bleed.copy_from_slice(vref),
        }
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
                if let Some(gain) = gain {
                    for m in &mut models[1..] {
                        m[..bins].iter_mut().zip(gain).for_each(|(v, g)| *v *= g);
                    }
                }
                let (target, _) = models.split_first_mut().expect("at least the target model");
                target[..bins].iter_mut().zip(vx.iter()).zip(bleed.iter()).for_each(|((t, &x), &b)| *t = residual(x, b));
                if let Some(coeff) = k.smoothing {
                    for (m, s) in models.iter_mut().zip(&mut self.smooth_state[c * per..(c + 1) * per]) {
                        smooth_in_place(&mut s[..bins], &mut m[..bins], coeff);
                    }
                }
                let state = &mut self.interference_state[c * per..(c + 1) * per];
                interference::reduce(models, state, bleed, vref, coeff, threshold, slope);
                let total = bleed;
                total.copy_from_slice(&models[0][..bins]);
                for m in &models[1..] {
                    total.iter_mut().zip(&m[..bins]).for_each(|(t, v)| *t += v);
                }
                mask.iter_mut().zip(&models[0][..bins]).zip(total.iter()).for_each(|((w, &t), &sum)| *w = soft_mask(t, sum));
            }
        }
        if let Some((a, share)) = analysis {
            a.mask[..bins].iter_mut().zip(mask.iter()).for_each(|(e, &w)| *e += w * share);
        }
    }

    /// Turns the target's soft masks into the masks of the selected output.
    #[inline(always)]
    fn output_masks(&mut self, channels: usize, bins: usize, k: &FrameCoeffs) {
        let masks = &mut self.masks[..channels];
        if k.output == OutputMode::Reference {
            invert(masks, bins);
            return;
        }
        if let Some(comp) = k.compressor {
            if k.link && channels > 1 {
                comp.compress_linked(masks, bins, &mut self.total);
            } else {
                for m in masks.iter_mut() {
                    comp.compress(&mut m[..bins]);
                }
            }
        }
        if k.output == OutputMode::Removed {
            invert(masks, bins);
        }
    }
}

/// The frame, compiled for the baseline CPU and again for AVX2, picked at run time (the
/// CPU check is cached): every per-bin loop is written to vectorise, so wider vectors pay
/// directly. Every loop is element-wise and Rust never fuses a multiply-add on its own, so
/// each lane rounds exactly like the scalar code: both versions compute the same audio.
#[multiversion(targets("x86_64+avx2"))]
fn process_frame(separator: &mut Separator, frame: &mut Frame, k: &FrameCoeffs, analysis: Option<&mut Analysis>) {
    separator.process_inline(frame, k, analysis);
}

#[inline(always)]
fn invert(masks: &mut [Vec<f32>], bins: usize) {
    for m in masks {
        for w in &mut m[..bins] {
            *w = 1.0 - *w;
        }
    }
}

/// The model of `src` as heard at main channel `c`: its matching channel when the source has
/// as many channels as the main input, its only channel when mono, and the mean of its two
/// channels' models for a mono main input.
#[inline(always)]
fn source_model(ref_pow: &[Vec<f32>], src: Source, c: usize, main_channels: usize, out: &mut [f32]) {
    let bins = out.len();
    if src.channels == main_channels {
        out.copy_from_slice(&ref_pow[src.first + c][..bins]);
    } else if src.channels == 1 {
        out.copy_from_slice(&ref_pow[src.first][..bins]);
    } else {
        let n = src.channels as f32;
        out.fill(0.0);
        for r in 0..src.channels {
            for (o, p) in out.iter_mut().zip(&ref_pow[src.first + r][..bins]) {
                *o += p / n;
            }
        }
    }
}

/// Residual, smoothing and Wiener mask in one pass, for the usual case without interference
/// reduction: `state` = [smoothed target, smoothed bleed] of this channel.
#[inline(always)]
fn fused_mask(vx: &[f32], bleed: &[f32], smoothing: Option<f32>, state: &mut [Vec<f32>], mask: &mut [f32]) {
    let bins = mask.len();
    let rows = mask.iter_mut().zip(vx).zip(bleed);
    match smoothing {
        None => rows.for_each(|((w, &x), &b)| {
            let t = residual(x, b);
            *w = soft_mask(t, t + b);
        }),
        Some(coeff) => {
            let [target, others] = state else { unreachable!("two state rows per channel") };
            let states = target[..bins].iter_mut().zip(&mut others[..bins]);
            rows.zip(states).for_each(|(((w, &x), &b), (st, sb))| {
                *st = step(*st, residual(x, b), coeff);
                *sb = step(*sb, b, coeff);
                *w = soft_mask(*st, *st + *sb);
            });
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
