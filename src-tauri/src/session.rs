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
//!
//! A lock the page asks for while it still saves a draft (the panic key) and a lock the
//! shell decides (auto-lock, sleep, the session's screen lock) first *close* the profile:
//! from that moment it counts as locked (a reload of the page shows the unlock screen, no
//! command but the draft save reaches the store), and the store is dropped when the page
//! says the save is done or after [`GRACE`], whichever comes first. The shell keeps that
//! bound itself ([`Session::tick`]), so no page can hold a profile open.

use crate::idle::{boot_now, IdleDeadline};
use fieldcase_core::crypto::KdfParams;
use fieldcase_core::stop::Stopper;
use fieldcase_core::Store;
use serde::Serialize;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tauri::ipc::Channel;

/// The longest a closing profile waits for the page's last draft save.
pub const GRACE: Duration = Duration::from_secs(2);
/// How often the shell looks at its deadlines.
const TICK: Duration = Duration::from_millis(250);

/// Why the shell locked the profile by itself; the page hides and says nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockCause {
    /// Nobody used the app for the auto-lock time.
    Idle,
    /// The system is about to suspend or hibernate.
    Sleep,
    /// The desktop session's screen locked.
    ScreenLocked,
}

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
    slot: Mutex<Slot>,
    epoch: AtomicU64,
    /// The epoch a running job started in, or [`NO_JOB`].
    job: AtomicU64,
    idle: Mutex<IdleDeadline>,
    /// Where the page hears of a lock the shell decided.
    lock_listener: Mutex<Option<Channel<LockCause>>>,
    /// Run at every lock, however it comes (clears the clipboard).
    on_lock: Mutex<Option<LockHook>>,
    /// Stops the running job's streams and SQL, so a lock frees the profile at once.
    job_stopper: Mutex<Option<Stopper>>,
}

/// Work done at every lock.
type LockHook = Box<dyn Fn() + Send + Sync>;

/// The open store, and whether it is closing.
#[derive(Default)]
struct Slot {
    store: Option<Store>,
    /// Boot time after which a closing store is dropped, whatever the page does.
    closing_until: Option<Duration>,
}

/// No job is running.
const NO_JOB: u64 = u64::MAX;

