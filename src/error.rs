//! [`Error`]: every failure the browser reports, typed by its DOMException name.

use core::fmt;

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

/// An error raised by the browser (or by this crate) while driving a peer connection.
///
/// Each variant is one `DOMException` name that `RTCPeerConnection` and friends raise; the
/// browser's own message is kept verbatim. Names this crate does not know are kept in
/// [`Error::Other`], so nothing the browser says is lost.
///
/// # Examples
///
/// ```
/// use rtc_peer::Error;
///
/// let err = Error::InvalidState {
///     message: "The RTCPeerConnection's signalingState is 'closed'.".into(),
/// };
/// assert_eq!(err.name(), "InvalidStateError");
/// assert_eq!(
///     err.to_string(),
///     "InvalidStateError: The RTCPeerConnection's signalingState is 'closed'."
/// );
/// ```
///
/// See [MDN: DOMException](https://developer.mozilla.org/en-US/docs/Web/API/DOMException).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `InvalidStateError`: the object is in the wrong state for the call (for example closed).
    InvalidState {
        /// The browser's message.
        message: String,
    },
    /// `InvalidAccessError`: the call is not allowed on this object (for example an answer
    /// whose m-lines do not match the offer).
    InvalidAccess {
        /// The browser's message.
        message: String,
    },
    /// `SyntaxError`: text that does not parse (an ICE server URL, a candidate).
    Syntax {
        /// The browser's message.
        message: String,
    },
    /// `OperationError`: the operation failed for a browser-specific reason (often malformed
    /// SDP).
    Operation {
        /// The browser's message.
        message: String,
    },
    /// `TypeError`: an argument of the wrong type or shape.
    Type {
        /// The browser's message.
        message: String,
    },
    /// `NotSupportedError`: the browser does not support what was asked (an ICE server scheme,
    /// a codec).
    NotSupported {
        /// The browser's message.
        message: String,
    },
    /// `InvalidModificationError`: an SDP or configuration change that may not be made.
    InvalidModification {
        /// The browser's message.
        message: String,
    },
    /// `InvalidCharacterError`: text with characters that are not allowed.
    InvalidCharacter {
        /// The browser's message.
        message: String,
    },
    /// `NotFoundError`: the object is not part of this connection (for example a foreign
    /// sender).
    NotFound {
        /// The browser's message.
        message: String,
    },
    /// `NotAllowedError`: the user or the browser refused (for example autoplay with sound).
    NotAllowed {
        /// The browser's message.
        message: String,
    },
    /// `RangeError`: a number out of range.
    Range {
        /// The browser's message.
        message: String,
    },
    /// Any other error name, kept as the browser gave it.
    Other {
        /// The error's `name` (for example `"AbortError"`).
        name: String,
        /// The browser's message.
        message: String,
    },
}

impl Error {
    /// Builds an error from an error name and a message, choosing the variant by name.
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::Error;
    ///
    /// let err = Error::from_name("OperationError", "Failed to parse SessionDescription.");
    /// assert!(matches!(err, Error::Operation { .. }));
    /// assert_eq!(Error::from_name("AbortError", "stop").name(), "AbortError");
    /// ```
    pub fn from_name(name: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        match name {
            "InvalidStateError" => Error::InvalidState { message },
            "InvalidAccessError" => Error::InvalidAccess { message },
            "SyntaxError" => Error::Syntax { message },
            "OperationError" => Error::Operation { message },
            "TypeError" => Error::Type { message },
            "NotSupportedError" => Error::NotSupported { message },
            "InvalidModificationError" => Error::InvalidModification { message },
            "InvalidCharacterError" => Error::InvalidCharacter { message },
            "NotFoundError" => Error::NotFound { message },
            "NotAllowedError" => Error::NotAllowed { message },
            "RangeError" => Error::Range { message },
            other => Error::Other {
                name: other.to_owned(),
                message,
            },
        }
    }

    /// The error's name as the browser spells it, for example `"InvalidStateError"`.
    pub fn name(&self) -> &str {
        match self {
            Error::InvalidState { .. } => "InvalidStateError",
            Error::InvalidAccess { .. } => "InvalidAccessError",
            Error::Syntax { .. } => "SyntaxError",
            Error::Operation { .. } => "OperationError",
            Error::Type { .. } => "TypeError",
            Error::NotSupported { .. } => "NotSupportedError",
            Error::InvalidModification { .. } => "InvalidModificationError",
            Error::InvalidCharacter { .. } => "InvalidCharacterError",
            Error::NotFound { .. } => "NotFoundError",
            Error::NotAllowed { .. } => "NotAllowedError",
            Error::Range { .. } => "RangeError",
            Error::Other { name, .. } => name,
        }
    }

    /// The browser's message, verbatim.
    pub fn message(&self) -> &str {
        match self {
            Error::InvalidState { message }
            | Error::InvalidAccess { message }
            | Error::Syntax { message }
            | Error::Operation { message }
            | Error::Type { message }
            | Error::NotSupported { message }
            | Error::InvalidModification { message }
            | Error::InvalidCharacter { message }
            | Error::NotFound { message }
            | Error::NotAllowed { message }
            | Error::Range { message }
            | Error::Other { message, .. } => message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        f.write_str(": ")?;
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// Reads `name` and `message` from whatever the browser threw or rejected with.
///
/// `DOMException`s and JS `Error`s keep their name and message; a thrown string becomes
/// `Error::Other { name: "Error", .. }` with the string as message; anything else is described
/// by its JS type (and value, for numbers and booleans). Never runs JS code of the thrown value
/// (no `toString`), so a hostile value (a proxy whose traps throw) cannot throw through wasm.
impl From<JsValue> for Error {
    fn from(value: JsValue) -> Self {
        if let Some(text) = value.as_string() {
            return Error::Other {
                name: "Error".to_owned(),
                message: text,
            };
        }
        if value.is_object() {
            let name = string_property(&value, "name");
            let message = string_property(&value, "message");
            // An empty `name` (possible from JS code, never from a DOMException) would make an
            // error that names nothing: fall through to the generic description instead.
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                return Error::from_name(&name, message.unwrap_or_default());
            }
        }
        Error::Other {
            name: "Error".to_owned(),
            message: describe(&value),
        }
    }
}

/// A description of a thrown non-`Error` value that calls none of its methods.
fn describe(value: &JsValue) -> String {
    let mut text = String::from("A non-Error value was thrown: ");
    if let Some(number) = value.as_f64() {
        // Formatted by JavaScript: Rust's float formatting would add kilobytes to every build.
        if let Ok(digits) = js_sys::Number::from(number).to_string_with_radix(10) {
            text.push_str(&String::from(digits));
        }
    } else if let Some(flag) = value.as_bool() {
        text.push_str(if flag { "true" } else { "false" });
    } else if value.is_null() {
        text.push_str("null");
    } else {
        text.push_str("a value of type ");
        text.push_str(&value.js_typeof().as_string().unwrap_or_default());
    }
    text
}

/// Becomes a JS `Error` whose `name` is [`Error::name`] and whose `message` is the browser's.
impl From<Error> for JsValue {
    fn from(err: Error) -> Self {
        let js = js_sys::Error::new(err.message());
        js.set_name(err.name());
        js.unchecked_into()
    }
}

fn string_property(value: &JsValue, key: &str) -> Option<String> {
    Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}
