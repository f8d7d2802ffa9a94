//! Every parameter besides the two knobs, in rows of compact controls. Each change is a
//! complete host gesture (begin, set, end).

use egui::{ComboBox, Ui};
use nice_plug::prelude::{BoolParam, Param, ParamSetter};
use nice_plug_egui::widgets::ParamSlider;

use crate::params::ResidueParams;

/// Height the three rows take; the layout reserves it.
pub const HEIGHT: f32 = 156.0;

pub fn draw(ui: &mut Ui, params: &ResidueParams, setter: &ParamSetter) -> egui::Rect {
    let slider_width = (ui.available_width() / 4.0 - 110.0).clamp(50.0, 160.0);
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            cell(ui, params.output.name(), |ui| choice(ui, &params.output, setter));
            cell(ui, params.latency.name(), |ui| choice(ui, &params.latency, setter));
            cell(ui, params.fft_size.name(), |ui| choice(ui, &params.fft_size, setter));
            cell(ui, params.overlap.name(), |ui| choice(ui, &params.overlap, setter));
            cell(ui, "Options", |ui| {
                ui.horizontal(|ui| {
                    toggle(ui, &params.autoscale, setter);
                    toggle(ui, &params.compression, setter);
                    toggle(ui, &params.link, setter);
                    toggle(ui, &params.bypass, setter);
                });
            });
        });
        ui.horizontal(|ui| {
            for p in [&params.mix, &params.smoothing, &params.adapt, &params.alpha] {
                cell(ui, p.name(), |ui| {
                    ui.add(ParamSlider::for_param(p, setter).with_width(slider_width));
                });
            }
        });
        // The bleed model beyond norbert's: lag, tail, robust fit; and the sources it models.
        ui.horizontal(|ui| {
            cell(ui, "Bleed model", |ui| {
                ui.horizontal(|ui| {
                    toggle(ui, &params.auto_lag, setter);
                    toggle(ui, &params.robust, setter);
                });
            });
            cell(ui, params.tail.name(), |ui| {
                ui.add(ParamSlider::for_param(&params.tail, setter).with_width(slider_width));
            });
            // The manual lag only acts with Auto Lag off.
            cell(ui, params.lag.name(), |ui| {
                ui.add_enabled(
                    !params.auto_lag.value(),
                    ParamSlider::for_param(&params.lag, setter).with_width(slider_width),
                );
            });
            // How the sidechain's channels are grouped into sources.
            cell(ui, params.sources.name(), |ui| choice(ui, &params.sources, setter));
            cell(ui, "Preset", |ui| super::presets::menu(ui, params, setter));
        });
    })
    .response
    .rect
}

/// A small caption over a control.
fn cell(ui: &mut Ui, caption: &str, add: impl FnOnce(&mut Ui)) {
    ui.vertical(|ui| {
        ui.label(egui::RichText::new(caption).small().weak());
        add(ui);
    });
    ui.add_space(8.0);
}

/// A drop-down over a stepped parameter's values.
pub fn choice<P: Param>(ui: &mut Ui, param: &P, setter: &ParamSetter) {
    let steps = param.step_count().unwrap_or(1).max(1);
    let current = param.unmodulated_normalized_value();
    // As wide as the longest choice needs (about 7 px a character, plus the arrow), so that
    // short lists (Overlap, Latency) leave room for the rest of the row at the smallest size.
    let longest = (0..=steps)
        .map(|i| param.normalized_value_to_string(i as f32 / steps as f32, false).chars().count())
        .max()
        .unwrap_or(4);
    let width = (7.0 * longest as f32 + 30.0).clamp(56.0, 130.0);
    ComboBox::from_id_salt(param.name()).width(width).selected_text(param.to_string()).show_ui(ui, |ui| {
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