/// `mutex`'s guard, even if a panic poisoned it: every value the session keeps behind one is
/// replaced whole, so it is never seen half-changed.
fn held<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    /// A locked session over `dir`.
    pub fn new(dir: PathBuf, kdf: KdfChoice) -> Self {
        Session {
            dir,
            kdf,
            slot: Mutex::new(Slot::default()),
            epoch: AtomicU64::new(0),
            job: AtomicU64::new(NO_JOB),
            idle: Mutex::new(IdleDeadline::default()),
            lock_listener: Mutex::new(None),
            on_lock: Mutex::new(None),
            job_stopper: Mutex::new(None),
        }
    }

    fn job_stopper(&self) -> MutexGuard<'_, Option<Stopper>> {
        held(&self.job_stopper)
    }

    /// Stops a running job (an export, import, attach or report): it fails within a chunk,
    /// rolls back, and its store is dropped when it returns.
    fn stop_job(&self) {
        if let Some(stopper) = self.job_stopper().take() {
            stopper.stop();
        }
    }

    /// `hook` runs at every lock and every start of one, on the thread that locks.
    pub fn on_every_lock(&self, hook: impl Fn() + Send + Sync + 'static) {
        *held(&self.on_lock) = Some(Box::new(hook));
    }

    fn run_lock_hook(&self) {
        let hook = held(&self.on_lock);
        if let Some(hook) = hook.as_ref() {
            hook();
        }
    }

    /// The slot (its store is only ever replaced whole).
    fn slot(&self) -> MutexGuard<'_, Slot> {
        held(&self.slot)
    }

    fn idle(&self) -> MutexGuard<'_, IdleDeadline> {
        held(&self.idle)
    }

    /// Drops the open store, if any, and invalidates unlocks still in flight.
    pub fn lock(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let store = {
            let mut slot = self.slot();
            slot.closing_until = None;
            slot.store.take()
        };
        self.stop_job();
        drop(store);
        self.run_lock_hook();
    }

    /// Closes the profile now and drops its store within `grace`: meanwhile only
    /// [`Session::with_store_for_flush`] reaches it. Unlocks in flight and running jobs
    /// are cut loose at once, as by [`Session::lock`].
    pub fn begin_lock(&self, grace: Duration, now: Duration) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.slot();
        if slot.store.is_some() {
            let until = now + grace;
            slot.closing_until = Some(slot.closing_until.map_or(until, |u| u.min(until)));
        }
        drop(slot);
        self.stop_job();
        self.run_lock_hook();
    }

    /// Whether the profile is closing (locked for everyone but the last draft save).
    #[cfg(test)]
    pub fn is_closing(&self) -> bool {
        self.slot().closing_until.is_some()
    }

    /// The page's report that someone used the app (at most about once a second).
    pub fn note_activity(&self, now: Duration) {
        self.idle().poke(now);
    }

    /// The auto-lock time Settings chose; `false` if it is not one of its choices.
    pub fn set_auto_lock_minutes(&self, minutes: u32) -> bool {
        self.idle().set_minutes(minutes)
    }

    /// Where the page hears of the shell's own locks (one listener: the window's page).
    pub fn listen_for_locks(&self, channel: Channel<LockCause>) {
        *held(&self.lock_listener) = Some(channel);
    }

    /// A lock the shell decided: closes the profile (if open) and tells the page, which
    /// hides at once and saves its draft within the grace.
    pub fn lock_by_shell(&self, cause: LockCause, now: Duration) {
        let open = self.is_unlocked();
        self.begin_lock(GRACE, now);
        if open {
            let listener = held(&self.lock_listener);
            if let Some(channel) = listener.as_ref() {
                // A page that went away (reloading) asks the shell's state when it comes back.
                let _ = channel.send(cause);
            }
        }
    }

    /// The shell's clock: drops a closing store whose grace is over, and locks an open
    /// profile whose auto-lock deadline has passed. `now` is [`boot_now`].
    pub fn tick(&self, now: Duration) {
        let expired = {
            let mut slot = self.slot();
            match slot.closing_until {
                Some(until) if now >= until => {
                    slot.closing_until = None;
                    slot.store.take()
                }
                _ => None,
            }
        };
        drop(expired);
        let open = {
            let slot = self.slot();
            slot.store.is_some() && slot.closing_until.is_none()
        };
        if open && self.idle().is_due(now) {
            self.lock_by_shell(LockCause::Idle, now);
        }
    }

    /// Runs [`Session::tick`] on a thread of its own for as long as the app runs.
    pub fn keep_time(session: Arc<Session>) -> std::io::Result<()> {
        std::thread::Builder::new()
            .name("fieldcase-lock-clock".into())
            .spawn(move || loop {
                session.tick(boot_now());
                std::thread::sleep(TICK);
            })
            .map(drop)
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
        *slot = Slot {
            store: Some(store),
            closing_until: None,
        };
        drop(slot);
        self.note_activity(boot_now());
        true
    }

    /// Whether the shell still holds the store: open, closing, or in a running job.
    pub fn holds_store(&self) -> bool {
        self.slot().store.is_some() || self.job_running()
    }

    /// Whether a store is open and not closing (a job running since the last lock counts).
    pub fn is_unlocked(&self) -> bool {
        let open = {
            let slot = self.slot();
            slot.store.is_some() && slot.closing_until.is_none()
        };
        open || self.is_busy()
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
            if slot.closing_until.is_some() {
                return None;
            }
            let store = slot.store.take()?;
            let epoch = self.epoch();
            self.job.store(epoch, Ordering::SeqCst);
            *self.job_stopper() = Some(store.stopper());
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

    /// Runs `f` on the open store, or returns `None` when locked or closing.
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> Option<T> {
        let slot = self.slot();
        if slot.closing_until.is_some() {
            return None;
        }
        slot.store.as_ref().map(f)
    }

    /// Runs `f` on the open store for a write, or returns `None` when locked or closing.
    pub fn with_store_mut<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
        let mut slot = self.slot();
        if slot.closing_until.is_some() {
            return None;
        }
        slot.store.as_mut().map(f)
    }

    /// Runs `f` on the store even while it is closing: the draft save that a lock waits
    /// for, and nothing else. `None` when locked.
    pub fn with_store_for_flush<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
        self.slot().store.as_mut().map(f)
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
        self.session.job_stopper().take();
        let late = {
            let mut slot = self.session.slot();
            self.session.job.store(NO_JOB, Ordering::SeqCst);
            if self.session.epoch() == self.epoch && slot.store.is_none() {
                slot.store = Some(store);
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

    /// A channel that records what the shell told the page.
    fn listener() -> (Channel<LockCause>, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let channel = Channel::new(move |body| {
            if let tauri::ipc::InvokeResponseBody::Json(json) = body {
                sink.lock().unwrap().push(json);
            }
            Ok(())
        });
        (channel, seen)
    }

    #[test]
    fn the_shell_locks_at_its_deadline_without_any_ui_call() {
        use fieldcase_core::Profile;
        let dir = tempfile::tempdir().unwrap();
        let (session, pass) = open_session(dir.path());
        let (channel, seen) = listener();
        session.listen_for_locks(channel);
        assert!(session.set_auto_lock_minutes(1));
        let start = boot_now();
        session.note_activity(start);
        session.tick(start + Duration::from_secs(59));
        assert!(session.is_unlocked(), "not yet");
        // No report from the page for a minute (it hung, or the laptop slept): locked.
        session.tick(start + Duration::from_secs(60));
        assert!(!session.is_unlocked() && session.is_closing());
        assert_eq!(*seen.lock().unwrap(), ["\"idle\""]);
        assert!(
            session.with_store(|_| ()).is_none(),
            "no reads while closing"
        );
        assert!(
            session.with_store_for_flush(|_| ()).is_some(),
            "the last draft save still lands"
        );
        // The page never confirms: the shell drops the store when the grace is over.
        session.tick(start + Duration::from_secs(60) + GRACE);
        assert!(!session.is_closing());
        assert!(session.with_store_for_flush(|_| ()).is_none());
        assert!(
            Profile::open(dir.path(), &pass).is_ok(),
            "the profile is free"
        );
        assert_eq!(seen.lock().unwrap().len(), 1, "told once");
    }

    #[test]
    fn activity_keeps_the_profile_open() {
        let dir = tempfile::tempdir().unwrap();
        let (session, _) = open_session(dir.path());
        assert!(session.set_auto_lock_minutes(1));
        let start = boot_now();
        for s in [30, 60, 90, 120] {
            session.note_activity(start + Duration::from_secs(s));
            session.tick(start + Duration::from_secs(s + 30));
        }
        assert!(session.is_unlocked());
    }

    #[test]
    fn a_closing_profile_is_locked_to_everyone_but_the_draft_save() {
        let dir = tempfile::tempdir().unwrap();
        let (session, _) = open_session(dir.path());
        let now = boot_now();
        session.begin_lock(GRACE, now);
        assert!(
            !session.is_unlocked(),
            "a reload now shows the unlock screen"
        );
        assert!(session.with_store_mut(|_| ()).is_none());
        assert!(session.run_job(|_| ()).is_none());
        assert!(session.with_store_for_flush(|_| ()).is_some());
        session.tick(now + GRACE / 2);
        assert!(session.is_closing(), "within the grace");
        session.lock(); // the page's save is done
        assert!(!session.is_closing() && session.with_store_for_flush(|_| ()).is_none());
    }

    #[test]
    fn a_shell_lock_cuts_a_running_job_loose() {
        let dir = tempfile::tempdir().unwrap();
        let (session, _) = open_session(dir.path());
        let (channel, seen) = listener();
        session.listen_for_locks(channel);
        session.run_job(|_| {
            session.lock_by_shell(LockCause::Sleep, boot_now());
            assert!(!session.is_unlocked() && session.job_running());
        });
        assert!(!session.job_running());
        assert!(
            session.with_store_for_flush(|_| ()).is_none(),
            "dropped at the end"
        );
        assert_eq!(*seen.lock().unwrap(), ["\"sleep\""]);
    }

    /// A source that never ends, slowly: an attachment copied from a slow disk or a share.
    struct Endless;

    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            std::thread::sleep(Duration::from_millis(20));
            let n = buf.len().min(64 * 1024);
            buf[..n].fill(0x5a);
            Ok(n)
        }
    }

    #[test]
    fn a_lock_during_a_long_attach_frees_the_profile_within_a_second() {
        use fieldcase_core::model::{example, MediaKind, RecordKind};
        use fieldcase_core::store::attachments::NewAttachment;
        use fieldcase_core::Profile;
        let dir = tempfile::tempdir().unwrap();
        let (session, pass) = open_session(dir.path());
        let place = session
            .with_store_mut(|s| s.add(example(RecordKind::Establishment)))
            .unwrap()
            .unwrap();
        let session = Arc::new(session);
        let worker = {
            let session = session.clone();
            std::thread::spawn(move || {
                session.run_job(|store| {
                    let new = NewAttachment {
                        record_id: place,
                        media: MediaKind::Photo,
                        file_name: "ផ្ទះ.jpg".into(),
                        media_type: "image/jpeg".into(),
                        description: None,
                    };
                    store.attach(new, &mut Endless)
                })
            })
        };
        std::thread::sleep(Duration::from_millis(300));
        assert!(session.job_running(), "the attach is under way");
        let locked_at = std::time::Instant::now();
        session.lock(); // the panic key
        let attached = worker.join().unwrap();
        assert!(
            matches!(attached, Some(Err(fieldcase_core::Error::Stopped))),
            "{attached:?}"
        );
        assert!(
            Profile::open(dir.path(), &pass).is_ok(),
            "the profile is free"
        );
        let took = locked_at.elapsed();
        assert!(took < Duration::from_secs(1), "freed after {took:?}");
    }

    #[test]
    fn a_locked_profile_is_not_told_about_again() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::new(dir.path().into(), KdfChoice::TestsOnly);
        let (channel, seen) = listener();
        session.listen_for_locks(channel);
        session.lock_by_shell(LockCause::ScreenLocked, boot_now());
        assert!(seen.lock().unwrap().is_empty());
        assert!(!session.is_closing());
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
