//! The engine per second of audio (48 kHz, overlap 4) at windows 1024…8192, stereo track with a
//! mono and with a stereo reference, against the STFT floor: the same analysis and synthesis
//! with nothing done to the spectra (mask fixed at 1). The pipeline's overhead over the floor is
//! the ratio of the two, measured in the same run.
//!
//!     cargo bench --bench engine

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use residue::dsp::stft::Stft;
use residue::dsp::{Engine, EngineConfig, Ramp, Settings};

const RATE: usize = 48000;
/// Host buffer size (a divisor of the second).
const BLOCK: usize = 480;

fn audio(seed: u32) -> Vec<f32> {
    (0..RATE).map(|n| (n as f32 * 0.0123 * (seed + 1) as f32).sin() * 0.3 + ((n as u32 * 7919 + seed) % 211) as f32 * 1e-3).collect()
}

fn bench(c: &mut Criterion) {
    let main = [audio(1), audio(2)];
    let reference = [audio(3), audio(4)];
    let mut group = c.benchmark_group("one second, 48 kHz, stereo track");
    group.throughput(Throughput::Elements(RATE as u64));
    group.sample_size(20);
    for window in [1024, 2048, 4096, 8192] {
        for ref_channels in [1, 2] {
            let config = EngineConfig { sample_rate: RATE as f32, main_channels: 2, sources: vec![ref_channels], max_window: 16384 };
            let mut engine = Engine::new(&config, window, 4, Settings::default()).unwrap();
            let (mut l, mut r) = (main[0].clone(), main[1].clone());
            group.bench_function(BenchmarkId::new(format!("engine, {ref_channels}-ch reference"), window), |b| {
                b.iter(|| {
                    for at in (0..RATE).step_by(BLOCK) {
                        let refs: [&[f32]; 2] = [&reference[0][at..at + BLOCK], &reference[1][at..at + BLOCK]];
                        engine.process(&mut [&mut l[at..at + BLOCK], &mut r[at..at + BLOCK]], &refs[..ref_channels]);
                    }
                })
            });
        }
        let mut stft = Stft::new(2, 1, 16384, window, 4);
        let mut mix = Ramp::new(1.0);
        let (mut l, mut r) = (main[0].clone(), main[1].clone());
        group.bench_function(BenchmarkId::new("STFT floor (mask 1)", window), |b| {
            b.iter(|| {
                for at in (0..RATE).step_by(BLOCK) {
                    stft.process(&mut [&mut l[at..at + BLOCK], &mut r[at..at + BLOCK]], &[&reference[0][at..at + BLOCK]], &mut mix, |_frame| {});
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
