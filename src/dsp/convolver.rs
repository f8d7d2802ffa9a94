//! Uniformly partitioned convolution (overlap-save with a frequency-domain delay line): long
//! filters at a latency of one block.
//!
//! The filter is cut into partitions of `block` taps, each transformed once (zero-padded to
//! `2 · block` points) when the filter changes. Every block of input is transformed once, with
//! the block before it (overlap-save), and kept in a ring of past spectra, the frequency-domain
//! delay line; the block's output is the inverse transform of `Σ_p H_p · X_{k−p}`, of which the
//! last `block` samples are the linear convolution. So a block costs two transforms of
//! `2 · block` points and `partitions × (block + 1)` complex multiply-adds, whatever the
//! filter's length, and the output of a block is ready when its last sample has arrived: the
//! latency is `block` samples. (Stockham, "High-speed convolution and correlation", 1966, for
//! the sectioning; Soo & Pang, "Multidelay block frequency domain adaptive filter", 1990, and
//! Garcia, "Optimal filter partition for efficient convolution with short input/output delay",
//! AES 2002, for the uniform partition and the delay line.)
//!
//! A new filter takes over at a block edge with a one-block linear crossfade from the old
//! filter's output to the new one's (both computed on that block), so that a filter changing
//! every few milliseconds does not click.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::pages::touch;

struct Channel {
    /// Two filters, each `partitions` spectra of `block + 1` bins back to back: the current
    /// one (`current`) and the one before it, faded out over the block after a change.
    filters: [Vec<Complex32>; 2],
    current: usize,
    fading: bool,
    /// The frequency-domain delay line: the spectra of the last `partitions` input blocks,
    /// `head` the newest.
    delay_line: Vec<Complex32>,
    head: usize,
    /// The last two input blocks (the overlap-save frame).
    input: Vec<f32>,
}

