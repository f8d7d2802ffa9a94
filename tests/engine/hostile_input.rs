//! Garbage in the main or sidechain input (NaN, ±Inf, ±1e30, denormals) never reaches the
//! output: it is treated as silence, so the output is exactly what the same signal with those
//! samples muted gives — finite, and normal again as soon as the garbage stops.

use residue::dsp::{OutputMode, Settings};

use crate::harness::{engine, run};
use crate::signals::{add, noise, tones};

const RATE: f32 = 48000.0;
const BAD: [f32; 8] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30, 1e-40, -1e-45, 3e4];

/// `signal` with samples `from..to` replaced by garbage (cycling through `BAD`), and the same
/// with them muted.
fn spoiled(signal: &[f32], from: usize, to: usize) -> (Vec<f32>, Vec<f32>) {
    let mut bad = signal.to_vec();
    let mut muted = signal.to_vec();
    for i in from..to {
        bad[i] = BAD[i % BAD.len()];
        muted[i] = 0.0;
    }
    (bad, muted)
}

#[test]
fn garbage_in_main_or_sidechain_is_silence_and_never_reaches_the_output() {
    let len = 96000;
    let reference = tones(len, RATE, &[220.0, 330.0], 0.4);
    let mix = add(&tones(len, RATE, &[1000.0, 1500.0], 0.3), &reference, 0.5);
    let (bad_mix, muted_mix) = spoiled(&mix, 30000, 31000);
    let (bad_ref, muted_ref) = spoiled(&reference, 50000, 52000);
    for output in [OutputMode::Target, OutputMode::Removed, OutputMode::Reference] {
        for (alpha, mixing) in [(1.0, 1.0), (2.0, 0.5)] {
            let s = Settings { output, alpha, mix: mixing, ..Settings::default() };
            let garbage = run(
                &mut engine(RATE, 2, &[1], 2048, 4, s),
                &[bad_mix.clone(), bad_mix.clone()],
                std::slice::from_ref(&bad_ref),
                &[333],
            );
            let silence = run(
                &mut engine(RATE, 2, &[1], 2048, 4, s),
                &[muted_mix.clone(), muted_mix.clone()],
                std::slice::from_ref(&muted_ref),
                &[333],
            );
            for c in 0..2 {
                assert!(garbage[c].iter().all(|x| x.is_finite()), "{output:?}: non-finite output");
                assert!(
                    garbage[c] == silence[c],
                    "{output:?} alpha {alpha} mix {mixing}: garbage is not treated as silence"
                );
            }
            // And the output is a real signal, not a muted engine.
            let late = &garbage[0][60000..];
            assert!(late.iter().map(|x| x * x).sum::<f32>() > 1.0, "{output:?}: silent after the garbage");
        }
    }
}

#[test]
fn a_whole_block_of_infinities_then_normal_audio() {
    // A host handing over a buffer full of Inf, then clean audio: the clean audio's output is
    // the same as if the bad buffer had been silence, from the first sample on.
    let len = 48000;
    let reference = noise(len, 7, 0.2);
    let mix = add(&noise(len, 8, 0.2), &reference, 0.7);
    let mut inf_mix = mix.clone();
    inf_mix[..4096].fill(f32::INFINITY);
    let mut zero_mix = mix.clone();
    zero_mix[..4096].fill(0.0);
    let a = run(
        &mut engine(RATE, 1, &[1], 4096, 4, Settings::default()),
        &[inf_mix],
        std::slice::from_ref(&reference),
        &[4096, 512],
    );
    let b = run(&mut engine(RATE, 1, &[1], 4096, 4, Settings::default()), &[zero_mix], &[reference], &[4096, 512]);
    assert!(a == b);
}

#[test]
fn a_near_silent_input_never_comes_out_denormal() {
    // A sine at 1e-29 (above the input floor: it is audio) through every output and a half
    // mix: the syntheses of so small a signal land in the denormal range, where a plugin after
    // Residue would slow down. They come out as 0 instead; larger samples pass untouched.
    let len = 48000;
    let tiny: Vec<f32> = tones(len, RATE, &[440.0, 3000.0], 1e-29);
    let reference = tones(len, RATE, &[220.0], 1e-29);
    for output in [OutputMode::Target, OutputMode::Removed, OutputMode::Reference] {
        for mixing in [1.0, 0.5] {
            let s = Settings { output, mix: mixing, ..Settings::default() };
            let out = run(
                &mut engine(RATE, 1, &[1], 2048, 4, s),
                std::slice::from_ref(&tiny),
                std::slice::from_ref(&reference),
                &[256],
            );
            let denormal = out[0].iter().filter(|x| x.is_subnormal()).count();
            assert_eq!(denormal, 0, "{output:?} mix {mixing}: {denormal} denormal samples");
            // (Nothing is learned from so small a reference, so only the cleaned track carries it.)
            if output == OutputMode::Target {
                assert!(out[0].iter().any(|&x| x != 0.0), "mix {mixing}: the signal itself was muted");
            }
        }
    }
}
