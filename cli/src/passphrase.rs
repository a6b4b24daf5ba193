//! Where a passphrase comes from: a file, an environment variable, or a prompt.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{bail, Context, Result};
use fieldcase_core::Passphrase;
use zeroize::Zeroizing;

/// A passphrase file's first line longer than this is refused rather than cut short.
const PASSPHRASE_FILE_MAX: u64 = 64 * 1024;

/// The first line of a passphrase file. Unlike other inputs, a pipe is allowed here
/// (`--passphrase-file <(pass show fieldcase)` keeps the passphrase off the disk), so the read
/// is bounded instead: `/dev/zero` is refused after 64 KiB rather than read for ever.
fn from_file(path: &Path) -> Result<Passphrase> {
    let context = || format!("reading the passphrase file {}", path.display());
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(PASSPHRASE_FILE_MAX + 1).read_to_end(&mut bytes))
        .with_context(context)?;
    let end = bytes.iter().position(|b| *b == b'\n');
    if end.is_none() && bytes.len() as u64 > PASSPHRASE_FILE_MAX {
        bail!(crate::commands::UsageError(format!(
            "the passphrase file {} has no line end in its first 64 KiB; put the passphrase \
             on its first line",
            path.display()
        )));
    }
    let line = &bytes[..end.unwrap_or(bytes.len())];
    let line = std::str::from_utf8(line)
        .map_err(|_| anyhow::anyhow!("the passphrase file {} is not UTF-8 text", path.display()))?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(Passphrase::new(line.to_string()))
}

fn prompt(question: &str) -> Result<Passphrase> {
    if !std::io::stdin().is_terminal() {
        bail!(crate::commands::UsageError(
            "no passphrase given: use --passphrase-file, FIELDCASE_PASSPHRASE, or run in a terminal".into()
        ));
    }
    let text =
        Zeroizing::new(rpassword::prompt_password(question).context("reading the passphrase")?);
    Ok(Passphrase::new(text.to_string()))
}

/// The passphrase of an existing profile.
pub fn existing(file: Option<&Path>) -> Result<Passphrase> {
    if let Some(path) = file {
        return from_file(path);
    }
    if let Ok(text) = std::env::var("FIELDCASE_PASSPHRASE") {
        return Ok(Passphrase::new(text));
    }
    prompt("Passphrase: ")
}

/// A new passphrase: from a file or variable as given, or typed twice.
pub fn new(file: Option<&Path>, variable: &str) -> Result<Passphrase> {
    if let Some(path) = file {
        return from_file(path);
    }
    if let Ok(text) = std::env::var(variable) {
        return Ok(Passphrase::new(text));
    }
    let first = prompt("New passphrase (a long sentence is best): ")?;
    let second = prompt("The same passphrase again: ")?;
    if first.expose() != second.expose() {
        bail!(crate::commands::UsageError(
            "the two passphrases differ; nothing was changed".into()
        ));
    }
    Ok(first)
}
