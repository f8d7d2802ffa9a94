//! After `Engine::new` the engine never allocates: 10 s of audio with automation, window
//! switches and resets, counted by a global allocator (per thread, so parallel tests don't
//! disturb the count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use residue::dsp::{Engine, EngineConfig, Interference, LatencyMode, OutputMode, Settings};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn ten_seconds_with_automation_allocate_nothing() {
    ten_seconds_with_automation(LatencyMode::Mix, false);
}

#[test]
fn ten_seconds_of_live_with_automation_and_mode_switches_allocate_nothing() {
    ten_seconds_with_automation(LatencyMode::Live, true);
}

/// 10 s in `mode` with every setting automated, window switches and resets; with
/// `switch_modes`, also switches between Mix and Live now and then.
fn ten_seconds_with_automation(mode: LatencyMode, switch_modes: bool) {
    let rate = 48000.0;
    let config = EngineConfig { sample_rate: rate, main_channels: 2, sources: vec![1, 2], max_window: 16384 };
    let mut engine = Engine::with_mode(&config, 2048, 4, Settings::default(), mode).unwrap();
    let len = 480_000;
    let signal: Vec<f32> =
        (0..len).map(|n| (n as f32 * 0.013).sin() * 0.3 + ((n * 7919) % 101) as f32 * 1e-3).collect();
    let mut left = signal.clone();
    let mut right = signal.iter().map(|x| x * 0.7).collect::<Vec<_>>();
    let refs: Vec<Vec<f32>> = (0..3).map(|r| signal.iter().map(|x| x * (0.2 + 0.1 * r as f32)).collect()).collect();
    let blocks = [1usize, 64, 511, 0, 4096, 37, 256, 128];
    let windows = [(2048, 4), (16384, 8), (256, 2), (4096, 4)];
    let before = allocations();
    let (mut at, mut i) = (0, 0);
    while at < len {
        let n = blocks[i % blocks.len()].min(len - at);
        let mut s = Settings {
            threshold: (i % 10) as f32 / 10.0,
            slope: 1.0 + (i % 7) as f32 * 5.0,
            alpha: [1.0, 2.0, 0.7][i % 3],
            smoothing_ms: (i % 4) as f32 * 20.0,
            freeze: i % 5 == 0,
            link_channels: i % 2 == 0,
            mix: if i % 3 == 0 { 0.5 } else { 1.0 },
            output: [OutputMode::Target, OutputMode::Removed, OutputMode::Reference][i % 3],
            auto_lag: i % 6 != 5,
            lag_ms: (i % 50) as f32,
            tail_frames: 1 + i % 4,
            robust_fit: i % 3 != 1,
            ..Settings::default()
        };
        if i % 4 == 1 {
            s.interference = Some(Interference { threshold: 0.4, slope: 10.0, smoothing_ms: 50.0 });
        }
        engine.set_settings(&s);
        if i % 97 == 96 {
            let (w, o) = windows[(i / 97) % windows.len()];
            engine.set_window(w, o).unwrap();
        }
        if i % 211 == 210 {
            engine.reset();
        }
        if switch_modes && i % 157 == 156 {
            engine.set_mode(if engine.mode() == LatencyMode::Mix { LatencyMode::Live } else { LatencyMode::Mix });
        }
        let refs_block: [&[f32]; 3] = [&refs[0][at..at + n], &refs[1][at..at + n], &refs[2][at..at + n]];
        let (l, rr) = (&mut left[at..at + n], &mut right[at..at + n]);
        engine.process(&mut [l, rr], &refs_block);
        at += n;
        i += 1;
    }
    let count = allocations() - before;
    assert_eq!(count, 0, "{count} allocations while processing");
    assert!(left.iter().chain(&right).all(|x| x.is_finite()));
    assert!(i > 500, "enough calls to mean something: {i}");
}

#[test]
fn the_counter_counts() {
    let before = allocations();
    let v = std::hint::black_box(vec![1u8; 10]);
    assert_eq!(allocations() - before, 1);
    drop(v);
}

