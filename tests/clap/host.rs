//! A small CLAP host over clack-host: loads the built `Residue.clap`, selects a port
//! configuration, sets parameters, processes whole signals in given block sizes, saves and
//! loads state. What a DAW does, minus the GUI.

use std::ffi::CString;
use std::path::PathBuf;

use clack_extensions::audio_ports::{AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::audio_ports_config::{AudioPortsConfigBuffer, PluginAudioPortsConfig};
use clack_extensions::latency::PluginLatency;
use clack_extensions::params::{ParamInfoBuffer, PluginParams};
use clack_extensions::render::{PluginRender, RenderMode};
use clack_extensions::state::PluginState;
use clack_host::events::event_types::ParamValueEvent;
use clack_host::prelude::*;

pub struct Shared;
impl SharedHandler<'_> for Shared {
    fn request_restart(&self) {}
    fn request_process(&self) {}
    fn request_callback(&self) {}
}

pub struct Host;
impl HostHandlers for Host {
    type Shared<'a> = Shared;
    type MainThread<'a> = ();
    type AudioProcessor<'a> = ();
}

/// One plugin library in use at a time in this process, as in a DAW's plugin host: loading
/// and unloading the same `.clap` from parallel test threads crashes inside the loader.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn bundle_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bundled/Residue.clap");
    assert!(path.exists(), "{} is missing: run `cargo xtask bundle residue --release` first", path.display());
    path
}

pub struct Port {
    pub name: String,
    pub channels: u32,
    pub main: bool,
}

pub struct Param {
    pub id: ClapId,
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

pub struct Loaded {
    pub instance: PluginInstance<Host>,
    _entry: PluginEntry,
}

impl Loaded {
    pub fn new() -> Self {
        // SAFETY: loading a plugin library runs its code; it is the library under test.
        let entry = unsafe { PluginEntry::load(bundle_path()) }.expect("load Residue.clap");
        let factory = entry.get_plugin_factory().expect("plugin factory");
        let descriptor = factory.plugin_descriptors().next().expect("one plugin in the bundle");
        let id = CString::from(descriptor.id().expect("an id"));
        let host = HostInfo::new("residue-tests", "Residue", "", "1.0").unwrap();
        let instance = PluginInstance::<Host>::new(|_| Shared, |_| (), &entry, &id, &host).expect("instantiate");
        Self { instance, _entry: entry }
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
                Port { name: String::from_utf8_lossy(p.name).into_owned(), channels: p.channel_count, main: p.flags.contains(clack_extensions::audio_ports::AudioPortFlags::IS_MAIN) }
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

    pub fn latency(&mut self) -> u32 {
        let handle = self.instance.plugin_handle();
        let ext: PluginLatency = handle.get_extension().expect("latency extension");
        ext.get(&handle)
    }

    pub fn params(&mut self) -> Vec<Param> {
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().expect("params extension");
        let mut buf = ParamInfoBuffer::new();
        (0..ext.count(&handle))
            .map(|i| {
                let p = ext.get_info(&handle, i, &mut buf).expect("param info");
                Param { id: p.id, name: String::from_utf8_lossy(p.name).into_owned(), min: p.min_value, max: p.max_value, default: p.default_value }
            })
            .collect()
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
        let handle = self.instance.plugin_handle();
        let ext: PluginParams = handle.get_extension().unwrap();
        let c = CString::new(text).unwrap();
        ext.text_to_value(&handle, id, &c).unwrap_or_else(|| panic!("plugin cannot parse {text:?}"))
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
        let events: Vec<ParamValueEvent> = values.iter().map(|&(id, v)| ParamValueEvent::new(0, id, Pckn::match_all(), v)).collect();
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
    pub fn process(&mut self, rate: f64, main: &[Vec<f32>], sidechain: Option<&[Vec<f32>]>, blocks: &[usize], events: &[(usize, ClapId, f64)]) -> Vec<Vec<f32>> {
        let max_block = blocks.iter().copied().max().unwrap_or(1).max(1);
        let config = PluginAudioConfiguration { sample_rate: rate, min_frames_count: 1, max_frames_count: max_block as u32 };
        let stopped = self.instance.activate(|_, _| (), config).expect("activate");
        let mut processor = stopped.start_processing().expect("start processing");
        let len = main[0].len();
        let mut out = vec![vec![0.0f32; len]; main.len()];
        let mut in_ports = AudioPorts::with_capacity(main.len() + 2, 2);
        let mut out_ports = AudioPorts::with_capacity(main.len(), 1);
        let mut main_buf = vec![vec![0.0f32; max_block]; main.len()];
        let sc_channels = sidechain.map_or(0, |s| s.len());
        let mut sc_buf = vec![vec![0.0f32; max_block]; sc_channels];
        let mut out_buf = vec![vec![0.0f32; max_block]; main.len()];
        let (mut at, mut i) = (0, 0);
        let mut event_buffer = EventBuffer::new();
        while at < len {
            let n = blocks[i % blocks.len()].min(len - at);
            i += 1;
            if n == 0 {
                continue;
            }
            for (b, src) in main_buf.iter_mut().zip(main) {
                b[..n].copy_from_slice(&src[at..at + n]);
            }
            if let Some(sc) = sidechain {
                for (b, src) in sc_buf.iter_mut().zip(sc) {
                    b[..n].copy_from_slice(&src[at..at + n]);
                }
            }
            event_buffer.clear();
            for &(t, id, v) in events.iter().filter(|(t, _, _)| (at..at + n).contains(t)) {
                event_buffer.push(&ParamValueEvent::new((t - at) as u32, id, Pckn::match_all(), v));
            }
            let mut ports = vec![AudioPortBuffer { latency: 0, channels: AudioPortBufferType::f32_input_only(input_channels(&mut main_buf, n)) }];
            if sidechain.is_some() {
                ports.push(AudioPortBuffer { latency: 0, channels: AudioPortBufferType::f32_input_only(input_channels(&mut sc_buf, n)) });
            }
            let inputs = in_ports.with_input_buffers(ports);
            let mut outputs = out_ports.with_output_buffers([AudioPortBuffer { latency: 0, channels: AudioPortBufferType::f32_output_only(out_buf.iter_mut().map(|b| &mut b[..n])) }]);
            let mut out_events = EventBuffer::new();
            processor
                .process(&inputs, &mut outputs, &InputEvents::from_buffer(&event_buffer), &mut OutputEvents::from_buffer(&mut out_events), Some(at as u64), None)
                .expect("process");
            for (o, b) in out.iter_mut().zip(&out_buf) {
                o[at..at + n].copy_from_slice(&b[..n]);
            }
            at += n;
        }
        let stopped = processor.stop_processing();
        self.instance.deactivate(stopped);
        out
    }
}

fn input_channels(bufs: &mut [Vec<f32>], n: usize) -> Vec<InputChannel<'_, f32>> {
    bufs.iter_mut().map(|b| InputChannel::variable(&mut b[..n])).collect()
}
