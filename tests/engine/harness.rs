//! Drives an engine over whole signals in blocks of given sizes.

use residue::dsp::{Engine, EngineConfig, Settings};

pub fn engine(rate: f32, main: usize, sources: &[usize], window: usize, overlap: usize, settings: Settings) -> Engine {
    let config = EngineConfig { sample_rate: rate, main_channels: main, sources: sources.to_vec(), max_window: 16384 };
    Engine::new(&config, window, overlap, settings).expect("valid config")
}

/// Runs `main` (channels) with `refs` (channels) through the engine, cutting the signal into
/// blocks whose lengths cycle through `blocks` (0-length calls included), and returns the output.
pub fn run(engine: &mut Engine, main: &[Vec<f32>], refs: &[Vec<f32>], blocks: &[usize]) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = main.to_vec();
    let len = main[0].len();
    let mut at = 0;
    let mut i = 0;
    while at < len {
        let n = blocks[i % blocks.len()].min(len - at);
        i += 1;
        let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[at..at + n]).collect();
        let r: Vec<&[f32]> = refs.iter().map(|c| &c[at..at + n]).collect();
        engine.process(&mut chans, &r);
        at += n;
    }
    out
}
