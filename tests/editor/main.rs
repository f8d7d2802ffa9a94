//! The editor's real drawing code, run headless under `egui::Context`: layout at 1× and 2×,
//! and the host gestures that drags, double-clicks, typing and the Freeze button send.

mod context;
#[path = "../engine/kit.rs"]
mod kit;

use std::sync::Arc;
use std::time::Instant;

use context::{Call, RecordingHost};
use egui::{vec2, Event, Modifiers, PointerButton, Pos2, RawInput, Rect, Vec2, ViewportId};
use nice_plug::prelude::{Param, ParamSetter};
use residue::dsp::{Engine, EngineConfig, Settings};
use residue::editor::{dial, show, Layout, View};
use residue::params::ResidueParams;
use residue::params::{DEFAULT_SIZE, MIN_SIZE};

struct Harness {
    ctx: egui::Context,
    host: Arc<RecordingHost>,
    params: Arc<ResidueParams>,
    view: View,
    size: Vec2,
    scale: f32,
    time: f64,
}

impl Harness {
    fn new(size: (f32, f32), scale: f32) -> Self {
        let ctx = egui::Context::default();
        residue::editor::style(&ctx);
        Self {
            ctx,
            host: Arc::new(RecordingHost::default()),
            params: Arc::new(ResidueParams::default()),
            view: View::default(),
            size: vec2(size.0, size.1),
            scale,
            time: 0.0,
        }
    }

    /// One frame with these input events; returns where things were drawn.
    fn frame(&mut self, events: Vec<Event>) -> Layout {
        self.time += 1.0 / 60.0;
        let mut input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, self.size)),
            time: Some(self.time),
            events,
            ..RawInput::default()
        };
        input.viewports.entry(ViewportId::ROOT).or_default().native_pixels_per_point = Some(self.scale);
        let setter = ParamSetter::new(&*self.host);
        let mut layout = None;
        let mut out =
            self.ctx.run_ui(input, |ui| layout = Some(show(ui, &self.params, &setter, &self.view, Instant::now())));
        out.textures_delta.clear();
        layout.expect("drawn")
    }

    fn settle(&mut self) -> Layout {
        self.frame(vec![]);
        self.frame(vec![])
    }

    fn press(&mut self, at: Pos2, pressed: bool, modifiers: Modifiers) -> Layout {
        self.frame(vec![
            Event::PointerMoved(at),
            Event::PointerButton { pos: at, button: PointerButton::Primary, pressed, modifiers },
        ])
    }

    fn click(&mut self, at: Pos2) {
        self.press(at, true, Modifiers::NONE);
        self.press(at, false, Modifiers::NONE);
    }

    /// Presses at `from`, moves by `by` in `steps` frames, releases.
    fn drag(&mut self, from: Pos2, by: Vec2, steps: usize, modifiers: Modifiers) {
        self.frame(vec![Event::ModifiersChanged(modifiers)]);
        self.press(from, true, modifiers);
        for i in 1..=steps {
            self.frame(vec![Event::PointerMoved(from + by * (i as f32 / steps as f32))]);
        }
        self.press(from + by, false, modifiers);
        self.frame(vec![Event::ModifiersChanged(Modifiers::NONE)]);
    }
}

fn sets(calls: &[Call], name: &str) -> Vec<f32> {
    calls
        .iter()
        .filter_map(|c| match c {
            Call::Set(n, v) if n == name => Some(*v),
            _ => None,
        })
        .collect()
}

/// A complete gesture: begin, at least one set, end — in that order, nothing else interleaved.
fn assert_gesture(calls: &[Call], name: &str) {
    assert!(calls.len() >= 3, "{name}: {calls:?}");
    assert_eq!(calls.first(), Some(&Call::Begin(name.into())), "{calls:?}");
    assert_eq!(calls.last(), Some(&Call::End(name.into())), "{calls:?}");
    assert!(calls[1..calls.len() - 1].iter().all(|c| matches!(c, Call::Set(n, _) if n == name)), "{calls:?}");
}

