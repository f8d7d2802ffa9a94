//! The STFT ring buffers: windowed analysis of the main and reference channels every hop,
//! a callback that edits the main spectra, then synthesis and overlap-add.
//!
//! Frames are cut on a fixed grid of input samples (one every `hop` samples since the last
//! reset), never on block boundaries, so the output is bit-identical however the host splits
//! the audio. When a frame's last sample arrives it is only windowed; its transforms, the frame
//! callback and its synthesis are spread as stages over the next hop's samples, and its output
//! starts when that hop ends. One hop of latency more than the `window − 1` an STFT needs buys
//! a flat load: with small host buffers no single call carries a whole frame's work (a 64-sample
//! call at 4096 / 4x carries at most one stage of about eight). Where a stage runs depends on the
//! sample position only, so the output is still the same for any block size. The dry signal is
//! held back the same way, aligned with the wet output.
//!
//! The references are analysed per *view* by [`References`], which Live shares: cut with the
//! main channels' frame at the end of each hop, each view's transform a stage of its own. The
//! reference is only analysed, never heard, so aligning it to its bleed adds no latency.
//!
//! Everything is allocated in [`Stft::new`] for the largest window; [`Stft::set_window`]
//! switches size and overlap without allocating (FFT plans exist for every size).

use realfft::num_complex::Complex32;

use super::fft::Plans;
use super::isa::Isa;
use super::pages::{touch, touch_rows};
use super::ramp::Ramp;
use super::references::{FrameRefs, References};
use super::samples::{mix_into, sanitize_into, window_into};
use super::window::stft_windows;

pub use super::limits::{MAX_WINDOW, MIN_WINDOW};
pub const OVERLAPS: [usize; 3] = [2, 4, 8];
/// Samples between an input sample and its output at this shape: the window's last sample
/// completes a frame, and the frame is worked on over the following hop.
pub fn latency(size: usize, overlap: usize) -> usize {
    size - 1 + size / overlap
}

/// Whether `size`/`overlap` is a supported STFT shape that fits `max_window`.
pub fn valid_shape(size: usize, overlap: usize, max_window: usize) -> bool {
    size.is_power_of_two() && (MIN_WINDOW..=max_window.min(MAX_WINDOW)).contains(&size) && OVERLAPS.contains(&overlap)
}

/// The spectra of one frame, handed to the frame callback.
pub struct Frame<'a> {
    /// Main channels' spectra (`bins` valid entries each): edit these in place.
    pub main: &'a mut [Vec<Complex32>],
    /// Spectra of the reference views (`bins` valid entries each), each taken `ref_delay`
    /// samples late.
    pub refs: &'a [Vec<Complex32>],
    pub bins: usize,
    /// Delay of each view, samples (≤ `max_delay`); a change applies from the next frame on.
    pub ref_delay: &'a mut [usize],
    /// Per view: `Some(u)` when its spectrum is view `u`'s (same channel, same delay: one
    /// transform), so work on it can be shared too.
    pub shares: &'a [Option<usize>],
    pub max_delay: usize,
    /// Which of the frame's callback stages this is (see [`Stft::set_callback_parts`]).
    pub part: usize,
    /// Where the separator puts its result: `None`, the masks multiply `main` in place (Mix);
    /// `Some(rows)`, `main` stays as it is and each channel's final per-bin real gain (what it
    /// would have multiplied by) is written to `rows[c][..bins]` instead (Live, which turns the
    /// gains into a filter: see [`super::live`]).
    pub gains: Option<&'a mut [Vec<f32>]>,
    /// The input as the driver holds it (sanitised): per main channel the frame's samples, per
    /// reference channel `max_delay` more before them; read through [`Frame::main_hop`] and
    /// [`Frame::ref_hop`], whose last samples are at `main_end` and `ref_end`.
    pub(super) main_in: &'a [Vec<f32>],
    pub(super) ref_in: &'a [Vec<f32>],
    pub(super) main_end: usize,
    pub(super) ref_end: usize,
    pub(super) hop: usize,
}

