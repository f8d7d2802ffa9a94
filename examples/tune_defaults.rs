//! Sweeps the engine's settings over every evaluation scenario (the bundled example,
//! `examples/scenarios/*` and, given their folder, the real drum scenarios) and ranks them by
//! the mean, over the scenarios, of how much closer the output gets to the true target
//! (improvement of the median 1 s-window SDR, dB; the scenarios' own scores are printed beside
//! it so one scenario cannot carry the choice alone). A setting that makes any scenario worse
//! than its input ranks below every setting that improves them all.
//!
//!     python3 scripts/make_drum_scenarios.py /tmp/drums   # the kit is external: see there
//!     cargo run --release --example tune_defaults -- /tmp/drums
//!
//! Without the folder only the synthetic scenarios are swept (and it says so).
//!
//! The "Defaults" section of `docs/method.md` quotes its output; `scripts/evaluate.py` then scores the
//! chosen defaults with BSS Eval against norbert.

use residue::dsp::{Engine, EngineConfig, Settings};

/// Channels of a WAV file (integer or float samples), de-interleaved.
fn read(path: &str) -> (Vec<Vec<f32>>, f32) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let spec = r.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u32 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|s| s.unwrap() as f32 * scale).collect()
        }
    };
    let c = spec.channels as usize;
    ((0..c).map(|ch| samples.iter().skip(ch).step_by(c).copied().collect()).collect(), spec.sample_rate as f32)
}

/// Median over 1 s windows of the per-window SDR, dB: the framing BSS Eval v4 (museval, as
/// `scripts/evaluate.py` scores) uses, without its distortion filter, so a setting that is good
/// here is good there and loud passages do not outvote quiet ones. Silent windows are skipped.
fn sdr(estimate: &[Vec<f32>], truth: &[Vec<f32>], rate: f32) -> f64 {
    let win = rate as usize;
    let mut per_window = Vec::new();
    for at in (0..truth[0].len().saturating_sub(win - 1)).step_by(win) {
        let (mut s, mut e) = (0.0f64, 0.0f64);
        for (est, tru) in estimate.iter().zip(truth) {
            s += tru[at..at + win].iter().map(|x| (*x as f64).powi(2)).sum::<f64>();
            e += tru[at..at + win].iter().zip(&est[at..at + win]).map(|(t, y)| ((t - y) as f64).powi(2)).sum::<f64>();
        }
        if s > 1e-9 {
            per_window.push(10.0 * (s / e.max(1e-20)).log10());
        }
    }
    per_window.sort_by(f64::total_cmp);
    let n = per_window.len();
    if n % 2 == 1 {
        per_window[n / 2]
    } else {
        0.5 * (per_window[n / 2 - 1] + per_window[n / 2])
    }
}

struct Scenario {
    name: String,
    mix: Vec<Vec<f32>>,
    /// The reference sources, each its channels.
    references: Vec<Vec<Vec<f32>>>,
    truth: Vec<Vec<f32>>,
    rate: f32,
    baseline: f64,
}

impl Scenario {
    fn load(name: &str, dir: &str, files: [&str; 3]) -> Self {
        let root = env!("CARGO_MANIFEST_DIR");
        let path = |f: &str| format!("{root}/{dir}/{f}.wav");
        Self::from_files(name.into(), &path(files[0]), &[path(files[1])], &path(files[2]))
    }

    /// A drum scenario folder written by `scripts/make_drum_scenarios.py` (its `scenario.json`
    /// names the files; each reference mic is a source of its own, as `--reference` repeated).
    fn drums(folder: &std::path::Path) -> Self {
        let json = std::fs::read_to_string(folder.join("scenario.json"))
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        let d: serde_json::Value = serde_json::from_str(&json).expect("scenario.json");
        let text = |v: &serde_json::Value| v.as_str().expect("scenario.json: a path").to_string();
        let references: Vec<String> =
            d["references"].as_array().expect("scenario.json: references").iter().map(text).collect();
        Self::from_files(
            format!("{} (drums)", text(&d["name"])),
            &text(&d["mix"]),
            &references,
            &text(&d["truth_target"]),
        )
    }

    fn from_files(name: String, mix: &str, references: &[String], truth: &str) -> Self {
        let (mix, rate) = read(mix);
        let references = references.iter().map(|r| read(r).0).collect();
        let (truth, _) = read(truth);
        let baseline = sdr(&mix, &truth, rate);
        Self { name, mix, references, truth, rate, baseline }
    }

    /// SDR improvement of the engine's output with these settings.
    fn score(&self, window: usize, s: Settings) -> f64 {
        let sources = self.references.iter().map(Vec::len).collect();
        let config =
            EngineConfig { sample_rate: self.rate, main_channels: self.mix.len(), sources, max_window: window };
        let mut e = Engine::new(&config, window, 4, s).unwrap();
        let lat = e.latency();
        let pad = |x: &Vec<f32>| x.iter().copied().chain(std::iter::repeat_n(0.0, lat)).collect::<Vec<f32>>();
        let mut out: Vec<Vec<f32>> = self.mix.iter().map(pad).collect();
        let refs: Vec<Vec<f32>> = self.references.iter().flatten().map(pad).collect();
        let len = out[0].len();
        for at in (0..len).step_by(1024) {
            let n = 1024.min(len - at);
            let mut main: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[at..at + n]).collect();
            let r: Vec<&[f32]> = refs.iter().map(|c| &c[at..at + n]).collect();
            e.process(&mut main, &r);
        }
        let aligned: Vec<Vec<f32>> = out.iter().map(|c| c[lat..].to_vec()).collect();
        sdr(&aligned, &self.truth, self.rate) - self.baseline
    }
}

