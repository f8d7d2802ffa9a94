//! The factory-preset menu ([`crate::dsp::presets`]): picking one sets the controls it covers
//! (Threshold, Slope, Adaptation, Tail, FFT Size, Latency), each as a complete host gesture, so
//! the host records it and undo works; the menu names the preset the controls match, or
//! *Custom*.

use egui::{ComboBox, Ui};
use nice_plug::prelude::{Param, ParamSetter};

use crate::dsp::presets::{Preset, PRESETS};
use crate::params::presets::{fft_size, latency};
use crate::params::ResidueParams;

/// Whether the controls hold `preset`'s values.
pub fn matches(params: &ResidueParams, preset: &Preset) -> bool {
    let near = |a: f32, b: f32| (a - b).abs() <= 1e-3 * b.abs().max(1.0);
    near(params.threshold.value(), preset.threshold)
        && near(params.slope.value(), preset.slope)
        && near(params.adapt.value(), preset.adapt_seconds)
        && params.tail.value() as usize == preset.tail_frames
        && params.fft_size.value() == fft_size(preset.window)
        && params.latency.value() == latency(preset.mode)
}

/// Sets the controls `preset` covers.
pub fn apply(params: &ResidueParams, setter: &ParamSetter, preset: &Preset) {
    fn set<P: Param>(setter: &ParamSetter, param: &P, value: P::Plain) {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, value);
        setter.end_set_parameter(param);
    }
    set(setter, &params.threshold, preset.threshold);
    set(setter, &params.slope, preset.slope);
    set(setter, &params.adapt, preset.adapt_seconds);
    set(setter, &params.tail, preset.tail_frames as i32);
    set(setter, &params.fft_size, fft_size(preset.window));
    set(setter, &params.latency, latency(preset.mode));
}

/// The preset the menu names: the one last picked while the controls still hold its values
/// (two presets may share them), else the first that matches, else none (*Custom*).
pub fn shown(params: &ResidueParams, last_picked: Option<&str>) -> Option<&'static Preset> {
    let picked = last_picked.and_then(|id| PRESETS.iter().find(|p| p.id == id)).filter(|p| matches(params, p));
    picked.or_else(|| PRESETS.iter().find(|p| matches(params, p)))
}

pub fn menu(ui: &mut Ui, params: &ResidueParams, setter: &ParamSetter) {
    let memory = ui.make_persistent_id("residue preset");
    let last: Option<&'static str> = ui.data(|d| d.get_temp(memory));
    let current = shown(params, last);
    ComboBox::from_id_salt("preset").width(96.0).selected_text(current.map_or("Custom", |p| p.name)).show_ui(
        ui,
        |ui| {
            for p in &PRESETS {
                let chosen = current.is_some_and(|c| c.id == p.id);
                if ui.selectable_label(chosen, p.name).on_hover_text(p.job).clicked() {
                    apply(params, setter, p);
                    ui.data_mut(|d| d.insert_temp(memory, p.id));
                }
            }
        },
    );
}
