//! The long scan: a reference that arrives later than its own bleed (a host that delays the
//! track for the plugin's latency but not the sidechain: Ardour), and bleed that comes later
//! than half a window, are found and reported; unrelated signals are not. Bleed up to 100 ms
//! late (a distant mic) is found, applied and refined to the sample at every FFT size, set by
//! hand, and carried in a profile.

use residue::dsp::{auto_window, Profile, Settings};

use crate::harness::{engine, run};
use crate::signals::{noise, tones};

const RATE: f32 = 48000.0;

/// `x` delayed by `by` samples (advanced when negative), same length.
fn shifted(x: &[f32], by: i64) -> Vec<f32> {
    (0..x.len() as i64)
        .map(|n| if (0..x.len() as i64).contains(&(n - by)) { x[(n - by) as usize] } else { 0.0 })
        .collect()
}

#[test]
fn a_reference_one_latency_late_is_found_and_reported() {
    let len = (RATE * 6.0) as usize;
    let source = noise(len, 31, 0.3);
    let voice = tones(len, RATE, &[300.0, 910.0, 2500.0], 0.2);
    for (window, overlap) in [(4096, 4), (1024, 4), (16384, 2)] {
        let mut e = engine(RATE, 1, &[1], window, overlap, Settings::default());
        let late = e.latency() as i64;
        // The track holds the source's bleed now; the sidechain brings the source `late` later.
        let mix: Vec<f32> = source.iter().zip(&voice).map(|(s, v)| 0.5 * s + v).collect();
        let reference = shifted(&source, late);
        e.set_analysis(true);
        run(&mut e, &[mix], &[reference], &[512]);
        let scanned = e.scanned(0, 0);
        let tolerance = e.scan_decimation() as i64;
        assert!(
            scanned.found && (scanned.lag + late).abs() <= tolerance,
            "{window}/{overlap}x: late by {late}, scan says {scanned:?}"
        );
        let reported = e.analysis().late_ms;
        assert!((reported - late as f32 * 1e3 / RATE).abs() < 0.5, "{window}: the analysis reports {reported} ms late");
    }
}

#[test]
fn the_bundled_example_is_not_reported_late() {
    // Its reference is aligned (the guitar's bleed reaches the vocal mic 7 ms after the guitar
    // mic), but the guitar mic hears the voice too, a few ms after the vocal mic: the scan's
    // highest peak is that image, on the late side. The bleed's lag, found on the early side,
    // says the sidechain is on time.
    let read = |name: &str| crate::wav::read(&format!("examples/vocal-bleed/{name}")).0.remove(0);
    let (mix, reference) = (read("vocal_mic.wav"), read("guitar_mic.wav"));
    let mut e = engine(44100.0, 1, &[1], 4096, 4, Settings::default());
    e.set_analysis(true);
    run(&mut e, &[mix], &[reference], &[512]);
    let far = e.scanned(0, 0);
    // What the warning used to be raised on: the scan's highest peak, late.
    assert!(far.found && far.lag < 0, "the scan's highest peak: {far:?}");
    assert!(e.reference_lag(0, 0).1, "the bleed's lag is found");
    assert_eq!(e.analysis().late_ms, 0.0, "an aligned sidechain reported late (highest peak {far:?})");
}

#[test]
fn bleed_beyond_half_the_window_is_found_by_the_scan() {
    // 30 ms at a 1024 window (10.7 ms half window): beyond the frame search, within the scan's.
    let len = (RATE * 6.0) as usize;
    let r = noise(len, 12, 0.3);
    let lag = (0.03 * RATE) as i64;
    let mix =
        shifted(&r, lag).iter().zip(tones(len, RATE, &[440.0], 0.1)).map(|(b, t)| 0.5 * b + t).collect::<Vec<f32>>();
    let mut e = engine(RATE, 1, &[1], 1024, 4, Settings::default());
    e.set_analysis(true);
    run(&mut e, &[mix], &[r], &[512]);
    let scanned = e.scanned(0, 0);
    assert!(
        scanned.found && (scanned.lag - lag).abs() <= e.scan_decimation() as i64,
        "bleed {lag} samples late, scan says {scanned:?}"
    );
    assert_eq!(e.analysis().late_ms, 0.0, "an early reference is not reported late");
}

