//! The spectrum: the track as it comes in, the bleed the model predicts (the scaled
//! reference), the output, and the gain reduction per frequency, on log-frequency / dB axes.

use egui::{pos2, vec2, Align2, FontId, Pos2, Rect, Sense, Shape, Stroke, Ui};

use super::axes::{DbAxis, FreqAxis};
use super::view::{View, BANDS, LOWEST_HZ};
use super::Palette;

const LEVEL: DbAxis = DbAxis { lo: -96.0, hi: 0.0 };
/// Gain reduction hangs from the top edge, down to this many dB.
const REDUCTION: DbAxis = DbAxis { lo: -30.0, hi: 0.0 };

pub fn draw(ui: &mut Ui, size: egui::Vec2, view: &View, palette: &Palette) -> Rect {
    let (outer, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(outer);
    painter.rect_filled(outer, 4.0, palette.panel);
    let plot = Rect::from_min_max(outer.min + vec2(40.0, 26.0), outer.max - vec2(40.0, 18.0));
    let freq = FreqAxis { lo: LOWEST_HZ, hi: view.nyquist() };
    freq.draw(&painter, plot, palette.grid, palette.weak_text);
    LEVEL.draw(&painter, plot, 12.0, true, palette.grid, palette.weak_text);
    // Right-hand scale for the reduction, which hangs from the top edge.
    let depth = |r: f32| plot.top() + (r / REDUCTION.lo) * plot.height();
    for db in [-6.0, -12.0, -18.0, -24.0] {
        painter.text(
            pos2(plot.right() + 4.0, depth(db)),
            Align2::LEFT_CENTER,
            format!("{db:.0}"),
            FontId::proportional(11.0),
            palette.reduction,
        );
    }

    let x = |b: usize| freq.x(plot, view.band_centre_hz(b));
    let line = |db: &[f32; BANDS]| -> Vec<Pos2> { (0..BANDS).map(|b| pos2(x(b), LEVEL.y(plot, db[b]))).collect() };
    // Reduction as a filled band from the top.
    let reduction: Vec<f32> =
        (0..BANDS).map(|b| (view.output_db[b] - view.mixture_db[b]).clamp(REDUCTION.lo, 0.0)).collect();
    for b in 0..BANDS - 1 {
        let quad = vec![
            pos2(x(b), plot.top()),
            pos2(x(b + 1), plot.top()),
            pos2(x(b + 1), depth(reduction[b + 1])),
            pos2(x(b), depth(reduction[b])),
        ];
        painter.add(Shape::convex_polygon(quad, palette.reduction.gamma_multiply(0.35), Stroke::NONE));
    }
    painter.add(Shape::line(line(&view.mixture_db), Stroke::new(1.5, palette.mixture)));
    painter.add(Shape::line(line(&view.bleed_db), Stroke::new(1.5, palette.bleed)));
    painter.add(Shape::line(line(&view.output_db), Stroke::new(2.0, palette.accent)));

    let mut at = outer.left_top() + vec2(8.0, 4.0);
    for (name, colour) in [
        ("Spectrum, dBFS:", palette.text),
        ("input", palette.mixture),
        ("bleed estimate", palette.bleed),
        ("output", palette.accent),
        ("reduction (right scale)", palette.reduction),
    ] {
        let r = painter.text(at, Align2::LEFT_TOP, name, FontId::proportional(13.0), colour);
        at.x = r.right() + 12.0;
    }
    outer
}
