//! Track subscriptions for JavaScript (see the module docs of `js`).
