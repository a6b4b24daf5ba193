//! Fieldcase's desktop shell: one window, a handful of thin commands over
//! `fieldcase-core`, and nothing the UI does not use.
//!
//! The window is built here rather than in `tauri.conf.json` so it can refuse
//! to navigate anywhere but the app's own pages: with the CSP (no remote
//! content) and the capabilities (only the app's commands, only in this
//! window), a page that somehow got loaded can neither leave nor reach more; and
//! with the isolation pattern (isolation.rs) each message it sends is checked against
//! the commands' argument shapes before it reaches them.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

mod cases;
#[cfg(target_os = "linux")]
mod clipboard;
mod commands;
mod error;
mod idle;
mod isolation;
mod locking;
#[cfg(target_os = "linux")]
mod logind;
mod media;
mod media_server;
mod receipts;
mod records;
mod reports;
mod session;
mod visits;
mod webview;

use session::{KdfChoice, Session};
use std::sync::Arc;
use tauri::{Manager, Url, WebviewUrl, WebviewWindowBuilder};

/// The window's only label; `capabilities/main.json` grants to it alone.
const MAIN_WINDOW: &str = "main";

/// Whether `url` is one of the app's own pages (the bundled `ui/dist`).
/// Linux and macOS serve them as `tauri://localhost`, Windows as `http(s)://tauri.localhost`.
fn is_app_url(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

fn main() {
    // Before anything reads a passphrase or starts WebKit's processes (which inherit the
    // core-file limit of 0; see docs/threat-model.md for what they do not inherit).
    if let Err(e) = fieldcase_core::hygiene::harden_process() {
        eprintln!("fieldcase: warning: {e}");
    }
    webview::prepare_environment();
    let (kdf, kdf_note) = KdfChoice::from_env(std::env::var_os(session::KDF_ENV));
    if let Some(note) = kdf_note {
        eprintln!("fieldcase: {note}");
    }
    let result = tauri::Builder::default()
        // The native file pickers ("Choose…" beside the typed paths). The capability grants
        // only its open and save dialogs; the chosen path comes back to the page as text and
        // goes to the app's own commands like a typed one (no file access for the page).
        .plugin(tauri_plugin_dialog::init())
        // Every command runs only with arguments the isolation frame checked (isolation.rs).
        .invoke_handler(isolation::through_frame(tauri::generate_handler![
            commands::app_status,
            commands::create_profile,
            commands::unlock,
            commands::lock,
            locking::begin_lock,
            locking::report_activity,
            locking::set_auto_lock,
            locking::watch_locks,
            commands::record_counts,
            commands::export_status,
            commands::list_conflicts,
            commands::show_conflict,
            commands::resolve_conflict,
            commands::device_timelines,
            commands::withdraw_consent,
            commands::change_passphrase,
            commands::list_attachments,
            commands::attachment_bytes,
            media_server::media_source,
            commands::list_persons,
            commands::add_person,
            commands::save_draft,
            commands::list_drafts,
            commands::load_draft,
            commands::discard_draft,
            commands::commit_draft,
            commands::earlier_statements,
            commands::profile_settings,
            commands::add_office_recipient,
            commands::trust_device,
            commands::revoke_device,
            commands::home_folder,
            commands::export_bundle,
            commands::import_bundle,
            // Search, record history, people and the identity reveal
            records::search_records,
            records::record_history,
            records::person_page,
            records::reveal_identity,
            visits::list_establishments,
            visits::load_establishment,
            visits::save_establishment,
            visits::attach_file,
            cases::list_cases,
            cases::load_case,
            cases::save_case,
            cases::list_records,
            receipts::write_receipt,
            receipts::import_receipt,
            receipts::purge_acknowledged,
            reports::prevalence_report,
            reports::casework_report,
            reports::write_partner_csv,
            records::recent_work,
            cases::case_view,
            cases::record_cases,
            cases::write_case_summary,
        ]))
        .setup(move |app| {
            let dir = session::profile_dir(
                std::env::var_os(session::PROFILE_DIR_ENV),
                app.path().app_data_dir().ok(),
            )
            .ok_or("no folder for the profile: set FIELDCASE_PROFILE_DIR")?;
            let session: commands::SessionState = Arc::new(Session::new(dir, kdf));
            // Videos and recordings are played from the store over the loopback (media.rs).
            // Without it the app still works; those say they cannot play here.
            let server = media_server::MediaServer::start(session.clone());
            if let Err(e) = &server {
                eprintln!("fieldcase: videos and recordings cannot play: {e}");
            }
            app.manage(server.ok());
            // Auto-lock's deadline is kept here, not in the page; sleep and the screen lock
            // come over D-Bus where there is one.
            session::Session::keep_time(session.clone())?;
            #[cfg(target_os = "linux")]
            {
                let handle = app.handle().clone();
                session.on_every_lock(move || {
                    let _ = handle.run_on_main_thread(clipboard::clear_ours);
                });
            }
            #[cfg(target_os = "linux")]
            logind::watch(session.clone());
            app.manage::<commands::SessionState>(session);
            let window =
                WebviewWindowBuilder::new(app, MAIN_WINDOW, WebviewUrl::App("index.html".into()))
                    .title("Fieldcase")
                    .inner_size(960.0, 720.0)
                    .min_inner_size(560.0, 480.0)
                    .on_navigation(is_app_url)
                    .build()?;
            webview::tune(&window);
            Ok(())
        })
        .run(context());
    if let Err(e) = result {
        eprintln!("fieldcase: the window could not start: {e}");
        std::process::exit(1);
    }
}

/// The app's context, its CSP letting in the isolation frame (isolation.rs).
fn context() -> tauri::Context {
    let mut context = tauri::generate_context!();
    isolation::allow_frame(&mut context);
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_capability_grants_the_app_commands_to_the_main_window_only() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        assert_eq!(cap["windows"], serde_json::json!([MAIN_WINDOW]));
        assert!(cap.get("webviews").is_none() && cap.get("remote").is_none());
        let granted: Vec<&str> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        // Exactly the UI's commands: no core:* (window, webview, event, path…), and of the
        // plugins only the dialog's open and save (the file pickers), not its default set
        // (message, ask, confirm).
        assert_eq!(
            granted,
            [
                "allow-app-status",
                "allow-create-profile",
                "allow-unlock",
                "allow-lock",
                "allow-begin-lock",
                "allow-report-activity",
                "allow-set-auto-lock",
                "allow-watch-locks",
                "allow-record-counts",
                "allow-export-status",
                "allow-list-conflicts",
                "allow-show-conflict",
                "allow-resolve-conflict",
                "allow-device-timelines",
                "allow-withdraw-consent",
                "allow-change-passphrase",
                "allow-list-attachments",
                "allow-attachment-bytes",
                "allow-media-source",
                "allow-list-persons",
                "allow-add-person",
                "allow-save-draft",
                "allow-list-drafts",
                "allow-load-draft",
                "allow-discard-draft",
                "allow-commit-draft",
                "allow-earlier-statements",
                "allow-profile-settings",
                "allow-add-office-recipient",
                "allow-trust-device",
                "allow-revoke-device",
                "allow-home-folder",
                "allow-export-bundle",
                "allow-import-bundle",
                "allow-search-records",
                "allow-record-history",
                "allow-person-page",
                "allow-reveal-identity",
                "allow-list-establishments",
                "allow-load-establishment",
                "allow-save-establishment",
                "allow-attach-file",
                "allow-list-cases",
                "allow-load-case",
                "allow-save-case",
                "allow-list-records",
                "allow-write-receipt",
                "allow-import-receipt",
                "allow-purge-acknowledged",
                "allow-prevalence-report",
                "allow-casework-report",
                "allow-write-partner-csv",
                "allow-recent-work",
                "allow-case-view",
                "allow-record-cases",
                "allow-write-case-summary",
                "dialog:allow-open",
                "dialog:allow-save",
            ]
        );
    }

    #[test]
    fn only_the_apps_own_pages_may_load() {
        assert!(is_app_url(&url("tauri://localhost/index.html")));
        assert!(is_app_url(&url("http://tauri.localhost/")));
        assert!(!is_app_url(&url("https://example.org/")));
        assert!(!is_app_url(&url("http://localhost:5173/")));
        assert!(!is_app_url(&url("file:///etc/passwd")));
        assert!(!is_app_url(&url("tauri://evil.example/")));
    }
}
