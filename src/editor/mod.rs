//! Residue's editor (egui). The drawing is one plain function, [`draw`], so tests run it
//! headless; [`ResidueEditor`] puts it in a window through nice-plug-egui. The editor reads
//! parameters and the analysis [`Subscriber`]; it changes parameters only through the host.

mod axes;
mod bleed;
mod controls;
mod curve;
pub mod dial;
pub mod presets;
mod spectrum;
mod status;
pub mod view;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use egui::{vec2, Color32, Rect, Ui};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::{LogicalSize, NativeSize};
use nice_plug::editor::{EditorHandle, HostMethods, SpawnedEditor};
use nice_plug::prelude::*;
use nice_plug_egui::{
    create_egui_editor, EguiEditorHandle, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier,
};

use crate::meter::Subscriber;
use crate::params::{Geometry, ResidueParams, MIN_SIZE};
pub use view::View;

pub struct Palette {
    pub panel: Color32,
    pub grid: Color32,
    pub text: Color32,
    pub weak_text: Color32,
    pub accent: Color32,
    pub mixture: Color32,
    pub bleed: Color32,
    pub reduction: Color32,
    pub histogram: Color32,
    pub threshold: Color32,
    pub ok: Color32,
    pub warn: Color32,
}

pub const PALETTE: Palette = Palette {
    panel: Color32::from_rgb(24, 27, 33),
    grid: Color32::from_rgb(48, 53, 62),
    text: Color32::from_rgb(225, 228, 235),
    weak_text: Color32::from_rgb(140, 146, 158),
    accent: Color32::from_rgb(92, 200, 190),
    mixture: Color32::from_rgb(170, 176, 190),
    bleed: Color32::from_rgb(236, 140, 70),
    reduction: Color32::from_rgb(214, 92, 120),
    histogram: Color32::from_rgb(58, 84, 110),
    threshold: Color32::from_rgb(240, 200, 90),
    ok: Color32::from_rgb(110, 200, 120),
    warn: Color32::from_rgb(240, 170, 60),
};

/// Where [`draw`] put things (for tests, and for anyone placing overlays).
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub threshold: Rect,
    pub threshold_value: Rect,
    pub slope: Rect,
    pub slope_value: Rect,
    pub curve: Rect,
    pub bleed: Rect,
    pub freeze: Rect,
    pub relearn: Rect,
    pub spectrum: Rect,
    pub controls: Rect,
}

/// The whole editor, laid out in `ui`'s available rectangle.
pub fn draw(ui: &mut Ui, params: &ResidueParams, setter: &ParamSetter, view: &View, now: Instant) -> Layout {
    let palette = &PALETTE;
    status::draw(ui, params, view, now, palette);
    ui.add_space(4.0);
    let full = ui.available_size();
    let controls_height = controls::HEIGHT;
    let top_height = ((full.y - controls_height) * 0.5).max(220.0);
    let spectrum_height = (full.y - controls_height - top_height - 16.0).max(120.0);
    let top = ui.horizontal(|ui| {
        let dial_width = 170.0;
        let dials = ui.vertical(|ui| {
            ui.set_width(dial_width);
            // Two dials, each its diameter plus name and value lines (see `Dial::show`).
            let d = ((top_height - 2.0 * 42.0 - 8.0) / 2.0).clamp(64.0, 120.0);
            let t = dial::Dial::new(&params.threshold, setter, d, palette.threshold).show(ui);
            let s = dial::Dial::new(&params.slope, setter, d, palette.accent).show(ui);
            (t, s)
        });
        let ((threshold, threshold_value), (slope, slope_value)) = dials.inner;
        let rest = ui.available_width();
        let curve_width = (rest * 0.45).min(top_height * 1.3);
        let curve = curve::draw(
            ui,
            vec2(curve_width, top_height),
            params.threshold.value(),
            params.slope.value(),
            params.compression.value(),
            view,
            palette,
        );
        let bleed_width = ui.available_width();
        let (bleed, freeze, relearn) = bleed::draw(ui, vec2(bleed_width, top_height), params, setter, view, palette);
        (threshold.rect, threshold_value, slope.rect, slope_value, curve, bleed, freeze, relearn)
    });
    let (threshold, threshold_value, slope, slope_value, curve, bleed, freeze, relearn) = top.inner;
    ui.add_space(6.0);
    let spectrum = spectrum::draw(ui, vec2(ui.available_width(), spectrum_height), view, palette);
    ui.add_space(6.0);
    let controls = controls::draw(ui, params, setter);
    Layout { threshold, threshold_value, slope, slope_value, curve, bleed, freeze, relearn, spectrum, controls }
}

