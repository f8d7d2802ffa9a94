//! Residue.clap under a hostile host: random buffer sizes, parameter events in the middle of
//! buffers, no sidechain buffers at all, 100 activations at changing sample rates, and state
//! that is garbage, truncated or from an older version — in every declared layout.

use rand::{rngs::StdRng, Rng, SeedableRng};

use super::host::{self, Loaded};
use super::{diff_db, example, RATE};

const LAYOUTS: [(&str, usize, usize); 6] = [
    ("Stereo", 2, 2),
    ("Stereo, mono sidechain", 2, 1),
    ("Mono", 1, 1),
    ("Mono, stereo sidechain", 1, 2),
    ("Stereo, 4-channel sidechain", 2, 4),
    ("Mono, 4-channel sidechain", 1, 4),
];

fn in_layout(name: &str) -> Loaded {
    let mut p = Loaded::new();
    let id = p.configs().into_iter().find(|c| c.1 == name).unwrap().0;
    p.select_config(id);
    p
}

fn finite(out: &[Vec<f32>]) -> bool {
    out.iter().flatten().all(|x| x.is_finite())
}

#[test]
fn random_buffer_sizes_and_events_inside_buffers_in_every_layout() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let mut rng = StdRng::seed_from_u64(2026);
    for (name, main_ch, sc_ch) in LAYOUTS {
        let mut p = in_layout(name);
        let main = vec![mix.clone(); main_ch];
        let sc = vec![reference.clone(); sc_ch];
        let blocks: Vec<usize> = (0..300)
            .map(|_| if rng.random_bool(0.1) { rng.random_range(1..8) } else { rng.random_range(1..=4096) })
            .collect();
        let ids: Vec<_> = [
            "Threshold",
            "Slope",
            "Mix",
            "Smoothing",
            "Output",
            "FFT Size",
            "Overlap",
            "Freeze",
            "Stereo Link",
            "Alpha",
            "Sources",
        ]
        .iter()
        .map(|n| p.param_id(n))
        .collect();
        let mut events: Vec<(usize, _, f64)> = (0..400)
            .map(|_| (rng.random_range(0..mix.len()), ids[rng.random_range(0..ids.len())], rng.random_range(0.0..=1.0)))
            .collect();
        events.sort_by_key(|e| e.0);
        // Stepped parameters take their index, continuous ones 0..1 (CLAP's plain values).
        let ranges: Vec<(f64, f64)> = p.params().iter().map(|q| (q.min, q.max)).collect();
        let params = p.params();
        let events: Vec<_> = events
            .into_iter()
            .map(|(t, id, v)| {
                let (lo, hi) = ranges[params.iter().position(|q| q.id == id).unwrap()];
                (t, id, if hi > 1.0 { (lo + v * (hi - lo)).round() } else { lo + v * (hi - lo) })
            })
            .collect();
        let out = p.process(RATE, &main, Some(&sc), &blocks, &events);
        assert!(finite(&out), "{name}: non-finite output");
        let energy: f32 = out[0].iter().map(|x| x * x).sum();
        assert!(energy > 1.0, "{name}: silent output ({energy})");
    }
}

#[test]
fn no_sidechain_buffers_pass_the_track_through() {
    let _one_at_a_time = host::exclusive();
    let (mix, _) = example();
    for (name, main_ch, _) in LAYOUTS {
        let mut p = in_layout(name);
        let main = vec![mix.clone(); main_ch];
        let out = p.process(RATE, &main, None, &[512, 64, 2048], &[]);
        let latency = p.latency() as usize;
        for c in 0..main_ch {
            let d = diff_db(&out[c][latency..], &main[c][..main[c].len() - latency]);
            assert!(d < -100.0, "{name}: without a sidechain the output is not the delayed input ({d:.1} dB)");
        }
    }
}

