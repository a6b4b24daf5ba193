//! A record's history as a person reads it: every revision with who wrote it (author, device),
//! when, and which fields it changed, field by field. Identity sections are never shown here;
//! only whether a revision changed one. Fields are named by JSON pointer, as in
//! [`crate::store::conflicts`], whose leaf walk this shares.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::Result;
use crate::store::conflicts::{head_summary, union_of_leaves};
use crate::store::revisions::{self, RecordView, Revision};
use crate::store::{HeadSummary, Store};

/// One field a revision changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// JSON pointer into the body, e.g. `/interviewer_notes`.
    pub path: String,
    /// Its value before (in the revision's first parent); `null` if it was absent.
    pub before: Option<Value>,
    /// Its value after; `null` if the revision removed it.
    pub after: Option<Value>,
}

/// One revision as a history shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Who (author, device), when, and whether it deletes the record.
    #[serde(flatten)]
    pub head: HeadSummary,
    /// The revisions it replaced: none at creation, two or more for a conflict's resolution.
    pub parents: Vec<Uuid>,
    /// Whether its content was purged from this profile (the office holds it).
    pub purged: bool,
    /// The fields it changed against its first parent (empty at creation, for a deletion,
    /// and where either side's content was purged).
    pub changes: Vec<FieldChange>,
    /// Whether it changed a person's protected identity section (never what it holds).
    pub identity_changed: bool,
}

/// A record as it stands (identity never included) and its history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordHistory {
    /// The record now; `heads` holds two or more revisions when it is in conflict.
    pub record: RecordView,
    /// Every revision, oldest first.
    pub revisions: Vec<HistoryEntry>,
}

/// The fields on which `before` and `after` differ, in path order.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<FieldChange> {
    union_of_leaves([before, after].into_iter())
        .into_iter()
        .filter_map(|path| {
            let (b, a) = (before.pointer(&path), after.pointer(&path));
            (b != a).then(|| FieldChange {
                path,
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

impl Store {
    /// A record as it stands and every revision of it with the fields each one changed.
    /// Identity sections are never included, so nothing here is logged as a reveal.
    pub fn record_history(&self, id: Uuid) -> Result<RecordHistory> {
        let record = revisions::view(&self.conn, id, false)?;
        let history = revisions::history(&self.conn, id)?;
        let by_id: BTreeMap<Uuid, &Revision> = history.iter().map(|r| (r.id, r)).collect();
        let mut out = Vec::with_capacity(history.len());
        for rev in &history {
            let parent = rev.parents.first().and_then(|p| by_id.get(p));
            let changes = match (parent.and_then(|p| p.body.as_ref()), rev.body.as_ref()) {
                (Some(before), Some(after)) if !rev.deleted => changed_fields(before, after),
                _ => Vec::new(),
            };
            // Purged content (either side) says nothing about what changed.
            let identity_changed = match parent {
                Some(p) => {
                    !rev.deleted
                        && rev.body.is_some()
                        && p.body.is_some()
                        && p.identity != rev.identity
                }
                None => false,
            };
            out.push(HistoryEntry {
                head: head_summary(&self.conn, &self.device, rev)?,
                parents: rev.parents.clone(),
                purged: !rev.deleted && rev.body.is_none(),
                changes,
                identity_changed,
            });
        }
        Ok(RecordHistory {
            record,
            revisions: out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_named_by_pointer_with_both_values() {
        let before =
            json!({"narrative": "a", "consent": {"interview": {"given": true}}, "tags": [1]});
        let after =
            json!({"narrative": "b", "consent": {"interview": {"given": true}}, "notes": "x"});
        let changes = changed_fields(&before, &after);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["/narrative", "/notes", "/tags"]);
        assert_eq!(changes[0].before, Some(json!("a")));
        assert_eq!(changes[0].after, Some(json!("b")));
        assert_eq!(changes[1].before, None);
        assert_eq!(changes[2].after, None);
        assert!(changed_fields(&before, &before).is_empty());
    }

    #[test]
    fn a_history_names_who_and_what_changed_and_never_the_identity() {
        use crate::model::{example, Record, RecordKind};
        let (_dir, mut store) = crate::store::tests::temp_store("Laptop A");
        let mut v = example(RecordKind::Person).to_value();
        v["identity"]["legal_name"] = json!("LEGALNAME-MARKER");
        let id = store
            .add(Record::from_value(RecordKind::Person, v.clone()).unwrap())
            .unwrap();
        v["pseudonym"] = json!("Renamed-2");
        v["identity"]["legal_name"] = json!("OTHER-MARKER");
        store
            .edit(id, Record::from_value(RecordKind::Person, v).unwrap())
            .unwrap();
        let entries_before = store.audit_entries().unwrap().len();
        let h = store.record_history(id).unwrap();
        assert_eq!(
            store.audit_entries().unwrap().len(),
            entries_before,
            "no reveal logged"
        );
        assert_eq!(h.record.label, "Renamed-2");
        assert!(h.record.has_identity && !h.record.in_conflict());
        assert_eq!(h.revisions.len(), 2);
        let (first, second) = (&h.revisions[0], &h.revisions[1]);
        assert!(first.parents.is_empty() && first.changes.is_empty() && !first.identity_changed);
        assert_eq!(second.head.device_name.as_deref(), Some("Laptop A"));
        assert_eq!(second.head.author, "INV-05");
        assert!(second.identity_changed);
        let paths: Vec<&str> = second.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["/pseudonym"]);
        let text = serde_json::to_string(&h).unwrap();
        assert!(
            !text.contains("MARKER"),
            "identity never in a history: {text}"
        );
    }
}
