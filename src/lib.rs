//! Residue: removes bleed from a track using a reference of the bleeding source.
//!
//! [`dsp`] is the engine (no plugin framework in it); [`plugin`] and [`params`] wrap it as a
//! VST3 and CLAP plugin.

pub mod dsp;
pub mod editor;
pub mod meter;
pub mod param_text;
pub mod params;
pub mod plugin;
pub mod render;
pub mod session;
pub mod sidechain;

pub use plugin::Residue;

nice_plug::nice_export_clap!(Residue);
nice_plug::nice_export_vst3!(Residue);
