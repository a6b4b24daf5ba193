//! Conflicts made the way imports make them (a revision written elsewhere on top of an older
//! one), listed, shown field by field, and resolved.

use serde_json::{json, Value};
use uuid::Uuid;

use super::*;
use crate::model::example;
use crate::store::tests::temp_store;

/// The example person with `changes` merged over it (a null removes a field), no identity.
fn person(changes: Value) -> Value {
    let mut v = example(RecordKind::Person).to_value();
    v.as_object_mut().unwrap().remove("identity");
    for (k, x) in changes.as_object().unwrap() {
        if x.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = x.clone();
        }
    }
    v
}

fn record(v: Value) -> Record {
    Record::from_value(RecordKind::Person, v).unwrap()
}

/// A revision written on laptop B on top of `parent`.
fn theirs(record_id: Uuid, parent: Uuid, body: Option<Value>, identity: Option<Value>) -> Revision {
    let mut rev = Revision {
        id: Uuid::now_v7(),
        record_id,
        kind: RecordKind::Person,
        parents: vec![parent],
        device_id: Uuid::now_v7(),
        author: "INV-09".into(),
        created_at: chrono::Utc::now(),
        deleted: body.is_none(),
        body,
        identity,
        body_hash: String::new(),
    };
    rev.body_hash = rev.compute_hash();
    rev
}

/// A person edited here (pseudonym, age note) and on laptop B (pseudonym, nationality):
/// returns the store, the record, our head and theirs.
fn conflicted() -> (tempfile::TempDir, Store, Uuid, Revision, Revision) {
    let (dir, mut store) = temp_store("Office");
    let id = store
        .add(record(person(
            json!({"pseudonym": "ផ្កាឈូក", "case_code": "PP-2026-0142-S1"}),
        )))
        .unwrap();
    let first = store.show(id, false).unwrap().heads[0];
    let ours = store
        .edit(
            id,
            record(person(
                json!({"pseudonym": "ផ្កាឈូក (office)", "case_code": "PP-2026-0142-S1",
                                 "age": {"years": 17, "basis": "documented", "note": "លិខិតកំណើត"}}),
            )),
        )
        .unwrap();
    let b = theirs(
        id,
        first,
        Some(person(
            json!({"pseudonym": "ផ្កាឈូក (laptop B)", "case_code": "PP-2026-0142-S1",
                            "nationality": "VN"}),
        )),
        None,
    );
    assert_eq!(store.apply_foreign(std::slice::from_ref(&b)).unwrap(), 1);
    (dir, store, id, ours, b)
}

