//! A profile is one folder: the SQLCipher database, its key-slot file, the
//! encrypted attachments, and a lock file held while it is open.
//!
//! [`Profile::init`] creates one; [`Profile::open`] unlocks one with a
//! passphrase. A wrong passphrase changes nothing but a line in
//! `unlock-failures` (a time, nothing else), which the next successful unlock
//! moves into the audit chain. The same lines rate-limit unlocking: after
//! [`FREE_FAILURES`] failures in a row, each attempt waits a delay that doubles
//! with every failure ([`unlock_delay`]), counted from the newest one, so
//! restarting the program does not reset it.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;
use serde_json::json;
use uuid::Uuid;

use crate::crypto::signing::DeviceSigningKey;
use crate::crypto::{KdfParams, KeySlots};
use crate::error::{Error, Result, ValidationError};
use crate::secret::{DataKey, Passphrase};
use crate::store::{self, audit, layout, migrations, Store};

/// Creating and unlocking profile folders.
#[derive(Debug)]
pub struct Profile;

/// What `init` needs besides the passphrase.
#[derive(Debug, Clone)]
pub struct NewProfile {
    /// The device's name, e.g. "Field laptop 3".
    pub device_name: String,
    /// Who writes on this device (a name or staff code). Defaults to the device name.
    pub author: Option<String>,
    /// Key derivation cost; [`KdfParams::DEFAULT`] unless a test asks otherwise.
    pub kdf: KdfParams,
    /// BENCHMARKS ONLY: leaves the database unencrypted, to measure what encryption costs.
    /// Such a profile cannot be opened again. Never set it for real data.
    #[doc(hidden)]
    pub unencrypted_for_benchmarks: bool,
}

impl Profile {
    /// Whether `dir` holds a profile (or what is left of one).
    pub fn exists(dir: &Path) -> bool {
        dir.join(layout::KEY_SLOTS).exists() || dir.join(layout::DATABASE).exists()
    }

    /// Creates a profile in `dir` (created if missing; it must not hold a profile already).
    pub fn init(dir: &Path, passphrase: &Passphrase, new: &NewProfile) -> Result<Store> {
        passphrase.check_new()?;
        if new.device_name.trim().is_empty() {
            return Err(ValidationError::new("device_name", "must not be empty").into());
        }
        if Self::exists(dir) {
            return Err(Error::ProfileExists(dir.to_path_buf()));
        }
        create_private_dir(dir)?;
        let lock = lock(dir)?;
        // A failed init (a full disk, a crash of the key derivation) leaves nothing that
        // would make the next `init` refuse or `open` call the profile damaged.
        Self::create(dir, passphrase, new, lock).inspect_err(|_| remove_unfinished(dir))
    }

