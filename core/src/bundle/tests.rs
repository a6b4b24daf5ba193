//! Export → verify → import between two stores, in process.

use std::io::Cursor;

use crate::error::{BundleError, Error};
use crate::model::MediaKind;
use crate::model::{example, RecordKind};
use crate::store::attachments::NewAttachment;
use crate::store::tests::{link_field_to_office, temp_store};

use super::*;

fn no_progress() -> impl FnMut(Progress) {
    |_| {}
}

#[test]
fn a_bundle_travels_from_field_to_office_once() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    let recipient = office.office_init().unwrap();
    field.add_office_recipient(&recipient).unwrap();
    office
        .trust_add(&field.device().signing_public_key.clone(), "ឡាន ៣")
        .unwrap();

    let person = field.add(example(RecordKind::Person)).unwrap();
    let visit_place = field.add(example(RecordKind::Establishment)).unwrap();
    let _ = visit_place;
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let att = field
        .attach(
            NewAttachment {
                record_id: person,
                media: MediaKind::Photo,
                file_name: "រូបថត.jpg".into(),
                media_type: "image/jpeg".into(),
                description: None,
            },
            &mut Cursor::new(bytes.clone()),
        )
        .unwrap();

    let out = dir.path().join("one.fcb");
    let mut seen = 0u64;
    let summary = field
        .export_bundle(&out, ExportOptions::default(), &mut |p| seen = p.done)
        .unwrap();
    assert_eq!(summary.sequence, 1);
    assert_eq!(summary.counts.attachments, 1);
    assert!(seen > 200_000);

    let report = office.verify_bundle(&out, &mut no_progress()).unwrap();
    assert_eq!(report.manifest.sequence, 1);
    assert_eq!(report.manifest.counts.revisions, 3);

    let first = office.import_bundle(&out, &mut no_progress()).unwrap();
    assert_eq!(
        (first.added, first.known, first.attachments_stored),
        (3, 0, 1)
    );
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut office.attachment_reader(att).unwrap(), &mut back).unwrap();
    assert_eq!(back, bytes);

    let audit_before = office.audit_entries().unwrap().len();
    let again = office.import_bundle(&out, &mut no_progress()).unwrap();
    assert!(again.gaps.already_imported);
    assert_eq!(again.added, 0);
    assert_eq!(office.audit_entries().unwrap().len(), audit_before);

    // A second export carries only what is new; with a receipt missing, the first's too.
    let out2 = dir.path().join("two.fcb");
    field.add(example(RecordKind::Establishment)).unwrap();
    let s2 = field
        .export_bundle(&out2, ExportOptions::default(), &mut no_progress())
        .unwrap();
    assert_eq!(s2.sequence, 2);
    assert_eq!(
        s2.previous_bundle_sha256.as_deref(),
        Some(summary.bundle_sha256.as_str())
    );
    let second = office.import_bundle(&out2, &mut no_progress()).unwrap();
    assert!(second.gaps.missing.is_empty());
    assert!(!second.gaps.out_of_order);
}

