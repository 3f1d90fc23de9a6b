//! `set_panic_hook()` sends a Rust panic to `console.error`, with its message and location
//! (README's feature table: "`panic-hook`: `rtc_peer::set_panic_hook()`
//! (console_error_panic_hook)"; the function's doc: "with their message and location").
//!
//! A binary of its own, with one test: on wasm32 a panic aborts (a trap), and the trap leaves
//! the standard library's panic count set, so nothing may panic in the page afterwards (a
//! second panic aborts without any hook, and the panic hook can no longer be changed). The
//! panic is made inside a closure that JavaScript calls within `try`/`catch`, so the trap ends
//! only that call; the test then reads what the hook wrote and returns its verdict as a
//! `Result` instead of panicking.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use support::ConsoleCapture;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function call_and_catch(f) {
  try { f(); return "returned"; } catch (e) { return "threw " + String(e && e.name); }
}
"#)]
extern "C" {
    fn call_and_catch(f: &js_sys::Function) -> String;
}

const MARK: &str = "panic-hook claim: the marked panic";

#[wasm_bindgen_test]
fn set_panic_hook_writes_the_message_and_location_to_console_error() -> Result<(), JsValue> {
    // The harness's own hook also writes panics to the console: a silent one instead, so
    // that whatever reaches the console is written by the hook `set_panic_hook` installs.
    std::panic::set_hook(Box::new(|_| {}));
    rtc_peer::set_panic_hook();
    let console = ConsoleCapture::start();
    let panics = Closure::<dyn FnMut()>::new(|| panic!("{MARK}"));
    let outcome = call_and_catch(panics.as_ref().unchecked_ref());
    let written = console.lines().join("\n");
    drop(console);
    // The closure's call was cut short by the trap: it stays borrowed, never called again.
    std::mem::forget(panics);
    web_sys::console::log_1(&format!("the panic: {outcome}; console.error: {written}").into());
    let checks = [
        (outcome.starts_with("threw"), "the panic trapped"),
        (
            written.contains(MARK),
            "console.error has the panic's message",
        ),
        (
            written.contains("tests/panic_hook/main.rs:"),
            "console.error has the panic's location",
        ),
        (
            written.contains("Stack:"),
            "console.error has the stack console_error_panic_hook adds",
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        None => Ok(()),
        Some((_, what)) => Err(format!("{what}: {outcome}; console.error: {written:?}").into()),
    }
}
