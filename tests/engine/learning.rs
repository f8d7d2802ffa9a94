//! What the engine learns and when it forgets: a reset (what hosts do at every start of playback)
//! forgets the audio and keeps the learned bleed and lags; Relearn forgets them; the removal
//! warms up with the evidence after a fresh start; a profile carries what was learned to another
//! engine (another instance, rate or FFT size) exactly where it can and closely where it cannot.

use residue::dsp::{Engine, Settings};

use crate::harness::{engine, run};
use crate::wav;

/// The bundled example: (vocal + guitar bleed, guitar mic, vocal alone), mono, 44.1 kHz.
fn example() -> (Vec<f32>, Vec<f32>, Vec<f32>, f32) {
    let (mix, rate) = wav::read("examples/vocal-bleed/vocal_mic.wav");
    let (reference, _) = wav::read("examples/vocal-bleed/guitar_mic.wav");
    let (truth, _) = wav::read("examples/vocal-bleed/truth_vocal.wav");
    (mix[0].clone(), reference[0].clone(), truth[0].clone(), rate as f32)
}

/// SDR of `estimate` against `truth`, dB.
fn sdr(truth: &[f32], estimate: &[f32]) -> f64 {
    let e: f64 = truth.iter().zip(estimate).map(|(t, y)| ((t - y) as f64).powi(2)).sum();
    let s: f64 = truth.iter().map(|t| (*t as f64).powi(2)).sum();
    10.0 * (s / e).log10()
}

/// `run` on one mono slice; the output with the engine's latency removed (`len − latency` long).
fn cleaned(e: &mut Engine, mix: &[f32], reference: &[f32]) -> Vec<f32> {
    let out = run(e, &[mix.to_vec()], &[reference.to_vec()], &[512]);
    out[0][e.latency()..].to_vec()
}

#[test]
fn a_reset_forgets_the_audio_and_keeps_what_was_learned() {
    let (mix, reference, _, rate) = example();
    let mut e = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut e, &[mix[..(6.0 * rate) as usize].to_vec()], &[reference[..(6.0 * rate) as usize].to_vec()], &[512]);
    let (gains, lag) = (e.learned_gain(0).to_vec(), e.reference_lag(0, 0));
    assert!(lag.1 && gains.iter().any(|&g| g > 0.0), "learned something first: {lag:?}");
    assert_eq!(e.confidence(0), 1.0, "six seconds are past the warm-up (Adaptation 4 s)");
    e.reset();
    assert_eq!(e.learned_gain(0), &gains[..], "a reset changed the learned gains");
    assert_eq!(e.reference_lag(0, 0), lag, "a reset forgot the lag");
    assert_eq!(e.confidence(0), 1.0, "a reset restarted the warm-up");
    // The audio is gone: silence in, silence out (nothing of the song rings on).
    let silence = run(&mut e, &[vec![0.0; 20_000]], &[vec![0.0; 20_000]], &[512]);
    assert!(silence[0].iter().all(|&x| x == 0.0), "audio from before the reset came out after it");
}

#[test]
fn relearn_forgets_the_bleed_and_the_lag() {
    let (mix, reference, _, rate) = example();
    let n = (5.0 * rate) as usize;
    let mut e = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut e, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
    assert!(e.reference_lag(0, 0).1);
    e.relearn();
    assert!(e.learned_gain(0).iter().all(|&g| g == 0.0));
    assert_eq!(e.reference_lag(0, 0), (0, false));
    assert_eq!(e.confidence(0), 0.0);
    // Right after a relearn the track passes: nothing is trusted yet. (From one window on,
    // every frame behind the output was worked on after the relearn.)
    let out = run(&mut e, &[mix[n..n + 4096 * 3].to_vec()], &[reference[n..n + 4096 * 3].to_vec()], &[512]);
    let l = e.latency();
    let err = crate::signals::error_db(&out[0][l + 4096..4096 * 3], &mix[n + 4096..n + 4096 * 3 - l]);
    assert!(err < -30.0, "the frames after a relearn are not the input: {err:.1} dB");
}

