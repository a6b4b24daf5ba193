//! A passphrase change rotates the data key (docs/threat-model.md, "Key slots").
//!
//! The person gets a new identity and the store a new random data key, sealed to that
//! identity and to the office's recovery recipient; the database is re-encrypted under it
//! with SQLCipher's `PRAGMA rekey`. An old key-slot file and the old passphrase then open
//! nothing in the profile's current files.
//!
//! The database and the slot file are two files, so the change has two phases, each of which
//! a crash may cut short:
//!
//! 1. the new slot file is written beside the old one as `keyslots.pending.json`;
//! 2. the database is re-encrypted in one transaction (`PRAGMA rekey`, its write-ahead log
//!    emptied before and after);
//! 3. the pending file is renamed over `keyslots.json`.
//!
//! An unlock that finds a pending file tries the passphrase on both files, opens the
//! database with whichever key opens it, and finishes (3) or undoes (removes the pending
//! file) accordingly ([`finish_pending`]). So at every moment exactly one of the old and the
//! new passphrase opens the profile.

use std::fs;
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use crate::crypto::{KdfParams, KeySlots};
use crate::error::{Error, Result};
use crate::secret::{DataKey, Passphrase};
use crate::store::{audit, layout, Store};

/// How far a passphrase change has gone: bytes done of a total (the attachments that must
/// be sealed again, then the database, counted whole once it is re-encrypted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RekeyProgress {
    /// Bytes done so far.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

impl Store {
    /// Changes the passphrase and rotates the data key (see the module's documentation).
    pub fn change_passphrase(
        &mut self,
        new_passphrase: &Passphrase,
        params: KdfParams,
    ) -> Result<()> {
        self.change_passphrase_reporting(new_passphrase, params, &mut |_| {})
    }

    /// [`Store::change_passphrase`], telling `progress` how far it has gone.
    pub fn change_passphrase_reporting(
        &mut self,
        new_passphrase: &Passphrase,
        params: KdfParams,
        progress: &mut dyn FnMut(RekeyProgress),
    ) -> Result<()> {
        // Before any KDF run, blob or rekey: a short passphrase changes nothing.
        new_passphrase.check_new()?;
        let slots_path = self.dir.join(layout::KEY_SLOTS);
        let pending_path = self.dir.join(layout::PENDING_KEY_SLOTS);
        let current = KeySlots::read(&slots_path)?;
        let recovery = self.recovery_recipient()?;
        if current.has_recovery() && recovery.is_none() {
            return Err(Error::KeySlotDamaged(
                "the profile has a recovery slot but no record of the office recipient it was \
                 made for; set it again with `recovery set age1…` first. Nothing was changed."
                    .into(),
            ));
        }
        let db_len = fs::metadata(self.dir.join(layout::DATABASE))
            .map(|m| m.len())
            .unwrap_or(0);
        let mut blob_total = 0;
        self.rekey_derived_blobs(&mut |done, total| {
            blob_total = total;
            progress(RekeyProgress {
                done,
                total: total + db_len,
            })
        })?;

        let new_key = DataKey::generate();
        let mut pending = KeySlots::create(&new_key, new_passphrase, params)?;
        if let Some(recipient) = &recovery {
            pending.set_recovery(&new_key, recipient)?;
        }
        pending.write_atomic(&pending_path)?;
        if let Err(e) = rekey_database(&self.conn, &new_key) {
            // The transaction rolled back: the database is under the old key, which the
            // current file opens. Best effort: an unlock removes a pending file left here.
            let _ = fs::remove_file(&pending_path);
            return Err(e);
        }
        self.key = new_key;
        progress(RekeyProgress {
            done: blob_total + db_len,
            total: blob_total + db_len,
        });
        let logged = self.audit_now(
            audit::Action::PassphraseChanged,
            None,
            json!({"kdf": {"m_kib": params.m_kib, "t": params.t, "p": params.p},
                   "data_key_rotated": true}),
        );
        // The database is under the new key whatever the log says: the change is finished
        // first, then an error writing the log is told.
        finish_pending(&self.dir, true)?;
        logged
    }

    /// The key-slot file's Argon2id parameters (a shell warns when they are below
    /// [`KdfParams::RELEASE_FLOOR`] in a build that no longer makes such slots).
    pub fn key_slot_params(&self) -> Result<KdfParams> {
        Ok(KeySlots::read(&self.dir.join(layout::KEY_SLOTS))?.kdf_params())
    }

