//! Locks when the system is about to sleep and when the desktop session's screen locks,
//! from systemd-logind over the system D-Bus.
//!
//! - **Sleep.** logind sends `PrepareForSleep(true)` on its manager before a suspend or a
//!   hibernation. The app holds a *delay* inhibitor (`Inhibit("sleep", …, "delay")`), so
//!   logind waits until the lock is done (the store dropped) before the laptop sleeps, and
//!   takes a new one when it wakes (`PrepareForSleep(false)`). logind waits at most its
//!   `InhibitDelayMaxSec` (5 s by default); the lock takes at most [`GRACE`].
//! - **Screen lock.** The session's `Lock` signal (`loginctl lock-session`, most screen
//!   lockers), or its `LockedHint` property turning true (GNOME sets the hint and sends no
//!   `Lock`).
//!
//! Signals are taken from any sender on those paths: a program that forges one can only
//! make the app lock, which it could do as well by pressing the panic key's keys. D-Bus is
//! GLib's (gio), which the window's toolkit already links, on a thread and main loop of its
//! own. Where there is no system bus, or no logind on it, the app still locks on idle and
//! on the panic key, and says on stderr what it cannot do.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use gio::prelude::*;
use gio::{BusType, DBusCallFlags, DBusConnection, DBusSignalFlags, UnixFDList};
use glib::{MainContext, MainLoop, Variant, VariantTy};

use crate::idle::boot_now;
use crate::session::{LockCause, Session, GRACE};

const LOGIND: &str = "org.freedesktop.login1";
const MANAGER_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";
/// How long a call to logind may take before the app gives up on it.
const CALL_TIMEOUT_MS: i32 = 3_000;

/// Starts watching logind on a thread of its own. Never fails: what cannot be watched is
/// said on stderr, once.
pub fn watch(session: Arc<Session>) {
    let spawned = std::thread::Builder::new()
        .name("fieldcase-logind".into())
        .spawn(move || {
            let context = MainContext::new();
            let ran = context.with_thread_default(|| match subscribe(&session) {
                Ok(_watch) => MainLoop::new(Some(&context), false).run(),
                Err(e) => eprintln!(
                    "fieldcase: no lock on sleep or screen lock (no system D-Bus: {e}); \
                     auto-lock and the panic key still work"
                ),
            });
            if let Err(e) = ran {
                eprintln!("fieldcase: no lock on sleep or screen lock ({e})");
            }
        });
    if let Err(e) = spawned {
        eprintln!("fieldcase: no lock on sleep or screen lock ({e})");
    }
}

/// What keeps the subscriptions alive while the main loop runs.
struct Watch {
    _connection: DBusConnection,
}

fn subscribe(session: &Arc<Session>) -> Result<Watch, glib::Error> {
    let connection = gio::bus_get_sync(BusType::System, None::<&gio::Cancellable>)?;
    let inhibitor = Rc::new(RefCell::new(take_inhibitor(&connection)));
    {
        let (session, inhibitor) = (session.clone(), inhibitor.clone());
        connection.signal_subscribe(
            None,
            Some(MANAGER),
            Some("PrepareForSleep"),
            Some(MANAGER_PATH),
            None,
            DBusSignalFlags::NONE,
            move |connection, _, _, _, _, parameters| {
                match parameters.get::<(bool,)>() {
                    Some((true,)) => {
                        session.lock_by_shell(LockCause::Sleep, boot_now());
                        wait_until_released(&session);
                        // Closing the inhibitor's descriptor lets the sleep go ahead.
                        inhibitor.borrow_mut().take();
                    }
                    Some((false,)) => *inhibitor.borrow_mut() = take_inhibitor(connection),
                    None => {}
                }
            },
        );
    }
    match session_path(&connection) {
        Ok(path) => watch_screen_lock(&connection, &path, session),
        Err(e) => eprintln!("fieldcase: no lock with the screen (no logind session: {e})"),
    }
    Ok(Watch {
        _connection: connection,
    })
}

