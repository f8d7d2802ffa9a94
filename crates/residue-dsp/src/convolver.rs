//! Partitioned convolution with no block delay: a direct-form head and a uniformly partitioned
//! tail (overlap-save with a frequency-domain delay line).
//!
//! The filter's first `block` taps (the head) are applied sample by sample, as the input
//! arrives. The rest (the tail) is cut into partitions of `block` taps, each transformed once
//! (zero-padded to `2 · block` points) when the filter changes. The tail's share of a block's
//! output needs only input at least `block` samples old, so it is computed once per block, when
//! the block before it is complete: that block is transformed once, with the block before it
//! (overlap-save), and kept in a ring of past spectra, the frequency-domain delay line; the
//! tail's output for the next block is the inverse transform of `Σ_p H_p · X_{k−p}`, of which
//! the last `block` samples are the linear convolution. So a block costs two transforms of
//! `2 · block` points, `partitions × (block + 1)` complex multiply-adds and `block` multiply-adds
//! per sample for the head, whatever the filter's length, and an output sample is ready when
//! its input sample is: no latency. (Stockham, "High-speed convolution and correlation", 1966,
//! for the sectioning; Soo & Pang, "Multidelay block frequency domain adaptive filter", 1990,
//! for the uniform partition and the delay line; Gardner, "Efficient convolution without
//! input-output delay", JAES 1995, and Garcia, "Optimal filter partition for efficient
//! convolution with short input/output delay", AES 2002, for the direct-form head.)
//!
//! A new filter takes over at a block edge with a one-block linear crossfade from the old
//! filter's output to the new one's (both computed on that block), so that a filter changing
//! every few milliseconds does not click.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};

use super::pages::touch;
use super::pair_fft::{pack_scaled, split};

struct Channel {
    /// Two filters, each the head's `block` taps in reverse order and the tail's `partitions`
    /// spectra of `block + 1` bins back to back: the current one (`current`) and the one
    /// before it, faded out over the block after a change.
    heads: [Vec<f32>; 2],
    tails: [Vec<Complex32>; 2],
    current: usize,
    /// A filter was set with a fade since the last block edge: the next block crossfades.
    fade_next: bool,
    /// This block crossfades from the filter before.
    fading: bool,
    /// The frequency-domain delay line: the spectra of the last `partitions` input blocks,
    /// `slot` the newest.
    delay_line: Vec<Complex32>,
    slot: usize,
    /// The block before and the block being filled (`pos` samples of it in): the overlap-save
    /// frame once it is full, and the head's history.
    input: Vec<f32>,
    pos: usize,
    /// The tail's output for the block being filled, with the current filter and the one before.
    tail: Vec<f32>,
    old_tail: Vec<f32>,
}

