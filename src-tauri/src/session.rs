//! The open profile, if any: the one piece of state the desktop shell keeps.
//!
//! Unlocking puts a `Store` here; locking (the Lock button, the panic key,
//! auto-lock) takes it out and drops it, which closes the database and
//! zeroizes its key. An epoch counter makes a lock that arrives while an
//! unlock is still deriving its key win: the late store is dropped, not kept.
//!
//! A long job (an export or an import) takes the store out of the slot for its
//! duration, so the quick commands never wait behind it and `lock` (the panic
//! key) returns at once: they see the profile as busy, or locked. When the job
//! ends the store goes back, unless a lock came meanwhile; then it is dropped.

use fieldcase_core::crypto::KdfParams;
use fieldcase_core::Store;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Environment variable that points the app at another profile folder (tests use it).
pub const PROFILE_DIR_ENV: &str = "FIELDCASE_PROFILE_DIR";
/// Environment variable that, set to `test`, makes new profiles use the weak test KDF.
pub const KDF_ENV: &str = "FIELDCASE_KDF";

/// The profile folder: `$FIELDCASE_PROFILE_DIR` if set and not empty, else `profile`
/// inside the platform's data folder for this app.
pub fn profile_dir(env_value: Option<OsString>, app_data_dir: Option<PathBuf>) -> Option<PathBuf> {
    match env_value {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => app_data_dir.map(|d| d.join("profile")),
    }
}

/// Which key-derivation cost new profiles get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfChoice {
    /// The real, memory-hard parameters.
    Default,
    /// Cheap parameters, for automated tests only.
    TestsOnly,
}

impl KdfChoice {
    /// Reads `FIELDCASE_KDF`. Only `test` changes anything, and only in debug builds:
    /// a release build never creates a profile with the weak parameters.
    /// Returns the choice and, if the variable was ignored, why (for stderr).
    pub fn from_env(value: Option<OsString>) -> (KdfChoice, Option<String>) {
        let Some(v) = value else {
            return (KdfChoice::Default, None);
        };
        if v == "test" && cfg!(debug_assertions) {
            return (
                KdfChoice::TestsOnly,
                Some(format!(
                    "{KDF_ENV}=test: new profiles use the weak test key derivation"
                )),
            );
        }
        (
            KdfChoice::Default,
            Some(format!(
                "{KDF_ENV} ignored: only `test` in a debug build changes the key derivation"
            )),
        )
    }

    /// The core's parameters for this choice.
    pub fn params(self) -> KdfParams {
        match self {
            KdfChoice::Default => KdfParams::DEFAULT,
            KdfChoice::TestsOnly => KdfParams::FOR_TESTS_ONLY,
        }
    }
}

/// Managed state: where the profile lives and the open store, if unlocked.
pub struct Session {
    /// The profile folder.
    pub dir: PathBuf,
    /// Key-derivation cost for a new profile.
    pub kdf: KdfChoice,
    store: Mutex<Option<Store>>,
    epoch: AtomicU64,
    /// The epoch a running job started in, or [`NO_JOB`].
    job: AtomicU64,
}

/// No job is running.
const NO_JOB: u64 = u64::MAX;

impl Session {
    /// A locked session over `dir`.
    pub fn new(dir: PathBuf, kdf: KdfChoice) -> Self {
        Session {
            dir,
            kdf,
            store: Mutex::new(None),
            epoch: AtomicU64::new(0),
            job: AtomicU64::new(NO_JOB),
        }
    }

    /// The slot, even if a panic poisoned the mutex (the slot stays consistent:
    /// it is only ever replaced whole).
    fn slot(&self) -> MutexGuard<'_, Option<Store>> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Drops the open store, if any, and invalidates unlocks still in flight.
    pub fn lock(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let store = self.slot().take();
        drop(store);
    }

    /// The current epoch; pass it to [`Session::install`] after a slow open.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Makes `store` the open one, unless a lock happened since `epoch`
    /// (then the store is dropped and `false` returned).
    pub fn install(&self, store: Store, epoch: u64) -> bool {
        let mut slot = self.slot();
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return false;
        }
        *slot = Some(store);
        true
    }

    /// Whether a store is open (a job running since the last lock counts).
    pub fn is_unlocked(&self) -> bool {
        self.slot().is_some() || self.is_busy()
    }

    /// Whether a job (export, import) has the store, and no lock came since it started.
    pub fn is_busy(&self) -> bool {
        self.job.load(Ordering::SeqCst) == self.epoch()
    }

    /// Whether a job is still running, even one a lock has cut loose (it holds the
    /// profile until it ends, so an unlock meanwhile would find it in use).
    pub fn job_running(&self) -> bool {
        self.job.load(Ordering::SeqCst) != NO_JOB
    }

    /// Runs a long job `f` on the store, taken out of the slot meanwhile; `None` when
    /// locked or when another job has it. Afterwards (even if `f` panics) the store goes
    /// back, unless the profile was locked meanwhile: then it is dropped (closed, key
    /// zeroized) here. Call it on a blocking thread.
    pub fn run_job<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
        let (store, epoch) = {
            let mut slot = self.slot();
            let store = slot.take()?;
            let epoch = self.epoch();
            self.job.store(epoch, Ordering::SeqCst);
            (store, epoch)
        };
        let mut job = Job {
            session: self,
            store: Some(store),
            epoch,
        };
        let store = job.store.as_mut()?;
        Some(f(store))
    }

    /// Runs `f` on the open store, or returns `None` when locked.
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> Option<T> {
        self.slot().as_ref().map(f)
    }

    /// Runs `f` on the open store for a write, or returns `None` when locked.
    pub fn with_store_mut<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
        self.slot().as_mut().map(f)
    }
}

