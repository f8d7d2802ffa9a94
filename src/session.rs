//! What Residue keeps in the host's session besides its parameters: the learned bleed profile
//! ([`Profile`]: the fit of every tap and channel, its evidence, the lags found), so that a
//! session reopened with Freeze on removes what it removed when it was saved, and a session
//! saved mid-learning carries on from there.
//!
//! The profile lives in the engine, on the audio thread; the host saves and loads state on its
//! main thread. Two triple buffers join them, wait-free on both sides:
//! - out: the audio thread publishes a copy of the profile every [`PUBLISH_SECONDS`] while it
//!   changes, and as soon as it stops changing (playback stopped: hosts go on calling the plugin
//!   with silence; Freeze), and when it stops processing; a save writes the newest copy. The
//!   plugin also hands the profile over directly on deactivation, when nothing runs on the audio
//!   thread. A save while the fit is learning is at most [`PUBLISH_SECONDS`] behind; once it has
//!   stopped, exact.
//! - in: a load hands the audio thread what to take (a profile, or "forget": a state saved
//!   before anything was learned); it takes it before its next block.
//!
//! Each load starts a new *generation*; copies published from before the engine took the load
//! are older than it and never overwrite it.
//!
//! A profile travels with the channel counts of the reference sources it was learned with (the
//! *Sources* grouping of the sidechain then): a load hands it to the engine of that grouping,
//! even when the host's parameter change and the profile reach the audio thread a block apart.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use nice_plug::params::persist::PersistentField;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use triple_buffer::{triple_buffer, Input, Output};

use crate::dsp::{ChannelProfile, Engine, Profile, MAX_SOURCES};

/// While the profile changes, the audio thread publishes a copy this often (seconds of audio):
/// a save made while playing is at most this old.
pub const PUBLISH_SECONDS: f32 = 0.25;

/// What a load asks of the engine.
#[derive(Clone, Debug, Default)]
pub enum Loaded {
    #[default]
    Nothing,
    /// Take this profile.
    Profile(Profile),
    /// Forget what was learned (the saved state had learned nothing).
    Forget,
}

#[derive(Clone, Debug, Default)]
struct Incoming {
    generation: u64,
    loaded: Loaded,
    /// The sources the loaded profile was learned with (empty: not known).
    sources: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Published {
    /// The load generation the engine had taken when it made this copy.
    generation: u64,
    profile: Profile,
    /// The engine's sources (channel counts), the first `source_count`: an array, so that the
    /// triple buffer's copies have the room without allocating.
    sources: [usize; MAX_SOURCES],
    source_count: usize,
}

/// A profile and the channel counts of the reference sources it was learned with.
type Learned = (Profile, Vec<usize>);

/// The plugin's side (audio thread, and main thread in `activate`/`deactivate`).
pub struct ProfileLink {
    out: Input<Published>,
    incoming: Output<Incoming>,
    /// The load generation the engine has taken.
    generation: u64,
    /// Seconds of audio since the last publish, and the engine's learned serial then.
    since_publish: f32,
    published_serial: u64,
    /// The engine's learned serial after the previous block.
    seen_serial: u64,
}

/// The parameters' side: a `#[persist]` field, used on the main thread.
pub struct ProfileStore {
    published: Mutex<Output<Published>>,
    incoming: Mutex<Input<Incoming>>,
    /// What a save writes: the newest of the last load and the engine's copies (None: nothing
    /// learned yet).
    latest: Mutex<Option<Learned>>,
    generation: AtomicU64,
    link: Mutex<Option<ProfileLink>>,
}

impl ProfileStore {
    /// A store and its link, with room for profiles of up to `channels` main channels, `pairs`
    /// lags and `max_bins` bins.
    pub fn new(channels: usize, pairs: usize, max_bins: usize) -> Self {
        let blank = Published {
            generation: 0,
            profile: Profile::with_capacity(channels, pairs, max_bins),
            sources: [0; MAX_SOURCES],
            source_count: 0,
        };
        let (out, published) = triple_buffer(&blank);
        let (input, incoming) = triple_buffer(&Incoming::default());
        let link = ProfileLink {
            out,
            incoming,
            generation: 0,
            since_publish: 0.0,
            published_serial: u64::MAX,
            seen_serial: u64::MAX,
        };
        Self {
            published: Mutex::new(published),
            incoming: Mutex::new(input),
            latest: Mutex::new(None),
            generation: AtomicU64::new(0),
            link: Mutex::new(Some(link)),
        }
    }