#[test]
fn layout_fits_without_overlap_at_1x_and_2x_and_at_the_minimum_size() {
    for (size, scale) in [(DEFAULT_SIZE, 1.0), (DEFAULT_SIZE, 2.0), (MIN_SIZE, 1.0), ((1600.0, 1000.0), 1.0)] {
        let mut h = Harness::new(size, scale);
        let l = h.settle();
        let screen = Rect::from_min_size(Pos2::ZERO, vec2(size.0, size.1));
        let parts = [
            ("threshold", l.threshold),
            ("slope", l.slope),
            ("curve", l.curve),
            ("bleed", l.bleed),
            ("spectrum", l.spectrum),
            ("controls", l.controls),
        ];
        for (name, r) in parts {
            assert!(screen.contains_rect(r.shrink(0.5)), "{size:?} @{scale}x: {name} {r:?} is off screen");
            assert!(r.width() > 40.0 && r.height() > 20.0, "{size:?} @{scale}x: {name} too small: {r:?}");
        }
        for (i, (a, ra)) in parts.iter().enumerate() {
            for (b, rb) in &parts[i + 1..] {
                assert!(
                    !ra.shrink(1.0).intersects(rb.shrink(1.0)),
                    "{size:?} @{scale}x: {a} {ra:?} overlaps {b} {rb:?}"
                );
            }
        }
        assert!(l.threshold.width() >= 64.0 && l.slope.width() >= 64.0, "the two knobs are large: {:?}", l.threshold);
        assert!(l.spectrum.width() > 0.9 * size.0, "the spectrum spans the window");
        assert!(h.host.take().is_empty(), "drawing alone changed a parameter");
    }
}

#[test]
fn dragging_threshold_sends_one_gesture_and_shift_drags_finely() {
    let mut h = Harness::new(DEFAULT_SIZE, 1.0);
    let l = h.settle();
    let start = h.params.threshold.unmodulated_normalized_value();
    h.drag(l.threshold.center(), vec2(0.0, -50.0), 10, Modifiers::NONE);
    let calls = h.host.take();
    assert_gesture(&calls, "Threshold");
    let values = sets(&calls, "Threshold");
    assert!(values.windows(2).all(|w| w[1] >= w[0]), "dragging up only raises: {values:?}");
    let expected = start + 50.0 * dial::DRAG_PER_PIXEL;
    assert!((values.last().unwrap() - expected).abs() < 0.01, "50 px up: {values:?}, expected {expected}");
    assert!((h.params.threshold.value() - expected).abs() < 0.01);

    let before = h.params.threshold.unmodulated_normalized_value();
    h.drag(l.threshold.center(), vec2(0.0, -50.0), 10, Modifiers::SHIFT);
    let calls = h.host.take();
    assert_gesture(&calls, "Threshold");
    let moved = sets(&calls, "Threshold").last().unwrap() - before;
    assert!((moved - 50.0 * dial::FINE_DRAG_PER_PIXEL).abs() < 0.004, "fine drag moved {moved}");

    // Slope is its own control: dragging it leaves Threshold alone.
    h.drag(l.slope.center(), vec2(30.0, 0.0), 5, Modifiers::NONE);
    let calls = h.host.take();
    assert_gesture(&calls, "Slope");
}

#[test]
fn double_click_resets_and_typing_sets_a_value() {
    let mut h = Harness::new(DEFAULT_SIZE, 1.0);
    let l = h.settle();
    h.drag(l.threshold.center(), vec2(0.0, -100.0), 5, Modifiers::NONE);
    h.host.take();
    assert!(h.params.threshold.value() > 0.5);
    h.click(l.threshold.center());
    h.click(l.threshold.center());
    let calls = h.host.take();
    assert_eq!(calls.iter().filter(|c| **c == Call::Begin("Threshold".into())).count(), 1, "{calls:?}");
    assert_gesture(&calls, "Threshold");
    assert!((h.params.threshold.value() - Settings::default().threshold).abs() < 1e-6, "back to the default");

    // Click the value, type, Enter.
    h.click(l.slope_value.center());
    h.frame(vec![]);
    let mut keys = vec![Event::Key {
        key: egui::Key::A,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    }];
    keys.push(Event::Text("42".into()));
    h.frame(keys);
    h.frame(vec![Event::Key {
        key: egui::Key::Enter,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::NONE,
    }]);
    h.settle();
    let calls = h.host.take();
    assert_gesture(&calls, "Slope");
    assert!((h.params.slope.value() - 42.0).abs() < 0.05, "typed 42, got {}", h.params.slope.value());
}

#[test]
fn freeze_button_toggles_learning_through_the_host() {
    let mut h = Harness::new(DEFAULT_SIZE, 1.0);
    let l = h.settle();
    assert!(!h.params.freeze.value());
    h.click(l.freeze.center());
    let calls = h.host.take();
    assert_gesture(&calls, "Freeze");
    assert!(h.params.freeze.value(), "frozen");
    h.settle();
    h.click(l.freeze.center());
    assert!(!h.params.freeze.value(), "learning again");
}

