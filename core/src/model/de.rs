//! Reading a record body out of a JSON value while keeping track of where
//! each value sits, so an error names `visit.counts[2].count` instead of a
//! bare "invalid type: string". A small deserializer over `serde_json::Value`
//! that attaches the path of the innermost failing value to the error.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};
use serde_json::Value;

use crate::error::ValidationError;

/// Deserializes `T` from `value`, naming `root` (e.g. `visit`) as the top of
/// every field path in an error.
pub(crate) fn from_value<T: DeserializeOwned>(
    root: &str,
    value: &Value,
) -> Result<T, ValidationError> {
    T::deserialize(ValueDe {
        value,
        path: root.to_string(),
    })
    .map_err(|e| e.into_validation(root))
}

/// A deserialization error with the path of the value it is about.
#[derive(Debug)]
pub(crate) struct PathError {
    path: Option<String>,
    message: String,
}

impl PathError {
    /// Names `path` as the place of the error unless a deeper place is already named.
    fn at(mut self, path: &str) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_string());
        }
        self
    }

    fn into_validation(self, root: &str) -> ValidationError {
        let path = self.path.unwrap_or_else(|| root.to_string());
        if let Some(name) = quoted_after(&self.message, "missing field `") {
            return ValidationError::new(format!("{path}.{name}"), "is required");
        }
        let mut rule = self
            .message
            .replace("invalid type: unit value", "invalid type: null");
        if CHRONO_MESSAGES.contains(&rule.as_str()) {
            rule.push_str(
                "; expected a date like 2026-03-14 or a UTC time like 2026-03-14T13:05:00Z",
            );
        }
        ValidationError::new(path, rule)
    }
}

/// chrono's date and time parse messages, which say nothing of the format expected.
const CHRONO_MESSAGES: &[&str] = &[
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is out of range",
    "no possible date and time matching input",
    "input is not enough for unique date and time",
];

/// The text between `prefix` and the next backquote, if `message` starts with `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

impl de::Error for PathError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PathError {
            path: None,
            message: msg.to_string(),
        }
    }
}

struct ValueDe<'de> {
    value: &'de Value,
    path: String,
}

impl<'de> de::Deserializer<'de> for ValueDe<'de> {
    type Error = PathError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        let path = self.path;
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(SeqDe {
                items: items.iter().enumerate(),
                path: &path,
            }),
            Value::Object(map) => visitor.visit_map(MapDe {
                entries: map.iter(),
                pending: None,
                path: &path,
            }),
        };
        result.map_err(|e| e.at(&path))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.value {
            Value::Null => visitor
                .visit_none::<PathError>()
                .map_err(|e| e.at(&self.path)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self.value {
            Value::String(s) => {
                let access = de::value::BorrowedStrDeserializer::<'de, PathError>::new(s);
                visitor.visit_enum(access).map_err(|e| e.at(&self.path))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathError> {
        let path = self.path.clone();
        visitor.visit_newtype_struct(self).map_err(|e| e.at(&path))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct SeqDe<'de, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
    path: &'p str,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'de, '_> {
    type Error = PathError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, PathError> {
        match self.items.next() {
            Some((i, value)) => seed
                .deserialize(ValueDe {
                    value,
                    path: format!("{}[{i}]", self.path),
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'de, 'p> {
    entries: serde_json::map::Iter<'de>,
    pending: Option<(&'de String, &'de Value)>,
    path: &'p str,
}

impl<'de> de::MapAccess<'de> for MapDe<'de, '_> {
    type Error = PathError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, PathError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.pending = Some((key, value));
                let de = de::value::BorrowedStrDeserializer::<'de, PathError>::new(key);
                seed.deserialize(de)
                    .map(Some)
                    .map_err(|e| e.at(&format!("{}.{key}", self.path)))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, PathError> {
        match self.pending.take() {
            Some((key, value)) => seed.deserialize(ValueDe {
                value,
                path: format!("{}.{key}", self.path),
            }),
            None => Err(de::Error::custom("a value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}
