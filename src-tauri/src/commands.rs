//! One command per user action, each a few lines: take the input, call the
//! core, convert the result. Every name here must also be listed in `build.rs`
//! (which makes its `allow-*` permission) and granted in
//! `capabilities/main.json`, or the UI's call is refused.
//!
//! Key derivation takes most of a second by design, so the commands that
//! derive a key are `async` and run the core on a blocking thread: the
//! window stays responsive and the panic key keeps working meanwhile.
//! Exports and imports run the same way, as a job that has the store to
//! itself (see `Session::run_job`), and report progress on a `Channel`.

use crate::error::{ApiError, Code};
use crate::session::Session;
use fieldcase_core::bundle::{ExportOptions, ExportStatus, ExportSummary, ImportSummary, Progress};
use fieldcase_core::error::ValidationError;
use fieldcase_core::model::{Record, RecordKind};
use fieldcase_core::store::consent::ConsentPart;
use fieldcase_core::store::media::AttachmentInfo;
use fieldcase_core::store::{
    ConflictSummary, ConflictView, DeviceKey, DeviceTimeline, ListCursor, Resolution, Resolved,
    TrustedKey,
};
use fieldcase_core::store::{Draft, DraftSummary, EarlierStatement, RekeyProgress};
use fieldcase_core::{NewProfile, Passphrase, Profile, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use uuid::Uuid;

/// Shared handle to the session, cloned into blocking tasks.
pub type SessionState = Arc<Session>;

/// What the UI needs to pick its first screen.
#[derive(Debug, Clone, Serialize)]
pub struct AppStatus {
    /// Whether a profile exists (else: the first-run screen).
    pub profile_exists: bool,
    /// Whether it is open right now (else: the unlock screen).
    pub unlocked: bool,
}

/// How many records of one kind the store holds.
#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    /// The record kind, e.g. `person`.
    pub kind: RecordKind,
    /// How many.
    pub count: u64,
}

/// Which screen to show first.
#[tauri::command]
pub fn app_status(session: State<'_, SessionState>) -> AppStatus {
    AppStatus {
        profile_exists: Profile::exists(&session.dir),
        unlocked: session.is_unlocked(),
    }
}

/// What a profile is for, chosen at first run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A field laptop: records, and sends bundles to the office.
    Field,
    /// The office: holds the age identity bundles are encrypted to, and imports them.
    Office,
}

/// First run: creates the profile (for an office, with its age identity, as
/// `fieldcase office init` does) and leaves it open.
#[tauri::command]
pub async fn create_profile(
    session: State<'_, SessionState>,
    passphrase: String,
    device_name: String,
    role: Role,
) -> Result<(), ApiError> {
    let passphrase = Passphrase::new(passphrase);
    let s = session.inner().clone();
    let epoch = s.epoch();
    let new = NewProfile {
        device_name: device_name.trim().to_owned(),
        author: None,
        kdf: s.kdf.params(),
        unencrypted_for_benchmarks: false,
    };
    let store = blocking(move || {
        let mut store = Profile::init(&s.dir, &passphrase, &new)?;
        if role == Role::Office {
            store.office_init()?;
        }
        Ok::<_, fieldcase_core::Error>(store)
    })
    .await??;
    install(&session, store, epoch)
}

/// Opens the profile with the passphrase.
#[tauri::command]
pub async fn unlock(session: State<'_, SessionState>, passphrase: String) -> Result<(), ApiError> {
    let passphrase = Passphrase::new(passphrase);
    if session.job_running() {
        // An export or import locked mid-way still holds the profile until it ends.
        return Err(ApiError::busy());
    }
    session.lock();
    let s = session.inner().clone();
    let epoch = s.epoch();
    let store = blocking(move || Profile::open(&s.dir, &passphrase)).await??;
    install(&session, store, epoch)
}

/// Closes the store and forgets its key. Never fails; locking twice is harmless.
#[tauri::command]
pub fn lock(session: State<'_, SessionState>) {
    session.lock();
}

