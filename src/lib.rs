//! Residue: removes bleed from a track using a reference of the bleeding source.

pub mod dsp;
