//! Several sources on one sidechain, in the built `Residue.clap`: a stereo sidechain carrying a
//! kick on the left and a hi-hat on the right, split into two mono references by the Sources
//! parameter; a 4-channel sidechain in each grouping; switching the grouping while playing; a
//! saved state per grouping.

use residue::dsp::sidechain::{sources, Grouping};
use residue::dsp::{Engine, Settings};

use super::harness;
use super::host::{self, Loaded};
use super::kit::{self, Path, Voice};
use super::wav;
use super::RATE;

const BLOCK: usize = 512;

/// The name the Sources parameter shows for `g`.
fn name(g: Grouping) -> &'static str {
    match g {
        Grouping::One => "One",
        Grouping::Each => "Each Channel",
        Grouping::Pairs => "Stereo Pairs",
    }
}

/// The voice alone, `seconds` long, on `channels` channels (the second one quieter).
fn voice(channels: usize, seconds: f32) -> Vec<Vec<f32>> {
    let v = wav::read("examples/vocal-bleed/truth_vocal.wav").0.remove(0);
    let len = (seconds * RATE as f32) as usize;
    (0..channels).map(|c| v[..len].iter().map(|x| x * (1.0 - 0.25 * c as f32)).collect()).collect()
}

/// Drum `voices` bleeding into `truth`'s channels, each along its own path: (track, sources).
fn drums_into(truth: &[Vec<f32>], voices: &[Voice]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let len = truth[0].len();
    let sources: Vec<Vec<f32>> = voices.iter().map(|&v| kit::voice(v, len, RATE as f32)).collect();
    let paths: Vec<Vec<Path>> = (0..truth.len())
        .map(|c| {
            (0..voices.len())
                .map(|j| Path {
                    gain: [0.3, 0.12, 0.2, 0.25][j] * (1.0 - 0.2 * c as f32),
                    lag_ms: 3.0 + 2.5 * j as f32 + 1.5 * c as f32,
                })
                .collect()
        })
        .collect();
    (kit::track(truth, &sources, &paths, RATE as f32), sources)
}

fn with_layout(layout: &str) -> Loaded {
    let mut p = Loaded::new();
    let id = p.configs().into_iter().find(|c| c.1 == layout).unwrap_or_else(|| panic!("no layout {layout}")).0;
    p.select_config(id);
    p
}

/// The engine driven directly with the sidechain grouped as `g`, in the plugin's blocks.
fn engine(main: usize, sidechain: usize, g: Grouping) -> Engine {
    harness::engine(RATE as f32, main, &sources(g, sidechain), 4096, 4, Settings::default())
}

fn improvement(out: &[Vec<f32>], latency: usize, track: &[Vec<f32>], truth: &[Vec<f32>]) -> Vec<f64> {
    let from = truth[0].len() / 2;
    (0..track.len()).map(|c| kit::improvement_db(&out[c], latency, &track[c], &truth[c], from)).collect()
}

#[test]
fn a_stereo_sidechain_split_in_two_removes_two_bleeds_like_the_engine_with_two_references() {
    let _one_at_a_time = host::exclusive();
    for (layout, channels) in [("Stereo", 2), ("Mono, stereo sidechain", 1)] {
        let truth = voice(channels, 8.0);
        let (track, sidechain) = drums_into(&truth, &[Voice::Kick, Voice::HiHat]);
        let mut gains = Vec::new();
        for g in [Grouping::One, Grouping::Each] {
            let mut p = with_layout(layout);
            p.set_params_text(&[("Sources", name(g))]);
            let out = p.process(RATE, &track, Some(&sidechain), &[BLOCK], &[]);
            let expected = harness::run(&mut engine(channels, 2, g), &track, &sidechain, &[BLOCK]);
            assert!(
                out == expected,
                "{layout}, {}: the plugin differs from the engine with sources {:?}",
                name(g),
                sources(g, 2)
            );
            gains.push(improvement(&out, p.latency() as usize, &track, &truth));
        }
        for c in 0..channels {
            eprintln!(
                "{layout}, channel {c}: SDR +{:.2} dB as two mono sources, +{:.2} as one stereo source",
                gains[1][c], gains[0][c]
            );
            assert!(
                gains[1][c] > gains[0][c] + 1.0,
                "{layout}, channel {c}: two sources {:.2} dB, one {:.2} dB",
                gains[1][c],
                gains[0][c]
            );
        }
    }
}

