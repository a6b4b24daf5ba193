//! Attachment encryption at rest, streamed in 64 KiB chunks.
//!
//! An audio recording can be larger than the memory of the laptop that made
//! it, so attachments are never encrypted or decrypted whole: they pass
//! through [`EncryptingWriter`] and [`DecryptingReader`], which hold one chunk
//! at a time.
//!
//! # File format
//!
//! ```text
//! header   "FCATT1\0\0" (8 bytes) || nonce prefix (19 random bytes)
//! chunks   XChaCha20-Poly1305 in the STREAM construction (32-bit big-endian
//!          counter, last-chunk flag), 65 536 plaintext bytes + 16-byte tag
//!          each; the last chunk holds the remaining 0..=65 535 bytes and is
//!          sealed with the "last" flag. The header is the associated data of
//!          every chunk.
//! ```
//!
//! Every full-size chunk is a middle chunk and the last chunk is always
//! shorter, so a reader knows which is which from its length alone. The
//! "last" flag in the nonce makes a file cut at a chunk boundary fail, the
//! counter makes reordered chunks fail, and bytes appended after the last
//! chunk change that chunk's length and so fail too.
//!
//! The key is a per-purpose key from [`subkey`], never the data key itself.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::DataKey;

/// Magic bytes that open every encrypted attachment file.
const MAGIC: &[u8; 8] = b"FCATT1\0\0";
/// XChaCha20's 24-byte nonce minus the 5 bytes STREAM uses (counter and flag).
const NONCE_PREFIX_LEN: usize = 19;
/// Length of the header: magic and nonce prefix.
const HEADER_LEN: usize = MAGIC.len() + NONCE_PREFIX_LEN;
/// Plaintext bytes in every chunk but the last.
pub(crate) const CHUNK_LEN: usize = 64 * 1024;
/// Poly1305 tag length.
const TAG_LEN: usize = 16;
/// Ciphertext bytes of every chunk but the last.
const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;

/// What the reader says about any authentication failure.
const DAMAGED: &str = "attachment ciphertext is damaged or truncated";

/// Derives a 32-byte key for one purpose from the data key.
///
/// HKDF-SHA256 with the data key as input keying material, `context` as salt
/// and `purpose` as info. Different purposes (e.g. `"fieldcase attachment v1"`)
/// or contexts give independent keys, so one key never serves two uses.
pub fn subkey(key: &DataKey, purpose: &str, context: &[u8]) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(context), key.expose());
    let mut okm = Zeroizing::new([0u8; 32]);
    // HKDF-SHA256 can expand up to 255 * 32 = 8160 bytes; 32 is always within
    // that, so `expand` cannot fail here.
    #[allow(clippy::expect_used)]
    hk.expand(purpose.as_bytes(), okm.as_mut_slice())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// An InvalidData error with the reader's single "damaged" message.
fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, DAMAGED)
}

/// Encrypts an attachment into `W` as it is written.
///
/// Writes the header at once, then one sealed chunk each time 64 KiB of
/// plaintext has been written. Holds at most one chunk in memory.
///
/// **[`finish`](EncryptingWriter::finish) must be called** when all the
/// plaintext has been written: it seals the last chunk. A writer dropped
/// without `finish` is not an error, but leaves a file that every reader
/// rejects as truncated. `finish` does not sync `W` to disk; a caller writing a
/// file calls `sync_all` on what `finish` returns.
///
/// After any error (from `W` or from the cipher) the writer refuses further
/// writes and `finish`; the output is then incomplete and must be discarded.
pub struct EncryptingWriter<W: Write> {
    inner: W,
    header: [u8; HEADER_LEN],
    /// `None` once a write failed: the output is then unusable.
    encryptor: Option<EncryptorBE32<XChaCha20Poly1305>>,
    /// Plaintext of the chunk being filled; sealed in place (capacity
    /// `SEALED_CHUNK_LEN`, so the tag never reallocates it).
    buf: Zeroizing<Vec<u8>>,
}

