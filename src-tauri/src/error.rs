//! The one place a core error becomes what the UI sees: `{code, message}`.
//!
//! `code` is a closed set the front end switches on (and translates); `message`
//! is the core's English sentence, shown only as a detail. Every command
//! returns [`ApiError`], so the mapping happens here and nowhere else.

use serde::Serialize;

/// What went wrong, as the UI branches on it. Serialised in `snake_case`;
/// `ui/src/lib/backend.ts` mirrors this list, keep the two in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The passphrase does not open the profile.
    WrongPassphrase,
    /// The action needs the passphrase typed again (trusting a key, purging, …).
    PassphraseNeeded,
    /// Too many wrong passphrases in a row; the message says how long to wait.
    UnlockDelayed,
    /// There is no profile yet (first run not done).
    NoProfile,
    /// A profile already exists where one was to be created.
    ProfileExists,
    /// Another Fieldcase window or command has the profile open.
    InUse,
    /// The input broke a rule; the message names it.
    Invalid,
    /// The thing asked for does not exist.
    NotFound,
    /// The record was edited apart on two devices; the conflict must be resolved first.
    Conflict,
    /// The store or its key slot is damaged or altered.
    StoreDamaged,
    /// The store was written by a newer Fieldcase.
    NewerVersion,
    /// The disk ran out during a write; nothing was saved.
    DiskFull,
    /// The profile is locked; unlock it first.
    Locked,
    /// An export or import is running; the rest waits for it.
    Busy,
    /// No office recipient is set, so there is no one to encrypt a bundle to.
    NoRecipient,
    /// Every revision is already in a bundle the office acknowledged.
    NothingToExport,
    /// This profile holds no office key, so it cannot open bundles.
    NotAnOffice,
    /// The bundle is signed by a key this office does not trust (or no longer trusts).
    Untrusted,
    /// The bundle was refused (damaged, altered, another office's, not a bundle…); nothing was imported.
    BundleRefused,
    /// A receipt was refused (not a receipt, altered, an untrusted office's, another laptop's);
    /// nothing was acknowledged.
    ReceiptRefused,
    /// The file to write already exists.
    FileExists,
    /// A file could not be read or written (missing, no permission…).
    FileError,
    /// Anything else. A bug or an environment problem.
    Internal,
}

/// The error every command returns, serialised as `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// What the UI switches on.
    pub code: Code,
    /// A plain sentence (English) with the detail; never a secret.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The profile is locked.
    pub fn locked() -> Self {
        ApiError::new(Code::Locked, "the profile is locked")
    }

    /// An export or import has the profile.
    pub fn busy() -> Self {
        ApiError::new(
            Code::Busy,
            "an export or import is running; wait for it to finish",
        )
    }
}

impl From<fieldcase_core::Error> for ApiError {
    fn from(e: fieldcase_core::Error) -> Self {
        use fieldcase_core::error::BundleError as B;
        use fieldcase_core::Error as E;
        let code = match &e {
            E::WrongPassphrase => Code::WrongPassphrase,
            E::Stopped => Code::Locked,
            E::UnlockDelayed { .. } => Code::UnlockDelayed,
            E::NoProfile(_) => Code::NoProfile,
            E::ProfileExists(_) => Code::ProfileExists,
            E::InUse => Code::InUse,
            E::KeySlotDamaged(_) | E::StoreDamaged(_) | E::AttachmentDamaged(_) => {
                Code::StoreDamaged
            }
            E::NewerSchema { .. } => Code::NewerVersion,
            E::Invalid(_) | E::ResolutionDrops { .. } | E::PassphraseTooShort { .. } => {
                Code::Invalid
            }
            E::NotFound { .. } => Code::NotFound,
            E::Conflict { .. } => Code::Conflict,
            E::DiskFull => Code::DiskFull,
            E::Keys(_) => Code::Invalid,
            E::Bundle(b) => match b {
                B::NoRecipients => Code::NoRecipient,
                B::NothingToExport => Code::NothingToExport,
                B::NotAnOffice => Code::NotAnOffice,
                B::UntrustedSigner(_) | B::RevokedSigner { .. } => Code::Untrusted,
                B::ReceiptRefused(_) => Code::ReceiptRefused,
                _ => Code::BundleRefused,
            },
            E::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
                Code::FileExists
            }
            E::Io { .. } | E::NotARegularFile { .. } => Code::FileError,
            _ => Code::Internal,
        };
        ApiError {
            code,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::error::{BundleError, ValidationError};
    use fieldcase_core::Error;
    use std::io;

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(ApiError::from(Error::WrongPassphrase)).unwrap_or_default();
        assert_eq!(json["code"], "wrong_passphrase");
        assert!(json["message"]
            .as_str()
            .unwrap_or_default()
            .contains("passphrase is wrong"));
    }

