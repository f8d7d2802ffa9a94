//! WAV in and out for the renderer: 16/24/32-bit integer and 32-bit float, mono or stereo.
//! Output goes to a temporary file beside the target and is renamed into place only when
//! complete, so a failure never leaves a truncated file behind.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};

use super::RenderError;

/// Decoded audio: one `Vec` per channel, samples in [-1, 1] for integer formats.
pub struct Audio {
    pub channels: Vec<Vec<f32>>,
    pub spec: WavSpec,
}

impl Audio {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }
}

pub fn read(path: &Path) -> Result<Audio, RenderError> {
    let what = |e: hound::Error| match e {
        // hound reports a short read as "Other" with this text.
        hound::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof || io.to_string() == "Failed to read enough bytes." => {
            RenderError::NotWav(path.to_path_buf(), "the file ends before its header says it should: truncated or damaged".into())
        }
        hound::Error::IoError(io) => RenderError::Io(path.to_path_buf(), io.to_string()),
        hound::Error::FormatError(m) => RenderError::NotWav(path.to_path_buf(), m.to_string()),
        hound::Error::Unsupported => RenderError::NotWav(path.to_path_buf(), "unsupported WAV encoding".into()),
        other => RenderError::NotWav(path.to_path_buf(), other.to_string()),
    };
    let reader = WavReader::open(path).map_err(what)?;
    let spec = reader.spec();
    let n = spec.channels as usize;
    if n == 0 {
        return Err(RenderError::NotWav(path.to_path_buf(), "no channels".into()));
    }
    // The header's length can lie (truncated or absurd): never pre-allocate from it beyond
    // what the file can hold.
    let file_len = fs::metadata(path).map(|m| m.len()).unwrap_or(0) as usize;
    let capacity = (reader.len() as usize).min(file_len / (spec.bits_per_sample as usize / 8).max(1));
    let mut interleaved = Vec::with_capacity(capacity);
    match (spec.sample_format, spec.bits_per_sample) {
        (SampleFormat::Float, 32) => {
            for s in reader.into_samples::<f32>() {
                interleaved.push(s.map_err(what)?);
            }
        }
        (SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            for s in reader.into_samples::<i32>() {
                interleaved.push(s.map_err(what)? as f32 * scale);
            }
        }
        (format, bits) => {
            return Err(RenderError::NotWav(path.to_path_buf(), format!("{bits}-bit {format:?} samples are not supported (use 16/24-bit integer or 32-bit float)")));
        }
    }
    let frames = interleaved.len() / n;
    let channels = (0..n).map(|c| (0..frames).map(|i| interleaved[i * n + c]).collect()).collect();
    Ok(Audio { channels, spec })
}

/// Writes `channels` in `spec`'s format to `path` via a temporary file in the same folder.
pub fn write(path: &Path, channels: &[Vec<f32>], spec: WavSpec) -> Result<(), RenderError> {
    let tmp = temporary_beside(path);
    let result = write_to(&tmp, channels, spec).and_then(|()| fs::rename(&tmp, path).map_err(|e| RenderError::Io(path.to_path_buf(), e.to_string())));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

pub(crate) fn temporary_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

fn write_to(path: &Path, channels: &[Vec<f32>], spec: WavSpec) -> Result<(), RenderError> {
    let io = |e: hound::Error| RenderError::Io(path.to_path_buf(), e.to_string());
    let file = fs::File::create(path).map_err(|e| RenderError::Io(path.to_path_buf(), e.to_string()))?;
    let mut writer = WavWriter::new(BufWriter::new(file), spec).map_err(io)?;
    let frames = channels.first().map_or(0, Vec::len);
    match spec.sample_format {
        SampleFormat::Float => {
            for i in 0..frames {
                for c in channels {
                    writer.write_sample(c[i]).map_err(io)?;
                }
            }
        }
        SampleFormat::Int => {
            let max = ((1i64 << (spec.bits_per_sample - 1)) - 1) as f32;
            for i in 0..frames {
                for c in channels {
                    let v = (c[i] * (max + 1.0)).round().clamp(-max - 1.0, max);
                    writer.write_sample(v as i32).map_err(io)?;
                }
            }
        }
    }
    writer.finalize().map_err(io)
}
