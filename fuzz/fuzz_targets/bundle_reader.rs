//! The bundle reader after decryption: arbitrary bytes as the plaintext of an age file
//! (the tar), and as a manifest, a SHA256SUMS and a records.jsonl on their own. Nothing
//! here may panic, hang or allocate without bound, whatever the input.
#![no_main]

use fieldcase_core::bundle::read::{check_records, read_bundle, Discard, StreamState};
use fieldcase_core::bundle::{Manifest, Sums};
use fieldcase_core::store::TrustedKey;
use libfuzzer_sys::fuzz_target;

/// A manifest that declares nothing, for the records parser.
const EMPTY_MANIFEST: &str = r#"{"format":"fieldcase-bundle","format_version":1,
"bundle_id":"01a20984-4831-7049-9a53-865626661a13","device_id":"01a20984-43b0-771d-be1c-8a24d0e2b9f7",
"device_name":"fuzz","device_public_key":"RWQP73wRudqtY3Ysr+1m1RW7O5dY+TMUTTeY36NxE5LWmvpdBudkdCg5",
"sequence":1,"previous_bundle_sha256":null,"created_at":"2026-11-23T17:46:33Z","schema_version":2,
"scope":"incremental","counts":{"revisions":0,"records":0,"tombstones":0,"attachments":0,
"attachment_bytes":0},"records_bytes":0,"attachments":[]}"#;

fuzz_target!(|data: &[u8]| {
    // Every signer is "trusted" (as this key): the reader must still refuse bad signatures.
    let trust = |id: &str| {
        Ok(Some(TrustedKey {
            public_key: "RWQP73wRudqtY3Ysr+1m1RW7O5dY+TMUTTeY36NxE5LWmvpdBudkdCg5".into(),
            key_id: id.into(),
            name: "fuzz".into(),
            added_at: String::new(),
            revoked_at: None,
            // Not bound, so the seed's device passes as it would on its first bundle.
            device_id: None,
        }))
    };
    let _ = read_bundle(data, &trust, &StreamState::default(), &mut Discard);
    let _ = Manifest::parse(data);
    let _ = Sums::parse(data);
    if let Ok(manifest) = Manifest::parse(EMPTY_MANIFEST.as_bytes()) {
        let _ = check_records(data, &manifest);
    }
});
