//! The page suites: a real browser per case, driven over WebDriver, reading the page and the
//! browser's own state. The demo's suites (`e2e`, `rooms`, `abuse`) share `page` and take
//! the URL of the demo xtask serves for them; `js_tests` takes the JS package's folders.

pub mod abuse;
pub mod e2e;
pub mod js_tests;
mod page;
pub mod rooms;
