//! Several sources on one sidechain, in the built `Residue.vst3`: a 4-channel sidechain in any
//! 4-channel arrangement a host may name it by, the Sources parameter set through the edit
//! controller as a host's generic editor does, and each grouping processed like the engine.

use residue::dsp::sidechain::{sources, Grouping};
use residue::dsp::Settings;

use super::host::{kResultTrue, Plugin, AMBISONIC_1ST, CINE_31, CINE_40, INPUT, MONO, OUTPUT, QUADRO, STEREO};
use super::*;
use vst3::Steinberg::Vst::SpeakerArrangement;

use super::kit::{self, Path, Voice};

fn name(g: Grouping) -> &'static str {
    match g {
        Grouping::One => "One",
        Grouping::Each => "Each Channel",
        Grouping::Pairs => "Stereo Pairs",
    }
}

/// The voice alone for 6 s on `channels` channels and `voices` bleeding into it, each along
/// its own path: (truth, track, sidechain).
fn scene(channels: usize, voices: &[Voice]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let v = wav::read("examples/vocal-bleed/truth_vocal.wav").0.remove(0);
    let truth: Vec<Vec<f32>> =
        (0..channels).map(|c| v[..6 * RATE as usize].iter().map(|x| x * (1.0 - 0.25 * c as f32)).collect()).collect();
    let sources: Vec<Vec<f32>> = voices.iter().map(|&s| kit::voice(s, truth[0].len(), RATE as f32)).collect();
    let paths: Vec<Vec<Path>> = (0..channels)
        .map(|c| {
            (0..voices.len())
                .map(|j| Path {
                    gain: [0.3, 0.12, 0.2, 0.25][j] * (1.0 - 0.2 * c as f32),
                    lag_ms: 3.0 + 2.5 * j as f32 + 1.5 * c as f32,
                })
                .collect()
        })
        .collect();
    let track = kit::track(&truth, &sources, &paths, RATE as f32);
    (truth, track, sources)
}

/// Runs `track` + `sidechain` through a fresh instance in (`main`, `sc`) with Sources = `g`;
/// checks it against the engine with the sidechain grouped as `g`; returns the SDR improvement
/// per channel over the second half.
fn run_grouped(
    main: SpeakerArrangement,
    sc: SpeakerArrangement,
    g: Grouping,
    truth: &[Vec<f32>],
    track: &[Vec<f32>],
    sidechain: &[Vec<f32>],
) -> Vec<f64> {
    let what = format!("{}-channel track, {}-channel sidechain, {}", track.len(), sidechain.len(), name(g));
    let mut p = Plugin::new();
    assert_eq!(p.set_arrangements(&[main, sc], &[main]), kResultTrue, "{what}");
    p.set_param_text("Sources", name(g));
    p.start(RATE, BLOCK);
    let out = p.run(&[track.to_vec(), sidechain.to_vec()], &[track.len()], BLOCK, 0.0, &|_| {}).remove(0);
    p.stop();
    let mut engine =
        harness::engine(RATE as f32, track.len(), &sources(g, sidechain.len()), 4096, 4, Settings::default());
    let expected = harness::run(&mut engine, track, sidechain, &[BLOCK]);
    assert_finite(&out, &what);
    assert!(
        out == expected,
        "{what}: the plugin differs from the engine with sources {:?}",
        sources(g, sidechain.len())
    );
    let from = truth[0].len() / 2;
    (0..track.len()).map(|c| kit::improvement_db(&out[c], p.latency(), &track[c], &truth[c], from)).collect()
}

#[test]
fn a_four_channel_sidechain_in_any_four_channel_arrangement_is_accepted_reported_back_and_processed() {
    let (mix, reference) = example();
    for main in [STEREO, MONO] {
        for sc in [QUADRO, CINE_40, AMBISONIC_1ST, CINE_31] {
            let what = format!("{}-channel track, sidechain arrangement {sc:#x}", main.count_ones());
            let mut p = Plugin::new();
            assert_eq!(p.set_arrangements(&[main, sc], &[main]), kResultTrue, "{what}: refused");
            assert_eq!(p.arrangements(INPUT), [main, sc], "{what}: reported back differently");
            assert_eq!(p.arrangements(OUTPUT), [main], "{what}");
            let info = p.bus_info(INPUT, 1).expect("getBusInfo");
            assert_eq!(info.channelCount, 4, "{what}: getBusInfo");
            let inputs = [channels(&mix, main.count_ones() as usize), channels(&reference, 4)];
            p.start(RATE, BLOCK);
            let out = p.run(&inputs, &[inputs[0].len()], BLOCK, 0.0, &|_| {}).remove(0);
            p.stop();
            let expected = engine_output(&inputs[0], &inputs[1]);
            for c in 0..inputs[0].len() {
                let d = diff_db(&out[c], &expected[c]);
                assert!(d < -100.0, "{what}, channel {c}: plugin vs engine {d:.1} dB");
            }
            assert_removes_bleed(&out, &inputs[0], p.latency(), &what);
        }
    }
}

#[test]
fn a_stereo_sidechain_split_in_two_removes_two_bleeds_like_the_engine_with_two_references() {
    for main in [STEREO, MONO] {
        let (truth, track, sidechain) = scene(main.count_ones() as usize, &[Voice::Kick, Voice::HiHat]);
        let one = run_grouped(main, STEREO, Grouping::One, &truth, &track, &sidechain);
        let each = run_grouped(main, STEREO, Grouping::Each, &truth, &track, &sidechain);
        for c in 0..track.len() {
            eprintln!(
                "{}-channel track, channel {c}: SDR +{:.2} dB as two mono sources, +{:.2} as one stereo source",
                track.len(),
                each[c],
                one[c]
            );
            assert!(each[c] > one[c] + 1.0, "channel {c}: two sources {:.2} dB, one {:.2} dB", each[c], one[c]);
        }
    }
}

#[test]
fn a_four_channel_sidechain_runs_every_grouping_like_the_engine() {
    for main in [STEREO, MONO] {
        let (truth, track, sidechain) =
            scene(main.count_ones() as usize, &[Voice::Kick, Voice::Snare, Voice::HiHat, Voice::Tom]);
        let gains: Vec<Vec<f64>> =
            Grouping::ALL.iter().map(|&g| run_grouped(main, QUADRO, g, &truth, &track, &sidechain)).collect();
        for c in 0..track.len() {
            eprintln!(
                "{}-channel track, channel {c}: SDR one {:+.2} / each {:+.2} / pairs {:+.2} dB",
                track.len(),
                gains[0][c],
                gains[1][c],
                gains[2][c]
            );
            // Stereo Pairs hears the kick and the hi-hat (channels 1 and 3) on the left and the
            // rest on the right: not how these sources reach the track, but never worse than it.
            assert!(gains.iter().all(|g| g[c] > -0.5), "channel {c}: a grouping made the track worse");
            // Four sources apart beat their mean as one source (measured with the ratio floor in the
            // fit: the mono track by 0.78 dB, the stereo track by 1.7 dB on average).
            assert!(
                gains[1][c] > gains[0][c] + 0.5,
                "channel {c}: four sources {:.2} dB, one {:.2} dB",
                gains[1][c],
                gains[0][c]
            );
        }
    }
}
