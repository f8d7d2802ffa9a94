//! `residue-render`: Residue's engine over WAV files, offline.
//!
//!     residue-render MIX.wav --reference REF.wav -o OUT.wav [--threshold 0.2] [--slope 15] ...

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use residue_dsp::presets::{self, Preset};
use residue_dsp::sidechain::Grouping;
use residue_dsp::stft::{MAX_WINDOW, MIN_WINDOW};
use residue_dsp::{
    LatencyMode, OutputMode, Settings, ADAPT_RANGE, ALPHA_RANGE, DEFAULT_OVERLAP, LAG_RANGE_MS, MAX_TAIL_FRAMES,
    SLOPE_RANGE, SMOOTHING_RANGE,
};
use residue_render::{render, Job};

/// The plugin's latency modes.
#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    /// STFT analysis and resynthesis (latency: the window and a hop).
    Mix,
    /// The mask as a low-delay filter: about 5 ms of latency at any rate.
    Live,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    Target,
    Removed,
    Reference,
}

/// How each reference file's channels are grouped into sources (the plugin's Sources).
#[derive(Clone, Copy, ValueEnum)]
enum Sources {
    /// The file is one source (a stereo file: a stereo source).
    One,
    /// Each channel is a source of its own (a stereo file: two mono sources).
    Each,
    /// Each pair of channels is a stereo source (a 4-channel file: two stereo sources).
    Pairs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Int16,
    Int24,
    Float32,
}

