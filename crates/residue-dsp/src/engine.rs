//! The engine every front end drives: the plugin, the offline renderer, the tests and the
//! benchmarks. Plain slices in and out, any block size, no allocation after [`Engine::new`].

use std::fmt;

use super::analysis::Analysis;
use super::isa::Isa;
use super::lag::LagFinder;
use super::lag_scan::{LagScan, Scanned};
use super::live::{LatencyMode, Live};
use super::profile::{self, Profile};
use super::ramp::Ramp;
use super::references::References;
use super::routing::Routing;
use super::separator::{FrameCoeffs, Separator};
use super::settings::{Settings, LAG_RANGE_MS};
use super::stft::{valid_shape, Frame, Stft, MAX_WINDOW, MIN_WINDOW, OVERLAPS};
use super::taps::TapFit;

use super::limits::{MAX_MAIN_CHANNELS, MAX_SOURCES, MAX_SOURCE_CHANNELS, SAMPLE_RATE_RANGE};

/// The longest reference delay at `sample_rate`, samples (the delay line's length).
pub fn max_lag_samples(sample_rate: f32) -> usize {
    (LAG_RANGE_MS.1 * 1e-3 * sample_rate).ceil() as usize
}

/// How far early the long scan looks for the reference, seconds: as far as a lag may be set.
fn scan_early_seconds() -> f32 {
    LAG_RANGE_MS.1 * 1e-3
}

/// How far late: a host that does not delay the sidechain for the plugin's latency delivers
/// it one latency late, and a little more is looked at around that.
fn scan_late_seconds(latency: usize, rate: f32) -> f32 {
    latency as f32 / rate + 0.05
}

