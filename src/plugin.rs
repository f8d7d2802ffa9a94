//! The plugin shell: host buffers → engine, parameters → engine settings, latency → host.
//! Everything that sizes memory happens in `activate`; `process` never allocates.
//!
//! What the engine learned outlives what hosts do to a plugin: `reset` (every start of
//! playback) forgets only the audio; `activate` with the same configuration keeps the engine,
//! with another one (sample rate, channels) it carries the profile over; a saved state carries
//! it into the next session ([`crate::session`]). Only Relearn forgets.
//!
//! The sidechain may carry several sources side by side (the Sources parameter): there is one
//! engine per grouping the sidechain's width allows, all built in `activate`
//! ([`crate::dsp::sidechain::Engines`]), and `process` runs the one the parameter selects.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::prelude::*;

use crate::dsp::sidechain::{Engines, MAX_SIDECHAIN_CHANNELS};
use crate::dsp::stft::MAX_WINDOW;
use crate::dsp::EngineConfig;
use crate::editor::{ResidueEditor, Shared};
use crate::meter::{self, Publisher, Subscriber};
use crate::params::ResidueParams;
use crate::session::{Loaded, ProfileLink};
use nice_plug_egui::RepaintNotifier;

pub struct Residue {
    params: Arc<ResidueParams>,
    /// One engine per grouping of the sidechain's channels into sources.
    engines: Option<Engines>,
    /// Analysis frames for the editor, sent only while it is open.
    publisher: Publisher,
    subscriber: Option<Subscriber>,
    editor_open: Arc<AtomicBool>,
    repaint: RepaintNotifier,
    /// The engine's end of the saved profile's way in and out.
    link: ProfileLink,
    /// Relearn's value in the last block: it acts when it turns on.
    relearn_was: bool,
}

