//! The bundle reader after decryption: the tar, the signature, the manifest, the records.
//!
//! It reads the signed list first and refuses an unknown signer before reading a record.
//! Every entry is checked (a plain file, a safe path, in its place, listed, declared, of the
//! size declared, matching its hash); records are parsed and validated against the schema.
//! What passes is handed to a [`Sink`] (import writes into an open transaction; verify
//! writes nothing). Nothing a sink is given counts until this returns `Ok`.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::{self, Read};
use std::rc::Rc;

use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::manifest::{
    self, is_sha256_hex, Manifest, Sums, MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, MAX_SUMS_BYTES,
};
use crate::error::{BundleError, Error, Result};
use crate::store::keys::{key_id, TrustedKey};
use crate::store::Revision;

/// What is known once the signed parts have been checked.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The manifest.
    pub manifest: Manifest,
    /// The key that signed it (trusted, not revoked).
    pub signer: TrustedKey,
    /// SHA-256 of SHA256SUMS: the bundle's hash, which the next bundle names as its previous.
    pub bundle_sha256: String,
}

/// Where checked content goes.
pub trait Sink {
    /// The signed parts checked out.
    fn opened(&mut self, opened: &Opened) -> Result<()>;
    /// Every revision of the bundle, each checked alone, in the order of `records.jsonl`;
    /// given once, before the first attachment.
    fn revisions(&mut self, revs: Vec<Revision>) -> Result<()>;
    /// One attachment's bytes; its hash is checked after this returns (the sink must be ready
    /// to throw away what it wrote if the whole read fails).
    fn attachment(&mut self, sha256: &str, size: u64, bytes: &mut dyn Read) -> Result<()>;
}

/// A sink that keeps nothing (verify, fuzzing).
#[derive(Debug, Default)]
pub struct Discard;

impl Sink for Discard {
    fn opened(&mut self, _: &Opened) -> Result<()> {
        Ok(())
    }
    fn revisions(&mut self, _: Vec<Revision>) -> Result<()> {
        Ok(())
    }
    fn attachment(&mut self, _: &str, _: u64, bytes: &mut dyn Read) -> Result<()> {
        io::copy(bytes, &mut io::sink()).map_err(|e| Error::io("reading the bundle", e))?;
        Ok(())
    }
}

/// Looks a signing key up by its minisign key id.
pub type TrustLookup<'a> = dyn Fn(&str) -> Result<Option<TrustedKey>> + 'a;

/// What happened below the tar: whether age failed to decrypt a chunk, and whether the
/// encrypted file had been read to its end when it did (a cut-short file fails there).
#[derive(Debug, Clone, Default)]
pub struct StreamState {
    pub(crate) age_failed: Rc<Cell<bool>>,
    pub(crate) cipher_eof: Rc<Cell<bool>>,
}

impl StreamState {
    /// The error to report for an I/O error met while reading the decrypted stream.
    pub fn classify(&self, e: io::Error) -> Error {
        self.age_error().unwrap_or_else(|| {
            BundleError::Damaged(format!("the archive inside is malformed: {e}")).into()
        })
    }

    /// The error to report if age failed (whatever the reader above it made of it).
    pub fn age_error(&self) -> Option<Error> {
        if !self.age_failed.get() {
            return None;
        }
        Some(if self.cipher_eof.get() {
            BundleError::Truncated.into()
        } else {
            BundleError::Damaged("an encrypted chunk does not authenticate".into()).into()
        })
    }
}

fn kind_name(t: tar::EntryType) -> &'static str {
    match t {
        tar::EntryType::Symlink => "symbolic link",
        tar::EntryType::Link => "hard link",
        tar::EntryType::Char => "character device node",
        tar::EntryType::Block => "block device node",
        tar::EntryType::Fifo => "FIFO",
        tar::EntryType::Directory => "directory",
        _ => "special entry",
    }
}