    #[test]
    fn core_errors_map_to_the_closed_set() {
        let cases = [
            (Error::InUse, Code::InUse),
            (Error::DiskFull, Code::DiskFull),
            (Error::KeySlotDamaged("x".into()), Code::StoreDamaged),
            (Error::StoreDamaged("x".into()), Code::StoreDamaged),
            (
                Error::NewerSchema {
                    found: 9,
                    supported: 1,
                },
                Code::NewerVersion,
            ),
            (
                Error::Invalid(ValidationError::new("device_name", "must not be empty")),
                Code::Invalid,
            ),
            (
                Error::NotFound {
                    what: "record",
                    id: "1".into(),
                },
                Code::NotFound,
            ),
            (
                Error::Conflict {
                    id: "1".into(),
                    heads: 2,
                },
                Code::Conflict,
            ),
            (Error::NoProfile("/p".into()), Code::NoProfile),
            (Error::ProfileExists("/p".into()), Code::ProfileExists),
            (Error::Sqlite("boom".into()), Code::Internal),
            (Error::Keys("not an age recipient".into()), Code::Invalid),
            (
                Error::ResolutionDrops {
                    id: "1".into(),
                    fields: vec!["/notes".into()],
                },
                Code::Invalid,
            ),
            (BundleError::NoRecipients.into(), Code::NoRecipient),
            (BundleError::NothingToExport.into(), Code::NothingToExport),
            (BundleError::NotAnOffice.into(), Code::NotAnOffice),
            (
                BundleError::UntrustedSigner("AB".into()).into(),
                Code::Untrusted,
            ),
            (
                BundleError::RevokedSigner {
                    key_id: "AB".into(),
                    name: "x".into(),
                    revoked_at: "t".into(),
                }
                .into(),
                Code::Untrusted,
            ),
            (BundleError::Truncated.into(), Code::BundleRefused),
            (BundleError::OtherOffice.into(), Code::BundleRefused),
            (BundleError::BadSignature.into(), Code::BundleRefused),
            (
                BundleError::ReceiptRefused("it is signed by key ABCD".into()).into(),
                Code::ReceiptRefused,
            ),
            (
                Error::io(
                    "creating /x.fcb",
                    io::Error::from(io::ErrorKind::AlreadyExists),
                ),
                Code::FileExists,
            ),
            (
                Error::io("opening /x.fcb", io::Error::from(io::ErrorKind::NotFound)),
                Code::FileError,
            ),
            (
                Error::io("writing /x.fcb", io::Error::from_raw_os_error(28)),
                Code::DiskFull,
            ),
            (Error::Crypto("boom".into()), Code::Internal),
        ];
        for (e, code) in cases {
            assert_eq!(ApiError::from(e).code, code);
        }
    }

    #[test]
    fn every_code_serialises_to_the_name_the_ui_knows() {
        let names: Vec<String> = [
            Code::WrongPassphrase,
            Code::UnlockDelayed,
            Code::NoProfile,
            Code::ProfileExists,
            Code::InUse,
            Code::Invalid,
            Code::NotFound,
            Code::Conflict,
            Code::StoreDamaged,
            Code::NewerVersion,
            Code::DiskFull,
            Code::Locked,
            Code::Busy,
            Code::NoRecipient,
            Code::NothingToExport,
            Code::NotAnOffice,
            Code::Untrusted,
            Code::BundleRefused,
            Code::FileExists,
            Code::FileError,
            Code::Internal,
        ]
        .iter()
        .map(|c| {
            serde_json::to_value(c)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
        })
        .map(Option::unwrap_or_default)
        .collect();
        // The same list as `ErrorCode` in ui/src/lib/backend.ts.
        let ui = include_str!("../../ui/src/lib/backend.ts");
        for n in &names {
            assert!(
                ui.contains(&format!("'{n}'")),
                "backend.ts does not know the code {n}"
            );
        }
    }
}
