//! Commands of the Cases screen (issue 4, "Cases: link persons, interviews, visits and
//! establishments"): a paged list of cases, one case with the records it links named, add or
//! edit a case, a page of any kind of record to link, the case's timeline, its printable summary
//! (PDF, identities withheld unless asked for, logged by the core), and the cases a record is in. Thin like `visits.rs`: the core
//! validates a case (a code without spaces, no record linked twice, convictions only with a
//! verdict). Every name here is also in `build.rs`, `main.rs` and `capabilities/main.json`.

use std::path::PathBuf;

use crate::commands::{closed, cursor, job, user_path, SessionState};
use crate::error::{ApiError, Code};
use fieldcase_core::model::{Record, RecordKind};
use fieldcase_core::report::SummaryLanguage;
use fieldcase_core::store::{CaseRef, CaseView, ListPage};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, State};
use uuid::Uuid;

/// The largest page the lists ask for.
const MAX_PAGE: u32 = 200;

/// The four lists of a case body, in the order the screen shows them, with the kind each holds.
const LINKS: [(&str, RecordKind); 4] = [
    ("person_ids", RecordKind::Person),
    ("interview_ids", RecordKind::Interview),
    ("visit_ids", RecordKind::Visit),
    ("establishment_ids", RecordKind::Establishment),
];

/// A case as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    /// The record id.
    pub id: Uuid,
    /// The case code (the record's label).
    pub code: String,
    /// Its short title, if any.
    pub title: Option<String>,
    /// Where it stands (`intake`…).
    pub status: Option<String>,
    /// When it was last changed.
    pub updated_at: String,
    /// Whether it was edited apart on two devices.
    pub conflict: bool,
}

/// A page of cases and where the next one starts.
#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    /// Most recently changed first.
    pub records: Vec<CaseRow>,
    /// Set when there may be more: pass it as `after` for the next page.
    pub next: Option<String>,
}

/// A page of cases, most recently changed first, after the cursor `after`.
#[tauri::command]
pub fn list_cases(
    session: State<'_, SessionState>,
    after: Option<String>,
    limit: u32,
) -> Result<CasePage, ApiError> {
    let cursor = cursor(after)?;
    let limit = limit.clamp(1, MAX_PAGE);
    Ok(session
        .with_store_mut(|store| -> Result<CasePage, fieldcase_core::Error> {
            let page = store.list_after(RecordKind::Case, limit, cursor.as_ref())?;
            let mut records = Vec::with_capacity(page.records.len());
            for r in page.records {
                let body = store.show(r.id, false)?.body.unwrap_or(Value::Null);
                let text = |key: &str| {
                    body.get(key)
                        .and_then(Value::as_str)
                        .filter(|t| !t.trim().is_empty())
                        .map(str::to_owned)
                };
                records.push(CaseRow {
                    id: r.id,
                    code: r.label,
                    title: text("title"),
                    status: text("status"),
                    updated_at: r.updated_at,
                    conflict: r.conflict,
                });
            }
            Ok(CasePage {
                records,
                next: page.next.map(|c| c.to_string()),
            })
        })
        .ok_or_else(|| closed(&session))??)
}

/// A record a case links, named for the screen.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedRecord {
    /// The linked id.
    pub id: Uuid,
    /// The kind the case's list says it is.
    pub kind: RecordKind,
    /// What lists show for it (a pseudonym for a person, never identity); null when this
    /// profile does not hold it.
    pub label: Option<String>,
    /// Why it has no label: `missing` (not here: not yet imported, or another device's),
    /// `deleted`, or null.
    pub state: Option<&'static str>,
}

/// A case as the edit form loads it: the body, and every linked record named.
#[derive(Debug, Clone, Serialize)]
pub struct CaseForm {
    /// The record id.
    pub id: Uuid,
    /// The body as it stands.
    pub body: Value,
    /// The linked records, in the body's order (persons, interviews, visits, establishments).
    pub links: Vec<LinkedRecord>,
    /// Whether the case was edited apart on two devices (resolve it on the Conflicts screen).
    pub conflict: bool,
}

