//! The bundle's signed parts: `manifest.json`, `SHA256SUMS` and the trusted comment.
//! Pure functions over bytes, so the reader (and the fuzzer) can check them alone.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::BundleError;

/// The `format` field of every bundle manifest.
pub const FORMAT: &str = "fieldcase-bundle";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;
/// Entry names, in the order they appear in the tar.
pub const MANIFEST: &str = "manifest.json";
/// The coreutils-format list of SHA-256 hashes.
pub const SUMS: &str = "SHA256SUMS";
/// minisign's signature over [`SUMS`].
pub const SIGNATURE: &str = "SHA256SUMS.minisig";
/// One revision per line.
pub const RECORDS: &str = "records.jsonl";
/// Attachment bytes live at `attachments/<sha256>`.
pub const ATTACHMENTS_DIR: &str = "attachments/";

/// Largest manifest, SHA256SUMS and signature the reader accepts before it trusts anything.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// See [`MAX_MANIFEST_BYTES`].
pub const MAX_SUMS_BYTES: u64 = 16 << 20;
/// See [`MAX_MANIFEST_BYTES`].
pub const MAX_SIGNATURE_BYTES: u64 = 4 << 10;

/// What a bundle holds, written first in the tar and covered by SHA256SUMS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `fieldcase-bundle`.
    pub format: String,
    /// The format version (1).
    pub format_version: u64,
    /// This bundle's id (UUIDv7).
    pub bundle_id: Uuid,
    /// The device that wrote it.
    pub device_id: Uuid,
    /// The device's name.
    pub device_name: String,
    /// The device's minisign public key (base64), which signed SHA256SUMS.
    pub device_public_key: String,
    /// 1 for the device's first bundle, then one more for each.
    pub sequence: u64,
    /// SHA-256 of the SHA256SUMS file of this device's previous bundle (none for the first).
    pub previous_bundle_sha256: Option<String>,
    /// When the bundle was written (UTC).
    pub created_at: DateTime<Utc>,
    /// The store schema version of the device that wrote it.
    pub schema_version: i64,
    /// `incremental` (what no receipt acknowledged yet) or `all`.
    pub scope: String,
    /// How many of each thing the bundle holds.
    pub counts: Counts,
    /// The size of `records.jsonl` in bytes.
    pub records_bytes: u64,
    /// Every attachment entry, in tar order.
    pub attachments: Vec<AttachmentEntry>,
}

/// Counts in the manifest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Lines in `records.jsonl`.
    pub revisions: u64,
    /// Distinct records those revisions belong to.
    pub records: u64,
    /// Revisions that delete a record.
    pub tombstones: u64,
    /// Entries under `attachments/`.
    pub attachments: u64,
    /// Their total size in bytes.
    pub attachment_bytes: u64,
}

/// One attachment entry as the manifest declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentEntry {
    /// SHA-256 of the bytes (also the entry's name).
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: u64,
}

impl Manifest {
    /// Parses a manifest, refusing other formats and newer versions before the strict parse.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, BundleError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| BundleError::ManifestInvalid(format!("not JSON: {e}")))?;
        if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(BundleError::ManifestInvalid(format!(
                "its format is not {FORMAT:?}"
            )));
        }
        let version = value
            .get("format_version")
            .and_then(Value::as_u64)
            .ok_or_else(|| BundleError::ManifestInvalid("format_version is missing".into()))?;
        if version > FORMAT_VERSION {
            return Err(BundleError::NewerFormat {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| BundleError::ManifestInvalid(e.to_string()))?;
        if manifest.format_version != FORMAT_VERSION {
            return Err(BundleError::ManifestInvalid(format!(
                "format_version {} is not one this build reads",
                manifest.format_version
            )));
        }
        for a in &manifest.attachments {
            if !is_sha256_hex(&a.sha256) {
                return Err(BundleError::ManifestInvalid(format!(
                    "attachment hash {:?} is not 64 lower-case hex digits",
                    a.sha256
                )));
            }
        }
        if let Some(p) = &manifest.previous_bundle_sha256 {
            if !is_sha256_hex(p) {
                return Err(BundleError::ManifestInvalid(
                    "previous_bundle_sha256 is not 64 lower-case hex digits".into(),
                ));
            }
        }
        Ok(manifest)
    }

    /// The trusted comment the device signs: bundle id, device id, sequence.
    pub fn trusted_comment(&self) -> String {
        format!(
            "fieldcase-bundle v{} bundle_id={} device_id={} sequence={}",
            self.format_version, self.bundle_id, self.device_id, self.sequence
        )
    }

    /// Checks the signed trusted comment says what the manifest says.
    pub fn check_trusted_comment(&self, comment: &str) -> Result<(), BundleError> {
        let fields: BTreeMap<&str, &str> = comment
            .split_whitespace()
            .filter_map(|t| t.split_once('='))
            .collect();
        for (field, ours) in [
            ("bundle_id", self.bundle_id.to_string()),
            ("device_id", self.device_id.to_string()),
            ("sequence", self.sequence.to_string()),
        ] {
            let signed = fields.get(field).copied().unwrap_or("(missing)");
            if signed != ours {
                return Err(BundleError::CommentDisagrees {
                    field: field.into(),
                    signed: signed.into(),
                    manifest: ours,
                });
            }
        }
        Ok(())
    }
}

