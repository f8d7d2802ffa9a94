//! The Latency parameter in Residue.clap: Live reports its latency through CLAP's own path (a
//! restart while active, inside `activate` otherwise), processes exactly as the engine in Live
//! mode does, and removes bleed; back to Mix restores Mix's latency.

use residue::dsp::{live_latency, Engine, EngineConfig, LatencyMode, Settings};

use super::host::{self, Loaded};
use super::{example, harness, RATE};

#[test]
fn live_reports_its_latency_through_a_restart_and_mix_brings_the_stft_back() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let (main, sc) = (vec![mix[..44100].to_vec(); 2], vec![reference[..44100].to_vec(); 2]);
    let mut p = Loaded::new();
    let latency = p.param_id("Latency");
    let (live, mix_mode) = (p.value_from_text(latency, "Live"), p.value_from_text(latency, "Mix"));
    assert_eq!(p.value_text(latency, live), "Live");
    p.process(RATE, &main, Some(&sc), &[512], &[]);
    assert_eq!((p.latency(), p.restart_requests()), (4095 + 1024, 0), "Mix by default");
    p.process(RATE, &main, Some(&sc), &[512], &[(1000, latency, live)]);
    assert_eq!(p.restart_requests(), 1, "one change, one restart request");
    assert_eq!(p.latency() as usize, live_latency(RATE as f32), "Live's latency after the restart");
    assert!(p.latency() as f64 <= 0.0053 * RATE, "at most 5.3 ms");
    p.process(RATE, &main, Some(&sc), &[512], &[(1000, latency, mix_mode)]);
    assert_eq!(p.latency(), 4095 + 1024, "back to Mix");
    p.assert_no_violations();
}

#[test]
fn live_processes_like_the_engine_in_live_mode_and_removes_bleed() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let truth = super::wav::read("examples/vocal-bleed/truth_vocal.wav").0[0][..mix.len()].to_vec();
    let main = vec![mix.clone()];
    let sc = vec![reference.clone()];
    let mut p = Loaded::new();
    let config = p.configs().into_iter().find(|c| c.1 == "Mono").unwrap().0;
    p.select_config(config);
    p.set_params_text(&[("Latency", "Live")]);
    let out = p.process(RATE, &main, Some(&sc), &[64, 512, 33], &[]);
    let engine_config =
        EngineConfig { sample_rate: RATE as f32, main_channels: 1, sources: vec![1], max_window: 16384 };
    let mut engine = Engine::with_mode(&engine_config, 4096, 4, Settings::default(), LatencyMode::Live).unwrap();
    let expected = harness::run(&mut engine, &main, &sc, &[64, 512, 33]);
    assert!(out == expected, "the plugin in Live differs from the engine in Live mode");
    let lat = p.latency() as usize;
    assert_eq!(lat, engine.latency());
    // From 2 s on (the warm-up), closer to the voice than the input is.
    let error = |y: &[f32], shift: usize| {
        let span = 88200..mix.len() - shift;
        let e: f64 = span.clone().map(|i| ((y[i + shift] - truth[i]) as f64).powi(2)).sum();
        let s: f64 = span.map(|i| (truth[i] as f64).powi(2)).sum();
        10.0 * (e / s).log10()
    };
    let (before, after) = (error(&mix, 0), error(&out[0], lat));
    eprintln!("Live in Residue.clap: error to the voice {before:.2} dB → {after:.2} dB");
    assert!(after < before - 2.0, "Live removes too little: {before:.2} → {after:.2} dB");
}
