//! Errors to exit codes and messages, in one place.

use std::io::Write;
use std::process::ExitCode;

use fieldcase_core::Error;

/// The exit code and a stable error code for a failure.
pub fn code_for(err: &anyhow::Error) -> (u8, &'static str) {
    let Some(core) = err.downcast_ref::<Error>() else {
        if err.downcast_ref::<crate::commands::UsageError>().is_some()
            || err
                .downcast_ref::<fieldcase_core::error::ValidationError>()
                .is_some()
        {
            return (4, "invalid");
        }
        return (1, "failed");
    };
    match core {
        Error::WrongPassphrase => (3, "wrong_passphrase"),
        Error::UnlockDelayed { .. } => (3, "unlock_delayed"),
        Error::Invalid(_)
        | Error::ProfileExists(_)
        | Error::Linked { .. }
        | Error::NotARegularFile { .. }
        | Error::PassphraseTooShort { .. }
        | Error::ResolutionDrops { .. } => (4, "invalid"),
        Error::NotFound { .. } | Error::NoProfile(_) => (5, "not_found"),
        Error::InUse => (6, "in_use"),
        Error::StoreDamaged(_)
        | Error::KeySlotDamaged(_)
        | Error::NewerSchema { .. }
        | Error::AttachmentDamaged(_) => (7, "damaged"),
        Error::DiskFull => (8, "disk_full"),
        Error::Conflict { .. } => (9, "conflict"),
        Error::Bundle(_) => (10, "bundle_refused"),
        Error::Keys(_) => (4, "invalid"),
        _ => (1, "failed"),
    }
}

/// Prints the error (plain, or JSON with `--json`) on stderr and returns its exit code.
pub fn report(err: &anyhow::Error, json: bool) -> ExitCode {
    let (code, name) = code_for(err);
    let mut message = match err.downcast_ref::<fieldcase_core::error::ValidationError>() {
        Some(v) => format!("invalid input: {v}"),
        None => chain_text(err),
    };
    // A resolution that would drop fields: say how to confirm, and list them for scripts.
    let dropped = match err.downcast_ref::<Error>() {
        Some(Error::ResolutionDrops { fields, .. }) => {
            let flags: Vec<String> = fields.iter().map(|f| format!("--drop {f}")).collect();
            message.push_str(&format!(" (to drop them, add {})", flags.join(" ")));
            Some(fields.clone())
        }
        _ => None,
    };
    // A closed stderr must not turn a clean failure into a panic: the exit code still tells.
    let mut stderr = std::io::stderr().lock();
    let _ = if json {
        let mut error = serde_json::json!({"code": name, "message": message});
        if let Some(fields) = dropped {
            error["fields"] = serde_json::json!(fields);
        }
        writeln!(stderr, "{}", serde_json::json!({ "error": error }))
    } else {
        writeln!(stderr, "fieldcase: {message}")
    };
    ExitCode::from(code)
}

/// The error and its causes, each said once (a core error often repeats its source's text).
fn chain_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