    /// The office recipient the recovery slot was last made for, from the audit chain: kept
    /// in the encrypted database, never taken from the slot file, which anyone with the disk
    /// could edit to have the next data key sealed to them.
    fn recovery_recipient(&self) -> Result<Option<String>> {
        Ok(
            audit::newest_detail(&self.conn, audit::Action::RecoveryKeySet)?.and_then(|d| {
                d.get("recipient")
                    .and_then(|r| r.as_str())
                    .map(str::to_string)
            }),
        )
    }
}

/// Re-encrypts the whole database under `key`, in one transaction. This connection must be
/// the only one: `PRAGMA rekey` rewrites every page, and the write-ahead log is checkpointed
/// and truncated before (so no frame under the old key outlives the change in it) and after
/// (so the new pages reach the database file).
fn rekey_database(conn: &rusqlite::Connection, key: &DataKey) -> Result<()> {
    checkpoint(conn)?;
    conn.flush_prepared_statement_cache();
    let mut statement = Zeroizing::new(String::from("PRAGMA rekey = \""));
    statement.push_str(&key.sqlcipher_literal());
    statement.push_str("\";");
    conn.execute_batch(&statement)?;
    checkpoint(conn)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(())
}

/// Checkpoints the write-ahead log whole and truncates it.
fn checkpoint(conn: &rusqlite::Connection) -> Result<()> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(Error::InUse);
    }
    Ok(())
}

