//! `--plot`: one picture of what a render did. Three spectrograms on one colour scale (the mix,
//! the output, and the mix minus the output) and the mean level change per frequency, so a user
//! sees at a glance which bands lost what.

use std::path::Path;

use plotters::prelude::*;
use realfft::RealFftPlanner;

use super::RenderError;
use residue_dsp::OutputMode;

const WIDTH: u32 = 1400;
const HEIGHT: u32 = 1300;
/// Analysis window of the picture (not of the render): ~46 ms at 44.1 kHz, fine enough in time
/// for speech and fine enough in frequency for the low end of a guitar.
const FFT: usize = 4096;
const LOWEST_HZ: f64 = 30.0;
/// The colour scale spans this many dB below the mix's loudest cell.
const RANGE_DB: f64 = 90.0;
/// The gain panel shows at least this much reduction (dB), more when the render removed more.
const GAIN_FLOOR_DB: f64 = -12.0;

/// Power per (time column, frequency row) of a signal, averaged over the FFT bins each
/// log-spaced row covers.
struct Spectrogram {
    cells: Vec<Vec<f64>>,
}

/// What the picture shows, derived from the signals once.
pub struct Picture {
    mix: Spectrogram,
    output: Spectrogram,
    difference: Spectrogram,
    /// Output power over mix power per row, summed over the whole file, dB.
    gain_db: Vec<f64>,
    rows_hz: Vec<f64>,
    seconds: f64,
    nyquist: f64,
}

impl Picture {
    /// `mix` and `output` are aligned sample for sample (the renderer's output is
    /// latency-compensated); channels are averaged.
    pub fn new(mix: &[Vec<f32>], output: &[Vec<f32>], sample_rate: u32, columns: usize, rows: usize) -> Self {
        let mono = |chs: &[Vec<f32>]| -> Vec<f32> {
            let len = chs.first().map_or(0, Vec::len);
            (0..len).map(|i| chs.iter().map(|c| c[i]).sum::<f32>() / chs.len() as f32).collect()
        };
        let (m, o) = (mono(mix), mono(output));
        let d: Vec<f32> = m.iter().zip(&o).map(|(a, b)| a - b).collect();
        let nyquist = sample_rate as f64 / 2.0;
        let rows_hz: Vec<f64> =
            (0..=rows).map(|r| LOWEST_HZ * (nyquist / LOWEST_HZ).powf(r as f64 / rows as f64)).collect();
        let analyse = Analyser::new(&rows_hz, sample_rate, columns);
        let (mix, output, difference) = (analyse.run(&m), analyse.run(&o), analyse.run(&d));
        let gain_db = (0..rows)
            .map(|r| {
                let (pm, po): (f64, f64) =
                    mix.cells.iter().zip(&output.cells).fold((0.0, 0.0), |(a, b), (cm, co)| (a + cm[r], b + co[r]));
                if pm > 0.0 {
                    10.0 * (po.max(1e-30) / pm).log10()
                } else {
                    0.0
                }
            })
            .collect();
        Picture { mix, output, difference, gain_db, rows_hz, seconds: m.len() as f64 / sample_rate as f64, nyquist }
    }

    /// Mean level change per frequency row (dB, output relative to mix), low to high.
    pub fn gain_db(&self) -> &[f64] {
        &self.gain_db
    }

    /// The centre frequency of each row.
    pub fn row_hz(&self, row: usize) -> f64 {
        (self.rows_hz[row] * self.rows_hz[row + 1]).sqrt()
    }

