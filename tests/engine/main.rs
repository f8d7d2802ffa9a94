//! Engine tests: the STFT, the method, and its agreement with norbert.

mod blocking;
mod harness;
mod norbert_e2e;
mod norbert_frame;
mod reconstruction;
mod signals;
mod wav;
