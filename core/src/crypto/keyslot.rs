//! The key-slot file: the profile's data key, sealed for each person who may
//! open the profile and, optionally, for the office.
//!
//! The database is opened by a random 256-bit [`DataKey`]. This small JSON
//! file beside it holds that key sealed once per slot (docs/threat-model.md,
//! "Key slots", is the format's reference):
//!
//! - **One KDF run for every slot.** The file has one Argon2id salt and one
//!   set of parameters. The passphrase gives one key-encryption key (KEK), and
//!   every person slot is tried with it, so an unlock costs one derivation
//!   however many slots there are, and (every slot being tried) its time does
//!   not say which slot opened.
//! - **Person slots.** Each holds an X25519 identity (age's
//!   `AGE-SECRET-KEY-1…`) wrapped with XChaCha20-Poly1305 under the KEK, and
//!   the data key encrypted with age to that identity's recipient. The format
//!   version, slot kind, KDF name, parameters and salt are the wrapping's
//!   associated data, so an edited parameter makes unwrapping fail. Sealing a
//!   new data key to a person needs only their public key, never their
//!   passphrase: that is what lets a data key rotate (a passphrase change, a
//!   person removed) without everyone present. Today a profile has one person,
//!   in slot 0.
//! - **Recovery slot** (optional). The data key encrypted with age to the
//!   office's X25519 recipient (`age1…`), kept as age's ASCII armor, so the
//!   office can recover it with the stock `age` tool as well as with
//!   [`KeySlots::recover`]. The office's public key is not in this file (an
//!   edited file must not be able to redirect the next rotation's sealing); the
//!   store keeps it.
//!
//! ```json
//! {
//!   "format": "fieldcase-keyslots",
//!   "version": 2,
//!   "kdf": { "alg": "argon2id", "m_kib": 262144, "t": 3, "p": 4, "salt": "<hex>" },
//!   "people": [
//!     { "nonce": "<hex, 24 bytes>", "wrapped_identity": "<hex, 74 + 16-byte tag>",
//!       "sealed_key": "-----BEGIN AGE ENCRYPTED FILE-----\n…" }
//!   ],
//!   "recovery": { "age": "-----BEGIN AGE ENCRYPTED FILE-----\n…" }
//! }
//! ```
//!
//! Version 1 files (one passphrase slot wrapping the data key itself) are
//! still read, and written back as they were; the first passphrase change
//! replaces one with a version 2 file.
//!
//! A wrong passphrase and an edited slot look the same to the cipher: both
//! are [`Error::WrongPassphrase`]. Anything that does not parse, or is out of
//! bounds, is [`Error::KeySlotDamaged`].

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use age::secrecy::ExposeSecret;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use chacha20poly1305::{AeadInPlace, KeyInit, XChaCha20Poly1305};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{DataKey, LockedKey, Passphrase};

/// The `format` field of every key-slot file.
const FORMAT: &str = "fieldcase-keyslots";
/// The version this build writes.
const VERSION: u32 = 2;
/// The first version, still read.
const VERSION_1: u32 = 1;
/// Name of the KDF: Argon2id, version 0x13, 32-byte output.
const KDF_ALG: &str = "argon2id";
/// Salt length written by this build; 16..=32 bytes are read.
const SALT_LEN: usize = 16;
const MIN_SALT_LEN: usize = 16;
const MAX_SALT_LEN: usize = 32;
/// XChaCha20-Poly1305 nonce length.
const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
const TAG_LEN: usize = 16;
/// An age X25519 identity in Bech32 (`AGE-SECRET-KEY-1` and 58 characters).
const IDENTITY_LEN: usize = 74;
/// Person slots in one file at most.
const MAX_PEOPLE: usize = 32;
/// A key-slot file is a few kilobytes; anything much larger is not one.
const MAX_FILE_LEN: usize = 64 * 1024;
/// An age file holding a 32-byte key to one recipient is about 200 bytes.
const MAX_RECOVERY_LEN: usize = 4 * 1024;

/// Whether this build may make key slots below [`KdfParams::RELEASE_FLOOR`]: debug builds
/// (tests, development) and the benchmarks' `insecure-test-kdf` feature. A release build
/// without the feature refuses, so a shipped CLI or app cannot make a cheap slot even if
/// asked to; tying it to `debug_assertions` rather than to a feature alone means no feature
/// left on by mistake can do it in a shipped build but the one named insecure.
pub const WEAK_KDF_ALLOWED: bool = cfg!(any(debug_assertions, feature = "insecure-test-kdf"));

/// Memory floor: 8 MiB.
const MIN_M_KIB: u32 = 8 * 1024;
/// Memory ceiling: 4 GiB.
const MAX_M_KIB: u32 = 4 * 1024 * 1024;
/// Pass ceiling.
const MAX_T: u32 = 64;
/// Lane ceiling.
const MAX_P: u32 = 64;
/// Ceiling on memory × passes (KiB): 16 GiB of block work, about 16 times
/// the default, so no file can make an unlock run for minutes.
const MAX_WORK_KIB: u64 = 16 * 1024 * 1024;

/// Argon2id cost parameters of a key-slot file.
///
/// Accepted bounds: `m_kib` 8 MiB..=4 GiB, `t` 1..=64, `p` 1..=64, and
/// `m_kib × t` at most 16 GiB. Outside them, [`KeySlots::create`] refuses
/// with [`Error::Crypto`] and a stored file is [`Error::KeySlotDamaged`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub m_kib: u32,
    /// Passes over memory.
    pub t: u32,
    /// Lanes (parallelism).
    pub p: u32,
}

impl KdfParams {
    /// The default for every profile: 256 MiB, 3 passes, 4 lanes (about
    /// 0.7 s on a field laptop).
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 256 * 1024,
        t: 3,
        p: 4,
    };

    /// **Insecure.** The floor (8 MiB, 1 pass, 1 lane), so tests run fast.
    /// Only for tests, and only when chosen by an explicit option: a profile
    /// created with it falls to a cheap passphrase search.
    pub const FOR_TESTS_ONLY: KdfParams = KdfParams {
        m_kib: MIN_M_KIB,
        t: 1,
        p: 1,
    };

    /// The least a release build makes a key slot with: 64 MiB and 3 passes (any lanes).
    /// Profiles made before with less keep their parameters and open, with a warning
    /// ([`KdfParams::below_release_floor`]).
    pub const RELEASE_FLOOR: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// Whether these parameters are weaker than [`KdfParams::RELEASE_FLOOR`].
    pub fn below_release_floor(self) -> bool {
        self.m_kib < Self::RELEASE_FLOOR.m_kib || self.t < Self::RELEASE_FLOOR.t
    }

    /// Why this build refuses to make a key slot with these parameters, if it does: out of
    /// bounds, or below the release floor in a release build.
    fn refused_for_new_slot(self, weak_allowed: bool) -> Option<String> {
        if let Some(why) = self.out_of_bounds() {
            return Some(why);
        }
        (!weak_allowed && self.below_release_floor()).then(|| {
            format!(
                "this build makes key slots with at least {} MiB and {} passes                  (asked for {} MiB and {} passes); nothing was changed",
                Self::RELEASE_FLOOR.m_kib / 1024,
                Self::RELEASE_FLOOR.t,
                self.m_kib / 1024,
                self.t
            )
        })
    }

    /// Why these parameters are out of bounds, if they are.
    fn out_of_bounds(self) -> Option<String> {
        let KdfParams { m_kib, t, p } = self;
        let ok = (MIN_M_KIB..=MAX_M_KIB).contains(&m_kib)
            && (1..=MAX_T).contains(&t)
            && (1..=MAX_P).contains(&p)
            && u64::from(m_kib) * u64::from(t) <= MAX_WORK_KIB;
        (!ok).then(|| {
            format!(
                "Argon2id parameters out of bounds (m_kib {m_kib}, t {t}, p {p}; \
                 allowed m_kib {MIN_M_KIB}..={MAX_M_KIB}, t 1..={MAX_T}, p 1..={MAX_P}, \
                 m_kib × t ≤ {MAX_WORK_KIB})"
            )
        })
    }
}