#[test]
fn a_field_profile_cannot_open_bundles_and_export_needs_a_recipient() {
    let (dir, mut field) = temp_store("Field laptop 3");
    field.add(example(RecordKind::Person)).unwrap();
    let out = dir.path().join("x.fcb");
    match field.export_bundle(&out, ExportOptions::default(), &mut no_progress()) {
        Err(Error::Bundle(BundleError::NoRecipients)) => {}
        other => panic!("{other:?}"),
    }
    assert!(!out.exists());
    std::fs::write(&out, b"").unwrap();
    match field.verify_bundle(&out, &mut no_progress()) {
        Err(Error::Bundle(BundleError::NotAnOffice)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn edits_made_apart_arrive_as_a_listed_conflict_with_both_heads_kept() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    let place = field.add(example(RecordKind::Establishment)).unwrap();
    let first_rev = field.show(place, false).unwrap().heads[0];
    let one = dir.path().join("1.fcb");
    field
        .export_bundle(&one, ExportOptions::default(), &mut no_progress())
        .unwrap();
    office.import_bundle(&one, &mut no_progress()).unwrap();

    // Another laptop's edit of the same revision reaches the office first.
    let mut theirs_body = field.show(place, false).unwrap().body.unwrap();
    theirs_body["name"] = serde_json::Value::String("ខារ៉ាអូខេ ផ្កាយព្រឹក (ថ្មី)".into());
    let mut theirs = crate::store::Revision {
        id: uuid::Uuid::now_v7(),
        record_id: place,
        kind: RecordKind::Establishment,
        parents: vec![first_rev],
        device_id: uuid::Uuid::now_v7(),
        author: "INV-09".into(),
        created_at: chrono::Utc::now(),
        deleted: false,
        body: Some(theirs_body),
        identity: None,
        body_hash: String::new(),
    };
    theirs.body_hash = theirs.compute_hash();
    assert_eq!(office.apply_foreign(&[theirs]).unwrap(), 1);

    // This laptop's own edit, then a delete of another record, travel in bundle 2.
    let mut ours = field.show(place, false).unwrap().body.unwrap();
    ours["notes"] = serde_json::Value::String("Guard changed. ឆ្មាំប្តូរ។".into());
    field
        .edit(
            place,
            crate::model::Record::from_value(RecordKind::Establishment, ours).unwrap(),
        )
        .unwrap();
    let gone = field.add(example(RecordKind::Establishment)).unwrap();
    field.delete(gone).unwrap();
    let two = dir.path().join("2.fcb");
    field
        .export_bundle(&two, ExportOptions::default(), &mut no_progress())
        .unwrap();
    let summary = office.import_bundle(&two, &mut no_progress()).unwrap();
    assert_eq!(summary.conflicts, vec![place]);
    assert_eq!(summary.tombstones, 1);
    assert_eq!(summary.known, 1); // the first revision, from bundle 1
    assert_eq!(office.show(place, false).unwrap().heads.len(), 2);
    assert!(office.show(gone, false).unwrap().deleted);
}

/// Replaces a profile's signing key with one the `minisign` crate made and boxed, as
/// `fieldcase init` did before signing moved into `crypto::signing`, and opens it again.
fn with_key_from_the_minisign_crate(dir: &std::path::Path, store: crate::Store) -> crate::Store {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    store
        .conn
        .execute(
            "UPDATE device SET signing_public_key = ?1, signing_secret_key = ?2",
            [
                pair.pk.to_base64(),
                pair.sk.to_box(None).unwrap().into_string(),
            ],
        )
        .unwrap();
    drop(store);
    crate::Profile::open(
        &dir.join("p"),
        &crate::Passphrase::new(crate::store::tests::PASS.into()),
    )
    .unwrap()
}

fn stored_key_box(store: &crate::Store) -> String {
    store
        .conn
        .query_row("SELECT signing_secret_key FROM device", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn profiles_whose_key_the_minisign_crate_made_still_sign_bundles_and_receipts() {
    let (dir, field) = temp_store("Field laptop 3");
    let mut field = with_key_from_the_minisign_crate(dir.path(), field);
    let (odir, office) = temp_store("Office");
    let mut office = with_key_from_the_minisign_crate(odir.path(), office);
    link_field_to_office(&mut field, &mut office);
    field
        .trust_add(&office.device().signing_public_key.clone(), "office")
        .unwrap();

    field.add(example(RecordKind::Person)).unwrap();
    let out = dir.path().join("old-key.fcb");
    let sent = field
        .export_bundle(&out, ExportOptions::default(), &mut no_progress())
        .unwrap();
    assert_eq!(
        office
            .import_bundle(&out, &mut no_progress())
            .unwrap()
            .added,
        1
    );

    let receipt = odir.path().join("receipt.json");
    office.write_receipt(sent.bundle_id, &receipt).unwrap();
    assert_eq!(field.import_receipt(&receipt).unwrap().revisions, 1);

    // The old boxes are used as they are, never rewritten.
    for store in [&field, &office] {
        assert!(
            stored_key_box(store).starts_with("untrusted comment: rsign encrypted secret key\n")
        );
    }
}

#[test]
fn a_new_profile_keeps_a_key_box_the_minisign_crate_can_read() {
    let (_dir, store) = temp_store("Field laptop 3");
    let text = stored_key_box(&store);
    assert!(text.starts_with(&format!(
        "untrusted comment: {}\n",
        crate::crypto::signing::KEY_BOX_COMMENT
    )));
    let sk = minisign::SecretKeyBox::from_string(&text)
        .unwrap()
        .into_unencrypted_secret_key()
        .unwrap();
    let pk = minisign::PublicKey::from_base64(&store.device().signing_public_key).unwrap();
    assert_eq!(sk.keynum(), pk.keynum());
    let sig = minisign::sign(Some(&pk), &sk, Cursor::new(b"data"), None, None).unwrap();
    minisign::verify(&pk, &sig, Cursor::new(b"data"), true, false, false).unwrap();
}

/// A damaged key box stops an export with "store damaged" and shows none of the key.
#[test]
fn a_damaged_key_box_stops_an_export_without_showing_the_key() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    field
        .add_office_recipient(&office.office_init().unwrap())
        .unwrap();
    field.add(example(RecordKind::Person)).unwrap();
    let text = stored_key_box(&field);
    let line = text.lines().nth(1).unwrap().to_owned();
    // flip one character of the secret half
    let mut chars: Vec<char> = line.chars().collect();
    chars[100] = if chars[100] == 'A' { 'B' } else { 'A' };
    let damaged: String = chars.into_iter().collect();
    field
        .conn
        .execute(
            "UPDATE device SET signing_secret_key = ?1",
            [format!("untrusted comment: x\n{damaged}\n")],
        )
        .unwrap();
    let out = dir.path().join("x.fcb");
    let err = field
        .export_bundle(&out, ExportOptions::default(), &mut no_progress())
        .unwrap_err();
    assert!(matches!(err, Error::StoreDamaged(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(&line[60..120]) && !shown.contains(&damaged[60..120]),
        "{shown}"
    );
    assert!(!out.exists());
}

#[test]
fn identical_files_travel_once_and_every_attachment_record_gets_them() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    let place = field.add(example(RecordKind::Establishment)).unwrap();
    // The same photo attached twice (once from the camera, once from a colleague's phone).
    let bytes: Vec<u8> = (0..150_000u32).map(|i| (i % 241) as u8).collect();
    let mut attach = |name: &str| {
        field
            .attach(
                NewAttachment {
                    record_id: place,
                    media: MediaKind::Photo,
                    file_name: name.into(),
                    media_type: "image/jpeg".into(),
                    description: None,
                },
                &mut Cursor::new(bytes.clone()),
            )
            .unwrap()
    };
    let (one, two) = (attach("ខាងមុខ.jpg"), attach("front-copy.jpg"));
    let out = dir.path().join("same.fcb");
    let summary = field
        .export_bundle(&out, ExportOptions::default(), &mut no_progress())
        .unwrap();
    assert_eq!(summary.counts.attachments, 1, "the bytes travel once");
    let imported = office.import_bundle(&out, &mut no_progress()).unwrap();
    assert_eq!(imported.attachments_stored, 2);
    for id in [one, two] {
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut office.attachment_reader(id).unwrap(), &mut back).unwrap();
        assert_eq!(back, bytes, "attachment {id} at the office");
    }
}

#[test]
fn export_status_follows_export_and_receipt() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    field
        .trust_add(&office.device().signing_public_key.clone(), "office")
        .unwrap();

    let fresh = field.export_status().unwrap();
    assert_eq!((fresh.unacknowledged, fresh.never_exported), (0, 0));
    assert_eq!(fresh.last_export, None);

    let place = field.add(example(RecordKind::Establishment)).unwrap();
    field.add(example(RecordKind::Person)).unwrap();
    let before = field.export_status().unwrap();
    assert_eq!((before.unacknowledged, before.never_exported), (2, 2));

    let out = dir.path().join("1.fcb");
    let sent = field
        .export_bundle(&out, ExportOptions::default(), &mut no_progress())
        .unwrap();
    let mut body = field.show(place, false).unwrap().body.unwrap();
    body["notes"] = serde_json::Value::String("ទ្វារក្រោយ back door".into());
    field
        .edit(
            place,
            crate::model::Record::from_value(RecordKind::Establishment, body).unwrap(),
        )
        .unwrap();
    let sent_once = field.export_status().unwrap();
    assert_eq!(
        (sent_once.unacknowledged, sent_once.never_exported),
        (3, 1),
        "two sent without a receipt, one edit since"
    );
    assert_eq!(sent_once.bundles_awaiting_receipt, 1);
    let last = sent_once.last_export.unwrap();
    assert_eq!(
        (last.sequence, last.bundle_sha256.as_str()),
        (1, sent.bundle_sha256.as_str())
    );
    assert_eq!(last.acknowledged_at, None);
    assert_eq!(sent_once.last_receipt_at, None);

    office.import_bundle(&out, &mut no_progress()).unwrap();
    let receipt = odir.path().join("receipt.json");
    office.write_receipt(sent.bundle_id, &receipt).unwrap();
    field.import_receipt(&receipt).unwrap();
    let acknowledged = field.export_status().unwrap();
    assert_eq!(
        (acknowledged.unacknowledged, acknowledged.never_exported),
        (1, 1)
    );
    assert_eq!(acknowledged.bundles_awaiting_receipt, 0);
    assert!(acknowledged.last_export.unwrap().acknowledged_at.is_some());
    assert!(acknowledged.last_receipt_at.is_some());
}

/// Revoking the office's key on a laptop withdraws what only that key's receipts acknowledged
/// and is still here: purge keeps it, and it awaits export again. What was purged before stays
/// purged (the office had said it holds it).
#[test]
fn revoking_the_office_key_withdraws_its_acknowledgments_of_what_is_still_here() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    let office_key = field
        .trust_add(&office.device().signing_public_key.clone(), "office")
        .unwrap();
    let mut receipt_for = |field: &mut crate::store::Store, n: &str| {
        let out = dir.path().join(format!("{n}.fcb"));
        let sent = field
            .export_bundle(&out, ExportOptions::default(), &mut no_progress())
            .unwrap();
        office.import_bundle(&out, &mut no_progress()).unwrap();
        let receipt = odir.path().join(format!("{n}.json"));
        office.write_receipt(sent.bundle_id, &receipt).unwrap();
        field.import_receipt(&receipt).unwrap();
    };
    // One bundle acknowledged and purged; a second acknowledged, not purged yet.
    field.add(example(RecordKind::Establishment)).unwrap();
    receipt_for(&mut field, "1");
    assert_eq!(field.purge_acknowledged().unwrap().revisions, 1);
    field.add(example(RecordKind::Person)).unwrap();
    receipt_for(&mut field, "2");
    assert_eq!(field.export_status().unwrap().unacknowledged, 0);

    field.trust_revoke(&office_key.key_id).unwrap();
    let status = field.export_status().unwrap();
    assert_eq!(
        status.unacknowledged, 1,
        "the person is no longer acknowledged"
    );
    assert_eq!(status.bundles_awaiting_receipt, 1);
    assert_eq!(
        field.purge_acknowledged().unwrap().revisions,
        0,
        "nothing more is purged"
    );
    let log = field.audit_entries().unwrap();
    let revoked = log
        .iter()
        .rev()
        .find(|e| e.action == "key_revoked")
        .unwrap();
    assert_eq!(revoked.detail["acknowledged_revisions_withdrawn"], 1);
}

/// An attachment whose bytes no longer match the SHA-256 captured with it stops the export
/// (the check now runs on the age thread) and leaves no file behind.
#[test]
fn an_attachment_that_differs_from_its_hash_stops_the_export() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    let recipient = office.office_init().unwrap();
    field.add_office_recipient(&recipient).unwrap();
    let person = field.add(example(RecordKind::Person)).unwrap();
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let att = field
        .attach(
            NewAttachment {
                record_id: person,
                media: MediaKind::Photo,
                file_name: "photo.jpg".into(),
                media_type: "image/jpeg".into(),
                description: None,
            },
            &mut Cursor::new(bytes),
        )
        .unwrap();
    field
        .conn
        .execute(
            "UPDATE attachment_blobs SET sha256 = ?1 WHERE attachment_id = ?2",
            [&"ab".repeat(32), &att.to_string()],
        )
        .unwrap();
    let out = dir.path().join("bad.fcb");
    match field.export_bundle(&out, ExportOptions::default(), &mut no_progress()) {
        Err(Error::AttachmentDamaged(what)) => assert!(what.contains(&att.to_string()), "{what}"),
        other => panic!("expected a damaged attachment, got {other:?}"),
    }
    assert!(!out.exists(), "nothing is left at the bundle's path");
}

