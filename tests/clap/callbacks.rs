//! The host's side of the plugin's calls into it (`clap_host` and the host extensions), each
//! checked against the context CLAP allows it in — the thread it comes from and the state the
//! plugin is in — as clap-validator checks them. A call out of place is recorded as a violation;
//! `Loaded` fails the test on the first one. The host also records what it was asked (restarts,
//! main-thread callbacks, latency changes) so that tests can check the plugin asks for them only
//! when it must.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

use clack_extensions::audio_ports::{AudioPortRescanFlags, HostAudioPorts, HostAudioPortsImpl};
use clack_extensions::latency::{HostLatency, HostLatencyImpl};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamRescanFlags,
};
use clack_extensions::preset_discovery::prelude::{HostPresetLoad, Location};
use clack_extensions::preset_discovery::HostPresetLoadImpl;
use clack_extensions::state::{HostState, HostStateImpl};
use clack_extensions::thread_check::{HostThreadCheck, HostThreadCheckImpl};
use clack_host::prelude::*;

/// Where the plugin is in its life cycle, as the host drives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    Inactive = 0,
    /// Inside `clap_plugin::activate`: the only place `clap_host_latency::changed` is allowed.
    Activating = 1,
    Active = 2,
    /// Between `start_processing` and `stop_processing`, on the audio thread.
    Processing = 3,
}

/// A small number per thread, so that thread identities fit an atomic (the audio thread's is
/// read from the audio thread itself, where the host must not lock).
fn thread_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local!(static NUMBER: u64 = NEXT.fetch_add(1, Ordering::Relaxed));
    NUMBER.with(|n| *n)
}

/// What the host knows and records across threads.
pub struct Shared {
    main_thread: u64,
    /// The thread running `process` now, 0 when none.
    audio_thread: AtomicU64,
    stage: AtomicU8,
    pub restart_requested: AtomicBool,
    pub callback_requested: AtomicBool,
    /// Every `request_restart` the plugin made.
    pub restart_requests: AtomicU32,
    /// `clap_host_latency::changed` calls (each one inside `activate`, or it is a violation too).
    pub latency_changes: AtomicU32,
    /// `clap_host_preset_load`: the load keys the plugin reported loaded, and its errors.
    pub presets_loaded: Mutex<Vec<String>>,
    pub preset_errors: Mutex<Vec<String>>,
    violations: Mutex<Vec<String>>,
}

impl Shared {
    /// The host of an instance created on the calling thread, which is its main thread.
    pub fn new() -> Self {
        Self {
            main_thread: thread_number(),
            audio_thread: AtomicU64::new(0),
            stage: AtomicU8::new(Stage::Inactive as u8),
            restart_requested: AtomicBool::new(false),
            callback_requested: AtomicBool::new(false),
            restart_requests: AtomicU32::new(0),
            latency_changes: AtomicU32::new(0),
            presets_loaded: Mutex::new(Vec::new()),
            preset_errors: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
        }
    }

    pub fn stage(&self) -> Stage {
        match self.stage.load(Ordering::SeqCst) {
            0 => Stage::Inactive,
            1 => Stage::Activating,
            2 => Stage::Active,
            _ => Stage::Processing,
        }
    }

    pub fn set_stage(&self, stage: Stage) {
        self.stage.store(stage as u8, Ordering::SeqCst);
    }

    /// Marks the calling thread as the one that runs `process` (until `leave_audio_thread`).
    pub fn enter_audio_thread(&self) {
        self.audio_thread.store(thread_number(), Ordering::SeqCst);
    }

    pub fn leave_audio_thread(&self) {
        self.audio_thread.store(0, Ordering::SeqCst);
    }

    fn on_main_thread(&self) -> bool {
        thread_number() == self.main_thread
    }

    fn on_audio_thread(&self) -> bool {
        thread_number() == self.audio_thread.load(Ordering::SeqCst)
    }

    fn violation(&self, what: String) {
        self.violations.lock().unwrap_or_else(|e| e.into_inner()).push(what);
    }

    /// A `[main-thread]` host function: called from anywhere else is a violation.
    fn main_thread_only(&self, function: &str) {
        if !self.on_main_thread() {
            let from = if self.on_audio_thread() { "the audio thread" } else { "a thread that is not the main thread" };
            self.violation(format!(
                "{function} is [main-thread] but was called from {from} (stage {:?})",
                self.stage()
            ));
        }
    }

