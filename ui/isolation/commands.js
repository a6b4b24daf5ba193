// Every IPC message the window may send, and the arguments each carries, for the isolation
// hook (hook.js). One entry per command the capability grants (src-tauri/capabilities/main.json);
// a test in src-tauri/src/isolation.rs checks this table against that capability, build.rs's
// command list and the Rust signatures of the `#[tauri::command]` functions (argument names
// camelCased as Tauri does), so it cannot drift from them unnoticed.
//
// Types: string, uuid, boolean, uint (a u32), object (a plain object: a record body, a
// tagged request), string[] (an array of strings), channel (a serialized Channel,
// `__CHANNEL__:<id>`); a trailing ? also allows null or an absent key.
// The part between the two json markers is JSON (the Rust test parses it).
const FIELDCASE_COMMANDS = /* json */ {
  "app": {
    "app_status": {},
    "create_profile": { "passphrase": "string", "deviceName": "string", "role": "string" },
    "unlock": { "passphrase": "string" },
    "lock": {},
    "record_counts": {},
    "export_status": {},
    "list_conflicts": {},
    "show_conflict": { "id": "uuid" },
    "resolve_conflict": { "id": "uuid", "resolution": "object", "confirmedDrops": "string[]" },
    "device_timelines": {},
    "withdraw_consent": {
      "id": "uuid",
      "part": "string",
      "at": "string?",
      "recordedBy": "string",
      "note": "string"
    },
    "change_passphrase": { "current": "string", "newPassphrase": "string", "onProgress": "channel" },
    "list_attachments": { "recordId": "uuid" },
    "attachment_bytes": { "id": "uuid" },
    "media_source": {},
    "list_persons": {},
    "add_person": { "pseudonym": "string" },
    "save_draft": { "id": "uuid?", "kind": "string", "body": "object" },
    "list_drafts": {},
    "load_draft": { "id": "uuid" },
    "discard_draft": { "id": "uuid" },
    "commit_draft": { "id": "uuid" },
    "earlier_statements": { "personId": "uuid" },
    "profile_settings": {},
    "add_office_recipient": { "recipient": "string", "passphrase": "string?" },
    "trust_device": { "publicKey": "string", "name": "string", "passphrase": "string?" },
    "revoke_device": { "keyId": "string" },
    "home_folder": {},
    "export_bundle": { "path": "string", "all": "boolean", "onProgress": "channel" },
    "import_bundle": { "path": "string", "onProgress": "channel" },
    "search_records": { "query": "string", "offset": "uint" },
    "record_history": { "id": "uuid" },
    "person_page": { "after": "string?" },
    "reveal_identity": { "id": "uuid" },
    "list_establishments": { "after": "string?", "limit": "uint" },
    "load_establishment": { "id": "uuid" },
    "save_establishment": { "id": "uuid?", "body": "object" },
    "attach_file": { "recordId": "uuid", "path": "string", "description": "string?" },
    "list_cases": { "after": "string?", "limit": "uint" },
    "load_case": { "id": "uuid" },
    "save_case": { "id": "uuid?", "body": "object" },
    "list_records": { "kind": "string", "after": "string?", "limit": "uint" },
    "write_receipt": { "bundleId": "uuid", "path": "string" },
    "import_receipt": { "path": "string" },
    "purge_acknowledged": { "passphrase": "string?" },
    "prevalence_report": { "options": "object", "passphrase": "string?" },
    "casework_report": { "options": "object", "passphrase": "string?" },
    "write_partner_csv": { "path": "string", "csv": "object", "passphrase": "string?" },
    "recent_work": {},
    "case_view": { "id": "uuid" },
    "record_cases": { "id": "uuid" },
    "write_case_summary": {
      "id": "uuid",
      "path": "string",
      "includeIdentities": "boolean",
      "language": "string"
    },
    "begin_lock": {},
    "report_activity": {},
    "set_auto_lock": { "minutes": "uint" },
    "watch_locks": { "onLock": "channel" }
  },
  "plugins": {
    "plugin:dialog|open": { "options": "object" },
    "plugin:dialog|save": { "options": "object" }
  }
} /* json */
