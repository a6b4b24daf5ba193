//! Receipts and purge from the app (issue 3's round trip, without the CLI): the office writes a
//! signed receipt for a bundle it imported; the laptop reads the receipt (checked against the
//! office key it trusts) and then, deliberately, removes from itself what the office holds,
//! leaving stubs. Thin like `commands.rs`: each command calls the core once, off the window's
//! thread. Every name here is also in `build.rs`, `main.rs` and `capabilities/main.json`.

use crate::commands::{confirmed_job, job, user_path, SessionState};
use crate::error::ApiError;
use fieldcase_core::bundle::{PurgeSummary, ReceiptSummary};
use tauri::{AppHandle, State};
use uuid::Uuid;

/// Office: writes a signed receipt for the imported bundle `bundle_id` to `path` (which must
/// not exist). The core logs it.
#[tauri::command]
pub async fn write_receipt(
    app: AppHandle,
    session: State<'_, SessionState>,
    bundle_id: Uuid,
    path: String,
) -> Result<ReceiptSummary, ApiError> {
    let out = user_path(&app, &path)?;
    job(&session, move |store| store.write_receipt(bundle_id, &out)).await
}

/// Laptop: reads the office's receipt at `path` and marks what it lists acknowledged. A receipt
/// not signed by a trusted office key, or for a bundle this laptop did not write, is refused
/// and changes nothing.
#[tauri::command]
pub async fn import_receipt(
    app: AppHandle,
    session: State<'_, SessionState>,
    path: String,
) -> Result<ReceiptSummary, ApiError> {
    let file = user_path(&app, &path)?;
    job(&session, move |store| store.import_receipt(&file)).await
}

/// Laptop: removes what the office acknowledged holding (bodies, identity sections,
/// attachment files), leaving stubs that say where it went, after the passphrase typed
/// again (it cannot be undone on this laptop). The core logs it.
#[tauri::command]
pub async fn purge_acknowledged(
    session: State<'_, SessionState>,
    passphrase: Option<String>,
) -> Result<PurgeSummary, ApiError> {
    confirmed_job(&session, passphrase, "purging", |store| {
        store.purge_acknowledged()
    })
    .await
}
