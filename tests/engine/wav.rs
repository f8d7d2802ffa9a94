//! Reading WAV files in tests (shared by the engine and host tests).

/// (channels, sample rate) of a float or integer WAV; `path` is relative to the repository.
pub fn read(path: &str) -> (Vec<Vec<f32>>, u32) {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = hound::WavReader::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let spec = reader.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            reader.samples::<i32>().map(|s| s.unwrap() as f32 * scale).collect()
        }
    };
    let ch = spec.channels as usize;
    let chans = (0..ch).map(|c| samples.iter().skip(c).step_by(ch).copied().collect()).collect();
    (chans, spec.sample_rate)
}
