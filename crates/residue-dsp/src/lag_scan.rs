//! Looks for the reference over a span far longer than the analysis window, both ways: a bleed
//! that reaches the track more than half a window after the reference hears it (a distant mic),
//! and a reference that arrives *later* than its bleed — what a host does that delays the track
//! for the plugin's latency but not the track feeding the sidechain (Ardour 7.3: exactly one
//! plugin latency late, in every routing). Neither is within reach of the frame-by-frame search
//! in [`super::lag`], whose frames barely overlap beyond half a window.
//!
//! GCC-PHAT again, on its own long frames: the track and the reference, averaged over `D`
//! samples at a time (about 8 kHz or less), are kept in rings of [`SPAN`] samples; every
//! [`SCAN_SECONDS`] their latest span is windowed and transformed, the cross spectrum
//! `X · conj(R)` is averaged over scans (about [`MEMORY_SECONDS`]), whitened over the lower
//! quarter of its band and transformed back. The average over `D` samples (a boxcar: one add per
//! sample) keeps out of that quarter most of what the decimation folds back from above (the
//! boxcar's response falls towards its first null there); taking every `D`th sample alone lets a cymbal's band fold onto
//! the one the lag is read from, with the wrong phase. The highest peak
//! within the lags searched is the lag, when it stands [`CONFIDENCE`] times above the
//! correlation's RMS. The work of a scan is spread over [`SCAN_HOPS`] hops ([`LagScan::step`]),
//! a transform per hop where the channels allow, so that no audio callback carries it all.
//!
//! The scan takes its input a hop at a time from the STFT's frames ([`LagScan::push`]), and
//! starts, reads its span and reports after a count of hops: what it finds, and when, depends
//! on the sample position alone, not on how the host splits the audio nor on how many channels
//! the engine has. So an engine's output stays the same for any block size, and each channel's
//! engine of its own (the renderer's lanes) stays bit for bit the multichannel engine, now that
//! the lag it finds is applied ([`super::lag::LagFinder::seed`]).
//!
//! The resolution is the decimated sample (a few samples at the track's rate): this finds where
//! to look, not the exact lag.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::pages::{touch, touch_rows};
use super::routing::Routing;

/// Decimated samples per scan frame (a power of two).
pub const SPAN: usize = 8192;
/// Seconds between scans.
pub const SCAN_SECONDS: f32 = 1.0;
/// The first scans after a reset come twice as often, so that a far lag is applied within a
/// few seconds (a scan's result on its own is not trusted: see [`APPLY_CONFIDENCE`]).
pub const EARLY_SCANS: u64 = 4;
/// Time constant of the cross-spectrum average, seconds.
pub const MEMORY_SECONDS: f32 = 4.0;
/// A peak counts when it is this many times the correlation's RMS.
pub const CONFIDENCE: f32 = 6.0;
/// A lag that the engine applies ([`LagScan::early`]) must stand this high: a wrong far lag
/// costs more than a late one, and on tonal material the first scans' spurious peaks can come
/// close to [`CONFIDENCE`] where real ones keep growing over a few scans.
pub const APPLY_CONFIDENCE: f32 = 9.0;
/// Hops from a scan's start to its result, whatever the number of channels and pairs: the
/// work is spread evenly over them (one transform per hop up to 7 channels and pairs).
pub const SCAN_HOPS: usize = 8;
/// The decimated rate aimed at, Hz: enough band (a quarter of it is used) for a clear peak.
const RATE_AIM: f32 = 8_000.0;

/// What a scan found for one (main channel, source) pair.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scanned {
    /// The lag in samples at the track's rate: > 0 the bleed reaches the track after the
    /// reference, < 0 the reference arrives late. Meaningful when `found`.
    pub lag: i64,
    pub found: bool,
}