/// The editor as the window shows it: [`draw`] inside a panel with a resize corner.
pub fn show(ui: &mut Ui, params: &ResidueParams, setter: &ParamSetter, view: &View, now: Instant) -> Layout {
    nice_plug_egui::resizable_window::ResizableWindow::new("residue")
        .min_size(vec2(MIN_SIZE.0, MIN_SIZE.1))
        .show(ui, |ui| egui::Frame::new().inner_margin(8).show(ui, |ui| draw(ui, params, setter, view, now)).inner)
        .inner
}

/// What the editor shares with the plugin.
pub struct Shared {
    pub params: Arc<ResidueParams>,
    pub subscriber: Arc<Mutex<Subscriber>>,
    /// Set while a window is open: the audio thread publishes analysis only then.
    pub open: Arc<AtomicBool>,
    pub repaint: RepaintNotifier,
}

/// The egui app: keeps the GUI-side [`View`] and draws.
struct App {
    scale: Arc<AtomicU64>,
    params: Arc<ResidueParams>,
    subscriber: Arc<Mutex<Subscriber>>,
    view: View,
    context: Option<GuiContext>,
}

impl NiceEguiApp for App {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        style(&egui_ctx);
        self.context = Some(gui);
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        let now = Instant::now();
        // Only the GUI thread takes this lock; the audio thread writes through the triple buffer.
        if let Ok(mut subscriber) = self.subscriber.lock() {
            if let Some(frame) = subscriber.fresh() {
                self.view.update(frame, self.params.alpha.value(), now);
            }
        }
        let Some(gui) = &self.context else { return };
        let setter = gui.param_setter();
        show(ui, &self.params, &setter, &self.view, now);
        // New analysis frames repaint through the `RepaintNotifier`; this slow tick only lets the
        // status notice that audio stopped.
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(250));
    }

    fn resized(&mut self, size: nice_plug_egui::baseview::WindowSize) {
        self.scale.store(size.scale_factor.to_bits(), Ordering::Relaxed);
        if let Ok(mut g) = self.params.editor.lock() {
            g.width = size.logical.width as f32;
            g.height = size.logical.height as f32;
        }
    }

    fn zoom_factor_changed(&mut self, zoom: f32) {
        if let Ok(mut g) = self.params.editor.lock() {
            g.zoom = zoom;
        }
    }
}

/// Dark theme with a little more room: the editor sits next to a DAW's own dark UI.
pub fn style(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
    ctx.all_styles_mut(|s| {
        s.spacing.item_spacing = vec2(8.0, 6.0);
        s.spacing.interact_size.y = 22.0;
    });
}

/// The plugin's editor: a fresh egui window per opening, sized from the saved [`Geometry`].
pub struct ResidueEditor {
    shared: Shared,
    /// The window's scale factor (system or host-suggested) as f64 bits, last seen: the host
    /// asks for the size in physical pixels.
    scale: Arc<AtomicU64>,
}

impl ResidueEditor {
    pub fn new(shared: Shared) -> Self {
        Self { shared, scale: Arc::new(AtomicU64::new(1.0f64.to_bits())) }
    }

    fn geometry(&self) -> Geometry {
        self.shared.params.editor.lock().map(|g| g.sanitized()).unwrap_or_default()
    }
}

impl Editor for ResidueEditor {
    type Handle = Handle;