#[test]
fn unrelated_signals_find_nothing() {
    let len = (RATE * 6.0) as usize;
    let mut e = engine(RATE, 2, &[1], 4096, 4, Settings::default());
    e.set_analysis(true);
    let out = run(&mut e, &[noise(len, 1, 0.3), noise(len, 2, 0.3)], &[noise(len, 3, 0.3)], &[700]);
    assert!(out.iter().flatten().all(|x| x.is_finite()));
    for c in 0..2 {
        assert!(!e.scanned(c, 0).found, "channel {c}: {:?}", e.scanned(c, 0));
    }
    assert_eq!(e.analysis().late_ms, 0.0);
}

/// Energy of `x` over `from..` relative to `y`'s, dB.
fn ratio_db(x: &[f32], y: &[f32], from: usize) -> f64 {
    let e = |v: &[f32]| v[from..].iter().map(|s| (*s as f64).powi(2)).sum::<f64>();
    10.0 * (e(x) / e(y)).log10()
}

/// Bleed of noise `lag` samples after the reference, and under a tonal target: the reference,
/// the bleed, the mix.
fn far_bleed(rate: f32, seconds: f32, lag: usize, seed: u64) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let len = (rate * seconds) as usize;
    let r = noise(len, seed, 0.3);
    let bleed: Vec<f32> = shifted(&r, lag as i64).iter().map(|b| 0.5 * b).collect();
    let mix = bleed.iter().zip(tones(len, rate, &[300.0, 910.0, 2500.0], 0.2)).map(|(b, v)| b + v).collect();
    (r, bleed, mix)
}

#[test]
fn far_bleed_is_found_and_applied_to_the_sample_at_every_fft_size() {
    // 67 ms (about 23 m) and 95 ms: beyond half of every window here (46 ms at 4096 / 44.1 kHz,
    // 43 ms at 8192 / 96 kHz), within the Lag range. The long scan brings the delay within
    // reach, the frame search refines it to the sample.
    for rate in [44100.0f32, 96000.0] {
        let mut windows = vec![1024, 4096, auto_window(rate)];
        windows.dedup();
        for lag_ms in [67.0f32, 95.0] {
            let lag = (lag_ms * 1e-3 * rate).round() as usize;
            let (r, _, mix) = far_bleed(rate, 4.0, lag, 40 + lag_ms as u64);
            for &window in &windows {
                let mut e = engine(rate, 1, &[1], window, 4, Settings::default());
                let second = rate as usize;
                let mut found_at = None;
                for s in 0..4 {
                    let part = |x: &[f32]| x[s * second..(s + 1) * second].to_vec();
                    run(&mut e, &[part(&mix)], &[part(&r)], &[512]);
                    if found_at.is_none() && e.reference_lag(0, 0) == (lag, true) {
                        found_at = Some(s + 1);
                    }
                }
                let what = format!("{lag_ms} ms at {rate} Hz, window {window}");
                assert_eq!(e.reference_lag(0, 0), (lag, true), "{what}: the delay applied");
                assert!(found_at.is_some_and(|s| s <= 2), "{what}: found only after {found_at:?} s");
            }
        }
    }
}

#[test]
fn far_bleed_found_removes_as_much_as_the_lag_set_by_hand() {
    // Pure bleed 95 ms late: what stays in the output is bleed the model missed; the model at
    // work from the first frame (no warm-up).
    let rate = 48000.0;
    let lag = (0.095 * rate) as usize;
    let (r, bleed, _) = far_bleed(rate, 8.0, lag, 7);
    let s = Settings { warm_up: false, ..Settings::default() };
    let left = |settings: Settings| {
        let mut e = engine(rate, 1, &[1], 4096, 4, settings);
        let out = run(&mut e, std::slice::from_ref(&bleed), std::slice::from_ref(&r), &[480]);
        (ratio_db(&out[0], &bleed, 6 * rate as usize), e.reference_lag(0, 0))
    };
    let (found, (d, ok)) = left(s);
    let (by_hand, (dh, set)) = left(Settings { auto_lag: false, lag_ms: 95.0, ..s });
    let (half, _) = left(Settings { auto_lag: false, lag_ms: 50.0, ..s });
    eprintln!("bleed left from 6 s: found {found:.1} dB, set by hand {by_hand:.1} dB, set to 50 ms {half:.1} dB");
    assert_eq!(((d, ok), (dh, set)), ((lag, true), (lag, true)));
    // What the fit learned before the lag was applied (the first second or so) fades over the
    // Adaptation time: the found lag is behind the one set by hand, and far ahead of 50 ms.
    assert!(by_hand < half - 10.0, "95 ms set by hand ({by_hand:.1} dB) is no better than 50 ms ({half:.1} dB)");
    assert!(found < half - 5.0, "found {found:.1} dB, 50 ms {half:.1} dB");
}

