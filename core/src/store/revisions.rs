//! Records as append-only chains of revisions.
//!
//! A record is never overwritten: creating, editing and deleting each append a
//! [`Revision`] whose parents are the revisions it replaces. The record's
//! current state is its head; two heads (edits made apart, on two laptops)
//! are a conflict, kept and shown until a revision with both parents resolves
//! it. Each revision's hash covers who wrote it, when, and what it says.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::canonical;
use crate::error::{Error, Result, ValidationError};
use crate::model::{Record, RecordKind};
use crate::store::{audit, facts, search};

/// One revision of a record, as stored and as it will travel in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// The revision's own id (UUIDv7).
    pub id: Uuid,
    /// The record it belongs to (UUIDv7, fixed at creation).
    pub record_id: Uuid,
    /// The record's kind.
    pub kind: RecordKind,
    /// The revisions this one replaces: none at creation, two or more when resolving a conflict.
    pub parents: Vec<Uuid>,
    /// The device that wrote it.
    pub device_id: Uuid,
    /// The person who wrote it.
    pub author: String,
    /// When it was written (UTC).
    pub created_at: DateTime<Utc>,
    /// Whether this revision deletes the record (a tombstone).
    pub deleted: bool,
    /// The record body (absent for a tombstone). A person's identity section is kept apart.
    pub body: Option<Value>,
    /// A person's identity section, if any.
    pub identity: Option<Value>,
    /// SHA-256 (hex) of the revision's canonical JSON without this field.
    pub body_hash: String,
}

impl Revision {
    /// Computes the hash over every other field.
    pub fn compute_hash(&self) -> String {
        canonical::sha256_hex(&json!({
            "id": self.id,
            "record_id": self.record_id,
            "kind": self.kind.as_str(),
            "parents": self.parents,
            "device_id": self.device_id,
            "author": self.author,
            "created_at": self.created_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "deleted": self.deleted,
            "body": self.body,
            "identity": self.identity,
        }))
    }

    /// Whether the stored hash matches the content.
    pub fn hash_is_valid(&self) -> bool {
        self.compute_hash() == self.body_hash
    }

    /// The revision without its identity section (what is shown unless identity is revealed).
    pub fn without_identity(mut self) -> Self {
        if self.identity.is_some() {
            self.identity = Some(Value::String("[protected]".into()));
        }
        self
    }
}

/// A record as it stands now: its head revision, and whether it is in conflict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordView {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: RecordKind,
    /// What a list shows for it (never identity).
    pub label: String,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
    /// Whether it is deleted.
    pub deleted: bool,
    /// The head revisions: one normally, two or more in a conflict (newest first).
    pub heads: Vec<Uuid>,
    /// The newest head's body, with the identity section only if it was revealed.
    pub body: Option<Value>,
    /// Whether a person's identity section exists (shown only when revealed).
    pub has_identity: bool,
    /// If the newest head's content was purged (the office holds it): what was there and
    /// where it went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purged: Option<Value>,
}

impl RecordView {
    /// Whether the record has more than one head.
    pub fn in_conflict(&self) -> bool {
        self.heads.len() > 1
    }
}

/// A line in a list or search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSummary {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: RecordKind,
    /// Its label (never identity).
    pub label: String,
    /// When it was last changed.
    pub updated_at: String,
    /// Whether it has more than one head.
    pub conflict: bool,
}

/// Who is writing: the device and its person.
#[derive(Debug, Clone)]
pub struct Writer {
    /// The device id.
    pub device_id: Uuid,
    /// The author's name or code.
    pub author: String,
}

pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::StoreDamaged(format!("bad time {text:?}: {e}")))
}

fn parse_uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| Error::StoreDamaged(format!("bad id {text:?}: {e}")))
}

fn parse_kind(text: &str) -> Result<RecordKind> {
    text.parse()
        .map_err(|_| Error::StoreDamaged(format!("unknown record kind {text:?}")))
}

/// Reads one revision by id.
pub fn revision(conn: &Connection, id: Uuid) -> Result<Option<Revision>> {
    // Cached: once per revision on import, and on every edit.
    conn.prepare_cached(
        "SELECT id, record_id, kind, parents, device_id, author, created_at, deleted, body, identity, body_hash
         FROM revisions WHERE id = ?1",
    )?
    .query_row([id.to_string()], row_texts)
    .optional()?
    .map(revision_from_texts)
    .transpose()
}

