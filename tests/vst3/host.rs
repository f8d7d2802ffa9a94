//! A small VST3 host over the `vst3` bindings: loads the built `Residue.vst3` the way a Linux
//! DAW does (dlopen, `ModuleEntry`, `GetPluginFactory`), creates the audio component, negotiates
//! bus arrangements, activates buses, and calls `process` with buffers it builds — and can then
//! damage the way a careless host would before the call.

use std::ffi::{c_void, CStr};
use std::path::PathBuf;
use std::process::Command;
use std::ptr::null_mut;
use std::sync::OnceLock;

use vst3::Steinberg::Vst::BusDirections_::{kInput, kOutput};
use vst3::Steinberg::Vst::MediaTypes_::kAudio;
use vst3::Steinberg::Vst::ProcessModes_::kRealtime;
use vst3::Steinberg::Vst::SymbolicSampleSizes_::kSample32;
use vst3::Steinberg::Vst::{
    AudioBusBuffers, AudioBusBuffers__type0, BusInfo, IAudioProcessor, IAudioProcessorTrait, IComponent,
    IComponentTrait, IEditController, IEditControllerTrait, IHostApplication, IHostApplicationTrait, ParameterInfo,
    ProcessData, ProcessSetup, SpeakerArrangement, String128,
};
use vst3::Steinberg::{kNoInterface, tresult, IPluginBaseTrait, IPluginFactory, IPluginFactoryTrait, PClassInfo, TUID};
use vst3::{Class, ComPtr, ComWrapper, Interface};

use vst3::Steinberg::Vst::SpeakerArr;
pub use vst3::Steinberg::{kResultFalse, kResultOk, kResultTrue};

pub const EMPTY: SpeakerArrangement = SpeakerArr::kEmpty;
pub const MONO: SpeakerArrangement = SpeakerArr::kMono;
pub const STEREO: SpeakerArrangement = SpeakerArr::kStereo;
pub const SURROUND_51: SpeakerArrangement = SpeakerArr::k51;
/// Four channels, as hosts name them: L R Ls Rs (quadraphonic), L R C S, first-order
/// ambisonics, L R C LFE. A sidechain of four sources may come as any of them.
pub const QUADRO: SpeakerArrangement = SpeakerArr::k40Music;
pub const CINE_40: SpeakerArrangement = SpeakerArr::k40Cine;
pub const AMBISONIC_1ST: SpeakerArrangement = SpeakerArr::kAmbi1stOrderACN;
pub const CINE_31: SpeakerArrangement = SpeakerArr::k31Cine;

pub const INPUT: i32 = kInput as i32;
pub const OUTPUT: i32 = kOutput as i32;

pub fn bundle_library() -> PathBuf {
    let bundle = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bundled/Residue.vst3");
    let library = bundle.join("Contents/x86_64-linux/Residue.so");
    assert!(library.exists(), "{} is missing: run `cargo xtask bundle residue --release` first", library.display());
    library
}

type GetFactory = unsafe extern "system" fn() -> *mut c_void;

/// The module is loaded once per process and stays loaded, as in a DAW: `ModuleEntry` once,
/// then any number of factories and instances.
fn factory_entry() -> GetFactory {
    static ENTRY: OnceLock<GetFactory> = OnceLock::new();
    *ENTRY.get_or_init(|| unsafe {
        // SAFETY: loading the library runs its code; it is the library under test.
        let lib = libloading::Library::new(bundle_library()).expect("dlopen Residue.so");
        let module_entry: libloading::Symbol<unsafe extern "C" fn(*mut c_void) -> bool> =
            lib.get(b"ModuleEntry\0").expect("ModuleEntry is exported");
        assert!(module_entry(null_mut()), "ModuleEntry failed");
        let get: GetFactory = *lib.get::<GetFactory>(b"GetPluginFactory\0").expect("GetPluginFactory is exported");
        std::mem::forget(lib);
        get
    })
}

/// What a host hands the plugin in `initialize`: its name, and nothing to create.
struct HostApp;
impl Class for HostApp {
    type Interfaces = (IHostApplication,);
}
impl IHostApplicationTrait for HostApp {
    unsafe fn getName(&self, name: *mut String128) -> tresult {
        let name = &mut *name;
        name.fill(0);
        for (slot, c) in name.iter_mut().zip("residue-tests".encode_utf16()) {
            *slot = c;
        }
        kResultOk
    }
    unsafe fn createInstance(&self, _cid: *mut TUID, _iid: *mut TUID, obj: *mut *mut c_void) -> tresult {
        *obj = null_mut();
        kNoInterface
    }
}

