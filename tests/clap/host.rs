//! A small CLAP host over clack-host: loads the built `Residue.clap`, selects a port
//! configuration, sets parameters, processes whole signals in given block sizes, saves and
//! loads state. What a DAW does, minus the GUI: the test thread is the main thread, `process`
//! runs on an audio thread of its own, the plugin's main-thread callbacks are served on the main
//! thread, a requested restart is honoured (deactivate, activate), and the latency is read at
//! each activation. Every call the plugin makes into the host is checked against CLAP's rules
//! (`callbacks.rs`); a test fails on the first call out of place.

use std::ffi::CString;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clack_extensions::audio_ports::{AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::audio_ports_config::{AudioPortsConfigBuffer, PluginAudioPortsConfig};
use clack_extensions::latency::PluginLatency;
use clack_extensions::params::{ParamInfoBuffer, ParamInfoFlags, PluginParams};
use clack_extensions::preset_discovery::prelude::{Location, PluginPresetLoad};
use clack_extensions::render::{PluginRender, RenderMode};
use clack_extensions::state::PluginState;
use clack_host::events::event_types::{ParamValueEvent, TransportEvent, TransportFlags};
use clack_host::events::{EventFlags, EventHeader};
use clack_host::prelude::*;
use clack_host::utils::{BeatTime, SecondsTime};

use super::callbacks::{Host, MainThread, Shared, Stage};

/// One plugin library in use at a time in this process, as in a DAW's plugin host: loading
/// and unloading the same `.clap` from parallel test threads crashes inside the loader.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `target/bundled/Residue.clap`, or the bundle `RESIDUE_CLAP_BUNDLE` names (to run these
/// tests on another build of it).
pub fn bundle_path() -> PathBuf {
    let path = std::env::var_os("RESIDUE_CLAP_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bundled/Residue.clap"));
    assert!(path.exists(), "{} is missing: run `cargo xtask bundle residue --release` first", path.display());
    path
}

pub struct Port {
    pub name: String,
    pub channels: u32,
    pub main: bool,
    /// CLAP's port type ("mono", "stereo"; `None`: unspecified, any channels).
    pub kind: Option<String>,
}

pub struct Param {
    pub id: ClapId,
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    /// Flagged as the plugin's bypass (`CLAP_PARAM_IS_BYPASS`).
    pub bypass: bool,
    /// Flagged as automatable (`CLAP_PARAM_IS_AUTOMATABLE`).
    pub automatable: bool,
}

/// When the host runs the plugin's main-thread callbacks (`clap_plugin::on_main_thread`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Callbacks {
    /// As soon as they are asked for, also while the audio thread processes (a DAW).
    WhileProcessing,
    /// Only once processing is over and the plugin is deactivated (a host bouncing offline, and
    /// clap-validator's parameter tests): CLAP lets the host choose when to serve them.
    AfterDeactivating,
}

/// One signal to process and how the host hands it over.
pub struct Signal<'a> {
    pub main: &'a [Vec<f32>],
    /// None: the host sends no sidechain buffers.
    pub sidechain: Option<&'a [Vec<f32>]>,
    /// The sidechain's buffers lie in memory right after the main input's, but the host counts
    /// only the main input (`audio_inputs_count` = 1): the plugin must not read them.
    pub sidechain_beyond_count: bool,
    /// Block sizes, cycled through.
    pub blocks: &'a [usize],
    /// (sample, parameter, value), each sent in the block that contains its sample.
    pub events: &'a [(usize, ClapId, f64)],
    /// A transport event at this offset in every block, also when that lies past the block's
    /// end (a host bug the plugin must survive).
    pub transport_at: Option<u32>,
}

pub struct Loaded {
    pub instance: PluginInstance<Host>,
    _entry: PluginEntry,
    pub callbacks: Callbacks,
    /// The latency the host read at the last activation.
    latency: Option<u32>,
    activations: u32,
}

impl Drop for Loaded {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_no_violations();
        }
    }
}

impl Loaded {
    pub fn new() -> Self {
        // SAFETY: loading a plugin library runs its code; it is the library under test.
        let entry = unsafe { PluginEntry::load(bundle_path()) }.expect("load Residue.clap");
        let factory = entry.get_plugin_factory().expect("plugin factory");
        let descriptor = factory.plugin_descriptors().next().expect("one plugin in the bundle");
        let id = CString::from(descriptor.id().expect("an id"));
        let host = HostInfo::new("residue-tests", "Residue", "", "1.0").unwrap();
        let instance =
            PluginInstance::<Host>::new(|_| Shared::new(), |shared| MainThread { shared }, &entry, &id, &host)
                .expect("instantiate");
        let loaded =
            Self { instance, _entry: entry, callbacks: Callbacks::WhileProcessing, latency: None, activations: 0 };
        loaded.assert_no_violations();
        loaded
    }