#[test]
fn a_hundred_activations_at_changing_sample_rates() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let main = vec![mix[..8192].to_vec(); 2];
    let sc = vec![reference[..8192].to_vec(); 2];
    let rates = [44100.0, 48000.0, 96000.0, 22050.0, 192000.0, 8000.0, 88200.0];
    let mut p = Loaded::new();
    let mut last = Vec::new();
    for i in 0..100 {
        let rate = rates[i % rates.len()];
        last = p.process(rate, &main, Some(&sc), &[256 + 37 * (i % 5)], &[]);
        assert!(finite(&last), "activation {i} at {rate} Hz");
        // FFT Size Auto: the window follows the rate.
        let window = residue::dsp::auto_window(rate as f32);
        assert_eq!(p.latency() as usize, residue::dsp::stft::latency(window, 4), "activation {i} at {rate} Hz");
    }
    // What carries over between activations is what was learned (carried across every rate),
    // never audio: the 100th activation removes more than a fresh instance's first, and after
    // it, silence in is silence out from the first sample.
    let rate = rates[99 % rates.len()];
    let fresh = Loaded::new().process(rate, &main, Some(&sc), &[256 + 37 * (99 % 5)], &[]);
    let lat = residue::dsp::stft::latency(residue::dsp::auto_window(rate as f32), 4);
    let removed = |out: &[Vec<f32>]| diff_db(&out[0][lat..], &main[0][..main[0].len() - lat]);
    assert!(
        removed(&last) > removed(&fresh) + 3.0,
        "learned {:.1} dB vs fresh {:.1} dB: the learning did not carry over",
        removed(&last),
        removed(&fresh)
    );
    let silence = vec![vec![0.0f32; 8192]; 2];
    let after = p.process(rate, &silence, Some(&silence), &[512], &[]);
    assert!(after.iter().flatten().all(|&x| x == 0.0), "audio from an earlier activation came out");
}

