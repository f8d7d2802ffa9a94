//! The factory presets' VST3 preset files that ship in `presets/vst3/` are what the plugin's
//! code makes of its factory presets today (a stale file would load old values in a host).
//! Loading them in real VST3 hosts: `tests/hosts/test_vst3_presets.py`.

use nice_plug::prelude::Vst3Plugin;
use residue::params::vstpreset;

#[test]
fn the_shipped_preset_files_are_the_factory_presets() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/vst3");
    let files = vstpreset::factory_files(residue::Residue::PLATFORM_VST3_CLASS_ID);
    let mut shipped: Vec<String> = std::fs::read_dir(&dir)
        .expect("presets/vst3")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    shipped.sort();
    let mut names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    names.sort();
    assert_eq!(shipped, names, "one file per factory preset, nothing else");
    for (name, bytes) in files {
        let on_disk = std::fs::read(dir.join(&name)).unwrap();
        assert!(on_disk == bytes, "{name} is stale: `cargo run --example vst3_presets` writes it anew");
    }
}
