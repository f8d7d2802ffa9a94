//! Residue.clap calls the host only where CLAP allows it. A latency change is reported through
//! CLAP's own path: `clap_host_latency::changed` only inside `clap_plugin::activate` (after the
//! plugin has set its latency there), a change made while active becomes `request_restart`, and
//! an activation asks for no restart. The host (`host.rs`, `callbacks.rs`) fails the test on any
//! call out of place, as clap-validator does.

use super::host::{self, Callbacks, Loaded};
use super::{example, RATE};

/// Two seconds of the example, stereo track and stereo sidechain.
fn signal(len: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let (mix, reference) = example();
    (vec![mix[..len].to_vec(); 2], vec![reference[..len].to_vec(); 2])
}

#[test]
fn a_change_made_while_processing_restarts_the_plugin_and_the_host_reads_it_at_reactivation() {
    let _one_at_a_time = host::exclusive();
    let (main, sc) = signal(88200);
    let mut p = Loaded::new();
    let fft = p.param_id("FFT Size");
    p.process(RATE, &main, Some(&sc), &[512], &[]);
    assert_eq!((p.latency(), p.restart_requests()), (4095 + 1024, 0), "first activation");
    // FFT Size 8192 from sample 1000, while the main thread serves callbacks.
    let size_8192 = p.value_from_text(fft, "8192");
    p.process(RATE, &main, Some(&sc), &[512], &[(1000, fft, size_8192)]);
    assert_eq!(p.restart_requests(), 1, "one change, one restart request");
    assert_eq!(p.latency(), 8191 + 2048, "after the restart the host reads the new latency");
    assert_eq!(p.latency_changes(), 2, "reported inside the first activation and the restart's");
}

#[test]
fn a_change_seen_after_deactivation_is_reported_by_the_next_activation() {
    // A host that serves main-thread callbacks only once the plugin is inactive (as
    // clap-validator's parameter tests do): the plugin may not call `latency.changed` then.
    let _one_at_a_time = host::exclusive();
    let (main, sc) = signal(16384);
    let mut p = Loaded::new();
    p.callbacks = Callbacks::AfterDeactivating;
    let fft = p.param_id("FFT Size");
    let size_1024 = p.value_from_text(fft, "1024");
    p.process(RATE, &main, Some(&sc), &[512], &[(1000, fft, size_1024)]);
    assert_eq!(p.latency(), 4095 + 1024, "read at activation, before the change");
    assert_eq!(p.restart_requests(), 0, "inactive by the time the plugin could ask");
    let changes = p.latency_changes();
    p.activate_and_deactivate(RATE, 512);
    assert_eq!(p.latency(), 1023 + 256, "the next activation reports the new latency");
    assert_eq!(p.latency_changes(), changes + 1);
    assert_eq!(p.restart_requests(), 0);
}

#[test]
fn a_change_made_while_inactive_is_reported_inside_activate_without_a_restart() {
    let _one_at_a_time = host::exclusive();
    let mut p = Loaded::new();
    p.activate_and_deactivate(RATE, 512);
    assert_eq!((p.latency(), p.latency_changes(), p.restart_requests(), p.activations()), (4095 + 1024, 1, 0, 1));
    let fft = p.param_id("FFT Size");
    let size_1024 = p.value_from_text(fft, "1024");
    p.set_params(&[(fft, size_1024)]); // a host's flush while inactive
    p.activate_and_deactivate(RATE, 512);
    assert_eq!(p.latency(), 1023 + 256);
    assert_eq!((p.latency_changes(), p.restart_requests(), p.activations()), (2, 0, 2), "reported once, no restart");
    // Nothing changed: nothing to report.
    p.activate_and_deactivate(48000.0, 256);
    assert_eq!((p.latency(), p.latency_changes(), p.restart_requests()), (1023 + 256, 2, 0));
    // And processing after it changes nothing either.
    let (main, sc) = signal(8192);
    p.process(RATE, &main, Some(&sc), &[256], &[]);
    assert_eq!((p.latency(), p.latency_changes(), p.restart_requests()), (1023 + 256, 2, 0));
}
