//! Secrets in types that zeroize on drop and never print.
//!
//! A passphrase and the store's data key must not outlive their use, and must
//! not show up in a log line or a panic message by accident: `Debug` and
//! `Display` print `[redacted]`.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::Error;

/// The fewest characters a new passphrase may have: the window's minimum
/// (`MIN_PASSPHRASE_CHARS` in `ui/src/lib/config.ts`), enforced here so that the CLI and
/// anything else built on the core cannot set a shorter one. Counted in Unicode scalar
/// values, as the window counts them (`Array.from(text).length`), so Khmer counts fairly.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// A passphrase typed by a person. Zeroized on drop; prints as `[redacted]`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps a passphrase. Trailing newline characters (from a file or a pipe) are kept;
    /// callers that read a line strip it first.
    pub fn new(text: String) -> Self {
        Passphrase(text)
    }

    /// The passphrase's bytes, for the key derivation function only.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether the passphrase is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks a passphrase about to be set (a new profile, a change, a recovery): at least
    /// [`MIN_PASSPHRASE_CHARS`] characters, else [`Error::PassphraseTooShort`]. An existing
    /// profile's passphrase is never checked again: it still opens what it opened.
    pub fn check_new(&self) -> Result<(), Error> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::PassphraseTooShort {
                min_chars: MIN_PASSPHRASE_CHARS,
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The random 256-bit key that opens a profile's database and its attachments.
/// Zeroized on drop; prints as `[redacted]`. It lives in a memory page of its own, locked in
/// RAM where the system allows ([`LockedKey`]), so it is never written to swap.
pub struct DataKey(LockedKey);

impl DataKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut key = LockedKey::zeroed();
        rand::rngs::OsRng.fill_bytes(key.as_mut_slice());
        DataKey(key)
    }

    /// Wraps key bytes recovered from a key slot (the caller's copy is the caller's to wipe).
    pub fn from_bytes(mut bytes: [u8; 32]) -> Self {
        let mut key = LockedKey::zeroed();
        *key = bytes;
        bytes.zeroize();
        DataKey(key)
    }

    /// Takes key bytes already in a locked page.
    pub fn from_locked(key: LockedKey) -> Self {
        DataKey(key)
    }

    /// The raw key bytes.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as SQLCipher's raw-key literal `x'…'`, in a buffer zeroized on drop.
    pub fn sqlcipher_literal(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        s.push_str(&hex::encode(self.expose()));
        s.push('\'');
        s
    }

    /// Whether the key's page is locked in RAM (it may not be where the system refuses).
    pub fn is_locked_in_memory(&self) -> bool {
        self.0.is_locked_in_memory()
    }
}

impl Clone for DataKey {
    fn clone(&self) -> Self {
        DataKey(self.0.clone())
    }
}

/// One whole page, aligned to a page, so nothing else shares it: unlocking it on drop can
/// release no other lock (SQLCipher mlocks its own allocations, and munlock is not counted).
#[repr(C, align(4096))]
struct Page {
    key: [u8; 32],
    _rest: [u8; 4096 - 32],
}

/// A 256-bit key (the data key, a key-encryption key, an attachment's file key) in a heap
/// page of its own, mlocked where the system allows, wiped before it is unlocked. Derefs to
/// its bytes; prints as `[redacted]`.
pub struct LockedKey {
    page: Box<Page>,
    guard: Option<region::LockGuard>,
}

impl LockedKey {
    /// All zeros, to be filled in place (so the key is never whole outside the page).
    pub fn zeroed() -> Self {
        let page = Box::new(Page {
            key: [0; 32],
            _rest: [0; 4096 - 32],
        });
        // Refused past RLIMIT_MEMLOCK (8 MiB unless raised, shared with SQLCipher's own
        // locked memory): the key then lives unlocked, as everything did before.
        let guard = region::lock(
            std::ptr::from_ref::<Page>(&page),
            std::mem::size_of::<Page>(),
        )
        .ok();
        LockedKey { page, guard }
    }

    /// Whether the page is locked in RAM (it may not be where the system refuses).
    pub fn is_locked_in_memory(&self) -> bool {
        self.guard.is_some()
    }
}

impl std::ops::Deref for LockedKey {
    type Target = [u8; 32];
    fn deref(&self) -> &[u8; 32] {
        &self.page.key
    }
}

impl std::ops::DerefMut for LockedKey {
    fn deref_mut(&mut self) -> &mut [u8; 32] {
        &mut self.page.key
    }
}

