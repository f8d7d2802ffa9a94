//! What people type into a parameter's text field, read the way they mean it.
//!
//! Hosts let users type a value; a text the plugin refuses is not simply dropped everywhere:
//! JUCE-based hosts then read the typed number as a raw 0–1 value (a Lag of "10ms" became 50 ms,
//! an Overlap of "4" became 8x). So every parameter accepts its value as shown and the usual
//! ways of writing it: a unit with or without a space and in any case, a bare number in the
//! unit shown, another unit of the same kind ("0.5 s" for a time in ms), `k` for thousands, a
//! decimal comma, and for choices their names in any case, unambiguous beginnings of them, and
//! the numbers they stand for. Anything else is refused (`None`).

use super::{FftSize, Latency, Output, Overlap, Sources};

/// A number followed by a unit: (value, unit in lower case with spaces removed). Accepts a
/// decimal comma when there is no decimal point, and a `k` that multiplies by 1000 when it
/// stands before the unit (or alone).
fn number_and_unit(text: &str) -> Option<(f64, String)> {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || c == ',' || ((c == '-' || c == '+') && i == 0)))
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(end);
    let number = if number.contains('.') { number.to_string() } else { number.replace(',', ".") };
    let mut value: f64 = number.parse().ok()?;
    let mut unit: String = unit.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    if unit.starts_with('k') && !unit.starts_with("khz") {
        value *= 1000.0;
        unit.remove(0);
    }
    value.is_finite().then_some((value, unit))
}

/// A plain number (a unit given must be one of `units`, which are all equivalent).
fn plain(text: &str, units: &[&str]) -> Option<f32> {
    let (v, unit) = number_and_unit(text)?;
    (unit.is_empty() || units.contains(&unit.as_str())).then_some(v as f32)
}

/// Seconds, from seconds (bare), or from milliseconds.
pub fn seconds(text: &str) -> Option<f32> {
    let (v, unit) = number_and_unit(text)?;
    match unit.as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => Some(v as f32),
        "ms" | "msec" | "millisecond" | "milliseconds" => Some((v * 1e-3) as f32),
        _ => None,
    }
}

/// Milliseconds, from milliseconds (bare), or from seconds.
pub fn milliseconds(text: &str) -> Option<f32> {
    let (v, unit) = number_and_unit(text)?;
    match unit.as_str() {
        "" | "ms" | "msec" | "millisecond" | "milliseconds" => Some(v as f32),
        "s" | "sec" | "secs" | "second" | "seconds" => Some((v * 1e3) as f32),
        _ => None,
    }
}

/// A percentage shown as `50 %`, stored 0–1: bare numbers are percent too.
pub fn percent(text: &str) -> Option<f32> {
    plain(text, &["%", "percent"]).map(|v| v / 100.0)
}

/// A 0–1 value (Threshold), also typed as a percentage (`30 %`).
pub fn fraction(text: &str) -> Option<f32> {
    let (v, unit) = number_and_unit(text)?;
    match unit.as_str() {
        "" => Some(v as f32),
        "%" | "percent" => Some((v / 100.0) as f32),
        _ => None,
    }
}

/// A number without a unit (Slope).
pub fn number(text: &str) -> Option<f32> {
    plain(text, &[])
}

/// Alpha: a number, or the names its two usual values are shown with.
pub fn alpha(text: &str) -> Option<f32> {
    match text.trim().to_lowercase().as_str() {
        "magnitude" | "mag" => Some(1.0),
        "power" | "pow" => Some(2.0),
        // As shown: "2.00 (power)".
        t => number(t.split('(').next()?),
    }
}

/// A whole number of frames (Tail): `2`, `2 frames`, `1 frame`.
pub fn frames(text: &str) -> Option<i32> {
    let v = plain(text, &["frame", "frames"])?;
    (v.fract() == 0.0).then_some(v as i32)
}

/// Sources: the names shown, and how people say them (`split`, `mono`, `1`, `pairs`).
pub fn sources(text: &str) -> Option<Sources> {
    choice(
        text,
        &[
            ("one", Sources::One),
            ("1", Sources::One),
            ("single", Sources::One),
            ("one source", Sources::One),
            ("each channel", Sources::Each),
            ("each", Sources::Each),
            ("channels", Sources::Each),
            ("per channel", Sources::Each),
            ("split", Sources::Each),
            ("mono", Sources::Each),
            ("stereo pairs", Sources::Pairs),
            ("pairs", Sources::Pairs),
            ("stereo", Sources::Pairs),
        ],
    )
}

/// The value of the name in `choices` that `text` is (in any case), or failing that the value
/// all names beginning with it share (none if they disagree: the text is ambiguous).
fn choice<T: Copy + PartialEq>(text: &str, choices: &[(&str, T)]) -> Option<T> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Some(&(_, v)) = choices.iter().find(|(name, _)| *name == t) {
        return Some(v);
    }
    let mut starting = choices.iter().filter(|(name, _)| name.starts_with(&t)).map(|&(_, v)| v);
    let first = starting.next()?;
    starting.all(|v| v == first).then_some(first)
}

pub fn output(text: &str) -> Option<Output> {
    choice(
        text,
        &[
            ("cleaned", Output::Target),
            ("clean", Output::Target),
            ("target", Output::Target),
            ("removed", Output::Removed),
            ("remove", Output::Removed),
            ("bleed estimate", Output::Reference),
            ("bleed", Output::Reference),
            ("estimate", Output::Reference),
            ("reference", Output::Reference),
        ],
    )
}

