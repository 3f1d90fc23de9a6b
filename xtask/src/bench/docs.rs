//! What `cargo xtask bench` writes from its results: the Markdown table (also shown in the
//! terminal), the chart `docs/bench.svg`, and the generated part of `docs/bench.md` and the
//! README, which names the commit and the date it was measured on.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::misses::{self, Misses};
use crate::size;

/// Writes `docs/bench.svg` and the generated part of `docs/bench.md` (and of README.md, when it
/// has the same markers).
pub fn write_docs(root: &Path, results: &Value, table: &str) -> Result<()> {
    let docs = root.join("docs");
    fs::write(docs.join("bench.svg"), chart(results)).context("writing docs/bench.svg")?;
    let generated = section(results, table);
    if !size::write_between(&docs.join("bench.md"), BEGIN, END, &generated)? {
        bail!("docs/bench.md has no {BEGIN} … {END} markers");
    }
    size::write_between(&root.join("README.md"), BEGIN, END, &generated)?;
    println!("xtask: wrote docs/bench.svg and the table in docs/bench.md and README.md");
    Ok(())
}

// ---- reading the results ----

/// The number at `path` (object keys, or indexes into arrays).
fn num(v: &Value, path: &[&str]) -> Option<f64> {
    v.pointer(&path.iter().map(|key| format!("/{key}")).collect::<String>())?.as_f64()
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1000.0)
}

fn signed_bytes(bytes: f64) -> String {
    let kb = bytes.abs() >= 1000.0;
    if kb {
        format!("{:+.1} KB", bytes / 1000.0)
    } else {
        format!("{bytes:+.0} B")
    }
}

/// Two decimals, or three when two would round a miss onto the target (or a pass onto it).
fn ratio_text(ratio: f64, target: f64) -> String {
    let two = format!("{ratio:.2}");
    let onto = two == format!("{target:.2}") && ratio != target;
    if onto {
        format!("{ratio:.3}")
    } else {
        two
    }
}

fn verdict(met: bool) -> &'static str {
    ["❌ missed", "✅ met"][usize::from(met)]
}

/// One figure's outcome in one browser: the ratio (or value) against its target.
#[derive(Debug, Clone)]
struct Cell {
    /// Measured value divided by the target (≤ 1 meets it), for the chart.
    normalized: Option<f64>,
    met: Option<bool>,
    text: String,
    /// A short text for the chart when there is no bar (figure 5, failures).
    note: String,
}

impl Cell {
    fn missing(why: &str) -> Cell {
        let note = why.chars().take(90).collect();
        Cell { normalized: None, met: None, text: why.to_string(), note }
    }
}

/// The cell of a figure that did not run or failed in this page, if it did not.
fn not_run(page: &Value, key: &str) -> Option<Cell> {
    let err = |v: &Value| v.as_str().map(str::to_string);
    let why = err(&page["error"]).map(|e| format!("not run: {e}"));
    why.or_else(|| err(&page["errors"][key]).map(|e| format!("failed: {e}")))
        .map(|w| Cell::missing(&w))
}

