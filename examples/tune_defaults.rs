//! Sweeps the engine's settings over the bundled bleed example and ranks them by how much
//! closer the output gets to the true vocal (SDR improvement, dB).
//!
//!     cargo run --release --example tune_defaults
//!
//! The README's "Defaults" section quotes its output.

use residue::dsp::{Engine, EngineConfig, Settings};

fn read(path: &str) -> (Vec<f32>, f32) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let spec = r.spec();
    let scale = 1.0 / (1u32 << (spec.bits_per_sample - 1)) as f32;
    (r.samples::<i32>().map(|s| s.unwrap() as f32 * scale).collect(), spec.sample_rate as f32)
}

fn sdr(estimate: &[f32], truth: &[f32]) -> f64 {
    let s: f64 = truth.iter().map(|x| (*x as f64).powi(2)).sum();
    let e: f64 = truth.iter().zip(estimate).map(|(t, y)| ((t - y) as f64).powi(2)).sum();
    10.0 * (s / e).log10()
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/vocal-bleed");
    let (mix, rate) = read(&format!("{dir}/vocal_mic.wav"));
    let (reference, _) = read(&format!("{dir}/guitar_mic.wav"));
    let (truth, _) = read(&format!("{dir}/truth_vocal.wav"));
    let baseline = sdr(&mix, &truth);
    let score = |window: usize, s: Settings| {
        let config = EngineConfig { sample_rate: rate, main_channels: 1, sources: vec![1], max_window: window };
        let mut e = Engine::new(&config, window, 4, s).unwrap();
        let lat = e.latency();
        let mut out: Vec<f32> = mix.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect();
        let r: Vec<f32> = reference.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect();
        for (o, rr) in out.chunks_mut(1024).zip(r.chunks(1024)) {
            e.process(&mut [o], &[rr]);
        }
        sdr(&out[lat..], &truth) - baseline
    };
    let mut results = Vec::new();
    for window in [2048, 4096, 8192] {
        for alpha in [1.0, 2.0] {
            for threshold in [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5] {
                for slope in [4.0, 8.0, 15.0, 30.0] {
                    for smoothing_ms in [0.0, 30.0, 60.0, 100.0, 150.0] {
                        for adapt_seconds in [1.0, 4.0, 10.0] {
                            let s = Settings { alpha, threshold, slope, smoothing_ms, adapt_seconds, ..Settings::default() };
                            results.push((score(window, s), window, s));
                        }
                    }
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("input SDR {baseline:.2} dB; {} settings tried; best SDR improvements:", results.len());
    println!("  dB    window alpha thresh slope smooth_ms adapt_s");
    for (gain, window, s) in results.iter().take(12) {
        println!("{gain:6.2}  {window:5}  {:4.1}  {:5.2}  {:5.1}  {:6.0}  {:6.1}", s.alpha, s.threshold, s.slope, s.smoothing_ms, s.adapt_seconds);
    }
    let d = Settings::default();
    println!("defaults (4096): {:.2} dB; plain Wiener (no compression, no smoothing): {:.2} dB",
        score(4096, d), score(4096, Settings { compression: false, smoothing_ms: 0.0, ..d }));
}