/// Record counts by kind, for the home screen.
#[tauri::command]
pub fn record_counts(session: State<'_, SessionState>) -> Result<Vec<KindCount>, ApiError> {
    let counts = session
        .with_store(|store| store.counts())
        .ok_or_else(|| closed(&session))??;
    Ok(counts
        .into_iter()
        .map(|(kind, count)| KindCount { kind, count })
        .collect())
}

/// What awaits export, the last bundle written and the last receipt, for the home screen.
/// Off the window's thread: on a big store it reads every revision (about a second with
/// 100 000 records), and the window should stay drawn and answer meanwhile.
#[tauri::command]
pub async fn export_status(session: State<'_, SessionState>) -> Result<ExportStatus, ApiError> {
    let s = session.inner().clone();
    let status = blocking(move || s.with_store(|store| store.export_status())).await?;
    Ok(status.ok_or_else(|| closed(&session))??)
}

/// Records that the person withdrew a part of their consent to an interview: when (`at`,
/// RFC 3339; now if absent) and who recorded it. A new revision of the interview.
#[tauri::command]
pub fn withdraw_consent(
    session: State<'_, SessionState>,
    id: Uuid,
    part: ConsentPart,
    at: Option<String>,
    recorded_by: String,
    note: String,
) -> Result<(), ApiError> {
    let at = match at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => chrono::Utc::now(),
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|e| {
                fieldcase_core::Error::from(ValidationError::new(
                    "at",
                    format!("not a date and time ({e})"),
                ))
            })?
            .with_timezone(&chrono::Utc),
    };
    session
        .with_store_mut(|store| store.withdraw_consent(id, part, at, &recorded_by, &note))
        .ok_or_else(|| closed(&session))??;
    Ok(())
}

/// Each trusted device's bundles by sequence, with gaps, last seen and receipts (office).
#[tauri::command]
pub fn device_timelines(session: State<'_, SessionState>) -> Result<Vec<DeviceTimeline>, ApiError> {
    Ok(session
        .with_store(|store| store.device_timelines())
        .ok_or_else(|| closed(&session))??)
}

/// The records with two or more versions (edits made apart that met at the office).
#[tauri::command]
pub fn list_conflicts(session: State<'_, SessionState>) -> Result<Vec<ConflictSummary>, ApiError> {
    Ok(session
        .with_store(|store| store.conflicts())
        .ok_or_else(|| closed(&session))??)
}

/// One record in conflict: its versions side by side and the fields where they differ.
#[tauri::command]
pub fn show_conflict(session: State<'_, SessionState>, id: Uuid) -> Result<ConflictView, ApiError> {
    Ok(session
        .with_store(|store| store.conflict(id))
        .ok_or_else(|| closed(&session))??)
}

/// How the UI resolves a conflict: one version whole, or a merged body.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", tag = "how")]
pub enum ResolveRequest {
    /// Take this version (a head revision) whole.
    Take { revision: Uuid },
    /// The record as it should now be.
    Merge { body: Value },
}

/// What resolving did: done, or which fields it would drop, for the user to confirm first.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ResolveOutcome {
    /// Resolved: the new revision has every version as a parent.
    Resolved(Resolved),
    /// Nothing written: these fields, present in every version, would be dropped.
    Confirm { fields: Vec<String> },
}

/// Resolves a conflict. A merge that would drop a value every version holds comes back as
/// `confirm` with the fields, unless they are in `confirmed_drops`.
#[tauri::command]
pub fn resolve_conflict(
    session: State<'_, SessionState>,
    id: Uuid,
    resolution: ResolveRequest,
    confirmed_drops: Vec<String>,
) -> Result<ResolveOutcome, ApiError> {
    let resolution = match resolution {
        ResolveRequest::Take { revision } => Resolution::Take(revision),
        ResolveRequest::Merge { body } => Resolution::Merged(body),
    };
    match session
        .with_store_mut(|store| store.resolve_conflict(id, resolution, &confirmed_drops))
        .ok_or_else(|| closed(&session))?
    {
        Ok(resolved) => Ok(ResolveOutcome::Resolved(resolved)),
        Err(fieldcase_core::Error::ResolutionDrops { fields, .. }) => {
            Ok(ResolveOutcome::Confirm { fields })
        }
        Err(e) => Err(e.into()),
    }
}