pub struct LagScan {
    rate: f32,
    main: usize,
    /// Track samples per decimated sample, and the lags searched (decimated samples).
    decimation: usize,
    early: usize,
    late: usize,
    /// Per input channel (main channels, then reference channels): the running sum of the
    /// boxcar under way, and a ring of decimated samples; samples in the boxcar under way.
    sums: Vec<f32>,
    phase: usize,
    rings: Vec<Vec<f32>>,
    written: usize,
    /// The reference channels of each pair; what was found, two per pair (the highest peak
    /// either way, the highest early one), and what the scan under way has found so far
    /// (reported when it ends).
    pairs: Vec<(usize, Vec<usize>)>,
    found: Vec<Scanned>,
    pending: Vec<Scanned>,
    window: Vec<f32>,
    frames: Vec<Vec<f32>>,
    spectra: Vec<Vec<Complex32>>,
    cross: Vec<Vec<Complex32>>,
    spectrum: Vec<Complex32>,
    time: Vec<f32>,
    scratch: Vec<Complex32>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    /// Decimated samples since the last scan began, and the next step of the scan under way
    /// (`None`: waiting).
    since: usize,
    step: Option<usize>,
    scans: u64,
}

impl LagScan {
    /// For `routing`'s channels at `rate`, searching up to `early_seconds` early and
    /// `late_seconds` late. Allocates everything the scan will use.
    pub fn new(rate: f32, routing: &Routing, early_seconds: f32, late_seconds: f32) -> Self {
        let main = routing.main_channels();
        let channels = main + routing.views().iter().copied().max().map_or(0, |r| r + 1);
        let mut pairs = Vec::new();
        for c in 0..main {
            for j in 0..routing.sources() {
                let mut refs: Vec<usize> = routing.of(c, j).map(|v| main + routing.views()[v]).collect();
                refs.dedup();
                pairs.push((c, refs));
            }
        }
        let mut planner = RealFftPlanner::<f32>::new();
        let (forward, inverse) = (planner.plan_fft_forward(SPAN), planner.plan_fft_inverse(SPAN));
        let scratch = forward.get_scratch_len().max(inverse.get_scratch_len());
        let bins = SPAN / 2 + 1;
        let window = (0..SPAN).map(|n| (std::f32::consts::PI * n as f32 / SPAN as f32).sin().powi(2)).collect();
        let mut scan = Self {
            rate,
            main,
            decimation: 1,
            early: 0,
            late: 0,
            sums: vec![0.0; channels],
            phase: 0,
            rings: vec![vec![0.0; SPAN]; channels],
            written: 0,
            found: vec![Scanned::default(); 2 * pairs.len()],
            pending: vec![Scanned::default(); 2 * pairs.len()],
            cross: vec![vec![Complex32::default(); bins]; pairs.len()],
            pairs,
            window,
            frames: vec![vec![0.0; SPAN]; channels],
            spectra: vec![vec![Complex32::default(); bins]; channels],
            spectrum: vec![Complex32::default(); bins],
            time: vec![0.0; SPAN],
            scratch: vec![Complex32::default(); scratch],
            forward,
            inverse,
            since: 0,
            step: None,
            scans: 0,
        };
        for rows in [&mut scan.rings, &mut scan.frames] {
            touch_rows(rows);
        }
        touch_rows(&mut scan.spectra);
        touch_rows(&mut scan.cross);
        touch(&mut scan.spectrum);
        touch(&mut scan.time);
        touch(&mut scan.scratch);
        scan.set_range(early_seconds, late_seconds);
        scan
    }

    /// Searches up to `early_seconds` early and `late_seconds` late from now on: the decimation
    /// is chosen so that the span is four times the longest lag. Forgets what was scanned.
    pub fn set_range(&mut self, early_seconds: f32, late_seconds: f32) {
        let longest = early_seconds.max(late_seconds).max(0.0);
        let by_band = (self.rate / RATE_AIM).round();
        let by_span = (4.0 * longest * self.rate / SPAN as f32).ceil();
        self.decimation = by_band.max(by_span).max(1.0) as usize;
        let rate = self.rate / self.decimation as f32;
        let limit = SPAN / 4;
        (self.early, self.late) =
            (((early_seconds * rate).ceil() as usize).min(limit), ((late_seconds * rate).ceil() as usize).min(limit));
        self.reset();
    }

