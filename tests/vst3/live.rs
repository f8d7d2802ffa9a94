//! The Latency parameter in the built `Residue.vst3`, set through the edit controller as a
//! host's generic editor does: Live reports its latency (`getLatencySamples`) and processes
//! exactly as the engine in Live mode does.

use residue::dsp::{live_latency, Engine, EngineConfig, LatencyMode, Settings};

use super::host::{kResultTrue, Plugin, MONO, STEREO};
use super::*;

#[test]
fn live_reports_its_latency_and_processes_like_the_engine_in_live_mode() {
    let (mix, reference) = example();
    for (arrangement, n) in [(STEREO, 2), (MONO, 1)] {
        let track = channels(&mix, n);
        let sidechain = vec![reference.clone()];
        let mut p = Plugin::new();
        assert_eq!(p.set_arrangements(&[arrangement, MONO], &[arrangement]), kResultTrue);
        p.set_param_text("Latency", "Live");
        p.start(RATE, BLOCK);
        assert_eq!(p.latency(), live_latency(RATE as f32), "{n}-channel track: Live's latency");
        let out = p.run(&[track.clone(), sidechain.clone()], &[n], BLOCK, 0.0, &|_| {}).remove(0);
        p.stop();
        let config = EngineConfig { sample_rate: RATE as f32, main_channels: n, sources: vec![1], max_window: 16384 };
        let mut engine = Engine::with_mode(&config, 4096, 4, Settings::default(), LatencyMode::Live).unwrap();
        let expected = harness::run(&mut engine, &track, &sidechain, &[BLOCK]);
        assert_finite(&out, "Live");
        assert!(out == expected, "{n}-channel track: the plugin in Live differs from the engine in Live mode");
        assert_removes_bleed(&out, &track, p.latency(), &format!("{n}-channel track, Live"));
    }
}
