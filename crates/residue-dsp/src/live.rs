//! Live: Residue's mask at a latency of about 5 ms, with the frequency resolution of Mix.
//!
//! Mix runs the method on an STFT and resynthesises it: its latency is the window (4096 samples
//! at 44.1 and 48 kHz) and a hop. Live keeps the same model on the same number of bins and
//! changes only how the mask reaches the audio (`docs/live-mode-study.md` measures the
//! alternatives):
//!
//! - **the frame grid**: a frame of `size` samples ends at the newest input sample every
//!   `hop = size / 32` samples ([`LIVE_OVERLAP`]), windowed by [`asymmetric_window`], which
//!   rises over 63/64 of it and falls over the last 64th ([`LIVE_FALL`]): the bins are nearly as
//!   narrow as Mix's, but the mask describes the input as it is now, not half a window ago;
//! - **the frame callback**: the engine's own, unchanged (bleed fit, lag search, compression,
//!   warm-up, output selection), with the hop-dependent coefficients set for this hop; the
//!   separator writes its final gains to [`Frame::gains`] instead of multiplying;
//! - **the filter**: those gains as a causal FIR ([`MaskFilter`]), centred `lookahead` taps
//!   in, applied by partitioned convolution with a direct-form head ([`Convolver`]: no block
//!   delay) in blocks of `block` samples, swapped at each frame with a one-block crossfade.
//!
//! Latency: `lookahead` ≤ [`LIVE_LATENCY_SECONDS`] at every rate ([`live_shape`]).
//! The frame grid is a whole number of blocks; a frame is analysed in the call where its last
//! sample arrives and its filters are designed when the next block starts, which they filter
//! from its first sample: every block is filtered with the newest mask (a stale one costs
//! removal). Where a frame falls depends on the sample position alone, so the output is bit-identical for any
//! host block size, as in Mix. The dry path (the Mix knob) is delayed by the same latency.
//!
//! The references are analysed per view by the same [`References`] as Mix's: cut with each
//! frame, every view transformed at once.

use realfft::num_complex::Complex32;

use super::convolver::Convolver;
use super::fft::Plans;
use super::isa::Isa;
use super::limits::MIN_WINDOW;
use super::mask_filter::{filter_taps, MaskFilter};
use super::pages::{touch, touch_rows};
use super::ramp::Ramp;
use super::references::References;
use super::samples::{mix_into, sanitize_into, window_into};
use super::stft::Frame;
use super::window::asymmetric_window;

/// Frames per window in Live: a frame every 32nd of the window (128 samples at 4096). A mask
/// is on average half a hop older than the output it filters, so a shorter hop buys what a
/// longer lookahead would, at the cost of more frames (`docs/live-mode-study.md`, the
/// engine's section, measures it).
pub const LIVE_OVERLAP: usize = 32;
/// Live's analysis window falls over its last `1 / LIVE_FALL` (64 samples at 4096, half a
/// hop): a shorter fall keeps the mask closer to the newest input, a longer one leaks less
/// between bins; `docs/live-mode-study.md` measures the choice.
pub const LIVE_FALL: usize = 64;
/// Live's latency ceiling, seconds (233 samples at 44.1 kHz, 254 at 48 kHz).
pub const LIVE_LATENCY_SECONDS: f64 = 0.0053;

/// How the engine turns its mask into audio, and so its latency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LatencyMode {
    /// STFT analysis and resynthesis: latency `window − 1 + hop` (5119 samples at 4096 / 4x).
    #[default]
    Mix,
    /// The mask as a low-delay filter: latency [`live_latency`], about 5 ms at any rate.
    Live,
}

