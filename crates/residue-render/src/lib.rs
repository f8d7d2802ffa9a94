//! The offline renderer behind `residue-render`: the plugin's engine over whole files,
//! latency-compensated, so the output lines up sample for sample with the input.

mod pipeline;
pub mod plot;
pub mod wav;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wav::{WavSink, WavSource};

use residue_dsp::sidechain::{self, Grouping};
use residue_dsp::{ConfigError, EngineConfig, LatencyMode, Settings, MAX_MAIN_CHANNELS, SAMPLE_RATE_RANGE};

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
                write!(
                    f,
                    "{}: sample rate {rate} Hz differs from the mix's {mix} Hz; resample it to {mix} Hz first",
                    reference.display()
                )
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
    /// FFT size in samples; `None`: Auto ([`residue_dsp::auto_window`] at the mix's rate).
    pub window: Option<usize>,
    pub overlap: usize,
    /// Mix (the STFT) or Live (the mask as a low-delay filter, about 5 ms).
    pub mode: LatencyMode,
    pub force: bool,
    /// Output sample format as (bits, format); `None` keeps the mix's.
    pub format: Option<(u16, hound::SampleFormat)>,
    /// Where to draw the spectrogram picture, if anywhere.
    pub plot: Option<&'a Path>,
    /// Learn over the whole file first, then render it from the start with what was learned:
    /// what a DAW bounce gives once the song has played through the plugin (a host's stop and
    /// start keep what was learned), instead of a cold start.
    pub learn_first: bool,
    /// How each reference's channels are grouped into sources, as the plugin's Sources
    /// parameter groups the sidechain's.
    pub grouping: Grouping,
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
    let mut mix = WavSource::open(job.mix)?;
    let frames = mix.frames();
    if frames == 0 {
        return Err(RenderError::Empty(job.mix.to_path_buf()));
    }
    let rate = mix.spec().sample_rate;
    if !(SAMPLE_RATE_RANGE.0..=SAMPLE_RATE_RANGE.1).contains(&(rate as f32)) {
        return Err(RenderError::Io(job.mix.to_path_buf(), ConfigError::SampleRate(rate as f32).to_string()));
    }
    if mix.channels() > MAX_MAIN_CHANNELS {
        return Err(RenderError::Channels(job.mix.to_path_buf(), mix.channels(), "the mix must be mono or stereo"));
    }
    let mut warnings = Vec::new();
    let mut refs = Vec::new();
    for path in job.references {
        let r = WavSource::open(path)?;
        if r.frames() == 0 {
            return Err(RenderError::Empty(path.clone()));
        }
        if r.spec().sample_rate != rate {
            return Err(RenderError::RateMismatch { mix: rate, reference: path.clone(), rate: r.spec().sample_rate });
        }
        // The sidechains the plugin takes.
        if ![1, 2, sidechain::MAX_SIDECHAIN_CHANNELS].contains(&r.channels()) {
            return Err(RenderError::Channels(
                path.clone(),
                r.channels(),
                "a reference must be mono, stereo or 4 channels",
            ));
        }
        if r.frames() < frames {
            warnings.push(format!("{}: shorter than the mix; padded with silence", path.display()));
        }
        refs.push(r);
    }
    if job.references.is_empty() {
        warnings.push("no --reference given: the mix passes through unchanged".into());
    }
    let window = job.window.unwrap_or_else(|| residue_dsp::auto_window(rate as f32));
    let sources = refs.iter().flat_map(|r| sidechain::sources(job.grouping, r.channels())).collect();
    let config = EngineConfig { sample_rate: rate as f32, main_channels: mix.channels(), sources, max_window: window };
    let mut plan = pipeline::plan(&config, window, job.overlap, job.settings, job.mode).map_err(RenderError::Engine)?;
    if job.learn_first {
        // The same files read once more, the output dropped; then the audio is forgotten.
        let (mut mix, mut refs) = (
            WavSource::open(job.mix)?,
            job.references.iter().map(|p| WavSource::open(p)).collect::<Result<Vec<_>, _>>()?,
        );
        let read = |main: &mut [Vec<f32>], ref_channels: &mut [Vec<f32>], n: usize| {
            mix.read_block(main, n)?;
            let mut at = 0;
            for r in refs.iter_mut() {
                r.read_block(&mut ref_channels[at..at + r.channels()], n)?;
                at += r.channels();
            }
            Ok(())
        };
        pipeline::stream(&mut plan, frames, read, |_| Ok(()), &mut |done, total| progress(done / 2, total))?;
        plan.reset();
    }
    let spec = match job.format {
        Some((bits_per_sample, sample_format)) => hound::WavSpec { bits_per_sample, sample_format, ..mix.spec() },
        None => mix.spec(),
    };
    let mut sink = WavSink::create(job.output, spec, frames)?;
    // What the picture needs, kept only when one is asked for.
    let mut kept_mix: Option<Vec<Vec<f32>>> = job.plot.map(|_| vec![Vec::new(); config.main_channels]);
    let mut kept_out = kept_mix.clone();
    let (mut energy_in, mut energy_out, mut mix_read) = (0.0, 0.0, 0);
    let started = Instant::now();
    let read = |main: &mut [Vec<f32>], ref_channels: &mut [Vec<f32>], n: usize| {
        mix.read_block(main, n)?;
        let real = n.min(frames - mix_read);
        mix_read += real;
        energy_in += main.iter().map(|c| energy(&c[..real])).sum::<f64>();
        if let Some(kept_mix) = kept_mix.as_mut() {
            kept_mix.iter_mut().zip(main.iter()).for_each(|(k, c)| k.extend_from_slice(&c[..real]));
        }
        let mut at = 0;
        for r in refs.iter_mut() {
            r.read_block(&mut ref_channels[at..at + r.channels()], n)?;
            at += r.channels();
        }
        Ok(())
    };
    let write = |out: &[&[f32]]| {
        energy_out += out.iter().map(|c| energy(c)).sum::<f64>();
        if let Some(kept_out) = kept_out.as_mut() {
            kept_out.iter_mut().zip(out).for_each(|(k, c)| k.extend_from_slice(c));
        }
        sink.write_block(out)
    };
    let first = usize::from(job.learn_first);
    pipeline::stream(&mut plan, frames, read, write, &mut |done, total| {
        progress((first * total + done) / (1 + first), total)
    })?;
    sink.finish()?;
    let seconds = started.elapsed().as_secs_f64();
    let change_db = 10.0 * (energy_out.max(1e-30) / energy_in.max(1e-30)).log10();
    if let (Some(path), Some(kept_mix), Some(kept_out)) = (job.plot, kept_mix, kept_out) {
        let title = format!(
            "{}: Threshold {:.2}, Slope {:.1}, FFT {}, overlap {}x",
            job.mix.file_name().unwrap_or_default().to_string_lossy(),
            job.settings.threshold,
            job.settings.slope,
            window,
            job.overlap
        );
        plot::Picture::new(&kept_mix, &kept_out, rate, 600, 240).write(path, &title, job.settings.output)?;
    }
    Ok(Report { frames, sample_rate: rate, seconds, warnings, change_db })
}

/// Σ x², in f64, summed in eight independent lanes so that it vectorises.
fn energy(x: &[f32]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest: f64 = chunks.remainder().iter().map(|&v| v as f64 * v as f64).sum();
    for chunk in chunks {
        for (l, &v) in lanes.iter_mut().zip(chunk) {
            *l += v as f64 * v as f64;
        }
    }
    lanes.iter().sum::<f64>() + rest
}
