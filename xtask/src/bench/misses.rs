//! `benches/misses.toml`: the stated reason for each figure the bench misses. One table per
//! figure key (`dispatch`, `offer_answer`, …, `size`, `rust_app`), with `reason`, `tried` and
//! `since`, for every browser; or narrowed to one browser in a sub-table (`[glare.firefox]`),
//! which then takes precedence over the figure's own for that browser. The table's missed
//! cells end with their reason; a miss with none is flagged, and an entry whose figure was met
//! is reported as stale.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use harness::browser::Browser;

/// Where the reasons live, relative to the repository root.
pub const FILE: &str = "benches/misses.toml";

/// Why one figure is missed, what was tried, and since when (a commit or a date).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
    pub tried: String,
    pub since: String,
}

/// One figure's entry: a reason for every browser, and reasons narrowed to one browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub all: Option<Reason>,
    pub browsers: BTreeMap<String, Reason>,
}

/// Every entry of the file, by figure key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Misses {
    pub figures: BTreeMap<String, Entry>,
}

/// The fields of [`Reason`]: in a figure's table, any other key must be a browser's sub-table.
const FIELDS: [&str; 3] = ["reason", "tried", "since"];

impl Misses {
    /// Reads [`FILE`] under `root`; `figures` are the keys a table may have, and `single` those
    /// of figures measured once for all browsers (no per-browser narrowing).
    pub fn load(root: &Path, figures: &[&str], single: &[&str]) -> Result<Misses> {
        let path = root.join(FILE);
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        Misses::parse(&text, figures, single).with_context(|| format!("in {FILE}"))
    }

    pub fn parse(text: &str, figures: &[&str], single: &[&str]) -> Result<Misses> {
        let file: BTreeMap<String, toml::Table> = toml::from_str(text)?;
        let mut misses = Misses::default();
        for (figure, table) in file {
            if !figures.contains(&figure.as_str()) {
                bail!("[{figure}]: no figure `{figure}` (figures: {})", figures.join(", "));
            }
            let mut entry = Entry::default();
            let mut own = toml::Table::new();
            for (key, value) in table {
                match value {
                    toml::Value::Table(sub) if !FIELDS.contains(&key.as_str()) => {
                        if key.parse::<Browser>().is_err() {
                            let names: Vec<&str> = Browser::ALL.iter().map(|b| b.name()).collect();
                            bail!(
                                "[{figure}.{key}]: no browser `{key}` (browsers: {})",
                                names.join(", ")
                            );
                        }
                        if single.contains(&figure.as_str()) {
                            bail!(
                                "[{figure}.{key}]: figure `{figure}` is one build for all \
                                 browsers; give its reason in [{figure}]"
                            );
                        }
                        let reason = sub.try_into().with_context(|| format!("[{figure}.{key}]"))?;
                        entry.browsers.insert(key, reason);
                    }
                    value => {
                        own.insert(key, value);
                    }
                }
            }
            if !own.is_empty() {
                entry.all = Some(own.try_into().with_context(|| format!("[{figure}]"))?);
            } else if entry.browsers.is_empty() {
                bail!("[{figure}]: empty; give `reason`, `tried` and `since`");
            }
            misses.figures.insert(figure, entry);
        }
        Ok(misses)
    }

    /// The reason on record for `figure` in `browser` ("all" for a figure measured once): the
    /// browser's own, else the figure's.
    pub fn get(&self, figure: &str, browser: &str) -> Option<&Reason> {
        let entry = self.figures.get(figure)?;
        entry.browsers.get(browser).or(entry.all.as_ref())
    }

    /// Every entry as (figure, browser or `None` for the figure's own), in file order by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.figures.iter().flat_map(|(figure, entry)| {
            let own = entry.all.as_ref().map(|_| (figure.as_str(), None));
            let narrowed = entry.browsers.keys().map(move |b| (figure.as_str(), Some(b.as_str())));
            own.into_iter().chain(narrowed)
        })
    }

    /// Whether `figure`'s entry for `browser`, if it has one of its own, overrides the figure's.
    pub fn narrowed(&self, figure: &str, browser: &str) -> bool {
        self.figures.get(figure).is_some_and(|e| e.browsers.contains_key(browser))
    }
}

/// `text` cut at a word boundary to at most `max` characters, with "…" when cut.
pub fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIGURES: &[&str] = &["dispatch", "glare", "size"];
    const SINGLE: &[&str] = &["size"];

    fn parse(text: &str) -> Result<Misses> {
        Misses::parse(text, FIGURES, SINGLE)
    }

    #[test]
    fn a_figure_has_a_reason_for_all_browsers_or_narrowed_to_one() {
        let m = parse(
            "[dispatch]\nreason = \"r\"\ntried = \"t\"\nsince = \"abc1234\"\n\
             [dispatch.firefox]\nreason = \"rf\"\ntried = \"tf\"\nsince = \"2026-12-02\"\n\
             [glare.firefox]\nreason = \"g\"\ntried = \"gt\"\nsince = \"x\"\n",
        )
        .unwrap();
        assert_eq!(m.get("dispatch", "chromium").unwrap().reason, "r");
        assert_eq!(m.get("dispatch", "firefox").unwrap().reason, "rf");
        assert_eq!(m.get("glare", "firefox").unwrap().tried, "gt");
        assert_eq!(m.get("glare", "chromium"), None);
        assert_eq!(m.get("size", "all"), None);
        let entries: Vec<_> = m.entries().collect();
        assert_eq!(
            entries,
            [("dispatch", None), ("dispatch", Some("firefox")), ("glare", Some("firefox"))]
        );
        assert!(m.narrowed("dispatch", "firefox") && !m.narrowed("dispatch", "chromium"));
    }

    #[test]
    fn an_unknown_figure_or_browser_is_an_error_naming_it() {
        let err = parse("[dispach]\nreason = \"r\"\ntried = \"t\"\nsince = \"s\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("no figure `dispach`"), "{err:#}");
        let err =
            parse("[glare.safari]\nreason = \"r\"\ntried = \"t\"\nsince = \"s\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("no browser `safari`"), "{err:#}");
        let err =
            parse("[size.firefox]\nreason = \"r\"\ntried = \"t\"\nsince = \"s\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("one build for all browsers"), "{err:#}");
    }

    #[test]
    fn every_field_is_required_and_no_other_is_allowed() {
        let err = parse("[glare]\nreason = \"r\"\nsince = \"s\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("missing field `tried`"), "{err:#}");
        let err = parse("[glare.firefox]\nreason = \"r\"\ntried = \"t\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("[glare.firefox]"), "{err:#}");
        assert!(format!("{err:#}").contains("missing field `since`"), "{err:#}");
        let err =
            parse("[glare]\nreason = \"r\"\ntried = \"t\"\nsince = \"s\"\nwhy = 1\n").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field `why`"), "{err:#}");
        assert!(parse("[glare]\n").is_err(), "an empty table");
    }

    #[test]
    fn short_cuts_at_a_word() {
        assert_eq!(short("a  b\n c", 10), "a b c");
        assert_eq!(short("one two three four", 12), "one two…");
    }
}