/// One instance of Residue's audio component.
pub struct Plugin {
    pub component: ComPtr<IComponent>,
    pub processor: ComPtr<IAudioProcessor>,
    _host: ComWrapper<HostApp>,
    active: bool,
}

impl Plugin {
    /// Instantiated and initialised; arrangements at the plugin's defaults, nothing active yet.
    pub fn new() -> Self {
        unsafe {
            let factory = ComPtr::from_raw(factory_entry()() as *mut IPluginFactory).expect("a plugin factory");
            let mut info: PClassInfo = std::mem::zeroed();
            let class = (0..factory.countClasses())
                .find(|&i| {
                    factory.getClassInfo(i, &mut info) == kResultOk
                        && CStr::from_ptr(info.category.as_ptr()).to_bytes() == b"Audio Module Class"
                })
                .expect("an audio module class");
            assert_eq!(factory.getClassInfo(class, &mut info), kResultOk);
            let mut obj = null_mut();
            let iid = IComponent::IID;
            assert_eq!(
                factory.createInstance(info.cid.as_ptr(), iid.as_ptr() as *const _, &mut obj),
                kResultOk,
                "createInstance"
            );
            let component = ComPtr::from_raw(obj as *mut IComponent).expect("an IComponent");
            let host = ComWrapper::new(HostApp);
            let context = host.to_com_ptr::<IHostApplication>().unwrap();
            assert_eq!(component.initialize(context.as_ptr() as *mut _), kResultOk, "initialize");
            let processor = component.cast::<IAudioProcessor>().expect("the component is an IAudioProcessor");
            Plugin { component, processor, _host: host, active: false }
        }
    }

    pub fn bus_count(&self, dir: i32) -> i32 {
        unsafe { self.component.getBusCount(kAudio as i32, dir) }
    }

    pub fn bus_info(&self, dir: i32, index: i32) -> Option<BusInfo> {
        let mut info: BusInfo = unsafe { std::mem::zeroed() };
        (unsafe { self.component.getBusInfo(kAudio as i32, dir, index, &mut info) } == kResultOk).then_some(info)
    }

    pub fn set_arrangements(&self, inputs: &[SpeakerArrangement], outputs: &[SpeakerArrangement]) -> tresult {
        let (mut i, mut o) = (inputs.to_vec(), outputs.to_vec());
        unsafe { self.processor.setBusArrangements(i.as_mut_ptr(), i.len() as i32, o.as_mut_ptr(), o.len() as i32) }
    }

    pub fn arrangement(&self, dir: i32, index: i32) -> Option<SpeakerArrangement> {
        let mut arr = 0;
        (unsafe { self.processor.getBusArrangement(dir, index, &mut arr) } == kResultOk).then_some(arr)
    }

    /// Every audio bus's arrangement in one direction, as `getBusArrangement` reports them.
    pub fn arrangements(&self, dir: i32) -> Vec<SpeakerArrangement> {
        (0..self.bus_count(dir))
            .map(|i| self.arrangement(dir, i).expect("getBusArrangement of an existing bus"))
            .collect()
    }

