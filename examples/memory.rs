//! Heap per instance at the largest window, and proof that processing does not grow it.
//!
//!     cargo run --release --example memory
//!
//! Counts every allocation through a global allocator: what `Engine::new` keeps (buffers for
//! FFT sizes up to 16384, every FFT plan), what the plugin adds for its editor feed (three
//! analysis frames in the triple buffer), what a plugin instance keeps per layout (one engine
//! per grouping of the sidechain's channels into sources, the parameters with the saved
//! profile's buffers, the editor feed), then allocations and live bytes while 60 s of audio go
//! through in 64-sample calls with the analysis feed running (exits 1 if anything was allocated
//! or the heap grew: `scripts/test.sh` runs it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};

use residue::dsp::{Engine, EngineConfig, Settings};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        CALLS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
        CALLS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The editor feed's heap, measured on one made for the purpose.
fn publisher_bytes(max_window: usize) -> isize {
    let before = LIVE.load(Relaxed);
    let feed = residue::meter::channel(max_window / 2 + 1);
    let bytes = LIVE.load(Relaxed) - before;
    drop(feed);
    bytes
}

fn main() {
    let rate = 48_000usize;
    let max_window = 16384;
    println!("{:<58} {:>10}", "per instance (stereo track, stereo reference)", "MiB");
    for (main_channels, window) in [(2usize, 4096usize), (2, 16384)] {
        let before = LIVE.load(Relaxed);
        let config = EngineConfig { sample_rate: rate as f32, main_channels, sources: vec![2], max_window };
        let engine = Engine::new(&config, window, 4, Settings::default()).expect("engine");
        let engine_bytes = LIVE.load(Relaxed) - before;
        println!(
            "{:<58} {:>10.2}",
            format!("engine (max window {max_window}, running at {window})"),
            mib(engine_bytes)
        );
        drop(engine);
    }
    let before = LIVE.load(Relaxed);
    let (mut publisher, mut subscriber) = residue::meter::channel(max_window / 2 + 1);
    println!("{:<58} {:>10.2}", "editor feed (triple buffer of analysis frames)", mib(LIVE.load(Relaxed) - before));
    let before = LIVE.load(Relaxed);
    let params = residue::params::ResidueParams::default();
    let params_bytes = LIVE.load(Relaxed) - before;
    println!("{:<58} {:>10.2}", "parameters (with the saved profile's triple buffers)", mib(params_bytes));
    drop(params);
    println!("\n{:<58} {:>10}", "per plugin instance at 48 kHz, by layout", "MiB");
    for (main_channels, sidechain) in [(2usize, 1usize), (2, 2), (1, 2), (2, 4), (1, 4)] {
        let before = LIVE.load(Relaxed);
        let base = EngineConfig { sample_rate: rate as f32, main_channels, sources: vec![], max_window };
        let engines = residue::dsp::sidechain::Engines::new(
            &base,
            sidechain,
            residue::dsp::sidechain::Grouping::One,
            4096,
            4,
            Settings::default(),
            residue::dsp::LatencyMode::Mix,
        )
        .expect("engines");
        let engine_bytes = LIVE.load(Relaxed) - before;
        let what = format!("{main_channels}-channel track, {sidechain}-channel sidechain: {} engine(s)", engines.len());
        println!("{what:<58} {:>10.2}", mib(engine_bytes + params_bytes) + mib(publisher_bytes(max_window)));
        drop(engines);
    }

    let config = EngineConfig { sample_rate: rate as f32, main_channels: 2, sources: vec![2], max_window };
    let mut engine = Engine::new(&config, max_window, 4, Settings::default()).expect("engine");
    engine.set_analysis(true);
    let len = rate * 60;
    let mut audio: Vec<Vec<f32>> =
        (0..4).map(|c| (0..len).map(|n| ((n * (c + 3)) as f32 * 0.01).sin() * 0.3).collect()).collect();
    let (main, refs) = audio.split_at_mut(2);
    let (left, right) = main.split_at_mut(1);
    let (live, calls) = (LIVE.load(Relaxed), CALLS.load(Relaxed));
    let mut received = 0u64;
    for at in (0..len).step_by(64) {
        engine.process(
            &mut [&mut left[0][at..at + 64], &mut right[0][at..at + 64]],
            &[&refs[0][at..at + 64], &refs[1][at..at + 64]],
        );
        publisher.publish(engine.analysis());
        received += subscriber.fresh().map_or(0, |_| 1);
    }
    let (allocations, growth) = (CALLS.load(Relaxed) - calls, LIVE.load(Relaxed) - live);
    println!("60 s at window {max_window} in 64-sample calls, analysis on: {allocations} allocations, live heap {growth:+} bytes ({received} frames read)");
    if allocations != 0 || growth != 0 || received == 0 {
        eprintln!("memory: processing must neither allocate nor grow the heap, and frames must reach the reader");
        std::process::exit(1);
    }
}