    /// Writes the PNG (through a temporary file, so a failed write leaves nothing behind).
    pub fn write(&self, path: &Path, title: &str, output: OutputMode) -> Result<(), RenderError> {
        let err = |e: String| RenderError::Io(path.to_path_buf(), e);
        let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
        self.draw(&mut pixels, title, output).map_err(|e| err(format!("drawing the plot failed: {e}")))?;
        let tmp = super::wav::temporary_beside(path);
        let result = encode_png(&tmp, &pixels)
            .map_err(|e| err(e.to_string()))
            .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| err(e.to_string())));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn draw(&self, pixels: &mut [u8], title: &str, output: OutputMode) -> Result<(), Box<dyn std::error::Error>> {
        register_fonts();
        let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, ("sans-serif", 26))?;
        let (spectra, gain) = root.split_vertically(HEIGHT as i32 * 3 / 4 - 20);
        let panels = spectra.split_evenly((3, 1));
        let (out_name, diff_name) = match output {
            OutputMode::Target => ("Output: cleaned", "Removed (mix − output)"),
            OutputMode::Removed => ("Output: what was removed", "Kept (mix − output)"),
            OutputMode::Reference => ("Output: bleed estimate", "Mix − bleed estimate"),
        };
        let top = self.mix.cells.iter().flatten().fold(1e-30f64, |a, &b| a.max(b));
        let top_db = 10.0 * top.log10();
        for (area, (name, spec)) in
            panels.iter().zip([("Mix", &self.mix), (out_name, &self.output), (diff_name, &self.difference)])
        {
            let (plot, bar) = area.split_horizontally(WIDTH as i32 - 110);
            self.draw_spectrogram(&plot, name, spec, top_db)?;
            draw_colour_bar(&bar)?;
        }
        self.draw_gain(&gain.split_horizontally(WIDTH as i32 - 110).0)?;
        root.present()?;
        Ok(())
    }

    fn draw_spectrogram<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        name: &str,
        spec: &Spectrogram,
        top_db: f64,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 20))
            .margin(6)
            .x_label_area_size(34)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..self.seconds, (LOWEST_HZ..self.nyquist).log_scale())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("time (s)")
            .y_desc("Hz")
            .y_label_formatter(&|hz| hz_label(*hz))
            .label_style(("sans-serif", 15))
            .draw()?;
        let canvas = chart.plotting_area().strip_coord_spec();
        let (w, h) = canvas.dim_in_pixel();
        let (columns, rows) = (spec.cells.len(), spec.cells.first().map_or(0, Vec::len));
        for x in 0..w {
            let column = &spec.cells[(x as usize * columns / w as usize).min(columns - 1)];
            for y in 0..h {
                let row = ((h - 1 - y) as usize * rows / h as usize).min(rows - 1);
                let db = 10.0 * column[row].max(1e-30).log10() - top_db;
                canvas.draw_pixel(
                    (x as i32, y as i32),
                    &ViridisRGB::get_color_normalized(db.clamp(-RANGE_DB, 0.0), -RANGE_DB, 0.0),
                )?;
            }
        }
        Ok(())
    }

    /// Down to the deepest reduction, in 6 dB steps, never above `GAIN_FLOOR_DB`; at most 60 dB.
    fn gain_floor_db(&self) -> f64 {
        let deepest = self.gain_db.iter().fold(0.0f64, |a, &b| a.min(b));
        ((deepest / 6.0).floor() * 6.0).clamp(-60.0, GAIN_FLOOR_DB)
    }

    fn draw_gain<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let mut chart = ChartBuilder::on(area)
            .caption("Mean level change per frequency (output relative to mix)", ("sans-serif", 20))
            .margin(6)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((LOWEST_HZ..self.nyquist).log_scale(), self.gain_floor_db()..3.0)?;
        chart
            .configure_mesh()
            .x_desc("frequency (Hz)")
            .y_desc("dB")
            .x_label_formatter(&|hz| hz_label(*hz))
            .y_label_formatter(&|db| format!("{db:.0}"))
            .label_style(("sans-serif", 15))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
        let points =
            (0..self.gain_db.len()).map(|r| (self.row_hz(r), self.gain_db[r].clamp(self.gain_floor_db(), 3.0)));
        chart.draw_series(AreaSeries::new(points.clone(), 0.0, RGBColor(68, 1, 84).mix(0.25)))?;
        chart.draw_series(LineSeries::new(points, RGBColor(68, 1, 84).stroke_width(2)))?;
        Ok(())
    }
}

fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin_top(36)
        .margin_bottom(40)
        .margin_left(8)
        .margin_right(4)
        .right_y_label_area_size(64)
        .build_cartesian_2d(0.0..1.0, -RANGE_DB..0.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc("level (dB)")
        .y_label_formatter(&|db| format!("{db:.0}"))
        .label_style(("sans-serif", 14))
        .draw()?;
    let steps = 90;
    chart.draw_series((0..steps).map(|i| {
        let lo = -RANGE_DB + RANGE_DB * i as f64 / steps as f64;
        let hi = lo + RANGE_DB / steps as f64;
        Rectangle::new([(0.0, lo), (1.0, hi)], ViridisRGB::get_color_normalized(lo, -RANGE_DB, 0.0).filled())
    }))?;
    Ok(())
}

/// PNG at the best compression: spectrograms compress poorly and the picture is made once.
fn encode_png(path: &Path, pixels: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    PngEncoder::new_with_quality(file, CompressionType::Best, FilterType::Adaptive).write_image(
        pixels,
        WIDTH,
        HEIGHT,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(())
}

fn hz_label(hz: f64) -> String {
    if hz >= 1000.0 {
        format!("{}k", (hz / 100.0).round() / 10.0)
    } else {
        format!("{}", hz.round())
    }
}

/// Fonts are embedded (the same faces the editor uses), so the picture looks the same on every
/// machine and needs no system fonts.
fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT);
    });
}

/// Hann-windowed power spectra at evenly spaced times, folded onto log-spaced rows.
struct Analyser {
    /// For each row, the FFT bins it averages (at least one, so low rows are not empty).
    bins: Vec<std::ops::Range<usize>>,
    columns: usize,
}

impl Analyser {
    fn new(rows_hz: &[f64], sample_rate: u32, columns: usize) -> Self {
        let hz_per_bin = sample_rate as f64 / FFT as f64;
        let bins = rows_hz
            .windows(2)
            .map(|edge| {
                let lo = ((edge[0] / hz_per_bin).round() as usize).min(FFT / 2);
                let hi = ((edge[1] / hz_per_bin).round() as usize).clamp(lo + 1, FFT / 2 + 1);
                lo..hi
            })
            .collect();
        Analyser { bins, columns }
    }

    fn run(&self, signal: &[f32]) -> Spectrogram {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FFT);
        let window: Vec<f32> = (0..FFT).map(|n| (std::f32::consts::PI * n as f32 / FFT as f32).sin().powi(2)).collect();
        let mut frame = fft.make_input_vec();
        let mut spectrum = fft.make_output_vec();
        // Each column averages the frames (hop FFT/2) that cover its stretch of time, so a long
        // file is summarised, not sampled.
        let span = signal.len() as f64 / self.columns as f64;
        let frames = (span / (FFT / 2) as f64).ceil().max(1.0) as usize;
        let cells = (0..self.columns)
            .map(|c| {
                let mut power = vec![0.0f64; self.bins.len()];
                for f in 0..frames {
                    let centre = (c as f64 + (f as f64 + 0.5) / frames as f64) * span;
                    let start = centre as isize - FFT as isize / 2;
                    for (n, x) in frame.iter_mut().enumerate() {
                        let i = start + n as isize;
                        *x = if i >= 0 && (i as usize) < signal.len() { signal[i as usize] * window[n] } else { 0.0 };
                    }
                    fft.process(&mut frame, &mut spectrum).expect("buffers come from the plan");
                    for (p, b) in power.iter_mut().zip(&self.bins) {
                        *p += spectrum[b.clone()].iter().map(|z| z.norm_sqr() as f64).sum::<f64>()
                            / (b.len() * frames) as f64;
                    }
                }
                power
            })
            .collect();
        Spectrogram { cells }
    }
}
