//! The core's one error type. Each variant carries what the person must know;
//! the shells (CLI, desktop) map it to an exit code or a `{code, message}`.

use std::path::PathBuf;

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A field that failed validation and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct ValidationError {
    /// Dotted path of the field, e.g. `interview.people_present`.
    pub field: String,
    /// The rule, in plain words, e.g. `a minor must have a guardian or social worker present`.
    pub rule: String,
}

impl ValidationError {
    /// A validation error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The passphrase does not open this profile. Nothing was changed.
    #[error("the passphrase is wrong for this profile; nothing was changed")]
    WrongPassphrase,
    /// No profile at this folder.
    #[error("no Fieldcase profile at {0}; create one with `fieldcase init`")]
    NoProfile(PathBuf),
    /// A profile already exists where a new one was to be created.
    #[error("a Fieldcase profile already exists at {0}; it was left as it was")]
    ProfileExists(PathBuf),
    /// Another process (another window or command) has this profile open.
    #[error(
        "this profile is in use by another Fieldcase window or command; close it and try again"
    )]
    InUse,
    /// The key-slot file is missing, unreadable or was altered.
    #[error("the key-slot file is damaged ({0}); nothing was changed. Restore it from a backup or ask the office to use the recovery key")]
    KeySlotDamaged(String),
    /// The database is damaged or is not a Fieldcase store.
    #[error("the store is damaged ({0}); nothing was written. Keep the folder as it is and ask the office for help")]
    StoreDamaged(String),
    /// The database was written by a newer Fieldcase.
    #[error("this store was written by a newer Fieldcase (schema {found}, this one knows up to {supported}); update Fieldcase. Nothing was changed")]
    NewerSchema {
        /// Schema version found in the store.
        found: i64,
        /// Highest schema version this build knows.
        supported: i64,
    },
    /// A record or input broke a rule; the message names the field.
    #[error("invalid input: {0}")]
    Invalid(ValidationError),
    /// Nothing with this id (of this kind) exists.
    #[error("no {what} with id {id}")]
    NotFound {
        /// What was looked for ("record", "attachment", …).
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The record has two or more heads (edited apart on two devices); resolve the conflict first.
    #[error(
        "record {id} has {heads} conflicting versions; resolve the conflict before editing it"
    )]
    Conflict {
        /// The record's id.
        id: String,
        /// How many heads it has.
        heads: usize,
    },
    /// Other live records link to this one; deleting it would leave their links pointing
    /// at nothing. Nothing was changed.
    #[error(
        "record {id} cannot be deleted while other records link to it ({}); delete those \
         records or change their links first, then delete this one. Nothing was changed",
        describe_links(by, *more)
    )]
    Linked {
        /// The record that was to be deleted.
        id: String,
        /// The first live records that link to it (up to ten), and by which field.
        by: Vec<LinkedFrom>,
        /// How many more live records name it besides those.
        more: usize,
    },
    /// The disk (or a size limit) ran out during a write; the write was rolled back.
    #[error("the disk is full (or a file-size limit was reached); nothing of this change was saved. Free some space and try again")]
    DiskFull,
    /// An attachment's bytes no longer match what was recorded at capture.
    #[error(
        "attachment {0} does not match its SHA-256 recorded at capture; it was damaged or altered"
    )]
    AttachmentDamaged(String),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. `reading /path/file`.
        context: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The database refused an operation for a reason not covered above.
    #[error("store error: {0}")]
    Sqlite(String),
    /// A cryptographic operation failed for a reason not covered above.
    #[error("crypto error: {0}")]
    Crypto(String),
}

/// A live record that links to another, and the field that holds the link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkedFrom {
    /// The linking record's kind, e.g. `visit`.
    pub kind: String,
    /// The linking record's id.
    pub id: String,
    /// The field holding the link, e.g. `visit.establishment_id`.
    pub field: String,
}

/// The links, for a message a person reads (ids and field names, never record text).
fn describe_links(by: &[LinkedFrom], more: usize) -> String {
    let mut text = by
        .iter()
        .map(|l| format!("{} {} by {}", l.kind, l.id, l.field))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Invalid(e)
    }
}

impl Error {
    /// An [`Error::Io`] with context, turning "no space left" and "file too large" into [`Error::DiskFull`].
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        if is_disk_full(&source) {
            return Error::DiskFull;
        }
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Whether an I/O error means the disk or a file-size limit ran out.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge
    ) || matches!(e.raw_os_error(), Some(28) | Some(27)) // ENOSPC, EFBIG
}

/// Whether an SQLite I/O error code is a failed write (or growing a file), the kinds a
/// file-size limit causes. SQLite reports ENOSPC itself as `SQLITE_FULL`, but EFBIG (a
/// file-size limit, e.g. `ulimit -f`) only as a generic write error.
fn is_write_failure(extended_code: i32) -> bool {
    use rusqlite::ffi;
    matches!(
        extended_code,
        ffi::SQLITE_IOERR_WRITE
            | ffi::SQLITE_IOERR_FSYNC
            | ffi::SQLITE_IOERR_TRUNCATE
            | ffi::SQLITE_IOERR_SHMSIZE
    )
}

/// Whether this process runs under a file-size limit (`RLIMIT_FSIZE`). SQLite does not pass
/// the OS error on, so under such a limit a failed write is taken to be the limit: the only
/// other cause, a failing disk, is rare where a limit is set, and both leave nothing written.
#[cfg(unix)]
fn file_size_limited() -> bool {
    rustix::process::getrlimit(rustix::process::Resource::Fsize)
        .current
        .is_some()
}

#[cfg(not(unix))]
fn file_size_limited() -> bool {
    false
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                ErrorCode::DiskFull | ErrorCode::TooBig => Error::DiskFull,
                ErrorCode::SystemIoFailure
                    if is_write_failure(f.extended_code) && file_size_limited() =>
                {
                    Error::DiskFull
                }
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::InUse,
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    Error::StoreDamaged(e.to_string())
                }
                _ => Error::Sqlite(e.to_string()),
            },
            _ => Error::Sqlite(e.to_string()),
        }
    }
}
