//! The device timeline over real bundles between two stores, in process.

use super::*;
use crate::bundle::ExportOptions;
use crate::model::{example, RecordKind};
use crate::store::tests::{link_field_to_office, temp_store};

fn export(field: &mut Store, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    field.add(example(RecordKind::Establishment)).unwrap();
    let out = dir.join(name);
    field
        .export_bundle(&out, ExportOptions::default(), &mut |_| {})
        .unwrap();
    out
}

#[test]
fn a_device_with_bundles_one_two_and_four_shows_the_gap_at_three_and_its_receipts() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Phnom Penh office");
    field
        .add_office_recipient(&office.office_init().unwrap())
        .unwrap();
    let trusted = office
        .trust_add(
            &field.device().signing_public_key.clone(),
            "ឡានចុះវាល ៣ Battambang",
        )
        .unwrap();
    let quiet = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    office
        .trust_add(&quiet.pk.to_base64(), "Field laptop 7 (Siem Reap)")
        .unwrap();

    // Nothing received yet: both devices listed, empty.
    let empty = office.device_timelines().unwrap();
    assert_eq!(empty.len(), 2);
    assert!(empty
        .iter()
        .all(|d| d.timeline.is_empty() && d.last_seen.is_none()));

    let bundles: Vec<_> = (1..=4)
        .map(|i| export(&mut field, dir.path(), &format!("{i}.fcb")))
        .collect();
    let mut ids = Vec::new();
    for i in [0, 1, 3] {
        ids.push(
            office
                .import_bundle(&bundles[i], &mut |_| {})
                .unwrap()
                .bundle_id,
        );
    }
    office
        .write_receipt(ids[0], &dir.path().join("receipt-1.json"))
        .unwrap();

    let all = office.device_timelines().unwrap();
    let d = &all[0];
    assert_eq!(d.key_id, trusted.key_id);
    assert_eq!(d.name, "ឡានចុះវាល ៣ Battambang");
    assert_eq!(d.device_name.as_deref(), Some("Field laptop 3"));
    assert_eq!(d.device_ids, vec![field.device().id]);
    assert_eq!(d.newest_sequence, Some(4));
    assert_eq!(d.bundles_received, 3);
    assert_eq!(d.missing, vec![3]);
    assert_eq!(d.without_receipt, vec![2, 4]);
    assert_eq!(d.receipts_written, 1);
    assert!(!d.revoked);
    let statuses: Vec<(u64, EntryStatus)> =
        d.timeline.iter().map(|e| (e.sequence, e.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (1, EntryStatus::Received),
            (2, EntryStatus::Received),
            (3, EntryStatus::Missing),
            (4, EntryStatus::Received),
        ]
    );
    let b = |i: usize| d.timeline[i].bundle.as_ref().unwrap();
    assert!(d.timeline[2].bundle.is_none());
    assert_eq!(b(0).bundle_id, ids[0]);
    assert_eq!(b(0).previous_matches, None);
    assert_eq!(b(1).previous_matches, Some(true));
    assert_eq!(b(3).previous_matches, None, "bundle 3 has not arrived");
    // Each bundle repeats what no receipt acknowledged: 1, 2, 3 then 4 establishments.
    assert_eq!((b(0).revisions, b(1).revisions, b(3).revisions), (1, 2, 4));
    assert_eq!(b(0).receipts.len(), 1);
    let r = &b(0).receipts[0];
    assert_eq!((r.revisions, r.attachments, r.from_audit), (1, 0, false));
    let file = std::fs::read(dir.path().join("receipt-1.json")).unwrap();
    assert_eq!(
        r.receipt_sha256.as_deref(),
        Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&file)).as_str())
    );
    assert_eq!(d.last_seen.as_deref(), Some(b(3).imported_at.as_str()));
    assert!(all[1].timeline.is_empty());

    // The gap fills; a revoked device still shows, marked.
    office.import_bundle(&bundles[2], &mut |_| {}).unwrap();
    office.trust_revoke(&trusted.key_id).unwrap();
    let d = office.device_timelines().unwrap().remove(0);
    assert!(d.revoked && d.revoked_at.is_some());
    assert!(d.missing.is_empty());
    assert_eq!(d.timeline.len(), 4);
    assert!(d
        .timeline
        .iter()
        .skip(1)
        .all(|e| e.bundle.as_ref().unwrap().previous_matches == Some(true)));
    // Reading the timeline writes nothing.
    let audit = office.audit_entries().unwrap().len();
    office.device_timelines().unwrap();
    assert_eq!(office.audit_entries().unwrap().len(), audit);
}

