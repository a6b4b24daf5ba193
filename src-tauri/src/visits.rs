//! Commands of the investigators' screens: establishments (a paged list, add,
//! edit) and attachments added by path. Visits themselves are written as
//! drafts through the draft commands in `commands.rs` (kind `visit`) and
//! committed the same way an interview is. Each command is a few lines over
//! the core; every name is also in `build.rs` and `capabilities/main.json`.

use crate::commands::{closed, cursor, job, user_path, SessionState};
use crate::error::{ApiError, Code};
use fieldcase_core::model::{Record, RecordKind};
use fieldcase_core::store::attachments::{guess_media, NewAttachment};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, State};
use uuid::Uuid;

/// The largest page the establishment list asks for.
const MAX_PAGE: u32 = 200;

/// An establishment as the list shows it: its name, and what tells two of the same name
/// apart (type, city or province).
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentRow {
    /// The record id.
    pub id: Uuid,
    /// Its name (the record's label).
    pub label: String,
    /// Its type code (`karaoke_bar`…), if the record has one.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The city, else the province, as recorded.
    pub place: Option<String>,
    /// When it was last changed.
    pub updated_at: String,
    /// Whether it was edited apart on two devices.
    pub conflict: bool,
}

/// A page of establishments and where the next one starts.
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentPage {
    /// Most recently changed first.
    pub records: Vec<EstablishmentRow>,
    /// Set when there may be more: pass it as `after` for the next page.
    pub next: Option<String>,
}

/// A page of establishments, most recently changed first, after the cursor `after`
/// (the previous page's `next`; null for the first page).
#[tauri::command]
pub fn list_establishments(
    session: State<'_, SessionState>,
    after: Option<String>,
    limit: u32,
) -> Result<EstablishmentPage, ApiError> {
    let cursor = cursor(after)?;
    let limit = limit.clamp(1, MAX_PAGE);
    Ok(session
        .with_store_mut(
            |store| -> Result<EstablishmentPage, fieldcase_core::Error> {
                let page = store.list_after(RecordKind::Establishment, limit, cursor.as_ref())?;
                let mut records = Vec::with_capacity(page.records.len());
                for r in page.records {
                    let body = store.show(r.id, false)?.body.unwrap_or(Value::Null);
                    let text = |v: Option<&Value>| {
                        v.and_then(Value::as_str)
                            .filter(|t| !t.trim().is_empty())
                            .map(str::to_owned)
                    };
                    let location = body.get("location");
                    records.push(EstablishmentRow {
                        id: r.id,
                        label: r.label,
                        kind: text(body.get("type")),
                        place: text(location.and_then(|l| l.get("city")))
                            .or_else(|| text(location.and_then(|l| l.get("province")))),
                        updated_at: r.updated_at,
                        conflict: r.conflict,
                    });
                }
                Ok(EstablishmentPage {
                    records,
                    next: page.next.map(|c| c.to_string()),
                })
            },
        )
        .ok_or_else(|| closed(&session))??)
}

/// An establishment as the edit form loads it.
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentView {
    /// The record id.
    pub id: Uuid,
    /// What lists show (the name).
    pub label: String,
    /// The body as it stands.
    pub body: Value,
}

/// One establishment, to edit or to name on the visit screen.
#[tauri::command]
pub fn load_establishment(
    session: State<'_, SessionState>,
    id: Uuid,
) -> Result<EstablishmentView, ApiError> {
    let view = session
        .with_store_mut(|store| store.show(id, false))
        .ok_or_else(|| closed(&session))??;
    match (view.kind, view.body) {
        (RecordKind::Establishment, Some(body)) if !view.deleted => Ok(EstablishmentView {
            id: view.id,
            label: view.label,
            body,
        }),
        _ => Err(ApiError::new(
            Code::NotFound,
            format!("no establishment with id {id}"),
        )),
    }
}

/// Adds an establishment (`id` null) or appends an edit of one; returns its id.
/// The core validates the body; its message names the field.
#[tauri::command]
pub fn save_establishment(
    session: State<'_, SessionState>,
    id: Option<Uuid>,
    body: Value,
) -> Result<Uuid, ApiError> {
    let record =
        Record::from_value(RecordKind::Establishment, body).map_err(fieldcase_core::Error::from)?;
    Ok(session
        .with_store_mut(|store| match id {
            None => store.add(record),
            Some(id) => store.edit(id, record).map(|_| id),
        })
        .ok_or_else(|| closed(&session))??)
}

/// An attachment as the visit screen shows it once stored.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    /// The attachment record's id.
    pub id: Uuid,
    /// The file's name (no folders).
    pub file_name: String,
    /// Its media type, guessed from the name.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// Its SHA-256 at capture (64 hex digits), computed by the core as it streamed.
    pub sha256: String,
}

/// Attaches the file at `path` (full, or `~/…`) to the record `record_id`: the core streams
/// it into the store encrypted and takes its SHA-256. Runs off the window's thread, with the
/// store to itself, as exports do.
#[tauri::command]
pub async fn attach_file(
    app: AppHandle,
    session: State<'_, SessionState>,
    record_id: Uuid,
    path: String,
    description: Option<String>,
) -> Result<AttachmentInfo, ApiError> {
    let file = user_path(&app, &path)?;
    let file_name = file
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::new(Code::Invalid, "path: name a file, not a folder"))?;
    let (media, media_type) = guess_media(&file_name);
    let new = NewAttachment {
        record_id,
        media,
        file_name,
        media_type: media_type.to_owned(),
        description: description
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
    };
    let view = job(&session, move |store| {
        let mut source = fieldcase_core::files::open_input(&file)?;
        let id = store.attach(new, &mut source)?;
        store.show(id, false)
    })
    .await?;
    let body = view.body.unwrap_or(Value::Null);
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
    Ok(AttachmentInfo {
        id: view.id,
        file_name: text("file_name").unwrap_or_default(),
        media_type: text("media_type").unwrap_or_default(),
        size_bytes: body.get("size_bytes").and_then(Value::as_u64).unwrap_or(0),
        sha256: text("sha256").unwrap_or_default(),
    })
}