    fn spawn(
        &self,
        parent: Option<ParentWindowHandle>,
        wait_for_parent: bool,
        fallback_scale_factor: Option<f64>,
        gui_context: GuiContext,
        host: Option<HostMethods>,
    ) -> Result<SpawnedEditor<Self::Handle>, Box<dyn std::error::Error>> {
        let g = self.geometry();
        if let Some(s) = fallback_scale_factor {
            self.scale.store(s.to_bits(), Ordering::Relaxed);
        }
        let state = EguiEditorState::from_size(LogicalSize::new(g.width, g.height), g.zoom);
        let app = App {
            scale: self.scale.clone(),
            params: self.shared.params.clone(),
            subscriber: self.shared.subscriber.clone(),
            view: View::default(),
            context: None,
        };
        let settings = EguiNiceSettings::new().with_tile("Residue").with_resize_hint(resize_hint());
        let editor = create_egui_editor(state, self.shared.repaint.clone(), settings, app)
            .ok_or("the editor could not be created")?;
        let spawned = editor.spawn(parent, wait_for_parent, fallback_scale_factor, gui_context, host)?;
        self.shared.open.store(true, Ordering::Release);
        Ok(SpawnedEditor {
            handle: Handle { inner: spawned.handle, open: self.shared.open.clone(), scale: self.scale.clone() },
            window: spawned.window,
        })
    }

    fn size(&self) -> NativeSize<u32> {
        let g = self.geometry();
        NativeSize::from_size(
            LogicalSize::new(g.width * g.zoom, g.height * g.zoom).into(),
            f64::from_bits(self.scale.load(Ordering::Relaxed)),
        )
    }

    fn resize_hint(&self) -> ResizeHint {
        resize_hint()
    }
}

fn resize_hint() -> ResizeHint {
    ResizeHint::resizable().with_min_logical_size(LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1))
}

/// The open window's handle; dropping it (the host closed the editor) stops the analysis feed.
pub struct Handle {
    inner: EguiEditorHandle,
    open: Arc<AtomicBool>,
    scale: Arc<AtomicU64>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.open.store(false, Ordering::Release);
    }
}

impl EditorHandle for Handle {
    type Window = <EguiEditorHandle as EditorHandle>::Window;
    type Error = <EguiEditorHandle as EditorHandle>::Error;

    fn run_until_closed(window: Self::Window) -> Result<(), Self::Error> {
        EguiEditorHandle::run_until_closed(window)
    }
    fn set_parent(&self, parent: ParentWindowHandle, window: &Self::Window) -> Result<(), Self::Error> {
        self.inner.set_parent(parent, window)
    }
    fn show(&self, window: &Self::Window) -> Result<(), Self::Error> {
        self.inner.show(window)
    }
    fn hide(&self, window: &Self::Window) -> Result<(), Self::Error> {
        self.inner.hide(window)
    }
    fn host_main_thread_callback(&self, window: &Self::Window) {
        self.inner.host_main_thread_callback(window)
    }
    fn set_size(&self, new_size: NativeSize<u32>, window: &Self::Window) -> Result<(), Self::Error> {
        self.inner.set_size(new_size, window)
    }
    fn set_fallback_scale_factor(&self, scale_factor: f64, window: &Self::Window) -> Result<(), Self::Error> {
        self.scale.store(scale_factor.to_bits(), Ordering::Relaxed);
        self.inner.set_fallback_scale_factor(scale_factor, window)
    }
    fn adjust_size(&self, new_size: NativeSize<u32>, window: &Self::Window) -> Option<NativeSize<u32>> {
        self.inner.adjust_size(new_size, window)
    }
    fn on_virtual_key_from_host(&self, key: VirtualKeyCode, is_down: bool, modifiers: Modifiers) -> bool {
        self.inner.on_virtual_key_from_host(key, is_down, modifiers)
    }
    fn state_changed(&self) {
        self.inner.state_changed()
    }
    fn param_value_changed(&self, id: &str, normalized_value: f32) {
        self.inner.param_value_changed(id, normalized_value)
    }
    fn param_modulation_changed(&self, id: &str, modulation_offset: f32) {
        self.inner.param_modulation_changed(id, modulation_offset)
    }
}