/// Live's convolution block and lookahead at `sample_rate`, samples: the block is 64 at 44.1
/// and 48 kHz, scaled by the power of two nearest the rate's ratio to 48 kHz, at most
/// [`MIN_WINDOW`] (from 192 kHz up), so that a frame's hop, a whole number of blocks, never
/// exceeds the smallest window. The convolution's direct-form head makes the block cost no
/// latency, so the lookahead is all of [`LIVE_LATENCY_SECONDS`]: 233 at 44.1 kHz, 254 at 48.
pub fn live_shape(sample_rate: f32) -> (usize, usize) {
    let ratio = (sample_rate as f64 / 48_000.0).log2().round().clamp(-6.0, 6.0);
    let block = ((64.0 * ratio.exp2()) as usize).clamp(1, MIN_WINDOW);
    let ceiling = (LIVE_LATENCY_SECONDS * sample_rate as f64).floor() as usize;
    (block, ceiling)
}

/// Live's latency at `sample_rate`, samples: the lookahead.
pub fn live_latency(sample_rate: f32) -> usize {
    live_shape(sample_rate).1
}

/// Live's driver: the frame grid and its analysis, the mask filters, the convolution and the
/// dry path. Everything is allocated in [`Live::new`].
pub struct Live {
    max_window: usize,
    size: usize,
    hop: usize,
    block: usize,
    lookahead: usize,
    plans: Plans,
    window: Vec<f32>,
    /// The input (sanitised) per main channel up to `end` (exclusive): at least `max_window`
    /// samples back from it, with slack after, so the kept samples are moved back only when the
    /// slack is used up.
    main_in: Vec<Vec<f32>>,
    end: usize,
    windowed: Vec<f32>,
    main_spec: Vec<Vec<Complex32>>,
    callback_parts: usize,
    /// The separator's gains of the last frame, per main channel.
    gains: Vec<Vec<f32>>,
    taps: Vec<f32>,
    filter: MaskFilter,
    convolver: Convolver,
    /// The part of a block at hand (sanitised) per main channel, and its filtered output; `pos`
    /// samples of the block are in, `blocks` counts blocks since the last frame.
    block_in: Vec<Vec<f32>>,
    wet: Vec<f32>,
    pos: usize,
    blocks: usize,
    /// The last frame's filters are still to be designed (at the next block's start).
    design_due: bool,
    /// The dry path: a ring of `lookahead` samples per main channel.
    dry_line: Vec<Vec<f32>>,
    dry_pos: usize,
    dry: Vec<f32>,
    mix_gains: Vec<f32>,
    isa: Isa,
}

impl Live {
    /// Allocates for windows up to `max_window` at `sample_rate` (the references are analysed
    /// by the [`References`] given to [`Live::process`]).
    pub fn new(sample_rate: f32, main_channels: usize, max_window: usize, size: usize) -> Self {
        let (block, lookahead) = live_shape(sample_rate);
        let bins = max_window / 2 + 1;
        let len = max_window + max_window.max(block);
        let rows = |count: usize, len: usize| vec![vec![0.0f32; len]; count];
        let spectra = |count: usize| vec![vec![Complex32::default(); bins]; count];
        let max_taps = filter_taps(max_window, lookahead);
        let mut live = Self {
            max_window,
            size,
            hop: 0,
            block,
            lookahead,
            plans: Plans::new(max_window, false),
            window: vec![0.0; max_window],
            main_in: rows(main_channels, len),
            end: 0,
            windowed: vec![0.0; max_window],
            main_spec: spectra(main_channels),
            callback_parts: 1,
            gains: rows(main_channels, bins),
            taps: vec![0.0; max_taps],
            filter: MaskFilter::new(max_window, lookahead),
            convolver: Convolver::new(main_channels, block, max_taps),
            block_in: rows(main_channels, block),
            wet: vec![0.0; block],
            pos: 0,
            blocks: 0,
            design_due: false,
            dry_line: rows(main_channels, lookahead.max(1)),
            dry_pos: 0,
            dry: vec![0.0; block],
            mix_gains: vec![0.0; block],
            isa: Isa::best(),
        };
        for rows in [&mut live.main_in, &mut live.gains, &mut live.block_in, &mut live.dry_line] {
            touch_rows(rows);
        }
        touch_rows(&mut live.main_spec);
        for buf in
            [&mut live.window, &mut live.windowed, &mut live.taps, &mut live.wet, &mut live.dry, &mut live.mix_gains]
        {
            touch(buf);
        }
        live.set_window(size);
        live
    }