/// Why there is no store to use: a job has it, or the profile is locked.
/// A list cursor as the UI sends it back (the previous page's `next`; null for the first page).
pub(crate) fn cursor(after: Option<String>) -> Result<Option<ListCursor>, ApiError> {
    Ok(after
        .map(|a| a.parse::<ListCursor>())
        .transpose()
        .map_err(fieldcase_core::Error::from)?)
}

pub(crate) fn closed(session: &Session) -> ApiError {
    if session.is_busy() {
        ApiError::busy()
    } else {
        ApiError::locked()
    }
}

fn install(session: &Session, store: Store, epoch: u64) -> Result<(), ApiError> {
    if session.install(store, epoch) {
        Ok(())
    } else {
        // Locked (panic key, auto-lock) while the key was being derived: stay locked.
        Err(ApiError::locked())
    }
}

/// Runs `f` on the blocking pool; a panic in it becomes an `internal` error.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(Code::Internal, "the operation stopped unexpectedly"))
}

/// A person as pickers show them: the pseudonym, never identity.
#[derive(Debug, Clone, Serialize)]
pub struct PersonChoice {
    /// The person's record id.
    pub id: Uuid,
    /// The pseudonym (or case code).
    pub pseudonym: String,
}

/// How many people the picker lists at most (most recently changed first).
const PERSON_CHOICES: u32 = 500;

/// The people on this laptop, by pseudonym.
#[tauri::command]
pub fn list_persons(session: State<'_, SessionState>) -> Result<Vec<PersonChoice>, ApiError> {
    let people = session
        .with_store(|store| store.list(RecordKind::Person, PERSON_CHOICES, 0))
        .ok_or_else(|| closed(&session))??;
    Ok(people
        .into_iter()
        .map(|p| PersonChoice {
            id: p.id,
            pseudonym: p.label,
        })
        .collect())
}

/// Adds a survivor known only by a pseudonym; returns the new person.
#[tauri::command]
pub fn add_person(
    session: State<'_, SessionState>,
    pseudonym: String,
) -> Result<PersonChoice, ApiError> {
    let pseudonym = pseudonym.trim().to_owned();
    let body = serde_json::json!({"pseudonym": pseudonym, "role": "survivor"});
    let record =
        Record::from_value(RecordKind::Person, body).map_err(fieldcase_core::Error::from)?;
    let id = session
        .with_store_mut(|store| store.add(record))
        .ok_or_else(|| closed(&session))??;
    Ok(PersonChoice { id, pseudonym })
}

/// Saves a draft (a new one when `id` is null); returns its summary with `saved_at`.
#[tauri::command]
pub fn save_draft(
    session: State<'_, SessionState>,
    id: Option<Uuid>,
    kind: RecordKind,
    body: Value,
) -> Result<DraftSummary, ApiError> {
    Ok(session
        .with_store_for_flush(|store| store.save_draft(id, kind, None, &body))
        .ok_or_else(|| closed(&session))??)
}

/// Every draft, most recent first.
#[tauri::command]
pub fn list_drafts(session: State<'_, SessionState>) -> Result<Vec<DraftSummary>, ApiError> {
    Ok(session
        .with_store(|store| store.drafts())
        .ok_or_else(|| closed(&session))??)
}

/// One draft with its body.
#[tauri::command]
pub fn load_draft(session: State<'_, SessionState>, id: Uuid) -> Result<Draft, ApiError> {
    Ok(session
        .with_store(|store| store.draft(id))
        .ok_or_else(|| closed(&session))??)
}

/// Throws a draft away.
#[tauri::command]
pub fn discard_draft(session: State<'_, SessionState>, id: Uuid) -> Result<(), ApiError> {
    Ok(session
        .with_store_mut(|store| store.discard_draft(id))
        .ok_or_else(|| closed(&session))??)
}

