//! Drafts: records still being written, e.g. an interview in progress.
//!
//! A draft holds partial, unvalidated JSON so that nothing typed is lost when
//! the laptop dies mid-sentence. Drafts live only in the `drafts` table of
//! the encrypted store: they are never exported, never searched, and have no
//! revisions or audit entries. [`Store::commit_draft`] validates the body,
//! writes it as a new record (or an edit of `record_id`) through the same
//! paths as [`Store::add`] and [`Store::edit`], and deletes the draft, all in
//! one transaction.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::revisions::time_text;
use super::{add_in, edit_in, Store};
use crate::error::{Error, Result, ValidationError};
use crate::model::{Record, RecordKind};

/// A draft as lists show it: never its body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftSummary {
    /// The draft's id (not the record's).
    pub id: Uuid,
    /// The kind of record being written.
    pub kind: RecordKind,
    /// The record this draft edits, or `None` for a new record.
    pub record_id: Option<Uuid>,
    /// The person the draft is about (an interview's `person_id`), if any.
    pub person_id: Option<Uuid>,
    /// That person's pseudonym, if the person exists.
    pub person_pseudonym: Option<String>,
    /// When it was last saved (RFC 3339, UTC).
    pub saved_at: String,
}

/// A draft with its body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    /// What lists show.
    #[serde(flatten)]
    pub summary: DraftSummary,
    /// The partial record body, as last saved.
    pub body: Value,
}

/// An earlier interview of a person, for the "earlier statements" panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EarlierStatement {
    /// The interview's record id.
    pub id: Uuid,
    /// When it started.
    pub started_at: String,
    /// The person's account in their own words.
    pub narrative: String,
}

fn not_found(id: Uuid) -> Error {
    Error::NotFound {
        what: "draft",
        id: id.to_string(),
    }
}