    /// Switches the analysis size (a power of two from [`MIN_WINDOW`] to the maximum; the
    /// caller checks) without allocating, and resets.
    pub fn set_window(&mut self, size: usize) {
        self.size = size;
        // A frame every 32nd of the window, and at least one per block.
        self.hop = (size / LIVE_OVERLAP).max(self.block);
        asymmetric_window(size, size / LIVE_FALL, &mut self.window);
        self.filter.set_shape(size, self.lookahead);
        self.convolver.set_taps(filter_taps(size, self.lookahead));
        self.reset();
    }

    /// Forgets the audio; the filter becomes a pure delay until the first frame (the
    /// [`References`] are reset by their owner).
    pub fn reset(&mut self) {
        for buf in self.main_in.iter_mut().chain(&mut self.dry_line) {
            buf.fill(0.0);
        }
        self.end = self.max_window;
        (self.pos, self.blocks, self.dry_pos, self.design_due) = (0, 0, 0, false);
        let taps = &mut self.taps[..filter_taps(self.size, self.lookahead)];
        taps.fill(0.0);
        taps[self.lookahead] = 1.0;
        self.convolver.reset();
        for c in 0..self.main_in.len() {
            self.convolver.set_filter(c, taps, false);
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }
    /// Samples between frames.
    pub fn hop(&self) -> usize {
        self.hop
    }
    /// Frames per window: [`LIVE_OVERLAP`], fewer where a block is longer than that share of
    /// the window.
    pub fn overlap(&self) -> usize {
        self.size / self.hop
    }
    pub fn bins(&self) -> usize {
        self.size / 2 + 1
    }
    pub fn block(&self) -> usize {
        self.block
    }
    pub fn lookahead(&self) -> usize {
        self.lookahead
    }
    /// Output lags input by this many samples, exactly: the lookahead (the convolution adds
    /// none).
    pub fn latency(&self) -> usize {
        self.lookahead
    }

    /// See [`super::stft::Stft::set_isa`].
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa;
    }

    /// Calls the frame callback `parts` times per frame (1–4), `Frame::part` counting up.
    pub fn set_callback_parts(&mut self, parts: usize) {
        self.callback_parts = parts.clamp(1, 4);
    }

    /// Runs the main channels through Live in place, calling `on_frame` once per frame (its
    /// parts in order); the callback leaves its per-bin gains in [`Frame::gains`] (1 where it
    /// writes none). `refs` (missing or shorter than the block counting as silence) go into
    /// `references`, which analyses them with each frame. The output is
    /// `mix · wet + (1 − mix) · dry`, both [`Live::latency`] samples late.
    pub fn process(
        &mut self,
        main: &mut [&mut [f32]],
        refs: &[&[f32]],
        references: &mut References,
        mix: &mut Ramp,
        on_frame: impl FnMut(&mut Frame),
    ) {
        let isa = self.isa;
        isa.run(
            #[inline(always)]
            || self.process_inline(main, refs, references, mix, on_frame),
        );
    }

