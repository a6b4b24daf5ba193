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
//!
//! The chunks are sealed and opened by `super::chunk` (OpenSSL's ChaCha20-Poly1305 under
//! XChaCha20's subkey), which makes exactly the bytes `chacha20poly1305`'s `EncryptorBE32`
//! does; files written before it read the same.
//!
//! # Ranged reads
//!
//! Each chunk's nonce is the file's prefix, the chunk's position and the
//! "last" flag, so any chunk can be opened alone: [`RangeReader`] decrypts
//! only the chunks a byte range covers (a video played a piece at a time).
//! What it hands out was sealed under this file's key at exactly that place,
//! and the file's length must be the one its recorded plaintext size gives,
//! so a cut, lengthened, reordered or spliced file is still refused. What it
//! cannot check is the SHA-256 of the whole, which needs every byte: see
//! [`RangeReader`].

use std::io::{self, Read, Seek, SeekFrom, Write};

use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::chunk::{ChunkCipher, ChunkFailure, NONCE_PREFIX_LEN, TAG_LEN};
use crate::error::{Error, Result};
use crate::secret::{DataKey, LockedKey};

/// Magic bytes that open every encrypted attachment file.
const MAGIC: &[u8; 8] = b"FCATT1\0\0";
/// Length of the header: magic and nonce prefix.
const HEADER_LEN: usize = MAGIC.len() + NONCE_PREFIX_LEN;
/// Plaintext bytes in every chunk but the last.
pub(crate) const CHUNK_LEN: usize = 64 * 1024;
/// Ciphertext bytes of every chunk but the last.
const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;

/// What the reader says about any authentication failure.
const DAMAGED: &str = "attachment ciphertext is damaged or truncated";

/// Derives a 32-byte key for one purpose from the data key.
///
/// HKDF-SHA256 with the data key as input keying material, `context` as salt
/// and `purpose` as info. Different purposes (e.g. `"fieldcase attachment v1"`)
/// or contexts give independent keys, so one key never serves two uses.
pub fn subkey(key: &DataKey, purpose: &str, context: &[u8]) -> LockedKey {
    let hk = Hkdf::<Sha256>::new(Some(context), key.expose());
    let mut okm = LockedKey::zeroed();
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

/// The reader's error for a chunk that did not open: "damaged" unless the cipher library
/// itself failed.
fn not_opened(failure: ChunkFailure) -> io::Error {
    match failure {
        ChunkFailure::Unauthentic | ChunkFailure::TooLong => damaged(),
        ChunkFailure::Library(e) => io::Error::other(format!("opening an attachment chunk: {e}")),
    }
}

/// The writer's error for a chunk that could not be sealed.
fn not_sealed(failure: ChunkFailure) -> io::Error {
    match failure {
        ChunkFailure::TooLong => io::Error::other("attachment too large for its stream format"),
        other => io::Error::other(format!("sealing an attachment chunk: {other}")),
    }
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
    encryptor: Option<ChunkCipher>,
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
        let cipher = ChunkCipher::sealing(key, &prefix)
            .map_err(|e| Error::Crypto(format!("starting the attachment cipher: {e}")))?;
        Ok(EncryptingWriter {
            inner,
            header,
            encryptor: Some(cipher),
            buf: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN)),
        })
    }

    /// Seals the final (possibly empty) chunk, flushes `W` and returns it.
    ///
    /// Without this call the output is invalid (see the type's docs).
    pub fn finish(mut self) -> Result<W> {
        let context = "finishing the encrypted attachment";
        let mut encryptor = self.encryptor.take().ok_or_else(|| {
            Error::io(
                context,
                io::Error::other("an earlier write failed; the output is incomplete"),
            )
        })?;
        let tag = encryptor
            .seal_last(&self.header, &mut self.buf)
            .map_err(|e| Error::Crypto(format!("sealing the last attachment chunk: {e}")))?;
        self.buf.extend_from_slice(&tag);
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
        let tag = encryptor
            .seal_next(&self.header, chunk)
            .map_err(not_sealed)?;
        chunk.extend_from_slice(&tag);
        self.inner.write_all(chunk)?;
        self.encryptor = Some(encryptor);
        Ok(())
    }

    /// Seals the full chunk in `buf` as a middle chunk and writes it.
    fn seal_chunk(&mut self) -> io::Result<()> {
        let mut encryptor = self.encryptor.take().ok_or_else(poisoned)?;
        let tag = encryptor
            .seal_next(&self.header, &mut self.buf)
            .map_err(not_sealed)?;
        self.buf.extend_from_slice(&tag);
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
    Reading(ChunkCipher),
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

/// What a header that cannot be read is said to be doing.
const HEADER_CONTEXT: &str = "reading the encrypted attachment header";

/// Reads an encrypted attachment's header from `inner` and checks its magic; returns the
/// header and its nonce prefix. A short or foreign header is an [`Error::Io`] whose source
/// has kind [`io::ErrorKind::InvalidData`].
fn read_header(inner: &mut impl Read) -> Result<([u8; HEADER_LEN], [u8; NONCE_PREFIX_LEN])> {
    let mut header = [0u8; HEADER_LEN];
    inner.read_exact(&mut header).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Error::io(HEADER_CONTEXT, damaged())
        } else {
            Error::io(HEADER_CONTEXT, e)
        }
    })?;
    if &header[..MAGIC.len()] != MAGIC {
        return Err(Error::io(
            HEADER_CONTEXT,
            io::Error::new(
                io::ErrorKind::InvalidData,
                "not a Fieldcase encrypted attachment (unknown header)",
            ),
        ));
    }
    let mut prefix = [0u8; NONCE_PREFIX_LEN];
    prefix.copy_from_slice(&header[MAGIC.len()..]);
    Ok((header, prefix))
}