impl Clone for LockedKey {
    fn clone(&self) -> Self {
        let mut copy = LockedKey::zeroed();
        *copy = **self;
        copy
    }
}

impl fmt::Debug for LockedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for LockedKey {
    fn drop(&mut self) {
        // Fields drop after this: the page is wiped while still locked, then unlocked.
        self.page.key.zeroize();
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// An office's age X25519 identity (`AGE-SECRET-KEY-1…`). Zeroized on drop; prints as `[redacted]`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct OfficeIdentity(String);

impl OfficeIdentity {
    /// Wraps the identity's text.
    pub fn new(text: String) -> Self {
        OfficeIdentity(text)
    }

    /// The identity's text, for age and for the escrow file only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OfficeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A signing secret key in minisign's box format (unencrypted; it lives inside the store).
/// Zeroized on drop; prints as `[redacted]`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SigningSecret(String);

impl SigningSecret {
    /// Wraps the key box text.
    pub fn new(text: String) -> Self {
        SigningSecret(text)
    }

    /// The key box text, for [`crate::crypto::signing`] only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Locked:` size (kB) of the mapping in /proc/self/smaps that holds `address`.
    fn locked_kib_at(address: usize) -> Option<u64> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if let Some((from, to)) = first.split_once('-') {
                if let (Ok(from), Ok(to)) = (
                    usize::from_str_radix(from, 16),
                    usize::from_str_radix(to, 16),
                ) {
                    inside = (from..to).contains(&address);
                    continue;
                }
            }
            if inside {
                if let Some(kib) = line.strip_prefix("Locked:") {
                    return kib.trim().trim_end_matches(" kB").trim().parse().ok();
                }
            }
        }
        None
    }

    #[test]
    fn a_data_key_lives_in_a_locked_page_of_its_own_and_clones_keep_the_bytes() {
        let key = DataKey::generate();
        let copy = key.clone();
        assert_eq!(copy.expose(), key.expose());
        assert_ne!(key.expose(), &[0u8; 32]);
        let address = key.expose().as_ptr() as usize;
        assert_eq!(address % 4096, 0, "the key starts its own page");
        if key.is_locked_in_memory() {
            let locked = locked_kib_at(address).unwrap_or(0);
            assert!(
                locked >= 4,
                "the kernel says the page is locked: {locked} kB"
            );
        } else {
            // Only where the system refuses mlock (RLIMIT_MEMLOCK used up, no privilege).
            eprintln!("mlock refused here; the key is unlocked");
        }
        let from = DataKey::from_bytes([7u8; 32]);
        assert_eq!(from.expose(), &[7u8; 32]);
        assert_eq!(format!("{from:?}"), "[redacted]");
    }

    #[test]
    fn a_new_passphrase_needs_ten_characters_counted_as_the_window_counts_them() {
        // Ten Khmer characters are thirty bytes; nine are still too few.
        let khmer: String = "ពាក្យសម្ងាត់".chars().take(10).collect();
        assert_eq!(khmer.len(), 30);
        Passphrase::new(khmer.clone()).check_new().unwrap();
        let khmer_nine: String = khmer.chars().take(9).collect();
        for short in ["", "hunter2", &khmer_nine, "123456789"] {
            let err = Passphrase::new(short.into()).check_new().unwrap_err();
            assert!(
                matches!(err, Error::PassphraseTooShort { min_chars: 10 }),
                "{short}"
            );
            assert!(err.to_string().contains("at least 10 characters"), "{err}");
        }
        assert_eq!(MIN_PASSPHRASE_CHARS, 10);
    }

    #[test]
    fn secrets_print_redacted() {
        let p = Passphrase::new("ពាក្យសម្ងាត់ hunter2".into());
        assert_eq!(format!("{p:?} {p}"), "[redacted] [redacted]");
        let k = DataKey::generate();
        assert_eq!(format!("{k:?}"), "[redacted]");
        assert!(!format!("{k:?}").contains(&hex::encode(k.expose())));
        let o = OfficeIdentity::new("AGE-SECRET-KEY-1QQQ".into());
        let s = SigningSecret::new("untrusted comment: x".into());
        assert_eq!(format!("{o:?} {s:?}"), "[redacted] [redacted]");
    }

    #[test]
    fn sqlcipher_literal_has_the_raw_key_form() {
        let k = DataKey::from_bytes([0xab; 32]);
        let lit = k.sqlcipher_literal();
        assert_eq!(lit.len(), 67);
        assert!(lit.starts_with("x'abab") && lit.ends_with("ab'"));
    }
}