/// The revisions go into the store on a thread of their own while the attachment's blob is
/// written: a revision the store refuses (here a record the office already holds as another
/// kind) still stops the whole import with its own error, and the blob written meanwhile is
/// removed.
#[test]
fn a_revision_the_store_refuses_stops_the_import_and_its_blob_is_removed() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    let place = field.add(example(RecordKind::Establishment)).unwrap();
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 239) as u8).collect();
    field
        .attach(
            NewAttachment {
                record_id: place,
                media: MediaKind::Document,
                file_name: "បញ្ជី.pdf".into(),
                media_type: "application/pdf".into(),
                description: None,
            },
            &mut Cursor::new(bytes),
        )
        .unwrap();
    let out = dir.path().join("clash.fcb");
    field
        .export_bundle(&out, ExportOptions::default(), &mut no_progress())
        .unwrap();
    office
        .conn
        .execute(
            "INSERT INTO records (id, kind, label, created_at, updated_at, deleted, heads)
             VALUES (?1, 'person', '', '2026-01-01', '2026-01-01', 0, 0)",
            [place.to_string()],
        )
        .unwrap();
    let revisions = |s: &crate::Store| -> i64 {
        s.conn
            .query_row("SELECT count(*) FROM revisions", [], |r| r.get(0))
            .unwrap()
    };
    let before = revisions(&office);
    let blobs = || -> Vec<String> {
        let folder = odir
            .path()
            .join("p")
            .join(crate::store::layout::ATTACHMENTS);
        std::fs::read_dir(folder)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    match office.import_bundle(&out, &mut no_progress()) {
        Err(Error::Invalid(v)) => assert!(v.to_string().contains("is a person"), "{v}"),
        other => panic!("expected the record's kind refused, got {other:?}"),
    }
    assert_eq!(revisions(&office), before);
    assert_eq!(blobs(), Vec::<String>::new(), "no blob file left");

    // Once the clash is gone the same bundle imports, and importing it again writes no blob.
    office
        .conn
        .execute("DELETE FROM records WHERE id = ?1", [place.to_string()])
        .unwrap();
    let first = office.import_bundle(&out, &mut no_progress()).unwrap();
    assert_eq!(first.attachments_stored, 1);
    let kept = blobs();
    assert_eq!(kept.len(), 1);
    let again = office.import_bundle(&out, &mut no_progress()).unwrap();
    assert!(again.gaps.already_imported);
    assert_eq!(again.attachments_stored, 0);
    assert_eq!(blobs(), kept);
}