/// The ratio figures (all but 1 and 5): key in `figures`, target, and what the details say.
fn ratio_cell(page: &Value, key: &str) -> Cell {
    if let Some(cell) = not_run(page, key) {
        return cell;
    }
    let fig = &page["figures"][key];
    // The target is the table's (`ROWS`), one place for every figure; the page's own field
    // only stands in for a key the table lacks.
    let target = row_target(key).or_else(|| num(fig, &["target"]));
    let (Some(ratio), Some(target)) = (num(fig, &["ratio"]), target) else {
        return Cell::missing("no result");
    };
    // Throughput (figure 8) is better when higher: its target is a floor.
    let higher_is_better = fig["higher_is_better"].as_bool() == Some(true);
    // Dispatch must also beat a raw web-sys `Closure` reading the same fields.
    let closure = num(fig, &["ratio_closure"]).unwrap_or(f64::NAN);
    let met = if higher_is_better { ratio >= target } else { ratio <= target }
        && (key != "dispatch" || ratio <= closure);
    let ms = |path: &[&str]| num(fig, path).unwrap_or(f64::NAN);
    // "A unit vs JS B unit" for `field.rtc_peer` against `field.js` (or `on_track` for dispatch).
    let vs = |field: &str, ours: &str, unit: &str, digits: usize| {
        let (a, b) = (ms(&[field, ours]), ms(&[field, "js"]));
        format!("{a:.digits$} {unit} vs JS {b:.digits$} {unit}")
    };
    // "1: 12760, 8: 15693": `fig[group][n][leaf…]` for each size n listed in `fig[sizes]`.
    let per_size = |sizes: &str, group: &str, leaf: &[&str], digits: usize| {
        let list = fig[sizes].as_array().cloned().unwrap_or_default();
        let cost = |n: &Value| num(&fig[group][n.to_string()], leaf).unwrap_or(f64::NAN);
        list.iter().map(|n| format!("{n}: {:.digits$}", cost(n))).collect::<Vec<_>>().join(", ")
    };
    let detail = match key {
        "dispatch" => {
            format!(
                "on_track {} per event; raw web-sys Closure {closure:.2}×{}",
                vs("median_ns", "on_track", "ns", 0),
                if ratio <= closure { ", rtc-peer below it" } else { ", rtc-peer above it" },
            ) + &coarse_clock(page, fig)
        }
        "offer_answer" => format!(
            "{}; web-sys awaiting each promise directly {:.2}×",
            vs("median_ms", "rtc_peer", "ms", 1),
            ms(&["ratio_web_sys"]),
        ),
        "first_frame" | "glare" => vs("median_ms", "rtc_peer", "ms", 1),
        "throughput" => vs("megabytes_per_second", "rtc_peer", "MB/s", 1),
        "hang_up" => format!(
            "p50 {}, p95 {}",
            vs("p50_ms", "rtc_peer", "ms", 1),
            vs("p95_ms", "rtc_peer", "ms", 1)
        ),
        "scale" => format!(
            "on_track ns/event per pair {}; plain JS {:.2}×",
            per_size("pairs", "per_pairs", &["median_ns", "on_track"], 0),
            ms(&["ratio_js"])
        ),
        "sfu" => {
            let last = fig["publishers"].as_array().and_then(|a| a.last().map(Value::to_string));
            let most = last.unwrap_or_default();
            let at = |leaf: &[&str]| num(&fig["per_publishers"][&most], leaf).unwrap_or(f64::NAN);
            format!(
                "ms per track {}; plain JS {:.2}×; every first frame at {most}: {:.0} ms vs JS {:.0} ms ({:.2}×)",
                per_size("publishers", "per_publishers", &["per_track_ms", "rtc_peer"], 2),
                ms(&["ratio_js"]),
                at(&["frames_ms", "rtc_peer"]),
                at(&["frames_ms", "js"]),
                at(&["ratio_frames_vs_js"]),
            )
        }
        _ => String::new(),
    };
    // The page's 95 % bootstrap interval of the median: when it spans the target, this many
    // rounds cannot tell met from missed on this machine, and the table says so.
    let ci = match (num(fig, &["ci95", "0"]), num(fig, &["ci95", "1"])) {
        (Some(lo), Some(hi)) => {
            let unresolved = if lo <= target && target <= hi { ", spans the target" } else { "" };
            format!("; 95 % CI {lo:.2}–{hi:.2}{unresolved}")
        }
        _ => String::new(),
    };
    Cell {
        normalized: Some(if higher_is_better { target / ratio } else { ratio / target }),
        met: Some(met),
        text: format!("**{}×** {} ({detail}{ci})", ratio_text(ratio, target), verdict(met)),
        note: String::new(),
    }
}

/// For dispatch on a coarse clock (a browser started without the bench's settings, so the page
/// ran more events than the title's 100,000): how many, and the clock's step; else nothing.
fn coarse_clock(page: &Value, fig: &Value) -> String {
    match (num(fig, &["events_per_variant"]), num(page, &["timer_step_ms"])) {
        (Some(n), Some(step)) if step >= 0.5 => format!(
            "; {} events per variant: its clock steps {step:.1} ms",
            size::thousands(n as u64),
        ),
        _ => String::new(),
    }
}

/// The leak figure's three blocks: name, rtc-peer figures, plain-JS figures (`Null` when the
/// block has none), the page's `config` key of its cycle count.
fn leak_blocks(fig: &Value) -> [(&'static str, &Value, &Value, &'static str); 3] {
    let (early, data) = (&fig["hang_up_during_setup"], &fig["data_channels"]);
    [
        ("full calls", &fig["rtc_peer"], &fig["js"], "leakCycles"),
        ("hung up during setup", &early["rtc_peer"], &early["js"], "leakEarlyCycles"),
        ("data-channel calls", &data["rtc_peer"], &Value::Null, "leakDataCycles"),
    ]
}

/// What the leak figure's rtc-peer blocks left behind, as messages (empty: nothing): each must
/// run every cycle with no error and leave no wasm-memory or Rust-heap growth, no listener, no
/// open connection and no pending future. The figure's verdict, and the bench smoke test's.
pub fn leak_problems(page: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, block, _, cycles) in leak_blocks(&page["figures"]["leak"]) {
        let wanted = num(page, &["config", cycles]).unwrap_or(f64::INFINITY);
        if !block["error"].is_null() || num(block, &["cycles"]).is_none_or(|n| n < wanted) {
            let (ran, wanted, error) = (&block["cycles"], &page["config"][cycles], &block["error"]);
            problems.push(format!("leak, {name}: {ran} of {wanted} cycles, error {error}"));
        }
        for (key, what) in [
            ("listeners_left_pc", "listeners left on connections"),
            ("listeners_left_all", "listeners left in all"),
            ("wasm_growth_bytes", "bytes of wasm-memory growth"),
            ("rust_heap_growth_bytes", "bytes of Rust-heap growth"),
            ("connections_open_left", "connections left open"),
            ("pending_attach_left", "attach futures never completed"),
            ("pending_candidates_left", "candidate futures never completed"),
        ] {
            match block[key].as_f64() {
                Some(n) if n == 0.0 || (n < 0.0 && key == "rust_heap_growth_bytes") => {}
                _ => problems.push(format!("leak, {name}: {} {what}, want 0", block[key])),
            }
        }
    }
    problems
}

