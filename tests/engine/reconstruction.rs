//! With the mask at 1 the STFT must give back the input, delayed by exactly the latency.

use residue::dsp::references::References;
use residue::dsp::stft::{Stft, MAX_WINDOW, MIN_WINDOW, OVERLAPS};
use residue::dsp::Ramp;

use crate::signals::{error_db, noise, tones};

fn identity_error(size: usize, overlap: usize, input: &[f32]) -> f64 {
    let mut stft = Stft::new(1, 0, MAX_WINDOW, size, overlap);
    let mut refs = References::new(0, &[], MAX_WINDOW, 0, MAX_WINDOW);
    let mut out = input.to_vec();
    let mut frames = 0;
    stft.process(&mut [&mut out[..]], &[], &mut refs, &mut Ramp::new(1.0), |_| frames += 1);
    // One frame per hop; the last frame's callback runs during the hop after it, which the
    // input may end before.
    let hop = size / overlap;
    assert!((input.len() / hop - 1..=input.len() / hop).contains(&frames), "{frames} frames");
    let latency = stft.latency();
    assert_eq!(latency, size - 1 + hop);
    error_db(&out[latency..], &input[..input.len() - latency])
}

#[test]
fn mask_one_is_a_pure_delay_for_every_shape() {
    let mut size = MIN_WINDOW;
    while size <= MAX_WINDOW {
        for overlap in OVERLAPS {
            let len = 3 * size + 12345;
            let x: Vec<f32> = noise(len, size as u64, 0.5)
                .iter()
                .zip(tones(len, 48000.0, &[50.0, 440.0, 9000.0], 0.5))
                .map(|(a, b)| a + b)
                .collect();
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
        let mut stft = Stft::new(1, 0, MAX_WINDOW, size, overlap);
        let mut refs = References::new(0, &[], MAX_WINDOW, 0, MAX_WINDOW);
        stft.process(&mut [&mut x[..]], &[], &mut refs, &mut Ramp::new(1.0), |_| {});
        let peak = x.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap().0;
        assert_eq!(peak, 3001 + size - 1 + size / overlap);
        assert!((x[peak] - 1.0).abs() < 1e-5, "peak {}", x[peak]);
    }
}

#[test]
fn a_frames_work_runs_during_the_next_hop_not_in_the_call_that_completes_it() {
    // 64-sample calls at 4096 / 4x: sixteen calls per hop. The call that completes a hop only
    // windows the frame; the frame's callback (like its transforms) runs in later calls, here
    // in two parts, in order.
    for (size, overlap) in [(4096, 4), (1024, 2), (16384, 2)] {
        let (hop, block) = (size / overlap, 64);
        let mut stft = Stft::new(2, 2, MAX_WINDOW, size, overlap);
        let mut refs = References::new(1, &[0, 0], MAX_WINDOW, 100, MAX_WINDOW);
        stft.set_callback_parts(2);
        let mut parts = Vec::new();
        let x = noise(8 * size, 3, 0.5);
        let (mut l, mut r) = (x.clone(), x.clone());
        let mut callbacks = Vec::new();
        for at in (0..x.len()).step_by(block) {
            let mut n = 0;
            stft.process(
                &mut [&mut l[at..at + block], &mut r[at..at + block]],
                &[&x[at..at + block]],
                &mut refs,
                &mut Ramp::new(1.0),
                |f| {
                    n += 1;
                    parts.push(f.part);
                },
            );
            callbacks.push(n);
        }
        let calls_per_hop = hop / block;
        for (k, hop_calls) in callbacks.chunks(calls_per_hop).enumerate() {
            // Hop 0 has no frame in flight; every later hop runs the one cut before it.
            assert_eq!(
                hop_calls.iter().sum::<usize>(),
                2 * usize::from(k > 0),
                "{size}/{overlap}: hop {k}: {hop_calls:?}"
            );
            assert_eq!(hop_calls[calls_per_hop - 1], 0, "{size}/{overlap}: the call completing hop {k} ran a callback");
        }
        assert!(parts.chunks(2).all(|p| p == [0, 1]), "{size}/{overlap}: parts out of order");
    }
}
