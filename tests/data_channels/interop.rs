//! Interop with simple-peer: filled in below.