impl<R: Read> DecryptingReader<R> {
    /// Reads and checks the header of an encrypted attachment in `inner`, to
    /// be decrypted with `key` (see [`subkey`]).
    ///
    /// A short or foreign header is an [`Error::Io`] whose source has kind
    /// [`io::ErrorKind::InvalidData`].
    pub fn new(mut inner: R, key: &[u8; 32]) -> Result<Self> {
        let (header, prefix) = read_header(&mut inner)?;
        let cipher = ChunkCipher::opening(key, &prefix)
            .map_err(|e| Error::Crypto(format!("starting the attachment cipher: {e}")))?;
        Ok(DecryptingReader {
            inner,
            header,
            state: ReadState::Reading(cipher),
            buf: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN)),
            pos: 0,
        })
    }

    /// Reads and authenticates the next chunk into `buf`.
    fn next_chunk(&mut self) -> io::Result<()> {
        let ReadState::Reading(mut decryptor) =
            std::mem::replace(&mut self.state, ReadState::Broken)
        else {
            return Ok(());
        };
        self.pos = 0;
        self.buf.clear();
        self.buf.resize(SEALED_CHUNK_LEN, 0);
        let filled = read_full(&mut self.inner, &mut self.buf)?;
        self.buf.truncate(filled);

        // A full-size chunk is always a middle chunk; a short one (even an empty one) must be
        // the sealed last chunk (`filled < SEALED_CHUNK_LEN` means `inner` is at its end).
        let middle = filled == SEALED_CHUNK_LEN;
        let opened = if middle {
            decryptor.open_next(&self.header, &mut self.buf)
        } else {
            decryptor.open_last(&self.header, &mut self.buf)
        };
        match opened {
            Ok(len) => {
                self.buf.truncate(len);
                self.state = if middle {
                    ReadState::Reading(decryptor)
                } else {
                    ReadState::Done
                };
                Ok(())
            }
            Err(failure) => {
                self.buf.clear();
                self.state = ReadState::Damaged;
                Err(not_opened(failure))
            }
        }
    }
}

