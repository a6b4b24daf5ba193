//! An attachment's metadata: what the file is, which record it belongs to,
//! who captured it and when, its SHA-256 at capture, and every later
//! hand-over (chain of custody). The bytes live in the store, encrypted;
//! the store fills `size_bytes` and `sha256` from them (both are required in
//! a body: set them before `Record::from_value`).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{self, code_list};
use crate::error::ValidationError;

code_list! {
    /// What kind of media an attachment is.
    pub enum MediaKind {
        /// Audio recording.
        Audio = "audio",
        /// Photograph.
        Photo = "photo",
        /// Video.
        Video = "video",
        /// Scanned or digital document (any media type).
        Document = "document",
    }
}

/// An attachment.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// The record it belongs to.
    pub record_id: Uuid,
    /// What kind of media it is.
    pub media: MediaKind,
    /// The file name, without any folder.
    #[schemars(length(min = 1))]
    pub file_name: String,
    /// The MIME type (e.g. `audio/ogg`, `image/jpeg`, `application/pdf`).
    #[schemars(pattern(r"^[^/\s]+/[^/\s]+$"))]
    pub media_type: String,
    /// Size in bytes (the store sets it from the bytes).
    pub size_bytes: u64,
    /// SHA-256 of the bytes at capture, 64 lower-case hex digits (the store sets it from the bytes).
    #[schemars(pattern(r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// Who captured it (name or staff code).
    pub captured_by: String,
    /// When it was captured.
    pub captured_at: DateTime<Utc>,
    /// Every hand-over since capture, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custody: Vec<CustodyTransfer>,
    /// What it shows or holds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// One hand-over in the chain of custody.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustodyTransfer {
    /// When.
    pub at: DateTime<Utc>,
    /// From whom.
    pub from: String,
    /// To whom.
    pub to: String,
    /// Notes (how, why, seal number).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Attachment {
    /// What kind of media it is.
    pub fn media(&self) -> MediaKind {
        self.media
    }

    /// Checks every rule that can be checked on this attachment alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        codes::non_empty("attachment.file_name", &self.file_name)?;
        if self
            .file_name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
            || self.file_name == "."
            || self.file_name == ".."
        {
            return Err(ValidationError::new(
                "attachment.file_name",
                "must be a plain file name, without folders or control characters",
            ));
        }
        let (top, sub) = self.media_type.split_once('/').unwrap_or(("", ""));
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        if !token(top) || !token(sub.split(';').next().unwrap_or("").trim()) {
            return Err(ValidationError::new(
                "attachment.media_type",
                format!(
                    "`{}` is not a media type like audio/ogg or image/jpeg",
                    self.media_type
                ),
            ));
        }
        let expected = match self.media {
            MediaKind::Audio => Some("audio"),
            MediaKind::Photo => Some("image"),
            MediaKind::Video => Some("video"),
            MediaKind::Document => None,
        };
        if let Some(expected) = expected {
            if !top.eq_ignore_ascii_case(expected) {
                return Err(ValidationError::new(
                    "attachment.media_type",
                    format!(
                        "a {} attachment needs a {expected}/… media type",
                        self.media
                    ),
                ));
            }
        }
        if self.sha256.len() != 64
            || !self
                .sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ValidationError::new(
                "attachment.sha256",
                "must be 64 lower-case hexadecimal digits",
            ));
        }
        codes::non_empty("attachment.captured_by", &self.captured_by)?;
        let mut previous = self.captured_at;
        for (i, t) in self.custody.iter().enumerate() {
            if t.at < previous {
                return Err(ValidationError::new(
                    format!("attachment.custody[{i}].at"),
                    if i == 0 {
                        "a hand-over cannot come before the capture"
                    } else {
                        "hand-overs must be in time order"
                    },
                ));
            }
            codes::non_empty(&format!("attachment.custody[{i}].from"), &t.from)?;
            codes::non_empty(&format!("attachment.custody[{i}].to"), &t.to)?;
            previous = t.at;
        }
        Ok(())
    }

    pub(crate) fn label(&self) -> String {
        self.file_name.clone()
    }

    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        codes::push_text(&mut out, &self.file_name);
        codes::push_text(&mut out, &self.description);
        for t in &self.custody {
            codes::push_text(&mut out, &t.note);
        }
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        vec![("attachment.record_id".to_string(), self.record_id)]
    }
}