/// The entry's path, refused if unsafe or not a plain file.
fn checked_name<R: Read>(entry: &tar::Entry<'_, R>) -> Result<String> {
    let raw = entry.path_bytes();
    let name = String::from_utf8_lossy(&raw).to_string();
    let unsafe_path = name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.split('/').any(|c| c == ".." || c == ".");
    if unsafe_path {
        return Err(BundleError::UnsafePath(name).into());
    }
    let t = entry.header().entry_type();
    if !(t.is_file() || t == tar::EntryType::Continuous) {
        return Err(BundleError::NotAFile {
            path: name,
            kind: kind_name(t).into(),
        }
        .into());
    }
    Ok(name)
}

fn read_small<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    name: &str,
    max: u64,
    state: &StreamState,
) -> Result<Zeroizing<Vec<u8>>> {
    let size = entry.header().size().map_err(|e| state.classify(e))?;
    if size > max {
        return Err(BundleError::TooLarge {
            name: name.into(),
            size,
            declared: max,
        }
        .into());
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(size as usize));
    entry.read_to_end(&mut buf).map_err(|e| state.classify(e))?;
    Ok(buf)
}

/// Reads a decrypted bundle (a tar) from `plain`, checking everything, feeding `sink`.
pub fn read_bundle<R: Read>(
    plain: R,
    trust: &TrustLookup<'_>,
    state: &StreamState,
    sink: &mut dyn Sink,
) -> Result<Opened> {
    let mut archive = tar::Archive::new(plain);
    let opened = {
        let mut entries = archive.entries().map_err(|e| state.classify(e))?;
        let mut position = 0usize;
        let mut next = |expected: &str| -> Result<Option<(tar::Entry<'_, R>, String)>> {
            position += 1;
            match entries.next() {
                None => Ok(None),
                Some(Err(e)) => Err(state.classify(e)),
                Some(Ok(entry)) => {
                    let name = checked_name(&entry)?;
                    let _ = expected;
                    Ok(Some((entry, name)))
                }
            }
        };
        let unexpected = |position: usize, expected: &str, found: Option<&str>| -> Error {
            BundleError::UnexpectedEntry {
                position,
                expected: expected.into(),
                found: found.unwrap_or("the end of the archive").into(),
            }
            .into()
        };

        // 1-3: manifest, SHA256SUMS, signature.
        let (mut e, name) =
            next(manifest::MANIFEST)?.ok_or_else(|| unexpected(1, manifest::MANIFEST, None))?;
        if name != manifest::MANIFEST {
            return Err(unexpected(1, manifest::MANIFEST, Some(&name)));
        }
        let manifest_bytes = read_small(&mut e, &name, MAX_MANIFEST_BYTES, state)?;
        drop(e);
        let (mut e, name) =
            next(manifest::SUMS)?.ok_or_else(|| unexpected(2, manifest::SUMS, None))?;
        if name != manifest::SUMS {
            return Err(unexpected(2, manifest::SUMS, Some(&name)));
        }
        let sums_bytes = read_small(&mut e, &name, MAX_SUMS_BYTES, state)?;
        drop(e);
        let (mut e, name) = next(manifest::SIGNATURE)?.ok_or(BundleError::Unsigned)?;
        if name != manifest::SIGNATURE {
            return Err(BundleError::Unsigned.into());
        }
        let sig_bytes = read_small(&mut e, &name, MAX_SIGNATURE_BYTES, state)?;
        drop(e);

        let signer = check_signature(&sums_bytes, &sig_bytes, trust)?;
        let sums = Sums::parse(&sums_bytes)?;
        match sums.get(manifest::MANIFEST) {
            None => return Err(BundleError::NotListed(manifest::MANIFEST.into()).into()),
            Some(h) if h != hex::encode(Sha256::digest(&manifest_bytes[..])) => {
                return Err(BundleError::HashMismatch(manifest::MANIFEST.into()).into())
            }
            Some(_) => {}
        }
        let manifest = Manifest::parse(&manifest_bytes)?;
        let comment = signature_comment(&sig_bytes)?;
        manifest.check_trusted_comment(&comment)?;
        if manifest.device_public_key != signer.public_key {
            return Err(BundleError::ManifestInvalid(format!(
                "device_public_key is not the key that signed it ({})",
                signer.key_id
            ))
            .into());
        }
        check_signer_device(&signer, &manifest)?;
        let opened = Opened {
            manifest,
            signer,
            bundle_sha256: hex::encode(Sha256::digest(&sums_bytes[..])),
        };
        sink.opened(&opened)?;
        let manifest = &opened.manifest;
        let mut seen: BTreeSet<String> = BTreeSet::from([manifest::MANIFEST.to_string()]);

        // 4: records.jsonl
        let (mut e, name) =
            next(manifest::RECORDS)?.ok_or_else(|| unexpected(4, manifest::RECORDS, None))?;
        if name != manifest::RECORDS {
            return Err(unexpected(4, manifest::RECORDS, Some(&name)));
        }
        let listed = sums
            .get(&name)
            .ok_or_else(|| BundleError::NotListed(name.clone()))?
            .to_string();
        let size = e.header().size().map_err(|e| state.classify(e))?;
        if size > manifest.records_bytes {
            return Err(BundleError::TooLarge {
                name,
                size,
                declared: manifest.records_bytes,
            }
            .into());
        }
        let records = read_small(&mut e, &name, manifest.records_bytes, state)?;
        drop(e);
        if hex::encode(Sha256::digest(&records[..])) != listed {
            return Err(BundleError::HashMismatch(name).into());
        }
        if size != manifest.records_bytes {
            return Err(BundleError::CountMismatch {
                what: "bytes of records.jsonl".into(),
                declared: manifest.records_bytes,
                found: size,
            }
            .into());
        }
        seen.insert(name);
        let revisions = check_records(&records, manifest)?;
        drop(records);
        sink.revisions(revisions)?;

        // 5…: attachments/<sha256>, in manifest order.
        let mut index = 0usize;
        loop {
            let pos = 5 + index;
            let Some((mut e, name)) = next("an attachment")? else {
                break;
            };
            let sha = name
                .strip_prefix(manifest::ATTACHMENTS_DIR)
                .filter(|s| is_sha256_hex(s))
                .ok_or_else(|| unexpected(pos, "attachments/<sha256>", Some(&name)))?
                .to_string();
            let listed = sums
                .get(&name)
                .ok_or_else(|| BundleError::NotListed(name.clone()))?
                .to_string();
            if listed != sha {
                return Err(BundleError::HashMismatch(name).into());
            }
            let declared = manifest
                .attachments
                .get(index)
                .filter(|a| a.sha256 == sha)
                .ok_or_else(|| BundleError::ManifestDisagrees(name.clone()))?
                .size_bytes;
            let size = e.header().size().map_err(|e| state.classify(e))?;
            if size > declared {
                return Err(BundleError::TooLarge {
                    name,
                    size,
                    declared,
                }
                .into());
            }
            if size != declared {
                return Err(BundleError::CountMismatch {
                    what: format!("bytes in {name}"),
                    declared,
                    found: size,
                }
                .into());
            }
            if !seen.insert(name.clone()) {
                return Err(BundleError::ManifestInvalid(format!("{name} appears twice")).into());
            }
            let mut hashing = HashingReader {
                inner: &mut e,
                hasher: Sha256::new(),
            };
            sink.attachment(&sha, size, &mut hashing)
                .map_err(|err| state.age_error().unwrap_or(err))?;
            io::copy(&mut hashing, &mut io::sink()).map_err(|e| state.classify(e))?;
            if hex::encode(hashing.hasher.finalize()) != sha {
                return Err(BundleError::HashMismatch(name).into());
            }
            index += 1;
        }
        for (name, _) in &sums.entries {
            if !seen.contains(name) {
                return Err(BundleError::ListedButAbsent(name.clone()).into());
            }
        }
        let found = index as u64;
        if found != manifest.counts.attachments || index != manifest.attachments.len() {
            return Err(BundleError::CountMismatch {
                what: "attachments".into(),
                declared: manifest.counts.attachments,
                found,
            }
            .into());
        }
        let bytes: u64 = manifest.attachments.iter().map(|a| a.size_bytes).sum();
        if bytes != manifest.counts.attachment_bytes {
            return Err(BundleError::CountMismatch {
                what: "attachment bytes".into(),
                declared: manifest.counts.attachment_bytes,
                found: bytes,
            }
            .into());
        }
        opened
    };
    // Read to the very end, so age checks its final chunk; only zero padding may follow.
    let mut rest = archive.into_inner();
    let mut buf = [0u8; 8192];
    loop {
        let n = match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(state.classify(e)),
        };
        if buf[..n].iter().any(|b| *b != 0) {
            return Err(BundleError::TrailingData.into());
        }
    }
    Ok(opened)
}

