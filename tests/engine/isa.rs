//! The per-frame work is compiled once per vector instruction set and picked at run time;
//! every version must compute the same audio, bit for bit, on every path through the frame.

use residue::dsp::{CompressionRange, Interference, Isa, OutputMode, Settings};

use crate::harness::{engine, run};
use crate::signals::{add, noise, tones};

#[test]
fn every_instruction_set_computes_the_same_audio() {
    let rate = 48000.0;
    let len = 24_000;
    let bleed = [tones(len, rate, &[196.0, 392.0, 1500.0], 0.4), tones(len, rate, &[233.0, 466.0, 2100.0], 0.3)];
    let target = add(&tones(len, rate, &[310.0, 620.0, 2900.0], 0.3), &noise(len, 3, 0.05), 1.0);
    let stereo = [add(&target, &bleed[0], 0.5), add(&add(&target, &bleed[1], 0.4), &bleed[0], 0.2)];
    let d = Settings::default();
    let interference = Some(Interference { threshold: 0.3, slope: 15.0, smoothing_ms: 50.0 });
    let variants = [
        ("default", d),
        ("linked", Settings { link_channels: true, ..d }),
        ("removed", Settings { output: OutputMode::Removed, ..d }),
        ("removed, linked", Settings { output: OutputMode::Removed, link_channels: true, ..d }),
        ("reference", Settings { output: OutputMode::Reference, ..d }),
        ("raw curve", Settings { range: CompressionRange::Raw, ..d }),
        ("no compression", Settings { compression: false, ..d }),
        ("no smoothing", Settings { smoothing_ms: 0.0, ..d }),
        ("autoscale off", Settings { autoscale: false, ..d }),
        ("frozen", Settings { freeze: true, ..d }),
        ("alpha 2", Settings { alpha: 2.0, ..d }),
        ("alpha 0.7", Settings { alpha: 0.7, ..d }),
        ("interference", Settings { interference, ..d }),
        ("interference, alpha 2, no smoothing", Settings { interference, alpha: 2.0, smoothing_ms: 0.0, ..d }),
        ("norbert's bleed model", d.norbert_model()),
        ("2 taps, plain fit", Settings { tail_frames: 2, robust_fit: false, ..d }),
        ("4 taps, frozen", Settings { tail_frames: 4, freeze: true, ..d }),
        ("1 tap, robust, manual lag", Settings { tail_frames: 1, auto_lag: false, lag_ms: 3.0, ..d }),
    ];
    // (main channels, sources, reference signals)
    let layouts: [(usize, &[usize], Vec<Vec<f32>>); 5] = [
        (2, &[1], vec![bleed[0].clone()]),
        (2, &[2], bleed.to_vec()),
        (1, &[2], bleed.to_vec()),
        (1, &[1], vec![bleed[0].clone()]),
        (2, &[1, 1], bleed.to_vec()),
    ];
    let wider: Vec<Isa> = Isa::ALL.into_iter().filter(|&i| i != Isa::Baseline && i.supported()).collect();
    eprintln!("compared with the baseline build: {wider:?}");
    for (name, settings) in variants {
        for (main_channels, sources, refs) in &layouts {
            let main = &stereo[..*main_channels];
            let render = |isa: Isa| {
                let mut e = engine(rate, *main_channels, sources, 2048, 4, settings);
                assert!(e.set_isa(isa));
                assert_eq!(e.isa(), isa);
                run(&mut e, main, refs, &[480])
            };
            let baseline = render(Isa::Baseline);
            for &isa in &wider {
                assert!(
                    render(isa) == baseline,
                    "{isa:?} differs from the baseline: {name}, {main_channels} main, sources {sources:?}"
                );
            }
        }
    }
}

#[test]
fn the_widest_supported_version_is_the_default() {
    let e = engine(48000.0, 2, &[1], 1024, 4, Settings::default());
    assert_eq!(e.isa(), Isa::best());
    assert!(e.isa().supported());
}
