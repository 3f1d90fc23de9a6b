//! [`join`]: error messages put together from pieces, without `concat` or `format!`.

/// The pieces one after the other, in one allocation.
///
/// `[..].concat()` copies through `copy_from_slice`, whose length check links a formatted
/// panic message (and with it the `usize` formatting code); `push_str` has no such check.
pub(crate) fn join(pieces: &[&str]) -> String {
    let mut text = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        text.push_str(piece);
    }
    text
}
