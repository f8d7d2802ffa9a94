//! The offline renderer behind `residue-render`: the plugin's engine over whole files,
//! latency-compensated, so the output lines up sample for sample with the input.

pub mod plot;
pub mod wav;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::dsp::{ConfigError, Engine, EngineConfig, Settings, MAX_MAIN_CHANNELS, MAX_SOURCE_CHANNELS, SAMPLE_RATE_RANGE};

#[derive(Debug)]
pub enum RenderError {
    Io(PathBuf, String),
    NotWav(PathBuf, String),
    Channels(PathBuf, usize, &'static str),
    RateMismatch { mix: u32, reference: PathBuf, rate: u32 },
    Engine(ConfigError),
    Exists(PathBuf),
    Empty(PathBuf),
    NotPng(PathBuf),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::NotWav(p, e) => write!(f, "{}: not a WAV file Residue can read ({e})", p.display()),
            Self::Channels(p, n, what) => write!(f, "{}: {n} channels; {what}", p.display()),
            Self::RateMismatch { mix, reference, rate } => {
                write!(f, "{}: sample rate {rate} Hz differs from the mix's {mix} Hz; resample it to {mix} Hz first", reference.display())
            }
            Self::Engine(e) => write!(f, "{e}"),
            Self::Exists(p) => write!(f, "{} exists; pass --force to overwrite it", p.display()),
            Self::Empty(p) => write!(f, "{}: no audio in the file", p.display()),
            Self::NotPng(p) => write!(f, "{}: the plot is written as PNG; give it a .png name", p.display()),
        }
    }
}

impl std::error::Error for RenderError {}

pub struct Job<'a> {
    pub mix: &'a Path,
    pub references: &'a [PathBuf],
    pub output: &'a Path,
    pub settings: Settings,
    pub window: usize,
    pub overlap: usize,
    pub force: bool,
    /// Output sample format as (bits, format); `None` keeps the mix's.
    pub format: Option<(u16, hound::SampleFormat)>,
    /// Where to draw the spectrogram picture, if anywhere.
    pub plot: Option<&'a Path>,
}

pub struct Report {
    pub frames: usize,
    pub sample_rate: u32,
    pub seconds: f64,
    pub warnings: Vec<String>,
    /// Energy of the output relative to the input, dB (how much was taken out).
    pub change_db: f64,
}

impl Report {
    pub fn realtime_factor(&self) -> f64 {
        self.frames as f64 / self.sample_rate as f64 / self.seconds.max(1e-9)
    }
}

