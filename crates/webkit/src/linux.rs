#![allow(unsafe_code)]

use std::ffi::{c_char, c_void, CStr};
use webkit2gtk::glib::translate::ToGlibPtr;
use webkit2gtk::{Settings, WebView, WebViewExt};

#[link(name = "webkit2gtk-4.1")]
extern "C" {
    fn webkit_settings_get_all_features() -> *mut c_void;
    fn webkit_feature_list_get_length(list: *mut c_void) -> usize;
    fn webkit_feature_list_get(list: *mut c_void, index: usize) -> *mut c_void;
    fn webkit_feature_list_unref(list: *mut c_void);
    fn webkit_feature_get_identifier(feature: *mut c_void) -> *const c_char;
    fn webkit_settings_set_feature_enabled(
        settings: *mut webkit2gtk::ffi::WebKitSettings,
        feature: *mut c_void,
        enabled: i32,
    );
    fn webkit_settings_get_feature_enabled(
        settings: *mut webkit2gtk::ffi::WebKitSettings,
        feature: *mut c_void,
    ) -> i32;
}

/// What to do with the feature found.
enum Op {
    Set(bool),
    Get,
}

/// Looks the feature named `identifier` up (WebKit's own name, e.g. `AsyncOverflowScrolling`)
/// and sets or reads it on `settings`; None if this WebKitGTK has no such feature.
fn with_feature(settings: &Settings, identifier: &str, op: Op) -> Option<bool> {
    let settings_ptr: *mut webkit2gtk::ffi::WebKitSettings = settings.to_glib_none().0;
    // SAFETY: the feature list is a new reference owned here and released before returning;
    // each feature and its identifier are borrowed from the list while it is alive; the
    // identifier is a NUL-terminated string owned by the feature; `settings` is a live
    // WebKitSettings borrowed for the whole call.
    unsafe {
        let list = webkit_settings_get_all_features();
        if list.is_null() {
            return None;
        }
        let mut answer = None;
        for i in 0..webkit_feature_list_get_length(list) {
            let feature = webkit_feature_list_get(list, i);
            let id = webkit_feature_get_identifier(feature);
            if feature.is_null()
                || id.is_null()
                || CStr::from_ptr(id).to_bytes() != identifier.as_bytes()
            {
                continue;
            }
            answer = Some(match op {
                Op::Set(on) => {
                    webkit_settings_set_feature_enabled(settings_ptr, feature, i32::from(on));
                    on
                }
                Op::Get => webkit_settings_get_feature_enabled(settings_ptr, feature) != 0,
            });
            break;
        }
        webkit_feature_list_unref(list);
        answer
    }
}

/// Turns the feature `identifier` on or off in `settings`. False if this WebKitGTK has no
/// such feature (an older or newer WebKitGTK that renamed it).
pub fn set_feature(settings: &Settings, identifier: &str, enabled: bool) -> bool {
    with_feature(settings, identifier, Op::Set(enabled)).is_some()
}

/// Whether the feature `identifier` is on in `settings`; None if there is no such feature.
pub fn feature_enabled(settings: &Settings, identifier: &str) -> Option<bool> {
    with_feature(settings, identifier, Op::Get)
}

/// [`set_feature`] on a web view's settings (Tauri hands the shell its `WebView`).
pub fn set_view_feature(view: &WebView, identifier: &str, enabled: bool) -> bool {
    WebViewExt::settings(view).is_some_and(|s| set_feature(&s, identifier, enabled))
}
