//! Deterministic hostile input: a seeded PRNG of our own (SplitMix64) and mutators that turn
//! real SDP and ICE candidates into the malformed text a signalling channel can deliver.
//!
//! Safety rule for everything generated here: a candidate that could parse never names an
//! address other than a loopback/unspecified IP literal (so no browser ever resolves a host
//! name or sends a packet off this machine because of these tests). Mutations that change
//! characters are never applied to the address field of a candidate.

/// The seed used when `RTC_PEER_HOSTILE_SEED` is not set at compile time.
pub const DEFAULT_SEED: u64 = 0x5EED_2026_1125_0001;

/// The run's seed: `RTC_PEER_HOSTILE_SEED` (decimal or `0x` hex) at compile time, else
/// [`DEFAULT_SEED`].
pub fn seed() -> u64 {
    match option_env!("RTC_PEER_HOSTILE_SEED") {
        None => DEFAULT_SEED,
        Some(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
                None => text.replace('_', "").parse(),
            };
            parsed.unwrap_or_else(|_| panic!("RTC_PEER_HOSTILE_SEED={text:?} is not a number"))
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Characters a flipped byte becomes: printable ASCII is drawn separately; these are the odd
/// ones (controls, SDP syntax, replacement char, noncharacters, bidi, BOM, astral).
const ODD_CHARS: &[char] = &[
    '\0',
    '\r',
    '\n',
    '\t',
    ' ',
    '=',
    ':',
    '/',
    '\u{7f}',
    '\u{80}',
    '\u{a0}',
    'é',
    '\u{fffd}',
    '\u{fffe}',
    '\u{ffff}',
    '\u{feff}',
    '\u{202e}',
    '\u{200b}',
    '\u{d7ff}',
    '\u{e000}',
    '\u{10ffff}',
    '\u{1f4a9}',
];

/// Text that looks like escapes or broken encodings when it lands in SDP.
const ESCAPES: &[&str] = &[
    "\\x80",
    "\\xff\\xfe",
    "%C3%28",
    "%ED%A0%80",
    "\\uD800",
    "\\uDFFF\\uD800",
    "&#xD800;",
    "\u{c0}\u{80}",
    "\u{fffd}\u{fffd}",
    "\u{0}",
    "\u{1b}[31m",
    "\u{feff}",
    "\u{202e}cba",
    "\u{10ffff}",
    "\\0",
    "\\r\\n",
    "\u{85}",
    "\u{2028}",
];

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "65535",
    "65536",
    "2147483648",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999999",
    "1e9",
    "NaN",
    "0x10",
    "",
];

/// A hostile single character.
pub fn odd_char(rng: &mut Rng) -> char {
    if rng.percent(50) {
        char::from(rng.range(0x20, 0x7e) as u8)
    } else {
        *rng.pick(ODD_CHARS)
    }
}

/// A random string of `len` hostile characters.
pub fn garbage(rng: &mut Rng, len: usize) -> String {
    (0..len).map(|_| odd_char(rng)).collect()
}

/// A random string of `lo..=hi` hostile characters.
pub fn garbage_in(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let len = rng.range(lo, hi);
    garbage(rng, len)
}

fn lines(sdp: &str) -> Vec<String> {
    sdp.split("\r\n").map(str::to_owned).collect()
}

fn join(lines: &[String]) -> String {
    lines.join("\r\n")
}

fn char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A loopback-only candidate line, possibly with hostile fields (never a hostile address).
pub fn candidate_attribute(rng: &mut Rng) -> String {
    let candidate = hostile_candidate(rng).candidate;
    if candidate.starts_with("a=") {
        candidate
    } else {
        format!("a={candidate}")
    }
}

/// One SDP mutation; `label` names it for failure messages.
fn mutate_once(rng: &mut Rng, sdp: &str, label: &mut Vec<&'static str>) -> String {
    let mut ls = lines(sdp);
    let n = ls.len().max(1);
    match rng.below(15) {
        0 => {
            label.push("truncate");
            let cut = char_boundary(sdp, rng.below(sdp.len().max(1)));
            sdp[..cut].to_owned()
        }
        1 | 2 => {
            label.push("flip");
            let mut chars: Vec<char> = sdp.chars().collect();
            if chars.is_empty() {
                return sdp.to_owned();
            }
            for _ in 0..rng.range(1, 8) {
                let at = rng.below(chars.len());
                chars[at] = odd_char(rng);
            }
            chars.into_iter().collect()
        }
        3 => {
            label.push("drop-lines");
            for _ in 0..rng.range(1, 3) {
                if !ls.is_empty() {
                    let at = rng.below(ls.len());
                    ls.remove(at);
                }
            }
            join(&ls)
        }
        4 => {
            label.push("dup-lines");
            for _ in 0..rng.range(1, 3) {
                let from = rng.below(n.min(ls.len()).max(1));
                if let Some(line) = ls.get(from).cloned() {
                    let to = rng.below(ls.len() + 1);
                    ls.insert(to, line);
                }
            }
            join(&ls)
        }
        5 => {
            if rng.percent(50) {
                label.push("shuffle-all");
                for i in (1..ls.len()).rev() {
                    let j = rng.below(i + 1);
                    ls.swap(i, j);
                }
            } else {
                label.push("swap-two");
                if ls.len() > 1 {
                    let a = rng.below(ls.len());
                    let b = rng.below(ls.len());
                    ls.swap(a, b);
                }
            }
            join(&ls)
        }
        6 => {
            label.push("long-line");
            let long = match rng.below(4) {
                0 => format!("a=x-hostile:{}", "A".repeat(100_000)),
                1 => format!("a=ice-ufrag:{}", "u".repeat(100_000)),
                2 => format!(
                    "m=video 9 UDP/TLS/RTP/SAVPF {}",
                    "96 ".repeat(33_334).trim_end()
                ),
                _ => garbage(rng, 100_000).replace(['\r', '\n'], "_"),
            };
            let at = rng.below(ls.len() + 1);
            ls.insert(at, long);
            join(&ls)
        }
        7 => {
            label.push("escapes");
            let at = rng.below(ls.len());
            let escape = *rng.pick(ESCAPES);
            let line = &mut ls[at];
            let pos = char_boundary(line, rng.below(line.len() + 1));
            line.insert_str(pos, escape);
            join(&ls)
        }
        8 => {
            label.push("line-endings");
            let ending = *rng.pick(&["\n", "\r", "\n\r", "\r\r\n", "\r\n\r\n", "", " "]);
            ls.join(ending)
        }
        9 => {
            label.push("numbers");
            let at = rng.below(ls.len());
            let line = ls[at].clone();
            let number = *rng.pick(NUMBERS);
            let mut out = String::new();
            let mut replaced = false;
            let mut in_digits = false;
            for ch in line.chars() {
                if ch.is_ascii_digit() {
                    if !in_digits && !replaced && rng.percent(60) {
                        out.push_str(number);
                        replaced = true;
                        in_digits = true;
                        continue;
                    }
                    if in_digits && replaced {
                        continue;
                    }
                } else {
                    in_digits = false;
                }
                out.push(ch);
            }
            ls[at] = out;
            join(&ls)
        }
        10 => {
            label.push("attribute-value");
            let at = rng.below(ls.len());
            let line = ls[at].clone();
            ls[at] = match line.split_once(':') {
                Some((key, _)) => match rng.below(4) {
                    0 => format!("{key}:"),
                    1 => format!("{key}:{}", garbage_in(rng, 1, 40).replace(['\r', '\n'], "")),
                    2 => key.to_owned(),
                    _ => format!("{key}:{}", "9".repeat(rng.range(10, 400))),
                },
                None => match line.split_once('=') {
                    Some((key, _)) => {
                        format!("{key}={}", garbage(rng, 8).replace(['\r', '\n'], ""))
                    }
                    None => line,
                },
            };
            join(&ls)
        }
        11 => {
            label.push("media-section");
            // Corrupt the m= line or direction / setup / mid / bundle attributes.
            let replacements: &[(&str, &str)] = &[
                ("UDP/TLS/RTP/SAVPF", "RTP/AVP"),
                ("UDP/TLS/RTP/SAVPF", "FOO/BAR"),
                ("m=video", "m=text"),
                ("m=audio", "m=application"),
                ("a=sendrecv", "a=sendsend"),
                ("a=sendrecv", "a=inactive"),
                ("a=setup:actpass", "a=setup:holdconn"),
                ("a=setup:active", "a=setup:actpass"),
                ("a=mid:0", "a=mid:1"),
                ("a=mid:1", "a=mid:0"),
                ("a=group:BUNDLE 0 1", "a=group:BUNDLE 7"),
                ("a=fingerprint:sha-256", "a=fingerprint:md5"),
                ("a=rtcp-mux", "a=rtcp-mux-only"),
                ("v=0", "v=1"),
                ("IN IP4", "IN IP9"),
                ("a=rtpmap:", "a=rtpmap:200000 "),
            ];
            let (from, to) = *rng.pick(replacements);
            sdp.replacen(from, to, 1 + rng.below(2))
        }
        13 => {
            // Mostly harmless to a strict parser: unknown attributes inside media sections.
            label.push("unknown-attributes");
            for _ in 0..rng.range(1, 4) {
                let at = rng.range(1, ls.len().max(1));
                let value: String = (0..rng.range(0, 30))
                    .map(|_| char::from(rng.range(0x21, 0x7e) as u8))
                    .collect();
                ls.insert(
                    at.min(ls.len()),
                    format!("a=x-hostile-{}:{value}", rng.below(1000)),
                );
            }
            join(&ls)
        }
        14 => {
            // Optional lines removed: header extensions, feedback, codec parameters, ssrc.
            label.push("strip-optional");
            let prefix = *rng.pick(&["a=extmap:", "a=rtcp-fb:", "a=fmtp:", "a=ssrc", "a=msid"]);
            ls.retain(|l| !l.starts_with(prefix));
            join(&ls)
        }
        _ => {
            label.push("empty-ish");
            (*rng.pick(&[
                "",
                "\r\n",
                "v=0",
                "v=0\r\n",
                "   ",
                "\0",
                "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
            ]))
            .to_owned()
        }
    }
}

/// 1 to 3 mutations of `sdp`, sometimes followed by injected loopback candidate lines
/// (injected last, so no later mutation can turn their addresses into host names).
///
/// The mutations are drawn on the [`Canonical`] form of `sdp` (its per-connection random
/// values replaced by fixed ones) and the real values are put back afterwards wherever a
/// mutation left them whole: so a seed gives the same mutations, at the same places, in every
/// run of a browser, and the description still carries the connection's own ICE credentials,
/// fingerprint and ids.
pub fn mutate_sdp(rng: &mut Rng, sdp: &str) -> (String, String) {
    let canonical = Canonical::of(sdp);
    let mut label = Vec::new();
    let mut out = canonical.text.clone();
    let count = match rng.below(100) {
        0..=59 => 1,
        60..=84 => 2,
        _ => 3,
    };
    for _ in 0..count {
        out = mutate_once(rng, &out, &mut label);
    }
    if rng.percent(10) {
        label.push("candidate-lines");
        let mut ls = lines(&out);
        for _ in 0..rng.range(1, 3) {
            let at = rng.below(ls.len() + 1);
            ls.insert(at, candidate_attribute(rng));
        }
        out = join(&ls);
    }
    (canonical.restore(&out), label.join("+"))
}

/// An SDP with the values a browser draws at random for each connection (session id, ICE
/// username fragment and password, DTLS fingerprint, SSRCs, CNAMEs, stream and track ids)
/// replaced by fixed tokens of fixed length, in order of appearance.
pub struct Canonical {
    /// The SDP with fixed tokens.
    pub text: String,
    /// (fixed token, real value), longest token first.
    pairs: Vec<(String, String)>,
}

impl Canonical {
    /// The canonical form of `sdp`.
    pub fn of(sdp: &str) -> Canonical {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut token = |real: &str, kind: &str| -> String {
            if let Some((fixed, _)) = pairs.iter().find(|(_, r)| r == real) {
                return fixed.clone();
            }
            let i = pairs.len();
            let fixed = match kind {
                "number" => format!("{}", 3_000_000_000u64 + i as u64),
                "session" => format!("{}", 4_000_000_000_000_000_000u64 + i as u64),
                "fingerprint" => (0..32)
                    .map(|b| format!("{:02X}", (b * 7 + i * 13) % 256))
                    .collect::<Vec<_>>()
                    .join(":"),
                "password" => format!("HostilePasswordFixedTok{i:03}"),
                _ => format!("HostileTok{i:03}"),
            };
            pairs.push((fixed.clone(), real.to_owned()));
            fixed
        };
        let mut out = Vec::new();
        for line in sdp.split("\r\n") {
            let canonical = if let Some(rest) = line.strip_prefix("o=") {
                let mut fields: Vec<String> = rest.split(' ').map(str::to_owned).collect();
                if let Some(id) = fields.get_mut(1) {
                    *id = token(id, "session");
                }
                format!("o={}", fields.join(" "))
            } else if let Some(rest) = line.strip_prefix("m=") {
                // The port is the default candidate's once candidates are gathered.
                let mut fields: Vec<String> = rest.split(' ').map(str::to_owned).collect();
                if let Some(port) = fields.get_mut(1).filter(|p| p.as_str() != "9") {
                    *port = token(port, "number");
                }
                format!("m={}", fields.join(" "))
            } else if let Some(rest) = line.strip_prefix("a=candidate:") {
                // Foundation, port, related port and ufrag of a gathered candidate.
                let mut fields: Vec<String> = rest.split(' ').map(str::to_owned).collect();
                for at in 0..fields.len() {
                    let replace = at == 0
                        || at == 5
                        || matches!(
                            fields.get(at.wrapping_sub(1)).map(String::as_str),
                            Some("rport" | "ufrag")
                        );
                    if replace {
                        let kind = if fields[at].bytes().all(|b| b.is_ascii_digit()) {
                            "number"
                        } else {
                            "ufrag"
                        };
                        fields[at] = token(&fields[at].clone(), kind);
                    }
                }
                format!("a=candidate:{}", fields.join(" "))
            } else if let Some(value) = line.strip_prefix("a=ice-ufrag:") {
                format!("a=ice-ufrag:{}", token(value, "ufrag"))
            } else if let Some(value) = line.strip_prefix("a=ice-pwd:") {
                format!("a=ice-pwd:{}", token(value, "password"))
            } else if let Some(rest) = line.strip_prefix("a=fingerprint:") {
                match rest.split_once(' ') {
                    Some((algorithm, hex)) => {
                        format!("a=fingerprint:{algorithm} {}", token(hex, "fingerprint"))
                    }
                    None => line.to_owned(),
                }
            } else if line.starts_with("a=msid")
                || line.starts_with("a=ssrc")
                || line.starts_with("a=ssrc-group")
            {
                // Every long id after the attribute name: stream / track ids, SSRCs, CNAMEs.
                let (name, rest) = line.split_once(':').unwrap_or((line, ""));
                let rest: Vec<String> = rest
                    .split(' ')
                    .map(|part| {
                        let (key, value) = match part.split_once(':') {
                            Some((k, v)) => (format!("{k}:"), v),
                            None => (String::new(), part),
                        };
                        let kind = if value.bytes().all(|b| b.is_ascii_digit()) {
                            "number"
                        } else {
                            "id"
                        };
                        if value.len() >= 5 {
                            format!("{key}{}", token(value, kind))
                        } else {
                            part.to_owned()
                        }
                    })
                    .collect();
                format!("{name}:{}", rest.join(" "))
            } else {
                line.to_owned()
            };
            out.push(canonical);
        }
        pairs.sort_by_key(|(fixed, _)| std::cmp::Reverse(fixed.len()));
        Canonical {
            text: out.join("\r\n"),
            pairs,
        }
    }

    /// `mutated` with every whole fixed token replaced by the real value it stands for.
    pub fn restore(&self, mutated: &str) -> String {
        self.pairs
            .iter()
            .fold(mutated.to_owned(), |text, (fixed, real)| {
                text.replace(fixed.as_str(), real)
            })
    }
}

/// Addresses a generated candidate may carry: loopback and unspecified IP literals only.
const SAFE_ADDRESSES: &[&str] = &["127.0.0.1", "::1", "0.0.0.0", "::"];

/// One hostile `addIceCandidate` input.
#[derive(Clone, Debug)]
pub struct CandidateCase {
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_m_line_index: Option<u16>,
    pub label: &'static str,
}

fn field(rng: &mut Rng, normal: &str, hostile: &[&str]) -> String {
    if rng.percent(65) {
        normal.to_owned()
    } else if rng.percent(80) {
        (*rng.pick(hostile)).to_owned()
    } else {
        garbage_in(rng, 1, 12).replace([' ', '\r', '\n'], "")
    }
}

/// A candidate string whose every field but the address may be hostile.
fn structured_candidate(rng: &mut Rng) -> String {
    let foundation = field(rng, "1", &["", "0", "x", "ab/cd", &"f".repeat(300)]);
    let component = field(rng, "1", &["0", "2", "3", "256", "65536", "-1", "x"]);
    let transport = field(rng, "udp", &["tcp", "UDP", "sctp", "", "tls", "ssltcp"]);
    let priority = field(rng, "2122260223", &["0", "-1", "4294967296", "abc", "1.5"]);
    let address = *rng.pick(SAFE_ADDRESSES);
    let port = field(rng, "9", &["0", "65535", "65536", "-1", "x", "99999999999"]);
    let typ = field(rng, "typ", &["type", "TYP", ""]);
    let kind = field(rng, "host", &["srflx", "prflx", "relay", "bogus", ""]);
    let mut out = format!(
        "candidate:{foundation} {component} {transport} {priority} {address} {port} {typ} {kind}"
    );
    for _ in 0..rng.below(4) {
        let extra = *rng.pick(&[
            " raddr 0.0.0.0 rport 0",
            " raddr 127.0.0.1",
            " rport",
            " generation 0",
            " generation -5",
            " ufrag ",
            " network-id 1 network-cost 999999",
            " tcptype active",
            " tcptype bogus",
            " x-key",
            " \u{0}",
        ]);
        out.push_str(extra);
    }
    if rng.percent(10) {
        out = format!("a={out}");
    }
    match rng.below(12) {
        0 => out.replace(' ', "\t"),
        1 => out.replace(' ', "  "),
        2 => format!("{out}\r\n"),
        3 => format!("{out}\r\na=candidate:2 1 udp 1 127.0.0.1 9 typ host"),
        4 => {
            let cut = char_boundary(&out, rng.below(out.len()));
            out[..cut].to_owned()
        }
        _ => out,
    }
}

/// One hostile candidate case: garbage, structured-but-wrong, oversize, or a well-formed
/// loopback candidate with a wrong `sdpMid` / `sdpMLineIndex`.
pub fn hostile_candidate(rng: &mut Rng) -> CandidateCase {
    const GOOD: &str = "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host";
    let (candidate, label) = match rng.below(10) {
        0 | 1 => {
            let g = garbage_in(rng, 0, 200);
            // Never "candidate:"-prefixed by chance: garbage cannot parse as a candidate.
            (format!("#{g}"), "garbage")
        }
        2..=5 => (structured_candidate(rng), "structured"),
        6 => {
            let big = match rng.below(3) {
                0 => format!(
                    "candidate:{} 1 udp 1 127.0.0.1 9 typ host",
                    "f".repeat(100_000)
                ),
                1 => format!("{GOOD} x-big {}", "v".repeat(100_000)),
                _ => format!("#{}", "z".repeat(100_000)),
            };
            (big, "oversize")
        }
        _ => (GOOD.to_owned(), "good-candidate"),
    };
    let (sdp_mid, sdp_m_line_index) = match rng.below(8) {
        0 => (Some("0".to_owned()), None),
        1 => (None, Some(0)),
        2 => (
            Some(rng.pick(&["7", "", "-1", "00", " 0", "audio"]).to_string()),
            None,
        ),
        3 => (None, Some(*rng.pick(&[1u16, 2, 7, 255, 256, 65535]))),
        4 => (Some("9".repeat(rng.range(100, 5_000))), None),
        5 => (Some(garbage_in(rng, 1, 20)), Some(rng.below(4) as u16)),
        6 => (Some("0".to_owned()), Some(*rng.pick(&[0u16, 1, 65535]))),
        _ => (None, None),
    };
    CandidateCase {
        candidate,
        sdp_mid,
        sdp_m_line_index,
        label,
    }
}

use std::collections::BTreeMap;
use std::future::Future;

use rtc_peer::Error;
use wasm_bindgen::prelude::*;

/// The longest any single browser call may take before a hostile run fails.
pub const CALL_LIMIT_MS: u32 = 10_000;

/// What each category of cases gives in one browser: every outcome (`"Ok"` or an error name)
/// the category may give, with how many cases of [`DEFAULT_SEED`] give it (a run with another
/// seed checks only that each outcome is allowed for its category).
pub type Expected = &'static [(&'static str, &'static [(&'static str, usize)])];