/// Figure 5: met only when [`leak_problems`] finds nothing.
fn leak_cell(page: &Value) -> Cell {
    if let Some(cell) = not_run(page, "leak") {
        return cell;
    }
    // Left out of this run (`XTASK_BENCH_ONLY`): no verdict, as for the ratio figures.
    if !page["figures"]["leak"].is_object() {
        return Cell::missing("no result");
    }
    let blocks = leak_blocks(&page["figures"]["leak"]);
    let met = leak_problems(page).is_empty();
    let texts: Vec<String> = blocks
        .iter()
        .enumerate()
        .map(|(i, (name, rtc, js, _))| {
            // "Hung up during setup: …"; the first block has no title.
            let title = match i {
                0 => String::new(),
                _ => format!("{}{}: ", name[..1].to_uppercase(), &name[1..]),
            };
            match rtc.is_object() {
                true => format!("{title}{}", leak_block(rtc, js)),
                false => format!("{title}not run"),
            }
        })
        .collect();
    let heaps: Vec<String> = blocks
        .iter()
        .map(|(_, rtc, ..)| signed_bytes(num(rtc, &["rust_heap_growth_bytes"]).unwrap_or(f64::NAN)))
        .collect();
    Cell {
        normalized: None,
        met: Some(met),
        text: format!("{} {}", verdict(met), texts.join(". ")),
        note: format!(
            "{}: Rust heap {} (its three blocks)",
            if met { "met" } else { "missed" },
            heaps.join(", ")
        ),
    }
}

/// One block of leak cycles (rtc-peer), with its plain-JS counterpart when `js` is one.
fn leak_block(rtc: &Value, js: &Value) -> String {
    let field = |k: &str| num(rtc, &[k]).unwrap_or(f64::NAN);
    let mut text = format!(
        "{} cycles: wasm memory {}, Rust heap {}, {} listeners left, {} connections open",
        field("cycles"),
        signed_bytes(field("wasm_growth_bytes")),
        signed_bytes(field("rust_heap_growth_bytes")),
        num(rtc, &["listeners_left_all"]).unwrap_or(field("listeners_left_pc")),
        field("connections_open_left"),
    );
    let pending = ["pending_candidates_left", "pending_attach_left"];
    let pending: f64 = pending.iter().filter_map(|k| num(rtc, &[k])).sum();
    if pending != 0.0 {
        let _ = write!(text, ", {pending} futures never completed");
    }
    let gc = |v: &Value| match num(v, &["connections_left"]) {
        Some(n) => format!("{n} closed connections not yet collected"),
        None => "connections not countable (no forced GC)".to_string(),
    };
    let js_heap = |v: &Value| {
        num(v, &["js_heap_growth_bytes"])
            .map_or(String::new(), |b| format!(", JS heap {}", signed_bytes(b)))
    };
    if js.is_object() {
        let _ = write!(text, ", {}{} (plain JS: {}{})", gc(rtc), js_heap(rtc), gc(js), js_heap(js));
    }
    match rtc["error"].as_str() {
        Some(e) => {
            let _ = write!(text, "; stopped: {e}");
        }
        None if js.is_object() => text.push_str("; no connection-limit failure"),
        None => {}
    }
    if let Some(e) = js["error"].as_str() {
        let _ = write!(text, "; plain JS stopped: {e}");
    }
    text
}

/// `16 KB`, `16.5 KB`: a size target, one decimal only when it has one.
fn kb_target(bytes: f64) -> String {
    let text = kb(bytes);
    text.replace(".0 KB", " KB")
}

/// Figure 1: the library package against `[size] package-target-gzip` (recorded in the run).
fn size_cell(sizes: &Value) -> Cell {
    let gzip = |what: &str, field: &str| num(sizes, &[what, field]).unwrap_or(f64::NAN);
    let (lib, sp, pj) =
        (gzip("library", "gzip"), gzip("simple_peer", "gzip"), gzip("peerjs", "gzip"));
    let Some(target) = num(sizes, &["target_gzip"]) else {
        return Cell::missing("no size target recorded in this run");
    };
    if lib.is_nan() {
        return Cell::missing("not measured in this run");
    }
    let met = lib <= target;
    Cell {
        normalized: Some(lib / target),
        met: Some(met),
        text: format!(
            "**{}** {} (wasm {} + JS {}); {:.2}× simple-peer {}, {:.2}× PeerJS {}; the demo app's package {}; demo page {}",
            kb(lib),
            verdict(met),
            kb(gzip("library", "wasm_gzip")),
            kb(gzip("library", "js_gzip")),
            lib / sp,
            kb(sp),
            lib / pj,
            kb(pj),
            kb(gzip("package", "gzip")),
            kb(gzip("demo", "gzip")),
        ),
        note: String::new(),
    }
}

/// Figure 11: the rtc-peer Rust app's gzip -9 bytes above the raw web-sys app's, against
/// `[size] rust-app-over-raw-target-gzip` (recorded in the run).
fn rust_app_cell(sizes: &Value) -> Cell {
    let app = &sizes["rust_app"];
    let gzip = |which: &str| num(app, &[which, "gzip"]);
    let (Some(ours), Some(raw), Some(target)) =
        (gzip("rtc_peer"), gzip("raw_web_sys"), num(app, &["target_gzip"]))
    else {
        return Cell::missing("not measured in this run");
    };
    let over = ours - raw;
    let met = over <= target;
    Cell {
        normalized: Some(over / target),
        met: Some(met),
        text: format!(
            "**{}** {} (rtc-peer app {}, raw web-sys app {}; {} B above)",
            signed_bytes(over),
            verdict(met),
            kb(ours),
            kb(raw),
            size::thousands(over.abs() as u64),
        ),
        note: String::new(),
    }
}