    fn shared<R>(&self, f: impl FnOnce(&Shared) -> R) -> R {
        self.instance.access_shared_handler(f)
    }

    /// Fails the test on any call the plugin made out of its CLAP context so far.
    pub fn assert_no_violations(&self) {
        let violations = self.shared(Shared::take_violations);
        assert!(violations.is_empty(), "the plugin broke CLAP's rules for host calls:\n  {}", violations.join("\n  "));
    }

    /// How many times the plugin called `clap_host::request_restart` so far.
    pub fn restart_requests(&self) -> u32 {
        self.shared(|s| s.restart_requests.load(Ordering::SeqCst))
    }

    /// How many times the plugin called `clap_host_latency::changed` (always inside `activate`,
    /// or `assert_no_violations` fails).
    pub fn latency_changes(&self) -> u32 {
        self.shared(|s| s.latency_changes.load(Ordering::SeqCst))
    }

    /// How many times the host activated the plugin (restarts included).
    pub fn activations(&self) -> u32 {
        self.activations
    }

    /// Runs the plugin's main-thread callbacks it asked for, on this (the main) thread.
    fn serve_callbacks(&mut self) {
        for _ in 0..16 {
            if !self.shared(|s| s.callback_requested.swap(false, Ordering::SeqCst)) {
                return;
            }
            self.instance.call_on_main_thread_callback();
        }
        panic!("the plugin keeps asking for main-thread callbacks");
    }

    /// Activates and reads the latency, as a host does to set up its delay compensation. A
    /// restart asked for from inside `activate` is honoured at once (as clap-validator does).
    fn activate(&mut self, config: PluginAudioConfiguration) -> StoppedPluginAudioProcessor<Host> {
        for _ in 0..4 {
            self.shared(|s| s.set_stage(Stage::Activating));
            let activated = self.instance.activate(|_, _| (), config);
            self.shared(|s| s.set_stage(if activated.is_ok() { Stage::Active } else { Stage::Inactive }));
            let stopped = activated.unwrap_or_else(|e| panic!("activate at {} Hz: {e}", config.sample_rate));
            self.activations += 1;
            // [main-thread & (being-activated | active)]
            let handle = self.instance.plugin_handle();
            let ext: PluginLatency = handle.get_extension().expect("latency extension");
            self.latency = Some(ext.get(&handle));
            if !self.shared(|s| s.restart_requested.swap(false, Ordering::SeqCst)) {
                return stopped;
            }
            self.deactivate(stopped);
        }
        panic!("the plugin keeps asking for a restart from inside activate");
    }

    fn deactivate(&mut self, stopped: StoppedPluginAudioProcessor<Host>) {
        self.instance.deactivate(stopped);
        self.shared(|s| s.set_stage(Stage::Inactive));
    }

    /// Activates at `rate` and deactivates again, serving callbacks in between: what a host
    /// does to learn the latency before playing.
    pub fn activate_and_deactivate(&mut self, rate: f64, max_block: u32) {
        let stopped = self.activate(PluginAudioConfiguration {
            sample_rate: rate,
            min_frames_count: 1,
            max_frames_count: max_block,
        });
        if self.callbacks == Callbacks::WhileProcessing {
            self.serve_callbacks();
        }
        self.deactivate(stopped);
        self.serve_callbacks();
        self.shared(|s| s.restart_requested.store(false, Ordering::SeqCst));
        self.assert_no_violations();
    }

    pub fn descriptor(&self) -> (String, Vec<String>) {
        let factory = self._entry.get_plugin_factory().unwrap();
        let d = factory.plugin_descriptors().next().unwrap();
        let s = |c: Option<&std::ffi::CStr>| c.map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
        (s(d.id()), d.features().map(|f| f.to_string_lossy().into_owned()).collect())
    }

    pub fn ports(&mut self, input: bool) -> Vec<Port> {
        let handle = self.instance.plugin_handle();
        let ext: PluginAudioPorts = handle.get_extension().expect("audio-ports extension");
        let mut buf = AudioPortInfoBuffer::new();
        (0..ext.count(&handle, input))
            .map(|i| {
                let p = ext.get(&handle, i, input, &mut buf).expect("port info");
                Port {
                    name: String::from_utf8_lossy(p.name).into_owned(),
                    channels: p.channel_count,
                    main: p.flags.contains(clack_extensions::audio_ports::AudioPortFlags::IS_MAIN),
                    kind: p.port_type.map(|t| t.0.to_string_lossy().into_owned()),
                }
            })
            .collect()
    }