/// The table of the browser running the suite: `chromium`'s in Chromium, `firefox`'s otherwise.
pub fn pinned(chromium: Expected, firefox: Expected) -> Expected {
    if crate::browser() == "chromium" {
        chromium
    } else {
        firefox
    }
}

/// Tallies the outcomes per category and checks each one against what is pinned for the
/// browser running the suite.
pub struct Tally {
    pub seed: u64,
    pub cases: usize,
    /// Category, then outcome (`"Ok"` or the error name), then how many cases gave it.
    pub outcomes: BTreeMap<String, BTreeMap<String, usize>>,
    pub fresh_connections: usize,
    /// Connections a failed call left unable to apply even a valid description.
    pub left_unusable: usize,
    expected: Expected,
}

impl Tally {
    /// A tally checked against `expected`, the table of the browser running the suite.
    pub fn new(seed: u64, expected: Expected) -> Tally {
        Tally {
            seed,
            cases: 0,
            outcomes: BTreeMap::new(),
            fresh_connections: 0,
            left_unusable: 0,
            expected,
        }
    }

    /// Whether this run uses [`DEFAULT_SEED`] (whose exact counts are pinned).
    pub fn default_seed(&self) -> bool {
        self.seed == DEFAULT_SEED
    }

    fn count(&self, outcome: Option<&str>) -> usize {
        self.outcomes
            .values()
            .flat_map(|names| names.iter())
            .filter(|(name, _)| outcome.is_none_or(|o| o == name.as_str()))
            .map(|(_, n)| n)
            .sum()
    }

