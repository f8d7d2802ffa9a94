//! Opens Residue's real editor in a window, fed by the engine running the bundled example in
//! real time (the same analysis path the plugin uses), so the editor can be seen with live data
//! without a DAW. With `--screenshot FILE.png` it grabs the X screen after `--seconds` and exits:
//!
//!     xvfb-run -s "-screen 0 960x640x24" cargo run --release --example editor_demo -- --screenshot docs/editor.png
//!
//! With `--drums` the voice has a kick and a hi-hat bleeding into it instead of the guitar, on a
//! stereo sidechain split in two (Sources: Each Channel): the editor shows each source's bleed.
//!
//! (nice-plug's standalone with its dummy backend would open the same editor, but it feeds
//! silence, so nothing would move.)

#[path = "../tests/editor/context.rs"]
mod context;
#[path = "../tests/engine/kit.rs"]
mod kit;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nice_plug::context::gui::GuiContext;
use nice_plug::editor::EditorHandle;
use nice_plug::prelude::Editor;
use nice_plug_egui::RepaintNotifier;
use residue::dsp::{Engine, EngineConfig};
use residue::editor::{Handle, ResidueEditor, Shared};
use residue::params::ResidueParams;

struct Args {
    screenshot: Option<PathBuf>,
    seconds: f64,
    scale: f64,
    drums: bool,
}

fn args() -> Args {
    let mut a = Args { screenshot: None, seconds: 6.0, scale: 1.0, drums: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--screenshot" => a.screenshot = Some(value().into()),
            "--seconds" => a.seconds = value().parse().expect("--seconds: a number"),
            "--scale" => a.scale = value().parse().expect("--scale: a number"),
            "--drums" => a.drums = true,
            other => panic!("unknown argument {other}; use --screenshot FILE.png, --seconds S, --scale F, --drums"),
        }
    }
    a
}

