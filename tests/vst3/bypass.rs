//! The Bypass parameter in the built `Residue.vst3`: flagged as the plugin's bypass
//! (`kIsBypass`, what Steinberg's validator looks for) and automatable; set through the edit
//! controller as a host does, the output is the track delayed by the reported latency.

use super::host::{kResultOk, kResultTrue, Plugin, MONO, STEREO};
use super::*;

/// `ParameterInfo::ParameterFlags`: kCanAutomate, kIsBypass.
const CAN_AUTOMATE: i32 = 1;
const IS_BYPASS: i32 = 1 << 16;

#[test]
fn the_bypass_parameter_is_flagged_and_passes_the_delayed_track() {
    let (mix, reference) = example();
    let p = Plugin::new();
    let flags = p.param_flags();
    let bypass: Vec<&(String, i32)> = flags.iter().filter(|(_, f)| f & IS_BYPASS != 0).collect();
    assert_eq!(bypass.len(), 1, "one bypass parameter: {flags:?}");
    assert_eq!(bypass[0].0, "Bypass");
    assert!(bypass[0].1 & CAN_AUTOMATE != 0, "Bypass is automatable");
    drop(p);
    for (arrangement, n) in [(STEREO, 2), (MONO, 1)] {
        let track = channels(&mix, n);
        let mut p = Plugin::new();
        assert_eq!(p.set_arrangements(&[arrangement, MONO], &[arrangement]), kResultTrue);
        p.set_param_text("Bypass", "On");
        p.start(RATE, BLOCK);
        let out = p.run(&[track.clone(), vec![reference.clone()]], &[n], BLOCK, 0.0, &|_| {}).remove(0);
        let latency = p.latency();
        p.stop();
        assert_passes_through(&out, &track, latency, &format!("{n}-channel track, bypassed"));
    }
}

/// What Steinberg's validator checks in *Parameter Bypass persistence*: a value the host sets on
/// the edit controller while the plugin processes is what the controller reports from then on
/// (the value itself reaches the processor with the process call's parameter changes).
#[test]
fn the_controller_reports_a_value_the_host_set_while_processing() {
    let mut p = Plugin::new();
    assert_eq!(p.set_arrangements(&[STEREO, MONO], &[STEREO]), kResultTrue);
    let id = p.param_id("Bypass");
    p.start(RATE, BLOCK);
    for value in [1.0, 0.0, 1.0] {
        assert_eq!(p.set_normalized(id, value), kResultOk);
        assert_eq!(p.normalized(id), value, "set to {value} while processing");
    }
    p.stop();
    // Not processing: set at once, as before.
    assert_eq!(p.set_normalized(id, 0.0), kResultOk);
    assert_eq!(p.normalized(id), 0.0);
}