    /// The outcome table as Rust source, in the shape of [`Expected`] (for pinning).
    pub fn table(&self) -> String {
        let rows: Vec<String> = self
            .outcomes
            .iter()
            .map(|(category, names)| {
                let names: Vec<String> = names
                    .iter()
                    .map(|(n, c)| format!("(\"{n}\", {c})"))
                    .collect();
                format!("(\"{category}\", &[{}])", names.join(", "))
            })
            .collect();
        format!("&[{}]", rows.join(", "))
    }

    /// The summary line the xtask echoes: browser, seed, cases, outcomes per category.
    pub fn note(&self, suite: &str, seconds: f64) -> String {
        let ok = self.count(Some("Ok"));
        format!(
            "NOTE: {suite} [{}] seed={:#x} cases={} ok={} err={} fresh-connections={} left-unusable-by-an-error={} time={:.1}s outcomes: {}",
            crate::browser(),
            self.seed,
            self.cases,
            ok,
            self.cases - ok,
            self.fresh_connections,
            self.left_unusable,
            seconds,
            self.table()
        )
    }

    /// Records one outcome of `category`; panics when the browser's table does not allow it.
    pub fn record(&mut self, case: usize, category: &str, what: &str, result: Result<(), Error>) {
        self.cases += 1;
        if option_env!("RTC_PEER_HOSTILE_VERBOSE").is_some() {
            let shown = match &result {
                Ok(()) => "Ok".to_owned(),
                Err(e) => e.to_string().chars().take(300).collect(),
            };
            wasm_bindgen_test::console_log!("case {case} {category} {what}: {shown}");
        }
        let outcome = match &result {
            Ok(()) => "Ok",
            Err(e) => {
                assert!(
                    !e.message().is_empty(),
                    "seed {:#x} case {case} ({category} {what}): an error without a message: {e:?}",
                    self.seed
                );
                e.name()
            }
        };
        if option_env!("RTC_PEER_HOSTILE_LEARN").is_none() {
            let allowed = self
                .expected
                .iter()
                .find(|(c, _)| *c == category)
                .map(|(_, names)| *names)
                .unwrap_or_default();
            assert!(
                allowed.iter().any(|(name, _)| *name == outcome),
                "seed {:#x} case {case} ({category} {what}) [{}]: {} is not an outcome of \
                 this category (allowed: {:?}); result: {result:?}",
                self.seed,
                crate::browser(),
                outcome,
                allowed.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            );
        }
        *self
            .outcomes
            .entry(category.to_owned())
            .or_default()
            .entry(outcome.to_owned())
            .or_default() += 1;
    }

