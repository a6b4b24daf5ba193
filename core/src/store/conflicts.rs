//! Conflicts: records edited apart on two devices, so that they have two or more heads.
//!
//! Both versions are kept and shown until a person resolves the conflict with a revision whose
//! parents are all the heads: either one version taken whole, or a merged record. A merged
//! record that would drop a value present in every version is refused, naming those fields,
//! unless the person confirms dropping each one ([`Error::ResolutionDrops`]).
//!
//! Fields are named by JSON pointer (RFC 6901) into the record body, e.g. `/name` or
//! `/location/city`. Objects are compared field by field; arrays and other values whole.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{Error, Result, ValidationError};
use crate::model::{Record, RecordKind};
use crate::store::revisions::{self, Revision};
use crate::store::{edit_in_noted, links, Device, Store};

/// A record in conflict, as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictSummary {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: RecordKind,
    /// What a list shows for it (never identity).
    pub label: String,
    /// When it last changed.
    pub updated_at: String,
    /// Its heads (the versions in conflict), newest first.
    pub heads: Vec<HeadSummary>,
}

/// One version in conflict: who wrote it, where and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadSummary {
    /// The head revision's id (what `--take` names).
    pub revision: Uuid,
    /// The device that wrote it.
    pub device_id: Uuid,
    /// That device's name: this profile's own, or the name the office trusts its key under.
    pub device_name: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// When it was written (UTC, RFC 3339).
    pub created_at: String,
    /// Whether this version deletes the record.
    pub deleted: bool,
}

/// One version in conflict, with its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictHead {
    /// Who, where, when.
    #[serde(flatten)]
    pub head: HeadSummary,
    /// The revisions it replaced.
    pub parents: Vec<Uuid>,
    /// Its body (never the identity section); `null` for a deletion or purged content.
    pub body: Option<Value>,
    /// Whether its content was purged from this profile (the office holds it).
    pub purged: bool,
}

/// A field on which the versions disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDifference {
    /// JSON pointer into the body, e.g. `/location/city`.
    pub path: String,
    /// Its value in each version, in the order of [`ConflictView::heads`]; `null` where that
    /// version does not have it.
    pub values: Vec<Option<Value>>,
    /// Its value in the last version both sides share, if that is known (`null` if absent
    /// there): the side whose value differs from it changed the field.
    pub ancestor: Option<Value>,
}

/// A record in conflict, its versions side by side, and the fields on which they differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictView {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: RecordKind,
    /// What a list shows for it.
    pub label: String,
    /// The versions, newest first.
    pub heads: Vec<ConflictHead>,
    /// The newest revision every version descends from, if any.
    pub common_ancestor: Option<Uuid>,
    /// The fields on which the versions differ, in path order.
    pub differences: Vec<FieldDifference>,
    /// Whether a person's protected identity sections differ between the versions (their
    /// content is never shown here; a merged record without one keeps the newest version's).
    pub identity_differs: bool,
}

/// How to resolve a conflict.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Take one version (a head revision) whole, identity section included; taking a deletion
    /// deletes the record.
    Take(Uuid),
    /// A merged record body, as it should now be: validated as a record of the conflicted
    /// record's own kind. Without an identity section, a person keeps the newest version's.
    Merged(Value),
}

/// What a resolution wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// The record.
    pub id: Uuid,
    /// The new revision, whose parents are all the versions that were in conflict.
    pub revision: Uuid,
    /// Those versions.
    pub parents: Vec<Uuid>,
    /// The version taken whole, if one was.
    pub taken: Option<Uuid>,
    /// Whether the record is now deleted.
    pub deleted: bool,
    /// Fields present in every version that the resolution dropped, as confirmed.
    pub dropped: Vec<String>,
}

/// RFC 6901 escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The pointer of every leaf of `value` (objects are walked; arrays and scalars are leaves; an
/// empty object is a leaf).
fn leaves(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                leaves(v, &format!("{path}/{}", escape(k)), out);
            }
        }
        _ => {
            if !path.is_empty() {
                out.insert(path.to_string());
            }
        }
    }
}