type RevisionTexts = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    Option<String>,
    Option<String>,
    String,
);

fn row_texts(r: &rusqlite::Row<'_>) -> rusqlite::Result<RevisionTexts> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn revision_from_texts(t: RevisionTexts) -> Result<Revision> {
    let json = |s: Option<String>| -> Result<Option<Value>> {
        s.map(|s| {
            serde_json::from_str(&s)
                .map_err(|e| Error::StoreDamaged(format!("bad revision body: {e}")))
        })
        .transpose()
    };
    let parents: Vec<Uuid> =
        serde_json::from_str(&t.3).map_err(|e| Error::StoreDamaged(format!("bad parents: {e}")))?;
    Ok(Revision {
        id: parse_uuid(&t.0)?,
        record_id: parse_uuid(&t.1)?,
        kind: parse_kind(&t.2)?,
        parents,
        device_id: parse_uuid(&t.4)?,
        author: t.5,
        created_at: parse_time(&t.6)?,
        deleted: t.7,
        body: json(t.8)?,
        identity: json(t.9)?,
        body_hash: t.10,
    })
}

/// Revisions for a bundle, in the order they were stored (parents before children): every
/// one not purged, or only those no receipt has acknowledged.
pub(crate) fn for_bundle(conn: &Connection, unacknowledged_only: bool) -> Result<Vec<Revision>> {
    let sql = if unacknowledged_only {
        "SELECT id, record_id, kind, parents, device_id, author, created_at, deleted, body, identity, body_hash
         FROM revisions WHERE purged IS NULL AND id NOT IN (SELECT revision_id FROM acknowledged) ORDER BY seq"
    } else {
        "SELECT id, record_id, kind, parents, device_id, author, created_at, deleted, body, identity, body_hash
         FROM revisions WHERE purged IS NULL ORDER BY seq"
    };
    let mut stmt = conn.prepare(sql)?;
    let texts = stmt
        .query_map([], row_texts)?
        .collect::<Result<Vec<_>, _>>()?;
    texts.into_iter().map(revision_from_texts).collect()
}

/// Every revision of a record, oldest first.
pub fn history(conn: &Connection, record_id: Uuid) -> Result<Vec<Revision>> {
    let mut stmt = conn.prepare(
        "SELECT id, record_id, kind, parents, device_id, author, created_at, deleted, body, identity, body_hash
         FROM revisions WHERE record_id = ?1 ORDER BY seq",
    )?;
    let texts = stmt
        .query_map([record_id.to_string()], row_texts)?
        .collect::<Result<Vec<_>, _>>()?;
    let revs = texts
        .into_iter()
        .map(revision_from_texts)
        .collect::<Result<Vec<_>>>()?;
    if revs.is_empty() {
        return Err(Error::NotFound {
            what: "record",
            id: record_id.to_string(),
        });
    }
    Ok(revs)
}

