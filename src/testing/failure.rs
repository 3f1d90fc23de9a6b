//! The error of every kit helper: a message saying what did not happen.

use std::fmt;

/// Why a kit check failed, as a message (`no remote frame within 5000 ms (videoWidth 0)`).
///
/// `Debug` prints the bare message, so `expect` and a test returning
/// `Result<(), TestFailure>` both show it as it is. Library errors convert with `?`.
///
/// # Examples
///
/// ```
/// use rtc_peer::testing::TestFailure;
///
/// let failure = TestFailure::new("no remote frame").context("caller");
/// assert_eq!(failure.message(), "caller: no remote frame");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TestFailure {
    message: String,
}

impl TestFailure {
    /// A failure with `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = rtc_peer::testing::TestFailure::new("the remote track never ended");
    /// assert_eq!(failure.to_string(), "the remote track never ended");
    /// ```
    pub fn new(message: impl Into<String>) -> TestFailure {
        TestFailure {
            message: message.into(),
        }
    }

    /// The same failure with `what: ` in front of its message.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = rtc_peer::testing::TestFailure::new("timed out").context("second call");
    /// assert_eq!(failure.message(), "second call: timed out");
    /// ```
    #[must_use]
    pub fn context(self, what: &str) -> TestFailure {
        TestFailure {
            message: format!("{what}: {}", self.message),
        }
    }

    /// The message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(rtc_peer::testing::TestFailure::new("x").message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for TestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TestFailure {}

impl From<crate::Error> for TestFailure {
    fn from(error: crate::Error) -> TestFailure {
        TestFailure::new(error.to_string())
    }
}

impl From<TestFailure> for wasm_bindgen::JsValue {
    fn from(failure: TestFailure) -> wasm_bindgen::JsValue {
        js_sys::Error::new(&failure.message).into()
    }
}