/// The figures measured once for every browser (one build): their keys.
pub const SINGLE: &[&str] = &["size", "rust_app"];

/// Every figure key, as `benches/misses.toml` names them.
pub fn figure_keys() -> Vec<&'static str> {
    ROWS.iter().map(|row| row.4).collect()
}

/// A row's target as shown: the ratio rows' own text; the size rows' from the run's results
/// (`wasm-pack.toml`'s `[size]` table, their one place).
fn target_text(results: &Value, number: u8, target: &str) -> String {
    let sizes = &results["sizes"];
    match number {
        1 => num(sizes, &["target_gzip"])
            .map_or("(not recorded)".into(), |t| format!("≤ {}", kb_target(t))),
        11 => num(sizes, &["rust_app", "target_gzip"])
            .map_or("(not recorded)".into(), |t| format!("≤ {}", signed_bytes(t))),
        _ => target.to_string(),
    }
}

/// Figure rows: number, title, short title (the chart's), target ("" for the size rows: see
/// [`target_text`]), key in `figures` (and in `benches/misses.toml`).
#[rustfmt::skip]
const ROWS: &[(u8, &str, &str, &str, &str)] = &[
    (1, "Size: library package (feature `js`: wasm + JS glue), gzip -9", "Size (gzip)", "", "size"),
    (2, "Track-event dispatch: `on_track` reading `track()` + `first_stream()` vs plain JS `addEventListener`, 100,000 constructed `RTCTrackEvent`s", "Track-event dispatch", "≤ 1.3×, and below a raw web-sys `Closure`", "dispatch"),
    (3, "Offer/answer round trip (6 steps) on a loopback pair, 200 rounds", "Offer/answer", "≤ 1.05×", "offer_answer"),
    (4, "Time to first remote frame (canvas source), 20 calls", "First remote frame", "≤ 1.05×", "first_frame"),
    (5, "Leak cycles: create → negotiate → `on_track` → attach → connected → close, 1,000 times (then 200 hung up during setup)", "Leak cycles", "0 growth (wasm memory, Rust heap), 0 listeners, no limit error", "leak"),
    (6, "Scale: track-event cost per pair, 32 vs 1 simultaneous pairs", "Scale, 32 vs 1 pairs", "≤ 1.2×", "scale"),
    (7, "Glare: both sides add a video track in the same task, until both are `stable` with the other's track; `Negotiator` (liveness off) vs MDN's perfect-negotiation pattern in plain JS, signals as JSON text through in-page channels, 30 fresh pairs", "Glare convergence", "≤ 1.05×", "glare"),
    (8, "Data-channel throughput: 20 MiB in 16 KiB messages, `writable()` with a 256 KiB low-water mark, received by `on_message`, vs plain JS `bufferedamountlow`, 8 transfers", "Data-channel throughput", "≥ 0.95×", "throughput"),
    (9, "Hang-up detection: one side closes its connection with no `Bye`; until the other's `on_end(RemoteHangUp)` (liveness channel) vs the `close` event of the same negotiated channel in plain JS, p50 over 20 calls", "Hang-up detection (p50)", "≤ 1.05×", "hang_up"),
    (10, "SFU: a Janus subscription of 1, 4 and 8 publishers on one connection (Janus offers, the subscriber answers); cost per track of applying the offer (its track events and `on_track` handlers), 8 vs 1 publishers; and the time from subscribing to every track's first decoded frame, vs the same subscription in plain JS `ontrack`, 8 rounds", "SFU: per-track cost, 8 vs 1", "≤ 1.2×", "sfu"),
    (11, "What a Rust app pays: `benches/rust-app/rtc-peer` (`on_track` → `first_stream()` → `attach_stream`) above the same app in raw web-sys (`benches/rust-app/raw-web-sys`), each `wasm-pack build --release`, gzip -9 (wasm + JS)", "Rust app over raw web-sys", "", "rust_app"),
];

/// The number of a row's target text (`≤ 1.3×, and …` is 1.3), by its key in `figures`.
fn row_target(key: &str) -> Option<f64> {
    let (.., target, _) = ROWS.iter().find(|row| row.4 == key && !SINGLE.contains(&key))?;
    let number = target.trim_start_matches(['≤', '≥', ' ']);
    number.split('×').next()?.trim().parse().ok()
}

fn cells(results: &Value, key: &str, number: u8) -> Vec<(String, Cell)> {
    match number {
        1 => return vec![("all".to_string(), size_cell(&results["sizes"]))],
        11 => return vec![("all".to_string(), rust_app_cell(&results["sizes"]))],
        _ => {}
    }
    let browsers = results["browsers"].as_object().cloned().unwrap_or_default();
    let cell = |page: &Value| if number == 5 { leak_cell(page) } else { ratio_cell(page, key) };
    browsers.iter().map(|(name, page)| (name.clone(), cell(page))).collect()
}

fn browser_title(name: &str) -> &str {
    match name {
        "chromium" => "Chromium",
        "firefox" => "Firefox",
        other => other,
    }
}