#[test]
fn garbage_truncated_and_old_state_never_breaks_the_plugin() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let main = vec![mix[..44100].to_vec(); 2];
    let sc = vec![reference[..44100].to_vec(); 2];
    let default_out = Loaded::new().process(RATE, &main, Some(&sc), &[512], &[]);

    let mut configured = Loaded::new();
    configured.set_params_text(&[("Threshold", "0.6"), ("Slope", "33"), ("FFT Size", "2048")]);
    let good = configured.save();
    // nice-plug's CLAP state: a little-endian u64 length, then JSON.
    let framed = |json: &[u8]| [&(json.len() as u64).to_le_bytes()[..], json].concat();
    let json: serde_json::Value = serde_json::from_slice(&good[8..]).expect("the state is JSON");
    let editor: serde_json::Value =
        serde_json::from_str(json["fields"]["editor"].as_str().expect("editor field")).unwrap();
    assert_eq!(editor["width"].as_f64(), Some(960.0), "the editor's size is saved: {json}");
    // A session saved with a resized editor reopens at that size.
    let mut resized = json.clone();
    resized["fields"]["editor"] = r#"{"width":1234.0,"height":777.0,"zoom":2.0}"#.into();
    let mut p = Loaded::new();
    assert!(p.load(&framed(&serde_json::to_vec(&resized).unwrap())));
    let again: serde_json::Value = serde_json::from_slice(&p.save()[8..]).unwrap();
    assert_eq!(again["fields"]["editor"].as_str(), Some(r#"{"width":1234.0,"height":777.0,"zoom":2.0}"#));

    let mut rng = StdRng::seed_from_u64(7);
    let noise: Vec<u8> = (0..3000).map(|_| rng.random()).collect();
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("random bytes", noise),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("not an object", framed(b"[1, 2, 3]")),
        ("wrong types", framed(br#"{"version": 7, "params": "threshold", "fields": 3}"#)),
        ("length cuts the JSON short", [&100u64.to_le_bytes()[..], &good[8..]].concat()),
    ];
    for (what, bytes) in bad {
        let mut p = Loaded::new();
        assert!(!p.load(&bytes), "{what}: accepted");
        let out = p.process(RATE, &main, Some(&sc), &[512], &[]);
        assert!(out == default_out, "{what}: a rejected state changed the sound");
    }

    // Older state: no editor field, a parameter this version does not know, one it has missing,
    // and values out of range. Known values load, the rest stays at defaults, all stays finite.
    let mut old = json.clone();
    old["version"] = "0.0.1".into();
    old["fields"].as_object_mut().unwrap().remove("editor");
    let params = old["params"].as_object_mut().unwrap();
    params.remove("overlap");
    params.insert("retired_knob".into(), serde_json::json!({"f32": 0.5}));
    params.insert("slope".into(), serde_json::json!({"f32": 1e9}));
    params.insert("mix".into(), serde_json::json!({"f32": -4.0}));
    let mut p = Loaded::new();
    assert!(p.load(&framed(&serde_json::to_vec(&old).unwrap())), "an older state is accepted");
    let threshold = p.param_id("Threshold");
    let v = p.value(threshold);
    assert_eq!(p.value_text(threshold, v), "0.60");
    let fft = p.param_id("FFT Size");
    let v = p.value(fft);
    assert_eq!(p.value_text(fft, v), "2048");
    let out = p.process(RATE, &main, Some(&sc), &[512], &[]);
    assert!(finite(&out));
}

#[test]
fn any_sample_rate_a_host_or_validator_uses_activates_and_processes_finite_audio() {
    // clap-validator activates at 1 kHz, 1234.5677 Hz and 768 kHz; some interfaces run at 1.536 MHz.
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let main = vec![mix[..40000].to_vec(); 2];
    let sc = vec![reference[..40000].to_vec(); 2];
    for rate in [768_000.0, 1234.5677, 1000.0, 1_536_000.0] {
        let mut p = Loaded::new();
        let out = p.process(rate, &main, Some(&sc), &[480], &[]);
        assert!(finite(&out), "{rate} Hz: non-finite output");
        let window = residue::dsp::auto_window(rate as f32);
        assert_eq!(p.latency() as usize, residue::dsp::stft::latency(window, 4), "{rate} Hz (FFT Size Auto: {window})");
        let energy: f32 = out[0][p.latency() as usize..].iter().map(|x| x * x).sum();
        assert!(energy > 1.0, "{rate} Hz: silent output ({energy})");
    }
}

#[test]
fn input_ports_past_the_hosts_count_are_never_read() {
    // The host counts only the main input; the sidechain's buffers happen to lie right after it
    // in memory. The plugin must pass the track through as with no sidechain at all.
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    for (name, main_ch, sc_ch) in LAYOUTS {
        let mut p = in_layout(name);
        let main = vec![mix.clone(); main_ch];
        let sc = vec![reference.clone(); sc_ch];
        let signal = host::Signal {
            main: &main,
            sidechain: Some(&sc),
            sidechain_beyond_count: true,
            blocks: &[512],
            events: &[],
            transport_at: None,
        };
        let out = p.process_signal(RATE, &signal);
        let latency = p.latency() as usize;
        for c in 0..main_ch {
            let d = diff_db(&out[c][latency..], &main[c][..main[c].len() - latency]);
            assert!(
                d < -100.0,
                "{name}: a sidechain the host did not count was used ({d:.1} dB from the delayed input)"
            );
        }
    }
}

/// Runs `probe` in a child process (this test binary, only the test named `test`, with
/// RESIDUE_CLAP_PROBE set): a plugin that aborts its host then fails the test instead of
/// ending the whole run.
fn in_child_process(test: &str, probe: impl FnOnce()) {
    if std::env::var_os("RESIDUE_CLAP_PROBE").is_some() {
        probe();
        return;
    }
    let _one_at_a_time = host::exclusive();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("RESIDUE_CLAP_PROBE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success() && stdout.contains("1 passed"),
        "the probe failed ({}):\n{stdout}\n{}",
        child.status,
        String::from_utf8_lossy(&child.stderr)
    );
}

#[test]
fn parameter_info_past_the_last_index_is_refused() {
    // Indexing past the parameter list would panic inside the C ABI: the host aborts.
    in_child_process("hostile::parameter_info_past_the_last_index_is_refused", || {
        let mut p = Loaded::new();
        let count = p.params().len() as u32;
        assert!(p.param_info_exists(count - 1));
        assert!(!p.param_info_exists(count), "info for index {count} of {count} parameters");
        assert!(!p.param_info_exists(u32::MAX));
    });
}

#[test]
fn an_event_past_the_end_of_the_buffer_is_not_processed_past_it() {
    // A host bug: a transport event timed after the last sample of the buffer. The plugin must
    // process exactly the buffer it was given (here: as if the event were not there at all,
    // since Residue does not use the transport).
    in_child_process("hostile::an_event_past_the_end_of_the_buffer_is_not_processed_past_it", || {
        let (mix, reference) = example();
        let main = vec![mix[..44100].to_vec(); 2];
        let sc = vec![reference[..44100].to_vec(); 2];
        let plain = Loaded::new().process(RATE, &main, Some(&sc), &[512, 300], &[]);
        for past in [300, 512, 513, 4096, u32::MAX] {
            let signal = host::Signal {
                main: &main,
                sidechain: Some(&sc),
                sidechain_beyond_count: false,
                blocks: &[512, 300],
                events: &[],
                transport_at: Some(past),
            };
            let out = Loaded::new().process_signal(RATE, &signal);
            assert!(out == plain, "a transport event at {past} changed the output");
        }
    });
}