    #[inline(always)]
    fn process_inline(
        &mut self,
        main: &mut [&mut [f32]],
        refs: &[&[f32]],
        references: &mut References,
        mix: &mut Ramp,
        mut on_frame: impl FnMut(&mut Frame),
    ) {
        let channels = main.len().min(self.main_in.len());
        let len = main[..channels].iter().map(|c| c.len()).min().unwrap_or(0);
        let (block, line) = (self.block, self.latency());
        let mut done = 0;
        while done < len {
            if self.design_due {
                // The frame that ended at the last block edge: its filters, for this block on.
                self.design_due = false;
                self.design(channels);
            }
            let n = (block - self.pos).min(len - done);
            if self.end + n > self.main_in.first().map_or(0, |b| b.len()) {
                let keep = self.max_window;
                for buf in &mut self.main_in {
                    buf.copy_within(self.end - keep..self.end, 0);
                }
                self.end = keep;
            }
            let at = self.end;
            for (c, ch) in main[..channels].iter().enumerate() {
                sanitize_into(&ch[done..done + n], &mut self.block_in[c][..n]);
                self.main_in[c][at..at + n].copy_from_slice(&self.block_in[c][..n]);
            }
            references.push(refs, done, n);
            self.end += n;
            for g in &mut self.mix_gains[..n] {
                *g = mix.next_value();
            }
            for (c, ch) in main[..channels].iter_mut().enumerate() {
                self.convolver.process(c, &self.block_in[c][..n], &mut self.wet[..n]);
                let ring = &mut self.dry_line[c];
                for (i, (d, &x)) in self.dry[..n].iter_mut().zip(&self.block_in[c][..n]).enumerate() {
                    let p = (self.dry_pos + i) % line;
                    *d = ring[p];
                    ring[p] = x;
                }
                mix_into(&mut ch[done..done + n], &self.wet[..n], &self.dry[..n], &self.mix_gains[..n]);
            }
            self.dry_pos = (self.dry_pos + n) % line;
            self.pos += n;
            done += n;
            if self.pos == block {
                self.pos = 0;
                self.blocks += 1;
                if self.blocks * block == self.hop {
                    self.blocks = 0;
                    self.frame(channels, references, &mut on_frame);
                    self.design_due = true;
                }
            }
        }
    }

    /// The frame that ends at the newest sample: analysis, the callback, the new filters.
    #[inline(always)]
    fn frame(&mut self, channels: usize, references: &mut References, on_frame: &mut impl FnMut(&mut Frame)) {
        let (size, bins, end) = (self.size, self.bins(), self.end);
        let window = &self.window[..size];
        for c in 0..channels {
            window_into(&self.main_in[c][end - size..end], window, &mut self.windowed[..size]);
            let _ = self.plans.forward(&mut self.windowed[..size], &mut self.main_spec[c][..bins]);
        }
        references.cut();
        for v in 0..references.views() {
            // An earlier view of the same channel at the same delay has this spectrum already.
            if !references.copy_shared(v, bins) {
                references.window_view(v, window, &mut self.windowed[..size]);
                let _ = self.plans.forward(&mut self.windowed[..size], &mut references.spectrum_mut(v)[..bins]);
            }
        }
        for g in &mut self.gains[..channels] {
            g[..bins].fill(1.0);
        }
        for part in 0..self.callback_parts {
            let gains = Some(&mut self.gains[..channels]);
            on_frame(&mut Frame::new(
                &mut self.main_spec[..channels],
                references.frame_parts(),
                bins,
                part,
                gains,
                &self.main_in[..channels],
                end,
                self.hop,
            ));
            references.clamp_delays();
        }
    }

    /// The last frame's gains as filters, set with a crossfade for the block about to start.
    /// Run at the start of that block rather than in the frame's own call: the output is the
    /// same, and with host buffers shorter than a block the frame's work and the filters'
    /// transforms fall in two calls instead of one.
    #[inline(always)]
    fn design(&mut self, channels: usize) {
        let (size, bins) = (self.size, self.bins());
        let taps = filter_taps(size, self.lookahead);
        for c in 0..channels {
            // A linked stereo track's channels usually share their gains: one filter serves both.
            if c > 0 && self.gains[c][..bins] == self.gains[c - 1][..bins] {
                self.convolver.share_filter(c - 1, c, true);
            } else {
                self.filter.design(&self.gains[c][..bins], &mut self.taps);
                self.convolver.set_filter(c, &self.taps[..taps], true);
            }
        }
    }
}
