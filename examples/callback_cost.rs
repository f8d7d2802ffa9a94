//! The most expensive single `process` call with small host buffers, as a fraction of the
//! buffer's real-time deadline. With 64-sample buffers at 4096 / 4x, one call in sixteen
//! completes a hop and carries the frame's FFTs and per-bin work; that call is the one a host
//! can miss its deadline on, however cheap the average is.
//!
//!     cargo run --release --example callback_cost [-- --block 64 --window 4096 --seconds 60]
//!
//! Stereo track, stereo reference, 48 kHz, default settings. Reported: the first call (cold
//! caches), then median / 99.9th percentile / maximum of the rest, and the same for the calls
//! that complete a hop. Wall-clock on whatever else the machine is doing: run it on a quiet one.

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

fn main() {
    let (block, window, seconds) = (arg("--block", 64), arg("--window", 4096), arg("--seconds", 60));
    let rate = 48_000usize;
    let config = EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![2], max_window: 16384 };
    let mut engine = Engine::new(&config, window, 4, Settings::default()).expect("engine");
    let len = rate * seconds / block * block;
    let (mut left, mut right) = (signal(len, 1), signal(len, 2));
    let (ref_l, ref_r) = (signal(len, 3), signal(len, 4));
    let hop = engine.hop();
    let mut times = Vec::with_capacity(len / block);
    let mut hop_times = Vec::with_capacity(len / hop + 1);
    for at in (0..len).step_by(block) {
        let completes_hop = (at + block) / hop > at / hop;
        let start = Instant::now();
        engine.process(&mut [&mut left[at..at + block], &mut right[at..at + block]], &[&ref_l[at..at + block], &ref_r[at..at + block]]);
        let t = start.elapsed().as_secs_f64();
        times.push(t);
        if completes_hop {
            hop_times.push((t, at));
        }
    }
    let deadline = block as f64 / rate as f64;
    let first = times[0];
    let mut rest = times[1..].to_vec();
    rest.sort_by(f64::total_cmp);
    hop_times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let slowest_at = hop_times.last().map_or(0, |h| h.1);
    let hop_times: Vec<f64> = hop_times.iter().map(|h| h.0).collect();
    let us = |t: f64| t * 1e6;
    let pct = |t: f64| 100.0 * t / deadline;
    println!("{block}-sample calls, 48 kHz, FFT {window} / 4x (hop {hop}), stereo track + stereo reference, {seconds} s: deadline {:.0} µs per call", us(deadline));
    println!("{:<34} {:>10} {:>12}", "", "µs", "% deadline");
    let row = |name: &str, t: f64| println!("{name:<34} {:>10.1} {:>11.2}%", us(t), pct(t));
    row("first call (cold)", first);
    row("all calls: median", percentile(&rest, 0.5));
    row("all calls: 99.9th percentile", percentile(&rest, 0.999));
    row("all calls: maximum", *rest.last().expect("calls"));
    row("calls completing a hop: median", percentile(&hop_times, 0.5));
    row("calls completing a hop: 99.9th pct", percentile(&hop_times, 0.999));
    row("calls completing a hop: maximum", *hop_times.last().expect("hops"));
    println!("the slowest hop came at {:.3} s (hop {})", slowest_at as f64 / rate as f64, slowest_at / hop);
    println!("checksum {}", left.iter().chain(&right).map(|x| x.abs() as f64).sum::<f64>());
}
