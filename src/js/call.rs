//! The demo call object for JavaScript (see the module docs of `js`).