    /// Runs `call` (bounded by [`CALL_LIMIT_MS`]) and records its outcome; true when `Ok`.
    pub async fn call<T>(
        &mut self,
        case: usize,
        category: &str,
        what: &str,
        call: impl Future<Output = Result<T, Error>>,
    ) -> bool {
        let limit = format!("seed {:#x} case {case} ({category} {what})", self.seed);
        let result = rtc_peer::testing::within(CALL_LIMIT_MS, &limit, call)
            .await
            .unwrap_or_else(|failure| panic!("{failure}"))
            .map(|_| ());
        let ok = result.is_ok();
        self.record(case, category, what, result);
        ok
    }

    /// With [`DEFAULT_SEED`], the outcome counts per category equal the pinned table exactly
    /// (a browser change, or a library change in what reaches the browser, shows up here).
    pub fn assert_pinned(&self, suite: &str) {
        if !self.default_seed() {
            return;
        }
        let expected: BTreeMap<String, BTreeMap<String, usize>> = self
            .expected
            .iter()
            .map(|(category, names)| {
                let names = names.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect();
                ((*category).to_owned(), names)
            })
            .collect();
        assert_eq!(
            self.outcomes,
            expected,
            "{suite} [{}]: the outcomes of the default seed differ from the pinned table; \
             measured: {}",
            crate::browser(),
            self.table()
        );
    }
}