    /// The audio thread's end (once: the plugin keeps it).
    pub fn take_link(&self) -> Option<ProfileLink> {
        self.link.lock().ok()?.take()
    }

    /// The profile a save writes now (main thread).
    pub fn latest(&self) -> Option<Profile> {
        self.latest_learned().map(|(p, _)| p)
    }

    /// [`ProfileStore::latest`] with the sources it was learned with.
    fn latest_learned(&self) -> Option<Learned> {
        let mut published = self.published.lock().unwrap_or_else(|e| e.into_inner());
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if published.update() {
            let copy = published.output_buffer();
            if copy.generation >= self.generation.load(Ordering::Acquire) && !copy.profile.is_blank() {
                *latest = Some((copy.profile.clone(), copy.sources[..copy.source_count].to_vec()));
            }
        }
        latest.clone()
    }

    /// The engine's profile as of now, handed over on the main thread (deactivation).
    pub fn hand_over(&self, link: &ProfileLink, engine: &Engine) {
        if link.generation >= self.generation.load(Ordering::Acquire) {
            *self.latest.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((engine.profile(), engine.config().sources.clone()));
        }
    }

    fn load(&self, loaded: Loaded, sources: Vec<usize>) {
        let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = match &loaded {
            Loaded::Profile(p) => Some((p.clone(), sources.clone())),
            _ => None,
        };
        self.incoming.lock().unwrap_or_else(|e| e.into_inner()).write(Incoming { generation, loaded, sources });
    }
}

impl ProfileLink {
    /// What a load asks of the engine, once per load (no allocation, no lock).
    pub fn take_loaded(&mut self) -> Option<&Loaded> {
        self.take_loaded_with_sources().map(|(loaded, _)| loaded)
    }

    /// [`ProfileLink::take_loaded`] with the channel counts of the sources the profile was
    /// learned with (empty when the state did not say).
    pub fn take_loaded_with_sources(&mut self) -> Option<(&Loaded, &[usize])> {
        if !self.incoming.update() {
            return None;
        }
        let incoming = self.incoming.output_buffer();
        if incoming.generation <= self.generation {
            return None;
        }
        self.generation = incoming.generation;
        Some((&incoming.loaded, &incoming.sources))
    }

    /// Publishes `engine`'s profile now, whatever was published before: it took over from
    /// another engine (the Sources grouping changed), whose copy a save must no longer write.
    pub fn publish_switched(&mut self, engine: &Engine) {
        (self.published_serial, self.seen_serial) = (u64::MAX, u64::MAX);
        self.publish(engine, 0, true);
    }