impl<'a> Frame<'a> {
    /// A frame of `main` (the main channels' spectra, `bins` of each), the references as
    /// [`References::frame_parts`] gives them, the main channels' input ending at `main_end`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn new(
        main: &'a mut [Vec<Complex32>],
        refs: FrameRefs<'a>,
        bins: usize,
        part: usize,
        gains: Option<&'a mut [Vec<f32>]>,
        main_in: &'a [Vec<f32>],
        main_end: usize,
        hop: usize,
    ) -> Self {
        Frame {
            main,
            refs: refs.spectra,
            bins,
            ref_delay: refs.delay,
            shares: refs.shares,
            max_delay: refs.max_delay,
            part,
            gains,
            main_in,
            ref_in: refs.input,
            main_end,
            ref_end: refs.end,
            hop,
        }
    }

    /// The frame's last hop of input, main channel `c` (of the frame's), as it came in (after
    /// sanitising): the samples that completed the frame, `hop` of them. Frame after frame these
    /// are the input once each, in order, cut on the frame grid whatever the host's blocks.
    pub fn main_hop(&self, c: usize) -> &[f32] {
        &self.main_in[c][self.main_end - self.hop..self.main_end]
    }

    /// The same samples of reference channel `r` (undelayed).
    pub fn ref_hop(&self, r: usize) -> &[f32] {
        &self.ref_in[r][self.ref_end - self.hop..self.ref_end]
    }

    /// Reference channels.
    pub fn ref_channels(&self) -> usize {
        self.ref_in.len()
    }
}

pub struct Stft {
    max_window: usize,
    size: usize,
    overlap: usize,
    hop: usize,
    /// Samples of the current hop received so far.
    pos: usize,
    plans: Plans,
    analysis: Vec<f32>,
    synthesis: Vec<f32>,
    /// Last `size` input samples per main channel; new ones land in the last hop.
    main_in: Vec<Vec<f32>>,
    /// Overlap-add accumulator per main channel.
    out_acc: Vec<Vec<f32>>,
    /// Finished wet and dry samples of the current hop, emitted one per input sample.
    wet_ready: Vec<Vec<f32>>,
    dry_ready: Vec<Vec<f32>>,
    /// The dry hop of the frame in flight: emitted after the next one.
    dry_next: Vec<Vec<f32>>,
    main_spec: Vec<Vec<Complex32>>,
    /// The frame in flight, windowed: main channels, then the reference views (the transforms
    /// use their input as scratch, so each needs its own).
    windowed: Vec<Vec<f32>>,
    /// Main channels of the frame in flight, and its next stage (`stages()` when done).
    frame_channels: usize,
    stage: usize,
    /// Callback stages per frame.
    callback_parts: usize,
    time: Vec<f32>,
    mix_gains: Vec<f32>,
    isa: Isa,
}

impl Stft {
    /// Allocates everything for windows up to `max_window` (a supported power of two), with
    /// `views` reference views (analysed by the [`References`] given to [`Stft::process`]).
    pub fn new(main_channels: usize, views: usize, max_window: usize, size: usize, overlap: usize) -> Self {
        assert!(valid_shape(size, overlap, max_window) && valid_shape(max_window, 2, MAX_WINDOW));
        let bins = max_window / 2 + 1;
        let buffers = |count: usize, len: usize| vec![vec![0.0f32; len]; count];
        let spectra = |count: usize| vec![vec![Complex32::default(); bins]; count];
        let mut stft = Self {
            max_window,
            size,
            overlap,
            hop: size / overlap,
            pos: 0,
            plans: Plans::new(max_window, true),
            analysis: vec![0.0; max_window],
            synthesis: vec![0.0; max_window],
            main_in: buffers(main_channels, max_window),
            out_acc: buffers(main_channels, max_window),
            wet_ready: buffers(main_channels, max_window / 2),
            dry_ready: buffers(main_channels, max_window / 2),
            dry_next: buffers(main_channels, max_window / 2),
            main_spec: spectra(main_channels),
            windowed: buffers(main_channels + views, max_window),
            frame_channels: 0,
            stage: 0,
            callback_parts: 1,
            time: vec![0.0; max_window],
            mix_gains: vec![0.0; max_window / 2],
            isa: Isa::best(),
        };
        for buf in [&mut stft.analysis, &mut stft.synthesis, &mut stft.time, &mut stft.mix_gains] {
            touch(buf);
        }
        for rows in [
            &mut stft.main_in,
            &mut stft.out_acc,
            &mut stft.wet_ready,
            &mut stft.dry_ready,
            &mut stft.dry_next,
            &mut stft.windowed,
        ] {
            touch_rows(rows);
        }
        touch_rows(&mut stft.main_spec);
        stft.set_window(size, overlap);
        stft
    }

