//! A host's side of the editor's parameter path: records every begin / set / end the editor
//! sends, and applies the values the way a host would (so the next frame shows them).

#![allow(dead_code)] // shared with the editor demo, which uses only part of it

use std::sync::Mutex;

use nice_plug::context::gui::GuiContextInner;
use nice_plug::params::internals::ParamPtr;
use nice_plug::plugin::PluginState;
use nice_plug::prelude::PluginApi;

#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Begin(String),
    Set(String, f32),
    End(String),
}

#[derive(Default)]
pub struct RecordingHost {
    pub calls: Mutex<Vec<Call>>,
}

impl RecordingHost {
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

fn name(p: &ParamPtr) -> String {
    unsafe { p.name().to_string() }
}

impl GuiContextInner for RecordingHost {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        self.calls.lock().unwrap().push(Call::Begin(name(&param)));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        unsafe { param._internal_set_normalized_value(normalized) };
        self.calls.lock().unwrap().push(Call::Set(name(&param), normalized));
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        self.calls.lock().unwrap().push(Call::End(name(&param)));
    }
    fn get_state(&self) -> PluginState {
        unimplemented!("the editor does not read the state")
    }
    fn set_state(&self, _state: PluginState) {
        unimplemented!("the editor does not write the state")
    }
    fn request_restart(&self) {}
}
