//! The factory presets in a real CLAP host's preset browser: the library's preset-discovery
//! factory lists every preset of `residue::dsp::presets` (its name, its load key, Residue's
//! plugin ID, the factory-content flag) in one location inside the plugin, and the plugin's
//! `preset-load` extension loads each: the six controls it covers take its values, every other
//! control keeps what the user had, the host is told, and the audio is what the same controls
//! set by hand give.

use std::ffi::CStr;

use clack_extensions::preset_discovery::prelude::*;
use clack_host::prelude::{HostError, HostInfo};
use residue::dsp::presets::PRESETS;

use super::host::{self, Loaded};
use super::{example, RATE};

/// The indexer's side: the locations the provider declares.
#[derive(Default)]
struct Indexer {
    /// (name, inside the plugin, factory content)
    locations: Vec<(String, bool, bool)>,
    file_types: usize,
}

impl IndexerImpl for Indexer {
    fn declare_filetype(&mut self, _: FileType) -> Result<(), HostError> {
        self.file_types += 1;
        Ok(())
    }
    fn declare_location(&mut self, location: LocationInfo) -> Result<(), HostError> {
        self.locations.push((
            location.name.to_string_lossy().into_owned(),
            matches!(location.location, Location::Plugin),
            location.flags.contains(Flags::IS_FACTORY_CONTENT),
        ));
        Ok(())
    }
    fn declare_soundpack(&mut self, _: Soundpack) -> Result<(), HostError> {
        Ok(())
    }
}

/// One preset as the host's browser records it.
#[derive(Debug, Default)]
struct Listed {
    name: String,
    load_key: String,
    plugin_ids: Vec<(String, String)>,
    factory: bool,
    description: String,
}

#[derive(Default)]
struct Receiver {
    presets: Vec<Listed>,
    errors: Vec<String>,
}

fn text(s: &CStr) -> String {
    s.to_string_lossy().into_owned()
}

impl MetadataReceiverImpl for Receiver {
    fn on_error(&mut self, code: i32, message: Option<&CStr>) {
        self.errors.push(format!("{code}: {}", message.map(text).unwrap_or_default()));
    }
    fn begin_preset(&mut self, name: Option<&CStr>, load_key: Option<&CStr>) -> Result<(), HostError> {
        self.presets.push(Listed {
            name: name.map(text).unwrap_or_default(),
            load_key: load_key.map(text).unwrap_or_default(),
            ..Listed::default()
        });
        Ok(())
    }
    fn add_plugin_id(&mut self, id: UniversalPluginId) {
        let p = self.presets.last_mut().expect("add_plugin_id before begin_preset");
        p.plugin_ids.push((text(id.abi), text(id.id)));
    }
    fn set_soundpack_id(&mut self, _: &CStr) {}
    fn set_flags(&mut self, flags: Flags) {
        self.presets.last_mut().expect("set_flags before begin_preset").factory =
            flags.contains(Flags::IS_FACTORY_CONTENT);
    }
    fn add_creator(&mut self, _: &CStr) {}
    fn set_description(&mut self, description: &CStr) {
        self.presets.last_mut().expect("set_description before begin_preset").description = text(description);
    }
    fn set_timestamps(&mut self, _: Option<Timestamp>, _: Option<Timestamp>) {}
    fn add_feature(&mut self, _: &CStr) {}
    fn add_extra_info(&mut self, _: &CStr, _: &CStr) {}
}

