//! The large Threshold and Slope knobs. Drag up/right to raise (Shift for fine steps),
//! double-click for the default, click the value to type one. Every change is one host gesture
//! (begin, set…, end) so automation records it.

use std::f32::consts::PI;

use egui::{pos2, vec2, Align2, Color32, FontId, Key, Rect, Response, Sense, Shape, Stroke, TextEdit, Ui, Vec2};
use nice_plug::prelude::{Param, ParamSetter};

/// Normalised change per pixel of drag, and with Shift held.
pub const DRAG_PER_PIXEL: f32 = 1.0 / 250.0;
pub const FINE_DRAG_PER_PIXEL: f32 = 1.0 / 2500.0;
/// The knob's arc runs from 7:30 to 4:30 o'clock.
const ARC_START: f32 = 0.75 * PI;
const ARC_SWEEP: f32 = 1.5 * PI;

pub struct Dial<'a, P: Param> {
    param: &'a P,
    setter: &'a ParamSetter<'a>,
    diameter: f32,
    accent: Color32,
}

/// Per-widget memory between frames.
#[derive(Clone, Default)]
struct State {
    /// Normalised value where the current drag started, and how far it has gone.
    drag: Option<(f32, f32)>,
    /// Text being typed, while the value editor is open.
    typing: Option<String>,
}

impl<'a, P: Param> Dial<'a, P> {
    pub fn new(param: &'a P, setter: &'a ParamSetter<'a>, diameter: f32, accent: Color32) -> Self {
        Self { param, setter, diameter, accent }
    }

    /// Draws the dial; returns the knob's response and where its value text is.
    pub fn show(self, ui: &mut Ui) -> (Response, Rect) {
        let id = ui.make_persistent_id(("residue-dial", self.param.name()));
        let mut state: State = ui.data(|d| d.get_temp(id)).unwrap_or_default();
        let label_height = 18.0;
        let size = vec2(self.diameter.max(80.0), self.diameter + 2.0 * label_height + 6.0);
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        let knob_rect = Rect::from_center_size(
            pos2(rect.center().x, rect.top() + label_height + self.diameter / 2.0),
            Vec2::splat(self.diameter),
        );
        let value_rect =
            Rect::from_min_size(pos2(rect.left(), knob_rect.bottom() + 4.0), vec2(rect.width(), label_height));
        let response = ui.interact(knob_rect, id, Sense::click_and_drag());

        if response.double_clicked() {
            state.drag = None;
            self.setter.begin_set_parameter(self.param);
            self.setter.set_parameter(self.param, self.param.default_plain_value());
            self.setter.end_set_parameter(self.param);
        } else if response.drag_started() {
            state.drag = Some((self.param.unmodulated_normalized_value(), 0.0));
            self.setter.begin_set_parameter(self.param);
        }
        if response.dragged() {
            if let Some((start, moved)) = state.drag.as_mut() {
                // egui starts a drag only after a few pixels: count those too.
                let d = if response.drag_started() {
                    response.total_drag_delta().unwrap_or_default()
                } else {
                    response.drag_delta()
                };
                let per_pixel = if ui.input(|i| i.modifiers.shift) { FINE_DRAG_PER_PIXEL } else { DRAG_PER_PIXEL };
                *moved += (d.x - d.y) * per_pixel;
                let target = (*start + *moved).clamp(0.0, 1.0);
                // Restart the fine/coarse accumulation at the clamp so reversing responds at once.
                *moved = target - *start;
                // Stepped values: send only when the snapped value actually changes.
                if self.param.preview_normalized(self.param.preview_plain(target))
                    != self.param.unmodulated_normalized_value()
                {
                    self.setter.set_parameter(self.param, self.param.preview_plain(target));
                }
            }
        }
        if response.drag_stopped() && state.drag.take().is_some() {
            self.setter.end_set_parameter(self.param);
        }

        let painter = ui.painter_at(rect.expand(2.0));
        let visuals = ui.visuals();
        let text = visuals.text_color();
        painter.text(
            pos2(rect.center().x, rect.top()),
            Align2::CENTER_TOP,
            self.param.name(),
            FontId::proportional(15.0),
            text,
        );
        let centre = knob_rect.center();
        let radius = self.diameter / 2.0 - 4.0;
        let value = self.param.unmodulated_normalized_value();
        let arc = |from: f32, to: f32, r: f32| -> Vec<egui::Pos2> {
            let n = 48;
            (0..=n)
                .map(|i| {
                    let a = ARC_START + ARC_SWEEP * (from + (to - from) * i as f32 / n as f32);
                    centre + r * vec2(a.cos(), a.sin())
                })
                .collect()
        };
        let track = if response.hovered() || response.dragged() {
            visuals.widgets.hovered.bg_fill
        } else {
            visuals.widgets.inactive.bg_fill
        };
        painter.add(Shape::line(arc(0.0, 1.0, radius), Stroke::new(6.0, track)));
        painter.add(Shape::line(arc(0.0, value, radius), Stroke::new(6.0, self.accent)));
        painter.circle_filled(centre, radius - 9.0, visuals.widgets.inactive.weak_bg_fill);
        let a = ARC_START + ARC_SWEEP * value;
        painter.line_segment(
            [
                centre + (radius - 24.0).max(2.0) * vec2(a.cos(), a.sin()),
                centre + (radius - 10.0) * vec2(a.cos(), a.sin()),
            ],
            Stroke::new(3.0, text),
        );

        // The value: click it to type a new one.
        let value_id = id.with("value");
        if let Some(typed) = state.typing.as_mut() {
            let edit = ui.put(
                value_rect,
                TextEdit::singleline(typed).id(value_id).align(Align2::CENTER_CENTER).font(FontId::proportional(15.0)),
            );
            if edit.lost_focus() {
                let commit = ui.input(|i| i.key_pressed(Key::Enter));
                if let (true, Some(normalised)) = (commit, self.param.string_to_normalized_value(typed)) {
                    self.setter.begin_set_parameter(self.param);
                    self.setter.set_parameter(self.param, self.param.preview_plain(normalised));
                    self.setter.end_set_parameter(self.param);
                }
                state.typing = None;
            } else {
                edit.request_focus();
            }
        } else {
            let shown = ui.interact(value_rect, value_id.with("click"), Sense::click());
            painter.text(
                value_rect.center(),
                Align2::CENTER_CENTER,
                self.param.to_string(),
                FontId::proportional(17.0),
                if shown.hovered() { self.accent } else { text },
            );
            if shown.clicked() {
                state.typing = Some(self.param.to_string());
            }
        }
        ui.data_mut(|d| d.insert_temp(id, state));
        (
            response.on_hover_text("Drag to change (Shift: fine) · double-click: default · click the value to type"),
            value_rect,
        )
    }
}
