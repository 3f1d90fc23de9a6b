//! The JS package's global allocator: talc, which is smaller in the package than Rust's
//! default wasm allocator (dlmalloc) and returns freed memory to its free lists the same way.
//!
//! Part of the `js` feature, so a Rust app built with `default-features = false` keeps its own
//! choice (the default allocator, or whichever it sets).

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