impl<R: Read> DecryptingReader<R> {
    /// [`Self::next_chunk`], but into `out` (exactly [`SEALED_CHUNK_LEN`] bytes) instead of
    /// the reader's own buffer; returns how many plaintext bytes `out` now starts with. On
    /// any failure `out` holds no plaintext (the tag is checked before anything is opened).
    fn next_chunk_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let ReadState::Reading(mut decryptor) =
            std::mem::replace(&mut self.state, ReadState::Broken)
        else {
            return Ok(0);
        };
        let filled = read_full(&mut self.inner, out)?;
        let middle = filled == SEALED_CHUNK_LEN;
        let opened = if middle {
            decryptor.open_next(&self.header, &mut out[..filled])
        } else {
            decryptor.open_last(&self.header, &mut out[..filled])
        };
        match opened {
            Ok(len) => {
                self.state = if middle {
                    ReadState::Reading(decryptor)
                } else {
                    ReadState::Done
                };
                Ok(len)
            }
            Err(failure) => {
                self.state = ReadState::Damaged;
                Err(not_opened(failure))
            }
        }
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
                // Room for a whole sealed chunk: read and open it right there (one copy fewer).
                ReadState::Reading(_) if out.len() >= SEALED_CHUNK_LEN => {
                    return self.next_chunk_into(&mut out[..SEALED_CHUNK_LEN])
                }
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

/// The length of the file [`EncryptingWriter`] makes from `plain_len` bytes: the header, the
/// bytes, and one tag per chunk (the last chunk, always shorter than a full one, may be empty).
pub fn sealed_len(plain_len: u64) -> u64 {
    HEADER_LEN as u64 + plain_len + (plain_len / CHUNK_LEN as u64 + 1) * TAG_LEN as u64
}

/// Random access to an attachment written by [`EncryptingWriter`]: [`read_range`] reads and
/// decrypts only the chunks the range covers, one at a time.
///
/// Every chunk is authenticated before any of its bytes are handed out, with its position
/// and (for the last chunk) the "last" flag in its nonce, under the key of this one file;
/// and [`new`] refuses a file whose length is not what `plain_len` gives. So bytes from a
/// ranged read are the bytes sealed at that place in this file, or an error: a changed,
/// moved, cut or appended chunk, another file's chunk, or a wrong key all fail.
///
/// What a ranged read cannot promise is that the whole matches the SHA-256 taken at
/// capture: that needs every byte, and is checked by reading it whole
/// ([`DecryptingReader`] through the store's attachment reader). Only a writer holding the
/// key could seal bytes that differ from those hashed, so a ranged read trusts the key
/// instead of the hash.
///
/// [`read_range`]: RangeReader::read_range
/// [`new`]: RangeReader::new
pub struct RangeReader<R: Read + Seek> {
    inner: R,
    header: [u8; HEADER_LEN],
    cipher: ChunkCipher,
    plain_len: u64,
}

impl<R: Read + Seek> RangeReader<R> {
    /// Opens `inner` for ranged reads under `key`, expecting `plain_len` plaintext bytes
    /// (the size recorded when it was written). A foreign header is an [`Error::Io`] of kind
    /// [`io::ErrorKind::InvalidData`], as in [`DecryptingReader::new`]; so is a file whose
    /// length does not match `plain_len`, or one too long for the format.
    pub fn new(mut inner: R, key: &[u8; 32], plain_len: u64) -> Result<Self> {
        inner
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(HEADER_CONTEXT, e))?;
        let (header, prefix) = read_header(&mut inner)?;
        let file_len = inner
            .seek(SeekFrom::End(0))
            .map_err(|e| Error::io("measuring the encrypted attachment", e))?;
        let last = plain_len / CHUNK_LEN as u64;
        if file_len != sealed_len(plain_len) || last > u64::from(u32::MAX) {
            return Err(Error::io(HEADER_CONTEXT, damaged()));
        }
        let cipher = ChunkCipher::opening(key, &prefix)
            .map_err(|e| Error::Crypto(format!("starting the attachment cipher: {e}")))?;
        Ok(RangeReader {
            inner,
            header,
            cipher,
            plain_len,
        })
    }

    /// The plaintext size.
    pub fn len(&self) -> u64 {
        self.plain_len
    }

    /// Whether there are no plaintext bytes at all.
    pub fn is_empty(&self) -> bool {
        self.plain_len == 0
    }

