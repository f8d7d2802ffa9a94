//! The frame-local functions against norbert's numbers (tests/reference/make_vectors.py).

use realfft::num_complex::Complex32;
use residue::dsp::model::{residual, soft_mask, spectral_powers, Compressor, EPS};

use serde_json::Value;

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/norbert_frame.json"))
        .expect("run tests/reference/make_vectors.py");
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value, key: &str) -> Vec<f32> {
    v[key].as_array().unwrap_or_else(|| panic!("missing {key}")).iter().map(|x| x.as_f64().unwrap() as f32).collect()
}

fn assert_close(got: &[f32], want: &[f32], rel: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    assert!(!got.is_empty(), "{what}: no data");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tol = rel * w.abs().max(1e-6);
        assert!((g - w).abs() <= tol, "{what}[{i}]: got {g}, norbert {w}");
    }
}

#[test]
fn residual_matches_norbert_without_autoscale() {
    let all = vectors();
    for alpha in ["1.0", "2.0", "0.7"] {
        let v = &all[format!("residual_alpha{alpha}").as_str()];
        let a = v["alpha"].as_f64().unwrap() as f32;
        let (re, im, model) = (floats(v, "x_re"), floats(v, "x_im"), floats(v, "v"));
        let spec: Vec<Complex32> = re.iter().zip(&im).map(|(&re, &im)| Complex32::new(re, im)).collect();
        let mut vx = vec![0.0; spec.len()];
        spectral_powers(&spec, a, &mut vx);
        vx.iter_mut().for_each(|v| *v = v.max(EPS));
        let want = floats(v, "expected");
        assert!(want.contains(&0.0) && want.iter().any(|&x| x > 0.1), "vectors cover both sides of the floor");
        // A difference cancels: its error is relative to the operands, not to the result.
        for i in 0..vx.len() {
            let got = residual(vx[i], model[i]);
            let tol = 1e-5 * vx[i].max(model[i]);
            assert!((got - want[i]).abs() <= tol, "residual alpha {alpha}[{i}]: got {got}, norbert {}", want[i]);
        }
    }
}

#[test]
fn soft_mask_matches_norbert() {
    let v = &vectors()["softmask"];
    let (bleed, target) = (floats(v, "bleed"), floats(v, "target"));
    let got: Vec<f32> = bleed.iter().zip(&target).map(|(b, t)| soft_mask(*t, t + b)).collect();
    assert_close(&got, &floats(v, "expected"), 1e-5, "soft mask");
}

#[test]
fn logit_compression_matches_norbert_and_our_unit_range_is_its_affine_map() {
    let all = vectors();
    for key in ["logit_0.6_15.0", "logit_0.4_5.0", "logit_0.2_40.0"] {
        let v = &all[key];
        let (t, s) = (v["thresh"].as_f64().unwrap() as f32, v["slope"].as_f64().unwrap() as f32);
        let w = floats(v, "w");
        let mut raw = w.clone();
        Compressor::raw(t, s).compress(&mut raw);
        assert_close(&raw, &floats(v, "raw"), 1e-5, key);
        let mut unit = w.clone();
        Compressor::unit(t, s).compress(&mut unit);
        // Away from the ends (where the expected value is ~0) compare relatively, near 0 absolutely.
        for (i, (g, e)) in unit.iter().zip(floats(v, "unit")).enumerate() {
            assert!((g - e).abs() <= 1e-5 * e.abs().max(0.1), "{key} unit[{i}]: {g} vs {e}");
        }
        // Our deliberate difference: the ends are exact.
        assert_eq!((unit[0], unit[w.len() - 1]), (0.0, 1.0), "{key}");
        if key == "logit_0.4_5.0" {
            assert!(raw[w.len() - 1] < 0.96 && raw[0] > 0.1, "{key}: norbert's curve stops short of the ends");
        }
    }
}

#[test]
fn multichannel_compression_uses_the_normalised_trace() {
    let v = &vectors()["multichannel"];
    let (t, s) = (v["thresh"].as_f64().unwrap() as f32, v["slope"].as_f64().unwrap() as f32);
    let mut chans = vec![floats(v, "m0"), floats(v, "m1")];
    let n = chans[0].len();
    Compressor::raw(t, s).compress_linked(&mut chans, n, &mut vec![0.0; n]);
    // Where the mean-trace gain would push a channel above 1 we cap it (documented difference).
    let cap = |x: Vec<f32>| x.into_iter().map(|y| y.min(1.0)).collect::<Vec<_>>();
    assert_close(&chans[0], &cap(floats(v, "raw0")), 1e-5, "linked channel 0");
    assert_close(&chans[1], &cap(floats(v, "raw1")), 1e-5, "linked channel 1");
    // Pinned: for W = m·I the seed's un-normalised trace gives logit(2m)/2, capped at 0.5;
    // ours gives the single-channel value L(m).
    let m0 = floats(v, "m0");
    let seed = floats(v, "seed0");
    let single = Compressor::raw(t, s);
    for i in 0..10 {
        assert!((chans[0][i] - single.apply(m0[i])).abs() < 1e-6, "W = m·I must compress like one channel");
        assert!(seed[i] <= 0.5 + 1e-9);
    }
    assert!((0..10).any(|i| (chans[0][i] - seed[i]).abs() > 0.1), "the seed's result differs from ours");
}