/// A version 1 passphrase slot, parsed and checked: the data key itself
/// wrapped under the KEK.
#[derive(Clone, PartialEq, Eq)]
struct PassphraseSlot {
    params: KdfParams,
    salt: Vec<u8>,
    nonce: [u8; NONCE_LEN],
    /// The sealed data key.
    ciphertext: [u8; 32],
    tag: [u8; TAG_LEN],
}

/// One person's slot of a version 2 file.
#[derive(Clone, PartialEq, Eq)]
struct PersonSlot {
    nonce: [u8; NONCE_LEN],
    /// The person's age identity, sealed under the KEK (ciphertext and tag).
    wrapped_identity: Vec<u8>,
    /// A binary age file: the data key, to the person's recipient.
    sealed_key: Vec<u8>,
}

/// What opens the data key, by file version.
#[derive(Clone, PartialEq, Eq)]
enum Slots {
    /// Version 1: one passphrase slot.
    Passphrase(PassphraseSlot),
    /// Version 2: the profile's KDF and its person slots.
    People {
        params: KdfParams,
        salt: Vec<u8>,
        people: Vec<PersonSlot>,
    },
}

/// A profile's key-slot file: its data key sealed for each person and,
/// optionally, to the office's recovery key. Holds no secret in the clear;
/// `Debug` shows only the version, the KDF parameters and whether a
/// recovery slot exists.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySlots {
    slots: Slots,
    /// A binary age file holding the data key, if a recovery slot was set.
    recovery: Option<Vec<u8>>,
}

impl fmt::Debug for KeySlots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySlots")
            .field("version", &self.version())
            .field("kdf", &KDF_ALG)
            .field("params", &self.kdf_params())
            .field("recovery", &self.has_recovery())
            .finish_non_exhaustive()
    }
}

/// A key-encryption key derived once, for every slot made with its salt and parameters.
struct Kek {
    params: KdfParams,
    salt: Vec<u8>,
    key: LockedKey,
}

impl KeySlots {
    /// A version 2 file with one person (slot 0): a fresh identity wrapped
    /// under `passphrase` (fresh salt and nonce), `key` sealed to it. No
    /// recovery slot yet (see [`set_recovery`](KeySlots::set_recovery)).
    pub fn create(key: &DataKey, passphrase: &Passphrase, params: KdfParams) -> Result<KeySlots> {
        if let Some(why) = params.refused_for_new_slot(WEAK_KDF_ALLOWED) {
            return Err(Error::Crypto(why));
        }
        let mut salt = vec![0u8; SALT_LEN];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let kek = Kek::derive(passphrase, params, &salt)?;
        let person = PersonSlot::seal(&kek, &age::x25519::Identity::generate(), key)?;
        Ok(KeySlots {
            slots: Slots::People {
                params,
                salt,
                people: vec![person],
            },
            recovery: None,
        })
    }

    /// The file's format version (1 or 2).
    pub fn version(&self) -> u32 {
        match self.slots {
            Slots::Passphrase(_) => VERSION_1,
            Slots::People { .. } => VERSION,
        }
    }

    /// Opens the data key with `passphrase`: one key derivation, then every
    /// person slot tried.
    ///
    /// [`Error::WrongPassphrase`] if it opens no slot (or the slot was edited),
    /// [`Error::KeySlotDamaged`] if the stored parameters are out of bounds or
    /// an opened slot does not hold a key.
    pub fn unlock(&self, passphrase: &Passphrase) -> Result<DataKey> {
        let kek = self.derive_kek(passphrase)?;
        self.unlock_with(&kek)
    }

    /// Opens each file's data key with one passphrase, for an unlock that finds a
    /// passphrase change unfinished (a pending file beside the current one). Files
    /// with the same salt and parameters share one key derivation. A file the
    /// passphrase does not open gives `None`; a damaged one fails the whole call.
    pub fn unlock_each(
        files: &[&KeySlots],
        passphrase: &Passphrase,
    ) -> Result<Vec<Option<DataKey>>> {
        let mut keks: Vec<Kek> = Vec::new();
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            let (params, salt) = file.kdf();
            let kek = match keks
                .iter()
                .position(|k| k.params == params && k.salt == salt)
            {
                Some(at) => &keks[at],
                None => {
                    keks.push(file.derive_kek(passphrase)?);
                    &keks[keks.len() - 1]
                }
            };
            match file.unlock_with(kek) {
                Ok(key) => out.push(Some(key)),
                Err(Error::WrongPassphrase) => out.push(None),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn kdf(&self) -> (KdfParams, &[u8]) {
        match &self.slots {
            Slots::Passphrase(slot) => (slot.params, &slot.salt),
            Slots::People { params, salt, .. } => (*params, salt),
        }
    }

    fn derive_kek(&self, passphrase: &Passphrase) -> Result<Kek> {
        let (params, salt) = self.kdf();
        if let Some(why) = params.out_of_bounds() {
            return Err(Error::KeySlotDamaged(why));
        }
        Kek::derive(passphrase, params, salt)
    }

    fn unlock_with(&self, kek: &Kek) -> Result<DataKey> {
        match &self.slots {
            Slots::Passphrase(slot) => slot.open(kek),
            Slots::People { people, .. } => {
                // Every slot is tried, even after one opened, so that the time taken does
                // not tell which slot is whose.
                let mut found = None;
                for person in people {
                    if let Some(identity) = person.open_identity(kek)? {
                        if found.is_none() {
                            found = Some((person, identity));
                        }
                    }
                }
                let (person, identity) = found.ok_or(Error::WrongPassphrase)?;
                open_sealed_key(&person.sealed_key, &identity, "person slot")
            }
        }
    }

    /// Sets (or replaces) the recovery slot: `key` (the profile's data key)
    /// encrypted with age to `office_recipient`, an X25519 recipient `age1…`.
    ///
    /// [`Error::Invalid`] (field `recipient`) if the recipient is not one.
    pub fn set_recovery(&mut self, key: &DataKey, office_recipient: &str) -> Result<()> {
        let recipient = parse_recipient(office_recipient)?;
        let sealed = age::encrypt(&recipient, key.expose())
            .map_err(|e| Error::Crypto(format!("encrypting the recovery slot failed: {e}")))?;
        self.recovery = Some(sealed);
        Ok(())
    }

    /// Whether a recovery slot is present.
    pub fn has_recovery(&self) -> bool {
        self.recovery.is_some()
    }

    /// Unwraps the data key from the recovery slot with the office's age
    /// identity (`AGE-SECRET-KEY-1…`, alone or as the contents of the key
    /// file `age-keygen` writes).
    ///
    /// [`Error::Crypto`] if there is no recovery slot, the identity does not
    /// parse or is not the one the slot was made for;
    /// [`Error::KeySlotDamaged`] if the slot does not decrypt to a key.
    pub fn recover(&self, office_identity: &str) -> Result<DataKey> {
        let sealed = self
            .recovery
            .as_deref()
            .ok_or_else(|| Error::Crypto("this profile has no recovery slot".into()))?;
        // Accept a whole `age-keygen` key file too: its comment lines are skipped.
        let line = office_identity
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        let identity: age::x25519::Identity = line.parse().map_err(|e| {
            Error::Crypto(format!(
                "the office recovery identity is not an age X25519 secret key \
                 (one line starting with AGE-SECRET-KEY-1…): {e}"
            ))
        })?;
        open_sealed_key(sealed, &identity, "recovery slot").map_err(|e| match e {
            Error::WrongPassphrase => {
                Error::Crypto("this office key does not open the profile's recovery slot".into())
            }
            e => e,
        })
    }

    /// The Argon2id parameters (e.g. to offer a change when they are below
    /// [`KdfParams::DEFAULT`]).
    pub fn kdf_params(&self) -> KdfParams {
        self.kdf().0
    }

    /// The file's bytes: pretty-printed JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let recovery = self
            .recovery
            .as_deref()
            .map(|age| RecoverySlotV1 { age: armor(age) });
        // Serialising a struct of strings and integers into a Vec cannot
        // fail: serde_json errs only on non-string map keys, failing custom
        // `Serialize` impls or writer I/O, none of which exist here.
        #[allow(clippy::expect_used)]
        let mut bytes = match &self.slots {
            Slots::Passphrase(slot) => {
                let mut wrapped = Vec::with_capacity(32 + TAG_LEN);
                wrapped.extend_from_slice(&slot.ciphertext);
                wrapped.extend_from_slice(&slot.tag);
                serde_json::to_vec_pretty(&FileV1 {
                    format: FORMAT.into(),
                    version: VERSION_1,
                    passphrase: PassphraseSlotV1 {
                        kdf: KDF_ALG.into(),
                        m_kib: slot.params.m_kib,
                        t: slot.params.t,
                        p: slot.params.p,
                        salt: hex::encode(&slot.salt),
                        nonce: hex::encode(slot.nonce),
                        wrapped_key: hex::encode(wrapped),
                    },
                    recovery,
                })
            }
            Slots::People {
                params,
                salt,
                people,
            } => serde_json::to_vec_pretty(&FileV2 {
                format: FORMAT.into(),
                version: VERSION,
                kdf: KdfV2 {
                    alg: KDF_ALG.into(),
                    m_kib: params.m_kib,
                    t: params.t,
                    p: params.p,
                    salt: hex::encode(salt),
                },
                people: people
                    .iter()
                    .map(|p| PersonSlotV2 {
                        nonce: hex::encode(p.nonce),
                        wrapped_identity: hex::encode(&p.wrapped_identity),
                        sealed_key: armor(&p.sealed_key),
                    })
                    .collect(),
                recovery,
            }),
        }
        .expect("plain struct serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Parses a key-slot file. Anything malformed, of another format or
    /// version, or out of bounds is [`Error::KeySlotDamaged`] naming what.
    pub fn from_bytes(bytes: &[u8]) -> Result<KeySlots> {
        let damaged = |what: String| Error::KeySlotDamaged(what);
        if bytes.len() > MAX_FILE_LEN {
            return Err(damaged("too large to be a key-slot file".into()));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(damaged("the file is empty".into()));
        }
        // Format and version first, so that a newer file gets a clear message.
        let probe: Probe = serde_json::from_slice(bytes)
            .map_err(|e| damaged(format!("not a key-slot file: {e}")))?;
        if probe.format != FORMAT {
            return Err(damaged(format!(
                "not a key-slot file (format {:?})",
                probe.format
            )));
        }
        let (slots, recovery) = if probe.version == u64::from(VERSION) {
            let file: FileV2 =
                serde_json::from_slice(bytes).map_err(|e| damaged(format!("malformed: {e}")))?;
            (parse_people(file.kdf, file.people)?, file.recovery)
        } else if probe.version == u64::from(VERSION_1) {
            let file: FileV1 =
                serde_json::from_slice(bytes).map_err(|e| damaged(format!("malformed: {e}")))?;
            (parse_passphrase_slot(file.passphrase)?, file.recovery)
        } else {
            return Err(damaged(format!(
                "format version {} is not one this Fieldcase reads ({VERSION_1} or {VERSION})",
                probe.version
            )));
        };
        let recovery = match recovery {
            None => None,
            Some(r) => {
                Some(dearmor(&r.age).map_err(|why| damaged(format!("recovery slot: {why}")))?)
            }
        };
        Ok(KeySlots { slots, recovery })
    }

    /// Reads and parses the key-slot file at `path`. A missing file is
    /// [`Error::KeySlotDamaged`] too: the profile cannot be opened without it.
    pub fn read(path: &Path) -> Result<KeySlots> {
        match Self::read_if_present(path)? {
            Some(slots) => Ok(slots),
            None => Err(Error::KeySlotDamaged(format!(
                "missing key-slot file {}",
                path.display()
            ))),
        }
    }

    /// Reads and parses the key-slot file at `path`, or `None` if there is none.
    pub fn read_if_present(path: &Path) -> Result<Option<KeySlots>> {
        let file = match fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("opening {}", path.display()), e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_FILE_LEN as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        KeySlots::from_bytes(&bytes).map(Some)
    }

    /// Writes the file at `path` so that it is either the old file or the
    /// new one, even across a crash or power loss: a temporary file in the
    /// same folder is written and synced, renamed over `path`, and the folder
    /// is synced. The file is readable by its owner only (on Unix).
    pub fn write_atomic(&self, path: &Path) -> Result<()> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path.file_name().ok_or_else(|| {
            Error::io(
                format!("writing {}", path.display()),
                io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
            )
        })?;
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            hex::encode(suffix)
        ));

        let written = write_synced(&tmp, &self.to_bytes()).and_then(|()| fs::rename(&tmp, path));
        if let Err(e) = written {
            // Best effort: the temporary file may not exist, and the error
            // that matters is the one being returned.
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(format!("writing {}", path.display()), e));
        }
        sync_dir(dir).map_err(|e| Error::io(format!("syncing folder {}", dir.display()), e))
    }
}

