//! The header line: what Residue is doing and whether it can do it (sidechain, latency, FFT).

use std::time::Instant;

use egui::{RichText, Ui};

use super::view::{Sidechain, View};
use super::Palette;
use crate::params::ResidueParams;

pub fn draw(ui: &mut Ui, params: &ResidueParams, view: &View, now: Instant, palette: &Palette) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Residue").size(20.0).strong().color(palette.accent));
        ui.separator();
        let (text, colour, hint) = match view.sidechain(now) {
            Sidechain::Active => ("Sidechain: receiving", palette.ok, "The reference is arriving"),
            Sidechain::Silent => (
                "Sidechain: silent",
                palette.warn,
                "Nothing on the sidechain: route the bleeding source's own track (e.g. the guitar close mic) to Residue's Sidechain input. Until then the track passes through unchanged.",
            ),
            Sidechain::Idle => ("No audio", palette.weak_text, "The host is not sending audio (transport stopped or plugin bypassed)"),
        };
        ui.label(RichText::new(text).color(colour)).on_hover_text(hint);
        if view.sidechain(now) == Sidechain::Silent {
            ui.label(RichText::new("→ route the bleeding source to the Sidechain input").color(palette.warn).small());
        }
        ui.separator();
        let (window, overlap) = params.window();
        let latency = crate::dsp::stft::latency(window, overlap);
        if view.sample_rate > 0.0 {
            ui.label(format!("Latency {:.1} ms ({latency} samples)", latency as f32 / view.sample_rate * 1000.0));
        } else {
            ui.label(format!("Latency {latency} samples"));
        }
        ui.separator();
        ui.label(format!("FFT {window} / {overlap}x"));
        if view.sample_rate > 0.0 {
            ui.separator();
            let text = match (params.auto_lag.value(), view.lag_found) {
                (false, _) => format!("Lag {:.1} ms (set)", view.lag_ms),
                (true, true) => format!("Lag {:.1} ms (found)", view.lag_ms),
                (true, false) => "Lag: searching".to_string(),
            };
            ui.label(text).on_hover_text("How late the bleed arrives after the reference; the reference is delayed by it before the model compares them");
        }
        if view.sample_rate > 0.0 {
            ui.separator();
            ui.label(format!("{:.1} kHz", view.sample_rate / 1000.0));
        }
    });
}