#[wasm_bindgen(inline_js = r#"
const makers = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["number", () => 42],
  ["string", () => "offer"],
  ["empty object", () => ({})],
  ["type null", (sdp) => ({ type: null, sdp })],
  ["type OFFER", (sdp) => ({ type: "OFFER", sdp })],
  ["no sdp", () => ({ type: "offer" })],
  ["sdp number", () => ({ type: "offer", sdp: 42 })],
  ["lone high surrogate in v=", (sdp) => ({ type: "offer", sdp: sdp.replace("v=0", "v=0\uD800") })],
  ["reversed surrogates line", (sdp) => ({ type: "offer", sdp: sdp + "a=x:\uDFFF\uD800\r\n" })],
  ["surrogate in type", (sdp) => ({ type: "\uD800offer", sdp })],
  ["throwing type getter", (sdp) => ({ get type() { throw new Error("boom"); }, sdp })],
  ["throwing proxy", () => new Proxy({}, { get() { throw new TypeError("trap"); } })],
  ["symbol type", (sdp) => ({ type: Symbol("offer"), sdp })],
  ["sdp object with toString", (sdp) => ({ type: "offer", sdp: { toString() { return sdp; } } })],
  ["null prototype", (sdp) => Object.assign(Object.create(null), { type: "offer", sdp })],
  ["RTCSessionDescription", (sdp) => new RTCSessionDescription({ type: "offer", sdp })],
  ["rollback with surrogate sdp", () => ({ type: "rollback", sdp: "\uD800" })],
  ["surrogate before every CRLF", (sdp) => ({ type: "offer", sdp: sdp.split("\r\n").join("\uDBFF\r\n") })],
  ["array", (sdp) => ["offer", sdp]],
  ["function", () => function () {}],
  ["bigint sdp", () => ({ type: "offer", sdp: 10n })],
  ["frozen", (sdp) => Object.freeze({ type: "answer", sdp })],
  ["type array", (sdp) => ({ type: ["offer"], sdp })],
  ["NUL inside", (sdp) => ({ type: "offer", sdp: sdp.replace("s=-", "s=\u0000-") })],
];
export function exotic_count() { return makers.length; }
export function exotic_label(i) { return makers[i][0]; }
export function exotic_value(i, sdp) { return makers[i][1](sdp); }

