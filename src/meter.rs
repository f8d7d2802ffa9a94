//! The audio thread's view into the editor: the engine's last analysed frame, handed over
//! through a triple buffer. Both sides are wait-free and nothing allocates after [`channel`]:
//! the three buffers are made at full size up front and only ever copied into.

use triple_buffer::{triple_buffer, Input, Output};

use crate::dsp::sidechain::MAX_SIDECHAIN_CHANNELS;
use crate::dsp::Analysis;

/// Audio-thread side.
pub struct Publisher {
    input: Input<Analysis>,
    last_serial: u64,
}

/// Editor side.
pub struct Subscriber {
    output: Output<Analysis>,
    last_serial: u64,
}

/// A publisher/subscriber pair for frames of up to `max_bins` bins and as many sources as a
/// sidechain can be split into (one per channel).
pub fn channel(max_bins: usize) -> (Publisher, Subscriber) {
    let (input, output) = triple_buffer(&Analysis::with_sources(max_bins, &[1; MAX_SIDECHAIN_CHANNELS]));
    (Publisher { input, last_serial: 0 }, Subscriber { output, last_serial: 0 })
}

impl Publisher {
    /// Hands `analysis` to the editor if it is a frame not yet sent. Returns whether it did.
    pub fn publish(&mut self, analysis: &Analysis) -> bool {
        if analysis.serial == self.last_serial {
            return false;
        }
        self.input.input_buffer_mut().copy_from(analysis);
        self.input.publish();
        self.last_serial = analysis.serial;
        true
    }
}

impl Subscriber {
    /// The newest frame, if one arrived since the last call.
    pub fn fresh(&mut self) -> Option<&Analysis> {
        self.output.update();
        let frame = self.output.output_buffer();
        (frame.serial != self.last_serial && frame.bins > 0).then(|| {
            self.last_serial = frame.serial;
            frame
        })
    }
}
