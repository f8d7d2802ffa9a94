//! `residue-render` as a user runs it: real WAV files in, real WAV files out, clear errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use residue_dsp::{Engine, EngineConfig, LatencyMode, Settings};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_residue-render"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("residue-render-tests-{}", std::process::id()));
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    path
}

fn write(path: &Path, channels: &[Vec<f32>], rate: u32, bits: u16, float: bool) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..channels[0].len() {
        for c in channels {
            if float {
                w.write_sample(c[i]).unwrap();
            } else {
                w.write_sample((c[i] * ((1 << (bits - 1)) as f32 - 1.0)).round() as i32).unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

fn read(path: &Path) -> (Vec<Vec<f32>>, hound::WavSpec) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let n = spec.channels as usize;
    let s: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u32 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|x| x.unwrap() as f32 * scale).collect()
        }
    };
    ((0..n).map(|c| s.iter().skip(c).step_by(n).copied().collect()).collect(), spec)
}

fn signal(len: usize, f: f32, rate: f32) -> Vec<f32> {
    (0..len)
        .map(|n| {
            0.3 * (2.0 * std::f32::consts::PI * f * n as f32 / rate).sin()
                + 0.1 * ((n * 7919 % 211) as f32 / 211.0 - 0.5)
        })
        .collect()
}

/// Runs the binary; returns (exit code, stderr).
fn run(args: &[&str]) -> (i32, String) {
    let out = bin().args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn output_is_aligned_same_length_same_format_and_equals_the_engine() {
    let rate = 44100;
    let len = 30_000;
    let reference = signal(len, 220.0, rate as f32);
    let mix: Vec<f32> = signal(len, 660.0, rate as f32).iter().zip(&reference).map(|(a, b)| a + 0.5 * b).collect();
    for (bits, float) in [(16, false), (24, false), (32, true)] {
        let (m, r, o) =
            (tmp(&format!("mix{bits}.wav")), tmp(&format!("ref{bits}.wav")), tmp(&format!("out{bits}.wav")));
        write(&m, &[mix.clone(), mix.clone()], rate, bits, float);
        write(&r, std::slice::from_ref(&reference), rate, bits, float);
        let (code, err) = run(&[
            m.to_str().unwrap(),
            "-r",
            r.to_str().unwrap(),
            "-o",
            o.to_str().unwrap(),
            "--fft",
            "1024",
            "--force",
        ]);
        assert_eq!(code, 0, "{err}");
        let (out, spec) = read(&o);
        let (input, in_spec) = read(&m);
        assert_eq!(
            (spec.bits_per_sample, spec.sample_format, spec.channels),
            (in_spec.bits_per_sample, in_spec.sample_format, 2)
        );
        assert_eq!(out[0].len(), len, "same length as the input");
        // The engine driven directly, latency removed by hand.
        let config = EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![1], max_window: 1024 };
        let mut engine = Engine::new(&config, 1024, 4, Settings::default()).unwrap();
        let lat = engine.latency();
        let (ref_in, _) = read(&r);
        let mut chans: Vec<Vec<f32>> =
            input.iter().map(|c| c.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect()).collect();
        let refs: Vec<f32> = ref_in[0].iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect();
        let (a, b) = chans.split_at_mut(1);
        engine.process(&mut [&mut a[0][..], &mut b[0][..]], &[&refs[..]]);
        let lsb = if float { 1e-7 } else { 1.0 / (1u32 << (bits - 1)) as f32 };
        for c in 0..2 {
            let worst = out[c].iter().zip(&chans[c][lat..]).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
            assert!(worst <= lsb, "{bits}-bit: output differs from the engine by {worst} (one LSB: {lsb})");
        }
    }
}

