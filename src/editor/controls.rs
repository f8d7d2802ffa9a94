//! Every parameter besides the two knobs, in one row of compact controls. Each change is a
//! complete host gesture (begin, set, end).

use egui::{ComboBox, Ui};
use nice_plug::prelude::{BoolParam, Param, ParamSetter};
use nice_plug_egui::widgets::ParamSlider;

use crate::params::ResidueParams;

pub fn draw(ui: &mut Ui, params: &ResidueParams, setter: &ParamSetter) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 10.0;
        choice(ui, &params.output, setter);
        choice(ui, &params.fft_size, setter);
        choice(ui, &params.overlap, setter);
        slider(ui, &params.mix, setter);
        slider(ui, &params.smoothing, setter);
        slider(ui, &params.adapt, setter);
        slider(ui, &params.alpha, setter);
        toggle(ui, &params.autoscale, setter);
        toggle(ui, &params.compression, setter);
        toggle(ui, &params.link, setter);
    });
}

fn slider<P: Param>(ui: &mut Ui, param: &P, setter: &ParamSetter) {
    ui.label(param.name());
    ui.add(ParamSlider::for_param(param, setter).with_width(110.0));
}

/// A drop-down over a stepped parameter's values.
pub fn choice<P: Param>(ui: &mut Ui, param: &P, setter: &ParamSetter) {
    let steps = param.step_count().unwrap_or(1).max(1);
    let current = param.unmodulated_normalized_value();
    ui.label(param.name());
    ComboBox::from_id_salt(param.name()).selected_text(param.to_string()).show_ui(ui, |ui| {
        for i in 0..=steps {
            let normalised = i as f32 / steps as f32;
            let text = param.normalized_value_to_string(normalised, false);
            if ui.selectable_label((normalised - current).abs() < 0.5 / steps as f32, text).clicked() {
                setter.begin_set_parameter(param);
                setter.set_parameter(param, param.preview_plain(normalised));
                setter.end_set_parameter(param);
            }
        }
    });
}

pub fn toggle(ui: &mut Ui, param: &BoolParam, setter: &ParamSetter) {
    let on = param.value();
    if ui.selectable_label(on, param.name()).clicked() {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, !on);
        setter.end_set_parameter(param);
    }
}