    fn create(dir: &Path, passphrase: &Passphrase, new: &NewProfile, lock: File) -> Result<Store> {
        let key = DataKey::generate();
        let slots = KeySlots::create(&key, passphrase, new.kdf)?;
        let db_path = dir.join(layout::DATABASE);
        // Made here, owner-only, so SQLite (which gives its WAL and shared-memory files the
        // database file's mode) never creates a file others can read.
        owner_only(OpenOptions::new().write(true).create_new(true))
            .open(&db_path)
            .map_err(|e| Error::io(format!("creating {}", db_path.display()), e))?;
        let mut conn = store::open_connection(
            &db_path,
            (!new.unencrypted_for_benchmarks).then_some(&key),
            true,
        )?;
        migrations::migrate(&mut conn)?;
        // The device's signing key goes straight from zeroizing memory into the store, in
        // minisign's key-box format.
        let (public_key, secret_box) = {
            let key = DeviceSigningKey::generate()?;
            (key.public_key_base64()?, key.to_secret_box()?)
        };
        let device_id = Uuid::now_v7();
        let author = new
            .author
            .clone()
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| new.device_name.clone());
        let now = Utc::now();
        {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO device (id, name, author, created_at, signing_public_key, signing_secret_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    device_id.to_string(),
                    new.device_name,
                    author,
                    now.to_rfc3339_opts(SecondsFormat::Micros, true),
                    public_key,
                    secret_box.expose()
                ],
            )?;
            audit::append(
                &tx,
                now,
                &device_id.to_string(),
                &author,
                audit::Action::ProfileCreated,
                None,
                json!({"device_name": new.device_name, "schema": migrations::latest()}),
            )?;
            tx.commit()?;
        }
        // The key slot is written last: until it exists, nothing can be unlocked.
        slots.write_atomic(&dir.join(layout::KEY_SLOTS))?;
        Store::from_parts(conn, dir.to_path_buf(), key, lock)
    }

    /// Unlocks the profile in `dir` with a passphrase.
    ///
    /// If a passphrase change was cut short (a pending key-slot file beside the current
    /// one), the passphrase is tried on both, the database is opened with whichever key opens
    /// it, and the change is finished or undone: exactly one of the old and the new
    /// passphrase opens the profile at any moment.
    pub fn open(dir: &Path, passphrase: &Passphrase) -> Result<Store> {
        Self::open_at(dir, passphrase, Utc::now())
    }

    /// [`Profile::open`] at the time `now` (tests give their own clock). Too soon after
    /// failed unlocks is [`Error::UnlockDelayed`], before the KDF runs.
    pub(crate) fn open_at(
        dir: &Path,
        passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<Store> {
        let (slots, lock) = Self::prepare(dir)?;
        if let Some(wait) = wait_before_unlock(&failed_unlocks(dir), now) {
            return Err(Error::UnlockDelayed {
                seconds: u64::try_from(wait.num_seconds()).unwrap_or(0).max(1),
            });
        }
        let files: Vec<&KeySlots> = slots.files();
        let keys = KeySlots::unlock_each(&files, passphrase)?;
        if keys.iter().all(Option::is_none) {
            note_failed_unlock(dir, now);
            return Err(Error::WrongPassphrase);
        }
        match Self::finish_open(dir, keys, lock) {
            Err(Error::WrongPassphrase) => {
                note_failed_unlock(dir, now);
                Err(Error::WrongPassphrase)
            }
            other => other,
        }
    }

    /// Unlocks the profile with the office's recovery identity (`AGE-SECRET-KEY-1…`),
    /// for when the passphrase is lost. Set a new passphrase right after.
    pub fn open_with_recovery(dir: &Path, office_identity: &str) -> Result<Store> {
        let (slots, lock) = Self::prepare(dir)?;
        let mut keys = Vec::new();
        let mut first_error = None;
        for file in slots.files() {
            match file.recover(office_identity) {
                Ok(key) => keys.push(Some(key)),
                Err(e) => {
                    first_error.get_or_insert(e);
                    keys.push(None);
                }
            }
        }
        if keys.iter().all(Option::is_none) {
            return Err(first_error.unwrap_or(Error::WrongPassphrase));
        }
        let store = Self::finish_open(dir, keys, lock)?;
        // Its own entry, before the passphrase change that follows it: the office opened this.
        store.audit_now(audit::Action::RecoveryUnlock, None, json!({}))?;
        Ok(store)
    }

    fn prepare(dir: &Path) -> Result<(SlotFiles, File)> {
        let slots_path = dir.join(layout::KEY_SLOTS);
        if !slots_path.exists() {
            if dir.join(layout::DATABASE).exists() {
                return Err(Error::KeySlotDamaged("the key-slot file is missing".into()));
            }
            return Err(Error::NoProfile(dir.to_path_buf()));
        }
        let lock = lock(dir)?;
        tighten_permissions(dir);
        remove_unfinished_key_slots(dir);
        let current = KeySlots::read(&slots_path)?;
        let pending = KeySlots::read_if_present(&dir.join(layout::PENDING_KEY_SLOTS))?;
        Ok((SlotFiles { current, pending }, lock))
    }

    /// Opens the database with the first of `keys` (the current file's, then the pending
    /// file's) that opens it, and ends a pending change accordingly. With a pending file, a
    /// key that opens its slot but not the database is the other passphrase's side of the
    /// change: [`Error::WrongPassphrase`].
    fn finish_open(dir: &Path, keys: Vec<Option<DataKey>>, lock: File) -> Result<Store> {
        let db_path = dir.join(layout::DATABASE);
        let pending = keys.len() > 1;
        let mut refused = None;
        for (at, key) in keys.into_iter().enumerate() {
            let Some(key) = key else { continue };
            match store::open_connection(&db_path, Some(&key), false) {
                Ok(conn) => {
                    let completed = at == 1;
                    let store = Self::open_store(dir, conn, key, lock)?;
                    if pending {
                        store::finish_pending(dir, completed)?;
                        if completed {
                            store.audit_now(
                                audit::Action::PassphraseChanged,
                                None,
                                json!({"data_key_rotated": true, "finished_at_unlock": true}),
                            )?;
                        }
                    }
                    return Ok(store);
                }
                Err(e) => refused = Some(e),
            }
        }
        match refused {
            Some(_) if pending => Err(Error::WrongPassphrase),
            Some(e) => Err(e),
            None => Err(Error::WrongPassphrase),
        }
    }

    fn open_store(
        dir: &Path,
        mut conn: rusqlite::Connection,
        key: DataKey,
        lock: File,
    ) -> Result<Store> {
        let db_path = dir.join(layout::DATABASE);
        check_not_truncated(&conn, &db_path)?;
        let version = migrations::check_not_newer(&conn)?;
        if version < migrations::latest() {
            migrations::migrate(&mut conn)?;
        }
        let store = Store::from_parts(conn, dir.to_path_buf(), key, lock)?;
        fold_failed_unlocks(&store)?;
        store.sweep_orphan_blobs()?;
        Ok(store)
    }
}

