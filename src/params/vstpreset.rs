//! The factory presets as VST3 preset files (`.vstpreset`, Steinberg's format): what a VST3
//! host's preset browser lists once they are in `~/.vst3/presets/Residue/Residue/`. The files
//! in `presets/vst3/` are these bytes (`tests/vst3/presets.rs` keeps them so); `cargo run --example
//! vst3_presets DIR` writes them anew.
//!
//! The format: a 48-byte header (`VST3`, version 1, the class ID as 32 hex digits, where the
//! chunk list starts), the component's state as the plugin saves it (`Comp`: nice-plug's JSON,
//! here only the controls the preset sets), then the chunk list (`List`, how many, and each
//! chunk's id, offset and size).

use nice_plug::plugin::PluginState;

use super::presets;
use crate::dsp::presets::PRESETS;

const HEADER_BYTES: usize = 4 + 4 + 32 + 8;

/// A preset file for the plugin with `class_id` holding `component_state`.
pub fn file(class_id: [u8; 16], component_state: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + component_state.len() + 32);
    out.extend_from_slice(b"VST3");
    out.extend_from_slice(&1i32.to_le_bytes());
    for byte in class_id {
        out.extend_from_slice(format!("{byte:02X}").as_bytes());
    }
    let list_at = (HEADER_BYTES + component_state.len()) as i64;
    out.extend_from_slice(&list_at.to_le_bytes());
    out.extend_from_slice(component_state);
    out.extend_from_slice(b"List");
    out.extend_from_slice(&1i32.to_le_bytes());
    out.extend_from_slice(b"Comp");
    out.extend_from_slice(&(HEADER_BYTES as i64).to_le_bytes());
    out.extend_from_slice(&(component_state.len() as i64).to_le_bytes());
    out
}

/// The component state of a partial plugin state, as nice-plug's VST3 wrapper reads it.
fn component_state(state: &PluginState) -> Vec<u8> {
    serde_json::to_vec(state).expect("a plugin state serialises")
}

/// Every factory preset as (file name, bytes), for the plugin with `class_id`.
pub fn factory_files(class_id: [u8; 16]) -> Vec<(String, Vec<u8>)> {
    PRESETS
        .iter()
        .map(|p| (format!("{}.vstpreset", p.name), file(class_id, &component_state(&presets::state(p)))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunk_list_points_at_the_component_state() {
        let state = br#"{"params":{}}"#;
        let f = file(*b"ResidueBleedRmvr", state);
        assert_eq!(&f[..8], b"VST3\x01\0\0\0");
        assert_eq!(&f[8..40], b"52657369647565426C656564526D7672", "the class ID's bytes in hex");
        let list_at = i64::from_le_bytes(f[40..48].try_into().unwrap()) as usize;
        assert_eq!(&f[48..list_at], state);
        assert_eq!(&f[list_at..list_at + 12], b"List\x01\0\0\0Comp");
        let offset = i64::from_le_bytes(f[list_at + 12..list_at + 20].try_into().unwrap());
        let size = i64::from_le_bytes(f[list_at + 20..list_at + 28].try_into().unwrap());
        assert_eq!((offset, size as usize, f.len()), (48, state.len(), list_at + 28));
    }
}