#[test]
fn the_preset_browser_lists_every_factory_preset_inside_the_plugin() {
    let _one_at_a_time = host::exclusive();
    let p = Loaded::new();
    let plugin_id = p.descriptor().0;
    let factory: PresetDiscoveryFactory = p.entry().get_factory().expect("a preset-discovery factory");
    let providers: Vec<_> = factory.provider_descriptors().collect();
    assert_eq!(providers.len(), 1, "one provider");
    let id = providers[0].id().expect("a provider id");
    let host_info = HostInfo::new("residue-tests", "Residue", "", "1.0").unwrap();
    let mut provider = Provider::instantiate(Indexer::default(), p.entry(), id, &host_info).expect("provider");
    assert_eq!(provider.descriptor().id(), Some(id), "the provider's descriptor is the factory's");
    let indexer = provider.indexer();
    assert_eq!(indexer.locations.len(), 1, "one location");
    let (name, inside, factory_content) = indexer.locations[0].clone();
    assert!(inside && factory_content, "{name}: inside the plugin, factory content");
    assert_eq!(indexer.file_types, 0, "no preset files");

    let mut receiver = Receiver::default();
    provider.get_metadata(Location::Plugin, &mut receiver);
    assert!(receiver.errors.is_empty(), "{:?}", receiver.errors);
    let listed: Vec<(&str, &str)> = receiver.presets.iter().map(|l| (l.load_key.as_str(), l.name.as_str())).collect();
    let expected: Vec<(&str, &str)> = PRESETS.iter().map(|p| (p.id, p.name)).collect();
    assert_eq!(listed, expected, "every factory preset, in order, under its id");
    for l in &receiver.presets {
        assert_eq!(l.plugin_ids, [("clap".to_owned(), plugin_id.clone())], "{}", l.name);
        assert!(l.factory && !l.description.is_empty(), "{}: factory content with a description", l.name);
    }

    // A file location is not the plugin's: nothing is listed for it.
    let mut elsewhere = Receiver::default();
    provider.get_metadata(Location::File { path: c"/tmp/presets" }, &mut elsewhere);
    assert!(elsewhere.presets.is_empty());
}

#[test]
fn loading_a_preset_sets_its_controls_keeps_the_rest_and_sounds_as_set_by_hand() {
    let _one_at_a_time = host::exclusive();
    let (mix, reference) = example();
    let process = |p: &mut Loaded| {
        p.process(RATE, std::slice::from_ref(&mix), Some(std::slice::from_ref(&reference)), &[512], &[])
    };
    for preset in PRESETS.iter().filter(|p| ["vocal", "tom", "stage-vocal"].contains(&p.id)) {
        let mut loaded = Loaded::new();
        // What the user had: a Mix below 100 % and a Threshold the preset changes.
        loaded.set_params_text(&[("Mix", "60%"), ("Threshold", "0.9")]);
        assert_eq!(loaded.load_preset(Location::Plugin, Some(preset.id)), Some(true), "{}", preset.id);
        assert_eq!(loaded.preset_reports(), (vec![preset.id.to_owned()], vec![]), "the host is told what loaded");

        let fft = preset.window.map_or("Auto".to_owned(), |w| w.to_string());
        let latency = format!("{:?}", preset.mode);
        let by_hand = [
            ("Threshold", format!("{}", preset.threshold)),
            ("Slope", format!("{}", preset.slope)),
            ("Adaptation", format!("{} s", preset.adapt_seconds)),
            ("Tail", format!("{}", preset.tail_frames)),
            ("FFT Size", fft),
            ("Latency", latency),
            ("Mix", "60%".to_owned()),
        ];
        for (name, typed) in &by_hand {
            let id = loaded.param_id(name);
            let expected = loaded.value_from_text(id, typed);
            assert_eq!(loaded.value(id), expected, "{}: {name} after loading (typed {typed:?})", preset.id);
        }

        let mut manual = Loaded::new();
        let texts: Vec<(&str, &str)> = by_hand.iter().map(|(n, t)| (*n, t.as_str())).collect();
        manual.set_params_text(&texts);
        let (a, b) = (process(&mut loaded), process(&mut manual));
        assert!(a == b, "{}: the loaded preset does not sound as the same controls set by hand", preset.id);
    }
}

#[test]
fn a_key_or_location_that_is_not_a_factory_preset_is_refused() {
    let _one_at_a_time = host::exclusive();
    let mut p = Loaded::new();
    let threshold = p.param_id("Threshold");
    let before = p.value(threshold);
    assert_eq!(p.load_preset(Location::Plugin, Some("no-such-preset")), Some(false));
    assert_eq!(p.load_preset(Location::Plugin, None), Some(false));
    assert_eq!(p.load_preset(Location::File { path: c"/tmp/vocal" }, Some("vocal")), Some(false));
    assert_eq!(p.value(threshold), before, "a refused preset changed a control");
    let (loaded, errors) = p.preset_reports();
    assert!(loaded.is_empty() && errors.len() == 3, "each refusal is reported to the host: {errors:?}");
}
