//! The engine per second of audio (overlap 4) at windows 1024…8192 against the STFT floor: the
//! same analysis and synthesis of the same channels with nothing done to the spectra (mask fixed
//! at 1). The pipeline's overhead over the floor is the ratio of the two, measured in the same
//! run. 48 kHz, plus the 44.1 kHz case the real-time target is stated for (4096 / 4x, mono
//! reference).
//!
//! The track is stereo and holds the reference's bleed, late by a lag per channel, so the lag
//! search has something real to find (checked before timing). Three references:
//! - mono, one lag: a coincident pair (both mics hear the source 5 ms late); the engine
//!   analyses the reference once, like the floor;
//! - mono, two lags: a spaced pair (5 ms and 6.25 ms); the engine analyses the reference at
//!   each channel's lag, twice per hop, where the floor analyses it once. A second floor,
//!   "floor at the engine's lags", analyses it at both, to show what that second analysis costs;
//! - stereo (5 ms and 6.25 ms): one reference channel per track channel, in both.
//!
//! ```text
//! cargo bench --bench engine
//! python3 scripts/bench_table.py    # docs/performance.md's table from the last run
//! ```

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use residue::dsp::references::References;
use residue::dsp::routing::Routing;
use residue::dsp::stft::Stft;
use residue::dsp::{max_lag_samples, Engine, EngineConfig, Ramp, Settings};

/// The track's own signal: tones and a sawtooth.
fn target(len: usize, seed: u32) -> Vec<f32> {
    (0..len)
        .map(|n| (n as f32 * 0.0123 * (seed + 1) as f32).sin() * 0.3 + ((n as u32 * 7919 + seed) % 211) as f32 * 1e-3)
        .collect()
}

/// The reference: broadband noise (an LCG), a different one per seed.
fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.4
        })
        .collect()
}

struct Case {
    name: &'static str,
    ref_channels: usize,
    /// The lag at which each track channel hears its reference channel, seconds.
    lags: [f32; 2],
}

const CASES: [Case; 3] = [
    Case { name: "mono reference, one lag", ref_channels: 1, lags: [0.005, 0.005] },
    Case { name: "mono reference, two lags", ref_channels: 1, lags: [0.005, 0.00625] },
    Case { name: "stereo reference", ref_channels: 2, lags: [0.005, 0.00625] },
];

fn group(c: &mut Criterion, rate: usize, windows: &[usize], cases: &[&Case]) {
    // 10 ms host buffers (480 samples at 48 kHz, 441 at 44.1 kHz): they divide the second.
    let block = rate / 100;
    let mut group = c.benchmark_group(format!("one second, {} kHz, stereo track", rate as f32 / 1000.0));
    group.throughput(Throughput::Elements(rate as u64));
    group.sample_size(20);
    for &window in windows {
        for case in cases {
            let lags = case.lags.map(|s| (s * rate as f32).round() as usize);
            // Reference history before the second starts, for the later channel's bleed.
            let pad = lags[0].max(lags[1]);
            let reference: Vec<Vec<f32>> = (0..case.ref_channels).map(|r| noise(rate + pad, r as u64 + 3)).collect();
            // Track channel c = its own signal + the bleed of the reference channel it hears.
            let main: Vec<Vec<f32>> = (0..2)
                .map(|ch| {
                    let heard = &reference[ch.min(case.ref_channels - 1)];
                    target(rate, ch as u32 + 1)
                        .iter()
                        .enumerate()
                        .map(|(n, t)| t + 0.5 * heard[pad + n - lags[ch]])
                        .collect()
                })
                .collect();
            let reference: Vec<&[f32]> = reference.iter().map(|r| &r[pad..]).collect();
            // One second through `process`, in place in a fresh copy of the track (made outside the
            // timing by `iter_batched_ref`).
            let fresh = || (main[0].clone(), main[1].clone());
            let second = |(l, r): &mut (Vec<f32>, Vec<f32>), process: &mut dyn FnMut(&mut [&mut [f32]], &[&[f32]])| {
                for at in (0..rate).step_by(block) {
                    let refs: [&[f32]; 2] =
                        std::array::from_fn(|c| reference.get(c).map_or(&[][..], |x| &x[at..at + block]));
                    process(&mut [&mut l[at..at + block], &mut r[at..at + block]], &refs[..reference.len()]);
                }
            };
            let config = EngineConfig {
                sample_rate: rate as f32,
                main_channels: 2,
                sources: vec![case.ref_channels],
                max_window: 16384,
            };
            let mut engine = Engine::new(&config, window, 4, Settings::default()).unwrap();
            // Three seconds first, so the lags are found: what is timed is the engine at work.
            for _ in 0..3 {
                second(&mut fresh(), &mut |m, r| engine.process(m, r));
            }
            let found = [engine.reference_lag(0, 0), engine.reference_lag(1, 0)];
            assert_eq!(found, [(lags[0], true), (lags[1], true)], "{}, window {window}: the lags found", case.name);
            group.bench_function(BenchmarkId::new(format!("engine, {}", case.name), window), |b| {
                b.iter_batched_ref(fresh, |io| second(io, &mut |m, r| engine.process(m, r)), BatchSize::LargeInput)
            });
            let views = Routing::new(2, &[case.ref_channels]);
            let mut floors = vec![("STFT floor", [0, 0])];
            if case.ref_channels == 1 && lags[0] != lags[1] {
                floors.push(("STFT floor at the engine's lags", lags));
            }
            for (floor, delays) in floors {
                let mut stft = Stft::new(2, views.views().len(), 16384, window, 4);
                let mut references =
                    References::new(case.ref_channels, views.views(), 16384, max_lag_samples(rate as f32), 16384);
                for (v, d) in delays.into_iter().enumerate() {
                    references.set_delay(v, d);
                }
                let mut mix = Ramp::new(1.0);
                group.bench_function(BenchmarkId::new(format!("{floor}, {}", case.name), window), |b| {
                    b.iter_batched_ref(
                        fresh,
                        |io| second(io, &mut |m, r| stft.process(m, r, &mut references, &mut mix, |_frame| {})),
                        BatchSize::LargeInput,
                    )
                });
            }
        }
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    group(c, 48_000, &[1024, 2048, 4096, 8192], &CASES.iter().collect::<Vec<_>>());
    group(c, 44_100, &[4096], &[&CASES[1]]);
}

criterion_group!(benches, bench);
criterion_main!(benches);