/// Refuses a bundle naming another device than the one its key is bound to. (A key not yet
/// bound is checked against the other keys by the store, which binds it at the import.)
fn check_signer_device(signer: &TrustedKey, manifest: &Manifest) -> Result<()> {
    match signer.device_id {
        Some(bound) if bound != manifest.device_id => Err(BundleError::WrongDevice {
            key_id: signer.key_id.clone(),
            name: signer.name.clone(),
            bound,
            claimed: manifest.device_id,
        }
        .into()),
        _ => Ok(()),
    }
}

/// Below this many bytes `records.jsonl` is checked on one thread: a second would cost more
/// than it saves.
const RECORDS_SPLIT_BYTES: usize = 256 * 1024;

/// Parses and checks `records.jsonl` (each line a revision passing `revisions::check_alone`, no
/// revision twice, every one attributed to the manifest's device) against the manifest's counts.
///
/// A large file is checked in two halves on two threads (parsing, hashing and the schema are
/// each line's own): on import nothing else runs yet, so the second core was idle for the
/// time this takes (about 0.2 s for 10,000 records). The outcome is the same as one pass
/// would give, except that of two faulty lines in different halves it may name either.
pub fn check_records(records: &[u8], manifest: &Manifest) -> Result<Vec<Revision>> {
    let (revisions, record_count, tombstones) = check_lines(records, manifest.device_id)?;
    for (what, declared, found) in [
        (
            "revisions",
            manifest.counts.revisions,
            revisions.len() as u64,
        ),
        ("records", manifest.counts.records, record_count),
        ("tombstones", manifest.counts.tombstones, tombstones),
    ] {
        if declared != found {
            return Err(BundleError::CountMismatch {
                what: what.into(),
                declared,
                found,
            }
            .into());
        }
    }
    Ok(revisions)
}

