//! How the sidechain's channels become reference sources, and the engines that run them.
//!
//! A sidechain carries one source (the guitar's close mic, mono or stereo) or several side by
//! side: a stereo sidechain with the kick panned hard left and the hi-hat hard right, or a
//! 4-channel sidechain with a mic on each channel. The *Sources* parameter ([`Grouping`]) says
//! which: the engine then hears one reference per source, each at its own lag.
//!
//! The grouping changes what every buffer of an engine is sized for (reference views, lag pairs),
//! and the audio thread must not allocate, so [`Engines`] builds one engine per distinct grouping
//! the sidechain's width allows, all at activation, and switches between them: a stereo
//! sidechain has two (one stereo source; two mono ones), a 4-channel one three. An engine keeps
//! what it learned while another runs; the one switched to starts its audio afresh, as after a
//! host's reset (silence for one latency), with its own learning.

use crate::{ConfigError, Engine, EngineConfig, LatencyMode, Profile, Settings};

/// The widest sidechain a layout offers, channels.
pub const MAX_SIDECHAIN_CHANNELS: usize = 4;

/// How the sidechain's channels are grouped into sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// All channels are one source: a stereo sidechain is one stereo source (each track channel
    /// hears its own side; a mono track their mean), a 4-channel one a source heard as the mean
    /// of its channels.
    One,
    /// Each channel is a source of its own: a stereo sidechain is two mono sources.
    Each,
    /// Each pair of channels (1–2, 3–4) is a stereo source; a mono or stereo sidechain stays one
    /// source.
    Pairs,
}

impl Grouping {
    pub const ALL: [Grouping; 3] = [Grouping::One, Grouping::Each, Grouping::Pairs];
}

/// The channel count of each source a sidechain of `channels` channels holds under `grouping`,
/// in channel order (empty without a sidechain).
pub fn sources(grouping: Grouping, channels: usize) -> Vec<usize> {
    match (grouping, channels) {
        (_, 0) => vec![],
        (Grouping::One, n) => vec![n],
        (Grouping::Each, n) => vec![1; n],
        (Grouping::Pairs, n) => (0..n).step_by(2).map(|c| (n - c).min(2)).collect(),
    }
}

/// One engine per distinct grouping of a sidechain, and which of them runs.
pub struct Engines {
    engines: Vec<Engine>,
    /// `slot[g as usize]`: the engine that runs grouping `g`.
    slot: [usize; 3],
    active: usize,
    sidechain: usize,
}

impl Engines {
    /// Builds the engines for a sidechain of `sidechain` channels (0: none), all with `window`,
    /// `overlap`, `settings` and latency `mode`; `grouping` runs. Allocates everything they will
    /// ever use (either mode's buffers: switching mode later allocates nothing).
    pub fn new(
        base: &EngineConfig,
        sidechain: usize,
        grouping: Grouping,
        window: usize,
        overlap: usize,
        settings: Settings,
        mode: LatencyMode,
    ) -> Result<Self, ConfigError> {
        let mut engines: Vec<Engine> = Vec::new();
        let mut slot = [0; 3];
        for g in Grouping::ALL {
            let config = EngineConfig { sources: sources(g, sidechain), ..base.clone() };
            slot[g as usize] = match engines.iter().position(|e| e.config() == &config) {
                Some(i) => i,
                None => {
                    engines.push(Engine::with_mode(&config, window, overlap, settings, mode)?);
                    engines.len() - 1
                }
            };
        }
        Ok(Self { active: slot[grouping as usize], engines, slot, sidechain })
    }

    /// Whether these engines are what `base` with a sidechain of `sidechain` channels asks for
    /// (then a host's re-activation keeps them, and all they learned).
    pub fn fit(&self, base: &EngineConfig, sidechain: usize) -> bool {
        let first = self.engines[0].config();
        sidechain == self.sidechain
            && (first.sample_rate, first.main_channels, first.max_window)
                == (base.sample_rate, base.main_channels, base.max_window)
    }

    /// Runs `grouping` from now on. When that is another engine, it starts its audio afresh
    /// ([`Engine::reset`]: silence for one latency) with what it had learned; returns whether
    /// it changed. No allocation.
    pub fn select(&mut self, grouping: Grouping) -> bool {
        let next = self.slot[grouping as usize];
        if next == self.active {
            return false;
        }
        self.active = next;
        self.engines[next].reset();
        true
    }

    /// The engine that runs.
    pub fn active(&self) -> &Engine {
        &self.engines[self.active]
    }

    pub fn active_mut(&mut self) -> &mut Engine {
        &mut self.engines[self.active]
    }

    /// The engine that runs `grouping` (whether it runs now or not).
    pub fn of(&self, grouping: Grouping) -> &Engine {
        &self.engines[self.slot[grouping as usize]]
    }

    /// How many distinct engines there are (1 for a mono sidechain, 2 stereo, 3 for 4 channels).
    pub fn len(&self) -> usize {
        self.engines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    /// Sidechain channels the engines were built for.
    pub fn sidechain(&self) -> usize {
        self.sidechain
    }

    /// Forgets what every engine learned (Relearn: switching afterwards brings nothing back).
    pub fn relearn(&mut self) {
        for engine in &mut self.engines {
            engine.relearn();
        }
    }

    /// Takes a loaded profile: the engine whose sources are `sources` (those it was learned
    /// with; the running one when no engine has them, or `sources` is empty, as in a state from
    /// before the grouping existed) takes it, every other forgets what it had learned, so that a
    /// loaded session sounds the same whatever this instance did before. No allocation.
    pub fn load(&mut self, profile: &Profile, sources: &[usize]) {
        let target = self
            .engines
            .iter()
            .position(|e| !sources.is_empty() && e.config().sources == sources)
            .unwrap_or(self.active);
        for (i, engine) in self.engines.iter_mut().enumerate() {
            if i == target {
                engine.load_profile(profile);
            } else {
                engine.relearn();
            }
        }
    }

    /// Carries what `old`'s engines learned into these, grouping by grouping (another sample
    /// rate, track or sidechain width: [`Engine::load_profile`] reads it onto the new bins).
    /// Allocates (the profiles): on the main thread, in `activate`.
    pub fn carry_from(&mut self, old: &Engines) {
        let mut done = vec![false; self.engines.len()];
        for g in Grouping::ALL {
            let (to, from) = (self.slot[g as usize], old.slot[g as usize]);
            if !std::mem::replace(&mut done[to], true) {
                self.engines[to].load_profile(&old.engines[from].profile());
            }
        }
    }
}