    /// The plaintext bytes `start..end` (`end` exclusive and at most [`len`](Self::len)).
    /// A range outside the file is an [`io::ErrorKind::InvalidInput`] error; a chunk that fails
    /// authentication an [`io::ErrorKind::InvalidData`] one, and then nothing is handed out.
    /// Holds one chunk besides the result (both zeroized when dropped).
    pub fn read_range(&mut self, start: u64, end: u64) -> io::Result<Zeroizing<Vec<u8>>> {
        if start > end || end > self.plain_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "bytes {start}..{end} are outside the attachment's {} bytes",
                    self.plain_len
                ),
            ));
        }
        let want = usize::try_from(end - start)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "range too large"))?;
        let mut out = Zeroizing::new(Vec::with_capacity(want));
        if want == 0 {
            return Ok(out);
        }
        let chunk = CHUNK_LEN as u64;
        let last = self.plain_len / chunk;
        let mut buf = Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN));
        for index in start / chunk..=(end - 1) / chunk {
            let plain_start = index * chunk;
            let plain = if index == last {
                self.plain_len - plain_start
            } else {
                chunk
            };
            let sealed = usize::try_from(plain).unwrap_or(CHUNK_LEN) + TAG_LEN;
            let offset = HEADER_LEN as u64 + index * SEALED_CHUNK_LEN as u64;
            self.inner.seek(SeekFrom::Start(offset))?;
            buf.clear();
            buf.resize(sealed, 0);
            self.inner
                .read_exact(&mut buf)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::UnexpectedEof => damaged(),
                    _ => e,
                })?;
            let position = u32::try_from(index).map_err(|_| damaged())?;
            let opened = self
                .cipher
                .open_at(position, index == last, &self.header, &mut buf)
                .map_err(not_opened)?;
            buf.truncate(opened);
            let from = usize::try_from(start.max(plain_start) - plain_start).unwrap_or(0);
            let to = usize::try_from(end.min(plain_start + plain) - plain_start).unwrap_or(0);
            out.extend_from_slice(&buf[from..to]);
        }
        Ok(out)
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
            by_chunks.encryptor = Some(ChunkCipher::sealing(&[9u8; 32], &prefix).unwrap());
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

    /// Reads `file` with buffers of `size` bytes at a time (a large one takes the path that
    /// opens whole chunks in the caller's buffer).
    fn decrypt_by(file: &[u8], key: &[u8; 32], size: usize) -> io::Result<Vec<u8>> {
        let mut r =
            DecryptingReader::new(file, key).map_err(|e| io::Error::other(e.to_string()))?;
        let mut out = Vec::new();
        let mut buf = vec![0u8; size];
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn chunks_opened_in_the_callers_buffer_read_the_same_and_refuse_the_same() {
        let plain = plaintext(3 * CHUNK_LEN + 4321);
        let file = encrypt(&plain, &KEY);
        for size in [
            SEALED_CHUNK_LEN,
            SEALED_CHUNK_LEN + 1,
            256 * 1024,
            100,
            CHUNK_LEN,
        ] {
            assert_eq!(
                decrypt_by(&file, &KEY, size).unwrap(),
                plain,
                "reads of {size}"
            );
            for at in [
                HEADER_LEN + 10,
                HEADER_LEN + SEALED_CHUNK_LEN + 5,
                file.len() - 3,
            ] {
                let mut bad = file.clone();
                bad[at] ^= 1;
                assert_damaged(
                    decrypt_by(&bad, &KEY, size),
                    &format!("byte {at}, reads of {size}"),
                );
            }
            assert_damaged(
                decrypt_by(&file[..file.len() - TAG_LEN], &KEY, size),
                &format!("cut, reads of {size}"),
            );
        }
        // A whole number of chunks ends with an empty sealed last chunk.
        let even = plaintext(2 * CHUNK_LEN);
        assert_eq!(
            decrypt_by(&encrypt(&even, &KEY), &KEY, 256 * 1024).unwrap(),
            even
        );
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

    fn ranges(file: &[u8], len: u64) -> RangeReader<io::Cursor<&[u8]>> {
        RangeReader::new(io::Cursor::new(file), &KEY, len).unwrap()
    }

    #[test]
    fn a_range_reads_the_same_bytes_as_the_whole_across_chunk_edges() {
        for len in [0usize, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 5] {
            let data = plaintext(len);
            let file = encrypt(&data, &KEY);
            assert_eq!(file.len() as u64, sealed_len(len as u64), "size {len}");
            let mut r = ranges(&file, len as u64);
            assert_eq!(r.len(), len as u64);
            let edges = [
                0,
                1,
                65_535,
                65_536,
                65_537,
                131_072,
                len.saturating_sub(1),
                len,
            ];
            for &a in &edges {
                for &b in &edges {
                    if a <= b && b <= len {
                        let got = r.read_range(a as u64, b as u64).unwrap();
                        assert_eq!(&got[..], &data[a..b], "size {len}, bytes {a}..{b}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_range_outside_the_file_is_refused() {
        let data = plaintext(1000);
        let file = encrypt(&data, &KEY);
        let mut r = ranges(&file, 1000);
        for (a, b) in [(0, 1001), (1001, 1002), (10, 5), (u64::MAX - 1, u64::MAX)] {
            let e = r.read_range(a, b).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{a}..{b}");
        }
        assert!(r.read_range(1000, 1000).unwrap().is_empty());
    }

    #[test]
    fn a_range_over_a_changed_chunk_is_refused_and_others_still_read() {
        let data = plaintext(3 * CHUNK_LEN + 5);
        let mut file = encrypt(&data, &KEY);
        // A byte in the second chunk.
        file[HEADER_LEN + SEALED_CHUNK_LEN + 100] ^= 1;
        let mut r = ranges(&file, data.len() as u64);
        let e = r
            .read_range(CHUNK_LEN as u64, CHUNK_LEN as u64 + 10)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        // A range that spans it fails whole: nothing of the first chunk comes out either.
        assert!(r.read_range(10, 2 * CHUNK_LEN as u64).is_err());
        assert_eq!(&r.read_range(0, 10).unwrap()[..], &data[..10]);
        let tail = 2 * CHUNK_LEN;
        assert_eq!(
            &r.read_range(tail as u64, data.len() as u64).unwrap()[..],
            &data[tail..]
        );
    }

    #[test]
    fn swapped_chunks_and_another_files_chunk_are_refused_in_ranges() {
        let data = plaintext(3 * CHUNK_LEN + 5);
        let file = encrypt(&data, &KEY);
        let (a, b) = (HEADER_LEN, HEADER_LEN + SEALED_CHUNK_LEN);
        let mut swapped = file.clone();
        swapped[a..b].copy_from_slice(&file[b..b + SEALED_CHUNK_LEN]);
        swapped[b..b + SEALED_CHUNK_LEN].copy_from_slice(&file[a..b]);
        let mut r = ranges(&swapped, data.len() as u64);
        assert!(r.read_range(0, 1).is_err(), "chunk 1 at position 0");
        assert!(r
            .read_range(CHUNK_LEN as u64, CHUNK_LEN as u64 + 1)
            .is_err());

        // The same plaintext sealed again (a fresh nonce): its chunk does not fit this file.
        let other = encrypt(&data, &KEY);
        let mut spliced = file.clone();
        spliced[a..b].copy_from_slice(&other[a..b]);
        assert!(ranges(&spliced, data.len() as u64)
            .read_range(0, 1)
            .is_err());

        // A full middle chunk cannot pass as the last one, nor the reverse.
        let mut r = ranges(&file, data.len() as u64);
        assert!(r
            .read_range(3 * CHUNK_LEN as u64, data.len() as u64)
            .is_ok());
    }

    fn open(bytes: &[u8], len: u64) -> Result<RangeReader<io::Cursor<&[u8]>>> {
        RangeReader::new(io::Cursor::new(bytes), &KEY, len)
    }

    #[test]
    fn a_file_whose_length_is_not_the_recorded_size_is_refused() {
        let data = plaintext(2 * CHUNK_LEN + 7);
        let file = encrypt(&data, &KEY);
        let len = data.len() as u64;
        assert!(open(&file, len).is_ok());
        // Cut at a chunk boundary: the last chunk is gone, the rest would authenticate.
        let cut = &file[..HEADER_LEN + 2 * SEALED_CHUNK_LEN];
        assert!(open(cut, len).is_err());
        // No recorded size fits a file cut at a chunk boundary (its last chunk is full).
        for guess in 2 * CHUNK_LEN as u64 - 64..2 * CHUNK_LEN as u64 + 64 {
            assert!(open(cut, guess).is_err(), "{guess}");
        }
        let mut longer = file.clone();
        longer.push(0);
        assert!(open(&longer, len).is_err());
        assert!(open(&file, len + 1).is_err());
        assert!(open(&file[..10], len).is_err(), "a short header");
        let mut foreign = file.clone();
        foreign[0] = b'X';
        assert!(open(&foreign, len).is_err());
    }

    #[test]
    fn a_wrong_key_is_refused_in_ranges() {
        let data = plaintext(100);
        let file = encrypt(&data, &KEY);
        let mut r = RangeReader::new(io::Cursor::new(&file[..]), &[8u8; 32], 100).unwrap();
        assert_eq!(
            r.read_range(0, 1).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
