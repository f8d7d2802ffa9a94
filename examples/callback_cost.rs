//! The most expensive single `process` call with small host buffers, as a fraction of the
//! buffer's real-time deadline. With 64-sample buffers at 4096 / 4x, one call in sixteen
//! completes a hop and carries the frame's FFTs and per-bin work; that call is the one a host
//! can miss its deadline on, however cheap the average is.
//!
//!     cargo run --release --example callback_cost [-- --block 64 --window 4096 --seconds 60]
//!
//! Stereo track, stereo reference, 48 kHz, default settings. Reported: the first call (cold
//! caches), then median / 99.9th percentile / maximum of the rest, and the same for the calls
//! that complete a hop; once in wall-clock time (what the host's deadline is measured in,
//! including whatever else the machine did meanwhile) and once in the thread's CPU time (what
//! the call itself cost).

use std::time::Instant;

use residue::dsp::{Engine, EngineConfig, Settings};

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

/// One clock's view of the calls: all of them, and those that completed a hop.
struct Calls {
    all: Vec<f64>,
    hops: Vec<(f64, usize)>,
}

impl Calls {
    fn report(&self, title: &str, deadline: f64, rate: usize, hop: usize) {
        let us = |t: f64| t * 1e6;
        let pct = |t: f64| 100.0 * t / deadline;
        let mut rest = self.all[1..].to_vec();
        rest.sort_by(f64::total_cmp);
        let mut hops = self.hops.clone();
        hops.sort_by(|a, b| a.0.total_cmp(&b.0));
        let slowest_at = hops.last().map_or(0, |h| h.1);
        let hops: Vec<f64> = hops.iter().map(|h| h.0).collect();
        println!("\n{title:<34} {:>10} {:>12}", "µs", "% deadline");
        let row = |name: &str, t: f64| println!("{name:<34} {:>10.1} {:>11.2}%", us(t), pct(t));
        row("first call (cold)", self.all[0]);
        row("all calls: median", percentile(&rest, 0.5));
        row("all calls: 99.9th percentile", percentile(&rest, 0.999));
        row("all calls: maximum", *rest.last().expect("calls"));
        row("calls completing a hop: median", percentile(&hops, 0.5));
        row("calls completing a hop: 90th pct", percentile(&hops, 0.9));
        row("calls completing a hop: 99th pct", percentile(&hops, 0.99));
        row("calls completing a hop: 99.9th pct", percentile(&hops, 0.999));
        row("calls completing a hop: maximum", *hops.last().expect("hops"));
        println!("the slowest hop came at {:.3} s (hop {})", slowest_at as f64 / rate as f64, slowest_at / hop);
    }
}

fn main() {
    let (block, window, seconds) = (arg("--block", 64), arg("--window", 4096), arg("--seconds", 60));
    let rate = 48_000usize;
    let config = EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![2], max_window: 16384 };
    let mut engine = Engine::new(&config, window, 4, Settings::default()).expect("engine");
    let len = rate * seconds / block * block;
    let (mut left, mut right) = (signal(len, 1), signal(len, 2));
    let (ref_l, ref_r) = (signal(len, 3), signal(len, 4));
    let hop = engine.hop();
    let calls = || Calls { all: Vec::with_capacity(len / block), hops: Vec::with_capacity(len / hop + 1) };
    let (mut wall, mut cpu) = (calls(), calls());
    for at in (0..len).step_by(block) {
        let completes_hop = (at + block) / hop > at / hop;
        let (start, start_cpu) = (Instant::now(), thread_cpu_seconds());
        engine.process(&mut [&mut left[at..at + block], &mut right[at..at + block]], &[&ref_l[at..at + block], &ref_r[at..at + block]]);
        let (t, c) = (start.elapsed().as_secs_f64(), thread_cpu_seconds() - start_cpu);
        wall.all.push(t);
        cpu.all.push(c);
        if completes_hop {
            wall.hops.push((t, at));
            cpu.hops.push((c, at));
        }
    }
    let deadline = block as f64 / rate as f64;
    println!("{block}-sample calls, 48 kHz, FFT {window} / 4x (hop {hop}), stereo track + stereo reference, {seconds} s: deadline {:.0} µs per call", deadline * 1e6);
    wall.report("wall clock", deadline, rate, hop);
    cpu.report("thread CPU time", deadline, rate, hop);
    println!("\nchecksum {}", left.iter().chain(&right).map(|x| x.abs() as f64).sum::<f64>());
}