fn main() {
    let mut scenarios = vec![
        Scenario::load("guitar>vocal", "examples/vocal-bleed", ["vocal_mic", "guitar_mic", "truth_vocal"]),
        Scenario::load("drums>piano", "examples/scenarios/drums-into-piano", ["mix", "reference", "truth_target"]),
        Scenario::load("keys>pair", "examples/scenarios/keys-into-vocal-pair", ["mix", "reference", "truth_target"]),
    ];
    match std::env::args().nth(1) {
        Some(dir) => {
            let mut folders: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{dir}: {e}"))
                .map(|e| e.expect("drum scenario folder").path())
                .filter(|p| p.join("scenario.json").is_file())
                .collect();
            assert!(
                !folders.is_empty(),
                "{dir} holds no scenario folders (write them with scripts/make_drum_scenarios.py)"
            );
            folders.sort();
            scenarios.extend(folders.iter().map(|f| Scenario::drums(f)));
        }
        None => println!(
            "synthetic scenarios only: give the folder scripts/make_drum_scenarios.py wrote to sweep the drums too"
        ),
    }
    let mut grid = Vec::new();
    for window in [2048, 4096] {
        for (auto_lag, tail_frames, robust_fit) in [
            (false, 1, false),
            (true, 1, false),
            (true, 1, true),
            (true, 2, true),
            (true, 3, false),
            (true, 3, true),
            (true, 4, true),
        ] {
            for threshold in [0.1, 0.15, 0.2, 0.3] {
                for slope in [8.0, 15.0, 30.0] {
                    for smoothing_ms in [30.0, 60.0, 120.0] {
                        for adapt_seconds in [2.0, 4.0, 8.0] {
                            let s = Settings {
                                threshold,
                                slope,
                                smoothing_ms,
                                adapt_seconds,
                                auto_lag,
                                tail_frames,
                                robust_fit,
                                ..Settings::default()
                            };
                            grid.push((window, s));
                        }
                    }
                }
            }
        }
    }
    // Two halves of the grid on two threads.
    let score_all =
        |(window, s): &(usize, Settings)| -> Vec<f64> { scenarios.iter().map(|sc| sc.score(*window, *s)).collect() };
    let (a, b) = grid.split_at(grid.len() / 2);
    let mut results: Vec<(f64, Vec<f64>, usize, Settings)> = std::thread::scope(|scope| {
        let first = scope.spawn(|| a.iter().map(|g| (score_all(g), g.0, g.1)).collect::<Vec<_>>());
        let mut second: Vec<_> = b.iter().map(|g| (score_all(g), g.0, g.1)).collect();
        let mut all = first.join().expect("sweep thread");
        all.append(&mut second);
        all.into_iter().map(|(v, w, s)| (v.iter().sum::<f64>() / v.len() as f64, v, w, s)).collect()
    });
    // Improving every scenario comes first, then the mean.
    let improves_all = |v: &[f64]| v.iter().all(|&x| x > 0.0);
    results.sort_by(|a, b| improves_all(&b.1).cmp(&improves_all(&a.1)).then(b.0.total_cmp(&a.0)));
    println!(
        "{} of {} settings improve every scenario",
        results.iter().filter(|r| improves_all(&r.1)).count(),
        results.len()
    );
    for (i, s) in scenarios.iter().enumerate() {
        println!("scenario {}: {}", i + 1, s.name);
    }
    let names: Vec<_> = (1..=scenarios.len()).map(|i| format!("{i:>8}")).collect();
    let inputs: Vec<_> = scenarios.iter().map(|s| format!("{:8.2}", s.baseline)).collect();
    println!("{:>6} {}  (SDR, dB)", "input", inputs.join(""));
    println!("{} settings tried; best mean SDR improvements:", results.len());
    println!("  mean {}  window lag tail robust thresh slope smooth_ms adapt_s", names.join(""));
    let line = |mean: f64, v: &[f64], window: usize, s: &Settings| {
        let each: Vec<_> = v.iter().map(|x| format!("{x:8.2}")).collect();
        println!(
            "{mean:6.2} {}  {window:5} {:>4} {:4} {:>6} {:6.2} {:5.1} {:9.0} {:7.1}",
            each.join(""),
            if s.auto_lag { "auto" } else { "0" },
            s.tail_frames,
            s.robust_fit,
            s.threshold,
            s.slope,
            s.smoothing_ms,
            s.adapt_seconds
        );
    };
    for (mean, v, window, s) in results.iter().take(15) {
        line(*mean, v, *window, s);
    }
    println!("best with norbert's bleed model:");
    if let Some((mean, v, window, s)) =
        results.iter().find(|r| !r.3.auto_lag && r.3.tail_frames == 1 && !r.3.robust_fit)
    {
        line(*mean, v, *window, s);
    }
    let d = Settings::default();
    let v = score_all(&(4096, d));
    println!("defaults:");
    line(v.iter().sum::<f64>() / v.len() as f64, &v, 4096, &d);
}
