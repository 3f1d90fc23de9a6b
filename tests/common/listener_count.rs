//! Test instrumentation (not a mock): counts the event listeners registered on
//! `RTCPeerConnection` instances, and records console errors and uncaught exceptions.
//!
//! [`install`] wraps `EventTarget.prototype.addEventListener` / `removeEventListener` once per
//! page: the wrappers call the browser's own methods and keep a registry of live
//! registrations whose target is an `RTCPeerConnection` (same type + callback + capture as the
//! DOM's own de-duplication). It also wraps `console.error` and listens for `error` and
//! `unhandledrejection` on the window, so a "closure invoked recursively or after being
//! dropped" thrown from an event dispatch is seen even though nothing catches it.
#![allow(dead_code)]

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const registry = [];
const errors = [];
const totals = { added: 0, removed: 0 };
let installed = false;

function captureOf(options) {
  if (typeof options === "boolean") return options;
  return !!(options && options.capture);
}

export function install() {
  if (installed) return;
  installed = true;
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  proto.addEventListener = function (type, callback, options) {
    if (this instanceof RTCPeerConnection && callback != null) {
      const entry = { target: this, type: String(type), callback, capture: captureOf(options) };
      const present = registry.some(e => e.target === entry.target && e.type === entry.type
        && e.callback === entry.callback && e.capture === entry.capture);
      if (!present) {
        registry.push(entry);
        totals.added += 1;
      }
    }
    return add.apply(this, arguments);
  };
  proto.removeEventListener = function (type, callback, options) {
    if (this instanceof RTCPeerConnection) {
      const capture = captureOf(options);
      const i = registry.findIndex(e => e.target === this && e.type === String(type)
        && e.callback === callback && e.capture === capture);
      if (i >= 0) {
        registry.splice(i, 1);
        totals.removed += 1;
      }
    }
    return remove.apply(this, arguments);
  };
  const consoleError = console.error;
  console.error = function (...args) {
    errors.push("console.error: " + args.map(a => {
      try { return (a && a.stack) ? String(a.stack) : String(a); } catch (_) { return "?"; }
    }).join(" "));
    return consoleError.apply(this, args);
  };
  window.addEventListener("error", (e) => {
    errors.push("uncaught: " + (e.message || String(e.error)));
  });
  window.addEventListener("unhandledrejection", (e) => {
    let reason;
    try { reason = String(e.reason && e.reason.stack ? e.reason.stack : e.reason); } catch (_) { reason = "?"; }
    errors.push("unhandled rejection: " + reason);
  });
}

export function live_on(target) {
  return registry.filter(e => e.target === target).length;
}

export function live_types_on(target) {
  return registry.filter(e => e.target === target).map(e => e.type).join(",");
}

export function live_total() { return registry.length; }
export function added_total() { return totals.added; }
export function removed_total() { return totals.removed; }

export function take_errors() {
  return errors.splice(0, errors.length).join("\n");
}
"#)]
extern "C" {
    /// Installs the wrappers (idempotent). Call before creating the listeners to count.
    pub fn install();
    /// Live listener registrations on `target` (an `RTCPeerConnection`).
    pub fn live_on(target: &JsValue) -> u32;
    /// Their event types, comma-separated (for failure messages).
    pub fn live_types_on(target: &JsValue) -> String;
    /// Live registrations on every `RTCPeerConnection` of the page.
    pub fn live_total() -> u32;
    /// Registrations ever added on connections since [`install`].
    pub fn added_total() -> u32;
    /// Registrations ever removed from connections since [`install`].
    pub fn removed_total() -> u32;
    /// Console errors and uncaught exceptions recorded since the last call, one per line.
    pub fn take_errors() -> String;
}

/// Panics unless no listener is left on `target`, naming `what` and the leftover types.
pub fn assert_none_on(target: &JsValue, what: &str) {
    let live = live_on(target);
    assert_eq!(
        live,
        0,
        "{what}: {live} listener(s) still registered: {}",
        live_types_on(target)
    );
}

/// Panics if anything was logged with `console.error` or thrown uncaught since the last call.
pub fn assert_no_errors(what: &str) {
    let errors = take_errors();
    assert!(
        errors.is_empty(),
        "{what}: console errors / uncaught exceptions:\n{errors}"
    );
    assert!(
        !errors.contains("closure invoked recursively or after being dropped"),
        "{what}: use-after-drop"
    );
}
