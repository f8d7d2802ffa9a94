//! The FFT plans of every frame size an engine may switch to, made once: a frame grid picks the
//! plan of its current size without allocating.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, FftError, RealFftPlanner, RealToComplex};

use super::limits::MIN_WINDOW;
use super::pages::touch;

pub struct Plans {
    /// Per power of two from [`MIN_WINDOW`] to the largest size.
    forward: Vec<Arc<dyn RealToComplex<f32>>>,
    inverse: Vec<Arc<dyn ComplexToReal<f32>>>,
    scratch: Vec<Complex32>,
}

impl Plans {
    /// Plans for every power of two from [`MIN_WINDOW`] to `max_window`, forward and, with
    /// `inverse`, inverse.
    pub fn new(max_window: usize, inverse: bool) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let (mut forward, mut inverses) = (Vec::new(), Vec::new());
        let mut n = MIN_WINDOW;
        while n <= max_window {
            forward.push(planner.plan_fft_forward(n));
            if inverse {
                inverses.push(planner.plan_fft_inverse(n));
            }
            n *= 2;
        }
        let scratch_len = forward
            .iter()
            .map(|p| p.get_scratch_len())
            .chain(inverses.iter().map(|p| p.get_scratch_len()))
            .max()
            .unwrap_or(0);
        let mut plans = Self { forward, inverse: inverses, scratch: vec![Complex32::default(); scratch_len] };
        touch(&mut plans.scratch);
        plans
    }

    fn index(size: usize) -> usize {
        (size / MIN_WINDOW).trailing_zeros() as usize
    }

    /// The forward transform of `input` (its length a planned size; used as scratch) into
    /// `output` (`input.len() / 2 + 1` bins).
    #[inline(always)]
    pub fn forward(&mut self, input: &mut [f32], output: &mut [Complex32]) -> Result<(), FftError> {
        self.forward[Self::index(input.len())].process_with_scratch(input, output, &mut self.scratch)
    }

    /// The inverse transform of `input` (`output.len() / 2 + 1` bins; used as scratch) into
    /// `output`.
    #[inline(always)]
    pub fn inverse(&mut self, input: &mut [Complex32], output: &mut [f32]) -> Result<(), FftError> {
        self.inverse[Self::index(output.len())].process_with_scratch(input, output, &mut self.scratch)
    }
}
