//! Bus arrangements and bus activation, as a host negotiates them before processing: what
//! Steinberg's validator checks (arrangement round trips, the sidechain arrangement, bus
//! activation), over every arrangement a host may reasonably ask for.

use super::host::{kResultFalse, kResultTrue, Plugin, EMPTY, INPUT, MONO, OUTPUT, QUADRO, STEREO, SURROUND_51};
use super::*;
use vst3::Steinberg::Vst::SpeakerArrangement;

/// Mono or stereo track, with a mono, stereo, 4-channel or absent (`EMPTY`) sidechain.
const REASONABLE: [(SpeakerArrangement, SpeakerArrangement); 8] = [
    (STEREO, STEREO),
    (STEREO, MONO),
    (MONO, MONO),
    (MONO, STEREO),
    (STEREO, EMPTY),
    (MONO, EMPTY),
    (STEREO, QUADRO),
    (MONO, QUADRO),
];

fn name(a: SpeakerArrangement) -> &'static str {
    match a {
        EMPTY => "empty",
        MONO => "mono",
        STEREO => "stereo",
        QUADRO => "4-channel",
        _ => "other",
    }
}

fn channel_count(a: SpeakerArrangement) -> usize {
    a.count_ones() as usize
}

/// Bus counts never change, and every bus's info agrees with its arrangement (the validator's
/// "Check Audio Bus Arrangement").
fn assert_consistent(p: &Plugin, what: &str) {
    assert_eq!((p.bus_count(INPUT), p.bus_count(OUTPUT)), (2, 1), "{what}: main + sidechain in, main out");
    for dir in [INPUT, OUTPUT] {
        for i in 0..p.bus_count(dir) {
            let info = p.bus_info(dir, i).expect("getBusInfo");
            let arr = p.arrangement(dir, i).expect("getBusArrangement");
            assert_eq!(
                info.channelCount as usize,
                channel_count(arr),
                "{what}: bus {dir}/{i}: getBusInfo and getBusArrangement disagree"
            );
        }
    }
}

/// Processes the example in the arrangement the plugin reports, with a sidechain signal on
/// the sidechain bus whenever it has channels, and checks the result against the engine.
fn assert_processes_in(p: &mut Plugin, what: &str) {
    let (mix, reference) = example();
    let (main, sc) = (channel_count(p.arrangement(INPUT, 0).unwrap()), channel_count(p.arrangement(INPUT, 1).unwrap()));
    let inputs = [channels(&mix, main), channels(&reference, sc)];
    p.start(RATE, BLOCK);
    let out = p.run(&inputs, &[main], BLOCK, 0.0, &|_| {}).remove(0);
    p.stop();
    let expected = engine_output(&inputs[0], &inputs[1]);
    for c in 0..main {
        let d = diff_db(&out[c], &expected[c]);
        assert!(d < -100.0, "{what}, channel {c}: plugin vs engine {d:.1} dB");
    }
    if sc == 0 {
        assert_passes_through(&out, &inputs[0], p.latency(), what);
    } else {
        assert_removes_bleed(&out, &inputs[0], p.latency(), what);
    }
}

#[test]
fn every_reasonable_arrangement_is_accepted_reported_back_and_processed() {
    for (main, sc) in REASONABLE {
        let what = format!("{} track, {} sidechain", name(main), name(sc));
        let mut p = Plugin::new();
        assert_eq!(p.set_arrangements(&[main, sc], &[main]), kResultTrue, "{what}: refused");
        assert_eq!(p.arrangements(INPUT), [main, sc], "{what}: inputs reported back differently");
        assert_eq!(p.arrangements(OUTPUT), [main], "{what}: output reported back differently");
        assert_consistent(&p, &what);
        assert_processes_in(&mut p, &what);
    }
}

#[test]
fn arrangements_change_from_any_to_any() {
    // One instance taken through every pair, as a host does when the track changes.
    let mut p = Plugin::new();
    for (from, to) in REASONABLE.iter().flat_map(|a| REASONABLE.iter().map(move |b| (a, b))) {
        for &(main, sc) in [from, to] {
            assert_eq!(p.set_arrangements(&[main, sc], &[main]), kResultTrue);
            assert_eq!(
                (p.arrangements(INPUT), p.arrangements(OUTPUT)),
                (vec![main, sc], vec![main]),
                "{} + {}",
                name(main),
                name(sc)
            );
        }
        assert_consistent(&p, "after a change");
    }
    assert_processes_in(&mut p, "after every change");
}

