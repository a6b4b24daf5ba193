//! Compiles the capabilities and generates one `allow-*`/`deny-*` permission per
//! app command. Listing the commands here switches Tauri from "every app command
//! is callable" to "only what a capability grants", so a command that no
//! capability names is refused at the IPC boundary.

fn main() {
    // tauri::generate_context! embeds ui/dist; say how to make it rather than
    // letting the macro fail with a bare path.
    let dist = std::path::Path::new("../ui/dist/index.html");
    println!("cargo:rerun-if-changed=../ui/dist");
    // The isolation page (tauri.conf.json's pattern), embedded the same way.
    println!("cargo:rerun-if-changed=../ui/isolation");
    if !dist.exists() {
        panic!(
            "ui/dist is missing: build the front end first with `scripts/desktop.sh ui` \
             (or `npm ci && npm run build` in ui/)"
        );
    }
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_status",
            "create_profile",
            "unlock",
            "lock",
            // Locking driven by the page and kept by the shell (locking.rs).
            "begin_lock",
            "report_activity",
            "set_auto_lock",
            "watch_locks",
            "record_counts",
            "export_status",
            "list_conflicts",
            "show_conflict",
            "resolve_conflict",
            "device_timelines",
            "withdraw_consent",
            "change_passphrase",
            "list_attachments",
            "attachment_bytes",
            "media_source",
            "list_persons",
            "add_person",
            "save_draft",
            "list_drafts",
            "load_draft",
            "discard_draft",
            "commit_draft",
            "earlier_statements",
            "profile_settings",
            "add_office_recipient",
            "trust_device",
            "revoke_device",
            "home_folder",
            "export_bundle",
            "import_bundle",
            // Search, record history, people and the identity reveal (records.rs)
            "search_records",
            "record_history",
            "person_page",
            "reveal_identity",
            // Establishments and visits (visits.rs).
            "list_establishments",
            "load_establishment",
            "save_establishment",
            "attach_file",
            // Cases (cases.rs).
            "list_cases",
            "load_case",
            "save_case",
            "list_records",
            // Receipts and purge (receipts.rs).
            "write_receipt",
            "import_receipt",
            "purge_acknowledged",
            // The office's reports and partner CSVs (reports.rs).
            "prevalence_report",
            "casework_report",
            "write_partner_csv",
            // Home's recent work (records.rs).
            "recent_work",
            // The case timeline, its summary, the cases of a record (cases.rs).
            "case_view",
            "record_cases",
            "write_case_summary",
        ]),
    ))
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