    /// Switches window size and overlap (returns false, changing nothing, if unsupported).
    /// Resets the buffers: a hop's worth of audio restarts from silence.
    pub fn set_window(&mut self, size: usize, overlap: usize) -> bool {
        if !valid_shape(size, overlap, self.max_window) {
            return false;
        }
        self.size = size;
        self.overlap = overlap;
        self.hop = size / overlap;
        stft_windows(size, overlap, &mut self.analysis, &mut self.synthesis);
        self.reset();
        true
    }

    /// Forgets the audio (the [`References`] are reset by their owner).
    pub fn reset(&mut self) {
        for buf in self.main_in.iter_mut().chain(&mut self.out_acc) {
            buf.fill(0.0);
        }
        for buf in self.wet_ready.iter_mut().chain(&mut self.dry_ready).chain(&mut self.dry_next) {
            buf.fill(0.0);
        }
        self.pos = 0;
        // No frame in flight.
        self.frame_channels = 0;
        self.stage = 0;
    }

    pub fn size(&self) -> usize {
        self.size
    }
    pub fn overlap(&self) -> usize {
        self.overlap
    }
    pub fn hop(&self) -> usize {
        self.hop
    }
    pub fn bins(&self) -> usize {
        self.size / 2 + 1
    }
    /// Output lags input by this many samples, exactly.
    pub fn latency(&self) -> usize {
        latency(self.size, self.overlap)
    }
    pub fn max_window(&self) -> usize {
        self.max_window
    }
    pub fn main_channels(&self) -> usize {
        self.main_in.len()
    }