impl<W: Write> EncryptingWriter<W> {
    /// Starts an encrypted attachment in `inner` under `key` (see [`subkey`])
    /// and writes its header. A fresh random nonce is drawn for every file.
    pub fn new(mut inner: W, key: &[u8; 32]) -> Result<Self> {
        let mut prefix = [0u8; NONCE_PREFIX_LEN];
        rand::rngs::OsRng.fill_bytes(&mut prefix);
        let mut header = [0u8; HEADER_LEN];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        header[MAGIC.len()..].copy_from_slice(&prefix);

        inner
            .write_all(&header)
            .map_err(|e| Error::io("writing the encrypted attachment header", e))?;
        let aead = XChaCha20Poly1305::new(key.into());
        Ok(EncryptingWriter {
            inner,
            header,
            encryptor: Some(EncryptorBE32::from_aead(aead, &prefix.into())),
            buf: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN)),
        })
    }

    /// Seals the final (possibly empty) chunk, flushes `W` and returns it.
    ///
    /// Without this call the output is invalid (see the type's docs).
    pub fn finish(mut self) -> Result<W> {
        let context = "finishing the encrypted attachment";
        let encryptor = self.encryptor.take().ok_or_else(|| {
            Error::io(
                context,
                io::Error::other("an earlier write failed; the output is incomplete"),
            )
        })?;
        encryptor
            .encrypt_last_in_place(&self.header, &mut *self.buf)
            .map_err(|_| Error::Crypto("sealing the last attachment chunk failed".into()))?;
        self.inner
            .write_all(&self.buf)
            .map_err(|e| Error::io(context, e))?;
        self.inner.flush().map_err(|e| Error::io(context, e))?;
        Ok(self.inner)
    }

    /// Writes `chunk` as [`Write::write_all`] would, but a whole chunk's worth of plaintext
    /// with nothing buffered before it is sealed in place in `chunk` (which then holds the
    /// sealed chunk) and written, without a copy into the writer's buffer. The output is the
    /// same either way. `chunk` should have room for the tag (`CHUNK_LEN + 16` bytes).
    pub fn write_chunk(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        if chunk.len() != CHUNK_LEN || !self.buf.is_empty() {
            return self.write_all(chunk);
        }
        let mut encryptor = self.encryptor.take().ok_or_else(poisoned)?;
        encryptor
            .encrypt_next_in_place(&self.header, chunk)
            .map_err(|_| io::Error::other("attachment too large for its stream format"))?;
        self.inner.write_all(chunk)?;
        self.encryptor = Some(encryptor);
        Ok(())
    }

    /// Seals the full chunk in `buf` as a middle chunk and writes it.
    fn seal_chunk(&mut self) -> io::Result<()> {
        let mut encryptor = self.encryptor.take().ok_or_else(poisoned)?;
        encryptor
            .encrypt_next_in_place(&self.header, &mut *self.buf)
            .map_err(|_| io::Error::other("attachment too large for its stream format"))?;
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.encryptor = Some(encryptor);
        Ok(())
    }
}

/// The error for any use of a writer after a failed write.
fn poisoned() -> io::Error {
    io::Error::other(
        "an earlier write of this encrypted attachment failed; the output is incomplete",
    )
}

impl<W: Write> Write for EncryptingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.encryptor.is_none() {
            return Err(poisoned());
        }
        let n = data.len().min(CHUNK_LEN - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK_LEN {
            self.seal_chunk()?;
        }
        Ok(n)
    }

    /// Flushes `W` only. Plaintext short of a full chunk stays buffered until
    /// more is written or [`finish`](EncryptingWriter::finish) seals it.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Where a [`DecryptingReader`] stands.
enum ReadState {
    /// More chunks to come.
    Reading(DecryptorBE32<XChaCha20Poly1305>),
    /// The last chunk was authenticated; what remains in `buf` is all there is.
    Done,
    /// A chunk failed authentication, or the file ended early or ran on.
    Damaged,
    /// The underlying reader failed mid-chunk; the stream position is lost.
    Broken,
}

