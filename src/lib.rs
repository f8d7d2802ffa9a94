//! Residue: removes bleed from a track using a reference of the bleeding source.
//!
//! The engine is a crate of its own (`residue-dsp`, re-exported as [`dsp`]: no plugin framework
//! in it); [`plugin`] and [`params`] wrap it as a VST3 and CLAP plugin.

pub use residue_dsp as dsp;

pub mod editor;
pub mod meter;
pub mod params;
pub mod plugin;
pub mod session;

pub use plugin::Residue;

nice_plug::nice_export_clap!(Residue);
nice_plug::nice_export_vst3!(Residue);