/// Reads, checks, renders and writes one job. `progress(done, total)` is called as it goes.
pub fn render(job: &Job, mut progress: impl FnMut(usize, usize)) -> Result<Report, RenderError> {
    for path in std::iter::once(job.output).chain(job.plot) {
        if path.exists() && !job.force {
            return Err(RenderError::Exists(path.to_path_buf()));
        }
    }
    if let Some(plot) = job.plot {
        if !plot.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
            return Err(RenderError::NotPng(plot.to_path_buf()));
        }
    }
    let mix = wav::read(job.mix)?;
    if mix.frames() == 0 {
        return Err(RenderError::Empty(job.mix.to_path_buf()));
    }
    let rate = mix.spec.sample_rate as f32;
    if !(SAMPLE_RATE_RANGE.0..=SAMPLE_RATE_RANGE.1).contains(&rate) {
        return Err(RenderError::Io(job.mix.to_path_buf(), ConfigError::SampleRate(rate).to_string()));
    }
    if mix.channels.len() > MAX_MAIN_CHANNELS {
        return Err(RenderError::Channels(job.mix.to_path_buf(), mix.channels.len(), "the mix must be mono or stereo"));
    }
    let mut warnings = Vec::new();
    let mut refs: Vec<Vec<f32>> = Vec::new();
    let mut sources = Vec::new();
    for path in job.references {
        let r = wav::read(path)?;
        if r.frames() == 0 {
            return Err(RenderError::Empty(path.clone()));
        }
        if r.spec.sample_rate != mix.spec.sample_rate {
            return Err(RenderError::RateMismatch { mix: mix.spec.sample_rate, reference: path.clone(), rate: r.spec.sample_rate });
        }
        if r.channels.len() > MAX_SOURCE_CHANNELS {
            return Err(RenderError::Channels(path.clone(), r.channels.len(), "a reference must be mono or stereo"));
        }
        if r.frames() < mix.frames() {
            warnings.push(format!("{}: shorter than the mix; padded with silence", path.display()));
        }
        sources.push(r.channels.len());
        refs.extend(r.channels);
    }
    if job.references.is_empty() {
        warnings.push("no --reference given: the mix passes through unchanged".into());
    }
    let config = EngineConfig { sample_rate: mix.spec.sample_rate as f32, main_channels: mix.channels.len(), sources, max_window: job.window };
    let mut engine = Engine::new(&config, job.window, job.overlap, job.settings).map_err(RenderError::Engine)?;
    let started = Instant::now();
    let out = run(&mut engine, &mix.channels, &refs, &mut progress);
    let seconds = started.elapsed().as_secs_f64();
    let energy = |chs: &[Vec<f32>]| chs.iter().flatten().map(|x| (*x as f64).powi(2)).sum::<f64>();
    let change_db = 10.0 * (energy(&out).max(1e-30) / energy(&mix.channels).max(1e-30)).log10();
    let spec = match job.format {
        Some((bits_per_sample, sample_format)) => hound::WavSpec { bits_per_sample, sample_format, ..mix.spec },
        None => mix.spec,
    };
    wav::write(job.output, &out, spec)?;
    if let Some(path) = job.plot {
        let title = format!("{}: Threshold {:.2}, Slope {:.1}, FFT {}, overlap {}x", job.mix.file_name().unwrap_or_default().to_string_lossy(), job.settings.threshold, job.settings.slope, job.window, job.overlap);
        plot::Picture::new(&mix.channels, &out, mix.spec.sample_rate, 600, 240).write(path, &title, job.settings.output)?;
    }
    Ok(Report { frames: mix.frames(), sample_rate: mix.spec.sample_rate, seconds, warnings, change_db })
}

/// The engine over whole signals, latency removed: output `i` is the processed input `i`.
pub fn run(engine: &mut Engine, main: &[Vec<f32>], refs: &[Vec<f32>], progress: &mut impl FnMut(usize, usize)) -> Vec<Vec<f32>> {
    const BLOCK: usize = 8192;
    let frames = main.first().map_or(0, Vec::len);
    let latency = engine.latency();
    let total = frames + latency;
    let mut out = vec![vec![0.0f32; frames]; main.len()];
    let mut block = vec![vec![0.0f32; BLOCK]; main.len()];
    let mut ref_block = vec![vec![0.0f32; BLOCK]; refs.len()];
    let mut at = 0;
    while at < total {
        let n = BLOCK.min(total - at);
        for (b, src) in block.iter_mut().zip(main) {
            fill(&mut b[..n], src, at);
        }
        for (b, src) in ref_block.iter_mut().zip(refs) {
            fill(&mut b[..n], src, at);
        }
        let mut chans: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..n]).collect();
        let r: Vec<&[f32]> = ref_block.iter().map(|b| &b[..n]).collect();
        engine.process(&mut chans, &r);
        // Output sample `at + i` is input sample `at + i − latency`.
        for (o, b) in out.iter_mut().zip(&block) {
            for i in 0..n {
                if let Some(k) = (at + i).checked_sub(latency) {
                    o[k] = b[i];
                }
            }
        }
        at += n;
        progress(at.min(total), total);
    }
    out
}

/// Copies `src[at..at + dst.len()]` into `dst`, silence beyond the end of `src`.
fn fill(dst: &mut [f32], src: &[f32], at: usize) {
    let tail = src.get(at..).unwrap_or(&[]);
    let available = tail.len().min(dst.len());
    dst[..available].copy_from_slice(&tail[..available]);
    dst[available..].fill(0.0);
}
