//! The engine only looks back: smoothing, autoscale and interference reduction included.

use residue::dsp::smoothing::{coefficient, smooth_in_place};
use residue::dsp::{Interference, Settings};

use crate::harness::{engine, run};
use crate::signals::{add, error_db, noise, tones};

const RATE: f32 = 48000.0;

#[test]
fn output_never_depends_on_future_input() {
    let len = 60_000;
    let bleed = tones(len, RATE, &[150.0, 700.0, 2500.0], 0.4);
    let main = add(&tones(len, RATE, &[330.0, 990.0], 0.3), &bleed, 0.6);
    let settings = Settings {
        smoothing_ms: 80.0,
        interference: Some(Interference { threshold: 0.4, slope: 15.0, smoothing_ms: 100.0 }),
        ..Settings::default()
    };
    let split = 31_337;
    let mut changed = main.clone();
    for x in &mut changed[split..] {
        *x = -*x * 3.0;
    }
    let a = run(&mut engine(RATE, 1, &[1], 2048, 4, settings), &[main], std::slice::from_ref(&bleed), &[700]);
    let b = run(&mut engine(RATE, 1, &[1], 2048, 4, settings), &[changed], &[bleed], &[700]);
    assert_eq!(&a[0][..split], &b[0][..split], "output before the change must not see it");
    assert_ne!(&a[0][split..split + 2048], &b[0][split..split + 2048]);
}

#[test]
fn one_pole_smoothing_has_the_stated_time_constant() {
    let hop_s = 256.0 / 48000.0;
    let coeff = coefficient(0.1, hop_s).unwrap();
    assert!(coefficient(0.0, hop_s).is_none(), "0 ms is off");
    let mut state = [0.0f32];
    let frames = (0.1 / hop_s).round() as usize;
    for _ in 0..frames {
        let mut x = [1.0f32];
        smooth_in_place(&mut state, &mut x, coeff);
        assert_eq!(x[0], state[0], "the smoothed value is returned");
    }
    assert!((state[0] - (1.0 - (-1.0f32).exp())).abs() < 0.01, "after one time constant: {}", state[0]);
}

#[test]
fn smoothing_changes_the_output_and_longer_smoothing_changes_it_more() {
    let len = 48_000;
    let bleed = add(&tones(len, RATE, &[150.0, 700.0], 0.4), &noise(len, 2, 0.1), 1.0);
    let main = add(&noise(len, 4, 0.2), &bleed, 0.6);
    let out = |ms: f32| {
        run(
            &mut engine(RATE, 1, &[1], 1024, 4, Settings { smoothing_ms: ms, ..Settings::default() }),
            std::slice::from_ref(&main),
            std::slice::from_ref(&bleed),
            &[512],
        )
    };
    let (off, short, long) = (out(0.0), out(10.0), out(200.0));
    let d_short = error_db(&short[0], &off[0]);
    let d_long = error_db(&long[0], &off[0]);
    assert!(d_short > -60.0 && d_long > d_short, "10 ms: {d_short:.1} dB, 200 ms: {d_long:.1} dB");
}
