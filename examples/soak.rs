//! Soak: one hour of audio through the engine at offline speed (stereo track, stereo reference,
//! 44.1 kHz, FFT 4096 / 4x), with automation every few seconds, a garbage burst every minute and
//! a decay into the denormal range and silence every ten minutes. Reports, per 5-minute stretch,
//! non-finite outputs, the process's resident memory and the cost per hop; and the cost per hop
//! in the decaying tails against the rest.
//!
//!     cargo run --release --example soak [-- --minutes 60]
//!
//! Exits non-zero if any output sample is not finite or resident memory grows after the first
//! stretch. Timing is reported, not judged: this machine's timing is noise, the ratios are not.

use std::time::Instant;

use residue::dsp::{Engine, EngineConfig, OutputMode, Settings};

const RATE: usize = 44100;
const BLOCK: usize = 512;
const STRETCH_SECONDS: usize = 300;

/// Resident set size in KiB, from /proc (Linux).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4
}

/// Deterministic source: a pseudo-random walk of tones and noise.
struct Source {
    state: u64,
    phase: [f32; 3],
}

impl Source {
    fn next(&mut self) -> f32 {
        self.state = self.state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let noise = ((self.state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.2;
        let mut tone = 0.0;
        for (i, p) in self.phase.iter_mut().enumerate() {
            *p = (*p + [0.013, 0.031, 0.0071][i]) % std::f32::consts::TAU;
            tone += p.sin() * 0.15;
        }
        noise + tone
    }
}

fn main() {
    let minutes: usize =
        std::env::args().skip_while(|a| a != "--minutes").nth(1).map_or(60, |m| m.parse().expect("--minutes N"));
    let config = EngineConfig { sample_rate: RATE as f32, main_channels: 2, sources: vec![2], max_window: 16384 };
    let mut engine = Engine::new(&config, 4096, 4, Settings::default()).expect("engine");
    let hop = engine.hop();
    let (mut voice, mut guitar) = (Source { state: 1, phase: [0.0; 3] }, Source { state: 2, phase: [1.0; 3] });
    let mut main = vec![vec![0.0f32; BLOCK]; 2];
    let mut refs = vec![vec![0.0f32; BLOCK]; 2];
    let total_blocks = minutes * 60 * RATE / BLOCK;
    let stretches = (minutes * 60).div_ceil(STRETCH_SECONDS);
    let blocks_per_stretch = total_blocks.div_ceil(stretches);
    let (mut bad_out, mut first_rss, mut grew) = (0u64, 0u64, false);
    let (mut tail_time, mut tail_blocks, mut normal_time, mut normal_blocks) = (0.0f64, 0u64, 0.0f64, 0u64);
    let mut stretch_time = 0.0f64;
    println!("{:>8} {:>12} {:>10} {:>14}", "minute", "non-finite", "RSS KiB", "µs per hop");
    for b in 0..total_blocks {
        let t = b * BLOCK;
        let second = t / RATE;
        // Every ten minutes, 60 s of exponential decay (time constant 0.1 s): below 1e-22 after
        // 5 s, in the denormal range after about 9 s, then 0.
        let in_tail = second % 600 >= 540;
        let gain =
            if in_tail { (-((t - (second / 600 * 600 + 540) * RATE) as f32) / (RATE as f32 * 0.1)).exp() } else { 1.0 };
        for i in 0..BLOCK {
            let g = guitar.next();
            let v = voice.next();
            refs[0][i] = g * gain;
            refs[1][i] = 0.9 * g * gain;
            main[0][i] = (v + 0.5 * g) * gain;
            main[1][i] = (0.8 * v + 0.45 * g) * gain;
        }
        if second % 60 == 30 && t % RATE < BLOCK {
            main[0][7] = f32::NAN;
            main[1][9] = f32::INFINITY;
            refs[0][11] = -1e30;
        }
        if b % 2000 == 0 {
            let k = b / 2000;
            engine.set_settings(&Settings {
                threshold: (k % 9) as f32 / 10.0,
                slope: 5.0 + (k % 5) as f32 * 10.0,
                smoothing_ms: (k % 4) as f32 * 40.0,
                output: [OutputMode::Target, OutputMode::Removed][k % 2],
                freeze: k % 7 == 3,
                ..Settings::default()
            });
        }
        let started = Instant::now();
        {
            let (l, r) = main.split_at_mut(1);
            engine.process(&mut [&mut l[0][..], &mut r[0][..]], &[&refs[0][..], &refs[1][..]]);
        }
        let spent = started.elapsed().as_secs_f64();
        stretch_time += spent;
        if in_tail && second % 600 >= 545 {
            (tail_time, tail_blocks) = (tail_time + spent, tail_blocks + 1);
        } else if !in_tail {
            (normal_time, normal_blocks) = (normal_time + spent, normal_blocks + 1);
        }
        bad_out += main.iter().flatten().filter(|x| !x.is_finite()).count() as u64;
        if (b + 1) % blocks_per_stretch == 0
            || (b + 1 == total_blocks && !total_blocks.is_multiple_of(blocks_per_stretch))
        {
            let rss = rss_kib();
            if first_rss == 0 {
                first_rss = rss;
            } else if rss > first_rss + 1024 {
                grew = true;
            }
            let hops = (blocks_per_stretch * BLOCK / hop) as f64;
            let hops = if (b + 1) % blocks_per_stretch == 0 {
                hops
            } else {
                ((b + 1) % blocks_per_stretch * BLOCK / hop) as f64
            };
            println!(
                "{:>8.1} {:>12} {:>10} {:>14.2}",
                ((b + 1) * BLOCK) as f64 / RATE as f64 / 60.0,
                bad_out,
                rss,
                stretch_time / hops * 1e6
            );
            stretch_time = 0.0;
        }
    }
    let per_block = |time: f64, n: u64| time / n.max(1) as f64;
    println!(
        "decaying tails into denormals/silence: {:.3}x the cost per block of normal audio ({} tail blocks)",
        per_block(tail_time, tail_blocks) / per_block(normal_time, normal_blocks),
        tail_blocks
    );
    println!("resident memory: {first_rss} KiB after the first stretch, {} KiB at the end", rss_kib());
    if bad_out > 0 || grew {
        eprintln!("soak FAILED: {bad_out} non-finite output samples; memory grew: {grew}");
        std::process::exit(1);
    }
    println!("soak passed: {minutes} min of audio, every output sample finite, memory flat");
}