#[test]
fn a_four_channel_sidechain_runs_every_grouping_like_the_engine() {
    let _one_at_a_time = host::exclusive();
    for (layout, channels) in [("Stereo, 4-channel sidechain", 2), ("Mono, 4-channel sidechain", 1)] {
        let mut p = Loaded::new();
        let configs = p.configs();
        assert!(
            configs.iter().any(|c| c.1 == layout),
            "{layout} missing from {:?}",
            configs.iter().map(|c| &c.1).collect::<Vec<_>>()
        );
        let truth = voice(channels, 6.0);
        let (track, sidechain) = drums_into(&truth, &[Voice::Kick, Voice::Snare, Voice::HiHat, Voice::Tom]);
        let mut gains = Vec::new();
        for g in Grouping::ALL {
            let mut p = with_layout(layout);
            let ports = p.ports(true);
            assert_eq!(ports[1].channels, 4, "{layout}: the sidechain port");
            // Four sources side by side are no surround format: CLAP's type for that is none.
            assert_eq!(ports[1].kind, None, "{layout}: the sidechain port's type");
            assert_eq!(
                ports[0].kind.as_deref(),
                Some(["mono", "stereo"][channels - 1]),
                "{layout}: the main port's type"
            );
            p.set_params_text(&[("Sources", name(g))]);
            let out = p.process(RATE, &track, Some(&sidechain), &[BLOCK], &[]);
            let expected = harness::run(&mut engine(channels, 4, g), &track, &sidechain, &[BLOCK]);
            assert!(out.iter().flatten().all(|x| x.is_finite()), "{layout}, {}: non-finite output", name(g));
            assert!(
                out == expected,
                "{layout}, {}: the plugin differs from the engine with sources {:?}",
                name(g),
                sources(g, 4)
            );
            let gain = improvement(&out, p.latency() as usize, &track, &truth);
            eprintln!("{layout}, {}: SDR {:+.2} dB", name(g), gain.iter().sum::<f64>() / channels as f64);
            gains.push(gain);
        }
        for c in 0..channels {
            // Four sources apart beat their mean as one source (measured with the ratio floor in the
            // fit: the mono track by 0.78 dB, the stereo track by 1.7 dB on average).
            assert!(
                gains[1][c] > gains[0][c] + 0.5,
                "{layout}, channel {c}: four sources {:.2} dB, one {:.2} dB",
                gains[1][c],
                gains[0][c]
            );
        }
    }
}

#[test]
fn switching_the_grouping_while_playing_hands_over_to_an_engine_that_kept_its_learning() {
    let _one_at_a_time = host::exclusive();
    let truth = voice(2, 6.0);
    let (track, sidechain) = drums_into(&truth, &[Voice::Kick, Voice::HiHat]);
    let mut p = with_layout("Stereo");
    let id = p.param_id("Sources");
    let (one, each) = (p.value_from_text(id, "One"), p.value_from_text(id, "Each Channel"));
    // At block starts (Residue's parameters apply per block): One → Each → One.
    let (t1, t2) = (150 * BLOCK, 300 * BLOCK);
    let out = p.process(RATE, &track, Some(&sidechain), &[BLOCK], &[(t1, id, each), (t2, id, one)]);
    // The same in engines driven directly: the one switched to starts its audio afresh, with
    // what it had learned (One's learning of the first part carries into the third).
    let slice = |x: &[Vec<f32>], r: std::ops::Range<usize>| x.iter().map(|c| c[r.clone()].to_vec()).collect::<Vec<_>>();
    let (mut a, mut b) = (engine(2, 2, Grouping::One), engine(2, 2, Grouping::Each));
    let len = track[0].len();
    let mut expected = harness::run(&mut a, &slice(&track, 0..t1), &slice(&sidechain, 0..t1), &[BLOCK]);
    b.reset();
    let second = harness::run(&mut b, &slice(&track, t1..t2), &slice(&sidechain, t1..t2), &[BLOCK]);
    a.reset();
    let third = harness::run(&mut a, &slice(&track, t2..len), &slice(&sidechain, t2..len), &[BLOCK]);
    for (e, (s, t)) in expected.iter_mut().zip(second.iter().zip(&third)) {
        e.extend_from_slice(s);
        e.extend_from_slice(t);
    }
    assert!(out.iter().flatten().all(|x| x.is_finite()));
    assert!(out == expected, "switching One → Each → One differs from the engines handing over");
    // What One learned before the switch counts: its first second back removes more than a
    // fresh One engine's would.
    let latency = p.latency() as usize;
    let mut fresh = engine(2, 2, Grouping::One);
    let cold = harness::run(&mut fresh, &slice(&track, t2..len), &slice(&sidechain, t2..len), &[BLOCK]);
    let second_back = |o: &[f32]| {
        kit::improvement_db(
            &o[..latency + RATE as usize],
            latency,
            &track[0][t2..t2 + RATE as usize],
            &truth[0][t2..t2 + RATE as usize],
            0,
        )
    };
    let (kept, cold) = (second_back(&out[0][t2..]), second_back(&cold[0]));
    eprintln!("first second back on One: {kept:+.2} dB with its learning, {cold:+.2} dB fresh");
    assert!(kept > cold + 1.0, "back on One: {kept:.2} dB, a fresh engine {cold:.2} dB");
}

