//! Text typed into Residue's parameters through CLAP's `text_to_value`: what people write lands
//! where they meant it, and what does not mean a value is refused (never read as another one).

use super::host::{self, Loaded};

#[test]
fn typed_values_land_where_they_were_meant() {
    let _one_at_a_time = host::exclusive();
    let mut p = Loaded::new();
    // (parameter, typed, shown afterwards)
    let cases = [
        ("Lag", "10ms", "10.0 ms"),
        ("Lag", "10 MS", "10.0 ms"),
        ("Lag", "0.01s", "10.0 ms"),
        ("Smoothing", "1s", "1000 ms"),
        ("Adaptation", "500 ms", "0.50 s"),
        ("Adaptation", "2,5 s", "2.50 s"),
        ("Overlap", "4", "4x"),
        ("Overlap", "8 x", "8x"),
        ("Freeze", "1", "On"),
        ("Freeze", "yes", "On"),
        ("Freeze", "0", "Off"),
        ("Stereo Link", "TRUE", "On"),
        ("Output", "removed", "Removed"),
        ("Output", "bleed", "Bleed Estimate"),
        ("FFT Size", "1k", "1024"),
        ("FFT Size", "auto", "Auto"),
        ("FFT Size", "8192 samples", "8192"),
        ("Mix", "75%", "75 %"),
        ("Threshold", "35 %", "0.35"),
        ("Alpha", "power", "2.00 (power)"),
        ("Tail", "3", "3 frames"),
    ];
    for (name, typed, shown) in cases {
        let id = p.param_id(name);
        let v = p.try_value_from_text(id, typed).unwrap_or_else(|| panic!("{name}: {typed:?} refused"));
        assert_eq!(p.value_text(id, v), shown, "{name}: typed {typed:?}");
    }
    // Not values: refused, so that no host reads them as something else.
    for (name, typed) in
        [("Overlap", "3"), ("Freeze", "maybe"), ("Output", "re"), ("FFT Size", "5"), ("Lag", "10 Hz"), ("Tail", "2.5")]
    {
        let id = p.param_id(name);
        assert_eq!(p.try_value_from_text(id, typed), None, "{name}: {typed:?} was accepted");
    }
}
