//! Residue.clap under a hostile host: random buffer sizes, parameter events in the middle of
//! buffers, no sidechain buffers at all, 100 activations at changing sample rates, and state
//! that is garbage, truncated or from an older version — in every declared layout.

use rand::{rngs::StdRng, Rng, SeedableRng};

use super::host::{self, Loaded};
use super::{diff_db, example, RATE};

const LAYOUTS: [(&str, usize, usize); 4] = [("Stereo", 2, 2), ("Stereo, mono sidechain", 2, 1), ("Mono", 1, 1), ("Mono, stereo sidechain", 1, 2)];

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
        let blocks: Vec<usize> = (0..300).map(|_| if rng.random_bool(0.1) { rng.random_range(1..8) } else { rng.random_range(1..=4096) }).collect();
        let ids: Vec<_> = ["Threshold", "Slope", "Mix", "Smoothing", "Output", "FFT Size", "Overlap", "Freeze", "Stereo Link", "Alpha"].iter().map(|n| p.param_id(n)).collect();
        let mut events: Vec<(usize, _, f64)> = (0..400).map(|_| (rng.random_range(0..mix.len()), ids[rng.random_range(0..ids.len())], rng.random_range(0.0..=1.0))).collect();
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
        assert_eq!(p.latency(), 4095 + 1024, "activation {i}");
    }
    // Nothing carries over between activations: the 100th equals a fresh instance's first.
    let fresh = Loaded::new().process(rates[99 % rates.len()], &main, Some(&sc), &[256 + 37 * (99 % 5)], &[]);
    assert!(last == fresh, "state leaked across activations");
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
    let editor: serde_json::Value = serde_json::from_str(json["fields"]["editor"].as_str().expect("editor field")).unwrap();
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
