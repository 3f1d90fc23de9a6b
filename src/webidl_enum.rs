//! [`webidl_enum!`]: one definition for the WebIDL string enums (`"video"`, `"have-local-offer"`,
//! …) that this crate maps to Rust enums, so `as_str` and `parse` can never disagree.

/// Defines a Rust enum whose variants stand for WebIDL enum strings, with `as_str` (the string)
/// and `parse` (the string back, `None` for anything else).
///
/// ```text
/// webidl_enum! {
///     /// Docs of the enum.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
///     pub enum MediaKind {
///         /// An audio track.
///         Audio = "audio",
///         /// A video track.
///         Video = "video",
///     }
/// }
/// ```
macro_rules! webidl_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// The WebIDL string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// Reads the WebIDL string; `None` for a value this crate does not know.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use webidl_enum;