fn person_of(body: &Value) -> Option<Uuid> {
    body.get("person_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn pseudonym(conn: &Connection, person: Uuid) -> Result<Option<String>> {
    let body: Option<String> = conn
        .query_row(
            "SELECT v.body FROM heads h JOIN revisions v ON v.id = h.revision_id
             JOIN records r ON r.id = h.record_id
             WHERE h.record_id = ?1 AND r.kind = 'person' AND r.deleted = 0 LIMIT 1",
            [person.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(body
        .and_then(|b| serde_json::from_str::<Value>(&b).ok())
        .and_then(|b| b.get("pseudonym").and_then(Value::as_str).map(String::from)))
}

type DraftRow = (String, String, Option<String>, String, String);

fn parse_row(conn: &Connection, row: DraftRow) -> Result<Draft> {
    let (id, kind, record_id, body, saved_at) = row;
    let damaged = |what: &str| Error::StoreDamaged(format!("draft {id}: {what}"));
    let body: Value = serde_json::from_str(&body).map_err(|_| damaged("body is not JSON"))?;
    let person_id = person_of(&body);
    let person_pseudonym = match person_id {
        Some(p) => pseudonym(conn, p)?,
        None => None,
    };
    Ok(Draft {
        summary: DraftSummary {
            id: Uuid::parse_str(&id).map_err(|_| damaged("id"))?,
            kind: kind.parse().map_err(|_| damaged("kind"))?,
            record_id: record_id
                .map(|r| Uuid::parse_str(&r))
                .transpose()
                .map_err(|_| damaged("record id"))?,
            person_id,
            person_pseudonym,
            saved_at,
        },
        body,
    })
}

const COLUMNS: &str = "id, kind, record_id, body, saved_at";

fn load(conn: &Connection, id: Uuid) -> Result<Draft> {
    let row: Option<DraftRow> = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1"),
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    parse_row(conn, row.ok_or_else(|| not_found(id))?)
}

/// Deletes the drafts that edit `record_id`, for a purge that has just left the record a stub:
/// a draft started from a record holds a copy of its text, which must not outlive it on this
/// laptop. Returns how many were deleted.
pub(crate) fn discard_drafts_of(conn: &Connection, record_id: &str) -> Result<u64> {
    let n = conn.execute("DELETE FROM drafts WHERE record_id = ?1", [record_id])?;
    Ok(n as u64)
}

impl Store {
    /// Saves a draft: a new one when `id` is `None`, else replaces draft `id`'s body
    /// (which must exist and be of the same kind). `body` need not be valid yet, but must
    /// be a JSON object. `record_id` names the record the draft will edit (`None`: a new
    /// record); it is fixed when the draft is created.
    pub fn save_draft(
        &mut self,
        id: Option<Uuid>,
        kind: RecordKind,
        record_id: Option<Uuid>,
        body: &Value,
    ) -> Result<DraftSummary> {
        if !body.is_object() {
            return Err(ValidationError::new(
                kind.as_str(),
                format!("a {kind} draft must be a JSON object"),
            )
            .into());
        }
        crate::model::limits::check_size(kind.as_str(), body)?;
        let text = serde_json::to_string(body).map_err(|e| Error::Sqlite(e.to_string()))?;
        let saved_at = time_text(Utc::now());
        let person = person_of(body).map(|p| p.to_string());
        let tx = self.conn.transaction()?;
        let id = match id {
            None => {
                let id = Uuid::now_v7();
                tx.execute(
                    "INSERT INTO drafts (id, kind, record_id, person_id, body, saved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    rusqlite::params![
                        id.to_string(),
                        kind.as_str(),
                        record_id.map(|r| r.to_string()),
                        person,
                        text,
                        saved_at
                    ],
                )?;
                id
            }
            Some(id) => {
                let existing = load(&tx, id)?;
                if existing.summary.kind != kind {
                    return Err(ValidationError::new(
                        "kind",
                        format!("draft {id} is a {}, not a {kind}", existing.summary.kind),
                    )
                    .into());
                }
                tx.execute(
                    "UPDATE drafts SET person_id = ?2, body = ?3, saved_at = ?4 WHERE id = ?1",
                    rusqlite::params![id.to_string(), person, text, saved_at],
                )?;
                id
            }
        };
        let summary = load(&tx, id)?.summary;
        tx.commit()?;
        Ok(summary)
    }

    /// Every draft, most recently saved first.
    pub fn drafts(&self) -> Result<Vec<DraftSummary>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM drafts ORDER BY saved_at DESC, id DESC"
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<Vec<DraftRow>>>()?;
        rows.into_iter()
            .map(|row| parse_row(&self.conn, row).map(|d| d.summary))
            .collect()
    }

    /// One draft with its body.
    pub fn draft(&self, id: Uuid) -> Result<Draft> {
        load(&self.conn, id)
    }

    /// Throws a draft away. Nothing else changes.
    pub fn discard_draft(&mut self, id: Uuid) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM drafts WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }

    /// Validates the draft and writes it as a record (a new one, or an edit of the record it
    /// was started from), then deletes the draft, in one transaction. Returns the record's
    /// id. If the body is not valid, nothing changes and the draft is kept.
    pub fn commit_draft(&mut self, id: Uuid) -> Result<Uuid> {
        let writer = self.writer();
        let tx = self.conn.transaction()?;
        let draft = load(&tx, id)?;
        let record = Record::from_value(draft.summary.kind, draft.body)?;
        let record_id = match draft.summary.record_id {
            None => add_in(&tx, &writer, record)?,
            Some(record_id) => {
                edit_in(&tx, &writer, record_id, record, false)?;
                record_id
            }
        };
        tx.execute("DELETE FROM drafts WHERE id = ?1", [id.to_string()])?;
        tx.commit()?;
        Ok(record_id)
    }

    /// The person's interviews (live ones), newest first, with their narratives.
    pub fn earlier_statements(&self, person_id: Uuid) -> Result<Vec<EarlierStatement>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, v.body FROM records r
             JOIN heads h ON h.record_id = r.id JOIN revisions v ON v.id = h.revision_id
             WHERE r.kind = 'interview' AND r.deleted = 0 AND v.body IS NOT NULL",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (id, body) in rows {
            let body: Value = serde_json::from_str(&body)
                .map_err(|_| Error::StoreDamaged(format!("interview {id}: body is not JSON")))?;
            if person_of(&body) != Some(person_id) {
                continue;
            }
            let text = |k: &str| super::text_field(&body, k);
            out.push(EarlierStatement {
                id: Uuid::parse_str(&id).map_err(|e| Error::StoreDamaged(e.to_string()))?,
                started_at: text("started_at"),
                narrative: text("narrative"),
            });
        }
        out.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::crypto::KdfParams;
    use crate::model::example;
    use crate::profile::{NewProfile, Profile};
    use crate::secret::Passphrase;

    fn new_store(dir: &std::path::Path) -> Store {
        Profile::init(
            dir,
            &Passphrase::new("ទឹកភ្លៀង rain on the roof".into()),
            &NewProfile {
                device_name: "Laptop A".into(),
                author: Some("SW-02".into()),
                kdf: KdfParams::FOR_TESTS_ONLY,
                unencrypted_for_benchmarks: false,
            },
        )
        .unwrap()
    }

    fn person(store: &mut Store, pseudonym: &str) -> Uuid {
        let body = json!({"pseudonym": pseudonym, "role": "survivor"});
        store
            .add(Record::from_value(RecordKind::Person, body).unwrap())
            .unwrap()
    }

    /// A complete interview body about `person` (from the Khmer example).
    fn interview(person: Uuid, narrative: &str) -> Value {
        let mut v = example(RecordKind::Interview).to_value();
        v["person_id"] = json!(person);
        v["narrative"] = json!(narrative);
        v.as_object_mut().unwrap().remove("establishments_named");
        v
    }

    #[test]
    fn a_draft_is_saved_listed_loaded_and_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(dir.path());
        let p = person(&mut store, "ផ្កាឈូក");
        let partial = json!({"person_id": p, "narrative": "ខ្ញុំត្រូវបានគេ"});
        let s = store
            .save_draft(None, RecordKind::Interview, None, &partial)
            .unwrap();
        assert_eq!(s.person_pseudonym.as_deref(), Some("ផ្កាឈូក"));
        assert_eq!(store.drafts().unwrap(), vec![s.clone()]);

        let more = json!({"person_id": p, "narrative": "ខ្ញុំត្រូវបានគេបោកបញ្ឆោត"});
        let s2 = store
            .save_draft(Some(s.id), RecordKind::Interview, None, &more)
            .unwrap();
        assert_eq!(s2.id, s.id);
        let d = store.draft(s.id).unwrap();
        assert_eq!(d.body, more);
        assert_eq!(store.drafts().unwrap().len(), 1);

        // Drafts are neither records nor searchable.
        assert!(store.search("បោកបញ្ឆោត", 10, 0).unwrap().is_empty());
        let interviews = store.counts().unwrap();
        assert!(interviews.contains(&(RecordKind::Interview, 0)));

        store.discard_draft(s.id).unwrap();
        assert!(store.drafts().unwrap().is_empty());
        assert!(matches!(store.draft(s.id), Err(Error::NotFound { .. })));
        assert!(matches!(
            store.discard_draft(s.id),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn saving_refuses_unknown_drafts_other_kinds_and_non_objects() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(dir.path());
        let body = json!({});
        assert!(matches!(
            store.save_draft(Some(Uuid::now_v7()), RecordKind::Interview, None, &body),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            store.save_draft(None, RecordKind::Interview, None, &json!("text")),
            Err(Error::Invalid(_))
        ));
        let s = store
            .save_draft(None, RecordKind::Interview, None, &body)
            .unwrap();
        assert!(matches!(
            store.save_draft(Some(s.id), RecordKind::Visit, None, &body),
            Err(Error::Invalid(_))
        ));
        assert_eq!(s.person_pseudonym, None);
    }

    #[test]
    fn commit_validates_then_writes_the_record_and_drops_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(dir.path());
        let p = person(&mut store, "Sreymom-07");
        let mut body = interview(p, "ខ្ញុំធ្វើការនៅរោងចក្រ");
        body["consent"]["interview"]["given"] = json!(false);
        let s = store
            .save_draft(None, RecordKind::Interview, None, &body)
            .unwrap();
        match store.commit_draft(s.id) {
            Err(Error::Invalid(e)) => assert_eq!(e.field, "interview.consent.interview"),
            other => panic!("expected Invalid, got {other:?}"),
        }
        assert_eq!(store.drafts().unwrap().len(), 1, "an invalid draft is kept");

        let body = interview(p, "ខ្ញុំធ្វើការនៅរោងចក្រ");
        store
            .save_draft(Some(s.id), RecordKind::Interview, None, &body)
            .unwrap();
        let id = store.commit_draft(s.id).unwrap();
        assert!(store.drafts().unwrap().is_empty());
        let view = store.show(id, false).unwrap();
        assert_eq!(view.body.unwrap()["narrative"], "ខ្ញុំធ្វើការនៅរោងចក្រ");
        assert_eq!(store.search("រោងចក្រ", 10, 0).unwrap().len(), 1);
        assert_eq!(
            store.earlier_statements(p).unwrap(),
            vec![EarlierStatement {
                id,
                started_at: body["started_at"].as_str().unwrap().into(),
                narrative: "ខ្ញុំធ្វើការនៅរោងចក្រ".into(),
            }]
        );
        assert!(store.earlier_statements(Uuid::now_v7()).unwrap().is_empty());

        // A draft started from the record commits as an edit.
        let mut edited = body.clone();
        edited["interviewer_notes"] = json!("calm, asked for a break once");
        let s = store
            .save_draft(None, RecordKind::Interview, Some(id), &edited)
            .unwrap();
        assert_eq!(store.commit_draft(s.id).unwrap(), id);
        assert_eq!(store.history(id, false).unwrap().len(), 2);
    }

    #[test]
    fn a_minor_without_guardian_is_not_committed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_store(dir.path());
        let p = person(&mut store, "Dara-3");
        let mut body = interview(p, "");
        body["interviewee_minor"] = json!(true);
        body["people_present"] = json!([{"role": "interviewer", "name_or_code": "SW-02"}]);
        let s = store
            .save_draft(None, RecordKind::Interview, None, &body)
            .unwrap();
        match store.commit_draft(s.id) {
            Err(Error::Invalid(e)) => assert_eq!(e.field, "interview.people_present"),
            other => panic!("expected Invalid, got {other:?}"),
        }
        assert!(store
            .counts()
            .unwrap()
            .contains(&(RecordKind::Interview, 0)));
        assert_eq!(store.drafts().unwrap().len(), 1);
    }

    #[test]
    fn a_purge_deletes_the_drafts_that_edit_the_records_it_purges() {
        use crate::bundle::{ExportOptions, Progress};
        use crate::store::tests::{link_field_to_office, temp_store};
        let (dir, mut field) = temp_store("Field laptop 3");
        let (odir, mut office) = temp_store("Office");
        link_field_to_office(&mut field, &mut office);
        field
            .trust_add(&office.device().signing_public_key.clone(), "office")
            .unwrap();
        let sent = person(&mut field, "ស្រីមុំ");
        let out = dir.path().join("1.fcb");
        let bundle = field
            .export_bundle(&out, ExportOptions::default(), &mut |_: Progress| {})
            .unwrap();
        office.import_bundle(&out, &mut |_: Progress| {}).unwrap();
        let receipt = odir.path().join("1.json");
        office.write_receipt(bundle.bundle_id, &receipt).unwrap();
        field.import_receipt(&receipt).unwrap();
        let unsent = person(&mut field, "ផ្កាឈូក");

        let edit = |id, pseudonym| json!({"pseudonym": pseudonym, "role": "survivor", "notes": id});
        let of_sent = field
            .save_draft(None, RecordKind::Person, Some(sent), &edit(sent, "ស្រីមុំ ថ្មី"))
            .unwrap();
        let of_unsent = field
            .save_draft(None, RecordKind::Person, Some(unsent), &edit(unsent, "ផ្កា"))
            .unwrap();
        let new = field
            .save_draft(None, RecordKind::Interview, None, &interview(unsent, "ខ្ញុំ"))
            .unwrap();

        let purged = field.purge_acknowledged().unwrap();
        assert_eq!((purged.records, purged.drafts), (1, 1));
        let left: Vec<Uuid> = field.drafts().unwrap().iter().map(|d| d.id).collect();
        assert!(
            !left.contains(&of_sent.id),
            "the purged record's draft is gone"
        );
        assert!(left.contains(&of_unsent.id) && left.contains(&new.id));
        assert!(matches!(
            field.draft(of_sent.id),
            Err(Error::NotFound { .. })
        ));
        let logged = field.audit_entries().unwrap();
        let entry = logged
            .iter()
            .rfind(|e| e.action == "records_purged")
            .unwrap();
        assert_eq!(entry.detail["drafts"], 1);
    }
}