#[test]
fn view_reads_real_analysis_frames() {
    // The example through the engine, frames into the view as the editor gets them.
    let read = |p: &str| {
        let mut r = hound::WavReader::open(format!("{}/examples/vocal-bleed/{p}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        r.samples::<i16>().map(|s| s.unwrap() as f32 / 32768.0).collect::<Vec<f32>>()
    };
    let (mut mix, reference) = (read("vocal_mic.wav"), read("guitar_mic.wav"));
    let config = EngineConfig { sample_rate: 44100.0, main_channels: 1, sources: vec![1], max_window: 16384 };
    let mut engine = Engine::new(&config, 4096, 4, Settings::default()).unwrap();
    engine.set_analysis(true);
    let (mut publisher, mut subscriber) = residue::meter::channel(8193);
    let mut view = View::default();
    let now = Instant::now();
    for (m, r) in mix.chunks_mut(1024).zip(reference.chunks(1024)) {
        engine.process(&mut [m], &[r]);
        publisher.publish(engine.analysis());
        if let Some(frame) = subscriber.fresh() {
            view.update(frame, 1.0, now);
        }
    }
    assert_eq!(view.sidechain(now), residue::editor::view::Sidechain::Active);
    assert!(view.frames > 300, "{} frames", view.frames);
    // The guitar bleed sits low: the reduction there is deeper than in the top octave.
    let band = |hz: f32| {
        (0..residue::editor::view::BANDS)
            .min_by(|&a, &b| (view.band_centre_hz(a) - hz).abs().total_cmp(&(view.band_centre_hz(b) - hz).abs()))
            .unwrap()
    };
    let reduction = |hz: f32| view.output_db[band(hz)] - view.mixture_db[band(hz)];
    assert!(reduction(160.0) < -3.0, "reduction at 160 Hz: {:.1} dB", reduction(160.0));
    assert!(reduction(160.0) < reduction(5000.0) - 2.0);
    assert!(view.bleed_db[band(160.0)] > view.mixture_db[band(160.0)] - 12.0, "the bleed estimate tracks the bleed");
    assert!(
        view.histogram.contains(&1.0) && view.histogram.iter().filter(|&&h| h > 0.05).count() > 3,
        "a spread of mask values: {:?}",
        view.histogram
    );

    // Then the sidechain goes quiet.
    for m in mix.chunks_mut(1024).take(100) {
        let n = m.len();
        engine.process(&mut [m], &[&[0.0; 1024][..n]]);
        publisher.publish(engine.analysis());
        if let Some(frame) = subscriber.fresh() {
            view.update(frame, 1.0, now);
        }
    }
    assert_eq!(view.sidechain(now), residue::editor::view::Sidechain::Silent);
    assert_eq!(
        view.sidechain(now + std::time::Duration::from_secs(2)),
        residue::editor::view::Sidechain::Idle,
        "no frames for a while: idle"
    );
}

#[test]
fn view_shows_the_bleed_of_each_source_of_a_split_sidechain() {
    // A kick and a hi-hat bleeding into the voice, each on its side of a stereo sidechain split
    // in two: each source's curve sits where its sound is, each with its own lag.
    let rate = 44100.0;
    let read = |p: &str| {
        let mut r = hound::WavReader::open(format!("{}/examples/vocal-bleed/{p}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        r.samples::<i16>().map(|s| s.unwrap() as f32 / 32768.0).collect::<Vec<f32>>()
    };
    let voice = read("truth_vocal.wav");
    let sources = [kit::Voice::Kick, kit::Voice::HiHat].map(|v| kit::voice(v, voice.len(), rate));
    let paths = [kit::Path { gain: 0.3, lag_ms: 4.0 }, kit::Path { gain: 0.2, lag_ms: 11.0 }];
    let mut track = kit::track(std::slice::from_ref(&voice), &sources, &[paths.to_vec()], rate).remove(0);
    let config = EngineConfig { sample_rate: rate, main_channels: 1, sources: vec![1, 1], max_window: 16384 };
    let mut engine = Engine::new(&config, 4096, 4, Settings::default()).unwrap();
    engine.set_analysis(true);
    let (mut publisher, mut subscriber) = residue::meter::channel(8193);
    let mut view = View::default();
    let now = Instant::now();
    for (at, m) in (0..).step_by(1024).zip(track.chunks_mut(1024)) {
        let n = m.len();
        engine.process(&mut [m], &[&sources[0][at..at + n], &sources[1][at..at + n]]);
        publisher.publish(engine.analysis());
        if let Some(frame) = subscriber.fresh() {
            view.update(frame, 1.0, now);
        }
    }
    assert_eq!(view.sources, 2);
    assert_eq!((view.source_name(0), view.source_name(1)), ("Source 1 (L)".to_string(), "Source 2 (R)".to_string()));
    let band = |hz: f32| {
        (0..residue::editor::view::BANDS)
            .min_by(|&a, &b| (view.band_centre_hz(a) - hz).abs().total_cmp(&(view.band_centre_hz(b) - hz).abs()))
            .unwrap()
    };
    let (low, high) = (band(70.0), band(8000.0));
    let (kick, hat) = (view.source_db[0], view.source_db[1]);
    eprintln!(
        "dB of the track at 70 Hz: kick {:.1}, hi-hat {:.1}; at 8 kHz: kick {:.1}, hi-hat {:.1}",
        kick[low], hat[low], kick[high], hat[high]
    );
    assert!(kick[low] > hat[low] + 20.0 && kick[low] > -12.0, "at 70 Hz the bleed is the kick's");
    assert!(hat[high] > kick[high] + 20.0 && hat[high] > -12.0, "at 8 kHz the bleed is the hi-hat's");
    for (j, ms) in [(0, 4.0), (1, 11.0)] {
        assert!(
            view.source_lag_found[j] && (view.source_lag_ms[j] - ms).abs() < 0.5,
            "source {j}: lag {} ms (found: {})",
            view.source_lag_ms[j],
            view.source_lag_found[j]
        );
    }
    // Drawn: the layout still fits with the legend and the curves.
    let mut h = Harness::new(MIN_SIZE, 1.0);
    h.view = view;
    let l = h.settle();
    assert!(l.bleed.contains_rect(l.freeze) && l.bleed.contains_rect(l.relearn), "the panel's buttons inside it");
    // The names of other groupings.
    let mut named = View::default();
    named.sources = 2;
    named.source_channels[..2].copy_from_slice(&[2, 2]);
    assert_eq!(
        (named.source_name(0), named.source_name(1)),
        ("Source 1 (ch 1–2)".to_string(), "Source 2 (ch 3–4)".to_string())
    );
    named.sources = 4;
    named.source_channels[..4].copy_from_slice(&[1, 1, 1, 1]);
    assert_eq!(named.source_name(2), "Source 3 (ch 3)");
}

#[test]
fn relearn_button_presses_relearn_through_the_host() {
    // One gesture: on, then off again (the engine acts when it turns on; automation can do the same).
    let mut h = Harness::new(DEFAULT_SIZE, 1.0);
    let l = h.settle();
    assert!(!l.relearn.intersects(l.freeze), "Relearn {:?} overlaps Learn / Freeze {:?}", l.relearn, l.freeze);
    h.click(l.relearn.center());
    let calls = h.host.take();
    assert_gesture(&calls, "Relearn");
    let sets: Vec<&Call> = calls.iter().filter(|c| matches!(c, Call::Set(..))).collect();
    assert_eq!(sets.len(), 2, "on, then off: {calls:?}");
    assert!(
        matches!(sets[0], Call::Set(_, v) if *v == 1.0) && matches!(sets[1], Call::Set(_, v) if *v == 0.0),
        "{calls:?}"
    );
    assert!(!h.params.relearn.value(), "Relearn is left off");
}

#[test]
fn a_preset_sets_its_controls_through_the_host_and_the_menu_names_it() {
    use residue::dsp::presets::PRESETS;
    use residue::editor::presets::{apply, matches, shown};
    let host = RecordingHost::default();
    let params = ResidueParams::default();
    let setter = ParamSetter::new(&host);
    assert_eq!(shown(&params, None).map(|p| p.id), Some("default"), "the defaults are the Default preset");
    let covered = ["Threshold", "Slope", "Adaptation", "Tail", "FFT Size", "Latency"];
    for p in &PRESETS {
        apply(&params, &setter, p);
        let calls = host.take();
        assert_eq!(calls.len(), 3 * covered.len(), "{}: {calls:?}", p.id);
        for (name, gesture) in covered.iter().zip(calls.chunks(3)) {
            assert_gesture(gesture, name);
        }
        assert!(matches(&params, p), "{}: the controls do not hold the preset's values", p.id);
        assert_eq!(shown(&params, Some(p.id)).map(|q| q.id), Some(p.id), "the menu names the preset picked");
        assert!(
            (params.threshold.value() - p.threshold).abs() < 1e-4
                && (params.slope.value() - p.slope).abs() < 1e-3 * p.slope
                && params.tail.value() as usize == p.tail_frames,
            "{}",
            p.id
        );
    }
    // Moving a control the preset covers makes the menu say Custom.
    setter.set_parameter(&params.threshold, 0.77);
    assert_eq!(shown(&params, Some(PRESETS[PRESETS.len() - 1].id)), None);
}