/// The key-slot file, and the next one while a passphrase change is unfinished.
struct SlotFiles {
    current: KeySlots,
    pending: Option<KeySlots>,
}

impl SlotFiles {
    /// The current file, then the pending one if there is one.
    fn files(&self) -> Vec<&KeySlots> {
        std::iter::once(&self.current)
            .chain(self.pending.as_ref())
            .collect()
    }
}

/// Removes what an unfinished `init` wrote (the key slot is written last, so it is not there).
fn remove_unfinished(dir: &Path) {
    for name in [
        layout::DATABASE.to_string(),
        format!("{}-wal", layout::DATABASE),
        format!("{}-shm", layout::DATABASE),
        format!("{}-journal", layout::DATABASE),
        layout::KEY_SLOTS.to_string(),
    ] {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(dir.join(name));
    }
}

/// A key-slot file is written beside the real one and renamed over it; a crash before the
/// rename leaves the temporary (`.keyslots.json.<random>.tmp`, or the pending file's
/// `.keyslots.pending.json.<random>.tmp`), removed here under the lock.
fn remove_unfinished_key_slots(dir: &Path) {
    let prefixes = [
        format!(".{}.", layout::KEY_SLOTS),
        format!(".{}.", layout::PENDING_KEY_SLOTS),
    ];
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if prefixes.iter().any(|p| name.starts_with(p)) && name.ends_with(".tmp") {
            // Best effort: a leftover holds only a wrapped key, and the next unlock tries again.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Files in a profile are for their owner only (mode 0600 on Unix), from the moment they exist.
pub(crate) fn owner_only(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Profiles made before files were created owner-only get their modes tightened at unlock
/// (best effort: a file that cannot be changed is still protected by the 0700 folder).
fn tighten_permissions(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let db = layout::DATABASE;
        for (name, mode) in [
            (layout::DATABASE.to_string(), 0o600),
            (format!("{db}-wal"), 0o600),
            (format!("{db}-shm"), 0o600),
            (layout::KEY_SLOTS.to_string(), 0o600),
            (layout::PENDING_KEY_SLOTS.to_string(), 0o600),
            (layout::LOCK.to_string(), 0o600),
            (layout::UNLOCK_FAILURES.to_string(), 0o600),
            (layout::ATTACHMENTS.to_string(), 0o700),
        ] {
            let path = dir.join(name);
            if let Ok(meta) = fs::metadata(&path) {
                if meta.permissions().mode() & 0o777 != mode {
                    let _ = fs::set_permissions(&path, fs::Permissions::from_mode(mode));
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Creates `dir` (and its parents) and makes it owner-only (0700 on Unix).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(format!("protecting {}", dir.display()), e))?;
    }
    Ok(())
}

fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(layout::LOCK);
    let file = owner_only(OpenOptions::new().create(true).truncate(false).write(true))
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::InUse),
        Err(TryLockError::Error(e)) => Err(Error::io(format!("locking {}", path.display()), e)),
    }
}

/// A database file shorter than the pages it claims was cut off (a bad copy, a full disk).
fn check_not_truncated(conn: &rusqlite::Connection, db_path: &Path) -> Result<()> {
    let wal = PathBuf::from(format!("{}-wal", db_path.display()));
    let wal_len = fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    if wal_len > 0 {
        return Ok(()); // pages may live in the WAL; SQLCipher's page checks catch damage there
    }
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    // SQLCipher answers this one as text (its `cipher_page_size`).
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(n) => n,
            rusqlite::types::Value::Text(t) => t.trim().parse().unwrap_or(4096),
            _ => 4096,
        })?;
    let len = fs::metadata(db_path)
        .map_err(|e| Error::io("reading the database", e))?
        .len();
    if (len as i128) < (pages as i128) * (size as i128) || len % (size.max(1) as u64) != 0 {
        return Err(Error::StoreDamaged(format!(
            "the database file is cut short ({len} bytes for {pages} pages of {size})"
        )));
    }
    Ok(())
}

