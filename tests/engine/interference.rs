//! Interference reduction honours its threshold and slope (the seed ignores them).

use residue::dsp::interference::reduce;
use residue::dsp::model::logistic;
use residue::dsp::{Interference, Settings};

use crate::harness::{engine, run};
use crate::signals::{add, error_db, noise, tones};

#[test]
fn each_model_is_weighted_by_the_logistic_of_its_smoothed_share() {
    // Constant models: once the smoothed state has converged, shares are 3/4 and 1/4.
    let mut state = vec![vec![0.0f32; 2]; 2];
    let (mut total, mut share) = (vec![0.0f32; 2], vec![0.0f32; 2]);
    let mut models = vec![vec![3.0, 0.5], vec![1.0, 1.5]];
    for _ in 0..200 {
        models = vec![vec![3.0, 0.5], vec![1.0, 1.5]];
        reduce(&mut models, &mut state, &mut total, &mut share, 0.9, 0.6, 12.0);
    }
    let want = [
        [3.0 * logistic(0.75, 0.6, 12.0), 0.5 * logistic(0.25, 0.6, 12.0)],
        [logistic(0.25, 0.6, 12.0), 1.5 * logistic(0.75, 0.6, 12.0)],
    ];
    for k in 0..2 {
        for f in 0..2 {
            assert!((models[k][f] - want[k][f]).abs() < 1e-4, "model {k} bin {f}: {} vs {}", models[k][f], want[k][f]);
        }
    }
}

#[test]
fn threshold_and_slope_change_the_engine_output() {
    let rate = 48000.0;
    let len = 48_000;
    let bleed = add(&tones(len, rate, &[150.0, 700.0], 0.4), &noise(len, 2, 0.05), 1.0);
    let main = add(&add(&tones(len, rate, &[440.0, 1300.0], 0.3), &noise(len, 3, 0.02), 1.0), &bleed, 0.6);
    let out = |i: Option<Interference>| {
        run(
            &mut engine(rate, 1, &[1], 1024, 4, Settings { interference: i, ..Settings::default() }),
            std::slice::from_ref(&main),
            std::slice::from_ref(&bleed),
            &[512],
        )
    };
    let off = out(None);
    let a = out(Some(Interference { threshold: 0.3, slope: 15.0, smoothing_ms: 50.0 }));
    let b = out(Some(Interference { threshold: 0.7, slope: 15.0, smoothing_ms: 50.0 }));
    let c = out(Some(Interference { threshold: 0.3, slope: 40.0, smoothing_ms: 50.0 }));
    assert!(error_db(&a[0], &off[0]) > -60.0, "on vs off");
    assert!(error_db(&a[0], &b[0]) > -60.0, "threshold ignored");
    assert!(error_db(&a[0], &c[0]) > -60.0, "slope ignored");
}
