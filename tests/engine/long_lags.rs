//! The long scan: a reference that arrives later than its own bleed (a host that delays the
//! track for the plugin's latency but not the sidechain: Ardour), and bleed that comes later
//! than half a window, are found and reported; unrelated signals are not.

use residue::dsp::Settings;

use crate::harness::{engine, run};
use crate::signals::{noise, tones};

const RATE: f32 = 48000.0;

/// `x` delayed by `by` samples (advanced when negative), same length.
fn shifted(x: &[f32], by: i64) -> Vec<f32> {
    (0..x.len() as i64).map(|n| if (0..x.len() as i64).contains(&(n - by)) { x[(n - by) as usize] } else { 0.0 }).collect()
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
        assert!(scanned.found && (scanned.lag + late).abs() <= tolerance, "{window}/{overlap}x: late by {late}, scan says {scanned:?}");
        let reported = e.analysis().late_ms;
        assert!((reported - late as f32 * 1e3 / RATE).abs() < 0.5, "{window}: the analysis reports {reported} ms late");
    }
}

#[test]
fn bleed_beyond_half_the_window_is_found_by_the_scan() {
    // 30 ms at a 1024 window (10.7 ms half window): beyond the frame search, within the scan's.
    let len = (RATE * 6.0) as usize;
    let r = noise(len, 12, 0.3);
    let lag = (0.03 * RATE) as i64;
    let mix = shifted(&r, lag).iter().zip(tones(len, RATE, &[440.0], 0.1)).map(|(b, t)| 0.5 * b + t).collect::<Vec<f32>>();
    let mut e = engine(RATE, 1, &[1], 1024, 4, Settings::default());
    e.set_analysis(true);
    run(&mut e, &[mix], &[r], &[512]);
    let scanned = e.scanned(0, 0);
    assert!(scanned.found && (scanned.lag - lag).abs() <= e.scan_decimation() as i64, "bleed {lag} samples late, scan says {scanned:?}");
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
