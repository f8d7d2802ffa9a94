//! The editor's window size and zoom: a parameter of a kind (saved with the session), read by
//! the editor, so it lives with the parameters and the editor depends on it, not the reverse.

use serde::{Deserialize, Serialize};

/// Window size (logical pixels) and zoom, saved with the plugin state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub zoom: f32,
}

pub const DEFAULT_SIZE: (f32, f32) = (960.0, 640.0);
pub const MIN_SIZE: (f32, f32) = (720.0, 580.0);

impl Default for Geometry {
    fn default() -> Self {
        Self { width: DEFAULT_SIZE.0, height: DEFAULT_SIZE.1, zoom: 1.0 }
    }
}

impl Geometry {
    /// A saved geometry from an older or damaged state can be anything: keep it usable.
    pub fn sanitized(self) -> Self {
        let ok = |v: f32, lo: f32, hi: f32, d: f32| if v.is_finite() { v.clamp(lo, hi) } else { d };
        Self {
            width: ok(self.width, MIN_SIZE.0, 4000.0, DEFAULT_SIZE.0),
            height: ok(self.height, MIN_SIZE.1, 3000.0, DEFAULT_SIZE.1),
            zoom: ok(self.zoom, 0.5, 4.0, 1.0),
        }
    }
}