/// Parses an age X25519 recipient, or says what is expected.
fn parse_recipient(text: &str) -> Result<age::x25519::Recipient> {
    text.trim().parse().map_err(|e| {
        crate::error::ValidationError::new(
            "recipient",
            format!(
                "is not an age X25519 public key ({e}); give the office's recovery \
                 public key, one line starting with age1… (`age-keygen -y` prints it)"
            ),
        )
        .into()
    })
}

/// Decrypts a sealed data key (a binary age file) with `identity`:
/// [`Error::WrongPassphrase`] if it is not for this identity,
/// [`Error::KeySlotDamaged`] if it does not hold exactly a 32-byte key.
fn open_sealed_key(sealed: &[u8], identity: &age::x25519::Identity, what: &str) -> Result<DataKey> {
    let damaged = |e: &dyn fmt::Display| Error::KeySlotDamaged(format!("{what}: {e}"));
    let decryptor = age::Decryptor::new_buffered(sealed).map_err(|e| damaged(&e))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::WrongPassphrase,
            e => damaged(&e),
        })?;
    let mut key = LockedKey::zeroed();
    reader
        .read_exact(key.as_mut_slice())
        .map_err(|e| damaged(&e))?;
    let mut extra = [0u8; 1];
    match reader.read(&mut extra) {
        Ok(0) => Ok(DataKey::from_locked(key)),
        Ok(_) => Err(damaged(&"holds more than a 32-byte key")),
        Err(e) => Err(damaged(&e)),
    }
}

fn check_params(kdf: &str, params: KdfParams, salt_hex: &str) -> Result<Vec<u8>> {
    let damaged = |what: String| Error::KeySlotDamaged(what);
    if kdf != KDF_ALG {
        return Err(damaged(format!("unknown key derivation {kdf:?}")));
    }
    if let Some(why) = params.out_of_bounds() {
        return Err(damaged(why));
    }
    let salt = hex::decode(salt_hex).map_err(|e| damaged(format!("salt: {e}")))?;
    if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
        return Err(damaged(format!(
            "salt is {} bytes, not {MIN_SALT_LEN} to {MAX_SALT_LEN}",
            salt.len()
        )));
    }
    Ok(salt)
}

fn parse_nonce(text: &str) -> Result<[u8; NONCE_LEN]> {
    let mut nonce = [0u8; NONCE_LEN];
    hex::decode_to_slice(text, &mut nonce)
        .map_err(|e| Error::KeySlotDamaged(format!("nonce (must be {NONCE_LEN} bytes): {e}")))?;
    Ok(nonce)
}

fn parse_passphrase_slot(s: PassphraseSlotV1) -> Result<Slots> {
    let params = KdfParams {
        m_kib: s.m_kib,
        t: s.t,
        p: s.p,
    };
    let salt = check_params(&s.kdf, params, &s.salt)?;
    let nonce = parse_nonce(&s.nonce)?;
    let mut wrapped = [0u8; 32 + TAG_LEN];
    hex::decode_to_slice(&s.wrapped_key, &mut wrapped).map_err(|e| {
        Error::KeySlotDamaged(format!(
            "wrapped key (must be {} bytes): {e}",
            wrapped.len()
        ))
    })?;
    let (ct, tg) = wrapped.split_at(32);
    let mut ciphertext = [0u8; 32];
    ciphertext.copy_from_slice(ct);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(tg);
    Ok(Slots::Passphrase(PassphraseSlot {
        params,
        salt,
        nonce,
        ciphertext,
        tag,
    }))
}

