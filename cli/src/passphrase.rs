//! Where a passphrase comes from: a file, an environment variable, or a prompt.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{bail, Context, Result};
use fieldcase_core::Passphrase;
use zeroize::Zeroizing;

fn from_file(path: &Path) -> Result<Passphrase> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("reading the passphrase file {}", path.display()))?,
    );
    let line = text.lines().next().unwrap_or("");
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
