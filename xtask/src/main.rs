//! `cargo xtask bundle residue --release` builds `target/bundled/Residue.{vst3,clap}`.
fn main() -> nice_plug_xtask::Result<()> {
    nice_plug_xtask::main()
}