#[test]
fn the_validators_sidechain_arrangement_round_trips() {
    // Steinberg's "SideChain Arrangement": read every bus's arrangement, make the main
    // input and output mono, keep the sidechain's, set, read back.
    let p = Plugin::new();
    let mut inputs = p.arrangements(INPUT);
    let mut outputs = p.arrangements(OUTPUT);
    assert_eq!(inputs, [STEREO, STEREO], "the default");
    inputs[0] = MONO;
    outputs[0] = MONO;
    assert_eq!(p.set_arrangements(&inputs, &outputs), kResultTrue);
    assert_eq!(p.arrangements(INPUT), inputs, "setBusArrangements returned kResultTrue but getBusArrangement differs");
    assert_eq!(p.arrangements(OUTPUT), outputs);
}

#[test]
fn unreasonable_arrangements_are_refused_and_the_real_one_stays() {
    let three = 0b111;
    let refused: [(&str, &[SpeakerArrangement], &[SpeakerArrangement]); 11] = [
        ("stereo in, mono out", &[STEREO, STEREO], &[MONO]),
        ("mono in, stereo out", &[MONO, MONO], &[STEREO]),
        ("5.1 track", &[SURROUND_51, STEREO], &[SURROUND_51]),
        ("5.1 sidechain", &[STEREO, SURROUND_51], &[STEREO]),
        ("3-channel sidechain", &[STEREO, three], &[STEREO]),
        ("empty main bus", &[EMPTY, STEREO], &[EMPTY]),
        ("empty output", &[STEREO, STEREO], &[EMPTY]),
        ("one input bus", &[STEREO], &[STEREO]),
        ("three input buses", &[STEREO, STEREO, STEREO], &[STEREO]),
        ("no output bus", &[STEREO, STEREO], &[]),
        ("two output buses", &[STEREO, STEREO], &[STEREO, STEREO]),
    ];
    // From the default and from arrangements a host set before: a refusal leaves what was there.
    for start in [None, Some((MONO, STEREO)), Some((STEREO, EMPTY))] {
        let mut p = Plugin::new();
        if let Some((main, sc)) = start {
            assert_eq!(p.set_arrangements(&[main, sc], &[main]), kResultTrue);
        }
        let (before_in, before_out) = (p.arrangements(INPUT), p.arrangements(OUTPUT));
        for (what, inputs, outputs) in refused {
            assert_eq!(p.set_arrangements(inputs, outputs), kResultFalse, "{what}: accepted");
            assert_eq!(
                (p.arrangements(INPUT), p.arrangements(OUTPUT)),
                (before_in.clone(), before_out.clone()),
                "{what}: refused, but the arrangement changed"
            );
            assert_consistent(&p, what);
        }
        assert_processes_in(&mut p, "after refusals");
    }
}

#[test]
fn every_bus_switches_off_and_on_and_unknown_buses_are_refused() {
    // Steinberg's "Bus Activation", plus indices that do not exist.
    let p = Plugin::new();
    for dir in [INPUT, OUTPUT] {
        for i in 0..p.bus_count(dir) {
            assert_eq!(p.activate_bus(dir, i, false), kResultTrue, "bus {dir}/{i} off");
            assert_eq!(p.activate_bus(dir, i, true), kResultTrue, "bus {dir}/{i} on");
        }
        for i in [-1, p.bus_count(dir), 40] {
            assert_ne!(p.activate_bus(dir, i, true), kResultTrue, "bus {dir}/{i} does not exist");
        }
    }
}

#[test]
fn a_sidechain_bus_switched_off_is_not_listened_to_and_on_again_it_is() {
    // A host switches the sidechain bus off (activateBus(kInput, 1, false)) and may still hand
    // over buffers for it, holding anything: Residue must pass the track through. On again,
    // the same buffers are the reference.
    let (mix, reference) = example();
    for (main, sc) in [(2, 2), (2, 1), (1, 1), (1, 2)] {
        let what = format!("{main}-channel track, {sc}-channel sidechain");
        let arr = |n| if n == 1 { MONO } else { STEREO };
        let mut p = Plugin::new();
        assert_eq!(p.set_arrangements(&[arr(main), arr(sc)], &[arr(main)]), kResultTrue);
        let inputs = [channels(&mix, main), channels(&reference, sc)];
        assert_eq!(p.activate_bus(INPUT, 1, false), kResultTrue);
        p.start(RATE, BLOCK);
        let off = p.run(&inputs, &[main], BLOCK, 0.0, &|_| {}).remove(0);
        p.stop();
        assert_passes_through(&off, &inputs[0], p.latency(), &format!("{what}, sidechain off"));
        assert_eq!(p.activate_bus(INPUT, 1, true), kResultTrue);
        assert_processes_in(&mut p, &format!("{what}, sidechain on again"));
    }
}

#[test]
fn a_main_input_switched_off_is_silence() {
    let (mix, reference) = example();
    let mut p = Plugin::new();
    assert_eq!(p.activate_bus(INPUT, 0, false), kResultTrue);
    p.start(RATE, BLOCK);
    let out = p.run(&[channels(&mix, 2), channels(&reference, 2)], &[2], BLOCK, 0.0, &|_| {}).remove(0);
    assert_silent(&out, "main input off");
}