fn actions(store: &Store) -> Vec<String> {
    store
        .audit_entries()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[test]
fn dropped_fields_are_those_every_version_holds_and_the_merge_leaves_empty() {
    let a = json!({"name": "A", "aliases": ["Mama Sok", "ម៉ាក់សុខ"], "location": {"city": "Poipet", "commune": "x"}, "notes": "a"});
    let b = json!({"name": "B", "aliases": ["ម៉ាក់សុខ", "Sok"], "location": {"city": "Poipet"}});
    // Keeps something of each: nothing dropped (notes is only on one side).
    let kept = json!({"name": "A", "aliases": ["ម៉ាក់សុខ"], "location": {"city": "Siem Reap"}});
    assert_eq!(dropped_fields(&[&a, &b], &kept), Vec::<String>::new());
    // A field absent, a nested one emptied, a list missing an item both list.
    let lossy = json!({"aliases": ["Mama Sok", "Sok"], "location": {"city": ""}});
    assert_eq!(
        dropped_fields(&[&a, &b], &lossy),
        vec!["/aliases", "/location/city", "/name"]
    );
    // One version (the other a deletion) has no "both sides".
    assert!(dropped_fields(&[&a], &json!({})).is_empty());
    // Pointer escaping.
    let c = json!({"a/b": {"~x": 1}});
    assert_eq!(dropped_fields(&[&c, &c], &json!({})), vec!["/a~1b/~0x"]);
    assert!(is_confirmed("/location/city", &[as_pointer("location")]));
    assert!(is_confirmed(
        "/location/city",
        &[as_pointer("location.city")]
    ));
    assert!(!is_confirmed("/locations", &[as_pointer("/location")]));
}

#[test]
fn records_with_two_heads_are_listed_with_who_wrote_each() {
    let (_dir, mut store, id, ours, b) = conflicted();
    let lone = store
        .add(record(person(json!({"pseudonym": "Dara"}))))
        .unwrap();
    let list = store.conflicts().unwrap();
    assert_eq!(list.len(), 1, "a record with one head is not a conflict");
    assert_ne!(list[0].id, lone);
    let c = &list[0];
    assert_eq!(c.id, id);
    assert_eq!(c.kind, RecordKind::Person);
    let revs: Vec<Uuid> = c.heads.iter().map(|h| h.revision).collect();
    assert_eq!(revs, vec![b.id, ours.id], "newest first");
    assert_eq!(c.heads[0].author, "INV-09");
    assert_eq!(c.heads[0].device_name, None, "an unknown device");
    assert_eq!(c.heads[1].device_name.as_deref(), Some("Office"));
}

#[test]
fn a_conflict_shows_both_versions_and_names_the_fields_that_differ() {
    let (_dir, mut store, id, ours, b) = conflicted();
    let view = store.conflict(id).unwrap();
    assert_eq!(view.heads.len(), 2);
    assert_eq!(view.heads[0].head.revision, b.id);
    assert_eq!(view.heads[1].head.revision, ours.id);
    let first = store.history(id, false).unwrap()[0].id;
    assert_eq!(view.common_ancestor, Some(first));
    let paths: Vec<&str> = view.differences.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["/age/basis", "/age/note", "/nationality", "/pseudonym"]
    );
    let pseudonym = view.differences.last().unwrap();
    assert_eq!(
        pseudonym.values,
        vec![Some(json!("ផ្កាឈូក (laptop B)")), Some(json!("ផ្កាឈូក (office)"))]
    );
    assert_eq!(pseudonym.ancestor, Some(json!("ផ្កាឈូក")));
    let nationality = &view.differences[2];
    assert_eq!(
        nationality.values,
        vec![Some(json!("VN")), Some(json!("KH"))]
    );
    assert_eq!(nationality.ancestor, Some(json!("KH")));
    assert!(!view.identity_differs);
    // Showing is not changing.
    assert!(matches!(
        store.conflict(Uuid::now_v7()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn a_merge_that_drops_a_value_both_hold_is_refused_until_each_field_is_confirmed() {
    let (_dir, mut store, id, ours, b) = conflicted();
    let audit = store.audit_entries().unwrap().len();
    // case_code is on both sides; the merge leaves it out.
    let merged = person(json!({"pseudonym": "ផ្កាឈូក", "case_code": null, "nationality": "VN"}));
    let err = store
        .resolve_conflict(id, Resolution::Merged(merged.clone()), &[])
        .unwrap_err();
    match &err {
        Error::ResolutionDrops { id: rid, fields } => {
            assert_eq!(rid, &id.to_string());
            assert_eq!(fields, &vec!["/case_code".to_string()]);
        }
        other => panic!("expected ResolutionDrops, got {other:?}"),
    }
    assert!(err.to_string().contains("/case_code"), "{err}");
    assert_eq!(
        store.conflict(id).unwrap().heads.len(),
        2,
        "nothing changed"
    );
    assert_eq!(store.audit_entries().unwrap().len(), audit);
    // Confirming another field is not confirming this one.
    assert!(matches!(
        store.resolve_conflict(
            id,
            Resolution::Merged(merged.clone()),
            &["/nationality".into()]
        ),
        Err(Error::ResolutionDrops { .. })
    ));

    let done = store
        .resolve_conflict(id, Resolution::Merged(merged), &["case_code".into()])
        .unwrap();
    assert_eq!(done.dropped, vec!["/case_code"]);
    assert_eq!(done.taken, None);
    let mut parents = done.parents.clone();
    parents.sort();
    let mut expected = vec![ours.id, b.id];
    expected.sort();
    assert_eq!(parents, expected);
    let view = store.show(id, false).unwrap();
    assert_eq!(view.heads, vec![done.revision]);
    assert_eq!(view.body.unwrap().get("case_code"), None);
    assert!(store.conflicts().unwrap().is_empty());
    let entries = store.audit_entries().unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "conflict_resolved");
    assert_eq!(last.detail["dropped"], json!(["/case_code"]));
    assert_eq!(last.detail["parents"].as_array().unwrap().len(), 2);
    assert!(store.audit_verify().unwrap().is_intact());
    // Resolved: not in conflict any more.
    assert!(matches!(
        store.resolve_conflict(id, Resolution::Take(done.revision), &[]),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(store.conflict(id), Err(Error::Invalid(_))));
}

#[test]
fn taking_one_version_copies_it_whole_identity_included() {
    let (_dir, mut store) = temp_store("Office");
    let mut with_identity = example(RecordKind::Person).to_value();
    with_identity["identity"]["legal_name"] = json!("សុខ ស្រីមុំ");
    let id = store
        .add(Record::from_value(RecordKind::Person, with_identity).unwrap())
        .unwrap();
    let first = store.history(id, true).unwrap()[0].clone();
    store
        .edit(id, record(person(json!({"pseudonym": "ស្រីមុំ office"}))))
        .unwrap();
    let mut their_identity = first.identity.clone().unwrap();
    their_identity["legal_name"] = json!("សុខ ស្រីមុំ (ប្តូរ)");
    let b = theirs(
        id,
        first.id,
        Some(person(json!({"pseudonym": "ស្រីមុំ B"}))),
        Some(their_identity.clone()),
    );
    store.apply_foreign(std::slice::from_ref(&b)).unwrap();
    let view = store.conflict(id).unwrap();
    assert!(view.identity_differs);
    assert!(
        !serde_json::to_string(&view).unwrap().contains("សុខ ស្រីមុំ"),
        "identity is never shown in a conflict"
    );
    assert!(view
        .differences
        .iter()
        .all(|d| !d.path.starts_with("/identity")));

    // Not one of the heads: refused.
    assert!(matches!(
        store.resolve_conflict(id, Resolution::Take(first.id), &[]),
        Err(Error::Invalid(_))
    ));
    let done = store
        .resolve_conflict(id, Resolution::Take(b.id), &[])
        .unwrap();
    assert_eq!(done.taken, Some(b.id));
    assert!(done.dropped.is_empty());
    let now = store.history(id, true).unwrap().pop().unwrap();
    assert_eq!(now.id, done.revision);
    assert_eq!(now.body, b.body);
    assert_eq!(now.identity, Some(their_identity));
    assert_eq!(now.parents.len(), 2);
}

#[test]
fn a_deletion_against_an_edit_can_be_resolved_either_way() {
    for take_deletion in [true, false] {
        let (_dir, mut store) = temp_store("Office");
        let id = store
            .add(record(person(json!({"pseudonym": "Vanna"}))))
            .unwrap();
        let first = store.show(id, false).unwrap().heads[0];
        let edit = store
            .edit(id, record(person(json!({"pseudonym": "Vanna (edited)"}))))
            .unwrap();
        let gone = theirs(id, first, None, None);
        store.apply_foreign(std::slice::from_ref(&gone)).unwrap();
        let view = store.conflict(id).unwrap();
        assert!(view
            .heads
            .iter()
            .any(|h| h.head.deleted && h.body.is_none()));
        assert!(view.differences.iter().any(|d| d.path == "/pseudonym"));
        let take = if take_deletion { gone.id } else { edit.id };
        let done = store
            .resolve_conflict(id, Resolution::Take(take), &[])
            .unwrap();
        assert_eq!(done.deleted, take_deletion);
        let shown = store.show(id, false).unwrap();
        assert_eq!(shown.deleted, take_deletion);
        assert_eq!(shown.heads, vec![done.revision]);
        assert!(actions(&store).last().unwrap() == "conflict_resolved");
    }
}

#[test]
fn the_plain_resolve_is_logged_as_a_resolution_too() {
    let (_dir, mut store, id, _, _) = conflicted();
    store
        .resolve(id, record(person(json!({"pseudonym": "merged"}))))
        .unwrap();
    assert_eq!(actions(&store).last().unwrap(), "conflict_resolved");
    assert!(actions(&store).contains(&"record_edited".to_string()));
}