    /// The port configurations the plugin offers: (id, name, main channels of the first input).
    pub fn configs(&mut self) -> Vec<(ClapId, String)> {
        let handle = self.instance.plugin_handle();
        let ext: PluginAudioPortsConfig = handle.get_extension().expect("audio-ports-config extension");
        let mut buf = AudioPortsConfigBuffer::new();
        (0..ext.count(&handle))
            .map(|i| {
                let c = ext.get(&handle, i, &mut buf).expect("config");
                (c.id, String::from_utf8_lossy(c.name).into_owned())
            })
            .collect()
    }

    pub fn select_config(&mut self, id: ClapId) {
        let handle = self.instance.plugin_handle();
        let ext: PluginAudioPortsConfig = handle.get_extension().unwrap();
        ext.select(&handle, id).expect("select port configuration");
    }

    /// The latency the host read at the plugin's last activation (CLAP lets a host read it
    /// only while activating or active).
    pub fn latency(&self) -> u32 {
        self.latency.expect("the plugin has not been activated yet")
    }

    pub fn params(&mut self) -> Vec<Param> {
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().expect("params extension");
        let mut buf = ParamInfoBuffer::new();
        (0..ext.count(&handle))
            .map(|i| {
                let p = ext.get_info(&handle, i, &mut buf).expect("param info");
                Param {
                    id: p.id,
                    name: String::from_utf8_lossy(p.name).into_owned(),
                    min: p.min_value,
                    max: p.max_value,
                    default: p.default_value,
                    bypass: p.flags.contains(ParamInfoFlags::IS_BYPASS),
                    automatable: p.flags.contains(ParamInfoFlags::IS_AUTOMATABLE),
                }
            })
            .collect()
    }

    /// Whether the plugin gives information for the parameter at `index` (a host asking past
    /// the end must get `false`, not a crash).
    pub fn param_info_exists(&mut self, index: u32) -> bool {
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().unwrap();
        let mut buf = ParamInfoBuffer::new();
        ext.get_info(&handle, index, &mut buf).is_some()
    }

    pub fn param_id(&mut self, name: &str) -> ClapId {
        self.params().into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no parameter named {name}")).id
    }

    pub fn value(&mut self, id: ClapId) -> f64 {
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().unwrap();
        ext.get_value(&handle, id).expect("value")
    }

    pub fn value_text(&mut self, id: ClapId, value: f64) -> String {
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().unwrap();
        let mut buf = [0u8; 256];
        let text = ext.value_to_text(&handle, id, value, &mut buf).expect("value_to_text");
        String::from_utf8_lossy(text).into_owned()
    }

    /// The parameter value the plugin parses from `text` (as a host's text entry does).
    pub fn value_from_text(&mut self, id: ClapId, text: &str) -> f64 {
        self.try_value_from_text(id, text).unwrap_or_else(|| panic!("plugin cannot parse {text:?}"))
    }

    /// The value the plugin parses from `text`, or `None` when it refuses the text.
    pub fn try_value_from_text(&mut self, id: ClapId, text: &str) -> Option<f64> {
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().unwrap();
        let c = CString::new(text).unwrap();
        ext.text_to_value(&handle, id, &c)
    }

    /// Sets parameters by name from display text, while inactive.
    pub fn set_params_text(&mut self, values: &[(&str, &str)]) {
        let values: Vec<(ClapId, f64)> = values
            .iter()
            .map(|(name, text)| {
                let id = self.param_id(name);
                (id, self.value_from_text(id, text))
            })
            .collect();
        self.set_params(&values);
    }

    /// Sets parameters (values as the params list reports them) while inactive.
    pub fn set_params(&mut self, values: &[(ClapId, f64)]) {
        let events: Vec<ParamValueEvent> =
            values.iter().map(|&(id, v)| ParamValueEvent::new(0, id, Pckn::match_all(), v)).collect();
        let mut buffer = EventBuffer::new();
        for e in &events {
            buffer.push(e);
        }
        let mut out = EventBuffer::new();
        let mut handle = self.instance.inactive_plugin_handle().expect("inactive");
        let ext: PluginParams = handle.get_extension().unwrap();
        ext.flush(&mut handle, &InputEvents::from_buffer(&buffer), &mut OutputEvents::from_buffer(&mut out));
    }

    /// Switches between real-time and offline rendering (CLAP's render extension).
    pub fn set_offline(&mut self, offline: bool) {
        let handle = self.instance.plugin_handle();
        let ext: PluginRender = handle.get_extension().expect("render extension");
        let mode = if offline { RenderMode::Offline } else { RenderMode::Realtime };
        ext.set(&handle, mode).expect("render mode accepted");
    }

