//! The transfer curve: soft mask in → compressed mask out, for the current Threshold and
//! Slope, computed by the engine's own compressor, over the live distribution of the soft mask
//! so the user sees which part of the signal the threshold cuts.

use egui::{pos2, vec2, Align2, FontId, Rect, Sense, Shape, Stroke, Ui};

use super::view::{View, HISTOGRAM_BINS};
use super::Palette;
use crate::dsp::model::Compressor;

pub fn draw(
    ui: &mut Ui,
    size: egui::Vec2,
    threshold: f32,
    slope: f32,
    compression: bool,
    view: &View,
    palette: &Palette,
) -> Rect {
    let (outer, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(outer);
    painter.rect_filled(outer, 4.0, palette.panel);
    painter.text(
        outer.left_top() + vec2(8.0, 4.0),
        Align2::LEFT_TOP,
        "Mask transfer",
        FontId::proportional(13.0),
        palette.text,
    );
    let plot = Rect::from_min_max(outer.min + vec2(34.0, 24.0), outer.max - vec2(12.0, 36.0));
    let at = |w: f32, y: f32| pos2(plot.left() + w * plot.width(), plot.bottom() - y * plot.height());

    // The energy-weighted distribution of the soft mask, recent frames.
    let bar = plot.width() / HISTOGRAM_BINS as f32;
    for (i, h) in view.histogram.iter().enumerate() {
        if *h > 0.0 {
            let r = Rect::from_min_max(
                pos2(plot.left() + i as f32 * bar, plot.bottom() - h * plot.height()),
                pos2(plot.left() + (i + 1) as f32 * bar - 1.0, plot.bottom()),
            );
            painter.rect_filled(r, 0.0, palette.histogram);
        }
    }
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        painter.line_segment([at(t, 0.0), at(t, 1.0)], Stroke::new(1.0, palette.grid));
        painter.line_segment([at(0.0, t), at(1.0, t)], Stroke::new(1.0, palette.grid));
        painter.text(
            at(t, 0.0) + vec2(0.0, 3.0),
            Align2::CENTER_TOP,
            format!("{t}"),
            FontId::proportional(11.0),
            palette.weak_text,
        );
        painter.text(
            at(0.0, t) - vec2(4.0, 0.0),
            Align2::RIGHT_CENTER,
            format!("{t}"),
            FontId::proportional(11.0),
            palette.weak_text,
        );
    }
    painter.line_segment([at(0.0, 0.0), at(1.0, 1.0)], Stroke::new(1.0, palette.weak_text));
    let curve = Compressor::unit(threshold, slope);
    let points = (0..=200).map(|i| {
        let w = i as f32 / 200.0;
        at(w, if compression { curve.apply(w) } else { w })
    });
    painter.add(Shape::line(points.collect(), Stroke::new(2.5, palette.accent)));
    if compression {
        let x = at(threshold, 0.0).x;
        painter.line_segment([pos2(x, plot.top()), pos2(x, plot.bottom())], Stroke::new(1.0, palette.threshold));
        painter.text(
            pos2(x + 3.0, plot.top()),
            Align2::LEFT_TOP,
            format!("threshold {threshold:.2}"),
            FontId::proportional(11.0),
            palette.threshold,
        );
    }
    painter.text(
        pos2(plot.center().x, outer.bottom() - 3.0),
        Align2::CENTER_BOTTOM,
        "soft mask in (bars: where the energy is)",
        FontId::proportional(11.0),
        palette.weak_text,
    );
    outer
}