/// Removes bleed from MIX using references of the bleeding sources. Flags are spelled like the
/// plugin's parameters and default to the same values. The output is latency-compensated:
/// same length as MIX and aligned with it sample for sample.
#[derive(Parser)]
#[command(name = "residue-render", version)]
struct Args {
    /// The track to clean (WAV: 16/24-bit integer or 32-bit float, mono or stereo).
    mix: PathBuf,
    /// A reference of a bleeding source, same sample rate (repeat for several sources): mono,
    /// stereo or 4 channels.
    #[arg(short, long = "reference", value_name = "REF.wav")]
    references: Vec<PathBuf>,
    /// How each reference's channels are grouped into sources, as the plugin's Sources
    /// parameter groups its sidechain's: `each` makes a stereo file with the kick on the left
    /// and the hi-hat on the right two sources.
    #[arg(long, value_enum, default_value = "one")]
    sources: Sources,
    /// Where to write the result.
    #[arg(short = 'o', long = "out", value_name = "OUT.wav")]
    out: PathBuf,
    /// A factory preset, the starting point for a kind of job: default, vocal (a voice or an
    /// instrument with an instrument's bleed), snare, hi-hat, tom (drum close mics), stage-vocal
    /// (Live). It sets Threshold, Slope, Adaptation, Tail, FFT Size and the latency mode; any of
    /// those given as flags as well take the flag's value.
    #[arg(long, value_name = "NAME", value_parser = preset_named)]
    preset: Option<&'static Preset>,
    /// Threshold of the mask compression, 0–1.
    #[arg(long, default_value_t = Settings::default().threshold, value_parser = within(0.0, 1.0))]
    threshold: f32,
    /// Slope of the mask compression.
    #[arg(long, default_value_t = Settings::default().slope, value_parser = within(SLOPE_RANGE.0, SLOPE_RANGE.1))]
    slope: f32,
    /// Spectrogram exponent: 1 magnitude, 2 power.
    #[arg(long, default_value_t = Settings::default().alpha, value_parser = within(ALPHA_RANGE.0, ALPHA_RANGE.1))]
    alpha: f32,
    /// FFT window size: auto (the power of two nearest 93 ms at the file's sample rate: 4096 at
    /// 44.1/48 kHz) or samples (a power of two, 256–16384).
    #[arg(long, default_value = "auto", value_parser = fft_size)]
    fft: FftChoice,
    /// Overlap factor (2, 4 or 8).
    #[arg(long, default_value_t = DEFAULT_OVERLAP, value_parser = overlap_factor)]
    overlap: usize,
    /// What to write: the cleaned track, what was removed, or the bleed estimate.
    #[arg(long, value_enum, default_value = "target")]
    output: Output,
    /// Latency mode: mix (the STFT) or live (about 5 ms).
    #[arg(long, value_enum, default_value = "mix")]
    mode: Mode,
    /// Temporal smoothing of the models in ms (0 = off).
    #[arg(long, default_value_t = Settings::default().smoothing_ms, value_parser = within(SMOOTHING_RANGE.0, SMOOTHING_RANGE.1))]
    smoothing: f32,
    /// Adaptation time of the bleed gain fit in seconds.
    #[arg(long, default_value_t = Settings::default().adapt_seconds, value_parser = within(ADAPT_RANGE.0, ADAPT_RANGE.1))]
    adapt: f32,
    /// Hold the bleed gain at 1 instead of fitting it.
    #[arg(long)]
    no_autoscale: bool,
    /// Delay the reference by this many ms instead of finding the lag (0–100).
    #[arg(long, value_name = "MS", value_parser = within(LAG_RANGE_MS.0, LAG_RANGE_MS.1))]
    lag: Option<f32>,
    /// Reference frames the bleed fit spans (1 = frame-local, more for reverberant bleed).
    #[arg(long, default_value_t = Settings::default().tail_frames, value_parser = tail_frames)]
    tail: usize,
    /// Plain least squares: let every frame count in the bleed fit, target-heavy ones too.
    #[arg(long)]
    plain_fit: bool,
    /// Keep the target's image in each reference out of the bleed estimate (true/false).
    #[arg(long, value_name = "BOOL", default_value_t = Settings::default().target_image, action = clap::ArgAction::Set)]
    target_image: bool,
    /// norbert's bleed model: no lag, one frame, plain least squares (overrides --lag,
    /// --tail, --plain-fit).
    #[arg(long)]
    norbert_model: bool,
    /// Learn the bleed over the whole file first, then render from the start with what was
    /// learned: what a DAW bounce gives once the song has played through Residue. Without it
    /// the render starts cold, as a fresh instance does (the removal warms up over the first
    /// Adaptation time).
    #[arg(long)]
    learn_first: bool,
    /// Plain soft mask, without the Threshold/Slope compression.
    #[arg(long)]
    no_compression: bool,
    /// Compress stereo channels together (keeps the image still).
    #[arg(long)]
    link: bool,
    /// Dry/wet, 0–1.
    #[arg(long, default_value_t = 1.0, value_parser = within(0.0, 1.0))]
    mix_amount: f32,
    /// Output sample format (default: the mix's).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Also draw spectrograms of the mix, the output and what was removed, and the mean level
    /// change per frequency, into this PNG.
    #[arg(long, value_name = "FILE.png")]
    plot: Option<PathBuf>,
    /// Overwrite OUT.wav (and the plot) if they exist.
    #[arg(long)]
    force: bool,
    /// Report timing (real-time factor).
    #[arg(short, long)]
    verbose: bool,
}

fn within(lo: f32, hi: f32) -> impl Fn(&str) -> Result<f32, String> + Clone {
    move |s: &str| {
        let v: f32 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{v} is out of range: use {lo} to {hi}"))
        }
    }
}

fn preset_named(s: &str) -> Result<&'static Preset, String> {
    presets::find(s.trim()).ok_or_else(|| {
        let names: Vec<String> = presets::PRESETS.iter().map(|p| format!("{} ({})", p.id, p.name)).collect();
        format!("'{s}' is no preset: use one of {}", names.join(", "))
    })
}

/// `--fft`: `auto`, or a window in samples.
#[derive(Clone, Copy, Debug)]
struct FftChoice(Option<usize>);

fn fft_size(s: &str) -> Result<FftChoice, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(FftChoice(None));
    }
    power_of_two(s).map(|v| FftChoice(Some(v)))
}