#[test]
fn switching_the_grouping_at_random_in_random_blocks_stays_finite() {
    let _one_at_a_time = host::exclusive();
    let truth = voice(2, 3.0);
    let (track, sidechain) = drums_into(&truth, &[Voice::Kick, Voice::Snare, Voice::HiHat, Voice::Tom]);
    let mut p = with_layout("Stereo, 4-channel sidechain");
    let id = p.param_id("Sources");
    let blocks = [1usize, 64, 777, 4096, 33, 512, 2000];
    let mut events: Vec<_> = (0..60).map(|k| ((k * 2203 + 17) % track[0].len(), id, (k % 3) as f64)).collect();
    events.sort_by_key(|e| e.0);
    let out = p.process(RATE, &track, Some(&sidechain), &blocks, &events);
    assert!(out.iter().flatten().all(|x| x.is_finite()), "non-finite output");
    let lat = p.latency() as usize;
    assert!(out[0][lat..].iter().any(|x| x.abs() > 1e-3), "the switching silenced the track");
}

#[test]
fn a_saved_state_restores_the_learning_of_the_grouping_in_use() {
    let _one_at_a_time = host::exclusive();
    let truth = voice(2, 9.0);
    let (track, sidechain) = drums_into(&truth, &[Voice::Kick, Voice::HiHat]);
    let split = 5 * RATE as usize;
    let part = |x: &[Vec<f32>], first: bool| {
        x.iter().map(|c| if first { c[..split].to_vec() } else { c[split..].to_vec() }).collect::<Vec<_>>()
    };
    for g in [Grouping::One, Grouping::Each] {
        let mut a = with_layout("Stereo");
        a.set_params_text(&[("Sources", name(g))]);
        a.process(RATE, &part(&track, true), Some(&part(&sidechain, true)), &[BLOCK], &[]);
        let state = a.save();
        let json: serde_json::Value = serde_json::from_slice(&state[8..]).expect("the state is JSON");
        let profile: serde_json::Value =
            serde_json::from_str(json["fields"]["profile"].as_str().expect("a profile field")).unwrap();
        assert_eq!(profile["sources"], serde_json::json!(sources(g, 2)), "{}: the profile names its sources", name(g));
        let carried_on = a.process(RATE, &part(&track, false), Some(&part(&sidechain, false)), &[BLOCK], &[]);
        // A new instance loading it, and one that had been running the other grouping.
        let other = if g == Grouping::One { Grouping::Each } else { Grouping::One };
        let mut b = with_layout("Stereo");
        assert!(b.load(&state), "load");
        let reloaded = b.process(RATE, &part(&track, false), Some(&part(&sidechain, false)), &[333], &[]);
        let mut c = with_layout("Stereo");
        c.set_params_text(&[("Sources", name(other))]);
        c.process(RATE, &part(&track, true), Some(&part(&sidechain, true)), &[BLOCK], &[]);
        assert!(c.load(&state), "load");
        let reloaded_over_other = c.process(RATE, &part(&track, false), Some(&part(&sidechain, false)), &[BLOCK], &[]);
        assert!(carried_on == reloaded, "{}: the reloaded instance differs from the original carrying on", name(g));
        assert!(
            carried_on == reloaded_over_other,
            "{}: loaded over an instance that ran {}, it differs",
            name(g),
            name(other)
        );
        // The learning mattered: a fresh instance of the grouping starts cold.
        let mut fresh = with_layout("Stereo");
        fresh.set_params_text(&[("Sources", name(g))]);
        let cold = fresh.process(RATE, &part(&track, false), Some(&part(&sidechain, false)), &[BLOCK], &[]);
        let latency = a.latency() as usize;
        let first_second = |o: &[f32]| {
            kit::improvement_db(
                &o[..latency + RATE as usize],
                latency,
                &track[0][split..split + RATE as usize],
                &truth[0][split..split + RATE as usize],
                0,
            )
        };
        let (kept, cold) = (first_second(&reloaded[0]), first_second(&cold[0]));
        eprintln!("{}: first second after reload {kept:+.2} dB, fresh {cold:+.2} dB", name(g));
        assert!(kept > cold + 1.0, "{}: reloaded {kept:.2} dB vs fresh {cold:.2} dB", name(g));
    }
}