pub struct Convolver {
    block: usize,
    partitions: usize,
    max_partitions: usize,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    channels: Vec<Channel>,
    time: Vec<f32>,
    old_out: Vec<f32>,
    sum: Vec<Complex32>,
    old_sum: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl Convolver {
    /// Allocates for `channels` channels, blocks of `block` samples and filters up to
    /// `max_taps` taps.
    pub fn new(channels: usize, block: usize, max_taps: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let (forward, inverse) = (planner.plan_fft_forward(2 * block), planner.plan_fft_inverse(2 * block));
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        let max_partitions = max_taps.div_ceil(block).max(1);
        let bins = block + 1;
        let mut channels: Vec<Channel> = (0..channels)
            .map(|_| Channel {
                filters: [vec![Complex32::default(); max_partitions * bins], vec![Complex32::default(); max_partitions * bins]],
                current: 0,
                fading: false,
                delay_line: vec![Complex32::default(); max_partitions * bins],
                head: 0,
                input: vec![0.0; 2 * block],
            })
            .collect();
        for ch in &mut channels {
            for buf in ch.filters.iter_mut().chain([&mut ch.delay_line]) {
                touch(buf);
            }
            touch(&mut ch.input);
        }
        let mut conv = Self {
            block,
            partitions: max_partitions,
            max_partitions,
            forward,
            inverse,
            channels,
            time: vec![0.0; 2 * block],
            old_out: vec![0.0; block],
            sum: vec![Complex32::default(); bins],
            old_sum: vec![Complex32::default(); bins],
            scratch: vec![Complex32::default(); scratch_len],
        };
        touch(&mut conv.time);
        touch(&mut conv.old_out);
        touch(&mut conv.sum);
        touch(&mut conv.old_sum);
        touch(&mut conv.scratch);
        conv
    }

    pub fn block(&self) -> usize {
        self.block
    }

    /// Sets the filter length (at most the maximum) and forgets the input; the filters are
    /// set again with [`Convolver::set_filter`].
    pub fn set_taps(&mut self, taps: usize) {
        self.partitions = taps.div_ceil(self.block).clamp(1, self.max_partitions);
        self.reset();
    }

    /// Forgets the input (the filters stay).
    pub fn reset(&mut self) {
        for ch in &mut self.channels {
            ch.delay_line.fill(Complex32::default());
            ch.input.fill(0.0);
            ch.head = 0;
        }
    }

    /// Channel `c`'s filter becomes `taps` (at most `partitions × block` taps) from the next
    /// block on; with `fade` that block crossfades from the filter before, else the old one is
    /// gone at once.
    pub fn set_filter(&mut self, c: usize, taps: &[f32], fade: bool) {
        let (block, bins, parts) = (self.block, self.block + 1, self.partitions);
        let ch = &mut self.channels[c];
        let next = if fade { 1 - ch.current } else { ch.current };
        // Each partition zero-padded to 2·block points and scaled by 1/(2·block) for the
        // unnormalised inverse (a power of two: exact).
        let scale = 1.0 / (2 * block) as f32;
        for p in 0..parts {
            let from = (p * block).min(taps.len());
            let part = &taps[from..(from + block).min(taps.len())];
            for (t, &h) in self.time[..part.len()].iter_mut().zip(part) {
                *t = h * scale;
            }
            self.time[part.len()..].fill(0.0);
            let spec = &mut ch.filters[next][p * bins..(p + 1) * bins];
            let _ = self.forward.process_with_scratch(&mut self.time, spec, &mut self.scratch);
        }
        ch.current = next;
        ch.fading |= fade;
    }

    /// Channel `to`'s filter becomes channel `from`'s current one (as [`Convolver::set_filter`]
    /// with the same taps, without transforming them again): the two channels of a linked
    /// stereo track share their gains.
    pub fn share_filter(&mut self, from: usize, to: usize, fade: bool) {
        if from == to {
            return;
        }
        let len = self.partitions * (self.block + 1);
        let (a, b) = self.channels.split_at_mut(from.max(to));
        let (src, dst) = if from < to { (&a[from], &mut b[0]) } else { (&b[0], &mut a[to]) };
        let next = if fade { 1 - dst.current } else { dst.current };
        dst.filters[next][..len].copy_from_slice(&src.filters[src.current][..len]);
        dst.current = next;
        dst.fading |= fade;
    }

    /// Takes channel `c`'s next `block` input samples and writes the `block` output samples
    /// they complete: `out[i] = Σ_m h[m] · x[t_i − m]` for the block's samples `t_i`.
    #[inline(always)]
    pub fn process(&mut self, c: usize, input: &[f32], out: &mut [f32]) {
        let (block, bins, parts) = (self.block, self.block + 1, self.partitions);
        let ch = &mut self.channels[c];
        ch.input.copy_within(block..2 * block, 0);
        ch.input[block..].copy_from_slice(&input[..block]);
        ch.head = (ch.head + 1) % parts;
        self.time.copy_from_slice(&ch.input);
        let newest = &mut ch.delay_line[ch.head * bins..(ch.head + 1) * bins];
        let _ = self.forward.process_with_scratch(&mut self.time, newest, &mut self.scratch);
        accumulate(&ch.filters[ch.current], &ch.delay_line, ch.head, parts, bins, &mut self.sum);
        let _ = self.inverse.process_with_scratch(&mut self.sum, &mut self.time, &mut self.scratch);
        out[..block].copy_from_slice(&self.time[block..]);
        if ch.fading {
            ch.fading = false;
            accumulate(&ch.filters[1 - ch.current], &ch.delay_line, ch.head, parts, bins, &mut self.old_sum);
            let _ = self.inverse.process_with_scratch(&mut self.old_sum, &mut self.time, &mut self.scratch);
            self.old_out.copy_from_slice(&self.time[block..]);
            let step = 1.0 / block as f32;
            for (i, (o, &old)) in out[..block].iter_mut().zip(&self.old_out).enumerate() {
                let r = (i + 1) as f32 * step;
                *o = old + r * (*o - old);
            }
        }
    }
}

/// `sum = Σ_p filter_p · line_{head − p}`: partition `p` meets the input `p` blocks back.
#[inline(always)]
fn accumulate(filter: &[Complex32], line: &[Complex32], head: usize, parts: usize, bins: usize, sum: &mut [Complex32]) {
    sum.fill(Complex32::default());
    for p in 0..parts {
        let slot = (head + parts - p) % parts;
        let (h, x) = (&filter[p * bins..(p + 1) * bins], &line[slot * bins..(slot + 1) * bins]);
        for ((s, h), x) in sum.iter_mut().zip(h).zip(x) {
            *s += h * x;
        }
    }
    // A real signal's DC and Nyquist bins are real; realfft insists on it.
    sum[0].im = 0.0;
    sum[bins - 1].im = 0.0;
}
