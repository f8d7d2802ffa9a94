//! Engine tests: the STFT, the method, and its agreement with norbert.

mod analysis;
mod autoscale;
mod bleed_model;
mod blocking;
mod causality;
mod channels;
mod cross_bleed;
mod harness;
mod hostile_input;
mod interference;
mod isa;
mod kit;
mod learning;
mod live;
mod live_changes;
mod long_lags;
mod norbert_e2e;
mod norbert_frame;
mod reconstruction;
mod signals;
mod sources;
mod wav;