/// [`check_records`] short of the manifest's counts: the revisions in order (each of `device`),
/// how many records they are of, and how many are tombstones.
fn check_lines(records: &[u8], device: Uuid) -> Result<(Vec<Revision>, u64, u64)> {
    let split = if records.len() < RECORDS_SPLIT_BYTES {
        records.len()
    } else {
        records[records.len() / 2..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(records.len(), |at| records.len() / 2 + at + 1)
    };
    let (first, second) = records.split_at(split);
    let lines_before_second = first.iter().filter(|b| **b == b'\n').count();
    let (first, second) = std::thread::scope(|scope| {
        let other = (!second.is_empty())
            .then(|| {
                std::thread::Builder::new()
                    .name("fieldcase-records".into())
                    .spawn_scoped(scope, || parse_lines(second, lines_before_second))
                    .ok()
            })
            .flatten();
        let first = parse_lines(first, 0);
        let second = match other {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No second thread (none needed, or none could start): this one goes on.
            None => parse_lines(second, lines_before_second),
        };
        (first, second)
    });
    let mut revisions = first?;
    revisions.extend(second?);

    let mut record_ids = BTreeSet::new();
    let mut tombstones = 0u64;
    let mut ids = BTreeSet::new();
    for (line_no, rev) in &revisions {
        // A device writes only its own revisions; one attributed to another device is
        // refused, whichever record it touches (an edit or a tombstone of another device's
        // record is fine, as this device's own revision).
        if rev.device_id != device {
            return Err(BundleError::RevisionOfAnotherDevice {
                line: *line_no,
                revision: rev.id,
                revision_device: rev.device_id,
                bundle_device: device,
            }
            .into());
        }
        if !ids.insert(rev.id) {
            return Err(BundleError::InvalidRecord {
                line: *line_no,
                reason: format!("revision {} appears twice", rev.id),
            }
            .into());
        }
        record_ids.insert(rev.record_id);
        if rev.deleted {
            tombstones += 1;
        }
    }
    let revisions = revisions.into_iter().map(|(_, rev)| rev).collect();
    Ok((revisions, record_ids.len() as u64, tombstones))
}

/// Parses and checks each line of `lines` alone (`revisions::check_alone`); a revision comes with
/// its line number in `records.jsonl` (`lines_before` lines come before `lines`).
fn parse_lines(lines: &[u8], lines_before: usize) -> Result<Vec<(usize, Revision)>> {
    let mut revisions = Vec::new();
    for (i, line) in lines.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let line_no = lines_before + i + 1;
        let rev: Revision =
            serde_json::from_slice(line).map_err(|e| BundleError::InvalidRecord {
                line: line_no,
                reason: e.to_string(),
            })?;
        crate::store::revisions::check_alone(&rev).map_err(|e| BundleError::InvalidRecord {
            line: line_no,
            reason: e.to_string(),
        })?;
        revisions.push((line_no, rev));
    }
    Ok(revisions)
}

