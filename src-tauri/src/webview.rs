//! How the window's web engine is set up on Linux (WebKitGTK), for a forms-and-lists app on
//! a field laptop rather than a browser: less memory, fewer features a page could misuse.
//!
//! Measured with `scripts/measure-desktop rss` on a 100 000-record profile
//! (docs/performance.md, "Memory with 100 000 records"): WebKitGTK 2.50's DMA-BUF renderer,
//! on a machine without a GPU it can share buffers with (Xvfb here; many older laptops and
//! virtual machines), renders through Mesa's software GL and held about 80 MB more in the
//! web process, and every frame took 200-400 ms to reach the screen, which alone made
//! unlock-to-Home miss its 300 ms. The app has no animation, canvas or 3D to lose.

/// WebKitGTK's switch for its DMA-BUF renderer. The app sets it for its own web engine
/// unless the person starting it already has (then their value stands).
pub const DMABUF_RENDERER_ENV: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Whether the app should set [`DMABUF_RENDERER_ENV`] itself, given its current value.
pub fn should_disable_dmabuf(current: Option<&std::ffi::OsStr>) -> bool {
    current.is_none()
}

/// Sets the web engine's environment. Call first thing in `main`, before any thread starts
/// (the variable is read when WebKit starts its processes).
pub fn prepare_environment() {
    if cfg!(target_os = "linux")
        && should_disable_dmabuf(std::env::var_os(DMABUF_RENDERER_ENV).as_deref())
    {
        std::env::set_var(DMABUF_RENDERER_ENV, "1");
    }
}

/// Turns off what wry enables by default and the app never uses (WebGL, Web Audio, the
/// back/forward page cache) and asks WebKit to keep as little cached as a single-document
/// viewer would. `<audio>` and `<video>` elements do not need Web Audio.
#[cfg(target_os = "linux")]
pub fn tune(window: &tauri::WebviewWindow) {
    use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
    let result = window.with_webview(|platform| {
        let view = platform.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_webgl(false);
            settings.set_enable_webaudio(false);
            settings.set_enable_page_cache(false);
        }
    });
    if let Err(e) = result {
        // The window works without it; only memory is spent.
        eprintln!("fieldcase: the web engine's settings were not applied: {e}");
    }
}

/// Nothing to tune on other systems' web engines.
#[cfg(not(target_os = "linux"))]
pub fn tune(_window: &tauri::WebviewWindow) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn the_dmabuf_renderer_is_turned_off_only_when_nobody_chose() {
        assert!(should_disable_dmabuf(None));
        assert!(!should_disable_dmabuf(Some(OsStr::new("0"))));
        assert!(!should_disable_dmabuf(Some(OsStr::new("1"))));
    }
}