fn parse_people(kdf: KdfV2, people: Vec<PersonSlotV2>) -> Result<Slots> {
    let damaged = |what: String| Error::KeySlotDamaged(what);
    let params = KdfParams {
        m_kib: kdf.m_kib,
        t: kdf.t,
        p: kdf.p,
    };
    let salt = check_params(&kdf.alg, params, &kdf.salt)?;
    if people.is_empty() || people.len() > MAX_PEOPLE {
        return Err(damaged(format!(
            "{} person slots (1 to {MAX_PEOPLE} expected)",
            people.len()
        )));
    }
    let people = people
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let nonce = parse_nonce(&p.nonce)?;
            let wrapped_identity = hex::decode(&p.wrapped_identity)
                .ok()
                .filter(|w| w.len() == IDENTITY_LEN + TAG_LEN)
                .ok_or_else(|| {
                    damaged(format!(
                        "person slot {i}: wrapped identity (must be {} bytes in hex)",
                        IDENTITY_LEN + TAG_LEN
                    ))
                })?;
            let sealed_key = dearmor(&p.sealed_key)
                .map_err(|why| damaged(format!("person slot {i}: sealed key: {why}")))?;
            Ok(PersonSlot {
                nonce,
                wrapped_identity,
                sealed_key,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Slots::People {
        params,
        salt,
        people,
    })
}

impl Kek {
    fn derive(passphrase: &Passphrase, params: KdfParams, salt: &[u8]) -> Result<Kek> {
        Ok(Kek {
            params,
            salt: salt.to_vec(),
            key: derive_kek(passphrase, params, salt)?,
        })
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.key).into())
    }
}

impl PassphraseSlot {
    /// Unseals the data key, or [`Error::WrongPassphrase`].
    fn open(&self, kek: &Kek) -> Result<DataKey> {
        let mut key = Zeroizing::new(self.ciphertext);
        kek.cipher()
            .decrypt_in_place_detached(
                (&self.nonce).into(),
                &aad(VERSION_1, b"passphrase", self.params, &self.salt),
                key.as_mut_slice(),
                (&self.tag).into(),
            )
            .map_err(|_| Error::WrongPassphrase)?;
        Ok(DataKey::from_bytes(*key))
    }
}

impl PersonSlot {
    /// Wraps `identity` under `kek` (fresh nonce) and seals `key` to its recipient.
    fn seal(kek: &Kek, identity: &age::x25519::Identity, key: &DataKey) -> Result<Self> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let secret = identity.to_string();
        let mut wrapped = Zeroizing::new(secret.expose_secret().as_bytes().to_vec());
        if wrapped.len() != IDENTITY_LEN {
            return Err(Error::Crypto("an age identity of unexpected length".into()));
        }
        let tag = kek
            .cipher()
            .encrypt_in_place_detached(
                (&nonce).into(),
                &aad(VERSION, b"person", kek.params, &kek.salt),
                wrapped.as_mut_slice(),
            )
            .map_err(|_| Error::Crypto("wrapping the identity failed".into()))?;
        let mut wrapped_identity = wrapped.to_vec();
        wrapped_identity.extend_from_slice(&tag);
        let sealed_key = age::encrypt(&identity.to_public(), key.expose())
            .map_err(|e| Error::Crypto(format!("sealing the data key failed: {e}")))?;
        Ok(PersonSlot {
            nonce,
            wrapped_identity,
            sealed_key,
        })
    }

    /// The person's identity if `kek` opens this slot, `None` if it does not.
    fn open_identity(&self, kek: &Kek) -> Result<Option<age::x25519::Identity>> {
        let (ciphertext, tag) = self.wrapped_identity.split_at(IDENTITY_LEN);
        let mut plain = Zeroizing::new(ciphertext.to_vec());
        let opened = kek.cipher().decrypt_in_place_detached(
            (&self.nonce).into(),
            &aad(VERSION, b"person", kek.params, &kek.salt),
            plain.as_mut_slice(),
            tag.into(),
        );
        if opened.is_err() {
            return Ok(None);
        }
        let text = std::str::from_utf8(&plain)
            .map_err(|_| Error::KeySlotDamaged("a person slot holds no identity".into()))?;
        text.parse()
            .map(Some)
            .map_err(|_| Error::KeySlotDamaged("a person slot holds no identity".into()))
    }
}

/// A version 1 file for `key` under `passphrase` (the test KDF), as builds before version 2
/// wrote them: for tests that an old profile still opens.
#[cfg(test)]
pub(crate) fn version_1_for_tests(key: &DataKey, passphrase: &Passphrase) -> String {
    let params = KdfParams::FOR_TESTS_ONLY;
    let salt = vec![7u8; SALT_LEN];
    let nonce = [9u8; NONCE_LEN];
    let kek = Kek::derive(passphrase, params, &salt).unwrap();
    let mut ciphertext = *key.expose();
    let tag = kek
        .cipher()
        .encrypt_in_place_detached(
            (&nonce).into(),
            &aad(VERSION_1, b"passphrase", params, &salt),
            &mut ciphertext,
        )
        .unwrap();
    let slots = KeySlots {
        slots: Slots::Passphrase(PassphraseSlot {
            params,
            salt,
            nonce,
            ciphertext,
            tag: tag.into(),
        }),
        recovery: None,
    };
    String::from_utf8(slots.to_bytes()).unwrap()
}

/// Argon2id(passphrase, salt) → 32-byte key-encryption key. Its working
/// memory, which would let anyone who reads it finish the derivation, is
/// zeroized before it is freed.
fn derive_kek(passphrase: &Passphrase, params: KdfParams, salt: &[u8]) -> Result<LockedKey> {
    let argon_params = Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|e| Error::Crypto(format!("Argon2id refused its parameters: {e}")))?;
    let blocks = argon_params.block_count();
    let mut memory: Zeroizing<Vec<Block>> = Zeroizing::new(Vec::new());
    memory.try_reserve_exact(blocks).map_err(|_| {
        Error::Crypto(format!(
            "not enough memory for the key derivation ({} MiB)",
            params.m_kib / 1024
        ))
    })?;
    memory.resize(blocks, Block::default());
    let mut kek = LockedKey::zeroed();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params)
        .hash_password_into_with_memory(
            passphrase.expose(),
            salt,
            kek.as_mut_slice(),
            &mut memory[..],
        )
        .map_err(|e| Error::Crypto(format!("Argon2id failed: {e}")))?;
    Ok(kek)
}

/// Associated data of a wrapped secret: format, version, slot kind, KDF
/// name, parameters and salt, each variable-length field length-prefixed.
/// (Version 1's passphrase slot and version 2's person slots differ in the
/// version and the kind, so neither can be moved into the other.)
fn aad(version: u32, kind: &[u8], params: KdfParams, salt: &[u8]) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, bytes: &[u8]) {
        // Every field here is at most a few dozen bytes.
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::with_capacity(128);
    field(&mut out, FORMAT.as_bytes());
    out.extend_from_slice(&version.to_be_bytes());
    field(&mut out, kind);
    field(&mut out, KDF_ALG.as_bytes());
    out.extend_from_slice(&params.m_kib.to_be_bytes());
    out.extend_from_slice(&params.t.to_be_bytes());
    out.extend_from_slice(&params.p.to_be_bytes());
    field(&mut out, salt);
    out
}
/// Creates `path` (which must not exist), writes `bytes` and syncs them.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Windows cannot open a folder as a file; NTFS journals the rename itself.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

const ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END: &str = "-----END AGE ENCRYPTED FILE-----";
const ARMOR_COLUMNS: usize = 64;
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// age's ASCII armor (strict PEM: padded base64, 64 columns, LF).
fn armor(bytes: &[u8]) -> String {
    let b64 = base64_encode(bytes);
    let mut out = String::with_capacity(b64.len() + b64.len() / ARMOR_COLUMNS + 80);
    out.push_str(ARMOR_BEGIN);
    out.push('\n');
    for line in b64.as_bytes().chunks(ARMOR_COLUMNS) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(ARMOR_END);
    out.push('\n');
    out
}