    /// The flags (`ParameterInfo::flags`) of every parameter, by title.
    pub fn param_flags(&self) -> Vec<(String, i32)> {
        let controller = self.component.cast::<IEditController>().expect("the component is its own edit controller");
        unsafe {
            (0..controller.getParameterCount())
                .map(|i| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    assert_eq!(controller.getParameterInfo(i, &mut info), kResultOk);
                    let end = info.title.iter().position(|&c| c == 0).unwrap_or(info.title.len());
                    (String::from_utf16_lossy(&info.title[..end]), info.flags)
                })
                .collect()
        }
    }

    /// The id of the parameter titled `title`.
    pub fn param_id(&self, title: &str) -> u32 {
        let controller = self.component.cast::<IEditController>().expect("the component is its own edit controller");
        unsafe {
            (0..controller.getParameterCount())
                .find_map(|i| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    assert_eq!(controller.getParameterInfo(i, &mut info), kResultOk);
                    let end = info.title.iter().position(|&c| c == 0).unwrap_or(info.title.len());
                    (String::from_utf16_lossy(&info.title[..end]) == title).then_some(info.id)
                })
                .unwrap_or_else(|| panic!("no parameter titled {title}"))
        }
    }

    /// `IEditController::setParamNormalized`, as a host's controller side does.
    pub fn set_normalized(&self, id: u32, value: f64) -> tresult {
        let controller = self.component.cast::<IEditController>().expect("the component is its own edit controller");
        unsafe { controller.setParamNormalized(id, value) }
    }

    /// `IEditController::getParamNormalized`.
    pub fn normalized(&self, id: u32) -> f64 {
        let controller = self.component.cast::<IEditController>().expect("the component is its own edit controller");
        unsafe { controller.getParamNormalized(id) }
    }

    /// Sets the parameter titled `title` from display text, as a host's generic editor does
    /// (`IEditController::getParamValueByString`, then `setParamNormalized`).
    pub fn set_param_text(&self, title: &str, text: &str) {
        let controller = self.component.cast::<IEditController>().expect("the component is its own edit controller");
        unsafe {
            let id = (0..controller.getParameterCount())
                .find_map(|i| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    assert_eq!(controller.getParameterInfo(i, &mut info), kResultOk);
                    let end = info.title.iter().position(|&c| c == 0).unwrap_or(info.title.len());
                    (String::from_utf16_lossy(&info.title[..end]) == title).then_some(info.id)
                })
                .unwrap_or_else(|| panic!("no parameter titled {title}"));
            let mut text16: Vec<u16> = text.encode_utf16().chain([0]).collect();
            let mut value = 0.0;
            assert_eq!(
                controller.getParamValueByString(id, text16.as_mut_ptr(), &mut value),
                kResultOk,
                "{title}: {text:?} refused"
            );
            assert_eq!(controller.setParamNormalized(id, value), kResultOk, "{title} = {value}");
        }
    }

    pub fn activate_bus(&self, dir: i32, index: i32, on: bool) -> tresult {
        unsafe { self.component.activateBus(kAudio as i32, dir, index, on as u8) }
    }

    pub fn setup(&self, rate: f64, max_block: usize) {
        let mut setup = ProcessSetup {
            processMode: kRealtime as i32,
            symbolicSampleSize: kSample32 as i32,
            maxSamplesPerBlock: max_block as i32,
            sampleRate: rate,
        };
        assert_eq!(unsafe { self.processor.setupProcessing(&mut setup) }, kResultOk, "setupProcessing");
    }

    /// setupProcessing, setActive(true), setProcessing(true): what a host does before audio.
    pub fn start(&mut self, rate: f64, max_block: usize) {
        self.setup(rate, max_block);
        unsafe {
            assert_eq!(self.component.setActive(1), kResultOk, "setActive(true)");
            assert_eq!(self.processor.setProcessing(1), kResultOk, "setProcessing(true)");
        }
        self.active = true;
    }

    pub fn stop(&mut self) {
        if std::mem::take(&mut self.active) {
            unsafe {
                self.processor.setProcessing(0);
                self.component.setActive(0);
            }
        }
    }

    pub fn latency(&self) -> usize {
        unsafe { self.processor.getLatencySamples() as usize }
    }

    /// One raw `process` call.
    pub fn process_raw(&self, data: &mut ProcessData) -> tresult {
        unsafe { self.processor.process(data) }
    }

    /// Whole signals through the plugin in `block`-sample calls. `inputs[bus][channel]` are the
    /// input buses' samples; the outputs are sized like `output_channels` and start out holding
    /// `stale` (what a host's reused buffer may hold). `damage` may change the call just before
    /// it is made. Returns the output buses.
    pub fn run(
        &self,
        inputs: &[Vec<Vec<f32>>],
        output_channels: &[usize],
        block: usize,
        stale: f32,
        damage: &dyn Fn(&mut Call),
    ) -> Vec<Vec<Vec<f32>>> {
        let len = inputs.iter().flatten().map(Vec::len).max().unwrap_or(0);
        let mut outputs: Vec<Vec<Vec<f32>>> = output_channels.iter().map(|&n| vec![vec![0.0; len]; n]).collect();
        let mut at = 0;
        while at < len {
            let n = block.min(len - at);
            let mut call = Call::new(
                inputs.iter().map(|bus| bus.iter().map(|c| c[at..at + n].to_vec()).collect()).collect(),
                output_channels.iter().map(|&ch| vec![vec![stale; n]; ch]).collect(),
                n,
            );
            damage(&mut call);
            assert_eq!(self.process_raw(&mut call.data), kResultOk, "process at sample {at}");
            for (bus, out) in outputs.iter_mut().zip(call.output_samples()) {
                for (c, samples) in bus.iter_mut().zip(out) {
                    c[at..at + n].copy_from_slice(&samples);
                }
            }
            at += n;
        }
        outputs
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        self.stop();
        unsafe {
            self.component.terminate();
        }
    }
}

