//! Bundles: how records leave a field laptop and reach the office.
//!
//! A bundle (format v1, `docs/bundle-format.md`) is age, encrypted to every office recipient
//! the field profile holds, over a tar holding in order `manifest.json`, `SHA256SUMS`
//! (coreutils format, every other entry), `SHA256SUMS.minisig` (the device's minisign
//! signature; its trusted comment names bundle, device and sequence), `records.jsonl`
//! (one revision per line) and `attachments/<sha256>`.
//!
//! [`Store::export_bundle`](crate::Store::export_bundle) writes one, streaming attachments;
//! [`Store::verify_bundle`](crate::Store::verify_bundle) makes every check and writes nothing;
//! [`Store::import_bundle`](crate::Store::import_bundle) makes the same checks while streaming
//! into one open transaction and commits only after the last. Receipts and purge close the
//! loop: the office signs what it holds, the laptop forgets it.

mod export;
mod import;
pub mod manifest;
mod pipe;
pub mod read;
mod receipt;
mod status;

pub use export::{ExportOptions, ExportSummary};
pub use import::{Gaps, ImportSummary, VerifyReport};
pub use manifest::{AttachmentEntry, Counts, Manifest, Sums};
pub use receipt::{PurgeSummary, Receipt, ReceiptSummary};
pub use status::{ExportStatus, SentBundle};

use serde::Serialize;

/// What a long bundle operation is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Writing a bundle.
    Export,
    /// Checking a bundle without writing.
    Verify,
    /// Importing a bundle.
    Import,
}

/// Progress of an export, verify or import: bytes done of a total (the plaintext for export,
/// the encrypted file for verify and import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// What is being done.
    pub stage: Stage,
    /// Bytes done so far.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

/// A progress callback; called often (every 64 KiB or so), keep it cheap.
pub type ProgressFn<'a> = dyn FnMut(Progress) + 'a;

#[cfg(test)]
mod tests;