    /// Forgets the audio and what was found.
    pub fn reset(&mut self) {
        self.sums.fill(0.0);
        for ring in &mut self.rings {
            ring.fill(0.0);
        }
        for row in &mut self.cross {
            row.fill(Complex32::default());
        }
        self.found.fill(Scanned::default());
        self.pending.fill(Scanned::default());
        (self.phase, self.written, self.since, self.step, self.scans) = (0, 0, 0, None, 0);
    }

    /// Track samples per decimated sample.
    pub fn decimation(&self) -> usize {
        self.decimation
    }

    /// What the scans found for pair `p` (main channel after main channel, source after source).
    pub fn found(&self, p: usize) -> Scanned {
        self.found[2 * p]
    }

    /// The highest peak of pair `p` at a lag ≥ 0 (the bleed after the reference), found when it
    /// stands [`APPLY_CONFIDENCE`] times above the correlation's RMS: a lag to apply. Looked for
    /// apart from [`LagScan::found`], as a reference that also holds the track's own source
    /// (a singer heard by the guitar's mic) correlates with the track at a lag of its own,
    /// often the higher peak.
    pub fn early(&self, p: usize) -> Scanned {
        self.found[2 * p + 1]
    }

    /// Scans completed since the last reset.
    pub fn scans(&self) -> u64 {
        self.scans
    }

