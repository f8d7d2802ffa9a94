//! The reference analyser both frame grids share: each reference channel's input, its *views*
//! (a reference channel as one main channel hears it, delayed by that main channel's lag; see
//! [`super::routing`]) and their spectra.
//!
//! Mix ([`super::stft`]) and Live ([`super::live`]) cut frames on different grids, but a frame
//! ends at the newest input sample in both when it is cut, and a view's frame is the `size`
//! samples that end its delay earlier. This is where that rule, the delay line and the sharing
//! of one transform between views of the same channel at the same delay live, once.
//!
//! Each reference channel keeps at least `max_window + max_delay` samples back from the newest,
//! with slack after them: the kept samples are moved back to the start only when the slack is
//! used up, so a hop costs about one copy per input sample rather than the whole delay line's.
//! Everything is allocated in [`References::new`].

use realfft::num_complex::Complex32;

use super::pages::{touch, touch_rows};
use super::samples::{sanitize_into, window_into};

pub struct References {
    /// Per reference channel, the input (sanitised) up to `end` (exclusive).
    input: Vec<Vec<f32>>,
    end: usize,
    /// Samples kept back from `end` when the slack is used up.
    keep: usize,
    /// Where the frame last cut ends in `input` (moves back with the kept samples).
    cut_end: usize,
    max_delay: usize,
    /// The reference channel of each view, and its current delay in samples.
    views: Vec<usize>,
    delay: Vec<usize>,
    /// Per view: `Some(u)` when an earlier view `u` of the same channel at the same delay has
    /// its spectrum (decided when the frame is cut).
    shares: Vec<Option<usize>>,
    /// Per view, its spectrum of the frame last analysed (`max_window / 2 + 1` bins).
    spectra: Vec<Vec<Complex32>>,
}

impl References {
    /// `views[v]`: the reference channel (of `channels`) analysed as view `v`, delayed by up to
    /// `max_delay` samples; frames up to `max_window`, pushed in runs of up to `slack` samples.
    pub fn new(channels: usize, views: &[usize], max_window: usize, max_delay: usize, slack: usize) -> Self {
        assert!(views.iter().all(|&r| r < channels));
        let keep = max_window + max_delay;
        let mut references = Self {
            input: vec![vec![0.0; keep + slack.max(max_window)]; channels],
            end: keep,
            keep,
            cut_end: keep,
            max_delay,
            views: views.to_vec(),
            delay: vec![0; views.len()],
            shares: vec![None; views.len()],
            spectra: vec![vec![Complex32::default(); max_window / 2 + 1]; views.len()],
        };
        touch_rows(&mut references.input);
        for s in &mut references.spectra {
            touch(s);
        }
        references
    }

    /// Forgets the input: silence before the next sample.
    pub fn reset(&mut self) {
        for buf in &mut self.input {
            buf.fill(0.0);
        }
        self.end = self.keep;
        self.cut_end = self.keep;
    }

    /// Appends samples `from..from + n` of each reference channel (`refs` missing or shorter
    /// count as silence), sanitised.
    #[inline(always)]
    pub fn push(&mut self, refs: &[&[f32]], from: usize, n: usize) {
        if self.end + n > self.input.first().map_or(0, |b| b.len()) {
            let shift = self.end - self.keep;
            for buf in &mut self.input {
                buf.copy_within(shift..self.end, 0);
            }
            self.end = self.keep;
            self.cut_end -= shift;
        }
        let at = self.end;
        for (r, dst) in self.input.iter_mut().enumerate() {
            let dst = &mut dst[at..at + n];
            let src = refs.get(r).map_or(&[][..], |s| &s[from.min(s.len())..(from + n).min(s.len())]);
            sanitize_into(src, &mut dst[..src.len()]);
            dst[src.len()..].fill(0.0);
        }
        self.end += n;
    }

    /// Cuts a frame at the newest sample: from now on [`References::window_view`] and the
    /// frame's hop read it. Decides which views share a transform (same channel, same delay).
    #[inline(always)]
    pub fn cut(&mut self) {
        self.cut_end = self.end;
        for v in 0..self.views.len() {
            let (r, d) = (self.views[v], self.delay[v]);
            self.shares[v] = (0..v).find(|&u| self.views[u] == r && self.delay[u] == d);
        }
    }

    /// Windows view `v`'s frame of the last cut, `window.len()` samples, into `dst`.
    #[inline(always)]
    pub fn window_view(&self, v: usize, window: &[f32], dst: &mut [f32]) {
        let (r, d, size) = (self.views[v], self.delay[v], window.len());
        let end = self.cut_end - d;
        window_into(&self.input[r][end - size..end], window, dst);
    }

    /// Whether view `v` shares an earlier view's transform in the frame last cut.
    #[inline(always)]
    pub fn shared(&self, v: usize) -> bool {
        self.shares[v].is_some()
    }

    /// Copies view `v`'s spectrum from the view it shares a transform with; false when it
    /// shares none (then it needs a transform of its own).
    #[inline(always)]
    pub fn copy_shared(&mut self, v: usize, bins: usize) -> bool {
        match self.shares[v] {
            Some(u) => {
                let (done, rest) = self.spectra.split_at_mut(v);
                rest[0][..bins].copy_from_slice(&done[u][..bins]);
                true
            }
            None => false,
        }
    }

    /// View `v`'s spectrum, to transform into.
    pub fn spectrum_mut(&mut self, v: usize) -> &mut [Complex32] {
        &mut self.spectra[v]
    }

    /// Delays view `v` by `samples` (at most `max_delay`) from the next cut on.
    pub fn set_delay(&mut self, v: usize, samples: usize) {
        if let Some(d) = self.delay.get_mut(v) {
            *d = samples.min(self.max_delay);
        }
    }

    pub fn delay(&self, v: usize) -> usize {
        self.delay.get(v).copied().unwrap_or(0)
    }

    pub fn views(&self) -> usize {
        self.views.len()
    }

    pub fn channels(&self) -> usize {
        self.input.len()
    }

    pub fn max_delay(&self) -> usize {
        self.max_delay
    }

    /// The frame's view of the references, for [`super::stft::Frame`]: the spectra, the delays
    /// (the callback may change them), the shares, and the input up to the frame's end.
    #[inline(always)]
    pub fn frame_parts(&mut self) -> FrameRefs<'_> {
        FrameRefs {
            spectra: &self.spectra,
            delay: &mut self.delay,
            shares: &self.shares,
            max_delay: self.max_delay,
            input: &self.input,
            end: self.cut_end,
        }
    }

    /// After a frame callback: delays it set kept within the delay line.
    #[inline(always)]
    pub fn clamp_delays(&mut self) {
        for d in &mut self.delay {
            *d = (*d).min(self.max_delay);
        }
    }
}

/// What a frame holds of the references (see [`References::frame_parts`]).
pub struct FrameRefs<'a> {
    pub spectra: &'a [Vec<Complex32>],
    pub delay: &'a mut [usize],
    pub shares: &'a [Option<usize>],
    pub max_delay: usize,
    pub input: &'a [Vec<f32>],
    pub end: usize,
}
