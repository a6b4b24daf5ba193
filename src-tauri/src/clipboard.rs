//! What the window put on the clipboard goes when the profile locks.
//!
//! A copy from the window (Ctrl+C), and on X11 a mere selection (the PRIMARY selection,
//! pasted with the middle button), leave record text with the system, readable by any
//! program and pasted anywhere after the laptop is locked. WebKitGTK serves both from this
//! process through GTK's clipboard, so at every lock the app gives up both selections.
//! GTK clears a selection only while this process owns it: something copied in another
//! program since is left alone. A clipboard manager that already took a copy keeps it;
//! that is written down in docs/threat-model.md.

/// Gives up the CLIPBOARD and PRIMARY selections if the window holds them. Call it on the
/// main (GTK) thread.
pub fn clear_ours() {
    for selection in [gtk::gdk::SELECTION_CLIPBOARD, gtk::gdk::SELECTION_PRIMARY] {
        gtk::Clipboard::get(&selection).clear();
    }
}