/// Ends a passphrase change left pending in `dir`: `completed` (the database opened with the
/// pending file's key) renames the pending file over the current one; otherwise the pending
/// file is removed. Either way the folder is synced.
pub(crate) fn finish_pending(dir: &Path, completed: bool) -> Result<()> {
    let pending = dir.join(layout::PENDING_KEY_SLOTS);
    let done = if completed {
        fs::rename(&pending, dir.join(layout::KEY_SLOTS))
    } else {
        fs::remove_file(&pending)
    };
    done.map_err(|e| Error::io("finishing the passphrase change", e))?;
    super::attachments::sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::model::{example, MediaKind, RecordKind};
    use crate::profile::Profile;
    use crate::store::attachments::{self, NewAttachment};
    use crate::store::tests::{temp_store, PASS};

    const NEW: &str = "ផ្កាឈូក a new passphrase 2026";

    fn pass(s: &str) -> Passphrase {
        Passphrase::new(s.into())
    }

    fn photo(store: &mut Store, bytes: &[u8]) -> uuid::Uuid {
        let on = store.add(example(RecordKind::Establishment)).unwrap();
        store
            .attach(
                NewAttachment {
                    record_id: on,
                    media: MediaKind::Photo,
                    file_name: "ខាងមុខ.jpg".into(),
                    media_type: "image/jpeg".into(),
                    description: None,
                },
                &mut std::io::Cursor::new(bytes.to_vec()),
            )
            .unwrap()
    }

    fn read_back(store: &Store, id: uuid::Uuid) -> Vec<u8> {
        let mut out = Vec::new();
        store
            .attachment_reader(id)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn opens(dir: &Path, key: &DataKey) -> bool {
        crate::store::open_connection(&dir.join(layout::DATABASE), Some(key), false).is_ok()
    }

    /// Turns attachment `id`'s blob into one written before blobs had keys: sealed under the
    /// key derived from the data key, with no `file_key`.
    fn make_derived(store: &mut Store, id: uuid::Uuid) {
        let plain = read_back(store, id);
        let (blob, old_key): (String, Vec<u8>) = store
            .conn
            .query_row(
                "SELECT blob, file_key FROM attachment_blobs WHERE attachment_id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(old_key.len(), 32);
        let path = attachments::attachments_dir(&store.dir).join(&blob);
        let derived = attachments::blob_key(&store.key, &blob, None).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let mut w = crate::crypto::EncryptingWriter::new(file, &derived).unwrap();
        std::io::Write::write_all(&mut w, &plain).unwrap();
        w.finish().unwrap();
        store
            .conn
            .execute(
                "UPDATE attachment_blobs SET file_key = NULL WHERE attachment_id = ?1",
                [id.to_string()],
            )
            .unwrap();
        assert_eq!(
            read_back(store, id),
            plain,
            "readable under the derived key"
        );
    }

    #[test]
    fn a_change_re_encrypts_the_database_under_a_new_key() {
        let (dir, mut store) = temp_store("Laptop A");
        let dir = dir.path().join("p");
        let record = store.add(example(RecordKind::Establishment)).unwrap();
        let bytes = "រូបថត photo ".repeat(9000).into_bytes();
        let att = photo(&mut store, &bytes);
        // Some freed pages too: they must be rewritten like the rest.
        let gone = store.add(example(RecordKind::Establishment)).unwrap();
        store.delete(gone).unwrap();
        checkpoint(&store.conn).unwrap();
        let pages_before = std::fs::read(dir.join(layout::DATABASE)).unwrap();
        let old_key = store.key.clone();
        let mut seen = Vec::new();
        store
            .change_passphrase_reporting(&pass(NEW), KdfParams::FOR_TESTS_ONLY, &mut |p| {
                seen.push(p)
            })
            .unwrap();
        assert_ne!(store.key.expose(), old_key.expose());
        assert!(
            !opens(&dir, &old_key),
            "the old data key still opens the database"
        );
        assert!(opens(&dir, &store.key));
        // Every page of the file was written again under the new key: none is left as it was.
        let pages_after = std::fs::read(dir.join(layout::DATABASE)).unwrap();
        let page = 4096;
        assert!(pages_before.len() >= 4 * page);
        for (at, (a, b)) in pages_before
            .chunks(page)
            .zip(pages_after.chunks(page))
            .enumerate()
        {
            assert_ne!(a, b, "page {at} was not rewritten");
        }
        let last = seen.last().copied().unwrap();
        assert_eq!(last.done, last.total);
        assert!(!dir.join(layout::PENDING_KEY_SLOTS).exists());
        // The open store goes on working under the new key.
        assert_eq!(read_back(&store, att), bytes);
        store.show(record, false).unwrap();
        let logged = store.audit_entries().unwrap();
        let entry = logged.last().unwrap();
        assert_eq!(entry.action, "passphrase_changed");
        assert_eq!(entry.detail["data_key_rotated"], true);
        drop(store);
        let store = Profile::open(&dir, &pass(NEW)).unwrap();
        assert_eq!(read_back(&store, att), bytes);
        assert_eq!(store.integrity_check().unwrap(), ["ok"]);
        assert!(store.audit_verify().unwrap().is_intact());
    }

    #[test]
    fn blobs_keyed_from_the_old_data_key_are_sealed_again_at_the_first_change() {
        let (dir, mut store) = temp_store("Laptop A");
        let dir = dir.path().join("p");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let att = photo(&mut store, &bytes);
        let other = photo(&mut store, b"a second photo");
        make_derived(&mut store, att);
        let old_blob: String = store
            .conn
            .query_row(
                "SELECT blob FROM attachment_blobs WHERE attachment_id = ?1",
                [att.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        store
            .change_passphrase(&pass(NEW), KdfParams::FOR_TESTS_ONLY)
            .unwrap();
        let (blob, key): (String, Option<Vec<u8>>) = store
            .conn
            .query_row(
                "SELECT blob, file_key FROM attachment_blobs WHERE attachment_id = ?1",
                [att.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_ne!(blob, old_blob);
        assert_eq!(key.map(|k| k.len()), Some(32));
        let files = attachments::attachments_dir(&dir);
        assert!(!files.join(&old_blob).exists(), "the old file is removed");
        assert_eq!(std::fs::read_dir(&files).unwrap().count(), 2);
        assert_eq!(read_back(&store, att), bytes);
        assert_eq!(read_back(&store, other), b"a second photo");
    }

    /// A crash after the pending file was written and before the database was re-encrypted:
    /// the old passphrase opens (and the pending file goes), the new one does not.
    #[test]
    fn a_change_cut_before_the_rekey_leaves_the_old_passphrase() {
        let (dir, store) = temp_store("Laptop A");
        let dir = dir.path().join("p");
        KeySlots::create(&DataKey::generate(), &pass(NEW), KdfParams::FOR_TESTS_ONLY)
            .unwrap()
            .write_atomic(&dir.join(layout::PENDING_KEY_SLOTS))
            .unwrap();
        drop(store);
        assert!(matches!(
            Profile::open(&dir, &pass(NEW)),
            Err(Error::WrongPassphrase)
        ));
        assert!(dir.join(layout::PENDING_KEY_SLOTS).exists());
        drop(Profile::open(&dir, &pass(PASS)).unwrap());
        assert!(!dir.join(layout::PENDING_KEY_SLOTS).exists());
        assert!(matches!(
            Profile::open(&dir, &pass(NEW)),
            Err(Error::WrongPassphrase)
        ));
    }

    /// A crash after the database was re-encrypted and before the pending file was renamed
    /// into place: the new passphrase opens and finishes the change; the old one opens nothing.
    #[test]
    fn a_change_cut_after_the_rekey_leaves_the_new_passphrase() {
        let (dir, mut store) = temp_store("Laptop A");
        let dir = dir.path().join("p");
        let record = store.add(example(RecordKind::Establishment)).unwrap();
        let new_key = DataKey::generate();
        KeySlots::create(&new_key, &pass(NEW), KdfParams::FOR_TESTS_ONLY)
            .unwrap()
            .write_atomic(&dir.join(layout::PENDING_KEY_SLOTS))
            .unwrap();
        rekey_database(&store.conn, &new_key).unwrap();
        drop(store);
        assert!(matches!(
            Profile::open(&dir, &pass(PASS)),
            Err(Error::WrongPassphrase)
        ));
        let mut store = Profile::open(&dir, &pass(NEW)).unwrap();
        assert!(!dir.join(layout::PENDING_KEY_SLOTS).exists());
        store.show(record, false).unwrap();
        let entries = store.audit_entries().unwrap();
        let finished = entries
            .iter()
            .rev()
            .find(|e| e.action == "passphrase_changed");
        assert_eq!(
            finished.map(|e| e.detail["finished_at_unlock"].clone()),
            Some(serde_json::json!(true))
        );
        drop(store);
        assert!(matches!(
            Profile::open(&dir, &pass(PASS)),
            Err(Error::WrongPassphrase)
        ));
        drop(Profile::open(&dir, &pass(NEW)).unwrap());
    }

    /// The new data key is sealed to the office recipient again, read from the store (an
    /// edited slot file cannot change where it goes).
    #[test]
    fn the_recovery_slot_follows_the_new_key() {
        let (dir, mut store) = temp_store("Laptop A");
        let dir = dir.path().join("p");
        let office = age::x25519::Identity::generate();
        let secret = age::secrecy::ExposeSecret::expose_secret(&office.to_string()).to_string();
        store
            .set_recovery_recipient(&office.to_public().to_string())
            .unwrap();
        store
            .change_passphrase(&pass(NEW), KdfParams::FOR_TESTS_ONLY)
            .unwrap();
        drop(store);
        let store = Profile::open_with_recovery(&dir, &secret).unwrap();
        assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    }

    /// A profile whose slot file is version 1 (the data key wrapped straight under the
    /// passphrase) opens, and its first change writes version 2.
    #[test]
    fn a_version_1_slot_file_opens_and_a_change_writes_version_2() {
        let (dir, store) = temp_store("Laptop A");
        let dir = dir.path().join("p");
        let key = store.key.clone();
        drop(store);
        let v1 = version_1_file(&key, PASS);
        std::fs::write(dir.join(layout::KEY_SLOTS), v1).unwrap();
        let mut store = Profile::open(&dir, &pass(PASS)).unwrap();
        assert_eq!(
            KeySlots::read(&dir.join(layout::KEY_SLOTS))
                .unwrap()
                .version(),
            1
        );
        store
            .change_passphrase(&pass(NEW), KdfParams::FOR_TESTS_ONLY)
            .unwrap();
        drop(store);
        assert_eq!(
            KeySlots::read(&dir.join(layout::KEY_SLOTS))
                .unwrap()
                .version(),
            2
        );
        drop(Profile::open(&dir, &pass(NEW)).unwrap());
    }

    /// A version 1 file as the build before version 2 wrote it, for `key` under `passphrase`
    /// (the test KDF parameters).
    fn version_1_file(key: &DataKey, passphrase: &str) -> String {
        crate::crypto::keyslot::version_1_for_tests(key, &pass(passphrase))
    }
}