pub struct Convolver {
    block: usize,
    partitions: usize,
    max_partitions: usize,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    /// The `2 · block`-point complex transform that transforms a filter's partitions two at a
    /// time ([`super::pair_fft`]).
    pair: Arc<dyn Fft<f32>>,
    channels: Vec<Channel>,
    time: Vec<f32>,
    sum: Vec<Complex32>,
    packed: Vec<Complex32>,
    second: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

/// Tail partitions of a filter of `taps` taps in blocks of `block` (at least one).
fn tail_partitions(taps: usize, block: usize) -> usize {
    taps.saturating_sub(block).div_ceil(block).max(1)
}

impl Convolver {
    /// Allocates for `channels` channels, blocks of `block` samples and filters up to
    /// `max_taps` taps.
    pub fn new(channels: usize, block: usize, max_taps: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let (forward, inverse) = (planner.plan_fft_forward(2 * block), planner.plan_fft_inverse(2 * block));
        let pair = FftPlanner::<f32>::new().plan_fft_forward(2 * block);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len()).max(pair.get_inplace_scratch_len());
        let max_partitions = tail_partitions(max_taps, block);
        let bins = block + 1;
        let mut channels: Vec<Channel> = (0..channels)
            .map(|_| Channel {
                heads: [vec![0.0; block], vec![0.0; block]],
                tails: [
                    vec![Complex32::default(); max_partitions * bins],
                    vec![Complex32::default(); max_partitions * bins],
                ],
                current: 0,
                fade_next: false,
                fading: false,
                delay_line: vec![Complex32::default(); max_partitions * bins],
                slot: 0,
                input: vec![0.0; 2 * block],
                pos: 0,
                tail: vec![0.0; block],
                old_tail: vec![0.0; block],
            })
            .collect();
        for ch in &mut channels {
            for buf in ch.tails.iter_mut().chain([&mut ch.delay_line]) {
                touch(buf);
            }
            for buf in ch.heads.iter_mut().chain([&mut ch.input, &mut ch.tail, &mut ch.old_tail]) {
                touch(buf);
            }
        }
        let mut conv = Self {
            block,
            partitions: max_partitions,
            max_partitions,
            forward,
            inverse,
            pair,
            channels,
            time: vec![0.0; 2 * block],
            sum: vec![Complex32::default(); bins],
            packed: vec![Complex32::default(); 2 * block],
            second: vec![Complex32::default(); bins],
            scratch: vec![Complex32::default(); scratch_len],
        };
        touch(&mut conv.time);
        touch(&mut conv.sum);
        touch(&mut conv.packed);
        touch(&mut conv.second);
        touch(&mut conv.scratch);
        conv
    }

    pub fn block(&self) -> usize {
        self.block
    }

    /// Sets the filter length (at most the maximum) and forgets the input; the filters are
    /// set again with [`Convolver::set_filter`].
    pub fn set_taps(&mut self, taps: usize) {
        self.partitions = tail_partitions(taps, self.block).min(self.max_partitions);
        self.reset();
    }

    /// Forgets the input (the filters stay); the next sample starts a block.
    pub fn reset(&mut self) {
        for ch in &mut self.channels {
            ch.delay_line.fill(Complex32::default());
            ch.input.fill(0.0);
            ch.tail.fill(0.0);
            ch.old_tail.fill(0.0);
            (ch.slot, ch.pos, ch.fade_next, ch.fading) = (0, 0, false, false);
        }
    }

    /// Channel `c`'s filter becomes `taps` (at most `block + partitions × block` taps). Set at a
    /// block edge, it filters that block on; with `fade` the block crossfades from the filter
    /// before, else the old one is gone at once.
    #[inline(always)]
    pub fn set_filter(&mut self, c: usize, taps: &[f32], fade: bool) {
        let (block, bins, parts) = (self.block, self.block + 1, self.partitions);
        let ch = &mut self.channels[c];
        let next = if fade { 1 - ch.current } else { ch.current };
        let head = &taps[..block.min(taps.len())];
        let rev = &mut ch.heads[next];
        rev.fill(0.0);
        for (k, &h) in head.iter().enumerate() {
            rev[block - 1 - k] = h;
        }
        // Each tail partition zero-padded to 2·block points and scaled by 1/(2·block) for the
        // unnormalised inverse (a power of two: exact), two partitions per complex transform.
        let scale = 1.0 / (2 * block) as f32;
        let partition = |p: usize| {
            let from = (block + p * block).min(taps.len());
            &taps[from..(from + block).min(taps.len())]
        };
        for p in (0..parts).step_by(2) {
            let second = if p + 1 < parts { partition(p + 1) } else { &[][..] };
            pack_scaled(partition(p), second, scale, &mut self.packed);
            self.pair.process_with_scratch(&mut self.packed, &mut self.scratch);
            let (first, rest) = ch.tails[next].split_at_mut((p + 1) * bins);
            let into = if p + 1 < parts { &mut rest[..bins] } else { &mut self.second[..] };
            split(&self.packed, &mut first[p * bins..], into);
        }
        ch.current = next;
        ch.fade_next |= fade;
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
        dst.tails[next][..len].copy_from_slice(&src.tails[src.current][..len]);
        dst.heads[next].copy_from_slice(&src.heads[src.current]);
        dst.current = next;
        dst.fade_next |= fade;
    }

