//! CLAP's preset-discovery factory for a plugin's factory presets ([`ClapPlugin::factory_presets`]).
//!
//! One provider per plugin type. It declares one location of kind
//! `CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN` (the presets live inside the plugin, no files), and
//! for that location reports every preset as a container entry: its name, its load key, the
//! plugin's CLAP ID, the factory-content flag and its description. A host then loads one through
//! the plugin's `preset-load` extension with the same location and load key
//! (`Wrapper::ext_preset_load_from_location`).

use clap_sys::factory::preset_discovery::{
    CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT, CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN,
    clap_preset_discovery_indexer, clap_preset_discovery_location,
    clap_preset_discovery_location_kind, clap_preset_discovery_metadata_receiver,
    clap_preset_discovery_provider, clap_preset_discovery_provider_descriptor,
};
use clap_sys::universal_plugin_id::clap_universal_plugin_id;
use clap_sys::version::CLAP_VERSION;
use std::ffi::{CStr, CString, c_void};
use std::marker::PhantomData;
use std::os::raw::c_char;

use crate::wrapper::clap::ClapPlugin;
use nice_plug_core::plugin::PluginState;

/// A preset that ships with the plugin, offered to hosts through CLAP's preset discovery.
#[derive(Debug, Clone)]
pub struct FactoryPreset {
    /// What the host passes back to load it: stable across versions, unique per plugin.
    pub load_key: String,
    /// What a preset browser shows.
    pub name: String,
    /// A sentence on what it is for.
    pub description: String,
    /// What loading it sets, as a (partial) state: parameters not named in it keep their values.
    pub state: PluginState,
}

/// The provider descriptor for one plugin type, with the strings it points to.
pub struct ProviderDescriptor {
    id: CString,
    name: CString,
    vendor: CString,
    has_presets: bool,
    raw: Option<clap_preset_discovery_provider_descriptor>,
}

unsafe impl Send for ProviderDescriptor {}
unsafe impl Sync for ProviderDescriptor {}

impl ProviderDescriptor {
    pub fn for_plugin<P: ClapPlugin>() -> Self {
        let mut descriptor = Self {
            id: CString::new(format!("{}.factory-presets", P::CLAP_ID))
                .expect("`CLAP_ID` contained null bytes"),
            name: CString::new(format!("{} factory presets", P::NAME))
                .expect("`NAME` contained null bytes"),
            vendor: CString::new(P::VENDOR).expect("`VENDOR` contained null bytes"),
            has_presets: !P::factory_presets().is_empty(),
            raw: None,
        };
        descriptor.raw = Some(clap_preset_discovery_provider_descriptor {
            clap_version: CLAP_VERSION,
            id: descriptor.id.as_ptr(),
            name: descriptor.name.as_ptr(),
            vendor: descriptor.vendor.as_ptr(),
        });
        descriptor
    }

    pub fn id(&self) -> &CStr {
        self.id.as_c_str()
    }

    /// Whether the plugin has any factory presets (the factory lists only those that do).
    pub fn has_presets(&self) -> bool {
        self.has_presets
    }

    pub fn raw(&self) -> *const clap_preset_discovery_provider_descriptor {
        self.raw.as_ref().unwrap()
    }
}

/// One provider instance, created for an indexer and destroyed by it.
#[repr(C)]
pub struct Provider<P: ClapPlugin> {
    // The host sees a pointer to this field, which is also a pointer to the provider.
    raw: clap_preset_discovery_provider,
    indexer: *const clap_preset_discovery_indexer,
    _plugin: PhantomData<P>,
}

impl<P: ClapPlugin> Provider<P> {
    /// A new provider for `indexer`, as the raw pointer `clap_preset_discovery_factory::create`
    /// returns; it frees itself in `destroy`.
    pub fn create(
        descriptor: &'static ProviderDescriptor,
        indexer: *const clap_preset_discovery_indexer,
    ) -> *const clap_preset_discovery_provider {
        let provider = Box::new(Self {
            raw: clap_preset_discovery_provider {
                desc: descriptor.raw(),
                provider_data: std::ptr::null_mut(),
                init: Some(Self::init),
                destroy: Some(Self::destroy),
                get_metadata: Some(Self::get_metadata),
                get_extension: Some(Self::get_extension),
            },
            indexer,
            _plugin: PhantomData,
        });
        Box::into_raw(provider) as *const clap_preset_discovery_provider
    }

    unsafe extern "C" fn init(provider: *const clap_preset_discovery_provider) -> bool {
        check_null_ptr!(false, provider);
        let this = unsafe { &*(provider as *const Self) };
        check_null_ptr!(false, this.indexer);
        let indexer = unsafe { &*this.indexer };
        let Some(declare_location) = indexer.declare_location else {
            return false;
        };

        let name = CString::new(format!("{} factory presets", P::NAME))
            .expect("`NAME` contained null bytes");
        let location = clap_preset_discovery_location {
            flags: CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT,
            name: name.as_ptr(),
            kind: CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN,
            location: std::ptr::null(),
        };
        unsafe { declare_location(indexer, &location) }
    }

    unsafe extern "C" fn destroy(provider: *const clap_preset_discovery_provider) {
        if !provider.is_null() {
            drop(unsafe { Box::from_raw(provider as *mut Self) });
        }
    }

    unsafe extern "C" fn get_metadata(
        provider: *const clap_preset_discovery_provider,
        location_kind: clap_preset_discovery_location_kind,
        location: *const c_char,
        receiver: *const clap_preset_discovery_metadata_receiver,
    ) -> bool {
        check_null_ptr!(false, provider, receiver);
        if location_kind != CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN || !location.is_null() {
            return false;
        }
        let r = unsafe { &*receiver };
        let (Some(begin_preset), Some(add_plugin_id)) = (r.begin_preset, r.add_plugin_id) else {
            return false;
        };

        let abi = c"clap";
        let plugin_id = CString::new(P::CLAP_ID).expect("`CLAP_ID` contained null bytes");
        let universal_id = clap_universal_plugin_id {
            abi: abi.as_ptr(),
            id: plugin_id.as_ptr(),
        };
        for preset in P::factory_presets() {
            let (Ok(name), Ok(load_key), Ok(description)) = (
                CString::new(preset.name),
                CString::new(preset.load_key),
                CString::new(preset.description),
            ) else {
                return false;
            };
            // `false`: the receiver wants no more presets from this location.
            if !unsafe { begin_preset(receiver, name.as_ptr(), load_key.as_ptr()) } {
                break;
            }
            unsafe { add_plugin_id(receiver, &universal_id) };
            if let Some(set_flags) = r.set_flags {
                unsafe { set_flags(receiver, CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT) };
            }
            if let Some(set_description) = r.set_description {
                unsafe { set_description(receiver, description.as_ptr()) };
            }
        }
        true
    }

    unsafe extern "C" fn get_extension(
        _provider: *const clap_preset_discovery_provider,
        _extension_id: *const c_char,
    ) -> *const c_void {
        std::ptr::null()
    }
}

/// The factory preset `P` has under `load_key`, if the location is the plugin's own.
pub fn find<P: ClapPlugin>(
    location_kind: clap_preset_discovery_location_kind,
    location: *const c_char,
    load_key: *const c_char,
) -> Option<FactoryPreset> {
    if location_kind != CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN
        || !location.is_null()
        || load_key.is_null()
    {
        return None;
    }
    let key = unsafe { CStr::from_ptr(load_key) }.to_str().ok()?;
    P::factory_presets().into_iter().find(|p| p.load_key == key)
}
