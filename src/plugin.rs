//! The plugin shell: host buffers → engine, parameters → engine settings, latency → host.
//! Everything that sizes memory happens in `activate`; `process` never allocates.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::prelude::*;

use crate::dsp::{Engine, EngineConfig, MAX_SOURCE_CHANNELS};
use crate::editor::{ResidueEditor, Shared};
use crate::meter::{self, Publisher, Subscriber};
use crate::params::ResidueParams;
use nice_plug_egui::RepaintNotifier;

/// The largest FFT size the `FFT Size` parameter offers; the engine is sized for it once.
const MAX_WINDOW: usize = 16384;

pub struct Residue {
    params: Arc<ResidueParams>,
    engine: Option<Engine>,
    /// Analysis frames for the editor, sent only while it is open.
    publisher: Publisher,
    subscriber: Option<Subscriber>,
    editor_open: Arc<AtomicBool>,
    repaint: RepaintNotifier,
}

impl Default for Residue {
    fn default() -> Self {
        let (publisher, subscriber) = meter::channel(MAX_WINDOW / 2 + 1);
        Self {
            params: Arc::new(ResidueParams::default()),
            engine: None,
            publisher,
            subscriber: Some(subscriber),
            editor_open: Arc::new(AtomicBool::new(false)),
            repaint: RepaintNotifier::new(),
        }
    }
}

const STEREO: Option<NonZeroU32> = NonZeroU32::new(2);
const MONO: Option<NonZeroU32> = NonZeroU32::new(1);

impl Plugin for Residue {
    const NAME: &'static str = "Residue";
    const VENDOR: &'static str = "Residue";
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: STEREO,
            main_output_channels: STEREO,
            aux_input_ports: &[new_nonzero_u32(2)],
            names: PortNames { layout: Some("Stereo"), aux_inputs: &["Sidechain"], ..PortNames::const_default() },
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: STEREO,
            main_output_channels: STEREO,
            aux_input_ports: &[new_nonzero_u32(1)],
            names: PortNames { layout: Some("Stereo, mono sidechain"), aux_inputs: &["Sidechain"], ..PortNames::const_default() },
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: MONO,
            main_output_channels: MONO,
            aux_input_ports: &[new_nonzero_u32(1)],
            names: PortNames { layout: Some("Mono"), aux_inputs: &["Sidechain"], ..PortNames::const_default() },
            ..AudioIOLayout::const_default()
        },
        // A mono track whose bleeding source was recorded in stereo; also what a VST3 host asks
        // for when it makes the track mono and keeps the sidechain as it was.
        AudioIOLayout {
            main_input_channels: MONO,
            main_output_channels: MONO,
            aux_input_ports: &[new_nonzero_u32(2)],
            names: PortNames { layout: Some("Mono, stereo sidechain"), aux_inputs: &["Sidechain"], ..PortNames::const_default() },
            ..AudioIOLayout::const_default()
        },
    ];

    type Editor = ResidueEditor;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        let subscriber = self.subscriber.take()?;
        Some(ResidueEditor::new(Shared {
            params: self.params.clone(),
            subscriber: Arc::new(Mutex::new(subscriber)),
            open: self.editor_open.clone(),
            repaint: self.repaint.clone(),
        }))
    }

    fn activate(&mut self, layout: &AudioIOLayout, buffer_config: &BufferConfig, context: &mut impl ActivateContext<Self>) -> bool {
        let main_channels = layout.main_output_channels.map_or(0, NonZeroU32::get) as usize;
        let sidechain = layout.aux_input_ports.first().map_or(0, |n| n.get() as usize).min(MAX_SOURCE_CHANNELS);
        let config = EngineConfig {
            sample_rate: buffer_config.sample_rate,
            main_channels,
            sources: if sidechain > 0 { vec![sidechain] } else { vec![] },
            max_window: MAX_WINDOW,
        };
        let (window, overlap) = self.params.window();
        match Engine::new(&config, window, overlap, self.params.settings(0)) {
            Ok(engine) => {
                context.set_latency_samples(engine.latency() as u32);
                self.engine = Some(engine);
                true
            }
            Err(e) => {
                nice_error!("Residue cannot run here: {e}");
                self.engine = None;
                false
            }
        }
    }

    fn reset(&mut self) {
        if let Some(engine) = &mut self.engine {
            engine.reset();
        }
    }

    fn process(&mut self, buffer: &mut Buffer, aux: &mut AuxiliaryBuffers, context: &mut impl ProcessContext<Self>) -> ProcessStatus {
        let Some(engine) = &mut self.engine else {
            return ProcessStatus::Normal;
        };
        let (window, overlap) = self.params.window();
        if (window, overlap) != (engine.window(), engine.overlap()) && engine.set_window(window, overlap).is_ok() {
            context.set_latency_samples(engine.latency() as u32);
        }
        engine.set_settings(&self.params.settings(buffer.samples() as u32));
        // Up to two sidechain channels, borrowed without allocating.
        let mut refs: [&[f32]; MAX_SOURCE_CHANNELS] = [&[]; MAX_SOURCE_CHANNELS];
        let mut ref_count = 0;
        if let Some(sidechain) = aux.inputs.first() {
            for (slot, channel) in refs.iter_mut().zip(sidechain.as_slice_immutable().iter()) {
                *slot = channel;
                ref_count += 1;
            }
        }
        let watching = self.editor_open.load(Ordering::Acquire);
        engine.set_analysis(watching);
        engine.process(buffer.as_slice(), &refs[..ref_count]);
        if watching && self.publisher.publish(engine.analysis()) {
            self.repaint.request_repaint();
        }
        ProcessStatus::Tail(engine.latency() as u32)
    }
}

impl ClapPlugin for Residue {
    const CLAP_ID: &'static str = "audio.residue.residue";
    const CLAP_DESCRIPTION: Option<&'static str> = Some("Removes bleed using a reference of the bleeding source on the sidechain");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] =
        &[ClapFeature::AudioEffect, ClapFeature::Restoration, ClapFeature::Mixing, ClapFeature::Stereo, ClapFeature::Mono];
}

impl Vst3Plugin for Residue {
    const VST3_CLASS_ID: [u8; 16] = *b"ResidueBleedRmvr";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Fx, Vst3SubCategory::Restoration];
}
