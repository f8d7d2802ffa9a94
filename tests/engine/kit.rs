//! Synthetic drum sources and a track they bleed into, each on its own path: the scene for
//! several references on one sidechain (a stereo sidechain carrying the kick on the left and
//! the hi-hat on the right, or four sources on a 4-channel one). Deterministic.

use std::f32::consts::PI;

/// A small deterministic noise generator (xorshift), uniform in −1..1.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// A drum voice: what a hit sounds like, and how often it comes.
#[derive(Clone, Copy)]
#[allow(dead_code)] // the test crates that share this file each use some of the voices
pub enum Voice {
    /// A pitch drop from 150 to 50 Hz, 0.15 s decay, a hit every half second.
    Kick,
    /// Noise through a band around 1–3 kHz plus a 190 Hz body, 0.12 s, on the off-beats.
    Snare,
    /// High-passed noise, 40 ms, every eighth of a second, accents on the beat.
    HiHat,
    /// A 95 Hz to 80 Hz tone, 0.3 s, twice every two seconds.
    Tom,
}

/// `voice` played for `len` samples at `rate`, peak about 0.5.
pub fn voice(voice: Voice, len: usize, rate: f32) -> Vec<f32> {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ voice as u64);
    let (period, offset, decay) = match voice {
        Voice::Kick => (0.5, 0.0, 0.15),
        Voice::Snare => (1.0, 0.5, 0.12),
        Voice::HiHat => (0.125, 0.0, 0.04),
        Voice::Tom => (1.0, 0.75, 0.3),
    };
    let (mut lp, mut hp_in, mut hp_out, mut bp) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut phase = 0.0f32;
    (0..len)
        .map(|n| {
            let t = n as f32 / rate;
            let since = (t - offset).rem_euclid(period);
            let hit = ((t - offset) / period).floor() as i64;
            let env = (-since / decay).exp() * if (t - offset) < 0.0 { 0.0 } else { 1.0 };
            let white = noise.next();
            match voice {
                Voice::Kick => {
                    let f = 50.0 + 100.0 * (-since / 0.03).exp();
                    phase += 2.0 * PI * f / rate;
                    0.5 * env * phase.sin()
                }
                Voice::Snare => {
                    // A crude band-pass: a one-pole high-pass after a one-pole low-pass.
                    lp += 0.35 * (white - lp);
                    bp = 0.8 * (bp + lp - hp_in);
                    hp_in = lp;
                    0.5 * env * (bp + 0.5 * (2.0 * PI * 190.0 * since).sin())
                }
                Voice::HiHat => {
                    hp_out = 0.6 * (hp_out + white - hp_in);
                    hp_in = white;
                    let accent = if hit % 4 == 0 { 1.0 } else { 0.55 };
                    0.5 * accent * env * hp_out
                }
                Voice::Tom => {
                    let f = 80.0 + 15.0 * (-since / 0.1).exp();
                    phase += 2.0 * PI * f / rate;
                    let on = if hit % 2 == 0 { 1.0 } else { 0.0 };
                    0.5 * on * env * phase.sin()
                }
            }
        })
        .collect()
}

/// How one source reaches one track channel: `gain` and `lag_ms` late, with a short room
/// (one reflection 7 ms later at a third of the level).
#[derive(Clone, Copy)]
pub struct Path {
    pub gain: f32,
    pub lag_ms: f32,
}

/// `source` as it bleeds into a track channel along `path`.
pub fn bleed(source: &[f32], path: Path, rate: f32) -> Vec<f32> {
    let d = (path.lag_ms * 1e-3 * rate).round() as usize;
    let r = d + (7e-3 * rate).round() as usize;
    (0..source.len())
        .map(|n| {
            let direct = if n >= d { source[n - d] } else { 0.0 };
            let room = if n >= r { source[n - r] } else { 0.0 };
            path.gain * (direct + room / 3.0)
        })
        .collect()
}

/// A track: `target` per channel plus every source along its path to that channel
/// (`paths[c][j]`: source `j` into channel `c`).
pub fn track(target: &[Vec<f32>], sources: &[Vec<f32>], paths: &[Vec<Path>], rate: f32) -> Vec<Vec<f32>> {
    target
        .iter()
        .zip(paths)
        .map(|(t, paths)| {
            let mut out = t.clone();
            for (s, &p) in sources.iter().zip(paths) {
                for (o, b) in out.iter_mut().zip(bleed(s, p, rate)) {
                    *o += b;
                }
            }
            out
        })
        .collect()
}

/// How much cleaner `out` (latency-aligned by `latency`) is than `mix`, against `truth`, over
/// samples `from..` of the truth: the SDR improvement, dB.
#[allow(dead_code)] // not every test crate that shares this file scores a render
pub fn improvement_db(out: &[f32], latency: usize, mix: &[f32], truth: &[f32], from: usize) -> f64 {
    let sdr = |e: &dyn Fn(usize) -> f32| {
        let (mut s, mut n) = (0.0f64, 0.0f64);
        for i in from..truth.len() - latency {
            s += (truth[i] as f64).powi(2);
            n += ((e(i) - truth[i]) as f64).powi(2);
        }
        10.0 * (s / n.max(1e-30)).log10()
    };
    sdr(&|i| out[i + latency]) - sdr(&|i| mix[i])
}