#[test]
fn analysis_for_an_open_editor_allocates_nothing_on_the_audio_thread() {
    // The plugin's audio-side sequence with the editor open: analysis on, process, publish;
    // meanwhile the editor's consumer reads every frame it can on its own thread.
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let rate = 44100.0;
    let config = EngineConfig { sample_rate: rate, main_channels: 2, sources: vec![2], max_window: 16384 };
    let mut engine = Engine::new(&config, 4096, 4, Settings::default()).unwrap();
    let (mut publisher, mut subscriber) = residue::meter::channel(16384 / 2 + 1);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut view = residue::editor::View::default();
            let mut seen = 0u64;
            while !stop.load(Ordering::Acquire) {
                if let Some(frame) = subscriber.fresh() {
                    view.update(frame, 1.0, std::time::Instant::now());
                    seen += 1;
                }
                std::hint::spin_loop();
            }
            (seen, view.mixture_db.iter().fold(f32::MIN, |a, &b| a.max(b)))
        })
    };
    let len = 441_000;
    let signal: Vec<f32> =
        (0..len).map(|n| (n as f32 * 0.021).sin() * 0.3 + ((n * 7919) % 101) as f32 * 1e-3).collect();
    let (mut left, mut right) = (signal.clone(), signal.clone());
    let reference: Vec<f32> = signal.iter().map(|x| 0.5 * x).collect();
    let before = allocations();
    let mut published = 0;
    let mut at = 0;
    for (i, n) in [64usize, 512, 1000, 4096, 33].iter().cycle().enumerate() {
        if at >= len {
            break;
        }
        let n = (*n).min(len - at);
        engine.set_analysis(i % 50 < 40); // the editor opens and closes
        engine.process(
            &mut [&mut left[at..at + n], &mut right[at..at + n]],
            &[&reference[at..at + n], &reference[at..at + n]],
        );
        if publisher.publish(engine.analysis()) {
            published += 1;
            // Paced like a host in real time (frames are ~23 ms apart there), so the reader
            // gets to run even on a loaded two-core machine; sleeping does not allocate.
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        if i % 200 == 0 {
            engine.set_window([2048, 16384, 4096][i / 200 % 3], 4).unwrap();
        }
        at += n;
    }
    let allocated = allocations() - before;
    stop.store(true, Ordering::Release);
    let (seen, loudest) = reader.join().unwrap();
    eprintln!("published {published} frames, the editor read {seen}; loudest band {loudest:.1} dB");
    assert_eq!(allocated, 0, "the audio thread allocated {allocated} times");
    assert!(published > 100 && seen > 10, "frames flowed: {published} published, {seen} read");
    assert!(loudest > -40.0, "the editor saw the signal");
}

/// Minor page faults of the calling thread so far (Linux: field 10 of /proc/thread-self/stat).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("/proc/thread-self/stat");
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    rest.split(' ').nth(7).and_then(|f| f.parse().ok()).expect("minflt field")
}

/// Every buffer is written once when the engine is built, so the first callbacks do not map
/// fresh pages (each a trap into the kernel on the audio thread; it made the first hop the
/// slowest of all). Largest window, every part of the method on, analysis on.
#[test]
fn the_first_callbacks_map_no_new_memory() {
    first_callbacks_map_no_new_memory(LatencyMode::Mix);
}

#[test]
fn the_first_callbacks_map_no_new_memory_in_live() {
    first_callbacks_map_no_new_memory(LatencyMode::Live);
}