    /// A host function CLAP allows only while the plugin is inactive (or being activated).
    fn inactive_only(&self, function: &str) {
        if matches!(self.stage(), Stage::Active | Stage::Processing) {
            self.violation(format!("{function} was called while the plugin is active"));
        }
    }

    /// The violations seen so far (and forgets them).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *self.violations.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

impl SharedHandler<'_> for Shared {
    // [thread-safe]: allowed from anywhere.
    fn request_restart(&self) {
        self.restart_requests.fetch_add(1, Ordering::SeqCst);
        self.restart_requested.store(true, Ordering::SeqCst);
    }
    fn request_process(&self) {}
    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::SeqCst);
    }
}

impl HostThreadCheckImpl for Shared {
    fn is_main_thread(&self) -> bool {
        self.on_main_thread()
    }
    fn is_audio_thread(&self) -> bool {
        self.on_audio_thread()
    }
}

impl HostParamsImplShared for Shared {
    // [thread-safe, !audio-thread]
    fn request_flush(&self) {
        if self.on_audio_thread() {
            self.violation("clap_host_params::request_flush was called from the audio thread".into());
        }
    }
}

/// The main-thread handler: every function here is `[main-thread]` in CLAP, whatever thread
/// clack-host forwards it from, so each checks where it is.
pub struct MainThread<'a> {
    pub shared: &'a Shared,
}

impl<'a> MainThreadHandler<'a> for MainThread<'a> {}

impl HostLatencyImpl for MainThread<'_> {
    // [main-thread & being-activated]
    fn changed(&self) {
        let s = self.shared;
        s.main_thread_only("clap_host_latency::changed");
        if s.stage() != Stage::Activating {
            s.violation(format!(
                "clap_host_latency::changed must only be called within clap_plugin::activate (stage {:?})",
                s.stage()
            ));
        }
        s.latency_changes.fetch_add(1, Ordering::SeqCst);
    }
}

impl HostParamsImplMainThread for MainThread<'_> {
    fn rescan(&self, flags: ParamRescanFlags) {
        self.shared.main_thread_only("clap_host_params::rescan");
        if flags.requires_restart() {
            self.shared.inactive_only("clap_host_params::rescan(CLAP_PARAM_RESCAN_ALL)");
        }
    }
    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {
        self.shared.main_thread_only("clap_host_params::clear");
    }
}

impl HostStateImpl for MainThread<'_> {
    fn mark_dirty(&self) {
        self.shared.main_thread_only("clap_host_state::mark_dirty");
    }
}

impl HostPresetLoadImpl for MainThread<'_> {
    fn on_error(
        &self,
        _location: Location,
        load_key: Option<&std::ffi::CStr>,
        _os_error: i32,
        message: Option<&std::ffi::CStr>,
    ) {
        self.shared.main_thread_only("clap_host_preset_load::on_error");
        let key = load_key.map(|k| k.to_string_lossy().into_owned()).unwrap_or_default();
        let message = message.map(|m| m.to_string_lossy().into_owned()).unwrap_or_default();
        self.shared.preset_errors.lock().unwrap().push(format!("{key}: {message}"));
    }
    fn loaded(&self, _location: Location, load_key: Option<&std::ffi::CStr>) {
        self.shared.main_thread_only("clap_host_preset_load::loaded");
        let key = load_key.map(|k| k.to_string_lossy().into_owned()).unwrap_or_default();
        self.shared.presets_loaded.lock().unwrap().push(key);
    }
}

impl HostAudioPortsImpl for MainThread<'_> {
    /// This host changes no port definition on the fly, so it offers no rescan flag.
    fn is_rescan_flag_supported(&self, _flag: AudioPortRescanFlags) -> bool {
        self.shared.main_thread_only("clap_host_audio_ports::is_rescan_flag_supported");
        false
    }
    fn rescan(&self, flags: AudioPortRescanFlags) {
        self.shared.main_thread_only("clap_host_audio_ports::rescan");
        self.shared.violation(format!(
            "clap_host_audio_ports::rescan({flags:?}) with a flag the host said it does not support"
        ));
    }
}

pub struct Host;

impl HostHandlers for Host {
    type Shared<'a> = Shared;
    type MainThread<'a> = MainThread<'a>;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostLatency>()
            .register::<HostThreadCheck>()
            .register::<HostParams>()
            .register::<HostState>()
            .register::<HostAudioPorts>()
            .register::<HostPresetLoad>();
    }
}