/// The head revision ids of a record, newest first.
pub fn heads(conn: &Connection, record_id: Uuid) -> Result<Vec<Uuid>> {
    // Cached: once per record on import, and on every edit, delete and view.
    let mut stmt = conn.prepare_cached(
        "SELECT h.revision_id FROM heads h JOIN revisions r ON r.id = h.revision_id
         WHERE h.record_id = ?1 ORDER BY r.created_at DESC, r.seq DESC",
    )?;
    let ids = stmt
        .query_map([record_id.to_string()], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    ids.iter().map(|s| parse_uuid(s)).collect()
}

/// The record as it stands, with the identity section only if `reveal_identity`.
pub fn view(conn: &Connection, record_id: Uuid, reveal_identity: bool) -> Result<RecordView> {
    let row: Option<(String, String, String, String, bool)> = conn
        .query_row(
            "SELECT kind, label, created_at, updated_at, deleted FROM records WHERE id = ?1",
            [record_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((kind, label, created_at, updated_at, deleted)) = row else {
        return Err(Error::NotFound {
            what: "record",
            id: record_id.to_string(),
        });
    };
    let heads = heads(conn, record_id)?;
    let newest = match heads.first() {
        Some(id) => revision(conn, *id)?,
        None => None,
    };
    let (mut body, identity) = match newest {
        Some(r) => (r.body, r.identity),
        None => (None, None),
    };
    let has_identity = identity.is_some();
    let purged: Option<Value> = match heads.first() {
        Some(id) => conn
            .query_row(
                "SELECT purged FROM revisions WHERE id = ?1",
                [id.to_string()],
                |r| r.get::<_, Option<String>>(0),
            )?
            .and_then(|t| serde_json::from_str(&t).ok()),
        None => None,
    };
    if reveal_identity {
        if let (Some(Value::Object(map)), Some(identity)) = (body.as_mut(), identity) {
            map.insert("identity".into(), identity);
        }
    }
    Ok(RecordView {
        id: record_id,
        kind: parse_kind(&kind)?,
        label,
        created_at,
        updated_at,
        deleted,
        heads,
        body,
        has_identity,
        purged,
    })
}

/// Where a list page ends: the last row's change time and id. The next page
/// continues strictly after it, by the list's own order, so a page costs the
/// same at any depth (no rows are skipped one by one, as with an offset), and a
/// record changed meanwhile moves to the top instead of shifting later pages.
///
/// Written as `<updated_at>~<id>`, e.g.
/// `2026-11-23T16:36:48.577361Z~01a20944-3d6b-7667-9f8b-e847b7b60fd9`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor {
    updated_at: String,
    id: Uuid,
}

impl ListCursor {
    fn after(summary: &RecordSummary) -> ListCursor {
        ListCursor {
            updated_at: summary.updated_at.clone(),
            id: summary.id,
        }
    }
}

impl std::fmt::Display for ListCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}~{}", self.updated_at, self.id)
    }
}

impl std::str::FromStr for ListCursor {
    type Err = ValidationError;