/// Validates a draft and writes it as a record; returns the record's id.
#[tauri::command]
pub fn commit_draft(session: State<'_, SessionState>, id: Uuid) -> Result<Uuid, ApiError> {
    Ok(session
        .with_store_mut(|store| store.commit_draft(id))
        .ok_or_else(|| closed(&session))??)
}

/// A person's earlier interviews, newest first, with their narratives.
#[tauri::command]
pub fn earlier_statements(
    session: State<'_, SessionState>,
    person_id: Uuid,
) -> Result<Vec<EarlierStatement>, ApiError> {
    Ok(session
        .with_store(|store| store.earlier_statements(person_id))
        .ok_or_else(|| closed(&session))??)
}

/// What the Settings screen (and Home) show about this profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileSettings {
    /// Field laptop or office.
    pub role: Role,
    /// This device's name, as bundles carry it.
    pub device_name: String,
    /// This device's signing public key (minisign) and its short fingerprint.
    pub device_key: DeviceKey,
    /// Field: the offices bundles are encrypted to.
    pub office_recipients: Vec<String>,
    /// Office: the recipient (`age1…`) field laptops encrypt to.
    pub office_recipient: Option<String>,
    /// Office: the device keys it trusts (or trusted; revoked ones stay listed).
    pub trusted: Vec<TrustedKey>,
}

/// This profile's role, keys and trust, for Settings and Home.
#[tauri::command]
pub fn profile_settings(session: State<'_, SessionState>) -> Result<ProfileSettings, ApiError> {
    Ok(session
        .with_store(|store| -> Result<ProfileSettings, fieldcase_core::Error> {
            let office = store.is_office()?;
            Ok(ProfileSettings {
                role: if office { Role::Office } else { Role::Field },
                device_name: store.device().name.clone(),
                device_key: store.device_key()?,
                office_recipients: store.office_recipients()?,
                office_recipient: if office {
                    Some(store.office_recipient()?)
                } else {
                    None
                },
                trusted: store.trust_list()?,
            })
        })
        .ok_or_else(|| closed(&session))??)
}

/// Field: adds an office recipient (`age1…`), after the passphrase typed again (bundles are
/// encrypted to every recipient: a planted one reads them all); returns the list now held.
#[tauri::command]
pub async fn add_office_recipient(
    session: State<'_, SessionState>,
    recipient: String,
    passphrase: Option<String>,
) -> Result<Vec<String>, ApiError> {
    confirmed_job(&session, passphrase, "adding an office key", move |store| {
        store.add_office_recipient(&recipient)?;
        store.office_recipients()
    })
    .await
}

/// Office: trusts a field device's signing key under a name, after the passphrase typed again
/// (a planted key could sign forged bundles); returns the trusted list. On a laptop the same
/// command trusts the office's receipt key, whose receipts allow a purge.
#[tauri::command]
pub async fn trust_device(
    session: State<'_, SessionState>,
    public_key: String,
    name: String,
    passphrase: Option<String>,
) -> Result<Vec<TrustedKey>, ApiError> {
    confirmed_job(&session, passphrase, "trusting a key", move |store| {
        store.trust_add(&public_key, &name)?;
        store.trust_list()
    })
    .await
}

/// Office: revokes trust in a device key (by key id), for good; returns the trusted list.
#[tauri::command]
pub fn revoke_device(
    session: State<'_, SessionState>,
    key_id: String,
) -> Result<Vec<TrustedKey>, ApiError> {
    Ok(session
        .with_store_mut(|store| {
            store.trust_revoke(&key_id)?;
            store.trust_list()
        })
        .ok_or_else(|| closed(&session))??)
}

/// The user's home folder, where the Export screen suggests writing the bundle.
#[tauri::command]
pub fn home_folder(app: AppHandle) -> Result<String, ApiError> {
    app.path()
        .home_dir()
        .map(|p| p.display().to_string())
        .map_err(|_| ApiError::new(Code::FileError, "this system reports no home folder"))
}

/// [`resolve_path`] with this user's home folder.
pub fn user_path(app: &tauri::AppHandle, typed: &str) -> Result<PathBuf, ApiError> {
    resolve_path(typed, app.path().home_dir().ok().as_deref())
}