/// Gives the store back when a job ends, however it ends.
struct Job<'a> {
    session: &'a Session,
    store: Option<Store>,
    epoch: u64,
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        let Some(store) = self.store.take() else {
            return;
        };
        let late = {
            let mut slot = self.session.slot();
            self.session.job.store(NO_JOB, Ordering::SeqCst);
            if self.session.epoch() == self.epoch && slot.is_none() {
                *slot = Some(store);
                None
            } else {
                Some(store)
            }
        };
        drop(late);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_the_platform_folder() {
        let data = Some(PathBuf::from("/home/u/.local/share/org.fieldcase.desktop"));
        assert_eq!(
            profile_dir(Some("/tmp/p".into()), data.clone()),
            Some(PathBuf::from("/tmp/p"))
        );
        assert_eq!(
            profile_dir(None, data.clone()),
            Some(PathBuf::from(
                "/home/u/.local/share/org.fieldcase.desktop/profile"
            ))
        );
        assert_eq!(
            profile_dir(Some("".into()), data),
            Some(PathBuf::from(
                "/home/u/.local/share/org.fieldcase.desktop/profile"
            ))
        );
        assert_eq!(profile_dir(None, None), None);
    }

    #[test]
    fn a_lock_while_unlocking_wins_and_releases_the_profile() {
        use fieldcase_core::{NewProfile, Passphrase, Profile};
        let dir = tempfile::tempdir().unwrap();
        let pass = Passphrase::new("river lantern copper 42".into());
        let new = NewProfile {
            device_name: "test laptop".into(),
            author: None,
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        };
        let session = Session::new(dir.path().into(), KdfChoice::TestsOnly);
        let epoch = session.epoch();
        let store = Profile::init(dir.path(), &pass, &new).unwrap();
        session.lock(); // the panic key, while the key was being derived
        assert!(
            !session.install(store, epoch),
            "a late store must not be kept"
        );
        assert!(!session.is_unlocked());

        // The late store was dropped, so the profile is free to open again.
        let store = Profile::open(dir.path(), &pass).unwrap();
        assert!(session.install(store, session.epoch()));
        assert!(session.is_unlocked());
        assert!(session.with_store(|s| s.counts().is_ok()).unwrap());
        session.lock();
        assert!(!session.is_unlocked());
        assert!(session.with_store(|_| ()).is_none());
        assert!(
            session.with_store_mut(|_| ()).is_none(),
            "no writes while locked"
        );
        assert!(
            Profile::open(dir.path(), &pass).is_ok(),
            "lock released the profile"
        );
    }

    fn open_session(dir: &std::path::Path) -> (Session, fieldcase_core::Passphrase) {
        use fieldcase_core::{NewProfile, Passphrase, Profile};
        let pass = Passphrase::new("river lantern copper 42".into());
        let new = NewProfile {
            device_name: "test laptop".into(),
            author: None,
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        };
        let session = Session::new(dir.into(), KdfChoice::TestsOnly);
        let store = Profile::init(dir, &pass, &new).unwrap();
        assert!(session.install(store, session.epoch()));
        (session, pass)
    }

    #[test]
    fn a_job_has_the_store_alone_and_gives_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let (session, _) = open_session(dir.path());
        let seen = session.run_job(|store| {
            assert!(session.is_busy() && session.is_unlocked());
            assert!(
                session.with_store(|_| ()).is_none(),
                "quick commands do not wait"
            );
            assert!(session.run_job(|_| ()).is_none(), "one job at a time");
            store.counts().is_ok()
        });
        assert_eq!(seen, Some(true));
        assert!(!session.is_busy());
        assert!(session.with_store(|_| ()).is_some(), "the store is back");
        session.lock();
        assert!(session.run_job(|_| ()).is_none(), "no job while locked");
    }

    #[test]
    fn a_lock_during_a_job_drops_the_store_when_the_job_ends() {
        use fieldcase_core::Profile;
        let dir = tempfile::tempdir().unwrap();
        let (session, pass) = open_session(dir.path());
        let ran = session.run_job(|_| {
            session.lock(); // the panic key, mid-export: returns at once
            assert!(!session.is_unlocked() && !session.is_busy());
            assert!(session.job_running(), "the job still holds the profile");
        });
        assert!(ran.is_some());
        assert!(!session.is_unlocked() && !session.job_running());
        assert!(
            Profile::open(dir.path(), &pass).is_ok(),
            "the job's store was dropped, releasing the profile"
        );
    }

    #[test]
    fn a_job_that_panics_still_gives_the_store_back() {
        let dir = tempfile::tempdir().unwrap();
        let (session, _) = open_session(dir.path());
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            session.run_job(|_| panic!("boom"))
        }));
        assert!(caught.is_err());
        assert!(!session.is_busy());
        assert!(session.with_store(|_| ()).is_some());
    }

    #[test]
    fn only_test_selects_the_weak_kdf() {
        assert_eq!(KdfChoice::from_env(None), (KdfChoice::Default, None));
        let (c, note) = KdfChoice::from_env(Some("fast".into()));
        assert_eq!(c, KdfChoice::Default);
        assert!(note.is_some());
        let (c, _) = KdfChoice::from_env(Some("test".into()));
        assert_eq!(c == KdfChoice::TestsOnly, cfg!(debug_assertions));
    }
}
