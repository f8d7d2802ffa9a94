//! Live against Mix per second of audio: 48 kHz, stereo track, mono reference (the case the
//! ≥ 100× real-time target is stated for), FFT 4096, 10 ms and 64-sample host buffers. The
//! Live floor is Live's driver with the frame callback doing nothing (the analyses, the filter
//! designs and the partitioned convolution, no model), so the model's share is the difference.
//!
//!     cargo bench --bench live

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use residue::dsp::live::Live;
use residue::dsp::references::References;
use residue::dsp::{max_lag_samples, Engine, EngineConfig, LatencyMode, Ramp, Settings};

const RATE: usize = 48_000;

/// The reference: broadband noise (an LCG); the track: tones and a sawtooth plus its bleed.
fn signals() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let reference: Vec<f32> = (0..RATE)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.4
        })
        .collect();
    let lag = RATE / 200;
    let track = |seed: u32| {
        (0..RATE)
            .map(|n| (n as f32 * 0.0123 * seed as f32).sin() * 0.3 + 0.5 * reference[n.saturating_sub(lag)])
            .collect()
    };
    (track(1), track(2), reference)
}

fn bench(c: &mut Criterion) {
    let (left, right, reference) = signals();
    let mut group = c.benchmark_group("one second, 48 kHz, stereo track, mono reference, FFT 4096");
    group.throughput(Throughput::Elements(RATE as u64));
    group.sample_size(20);
    let fresh = || (left.clone(), right.clone());
    for block in [480, 64] {
        let second = |(l, r): &mut (Vec<f32>, Vec<f32>), process: &mut dyn FnMut(&mut [&mut [f32]], &[&[f32]])| {
            for at in (0..RATE).step_by(block) {
                let end = (at + block).min(RATE);
                process(&mut [&mut l[at..end], &mut r[at..end]], &[&reference[at..end]]);
            }
        };
        for mode in [LatencyMode::Mix, LatencyMode::Live] {
            let config =
                EngineConfig { sample_rate: RATE as f32, main_channels: 2, sources: vec![1], max_window: 16384 };
            let mut engine = Engine::with_mode(&config, 4096, 4, Settings::default(), mode).unwrap();
            // Three seconds first, so the lag search and the fit are at work.
            for _ in 0..3 {
                second(&mut fresh(), &mut |m, r| engine.process(m, r));
            }
            group.bench_function(BenchmarkId::new(format!("engine, {mode:?}"), block), |b| {
                b.iter_batched_ref(fresh, |io| second(io, &mut |m, r| engine.process(m, r)), BatchSize::LargeInput)
            });
        }
        let mut live = Live::new(RATE as f32, 2, 16384, 4096);
        let mut references = References::new(1, &[0], 16384, max_lag_samples(RATE as f32), 16384);
        let mut mix = Ramp::new(1.0);
        group.bench_function(BenchmarkId::new("Live floor (no model)", block), |b| {
            b.iter_batched_ref(
                fresh,
                |io| second(io, &mut |m, r| live.process(m, r, &mut references, &mut mix, |_frame| {})),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