/// A path typed by a person: `~/…` is under `home`; anything else must be absolute
/// (a relative path would land wherever the app happened to start).
pub fn resolve_path(typed: &str, home: Option<&Path>) -> Result<PathBuf, ApiError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(ApiError::new(
            Code::Invalid,
            "path: give the file's full path",
        ));
    }
    let path = match (typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        (Some(_), None) => {
            return Err(ApiError::new(
                Code::Invalid,
                "path: this system reports no home folder for ~; give the full path",
            ))
        }
        (None, _) => PathBuf::from(typed),
    };
    if !path.is_absolute() {
        return Err(ApiError::new(
            Code::Invalid,
            format!("path: {typed} is not a full path (start it with / or ~/)"),
        ));
    }
    Ok(path)
}

/// Progress a job reports: bytes done of a total.
trait Steps {
    fn at_end(&self) -> bool;
}

impl Steps for Progress {
    fn at_end(&self) -> bool {
        self.done >= self.total
    }
}

impl Steps for RekeyProgress {
    fn at_end(&self) -> bool {
        self.done >= self.total
    }
}

/// Sends progress to the UI at most every `every`, and always the last step.
struct Throttle<T: tauri::ipc::IpcResponse> {
    channel: Channel<T>,
    every: Duration,
    last: Option<Instant>,
}

impl<T: tauri::ipc::IpcResponse + Steps> Throttle<T> {
    fn new(channel: Channel<T>) -> Self {
        Throttle {
            channel,
            every: Duration::from_millis(100),
            last: None,
        }
    }

    fn report(&mut self, p: T) {
        let now = Instant::now();
        let due = self
            .last
            .is_none_or(|t| now.duration_since(t) >= self.every);
        if due || p.at_end() {
            self.last = Some(now);
            // A window that went away (locked, closed) just stops listening.
            let _ = self.channel.send(p);
        }
    }
}

/// Runs a job on the store on the blocking pool.
pub(crate) async fn job<T: Send + 'static>(
    session: &State<'_, SessionState>,
    f: impl FnOnce(&mut Store) -> Result<T, fieldcase_core::Error> + Send + 'static,
) -> Result<T, ApiError> {
    let s = session.inner().clone();
    match blocking(move || s.run_job(f)).await? {
        Some(result) => Ok(result?),
        None => Err(closed(session)),
    }
}

/// Runs a job that a minute at an unlocked laptop must not be enough for: `passphrase`, typed
/// again, must open this store's key slot first (a wrong one is logged by the core as a failed
/// unlock `during` the action). Without one the answer is `passphrase_needed`, and the page
/// asks for it and calls again.
pub(crate) async fn confirmed_job<T: Send + 'static>(
    session: &State<'_, SessionState>,
    passphrase: Option<String>,
    during: &'static str,
    f: impl FnOnce(&mut Store) -> Result<T, fieldcase_core::Error> + Send + 'static,
) -> Result<T, ApiError> {
    let Some(passphrase) = passphrase.map(Passphrase::new) else {
        return Err(ApiError::new(
            Code::PassphraseNeeded,
            format!("{during} needs the passphrase typed again"),
        ));
    };
    job(session, move |store| {
        store.confirm_passphrase(&passphrase, during)?;
        f(store)
    })
    .await
}

/// A record's attachments: what each is, never its bytes.
#[tauri::command]
pub fn list_attachments(
    session: State<'_, SessionState>,
    record_id: Uuid,
) -> Result<Vec<AttachmentInfo>, ApiError> {
    Ok(session
        .with_store(|store| store.attachments_of(record_id))
        .ok_or_else(|| closed(&session))??)
}

/// An attachment's bytes for the screen (SHA-256 checked; 64 MiB at most), sent raw (an
/// ArrayBuffer in the UI), read off the window's thread. Never written to a file.
#[tauri::command]
pub async fn attachment_bytes(
    session: State<'_, SessionState>,
    id: Uuid,
) -> Result<tauri::ipc::Response, ApiError> {
    let bytes = job(&session, move |store| store.attachment_bytes(id)).await?;
    Ok(tauri::ipc::Response::new(bytes.to_vec()))
}

