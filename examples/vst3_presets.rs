//! Writes the factory presets as VST3 preset files into a folder (default `presets/vst3`,
//! the copies that ship with the source):
//! `cargo run --example vst3_presets -- ~/.vst3/presets/Residue/Residue` puts them where VST3
//! hosts on Linux look for them.

use nice_plug::prelude::Vst3Plugin;
use residue::params::vstpreset;
use residue::Residue;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "presets/vst3".to_owned());
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in vstpreset::factory_files(Residue::PLATFORM_VST3_CLASS_ID) {
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(&path, bytes)?;
        println!("{}", path.display());
    }
    Ok(())
}
