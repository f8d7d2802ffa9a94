//! `process` calls a careless or hurried host makes: fewer buses than the plugin has, null
//! bus arrays, null channel arrays, null channel pointers (what JUCE hands over for a bus it
//! switched off), zero channels, zero samples, fewer or more channels than the arrangement,
//! negative counts, in-place buffers. In every arrangement with a sidechain. Each test runs
//! in a process of its own, so a crash fails that test and only that one.
//!
//! What each may produce: never a crash, never a non-finite sample; a missing sidechain is a
//! pass-through of the track delayed by the reported latency; a missing main input is silence
//! (never whatever the host left in its output buffers, which start out at `STALE` here).

use super::host::{isolated, kResultTrue, Call, Plugin, MONO, QUADRO, STEREO};
use super::*;

/// (track channels, sidechain channels)
const ARRANGEMENTS: [(usize, usize); 6] = [(2, 2), (2, 1), (1, 1), (1, 2), (2, 4), (1, 4)];
const STALE: f32 = 0.5;

macro_rules! isolated_test {
    ($(#[doc = $doc:expr])* fn $name:ident() $body:block) => {
        $(#[doc = $doc])*
        #[test]
        fn $name() {
            let path = concat!(module_path!(), "::", stringify!($name));
            isolated(path.split_once("::").unwrap().1, || $body);
        }
    };
}

fn started(main: usize, sc: usize) -> Plugin {
    let arr = |n| match n {
        1 => MONO,
        2 => STEREO,
        _ => QUADRO,
    };
    let mut p = Plugin::new();
    assert_eq!(p.set_arrangements(&[arr(main), arr(sc)], &[arr(main)]), kResultTrue);
    p.start(RATE, BLOCK);
    p
}

/// Runs the example through a fresh instance in each arrangement with `damage` applied to
/// every call, and hands (what, track input, output, latency) to `check`.
fn in_every_arrangement(damage: &dyn Fn(&mut Call), check: &dyn Fn(&str, &[Vec<f32>], &[Vec<f32>], usize)) {
    let (mix, reference) = example();
    for (main, sc) in ARRANGEMENTS {
        let p = started(main, sc);
        let inputs = [channels(&mix, main), channels(&reference, sc)];
        let out = p.run(&inputs, &[main], BLOCK, STALE, damage).remove(0);
        check(&format!("{main}-channel track, {sc}-channel sidechain"), &inputs[0], &out, p.latency());
    }
}

fn pass_through(what: &str, input: &[Vec<f32>], out: &[Vec<f32>], latency: usize) {
    assert_passes_through(out, input, latency, what);
}

fn silent(what: &str, _: &[Vec<f32>], out: &[Vec<f32>], _: usize) {
    assert_silent(out, what);
}

fn finite(what: &str, _: &[Vec<f32>], out: &[Vec<f32>], _: usize) {
    assert_finite(out, what);
}

isolated_test! {
    /// numInputs = 1: the host passes only the main bus. Whatever lies in memory after it (here:
    /// the reference) is not the plugin's to read.
    fn fewer_input_buses_than_the_plugin_has() {
        in_every_arrangement(&|c| c.data.numInputs = 1, &pass_through);
    }
}

isolated_test! {
    fn no_input_buses_or_a_null_input_array_is_silence() {
        in_every_arrangement(&|c| c.data.numInputs = 0, &silent);
        in_every_arrangement(&|c| c.data.inputs = std::ptr::null_mut(), &silent);
    }
}

isolated_test! {
    /// No outputs to write: the call is a parameter flush. Afterwards the plugin processes as
    /// a fresh one would.
    fn no_output_buses_or_a_null_output_array() {
        for damage in [&|c: &mut Call| c.data.numOutputs = 0, &|c: &mut Call| c.data.outputs = std::ptr::null_mut()] as [&dyn Fn(&mut Call); 2] {
            let (mix, reference) = example();
            for (main, sc) in ARRANGEMENTS {
                let p = started(main, sc);
                let inputs = [channels(&mix, main), channels(&reference, sc)];
                let untouched = p.run(&inputs, &[main], BLOCK, STALE, damage).remove(0);
                assert!(untouched.iter().flatten().all(|&x| x == STALE), "wrote to buffers it was not given");
                let out = p.run(&inputs, &[main], BLOCK, STALE, &|c| c.data.numInputs = 1).remove(0);
                assert_passes_through(&out, &inputs[0], p.latency(), "after flushes");
            }
        }
    }
}

isolated_test! {
    fn null_channel_arrays() {
        let null = |bus: &mut vst3::Steinberg::Vst::AudioBusBuffers| bus.__field0.channelBuffers32 = std::ptr::null_mut();
        in_every_arrangement(&|c| null(&mut c.in_buses[1]), &pass_through);
        in_every_arrangement(&|c| null(&mut c.in_buses[0]), &silent);
        in_every_arrangement(&|c| null(&mut c.out_buses[0]), &finite);
    }
}

isolated_test! {
    /// JUCE hands over a switched-off bus as its channel count of null pointers.
    fn null_channel_pointers_in_the_sidechain() {
        in_every_arrangement(&|c| c.in_ptrs[1].fill(std::ptr::null_mut()), &pass_through);
    }
}

isolated_test! {
    /// A null pointer for one main input channel is a silent channel; the others go on.
    fn null_channel_pointers_in_the_main_input() {
        in_every_arrangement(
            &|c| {
                c.in_ptrs[0][0] = std::ptr::null_mut();
                c.data.numInputs = 1;
            },
            &|what, input, out, latency| {
                assert_silent(&out[..1], what);
                assert_passes_through(&out[1..], &input[1..], latency, what);
            },
        );
    }
}

isolated_test! {
    fn null_channel_pointers_in_the_output() {
        in_every_arrangement(&|c| c.out_ptrs[0][0] = std::ptr::null_mut(), &finite);
        in_every_arrangement(&|c| c.out_ptrs[0].fill(std::ptr::null_mut()), &finite);
    }
}

isolated_test! {
    fn zero_channels() {
        in_every_arrangement(&|c| c.in_buses[1].numChannels = 0, &pass_through);
        in_every_arrangement(&|c| c.in_buses[0].numChannels = 0, &silent);
        in_every_arrangement(&|c| c.out_buses[0].numChannels = 0, &finite);
    }
}

isolated_test! {
    /// Fewer channels than the arrangement: the missing ones are silence.
    fn fewer_channels_than_the_arrangement() {
        in_every_arrangement(&|c| c.in_buses[1].numChannels -= 1, &finite);
        in_every_arrangement(
            &|c| {
                c.in_buses[0].numChannels -= 1;
                c.data.numInputs = 1;
            },
            &|what, input, out, latency| {
                let given = input.len() - 1;
                assert_passes_through(&out[..given], &input[..given], latency, what);
                assert_silent(&out[given..], what);
            },
        );
        in_every_arrangement(&|c| c.out_buses[0].numChannels -= 1, &finite);
    }
}

isolated_test! {
    /// More channels than the arrangement (all valid): the extra ones are not the plugin's.
    fn more_channels_than_the_arrangement() {
        let (mix, reference) = example();
        for (main, sc) in ARRANGEMENTS {
            let p = started(main, sc);
            let inputs = [channels(&mix, main + 1), channels(&reference, sc + 1)];
            let out = p.run(&inputs, &[main + 1], BLOCK, STALE, &|_| {}).remove(0);
            let expected = engine_output(&inputs[0][..main], &inputs[1][..sc]);
            for c in 0..main {
                let d = diff_db(&out[c], &expected[c]);
                assert!(d < -100.0, "{main}+{sc}, channel {c}: plugin vs engine {d:.1} dB");
            }
            assert_finite(&out, "the extra output channel");
        }
    }
}

isolated_test! {
    fn negative_counts() {
        in_every_arrangement(&|c| c.in_buses[1].numChannels = -1, &pass_through);
        in_every_arrangement(&|c| c.in_buses[0].numChannels = -1, &silent);
        in_every_arrangement(&|c| c.out_buses[0].numChannels = -1, &finite);
        in_every_arrangement(&|c| c.data.numInputs = -1, &silent);
        in_every_arrangement(&|c| c.data.numOutputs = -1, &|what, _, out, _| assert!(out.iter().flatten().all(|&x| x == STALE), "{what}"));
        in_every_arrangement(&|c| c.data.numSamples = -1, &|what, _, out, _| assert!(out.iter().flatten().all(|&x| x == STALE), "{what}"));
    }
}

isolated_test! {
    /// JUCE processes in place: the output channel is the input channel.
    fn in_place_buffers() {
        in_every_arrangement(
            &|c| {
                c.in_place();
                c.data.numInputs = 1;
            },
            &pass_through,
        );
    }
}

isolated_test! {
    /// Zero-sample calls (parameter flushes), with or without any buffers, between the blocks
    /// of a signal: the signal comes out bit for bit as without them.
    fn zero_sample_calls_change_nothing() {
        let (mix, reference) = example();
        for (main, sc) in ARRANGEMENTS {
            let inputs = [channels(&mix, main), channels(&reference, sc)];
            let plain = started(main, sc).run(&inputs, &[main], BLOCK, STALE, &|_| {}).remove(0);
            let p = started(main, sc);
            let mut out = vec![Vec::new(); main];
            for at in (0..mix.len()).step_by(BLOCK) {
                let n = BLOCK.min(mix.len() - at);
                for nulled in [false, true] {
                    let mut flush = Call::new(vec![vec![vec![]; main], vec![vec![]; sc]], vec![vec![vec![]; main]], 0);
                    if nulled {
                        flush.data.inputs = std::ptr::null_mut();
                        flush.data.outputs = std::ptr::null_mut();
                    }
                    assert_eq!(p.process_raw(&mut flush.data), kResultTrue);
                }
                let slice = |bus: &[Vec<f32>]| bus.iter().map(|c| c[at..at + n].to_vec()).collect::<Vec<_>>();
                let block = p.run(&[slice(&inputs[0]), slice(&inputs[1])], &[main], n, STALE, &|_| {}).remove(0);
                for (o, b) in out.iter_mut().zip(block) {
                    o.extend(b);
                }
            }
            assert!(out == plain, "{main}+{sc}: zero-sample calls changed the output");
        }
    }
}

isolated_test! {
    /// A short block with the sidechain, then longer ones without: from then on the plugin
    /// hears a silent sidechain as long as each block, exactly as the engine fed zeros does.
    fn the_sidechain_disappears_in_a_longer_block() {
        let (mix, reference) = example();
        for (main, sc) in ARRANGEMENTS {
            let p = started(main, sc);
            let inputs = [channels(&mix, main), channels(&reference, sc)];
            let part = |bus: &[Vec<f32>], from: usize, to: usize| bus.iter().map(|c| c[from..to].to_vec()).collect::<Vec<_>>();
            let head = p.run(&[part(&inputs[0], 0, 64), part(&inputs[1], 0, 64)], &[main], 64, STALE, &|_| {}).remove(0);
            let tail = p.run(&[part(&inputs[0], 64, mix.len()), part(&inputs[1], 64, mix.len())], &[main], BLOCK, STALE, &|c| c.data.numInputs = 1).remove(0);
            let out: Vec<Vec<f32>> = head.into_iter().zip(tail).map(|(h, t)| [h, t].concat()).collect();
            // The engine in the same blocks: 64 samples with the reference, then zeros.
            let mut engine = harness::engine(RATE as f32, main, &[sc], 4096, 4, Settings::default());
            let mut expected = inputs[0].clone();
            let silence = vec![0.0; BLOCK];
            let mut at = 0;
            while at < mix.len() {
                let n = if at == 0 { 64 } else { BLOCK.min(mix.len() - at) };
                let mut chans: Vec<&mut [f32]> = expected.iter_mut().map(|c| &mut c[at..at + n]).collect();
                let refs: Vec<&[f32]> = inputs[1].iter().map(|c| if at == 0 { &c[..n] } else { &silence[..n] }).collect();
                engine.process(&mut chans, &refs);
                at += n;
            }
            for c in 0..main {
                let d = diff_db(&out[c], &expected[c]);
                assert!(d < -100.0, "{main}+{sc}, channel {c}: plugin vs engine {d:.1} dB");
            }
        }
    }
}

isolated_test! {
    /// A host that calls `process` before `setupProcessing`, or before `setActive(true)`, gets
    /// an error or untouched buffers, never a crash.
    fn process_before_setup_or_activation() {
        let (mix, reference) = example();
        let inputs = [channels(&mix[..4096], 2), channels(&reference[..4096], 2)];
        let mut call = Call::new(inputs.to_vec(), vec![vec![vec![STALE; 4096]; 2]], 4096);
        let p = Plugin::new();
        assert_ne!(p.process_raw(&mut call.data), kResultTrue, "processed before setupProcessing");
        let p = Plugin::new();
        p.setup(RATE, BLOCK);
        p.process_raw(&mut call.data);
        assert_finite(&call.out_samples[0], "before setActive");
    }
}