#[test]
fn a_receipt_that_cannot_be_recorded_is_not_left_behind() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Phnom Penh office");
    link_field_to_office(&mut field, &mut office);
    let one = export(&mut field, dir.path(), "1.fcb");
    let id = office.import_bundle(&one, &mut |_| {}).unwrap().bundle_id;
    office
        .conn
        .execute_batch("DROP TABLE receipts_out")
        .unwrap();
    let out = dir.path().join("receipt.json");
    assert!(office.write_receipt(id, &out).is_err());
    assert!(
        !out.exists(),
        "an unrecorded receipt must not leave the office"
    );
}

/// A store from before the timeline (schema 5) that had already written a receipt: after the
/// upgrade the receipt shows on the timeline, recovered from the audit chain, its file hash and
/// the device's own name left unknown.
#[test]
fn an_older_office_shows_the_receipts_it_wrote_before_the_upgrade() {
    use crate::crypto::KdfParams;
    use crate::profile::{NewProfile, Profile};
    use crate::secret::Passphrase;
    use crate::store::migrations;

    let (dir, mut field) = temp_store("Field laptop 3");
    let pass = Passphrase::new("ការិយាល័យ upgrade".into());
    let office_dir = dir.path().join("office");
    let mut office = Profile::init(
        &office_dir,
        &pass,
        &NewProfile {
            device_name: "Phnom Penh office".into(),
            author: Some("OFF-01".into()),
            kdf: KdfParams::FOR_TESTS_ONLY,
            unencrypted_for_benchmarks: false,
        },
    )
    .unwrap();
    link_field_to_office(&mut field, &mut office);
    let one = export(&mut field, dir.path(), "1.fcb");
    let id = office.import_bundle(&one, &mut |_| {}).unwrap().bundle_id;
    office
        .write_receipt(id, &dir.path().join("receipt.json"))
        .unwrap();
    // Back to what a schema-5 store held: the receipt only in the audit chain.
    let version_before = migrations::MIGRATIONS
        .iter()
        .position(|m| m.contains("-- device timeline"))
        .unwrap() as i64;
    office
        .conn
        .execute_batch(&format!(
            "DROP TABLE receipts_out;
             ALTER TABLE bundles_in DROP COLUMN device_name;
             DROP INDEX revisions_unpurged;
             ALTER TABLE trusted_keys DROP COLUMN device_id;
             DROP TABLE bundle_sequence;
             ALTER TABLE attachment_blobs DROP COLUMN file_key;
             PRAGMA user_version = {version_before};"
        ))
        .unwrap();
    let audit = office.audit_entries().unwrap();
    drop(office);

    let office = Profile::open(&office_dir, &pass).unwrap();
    assert_eq!(
        migrations::current(&office.conn).unwrap(),
        migrations::latest()
    );
    let d = office.device_timelines().unwrap().remove(0);
    assert_eq!(d.device_name, None, "not known for bundles imported before");
    assert_eq!(
        d.bound_device,
        Some(field.device().id),
        "bound by the bundle it sent"
    );
    assert_eq!(d.receipts_written, 1);
    let r = &d.timeline[0].bundle.as_ref().unwrap().receipts[0];
    assert!(r.from_audit);
    assert_eq!(r.receipt_sha256, None);
    assert_eq!((r.revisions, r.attachments), (1, 0));
    assert_eq!(r.written_at, audit.last().unwrap().at);
    assert!(d.without_receipt.is_empty());
    assert_eq!(office.audit_entries().unwrap()[..audit.len()], audit[..]);
    assert!(office.audit_verify().unwrap().is_intact());
}

/// Two bundles imported under one sequence number before forks were refused (here written
/// straight into the table, as such a store holds them) are marked on the device's timeline.
#[test]
fn a_sequence_number_with_two_bundles_imported_is_marked_forked() {
    let (dir, mut field) = temp_store("Field laptop 3");
    let (_odir, mut office) = temp_store("Phnom Penh office");
    link_field_to_office(&mut field, &mut office);
    for i in 1..=2 {
        let bundle = export(&mut field, dir.path(), &format!("{i}.fcb"));
        office.import_bundle(&bundle, &mut |_| {}).unwrap();
    }
    assert!(office.device_timelines().unwrap()[0].forked.is_empty());
    office
        .conn
        .execute(
            "INSERT INTO bundles_in (bundle_id, device_id, device_key, sequence, bundle_sha256,
                 previous_sha256, created_at, imported_at, revision_ids, attachments, device_name)
             SELECT ?1, device_id, device_key, sequence, 'cd', previous_sha256, created_at,
                    imported_at, revision_ids, attachments, device_name
             FROM bundles_in WHERE sequence = 2",
            [uuid::Uuid::now_v7().to_string()],
        )
        .unwrap();
    let d = office.device_timelines().unwrap().remove(0);
    assert_eq!(d.forked, vec![2]);
    assert_eq!(d.bound_device, Some(field.device().id));
}