    /// Compiles the per-sample loops (and the frame callback, inlined into them) for `isa`,
    /// which must be supported on this CPU (the engine checks).
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa;
    }

    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Calls the frame callback `parts` times per frame (1–4, in order, each a stage of its own
    /// with `Frame::part` counting up), so a caller with separable work spreads it further.
    pub fn set_callback_parts(&mut self, parts: usize) {
        self.callback_parts = parts.clamp(1, 4);
    }

    /// Runs the main channels through the STFT in place, calling `on_frame` once per hop;
    /// `refs` (the reference channels' samples, missing or shorter than the block counting as
    /// silence) go into `references`, which analyses them with each frame. The output is
    /// `mix · wet + (1 − mix) · dry`, with `mix` advancing one step per sample.
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
        let (size, hop) = (self.size, self.hop);
        let mut done = 0;
        while done < len {
            // The stages of the frame in flight that are due at this position.
            while self.stage < self.stages() && self.stage_due(self.stage) <= self.pos {
                self.run_stage(references, &mut on_frame);
            }
            let next_stage = if self.stage < self.stages() { self.stage_due(self.stage) } else { hop };
            let n = (next_stage.min(hop) - self.pos).min(len - done);
            let at = size - hop + self.pos;
            for (c, ch) in main[..channels].iter().enumerate() {
                sanitize_into(&ch[done..done + n], &mut self.main_in[c][at..at + n]);
            }
            references.push(refs, done, n);
            for g in &mut self.mix_gains[..n] {
                *g = mix.next_value();
            }
            let completes = self.pos + n == hop;
            let direct = if completes { n - 1 } else { n };
            let from = self.pos + 1;
            for (c, ch) in main[..channels].iter_mut().enumerate() {
                mix_into(
                    &mut ch[done..done + direct],
                    &self.wet_ready[c][from..from + direct],
                    &self.dry_ready[c][from..from + direct],
                    &self.mix_gains[..direct],
                );
            }
            if completes {
                while self.stage < self.stages() {
                    self.run_stage(references, &mut on_frame);
                }
                self.emit_hop();
                self.cut_frame(channels, references);
                let g = self.mix_gains[n - 1];
                for (c, ch) in main[..channels].iter_mut().enumerate() {
                    mix_into(&mut ch[done + n - 1..done + n], &self.wet_ready[c][..1], &self.dry_ready[c][..1], &[g]);
                }
                self.pos = 0;
            } else {
                self.pos += n;
            }
            done += n;
        }
    }

    /// Stages of the frame in flight: its main transforms, its views, the callback's parts, its
    /// syntheses. Zero when no frame is in flight.
    #[inline(always)]
    fn stages(&self) -> usize {
        if self.frame_channels == 0 {
            0
        } else {
            2 * self.frame_channels + self.views() + self.callback_parts
        }
    }

    /// Reference views: the windowed buffers past the main channels'.
    #[inline(always)]
    fn views(&self) -> usize {
        self.windowed.len() - self.main_in.len()
    }

    /// The position in the hop at which stage `i` runs: evenly spread, all before the hop ends.
    #[inline(always)]
    fn stage_due(&self, i: usize) -> usize {
        (i + 1) * self.hop / (self.stages() + 1)
    }

    #[inline(always)]
    fn run_stage(&mut self, references: &mut References, on_frame: &mut impl FnMut(&mut Frame)) {
        let (size, bins, channels, views) = (self.size, self.bins(), self.frame_channels, self.views());
        let i = self.stage;
        self.stage += 1;
        if i < channels {
            let _ = self.plans.forward(&mut self.windowed[i][..size], &mut self.main_spec[i][..bins]);
        } else if i < channels + views {
            let v = i - channels;
            if !references.copy_shared(v, bins) {
                // `windowed` holds the main channels, then the views (see `cut_frame`).
                let _ = self
                    .plans
                    .forward(&mut self.windowed[channels + v][..size], &mut references.spectrum_mut(v)[..bins]);
            }
        } else if i < channels + views + self.callback_parts {
            let part = i - channels - views;
            // The frame's last hop: the main buffers have moved on by a hop since it was cut.
            let main_end = size - self.hop;
            on_frame(&mut Frame::new(
                &mut self.main_spec[..channels],
                references.frame_parts(),
                bins,
                part,
                None,
                &self.main_in[..channels],
                main_end,
                self.hop,
            ));
            references.clamp_delays();
        } else {
            let c = i - channels - views - self.callback_parts;
            let spec = &mut self.main_spec[c][..bins];
            // A real signal's DC and Nyquist bins are real; realfft insists on it.
            spec[0].im = 0.0;
            spec[bins - 1].im = 0.0;
            let _ = self.plans.inverse(spec, &mut self.time[..size]);
            for ((a, &t), &w) in self.out_acc[c][..size].iter_mut().zip(&self.time[..size]).zip(&self.synthesis[..size])
            {
                *a += t * w;
            }
        }
        if self.stage == self.stages() {
            self.frame_channels = 0;
            self.stage = 0;
        }
    }

    /// At the end of a hop: the finished frame's first hop of output becomes the next hop's
    /// wet samples, the dry hop held back with it the next hop's dry ones.
    #[inline(always)]
    fn emit_hop(&mut self) {
        let (size, hop) = (self.size, self.hop);
        for c in 0..self.main_in.len() {
            let acc = &mut self.out_acc[c];
            self.wet_ready[c][..hop].copy_from_slice(&acc[..hop]);
            acc.copy_within(hop..size, 0);
            acc[size - hop..size].fill(0.0);
            std::mem::swap(&mut self.dry_ready[c], &mut self.dry_next[c]);
        }
    }

    /// Cuts the frame that just completed: windows its inputs (its stages run over the next hop)
    /// and shifts the input buffers on by a hop.
    #[inline(always)]
    fn cut_frame(&mut self, channels: usize, references: &mut References) {
        let (size, hop) = (self.size, self.hop);
        for c in 0..channels {
            window_into(&self.main_in[c][..size], &self.analysis[..size], &mut self.windowed[c][..size]);
            self.dry_next[c][..hop].copy_from_slice(&self.main_in[c][..hop]);
            self.main_in[c].copy_within(hop..size, 0);
        }
        references.cut();
        for v in 0..self.views() {
            // An earlier view of the same channel at the same delay has this spectrum already.
            if !references.shared(v) {
                references.window_view(v, &self.analysis[..size], &mut self.windowed[channels + v][..size]);
            }
        }
        self.frame_channels = channels;
        self.stage = 0;
    }
}