/// Decrypts an attachment written by [`EncryptingWriter`] as it is read.
///
/// Hands out a chunk's plaintext only after that chunk's tag has been
/// checked. A changed byte, a wrong key, a file cut short (even at a chunk
/// boundary) or bytes appended after the last chunk make `read` fail with
/// [`io::ErrorKind::InvalidData`] ("attachment ciphertext is damaged or
/// truncated"), and every later `read` fails the same way.
///
/// Being a stream, it may hand out earlier, intact chunks before it meets a
/// damaged one: a caller that must not act on a partial attachment reads to
/// the end (`Ok(0)`) before it trusts what it read. A wrong key is noticed at
/// the first `read`, not in [`new`](DecryptingReader::new).
pub struct DecryptingReader<R: Read> {
    inner: R,
    header: [u8; HEADER_LEN],
    state: ReadState,
    /// Plaintext of the current chunk (ciphertext while it is being read).
    buf: Zeroizing<Vec<u8>>,
    /// Next byte of `buf` to hand out.
    pos: usize,
}

impl<R: Read> DecryptingReader<R> {
    /// Reads and checks the header of an encrypted attachment in `inner`, to
    /// be decrypted with `key` (see [`subkey`]).
    ///
    /// A short or foreign header is an [`Error::Io`] whose source has kind
    /// [`io::ErrorKind::InvalidData`].
    pub fn new(mut inner: R, key: &[u8; 32]) -> Result<Self> {
        let context = "reading the encrypted attachment header";
        let mut header = [0u8; HEADER_LEN];
        inner.read_exact(&mut header).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                Error::io(context, damaged())
            } else {
                Error::io(context, e)
            }
        })?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(Error::io(
                context,
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "not a Fieldcase encrypted attachment (unknown header)",
                ),
            ));
        }
        let mut prefix = [0u8; NONCE_PREFIX_LEN];
        prefix.copy_from_slice(&header[MAGIC.len()..]);
        let aead = XChaCha20Poly1305::new(key.into());
        Ok(DecryptingReader {
            inner,
            header,
            state: ReadState::Reading(DecryptorBE32::from_aead(aead, &prefix.into())),
            buf: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN)),
            pos: 0,
        })
    }

    /// Reads and authenticates the next chunk into `buf`.
    fn next_chunk(&mut self) -> io::Result<()> {
        let ReadState::Reading(decryptor) = std::mem::replace(&mut self.state, ReadState::Broken)
        else {
            return Ok(());
        };
        self.pos = 0;
        self.buf.clear();
        self.buf.resize(SEALED_CHUNK_LEN, 0);
        let filled = read_full(&mut self.inner, &mut self.buf)?;
        self.buf.truncate(filled);

        if filled == SEALED_CHUNK_LEN {
            // A full-size chunk is always a middle chunk.
            let mut decryptor = decryptor;
            if decryptor
                .decrypt_next_in_place(&self.header, &mut *self.buf)
                .is_ok()
            {
                self.state = ReadState::Reading(decryptor);
                return Ok(());
            }
        } else if decryptor
            .decrypt_last_in_place(&self.header, &mut *self.buf)
            .is_ok()
        {
            // A short chunk (even an empty one) must be the sealed last chunk;
            // `filled < SEALED_CHUNK_LEN` means `inner` is at its end.
            self.state = ReadState::Done;
            return Ok(());
        }
        self.buf.clear();
        self.state = ReadState::Damaged;
        Err(damaged())
    }
}

