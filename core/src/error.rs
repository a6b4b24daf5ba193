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
    /// Too many wrong passphrases in a row: the next attempt must wait. Nothing was tried.
    #[error("too many wrong passphrases in a row; wait {seconds} s, then try again (this attempt was not tried)")]
    UnlockDelayed {
        /// Seconds until the next attempt is allowed.
        seconds: u64,
    },
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
    /// A long job was stopped because the profile was locked meanwhile.
    #[error(
        "stopped because the profile was locked; nothing was changed. Unlock and start it again"
    )]
    Stopped,
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
    /// A conflict resolution would drop values that every version holds, and the person has
    /// not confirmed dropping them. Nothing was changed.
    #[error(
        "resolving {id} this way would drop values that every version holds, in: {}; nothing \
         was changed. Keep them in the merged record, or confirm dropping each of these fields",
        fields.join(", ")
    )]
    ResolutionDrops {
        /// The record in conflict.
        id: String,
        /// The fields (JSON pointers, e.g. `/location/city`) it would drop, unconfirmed.
        fields: Vec<String>,
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
    /// Something named as an input is not a regular file: a FIFO, a device such as
    /// `/dev/zero`, a socket or a folder. Refused without reading from it (and without waiting
    /// on it). Nothing was read or changed.
    #[error("{} is not a regular file (it is {kind}); name a file. Nothing was read or changed", .path.display())]
    NotARegularFile {
        /// The path as given.
        path: PathBuf,
        /// What it is instead, in words ("a FIFO", "a character device", "a folder"…).
        kind: &'static str,
    },
    /// A new passphrase is shorter than the minimum. Nothing was changed.
    #[error("the new passphrase is too short: use at least {min_chars} characters (a sentence of a few words is best); nothing was changed")]
    PassphraseTooShort {
        /// The fewest characters allowed ([`crate::secret::MIN_PASSPHRASE_CHARS`]).
        min_chars: usize,
    },
    /// The database refused an operation for a reason not covered above.
    #[error("store error: {0}")]
    Sqlite(String),
    /// A cryptographic operation failed for a reason not covered above.
    #[error("crypto error: {0}")]
    Crypto(String),
    /// A bundle (or a receipt) was refused, or cannot be made; nothing was written.
    #[error("{0}")]
    Bundle(#[from] BundleError),
    /// A key or trust setting is missing or wrong (office key, recipients, trusted keys).
    #[error("{0}")]
    Keys(String),
    /// A printable summary (PDF) could not be made; nothing was written or logged.
    #[error("the PDF could not be made ({0}); nothing was written")]
    Pdf(String),
}

/// Why a bundle or a receipt was refused (or cannot be made). Each message says what is
/// wrong; the importing store is left exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The file has no bytes.
    #[error("the bundle file is empty; nothing was imported")]
    Empty,
    /// Not an age file at all.
    #[error("the file is not an age-encrypted Fieldcase bundle ({0}); nothing was imported")]
    NotAge(String),
    /// Encrypted to recipients this office does not hold.
    #[error(
        "the bundle is encrypted to another office's key, not this office's; nothing was imported"
    )]
    OtherOffice,
    /// The encrypted bytes were altered or damaged.
    #[error("the bundle is damaged or was altered ({0}); nothing was imported. Ask for it to be sent again")]
    Damaged(String),
    /// The encrypted file stops early.
    #[error(
        "the bundle is cut short (truncated); nothing was imported. Ask for it to be sent again"
    )]
    Truncated,
    /// This profile holds no office key, so it cannot open bundles.
    #[error("this profile holds no office key; only an office profile opens bundles (`fieldcase office init`)")]
    NotAnOffice,
    /// A tar entry is not where the format puts it.
    #[error("the bundle's entry {position} is {found:?}, where {expected} was expected; nothing was imported")]
    UnexpectedEntry {
        /// 1-based position in the tar.
        position: usize,
        /// What the format puts there.
        expected: String,
        /// What is there.
        found: String,
    },
    /// No signature entry: an age file to the office key proves nothing about who wrote it.
    #[error("the bundle is not signed (no SHA256SUMS.minisig); an unsigned bundle proves nothing about who wrote it, so nothing was imported")]
    Unsigned,
    /// An entry path that could escape a folder.
    #[error("the bundle holds an entry with an unsafe path {0:?} (absolute, or with `..`); nothing was imported")]
    UnsafePath(String),
    /// A tar entry that is not a plain file.
    #[error("the bundle holds {path:?} as a {kind}, not a plain file; nothing was imported")]
    NotAFile {
        /// The entry's path.
        path: String,
        /// What it is (symbolic link, hard link, device node, …).
        kind: String,
    },
    /// Signed by a key this profile does not trust.
    #[error("the bundle is signed by key {0}, which this office does not trust; nothing was imported. If you know the device, trust its key (in the app's Settings, or `fieldcase trust add`)")]
    UntrustedSigner(String),
    /// Signed by a key whose trust was revoked.
    #[error("the bundle is signed by key {key_id} ({name}), whose trust was revoked on {revoked_at}; nothing was imported")]
    RevokedSigner {
        /// The key id.
        key_id: String,
        /// The name it was trusted under.
        name: String,
        /// When it was revoked.
        revoked_at: String,
    },
    /// The signature over SHA256SUMS does not verify.
    #[error("the signature over SHA256SUMS does not verify: the list of hashes was altered; nothing was imported")]
    BadSignature,
    /// The trusted comment was edited after signing.
    #[error("the signature's trusted comment was altered after signing; nothing was imported")]
    TrustedCommentAltered,
    /// The signature file cannot be read.
    #[error("the signature file SHA256SUMS.minisig is malformed ({0}); nothing was imported")]
    SignatureMalformed(String),
    /// The trusted comment and the manifest disagree.
    #[error("the signed comment says {field} is {signed:?} but the manifest says {manifest:?}; nothing was imported")]
    CommentDisagrees {
        /// Which field.
        field: String,
        /// What the signed comment says.
        signed: String,
        /// What the manifest says.
        manifest: String,
    },
    /// The manifest is not what the format says.
    #[error("the bundle's manifest is invalid ({0}); nothing was imported")]
    ManifestInvalid(String),
    /// A newer Fieldcase wrote the bundle.
    #[error("the bundle is format version {found}, newer than this Fieldcase reads (up to {supported}); update Fieldcase. Nothing was imported")]
    NewerFormat {
        /// The format version found.
        found: u64,
        /// The newest this build reads.
        supported: u64,
    },
    /// The manifest's counts disagree with the entries.
    #[error(
        "the manifest says {declared} {what} but the bundle holds {found}; nothing was imported"
    )]
    CountMismatch {
        /// What was counted.
        what: String,
        /// What the manifest says.
        declared: u64,
        /// What is there.
        found: u64,
    },
    /// A hash disagrees.
    #[error("{0} does not match its SHA-256 in SHA256SUMS; nothing was imported")]
    HashMismatch(String),
    /// The manifest and SHA256SUMS disagree on an entry.
    #[error("the manifest and SHA256SUMS disagree about {0}; nothing was imported")]
    ManifestDisagrees(String),
    /// An entry SHA256SUMS does not list.
    #[error("the bundle holds {0}, which SHA256SUMS does not list; nothing was imported")]
    NotListed(String),
    /// An entry SHA256SUMS lists is not in the bundle.
    #[error("SHA256SUMS lists {0}, which the bundle does not hold; nothing was imported")]
    ListedButAbsent(String),
    /// An entry larger than the manifest declares (or than the format allows).
    #[error("the bundle's entry {name} is {size} bytes, larger than the {declared} declared; nothing was imported")]
    TooLarge {
        /// The entry.
        name: String,
        /// Its size in the tar.
        size: u64,
        /// The size allowed.
        declared: u64,
    },
    /// A record fails validation.
    #[error("record on line {line} of records.jsonl is invalid ({reason}); nothing was imported")]
    InvalidRecord {
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// A revision the bundle carries is attributed to another device than the one that wrote
    /// the bundle (a device signs only its own revisions).
    #[error("record on line {line} of records.jsonl is revision {revision} attributed to device {revision_device}, but the bundle comes from device {bundle_device}; a bundle may carry only its own device's revisions, so nothing was imported. Records travel onwards only in the bundles their own device signed: ask for those. If this device's key may be in other hands, revoke it (`fieldcase trust revoke`)")]
    RevisionOfAnotherDevice {
        /// 1-based line in `records.jsonl`.
        line: usize,
        /// The revision's id.
        revision: uuid::Uuid,
        /// The device the revision names.
        revision_device: uuid::Uuid,
        /// The device the manifest names.
        bundle_device: uuid::Uuid,
    },
    /// The signing key belongs to one device and the bundle names another.
    #[error("the bundle says it comes from device {claimed}, but its key {key_id} ({name}) signs for device {bound} only; nothing was imported. A copied laptop, or its key used elsewhere, does this: keep the file, check the laptop with the person who carries it, and if the key may be in other hands revoke it (`fieldcase trust revoke {key_id}`)")]
    WrongDevice {
        /// The signing key's id.
        key_id: String,
        /// The name it is trusted under.
        name: String,
        /// The device the key belongs to.
        bound: uuid::Uuid,
        /// The device the bundle names.
        claimed: uuid::Uuid,
    },
    /// A key not yet bound to a device signed for a device that another key (or this office)
    /// already signs for.
    #[error("the bundle is signed by key {key_id} ({name}) and says it comes from device {claimed}, but that is {holder}; one device has one key, so nothing was imported. If the laptop really has a new key, revoke its old one and trust this one for that device (`fieldcase trust add <key> --name <name> --device {claimed}`); otherwise keep the file and revoke the key (`fieldcase trust revoke {key_id}`)")]
    DeviceTaken {
        /// The signing key's id.
        key_id: String,
        /// The name it is trusted under.
        name: String,
        /// The device the bundle names.
        claimed: uuid::Uuid,
        /// Who signs for that device already, e.g. `the device of key 63AD… (Field laptop 3)`.
        holder: String,
    },
    /// A second, different bundle under a sequence number already imported from the device.
    #[error("this bundle ({this}) is number {sequence} from device {device_name} (key {key_id}), but bundle {imported}, imported {imported_at}, already has that number from it. Two different bundles under one number mean the laptop was copied or its key is used elsewhere; nothing was imported. Keep both files, check the laptop with the person who carries it, and if the key may be in other hands revoke it (`fieldcase trust revoke {key_id}`). If this one came from the real laptop, what it holds travels again in its next bundle, as no receipt acknowledged it")]
    SequenceFork {
        /// The device's name (as trusted).
        device_name: String,
        /// The signing key's id.
        key_id: String,
        /// The sequence number both bundles carry.
        sequence: u64,
        /// The bundle imported before under that number.
        imported: uuid::Uuid,
        /// When it was imported.
        imported_at: String,
        /// This bundle.
        this: uuid::Uuid,
    },
    /// Bytes after the end of the tar archive.
    #[error("the bundle has data after the end of its archive; nothing was imported")]
    TrailingData,
    /// Export needs somewhere to send to.
    #[error("no office recipient is set; add the office's key with `fieldcase office add-recipient age1…`")]
    NoRecipients,
    /// Nothing new to export.
    #[error("nothing to export: every revision is already in a bundle the office acknowledged (use --all to send everything again)")]
    NothingToExport,
    /// No bundle with this id was imported (for a receipt).
    #[error("no imported bundle with id {0}")]
    UnknownBundle(String),
    /// A receipt that cannot be accepted.
    #[error("the receipt was refused: {0}; nothing was changed")]
    ReceiptRefused(String),
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
