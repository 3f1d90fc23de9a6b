//! Reading one field of a stats entry, whatever the entry is: a missing field, a field of
//! another type, a number out of range or a getter that throws all give `None`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// A string field.
pub(crate) fn text(entry: &JsValue, key: &str) -> Option<String> {
    get(entry, key)?.as_string()
}

/// A boolean field.
pub(crate) fn flag(entry: &JsValue, key: &str) -> Option<bool> {
    get(entry, key)?.as_bool()
}

/// A finite number.
pub(crate) fn number(entry: &JsValue, key: &str) -> Option<f64> {
    get(entry, key)?.as_f64().filter(|n| n.is_finite())
}

/// A whole, non-negative number (a counter), within `u64`.
pub(crate) fn counter(entry: &JsValue, key: &str) -> Option<u64> {
    let n = number(entry, key)?;
    // 2^64 as f64; every whole f64 in [0, 2^64) converts exactly.
    ((0.0..18_446_744_073_709_551_616.0).contains(&n) && n.fract() == 0.0).then_some(n as u64)
}

/// A whole number that may be negative (`packetsLost` is, after duplicates), within `i64`.
pub(crate) fn signed(entry: &JsValue, key: &str) -> Option<i64> {
    let n = number(entry, key)?;
    ((-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) && n.fract() == 0.0)
        .then_some(n as i64)
}

/// A whole, non-negative number within `u32` (frame sizes, frame counts, SSRCs).
pub(crate) fn small(entry: &JsValue, key: &str) -> Option<u32> {
    u32::try_from(counter(entry, key)?).ok()
}

fn get(entry: &JsValue, key: &str) -> Option<JsValue> {
    if !entry.is_object() {
        return None;
    }
    Reflect::get(entry, &JsValue::from_str(key)).ok()
}