/// One case, to edit: its body and the records it links, each named.
#[tauri::command]
pub fn load_case(session: State<'_, SessionState>, id: Uuid) -> Result<CaseForm, ApiError> {
    session
        .with_store_mut(|store| -> Result<CaseForm, ApiError> {
            let view = store.show(id, false)?;
            let body = match (view.kind, view.body) {
                (RecordKind::Case, Some(body)) if !view.deleted => body,
                _ => {
                    return Err(ApiError::new(
                        Code::NotFound,
                        format!("no case with id {id}"),
                    ))
                }
            };
            let mut links = Vec::new();
            for (key, kind) in LINKS {
                let ids = body.get(key).and_then(Value::as_array);
                for linked in ids.into_iter().flatten() {
                    let Some(linked) = linked.as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
                        continue;
                    };
                    links.push(match store.show(linked, false) {
                        Ok(v) if v.deleted => LinkedRecord {
                            id: linked,
                            kind,
                            label: Some(v.label),
                            state: Some("deleted"),
                        },
                        Ok(v) => LinkedRecord {
                            id: linked,
                            kind,
                            label: Some(v.label),
                            state: None,
                        },
                        Err(fieldcase_core::Error::NotFound { .. }) => LinkedRecord {
                            id: linked,
                            kind,
                            label: None,
                            state: Some("missing"),
                        },
                        Err(e) => return Err(e.into()),
                    });
                }
            }
            Ok(CaseForm {
                id,
                body,
                links,
                conflict: view.heads.len() > 1,
            })
        })
        .ok_or_else(|| closed(&session))?
}

/// Adds a case (`id` null) or appends an edit of one; returns its id. The core validates the
/// body; its message names the field.
#[tauri::command]
pub fn save_case(
    session: State<'_, SessionState>,
    id: Option<Uuid>,
    body: Value,
) -> Result<Uuid, ApiError> {
    let record = Record::from_value(RecordKind::Case, body).map_err(fieldcase_core::Error::from)?;
    Ok(session
        .with_store_mut(|store| match id {
            None => store.add(record),
            Some(id) => store.edit(id, record).map(|_| id),
        })
        .ok_or_else(|| closed(&session))??)
}

/// A page of records of one kind (`person`, `interview`, `visit`, `establishment`), most
/// recently changed first: what the case form offers to link when nothing is typed.
#[tauri::command]
pub fn list_records(
    session: State<'_, SessionState>,
    kind: String,
    after: Option<String>,
    limit: u32,
) -> Result<ListPage, ApiError> {
    let kind: RecordKind = kind.parse().map_err(fieldcase_core::Error::from)?;
    let cursor = cursor(after)?;
    let limit = limit.clamp(1, MAX_PAGE);
    Ok(session
        .with_store(|store| store.list_after(kind, limit, cursor.as_ref()))
        .ok_or_else(|| closed(&session))??)
}

/// A case and everything it links, in time order (never an identity field).
#[tauri::command]
pub fn case_view(session: State<'_, SessionState>, id: Uuid) -> Result<CaseView, ApiError> {
    Ok(session
        .with_store(|store| store.case_view(id))
        .ok_or_else(|| closed(&session))??)
}

/// The cases that link a record (for its page).
#[tauri::command]
pub fn record_cases(session: State<'_, SessionState>, id: Uuid) -> Result<Vec<CaseRef>, ApiError> {
    Ok(session
        .with_store(|store| store.cases_of(id))
        .ok_or_else(|| closed(&session))??)
}

/// What writing a case summary did.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryWritten {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Whether the persons' identities are in it.
    pub include_identities: bool,
}

/// Writes the case's printable summary (PDF) to `path`, which must not exist. Identities are
/// withheld unless `include_identities`; the core logs the summary, and which kind it was.
/// The PDF is made in memory and written only there (not encrypted: the screen says so).
#[tauri::command]
pub async fn write_case_summary(
    app: AppHandle,
    session: State<'_, SessionState>,
    id: Uuid,
    path: String,
    include_identities: bool,
    language: String,
) -> Result<SummaryWritten, ApiError> {
    let out = user_path(&app, &path)?;
    let language: SummaryLanguage = language.parse().map_err(fieldcase_core::Error::from)?;
    if out.exists() {
        return Err(ApiError::new(
            Code::FileExists,
            format!("{} already exists", out.display()),
        ));
    }
    job(&session, move |store| {
        let pdf =
            store.case_summary_pdf_in(id, include_identities, chrono::Utc::now(), language)?;
        fieldcase_core::files::write_new(&out, &pdf)?;
        Ok(SummaryWritten {
            bytes: pdf.len() as u64,
            path: out,
            include_identities,
        })
    })
    .await
}
