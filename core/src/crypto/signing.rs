//! The device's signing key, and signatures in minisign's format, made with a key that is
//! zeroized when dropped.
//!
//! Bundles (`SHA256SUMS.minisig`) and receipts are signed in minisign's format so that Debian's
//! stock `minisign -V` checks them without Fieldcase. The `minisign` crate could make them, but
//! its `SecretKey` is never zeroized and decoding its key box leaves copies of the secret on the
//! heap. So key generation and signing live here, over `ed25519-dalek` (whose `SigningKey`
//! zeroizes itself on drop) and BLAKE2b; the `minisign` crate only verifies, which handles
//! public data alone. Nothing here implements a primitive: this module lays out bytes.
//!
//! The formats, as the `minisign` crate (0.10) and the C `minisign` (0.11) read and write them:
//!
//! - **Secret-key box** (kept inside the encrypted store, never in a file):
//!   `untrusted comment: <text>\n<base64>\n`, the base64 of 158 bytes: `"Ed"` | KDF `[0, 0]`
//!   (none: the store around it is encrypted) | `"B2"` | salt (32, zero) | opslimit (8, zero) |
//!   memlimit (8, zero) | key number (8, random) | secret key (64: the Ed25519 seed, then the
//!   public key) | checksum (32: BLAKE2b-256 of `"Ed"` ‖ key number ‖ secret key).
//! - **Public key**: the base64 of `"Ed"` | key number | Ed25519 public key (42 bytes), what
//!   `minisign -P` takes.
//! - **Signature file**, four lines: `untrusted comment: <text>`; the base64 of `"ED"` | key
//!   number | the Ed25519 signature of the BLAKE2b-512 hash of the data (74 bytes);
//!   `trusted comment: <text>`; the base64 of the Ed25519 signature of (that 64-byte signature
//!   ‖ the trusted comment's bytes), the "global signature" that makes an edited trusted
//!   comment fail.
//!
//! Ed25519 here is RFC 8032's, deterministic: the same key, data and comments give byte for
//! byte what the C `minisign` (libsodium) writes. The `minisign` crate mixes random bytes into
//! its nonces (hedged signatures), so its own output differs at every call; both verify alike.
//!
//! The decoded key lives only in a zeroizing buffer while the box is parsed or written, and in
//! `ed25519_dalek::SigningKey` while it is used; neither `Debug` nor an error message carries
//! any of it.

use std::fmt;

use blake2::{Blake2b256, Blake2b512, Digest};
use ct_codecs::{Base64, Decoder, Encoder};
use ed25519_dalek::{Signer, SigningKey};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::SigningSecret;

const SIG_ALG: [u8; 2] = *b"Ed";
const SIG_ALG_PREHASHED: [u8; 2] = *b"ED";
const KDF_NONE: [u8; 2] = [0, 0];
const CHK_ALG: [u8; 2] = *b"B2";
const KEYNUM_BYTES: usize = 8;
/// Offsets in the decoded secret-key box.
const KDF_AT: usize = 2;
const CHK_ALG_AT: usize = 4;
const KEYNUM_AT: usize = 54;
const SEED_AT: usize = KEYNUM_AT + KEYNUM_BYTES;
const PUBLIC_AT: usize = SEED_AT + 32;
const CHECKSUM_AT: usize = PUBLIC_AT + 32;
const BOX_BYTES: usize = CHECKSUM_AT + 32;
/// The base64 of [`BOX_BYTES`] bytes, with padding.
const BOX_BASE64_LEN: usize = BOX_BYTES.div_ceil(3) * 4;
const COMMENT_PREFIX: &str = "untrusted comment: ";
const TRUSTED_COMMENT_PREFIX: &str = "trusted comment: ";

/// The untrusted comment of the key boxes Fieldcase writes. (Boxes written before by the
/// `minisign` crate say `rsign encrypted secret key`; the comment is not read.)
pub const KEY_BOX_COMMENT: &str = "Fieldcase device signing key (unencrypted minisign key box, kept only inside the encrypted store)";

/// A device's Ed25519 signing key with its minisign key number. The secret is zeroized when
/// this is dropped; `Debug` prints `[redacted]`.
pub struct DeviceSigningKey {
    key: SigningKey,
    keynum: [u8; KEYNUM_BYTES],
}

impl fmt::Debug for DeviceSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

fn damaged(why: &str) -> Error {
    Error::StoreDamaged(format!("device signing key: {why}"))
}