fn signature_comment(sig_bytes: &[u8]) -> Result<String> {
    let text = std::str::from_utf8(sig_bytes)
        .map_err(|_| BundleError::SignatureMalformed("not UTF-8".into()))?;
    let sig = minisign::SignatureBox::from_string(text)
        .map_err(|e| BundleError::SignatureMalformed(e.to_string()))?;
    sig.trusted_comment()
        .map_err(|e| BundleError::SignatureMalformed(e.to_string()).into())
}

/// Verifies `signature` over `data` by a trusted, unrevoked key. Returns that key.
pub fn check_signature(
    data: &[u8],
    signature: &[u8],
    trust: &TrustLookup<'_>,
) -> Result<TrustedKey> {
    let text = std::str::from_utf8(signature)
        .map_err(|_| BundleError::SignatureMalformed("not UTF-8".into()))?;
    let sig = minisign::SignatureBox::from_string(text)
        .map_err(|e| BundleError::SignatureMalformed(e.to_string()))?;
    let mut n = [0u8; 8];
    let keynum = sig.keynum();
    if keynum.len() != 8 {
        return Err(BundleError::SignatureMalformed("bad key id".into()).into());
    }
    n.copy_from_slice(keynum);
    let id = format!("{:016X}", u64::from_le_bytes(n));
    let key = trust(&id)?.ok_or_else(|| BundleError::UntrustedSigner(id.clone()))?;
    if let Some(revoked_at) = &key.revoked_at {
        return Err(BundleError::RevokedSigner {
            key_id: key.key_id.clone(),
            name: key.name.clone(),
            revoked_at: revoked_at.clone(),
        }
        .into());
    }
    let pk = minisign::PublicKey::from_base64(&key.public_key)
        .map_err(|e| Error::StoreDamaged(format!("trusted key {id}: {e}")))?;
    debug_assert_eq!(key_id(&pk), id);
    if sig.trusted_comment().is_err() {
        return Err(BundleError::SignatureMalformed("no trusted comment".into()).into());
    }
    // minisign 0.10 does not check the length of the trusted comment's signature and panics
    // on a short one (found by the fuzzer): it must be 64 bytes, 88 base64 characters.
    let global = text.lines().nth(3).map(str::trim).unwrap_or_default();
    if global.len() != 88 || !global.ends_with("==") {
        return Err(BundleError::SignatureMalformed(
            "the trusted comment's signature is not 64 bytes".into(),
        )
        .into());
    }
    minisign::verify(&pk, &sig, io::Cursor::new(data), true, false, false).map_err(|e| {
        if e.to_string().contains("Comment signature") {
            BundleError::TrustedCommentAltered
        } else {
            BundleError::BadSignature
        }
    })?;
    Ok(key)
}