/// What a cell ends with when its figure is missed: the reason on record, or a flag.
fn miss_text(reason: Option<&misses::Reason>) -> String {
    match reason {
        Some(r) => format!(
            "; missed: {} (tried: {}; since {})",
            r.reason.trim(),
            misses::short(&r.tried, 160),
            r.since.trim()
        ),
        None => "; missed: **no reason on record**".to_string(),
    }
}

/// What the run's misses and `benches/misses.toml` say of each other.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// Missed figures with no reason on record: "figure (browser)".
    pub unexplained: Vec<String>,
    /// Entries whose figure was met wherever it applies and ran: "[figure]" or "[figure.browser]".
    pub stale: Vec<String>,
}

pub fn audit(results: &Value, misses: &Misses) -> Audit {
    let mut audit = Audit::default();
    // (figure, browser) → met, for every cell with a verdict.
    let mut verdicts = Vec::new();
    for &(number, _, _, _, key) in ROWS {
        for (browser, cell) in cells(results, key, number) {
            let Some(met) = cell.met else { continue };
            if !met && misses.get(key, &browser).is_none() {
                let who = if browser == "all" { String::new() } else { format!(" ({browser})") };
                audit.unexplained.push(format!("{key}{who}"));
            }
            verdicts.push((key, browser, met));
        }
    }
    for (figure, browser) in misses.entries() {
        // The cells this entry explains: its browser's, or every one its figure's own covers.
        let covered: Vec<bool> = verdicts
            .iter()
            .filter(|(key, b, _)| {
                *key == figure
                    && browser.map_or(!misses.narrowed(figure, b), |browser| browser == b)
            })
            .map(|v| v.2)
            .collect();
        if !covered.is_empty() && covered.iter().all(|met| *met) {
            audit.stale.push(match browser {
                Some(b) => format!("[{figure}.{b}]"),
                None => format!("[{figure}]"),
            });
        }
    }
    audit
}

/// Prints the warning for misses with no reason on record (after the table).
pub fn warn_unexplained(audit: &Audit) {
    if !audit.unexplained.is_empty() {
        println!(
            "xtask: WARNING: missed with no reason on record in {}: {}",
            misses::FILE,
            audit.unexplained.join(", ")
        );
    }
}

/// Prints the entries of figures that were met (the end of a run).
pub fn print_stale(audit: &Audit) {
    if !audit.stale.is_empty() {
        println!(
            "xtask: stale in {} (the figure was met in this run): {}",
            misses::FILE,
            audit.stale.join(", ")
        );
    }
}