/// Leaves of all these values, without any path that is a parent of another one.
pub(crate) fn union_of_leaves<'a>(values: impl Iterator<Item = &'a Value>) -> Vec<String> {
    let mut all = BTreeSet::new();
    for v in values {
        leaves(v, "", &mut all);
    }
    all.iter()
        .filter(|p| {
            let below = format!("{p}/");
            !all.iter().any(|q| q.starts_with(&below))
        })
        .cloned()
        .collect()
}

/// Whether a value holds nothing: absent, null, "", [] or {}.
fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// The fields of `merged` that drop a value every one of `versions` holds: a field present
/// (not empty) in each version and empty or absent in `merged`, or a list from which
/// `merged` leaves out an item every version lists. Needs two versions or more; one version
/// (or none: all deletions) is nothing to drop from "both sides".
pub fn dropped_fields(versions: &[&Value], merged: &Value) -> Vec<String> {
    if versions.len() < 2 {
        return Vec::new();
    }
    let mut dropped = Vec::new();
    for path in union_of_leaves(versions.iter().copied()) {
        let held: Vec<Option<&Value>> = versions.iter().map(|v| v.pointer(&path)).collect();
        if held.iter().any(|v| is_empty(*v)) {
            continue;
        }
        let now = merged.pointer(&path);
        if is_empty(now) {
            dropped.push(path);
            continue;
        }
        if let (Some(Value::Array(kept)), Some(Some(Value::Array(first)))) = (now, held.first()) {
            let everywhere = first.iter().filter(|item| {
                held.iter()
                    .all(|v| matches!(v, Some(Value::Array(a)) if a.contains(item)))
            });
            if everywhere.into_iter().any(|item| !kept.contains(item)) {
                dropped.push(path);
            }
        }
    }
    dropped
}

/// A field name as typed (`/location/city`, `location/city` or `location.city`) as a pointer.
fn as_pointer(field: &str) -> String {
    let field = field.trim();
    if field.starts_with('/') {
        field.to_string()
    } else {
        format!("/{}", field.replace('.', "/"))
    }
}

/// Whether `path` is confirmed by one of `confirmed` (the field itself or one that holds it).
fn is_confirmed(path: &str, confirmed: &[String]) -> bool {
    confirmed
        .iter()
        .any(|c| path == c || path.starts_with(&format!("{c}/")))
}

fn device_name(conn: &Connection, me: &Device, device_id: Uuid) -> Result<Option<String>> {
    if device_id == me.id {
        return Ok(Some(me.name.clone()));
    }
    Ok(conn
        .prepare_cached(
            "SELECT t.name FROM bundles_in b JOIN trusted_keys t ON t.public_key = b.device_key
             WHERE b.device_id = ?1 ORDER BY b.imported_at DESC LIMIT 1",
        )?
        .query_row([device_id.to_string()], |r| r.get(0))
        .optional()?)
}

pub(crate) fn head_summary(conn: &Connection, me: &Device, rev: &Revision) -> Result<HeadSummary> {
    Ok(HeadSummary {
        revision: rev.id,
        device_id: rev.device_id,
        device_name: device_name(conn, me, rev.device_id)?,
        author: rev.author.clone(),
        created_at: revisions::time_text(rev.created_at),
        deleted: rev.deleted,
    })
}

/// The head revisions of a record, newest first.
fn head_revisions(conn: &Connection, id: Uuid) -> Result<Vec<Revision>> {
    revisions::heads(conn, id)?
        .into_iter()
        .map(|h| {
            revisions::revision(conn, h)?
                .ok_or_else(|| Error::StoreDamaged(format!("head {h} of {id} is missing")))
        })
        .collect()
}

/// The newest revision in `history` (oldest first) that every one of `heads` descends from.
fn common_ancestor(history: &[Revision], heads: &[Uuid]) -> Option<Uuid> {
    let parents: BTreeMap<Uuid, &[Uuid]> = history
        .iter()
        .map(|r| (r.id, r.parents.as_slice()))
        .collect();
    let ancestry = |head: Uuid| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![head];
        while let Some(r) = todo.pop() {
            if seen.insert(r) {
                todo.extend(parents.get(&r).copied().unwrap_or_default());
            }
        }
        seen
    };
    let sets: Vec<BTreeSet<Uuid>> = heads.iter().map(|h| ancestry(*h)).collect();
    history
        .iter()
        .rev()
        .map(|r| r.id)
        .find(|id| sets.iter().all(|s| s.contains(id)))
}