/// Whether two byte strings are equal, in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// minisign's checksum of a key box: BLAKE2b-256 of the algorithm, the key number and the
/// secret key, written straight into `out` (zeroized by its owner).
fn checksum(raw: &[u8; BOX_BYTES], out: &mut [u8; 32]) {
    let mut h = Blake2b256::new();
    h.update(SIG_ALG);
    h.update(&raw[KEYNUM_AT..CHECKSUM_AT]);
    h.finalize_into(out.into());
}

fn base64(bytes: &[u8]) -> Result<String> {
    Base64::encode_to_string(bytes).map_err(|e| Error::Crypto(format!("base64: {e}")))
}

impl DeviceSigningKey {
    /// A new key: a random Ed25519 seed and a random key number, from the operating system.
    pub fn generate() -> Result<Self> {
        let mut seed = Zeroizing::new([0u8; 32]);
        let mut keynum = [0u8; KEYNUM_BYTES];
        let mut rng = rand::rngs::OsRng;
        rng.try_fill_bytes(&mut *seed)
            .and_then(|_| rng.try_fill_bytes(&mut keynum))
            .map_err(|e| Error::Crypto(format!("the system's random source failed: {e}")))?;
        Ok(Self::from_seed(&seed, keynum))
    }

    fn from_seed(seed: &[u8; 32], keynum: [u8; KEYNUM_BYTES]) -> Self {
        DeviceSigningKey {
            key: SigningKey::from_bytes(seed),
            keynum,
        }
    }

    /// Decodes an unencrypted minisign secret-key box, as the `minisign` crate's
    /// `SecretKey::to_box` wrote it for profiles made before this module, or as
    /// [`Self::to_secret_box`] writes it. Checks its algorithms, its checksum and that its
    /// public half belongs to its secret half.
    pub fn from_secret_box(secret: &SigningSecret) -> Result<Self> {
        let line = secret
            .expose()
            .lines()
            .nth(1)
            .map(str::trim)
            .ok_or_else(|| damaged("the key box has no key line"))?;
        let mut raw = Zeroizing::new([0u8; BOX_BYTES]);
        let decoded = Base64::decode(&mut raw[..], line.as_bytes(), None)
            .map(|d| d.len())
            .map_err(|_| damaged("the key line is not the base64 of a minisign secret key"))?;
        if decoded != BOX_BYTES {
            return Err(damaged(
                "the key line is not the base64 of a minisign secret key",
            ));
        }
        if raw[..KDF_AT] != SIG_ALG || raw[CHK_ALG_AT..CHK_ALG_AT + 2] != CHK_ALG {
            return Err(damaged("not an Ed25519 minisign key"));
        }
        if raw[KDF_AT..CHK_ALG_AT] != KDF_NONE {
            return Err(damaged(
                "the key is password-protected; Fieldcase keeps it unencrypted inside the encrypted store",
            ));
        }
        let mut expected = Zeroizing::new([0u8; 32]);
        checksum(&raw, &mut expected);
        if !same(&expected[..], &raw[CHECKSUM_AT..]) {
            return Err(damaged(
                "its checksum does not match (the key is corrupted)",
            ));
        }
        let seed: &[u8; 32] = raw[SEED_AT..PUBLIC_AT]
            .try_into()
            .map_err(|_| damaged("the key has the wrong length"))?;
        let mut keynum = [0u8; KEYNUM_BYTES];
        keynum.copy_from_slice(&raw[KEYNUM_AT..SEED_AT]);
        let key = Self::from_seed(seed, keynum);
        if !same(
            key.key.verifying_key().as_bytes(),
            &raw[PUBLIC_AT..CHECKSUM_AT],
        ) {
            return Err(damaged(
                "its public half does not belong to its secret half",
            ));
        }
        Ok(key)
    }

