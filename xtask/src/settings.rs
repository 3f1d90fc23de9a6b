//! `wasm-pack.toml`: the project's build and test settings (wasm-pack itself never reads it).
//!
//! A tiny hand parser for the subset of TOML that file uses: `[table]` / `[table.sub]` headers,
//! `key = value` with bare or quoted keys, and values that are strings, integers, booleans or
//! arrays of those (arrays may span lines). Anything else is an error with a line number.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use crate::browser::Browser;

/// One parsed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    Array(Vec<Value>),
}

impl Value {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::from(s.as_str()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Bool(b) => serde_json::Value::from(*b),
            Value::Array(items) => items.iter().map(Value::to_json).collect(),
        }
    }
}

/// A parsed file: `(table, key, value)` in file order; `table` is the dotted header ("" at top).
#[derive(Debug, Default, Clone)]
pub struct Doc {
    entries: Vec<(String, String, Value)>,
}

impl Doc {
    pub fn get(&self, table: &str, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(t, k, _)| t == table && k == key)
            .map(|(_, _, v)| v)
    }

    /// Every `(key, value)` of one table, in file order.
    pub fn table<'a>(&'a self, table: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.entries
            .iter()
            .filter(move |(t, _, _)| t == table)
            .map(|(_, k, v)| (k.as_str(), v))
    }

    fn str(&self, table: &str, key: &str) -> Result<String> {
        match self.get(table, key) {
            Some(Value::Str(s)) => Ok(s.clone()),
            Some(other) => bail!("[{table}] {key} must be a string, found {other:?}"),
            None => bail!("[{table}] {key} is missing"),
        }
    }

    fn int(&self, table: &str, key: &str) -> Result<i64> {
        match self.get(table, key) {
            Some(Value::Int(i)) => Ok(*i),
            Some(other) => bail!("[{table}] {key} must be an integer, found {other:?}"),
            None => bail!("[{table}] {key} is missing"),
        }
    }

    fn strings(&self, table: &str, key: &str) -> Result<Vec<String>> {
        match self.get(table, key) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Ok(s.clone()),
                    other => bail!("[{table}] {key} must hold strings, found {other:?}"),
                })
                .collect(),
            Some(other) => bail!("[{table}] {key} must be an array, found {other:?}"),
            None => bail!("[{table}] {key} is missing"),
        }
    }
}

/// Parses the TOML subset described in the module docs.
pub fn parse(text: &str) -> Result<Doc> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
    };
    let mut doc = Doc::default();
    let mut table = String::new();
    loop {
        p.skip_blank(true);
        let Some(c) = p.peek() else { break };
        let line = p.line;
        if c == '[' {
            p.bump();
            let mut header = String::new();
            while let Some(c) = p.peek() {
                if c == ']' || c == '\n' {
                    break;
                }
                header.push(c);
                p.bump();
            }
            if p.peek() != Some(']') {
                bail!("line {line}: table header without `]`");
            }
            p.bump();
            let header = header.trim();
            let valid = !header.is_empty()
                && header
                    .split('.')
                    .all(|part| !part.is_empty() && part.chars().all(is_bare));
            if !valid {
                bail!("line {line}: bad table header `[{header}]`");
            }
            table = header.to_string();
        } else {
            let key = if c == '"' {
                p.string()?
            } else {
                let mut key = String::new();
                while let Some(c) = p.peek().filter(|c| is_bare(*c)) {
                    key.push(c);
                    p.bump();
                }
                if key.is_empty() {
                    bail!("line {line}: expected a key, found `{c}`");
                }
                key
            };
            p.skip_blank(false);
            if p.peek() != Some('=') {
                bail!("line {line}: expected `=` after key `{key}`");
            }
            p.bump();
            p.skip_blank(false);
            let value = p.value()?;
            if doc.get(&table, &key).is_some() {
                bail!("line {line}: duplicate key `{key}` in [{table}]");
            }
            doc.entries.push((table.clone(), key, value));
        }
        p.skip_blank(false);
        match p.peek() {
            None | Some('\n') => {}
            Some(c) => bail!("line {}: unexpected `{c}` after the value", p.line),
        }
    }
    Ok(doc)
}

fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some('\n') {
            self.line += 1;
        }
        self.pos += 1;
    }

    /// Skips spaces, tabs, `\r` and comments; newlines too when `newlines`.
    fn skip_blank(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => self.bump(),
                '\n' if newlines => self.bump(),
                '#' => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => break,
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        let line = self.line;
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let c = self
                .peek()
                .ok_or_else(|| anyhow!("line {line}: unterminated string"))?;
            self.bump();
            match c {
                '"' => return Ok(out),
                '\n' => bail!("line {line}: unterminated string"),
                '\\' => {
                    let e = self
                        .peek()
                        .ok_or_else(|| anyhow!("line {line}: unterminated string"))?;
                    self.bump();
                    out.push(match e {
                        '"' => '"',
                        '\\' => '\\',
                        'n' => '\n',
                        't' => '\t',
                        other => bail!("line {line}: unsupported escape `\\{other}`"),
                    });
                }
                c => out.push(c),
            }
        }
    }

    fn value(&mut self) -> Result<Value> {
        let line = self.line;
        match self.peek() {
            Some('"') => self.string().map(Value::Str),
            Some('[') => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.skip_blank(true);
                    if self.peek() == Some(']') {
                        self.bump();
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.skip_blank(true);
                    match self.peek() {
                        Some(',') => self.bump(),
                        Some(']') => {}
                        _ => bail!("line {}: expected `,` or `]` in array", self.line),
                    }
                }
            }
            Some(c) if c.is_ascii_alphanumeric() || c == '-' || c == '+' => {
                let mut word = String::new();
                while let Some(c) = self.peek().filter(|c| is_bare(*c) || *c == '+') {
                    word.push(c);
                    self.bump();
                }
                match word.as_str() {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    w => w
                        .replace('_', "")
                        .parse::<i64>()
                        .map(Value::Int)
                        .map_err(|_| anyhow!("line {line}: unsupported value `{w}`")),
                }
            }
            Some(c) => bail!("line {line}: unsupported value starting with `{c}`"),
            None => bail!("line {line}: missing value"),
        }
    }
}

/// How one browser is found and started.
#[derive(Debug, Clone)]
pub struct BrowserSettings {
    /// Browser executable: an absolute path, or a bare name looked up on PATH.
    pub binary: String,
    /// WebDriver server executable, same rules.
    pub driver: String,
    pub args: Vec<String>,
    /// Firefox `prefs` (empty for Chromium).
    pub prefs: Vec<(String, Value)>,
}

/// Everything `wasm-pack.toml` says.
#[derive(Debug, Clone)]
pub struct Settings {
    /// npm scope (`--scope`), `None` when empty.
    pub scope: Option<String>,
    /// Arguments for wasm-opt on the release build.
    pub wasm_opt: Vec<String>,
    /// Cargo features of the npm package (`js`, `call`).
    pub features: Vec<String>,
    /// Cargo features of the library-only package that the bench measures.
    pub library_features: Vec<String>,
    pub web_out_dir: String,
    pub bundler_out_dir: String,
    /// Browsers the wasm suites run in, in order.
    pub browsers: Vec<Browser>,
    /// `WASM_BINDGEN_TEST_TIMEOUT` for one test binary.
    pub timeout_secs: u64,
    pub chromium: BrowserSettings,
    pub firefox: BrowserSettings,
}