fn read(name: &str) -> (Vec<f32>, u32) {
    let path = format!("{}/examples/vocal-bleed/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut r = hound::WavReader::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rate = r.spec().sample_rate;
    (r.samples::<i16>().map(|s| s.unwrap() as f32 / 32768.0).collect(), rate)
}

fn main() {
    let args = args();
    let params = Arc::new(ResidueParams::default());
    if args.drums {
        // What a host's generic editor would do: Sources set before the audio starts.
        use nice_plug::prelude::Param;
        let value = params.sources.string_to_normalized_value("Each Channel").expect("a Sources value");
        unsafe { params.sources.as_ptr()._internal_set_normalized_value(value) };
    }
    let (mut publisher, subscriber) = residue::meter::channel(16384 / 2 + 1);
    let open = Arc::new(AtomicBool::new(false));
    let repaint = RepaintNotifier::new();

    // The "audio thread": the example in a loop, paced at real time, published while open.
    {
        let (params, open, repaint) = (params.clone(), open.clone(), repaint.clone());
        std::thread::spawn(move || {
            let (mix, rate, references) = if args.drums {
                let (voice, rate) = read("truth_vocal.wav");
                let drums =
                    [kit::Voice::Kick, kit::Voice::HiHat].map(|v| kit::voice(v, voice.len(), rate as f32)).to_vec();
                let paths = vec![kit::Path { gain: 0.3, lag_ms: 4.0 }, kit::Path { gain: 0.2, lag_ms: 11.0 }];
                (kit::track(&[voice], &drums, &[paths], rate as f32).remove(0), rate, drums)
            } else {
                let (mix, rate) = read("vocal_mic.wav");
                (mix, rate, vec![read("guitar_mic.wav").0])
            };
            let sources = if args.drums { vec![1, 1] } else { vec![1] };
            let config = EngineConfig { sample_rate: rate as f32, main_channels: 1, sources, max_window: 16384 };
            let (window, overlap) = params.window(rate as f32);
            let mut engine = Engine::new(&config, window, overlap, params.settings(0)).expect("engine");
            let block = 512;
            let (mut buffer, started) = (vec![0.0f32; block], Instant::now());
            for (i, at) in (0..).map(|i| (i, (i * block) % (mix.len() - block))) {
                let (window, overlap) = params.window(rate as f32);
                let _ = engine.set_window(window, overlap);
                engine.set_settings(&params.settings(block as u32));
                buffer.copy_from_slice(&mix[at..at + block]);
                let watching = open.load(Ordering::Acquire);
                engine.set_analysis(watching);
                let refs: Vec<&[f32]> = references.iter().map(|r| &r[at..at + block]).collect();
                engine.process(&mut [&mut buffer], &refs);
                if watching && publisher.publish(engine.analysis()) {
                    repaint.request_repaint();
                }
                let due = started + Duration::from_secs_f64((i + 1) as f64 * block as f64 / rate as f64);
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            }
        });
    }

    if let Some(path) = args.screenshot.clone() {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(args.seconds));
            let code = match screenshot(&path) {
                Ok((w, h)) => {
                    println!("wrote {} ({w}x{h})", path.display());
                    0
                }
                Err(e) => {
                    eprintln!("screenshot failed: {e}");
                    1
                }
            };
            use std::io::Write as _;
            let _ = std::io::stdout().flush();
            // `_exit`, not `process::exit`: exit handlers (Mesa's among them) would tear down the
            // GL display while the window thread is still drawing a frame, and that frame's
            // buffer swap then fails and aborts the process.
            unsafe { libc::_exit(code) }
        });
    }

    // Held open: an X server with no clients left resets, forgetting the setting.
    let _x = (args.scale != 1.0).then(|| set_xft_dpi(96.0 * args.scale).expect("set the X server's Xft.dpi"));
    let editor = ResidueEditor::new(Shared { params, subscriber: Arc::new(Mutex::new(subscriber)), open, repaint });
    let host = GuiContext::new(Arc::new(context::RecordingHost::default()));
    let spawned = editor.spawn(None, false, Some(args.scale), host, None).expect("open the editor window");
    let _handle = spawned.handle;
    Handle::run_until_closed(spawned.window).expect("run the editor");
}

/// What `xrdb` does for `Xft.dpi`: the desktop's scale factor, which is how a Linux HiDPI
/// session tells windows (baseview included) to draw at 2×.
fn set_xft_dpi(dpi: f64) -> Result<x11rb::rust_connection::RustConnection, Box<dyn std::error::Error>> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, PropMode};
    use x11rb::wrapper::ConnectionExt as _;
    let (conn, screen) = x11rb::connect(None)?;
    let root = conn.setup().roots[screen].root;
    let resources = format!("Xft.dpi:\t{dpi}\n");
    conn.change_property8(PropMode::REPLACE, root, AtomEnum::RESOURCE_MANAGER, AtomEnum::STRING, resources.as_bytes())?
        .check()?;
    conn.sync()?;
    Ok(conn)
}

/// Grabs the whole X screen (under Xvfb, sized to the window) as a PNG.
fn screenshot(path: &std::path::Path) -> Result<(u32, u32), Box<dyn std::error::Error>> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};
    let (conn, screen) = x11rb::connect(None)?;
    let root = &conn.setup().roots[screen];
    let (w, h) = (root.width_in_pixels, root.height_in_pixels);
    let image = conn.get_image(ImageFormat::Z_PIXMAP, root.root, 0, 0, w, h, !0)?.reply()?;
    if image.depth != 24 || image.data.len() < w as usize * h as usize * 4 {
        return Err(format!("unexpected X image: depth {}, {} bytes", image.depth, image.data.len()).into());
    }
    // 32 bits per pixel, blue-green-red-unused on little-endian X servers.
    let rgb: Vec<u8> = image.data.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0]]).collect();
    image::save_buffer(path, &rgb, w as u32, h as u32, image::ColorType::Rgb8)?;
    Ok((w as u32, h as u32))
}
