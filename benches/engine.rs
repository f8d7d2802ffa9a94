//! The engine per second of audio (overlap 4) at windows 1024…8192, stereo track with a mono
//! and with a stereo reference, against the STFT floor: the same analysis and synthesis of the
//! same channels with nothing done to the spectra (mask fixed at 1). The pipeline's overhead
//! over the floor is the ratio of the two, measured in the same run. 48 kHz, plus the 44.1 kHz
//! case the real-time target is stated for (4096 / 4x, mono reference).
//!
//!     cargo bench --bench engine
//!     python3 scripts/bench_table.py    # the README's table from the last run

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use residue::dsp::stft::Stft;
use residue::dsp::{Engine, EngineConfig, Ramp, Settings};


fn audio(rate: usize, seed: u32) -> Vec<f32> {
    (0..rate).map(|n| (n as f32 * 0.0123 * (seed + 1) as f32).sin() * 0.3 + ((n as u32 * 7919 + seed) % 211) as f32 * 1e-3).collect()
}

fn group(c: &mut Criterion, rate: usize, windows: &[usize], references: &[usize]) {
    // 10 ms host buffers (480 samples at 48 kHz, 441 at 44.1 kHz): they divide the second.
    let block = rate / 100;
    let main = [audio(rate, 1), audio(rate, 2)];
    let reference = [audio(rate, 3), audio(rate, 4)];
    let mut group = c.benchmark_group(format!("one second, {} kHz, stereo track", rate as f32 / 1000.0));
    group.throughput(Throughput::Elements(rate as u64));
    group.sample_size(20);
    for &window in windows {
        for &ref_channels in references {
            let config = EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![ref_channels], max_window: 16384 };
            let mut engine = Engine::new(&config, window, 4, Settings::default()).unwrap();
            let (mut l, mut r) = (main[0].clone(), main[1].clone());
            group.bench_function(BenchmarkId::new(format!("engine, {ref_channels}-ch reference"), window), |b| {
                b.iter(|| {
                    for at in (0..rate).step_by(block) {
                        let refs: [&[f32]; 2] = [&reference[0][at..at + block], &reference[1][at..at + block]];
                        engine.process(&mut [&mut l[at..at + block], &mut r[at..at + block]], &refs[..ref_channels]);
                    }
                })
            });
            let mut stft = Stft::new(2, ref_channels, residue::dsp::routing::Routing::new(2, &[ref_channels]).views(), 16384, residue::dsp::max_lag_samples(rate as f32), window, 4);
            let mut mix = Ramp::new(1.0);
            let (mut l, mut r) = (main[0].clone(), main[1].clone());
            group.bench_function(BenchmarkId::new(format!("STFT floor, {ref_channels}-ch reference"), window), |b| {
                b.iter(|| {
                    for at in (0..rate).step_by(block) {
                        let refs: [&[f32]; 2] = [&reference[0][at..at + block], &reference[1][at..at + block]];
                        stft.process(&mut [&mut l[at..at + block], &mut r[at..at + block]], &refs[..ref_channels], &mut mix, |_frame| {});
                    }
                })
            });
        }
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    group(c, 48_000, &[1024, 2048, 4096, 8192], &[1, 2]);
    group(c, 44_100, &[4096], &[1]);
}

criterion_group!(benches, bench);
criterion_main!(benches);
