//! The engine over whole files, streamed: a block is read while the ones before it are being
//! processed, each engine on a thread of its own, and written as soon as it is done. Memory
//! stays a few blocks whatever the length of the file, and reading, processing and writing
//! share the cores.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use residue_dsp::{routing, ConfigError, Engine, EngineConfig, LatencyMode, Settings};

use super::RenderError;

/// Frames per block: large enough that handing blocks between threads costs nothing.
const BLOCK: usize = 1 << 16;
/// Blocks in flight per engine: one being processed while the next is read.
const DEPTH: usize = 2;

/// The engines of a render and the channels they read.
pub struct Plan {
    lanes: Vec<Lane>,
    main_channels: usize,
    ref_channels: usize,
}

/// One engine and the channels it owns: `main` of the mix, `refs` of the reference inputs.
struct Lane {
    engine: Engine,
    main: Vec<usize>,
    refs: Vec<usize>,
}

/// The engines for a render. Offline, when the main channels do not interact (no stereo-linked
/// compression), each main channel gets an engine of its own, fed the reference channels that
/// the stereo engine would have used for it ([`routing::heard`]: channel c of a stereo source,
/// the only channel of a mono one), as mono sources; the lag search runs per main channel in
/// both. The same audio, bit for bit (`crates/residue-render/tests/render.rs` checks it),
/// about twice as fast on two cores. A real-time host gives the plugin one thread, so only the
/// renderer does this.
pub fn plan(
    config: &EngineConfig,
    window: usize,
    overlap: usize,
    settings: Settings,
    mode: LatencyMode,
) -> Result<Plan, ConfigError> {
    let (main_channels, ref_channels) = (config.main_channels, config.sources.iter().sum());
    let linked = settings.link_channels && settings.compression;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A source a channel hears as the mean of several (more channels than the track) needs them
    // all in its engine.
    let means = config.sources.iter().any(|&n| routing::heard(0, n, 0, main_channels).len() > 1);
    if main_channels < 2 || linked || cores < 2 || means {
        let engine = Engine::with_mode(config, window, overlap, settings, mode)?;
        let lanes = vec![Lane { engine, main: (0..main_channels).collect(), refs: (0..ref_channels).collect() }];
        return Ok(Plan { lanes, main_channels, ref_channels });
    }
    let mono = EngineConfig { main_channels: 1, sources: vec![1; config.sources.len()], ..config.clone() };
    let lanes = (0..main_channels)
        .map(|c| {
            let mut first = 0;
            let refs = config
                .sources
                .iter()
                .map(|&n| {
                    let heard = routing::heard(first, n, c, main_channels);
                    first += n;
                    // A stereo track hears one channel of each source.
                    heard.start
                })
                .collect();
            Ok(Lane { engine: Engine::with_mode(&mono, window, overlap, settings, mode)?, main: vec![c], refs })
        })
        .collect::<Result<_, ConfigError>>()?;
    Ok(Plan { lanes, main_channels, ref_channels })
}

/// One lane's share of a block.
struct Block {
    main: Vec<Vec<f32>>,
    refs: Vec<Vec<f32>>,
    len: usize,
}

impl Plan {
    /// Forgets the audio, keeps what was learned ([`Engine::reset`]): between a learning pass
    /// and the pass that renders.
    pub fn reset(&mut self) {
        for lane in &mut self.lanes {
            lane.engine.reset();
        }
    }
}