    /// Takes channel `c`'s next input samples (any number) and writes the output samples they
    /// complete: `out[i] = Σ_m h[m] · x[t_i − m]` for the samples `t_i`, no latency. A block's
    /// transforms run when its first sample arrives (the block before is then complete and the
    /// filter for the block is set).
    #[inline(always)]
    pub fn process(&mut self, c: usize, input: &[f32], out: &mut [f32]) {
        let block = self.block;
        let mut done = 0;
        while done < input.len() {
            if self.channels[c].pos == block {
                self.next_block(c);
            }
            let ch = &mut self.channels[c];
            let n = (block - ch.pos).min(input.len() - done);
            let step = 1.0 / block as f32;
            for i in 0..n {
                let pos = ch.pos;
                ch.input[block + pos] = input[done + i];
                // x[t − k] for k = 0…block−1 is input[block + pos − k]: the reversed head meets
                // input[pos + 1 ..= block + pos] in order.
                let history = &ch.input[pos + 1..block + pos + 1];
                let mut y = ch.tail[pos] + dot(&ch.heads[ch.current], history);
                if ch.fading {
                    let old = ch.old_tail[pos] + dot(&ch.heads[1 - ch.current], history);
                    y = old + (pos + 1) as f32 * step * (y - old);
                }
                out[done + i] = y;
                ch.pos += 1;
            }
            done += n;
        }
    }

    /// The block in `input[block..]` is complete: into the delay line with the one before it,
    /// the tail's output for the next block, and the block edge.
    #[inline(always)]
    fn next_block(&mut self, c: usize) {
        let (block, bins, parts) = (self.block, self.block + 1, self.partitions);
        let ch = &mut self.channels[c];
        ch.slot = (ch.slot + 1) % parts;
        self.time.copy_from_slice(&ch.input);
        let newest = &mut ch.delay_line[ch.slot * bins..(ch.slot + 1) * bins];
        let _ = self.forward.process_with_scratch(&mut self.time, newest, &mut self.scratch);
        accumulate(&ch.tails[ch.current], &ch.delay_line, ch.slot, parts, bins, &mut self.sum);
        let _ = self.inverse.process_with_scratch(&mut self.sum, &mut self.time, &mut self.scratch);
        ch.tail.copy_from_slice(&self.time[block..]);
        ch.fading = ch.fade_next;
        ch.fade_next = false;
        if ch.fading {
            accumulate(&ch.tails[1 - ch.current], &ch.delay_line, ch.slot, parts, bins, &mut self.sum);
            let _ = self.inverse.process_with_scratch(&mut self.sum, &mut self.time, &mut self.scratch);
            ch.old_tail.copy_from_slice(&self.time[block..]);
        }
        ch.input.copy_within(block..2 * block, 0);
        ch.pos = 0;
    }
}

/// `Σ a·b` in eight lanes (so that it vectorises), then summed.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    let mut sum = ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>();
    for l in lanes {
        sum += l;
    }
    sum
}

/// `sum = Σ_p filter_p · line_{slot − p}`: partition `p` meets the input `p` blocks back.
#[inline(always)]
fn accumulate(filter: &[Complex32], line: &[Complex32], slot: usize, parts: usize, bins: usize, sum: &mut [Complex32]) {
    sum.fill(Complex32::default());
    for p in 0..parts {
        let at = (slot + parts - p) % parts;
        let (h, x) = (&filter[p * bins..(p + 1) * bins], &line[at * bins..(at + 1) * bins]);
        for ((s, h), x) in sum.iter_mut().zip(h).zip(x) {
            *s += h * x;
        }
    }
    // A real signal's DC and Nyquist bins are real; realfft insists on it.
    sum[0].im = 0.0;
    sum[bins - 1].im = 0.0;
}
