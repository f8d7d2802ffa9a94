//! Factory presets: where to start for one kind of job. Each sets the controls that shape the
//! removal for that kind of material — Threshold, Slope, Adaptation, Tail, FFT Size and
//! Latency — and leaves the rest (Mix, Output, Sources, Freeze, Bypass, the lag) as the user
//! has them: those say how the track is routed and monitored, not what it holds.
//!
//! Each preset was chosen on the dev split of the held-out benchmark for its kind of scenario
//! and checked against the defaults on the test split (`docs/benchmark.md`, *Presets*).

use super::live::LatencyMode;
use super::settings::Settings;

/// One factory preset: the values it sets (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// Stable name for command lines and saved choices (`residue-render --preset`).
    pub id: &'static str,
    /// What a menu shows.
    pub name: &'static str,
    /// The job, in a sentence.
    pub job: &'static str,
    pub threshold: f32,
    pub slope: f32,
    pub adapt_seconds: f32,
    pub tail_frames: usize,
    /// FFT size in samples; `None`: Auto (the power of two nearest 93 ms at the sample rate).
    pub window: Option<usize>,
    pub mode: LatencyMode,
}

impl Preset {
    /// `base` with this preset's values.
    pub fn apply(&self, base: Settings) -> Settings {
        Settings {
            threshold: self.threshold,
            slope: self.slope,
            adapt_seconds: self.adapt_seconds,
            tail_frames: self.tail_frames,
            ..base
        }
    }
}

const fn preset(id: &'static str, name: &'static str, job: &'static str) -> Preset {
    let d = DEFAULTS;
    Preset { id, name, job, ..d }
}

/// The defaults, as a preset (a way back).
const DEFAULTS: Preset = Preset {
    id: "default",
    name: "Default",
    job: "the defaults: a starting point for any track",
    threshold: 0.2,
    slope: 8.0,
    adapt_seconds: 4.0,
    tail_frames: 2,
    window: None,
    mode: LatencyMode::Mix,
};

/// Every factory preset, the defaults first.
pub const PRESETS: [Preset; 6] = [
    DEFAULTS,
    Preset {
        adapt_seconds: 2.0,
        slope: 4.0,
        window: Some(8192),
        ..preset(
            "vocal",
            "Vocal, instrument",
            "a vocal or a melodic instrument's mic with another instrument (or a kit) leaking in",
        )
    },
    Preset {
        threshold: 0.25,
        slope: 5.0,
        ..preset("snare", "Snare mic", "a snare's close mic, the rest of the kit as references")
    },
    Preset {
        threshold: 0.25,
        slope: 5.0,
        ..preset("hi-hat", "Hi-hat mic", "a hi-hat's close mic, the rest of the kit as references")
    },
    Preset {
        tail_frames: 1,
        adapt_seconds: 8.0,
        ..preset("tom", "Tom mic", "a rack or floor tom's close mic, the rest of the kit as references")
    },
    Preset {
        adapt_seconds: 2.0,
        slope: 4.0,
        mode: LatencyMode::Live,
        ..preset("stage-vocal", "Stage vocal", "a vocal mic on stage or in tracking, at about 5 ms (Live)")
    },
];

/// The preset with `id` (case-insensitive).
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_preset_is_the_engines_defaults() {
        let d = Settings::default();
        let p = &PRESETS[0];
        assert_eq!(
            (p.threshold, p.slope, p.adapt_seconds, p.tail_frames),
            (d.threshold, d.slope, d.adapt_seconds, d.tail_frames)
        );
        assert_eq!((p.window, p.mode), (None, LatencyMode::Mix));
        assert_eq!(p.apply(d), d);
    }

    #[test]
    fn ids_are_unique_and_found_in_any_case() {
        for p in &PRESETS {
            assert_eq!(PRESETS.iter().filter(|q| q.id == p.id).count(), 1, "{}", p.id);
            assert_eq!(find(&p.id.to_uppercase()), Some(p));
        }
        assert_eq!(find("nothing"), None);
    }
}