/// One `process` call's buffers, owned here so that a test can damage any part of it:
/// `data` points into `in_buses`/`out_buses`, which point into `in_ptrs`/`out_ptrs`, which
/// point into the input and output samples.
pub struct Call {
    pub data: ProcessData,
    pub in_buses: Vec<AudioBusBuffers>,
    pub out_buses: Vec<AudioBusBuffers>,
    pub in_ptrs: Vec<Vec<*mut f32>>,
    pub out_ptrs: Vec<Vec<*mut f32>>,
    /// Owns what `in_ptrs` point to; read only through them.
    _in_samples: Vec<Vec<Vec<f32>>>,
    pub out_samples: Vec<Vec<Vec<f32>>>,
}

impl Call {
    pub fn new(mut in_samples: Vec<Vec<Vec<f32>>>, mut out_samples: Vec<Vec<Vec<f32>>>, frames: usize) -> Self {
        let ptrs = |s: &mut Vec<Vec<Vec<f32>>>| -> Vec<Vec<*mut f32>> {
            s.iter_mut().map(|b| b.iter_mut().map(|c| c.as_mut_ptr()).collect()).collect()
        };
        let mut in_ptrs = ptrs(&mut in_samples);
        let mut out_ptrs = ptrs(&mut out_samples);
        let buses = |p: &mut Vec<Vec<*mut f32>>| -> Vec<AudioBusBuffers> {
            p.iter_mut()
                .map(|b| AudioBusBuffers {
                    numChannels: b.len() as i32,
                    silenceFlags: 0,
                    __field0: AudioBusBuffers__type0 { channelBuffers32: b.as_mut_ptr() },
                })
                .collect()
        };
        let mut in_buses = buses(&mut in_ptrs);
        let mut out_buses = buses(&mut out_ptrs);
        let data = ProcessData {
            processMode: kRealtime as i32,
            symbolicSampleSize: kSample32 as i32,
            numSamples: frames as i32,
            numInputs: in_buses.len() as i32,
            numOutputs: out_buses.len() as i32,
            inputs: in_buses.as_mut_ptr(),
            outputs: out_buses.as_mut_ptr(),
            inputParameterChanges: null_mut(),
            outputParameterChanges: null_mut(),
            inputEvents: null_mut(),
            outputEvents: null_mut(),
            processContext: null_mut(),
        };
        // Moving the vectors moves their headers, not their heap buffers, so every pointer
        // taken above stays valid.
        Call { data, in_buses, out_buses, in_ptrs, out_ptrs, _in_samples: in_samples, out_samples }
    }

    /// Processes in place, as JUCE-based hosts do: each main output channel is the main input's.
    pub fn in_place(&mut self) {
        for (o, i) in self.out_ptrs[0].iter_mut().zip(&self.in_ptrs[0]) {
            *o = *i;
        }
    }

    /// The samples the plugin left in the output buffers (the input's where it ran in place).
    fn output_samples(&self) -> Vec<Vec<Vec<f32>>> {
        let frames = self.out_samples.first().and_then(|b| b.first()).map_or(0, Vec::len);
        self.out_ptrs
            .iter()
            .zip(&self.out_samples)
            .map(|(ptrs, own)| {
                ptrs.iter()
                    .zip(own)
                    .map(|(&p, own)| {
                        if p.is_null() {
                            own.clone()
                        } else {
                            unsafe { std::slice::from_raw_parts(p, frames) }.to_vec()
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// Runs `body` in a child process (this test binary, only this test) and fails if the child
/// dies or fails: a host that crashes is a failed test, not a dead test run.
pub fn isolated(test: &str, body: impl FnOnce()) {
    const CHILD: &str = "RESIDUE_VST3_CHILD";
    if std::env::var(CHILD).as_deref() == Ok(test) {
        body();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{test}: the host process failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("1 passed"), "{test}: the child ran no test:\n{stdout}");
    eprint!("{stderr}");
}
