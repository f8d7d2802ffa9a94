//! Randomised stress over the engine (proptest): random block sizes 0…8192 per call, random
//! automation of every setting, random resets and window switches, every window / overlap,
//! sample rates 8 kHz…192 kHz, 1–2 main channels, 0–2 references of 1–2 channels.
//!
//! Must hold: no panic, every output sample finite, and the output's energy never above the
//! input's by more than the overlap-add tolerance. The bound is exact in theory — every mask is
//! in [0, 1] and the analysis/synthesis window pair is a tight frame, so each stretch of output
//! is a contraction of its input — and 1e-3 (0.004 dB) leaves room for float rounding only.
//! Failing cases are kept by proptest in `tests/stress.proptest-regressions` and re-run first.

use proptest::prelude::*;
use residue::dsp::{Engine, EngineConfig, Interference, OutputMode, Settings};

const ENERGY_TOLERANCE: f64 = 1e-3;
const RATES: [f32; 7] = [8000.0, 11025.0, 22050.0, 44100.0, 48000.0, 96000.0, 192000.0];
const WINDOWS: [usize; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];
const OVERLAPS: [usize; 3] = [2, 4, 8];

#[derive(Debug, Clone)]
enum Step {
    /// Process this many samples.
    Block(usize),
    Settings(Settings),
    Reset,
    Window(usize, usize),
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        0.0f32..=1.0,
        0.1f32..100.0,
        0.5f32..=2.0,
        any::<bool>(),
        0.05f32..60.0,
        any::<bool>(),
        0.0f32..1000.0,
        any::<bool>(),
        any::<bool>(),
        0usize..3,
        0.0f32..=1.0,
        any::<bool>(),
    )
        .prop_map(
            |(
                threshold,
                slope,
                alpha,
                autoscale,
                adapt_seconds,
                freeze,
                smoothing_ms,
                compression,
                link_channels,
                output,
                mix,
                interference,
            )| Settings {
                threshold,
                slope,
                alpha,
                autoscale,
                adapt_seconds,
                freeze,
                smoothing_ms,
                compression,
                link_channels,
                output: [OutputMode::Target, OutputMode::Removed, OutputMode::Reference][output],
                mix,
                interference: interference.then_some(Interference { threshold: 0.3, slope: 20.0, smoothing_ms: 30.0 }),
                ..Settings::default()
            },
        )
        .prop_flat_map(|s| {
            // The bleed model: lag found or set (past the range too), 0–5 taps (clamped), fit.
            (Just(s), any::<bool>(), -10.0f32..80.0, 0usize..6, any::<bool>()).prop_map(
                |(s, auto_lag, lag_ms, tail_frames, robust_fit)| Settings {
                    auto_lag,
                    lag_ms,
                    tail_frames,
                    robust_fit,
                    ..s
                },
            )
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0usize..=8192).prop_map(Step::Block),
        2 => settings().prop_map(Step::Settings),
        1 => Just(Step::Reset),
        1 => (0usize..WINDOWS.len(), 0usize..OVERLAPS.len()).prop_map(|(w, o)| Step::Window(WINDOWS[w], OVERLAPS[o])),
    ]
}

/// Deterministic test audio: noise plus tones at `seed`-dependent levels, sometimes silent.
fn signal(len: usize, seed: u64, rate: f32) -> Vec<f32> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let level = [0.0, 1e-6, 0.1, 0.5, 1.0][(seed % 5) as usize];
    (0..len)
        .map(|n| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((x >> 33) as f32 / (1u64 << 31) as f32 - 0.5) * 2.0;
            level
                * (0.5 * noise
                    + 0.5 * (2.0 * std::f32::consts::PI * 440.0 * (1.0 + seed as f32 % 3.0) * n as f32 / rate).sin())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"))), ..ProptestConfig::default() })]

    #[test]
    fn random_blocks_automation_resets_and_shapes_never_break_the_engine(
        rate in 0usize..RATES.len(),
        main_channels in 1usize..=2,
        sources in proptest::collection::vec(1usize..=4, 0..=2),
        window in 0usize..WINDOWS.len(),
        overlap in 0usize..OVERLAPS.len(),
        initial in settings(),
        steps in proptest::collection::vec(step(), 1..40),
        seed in any::<u64>(),
    ) {
        let rate = RATES[rate];
        let config = EngineConfig { sample_rate: rate, main_channels, sources: sources.clone(), max_window: 16384 };
        let mut engine = Engine::new(&config, WINDOWS[window], OVERLAPS[overlap], initial).unwrap();
        let total: usize = steps.iter().map(|s| if let Step::Block(n) = s { *n } else { 0 }).sum();
        let main: Vec<Vec<f32>> = (0..main_channels).map(|c| signal(total, seed ^ c as u64, rate)).collect();
        let refs: Vec<Vec<f32>> = (0..sources.iter().sum::<usize>()).map(|r| signal(total, seed.rotate_left(7) ^ r as u64, rate)).collect();
        let mut out = main.clone();
        // Energy is compared between resets and window switches (each starts a fresh stream:
        // what was in flight is dropped, never added).
        let mut segment_start = 0;
        let mut at = 0;
        // The output of a segment comes from that segment's input only (delayed), so its energy
        // is bounded by the input energy of the same stretch.
        let check = |from: usize, to: usize, out: &[Vec<f32>]| -> Result<(), TestCaseError> {
            for c in 0..main_channels {
                let e_out: f64 = out[c][from..to].iter().map(|x| (*x as f64).powi(2)).sum();
                let e_in: f64 = main[c][from..to].iter().map(|x| (*x as f64).powi(2)).sum();
                prop_assert!(e_out <= e_in * (1.0 + ENERGY_TOLERANCE) + 1e-12, "channel {c}: output energy {e_out} > input energy {e_in} in {from}..{to}");
            }
            Ok(())
        };
        for s in &steps {
            match s {
                Step::Block(n) => {
                    let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[at..at + n]).collect();
                    let r: Vec<&[f32]> = refs.iter().map(|c| &c[at..at + n]).collect();
                    engine.process(&mut chans, &r);
                    at += n;
                }
                Step::Settings(new) => engine.set_settings(new),
                // A reset, or a switch to another shape (which resets), starts a new segment;
                // switching to the current shape is a no-op.
                Step::Window(w, o) if (*w, *o) == (engine.window(), engine.overlap()) => engine.set_window(*w, *o).unwrap(),
                Step::Reset | Step::Window(..) => {
                    check(segment_start, at, &out)?;
                    segment_start = at;
                    match s {
                        Step::Window(w, o) => engine.set_window(*w, *o).unwrap(),
                        _ => engine.reset(),
                    }
                }
            }
        }
        check(segment_start, at, &out)?;
        for c in &out {
            prop_assert!(c.iter().all(|x| x.is_finite()), "non-finite output");
        }
    }
}