/// Whether `s` is 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `SHA256SUMS` in coreutils format: `<64 hex>  <name>` per line, in tar order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    /// (name, sha256) in file order.
    pub entries: Vec<(String, String)>,
}

impl Sums {
    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, sha) in &self.entries {
            out.push_str(sha);
            out.push_str("  ");
            out.push_str(name);
            out.push('\n');
        }
        out
    }

    /// Parses the file, refusing malformed lines and repeated names.
    pub fn parse(bytes: &[u8]) -> Result<Sums, BundleError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| BundleError::ManifestInvalid("SHA256SUMS is not UTF-8".into()))?;
        let mut entries: Vec<(String, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let bad =
                || BundleError::ManifestInvalid(format!("SHA256SUMS line {} is malformed", i + 1));
            let (sha, name) = line.split_at_checked(64).ok_or_else(bad)?;
            let name = name
                .strip_prefix("  ")
                .or_else(|| name.strip_prefix(" *"))
                .ok_or_else(bad)?;
            if !is_sha256_hex(sha) || name.is_empty() {
                return Err(bad());
            }
            if entries.iter().any(|(n, _)| n == name) {
                return Err(BundleError::ManifestInvalid(format!(
                    "SHA256SUMS lists {name} twice"
                )));
            }
            if name == SUMS || name == SIGNATURE {
                return Err(BundleError::ManifestInvalid(format!(
                    "SHA256SUMS lists {name}, which it cannot cover"
                )));
            }
            entries.push((name.to_string(), sha.to_string()));
        }
        Ok(Sums { entries })
    }

    /// The hash listed for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT.into(),
            format_version: 1,
            bundle_id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            device_name: "កុំព្យូទ័រ ៣".into(),
            device_public_key: "RWQ".into(),
            sequence: 3,
            previous_bundle_sha256: Some("a".repeat(64)),
            created_at: Utc::now(),
            schema_version: 2,
            scope: "incremental".into(),
            counts: Counts::default(),
            records_bytes: 0,
            attachments: vec![],
        }
    }

    #[test]
    fn manifest_round_trips_and_newer_versions_are_refused() {
        let m = manifest();
        let bytes = serde_json::to_vec(&m).unwrap();
        assert_eq!(Manifest::parse(&bytes).unwrap(), m);
        let mut v = serde_json::to_value(&m).unwrap();
        v["format_version"] = 2.into();
        v["something_new"] = true.into();
        assert_eq!(
            Manifest::parse(&serde_json::to_vec(&v).unwrap()),
            Err(BundleError::NewerFormat {
                found: 2,
                supported: 1
            })
        );
        v["format_version"] = 1.into();
        assert!(matches!(
            Manifest::parse(&serde_json::to_vec(&v).unwrap()),
            Err(BundleError::ManifestInvalid(_))
        ));
        assert!(Manifest::parse(b"[]").is_err());
    }

    #[test]
    fn trusted_comment_must_match() {
        let m = manifest();
        m.check_trusted_comment(&m.trusted_comment()).unwrap();
        let edited = m.trusted_comment().replace("sequence=3", "sequence=4");
        assert!(matches!(
            m.check_trusted_comment(&edited),
            Err(BundleError::CommentDisagrees { field, .. }) if field == "sequence"
        ));
    }

    #[test]
    fn sums_parse_coreutils_format() {
        let sums = Sums {
            entries: vec![
                ("manifest.json".into(), "0".repeat(64)),
                ("attachments/ab".into(), "f".repeat(64)),
            ],
        };
        assert_eq!(Sums::parse(sums.to_text().as_bytes()).unwrap(), sums);
        assert!(Sums::parse(b"zz  manifest.json\n").is_err());
        let twice = format!("{0}  a\n{0}  a\n", "0".repeat(64));
        assert!(Sums::parse(twice.as_bytes()).is_err());
    }
}