/// A delay inhibitor on sleep: held as the descriptor list logind's answer came with
/// (dropping the list closes the descriptor, which releases it).
fn take_inhibitor(connection: &DBusConnection) -> Option<UnixFDList> {
    let arguments = ("sleep", "Fieldcase", "Locking the open profile", "delay").to_variant();
    let answer = connection.call_with_unix_fd_list_sync(
        Some(LOGIND),
        MANAGER_PATH,
        MANAGER,
        "Inhibit",
        Some(&arguments),
        VariantTy::new("(h)").ok(),
        DBusCallFlags::NONE,
        CALL_TIMEOUT_MS,
        None::<&UnixFDList>,
        None::<&gio::Cancellable>,
    );
    match answer {
        Ok((_, descriptors)) => Some(descriptors),
        Err(e) => {
            eprintln!("fieldcase: sleep will not wait for the lock (no logind inhibitor: {e})");
            None
        }
    }
}

/// Waits (at most a little over the grace) until the shell holds no store.
fn wait_until_released(session: &Session) {
    let deadline = boot_now() + GRACE + Duration::from_millis(250);
    while session.holds_store() && boot_now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        session.tick(boot_now());
    }
}

/// This process's logind session object.
fn session_path(connection: &DBusConnection) -> Result<String, glib::Error> {
    let answer = connection.call_sync(
        Some(LOGIND),
        MANAGER_PATH,
        MANAGER,
        "GetSessionByPID",
        Some(&(std::process::id(),).to_variant()),
        VariantTy::new("(o)").ok(),
        DBusCallFlags::NONE,
        CALL_TIMEOUT_MS,
        None::<&gio::Cancellable>,
    )?;
    Ok(answer
        .child_value(0)
        .str()
        .map(str::to_owned)
        .unwrap_or_default())
}

fn watch_screen_lock(connection: &DBusConnection, path: &str, session: &Arc<Session>) {
    let on_lock = session.clone();
    connection.signal_subscribe(
        None,
        Some(SESSION),
        Some("Lock"),
        Some(path),
        None,
        DBusSignalFlags::NONE,
        move |_, _, _, _, _, _| on_lock.lock_by_shell(LockCause::ScreenLocked, boot_now()),
    );
    let on_hint = session.clone();
    connection.signal_subscribe(
        None,
        Some(PROPERTIES),
        Some("PropertiesChanged"),
        Some(path),
        Some(SESSION),
        DBusSignalFlags::NONE,
        move |_, _, _, _, _, parameters| {
            if locked_hint_set(parameters) {
                on_hint.lock_by_shell(LockCause::ScreenLocked, boot_now());
            }
        },
    );
}

/// Whether a `PropertiesChanged(s, a{sv}, as)` sets `LockedHint` to true.
fn locked_hint_set(parameters: &Variant) -> bool {
    let changed = glib::VariantDict::new(Some(&parameters.child_value(1)));
    changed
        .lookup_value("LockedHint", Some(glib::VariantTy::BOOLEAN))
        .and_then(|v| v.get::<bool>())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn changed(props: HashMap<&str, Variant>) -> Variant {
        let invalidated: Vec<String> = Vec::new();
        (SESSION, props, invalidated).to_variant()
    }

    #[test]
    fn only_a_locked_hint_turning_true_locks() {
        let on = HashMap::from([("LockedHint", true.to_variant())]);
        assert!(locked_hint_set(&changed(on)));
        let off = HashMap::from([("LockedHint", false.to_variant())]);
        assert!(!locked_hint_set(&changed(off)));
        let other = HashMap::from([("IdleHint", true.to_variant())]);
        assert!(!locked_hint_set(&changed(other)));
        let odd = HashMap::from([("LockedHint", "yes".to_variant())]);
        assert!(!locked_hint_set(&changed(odd)));
    }
}
