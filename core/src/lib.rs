//! Fieldcase's core: everything that touches a record's data.
//!
//! The model and its validation, the encrypted store (SQLCipher) with its
//! key slots, append-only revisions, the hash-chained audit log, encrypted
//! attachments and full-text search. It knows nothing of Tauri or of a
//! terminal: it never prints, prompts or exits. The CLI and the desktop app
//! are thin shells over it that map [`Error`] to what a person reads.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bundle;
mod canonical;
pub mod crypto;
pub mod error;
pub mod files;
pub mod hygiene;
pub mod model;
pub mod profile;
pub mod report;
pub mod secret;
pub mod stop;
pub mod store;
mod sync;

pub use error::{Error, Result};
pub use profile::{NewProfile, Profile};
pub use secret::{DataKey, Passphrase};
pub use store::Store;