const thrown = [
  ["DOMException", () => new DOMException("m", "OperationError")],
  ["DOMException without message", () => new DOMException("", "InvalidStateError")],
  ["TypeError", () => new TypeError("t")],
  ["string", () => "just a string"],
  ["lone surrogate string", () => "\uD800"],
  ["number", () => 7],
  ["null", () => null],
  ["undefined", () => undefined],
  ["symbol", () => Symbol("s")],
  ["bigint", () => 12n],
  ["name not a string", () => ({ name: 42, message: "m" })],
  ["empty name", () => ({ name: "", message: "m" })],
  ["surrogate name", () => ({ name: "\uD800Error", message: "\uDFFF" })],
  ["throwing name getter", () => ({ get name() { throw new Error("no"); }, message: "m" })],
  ["throwing proxy", () => new Proxy({}, { get() { throw new Error("trap"); } })],
  ["revoked proxy", () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; }],
  ["huge message", () => new DOMException("x".repeat(1000000), "SyntaxError")],
  ["function", () => function named() {}],
  ["array", () => ["OperationError", "m"]],
  ["null prototype", () => Object.assign(Object.create(null), { name: "OperationError", message: "m" })],
];
const candidates = [
  ["lone surrogate candidate", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host\uD800", sdpMid: "0" })],
  ["lone surrogate sdpMid", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "\uDFFF" })],
  ["lone surrogate ufrag", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", usernameFragment: "\uD800" })],
  ["unknown ufrag", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", usernameFragment: "nobody" })],
  ["huge ufrag", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", usernameFragment: "u".repeat(100000) })],
  ["end of candidates, unknown ufrag", () => ({ candidate: "", sdpMid: "0", usernameFragment: "nobody" })],
  ["end of candidates, no mid", () => ({ candidate: "", sdpMLineIndex: 0 })],
  ["NUL everywhere", () => ({ candidate: "candidate:1\u0000 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0\u0000" })],
  ["index as float", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMLineIndex: 0.5 })],
  ["index negative", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMLineIndex: -1 })],
  ["index huge", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMLineIndex: 70000 })],
  ["mid number", () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: 0 })],
];
// An RTCIceCandidate built by JS from an odd init, or the constructor's exception.
export function exotic_candidate_count() { return candidates.length; }
export function exotic_candidate_label(i) { return candidates[i][0]; }
export function exotic_candidate(i) {
  try { return { ok: new RTCIceCandidate(candidates[i][1]()) }; }
  catch (e) { return { err: e }; }
}

export function thrown_count() { return thrown.length; }
export function thrown_label(i) { return thrown[i][0]; }
export function thrown_value(i) { return thrown[i][1](); }
"#)]
extern "C" {
    /// How many exotic "session description" values there are.
    pub fn exotic_count() -> u32;
    /// The name of exotic value `index`.
    pub fn exotic_label(index: u32) -> String;
    /// Exotic value `index`, built from a real `sdp` where it needs one (lone surrogates,
    /// throwing getters and proxies, symbols, bigints...).
    pub fn exotic_value(index: u32, sdp: &str) -> JsValue;
    /// How many odd JS-built candidates there are.
    pub fn exotic_candidate_count() -> u32;
    /// The name of odd candidate `index`.
    pub fn exotic_candidate_label(index: u32) -> String;
    /// `{ok: RTCIceCandidate}` or `{err: exception}` for odd candidate `index`.
    pub fn exotic_candidate(index: u32) -> JsValue;
    /// How many odd "thrown" values there are.
    pub fn thrown_count() -> u32;
    /// The name of thrown value `index`.
    pub fn thrown_label(index: u32) -> String;
    /// Odd value `index`, as JS code might throw or reject with it.
    pub fn thrown_value(index: u32) -> JsValue;
}
