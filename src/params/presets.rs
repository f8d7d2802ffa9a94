//! The factory presets ([`crate::dsp::presets`]) as parameter values: what the editor's
//! Preset menu sets and what a host's preset browser loads (CLAP preset discovery). A preset
//! sets Threshold, Slope, Adaptation, Tail, FFT Size and Latency; every other control keeps its
//! value.

use std::collections::BTreeMap;

use nice_plug::plugin::{ParamValue, PluginState};
use nice_plug::prelude::Enum;
use nice_plug::wrapper::clap::FactoryPreset;

use super::{FftSize, Latency};
use crate::dsp::presets::{Preset, PRESETS};
use crate::dsp::LatencyMode;

/// The FFT Size choice for a preset's window.
pub fn fft_size(window: Option<usize>) -> FftSize {
    match window {
        None => FftSize::Auto,
        Some(512) => FftSize::W512,
        Some(1024) => FftSize::W1024,
        Some(2048) => FftSize::W2048,
        Some(4096) => FftSize::W4096,
        Some(8192) => FftSize::W8192,
        Some(_) => FftSize::W16384,
    }
}

/// The Latency choice for a preset's mode.
pub fn latency(mode: LatencyMode) -> Latency {
    match mode {
        LatencyMode::Mix => Latency::Mix,
        LatencyMode::Live => Latency::Live,
    }
}

/// An enum parameter's value as a state stores it: its stable id.
fn choice<E: Enum>(value: E) -> ParamValue {
    let ids = E::ids().expect("every choice parameter has stable ids");
    ParamValue::String(ids[value.to_index()].to_owned())
}

/// `preset` as a partial plugin state: the six controls it sets, under their parameter ids.
pub fn state(preset: &Preset) -> PluginState {
    let params = BTreeMap::from([
        ("threshold".to_owned(), ParamValue::F32(preset.threshold)),
        ("slope".to_owned(), ParamValue::F32(preset.slope)),
        ("adapt".to_owned(), ParamValue::F32(preset.adapt_seconds)),
        ("tail".to_owned(), ParamValue::I32(preset.tail_frames as i32)),
        ("fft".to_owned(), choice(fft_size(preset.window))),
        ("latency".to_owned(), choice(latency(preset.mode))),
    ]);
    PluginState { version: env!("CARGO_PKG_VERSION").to_owned(), params, fields: BTreeMap::new() }
}

/// Every factory preset as a host loads it: its id as the load key.
pub fn factory_presets() -> Vec<FactoryPreset> {
    PRESETS
        .iter()
        .map(|p| FactoryPreset {
            load_key: p.id.to_owned(),
            name: p.name.to_owned(),
            description: format!("For {}.", p.job),
            state: state(p),
        })
        .collect()
}