#[test]
fn bad_input_gets_one_clear_line_and_no_output() {
    let rate = 48000;
    let good = tmp("good.wav");
    write(&good, &[signal(4800, 440.0, rate as f32)], rate, 16, false);
    let other_rate = tmp("other_rate.wav");
    write(&other_rate, &[signal(4410, 440.0, 44100.0)], 44100, 16, false);
    let three = tmp("three.wav");
    write(&three, &vec![signal(4800, 440.0, rate as f32); 3], rate, 16, false);
    let text = tmp("not_a_wav.wav");
    std::fs::write(&text, "hello").unwrap();
    let empty = tmp("empty.wav");
    write(&empty, &[vec![]], rate, 16, false);
    let out = tmp("never.wav");
    let o = out.to_str().unwrap();
    let cases: [(Vec<&str>, &str); 8] = [
        (vec!["/no/such/file.wav", "-o", o], "No such file"),
        (vec![text.to_str().unwrap(), "-o", o], "not a WAV file"),
        (vec![good.to_str().unwrap(), "-r", other_rate.to_str().unwrap(), "-o", o], "sample rate 44100 Hz differs"),
        (vec![three.to_str().unwrap(), "-o", o], "3 channels"),
        (vec![good.to_str().unwrap(), "-r", three.to_str().unwrap(), "-o", o], "3 channels"),
        (vec![empty.to_str().unwrap(), "-o", o], "no audio"),
        (vec![good.to_str().unwrap(), "--threshold", "1.5", "-o", o], "out of range"),
        (vec![good.to_str().unwrap(), "--fft", "1000", "-o", o], "not a power of two"),
    ];
    for (args, says) in cases {
        let (code, err) = run(&args);
        assert_ne!(code, 0, "{args:?} succeeded");
        assert!(err.contains(says), "{args:?}: expected '{says}' in: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(!out.exists(), "{args:?} left an output file");
    }
    // No stray temporary files either (other tests write in their own folders).
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn never_overwrites_without_force_and_warns_on_short_or_missing_references() {
    let rate = 48000;
    let mix = tmp("ow_mix.wav");
    write(&mix, &[signal(9600, 440.0, rate as f32)], rate, 16, false);
    let short = tmp("ow_short.wav");
    write(&short, &[signal(2000, 220.0, rate as f32)], rate, 16, false);
    let out = tmp("ow_out.wav");
    std::fs::write(&out, "precious").unwrap();
    let (code, err) = run(&[mix.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious", "the user's file was touched");
    let (code, err) =
        run(&[mix.to_str().unwrap(), "-r", short.to_str().unwrap(), "-o", out.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("shorter than the mix; padded with silence"), "{err}");
    let (code, err) = run(&[mix.to_str().unwrap(), "-o", out.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no --reference given"), "{err}");
    // With no reference the mix passes through: same samples (16-bit round trip is exact).
    assert_eq!(read(&out).0, read(&mix).0);
}

#[test]
fn plot_shows_where_the_level_went_down() {
    // The picture's numbers: remove a 200 Hz tone from a mix of 200 Hz + 2 kHz; the level change
    // per frequency must dip at 200 Hz and stay flat at 2 kHz.
    let rate = 44100u32;
    let tone = |f: f32| {
        (0..rate as usize * 2).map(move |n| 0.3 * (2.0 * std::f32::consts::PI * f * n as f32 / rate as f32).sin())
    };
    let mix: Vec<f32> = tone(200.0).zip(tone(2000.0)).map(|(a, b)| a + b).collect();
    let out: Vec<f32> = tone(2000.0).collect();
    let picture = residue_render::plot::Picture::new(&[mix], &[out], rate, 100, 200);
    let at = |hz: f64| {
        (0..picture.gain_db().len())
            .min_by(|&a, &b| (picture.row_hz(a) / hz).ln().abs().total_cmp(&(picture.row_hz(b) / hz).ln().abs()))
            .unwrap()
    };
    let (low, high) = (picture.gain_db()[at(200.0)], picture.gain_db()[at(2000.0)]);
    assert!(low < -40.0, "200 Hz was removed, the plot says {low:.1} dB");
    assert!(high.abs() < 0.1, "2 kHz was kept, the plot says {high:.1} dB");
}

#[test]
fn plot_is_a_png_and_follows_the_overwrite_rules() {
    let rate = 44100;
    let reference = signal(44100, 220.0, rate as f32);
    let mix: Vec<f32> = signal(44100, 660.0, rate as f32).iter().zip(&reference).map(|(a, b)| a + 0.5 * b).collect();
    let (m, r, o, png) = (tmp("plot/mix.wav"), tmp("plot/ref.wav"), tmp("plot/out.wav"), tmp("plot/plot.png"));
    write(&m, &[mix], rate, 16, false);
    write(&r, &[reference], rate, 16, false);
    let _ = std::fs::remove_file(&png);
    let args = [
        m.to_str().unwrap(),
        "-r",
        r.to_str().unwrap(),
        "-o",
        o.to_str().unwrap(),
        "--plot",
        png.to_str().unwrap(),
        "--force",
    ];
    let (code, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let picture = image::open(&png).expect("a PNG").to_rgb8();
    assert!(picture.width() >= 1000 && picture.height() >= 800, "{}x{}", picture.width(), picture.height());
    // Not blank: the spectrograms use many colours.
    let colours: std::collections::HashSet<_> = picture.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 200, "only {} colours", colours.len());

    // An existing plot is not overwritten without --force, and a non-PNG name is refused.
    std::fs::write(&png, "precious").unwrap();
    std::fs::remove_file(&o).unwrap();
    let (code, err) = run(&args[..args.len() - 1]);
    assert_ne!(code, 0);
    assert!(err.contains("plot.png exists; pass --force"), "{err}");
    assert_eq!(std::fs::read_to_string(&png).unwrap(), "precious");
    assert!(!o.exists(), "refused, but wrote the audio");
    let jpg = tmp("plot/plot.jpg");
    let (code, err) =
        run(&[m.to_str().unwrap(), "-o", o.to_str().unwrap(), "--plot", jpg.to_str().unwrap(), "--force"]);
    assert_ne!(code, 0);
    assert!(err.contains("give it a .png name") && !jpg.exists(), "{err}");
}

/// A WAV file byte by byte, so its header can lie.
fn wav_bytes(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8], claimed_data: Option<u32>) -> Vec<u8> {
    let mut b = Vec::new();
    let block = channels * bits.div_ceil(8);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&tag.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * block as u32).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&claimed_data.unwrap_or(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn damaged_and_unsupported_wav_files_get_one_clear_line() {
    let dir = tmp("damaged/x").parent().unwrap().to_path_buf();
    let pcm: Vec<u8> = (0..48000u32).flat_map(|n| (((n as f32 * 0.05).sin() * 8000.0) as i16).to_le_bytes()).collect();
    let good = wav_bytes(1, 1, 48000, 16, &pcm, None);
    let mut bad_fmt_size = good.clone();
    bad_fmt_size[16..20].copy_from_slice(&2u32.to_le_bytes()); // fmt chunk claims 2 bytes
    let mut bad_riff = good.clone();
    bad_riff[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let f64_data: Vec<u8> = (0..4800).flat_map(|n| ((n as f64 * 0.05).sin() * 0.5).to_le_bytes()).collect();
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        ("zero_bytes", vec![], &["not a WAV file"]),
        ("truncated_header", good[..20].to_vec(), &["not a WAV file", "truncated"]),
        ("riff_only", b"RIFF\x04\x00\x00\x00WAVE".to_vec(), &["not a WAV file", "truncated", "no audio"]),
        ("fmt_chunk_too_small", bad_fmt_size, &["not a WAV file"]),
        (
            "absurd_data_length",
            wav_bytes(1, 1, 48000, 16, &pcm[..1000], Some(u32::MAX - 1)),
            &["truncated", "not a WAV file", "truncated"],
        ),
        (
            "data_shorter_than_claimed",
            wav_bytes(1, 1, 48000, 16, &pcm[..9999], Some(96000)),
            &["truncated", "not a WAV file", "truncated"],
        ),
        ("float64", wav_bytes(3, 1, 48000, 64, &f64_data, None), &["not supported", "not a WAV file"]),
        ("a_law", wav_bytes(6, 1, 8000, 8, &pcm[..8000], None), &["not a WAV file"]),
        ("zero_channels", wav_bytes(1, 0, 48000, 16, &pcm, None), &["not a WAV file", "no channels"]),
        ("rate_zero", wav_bytes(1, 1, 0, 16, &pcm, None), &["sample rate", "not a WAV file"]),
        ("rate_absurd", wav_bytes(1, 1, 4_000_000, 16, &pcm, None), &["sample rate"]),
        ("no_samples", wav_bytes(1, 1, 48000, 16, &[], None), &["no audio"]),
    ];
    let out = dir.join("never.wav");
    for (name, bytes, any_of) in cases {
        let path = dir.join(format!("{name}.wav"));
        std::fs::write(&path, &bytes).unwrap();
        for as_reference in [false, true] {
            let good_path = dir.join("good.wav");
            std::fs::write(&good_path, &good).unwrap();
            let (mix, reference) = if as_reference { (&good_path, &path) } else { (&path, &good_path) };
            let (code, err) =
                run(&[mix.to_str().unwrap(), "-r", reference.to_str().unwrap(), "-o", out.to_str().unwrap()]);
            let what = format!("{name} as {}", if as_reference { "reference" } else { "mix" });
            assert_ne!(code, 0, "{what}: accepted ({err})");
            assert!(!err.contains("panicked"), "{what}: panicked: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{what}: not one line: {err}");
            assert!(err.starts_with("residue-render: error: "), "{what}: {err}");
            assert!(
                err.contains(path.file_name().unwrap().to_str().unwrap()),
                "{what}: the error does not name the file: {err}"
            );
            assert!(any_of.iter().any(|s| err.contains(s)), "{what}: expected one of {any_of:?} in: {err}");
            assert!(!out.exists(), "{what}: left an output");
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Several blocks of the streamed renderer (more than 2 × 65536 frames), each main channel in an
/// engine of its own when they do not interact, one stereo engine when linked: the output must
/// be the stereo engine's, bit for bit, in Mix and in Live (`--mode live`), the lags found alike.
#[test]
fn streamed_and_split_render_is_the_stereo_engine_bit_for_bit() {
    let rate = 44100;
    let len = 150_000;
    // Broadband references (an LCG's noise plus a tone), so that the lag search finds each
    // channel's bleed: each channel finds its own lag, at the same time in its own engine as in
    // the stereo one.
    let noise = |seed: u32| -> Vec<f32> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    };
    let guitar: [Vec<f32>; 2] = [0, 1].map(|c| {
        noise(c + 1).iter().zip(signal(len, 220.0 + 110.0 * c as f32, rate as f32)).map(|(n, s)| 0.5 * n + s).collect()
    });
    let late = |x: &[f32], by: usize| -> Vec<f32> { (0..len).map(|n| if n >= by { x[n - by] } else { 0.0 }).collect() };
    let voice = signal(len, 660.0, rate as f32);
    // The left channel's bleed 120 samples late; the right's 300 samples (7 ms), and 2955 (67 ms:
    // the long scan's, beyond the frames' reach from 0).
    let lag_left = 120;
    for lag in [300usize, 2955] {
        let mix = vec![
            voice.iter().zip(&late(&guitar[0], lag_left)).map(|(a, b)| a + 0.5 * b).collect::<Vec<f32>>(),
            voice
                .iter()
                .zip(&late(&guitar[1], lag))
                .zip(&late(&guitar[0], lag))
                .map(|((a, b), c)| 0.8 * a + 0.4 * b + 0.2 * c)
                .collect::<Vec<f32>>(),
        ];
        let m = tmp("split_mix.wav");
        write(&m, &mix, rate, 32, true);
        let cases = [(&guitar[..1], false), (&guitar[..], false), (&guitar[..], true)];
        for ((refs, link), mode) in cases.into_iter().flat_map(|c| [(c, LatencyMode::Mix), (c, LatencyMode::Live)]) {
            let (r, o) = (
                tmp(&format!("split_ref{}.wav", refs.len())),
                tmp(&format!("split_out{}{link}{lag}{mode:?}.wav", refs.len())),
            );
            write(&r, refs, rate, 32, true);
            let mut args = vec![
                m.to_str().unwrap(),
                "-r",
                r.to_str().unwrap(),
                "-o",
                o.to_str().unwrap(),
                "--fft",
                "2048",
                "--force",
            ];
            if link {
                args.push("--link");
            }
            if mode == LatencyMode::Live {
                args.extend(["--mode", "live"]);
            }
            let (code, err) = run(&args);
            assert_eq!(code, 0, "{err}");
            let (out, _) = read(&o);
            let config = EngineConfig {
                sample_rate: rate as f32,
                main_channels: 2,
                sources: vec![refs.len()],
                max_window: 2048,
            };
            let mut engine =
                Engine::with_mode(&config, 2048, 4, Settings { link_channels: link, ..Settings::default() }, mode)
                    .unwrap();
            let lat = engine.latency();
            let pad = |x: &[f32]| x.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect::<Vec<f32>>();
            let (mut left, mut right) = (pad(&mix[0]), pad(&mix[1]));
            let padded_refs: Vec<Vec<f32>> = refs.iter().map(|x| pad(x)).collect();
            let ref_slices: Vec<&[f32]> = padded_refs.iter().map(|x| &x[..]).collect();
            engine.process(&mut [&mut left[..], &mut right[..]], &ref_slices);
            assert_eq!(out[0].len(), len);
            let what = format!("{}-channel reference, link {link}, lag {lag}, {mode:?}", refs.len());
            assert_eq!(
                (engine.reference_lag(0, 0), engine.reference_lag(1, 0)),
                ((lag_left, true), (lag, true)),
                "{what}: the lags found"
            );
            assert!(
                out[0] == left[lat..] && out[1] == right[lat..],
                "{what}: the render differs from the stereo engine"
            );
        }
    }
}

/// `--sources` groups a reference file's channels as the plugin's Sources parameter groups the
/// sidechain's: a stereo file split into two mono sources renders exactly as the two channels
/// given as two mono files, and every grouping of a 4-channel file renders as the stereo engine
/// with those sources (the per-channel split where it applies, one engine where a source is
/// heard as the mean of its channels).
#[test]
fn a_reference_file_grouped_into_sources_renders_as_the_engine_with_those_sources() {
    let rate = 44100;
    let len = 60_000;
    let late = |x: &[f32], by: usize| -> Vec<f32> { (0..len).map(|n| if n >= by { x[n - by] } else { 0.0 }).collect() };
    let sources: Vec<Vec<f32>> = [110.0, 415.0, 1250.0, 3100.0].iter().map(|&f| signal(len, f, rate as f32)).collect();
    let voice = signal(len, 660.0, rate as f32);
    let mix: Vec<Vec<f32>> = (0..2)
        .map(|c| {
            (0..len)
                .map(|n| {
                    voice[n] + sources.iter().enumerate().map(|(j, s)| 0.2 * late(s, 40 * (j + c))[n]).sum::<f32>()
                })
                .collect()
        })
        .collect();
    let m = tmp("grouped_mix.wav");
    write(&m, &mix, rate, 32, true);
    let render = |name: &str, args: &[&str]| -> Vec<Vec<f32>> {
        let o = tmp(name);
        let mut all = vec![m.to_str().unwrap(), "-o", o.to_str().unwrap(), "--fft", "2048", "--force"];
        all.extend_from_slice(args);
        let (code, err) = run(&all);
        assert_eq!(code, 0, "{args:?}: {err}");
        read(&o).0
    };
    let engine = |sources: &[usize], refs: &[Vec<f32>]| -> Vec<Vec<f32>> {
        let config =
            EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: sources.to_vec(), max_window: 2048 };
        let mut engine = Engine::new(&config, 2048, 4, Settings::default()).unwrap();
        let lat = engine.latency();
        let pad = |x: &[f32]| x.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect::<Vec<f32>>();
        let (mut left, mut right) = (pad(&mix[0]), pad(&mix[1]));
        let padded: Vec<Vec<f32>> = refs.iter().map(|x| pad(x)).collect();
        let slices: Vec<&[f32]> = padded.iter().map(|x| &x[..]).collect();
        engine.process(&mut [&mut left[..], &mut right[..]], &slices);
        vec![left[lat..].to_vec(), right[lat..].to_vec()]
    };
    // Stereo: --sources each against two mono files and against the engine.
    let (stereo, mono_a, mono_b) = (tmp("grouped_stereo.wav"), tmp("grouped_a.wav"), tmp("grouped_b.wav"));
    write(&stereo, &sources[..2], rate, 32, true);
    write(&mono_a, &sources[..1], rate, 32, true);
    write(&mono_b, &sources[1..2], rate, 32, true);
    let split = render("grouped_split.wav", &["-r", stereo.to_str().unwrap(), "--sources", "each"]);
    let two_files = render("grouped_two.wav", &["-r", mono_a.to_str().unwrap(), "-r", mono_b.to_str().unwrap()]);
    let whole = render("grouped_one.wav", &["-r", stereo.to_str().unwrap()]);
    assert!(split == two_files, "--sources each differs from the channels as two files");
    assert!(split == engine(&[1, 1], &sources[..2]), "--sources each differs from the engine with two mono sources");
    assert!(whole == engine(&[2], &sources[..2]), "the stereo file as one source differs from the engine");
    assert!(whole != split, "the grouping changed nothing");
    // Four channels, every grouping.
    let four = tmp("grouped_four.wav");
    write(&four, &sources, rate, 32, true);
    for (grouping, expected) in [("one", vec![4]), ("each", vec![1, 1, 1, 1]), ("pairs", vec![2, 2])] {
        let out =
            render(&format!("grouped_four_{grouping}.wav"), &["-r", four.to_str().unwrap(), "--sources", grouping]);
        assert!(
            out == engine(&expected, &sources),
            "4 channels, --sources {grouping}: differs from the engine with sources {expected:?}"
        );
    }
}

/// Every sample encoding the renderer reads decodes to hound's value, and every one it writes
/// reads back through hound as the rounded, clipped input.
#[test]
fn wav_blocks_decode_and_encode_like_hound() {
    use residue_render::wav::{WavSink, WavSource};
    let len = 70_000; // more than one read block
    let x: Vec<f32> = (0..len).map(|n| 1.2 * ((n as f32 * 0.013).sin())).collect(); // clips
    let y: Vec<f32> = (0..len).map(|n| 0.5 * ((n as f32 * 0.031).cos())).collect();
    let int_spec = |bits, bytes| hound::WavSpecEx {
        spec: hound::WavSpec {
            channels: 2,
            sample_rate: 48000,
            bits_per_sample: bits,
            sample_format: hound::SampleFormat::Int,
        },
        bytes_per_sample: bytes,
    };
    let float_spec = hound::WavSpecEx {
        spec: hound::WavSpec {
            channels: 2,
            sample_rate: 48000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        },
        bytes_per_sample: 4,
    };
    for (name, spec) in [
        ("u8", int_spec(8, 1)),
        ("i16", int_spec(16, 2)),
        ("i24", int_spec(24, 3)),
        ("i24in32", int_spec(24, 4)),
        ("i32", int_spec(32, 4)),
        ("f32", float_spec),
    ] {
        let path = tmp(&format!("format_{name}.wav"));
        let mut w =
            hound::WavWriter::new_with_spec_ex(std::io::BufWriter::new(std::fs::File::create(&path).unwrap()), spec)
                .unwrap();
        let bits = spec.spec.bits_per_sample;
        let quantise = |v: f32| {
            (v * (1i64 << (bits - 1)) as f32)
                .round()
                .clamp(-((1i64 << (bits - 1)) as f32), ((1i64 << (bits - 1)) - 1) as f32) as i32
        };
        for i in 0..len {
            for v in [x[i], y[i]] {
                match spec.spec.sample_format {
                    hound::SampleFormat::Float => w.write_sample(v).unwrap(),
                    hound::SampleFormat::Int => w.write_sample(quantise(v)).unwrap(),
                }
            }
        }
        w.finalize().unwrap();
        let (expected, _) = read(&path);
        let mut source = WavSource::open(&path).unwrap();
        assert_eq!((source.frames(), source.channels()), (len, 2), "{name}");
        let mut got = vec![vec![0.0f32; len + 5]; 2];
        let mut block = vec![vec![0.0f32; 30_000]; 2];
        for at in (0..len + 5).step_by(30_000) {
            let n = 30_000.min(len + 5 - at);
            source.read_block(&mut block, n).unwrap();
            for c in 0..2 {
                got[c][at..at + n].copy_from_slice(&block[c][..n]);
            }
        }
        for c in 0..2 {
            assert!(got[c][..len] == expected[c][..], "{name}: channel {c} decodes differently from hound");
            assert!(got[c][len..].iter().all(|&v| v == 0.0), "{name}: past the end is not silence");
        }
        // Written back in the same format (24 bits go out in 3 bytes), read by hound.
        let out_path = tmp(&format!("format_{name}_out.wav"));
        let mut sink = WavSink::create(&out_path, spec.spec, len).unwrap();
        for at in (0..len).step_by(20_000) {
            let n = 20_000.min(len - at);
            sink.write_block(&[&x[at..at + n], &y[at..at + n]]).unwrap();
        }
        sink.finish().unwrap();
        let (back, back_spec) = read(&out_path);
        assert_eq!(back_spec, spec.spec, "{name}");
        for (c, original) in [&x, &y].into_iter().enumerate() {
            let want: Vec<f32> = match spec.spec.sample_format {
                hound::SampleFormat::Float => original.clone(),
                hound::SampleFormat::Int => {
                    original.iter().map(|&v| quantise(v) as f32 / (1i64 << (bits - 1)) as f32).collect()
                }
            };
            assert!(back[c] == want, "{name}: channel {c} written differently");
        }
    }
}

#[test]
fn a_preset_sets_its_values_and_a_flag_given_with_it_wins() {
    let rate = 44100.0;
    let (mix, reference) = (tmp("preset-mix.wav"), tmp("preset-ref.wav"));
    let r = signal(3 * rate as usize, 300.0, rate);
    let voice = signal(3 * rate as usize, 440.0, rate);
    write(&mix, &[voice.iter().zip(&r).map(|(v, b)| v + 0.5 * b).collect()], rate as u32, 32, true);
    write(&reference, &[r], rate as u32, 32, true);
    let render = |name: &str, flags: &[&str]| {
        let out = tmp(name);
        let (m, rf, o) = (mix.to_str().unwrap(), reference.to_str().unwrap(), out.to_str().unwrap());
        let (code, err) = run(&[&[m, "-r", rf, "-o", o, "--force"], flags].concat());
        assert_eq!(code, 0, "{flags:?}: {err}");
        read(&out).0
    };
    for p in &residue_dsp::presets::PRESETS {
        let (threshold, slope, adapt, tail) =
            (p.threshold.to_string(), p.slope.to_string(), p.adapt_seconds.to_string(), p.tail_frames.to_string());
        let fft = p.window.map_or("auto".to_string(), |w| w.to_string());
        let mode = if p.mode == LatencyMode::Live { "live" } else { "mix" };
        let by_flags = |threshold: &str| {
            let flags =
                ["--threshold", threshold, "--slope", &slope, "--adapt", &adapt, "--tail", &tail, "--fft", &fft];
            render("by-flags.wav", &[&flags[..], &["--mode", mode]].concat())
        };
        let by_preset = render("by-preset.wav", &["--preset", p.id]);
        assert!(by_preset == by_flags(&threshold), "--preset {} is not its values given as flags", p.id);
        // A flag given with the preset takes the flag's value.
        let overridden = render("overridden.wav", &["--preset", p.id, "--threshold", "0.5"]);
        assert!(overridden == by_flags("0.5"), "--preset {} --threshold 0.5", p.id);
    }
    let (code, err) = run(&[mix.to_str().unwrap(), "-o", tmp("none.wav").to_str().unwrap(), "--preset", "kazoo"]);
    assert_eq!(code, 2);
    assert!(err.contains("'kazoo' is no preset") && err.contains("stage-vocal"), "{err}");
}