/// Runs `frames` frames through the lanes, latency removed: the `i`-th frame written is the
/// processed `i`-th frame read. `read(mix, refs, n)` fills the first `n` frames of every mix
/// and reference channel (silence past their ends); `write(channels)` takes finished frames;
/// `progress(done, total)` follows the frames.
pub fn stream(
    plan: &mut Plan,
    frames: usize,
    mut read: impl FnMut(&mut [Vec<f32>], &mut [Vec<f32>], usize) -> Result<(), RenderError>,
    mut write: impl FnMut(&[&[f32]]) -> Result<(), RenderError>,
    progress: &mut impl FnMut(usize, usize),
) -> Result<(), RenderError> {
    let Plan { lanes, main_channels, ref_channels } = plan;
    let (main_channels, ref_channels) = (*main_channels, *ref_channels);
    let latency = lanes.first().map_or(0, |l| l.engine.latency());
    // The engine has to be fed `latency` frames of silence past the end to give out the last ones.
    let total = frames + latency;
    let blocks = total.div_ceil(BLOCK);
    std::thread::scope(|scope| {
        let mut links: Vec<(SyncSender<Block>, Receiver<Block>, Vec<Block>)> = Vec::new();
        let mut owners = Vec::new();
        for lane in lanes.iter_mut() {
            let (to_lane, inbox) = sync_channel::<Block>(DEPTH);
            let (outbox, from_lane) = sync_channel::<Block>(DEPTH);
            let pool = (0..DEPTH)
                .map(|_| Block {
                    main: vec![vec![0.0; BLOCK]; lane.main.len()],
                    refs: vec![vec![0.0; BLOCK]; lane.refs.len()],
                    len: 0,
                })
                .collect();
            owners.push((lane.main.clone(), lane.refs.clone()));
            scope.spawn(move || {
                for mut block in inbox {
                    let n = block.len;
                    let mut main: Vec<&mut [f32]> = block.main.iter_mut().map(|c| &mut c[..n]).collect();
                    let refs: Vec<&[f32]> = block.refs.iter().map(|c| &c[..n]).collect();
                    lane.engine.process(&mut main, &refs);
                    if outbox.send(block).is_err() {
                        break;
                    }
                }
            });
            links.push((to_lane, from_lane, pool));
        }
        let mut mix = vec![vec![0.0f32; BLOCK]; main_channels];
        let mut refs = vec![vec![0.0f32; BLOCK]; ref_channels];
        let (mut sent, mut done, mut written) = (0, 0, 0);
        while done < blocks {
            while sent < blocks && sent - done < DEPTH {
                let n = BLOCK.min(total - sent * BLOCK);
                read(&mut mix, &mut refs, n)?;
                for ((to_lane, _, pool), (main, lane_refs)) in links.iter_mut().zip(&owners) {
                    let mut block = pool.pop().expect("a free block per block in flight");
                    for (dst, &c) in block.main.iter_mut().zip(main) {
                        dst[..n].copy_from_slice(&mix[c][..n]);
                    }
                    for (dst, &r) in block.refs.iter_mut().zip(lane_refs) {
                        dst[..n].copy_from_slice(&refs[r][..n]);
                    }
                    block.len = n;
                    to_lane.send(block).map_err(|_| lane_failed())?;
                }
                sent += 1;
            }
            let finished: Vec<Block> = links
                .iter()
                .map(|(_, from_lane, _)| from_lane.recv().map_err(|_| lane_failed()))
                .collect::<Result<_, _>>()?;
            // This block's frames are input frames `start..start + n`; output frame i is input
            // frame i + latency.
            let (start, n) = (done * BLOCK, finished[0].len);
            let skip = latency.saturating_sub(start).min(n);
            let count = (n - skip).min(frames - written);
            let mut out: Vec<&[f32]> = vec![&[]; main_channels];
            for (block, (main, _)) in finished.iter().zip(&owners) {
                for (samples, &c) in block.main.iter().zip(main) {
                    out[c] = &samples[skip..skip + count];
                }
            }
            write(&out)?;
            written += count;
            for ((_, _, pool), block) in links.iter_mut().zip(finished) {
                pool.push(block);
            }
            done += 1;
            progress((done * BLOCK).min(total), total);
        }
        Ok(())
    })
}

fn lane_failed() -> RenderError {
    RenderError::Io("residue-render".into(), "a processing thread stopped unexpectedly".into())
}
