//! Search, a record with its history, the people by pseudonym, and the deliberate reveal of a
//! person's identity (issue 4). Thin like `commands.rs`: each command calls the core once.
//! Every name here is also listed in `build.rs`, `main.rs` and `capabilities/main.json`.

use crate::commands::SessionState;
use crate::error::ApiError;
use crate::session::Session;
use fieldcase_core::model::RecordKind;
use fieldcase_core::store::{ListPage, RecordHistory, RecordSummary, RecordView, SearchHit};
use serde::Serialize;
use serde_json::Value;
use tauri::State;
use uuid::Uuid;

/// Results per page, for search and for the people list.
pub const PAGE: u32 = 25;

/// A page of search results, and whether more follow.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    /// The hits: kind, label (a pseudonym for a person), excerpt, date; never identity.
    pub hits: Vec<SearchHit>,
    /// Whether a next page exists (ask again with `offset` + the hits' count).
    pub more: bool,
}

fn closed(session: &Session) -> ApiError {
    if session.is_busy() {
        ApiError::busy()
    } else {
        ApiError::locked()
    }
}

/// Records whose text contains `query` (Khmer substrings too), a page from `offset`.
#[tauri::command]
pub fn search_records(
    session: State<'_, SessionState>,
    query: String,
    offset: u32,
) -> Result<SearchPage, ApiError> {
    let mut hits = session
        .with_store(|store| store.search(&query, PAGE + 1, offset))
        .ok_or_else(|| closed(&session))??;
    let more = hits.len() > PAGE as usize;
    hits.truncate(PAGE as usize);
    Ok(SearchPage { hits, more })
}

/// How many records Home lists as recent work.
const RECENT: u32 = 8;

/// The most recently changed records of every kind (attachments show on their record's page):
/// Home's recent work. Labels only, never identity.
#[tauri::command]
pub fn recent_work(session: State<'_, SessionState>) -> Result<Vec<RecordSummary>, ApiError> {
    Ok(session
        .with_store(|store| store.recent(RECENT))
        .ok_or_else(|| closed(&session))??)
}

/// A record as it stands (never its identity section) and its history, field by field.
#[tauri::command]
pub fn record_history(
    session: State<'_, SessionState>,
    id: Uuid,
) -> Result<RecordHistory, ApiError> {
    Ok(session
        .with_store(|store| store.record_history(id))
        .ok_or_else(|| closed(&session))??)
}

/// A page of people by pseudonym, most recently changed first, after `after` (the previous
/// page's `next`; null for the first page).
#[tauri::command]
pub fn person_page(
    session: State<'_, SessionState>,
    after: Option<String>,
) -> Result<ListPage, ApiError> {
    let cursor = crate::commands::cursor(after)?;
    Ok(session
        .with_store(|store| store.list_after(RecordKind::Person, PAGE, cursor.as_ref()))
        .ok_or_else(|| closed(&session))??)
}

/// A person's protected identity section (null if none was recorded). The core logs the
/// reveal in the audit chain before it answers; the UI keeps the answer only while the
/// person stays on screen.
#[tauri::command]
pub fn reveal_identity(session: State<'_, SessionState>, id: Uuid) -> Result<Value, ApiError> {
    let view = session
        .with_store_mut(|store| store.show(id, true))
        .ok_or_else(|| closed(&session))??;
    Ok(identity_section(view))
}

/// The identity section of a revealed view, alone (null if the person has none).
fn identity_section(view: RecordView) -> Value {
    view.body
        .and_then(|mut b| b.get_mut("identity").map(Value::take))
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::crypto::KdfParams;
    use fieldcase_core::model::Record;
    use fieldcase_core::{NewProfile, Passphrase, Profile};

    #[test]
    fn a_reveal_answers_the_identity_alone_and_is_logged_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Profile::init(
            dir.path(),
            &Passphrase::new("river lantern copper 42".into()),
            &NewProfile {
                device_name: "test laptop".into(),
                author: None,
                kdf: KdfParams::FOR_TESTS_ONLY,
                unencrypted_for_benchmarks: false,
            },
        )
        .unwrap();
        let body = serde_json::json!({
            "pseudonym": "Dara-3", "role": "survivor",
            "identity": {"legal_name": "Sok Chanthy"}
        });
        let id = store
            .add(Record::from_value(RecordKind::Person, body).unwrap())
            .unwrap();
        let hidden = store.record_history(id).unwrap();
        assert!(!serde_json::to_string(&hidden).unwrap().contains("Chanthy"));
        let logged = |s: &fieldcase_core::Store| {
            s.audit_entries()
                .unwrap()
                .iter()
                .filter(|e| e.action == "identity_revealed")
                .count()
        };
        assert_eq!(logged(&store), 0);
        let identity = identity_section(store.show(id, true).unwrap());
        assert_eq!(identity, serde_json::json!({"legal_name": "Sok Chanthy"}));
        assert_eq!(logged(&store), 1);
        let plain = store
            .add(
                Record::from_value(
                    RecordKind::Person,
                    serde_json::json!({"pseudonym": "Vanna-1", "role": "witness"}),
                )
                .unwrap(),
            )
            .unwrap();
        assert_eq!(
            identity_section(store.show(plain, true).unwrap()),
            Value::Null
        );
    }
}
