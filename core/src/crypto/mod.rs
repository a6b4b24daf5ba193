//! The core's own cryptography, kept in one place so it can be read and
//! reviewed as a whole.
//!
//! A laptop taken in the field must give away nothing. Everything a profile
//! holds is encrypted under one random data key: SQLCipher encrypts the
//! database with it, and this module does the rest.
//!
//! - [`keyslot`]: the key-slot file beside the database, which keeps the data
//!   key wrapped under the passphrase (Argon2id, XChaCha20-Poly1305) and,
//!   optionally, to the office's age recovery key.
//! - [`stream`]: attachments encrypted at rest in 64 KiB chunks, so a
//!   recording of any size streams through without ever sitting whole in
//!   memory, and any change, cut or addition to the file is detected;
//!   [`subkey`] derives each use's own key from the data key.
//! - [`signing`]: the device's Ed25519 signing key, generated, stored and
//!   used to sign bundles and receipts in minisign's format, held only in
//!   types that zeroize (the `minisign` crate verifies; it never holds the
//!   secret).
//!
//! Everything here is a thin layer over audited libraries (RustCrypto, age,
//! ed25519-dalek, and OpenSSL's ChaCha20-Poly1305 for attachment chunks, in
//! `chunk`); nothing implements a primitive.

mod chunk;
pub mod keyslot;
pub mod signing;
pub mod stream;

pub use keyslot::{KdfParams, KeySlots, WEAK_KDF_ALLOWED};
pub use stream::{sealed_len, subkey, DecryptingReader, EncryptingWriter, RangeReader};