/// Changes the passphrase after checking the current one, off the window's thread: the
/// data key rotates and the database is re-encrypted under the new one, which on a big store
/// takes a while, so progress arrives on `on_progress`. The job has the store to itself; a
/// lock meanwhile waits for it to finish (or, if it fails, to roll back), and an unlock after
/// a crash finishes or undoes it.
#[tauri::command]
pub async fn change_passphrase(
    session: State<'_, SessionState>,
    current: String,
    new_passphrase: String,
    on_progress: Channel<RekeyProgress>,
) -> Result<(), ApiError> {
    let current = Passphrase::new(current);
    let new_passphrase = Passphrase::new(new_passphrase);
    // Checked before the current one is (a KDF run), so a short one fails at once.
    new_passphrase.check_new().map_err(ApiError::from)?;
    let params = session.kdf.params();
    let mut throttle = Throttle::new(on_progress);
    job(&session, move |store| {
        store.change_passphrase_checked(&current, &new_passphrase, params, &mut |p| {
            throttle.report(p)
        })
    })
    .await
}

/// Field: writes a bundle to `path` (which must not exist): what no receipt has
/// acknowledged yet, or everything with `all`. Progress arrives on `on_progress`.
#[tauri::command]
pub async fn export_bundle(
    app: AppHandle,
    session: State<'_, SessionState>,
    path: String,
    all: bool,
    on_progress: Channel<Progress>,
) -> Result<ExportSummary, ApiError> {
    let out = user_path(&app, &path)?;
    let mut throttle = Throttle::new(on_progress);
    job(&session, move |store| {
        store.export_bundle(&out, ExportOptions { all }, &mut |p| throttle.report(p))
    })
    .await
}

/// Office: imports one bundle, whole or not at all. Progress arrives on `on_progress`.
#[tauri::command]
pub async fn import_bundle(
    app: AppHandle,
    session: State<'_, SessionState>,
    path: String,
    on_progress: Channel<Progress>,
) -> Result<ImportSummary, ApiError> {
    let file = user_path(&app, &path)?;
    let mut throttle = Throttle::new(on_progress);
    job(&session, move |store| {
        store.import_bundle(&file, &mut |p| throttle.report(p))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::bundle::Stage;
    use std::sync::Mutex;

    #[test]
    fn typed_paths_must_be_full_or_under_home() {
        let home = Path::new("/home/sw");
        assert_eq!(
            resolve_path(" ~/out/b.fcb ", Some(home)).ok(),
            Some(PathBuf::from("/home/sw/out/b.fcb"))
        );
        assert_eq!(
            resolve_path("/media/usb/b.fcb", None).ok(),
            Some(PathBuf::from("/media/usb/b.fcb"))
        );
        for bad in ["", "  ", "b.fcb", "out/b.fcb", "~user/b.fcb"] {
            let e = resolve_path(bad, Some(home)).err();
            assert_eq!(e.map(|e| e.code), Some(Code::Invalid), "{bad:?}");
        }
        assert!(resolve_path("~/b.fcb", None).is_err());
    }

    #[test]
    fn progress_is_throttled_but_the_end_always_arrives() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let channel = Channel::new(move |body| {
            if let tauri::ipc::InvokeResponseBody::Json(json) = body {
                sink.lock().unwrap().push(json);
            }
            Ok(())
        });
        let mut t = Throttle::new(channel);
        t.every = Duration::from_secs(3600);
        for done in [0, 10, 20, 30] {
            t.report(Progress {
                stage: Stage::Export,
                done,
                total: 100,
            });
        }
        t.report(Progress {
            stage: Stage::Export,
            done: 100,
            total: 100,
        });
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "the first and the last: {seen:?}");
        assert!(seen[1].contains("\"done\":100"), "{}", seen[1]);
        assert!(seen[0].contains("\"stage\":\"export\""), "{}", seen[0]);
    }
}
