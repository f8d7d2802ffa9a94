//! Engine tests: the STFT, the method, and its agreement with norbert.

mod blocking;
mod harness;
mod reconstruction;
mod signals;