    /// Takes `len` samples of every channel: `main(c)` of main channel `c`, `refs(r)` of
    /// reference channel `r`, free of garbage (the STFT's input; a short channel counts as
    /// silence). Called once per hop with that hop's input ([`super::stft::Frame::main_hop`]).
    pub fn push<'a>(&mut self, len: usize, main: impl Fn(usize) -> &'a [f32], refs: impl Fn(usize) -> &'a [f32]) {
        let d = self.decimation;
        // The boxcar under way takes `head` samples to finish; then whole boxcars; the rest
        // starts the next one. The same for every channel.
        let head = (d - self.phase).min(len);
        let finishes = self.phase + head == d;
        let whole = if finishes { (len - head) / d } else { 0 };
        let rest = if finishes { head + whole * d } else { len };
        let scale = 1.0 / d as f32;
        for ch in 0..self.sums.len() {
            let src: &[f32] = if ch < self.main { main(ch) } else { refs(ch - self.main) };
            let sample = |i: usize| src.get(i).copied().unwrap_or(0.0);
            let ring = &mut self.rings[ch];
            let mut w = self.written;
            let mut sum = self.sums[ch] + (0..head).map(sample).sum::<f32>();
            if finishes {
                ring[w % SPAN] = sum * scale;
                w += 1;
                if src.len() >= rest {
                    for chunk in src[head..rest].chunks_exact(d) {
                        ring[w % SPAN] = chunk.iter().sum::<f32>() * scale;
                        w += 1;
                    }
                } else {
                    for b in 0..whole {
                        ring[w % SPAN] = (head + b * d..head + (b + 1) * d).map(sample).sum::<f32>() * scale;
                        w += 1;
                    }
                }
                sum = (rest..len).map(sample).sum();
            }
            self.sums[ch] = sum;
        }
        let added = usize::from(finishes) * (1 + whole);
        self.since += added;
        self.written += added;
        self.phase = if finishes { len - rest } else { self.phase + head };
    }

    /// One hop's share of a scan, when one is due or under way; call once per hop, after
    /// [`LagScan::push`]. The work (the span of every channel, a forward transform per channel,
    /// a search per pair) is spread over [`SCAN_HOPS`] hops; what the scan found is reported
    /// at the last of them.
    pub fn step(&mut self) {
        let every = ((self.period() * self.rate / self.decimation as f32) as usize).max(1);
        let step = match self.step {
            Some(s) => s,
            None if self.since >= every && self.written >= SPAN / 2 => 0,
            None => return,
        };
        let items = 1 + self.frames.len() + self.pairs.len();
        let per_hop = items.div_ceil(SCAN_HOPS);
        for item in (step * per_hop).min(items)..((step + 1) * per_hop).min(items) {
            self.work(item);
        }
        if step + 1 < SCAN_HOPS {
            self.step = Some(step + 1);
        } else {
            self.found.copy_from_slice(&self.pending);
            self.step = None;
            self.scans += 1;
        }
    }

    /// Piece `item` of a scan: 0 takes the spans, then a transform per channel, a search per pair.
    fn work(&mut self, item: usize) {
        let channels = self.frames.len();
        if item == 0 {
            self.since = 0;
            let end = self.written % SPAN;
            for (frame, ring) in self.frames.iter_mut().zip(&self.rings) {
                // Oldest first: the ring from the write position on, then up to it.
                frame[..SPAN - end].copy_from_slice(&ring[end..]);
                frame[SPAN - end..].copy_from_slice(&ring[..end]);
                for (x, w) in frame.iter_mut().zip(&self.window) {
                    *x *= w;
                }
            }
        } else if item <= channels {
            let ch = item - 1;
            let _ = self.forward.process_with_scratch(&mut self.frames[ch], &mut self.spectra[ch], &mut self.scratch);
        } else {
            self.search(item - 1 - channels);
        }
    }

    /// Seconds from one scan to the next.
    fn period(&self) -> f32 {
        if self.scans < EARLY_SCANS {
            SCAN_SECONDS / 2.0
        } else {
            SCAN_SECONDS
        }
    }

    fn search(&mut self, p: usize) {
        let bins = SPAN / 2 + 1;
        let forget = (-self.period() / MEMORY_SECONDS).exp();
        let (c, refs) = (&self.pairs[p].0, &self.pairs[p].1);
        for k in 0..bins {
            let r: Complex32 = refs.iter().map(|&ch| self.spectra[ch][k]).sum();
            self.cross[p][k] = self.cross[p][k] * forget + self.spectra[*c][k] * r.conj();
        }
        // PHAT over the lower quarter of the band (regularised: empty bins stay quiet).
        let used = bins / 4;
        let mean = self.cross[p][..used].iter().map(|c| c.norm()).sum::<f32>() / used as f32;
        if mean.is_nan() || mean <= 0.0 {
            self.pending[2 * p..2 * p + 2].copy_from_slice(&self.found[2 * p..2 * p + 2]);
            return;
        }
        for (s, x) in self.spectrum.iter_mut().zip(&self.cross[p]).take(used) {
            *s = x / (x.norm() + 1e-3 * mean);
        }
        self.spectrum[used..].fill(Complex32::default());
        self.spectrum[0].im = 0.0;
        if self.inverse.process_with_scratch(&mut self.spectrum, &mut self.time, &mut self.scratch).is_err() {
            self.pending[2 * p..2 * p + 2].copy_from_slice(&self.found[2 * p..2 * p + 2]);
            return;
        }
        let rms = (self.time.iter().map(|t| t * t).sum::<f32>() / SPAN as f32).sqrt();
        // Early lags at the start of the correlation, late ones wrapped round to its end.
        let candidates = (0..=self.early)
            .map(|n| (n as i64, self.time[n]))
            .chain((1..=self.late).map(|n| (-(n as i64), self.time[SPAN - n])));
        let highest = |best: (i64, f32), c: (i64, f32)| if c.1 > best.1 { c } else { best };
        let (lag, peak) = candidates.fold((0i64, f32::MIN), highest);
        let (early, early_peak) = (0..=self.early).map(|n| (n as i64, self.time[n])).fold((0i64, f32::MIN), highest);
        let d = self.decimation as i64;
        let found = |lag: i64, peak: f32, confidence: f32, was: Scanned| {
            if peak > confidence * rms {
                Scanned { lag: lag * d, found: true }
            } else {
                Scanned { found: false, ..was }
            }
        };
        self.pending[2 * p] = found(lag, peak, CONFIDENCE, self.found[2 * p]);
        self.pending[2 * p + 1] = found(early, early_peak, APPLY_CONFIDENCE, self.found[2 * p + 1]);
    }
}
