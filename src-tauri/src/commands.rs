//! One command per user action, each a few lines: take the input, call the
//! core, convert the result. Every name here must also be listed in `build.rs`
//! (which makes its `allow-*` permission) and granted in
//! `capabilities/main.json`, or the UI's call is refused.
//!
//! Key derivation takes most of a second by design, so the commands that
//! derive a key are `async` and run the core on a blocking thread: the
//! window stays responsive and the panic key keeps working meanwhile.

use crate::error::{ApiError, Code};
use crate::session::Session;
use fieldcase_core::model::{Record, RecordKind};
use fieldcase_core::store::{Draft, DraftSummary, EarlierStatement};
use fieldcase_core::{NewProfile, Passphrase, Profile, Store};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use tauri::State;
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

/// First run: creates the profile and leaves it open.
#[tauri::command]
pub async fn create_profile(
    session: State<'_, SessionState>,
    passphrase: String,
    device_name: String,
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
    let store = blocking(move || Profile::init(&s.dir, &passphrase, &new)).await??;
    install(&session, store, epoch)
}

/// Opens the profile with the passphrase.
#[tauri::command]
pub async fn unlock(session: State<'_, SessionState>, passphrase: String) -> Result<(), ApiError> {
    let passphrase = Passphrase::new(passphrase);
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
        .ok_or_else(ApiError::locked)??;
    Ok(counts
        .into_iter()
        .map(|(kind, count)| KindCount { kind, count })
        .collect())
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
        .ok_or_else(ApiError::locked)??;
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
        .ok_or_else(ApiError::locked)??;
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
        .with_store_mut(|store| store.save_draft(id, kind, None, &body))
        .ok_or_else(ApiError::locked)??)
}

/// Every draft, most recent first.
#[tauri::command]
pub fn list_drafts(session: State<'_, SessionState>) -> Result<Vec<DraftSummary>, ApiError> {
    Ok(session
        .with_store(|store| store.drafts())
        .ok_or_else(ApiError::locked)??)
}

/// One draft with its body.
#[tauri::command]
pub fn load_draft(session: State<'_, SessionState>, id: Uuid) -> Result<Draft, ApiError> {
    Ok(session
        .with_store(|store| store.draft(id))
        .ok_or_else(ApiError::locked)??)
}

/// Throws a draft away.
#[tauri::command]
pub fn discard_draft(session: State<'_, SessionState>, id: Uuid) -> Result<(), ApiError> {
    Ok(session
        .with_store_mut(|store| store.discard_draft(id))
        .ok_or_else(ApiError::locked)??)
}

/// Validates a draft and writes it as a record; returns the record's id.
#[tauri::command]
pub fn commit_draft(session: State<'_, SessionState>, id: Uuid) -> Result<Uuid, ApiError> {
    Ok(session
        .with_store_mut(|store| store.commit_draft(id))
        .ok_or_else(ApiError::locked)??)
}

/// A person's earlier interviews, newest first, with their narratives.
#[tauri::command]
pub fn earlier_statements(
    session: State<'_, SessionState>,
    person_id: Uuid,
) -> Result<Vec<EarlierStatement>, ApiError> {
    Ok(session
        .with_store(|store| store.earlier_statements(person_id))
        .ok_or_else(ApiError::locked)??)
}