    /// Publishes the engine's profile when it changed and either the last copy is older than
    /// [`PUBLISH_SECONDS`] (`samples` were just processed) or it has stopped changing (this block
    /// learned nothing: playback stopped, the sidechain went quiet, Freeze), or, with `now`,
    /// whenever it changed. So a copy is at most [`PUBLISH_SECONDS`] old while the fit learns,
    /// and exact once it stops. No allocation.
    pub fn publish(&mut self, engine: &Engine, samples: usize, now: bool) {
        self.since_publish += samples as f32 / engine.sample_rate();
        let serial = engine.learned_serial();
        let settled = serial == self.seen_serial;
        self.seen_serial = serial;
        if serial == self.published_serial || !(now || settled || self.since_publish >= PUBLISH_SECONDS) {
            return;
        }
        (self.since_publish, self.published_serial) = (0.0, serial);
        let out = self.out.input_buffer_mut();
        out.generation = self.generation;
        engine.profile_into(&mut out.profile);
        let sources = &engine.config().sources;
        out.source_count = sources.len().min(MAX_SOURCES);
        out.sources[..out.source_count].copy_from_slice(&sources[..out.source_count]);
        self.out.publish();
    }
}

/// The profile as saved: the numbers of [`Profile`], with each channel's rows as the base64 of
/// their little-endian `f32` bytes (exact, and a quarter the size of decimal text).
#[derive(Serialize, Deserialize)]
struct Saved {
    /// Bumped when the meaning of a field changes; a state from a newer format is ignored.
    format: u32,
    sample_rate: f32,
    window: usize,
    overlap: usize,
    alpha: f32,
    taps: usize,
    channels: Vec<SavedChannel>,
    lags: Vec<Option<f32>>,
    /// Channel count of each reference source the profile was learned with (absent in states
    /// from before the Sources parameter: then the grouping in use takes it).
    #[serde(default)]
    sources: Vec<usize>,
}

#[derive(Serialize, Deserialize)]
struct SavedChannel {
    evidence_seconds: f32,
    rows: String,
}

/// 2: each channel's rows end with the ratio floor ([`crate::dsp::taps::RatioFloor`]). A
/// format 1 profile (without it) is read with the floor at 1, where nothing is known yet.
/// 3: with several sources, the rows hold one gain per source (`crate::dsp::regressors`); a
/// profile of several sources from an earlier format (one gain for their sum) is not read.
const FORMAT: u32 = 3;

/// The persisted value: `null` when nothing was learned.
pub struct SavedProfile(Option<Learned>);

impl Serialize for SavedProfile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0
            .as_ref()
            .map(|(p, sources)| Saved {
                format: FORMAT,
                sample_rate: p.sample_rate,
                window: p.window,
                overlap: p.overlap,
                alpha: p.alpha,
                taps: p.taps,
                channels: p
                    .channels
                    .iter()
                    .map(|c| SavedChannel {
                        evidence_seconds: c.evidence_seconds,
                        rows: BASE64.encode(c.rows.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>()),
                    })
                    .collect(),
                lags: p.lags.clone(),
                sources: sources.clone(),
            })
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SavedProfile {
    /// Anything that is not a whole, sane profile of a known format is an error (the host's
    /// state loads without it: the parameters still apply).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let Some(saved) = Option::<Saved>::deserialize(d)? else {
            return Ok(Self(None));
        };
        if !(1..=FORMAT).contains(&saved.format) {
            return Err(D::Error::custom(format!(
                "profile format {} (this version reads 1 to {FORMAT})",
                saved.format
            )));
        }
        let bins = saved.window / 2 + 1;
        let channels = saved
            .channels
            .into_iter()
            .map(|c| {
                let bytes = BASE64.decode(c.rows).map_err(D::Error::custom)?;
                if bytes.len() % 4 != 0 {
                    return Err(D::Error::custom("profile rows are not whole f32 values"));
                }
                let mut rows: Vec<f32> =
                    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                if saved.format == 1 {
                    rows.resize(rows.len() + bins, 1.0);
                }
                Ok(ChannelProfile { evidence_seconds: c.evidence_seconds, rows })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let profile = Profile {
            sample_rate: saved.sample_rate,
            window: saved.window,
            overlap: saved.overlap,
            alpha: saved.alpha,
            taps: saved.taps,
            channels,
            lags: saved.lags,
        };
        profile.check().map_err(|e| D::Error::custom(format!("profile: {e}")))?;
        if saved.format < 3 && saved.sources.len() > 1 {
            return Err(D::Error::custom(format!(
                "profile format {}: one gain for the sum of {} sources",
                saved.format,
                saved.sources.len()
            )));
        }
        if saved.sources.len() > MAX_SOURCES
            || saved.sources.iter().any(|&n| !(1..=crate::dsp::MAX_SOURCE_CHANNELS).contains(&n))
        {
            return Err(D::Error::custom(format!("profile: sources {:?}", saved.sources)));
        }
        Ok(Self(Some((profile, saved.sources))))
    }
}

impl<'a> PersistentField<'a, SavedProfile> for ProfileStore {
    /// A state loaded: the engine takes its profile before the next block (or forgets, when the
    /// state had learned nothing).
    fn set(&self, value: SavedProfile) {
        match value.0 {
            Some((p, sources)) => self.load(Loaded::Profile(p), sources),
            None => self.load(Loaded::Forget, vec![]),
        }
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&SavedProfile) -> R,
    {
        f(&SavedProfile(self.latest_learned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{EngineConfig, Settings};

    /// A saved profile of two sources, as JSON, with its format set to `format`.
    fn saved(format: u32) -> String {
        let config = EngineConfig { sample_rate: 48000.0, main_channels: 1, sources: vec![1, 1], max_window: 4096 };
        let engine = Engine::new(&config, 1024, 4, Settings::default()).expect("engine");
        let mut json = serde_json::to_value(SavedProfile(Some((engine.profile(), vec![1, 1])))).expect("serialise");
        json["format"] = format.into();
        json.to_string()
    }

    #[test]
    fn a_profile_of_several_sources_from_before_a_gain_per_source_is_not_read() {
        assert!(serde_json::from_str::<SavedProfile>(&saved(FORMAT)).is_ok_and(|p| p.0.is_some()));
        let old =
            serde_json::from_str::<SavedProfile>(&saved(2)).err().expect("format 2, two sources: refused").to_string();
        assert!(old.contains("sum of 2 sources"), "{old}");
    }
}
