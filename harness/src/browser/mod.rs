//! The two browsers every browser test runs in, and their one description (binary, driver,
//! arguments, preferences) from `wasm-pack.toml`, which the wasm suites, the e2e and abuse
//! runs, the JS package pages and the benchmark page all start them with.

pub mod server;
pub mod webdriver;

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A headless browser driven through WebDriver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    pub const ALL: [Browser; 2] = [Browser::Chromium, Browser::Firefox];

    pub fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
        }
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Browser {
    type Err = String;
    fn from_str(s: &str) -> Result<Browser, String> {
        Browser::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| format!("`{s}` is not chromium or firefox"))
    }
}

/// Command-line arguments and preferences (Firefox `prefs`) added to a session.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub prefs: Map<String, Value>,
}

/// How one browser is found and started: `[chromium]` / `[firefox]` in `wasm-pack.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BrowserSettings {
    /// Browser executable: an absolute path, or a bare name looked up on PATH.
    pub binary: String,
    /// WebDriver server executable, same rules.
    pub driver: String,
    /// Every session.
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub prefs: Map<String, Value>,
    /// Sessions with a fake camera and microphone, access granted (all but the bench page).
    #[serde(default)]
    pub fake_media: Layer,
    /// Sessions with no media device at all.
    #[serde(default)]
    pub no_media: Layer,
    /// The benchmark page.
    #[serde(default)]
    pub bench: Layer,
}

/// What a session needs on top of the browser's own settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    /// Fake camera and microphone, permission granted; when false, no media device at all.
    pub fake_media: bool,
    /// The benchmark page's extra settings (exact memory figures, forced GC).
    pub bench: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions { fake_media: true, bench: false }
    }
}

impl BrowserSettings {
    /// `{"goog:chromeOptions": …}` or `{"moz:firefoxOptions": …}` for a session of `browser`
    /// started from `binary`: the browser's own settings, then the layers `options` asks for.
    pub fn capabilities(&self, browser: Browser, binary: &Path, options: SessionOptions) -> Value {
        let media = if options.fake_media { &self.fake_media } else { &self.no_media };
        let (mut args, mut prefs) = (self.args.clone(), self.prefs.clone());
        for layer in [Some(media), options.bench.then_some(&self.bench)].into_iter().flatten() {
            args.extend(layer.args.iter().cloned());
            prefs.extend(layer.prefs.clone());
        }
        let mut opts = json!({ "binary": binary.to_string_lossy(), "args": args });
        if !prefs.is_empty() {
            opts["prefs"] = Value::Object(prefs);
        }
        let key = match browser {
            Browser::Chromium => "goog:chromeOptions",
            Browser::Firefox => "moz:firefoxOptions",
        };
        json!({ key: opts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn sessions_get_the_layers_they_ask_for() {
        let settings = Settings::load(&crate::repo_root()).unwrap();
        use Browser::{Chromium, Firefox};
        for (browser, fake_media, bench, present, absent) in [
            (
                Chromium,
                true,
                false,
                &["--use-fake-device-for-media-stream", "WebRtcHide", "--expose-gc"][..],
                "-",
            ),
            (
                Chromium,
                false,
                true,
                &["--use-fake-ui-for-media-stream", "precise-memory-info"],
                "-device",
            ),
            (
                Firefox,
                true,
                false,
                &[r#""media.navigator.streams.fake":true"#, "obfuscate_host"],
                "-",
            ),
            (Firefox, false, false, &[r#""permissions.default.camera":1"#], "streams.fake"),
            // The bench page's fine clock, and only there.
            (Firefox, false, true, &[r#""privacy.reduceTimerPrecision":false"#], "streams.fake"),
            (Firefox, true, false, &["obfuscate_host"], "reduceTimerPrecision"),
            (Firefox, false, false, &["permissions.default.camera"], "reduceTimerPrecision"),
        ] {
            let opts = SessionOptions { fake_media, bench };
            let caps = settings.browser(browser).capabilities(browser, Path::new("/b"), opts);
            let caps = caps.to_string();
            assert!(present.iter().all(|p| caps.contains(p)), "{present:?} in {caps}");
            assert!(absent == "-" || !caps.contains(absent), "{absent} in {caps}");
        }
    }
}