thread_local! {
    /// Set by a test to stop an export as a crash would, after its file is written and before
    /// it is recorded (see `export_bundle`).
    pub(super) static CRASH_AFTER_WRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The sequence number is in the store before the bundle's file exists: a crash between
/// writing the file and recording it leaves that number used, so the next bundle does not
/// carry it too (the office would refuse it as a copied laptop's). An ordinary failure gives
/// the number back.
#[test]
fn a_crash_after_writing_a_bundle_does_not_give_its_number_to_the_next() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    field.add(example(RecordKind::Person)).unwrap();

    // An ordinary failure (the file's name is taken) leaves no number used.
    let taken = dir.path().join("taken.fcb");
    std::fs::write(&taken, b"someone else's file").unwrap();
    assert!(field
        .export_bundle(&taken, ExportOptions::default(), &mut no_progress())
        .is_err());
    assert_eq!(std::fs::read(&taken).unwrap(), b"someone else's file");

    let crashed = dir.path().join("crashed.fcb");
    CRASH_AFTER_WRITING.set(true);
    let crash = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        field.export_bundle(&crashed, ExportOptions::default(), &mut no_progress())
    }));
    CRASH_AFTER_WRITING.set(false);
    assert!(crash.is_err(), "the export was to stop after writing");
    assert!(crashed.exists(), "the file was written whole");

    let next = dir.path().join("next.fcb");
    let sent = field
        .export_bundle(&next, ExportOptions::default(), &mut no_progress())
        .unwrap();
    assert_eq!(sent.sequence, 2, "number 1 is the crashed bundle's");

    // Both reach the office, whichever first, as two bundles with their own numbers.
    let late = office.import_bundle(&next, &mut no_progress()).unwrap();
    assert_eq!(late.gaps.missing, vec![1]);
    let early = office.import_bundle(&crashed, &mut no_progress()).unwrap();
    assert_eq!(early.sequence, 1);
    assert!(early.gaps.missing.is_empty());
}

