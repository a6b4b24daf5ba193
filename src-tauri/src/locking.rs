//! The commands of locking that the page drives: the panic key's first step, activity
//! reports for the shell's auto-lock, the auto-lock time, and where the page hears of the
//! shell's own locks. The deadlines themselves live in [`crate::session`] and
//! [`crate::idle`]; sleep and the session's screen lock come from [`crate::logind`].

use crate::commands::SessionState;
use crate::error::{ApiError, Code};
use crate::idle::boot_now;
use crate::session::{LockCause, GRACE};
use tauri::ipc::Channel;
use tauri::State;

/// The panic key and the Lock button, at once: the profile counts as locked from now on
/// (a reload shows the unlock screen), the page's last draft save may still land, and the
/// store is dropped by `lock` or by the shell after `session::GRACE`, whichever is first.
#[tauri::command]
pub fn begin_lock(session: State<'_, SessionState>) {
    session.begin_lock(GRACE, boot_now());
}

/// Someone used the app (a key, a click, the pointer); the page sends this at most about
/// once a second. The shell's auto-lock deadline moves on.
#[tauri::command]
pub fn report_activity(session: State<'_, SessionState>) {
    session.note_activity(boot_now());
}

/// The auto-lock time chosen in Settings, in minutes (one of its choices).
#[tauri::command]
pub fn set_auto_lock(session: State<'_, SessionState>, minutes: u32) -> Result<(), ApiError> {
    if session.set_auto_lock_minutes(minutes) {
        Ok(())
    } else {
        Err(ApiError::new(
            Code::Invalid,
            format!("minutes: {minutes} is not one of the auto-lock choices"),
        ))
    }
}

/// Where the page hears of locks the shell decides by itself (auto-lock, sleep, the
/// session's screen lock), so it hides at once and saves its draft.
#[tauri::command]
pub fn watch_locks(session: State<'_, SessionState>, on_lock: Channel<LockCause>) {
    session.listen_for_locks(on_lock);
}