/// `auto`, or a size in samples: `2048`, `2k`, `2048 samples`.
pub fn fft_size(text: &str) -> Option<FftSize> {
    if let Some(auto) = choice(text, &[("auto", FftSize::Auto)]) {
        return Some(auto);
    }
    // Sizes in "k" are binary: 1k is 1024, 16k is 16384.
    let t = text.trim().to_lowercase();
    let t =
        ["samples", "sample", "smp"].iter().fold(t.as_str(), |t, unit| t.strip_suffix(unit).unwrap_or(t)).trim_end();
    let size = match t.strip_suffix('k') {
        Some(kilo) => number(kilo)? * 1024.0,
        None => number(t)?,
    };
    [FftSize::W512, FftSize::W1024, FftSize::W2048, FftSize::W4096, FftSize::W8192, FftSize::W16384]
        .into_iter()
        .find(|s| s.samples(0.0) as f32 == size)
}

/// `4x`, `4`, `x4`, `4 x`.
pub fn overlap(text: &str) -> Option<Overlap> {
    let t = text.trim().to_lowercase();
    let t = t.strip_prefix('x').unwrap_or(&t);
    let v = plain(t, &["x", "×"])?;
    [Overlap::X2, Overlap::X4, Overlap::X8].into_iter().find(|o| o.factor() as f32 == v)
}

/// The Latency choice: its name, or a latency in milliseconds (the mode that fits within it).
pub fn latency(text: &str) -> Option<Latency> {
    choice(
        text,
        &[
            ("mix", Latency::Mix),
            ("live", Latency::Live),
            ("low", Latency::Live),
            ("low latency", Latency::Live),
            ("stft", Latency::Mix),
        ],
    )
    .or_else(|| milliseconds(text).map(|ms| if ms < 20.0 { Latency::Live } else { Latency::Mix }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_and_without_units() {
        for t in ["10ms", "10 ms", "10", " 10 MS ", "0.01 s", "0.01s", "10,0 ms", "10 milliseconds"] {
            assert_eq!(milliseconds(t), Some(10.0), "{t:?}");
        }
        for t in ["0.5", "0.5 s", "0.5s", "500ms", "500 ms", "0,5 s", "0.5 sec"] {
            assert_eq!(seconds(t), Some(0.5), "{t:?}");
        }
        for t in ["", "ms", "ten", "10 Hz", "10 mss", "1e400"] {
            assert_eq!(milliseconds(t), None, "{t:?}");
        }
    }

    #[test]
    fn percentages_fractions_and_numbers() {
        for t in ["50", "50%", "50 %", "50 percent"] {
            assert_eq!(percent(t), Some(0.5), "{t:?}");
        }
        assert_eq!(fraction("0.3"), Some(0.3));
        assert_eq!(fraction("30 %"), Some(0.3));
        assert_eq!(fraction("0.3 ms"), None);
        assert_eq!(number("12.5"), Some(12.5));
        assert_eq!(number("12.5 dB"), None);
        assert_eq!(alpha("2.00 (power)"), Some(2.0));
        assert_eq!(alpha("Power"), Some(2.0));
        assert_eq!(alpha("1.5"), Some(1.5));
        assert_eq!(frames("3 frames"), Some(3));
        assert_eq!(frames("1 frame"), Some(1));
        assert_eq!(frames("2.5"), None);
    }

    #[test]
    fn choices_by_name_beginning_or_number() {
        assert_eq!(output("removed"), Some(Output::Removed));
        assert_eq!(output("REMOVED"), Some(Output::Removed));
        assert_eq!(output("Bleed Estimate"), Some(Output::Reference));
        assert_eq!(output("clea"), Some(Output::Target));
        assert_eq!(output("re"), None, "ambiguous: removed or reference");
        assert_eq!(fft_size("2048"), Some(FftSize::W2048));
        assert_eq!(fft_size("1k"), Some(FftSize::W1024));
        assert_eq!(fft_size("16k"), Some(FftSize::W16384));
        assert_eq!(fft_size("4096 samples"), Some(FftSize::W4096));
        assert_eq!(fft_size("AUTO"), Some(FftSize::Auto));
        assert_eq!(fft_size("0.5k"), Some(FftSize::W512));
        assert_eq!(fft_size("3000"), None);
        assert_eq!(fft_size("2000"), None, "only exact sizes, or k for 1024");
        assert_eq!(fft_size("5"), None, "not an index");
        for t in ["4", "4x", "4 x", "x4", "4X"] {
            assert_eq!(overlap(t), Some(Overlap::X4), "{t:?}");
        }
        assert_eq!(overlap("3"), None);
        assert_eq!(overlap("1"), None, "not an index");
        for (t, g) in [
            ("One", Sources::One),
            ("each channel", Sources::Each),
            ("Each", Sources::Each),
            ("split", Sources::Each),
            ("Stereo Pairs", Sources::Pairs),
            ("pa", Sources::Pairs),
        ] {
            assert_eq!(sources(t), Some(g), "{t:?}");
        }
        assert_eq!(sources("s"), None, "ambiguous: single, split or stereo");
        assert_eq!(sources("2"), None, "not an index");
    }
}