#[test]
fn a_manual_lag_of_100_ms_is_accepted_and_applied() {
    use nice_plug::prelude::Param;
    use residue::params::ResidueParams;
    // The parameter takes 100 ms, and its settings delay the reference by 100 ms.
    let params = ResidueParams::default();
    let typed = params.lag.string_to_normalized_value("100 ms").expect("a lag");
    unsafe {
        params.lag.as_ptr()._internal_set_normalized_value(typed);
        params.auto_lag.as_ptr()._internal_set_normalized_value(0.0);
    }
    let settings = params.settings(0);
    assert_eq!((settings.auto_lag, settings.lag_ms), (false, 100.0), "the Lag parameter");
    for rate in [44100.0f32, 96000.0] {
        let lag = (0.1 * rate).round() as usize;
        let mut e = engine(rate, 1, &[1], 1024, 4, Settings { warm_up: false, ..settings });
        assert_eq!(e.reference_lag(0, 0), (lag, true), "{rate} Hz");
        // Applied: pure bleed 100 ms late is taken out as with a lag of 0 on aligned bleed.
        let (r, bleed, _) = far_bleed(rate, 3.0, lag, 9);
        let out = run(&mut e, std::slice::from_ref(&bleed), std::slice::from_ref(&r), &[512]);
        let aligned = shifted(&bleed, -(lag as i64));
        let mut a = engine(rate, 1, &[1], 1024, 4, Settings { lag_ms: 0.0, warm_up: false, ..settings });
        let out_aligned = run(&mut a, std::slice::from_ref(&aligned), &[r], &[512]);
        let (late, on_time) =
            (ratio_db(&out[0], &bleed, 2 * rate as usize), ratio_db(&out_aligned[0], &aligned, 2 * rate as usize));
        // Pure delayed noise, aligned: both leave next to nothing (50 ms would leave -28 dB).
        assert!(
            late < -40.0 && on_time < -40.0,
            "{rate} Hz: bleed left {late:.1} dB at 100 ms, {on_time:.1} dB aligned"
        );
    }
}

#[test]
fn a_profile_carries_a_90_ms_lag() {
    let rate = 48000.0;
    let lag = (0.09 * rate) as usize;
    let (r, _, mix) = far_bleed(rate, 5.0, lag, 5);
    let split = 3 * rate as usize;
    let mut a = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut a, &[mix[..split].to_vec()], &[r[..split].to_vec()], &[512]);
    let profile: Profile = a.profile();
    assert_eq!(profile.lags, vec![Some(lag as f32 / rate)]);
    profile.check().expect("a valid profile");
    // Loaded at another rate and window: the lag in time, and kept while the audio plays on.
    for (rate2, window) in [(48000.0f32, 1024), (96000.0, 8192)] {
        let mut b = engine(rate2, 1, &[1], window, 4, Settings::default());
        b.load_profile(&profile);
        let lag2 = (0.09 * rate2).round() as usize;
        assert_eq!(b.reference_lag(0, 0), (lag2, true), "{rate2} Hz: loaded");
    }
    let mut b = engine(rate, 1, &[1], 1024, 4, Settings::default());
    b.load_profile(&profile);
    run(&mut b, &[mix[split..].to_vec()], &[r[split..].to_vec()], &[700]);
    assert_eq!(b.reference_lag(0, 0), (lag, true), "kept while playing");
}

#[test]
fn far_lags_are_found_alike_for_any_block_split() {
    // The scan's lag is applied: when it is found must depend on the sample position alone.
    let rate = 44100.0;
    let lag = (0.067 * rate) as usize;
    let (r, _, mix) = far_bleed(rate, 2.5, lag, 3);
    let reference = {
        let mut e = engine(rate, 1, &[1], 1024, 4, Settings::default());
        let out = run(&mut e, std::slice::from_ref(&mix), std::slice::from_ref(&r), &[mix.len()]);
        assert_eq!(e.reference_lag(0, 0), (lag, true));
        out
    };
    for blocks in [&[1][..], &[0, 8192, 3, 0, 513], &[64, 1, 1000, 17]] {
        let out = run(
            &mut engine(rate, 1, &[1], 1024, 4, Settings::default()),
            std::slice::from_ref(&mix),
            std::slice::from_ref(&r),
            blocks,
        );
        assert!(out == reference, "blocks {blocks:?}: output differs");
    }
}