fn first_callbacks_map_no_new_memory(mode: LatencyMode) {
    let rate = 48000.0;
    let config = EngineConfig { sample_rate: rate, main_channels: 2, sources: vec![2, 1], max_window: 16384 };
    let settings = Settings {
        tail_frames: 4,
        interference: Some(Interference { threshold: 0.4, slope: 10.0, smoothing_ms: 50.0 }),
        ..Settings::default()
    };
    let len = 96_000;
    let signal: Vec<f32> =
        (0..len).map(|n| (n as f32 * 0.021).sin() * 0.3 + ((n * 7919) % 101) as f32 * 1e-3).collect();
    let (mut left, mut right) = (signal.clone(), signal.iter().map(|x| x * 0.5).collect::<Vec<_>>());
    let refs: Vec<Vec<f32>> = (0..3).map(|r| signal.iter().map(|x| x * (0.3 + 0.1 * r as f32)).collect()).collect();
    let mut engine = Engine::with_mode(&config, 16384, 8, settings, mode).unwrap();
    engine.set_analysis(true);
    // The stack this test runs on is warmed by a call of the same depth on another engine.
    let mut warm = Engine::with_mode(&config, 16384, 8, settings, mode).unwrap();
    let refs_block: [&[f32]; 3] = [&refs[0][..4096], &refs[1][..4096], &refs[2][..4096]];
    warm.process(&mut [&mut left.clone()[..4096], &mut right.clone()[..4096]], &refs_block);
    let before = minor_faults();
    for at in (0..len).step_by(64) {
        let refs_block: [&[f32]; 3] = [&refs[0][at..at + 64], &refs[1][at..at + 64], &refs[2][at..at + 64]];
        engine.process(&mut [&mut left[at..at + 64], &mut right[at..at + 64]], &refs_block);
    }
    let faults = minor_faults() - before;
    assert!(engine.analysis().serial > 40, "frames were processed");
    assert!(faults <= 2, "{faults} page faults in 2 s of first callbacks");
}

