//! Threshold and Slope move while audio plays: changes land within one hop, without clicks.

use residue::dsp::{Engine, Settings};

use crate::harness::engine;
use crate::signals::{add, max_step, tones};

const RATE: f32 = 48000.0;

/// Processes in 64-sample blocks, calling `automate(block_index, engine)` before each block.
fn automated(main: &[f32], refs: &[f32], mut automate: impl FnMut(usize, &mut Engine)) -> Vec<f32> {
    let mut e = engine(RATE, 1, &[1], 2048, 4, Settings::default());
    let mut out = main.to_vec();
    for (i, (block, r)) in out.chunks_mut(64).zip(refs.chunks(64)).enumerate() {
        automate(i, &mut e);
        e.process(&mut [block], &[r]);
    }
    out
}

#[test]
fn abrupt_threshold_and_slope_moves_make_no_clicks() {
    let len = 96_000;
    let bleed = tones(len, RATE, &[110.0, 165.0], 0.5);
    let main = add(&tones(len, RATE, &[196.0, 294.0], 0.4), &bleed, 0.7);
    let still = automated(&main, &bleed, |_, _| {});
    // Every 75 blocks, slam Threshold between 0 (keep all) and 1 (remove all), Slope 2 ↔ 60.
    let moving = automated(&main, &bleed, |i, e| {
        let up = (i / 75) % 2 == 1;
        e.set_settings(&Settings {
            threshold: if up { 1.0 } else { 0.0 },
            slope: if up { 60.0 } else { 2.0 },
            ..Settings::default()
        });
    });
    let input_step = max_step(&main);
    let (still_step, moving_step) = (max_step(&still[4096..]), max_step(&moving[4096..]));
    eprintln!("max step: input {input_step:.4}, still {still_step:.4}, automated {moving_step:.4}");
    // A click would be a jump of the order of the signal's amplitude (~0.5); the overlap-add
    // spreads every mask change over a window, so steps stay at the signal's own scale.
    assert!(moving_step < 1.25 * input_step, "automation made a step of {moving_step} (input's largest: {input_step})");
    assert!(still != moving);
}

#[test]
fn a_change_is_heard_within_one_hop() {
    let len = 48_000;
    let bleed = tones(len, RATE, &[110.0, 165.0], 0.5);
    let main = add(&tones(len, RATE, &[196.0, 294.0], 0.4), &bleed, 0.7);
    let change_block = 400;
    let still = automated(&main, &bleed, |_, _| {});
    let moved = automated(&main, &bleed, |i, e| {
        if i == change_block {
            e.set_settings(&Settings { threshold: 0.95, ..Settings::default() });
        }
    });
    let first_diff = still.iter().zip(&moved).position(|(a, b)| a != b).expect("the change must be heard");
    let at = change_block * 64;
    assert!(first_diff >= at, "heard before it was made");
    // The next frame is cut within one hop. Its first output samples carry almost no window
    // weight (analysis × synthesis window below 1e-6 over the first 8), and Threshold glides
    // (30 ms), so in those samples the change can round away.
    assert!(first_diff <= at + 512 + 8, "heard {} samples after the change; hop is 512", first_diff - at);
}
