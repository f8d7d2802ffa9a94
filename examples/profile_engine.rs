//! A fixed workload for profilers (e.g. `valgrind --tool=callgrind`, which counts instructions
//! repeatably on a noisy machine): 20 s of a stereo track with a mono reference, 48 kHz,
//! FFT 4096 / 4x, default settings, 480-sample blocks.
//!
//!     cargo build --profile profiling --example profile_engine
//!     valgrind --tool=callgrind target/profiling/examples/profile_engine
//!
//! The test signal is made before processing starts: subtract `main`'s own share (sinf).
//! `--live` runs the engine in Live mode. `--floor` runs the bare STFT (mask 1) instead of the engine; `--window N` sets the FFT size;
//! `--repeat N` runs the 20 s N times; `--isa baseline|avx2|avx512` picks the compiled version of the frame (default: the widest).
//! The bleed model's parts one at a time: `--norbert-model`, `--no-lag`, `--tail N`, `--plain-fit`, `--no-image`,
//! `--lag-ms X` (Auto Lag off, the lag set by hand). The signals are periodic, so the lags the
//! search settles on depend on the run's length (`--repeat 3`: two different ones).

use residue::dsp::stft::Stft;
use residue::dsp::{Engine, EngineConfig, Isa, Ramp, Settings};

fn main() {
    let rate = 48000;
    let seconds = 20;
    let config = EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![1], max_window: 16384 };
    let args: Vec<String> = std::env::args().collect();
    let window = args.iter().position(|a| a == "--window").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(4096);
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let mut settings = if has("--norbert-model") { Settings::default().norbert_model() } else { Settings::default() };
    settings.auto_lag &= !has("--no-lag");
    settings.robust_fit &= !has("--plain-fit");
    settings.target_image &= !has("--no-image");
    if let Some(ms) = args.iter().position(|a| a == "--lag-ms").and_then(|i| args.get(i + 1)?.parse().ok()) {
        (settings.auto_lag, settings.lag_ms) = (false, ms);
    }
    if let Some(n) = args.iter().position(|a| a == "--tail").and_then(|i| args.get(i + 1)?.parse().ok()) {
        settings.tail_frames = n;
    }
    // `--live`: the engine in Live mode.
    let mode = if has("--live") { residue::dsp::LatencyMode::Live } else { residue::dsp::LatencyMode::Mix };
    let mut engine = Engine::with_mode(&config, window, 4, settings, mode).expect("engine");
    let isa = match args.iter().position(|a| a == "--isa").and_then(|i| args.get(i + 1)).map(String::as_str) {
        Some("baseline") => Isa::Baseline,
        Some("avx2") => Isa::Avx2,
        Some("avx512") => Isa::Avx512,
        _ => engine.isa(),
    };
    assert!(engine.set_isa(isa), "this CPU cannot run {isa:?}");
    let signal = |seed: f32| -> Vec<f32> {
        (0..rate * seconds).map(|n| (n as f32 * 0.0123 * seed).sin() * 0.3 + ((n * 7919) % 211) as f32 * 1e-3).collect()
    };
    let (mut left, mut right, reference) = (signal(1.0), signal(2.0), signal(3.0));
    let floor = args.iter().any(|a| a == "--floor");
    let views = residue::dsp::routing::Routing::new(2, &[1]);
    let mut stft = Stft::new(2, views.views().len(), 16384, window, 4);
    let mut references = residue::dsp::references::References::new(
        1,
        views.views(),
        16384,
        residue::dsp::max_lag_samples(rate as f32),
        16384,
    );
    let mut mix = Ramp::new(1.0);
    // `--repeat N`: the same 20 s N times over (for sampling profilers, which need a longer run).
    let repeat: usize =
        args.iter().position(|a| a == "--repeat").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(1);
    let start = std::time::Instant::now();
    for at in (0..rate * seconds).step_by(480).cycle().take(rate * seconds / 480 * repeat) {
        let (main, refs): (&mut [&mut [f32]], &[&[f32]]) =
            (&mut [&mut left[at..at + 480], &mut right[at..at + 480]], &[&reference[at..at + 480]]);
        if floor {
            stft.process(main, refs, &mut references, &mut mix, |_| {});
        } else {
            engine.process(main, refs);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let audio = (seconds * repeat) as f64;
    eprintln!("{:.3} ms per second of audio ({:.0}x real time)", elapsed * 1e3 / audio, audio / elapsed);
    if !floor {
        eprintln!(
            "reference lag per channel (samples, found): {:?}",
            (0..2).map(|c| engine.reference_lag(c, 0)).collect::<Vec<_>>()
        );
    }
    println!("{}", left.iter().map(|x| x.abs()).sum::<f32>());
}