    fn from_str(text: &str) -> std::result::Result<Self, ValidationError> {
        let bad = || {
            ValidationError::new(
                "cursor",
                format!(
                    "{text:?} is not a list cursor (<updated_at>~<id>, as printed after a full page)"
                ),
            )
        };
        let (time, id) = text.trim().split_once('~').ok_or_else(bad)?;
        let time = DateTime::parse_from_rfc3339(time).map_err(|_| bad())?;
        Ok(ListCursor {
            // The store's own text form, so the comparison in SQL is exact.
            updated_at: time_text(time.with_timezone(&Utc)),
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

/// A page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListPage {
    /// The records, most recently changed first.
    pub records: Vec<RecordSummary>,
    /// Set when the page is full (there may be more): pass it to get the next page.
    #[serde(serialize_with = "cursor_text")]
    pub next: Option<ListCursor>,
}

fn cursor_text<S: serde::Serializer>(
    cursor: &Option<ListCursor>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match cursor {
        Some(c) => s.serialize_str(&c.to_string()),
        None => s.serialize_none(),
    }
}

type SummaryTexts = (String, String, String, String, i64);

fn summary_texts(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryTexts> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn summaries(rows: Vec<SummaryTexts>) -> Result<Vec<RecordSummary>> {
    rows.into_iter()
        .map(|(id, kind, label, updated_at, heads)| {
            Ok(RecordSummary {
                id: parse_uuid(&id)?,
                kind: parse_kind(&kind)?,
                label,
                updated_at,
                conflict: heads > 1,
            })
        })
        .collect()
}

/// A page of a kind's records, most recently changed first, skipping `offset` rows.
/// Deep pages get slower with the offset; [`list_after`] does not.
pub fn list(
    conn: &Connection,
    kind: RecordKind,
    limit: u32,
    offset: u32,
) -> Result<Vec<RecordSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, label, updated_at, heads FROM records
         WHERE kind = ?1 AND deleted = 0 ORDER BY updated_at DESC, id DESC LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt
        .query_map(params![kind.as_str(), limit, offset], summary_texts)?
        .collect::<Result<Vec<_>, _>>()?;
    summaries(rows)
}

/// A page of a kind's records, most recently changed first, starting after `after`
/// (from the start if `None`). Walks the `records_by_kind` index from the cursor.
pub fn list_after(
    conn: &Connection,
    kind: RecordKind,
    limit: u32,
    after: Option<&ListCursor>,
) -> Result<ListPage> {
    let rows = match after {
        None => {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, label, updated_at, heads FROM records
                 WHERE kind = ?1 AND deleted = 0 ORDER BY updated_at DESC, id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![kind.as_str(), limit], summary_texts)?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
        Some(cursor) => {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, label, updated_at, heads FROM records
                 WHERE kind = ?1 AND deleted = 0 AND (updated_at, id) < (?2, ?3)
                 ORDER BY updated_at DESC, id DESC LIMIT ?4",
            )?;
            let rows = stmt.query_map(
                params![
                    kind.as_str(),
                    cursor.updated_at,
                    cursor.id.to_string(),
                    limit
                ],
                summary_texts,
            )?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
    };
    let records = summaries(rows)?;
    let full = limit > 0 && records.len() == limit as usize;
    let next = if full {
        records.last().map(ListCursor::after)
    } else {
        None
    };
    Ok(ListPage { records, next })
}

/// Checks that every record `record` links to exists, is not deleted, and is of a plausible kind.
pub fn check_links(conn: &Connection, record: &Record) -> Result<()> {
    for (field, id) in record.links() {
        let found: Option<bool> = conn
            .prepare_cached("SELECT deleted FROM records WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        match found {
            None => {
                return Err(ValidationError::new(field, format!("no record with id {id}")).into())
            }
            Some(true) => {
                return Err(ValidationError::new(field, format!("record {id} is deleted")).into())
            }
            Some(false) => {}
        }
    }
    Ok(())
}

/// Writes a new revision made on this device: validation, links, revision, heads, search, audit.
/// `parents` empty creates the record. Returns the revision.
pub(crate) fn write_local(
    tx: &Transaction<'_>,
    writer: &Writer,
    record_id: Uuid,
    parents: Vec<Uuid>,
    record: Option<Record>,
) -> Result<Revision> {
    write_local_noted(tx, writer, record_id, parents, record, Value::Null)
}

/// [`write_local`], with `note` (an object of facts, never record content) added to the audit
/// entry's detail. A revision with two or more parents resolves a conflict and is logged as
/// `conflict_resolved`, naming its parents.
pub(crate) fn write_local_noted(
    tx: &Transaction<'_>,
    writer: &Writer,
    record_id: Uuid,
    parents: Vec<Uuid>,
    record: Option<Record>,
    note: Value,
) -> Result<Revision> {
    let now = Utc::now();
    let (kind, body, identity, label, text) = match record {
        Some(record) => {
            record.validate()?;
            check_links(tx, &record)?;
            let kind = record.kind();
            let label = record.label();
            let text = record.search_text();
            let (without, identity) = record.split_identity();
            (kind, Some(without.to_value()), identity, label, Some(text))
        }
        None => {
            let kind: String = tx
                .query_row(
                    "SELECT kind FROM records WHERE id = ?1",
                    [record_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "record",
                    id: record_id.to_string(),
                })?;
            (parse_kind(&kind)?, None, None, String::new(), None)
        }
    };
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id,
        kind,
        parents,
        device_id: writer.device_id,
        author: writer.author.clone(),
        created_at: now,
        deleted: body.is_none(),
        body,
        identity,
        body_hash: String::new(),
    };
    rev.body_hash = rev.compute_hash();
    insert(tx, &rev)?;
    update_record_row(tx, &rev, &label, text.as_deref())?;
    let action = if rev.parents.len() > 1 {
        audit::Action::ConflictResolved
    } else if rev.deleted {
        audit::Action::RecordDeleted
    } else if rev.parents.is_empty() {
        audit::Action::RecordCreated
    } else {
        audit::Action::RecordEdited
    };
    let mut detail = json!({"kind": kind.as_str(), "revision": rev.id, "hash": rev.body_hash});
    if rev.parents.len() > 1 {
        detail["parents"] = json!(rev.parents);
        detail["deleted"] = json!(rev.deleted);
    }
    if let (Value::Object(extra), Value::Object(into)) = (note, &mut detail) {
        into.extend(extra);
    }
    audit::append(
        tx,
        now,
        &writer.device_id.to_string(),
        &writer.author,
        action,
        Some(&record_id.to_string()),
        detail,
    )?;
    Ok(rev)
}

pub(super) fn insert(tx: &Transaction<'_>, rev: &Revision) -> Result<()> {
    insert_rows(tx, rev, false)
}

/// [`insert`]; `first_of_record` says that no revision of the record is here yet (it has no
/// row in `records`, which every revision and head references), so it has no heads to
/// replace and no revision naming this one as a parent: the new revision is its one head.
fn insert_rows(tx: &Transaction<'_>, rev: &Revision, first_of_record: bool) -> Result<()> {
    let text = |v: &Option<Value>| v.as_ref().map(|v| v.to_string());
    let created = time_text(rev.created_at);
    tx.prepare_cached(
        "INSERT OR IGNORE INTO records (id, kind, label, created_at, updated_at, deleted, heads)
         VALUES (?1, ?2, '', ?3, ?3, 0, 0)",
    )?
    .execute(params![
        rev.record_id.to_string(),
        rev.kind.as_str(),
        created
    ])?;
    tx.prepare_cached("INSERT INTO revisions (id, record_id, kind, parents, device_id, author, created_at, deleted, body, identity, body_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?
        .execute(params![
            rev.id.to_string(),
            rev.record_id.to_string(),
            rev.kind.as_str(),
            serde_json::to_string(&rev.parents).map_err(|e| Error::Sqlite(e.to_string()))?,
            rev.device_id.to_string(),
            rev.author,
            time_text(rev.created_at),
            rev.deleted,
            text(&rev.body),
            text(&rev.identity),
            rev.body_hash,
        ],
    )?;
    if first_of_record {
        tx.prepare_cached("INSERT OR IGNORE INTO heads (record_id, revision_id) VALUES (?1, ?2)")?
            .execute(params![rev.record_id.to_string(), rev.id.to_string()])?;
        return Ok(());
    }
    for parent in &rev.parents {
        tx.prepare_cached("DELETE FROM heads WHERE record_id = ?1 AND revision_id = ?2")?
            .execute(params![rev.record_id.to_string(), parent.to_string()])?;
    }
    // A revision already named as a parent by another (arriving out of order) is not a head.
    let superseded: bool = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM revisions WHERE record_id = ?1 AND parents LIKE '%' || ?2 || '%')")?
        .query_row(params![rev.record_id.to_string(), rev.id.to_string()],
        |r| r.get(0),
    )?;
    if !superseded {
        tx.prepare_cached("INSERT OR IGNORE INTO heads (record_id, revision_id) VALUES (?1, ?2)")?
            .execute(params![rev.record_id.to_string(), rev.id.to_string()])?;
    }
    Ok(())
}

fn update_record_row(
    tx: &Transaction<'_>,
    rev: &Revision,
    label: &str,
    text: Option<&str>,
) -> Result<()> {
    let rowid = update_record_fields(tx, rev, label, None)?;
    search::index(tx, rowid, if rev.deleted { None } else { text })?;
    // The report facts follow the heads and the deleted flag just written.
    facts::refresh(tx, rev.kind, &rev.record_id.to_string())?;
    Ok(())
}

/// Search-index writes and report-facts refreshes held back while many foreign revisions go
/// into one transaction.
///
/// FTS5 keeps new index entries in memory until a statement that may write several rows makes
/// it write them out; written one revision at a time, every entry is allocated, written and
/// freed again per revision, and with `cipher_memory_security` each allocation is an `mlock`
/// and each free a `munlock`. Held back and written together, up to
/// [`PendingIndexes::MAX_BYTES`] of text at a time, the entries of many records share one
/// flush. The index ends the same: each record's entry is replaced in the order the revisions
/// came. The report facts of the records touched are re-derived together at the same flush
/// ([`facts::refresh_many`]), from the heads as they stand then. Call
/// [`PendingIndexes::flush`] before anything reads the search index or the facts, and before
/// the transaction commits.
#[derive(Default)]
pub(crate) struct PendingIndexes {
    /// Rowid, text (none for a deleted record), and whether the record is new in this
    /// transaction (so it has no entry to replace yet).
    entries: Vec<(i64, Option<zeroize::Zeroizing<String>>, bool)>,
    bytes: usize,
    facts: std::collections::BTreeSet<(RecordKind, String)>,
}

impl PendingIndexes {
    /// Text held before it is written out.
    const MAX_BYTES: usize = 8 * 1024 * 1024;

    /// Holds a record's search text (`fresh`: its first revision, so its row in `records` is
    /// new and it has no entry in the index yet) and notes its facts for refreshing.
    fn push(
        &mut self,
        tx: &Transaction<'_>,
        rowid: i64,
        text: Option<&str>,
        kind: RecordKind,
        record_id: Uuid,
        fresh: bool,
    ) -> Result<()> {
        self.bytes += text.map_or(0, str::len);
        self.entries.push((
            rowid,
            text.map(|t| zeroize::Zeroizing::new(t.to_string())),
            fresh,
        ));
        self.facts.insert((kind, record_id.to_string()));
        // Each is written out on its own measure: an early search flush would only make FTS5
        // write more, smaller segments.
        if self.bytes >= Self::MAX_BYTES {
            self.flush_search(tx)?;
        }
        if self.facts.len() >= facts::BATCH {
            self.flush_facts(tx)?;
        }
        Ok(())
    }

    fn flush_search(&mut self, tx: &Transaction<'_>) -> Result<()> {
        for (rowid, text, fresh) in self.entries.drain(..) {
            let text = text.as_ref().map(|t| t.as_str());
            if fresh {
                // Nothing to delete first (an FTS5 delete opens the index all the same).
                search::index_new(tx, rowid, text)?;
            } else {
                search::index(tx, rowid, text)?;
            }
        }
        self.bytes = 0;
        Ok(())
    }

    fn flush_facts(&mut self, tx: &Transaction<'_>) -> Result<()> {
        facts::refresh_many(tx, &self.facts)?;
        self.facts.clear();
        Ok(())
    }

    /// Writes every held entry into the search index, in order, and re-derives the report
    /// facts of every record touched.
    pub(crate) fn flush(&mut self, tx: &Transaction<'_>) -> Result<()> {
        self.flush_search(tx)?;
        self.flush_facts(tx)
    }
}

/// Updates a record's row (time, heads, deleted, label); returns its rowid. `heads` is its
/// count of heads if the caller knows it, else it is counted.
fn update_record_fields(
    tx: &Transaction<'_>,
    rev: &Revision,
    label: &str,
    heads: Option<i64>,
) -> Result<i64> {
    let id = rev.record_id.to_string();
    let heads: i64 = match heads {
        Some(n) => n,
        None => tx
            .prepare_cached("SELECT count(*) FROM heads WHERE record_id = ?1")?
            .query_row([&id], |r| r.get(0))?,
    };
    // Not `RETURNING rowid`: SQLite buffers what RETURNING returns in an ephemeral table, and
    // its allocations (each an mlock under cipher_memory_security) cost more than this SELECT.
    tx.prepare_cached(
        "UPDATE records SET updated_at = max(updated_at, ?2), heads = ?3, deleted = ?4,
             label = CASE WHEN ?4 THEN label ELSE ?5 END
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        time_text(rev.created_at),
        heads,
        rev.deleted,
        label
    ])?;
    let rowid: i64 = tx
        .prepare_cached("SELECT rowid FROM records WHERE id = ?1")?
        .query_row([&id], |r| r.get(0))?;
    Ok(rowid)
}

/// The single head of a record that is about to be edited; a conflict must be resolved first.
pub(crate) fn single_head(conn: &Connection, record_id: Uuid) -> Result<(Uuid, RecordKind, bool)> {
    let row: Option<(String, bool)> = conn
        .query_row(
            "SELECT kind, deleted FROM records WHERE id = ?1",
            [record_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((kind, deleted)) = row else {
        return Err(Error::NotFound {
            what: "record",
            id: record_id.to_string(),
        });
    };
    let heads = heads(conn, record_id)?;
    match heads.as_slice() {
        [one] => Ok((*one, parse_kind(&kind)?, deleted)),
        [] => Err(Error::StoreDamaged(format!(
            "record {record_id} has no head revision"
        ))),
        many => Err(Error::Conflict {
            id: record_id.to_string(),
            heads: many.len(),
        }),
    }
}

/// Adds a revision written elsewhere (another device, via a bundle) after checking its hash
/// and its body. Returns `false` if it was already here (importing twice changes nothing).
/// The record's label and search text follow its newest head.
pub fn apply_foreign(tx: &Transaction<'_>, rev: &Revision) -> Result<bool> {
    let mut search = PendingIndexes::default();
    let added = apply_foreign_held(tx, rev, &mut search)?;
    search.flush(tx)?;
    Ok(added)
}

/// [`apply_foreign`], holding its search-index write in `search` (see [`PendingIndexes`]).
pub(crate) fn apply_foreign_held(
    tx: &Transaction<'_>,
    rev: &Revision,
    search: &mut PendingIndexes,
) -> Result<bool> {
    if is_known(tx, rev)? {
        return Ok(false);
    }
    check_alone(rev)?;
    apply_new(tx, rev, search)
}

/// Checks a revision written elsewhere by itself, without the store: its hash, a tombstone's
/// shape, and its body and identity against the schema (the model refuses an identity on
/// anything but a person). The bundle reader makes these checks on every line of
/// `records.jsonl`; [`apply_foreign_held`] on each revision it is given.
pub(crate) fn check_alone(rev: &Revision) -> std::result::Result<(), ValidationError> {
    if !rev.hash_is_valid() {
        return Err(ValidationError::new(
            "revision.body_hash",
            format!("revision {} does not match its hash", rev.id),
        ));
    }
    if rev.deleted != rev.body.is_none() {
        return Err(ValidationError::new(
            "revision.deleted",
            "a tombstone has no body, and only a tombstone",
        ));
    }
    if let Some(body) = &rev.body {
        let record = Record::from_value(rev.kind, body.clone())?;
        if let Some(identity) = &rev.identity {
            record.with_identity(identity.clone())?;
        }
    }
    Ok(())
}

/// [`apply_foreign_held`] for a revision the bundle reader has already checked alone
/// ([`check_alone`]), so those checks are not made twice; what needs the store (already here,
/// the record's kind) is still checked.
pub(crate) fn apply_checked_held(
    tx: &Transaction<'_>,
    rev: &Revision,
    search: &mut PendingIndexes,
) -> Result<bool> {
    if is_known(tx, rev)? {
        return Ok(false);
    }
    apply_new(tx, rev, search)
}

fn is_known(tx: &Transaction<'_>, rev: &Revision) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?1)")?
        .query_row([rev.id.to_string()], |r| r.get(0))?)
}

/// Adds a revision not yet here, whose hash and body have been checked.
fn apply_new(tx: &Transaction<'_>, rev: &Revision, search: &mut PendingIndexes) -> Result<bool> {
    let existing_kind: Option<String> = tx
        .prepare_cached("SELECT kind FROM records WHERE id = ?1")?
        .query_row([rev.record_id.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(kind) = &existing_kind {
        if kind != rev.kind.as_str() {
            return Err(ValidationError::new(
                "revision.kind",
                format!("record {} is a {kind}", rev.record_id),
            )
            .into());
        }
    }
    let first_of_record = existing_kind.is_none();
    insert_rows(tx, rev, first_of_record)?;
    // Label and search text come from the newest head, whichever revision that is (most
    // often the one just added, which is not read back).
    let newest = if first_of_record {
        Some(rev.id)
    } else {
        heads(tx, rev.record_id)?.first().copied()
    };
    let read_back;
    let head = match newest {
        Some(id) if id == rev.id => Some(rev),
        Some(id) => {
            read_back = revision(tx, id)?;
            read_back.as_ref()
        }
        None => None,
    };
    let (label, text, deleted) = match head.and_then(|h| h.body.clone().map(|b| (h.kind, b))) {
        Some((kind, body)) => {
            let record = Record::from_value(kind, body)?;
            (record.label(), Some(record.search_text()), false)
        }
        None => (String::new(), None, true),
    };
    let mut shown = rev.clone();
    shown.deleted = deleted;
    let rowid = update_record_fields(tx, &shown, &label, first_of_record.then_some(1))?;
    // The report facts follow the heads and the deleted flag just written, at the flush.
    search.push(
        tx,
        rowid,
        if deleted { None } else { text.as_deref() },
        shown.kind,
        shown.record_id,
        first_of_record,
    )?;
    Ok(true)
}

#[cfg(test)]
mod list_tests {
    use super::*;
    use crate::crypto::KdfParams;
    use crate::model::example;
    use crate::profile::{NewProfile, Profile};
    use crate::secret::Passphrase;
    use crate::store::Store;

    fn store_with_people(dir: &std::path::Path, n: usize) -> (Store, Vec<Uuid>) {
        let mut store = Profile::init(
            dir,
            &Passphrase::new("ផ្លូវ paging".into()),
            &NewProfile {
                device_name: "Laptop P".into(),
                author: Some("SW-02".into()),
                kdf: KdfParams::FOR_TESTS_ONLY,
                unencrypted_for_benchmarks: false,
            },
        )
        .unwrap();
        let ids = (0..n)
            .map(|i| {
                let mut v = example(RecordKind::Person).to_value();
                v["pseudonym"] = Value::String(format!("ស្រី {i}"));
                store
                    .add(Record::from_value(RecordKind::Person, v).unwrap())
                    .unwrap()
            })
            .collect();
        (store, ids)
    }

    fn walk(store: &Store, limit: u32) -> Vec<Uuid> {
        let mut seen = Vec::new();
        let mut after: Option<ListCursor> = None;
        loop {
            let page = store
                .list_after(RecordKind::Person, limit, after.as_ref())
                .unwrap();
            assert!(page.records.len() <= limit as usize);
            seen.extend(page.records.iter().map(|r| r.id));
            match page.next {
                Some(next) => after = Some(next),
                None => return seen,
            }
        }
    }

    #[test]
    fn cursor_pages_walk_the_same_order_as_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut ids) = store_with_people(dir.path(), 7);
        ids.reverse(); // most recently changed first
        let by_offset: Vec<Uuid> = store
            .list(RecordKind::Person, 50, 0)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(by_offset, ids);
        for limit in [1, 3, 7, 50] {
            assert_eq!(walk(&store, limit), ids, "limit {limit}");
        }
        // A full last page says there may be more; the page after it is empty.
        let page = store.list_after(RecordKind::Person, 7, None).unwrap();
        let next = page.next.expect("a full page has a cursor");
        let rest = store
            .list_after(RecordKind::Person, 7, Some(&next))
            .unwrap();
        assert!(rest.records.is_empty() && rest.next.is_none());
        assert!(store
            .list_after(RecordKind::Visit, 7, None)
            .unwrap()
            .records
            .is_empty());
    }

    #[test]
    fn a_record_changed_between_pages_moves_up_and_the_rest_stay_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut ids) = store_with_people(dir.path(), 6);
        ids.reverse();
        let first = store.list_after(RecordKind::Person, 2, None).unwrap();
        // Edit a record the reader has not reached yet, and delete another.
        let mut v = example(RecordKind::Person).to_value();
        v["pseudonym"] = Value::String("ស្រី edited".into());
        let edited = ids[4];
        store
            .edit(edited, Record::from_value(RecordKind::Person, v).unwrap())
            .unwrap();
        store.delete(ids[3]).unwrap();
        let mut rest = Vec::new();
        let mut after = first.next;
        while let Some(cursor) = after {
            let page = store
                .list_after(RecordKind::Person, 2, Some(&cursor))
                .unwrap();
            rest.extend(page.records.iter().map(|r| r.id));
            after = page.next;
        }
        // Not repeated, not skipped-over: it is now at the top of a fresh first page.
        assert_eq!(rest, vec![ids[2], ids[5]]);
        let top = store.list_after(RecordKind::Person, 1, None).unwrap();
        assert_eq!(top.records[0].id, edited);
    }

    #[test]
    fn a_cursor_round_trips_as_text_and_nonsense_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store_with_people(dir.path(), 2);
        let next = store
            .list_after(RecordKind::Person, 1, None)
            .unwrap()
            .next
            .unwrap();
        let text = next.to_string();
        assert!(text.contains('~'), "{text}");
        assert_eq!(text.parse::<ListCursor>().unwrap(), next);
        let json =
            serde_json::to_value(store.list_after(RecordKind::Person, 1, None).unwrap()).unwrap();
        assert_eq!(json["next"], Value::String(text));
        for bad in [
            "",
            "~",
            "yesterday~01a20944-3d6b-7667-9f8b-e847b7b60fd9",
            "2026-11-23T16:36:48.577361Z",
            "2026-11-23T16:36:48.577361Z~not-an-id",
        ] {
            let err = bad.parse::<ListCursor>().unwrap_err();
            assert_eq!(err.field, "cursor", "{bad:?}");
        }
    }
}