#[test]
fn a_cold_start_mid_song_is_never_worse_than_the_input() {
    // Started where voice and guitar both play: with one frame of history the fit explains the
    // whole track as bleed. With the warm-up the first second is at least as good as the input
    // from every start point; without it (what the warm-up prevents) it is far worse.
    let (mix, reference, truth, rate) = example();
    let second = rate as usize;
    let (mut worst_with, mut worst_without) = (f64::MAX, f64::MAX);
    for start in [0.0, 1.0, 2.0, 3.0, 5.0] {
        let s = (start * rate) as usize;
        let part = |x: &[f32]| x[s..s + 3 * second].to_vec();
        let (m, r, t) = (part(&mix), part(&reference), part(&truth));
        for warm_up in [true, false] {
            let mut e = engine(rate, 1, &[1], 4096, 4, Settings { warm_up, ..Settings::default() });
            let out = cleaned(&mut e, &m, &r);
            let change = sdr(&t[..second], &out[..second]) - sdr(&t[..second], &m[..second]);
            eprintln!("start {start} s, warm-up {warm_up}: first second {change:+.2} dB");
            let worst = if warm_up { &mut worst_with } else { &mut worst_without };
            *worst = worst.min(change);
        }
    }
    assert!(worst_with >= -0.1, "a cold start made the first second worse than the input: {worst_with:.2} dB");
    assert!(
        worst_without < -1.0,
        "without the warm-up the cold start should hurt (the fault it prevents): {worst_without:.2} dB"
    );
}