impl Default for Residue {
    fn default() -> Self {
        let (publisher, subscriber) = meter::channel(MAX_WINDOW / 2 + 1);
        let params = Arc::new(ResidueParams::default());
        let link = params.profile.take_link().expect("a new store has its link");
        Self {
            params,
            link,
            relearn_was: false,
            engines: None,
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
            names: PortNames {
                layout: Some("Stereo, mono sidechain"),
                aux_inputs: &["Sidechain"],
                ..PortNames::const_default()
            },
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
            names: PortNames {
                layout: Some("Mono, stereo sidechain"),
                aux_inputs: &["Sidechain"],
                ..PortNames::const_default()
            },
            ..AudioIOLayout::const_default()
        },
        // Several sources on their own channels, for hosts with multichannel pins (Reaper,
        // Ardour): grouped by the Sources parameter. After the others, so that a saved session's
        // layout index keeps meaning what it meant.
        AudioIOLayout {
            main_input_channels: STEREO,
            main_output_channels: STEREO,
            aux_input_ports: &[new_nonzero_u32(4)],
            names: PortNames {
                layout: Some("Stereo, 4-channel sidechain"),
                aux_inputs: &["Sidechain"],
                ..PortNames::const_default()
            },
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: MONO,
            main_output_channels: MONO,
            aux_input_ports: &[new_nonzero_u32(4)],
            names: PortNames {
                layout: Some("Mono, 4-channel sidechain"),
                aux_inputs: &["Sidechain"],
                ..PortNames::const_default()
            },
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

    fn activate(
        &mut self,
        layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let main_channels = layout.main_output_channels.map_or(0, NonZeroU32::get) as usize;
        let sidechain = layout.aux_input_ports.first().map_or(0, |n| n.get() as usize).min(MAX_SIDECHAIN_CHANNELS);
        let config = EngineConfig {
            sample_rate: buffer_config.sample_rate,
            main_channels,
            sources: vec![],
            max_window: MAX_WINDOW,
        };
        let (window, overlap) = self.params.window(buffer_config.sample_rate);
        let mode = self.params.mode();
        let grouping = self.params.sources.value().into();
        self.relearn_was = self.params.relearn.value();
        // The same configuration (a host re-preparing the plugin): the engines as they are.
        if let Some(engines) = self.engines.as_mut().filter(|e| e.fit(&config, sidechain)) {
            if engines.select(grouping) {
                self.link.publish_switched(engines.active());
            }
            let engine = engines.active_mut();
            engine.set_settings(&self.params.settings(0));
            let _ = engine.set_window(window, overlap);
            engine.set_mode(mode);
            take_loaded(&mut self.link, engines);
            context.set_latency_samples(engines.active().latency() as u32);
            return true;
        }
        match Engines::new(&config, sidechain, grouping, window, overlap, self.params.settings(0), mode) {
            Ok(mut engines) => {
                if let Some(old) = &self.engines {
                    engines.carry_from(old);
                }
                take_loaded(&mut self.link, &mut engines);
                context.set_latency_samples(engines.active().latency() as u32);
                self.engines = Some(engines);
                true
            }
            Err(e) => {
                nice_error!("Residue cannot run here: {e}");
                false
            }
        }
    }

    /// Forgets the audio, not what was learned (hosts call this at every start of playback).
    fn reset(&mut self) {
        if let Some(engines) = &mut self.engines {
            engines.active_mut().reset();
        }
    }

    fn stop_processing(&mut self) {
        if let Some(engines) = &self.engines {
            self.link.publish(engines.active(), 0, true);
        }
    }

    fn deactivate(&mut self) {
        if let Some(engines) = &self.engines {
            self.params.profile.hand_over(&self.link, engines.active());
        }
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let Some(engines) = &mut self.engines else {
            return ProcessStatus::Normal;
        };
        // Another grouping: its engine (built in `activate`) takes over, without allocating.
        let switched = engines.select(self.params.sources.value().into());
        let engine = engines.active_mut();
        let (window, overlap) = self.params.window(engine.sample_rate());
        let latency = engine.latency();
        if (window, overlap) != (engine.window(), engine.overlap()) {
            let _ = engine.set_window(window, overlap);
        }
        // Mix or Live: another latency, reported through the format's own path as FFT Size's is.
        engine.set_mode(self.params.mode());
        if engine.latency() != latency {
            context.set_latency_samples(engine.latency() as u32);
        }
        engine.set_settings(&self.params.settings(buffer.samples() as u32));
        if switched {
            self.link.publish_switched(engine);
        }
        if take_loaded(&mut self.link, engines) {
            // A state loaded with Relearn on is not the user pressing it.
            self.relearn_was = self.params.relearn.value();
        }
        let relearn = self.params.relearn.value();
        if relearn && !self.relearn_was {
            engines.relearn();
        }
        self.relearn_was = relearn;
        let engine = engines.active_mut();
        // Up to four sidechain channels, borrowed without allocating.
        let mut refs: [&[f32]; MAX_SIDECHAIN_CHANNELS] = [&[]; MAX_SIDECHAIN_CHANNELS];
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
        self.link.publish(engine, buffer.samples(), false);
        ProcessStatus::Tail(engine.latency() as u32)
    }
}

/// Applies what a loaded state asks of the engines, if a load came in; whether one did.
fn take_loaded(link: &mut ProfileLink, engines: &mut Engines) -> bool {
    match link.take_loaded_with_sources() {
        None => false,
        Some((Loaded::Profile(p), sources)) => {
            engines.load(p, sources);
            true
        }
        Some((Loaded::Forget, _)) => {
            engines.relearn();
            true
        }
        Some((Loaded::Nothing, _)) => true,
    }
}

impl ClapPlugin for Residue {
    const CLAP_ID: &'static str = "audio.residue.residue";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Removes bleed using a reference of the bleeding source on the sidechain");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Restoration,
        ClapFeature::Mixing,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];

    fn factory_presets() -> Vec<nice_plug::wrapper::clap::FactoryPreset> {
        crate::params::presets::factory_presets()
    }
}

impl Vst3Plugin for Residue {
    const VST3_CLASS_ID: [u8; 16] = *b"ResidueBleedRmvr";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Fx, Vst3SubCategory::Restoration];
}
