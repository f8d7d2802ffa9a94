//! Output must not depend on how the host splits the audio into blocks.

use residue::dsp::{OutputMode, Settings};

use crate::harness::{engine, run};
use crate::signals::{stereo_bleed, BLOCK_SPLITS};

#[test]
fn any_block_split_gives_bit_identical_output() {
    let rate = 44100.0;
    let len = 50_000;
    let (main, refs) = stereo_bleed(len);
    let settings = Settings { smoothing_ms: 30.0, link_channels: true, mix: 0.8, ..Settings::default() };
    for (window, overlap) in [(1024, 4), (512, 2), (2048, 8)] {
        let reference = run(&mut engine(rate, 2, &[1], window, overlap, settings), &main, &refs, &[len]);
        for blocks in BLOCK_SPLITS {
            let out = run(&mut engine(rate, 2, &[1], window, overlap, settings), &main, &refs, blocks);
            assert!(out == reference, "window {window}/{overlap}, blocks {blocks:?}: output differs");
        }
    }
    // The removed signal too, since it takes another path through the masks.
    let removed = Settings { output: OutputMode::Removed, ..settings };
    let a = run(&mut engine(rate, 2, &[1], 1024, 4, removed), &main, &refs, &[len]);
    let b = run(&mut engine(rate, 2, &[1], 1024, 4, removed), &main, &refs, &[5, 900, 0, 33]);
    assert!(a == b);
}