/// What was learned travels to and from the host's saved state without the audio thread
/// allocating: the plugin's audio-side sequence (take a loaded profile, process, publish a copy,
/// now and then a relearn), while the main thread saves and loads state on its own thread.
#[test]
fn the_learned_profile_travels_without_allocating_on_the_audio_thread() {
    use nice_plug::params::persist::PersistentField;
    use residue::session::{Loaded, ProfileStore, SavedProfile};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let rate = 44100.0;
    let config = EngineConfig { sample_rate: rate, main_channels: 2, sources: vec![1], max_window: 16384 };
    let store = Arc::new(ProfileStore::new(2, 16, 16384 / 2 + 1));
    let mut link = store.take_link().unwrap();
    let mut engine = Engine::new(&config, 4096, 4, Settings { tail_frames: 4, ..Settings::default() }).unwrap();
    let len = 441_000;
    let signal: Vec<f32> =
        (0..len).map(|n| (n as f32 * 0.021).sin() * 0.3 + ((n * 7919) % 101) as f32 * 1e-3).collect();
    let (mut left, mut right) = (signal.clone(), signal.clone());
    let reference: Vec<f32> = signal.iter().map(|x| 0.5 * x).collect();
    // A profile to load: this engine's own after a second of audio, saved as a host saves it.
    engine.process(&mut [&mut left[..44100], &mut right[..44100]], &[&reference[..44100]]);
    link.publish(&engine, 44100, true);
    let saved = PersistentField::map(&*store, |v: &SavedProfile| serde_json::to_string(v).unwrap());
    assert!(saved.contains("\"sample_rate\":44100"), "{}", &saved[..200.min(saved.len())]);
    let stop = Arc::new(AtomicBool::new(false));
    let host = {
        let (stop, store) = (stop.clone(), store.clone());
        std::thread::spawn(move || {
            let mut loads = 0;
            while !stop.load(Ordering::Acquire) {
                let profile: SavedProfile = serde_json::from_str(&saved).unwrap();
                PersistentField::set(&*store, profile);
                loads += 1;
                let _ = PersistentField::map(&*store, |v: &SavedProfile| serde_json::to_string(v).unwrap());
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            loads
        })
    };
    let before = allocations();
    let (mut at, mut taken) = (44100, 0);
    // Through the signal at least once, and on (round again) until the host's loads came in.
    let started = std::time::Instant::now();
    for (i, n) in [64usize, 512, 1000, 4096, 33].iter().cycle().enumerate() {
        if at >= len {
            if taken >= 5 || started.elapsed().as_secs() > 60 {
                break;
            }
            at = 44100;
        }
        let n = (*n).min(len - at);
        match link.take_loaded() {
            Some(Loaded::Profile(p)) => {
                engine.load_profile(p);
                taken += 1;
            }
            Some(Loaded::Forget) => engine.relearn(),
            _ => {}
        }
        if i % 97 == 0 {
            engine.relearn();
        }
        engine.process(&mut [&mut left[at..at + n], &mut right[at..at + n]], &[&reference[at..at + n]]);
        link.publish(&engine, n, i % 13 == 0);
        if i % 50 == 0 {
            std::thread::sleep(std::time::Duration::from_micros(300));
        }
        at += n;
    }
    let allocated = allocations() - before;
    stop.store(true, Ordering::Release);
    let loads = host.join().unwrap();
    eprintln!("the host loaded state {loads} times; the engine took {taken} profiles");
    assert_eq!(allocated, 0, "the audio thread allocated {allocated} times");
    assert!(taken >= 5, "profiles were taken: {taken}");
}

/// The plugin's audio-side sequence with the Sources parameter moving: the grouping switched
/// between the three engines of a 4-channel sidechain in random blocks, each switch publishing
/// the new engine's profile for the host's save, loads and relearns in between, the analysis on
/// and off. Nothing allocates and every sample stays finite.
#[test]
fn switching_the_sources_grouping_while_processing_allocates_nothing() {
    use residue::dsp::sidechain::{Engines, Grouping};
    use residue::session::ProfileStore;
    let rate = 48000.0;
    let base = EngineConfig { sample_rate: rate, main_channels: 2, sources: vec![], max_window: 16384 };
    let mut engines =
        Engines::new(&base, 4, Grouping::One, 4096, 4, Settings::default(), residue::dsp::LatencyMode::Mix).unwrap();
    assert_eq!(engines.len(), 3, "one, each channel and stereo pairs differ for four channels");
    let store = ProfileStore::new(2, 16, 16384 / 2 + 1);
    let mut link = store.take_link().unwrap();
    let len = 480_000;
    let signal: Vec<f32> =
        (0..len).map(|n| (n as f32 * 0.017).sin() * 0.3 + ((n * 7919) % 101) as f32 * 1e-3).collect();
    let (mut left, mut right) = (signal.clone(), signal.iter().map(|x| -0.6 * x).collect::<Vec<_>>());
    let refs: Vec<Vec<f32>> = (0..4).map(|r| signal.iter().map(|x| x * (0.2 + 0.1 * r as f32)).collect()).collect();
    // A profile to load now and then, learned by the engine of each channel.
    let warm: [&[f32]; 4] = [&refs[0][..48000], &refs[1][..48000], &refs[2][..48000], &refs[3][..48000]];
    engines.select(Grouping::Each);
    engines.active_mut().process(&mut [&mut left.clone()[..48000], &mut right.clone()[..48000]], &warm);
    let profile = engines.active().profile();
    let blocks = [1usize, 64, 511, 0, 4096, 37, 256, 128, 2048];
    let before = allocations();
    let (mut at, mut i, mut switches) = (0, 0, 0);
    while at < len {
        let n = blocks[i % blocks.len()].min(len - at);
        if i % 23 == 0 && engines.select(Grouping::ALL[(i / 23) % 3]) {
            switches += 1;
            link.publish_switched(engines.active());
        }
        if i % 101 == 100 {
            engines.load(&profile, &[1, 1, 1, 1]);
        }
        if i % 211 == 210 {
            engines.relearn();
        }
        let engine = engines.active_mut();
        engine.set_settings(&Settings {
            threshold: (i % 10) as f32 / 10.0,
            tail_frames: 1 + i % 4,
            ..Settings::default()
        });
        engine.set_analysis(i % 3 != 0);
        let refs_block: [&[f32]; 4] =
            [&refs[0][at..at + n], &refs[1][at..at + n], &refs[2][at..at + n], &refs[3][at..at + n]];
        engine.process(&mut [&mut left[at..at + n], &mut right[at..at + n]], &refs_block);
        link.publish(engines.active(), n, false);
        at += n;
        i += 1;
    }
    let count = allocations() - before;
    assert_eq!(count, 0, "{count} allocations while processing and switching");
    assert!(left.iter().chain(&right).all(|x| x.is_finite()), "non-finite output");
    assert!(switches > 20, "the grouping switched {switches} times");
}
