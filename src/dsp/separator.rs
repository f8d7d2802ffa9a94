//! One STFT frame of the method, bin by bin: models → autoscale → residual → smoothing →
//! interference reduction → Wiener mask → logistic compression → output mask → apply.


use super::analysis::Analysis;
use super::autoscale::Autoscale;
use super::interference;
use super::model::{residual, soft_mask, spectral_power, Compressor, EPS};
use super::settings::{CompressionRange, OutputMode, Settings};
use super::smoothing::{self, smooth_in_place};
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
            interference_state: rows(channels * k),
            masks: rows(channels),
            autoscale: Autoscale::new(channels, max_bins),
            sources,
        }
    }

    pub fn reset(&mut self) {
        for row in self.smooth_state.iter_mut().chain(&mut self.interference_state) {
            row.fill(0.0);
        }
        self.autoscale.reset();
    }

    pub fn learned_gain(&self, c: usize, bins: usize) -> &[f32] {
        self.autoscale.gains(c, bins)
    }

    /// Runs the method on one frame. With `analysis`, also records what the frame looked like
    /// (its `bins`, rows and `reference_power`; the caller sets the rest).
    pub fn process(&mut self, frame: &mut Frame, k: &FrameCoeffs, mut analysis: Option<&mut Analysis>) {
        let bins = frame.bins;
        let channels = frame.main.len().min(self.channels);
        let per = self.sources.len() + 1;
        let share = 1.0 / channels.max(1) as f32;
        if let Some(a) = analysis.as_deref_mut() {
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
        for (pow, spec) in self.ref_pow.iter_mut().zip(frame.refs) {
            for (p, x) in pow[..bins].iter_mut().zip(&spec[..bins]) {
                *p = spectral_power(x.norm_sqr(), k.alpha);
            }
        }
        for c in 0..channels {
            let vx = &mut self.vx[c][..bins];
            for (v, x) in vx.iter_mut().zip(&frame.main[c][..bins]) {
                *v = spectral_power(x.norm_sqr(), k.alpha).max(EPS);
            }
            let models = &mut self.models[c * per..(c + 1) * per];
            self.vref[..bins].fill(0.0);
            for (j, src) in self.sources.iter().enumerate() {
                source_model(&self.ref_pow, *src, c, channels, &mut models[1 + j][..bins]);
                for (r, m) in self.vref[..bins].iter_mut().zip(&models[1 + j][..bins]) {
                    *r += m;
                }
            }
            let gain: Option<&[f32]> = k.autoscale.map(|a| {
                if !a.frozen {
                    self.autoscale.update(c, vx, &self.vref[..bins], a.forget);
                }
                self.autoscale.gains(c, bins)
            });
            if let Some(gain) = gain {
                for m in &mut models[1..] {
                    for (v, g) in m[..bins].iter_mut().zip(gain) {
                        *v *= g;
                    }
                }
            }
            let (target, refs) = models.split_first_mut().expect("at least the target model");
            let bleed = &mut self.total[..bins];
            bleed.fill(0.0);
            for m in refs.iter() {
                for (b, v) in bleed.iter_mut().zip(&m[..bins]) {
                    *b += v;
                }
            }
            for ((t, &x), &b) in target[..bins].iter_mut().zip(vx.iter()).zip(bleed.iter()) {
                *t = residual(x, b);
            }
            if let Some(a) = analysis.as_deref_mut() {
                // Back to a magnitude; the common exponents without `powf`.
                let bleed_out = a.bleed[..bins].iter_mut().zip(bleed.iter());
                match k.alpha {
                    1.0 => bleed_out.for_each(|(e, &b)| *e += b * share),
                    2.0 => bleed_out.for_each(|(e, &b)| *e += b.sqrt() * share),
                    alpha => bleed_out.for_each(|(e, &b)| *e += b.powf(1.0 / alpha) * share),
                }
                match gain {
                    Some(gain) => a.gain[..bins].iter_mut().zip(gain).for_each(|(e, g)| *e += g * share),
                    None => a.gain[..bins].iter_mut().for_each(|e| *e += share),
                }
            }
            if let Some(coeff) = k.smoothing {
                for (m, s) in models.iter_mut().zip(&mut self.smooth_state[c * per..(c + 1) * per]) {
                    smooth_in_place(&mut s[..bins], &mut m[..bins], coeff);
                }
            }
            if let Some((coeff, threshold, slope)) = k.interference {
                let state = &mut self.interference_state[c * per..(c + 1) * per];
                interference::reduce(models, state, &mut self.total[..bins], coeff, threshold, slope);
            }
            let total = &mut self.total[..bins];
            total.copy_from_slice(&models[0][..bins]);
            for m in &models[1..] {
                for (t, v) in total.iter_mut().zip(&m[..bins]) {
                    *t += v;
                }
            }
            for ((w, &t), &sum) in self.masks[c][..bins].iter_mut().zip(&models[0][..bins]).zip(total.iter()) {
                *w = soft_mask(t, sum);
            }
            if let Some(a) = analysis.as_deref_mut() {
                for (e, &w) in a.mask[..bins].iter_mut().zip(&self.masks[c][..bins]) {
                    *e += w * share;
                }
            }
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

    /// Turns the target's soft masks into the masks of the selected output.
    fn output_masks(&mut self, channels: usize, bins: usize, k: &FrameCoeffs) {
        let masks = &mut self.masks[..channels];
        if k.output == OutputMode::Reference {
            invert(masks, bins);
            return;
        }
        if let Some(comp) = k.compressor {
            if k.link && channels > 1 {
                comp.compress_linked(masks, bins);
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