/// Two different bundles from one device under one sequence number (a copied laptop): the
/// second is refused, naming both, and changes nothing; the first imports again as before.
#[test]
fn a_second_bundle_under_a_sequence_number_already_imported_is_refused() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    field.add(example(RecordKind::Person)).unwrap();
    let one = dir.path().join("1.fcb");
    field
        .export_bundle(&one, ExportOptions::default(), &mut no_progress())
        .unwrap();
    office.import_bundle(&one, &mut no_progress()).unwrap();

    // The laptop's store as it was after bundle 1, copied; each copy writes its own bundle 2.
    field.add(example(RecordKind::Establishment)).unwrap();
    let two = dir.path().join("2.fcb");
    let first = field
        .export_bundle(&two, ExportOptions::default(), &mut no_progress())
        .unwrap();
    field
        .conn
        .execute("DELETE FROM bundles_out WHERE sequence = 2", [])
        .unwrap();
    field
        .conn
        .execute("UPDATE bundle_sequence SET reserved = 1", [])
        .unwrap();
    field.add(example(RecordKind::Establishment)).unwrap();
    let clone = dir.path().join("2-clone.fcb");
    let second = field
        .export_bundle(&clone, ExportOptions::default(), &mut no_progress())
        .unwrap();
    assert_eq!((first.sequence, second.sequence), (2, 2));
    assert_ne!(first.bundle_sha256, second.bundle_sha256);

    office.import_bundle(&two, &mut no_progress()).unwrap();
    let audit = office.audit_entries().unwrap().len();
    for result in [
        office.verify_bundle(&clone, &mut no_progress()).map(|_| ()),
        office.import_bundle(&clone, &mut no_progress()).map(|_| ()),
    ] {
        match result {
            Err(Error::Bundle(BundleError::SequenceFork {
                sequence,
                imported,
                this,
                ..
            })) => assert_eq!(
                (sequence, imported, this),
                (2, first.bundle_id, second.bundle_id)
            ),
            other => panic!("expected a sequence fork, got {other:?}"),
        }
    }
    assert_eq!(office.audit_entries().unwrap().len(), audit);
    assert!(
        office
            .import_bundle(&two, &mut no_progress())
            .unwrap()
            .gaps
            .already_imported
    );
}