struct HashingReader<'a, R: Read> {
    inner: &'a mut R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `records.jsonl` lines for `n` revisions of establishments, as export writes them.
    fn records_lines(n: usize) -> Vec<Vec<u8>> {
        let (_dir, mut store) = crate::store::tests::temp_store("Field laptop 3");
        for _ in 0..n {
            store
                .add(crate::model::example(
                    crate::model::RecordKind::Establishment,
                ))
                .unwrap();
        }
        crate::store::revisions::for_bundle(&store.conn, false)
            .unwrap()
            .iter()
            .map(|rev| serde_json::to_vec(rev).unwrap())
            .collect()
    }

    /// The device that wrote these lines.
    fn revisions_device(lines: &[Vec<u8>]) -> Uuid {
        serde_json::from_slice::<Revision>(&lines[0])
            .unwrap()
            .device_id
    }

    fn join(lines: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for line in lines {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out
    }

    /// A file large enough to be checked in two halves gives every revision in order, and a
    /// fault in the second half is named by its line in the whole file.
    #[test]
    fn records_checked_in_two_halves_keep_their_order_and_line_numbers() {
        let lines = records_lines(320);
        let whole = join(&lines);
        assert!(whole.len() > RECORDS_SPLIT_BYTES, "{} bytes", whole.len());
        let device = revisions_device(&lines);
        let (revisions, records, tombstones) = check_lines(&whole, device).unwrap();
        assert_eq!(revisions.len(), lines.len());
        assert_eq!((records, tombstones), (lines.len() as u64, 0));
        for (rev, line) in revisions.iter().zip(&lines) {
            assert_eq!(serde_json::to_vec(rev).unwrap(), *line);
        }

        // Every line is this device's; named for another, the first line is refused.
        match check_lines(&whole, Uuid::now_v7()) {
            Err(Error::Bundle(BundleError::RevisionOfAnotherDevice {
                line,
                revision_device,
                ..
            })) => assert_eq!((line, revision_device), (1, device)),
            other => panic!("expected a revision of another device, got {other:?}"),
        }

        let last = lines.len();
        let mut broken = lines.clone();
        broken[last - 3] = br#"{"not": "a revision"}"#.to_vec();
        match check_lines(&join(&broken), device) {
            Err(Error::Bundle(BundleError::InvalidRecord { line, .. })) => {
                assert_eq!(line, last - 2)
            }
            other => panic!("expected an invalid record, got {other:?}"),
        }

        let mut twice = lines.clone();
        twice[last - 1] = lines[1].clone();
        match check_lines(&join(&twice), device) {
            Err(Error::Bundle(BundleError::InvalidRecord { line, reason })) => {
                assert_eq!(line, last, "{reason}");
                assert!(reason.contains("appears twice"), "{reason}");
            }
            other => panic!("expected a revision twice, got {other:?}"),
        }
    }

    /// A signature whose trusted-comment signature was cut short is refused, not a panic
    /// inside minisign (the fuzzer's first find).
    #[test]
    fn a_short_trusted_comment_signature_is_malformed_not_a_panic() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let data = b"01f3d3270f1c15d0  manifest.json\n";
        let sig = minisign::sign(
            Some(&pair.pk),
            &pair.sk,
            io::Cursor::new(&data[..]),
            Some("fieldcase-bundle v1 sequence=1"),
            Some("signature from Fieldcase device"),
        )
        .unwrap()
        .to_string();
        let key = TrustedKey {
            public_key: pair.pk.to_base64(),
            key_id: key_id(&pair.pk),
            name: "Field laptop 3".into(),
            added_at: String::new(),
            revoked_at: None,
            device_id: None,
        };
        let trust = |_: &str| Ok(Some(key.clone()));
        assert!(check_signature(data, sig.as_bytes(), &trust).is_ok());

        let mut lines: Vec<String> = sig.lines().map(str::to_owned).collect();
        lines[3] = lines[3][..80].to_owned(); // 60 bytes instead of 64
        let short = lines.join("\n") + "\n";
        match check_signature(data, short.as_bytes(), &trust) {
            Err(Error::Bundle(BundleError::SignatureMalformed(why))) => {
                assert!(why.contains("64 bytes"), "{why}")
            }
            other => panic!("expected a malformed signature, got {other:?}"),
        }
    }
}
