//! The learned bleed: the autoscale gain per frequency (how loud the reference arrives in this
//! track), with the Learn / Freeze switch that holds it and Relearn, which forgets it. With
//! several sources on the sidechain, one curve per source instead: how much of the track, band
//! by band, is that source's bleed as learned (the learned gain applied to its reference), with
//! each source's name and lag.

use egui::{pos2, vec2, Align2, Button, FontId, Rect, Sense, Shape, Stroke, Ui};
use nice_plug::prelude::ParamSetter;

use super::axes::{DbAxis, FreqAxis};
use super::view::{View, BANDS, LOWEST_HZ, SHOWN_SOURCES};
use super::Palette;
use crate::params::ResidueParams;

const GAIN: DbAxis = DbAxis { lo: -48.0, hi: 12.0 };

/// One colour per source, in source order.
const SOURCE_COLOURS: [egui::Color32; SHOWN_SOURCES] = [
    egui::Color32::from_rgb(236, 140, 70),
    egui::Color32::from_rgb(92, 200, 190),
    egui::Color32::from_rgb(190, 130, 230),
    egui::Color32::from_rgb(240, 200, 90),
];

/// Draws the panel; returns its rectangle and those of the Learn / Freeze and Relearn buttons.
pub fn draw(
    ui: &mut Ui,
    size: egui::Vec2,
    params: &ResidueParams,
    setter: &ParamSetter,
    view: &View,
    palette: &Palette,
) -> (Rect, Rect, Rect) {
    let (outer, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(outer);
    painter.rect_filled(outer, 4.0, palette.panel);
    let per_source = view.sources > 1;
    let title =
        if per_source { "Learned bleed per source (dB of the track)" } else { "Learned bleed (dB vs. reference)" };
    painter.text(outer.left_top() + vec2(8.0, 4.0), Align2::LEFT_TOP, title, FontId::proportional(13.0), palette.text);
    let plot = Rect::from_min_max(outer.min + vec2(34.0, 58.0), outer.max - vec2(10.0, 18.0));
    let freq = FreqAxis { lo: LOWEST_HZ, hi: view.nyquist() };
    freq.draw(&painter, plot, palette.grid, palette.weak_text);
    GAIN.draw(&painter, plot, 12.0, true, palette.grid, palette.weak_text);
    let frozen = params.freeze.value();
    let autoscale = params.autoscale.value();
    if view.frames > 0 && !per_source {
        let points =
            (0..BANDS).map(|b| pos2(freq.x(plot, view.band_centre_hz(b)), GAIN.y(plot, view.gain_db[b]))).collect();
        painter.add(Shape::line(points, Stroke::new(2.0, if frozen { palette.threshold } else { palette.bleed })));
    }
    if per_source {
        let shown = view.sources.min(SHOWN_SOURCES);
        if view.frames > 0 {
            for (j, colour) in SOURCE_COLOURS.iter().enumerate().take(shown) {
                let points = (0..BANDS)
                    .map(|b| {
                        pos2(freq.x(plot, view.band_centre_hz(b)), GAIN.y(plot, view.source_db[j][b].max(GAIN.lo)))
                    })
                    .collect();
                painter.add(Shape::line(points, Stroke::new(if frozen { 1.5 } else { 2.0 }, *colour)));
            }
        }
        // The legend over the curves' top left, on a backing of its own: each source's name and lag.
        let backing = painter.add(Shape::Noop);
        let mut legend = Rect::NOTHING;
        let auto_lag = params.auto_lag.value();
        let line = |j: usize| plot.left_top() + vec2(6.0, 4.0 + 15.0 * j as f32);
        for (j, colour) in SOURCE_COLOURS.iter().enumerate().take(shown) {
            let lag = match (auto_lag, view.source_lag_found[j]) {
                (true, false) => "lag: searching".to_string(),
                _ => format!("{:.1} ms", view.source_lag_ms[j]),
            };
            legend = legend.union(painter.text(
                line(j),
                Align2::LEFT_TOP,
                format!("{} · {lag}", view.source_name(j)),
                FontId::proportional(11.0),
                *colour,
            ));
        }
        if view.sources > SHOWN_SOURCES {
            legend = legend.union(painter.text(
                line(SHOWN_SOURCES),
                Align2::LEFT_TOP,
                format!("+{} more", view.sources - SHOWN_SOURCES),
                FontId::proportional(11.0),
                palette.weak_text,
            ));
        }
        painter.set(backing, Shape::rect_filled(legend.expand(3.0), 3.0, palette.panel.gamma_multiply(0.85)));
    }

    // Learn / Freeze and Relearn, through the host like any parameter change.
    let row = Rect::from_min_size(outer.left_top() + vec2(8.0, 26.0), vec2(outer.width() - 16.0, 24.0));
    let relearn_rect = Rect::from_min_max(pos2(row.right() - 76.0, row.top()), row.max);
    let button_rect = Rect::from_min_max(row.min, pos2(relearn_rect.left() - 6.0, row.bottom()));
    let warming = view.frames > 0 && view.warm_up < 1.0;
    let (label, hint) = match (autoscale, frozen, warming) {
        (false, _, _) => ("Autoscale off (gain 1)".to_string(), "Turn Autoscale on to learn the bleed level per frequency"),
        (true, false, true) => (
            format!("Learning… {:.0} %: click to Freeze", 100.0 * view.warm_up),
            "Until the fit has heard one Adaptation time of the reference, only that share of the removal is applied, so a fresh start never cuts into the track",
        ),
        (true, false, false) => ("Learning… click to Freeze".to_string(), "Holds the learned bleed profile, e.g. once a solo passage has taught it"),
        (true, true, _) => ("Frozen: click to Learn".to_string(), "Resumes learning the bleed level"),
    };
    let button = ui.put(button_rect, Button::new(label).selected(frozen));
    let button = button.on_hover_text(hint);
    if button.clicked() && autoscale {
        setter.begin_set_parameter(&params.freeze);
        setter.set_parameter(&params.freeze, !frozen);
        setter.end_set_parameter(&params.freeze);
    }
    // Relearn is a parameter (so automation can press it): pressed is on, then off again.
    let relearn = ui.put(relearn_rect, Button::new("Relearn"));
    let relearn = relearn.on_hover_text(
        "Forget the learned bleed and lag and learn them again (a host's stop, start or reload keeps them)",
    );
    if relearn.clicked() {
        setter.begin_set_parameter(&params.relearn);
        setter.set_parameter(&params.relearn, true);
        setter.set_parameter(&params.relearn, false);
        setter.end_set_parameter(&params.relearn);
    }
    (outer, button_rect, relearn_rect)
}