    /// The plugin library this instance came from.
    pub fn entry(&self) -> &PluginEntry {
        &self._entry
    }

    /// Loads a preset through the plugin's `preset-load` extension (`None`: the plugin does not
    /// offer it), then serves the main-thread callbacks it asked for, as a host does.
    pub fn load_preset(&mut self, location: Location, load_key: Option<&str>) -> Option<bool> {
        let key = load_key.map(|k| CString::new(k).unwrap());
        let loaded = {
            let handle = self.instance.plugin_handle();
            let ext: PluginPresetLoad = handle.get_extension()?;
            ext.load_from_location(&handle, location, key.as_deref()).is_ok()
        };
        self.serve_callbacks();
        Some(loaded)
    }

    /// The load keys the plugin reported loaded (`clap_host_preset_load::loaded`), and the
    /// errors it reported (`on_error`), so far.
    pub fn preset_reports(&self) -> (Vec<String>, Vec<String>) {
        self.shared(|s| (s.presets_loaded.lock().unwrap().clone(), s.preset_errors.lock().unwrap().clone()))
    }

    pub fn save(&mut self) -> Vec<u8> {
        let handle = self.instance.plugin_handle();
        let ext: PluginState = handle.get_extension().expect("state extension");
        let mut bytes = Vec::new();
        ext.save(&handle, &mut bytes).expect("save state");
        bytes
    }

    pub fn load(&mut self, bytes: &[u8]) -> bool {
        let handle = self.instance.plugin_handle();
        let ext: PluginState = handle.get_extension().unwrap();
        ext.load(&handle, &mut &bytes[..]).is_ok()
    }

    /// Activates at `rate`, processes `main` + `sidechain` (None: no sidechain buffers) in
    /// blocks cycling through `blocks`, with `events[k]` (sample offset, param, value) sent in
    /// the block that contains them, then deactivates. Returns the output channels.
    pub fn process(
        &mut self,
        rate: f64,
        main: &[Vec<f32>],
        sidechain: Option<&[Vec<f32>]>,
        blocks: &[usize],
        events: &[(usize, ClapId, f64)],
    ) -> Vec<Vec<f32>> {
        self.process_signal(
            rate,
            &Signal { main, sidechain, sidechain_beyond_count: false, blocks, events, transport_at: None },
        )
    }

    /// `process` for any `Signal`. The audio runs on an audio thread; the main thread serves
    /// callbacks meanwhile (with `Callbacks::WhileProcessing`) and honours a restart the plugin
    /// asks for: processing stops after the current block, the plugin is deactivated and
    /// activated again (the latency is read anew) and processing goes on from there.
    pub fn process_signal(&mut self, rate: f64, signal: &Signal) -> Vec<Vec<f32>> {
        let max_block = signal.blocks.iter().copied().max().unwrap_or(1).max(1);
        let config =
            PluginAudioConfiguration { sample_rate: rate, min_frames_count: 1, max_frames_count: max_block as u32 };
        let len = signal.main[0].len();
        let mut out = vec![vec![0.0f32; len]; signal.main.len()];
        let (mut at, mut block) = (0, 0);
        let mut stopped = self.activate(config);
        loop {
            let serve = self.callbacks == Callbacks::WhileProcessing;
            let (s, next_at, next_block) = std::thread::scope(|scope| {
                let out = &mut out;
                let audio = scope.spawn(move || run_audio_thread(stopped, signal, out, at, block, max_block));
                while !audio.is_finished() {
                    if serve {
                        self.serve_callbacks();
                    }
                    std::thread::sleep(Duration::from_micros(100));
                }
                audio.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            });
            (stopped, at, block) = (s, next_at, next_block);
            if serve {
                self.serve_callbacks();
            }
            let restart = self.shared(|s| s.restart_requested.swap(false, Ordering::SeqCst));
            if !restart && at >= len {
                break;
            }
            if restart {
                self.deactivate(stopped);
                stopped = self.activate(config);
            }
        }
        self.deactivate(stopped);
        self.serve_callbacks();
        // Asked while inactive: the next activation is a fresh one anyway.
        self.shared(|s| s.restart_requested.store(false, Ordering::SeqCst));
        self.assert_no_violations();
        out
    }
}

