//! Canonical JSON: the exact bytes that hashes are computed over.
//!
//! Object keys sorted by their UTF-8 bytes, no insignificant white space,
//! serde_json's number and string encoding. Written out by hand rather than
//! trusting `serde_json::Value`'s map order, which a dependency can change by
//! enabling `preserve_order`.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical bytes of a JSON value.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out);
    out
}

/// Lowercase hex SHA-256 of a JSON value's canonical bytes.
pub fn sha256_hex(value: &Value) -> String {
    hex::encode(Sha256::digest(to_bytes(value)))
}

fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(k.clone()), out);
                out.push(b':');
                write(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(v, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // Serialising a scalar into a Vec cannot fail: no I/O, no maps with non-string keys.
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let v = json!({"b": 1, "a": {"z": [3, {"y": true, "x": null}], "c": "ខ្មែរ"}});
        assert_eq!(
            String::from_utf8(to_bytes(&v)).unwrap(),
            r#"{"a":{"c":"ខ្មែរ","z":[3,{"x":null,"y":true}]},"b":1}"#
        );
    }

    #[test]
    fn hash_is_stable() {
        let a = json!({"x": 1, "y": [1, 2]});
        let b: Value = serde_json::from_str(r#"{ "y": [1,2], "x": 1 }"#).unwrap();
        assert_eq!(sha256_hex(&a), sha256_hex(&b));
    }
}