/// What is fixed for the engine's lifetime (everything that sizes a buffer).
#[derive(Clone, Debug, PartialEq)]
pub struct EngineConfig {
    pub sample_rate: f32,
    pub main_channels: usize,
    /// Channel count (1–[`MAX_SOURCE_CHANNELS`]) of each reference source, in the order of the
    /// reference inputs.
    pub sources: Vec<usize>,
    /// The largest window `set_window` may switch to.
    pub max_window: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    SampleRate(f32),
    MainChannels(usize),
    SourceChannels(usize),
    TooManySources(usize),
    Window { size: usize, overlap: usize, max_window: usize },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Self::SampleRate(r) => write!(f, "sample rate {r} Hz is not supported (use {}–{} Hz)", SAMPLE_RATE_RANGE.0, SAMPLE_RATE_RANGE.1),
            Self::MainChannels(n) => write!(f, "{n} main channels are not supported (use 1 or 2)"),
            Self::SourceChannels(n) => write!(f, "a reference with {n} channels is not supported (use 1 to {MAX_SOURCE_CHANNELS})"),
            Self::TooManySources(n) => write!(f, "{n} references are more than the {MAX_SOURCES} supported"),
            Self::Window { size, overlap, max_window } => write!(
                f,
                "window {size} with overlap {overlap} is not supported (window: a power of two from {MIN_WINDOW} to {max_window}; overlap: {OVERLAPS:?})"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// What the engine needs to know of the frame grid in use: Mix's STFT or Live's.
struct Grid {
    /// Samples between frames.
    hop: usize,
    /// Frames per window.
    overlap: usize,
    /// Samples between an input sample and its output.
    latency: usize,
}

impl Grid {
    /// The one place the latency mode picks a grid (besides [`Engine::process`], which runs it).
    fn of(mode: LatencyMode, stft: &Stft, live: &Live) -> Self {
        match mode {
            LatencyMode::Mix => Grid { hop: stft.hop(), overlap: stft.overlap(), latency: stft.latency() },
            LatencyMode::Live => Grid { hop: live.hop(), overlap: live.overlap(), latency: live.latency() },
        }
    }
}

pub struct Engine {
    config: EngineConfig,
    sample_rate: f32,
    /// The references' input, views and spectra, which both frame grids analyse.
    references: References,
    /// Mix's frame grid.
    stft: Stft,
    /// Live's frame grid (allocated whatever the mode, so that switching allocates nothing).
    live: Live,
    mode: LatencyMode,
    separator: Separator,
    lag: LagFinder,
    scan: LagScan,
    routing: Routing,
    settings: Settings,
    coeffs: FrameCoeffs,
    mix: Ramp,
    analysis: Analysis,
    analysing: bool,
}

impl Engine {
    /// Validates the configuration and allocates everything the engine will ever use. Runs in
    /// [`LatencyMode::Mix`].
    pub fn new(config: &EngineConfig, window: usize, overlap: usize, settings: Settings) -> Result<Self, ConfigError> {
        Self::with_mode(config, window, overlap, settings, LatencyMode::Mix)
    }

    /// [`Engine::new`] in latency mode `mode`. `overlap` is Mix's (kept for a switch back);
    /// Live's frames come every [`super::LIVE_OVERLAP`]th of `window`.
    pub fn with_mode(
        config: &EngineConfig,
        window: usize,
        overlap: usize,
        settings: Settings,
        mode: LatencyMode,
    ) -> Result<Self, ConfigError> {
        let rate = config.sample_rate;
        if !(SAMPLE_RATE_RANGE.0..=SAMPLE_RATE_RANGE.1).contains(&rate) {
            return Err(ConfigError::SampleRate(rate));
        }
        if !(1..=MAX_MAIN_CHANNELS).contains(&config.main_channels) {
            return Err(ConfigError::MainChannels(config.main_channels));
        }
        if let Some(&n) = config.sources.iter().find(|&&n| !(1..=MAX_SOURCE_CHANNELS).contains(&n)) {
            return Err(ConfigError::SourceChannels(n));
        }
        if config.sources.len() > MAX_SOURCES {
            return Err(ConfigError::TooManySources(config.sources.len()));
        }
        let max_window = config.max_window;
        if !valid_shape(max_window, 2, MAX_WINDOW) || !valid_shape(window, overlap, max_window) {
            return Err(ConfigError::Window { size: window, overlap, max_window: max_window.min(MAX_WINDOW) });
        }
        let ref_channels = config.sources.iter().sum();
        let settings = settings.sanitized();
        let routing = Routing::new(config.main_channels, &config.sources);
        let references = References::new(ref_channels, routing.views(), max_window, max_lag_samples(rate), max_window);
        let mut stft = Stft::new(config.main_channels, routing.views().len(), max_window, window, overlap);
        // Part 0 of each frame: the lag observation and the mask; part 1: the lag search (an
        // inverse FFT per pair every ~0.5 s), a stage of its own so it never adds to the mask's.
        stft.set_callback_parts(2);
        let mut live = Live::new(rate, config.main_channels, max_window, window);
        live.set_callback_parts(2);
        let Grid { hop, overlap: frame_overlap, latency } = Grid::of(mode, &stft, &live);
        let coeffs = FrameCoeffs::new(&settings, hop as f32 / rate, frame_overlap);
        let mut engine = Self {
            config: config.clone(),
            sample_rate: rate,
            separator: Separator::new(&routing, max_window / 2 + 1),
            lag: LagFinder::new(config.main_channels * config.sources.len(), max_window),
            scan: LagScan::new(rate, &routing, scan_early_seconds(), scan_late_seconds(latency, rate)),
            routing,
            references,
            stft,
            live,
            mode,
            mix: Ramp::new(settings.mix),
            settings,
            coeffs,
            analysis: Analysis::with_sources(max_window / 2 + 1, &config.sources),
            analysing: false,
        };
        engine.apply_lags();
        Ok(engine)
    }

    /// Switches window size and overlap without allocating. Forgets the audio (as
    /// [`Engine::reset`]) and carries what was learned onto the new bins; changes the latency:
    /// the caller must report the new [`Engine::latency`] to its host.
    pub fn set_window(&mut self, window: usize, overlap: usize) -> Result<(), ConfigError> {
        if (window, overlap) == (self.stft.size(), self.stft.overlap()) {
            return Ok(());
        }
        let (old_bins, old_fps) = (self.stft.bins(), self.frames_per_second());
        if !self.stft.set_window(window, overlap) {
            return Err(ConfigError::Window { size: window, overlap, max_window: self.max_window() });
        }
        self.live.set_window(window);
        self.reshape(old_bins, old_fps);
        Ok(())
    }

    /// Switches between Mix and Live without allocating. Forgets the audio (as
    /// [`Engine::reset`]) and carries what was learned over (the fit's sums follow the frame
    /// rate); changes the latency: the caller must report the new [`Engine::latency`] to its
    /// host.
    pub fn set_mode(&mut self, mode: LatencyMode) {
        if mode == self.mode {
            return;
        }
        let (old_bins, old_fps) = (self.bins(), self.frames_per_second());
        self.mode = mode;
        self.reshape(old_bins, old_fps);
    }

    pub fn mode(&self) -> LatencyMode {
        self.mode
    }

    /// After the frame grid changed (window, overlap or mode): the fit onto the new bins and
    /// frame rate, the scan's range for the new latency, the per-frame coefficients; a reset.
    fn reshape(&mut self, old_bins: usize, old_fps: f64) {
        let scale = profile::sum_scale(old_fps, self.frames_per_second());
        let bins = self.bins();
        self.separator.fit_mut().regrid(old_bins, bins, scale);
        self.scan.set_range(scan_early_seconds(), scan_late_seconds(self.latency(), self.sample_rate));
        self.coeffs = FrameCoeffs::new(&self.settings, self.hop_seconds(), self.frame_overlap());
        self.reset();
    }

    /// Takes new settings (clamped into range); they apply from the next hop on.
    pub fn set_settings(&mut self, settings: &Settings) {
        let settings = settings.sanitized();
        if settings == self.settings {
            return;
        }
        self.mix.set_target(settings.mix, self.hop() as u32);
        let lag_changed = (settings.auto_lag, settings.lag_ms) != (self.settings.auto_lag, self.settings.lag_ms);
        self.settings = settings;
        self.coeffs = FrameCoeffs::new(&settings, self.hop_seconds(), self.frame_overlap());
        if lag_changed {
            self.apply_lags();
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The configuration the engine was made with.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Forgets the audio: everything the STFT holds, the smoothed models, the lag search's
    /// averages. What was learned stays (the bleed fit, its evidence, the lags found): hosts
    /// reset a plugin whenever playback starts or the plugin wakes up, and none of that is the
    /// user asking it to forget. [`Engine::relearn`] forgets.
    pub fn reset(&mut self) {
        self.references.reset();
        self.stft.reset();
        self.live.reset();
        self.separator.reset();
        self.lag.reset();
        self.scan.reset();
        self.apply_lags();
        self.mix.jump();
    }

    /// Forgets what was learned: the bleed fit and its evidence (the removal warms up again)
    /// and the lags found.
    pub fn relearn(&mut self) {
        self.separator.relearn();
        self.lag.relearn();
        self.apply_lags();
    }

    /// The reference delays from the settings: the manual lag, or each pair's lag found (0 until
    /// one is).
    fn apply_lags(&mut self) {
        let manual = (self.settings.lag_ms * 1e-3 * self.sample_rate).round() as usize;
        for c in 0..self.routing.main_channels() {
            for j in 0..self.routing.sources() {
                let d = if self.settings.auto_lag { self.lag.lag(c * self.routing.sources() + j).0 } else { manual };
                for v in self.routing.of(c, j) {
                    self.references.set_delay(v, d);
                }
            }
        }
    }

    /// What the engine has learned (allocates; see [`Engine::profile_into`] for the audio thread).
    pub fn profile(&self) -> Profile {
        let mut p = Profile::with_capacity(self.main_channels(), self.lag.pairs(), self.bins());
        self.profile_into(&mut p);
        p
    }

    /// Writes what the engine has learned into `p`, without allocating when `p` was made by
    /// [`Profile::with_capacity`] for at least this engine's channels, pairs and bins.
    pub fn profile_into(&self, p: &mut Profile) {
        let (bins, taps) = (self.bins(), self.separator.regressors(self.coeffs.taps));
        (p.sample_rate, p.window, p.overlap, p.alpha, p.taps) =
            (self.sample_rate, self.window(), self.frame_overlap(), self.settings.alpha, taps);
        p.channels.truncate(self.main_channels());
        for (c, ch) in p.channels.iter_mut().enumerate() {
            ch.evidence_seconds = self.separator.evidence(c);
            ch.rows.clear();
            ch.rows.resize(TapFit::saved_rows(taps) * bins, 0.0);
            self.separator.fit().export(c, taps, bins, &mut ch.rows);
        }
        p.lags.clear();
        for j in 0..self.lag.pairs() {
            let (lag, found) = self.lag.lag(j);
            p.lags.push(found.then_some(lag as f32 / self.sample_rate));
        }
    }

    /// Takes a profile's learning as this engine's own (no allocation). `p` must pass
    /// [`Profile::check`]. Read at this engine's bins' frequencies, whatever the profile's rate
    /// and window; a mono profile serves both channels of a stereo track, a stereo one's first
    /// channel a mono track. The sums follow the frame rate ([`profile::sum_scale`]); gains made
    /// with another spectral exponent are raised to the ratio of the two.
    pub fn load_profile(&mut self, p: &Profile) {
        let (bins, rate, window) = (self.bins(), self.sample_rate as f64, self.window() as f64);
        let scale = profile::sum_scale(p.frames_per_second(), self.frames_per_second());
        let first_gain = TapFit::first_gain_row(p.taps);
        let power = self.settings.alpha / p.alpha;
        for c in 0..self.main_channels() {
            let from = c.min(p.channels.len() - 1);
            self.separator.fit_mut().import(c, p.taps, bins, scale, |n, k| {
                let v = p.value_at(from, n, k as f64 * rate / window);
                if n >= first_gain && power != 1.0 {
                    v.powf(power)
                } else {
                    v
                }
            });
            self.separator.set_evidence(c, p.channels[from].evidence_seconds);
        }
        self.lag.relearn();
        if !p.lags.is_empty() {
            for j in 0..self.lag.pairs() {
                if let Some(seconds) = p.lags[j.min(p.lags.len() - 1)] {
                    self.lag
                        .set_found(j, ((seconds * self.sample_rate).round() as usize).min(self.references.max_delay()));
                }
            }
        }
        self.apply_lags();
    }

    /// Processes one block in place. `main` holds the main channels (all the same length),
    /// `refs` the reference channels, source after source; a missing or short reference
    /// channel counts as silence. Output = input delayed by [`Engine::latency`] samples, cleaned.
    pub fn process(&mut self, main: &mut [&mut [f32]], refs: &[&[f32]]) {
        let (rate, window, overlap) = (self.sample_rate, self.stft.size(), self.frame_overlap());
        let (separator, coeffs, lag, routing, scan) =
            (&mut self.separator, &self.coeffs, &mut self.lag, &self.routing, &mut self.scan);
        let pairs = (0..routing.main_channels()).flat_map(|c| (0..routing.sources()).map(move |j| (c, j)));
        let hop_seconds = (window / overlap) as f32 / rate;
        let auto_lag = self.settings.auto_lag;
        let mut analysis = self.analysing.then_some(&mut self.analysis);
        let on_frame = |frame: &mut Frame| {
            if frame.part == 1 {
                // The long scan takes the input a hop at a time, on the frame grid.
                let (mains, hop) = (frame.main.len(), window / overlap);
                scan.push(hop, |c| if c < mains { frame.main_hop(c) } else { &[] }, |r| frame.ref_hop(r));
                scan.step();
                if auto_lag {
                    lag.update(window, overlap, frame.max_delay, hop_seconds);
                    for (p, (c, j)) in pairs.clone().enumerate() {
                        // A lag beyond what the frames see from the applied delay: the scan's,
                        // for the frame search to refine from there.
                        let far = scan.early(p);
                        if far.found && far.lag > 0 {
                            lag.seed(p, (far.lag as usize).min(frame.max_delay), window / 4);
                        }
                        if let (d, true) = lag.lag(p) {
                            frame.ref_delay[routing.of(c, j)].fill(d);
                        }
                    }
                }
                return;
            }
            if auto_lag && lag.due(overlap) {
                // Observed before the separator edits the main spectra.
                for (p, (c, j)) in pairs.clone().enumerate() {
                    let views = routing.of(c, j);
                    lag.observe(
                        p,
                        &frame.main[c],
                        &frame.refs[views.clone()],
                        window,
                        overlap,
                        frame.ref_delay[views.start],
                        hop_seconds,
                    );
                }
            }
            separator.process(frame, coeffs, analysis.as_deref_mut());
            if let Some(a) = analysis.as_deref_mut() {
                let gain = |c: usize| coeffs.autoscale.map(|_| separator.learned_gain(c, 0, frame.bins));
                a.record_sources(frame.refs, frame.bins, routing, gain, coeffs.alpha);
                for j in 0..routing.sources() {
                    a.source_lag_ms[j] = frame.ref_delay[routing.of(0, j).start] as f32 * 1e3 / rate;
                    a.source_lag_found[j] = !auto_lag || lag.lag(j).1;
                }
                (a.sample_rate, a.window, a.overlap) = (rate, window, overlap);
                a.lag_ms = frame.ref_delay.first().map_or(0.0, |&d| d as f32 * 1e3 / rate);
                a.lag_found = !auto_lag || lag.lag(0).1;
                // A late peak while the bleed's lag is found on the early side (by the scan or
                // the frame search) is the target's image in the reference (the target reaches the
                // track's mic first), not a late sidechain: a reference that arrives late takes
                // its bleed's peak to the late side with it.
                let (far, on_time) = (scan.found(0), scan.early(0).found || (auto_lag && lag.lag(0).1));
                a.late_ms = if far.found && far.lag < 0 && !on_time { -far.lag as f32 * 1e3 / rate } else { 0.0 };
                a.warm_up = separator.confidence(0, coeffs);
                a.serial += 1;
            }
        };
        let references = &mut self.references;
        match self.mode {
            LatencyMode::Mix => self.stft.process(main, refs, references, &mut self.mix, on_frame),
            LatencyMode::Live => self.live.process(main, refs, references, &mut self.mix, on_frame),
        }
    }

    /// The delay main channel `c` hears reference source `j` with (samples), and whether it is
    /// settled: set by hand, or found by the lag search (false while it has found nothing yet).
    pub fn reference_lag(&self, c: usize, j: usize) -> (usize, bool) {
        let delay = self.references.delay(self.routing.of(c, j).start);
        (delay, !self.settings.auto_lag || self.lag.lag(c * self.routing.sources() + j).1)
    }

    /// What the long scan ([`LagScan`]) found for main channel `c` and source `j`: a lag beyond
    /// the frame-by-frame search's reach, either way (a reference that arrives late included).
    pub fn scanned(&self, c: usize, j: usize) -> Scanned {
        self.scan.found(c * self.routing.sources() + j)
    }

    /// Track samples per sample of the long scan: its lags are exact to within this.
    pub fn scan_decimation(&self) -> usize {
        self.scan.decimation()
    }

    /// Runs the per-frame work compiled for `isa` instead of the widest this CPU supports
    /// (every version computes the same audio); `false` if this CPU cannot run it. For tests
    /// and benchmarks that compare the versions.
    pub fn set_isa(&mut self, isa: Isa) -> bool {
        if !isa.supported() {
            return false;
        }
        self.separator.set_isa(isa);
        self.stft.set_isa(isa);
        self.live.set_isa(isa);
        self.lag.set_isa(isa);
        true
    }

    pub fn isa(&self) -> Isa {
        self.separator.isa()
    }

    /// Turns the per-frame [`Analysis`] on or off (off by default: it costs a few passes over
    /// the bins per frame).
    pub fn set_analysis(&mut self, on: bool) {
        self.analysing = on;
    }

    /// The last analysed frame; its `serial` grows by one per frame while analysis is on.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The frame grid in use.
    fn grid(&self) -> Grid {
        Grid::of(self.mode, &self.stft, &self.live)
    }

    /// Samples between an input sample and its output: Mix `window − 1 + hop` (see [`Stft`]),
    /// Live its lookahead (see [`Live`]), about 5 ms.
    pub fn latency(&self) -> usize {
        self.grid().latency
    }
    pub fn window(&self) -> usize {
        self.stft.size()
    }
    /// Mix's overlap setting (kept in Live for a switch back; see [`Engine::frame_overlap`]).
    pub fn overlap(&self) -> usize {
        self.stft.overlap()
    }
    /// Frames per window in the mode in use: Mix's overlap, or Live's.
    pub fn frame_overlap(&self) -> usize {
        self.grid().overlap
    }
    /// Samples between frames in the mode in use.
    pub fn hop(&self) -> usize {
        self.grid().hop
    }
    pub fn bins(&self) -> usize {
        self.stft.bins()
    }
    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }
    pub fn max_window(&self) -> usize {
        self.stft.max_window()
    }
    pub fn main_channels(&self) -> usize {
        self.stft.main_channels()
    }
    pub fn ref_channels(&self) -> usize {
        self.references.channels()
    }

    /// Grows whenever what was learned changes (a frame learned from, a lag found, a relearn, a
    /// profile loaded): a reader copies the profile only when it moved.
    pub fn learned_serial(&self) -> u64 {
        self.separator.learned() + self.lag.changes()
    }

    /// How much of its removal main channel `c` applies while the fit warms up, 0–1 (1: whole).
    pub fn confidence(&self, c: usize) -> f32 {
        self.separator.confidence(c, &self.coeffs)
    }

    /// The learned bleed gain per bin of main channel `c`: the direct tap's (for display).
    pub fn learned_gain(&self, c: usize) -> &[f32] {
        self.separator.learned_gain(c, 0, self.stft.bins())
    }

    /// The learned gain of regressor `l` of main channel `c`: the taps (0: direct, then every
    /// half window later), or with several sources one direct gain per source first (see
    /// [`super::separator::regressors`]).
    pub fn learned_tap(&self, c: usize, l: usize) -> &[f32] {
        self.separator.learned_gain(c, l, self.stft.bins())
    }

    fn hop_seconds(&self) -> f32 {
        self.hop() as f32 / self.sample_rate
    }

    fn frames_per_second(&self) -> f64 {
        profile::frames_per_second(self.sample_rate, self.window(), self.frame_overlap())
    }
}