#[test]
fn the_removal_is_whole_after_one_adaptation_time_of_reference() {
    let (mix, reference, _, rate) = example();
    for adapt in [1.0f32, 4.0] {
        let mut e = engine(rate, 1, &[1], 4096, 4, Settings { adapt_seconds: adapt, ..Settings::default() });
        let hop = 1024.0 / rate;
        let n = ((adapt + 4.0 * hop) * rate) as usize + e.latency();
        // The guitar plays from the start of the example: every frame carries reference.
        run(&mut e, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
        assert_eq!(e.confidence(0), 1.0, "Adaptation {adapt} s: not whole after {:.2} s", n as f32 / rate);
        let mut early = engine(rate, 1, &[1], 4096, 4, Settings { adapt_seconds: adapt, ..Settings::default() });
        let n = (0.5 * adapt * rate) as usize;
        run(&mut early, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
        let c = early.confidence(0);
        assert!(c > 0.3 && c < 0.6, "Adaptation {adapt} s: confidence {c} halfway");
    }
    // Silence on the sidechain is no evidence.
    let mut e = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut e, &[mix[..(6.0 * rate) as usize].to_vec()], &[vec![0.0; (6.0 * rate) as usize]], &[512]);
    assert_eq!(e.confidence(0), 0.0);
}

#[test]
fn the_fit_holds_through_a_silent_reference() {
    // A pause of the bleeding source (30 s) is no reason to forget: without information the
    // sums are held, so the first frame after the pause cannot decide the gain alone.
    let (mix, reference, _, rate) = example();
    let n = (6.0 * rate) as usize;
    let mut e = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut e, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
    // The first second of the pause still has the reference's last frames in the taps.
    let second = rate as usize;
    run(&mut e, &[mix[n..n + second].to_vec()], &[vec![0.0; second]], &[512]);
    let before = e.learned_gain(0).to_vec();
    let pause = (30.0 * rate) as usize;
    run(&mut e, &[mix.iter().cycle().take(pause).copied().collect()], &[vec![0.0; pause]], &[512]);
    assert!(e.learned_gain(0) == &before[..], "the gains moved while the reference was silent");
    run(&mut e, &[mix[n..n + 4096].to_vec()], &[reference[n..n + 4096].to_vec()], &[512]);
    let after = e.learned_gain(0);
    let moved = before.iter().zip(after).filter(|(b, a)| **b > 0.0 && (*a / *b - 1.0).abs() > 0.5).count();
    assert!(moved * 20 < before.len(), "{moved} of {} gains jumped on the first frames after the pause", before.len());
}

#[test]
fn a_profile_carries_the_learning_into_another_engine_exactly() {
    // Save what engine A learned, load it into a new engine B: from then on, B sounds exactly
    // like A carrying on after a reset (what a host does between saving and playing again).
    let (mix, reference, _, rate) = example();
    for settings in [
        Settings::default(),
        Settings { freeze: true, ..Settings::default() },
        Settings { tail_frames: 4, alpha: 2.0, ..Settings::default() },
    ] {
        let split = (4.0 * rate) as usize;
        let mut a = engine(rate, 1, &[1], 4096, 4, Settings { freeze: false, ..settings });
        run(&mut a, &[mix[..split].to_vec()], &[reference[..split].to_vec()], &[512]);
        a.set_settings(&settings);
        let profile = a.profile();
        assert_eq!(profile.check(), Ok(()));
        a.reset();
        let mut b = engine(rate, 1, &[1], 4096, 4, settings);
        b.load_profile(&profile);
        let rest = |x: &[f32]| x[split..].to_vec();
        let out_a = run(&mut a, &[rest(&mix)], &[rest(&reference)], &[512]);
        let out_b = run(&mut b, &[rest(&mix)], &[rest(&reference)], &[700]);
        assert!(out_a == out_b, "{settings:?}: the loaded engine differs from the original carrying on");
        let mut fresh = engine(rate, 1, &[1], 4096, 4, settings);
        let out_fresh = run(&mut fresh, &[rest(&mix)], &[rest(&reference)], &[512]);
        assert!(out_fresh != out_a, "a fresh engine sounds the same: the profile carried nothing");
    }
}

#[test]
fn a_profile_moves_to_another_fft_size_and_sample_rate() {
    let (mix, reference, truth, rate) = example();
    let n = (6.0 * rate) as usize;
    let mut a = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut a, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
    let profile = a.profile();
    // The same bleed seen through a window twice as long, and at twice the sample rate with
    // the same duration: bin k there is bin k/2 (resp. k) here.
    for (window, rate2, step) in [(8192usize, rate, 0.5f64), (8192, 2.0 * rate, 1.0), (2048, rate, 2.0)] {
        let mut b = engine(rate2, 1, &[1], window, 4, Settings::default());
        b.load_profile(&profile);
        assert_eq!(b.confidence(0), a.confidence(0), "evidence carried");
        let lag = (a.reference_lag(0, 0).0 as f32 * rate2 / rate).round() as usize;
        assert_eq!(b.reference_lag(0, 0), (lag, true), "lag carried in time, not samples");
        let (ga, gb) = (a.learned_gain(0), b.learned_gain(0));
        for k in (0..gb.len()).step_by(7) {
            let at = k as f64 * step;
            if at <= (ga.len() - 1) as f64 && at.fract() == 0.0 {
                assert_eq!(gb[k], ga[at as usize], "window {window} at {rate2} Hz: bin {k}");
            }
        }
    }
    // In place, when the FFT size changes under a running engine: the same numbers.
    let mut c = engine(rate, 1, &[1], 4096, 4, Settings::default());
    run(&mut c, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
    let mut d = engine(rate, 1, &[1], 2048, 4, Settings::default());
    d.load_profile(&c.profile());
    c.set_window(2048, 4).unwrap();
    assert_eq!(c.learned_gain(0), d.learned_gain(0), "set_window and load_profile regrid alike");
    c.set_window(4096, 4).unwrap();
    assert_eq!(c.confidence(0), 1.0, "an FFT size change is not a relearn");
    // And what carries over is worth having: after switching to 2048, the first second is
    // better than a cold start at 2048.
    let s = n;
    let second = rate as usize;
    let mut warm = engine(rate, 1, &[1], 2048, 4, Settings::default());
    warm.load_profile(&profile);
    let mut cold = engine(rate, 1, &[1], 2048, 4, Settings::default());
    let part = |x: &[f32]| x[s..s + 2 * second].to_vec();
    let (w, k) =
        (cleaned(&mut warm, &part(&mix), &part(&reference)), cleaned(&mut cold, &part(&mix), &part(&reference)));
    let t = &truth[s..s + second];
    let (sw, sk) = (sdr(t, &w[..second]), sdr(t, &k[..second]));
    assert!(sw > sk + 3.0, "carried-over profile {sw:.1} dB vs cold start {sk:.1} dB");
}

#[test]
fn every_change_of_what_was_learned_moves_the_learned_serial() {
    // The plugin copies the profile for a host's save when the serial moves, and once it stops
    // moving: a change the serial misses (the later taps still learning after the reference
    // fell silent) would leave the saved profile behind the engine's.
    let (mix, reference, _, rate) = example();
    for tail in [1, 2, 4] {
        let mut e = engine(rate, 1, &[1], 4096, 4, Settings { tail_frames: tail, ..Settings::default() });
        let n = (3.0 * rate) as usize;
        run(&mut e, &[mix[..n].to_vec()], &[reference[..n].to_vec()], &[512]);
        let (mut profile, mut serial) = (e.profile(), e.learned_serial());
        // The reference stops; the track goes on.
        for block in 0..100 {
            let at = n + block * 512;
            run(&mut e, &[mix[at..at + 512].to_vec()], &[vec![0.0; 512]], &[512]);
            let (now, moved) = (e.profile(), e.learned_serial() != serial);
            assert!(moved || now == profile, "Tail {tail}, block {block}: the profile changed, the serial did not");
            (profile, serial) = (now, e.learned_serial());
        }
        // And once nothing is learned any more, the serial rests (so a copy is taken, exact).
        let rested = e.learned_serial();
        run(&mut e, &[mix[n..n + 4096].to_vec()], &[vec![0.0; 4096]], &[512]);
        assert_eq!(e.learned_serial(), rested, "Tail {tail}: the serial moves on in silence");
    }
}