/// Failed unlocks in a row allowed without a delay.
pub const FREE_FAILURES: usize = 3;
/// The longest delay between attempts.
const MAX_DELAY_SECONDS: i64 = 5 * 60;

/// The delay after `failures` failed unlocks in a row: none up to [`FREE_FAILURES`], then
/// 1 s, doubling with each failure, at most 5 minutes.
pub fn unlock_delay(failures: usize) -> chrono::Duration {
    if failures < FREE_FAILURES {
        return chrono::Duration::zero();
    }
    let doublings = u32::try_from(failures - FREE_FAILURES)
        .unwrap_or(u32::MAX)
        .min(20);
    chrono::Duration::seconds((1i64 << doublings).min(MAX_DELAY_SECONDS))
}

/// How long an attempt at `now` must still wait, given the times of the failures in a row
/// (`unlock-failures`). A failure noted in the future (the clock was set back) counts as
/// now, so a clock set back does not lock the profile for the difference.
pub(crate) fn wait_before_unlock(
    failures: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Option<chrono::Duration> {
    let newest = (*failures.iter().max()?).min(now);
    let wait = newest + unlock_delay(failures.len()) - now;
    (wait > chrono::Duration::zero()).then_some(wait)
}

/// The times in `unlock-failures` (lines that are not a time are skipped).
fn failed_unlocks(dir: &Path) -> Vec<DateTime<Utc>> {
    let Ok(text) = fs::read_to_string(dir.join(layout::UNLOCK_FAILURES)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| DateTime::parse_from_rfc3339(l.trim()).ok())
        .map(|t| t.with_timezone(&Utc))
        .collect()
}

fn note_failed_unlock(dir: &Path, now: DateTime<Utc>) {
    // Best effort: a failed unlock must still be refused if this cannot be written.
    if let Ok(mut f) = owner_only(OpenOptions::new().create(true).append(true))
        .open(dir.join(layout::UNLOCK_FAILURES))
    {
        let _ = writeln!(f, "{}", now.to_rfc3339_opts(SecondsFormat::Micros, true));
        let _ = f.sync_all();
    }
}

fn fold_failed_unlocks(store: &Store) -> Result<()> {
    let path = store.dir.join(layout::UNLOCK_FAILURES);
    if !path.exists() {
        return Ok(());
    }
    let times = failed_unlocks(&store.dir);
    {
        let conn = &store.conn;
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        for at in &times {
            audit::append(
                &tx,
                *at,
                &store.device.id.to_string(),
                "unknown",
                audit::Action::UnlockFailed,
                None,
                json!({"noted_at": at.to_rfc3339_opts(SecondsFormat::Micros, true)}),
            )?;
        }
        tx.commit()?;
    }
    fs::remove_file(&path).map_err(|e| Error::io("clearing the failed-unlock note", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const PASS: &str = "ភ្លៀងធ្លាក់ rain on the roof";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-08T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::seconds(seconds)
    }

    #[test]
    fn the_delay_grows_after_three_failures_and_stops_at_five_minutes() {
        let delays: Vec<i64> = (0..14).map(|n| unlock_delay(n).num_seconds()).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
        );
        assert_eq!(unlock_delay(usize::MAX).num_seconds(), 300);
    }

    #[test]
    fn the_wait_counts_from_the_newest_failure_and_survives_a_clock_set_back() {
        let five: Vec<_> = (0..5).map(at).collect();
        // The fifth failure at +4 s: 4 s of delay, so until +8 s.
        assert_eq!(wait_before_unlock(&five, at(5)), Some(Duration::seconds(3)));
        assert_eq!(wait_before_unlock(&five, at(8)), None);
        assert_eq!(wait_before_unlock(&five[..2], at(4)), None);
        assert_eq!(wait_before_unlock(&[], at(0)), None);
        // The clock set back an hour: the newest failure counts as now, not an hour of wait.
        assert_eq!(
            wait_before_unlock(&five, at(-3600)),
            Some(Duration::seconds(4))
        );
    }

    /// The delay is kept in `unlock-failures`, so a new process (a restart) waits too, and
    /// even the right passphrase is not tried until it has passed; then it opens, and the
    /// count starts again.
    #[test]
    fn unlocking_is_rate_limited_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("p");
        let pass = Passphrase::new(PASS.into());
        drop(
            Profile::init(
                &dir,
                &pass,
                &NewProfile {
                    device_name: "Laptop A".into(),
                    author: None,
                    kdf: KdfParams::FOR_TESTS_ONLY,
                    unencrypted_for_benchmarks: false,
                },
            )
            .unwrap(),
        );
        let wrong = Passphrase::new("not it".into());
        for n in 0..FREE_FAILURES as i64 {
            assert!(matches!(
                Profile::open_at(&dir, &wrong, at(n)),
                Err(Error::WrongPassphrase)
            ));
        }
        // The third failure at +2 s: one second of wait.
        match Profile::open_at(&dir, &pass, at(2)) {
            Err(Error::UnlockDelayed { seconds: 1 }) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Profile::open_at(&dir, &wrong, at(3)),
            Err(Error::WrongPassphrase)
        ));
        // Four failures, the newest at +3 s: two seconds.
        for early in [3, 4] {
            assert!(matches!(
                Profile::open_at(&dir, &pass, at(early)),
                Err(Error::UnlockDelayed { .. })
            ));
        }
        assert_eq!(
            failed_unlocks(&dir).len(),
            4,
            "a delayed attempt is not a failure"
        );
        let store = Profile::open_at(&dir, &pass, at(5)).unwrap();
        let failed = store
            .audit_entries()
            .unwrap()
            .iter()
            .filter(|e| e.action == "unlock_failed")
            .count();
        assert_eq!(failed, 4);
        drop(store);
        assert!(failed_unlocks(&dir).is_empty());
        drop(Profile::open_at(&dir, &pass, at(5)).unwrap());
    }
}