impl Settings {
    /// Reads and checks `<root>/wasm-pack.toml`.
    pub fn load(root: &Path) -> Result<Settings> {
        let path = root.join("wasm-pack.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Settings::from_str(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn from_str(text: &str) -> Result<Settings> {
        let doc = parse(text)?;
        let scope = doc.str("package", "scope")?;
        let browsers = doc
            .strings("test", "browsers")?
            .iter()
            .map(|name| {
                Browser::ALL
                    .into_iter()
                    .find(|b| b.name() == name)
                    .ok_or_else(|| anyhow!("[test] browsers: unknown browser `{name}`"))
            })
            .collect::<Result<Vec<_>>>()?;
        let timeout_secs = u64::try_from(doc.int("test", "timeout-secs")?)
            .ok()
            .filter(|t| *t > 0)
            .ok_or_else(|| anyhow!("[test] timeout-secs must be positive"))?;
        let browser = |name: &str| -> Result<BrowserSettings> {
            Ok(BrowserSettings {
                binary: doc.str(name, "binary")?,
                driver: doc.str(name, "driver")?,
                args: doc.strings(name, "args")?,
                prefs: doc
                    .table(&format!("{name}.prefs"))
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            })
        };
        Ok(Settings {
            scope: Some(scope).filter(|s| !s.is_empty()),
            wasm_opt: doc.strings("package", "wasm-opt")?,
            features: doc.strings("package", "features")?,
            library_features: doc.strings("package", "library-features")?,
            web_out_dir: doc.str("package.web", "out-dir")?,
            bundler_out_dir: doc.str("package.bundler", "out-dir")?,
            browsers,
            timeout_secs,
            chromium: browser("chromium")?,
            firefox: browser("firefox")?,
        })
    }

    pub fn browser(&self, browser: Browser) -> &BrowserSettings {
        match browser {
            Browser::Chromium => &self.chromium,
            Browser::Firefox => &self.firefox,
        }
    }

    /// The WebDriver capabilities for `browser`, with `binary` as the browser executable.
    pub fn capabilities(&self, browser: Browser, binary: &Path) -> serde_json::Value {
        let s = self.browser(browser);
        let binary = binary.to_string_lossy();
        match browser {
            Browser::Chromium => serde_json::json!({
                "goog:chromeOptions": { "binary": binary, "args": s.args }
            }),
            Browser::Firefox => {
                let prefs: serde_json::Map<String, serde_json::Value> = s
                    .prefs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect();
                serde_json::json!({
                    "moz:firefoxOptions": { "binary": binary, "args": s.args, "prefs": prefs }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tables_keys_and_values() {
        let doc = parse(
            "# header\n\
             top = 1\n\
             [a]\n\
             s = \"x # not a comment \\\"q\\\"\" # comment\n\
             list = [\n  \"one\", # first\n  \"two\",\n]\n\
             [a.b]\n\
             \"dotted.key\" = true\n\
             n = -42\n\
             empty = []\n",
        )
        .unwrap();
        assert_eq!(doc.get("", "top"), Some(&Value::Int(1)));
        assert_eq!(
            doc.get("a", "s"),
            Some(&Value::Str("x # not a comment \"q\"".into()))
        );
        assert_eq!(
            doc.get("a", "list"),
            Some(&Value::Array(vec![
                Value::Str("one".into()),
                Value::Str("two".into())
            ]))
        );
        assert_eq!(doc.get("a.b", "dotted.key"), Some(&Value::Bool(true)));
        assert_eq!(doc.get("a.b", "n"), Some(&Value::Int(-42)));
        assert_eq!(doc.get("a.b", "empty"), Some(&Value::Array(vec![])));
        assert_eq!(doc.get("a", "n"), None);
        let keys: Vec<_> = doc.table("a.b").map(|(k, _)| k).collect();
        assert_eq!(keys, ["dotted.key", "n", "empty"]);
    }

    #[test]
    fn rejects_bad_input_with_line_numbers() {
        for (text, want) in [
            ("a = \"open\n", "line 1: unterminated string"),
            ("\n[a\n", "line 2: table header without `]`"),
            ("a = 1\na = 2\n", "line 2: duplicate key `a`"),
            ("a = 1 b\n", "line 1: unexpected `b`"),
            ("a = [1 2]\n", "line 1: expected `,` or `]`"),
            ("a 1\n", "line 1: expected `=`"),
            ("a = {x = 1}\n", "line 1: unsupported value"),
            ("a = 1.5\n", "line 1: unexpected `.`"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: got {err:?}, want {want:?}");
        }
    }

    #[test]
    fn the_committed_wasm_pack_toml_is_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let s = Settings::load(root).unwrap();
        assert_eq!(s.browsers, [Browser::Chromium, Browser::Firefox]);
        assert_eq!(s.web_out_dir, "pkg");
        assert_eq!(s.bundler_out_dir, "pkg-bundler");
        assert!(s.chromium.args.iter().any(|a| a == "--no-sandbox"));
        assert!(s.timeout_secs >= 20);
        let caps = s.capabilities(Browser::Firefox, Path::new("/usr/bin/firefox-esr"));
        let prefs = &caps["moz:firefoxOptions"]["prefs"];
        assert_eq!(prefs["media.peerconnection.ice.loopback"], true);
        assert_eq!(
            prefs["media.peerconnection.ice.obfuscate_host_addresses"],
            false
        );
        assert_eq!(caps["moz:firefoxOptions"]["binary"], "/usr/bin/firefox-esr");
        let caps = s.capabilities(Browser::Chromium, Path::new("/c"));
        assert_eq!(caps["goog:chromeOptions"]["args"][0], "--headless=new");
    }

    /// `cargo xtask build` applies wasm-pack.toml's `wasm-opt`; a bare `wasm-pack build` applies
    /// Cargo.toml's. They must not drift apart.
    #[test]
    fn wasm_opt_args_match_cargo_toml_metadata() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let s = Settings::load(root).unwrap();
        let cargo_toml = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let line = cargo_toml
            .lines()
            .find(|l| l.trim_start().starts_with("wasm-opt"))
            .expect("Cargo.toml has [package.metadata.wasm-pack.profile.release] wasm-opt");
        let meta = parse(line).unwrap();
        let want: Vec<Value> = s.wasm_opt.iter().cloned().map(Value::Str).collect();
        assert_eq!(meta.get("", "wasm-opt"), Some(&Value::Array(want)));
    }
}
