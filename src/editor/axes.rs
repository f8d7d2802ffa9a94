//! Mapping between values and screen positions for the editor's graphs, with tick labels.

use egui::{pos2, Align2, Color32, FontId, Painter, Rect, Stroke};

/// Log-frequency horizontal axis.
pub struct FreqAxis {
    pub lo: f32,
    pub hi: f32,
}

impl FreqAxis {
    pub fn x(&self, rect: Rect, hz: f32) -> f32 {
        let t = (hz.max(self.lo) / self.lo).ln() / (self.hi / self.lo).ln();
        rect.left() + t * rect.width()
    }

    /// Vertical grid lines with labels at the usual mixing-console frequencies.
    pub fn draw(&self, painter: &Painter, rect: Rect, grid: Color32, text: Color32) {
        for hz in [20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0] {
            if hz < self.lo || hz > self.hi {
                continue;
            }
            let x = self.x(rect, hz);
            painter.line_segment([pos2(x, rect.top()), pos2(x, rect.bottom())], Stroke::new(1.0, grid));
            let label = if hz >= 1000.0 { format!("{}k", hz / 1000.0) } else { format!("{hz}") };
            painter.text(pos2(x, rect.bottom() + 2.0), Align2::CENTER_TOP, label, FontId::proportional(11.0), text);
        }
    }
}

/// Linear dB vertical axis.
pub struct DbAxis {
    pub lo: f32,
    pub hi: f32,
}

impl DbAxis {
    pub fn y(&self, rect: Rect, db: f32) -> f32 {
        let t = (db.clamp(self.lo, self.hi) - self.lo) / (self.hi - self.lo);
        rect.bottom() - t * rect.height()
    }

    /// Horizontal grid lines every `step` dB, labelled on the `left` or right edge.
    pub fn draw(&self, painter: &Painter, rect: Rect, step: f32, left: bool, grid: Color32, text: Color32) {
        let mut db = (self.hi / step).floor() * step;
        while db >= self.lo {
            let y = self.y(rect, db);
            painter.line_segment([pos2(rect.left(), y), pos2(rect.right(), y)], Stroke::new(1.0, grid));
            let (x, align) = if left {
                (rect.left() - 4.0, Align2::RIGHT_CENTER)
            } else {
                (rect.right() + 4.0, Align2::LEFT_CENTER)
            };
            painter.text(pos2(x, y), align, format!("{db:.0}"), FontId::proportional(11.0), text);
            db -= step;
        }
    }
}
