//! Output must not depend on how the host splits the audio into blocks.

use residue::dsp::{OutputMode, Settings};

use crate::harness::{engine, run};
use crate::signals::{add, noise, tones};

#[test]
fn any_block_split_gives_bit_identical_output() {
    let rate = 44100.0;
    let len = 50_000;
    let bleed = tones(len, rate, &[220.0, 330.0, 1250.0], 0.4);
    let target = add(&tones(len, rate, &[310.0, 620.0, 2900.0], 0.3), &noise(len, 1, 0.05), 1.0);
    let main = vec![add(&target, &bleed, 0.5), add(&target, &bleed, 0.3)];
    let refs = vec![bleed.clone()];
    let settings = Settings { smoothing_ms: 30.0, link_channels: true, mix: 0.8, ..Settings::default() };
    for (window, overlap) in [(1024, 4), (512, 2), (2048, 8)] {
        let reference = run(&mut engine(rate, 2, &[1], window, overlap, settings), &main, &refs, &[len]);
        for blocks in [&[1][..], &[7], &[0, 8192, 3, 0, 513], &[64, 1, 1000, 17]] {
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
