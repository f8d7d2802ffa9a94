//! With the mask at 1 the STFT must give back the input, delayed by exactly the latency.

use residue::dsp::stft::{Stft, MAX_WINDOW, MIN_WINDOW, OVERLAPS};
use residue::dsp::Ramp;

use crate::signals::{error_db, noise, tones};

fn identity_error(size: usize, overlap: usize, input: &[f32]) -> f64 {
    let mut stft = Stft::new(1, 0, &[], MAX_WINDOW, 0, size, overlap);
    let mut out = input.to_vec();
    let mut frames = 0;
    stft.process(&mut [&mut out[..]], &[], &mut Ramp::new(1.0), |_| frames += 1);
    assert_eq!(frames, input.len() / (size / overlap), "one frame per hop");
    let latency = stft.latency();
    assert_eq!(latency, size - 1);
    error_db(&out[latency..], &input[..input.len() - latency])
}

#[test]
fn mask_one_is_a_pure_delay_for_every_shape() {
    let mut size = MIN_WINDOW;
    while size <= MAX_WINDOW {
        for overlap in OVERLAPS {
            let len = 3 * size + 12345;
            let x: Vec<f32> = noise(len, size as u64, 0.5).iter().zip(tones(len, 48000.0, &[50.0, 440.0, 9000.0], 0.5)).map(|(a, b)| a + b).collect();
            let err = identity_error(size, overlap, &x);
            assert!(err < -120.0, "window {size} overlap {overlap}: error {err:.1} dB");
        }
        size *= 2;
    }
}

#[test]
fn an_impulse_comes_out_exactly_latency_samples_later() {
    for overlap in OVERLAPS {
        let size = 1024;
        let mut x = vec![0.0f32; 8192];
        x[3001] = 1.0;
        let mut stft = Stft::new(1, 0, &[], MAX_WINDOW, 0, size, overlap);
        stft.process(&mut [&mut x[..]], &[], &mut Ramp::new(1.0), |_| {});
        let peak = x.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap().0;
        assert_eq!(peak, 3001 + size - 1);
        assert!((x[peak] - 1.0).abs() < 1e-5, "peak {}", x[peak]);
    }
}