    /// The key as an unencrypted minisign secret-key box (the `minisign` crate and the C
    /// `minisign` read it), built in zeroizing buffers and handed over as a [`SigningSecret`].
    pub fn to_secret_box(&self) -> Result<SigningSecret> {
        let mut raw = Zeroizing::new([0u8; BOX_BYTES]);
        raw[..KDF_AT].copy_from_slice(&SIG_ALG);
        raw[KDF_AT..CHK_ALG_AT].copy_from_slice(&KDF_NONE);
        raw[CHK_ALG_AT..CHK_ALG_AT + 2].copy_from_slice(&CHK_ALG);
        // salt, opslimit and memlimit stay zero: no key derivation
        raw[KEYNUM_AT..SEED_AT].copy_from_slice(&self.keynum);
        raw[SEED_AT..PUBLIC_AT].copy_from_slice(self.key.as_bytes());
        raw[PUBLIC_AT..CHECKSUM_AT].copy_from_slice(self.key.verifying_key().as_bytes());
        let mut sum = Zeroizing::new([0u8; 32]);
        checksum(&raw, &mut sum);
        raw[CHECKSUM_AT..].copy_from_slice(&sum[..]);
        let mut encoded = Zeroizing::new([0u8; BOX_BASE64_LEN]);
        let line = Base64::encode(&mut encoded[..], &raw[..])
            .ok()
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| Error::Crypto("encoding the signing key box".into()))?;
        // Sized once, so the text is never reallocated (which would leave a copy behind).
        let mut text = String::with_capacity(
            COMMENT_PREFIX.len() + KEY_BOX_COMMENT.len() + 1 + BOX_BASE64_LEN + 1,
        );
        text.push_str(COMMENT_PREFIX);
        text.push_str(KEY_BOX_COMMENT);
        text.push('\n');
        text.push_str(line);
        text.push('\n');
        Ok(SigningSecret::new(text))
    }

    /// The public key in minisign's base64 form (what `minisign -P` takes).
    pub fn public_key_base64(&self) -> Result<String> {
        let mut bytes = [0u8; 2 + KEYNUM_BYTES + 32];
        bytes[..2].copy_from_slice(&SIG_ALG);
        bytes[2..2 + KEYNUM_BYTES].copy_from_slice(&self.keynum);
        bytes[2 + KEYNUM_BYTES..].copy_from_slice(self.key.verifying_key().as_bytes());
        base64(&bytes)
    }

    /// minisign's key id (16 upper-case hex digits), as `minisign` prints it.
    pub fn key_id(&self) -> String {
        format!("{:016X}", u64::from_le_bytes(self.keynum))
    }

    /// Signs `data` and returns minisign's signature file: prehashed (BLAKE2b-512) Ed25519,
    /// with `trusted_comment` covered by the global signature. The trusted comment must be one
    /// line without surrounding spaces (minisign trims it when reading); control characters in
    /// the untrusted comment (a device name, say) become spaces.
    pub fn sign(
        &self,
        data: &[u8],
        trusted_comment: &str,
        untrusted_comment: &str,
    ) -> Result<String> {
        if trusted_comment.chars().any(char::is_control)
            || trusted_comment.trim() != trusted_comment
        {
            return Err(Error::Crypto(
                "a trusted comment must be one line without surrounding spaces".into(),
            ));
        }
        let untrusted: String = untrusted_comment
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let prehash = Blake2b512::digest(data);
        let signature = self.key.sign(&prehash).to_bytes();
        let mut line = [0u8; 2 + KEYNUM_BYTES + 64];
        line[..2].copy_from_slice(&SIG_ALG_PREHASHED);
        line[2..2 + KEYNUM_BYTES].copy_from_slice(&self.keynum);
        line[2 + KEYNUM_BYTES..].copy_from_slice(&signature);
        let mut commented = Vec::with_capacity(signature.len() + trusted_comment.len());
        commented.extend_from_slice(&signature);
        commented.extend_from_slice(trusted_comment.as_bytes());
        let global = self.key.sign(&commented).to_bytes();
        Ok(format!(
            "{COMMENT_PREFIX}{}\n{}\n{TRUSTED_COMMENT_PREFIX}{trusted_comment}\n{}\n",
            untrusted.trim(),
            base64(&line)?,
            base64(&global)?
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// RFC 8032's first test key, with a fixed key number.
    const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const KEYNUM: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    const PUBLIC: &str = "RWQBI0VniavN79damAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
    /// Its key box, laid out by hand (Python's hashlib for the BLAKE2b-256 checksum); the C
    /// `minisign` 0.11 signs with it.
    const BOX_LINE: &str = "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAASNFZ4mrze+dYbGd7/1aYLqESvSS7CzEREnFaXsyaRlwO6wDHK5/YNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1EaY4lxIL3lgW2PUFFO8HPooQm2oChsSS/Fr9YNHxjqNO4=";
    const DATA: &[u8] =
        b"01f3d3270f1c15d0a9e4bbd1f0c2b8d0e6a1c3f5b7d9e0f2a4c6e8f0a2c4e6f8  manifest.json\n";
    const TRUSTED: &str = "fieldcase-bundle v1 bundle_id=0193a0c1-7c2e-7000-8000-000000000001 device_id=0193a0c1-7c2e-7000-8000-000000000002 sequence=1";
    const UNTRUSTED: &str = "signature from Fieldcase device Field laptop 3";
    /// What Debian's `minisign -S -s sk -m data -t TRUSTED -c UNTRUSTED` (0.11, libsodium
    /// 1.0.18) wrote for that key and data.
    const STOCK_SIGNATURE: &str = "untrusted comment: signature from Fieldcase device Field laptop 3
RUQBI0VniavN71X3L5l59TRtsUOmy+oVMET4T3HUKYaJEIJfQgIhUSj1qL/uqnXyB3qgi9q/SSJCtDQntRoJoX1+yenlMDMwQgg=
trusted comment: fieldcase-bundle v1 bundle_id=0193a0c1-7c2e-7000-8000-000000000001 device_id=0193a0c1-7c2e-7000-8000-000000000002 sequence=1
4fclkC0yUV4+mKXeI4lThy1BISY4bUbj3OIft5FB+ixpuPpFOuJaXHLx+x3mIwPKX2k2+7KpRPXUVwZXEeP0Bg==
";

    fn test_key() -> DeviceSigningKey {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&hex::decode(SEED).unwrap());
        DeviceSigningKey::from_seed(&seed, KEYNUM)
    }

    fn boxed(line: &str) -> SigningSecret {
        SigningSecret::new(format!(
            "untrusted comment: rsign encrypted secret key\n{line}\n"
        ))
    }

    fn verify(public: &str, signature: &str, data: &[u8]) -> minisign::Result<()> {
        let pk = minisign::PublicKey::from_base64(public)?;
        let sig = minisign::SignatureBox::from_string(signature)?;
        minisign::verify(&pk, &sig, Cursor::new(data), true, false, false)
    }

    #[test]
    fn signs_byte_for_byte_as_the_stock_minisign_does() {
        let key = test_key();
        assert_eq!(key.public_key_base64().unwrap(), PUBLIC);
        assert_eq!(key.key_id(), "EFCDAB8967452301");
        let ours = key.sign(DATA, TRUSTED, UNTRUSTED).unwrap();
        assert_eq!(ours, STOCK_SIGNATURE);
        // and signing again gives the same bytes (deterministic Ed25519)
        assert_eq!(key.sign(DATA, TRUSTED, UNTRUSTED).unwrap(), ours);
    }

    #[test]
    fn writes_the_key_box_the_stock_minisign_signs_with() {
        let text = test_key().to_secret_box().unwrap();
        let mut lines = text.expose().lines();
        assert_eq!(
            lines.next(),
            Some(format!("untrusted comment: {KEY_BOX_COMMENT}").as_str())
        );
        assert_eq!(lines.next(), Some(BOX_LINE));
        assert_eq!(lines.next(), None);
        assert!(text.expose().ends_with('\n'));
        // and reads it back
        let again = DeviceSigningKey::from_secret_box(&boxed(BOX_LINE)).unwrap();
        assert_eq!(again.public_key_base64().unwrap(), PUBLIC);
        assert_eq!(
            again.sign(DATA, TRUSTED, UNTRUSTED).unwrap(),
            STOCK_SIGNATURE
        );
    }

    /// Profiles made before this module hold a box the `minisign` crate wrote; it still signs,
    /// and the crate verifies the signature and its trusted comment. (The crate's own signature
    /// cannot be compared byte for byte: it mixes random bytes into every signature.)
    #[test]
    fn a_key_box_from_the_minisign_crate_still_signs() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let old = SigningSecret::new(pair.sk.to_box(None).unwrap().into_string());
        let key = DeviceSigningKey::from_secret_box(&old).unwrap();
        let public = pair.pk.to_base64();
        assert_eq!(key.public_key_base64().unwrap(), public);
        assert_eq!(key.key_id(), crate::store::keys::key_id(&pair.pk));

        let ours = key.sign(DATA, TRUSTED, UNTRUSTED).unwrap();
        verify(&public, &ours, DATA).unwrap();
        let parsed = minisign::SignatureBox::from_string(&ours).unwrap();
        assert_eq!(parsed.trusted_comment().unwrap(), TRUSTED);
        assert_eq!(parsed.untrusted_comment().unwrap(), UNTRUSTED);

        // Both verify the same way; the crate's differs from ours only by its random nonces.
        let theirs = minisign::sign(
            Some(&pair.pk),
            &pair.sk,
            Cursor::new(DATA),
            Some(TRUSTED),
            Some(UNTRUSTED),
        )
        .unwrap()
        .into_string();
        verify(&public, &theirs, DATA).unwrap();
        let (o, t): (Vec<_>, Vec<_>) = (ours.lines().collect(), theirs.lines().collect());
        assert_eq!((o[0], o[2]), (t[0], t[2]));
        assert_eq!(o[1][..13], t[1][..13], "same algorithm and key number");
    }

    /// A box written here reads back with the `minisign` crate too, whose signature with it
    /// verifies against our public key: nothing downstream depends on who wrote the box.
    #[test]
    fn the_minisign_crate_reads_a_box_written_here() {
        let key = DeviceSigningKey::generate().unwrap();
        let public = key.public_key_base64().unwrap();
        let text = key.to_secret_box().unwrap();
        let sk = minisign::SecretKeyBox::from_string(text.expose())
            .unwrap()
            .into_unencrypted_secret_key()
            .unwrap();
        let pk = minisign::PublicKey::from_base64(&public).unwrap();
        let sig = minisign::sign(Some(&pk), &sk, Cursor::new(DATA), Some(TRUSTED), None)
            .unwrap()
            .into_string();
        verify(&public, &sig, DATA).unwrap();
        // and ours verifies; over other data, or with an edited trusted comment, it does not
        let ours = key.sign(DATA, TRUSTED, UNTRUSTED).unwrap();
        verify(&public, &ours, DATA).unwrap();
        assert!(verify(&public, &ours, b"other data").is_err());
        let edited = ours.replace("sequence=1", "sequence=2");
        let err = verify(&public, &edited, DATA).unwrap_err().to_string();
        assert!(err.contains("Comment signature"), "{err}");
    }

    #[test]
    fn two_generated_keys_differ() {
        let a = DeviceSigningKey::generate().unwrap();
        let b = DeviceSigningKey::generate().unwrap();
        assert_ne!(
            a.public_key_base64().unwrap(),
            b.public_key_base64().unwrap()
        );
        assert_ne!(a.key_id(), b.key_id());
    }

    #[test]
    fn a_damaged_box_is_refused_without_showing_the_key() {
        let mut raw = base64_decode(BOX_LINE);
        type Edit = fn(&mut Vec<u8>);
        let cases: [(Edit, &str); 6] = [
            (|r| r[CHECKSUM_AT + 3] ^= 1, "checksum"),
            (|r| r[SEED_AT] ^= 1, "checksum"),
            (|r| r[KDF_AT..CHK_ALG_AT].copy_from_slice(b"Sc"), "password"),
            (|r| r[0] = b'X', "not an Ed25519"),
            (|r| r.truncate(150), "base64"),
            (|r| r.push(0), "base64"),
        ];
        for (edit, why) in cases {
            let mut r = raw.clone();
            edit(&mut r);
            let err = DeviceSigningKey::from_secret_box(&boxed(&base64(&r).unwrap())).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(text.contains(why), "{text}");
            assert!(
                !text.contains(&SEED[..16]) && !text.contains(&BOX_LINE[80..100]),
                "{text}"
            );
        }
        // A public half that is not the secret's (checksum recomputed so only that differs).
        raw[PUBLIC_AT] ^= 1;
        let mut fixed = [0u8; BOX_BYTES];
        fixed.copy_from_slice(&raw);
        let mut sum = [0u8; 32];
        checksum(&fixed, &mut sum);
        fixed[CHECKSUM_AT..].copy_from_slice(&sum);
        let err = DeviceSigningKey::from_secret_box(&boxed(&base64(&fixed).unwrap())).unwrap_err();
        assert!(err.to_string().contains("public half"), "{err}");
        for text in ["", "untrusted comment: only one line", "x\nnot base64!\n"] {
            assert!(DeviceSigningKey::from_secret_box(&SigningSecret::new(text.into())).is_err());
        }
        assert_eq!(format!("{:?}", test_key()), "[redacted]");
    }

    #[test]
    fn comments_keep_the_file_four_lines() {
        let key = test_key();
        for bad in ["two\nlines", "carriage\rreturn", " padded", "padded "] {
            assert!(key.sign(DATA, bad, UNTRUSTED).is_err(), "{bad:?}");
        }
        let sig = key
            .sign(
                DATA,
                TRUSTED,
                "signature from Fieldcase device Field\nlaptop 3",
            )
            .unwrap();
        assert_eq!(sig.lines().count(), 4);
        assert!(
            sig.starts_with("untrusted comment: signature from Fieldcase device Field laptop 3\n")
        );
        verify(PUBLIC, &sig, DATA).unwrap();
    }

    fn base64_decode(line: &str) -> Vec<u8> {
        Base64::decode_to_vec(line, None).unwrap()
    }
}
