//! Every main/reference channel combination; no reference or a silent one passes through.

use residue::dsp::{OutputMode, Settings};

use crate::harness::{engine, run};
use crate::signals::{add, error_db, noise, tones};

const RATE: f32 = 48000.0;
const LEN: usize = 40_000;

fn material(main: usize, refs: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let bleed: Vec<Vec<f32>> =
        (0..refs.max(1)).map(|r| tones(LEN, RATE, &[200.0 + 50.0 * r as f32, 800.0, 3000.0], 0.4)).collect();
    let main = (0..main)
        .map(|c| {
            add(
                &add(&tones(LEN, RATE, &[440.0, 1760.0], 0.3), &noise(LEN, c as u64, 0.02), 1.0),
                &bleed[c % bleed.len()],
                0.5,
            )
        })
        .collect();
    (main, bleed[..refs].to_vec())
}

#[test]
fn every_layout_runs_and_removes_bleed() {
    for main_ch in 1..=2 {
        for ref_ch in 1..=2 {
            let (main, refs) = material(main_ch, ref_ch);
            // Under a second of audio: the removal whole from the start (no warm-up).
            let mut e = engine(RATE, main_ch, &[ref_ch], 2048, 4, Settings { warm_up: false, ..Settings::default() });
            let lat = e.latency();
            let out = run(&mut e, &main, &refs, &[512]);
            for c in 0..main_ch {
                assert!(out[c].iter().all(|x| x.is_finite()));
                let change = error_db(&out[c][lat..], &main[c][..LEN - lat]);
                assert!(
                    change > -20.0,
                    "main {main_ch} refs {ref_ch} ch {c}: output barely differs from input ({change:.1} dB)"
                );
            }
        }
    }
}

#[test]
fn no_reference_or_a_silent_one_passes_the_input_through() {
    for main_ch in 1..=2 {
        let (main, _) = material(main_ch, 1);
        let cases: Vec<(Vec<usize>, Vec<Vec<f32>>)> = vec![
            (vec![], vec![]),
            (vec![1], vec![vec![0.0; LEN]]),
            (vec![2], vec![vec![0.0; LEN]; 2]),
            (vec![1], vec![]), // configured, but the host sends no sidechain buffers
        ];
        for (sources, refs) in cases {
            let mut e = engine(RATE, main_ch, &sources, 1024, 4, Settings::default());
            let lat = e.latency();
            let out = run(&mut e, &main, &refs, &[333]);
            for c in 0..main_ch {
                let err = error_db(&out[c][lat..], &main[c][..LEN - lat]);
                assert!(err < -120.0, "main {main_ch}, sources {sources:?}, {} ref buffers: {err:.1} dB", refs.len());
            }
        }
    }
}

#[test]
fn target_plus_removed_is_the_delayed_input_and_reference_is_the_uncompressed_estimate() {
    let (main, refs) = material(2, 1);
    let outputs = |mode, compression| {
        let mut e = engine(RATE, 2, &[1], 2048, 4, Settings { output: mode, compression, ..Settings::default() });
        run(&mut e, &main, &refs, &[1000])
    };
    let target = outputs(OutputMode::Target, true);
    let removed = outputs(OutputMode::Removed, true);
    let lat = residue::dsp::stft::latency(2048, 4);
    for c in 0..2 {
        let sum = add(&target[c], &removed[c], 1.0);
        let err = error_db(&sum[lat..], &main[c][..LEN - lat]);
        assert!(err < -120.0, "target + removed vs input: {err:.1} dB");
    }
    // Reference = what the model predicts before Threshold/Slope = "removed" without compression.
    let reference = outputs(OutputMode::Reference, true);
    let removed_plain = outputs(OutputMode::Removed, false);
    assert!(error_db(&reference[0], &removed_plain[0]) < -120.0);
    assert!(error_db(&reference[0], &removed[0]) > -40.0, "compression must make a difference");
}

#[test]
fn mix_blends_wet_with_the_latency_aligned_dry_signal() {
    let (main, refs) = material(1, 1);
    let wet = run(&mut engine(RATE, 1, &[1], 1024, 4, Settings::default()), &main, &refs, &[256]);
    let dry =
        run(&mut engine(RATE, 1, &[1], 1024, 4, Settings { mix: 0.0, ..Settings::default() }), &main, &refs, &[256]);
    let half =
        run(&mut engine(RATE, 1, &[1], 1024, 4, Settings { mix: 0.5, ..Settings::default() }), &main, &refs, &[256]);
    // mix 0 is exactly the input delayed: no STFT rounding on the dry path.
    let lat = residue::dsp::stft::latency(1024, 4);
    assert_eq!(&dry[0][lat..], &main[0][..LEN - lat]);
    let blend: Vec<f32> = wet[0].iter().zip(&dry[0]).map(|(w, d)| 0.5 * w + 0.5 * d).collect();
    assert!(error_db(&half[0], &blend) < -120.0);
}