fn not_in_conflict(id: Uuid) -> Error {
    ValidationError::new(
        "id",
        format!("record {id} is not in conflict (it has one version); edit it instead"),
    )
    .into()
}

impl Store {
    /// Every record with two or more heads, most recently changed first.
    pub fn conflicts(&self) -> Result<Vec<ConflictSummary>> {
        let rows: Vec<(String, String, String, String)> = self
            .conn
            .prepare(
                "SELECT id, kind, label, updated_at FROM records WHERE heads > 1
                 ORDER BY updated_at DESC, id DESC",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, label, updated_at) in rows {
            let id = Uuid::parse_str(&id)
                .map_err(|e| Error::StoreDamaged(format!("bad record id {id:?}: {e}")))?;
            let heads = head_revisions(&self.conn, id)?
                .iter()
                .map(|r| head_summary(&self.conn, &self.device, r))
                .collect::<Result<_>>()?;
            out.push(ConflictSummary {
                id,
                kind: kind
                    .parse()
                    .map_err(|_| Error::StoreDamaged(format!("unknown record kind {kind:?}")))?,
                label,
                updated_at,
                heads,
            });
        }
        Ok(out)
    }

    /// One record in conflict: its versions side by side and the fields on which they differ.
    /// Identity sections are never shown; only whether they differ. Refused for a record with
    /// one version.
    pub fn conflict(&self, id: Uuid) -> Result<ConflictView> {
        let view = revisions::view(&self.conn, id, false)?;
        let heads = head_revisions(&self.conn, id)?;
        if heads.len() < 2 {
            return Err(not_in_conflict(id));
        }
        let history = revisions::history(&self.conn, id)?;
        let ids: Vec<Uuid> = heads.iter().map(|h| h.id).collect();
        let common = common_ancestor(&history, &ids);
        let ancestor_body = common
            .and_then(|c| history.iter().find(|r| r.id == c))
            .and_then(|r| r.body.clone());
        let empty = Value::Object(Default::default());
        let bodies: Vec<&Value> = heads
            .iter()
            .map(|h| h.body.as_ref().unwrap_or(&empty))
            .collect();
        let differences = union_of_leaves(bodies.iter().copied())
            .into_iter()
            .filter_map(|path| {
                let values: Vec<Option<Value>> = heads
                    .iter()
                    .map(|h| h.body.as_ref().and_then(|b| b.pointer(&path)).cloned())
                    .collect();
                if values.iter().all(|v| *v == values[0]) {
                    return None;
                }
                let ancestor = ancestor_body
                    .as_ref()
                    .and_then(|b| b.pointer(&path))
                    .cloned();
                Some(FieldDifference {
                    path,
                    values,
                    ancestor,
                })
            })
            .collect();
        let live: Vec<&Revision> = heads.iter().filter(|h| !h.deleted).collect();
        let identity_differs = live.windows(2).any(|w| w[0].identity != w[1].identity);
        let heads = heads
            .iter()
            .map(|h| {
                Ok(ConflictHead {
                    head: head_summary(&self.conn, &self.device, h)?,
                    parents: h.parents.clone(),
                    body: h.body.clone(),
                    purged: !h.deleted && h.body.is_none(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(ConflictView {
            id,
            kind: view.kind,
            label: view.label,
            heads,
            common_ancestor: common,
            differences,
            identity_differs,
        })
    }

    /// Resolves a conflict with a revision whose parents are all the record's heads, logged as
    /// `conflict_resolved`. A merged record that drops a value every version holds is refused
    /// with [`Error::ResolutionDrops`] naming the fields, unless each is in `confirmed_drops`
    /// (a field confirms itself and every field inside it). Refused for a record with one
    /// version, and for `Take` of a revision that is not one of the heads.
    pub fn resolve_conflict(
        &mut self,
        id: Uuid,
        resolution: Resolution,
        confirmed_drops: &[String],
    ) -> Result<Resolved> {
        let writer = self.writer();
        let confirmed: Vec<String> = confirmed_drops.iter().map(|f| as_pointer(f)).collect();
        let tx = self.conn.transaction()?;
        let heads = head_revisions(&tx, id)?;
        match heads.len() {
            0 => {
                return Err(Error::NotFound {
                    what: "record",
                    id: id.to_string(),
                })
            }
            1 => return Err(not_in_conflict(id)),
            _ => {}
        }
        let parents: Vec<Uuid> = heads.iter().map(|h| h.id).collect();
        let (record, taken) = match resolution {
            Resolution::Take(revision) => {
                let Some(head) = heads.iter().find(|h| h.id == revision) else {
                    let list: Vec<String> = parents.iter().map(Uuid::to_string).collect();
                    return Err(ValidationError::new(
                        "take",
                        format!(
                            "revision {revision} is not one of the versions of {id} in conflict ({})",
                            list.join(", ")
                        ),
                    )
                    .into());
                };
                if head.deleted {
                    let rev = take_deletion(&tx, &writer, id, parents.clone(), revision)?;
                    tx.commit()?;
                    return Ok(Resolved {
                        id,
                        revision: rev.id,
                        parents,
                        taken: Some(revision),
                        deleted: true,
                        dropped: Vec::new(),
                    });
                }
                let body = head.body.clone().ok_or_else(|| {
                    Error::from(ValidationError::new(
                        "take",
                        format!("the content of revision {revision} was purged from this profile; resolve this conflict where it is held"),
                    ))
                })?;
                let mut record = Record::from_value(head.kind, body)?;
                if let Some(identity) = head.identity.clone() {
                    record = record.with_identity(identity)?;
                }
                (record, Some(revision))
            }
            Resolution::Merged(body) => (Record::from_value(heads[0].kind, body)?, None),
        };
        // What every version holds, compared with what the resolution keeps. Identity sections
        // count only when the resolution carries one (otherwise the newest version's is kept).
        let merged = record.to_value();
        let with_identity = merged.get("identity").is_some();
        let versions: Vec<Value> = heads
            .iter()
            .filter_map(|h| {
                let mut body = h.body.clone()?;
                if let (true, Some(identity), Value::Object(map)) =
                    (with_identity, h.identity.clone(), &mut body)
                {
                    map.insert("identity".into(), identity);
                }
                Some(body)
            })
            .collect();
        let refs: Vec<&Value> = versions.iter().collect();
        let dropped = dropped_fields(&refs, &merged);
        let unconfirmed: Vec<String> = dropped
            .iter()
            .filter(|p| !is_confirmed(p, &confirmed))
            .cloned()
            .collect();
        if !unconfirmed.is_empty() {
            return Err(Error::ResolutionDrops {
                id: id.to_string(),
                fields: unconfirmed,
            });
        }
        let note = json!({"taken": taken, "dropped": dropped});
        let rev = edit_in_noted(&tx, &writer, id, record, true, note)?;
        tx.commit()?;
        Ok(Resolved {
            id,
            revision: rev.id,
            parents: rev.parents,
            taken,
            deleted: false,
            dropped,
        })
    }
}

/// Resolves by taking a deletion: a tombstone with every head as parent, refused (as a delete
/// is) while live records link to this one.
fn take_deletion(
    tx: &Transaction<'_>,
    writer: &revisions::Writer,
    id: Uuid,
    parents: Vec<Uuid>,
    taken: Uuid,
) -> Result<Revision> {
    let (by, more) = links::linking_records(tx, id)?;
    if !by.is_empty() {
        return Err(Error::Linked {
            id: id.to_string(),
            by,
            more,
        });
    }
    revisions::write_local_noted(
        tx,
        writer,
        id,
        parents,
        None,
        json!({"taken": taken, "dropped": []}),
    )
}

#[cfg(test)]
mod tests;
