//! The header line: what Residue is doing and whether it can do it (sidechain, latency, FFT).

use std::time::Instant;

use egui::{RichText, Ui};

use super::view::{Sidechain, View};
use super::Palette;
use crate::params::{FftSize, ResidueParams};

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
        // FFT Size Auto is a duration: its samples (and the latency) follow the sample rate,
        // known once audio arrives.
        let auto = params.fft_size.value() == FftSize::Auto;
        let known = view.sample_rate > 0.0;
        let (window, overlap) = params.window(view.sample_rate);
        let live = params.mode() == crate::dsp::LatencyMode::Live;
        let mode = if live { "Live" } else { "Mix" };
        let latency = params.latency_samples(view.sample_rate);
        match (known, auto || live) {
            (true, _) => ui.label(format!("{mode}: latency {:.1} ms ({latency} samples)", latency as f32 / view.sample_rate * 1000.0)),
            (false, false) => ui.label(format!("{mode}: latency {latency} samples")),
            (false, true) if live => ui.label(format!("{mode}: latency {:.1} ms", crate::dsp::LIVE_LATENCY_SECONDS * 1000.0)),
            (false, true) => ui.label(format!("{mode}: latency {:.0} ms", crate::dsp::stft::latency(4096, overlap) as f32 / 44.1)),
        };
        ui.separator();
        match (auto, known) {
            (true, true) => ui.label(format!("FFT Auto: {window} / {overlap}x")),
            (true, false) => ui.label(format!("FFT Auto / {overlap}x")),
            (false, _) => ui.label(format!("FFT {window} / {overlap}x")),
        }
        .on_hover_text("FFT Size Auto picks the power of two nearest 93 ms at the host's sample rate");
        if view.sample_rate > 0.0 {
            ui.separator();
            let text = if view.sources > 1 {
                // Each source has its own: listed in source order.
                let n = view.sources.min(view.source_lag_ms.len());
                let lags: Vec<String> = view.source_lag_ms[..n].iter().zip(&view.source_lag_found).map(|(ms, &found)| if found || !params.auto_lag.value() { format!("{ms:.1}") } else { "…".to_string() }).collect();
                let how = if params.auto_lag.value() { "found" } else { "set" };
                format!("Lags {} ms ({how})", lags.join(" · "))
            } else {
                match (params.auto_lag.value(), view.lag_found) {
                    (false, _) => format!("Lag {:.1} ms (set)", view.lag_ms),
                    (true, true) => format!("Lag {:.1} ms (found)", view.lag_ms),
                    (true, false) => "Lag: searching".to_string(),
                }
            };
            ui.label(text).on_hover_text("How late the bleed arrives after the reference; the reference is delayed by it before the model compares them");
        }
        if view.late_ms > 0.0 {
            // A host that delays the track for Residue's latency but not the sidechain's source.
            ui.separator();
            let late = view.late_ms;
            ui.label(RichText::new(format!("Sidechain {late:.0} ms late")).color(palette.warn)).on_hover_text(format!(
                "The reference reaches Residue {late:.0} ms after its own bleed in this track. The host delays this track to make up for Residue's latency but \
                 not the track that feeds the sidechain (Ardour does this in every routing). Residue cannot look into the future, so it removes less. \
                 Move the reference track's region {late:.0} ms earlier. Otherwise keep FFT Size at Auto (4096 at 44.1 and 48 kHz): smaller and larger \
                 sizes lose more here; Overlap 8x loses a little less."
            ));
        }
        if view.sample_rate > 0.0 {
            ui.separator();
            ui.label(format!("{:.1} kHz", view.sample_rate / 1000.0));
        }
    });
}