/// Reads armor written by [`armor`], exactly: anything else is refused, and
/// the content must look like an age file.
fn dearmor(text: &str) -> std::result::Result<Vec<u8>, &'static str> {
    if text.len() > MAX_RECOVERY_LEN * 2 {
        return Err("too large");
    }
    let body = text
        .strip_prefix(ARMOR_BEGIN)
        .and_then(|t| t.strip_prefix('\n'))
        .and_then(|t| t.strip_suffix('\n'))
        .and_then(|t| t.strip_suffix(ARMOR_END))
        .ok_or("not age armor")?;
    let b64: String = body.split('\n').collect();
    let bytes = base64_decode(&b64).ok_or("invalid base64")?;
    if armor(&bytes) != text {
        return Err("not canonical age armor");
    }
    if bytes.len() > MAX_RECOVERY_LEN || !bytes.starts_with(AGE_MAGIC) {
        return Err("not an age file");
    }
    age::Decryptor::new_buffered(&bytes[..]).map_err(|_| "not a valid age file")?;
    Ok(bytes)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let mut padded = [0u8; 3];
        padded[..group.len()].copy_from_slice(group);
        let n = u32::from(padded[0]) << 16 | u32::from(padded[1]) << 8 | u32::from(padded[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard padded base64. Non-zero padding bits are not rejected
/// here; [`dearmor`] rejects them by re-encoding.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        BASE64.iter().position(|&b| b == c).map(|v| v as u32)
    }
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let groups = text.len() / 4;
    let mut out = Vec::with_capacity(groups * 3);
    for (i, group) in text.chunks(4).enumerate() {
        let pad = group.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != groups) {
            return None;
        }
        let mut n = 0u32;
        for &c in &group[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad;
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Some(out)
}

/// Just enough of a file to say what it is.
#[derive(Deserialize)]
struct Probe {
    format: String,
    version: u64,
}

/// The file, version 1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    format: String,
    version: u32,
    passphrase: PassphraseSlotV1,
    recovery: Option<RecoverySlotV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassphraseSlotV1 {
    kdf: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
    nonce: String,
    wrapped_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoverySlotV1 {
    age: String,
}

/// The file, version 2.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV2 {
    format: String,
    version: u32,
    kdf: KdfV2,
    people: Vec<PersonSlotV2>,
    recovery: Option<RecoverySlotV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfV2 {
    alg: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonSlotV2 {
    nonce: String,
    wrapped_identity: String,
    sealed_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;
    use serde_json::{json, Value};

    const FAST: KdfParams = KdfParams::FOR_TESTS_ONLY;

    fn pass(s: &str) -> Passphrase {
        Passphrase::new(s.into())
    }

    fn is_damaged(r: &Result<impl fmt::Debug>) -> bool {
        matches!(r, Err(Error::KeySlotDamaged(_)))
    }

    /// The file as JSON, edited by `edit`, parsed back (the parse may fail).
    fn edited(slots: &KeySlots, edit: impl FnOnce(&mut Value)) -> Result<KeySlots> {
        let mut v: Value = serde_json::from_slice(&slots.to_bytes()).unwrap();
        edit(&mut v);
        KeySlots::from_bytes(&serde_json::to_vec(&v).unwrap())
    }

    #[test]
    fn create_then_unlock_round_trips() {
        let key = DataKey::generate();
        let slots = KeySlots::create(&key, &pass("correct horse"), FAST).unwrap();
        assert_eq!(
            slots.unlock(&pass("correct horse")).unwrap().expose(),
            key.expose()
        );
        assert_eq!(slots.kdf_params(), FAST);
        assert!(!slots.has_recovery());

        let again = KeySlots::from_bytes(&slots.to_bytes()).unwrap();
        assert_eq!(again, slots);
        assert_eq!(
            again.unlock(&pass("correct horse")).unwrap().expose(),
            key.expose()
        );
    }

    #[test]
    fn a_wrong_passphrase_is_refused() {
        let slots = KeySlots::create(&DataKey::generate(), &pass("correct horse"), FAST).unwrap();
        for wrong in ["correct hors", "Correct horse", "correct horse\n", ""] {
            assert!(
                matches!(slots.unlock(&pass(wrong)), Err(Error::WrongPassphrase)),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn unicode_and_empty_passphrases_work() {
        let key = DataKey::generate();
        for p in ["ពាក្យសម្ងាត់", ""] {
            let slots = KeySlots::create(&key, &pass(p), FAST).unwrap();
            assert_eq!(slots.unlock(&pass(p)).unwrap().expose(), key.expose());
        }
    }

    #[test]
    fn each_edited_field_makes_unlock_fail() {
        let slots = KeySlots::create(&DataKey::generate(), &pass("pw"), FAST).unwrap();
        let file: Value = serde_json::from_slice(&slots.to_bytes()).unwrap();
        let flip = |section: &str, field: &str, at: usize| {
            let v = if section == "kdf" {
                &file["kdf"][field]
            } else {
                &file["people"][0][field]
            };
            let mut b = hex::decode(v.as_str().unwrap()).unwrap();
            b[at] ^= 1;
            json!(hex::encode(b))
        };
        let longer_salt = json!(format!("{}00", file["kdf"]["salt"].as_str().unwrap()));
        let edits = [
            ("kdf", "m_kib", json!(8193)),
            ("kdf", "m_kib", json!(4096)),
            ("kdf", "m_kib", json!(u32::MAX)),
            ("kdf", "m_kib", json!("8192")),
            ("kdf", "t", json!(2)),
            ("kdf", "t", json!(0)),
            ("kdf", "t", json!(1000)),
            ("kdf", "p", json!(2)),
            ("kdf", "p", json!(0)),
            ("kdf", "p", json!(1 << 20)),
            ("kdf", "alg", json!("argon2i")),
            ("kdf", "salt", flip("kdf", "salt", 0)),
            ("kdf", "salt", longer_salt),
            ("kdf", "salt", json!("00112233")),
            ("kdf", "note", json!("x")),
            ("person", "nonce", flip("person", "nonce", 23)),
            (
                "person",
                "wrapped_identity",
                flip("person", "wrapped_identity", 0),
            ),
            (
                "person",
                "wrapped_identity",
                flip("person", "wrapped_identity", 89),
            ), // the tag
            ("person", "wrapped_identity", json!("00")),
            ("person", "sealed_key", json!("")),
            ("person", "note", json!("x")),
            ("", "people", json!([])),
            ("", "version", json!(3)),
            ("", "version", json!(0)),
            ("", "version", json!(1)),
            ("", "format", json!("fieldcase-keyslot")),
            ("", "note", json!("x")),
        ];
        for (section, field, value) in edits {
            let what = format!("{section}.{field} = {value}");
            let parsed = edited(&slots, |v| match section {
                "" => v[field] = value,
                "kdf" => v["kdf"][field] = value,
                _ => v["people"][0][field] = value,
            });
            match parsed {
                Err(Error::KeySlotDamaged(_)) => {}
                Err(e) => panic!("{what}: unexpected parse error {e:?}"),
                Ok(bad) => {
                    let r = bad.unlock(&pass("pw"));
                    assert!(
                        matches!(
                            r,
                            Err(Error::WrongPassphrase) | Err(Error::KeySlotDamaged(_))
                        ),
                        "{what}: unlocked an edited slot: {r:?}"
                    );
                }
            }
        }
    }

    /// A version 1 file's slot, edited: refused as before.
    #[test]
    fn each_edited_field_of_a_version_1_file_makes_unlock_fail() {
        let slots = KeySlots::from_bytes(PINNED_V1.as_bytes()).unwrap();
        let file: Value = serde_json::from_slice(&slots.to_bytes()).unwrap();
        let slot = &file["passphrase"];
        let flip = |field: &str, at: usize| {
            let mut b = hex::decode(slot[field].as_str().unwrap()).unwrap();
            b[at] ^= 1;
            json!(hex::encode(b))
        };
        let edits = [
            ("m_kib", json!(8193)),
            ("t", json!(2)),
            ("p", json!(2)),
            ("kdf", json!("argon2i")),
            ("salt", flip("salt", 0)),
            ("nonce", flip("nonce", 23)),
            ("wrapped_key", flip("wrapped_key", 0)),
            ("wrapped_key", flip("wrapped_key", 47)),
            ("note", json!("x")),
        ];
        for (field, value) in edits {
            let parsed = edited(&slots, |v| v["passphrase"][field] = value.clone());
            if let Ok(bad) = parsed {
                let r = bad.unlock(&pass("pinned passphrase"));
                assert!(
                    matches!(
                        r,
                        Err(Error::WrongPassphrase) | Err(Error::KeySlotDamaged(_))
                    ),
                    "{field} = {value}: {r:?}"
                );
            }
        }
    }

    #[test]
    fn out_of_bounds_parameters_are_refused_before_the_kdf() {
        let slots = KeySlots::create(&DataKey::generate(), &pass("pw"), FAST).unwrap();
        for (m, t, p) in [
            (8191, 1, 1),
            (0, 1, 1),
            (8192, 0, 1),
            (8192, 1, 0),
            (MAX_M_KIB + 1, 1, 1),
            (8192, MAX_T + 1, 1),
            (8192, 1, MAX_P + 1),
            (MAX_M_KIB, 8, 4), // 32 GiB of work
        ] {
            let r = edited(&slots, |v| {
                v["kdf"]["m_kib"] = json!(m);
                v["kdf"]["t"] = json!(t);
                v["kdf"]["p"] = json!(p);
            });
            assert!(is_damaged(&r), "({m}, {t}, {p}) accepted");
            // Also refused by unlock itself, if such a slot were ever built.
            let mut forged = slots.clone();
            if let Slots::People { params, .. } = &mut forged.slots {
                *params = KdfParams { m_kib: m, t, p };
            }
            assert!(
                is_damaged(&forged.unlock(&pass("pw"))),
                "({m}, {t}, {p}) unlocked"
            );
        }
        // And never used to create a slot.
        let weak = KdfParams {
            m_kib: 1024,
            t: 1,
            p: 1,
        };
        let r = KeySlots::create(&DataKey::generate(), &pass("pw"), weak);
        assert!(matches!(r, Err(Error::Crypto(_))));
    }

    #[test]
    fn the_release_floor_is_64_mib_and_3_passes() {
        assert!(KdfParams::FOR_TESTS_ONLY.below_release_floor());
        assert!(!KdfParams::DEFAULT.below_release_floor());
        assert!(!KdfParams::RELEASE_FLOOR.below_release_floor());
        for weak in [
            KdfParams {
                m_kib: 64 * 1024 - 1,
                t: 3,
                p: 4,
            },
            KdfParams {
                m_kib: 256 * 1024,
                t: 2,
                p: 4,
            },
        ] {
            assert!(weak.below_release_floor(), "{weak:?}");
            assert_eq!(weak.refused_for_new_slot(true), None);
            let refused = weak.refused_for_new_slot(false).unwrap();
            assert!(refused.contains("64 MiB and 3 passes"), "{refused}");
        }
        assert_eq!(KdfParams::DEFAULT.refused_for_new_slot(false), None);
        assert!(KdfParams {
            m_kib: 1024,
            t: 3,
            p: 1
        }
        .refused_for_new_slot(true)
        .is_some());
        assert_eq!(
            WEAK_KDF_ALLOWED,
            cfg!(debug_assertions) || cfg!(feature = "insecure-test-kdf")
        );
    }

    #[test]
    fn malformed_files_are_damaged() {
        let good = KeySlots::create(&DataKey::generate(), &pass("pw"), FAST)
            .unwrap()
            .to_bytes();
        let mut cases: Vec<(String, Vec<u8>)> = vec![
            ("empty".into(), vec![]),
            ("whitespace".into(), b"  \n".to_vec()),
            ("garbage".into(), b"\x00\xff\x13 not json".to_vec()),
            ("json array".into(), b"[1,2,3]".to_vec()),
            ("json null".into(), b"null".to_vec()),
            (
                "other json".into(),
                br#"{"format":"x","version":1}"#.to_vec(),
            ),
            (
                "no passphrase slot".into(),
                br#"{"format":"fieldcase-keyslots","version":1}"#.to_vec(),
            ),
            ("huge".into(), vec![b' '; MAX_FILE_LEN + 1]),
        ];
        for cut in [1, 10, good.len() / 2, good.len() - 3] {
            cases.push((format!("truncated at {cut}"), good[..cut].to_vec()));
        }
        let mut duplicated = String::from_utf8(good.clone()).unwrap();
        duplicated = duplicated.replacen("\"version\": 2,", "\"version\": 2, \"version\": 2,", 1);
        cases.push(("duplicate field".into(), duplicated.into_bytes()));
        for (what, bytes) in cases {
            assert!(is_damaged(&KeySlots::from_bytes(&bytes)), "{what} accepted");
        }
        assert!(KeySlots::from_bytes(&good).is_ok());
    }

    /// What a passphrase change builds: a new file for a new key. Each has its own salt,
    /// nonce and identity, even for the same passphrase and key.
    #[test]
    fn each_file_has_fresh_salt_nonce_and_identity() {
        let key = DataKey::generate();
        let a = KeySlots::create(&key, &pass("old"), FAST).unwrap();
        let b = KeySlots::create(&key, &pass("old"), FAST).unwrap();
        let (
            Slots::People {
                salt: sa,
                people: pa,
                ..
            },
            Slots::People {
                salt: sb,
                people: pb,
                ..
            },
        ) = (&a.slots, &b.slots)
        else {
            panic!("version 2 files expected");
        };
        assert_ne!(sa, sb);
        assert_ne!(pa[0].nonce, pb[0].nonce);
        assert_ne!(pa[0].wrapped_identity, pb[0].wrapped_identity);
        assert_ne!(pa[0].sealed_key, pb[0].sealed_key);
        assert_eq!(a.version(), 2);
        let params = KdfParams {
            m_kib: 9 * 1024,
            t: 2,
            p: 2,
        };
        let c = KeySlots::create(&key, &pass("new"), params).unwrap();
        assert_eq!(c.kdf_params(), params);
        assert!(matches!(
            c.unlock(&pass("old")),
            Err(Error::WrongPassphrase)
        ));
        assert_eq!(c.unlock(&pass("new")).unwrap().expose(), key.expose());
    }

    /// Several person slots under one salt: one key derivation opens whichever slot the
    /// passphrase is for, and each slot's data key is the same one.
    #[test]
    fn one_kdf_run_serves_every_person_slot() {
        let key = DataKey::generate();
        let mut slots = KeySlots::create(&key, &pass("ស្រីពៅ first"), FAST).unwrap();
        let Slots::People {
            params,
            salt,
            people,
        } = &mut slots.slots
        else {
            panic!("version 2 expected");
        };
        for other in ["second person", "third person"] {
            let kek = Kek::derive(&pass(other), *params, salt).unwrap();
            people.push(PersonSlot::seal(&kek, &age::x25519::Identity::generate(), &key).unwrap());
        }
        let slots = KeySlots::from_bytes(&slots.to_bytes()).unwrap();
        for who in ["ស្រីពៅ first", "second person", "third person"] {
            assert_eq!(
                slots.unlock(&pass(who)).unwrap().expose(),
                key.expose(),
                "{who}"
            );
        }
        assert!(matches!(
            slots.unlock(&pass("fourth")),
            Err(Error::WrongPassphrase)
        ));
    }

    /// The current file and a pending one of an unfinished change: each opens with its own
    /// passphrase; the same salt means one derivation for both.
    #[test]
    fn unlock_each_opens_the_files_the_passphrase_is_for() {
        let old_key = DataKey::generate();
        let new_key = DataKey::generate();
        let current = KeySlots::create(&old_key, &pass("old"), FAST).unwrap();
        let pending = KeySlots::create(&new_key, &pass("new"), FAST).unwrap();
        let v1 = KeySlots::from_bytes(PINNED_V1.as_bytes()).unwrap();
        let keys = KeySlots::unlock_each(&[&current, &pending], &pass("old")).unwrap();
        assert_eq!(keys[0].as_ref().unwrap().expose(), old_key.expose());
        assert!(keys[1].is_none());
        let keys = KeySlots::unlock_each(&[&v1, &pending], &pass("new")).unwrap();
        assert!(keys[0].is_none());
        assert_eq!(keys[1].as_ref().unwrap().expose(), new_key.expose());
        let keys = KeySlots::unlock_each(&[&v1, &pending], &pass("pinned passphrase")).unwrap();
        assert_eq!(keys[0].as_ref().unwrap().expose(), &[0x5a; 32]);
        assert!(keys[1].is_none());
        let none = KeySlots::unlock_each(&[&current, &pending], &pass("neither")).unwrap();
        assert!(none.iter().all(Option::is_none));
    }

    #[test]
    fn the_recovery_slot_opens_with_the_office_identity_only() {
        let key = DataKey::generate();
        let office = age::x25519::Identity::generate();
        let recipient = office.to_public().to_string();
        let mut slots = KeySlots::create(&key, &pass("pw"), FAST).unwrap();
        slots.set_recovery(&key, &format!("{recipient}\n")).unwrap();
        assert!(slots.has_recovery());

        let slots = KeySlots::from_bytes(&slots.to_bytes()).unwrap();
        assert!(slots.has_recovery());
        let office_secret = office.to_string();
        let recovered = slots.recover(office_secret.expose_secret()).unwrap();
        assert_eq!(recovered.expose(), key.expose());
        let key_file = format!(
            "# created: 2026-01-01T00:00:00Z\n# public key: {recipient}\n{}\n",
            office_secret.expose_secret()
        );
        assert_eq!(slots.recover(&key_file).unwrap().expose(), key.expose());
        // The person slot is untouched.
        assert_eq!(slots.unlock(&pass("pw")).unwrap().expose(), key.expose());

        let stranger = age::x25519::Identity::generate().to_string();
        assert!(matches!(
            slots.recover(stranger.expose_secret()),
            Err(Error::Crypto(_))
        ));
        assert!(matches!(
            slots.recover("AGE-SECRET-KEY-1NOPE"),
            Err(Error::Crypto(_))
        ));
        assert!(matches!(slots.recover(&recipient), Err(Error::Crypto(_))));
    }

    #[test]
    fn recovery_needs_a_slot_and_a_valid_recipient() {
        let key = DataKey::generate();
        let mut slots = KeySlots::create(&key, &pass("pw"), FAST).unwrap();
        let office = age::x25519::Identity::generate();
        assert!(matches!(
            slots.recover(office.to_string().expose_secret()),
            Err(Error::Crypto(_))
        ));
        for bad in [
            "",
            "age1notakey",
            "ssh-ed25519 AAAAC3Nz",
            office.to_string().expose_secret(),
        ] {
            match slots.set_recovery(&key, bad) {
                Err(Error::Invalid(v)) => {
                    assert_eq!(v.field, "recipient");
                    assert!(v.rule.contains("age1"), "{v}");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(!slots.has_recovery());
    }

    #[test]
    fn an_edited_recovery_slot_is_refused() {
        let key = DataKey::generate();
        let office = age::x25519::Identity::generate();
        let mut slots = KeySlots::create(&key, &pass("pw"), FAST).unwrap();
        slots
            .set_recovery(&key, &office.to_public().to_string())
            .unwrap();
        let armored = {
            let v: Value = serde_json::from_slice(&slots.to_bytes()).unwrap();
            v["recovery"]["age"].as_str().unwrap().to_owned()
        };
        let body_at = ARMOR_BEGIN.len() + 1;
        // A changed base64 character anywhere in the body: refused on parse
        // or on recovery, never recovered.
        for at in (body_at..armored.len() - ARMOR_END.len() - 1).step_by(7) {
            let mut bad = armored.clone().into_bytes();
            if bad[at] == b'\n' || bad[at] == b'=' {
                continue;
            }
            bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(bad).unwrap();
            match edited(&slots, |v| v["recovery"]["age"] = json!(bad)) {
                Err(Error::KeySlotDamaged(_)) => {}
                Err(e) => panic!("at {at}: {e:?}"),
                Ok(s) => {
                    let r = s.recover(office.to_string().expose_secret());
                    assert!(
                        matches!(r, Err(Error::KeySlotDamaged(_)) | Err(Error::Crypto(_))),
                        "at {at}: {r:?}"
                    );
                }
            }
        }
        for bad in [
            "",
            "hello",
            &armored.replace('\n', "\r\n"),
            &armored[..armored.len() - 1],
        ] {
            assert!(
                is_damaged(&edited(&slots, |v| v["recovery"]["age"] = json!(bad))),
                "{bad:?}"
            );
        }
        // A well-formed age file that holds something other than a 32-byte key.
        let not_a_key = age::encrypt(&office.to_public(), b"short").unwrap();
        let s = edited(&slots, |v| v["recovery"]["age"] = json!(armor(&not_a_key))).unwrap();
        assert!(is_damaged(&s.recover(office.to_string().expose_secret())));
    }

    #[test]
    fn the_recovery_slot_is_plain_age_armor() {
        let key = DataKey::from_bytes([0x42; 32]);
        let office = age::x25519::Identity::generate();
        let mut slots = KeySlots::create(&key, &pass("pw"), FAST).unwrap();
        slots
            .set_recovery(&key, &office.to_public().to_string())
            .unwrap();
        let v: Value = serde_json::from_slice(&slots.to_bytes()).unwrap();
        let armored = v["recovery"]["age"].as_str().unwrap();
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
        assert!(armored.ends_with("\n-----END AGE ENCRYPTED FILE-----\n"));
        // age's own decrypt, with no Fieldcase code in between.
        let plain = age::decrypt(
            &office,
            &base64_decode(
                &armored
                    .lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(plain, [0x42; 32]);
    }

    #[test]
    fn base64_matches_rfc4648() {
        let vectors: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_encode(plain), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain);
        }
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "=Zm9"] {
            assert!(base64_decode(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn write_atomic_then_read_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keyslots.json");
        assert!(matches!(
            KeySlots::read(&path),
            Err(Error::KeySlotDamaged(msg)) if msg.contains("missing")
        ));

        let key = DataKey::generate();
        let slots = KeySlots::create(&key, &pass("pw"), FAST).unwrap();
        slots.write_atomic(&path).unwrap();
        assert_eq!(KeySlots::read(&path).unwrap(), slots);
        assert_eq!(
            KeySlots::read_if_present(&path).unwrap(),
            Some(slots.clone())
        );
        assert_eq!(
            KeySlots::read_if_present(&dir.path().join("none")).unwrap(),
            None
        );

        // Overwrite in place: the new file replaces the old, no leftovers.
        let slots = KeySlots::create(&key, &pass("new"), FAST).unwrap();
        slots.write_atomic(&path).unwrap();
        let back = KeySlots::read(&path).unwrap();
        assert_eq!(back.unlock(&pass("new")).unwrap().expose(), key.expose());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["keyslots.json"]);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        fs::write(&path, b"{").unwrap();
        assert!(is_damaged(&KeySlots::read(&path)));
        fs::write(&path, vec![b' '; MAX_FILE_LEN * 2]).unwrap();
        assert!(is_damaged(&KeySlots::read(&path)));
    }

    #[test]
    fn write_atomic_into_a_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("keyslots.json");
        let slots = KeySlots::create(&DataKey::generate(), &pass("pw"), FAST).unwrap();
        assert!(matches!(slots.write_atomic(&path), Err(Error::Io { .. })));
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = DataKey::generate();
        let office = age::x25519::Identity::generate();
        let mut slots = KeySlots::create(&key, &pass("hunter2"), FAST).unwrap();
        slots
            .set_recovery(&key, &office.to_public().to_string())
            .unwrap();
        let shown = format!("{slots:?} {slots:#?}");
        assert!(shown.contains("recovery: true"), "{shown}");
        let Slots::People { salt, people, .. } = &slots.slots else {
            panic!("version 2 expected");
        };
        for secret in [
            hex::encode(key.expose()),
            hex::encode(salt),
            hex::encode(people[0].nonce),
            hex::encode(&people[0].wrapped_identity),
            "hunter2".into(),
        ] {
            assert!(!shown.contains(&secret), "{shown}");
        }
        assert!(!shown.contains("AGE"));
    }

    /// A file written by this build, pinned: a later change to the format or
    /// the associated data that would lock people out of their profiles
    /// fails here.
    #[test]
    fn a_pinned_version_1_file_still_unlocks() {
        let slots = KeySlots::from_bytes(PINNED_V1.as_bytes()).unwrap();
        assert_eq!(slots.kdf_params(), FAST);
        assert_eq!(
            slots.unlock(&pass("pinned passphrase")).unwrap().expose(),
            &[0x5a; 32]
        );
        assert_eq!(slots.recover(PINNED_OFFICE).unwrap().expose(), &[0x5a; 32]);
        assert_eq!(String::from_utf8(slots.to_bytes()).unwrap(), PINNED_V1);
    }

    /// A version 2 file written by this build, pinned like [`PINNED_V1`]: one person, one
    /// recovery slot to [`PINNED_OFFICE`].
    #[test]
    fn a_pinned_version_2_file_still_unlocks() {
        let slots = KeySlots::from_bytes(PINNED_V2.as_bytes()).unwrap();
        assert_eq!((slots.version(), slots.kdf_params()), (2, FAST));
        assert_eq!(
            slots.unlock(&pass("pinned ពាក្យសម្ងាត់ v2")).unwrap().expose(),
            &[0x6b; 32]
        );
        assert!(matches!(
            slots.unlock(&pass("pinned ពាក្យសម្ងាត់ v1")),
            Err(Error::WrongPassphrase)
        ));
        assert_eq!(slots.recover(PINNED_OFFICE).unwrap().expose(), &[0x6b; 32]);
        assert_eq!(String::from_utf8(slots.to_bytes()).unwrap(), PINNED_V2);
    }

    const PINNED_V2: &str = r#"{
  "format": "fieldcase-keyslots",
  "version": 2,
  "kdf": {
    "alg": "argon2id",
    "m_kib": 8192,
    "t": 1,
    "p": 1,
    "salt": "2968462dc64bc577037cd7bbec47a8fa"
  },
  "people": [
    {
      "nonce": "4a0ac9190c2fd5b3c1b97aef7f8f421752792a6a89858105",
      "wrapped_identity": "b1442f3165038a6c2af9e5d91de80117a340b7c5e151a16dd637178fa9a53146a95945dee1df56e0ddd9d344e2f2ef6b5599fc378180068ae34d4813d17af478b062d6c048cc8a670228c1e94652f0c876616783101824af1436",
      "sealed_key": "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBZTHVodm04UW9hRVpVQVVF\naDA3Vkl2RWZqVFowaitRSDU0REVSZThRbWtJCkEweWR6WjZOT2RWaTNYcTcwa3Fw\naFJOeHl4YkpBWVlVR0cxdlU0RXBPbUkKLT4gMmg5Ii1ncmVhc2UgLyxqbVleJCA3\nU0gKQ3FZRGdyUkp6RUNIYUZzR3FCOAotLS0gVU05cmt1Q3RXMkZ1Snh1VUVDUGJO\ncy9Ma0xDM1EwSTRKMXhvOEsySENZbwpCpTszN0j7O111wie0L8KCfvnAv5KJH9/n\nyVHDAwJls/uM2WJiOye9RWBZ5beSmWdQh5CFMwn50UTMXSIvDaV5\n-----END AGE ENCRYPTED FILE-----\n"
    }
  ],
  "recovery": {
    "age": "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSB6MXhmT0Izc0EyWlZ4d0ND\nZVdpZjlJWVRjQmlNRUVNWXJPZTl3bU80Q0hNClpabVZ4WEsrUkRzeDNJVDBjd0hv\nWjVaQnlSZzJ1M2hNWGhMYmFacUIzbTAKLT4gZEktZ3JlYXNlIHFTUjo0IDhjKCBY\ncSYgQnEneXJsVDEKREJvNmFXTzQwdwotLS0gYnE1aWQxeEdmUmNkV0hyWW8rc2s5\nS1h6WjBlSHdnQVN2d1dXVDZHZ2Q4bwocVi1xaGDkg+LRIHf/LyG27YF4KDkIGCpw\ndPPWxO6bFM77KoOtiCCHpVuYFqBHbSSnY8WvfO/oj7pVTX35wGn0\n-----END AGE ENCRYPTED FILE-----\n"
  }
}
"#;

    const PINNED_V1: &str = r#"{
  "format": "fieldcase-keyslots",
  "version": 1,
  "passphrase": {
    "kdf": "argon2id",
    "m_kib": 8192,
    "t": 1,
    "p": 1,
    "salt": "8c6b85d2af8903e7f803750dfaf31bca",
    "nonce": "aa3ed27da437e553f5c04a61dfcb671f5de1ae666d66d5c1",
    "wrapped_key": "54b8e13dcae7e3d7bedc92fde7257bdf38b9c36f8541de0e9380305ce177fbb014864158cbfb1de561fa5afdb704dff2"
  },
  "recovery": {
    "age": "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBCMDNnc05UWDJKV2lJVmdk\nMFdFNE82cUNiVklQRWVNK21NSFkyMnpVZWxFCnAwZ3ZLZk5Ealc0by9IT2pYVjNZ\nWml1N2pEUVNQdzlMc3pZOWs5Ty9JcmMKLT4gKi1ncmVhc2UgSG8gTiYgeG5McXN9\naFIKbXFsbERERFNwdElCWTdQdy9IRXp5Z205WGRReVJRCi0tLSBQM3REMmdWTEZ2\nVGVyaVBsS1dzdjBSLzF6c1QzY3NhZkFNNEtLT05oWjJjCnz/kfTnH9hfNxolRy5n\n1FSRUAOE10vwD0IQs2hwVMfCbueU3NnXNP3T/SBosCYjSE7MVZS3PG4DtlYXH+Gv\nwBw=\n-----END AGE ENCRYPTED FILE-----\n"
  }
}
"#;

    /// A slot with four lanes and three passes, written by the build that used
    /// `argon2` 0.5 (lanes one after another). The lanes now run in parallel;
    /// this proves the derivation is the same, so existing profiles still open.
    #[test]
    fn a_pinned_four_lane_slot_still_unlocks() {
        let slots = KeySlots::from_bytes(PINNED_FOUR_LANES.as_bytes()).unwrap();
        assert_eq!(
            slots.kdf_params(),
            KdfParams {
                m_kib: 8192,
                t: 3,
                p: 4
            }
        );
        assert_eq!(
            slots.unlock(&pass("ពាក្យសម្ងាត់ four lanes")).unwrap().expose(),
            &[0x3c; 32]
        );
        assert!(matches!(
            slots.unlock(&pass("ពាក្យសម្ងាត់ four lane")),
            Err(Error::WrongPassphrase)
        ));
    }

    /// Argon2id at [`KdfParams::DEFAULT`] (256 MiB, t = 3, p = 4), output
    /// pinned from the `argon2` 0.5 build (sequential lanes).
    #[test]
    fn the_default_kdf_output_is_pinned() {
        let kek = derive_kek(
            &pass("ពាក្យសម្ងាត់ four lanes"),
            KdfParams::DEFAULT,
            b"fieldcase-salt16",
        )
        .unwrap();
        assert_eq!(
            hex::encode(kek.as_slice()),
            "99eca5e5b6d33f2b4db1b21bc64a1ced2c4ecad3d7a9e58b4ea3df27ba963667"
        );
    }

    const PINNED_FOUR_LANES: &str = r#"{
  "format": "fieldcase-keyslots",
  "version": 1,
  "passphrase": {
    "kdf": "argon2id",
    "m_kib": 8192,
    "t": 3,
    "p": 4,
    "salt": "2502875eac1d1c022b975d8b76600c70",
    "nonce": "28b7fa5f4bbaab5dda5cc5858a97bfdc3ce1c19d7901608e",
    "wrapped_key": "607e54f5749a95e4937905915c5d2e26377fa15f069a748a6126a1bb7c2b952bba1562199fc75a9664e8d76bd6470f01"
  },
  "recovery": null
}
"#;

    /// The office identity of [`PINNED_V1`]'s recovery slot (a test key).
    /// `age -d -i` with it opens the slot's armor too.
    const PINNED_OFFICE: &str =
        "AGE-SECRET-KEY-1AXEFQVJ5LWACKFUL8E8V96A22CQUL3CPZFEVQG266LNWGAW8UP8SQ7Q4G8";

    /// Times an unlock with the default parameters (prints, does not assert).
    #[test]
    fn default_params_timing() {
        let key = DataKey::generate();
        let started = std::time::Instant::now();
        let slots = KeySlots::create(&key, &pass("timing"), KdfParams::DEFAULT).unwrap();
        let created = started.elapsed();
        let started = std::time::Instant::now();
        let unlocked = slots.unlock(&pass("timing")).unwrap();
        let unlocked_in = started.elapsed();
        assert_eq!(unlocked.expose(), key.expose());
        println!(
            "Argon2id default ({} MiB, t={}, p={}): create {created:?}, unlock {unlocked_in:?}",
            KdfParams::DEFAULT.m_kib / 1024,
            KdfParams::DEFAULT.t,
            KdfParams::DEFAULT.p
        );
    }
}