/// The audio thread's part: start processing, process blocks from sample `at` (block index
/// `block` in the cycle) until the end or until the host wants to restart the plugin, stop.
/// Returns the processor and where it stopped.
fn run_audio_thread(
    stopped: StoppedPluginAudioProcessor<Host>,
    signal: &Signal,
    out: &mut [Vec<f32>],
    mut at: usize,
    mut block: usize,
    max_block: usize,
) -> (StoppedPluginAudioProcessor<Host>, usize, usize) {
    stopped.access_shared_handler(|s| s.enter_audio_thread());
    let mut processor = stopped.start_processing().expect("start processing");
    processor.access_shared_handler(|s| s.set_stage(Stage::Processing));
    let len = signal.main[0].len();
    let mut in_ports = AudioPorts::with_capacity(signal.main.len() + 2, 2);
    let mut out_ports = AudioPorts::with_capacity(signal.main.len(), 1);
    let mut main_buf = vec![vec![0.0f32; max_block]; signal.main.len()];
    let mut sc_buf = vec![vec![0.0f32; max_block]; signal.sidechain.map_or(0, |s| s.len())];
    let mut out_buf = vec![vec![0.0f32; max_block]; signal.main.len()];
    let mut event_buffer = EventBuffer::new();
    while at < len && !processor.access_shared_handler(|s| s.restart_requested.load(Ordering::SeqCst)) {
        let n = signal.blocks[block % signal.blocks.len()].min(len - at);
        block += 1;
        if n == 0 {
            continue;
        }
        for (b, src) in main_buf.iter_mut().zip(signal.main) {
            b[..n].copy_from_slice(&src[at..at + n]);
        }
        if let Some(sc) = signal.sidechain {
            for (b, src) in sc_buf.iter_mut().zip(sc) {
                b[..n].copy_from_slice(&src[at..at + n]);
            }
        }
        event_buffer.clear();
        for &(t, id, v) in signal.events.iter().filter(|(t, _, _)| (at..at + n).contains(t)) {
            event_buffer.push(&ParamValueEvent::new((t - at) as u32, id, Pckn::match_all(), v));
        }
        if let Some(time) = signal.transport_at {
            event_buffer.push(&transport_event(time));
        }
        let mut ports = vec![AudioPortBuffer {
            latency: 0,
            channels: AudioPortBufferType::f32_input_only(input_channels(&mut main_buf, n)),
        }];
        if signal.sidechain.is_some() {
            ports.push(AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_input_only(input_channels(&mut sc_buf, n)),
            });
        }
        let declared = in_ports.with_input_buffers(ports);
        let inputs = if signal.sidechain_beyond_count {
            // SAFETY: the first buffer of a valid array, `n` frames long like all of them.
            unsafe { InputAudioBuffers::from_raw_buffers(&declared.as_raw_buffers()[..1], n as u32) }
        } else {
            declared
        };
        let mut outputs = out_ports.with_output_buffers([AudioPortBuffer {
            latency: 0,
            channels: AudioPortBufferType::f32_output_only(out_buf.iter_mut().map(|b| &mut b[..n])),
        }]);
        let mut out_events = EventBuffer::new();
        processor
            .process(
                &inputs,
                &mut outputs,
                &InputEvents::from_buffer(&event_buffer),
                &mut OutputEvents::from_buffer(&mut out_events),
                Some(at as u64),
                None,
            )
            .expect("process");
        for (o, b) in out.iter_mut().zip(&out_buf) {
            o[at..at + n].copy_from_slice(&b[..n]);
        }
        at += n;
    }
    let stopped = processor.stop_processing();
    stopped.access_shared_handler(|s| {
        s.set_stage(Stage::Active);
        s.leave_audio_thread();
    });
    (stopped, at, block)
}

/// A playing transport at 120 BPM, 4/4, bar 0, at `time` in the block.
fn transport_event(time: u32) -> TransportEvent {
    TransportEvent {
        header: EventHeader::new_core(time, EventFlags::empty()),
        flags: TransportFlags::IS_PLAYING | TransportFlags::HAS_TEMPO | TransportFlags::HAS_TIME_SIGNATURE,
        song_pos_beats: BeatTime::from_int(0),
        song_pos_seconds: SecondsTime::from_int(0),
        tempo: 120.0,
        tempo_inc: 0.0,
        loop_start_beats: BeatTime::from_int(0),
        loop_end_beats: BeatTime::from_int(0),
        loop_start_seconds: SecondsTime::from_int(0),
        loop_end_seconds: SecondsTime::from_int(0),
        bar_start: BeatTime::from_int(0),
        bar_number: 0,
        time_signature_numerator: 4,
        time_signature_denominator: 4,
    }
}

fn input_channels(bufs: &mut [Vec<f32>], n: usize) -> Vec<InputChannel<'_, f32>> {
    bufs.iter_mut().map(|b| InputChannel::variable(&mut b[..n])).collect()
}
