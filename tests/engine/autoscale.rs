//! The causal autoscale fit in norbert's setting (one tap, plain least squares, reference not
//! delayed): converges, follows, freezes, forgets.

use residue::dsp::Settings;

use crate::harness::{engine, run};
use crate::signals::noise;

const RATE: f32 = 48000.0;

/// Pure bleed (no target): mixture = g · reference, so the fitted gain per bin is g^alpha.
fn fitted_gain(g: f32, alpha: f32, settings: Settings, seconds: f32) -> Vec<f32> {
    let len = (RATE * seconds) as usize;
    let r = noise(len, 7, 0.3);
    let mix: Vec<f32> = r.iter().map(|x| g * x).collect();
    let mut e = engine(RATE, 1, &[1], 1024, 4, Settings { alpha, ..settings });
    run(&mut e, &[mix], &[r], &[480]);
    e.learned_gain(0).to_vec()
}

fn median(mut v: Vec<f32>) -> f32 {
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

#[test]
fn converges_to_the_true_gain_for_every_alpha() {
    for alpha in [0.5, 1.0, 2.0] {
        let gains = fitted_gain(0.5, alpha, Settings::default().norbert_model(), 2.0);
        let want = 0.5f32.powf(alpha);
        // Bins 2..bins-2: DC and Nyquist of a windowed noise are degenerate.
        let inner = &gains[2..gains.len() - 2];
        let worst = inner.iter().map(|g| (g / want - 1.0).abs()).fold(0.0, f32::max);
        assert!(worst < 1e-3, "alpha {alpha}: worst relative error {worst}");
    }
}

#[test]
fn follows_a_level_change_at_the_adaptation_time_and_freeze_holds() {
    let len = (RATE * 6.0) as usize;
    let r = noise(len, 3, 0.3);
    let half = len / 2;
    // Bleed gain 0.25 for 3 s, then 0.5.
    let mix: Vec<f32> = r.iter().enumerate().map(|(i, x)| if i < half { 0.25 * x } else { 0.5 * x }).collect();
    let run_with = |settings: Settings, upto: usize| {
        let mut e = engine(RATE, 1, &[1], 1024, 4, settings);
        run(&mut e, &[mix[..upto].to_vec()], &[r[..upto].to_vec()], &[1024]);
        median(e.learned_gain(0)[2..500].to_vec())
    };
    let s = Settings { adapt_seconds: 0.5, ..Settings::default().norbert_model() };
    let before = run_with(s, half);
    assert!((before - 0.25).abs() < 0.01, "before the change: {before}");
    // One time constant after the change the fit has moved most of the way (LS with
    // exponential forgetting: weight of the new data 1 − e^−1 ≈ 63 %), after 3 s it is there.
    let after_tau = run_with(s, half + (0.5 * RATE) as usize);
    assert!(after_tau > 0.38 && after_tau < 0.48, "one time constant later: {after_tau}");
    let settled = run_with(s, len);
    assert!((settled - 0.5).abs() < 0.01, "settled: {settled}");
    // Frozen from the start of the second half: the learned 0.25 stays.
    let mut e = engine(RATE, 1, &[1], 1024, 4, s);
    run(&mut e, &[mix[..half].to_vec()], &[r[..half].to_vec()], &[1024]);
    e.set_settings(&Settings { freeze: true, ..s });
    run(&mut e, &[mix[half..].to_vec()], &[r[half..].to_vec()], &[1024]);
    let frozen = median(e.learned_gain(0)[2..500].to_vec());
    assert!((frozen - 0.25).abs() < 0.01, "frozen: {frozen}");
    // reset() (a host starting playback) keeps what was learned; relearn() forgets.
    let learned = e.learned_gain(0).to_vec();
    e.reset();
    assert_eq!(e.learned_gain(0), &learned[..]);
    e.relearn();
    assert!(e.learned_gain(0).iter().all(|&g| g == 0.0));
}

#[test]
fn off_means_gain_one() {
    // mixture = 2·reference: with the gain held at 1 the residual is |R| and the plain Wiener
    // mask is exactly 1/2 in every bin, so the output is half the delayed input.
    let len = 48000;
    let r = noise(len, 5, 0.3);
    let mix: Vec<f32> = r.iter().map(|x| 2.0 * x).collect();
    let s = Settings { autoscale: false, compression: false, smoothing_ms: 0.0, ..Settings::default().norbert_model() };
    let out = run(&mut engine(RATE, 1, &[1], 1024, 4, s), std::slice::from_ref(&mix), std::slice::from_ref(&r), &[512]);
    let lat = residue::dsp::stft::latency(1024, 4);
    let half: Vec<f32> = mix[..len - lat].iter().map(|x| 0.5 * x).collect();
    assert!(crate::signals::error_db(&out[0][lat..], &half) < -100.0);
    // With autoscale on the fit finds the gain 2 and removes nearly everything instead (once
    // whole: here from the first frame, without the warm-up).
    let on = run(
        &mut engine(RATE, 1, &[1], 1024, 4, Settings { autoscale: true, warm_up: false, ..s }),
        std::slice::from_ref(&mix),
        &[r],
        &[512],
    );
    let energy = |x: &[f32]| x.iter().map(|v| (v * v) as f64).sum::<f64>();
    let ratio_db = 10.0 * (energy(&on[0][24000..]) / energy(&mix[24000 - lat..len - lat])).log10();
    assert!(ratio_db < -20.0, "autoscale on left {ratio_db:.1} dB of pure bleed");
}

#[test]
fn silence_holds_the_learned_gain() {
    let len = 48000;
    let r = noise(len, 9, 0.3);
    let mix: Vec<f32> = r.iter().map(|x| 0.5 * x).collect();
    let mut e = engine(RATE, 1, &[1], 1024, 4, Settings::default().norbert_model());
    run(&mut e, &[mix], &[r], &[512]);
    let learned = e.learned_gain(0).to_vec();
    // Ten seconds of silence on both: nothing to fit, the learned curve stays.
    run(&mut e, &[vec![0.0; 480_000]], &[vec![0.0; 480_000]], &[4800]);
    assert_eq!(e.learned_gain(0), &learned[..]);
}
