//! The most expensive single `process` call with small host buffers, as a fraction of the
//! buffer's real-time deadline: the call a host can miss its deadline on, however cheap the
//! average is. The STFT spreads each frame's work over the next hop in stages (at 4096 / 4x
//! with 64-sample buffers, sixteen calls share about eight stages), so no call should carry a
//! whole frame; the slowest calls are listed with where in the hop they came.
//!
//!     cargo run --release --example callback_cost [-- --block 64 --window 4096 --seconds 60 --no-lag --live --mono-ref]
//!
//! `--live`: the engine in Live mode (each frame's analysis, model, filter design and partition
//! transforms run in the call that completes the frame: no spreading, which would make the mask
//! one frame staler).
//!
//! Stereo track, stereo reference (`--mono-ref`: mono), 48 kHz, default settings. Reported: the first call (cold
//! caches), then median / 99th / 99.9th percentile / maximum of the rest, the five slowest calls,
//! and per position in the hop (each runs the same stage every hop) its median / 99th / maximum;
//! once in wall-clock time (what the host's deadline is measured in, including whatever else
//! the machine did meanwhile) and once in the thread's CPU time (what the call itself cost).

use std::time::Instant;

use residue::dsp::{Engine, EngineConfig, LatencyMode, Settings};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().expect("a number"))
}

/// Noise with a few tones, deterministic (an LCG), so that every bin has work to do.
fn signal(len: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(747_796_405).wrapping_add(1);
    (0..len)
        .map(|n| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            0.2 * noise + 0.3 * (n as f32 * 0.031 * (seed + 1) as f32).sin()
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// CPU time this thread has run, seconds: what a call costs, without the time the OS gave
/// another process meanwhile (on a shared machine that, not the engine, makes the worst
/// wall-clock calls).
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid clock id and a valid pointer to a timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// One clock's view of the calls: each call's time and the sample it started at.
struct Calls(Vec<(f64, usize)>);

impl Calls {
    fn report(&self, title: &str, deadline: f64, rate: usize, hop: usize) {
        let us = |t: f64| t * 1e6;
        let pct = |t: f64| 100.0 * t / deadline;
        let mut rest = self.0[1..].to_vec();
        rest.sort_by(|a, b| a.0.total_cmp(&b.0));
        let times: Vec<f64> = rest.iter().map(|c| c.0).collect();
        println!("\n{title:<34} {:>10} {:>12}", "µs", "% deadline");
        let row = |name: &str, t: f64| println!("{name:<34} {:>10.1} {:>11.2}%", us(t), pct(t));
        row("first call (cold)", self.0[0].0);
        row("the rest: median", percentile(&times, 0.5));
        row("the rest: 99th percentile", percentile(&times, 0.99));
        row("the rest: 99.9th percentile", percentile(&times, 0.999));
        row("the rest: maximum", *times.last().expect("calls"));
        let slowest: Vec<String> = rest
            .iter()
            .rev()
            .take(5)
            .map(|&(t, at)| {
                format!("{:.0} µs at {:.3} s (sample {} of its hop)", us(t), at as f64 / rate as f64, at % hop)
            })
            .collect();
        println!("slowest: {}", slowest.join("; "));
        // By position in the hop: the same position runs the same stage every hop, so its
        // median is what that stage costs, and a maximum far above its own median is the
        // machine (another process, an interrupt), not the call.
        let mut by_position: Vec<(usize, Vec<f64>)> = Vec::new();
        for &(t, at) in &self.0[1..] {
            match by_position.iter_mut().find(|(p, _)| *p == at % hop) {
                Some((_, v)) => v.push(t),
                None => by_position.push((at % hop, vec![t])),
            }
        }
        for (_, v) in &mut by_position {
            v.sort_by(f64::total_cmp);
        }
        by_position.sort_by(|a, b| percentile(&b.1, 0.5).total_cmp(&percentile(&a.1, 0.5)));
        println!(
            "heaviest positions in the hop (median / 99th / max µs over {} hops):",
            by_position.first().map_or(0, |p| p.1.len())
        );
        for (p, v) in by_position.iter().take(4) {
            println!(
                "  sample {p:>5}: {:>6.1} / {:>6.1} / {:>6.1}",
                us(percentile(v, 0.5)),
                us(percentile(v, 0.99)),
                us(*v.last().expect("calls"))
            );
        }
        let lightest = by_position.last().expect("positions");
        println!(
            "  lightest, sample {:>5}: {:>6.1} / {:>6.1} / {:>6.1}",
            lightest.0,
            us(percentile(&lightest.1, 0.5)),
            us(percentile(&lightest.1, 0.99)),
            us(*lightest.1.last().expect("calls"))
        );
    }
}

fn main() {
    let (block, window, seconds) = (arg("--block", 64), arg("--window", 4096), arg("--seconds", 60));
    let rate = 48_000usize;
    // `--mono-ref`: a mono reference (the Live requirement's case) instead of a stereo one.
    let ref_channels = if std::env::args().any(|a| a == "--mono-ref") { 1 } else { 2 };
    let config =
        EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![ref_channels], max_window: 16384 };
    // `--no-lag`: the lag search off (Lag set by hand), to see what it adds to the slowest calls.
    let auto_lag = !std::env::args().any(|a| a == "--no-lag");
    let mode = if std::env::args().any(|a| a == "--live") { LatencyMode::Live } else { LatencyMode::Mix };
    let mut engine =
        Engine::with_mode(&config, window, 4, Settings { auto_lag, ..Settings::default() }, mode).expect("engine");
    let len = rate * seconds / block * block;
    let (mut left, mut right) = (signal(len, 1), signal(len, 2));
    let (ref_l, ref_r) = (signal(len, 3), signal(len, 4));
    let hop = engine.hop();
    let (mut wall, mut cpu) = (Calls(Vec::with_capacity(len / block)), Calls(Vec::with_capacity(len / block)));
    for at in (0..len).step_by(block) {
        let (start, start_cpu) = (Instant::now(), thread_cpu_seconds());
        let refs: [&[f32]; 2] = [&ref_l[at..at + block], &ref_r[at..at + block]];
        engine.process(&mut [&mut left[at..at + block], &mut right[at..at + block]], &refs[..ref_channels]);
        wall.0.push((start.elapsed().as_secs_f64(), at));
        cpu.0.push((thread_cpu_seconds() - start_cpu, at));
    }
    let deadline = block as f64 / rate as f64;
    println!("{mode:?}: {block}-sample calls, 48 kHz, FFT {window} (hop {hop}), stereo track + {} reference, {seconds} s: deadline {:.0} µs per call", if ref_channels == 1 { "mono" } else { "stereo" }, deadline * 1e6);
    wall.report("wall clock", deadline, rate, hop);
    cpu.report("thread CPU time", deadline, rate, hop);
    println!("\nchecksum {}", left.iter().chain(&right).map(|x| x.abs() as f64).sum::<f64>());
}
