//! §3 IDs: a child's and a setting's pseudonymous keys, checked once and
//! held inline (no allocation for the short IDs councils use).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Field, Found, ValidationError};

/// Longest ID allowed (§3).
pub const MAX_ID_LEN: usize = 64;

pub(crate) fn is_valid_id(s: &str) -> bool {
    is_valid_id_bytes(s.as_bytes())
}

#[inline]
pub(crate) fn is_valid_id_bytes(b: &[u8]) -> bool {
    (1..=MAX_ID_LEN).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// An ID's text stored inline: IDs are at most 64 ASCII bytes (§3), so
/// holding one never allocates (a cohort file has two per row).
#[derive(Clone, Copy)]
pub(crate) struct IdText {
    len: u8,
    bytes: [u8; MAX_ID_LEN],
}

impl IdText {
    /// `s` must already be a valid ID (checked by `is_valid_id`).
    #[inline]
    pub(crate) fn new(s: &str) -> IdText {
        let mut bytes = [0; MAX_ID_LEN];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        IdText {
            len: s.len() as u8,
            bytes,
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this never falls back.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl IdText {
    /// The ID's bytes: comparing and hashing these needs no UTF-8 check, and
    /// ASCII byte order is the text's order.
    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl PartialEq for IdText {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}
impl Eq for IdText {}
impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IdText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}
impl std::hash::Hash for IdText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state)
    }
}
impl fmt::Debug for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) IdText);

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $name {
            /// Checks `s` against the rules of §3: 1 to 64 characters from
            /// `A-Z a-z 0-9 . _ -`, the first a letter or digit.
            pub fn new(s: &str) -> Result<Self, ValidationError> {
                if is_valid_id(s) {
                    Ok($name(IdText::new(s)))
                } else {
                    Err(ValidationError::BadId { field: $field, found: Found::new(s) })
                }
            }
            /// The ID as text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A child's pseudonymous key (§3). Never a name.
    ChildId,
    Field::ChildId
);
id_type!(
    /// An educational setting's key (§3).
    SettingId,
    Field::SettingId
);