/// Reads until `buf` is full or `inner` ends; returns how many bytes were read.
fn read_full<R: Read>(inner: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match inner.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl<R: Read> Read for DecryptingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            match self.state {
                ReadState::Reading(_) => self.next_chunk()?,
                ReadState::Done => return Ok(0),
                ReadState::Damaged => return Err(damaged()),
                ReadState::Broken => {
                    return Err(io::Error::other(
                        "reading the encrypted attachment stopped after an earlier read error",
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole chunks sealed in place and bytes written as they come make the same file.
    #[test]
    fn chunks_sealed_in_place_make_the_same_file_as_writes() {
        for len in [
            0,
            10,
            CHUNK_LEN,
            CHUNK_LEN + 1,
            3 * CHUNK_LEN,
            3 * CHUNK_LEN + 77,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let mut by_writes = EncryptingWriter::new(Vec::new(), &[9u8; 32]).unwrap();
            let header = by_writes.header;
            by_writes.write_all(&plain).unwrap();
            let by_writes = by_writes.finish().unwrap();
            let mut by_chunks = EncryptingWriter::new(Vec::new(), &[9u8; 32]).unwrap();
            by_chunks.header = header; // the same nonce prefix, to compare the bytes
            by_chunks.inner = header.to_vec();
            let prefix: [u8; NONCE_PREFIX_LEN] = header[MAGIC.len()..].try_into().unwrap();
            by_chunks.encryptor = Some(EncryptorBE32::from_aead(
                XChaCha20Poly1305::new((&[9u8; 32]).into()),
                &prefix.into(),
            ));
            for part in plain.chunks(CHUNK_LEN) {
                let mut chunk = Vec::with_capacity(SEALED_CHUNK_LEN);
                chunk.extend_from_slice(part);
                by_chunks.write_chunk(&mut chunk).unwrap();
            }
            assert_eq!(by_chunks.finish().unwrap(), by_writes, "{len} bytes");
            let mut back = Vec::new();
            DecryptingReader::new(&by_writes[..], &[9u8; 32])
                .unwrap()
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, plain);
        }
    }

    const KEY: [u8; 32] = [7u8; 32];

    /// Deterministic, non-repeating-looking plaintext of `len` bytes.
    fn plaintext(len: usize) -> Vec<u8> {
        let mut x: u32 = 0x1234_5678;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect()
    }

    fn encrypt(data: &[u8], key: &[u8; 32]) -> Vec<u8> {
        let mut w = EncryptingWriter::new(Vec::new(), key).unwrap();
        // Odd-sized writes exercise the buffering across chunk boundaries.
        for piece in data.chunks(10_007) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap()
    }

    fn decrypt(file: &[u8], key: &[u8; 32]) -> io::Result<Vec<u8>> {
        let mut r = DecryptingReader::new(file, key).map_err(|e| match e {
            Error::Io { source, .. } => source,
            other => io::Error::other(other.to_string()),
        })?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    fn assert_damaged(result: io::Result<Vec<u8>>, what: &str) {
        match result {
            Ok(_) => panic!("{what}: damaged file was accepted"),
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{what}: {e}"),
        }
    }

    #[test]
    fn round_trips_every_chunk_boundary_size() {
        for len in [
            0,
            1,
            65_535,
            65_536,
            65_537,
            3 * 65_536 + 5,
            200_003,
            2 * 65_536,
        ] {
            let data = plaintext(len);
            let file = encrypt(&data, &KEY);
            let chunks = len / CHUNK_LEN + 1;
            assert_eq!(
                file.len(),
                HEADER_LEN + len + chunks * TAG_LEN,
                "size {len}"
            );
            assert_eq!(&file[..8], MAGIC);
            assert_eq!(decrypt(&file, &KEY).unwrap(), data, "size {len}");
        }
    }

    #[test]
    fn ciphertext_hides_the_plaintext_and_differs_each_time() {
        let data = vec![0u8; 3 * CHUNK_LEN];
        let a = encrypt(&data, &KEY);
        let b = encrypt(&data, &KEY);
        assert_ne!(a, b, "a fresh nonce for every file");
        assert!(
            !a.windows(64).any(|w| w == &data[..64]),
            "no plaintext run in the ciphertext"
        );
    }

    #[test]
    fn reads_in_small_pieces() {
        let data = plaintext(3 * 65_536 + 5);
        let file = encrypt(&data, &KEY);
        let mut r = DecryptingReader::new(&file[..], &KEY).unwrap();
        let mut out = Vec::new();
        let mut piece = [0u8; 333];
        loop {
            let n = r.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&piece[..n]);
        }
        assert_eq!(out, data);
        assert_eq!(r.read(&mut piece).unwrap(), 0, "stays at the end");
    }

    #[test]
    fn a_changed_byte_anywhere_is_refused() {
        let data = plaintext(3 * 65_536 + 5);
        let file = encrypt(&data, &KEY);
        let last_chunk = HEADER_LEN + 3 * SEALED_CHUNK_LEN;
        let places = [
            ("magic", 0),
            ("nonce prefix", 10),
            ("first chunk", HEADER_LEN),
            ("middle chunk", HEADER_LEN + SEALED_CHUNK_LEN + 1000),
            ("middle chunk tag", HEADER_LEN + 2 * SEALED_CHUNK_LEN - 1),
            ("last chunk", last_chunk + 2),
            ("last chunk tag", file.len() - 1),
        ];
        for (what, at) in places {
            let mut bad = file.clone();
            bad[at] ^= 0x01;
            assert_damaged(decrypt(&bad, &KEY), what);
        }
    }

    #[test]
    fn an_empty_attachment_with_a_changed_tag_is_refused() {
        let mut file = encrypt(&[], &KEY);
        let n = file.len();
        file[n - 1] ^= 0x80;
        assert_damaged(decrypt(&file, &KEY), "empty attachment tag");
    }

    #[test]
    fn swapped_chunks_are_refused() {
        let data = plaintext(3 * 65_536 + 5);
        let mut file = encrypt(&data, &KEY);
        let (first, second) = (HEADER_LEN, HEADER_LEN + SEALED_CHUNK_LEN);
        let one = file[first..second].to_vec();
        let two = file[second..second + SEALED_CHUNK_LEN].to_vec();
        file[first..second].copy_from_slice(&two);
        file[second..second + SEALED_CHUNK_LEN].copy_from_slice(&one);
        assert_damaged(decrypt(&file, &KEY), "swapped chunks");
    }

    #[test]
    fn a_truncated_file_is_refused_wherever_it_is_cut() {
        let data = plaintext(3 * 65_536 + 5);
        let file = encrypt(&data, &KEY);
        let cuts = [
            0,
            5,
            HEADER_LEN,
            HEADER_LEN + 1,
            HEADER_LEN + CHUNK_LEN,
            HEADER_LEN + SEALED_CHUNK_LEN,     // at a chunk boundary
            HEADER_LEN + 3 * SEALED_CHUNK_LEN, // last chunk missing entirely
            file.len() - TAG_LEN,
            file.len() - 1,
        ];
        for cut in cuts {
            assert_damaged(decrypt(&file[..cut], &KEY), &format!("cut at {cut}"));
        }
        // An empty attachment whose (empty) last chunk is missing.
        let empty = encrypt(&[], &KEY);
        assert_damaged(decrypt(&empty[..HEADER_LEN], &KEY), "empty, last chunk cut");
    }

    #[test]
    fn bytes_after_the_last_chunk_are_refused() {
        for len in [0, 65_536, 3 * 65_536 + 5] {
            let file = encrypt(&plaintext(len), &KEY);
            for extra in [1, TAG_LEN, SEALED_CHUNK_LEN] {
                let mut long = file.clone();
                long.extend(std::iter::repeat_n(0xAA, extra));
                assert_damaged(decrypt(&long, &KEY), &format!("size {len} + {extra}"));
            }
        }
    }

    #[test]
    fn a_wrong_key_is_refused() {
        let file = encrypt(&plaintext(100_000), &KEY);
        assert_damaged(decrypt(&file, &[8u8; 32]), "wrong key");
        let empty = encrypt(&[], &KEY);
        assert_damaged(decrypt(&empty, &[8u8; 32]), "wrong key, empty attachment");
    }

    #[test]
    fn without_finish_the_file_is_unreadable() {
        for len in [0, 10, 65_536, 3 * 65_536 + 5] {
            let mut out = Vec::new();
            {
                let mut w = EncryptingWriter::new(&mut out, &KEY).unwrap();
                w.write_all(&plaintext(len)).unwrap();
                w.flush().unwrap();
                // dropped without finish
            }
            assert_damaged(decrypt(&out, &KEY), &format!("unfinished, size {len}"));
        }
    }

    #[test]
    fn an_error_is_sticky_and_hands_out_no_plaintext() {
        let data = plaintext(2 * 65_536 + 5);
        let mut file = encrypt(&data, &KEY);
        file[HEADER_LEN + SEALED_CHUNK_LEN + 3] ^= 1; // second chunk
        let mut r = DecryptingReader::new(&file[..], &KEY).unwrap();
        let mut first = vec![0u8; CHUNK_LEN];
        r.read_exact(&mut first).unwrap();
        assert_eq!(first, data[..CHUNK_LEN], "the intact first chunk reads");
        let mut more = [0u8; 10];
        assert_eq!(
            r.read(&mut more).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            r.read(&mut more).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(more, [0u8; 10]);
    }

    #[test]
    fn a_foreign_header_is_refused_in_new() {
        for file in [
            &b""[..],
            b"FCATT1",
            b"PK\x03\x04 not an attachment at all, no no",
        ] {
            match DecryptingReader::new(file, &KEY) {
                Err(Error::Io { source, .. }) => {
                    assert_eq!(source.kind(), io::ErrorKind::InvalidData)
                }
                Err(e) => panic!("unexpected error {e}"),
                Ok(_) => panic!("foreign header accepted"),
            }
        }
    }

    #[test]
    fn write_errors_poison_the_writer() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from_raw_os_error(28)) // ENOSPC
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert!(matches!(
            EncryptingWriter::new(Full, &KEY),
            Err(Error::DiskFull)
        ));

        /// Accepts the header, then fails.
        struct FailsAfter(usize);
        impl Write for FailsAfter {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("device gone"));
                }
                let n = b.len().min(self.0);
                self.0 -= n;
                Ok(n)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = EncryptingWriter::new(FailsAfter(HEADER_LEN), &KEY).unwrap();
        assert!(w.write_all(&plaintext(CHUNK_LEN)).is_err());
        assert!(w.write(b"more").is_err());
        assert!(w.finish().is_err());
    }

    #[test]
    fn subkeys_separate_purposes_and_contexts() {
        let key = DataKey::from_bytes([1u8; 32]);
        let a = subkey(&key, "fieldcase attachment v1", b"");
        assert_eq!(
            *a,
            *subkey(&key, "fieldcase attachment v1", b""),
            "deterministic"
        );
        assert_ne!(*a, *subkey(&key, "fieldcase other v1", b""));
        assert_ne!(*a, *subkey(&key, "fieldcase attachment v1", b"ctx"));
        assert_ne!(
            *a,
            *subkey(
                &DataKey::from_bytes([2u8; 32]),
                "fieldcase attachment v1",
                b""
            )
        );
        assert_ne!(&*a, key.expose());
    }

    #[test]
    fn subkey_is_hkdf_sha256_with_context_as_salt_and_purpose_as_info() {
        // Computed independently with Python's hmac module:
        // HMAC(HMAC(salt, ikm), info || 0x01).
        let key = DataKey::from_bytes([0x0b; 32]);
        let salt: Vec<u8> = (0u8..13).collect();
        assert_eq!(
            hex::encode(*subkey(&key, "info", &salt)),
            "2f016ed50d358562e49c8ffe9f9d6ec6cc922a5db63ac43bf90041f42b0fdb81"
        );
    }
}