fn power_of_two(s: &str) -> Result<usize, String> {
    let v: usize = s.parse().map_err(|_| format!("'{s}' is not a whole number or auto"))?;
    if v.is_power_of_two() && (MIN_WINDOW..=MAX_WINDOW).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not a power of two from {MIN_WINDOW} to {MAX_WINDOW}"))
    }
}

fn tail_frames(s: &str) -> Result<usize, String> {
    match s.parse() {
        Ok(v) if (1..=MAX_TAIL_FRAMES).contains(&v) => Ok(v),
        _ => Err(format!("'{s}' is not a tail Residue supports: use 1 to {MAX_TAIL_FRAMES} frames")),
    }
}

fn overlap_factor(s: &str) -> Result<usize, String> {
    match s.parse() {
        Ok(v @ (2 | 4 | 8)) => Ok(v),
        _ => Err(format!("'{s}' is not an overlap Residue supports: use 2, 4 or 8")),
    }
}

fn main() -> ExitCode {
    let matches = Args::command().get_matches();
    let mut args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    if let Some(p) = args.preset {
        // The preset's values, except where a flag was given on the command line.
        let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        if !given("threshold") {
            args.threshold = p.threshold;
        }
        if !given("slope") {
            args.slope = p.slope;
        }
        if !given("adapt") {
            args.adapt = p.adapt_seconds;
        }
        if !given("tail") {
            args.tail = p.tail_frames;
        }
        if !given("fft") {
            args.fft = FftChoice(p.window);
        }
        if !given("mode") {
            args.mode = match p.mode {
                LatencyMode::Mix => Mode::Mix,
                LatencyMode::Live => Mode::Live,
            };
        }
    }
    let settings = Settings {
        threshold: args.threshold,
        slope: args.slope,
        alpha: args.alpha,
        smoothing_ms: args.smoothing,
        adapt_seconds: args.adapt,
        autoscale: !args.no_autoscale,
        compression: !args.no_compression,
        link_channels: args.link,
        mix: args.mix_amount,
        output: match args.output {
            Output::Target => OutputMode::Target,
            Output::Removed => OutputMode::Removed,
            Output::Reference => OutputMode::Reference,
        },
        auto_lag: args.lag.is_none(),
        lag_ms: args.lag.unwrap_or(0.0),
        tail_frames: args.tail,
        robust_fit: !args.plain_fit,
        target_image: args.target_image,
        ..Settings::default()
    };
    let settings = if args.norbert_model { settings.norbert_model() } else { settings };
    let format = args.format.map(|f| match f {
        Format::Int16 => (16, hound::SampleFormat::Int),
        Format::Int24 => (24, hound::SampleFormat::Int),
        Format::Float32 => (32, hound::SampleFormat::Float),
    });
    let job = Job {
        mix: &args.mix,
        references: &args.references,
        output: &args.out,
        settings,
        window: args.fft.0,
        overlap: args.overlap,
        mode: match args.mode {
            Mode::Mix => LatencyMode::Mix,
            Mode::Live => LatencyMode::Live,
        },
        force: args.force,
        format,
        plot: args.plot.as_deref(),
        learn_first: args.learn_first,
        grouping: match args.sources {
            Sources::One => Grouping::One,
            Sources::Each => Grouping::Each,
            Sources::Pairs => Grouping::Pairs,
        },
    };
    // A progress bar on a terminal only: piped or logged runs stay quiet.
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed} left {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let result = render(&job, |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("residue-render: warning: {w}");
            }
            println!(
                "wrote {} ({:.1} s; output is {:+.1} dB relative to the input)",
                args.out.display(),
                report.frames as f64 / report.sample_rate as f64,
                report.change_db
            );
            if let Some(plot) = &args.plot {
                println!("wrote {}", plot.display());
            }
            if args.verbose {
                println!("rendered in {:.3} s: {:.0}x real time", report.seconds, report.realtime_factor());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("residue-render: error: {e}");
            ExitCode::from(2)
        }
    }
}
