//! A linear per-sample ramp for gains applied in the time domain (the dry/wet mix), so that
//! a change never steps the output. It advances per sample, so its course does not depend on
//! how the host splits the audio into blocks.

#[derive(Clone, Copy, Debug)]
pub struct Ramp {
    current: f32,
    target: f32,
    step: f32,
    remaining: u32,
}

impl Ramp {
    pub fn new(value: f32) -> Self {
        Self { current: value, target: value, step: 0.0, remaining: 0 }
    }

    /// Head for `target` over `samples` samples (at once if 0).
    pub fn set_target(&mut self, target: f32, samples: u32) {
        if target == self.target {
            return;
        }
        self.target = target;
        if samples == 0 {
            self.jump();
        } else {
            self.remaining = samples;
            self.step = (target - self.current) / samples as f32;
        }
    }

    /// Skip to the target (used on reset, when there is no audio to step).
    pub fn jump(&mut self) {
        self.current = self.target;
        self.remaining = 0;
    }

    #[inline]
    pub fn next_value(&mut self) -> f32 {
        if self.remaining > 0 {
            self.remaining -= 1;
            self.current = if self.remaining == 0 { self.target } else { self.current + self.step };
        }
        self.current
    }
}