/// The Markdown table (also what the terminal shows); a missed cell ends with its reason from
/// `misses`.
pub fn table(results: &Value, misses: &Misses) -> String {
    let browsers: Vec<String> =
        results["browsers"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let titles: String = browsers.iter().map(|b| format!(" {} |", browser_title(b))).collect();
    let mut out =
        format!("| figure | target |{titles}\n| --- | --- |{}\n", " --- |".repeat(browsers.len()));
    for &(number, title, _, target, key) in ROWS {
        let target = target_text(results, number, target);
        let _ = write!(out, "| {number}. {title} | {target} |");
        for (browser, cell) in cells(results, key, number) {
            let miss = match cell.met {
                Some(false) => miss_text(misses.get(key, &browser)),
                _ => String::new(),
            };
            let _ = write!(out, " {}{miss} |", cell.text);
        }
        // Figures 1 and 11 are not browser-bound: one build, shown once across the columns.
        if SINGLE.contains(&key) {
            out.push_str(&" (same build) |".repeat(browsers.len().saturating_sub(1)));
        }
        out.push('\n');
    }
    out
}

/// Browser versions from the user agents, for the section's header.
fn browser_versions(results: &Value) -> String {
    let map = results["browsers"].as_object().cloned().unwrap_or_default();
    let version = |page: &Value| -> String {
        let mut ua = page["user_agent"].as_str().unwrap_or("").split_whitespace();
        let found = ua.find(|t| t.starts_with("HeadlessChrome/") || t.starts_with("Firefox/"));
        found.unwrap_or("?").to_string()
    };
    let part = |(name, page): (&String, &Value)| {
        let secs = num(page, &["wall_seconds"]).unwrap_or(f64::NAN);
        format!("{} ({}, {secs:.0} s)", browser_title(name), version(page))
    };
    map.iter().map(part).collect::<Vec<_>>().join(", ")
}

/// The generated part of `docs/bench.md`.
fn section(results: &Value, table: &str) -> String {
    let secs = num(results, &["seconds"]).unwrap_or(0.0) as u64;
    let cpus = num(results, &["cpus"]).unwrap_or(0.0);
    let command = results["command"].as_str().unwrap_or("cargo xtask bench");
    let commit = results["commit"].as_str().unwrap_or("(commit not recorded)");
    let date = results["date"].as_str().unwrap_or("(date not recorded)");
    format!(
        "Measured on commit `{commit}`, {date}, by `{command}` on a {cpus}-core machine in \
         {}m{:02}s: {}. Medians over rounds in \
         which rtc-peer and the plain-JS baseline alternate, in the same page and run; raw \
         numbers in `target/bench/results.json`.\n\n{table}\n![Benchmark ratios against their \
         targets](docs/bench.svg)\n",
        secs / 60,
        secs % 60,
        browser_versions(results),
    )
}

const BEGIN: &str =
    "<!-- bench:begin (generated by `cargo xtask bench`; edit outside the markers) -->";
const END: &str = "<!-- bench:end -->";

/// An SVG bar chart: each figure's measured value divided by its target (≤ 1 meets it), one
/// bar per figure and browser.
fn chart(results: &Value) -> String {
    // (figure, who, normalized, met, label)
    let mut bars = Vec::new();
    for &(number, _, short, target, key) in ROWS {
        let target = target_text(results, number, target);
        for (browser, cell) in cells(results, key, number) {
            let who = if SINGLE.contains(&key) { "build" } else { browser_title(&browser) };
            let who = who.to_string();
            let label = match cell.normalized {
                Some(_) => {
                    format!("{} (target {target})", cell.text.split("**").nth(1).unwrap_or(""))
                }
                None => cell.note.clone(),
            };
            bars.push((format!("{number}. {short}"), who, cell.normalized, cell.met, label));
        }
    }
    let max = bars.iter().filter_map(|b| b.2).fold(2.0_f64, f64::max).min(10.0);
    let (left, width, row_h, top) = (250.0, 400.0, 26.0, 45.0);
    let bottom = top + row_h * bars.len() as f64;
    let height = bottom + 45.0;
    let x = |v: f64| left + width * (v.min(max) / max);
    // The target line first, so bars and labels are drawn over it.
    let line = x(1.0);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="{height}" viewBox="0 0 900 {height}" font-family="sans-serif" font-size="12">
<rect width="900" height="{height}" fill="white"/>
<text x="10" y="22" font-size="15" font-weight="bold">rtc-peer benchmarks: measured ÷ target (bar left of the line = target met)</text>
<line x1="{line:.1}" y1="{:.1}" x2="{line:.1}" y2="{bottom:.1}" stroke="#333" stroke-dasharray="4 3"/>
"##,
        top - 4.0
    );
    for (i, (figure, who, norm, met, label)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let (figure, who, label) = (escape(figure), escape(who), escape(label));
        let _ = writeln!(svg, r#"<text x="10" y="{:.1}">{figure} · {who}</text>"#, y + 16.0);
        let colour = match met {
            Some(true) => "#2e7d32",
            Some(false) => "#c62828",
            None => "#9e9e9e",
        };
        let _ = match norm {
            Some(v) => writeln!(
                svg,
                r#"<rect x="{left}" y="{:.1}" width="{:.1}" height="16" fill="{colour}"/>
<text x="{:.1}" y="{:.1}">{label}</text>"#,
                y + 4.0,
                (x(*v) - left).max(1.0),
                x(*v) + 6.0,
                y + 16.0
            ),
            None => writeln!(
                svg,
                r#"<text x="{left}" y="{:.1}" fill="{colour}">{label}</text>"#,
                y + 16.0
            ),
        };
    }
    let _ = writeln!(
        svg,
        r##"<text x="{line:.1}" y="{0:.1}" text-anchor="middle" fill="#333">target</text>
<text x="{left}" y="{0:.1}" fill="#666">0</text><text x="{1:.1}" y="{0:.1}" text-anchor="end" fill="#666">{max:.1}× target</text>
</svg>"##,
        bottom + 16.0,
        left + width
    );
    svg
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup;
    use serde_json::json;

    #[test]
    fn the_section_names_the_commit_and_the_date() {
        let results = json!({ "commit": "abc1234+dirty", "date": "2026-12-01", "seconds": 61 });
        let text = section(&results, "| table |\n");
        assert!(text.starts_with("Measured on commit `abc1234+dirty`, 2026-12-01, by"), "{text}");
        let root = setup::repo_root();
        assert!(size::commit(&root).is_some_and(|c| c.len() >= 7), "git rev-parse failed");
    }

    #[test]
    fn every_ratio_figure_takes_its_target_from_the_table() {
        let targets: Vec<(&str, Option<f64>)> = ROWS
            .iter()
            .filter(|row| ![1, 5, 11].contains(&row.0))
            .map(|row| (row.4, row_target(row.4)))
            .collect();
        assert!(targets.iter().all(|(_, t)| t.is_some()), "{targets:?}");
        assert_eq!(row_target("dispatch"), Some(1.3));
        assert_eq!(row_target("throughput"), Some(0.95));
    }

    #[test]
    fn throughput_is_met_above_its_floor_and_dispatch_only_below_raw_web_sys() {
        let page = |key: &str, fig: Value| json!({ "errors": {}, "figures": { key: fig } });
        let throughput = |ratio: f64| {
            let fig = json!({ "ratio": ratio, "target": 0.95, "higher_is_better": true });
            ratio_cell(&page("throughput", fig), "throughput")
        };
        assert_eq!(throughput(0.97).met, Some(true));
        let missed = throughput(0.90);
        assert_eq!(missed.met, Some(false));
        assert!(missed.normalized.is_some_and(|n| n > 1.0));
        assert!(missed.text.contains("**0.90×** ❌ missed"), "{}", missed.text);
        let dispatch = |ratio: f64, closure: f64| {
            let fig = json!({ "ratio": ratio, "target": 1.3, "ratio_closure": closure });
            ratio_cell(&page("dispatch", fig), "dispatch")
        };
        assert_eq!(dispatch(1.2, 1.25).met, Some(true));
        assert_eq!(dispatch(1.2, 1.15).met, Some(false), "above raw web-sys");
        assert_eq!(dispatch(1.35, 1.4).met, Some(false), "above the target");
        let sfu = |ratio: f64| {
            let per = |ms: f64| json!({ "per_track_ms": { "rtc_peer": ms } });
            let fig = json!({ "ratio": ratio, "target": 1.2, "publishers": [1, 8],
                              "per_publishers": { "1": per(2.0), "8": per(2.0 * ratio) } });
            ratio_cell(&page("sfu", fig), "sfu")
        };
        assert_eq!(sfu(1.1).met, Some(true));
        assert_eq!(sfu(1.3).met, Some(false), "8 publishers cost more per track");
        assert!(sfu(1.3).text.contains("ms per track 1: 2.00, 8: 2.60"), "{}", sfu(1.3).text);
    }

    #[test]
    fn an_interval_across_the_target_is_called_unresolved() {
        let page = json!({
            "errors": {},
            "figures": { "first_frame": {
                "ratio": 1.08, "target": 1.05, "ci95": [0.98, 1.2],
                "median_ms": { "rtc_peer": 43.0, "js": 40.0 }
            } }
        });
        let cell = ratio_cell(&page, "first_frame");
        assert!(cell.text.contains("95 % CI 0.98–1.20, spans the target"), "{}", cell.text);
    }

    /// Results with the two size figures: the library at `lib` B, the rtc-peer app `over` B
    /// above the raw one; targets 16,000 B and 1,000 B.
    fn size_results(lib: u64, over: i64) -> Value {
        let raw = 6828;
        json!({
            "browsers": { "chromium": { "errors": {}, "figures": {} },
                          "firefox": { "errors": {}, "figures": {} } },
            "sizes": {
                "library": { "gzip": lib, "wasm_gzip": lib - 5000, "js_gzip": 5000 },
                "simple_peer": { "gzip": 28400 }, "peerjs": { "gzip": 22700 },
                "package": { "gzip": 60000 }, "demo": { "gzip": 70000 },
                "target_gzip": 16000,
                "rust_app": {
                    "rtc_peer": { "gzip": raw + over }, "raw_web_sys": { "gzip": raw },
                    "over_raw_gzip": over, "target_gzip": 1000
                }
            }
        })
    }

    #[test]
    fn the_rust_app_figure_is_met_within_its_target_and_missed_above_it() {
        let met = rust_app_cell(&size_results(15000, 1000)["sizes"]);
        assert_eq!(met.met, Some(true), "{}", met.text);
        let missed = rust_app_cell(&size_results(15000, 4312)["sizes"]);
        assert_eq!(missed.met, Some(false));
        assert!(missed.normalized.is_some_and(|n| n > 4.0));
        assert_eq!(
            missed.text,
            "**+4.3 KB** ❌ missed (rtc-peer app 11.1 KB, raw web-sys app 6.8 KB; 4,312 B above)"
        );
        let below = rust_app_cell(&size_results(15000, -20)["sizes"]);
        assert!(below.text.starts_with("**-20 B** ✅ met"), "{}", below.text);
        let old = json!({ "target_gzip": 16000 });
        assert_eq!(rust_app_cell(&old).met, None, "results of a run before figure 11");
    }

    #[test]
    fn the_size_rows_take_their_targets_from_the_run_and_span_the_browser_columns() {
        let table = table(&size_results(15000, 4312), &Misses::default());
        let row = |n: &str| table.lines().find(|l| l.starts_with(&format!("| {n}. "))).unwrap();
        assert!(row("1").contains("| ≤ 16 KB | **15.0 KB** ✅ met"), "{}", row("1"));
        assert!(row("1").ends_with("| (same build) |"), "{}", row("1"));
        assert!(row("11").contains("| ≤ +1.0 KB | **+4.3 KB** ❌ missed"), "{}", row("11"));
        assert!(row("11").ends_with("| (same build) |"), "{}", row("11"));
        let over = size_cell(&size_results(17000, 0)["sizes"]);
        assert_eq!(over.met, Some(false), "{}", over.text);
        assert!(chart(&size_results(15000, 4312)).contains("11. Rust app over raw web-sys · build"));
    }

    fn misses(text: &str) -> Misses {
        Misses::parse(text, &figure_keys(), SINGLE).unwrap()
    }

    /// Size and rust_app missed, dispatch missed in Firefox only, glare met in both.
    fn mixed_results() -> Value {
        let mut results = size_results(27000, 4312);
        let fig = |ratio: f64| json!({ "ratio": ratio, "ratio_closure": 2.0 });
        for (browser, dispatch) in [("chromium", 1.1), ("firefox", 1.4)] {
            results["browsers"][browser]["figures"] =
                json!({ "dispatch": fig(dispatch), "glare": fig(1.0) });
        }
        results
    }

    #[test]
    fn a_missed_cell_ends_with_its_reason_or_says_there_is_none() {
        let m = misses(
            "[size]\nreason = \"needs build-std\"\ntried = \"talc, no executor\"\nsince = \"5087723\"\n\
             [dispatch.firefox]\nreason = \"the streams getter\"\ntried = \"one snippet call\"\n\
             since = \"2026-12-02\"\n",
        );
        let table = table(&mixed_results(), &m);
        let row = |n: &str| table.lines().find(|l| l.starts_with(&format!("| {n}. "))).unwrap();
        assert!(
            row("1").ends_with(
                "; missed: needs build-std (tried: talc, no executor; since 5087723) | (same build) |"
            ),
            "{}",
            row("1")
        );
        let dispatch = row("2");
        assert!(
            dispatch.ends_with(
                "; missed: the streams getter (tried: one snippet call; since 2026-12-02) |"
            ),
            "{dispatch}"
        );
        assert_eq!(dispatch.matches("missed:").count(), 1, "Chromium met: {dispatch}");
        assert!(row("11").contains("; missed: **no reason on record** |"), "{}", row("11"));
        let audit = audit(&mixed_results(), &m);
        assert_eq!(audit.unexplained, ["rust_app"]);
        assert!(audit.stale.is_empty(), "{:?}", audit.stale);
    }

    #[test]
    fn an_entry_for_a_met_figure_is_stale_and_a_narrowed_one_covers_its_browser_only() {
        let reason = "reason = \"r\"\ntried = \"t\"\nsince = \"s\"\n";
        let m = misses(&format!(
            "[size]\n{reason}[rust_app]\n{reason}[glare]\n{reason}[dispatch]\n{reason}\
             [dispatch.chromium]\n{reason}[offer_answer.firefox]\n{reason}"
        ));
        let audit = audit(&mixed_results(), &m);
        assert!(audit.unexplained.is_empty(), "{:?}", audit.unexplained);
        // glare: met in both; dispatch's own covers Firefox only (missed there), its Chromium
        // entry is met; offer_answer did not run, so nothing is said of it.
        assert_eq!(audit.stale, ["[dispatch.chromium]", "[glare]"]);
    }

    #[test]
    fn the_repository_misses_file_loads() {
        let m = Misses::load(&setup::repo_root(), &figure_keys(), SINGLE).unwrap();
        for (figure, browser) in [("size", "all"), ("rust_app", "all"), ("glare", "firefox")] {
            assert!(m.get(figure, browser).is_some(), "{figure} ({browser})");
        }
    }

    /// A leak page whose two blocks are clean; `tweak` spoils one field of one block.
    fn leak_page(tweak: impl FnOnce(&mut Value)) -> Value {
        let clean = |cycles: u32| {
            json!({
                "cycles": cycles, "error": null, "wasm_growth_bytes": 0,
                "rust_heap_growth_bytes": 0, "listeners_left_pc": 0, "listeners_left_all": 0,
                "connections_open_left": 0, "connections_left": 3,
                "pending_attach_left": 0, "pending_candidates_left": 0
            })
        };
        let mut page = json!({
            "errors": {},
            "config": { "leakCycles": 1000, "leakEarlyCycles": 200, "leakDataCycles": 200 },
            "figures": { "leak": {
                "rtc_peer": clean(1000), "js": clean(1000),
                "hang_up_during_setup": { "rtc_peer": clean(200), "js": clean(200) },
                "data_channels": { "rtc_peer": clean(200) }
            } }
        });
        tweak(&mut page["figures"]["leak"]);
        page
    }

    #[test]
    fn the_leak_verdict_covers_both_blocks_pending_futures_and_open_connections() {
        assert_eq!(leak_cell(&leak_page(|_| {})).met, Some(true));
        for (path, value) in [
            ("/hang_up_during_setup/rtc_peer/rust_heap_growth_bytes", 64),
            ("/hang_up_during_setup/rtc_peer/listeners_left_pc", 1),
            ("/hang_up_during_setup/rtc_peer/connections_open_left", 1),
            ("/hang_up_during_setup/rtc_peer/pending_candidates_left", 2),
            ("/hang_up_during_setup/rtc_peer/pending_attach_left", 1),
            ("/hang_up_during_setup/rtc_peer/cycles", 150),
            ("/data_channels/rtc_peer/wasm_growth_bytes", 65536),
            ("/data_channels/rtc_peer/listeners_left_all", 1),
            ("/rtc_peer/pending_candidates_left", 1),
            ("/rtc_peer/connections_open_left", 2),
        ] {
            let cell = leak_cell(&leak_page(|fig| *fig.pointer_mut(path).unwrap() = json!(value)));
            assert_eq!(cell.met, Some(false), "{path} = {value}: {}", cell.text);
        }
        let cell =
            leak_cell(&leak_page(|fig| fig["rtc_peer"]["pending_candidates_left"] = json!(1)));
        assert!(cell.text.contains("1 futures never completed"), "{}", cell.text);
        let cell = leak_cell(&leak_page(|fig| fig["rtc_peer"]["connections_open_left"] = json!(2)));
        assert!(cell.text.contains("2 connections open"), "{}", cell.text);
        let heap = "/hang_up_during_setup/rtc_peer/rust_heap_growth_bytes";
        let shrunk = leak_page(|fig| *fig.pointer_mut(heap).unwrap() = json!(-16));
        assert_eq!(leak_cell(&shrunk).met, Some(true), "a Rust heap that shrank leaks nothing");
        let absent = leak_page(|fig| fig["rtc_peer"] = json!({ "cycles": 1000, "error": null }));
        assert_eq!(leak_problems(&absent).len(), 7, "absent figures are failures");
        let left_out = json!({ "errors": {}, "figures": {} });
        assert_eq!(leak_cell(&left_out).met, None, "a run that left the leak figure out");
    }
}