/// A key trusted without a device binds to the device its first bundle names (logged with the
/// import), and a key named for a device at `trust add` is bound from the start; `trust add`
/// refuses a device another key, or this profile, signs for, and a second device for a key.
/// (The refusals at import are in `cli/tests/bundle.rs`.)
#[test]
fn a_key_binds_to_the_device_of_its_first_bundle() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    let key = link_field_to_office(&mut field, &mut office);
    assert_eq!(key.device_id, None);
    field.add(example(RecordKind::Person)).unwrap();
    let one = dir.path().join("1.fcb");
    field
        .export_bundle(&one, ExportOptions::default(), &mut no_progress())
        .unwrap();
    office.import_bundle(&one, &mut no_progress()).unwrap();
    let bound = office.trust_list().unwrap().remove(0);
    assert_eq!(bound.device_id, Some(field.device().id));
    let log = office.audit_entries().unwrap();
    let imported = log.iter().find(|e| e.action == "bundle_imported").unwrap();
    assert_eq!(imported.detail["key_bound_to_device"], true);

    // Naming a device at trust add: kept, and checked.
    let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let laptop7 = uuid::Uuid::now_v7();
    let k7 = office
        .trust_add_for_device(&other.pk.to_base64(), "Field laptop 7", Some(laptop7))
        .unwrap();
    assert_eq!(k7.device_id, Some(laptop7));
    for (device, why) in [
        (field.device().id, "already has key"),
        (office.device().id, "this profile's own"),
    ] {
        let third = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        match office.trust_add_for_device(&third.pk.to_base64(), "laptop 9", Some(device)) {
            Err(Error::Keys(message)) => assert!(message.contains(why), "{message}"),
            other => panic!("expected {why:?}, got {other:?}"),
        }
    }
    match office.trust_add_for_device(
        &other.pk.to_base64(),
        "Field laptop 7",
        Some(field.device().id),
    ) {
        Err(Error::Keys(message)) => assert!(message.contains("signs for one device"), "{message}"),
        other => panic!("expected the key's device kept, got {other:?}"),
    }
}

#[test]
fn a_stopped_store_stops_its_export_and_import_and_changes_nothing() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Office");
    link_field_to_office(&mut field, &mut office);
    field.add(example(RecordKind::Establishment)).unwrap();
    let one = dir.path().join("1.fcb");
    field
        .export_bundle(&one, ExportOptions::default(), &mut no_progress())
        .unwrap();

    // The office is locked while it imports: the import stops and nothing lands.
    let before = office.counts().unwrap();
    let audit_before = office.audit_entries().unwrap().len();
    office.stopper().stop();
    match office.import_bundle(&one, &mut no_progress()) {
        Err(Error::Stopped) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(office.counts().unwrap(), before);
    assert_eq!(office.audit_entries().unwrap().len(), audit_before);

    // The laptop is locked while it exports: no bundle file is left, the number is free.
    field.add(example(RecordKind::Person)).unwrap();
    let two = dir.path().join("2.fcb");
    field.stopper().stop();
    match field.export_bundle(&two, ExportOptions::default(), &mut no_progress()) {
        Err(Error::Stopped) => {}
        other => panic!("{other:?}"),
    }
    assert!(!two.exists(), "no half-written bundle");
}
