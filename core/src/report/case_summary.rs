//! The printable case summary: a case view ([`CaseView`]) as a PDF, for a court file or a
//! partner meeting. Persons appear by pseudonym; their identity fields say "withheld" unless
//! the summary is made with identities, which is logged (as is every summary). See
//! `docs/case-summary.md`.
//!
//! The PDF is plaintext of the records it shows and is not encrypted. It is made in memory
//! and handed back as bytes; the core never writes it anywhere. The shell writes it only to
//! the file the person chose (never a temporary file).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Outcome, PersonIdentity};
use crate::report::pdf::{Layout, Style, MARGIN_X, TEXT_WIDTH};
use crate::store::audit::Action;
use crate::store::cases::{self, CaseEntry, CaseView, EntryDetail, EntryState};
use crate::store::revisions;
use crate::Store;

/// Who made a summary, and when: printed on every page's foot.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who (the profile's author).
    pub by: String,
    /// On which device (its name).
    pub device: String,
}

const TITLE: Style = Style::new(17.0);
const HEADING: Style = Style::new(12.5);
const BODY: Style = Style::new(10.0);
const SMALL: Style = Style::grey(8.5);

/// Where the timeline's text column starts, after the date column.
const DATE_COLUMN: f32 = 92.0;
/// Where a label's value starts.
const LABEL_COLUMN: f32 = 100.0;

/// Makes the PDF of a case summary. `identities` holds the identity sections of the persons
/// to show them for (only when the person asked for identities; None withholds every one).
/// Pure: reads nothing, logs nothing (see [`Store::case_summary_pdf`]).
pub fn case_summary(
    view: &CaseView,
    identities: Option<&BTreeMap<Uuid, PersonIdentity>>,
    printed: &Printed,
) -> Result<Vec<u8>> {
    let mut page = Layout::new()?;
    let x = MARGIN_X;
    page.paragraph(
        x,
        TEXT_WIDTH,
        "CONFIDENTIAL · Case summary · This PDF is not encrypted",
        SMALL,
    );
    let heading = if view.title.trim().is_empty() {
        view.code.clone()
    } else {
        format!("{} · {}", view.code, view.title.trim())
    };
    page.paragraph(x, TEXT_WIDTH, &heading, TITLE);
    page.space(2.0);
    label_row(&mut page, "Status", view.status.label());
    label_row(&mut page, "Opened", view.opened_on.to_string());
    label_row(&mut page, "Last changed", day_and_time(&view.updated_at));
    if view.in_conflict {
        label_row(
            &mut page,
            "Note",
            "this case has two or more versions (edited apart on two devices); the newest is shown"
                .to_string(),
        );
    }
    let identity_line = match identities {
        None => "withheld (this summary was made without identities)",
        Some(_) => {
            "INCLUDED at the user's request (logged); keep this paper as safe as the records"
        }
    };
    label_row(&mut page, "Identities", identity_line.to_string());

    section(&mut page, "Arrests and convictions");
    outcomes(&mut page, "Arrests", &view.arrests, view.total_arrested);
    outcomes(
        &mut page,
        "Convictions",
        &view.convictions,
        view.total_convicted,
    );

    if !view.notes.trim().is_empty() {
        section(&mut page, "Notes");
        page.paragraph(x, TEXT_WIDTH, view.notes.trim(), BODY);
    }

    section(
        &mut page,
        &format!(
            "Timeline ({} linked records; times UTC)",
            view.entries.len()
        ),
    );
    if view.entries.is_empty() {
        page.paragraph(x, TEXT_WIDTH, "Nothing is linked to this case yet.", BODY);
    }
    for entry in &view.entries {
        timeline_entry(&mut page, entry);
    }

    let persons: Vec<&CaseEntry> = view
        .entries
        .iter()
        .filter(|e| e.kind == crate::model::RecordKind::Person)
        .collect();
    section(&mut page, "Persons");
    if persons.is_empty() {
        page.paragraph(x, TEXT_WIDTH, "No person is linked to this case.", BODY);
    }
    for entry in persons {
        person(&mut page, entry, identities);
    }

    let printed_at = printed.at.format("%Y-%m-%d %H:%M UTC");
    let code = view.code.clone();
    let by = format!("{} ({})", printed.by, printed.device);
    page.finish(move |n, total| {
        format!(
            "{code} · printed {printed_at} by {by} · CONFIDENTIAL, not encrypted · page {n} of {total}"
        )
    })
}

fn section(page: &mut Layout, title: &str) {
    page.space(8.0);
    page.keep(60.0);
    page.paragraph(MARGIN_X, TEXT_WIDTH, title, HEADING);
    page.rule();
}

fn label_row(page: &mut Layout, label: &str, value: String) {
    page.row(&[
        (MARGIN_X, LABEL_COLUMN - 6.0, label, SMALL),
        (
            MARGIN_X + LABEL_COLUMN,
            TEXT_WIDTH - LABEL_COLUMN,
            &value,
            BODY,
        ),
    ]);
}

fn outcomes(page: &mut Layout, label: &str, list: &[Outcome], total: u64) {
    if list.is_empty() {
        label_row(page, label, "none recorded".into());
        return;
    }
    let mut lines = vec![format!("{total} people in all")];
    for o in list {
        let note = o.note.trim();
        lines.push(if note.is_empty() {
            format!("{}: {}", o.date, o.count)
        } else {
            format!("{}: {} · {note}", o.date, o.count)
        });
    }
    label_row(page, label, lines.join("\n"));
}

fn day_and_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn timeline_entry(page: &mut Layout, entry: &CaseEntry) {
    let date = match (&entry.date, &entry.time) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        (Some(d), None) => d.to_string(),
        (None, _) => "no date".to_string(),
    };
    let dated = match (&entry.date, &entry.time) {
        (Some(_), None) => "recorded",
        _ => "",
    };
    let mut text = match entry.state {
        EntryState::Present => entry.title.clone(),
        _ => format!("{}: {}", entry.kind, entry.title),
    };
    if entry.kind == crate::model::RecordKind::Person && entry.state == EntryState::Present {
        text = format!("Person · {text}");
    }
    if entry.kind == crate::model::RecordKind::Establishment && entry.state == EntryState::Present {
        text = format!("Establishment · {text}");
    }
    let mut marks = Vec::new();
    if entry.in_conflict {
        marks.push("IN CONFLICT: two versions, the newest shown".to_string());
    }
    if !entry.consent_withdrawn.is_empty() {
        marks.push(format!(
            "CONSENT WITHDRAWN: {}",
            entry.consent_withdrawn.join(", ").replace('_', " ")
        ));
    }
    if !marks.is_empty() {
        text.push('\n');
        text.push_str(&marks.join("\n"));
    }
    let id = format!("id {}", entry.id);
    let width = TEXT_WIDTH - DATE_COLUMN;
    page.keep(40.0);
    page.row(&[
        (MARGIN_X, DATE_COLUMN - 6.0, &date, SMALL),
        (MARGIN_X + DATE_COLUMN, width, &text, BODY),
    ]);
    page.row(&[
        (MARGIN_X, DATE_COLUMN - 6.0, dated, SMALL),
        (MARGIN_X + DATE_COLUMN, width, &id, SMALL),
    ]);
    page.space(4.0);
}

fn person(
    page: &mut Layout,
    entry: &CaseEntry,
    identities: Option<&BTreeMap<Uuid, PersonIdentity>>,
) {
    let (name, role, has_identity) = match &entry.detail {
        Some(EntryDetail::Person {
            pseudonym,
            role,
            has_identity,
        }) => (pseudonym.clone(), role.label(), *has_identity),
        _ => {
            page.row(&[(MARGIN_X, TEXT_WIDTH, &entry.title, BODY)]);
            page.row(&[(MARGIN_X, TEXT_WIDTH, &format!("id {}", entry.id), SMALL)]);
            page.space(4.0);
            return;
        }
    };
    page.keep(50.0);
    page.paragraph(MARGIN_X, TEXT_WIDTH, &format!("{name} · {role}"), BODY);
    let shown = identities.and_then(|m| m.get(&entry.id));
    match (has_identity, identities, shown) {
        (false, _, _) => label_row(page, "Identity", "none recorded".into()),
        (true, None, _) => {
            for label in [
                "Legal name",
                "Other names",
                "Born",
                "Documents",
                "Contacts",
                "Family",
            ] {
                label_row(page, label, "withheld".into());
            }
        }
        (true, Some(_), None) => label_row(page, "Identity", "could not be read".into()),
        (true, Some(_), Some(identity)) => identity_rows(page, identity),
    }
    page.row(&[(MARGIN_X, TEXT_WIDTH, &format!("id {}", entry.id), SMALL)]);
    page.space(6.0);
}

fn or_none(list: Vec<String>) -> String {
    if list.is_empty() {
        "none recorded".into()
    } else {
        list.join("\n")
    }
}

fn identity_rows(page: &mut Layout, identity: &PersonIdentity) {
    let legal = identity
        .legal_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "none recorded".into());
    label_row(page, "Legal name", legal);
    label_row(page, "Other names", or_none(identity.other_names.clone()));
    label_row(
        page,
        "Born",
        identity
            .birth_date
            .map_or_else(|| "none recorded".into(), |d| d.to_string()),
    );
    let documents = identity
        .id_documents
        .iter()
        .map(|d| {
            if d.issuer.trim().is_empty() {
                format!("{} {}", d.kind.label(), d.number)
            } else {
                format!("{} {} ({})", d.kind.label(), d.number, d.issuer)
            }
        })
        .collect();
    label_row(page, "Documents", or_none(documents));
    let contacts = identity
        .contacts
        .iter()
        .map(|c| {
            if c.note.trim().is_empty() {
                format!("{} {}", c.kind.label(), c.value)
            } else {
                format!("{} {} ({})", c.kind.label(), c.value, c.note)
            }
        })
        .collect();
    label_row(page, "Contacts", or_none(contacts));
    let family = identity
        .family
        .iter()
        .map(|f| {
            let mut line = f.relation.clone();
            for part in [&f.name, &f.contact, &f.note] {
                if !part.trim().is_empty() {
                    line.push_str(" · ");
                    line.push_str(part);
                }
            }
            line
        })
        .collect();
    label_row(page, "Family", or_none(family));
}

impl Store {
    /// Makes the printable summary of a case (PDF bytes, in a buffer zeroized when dropped)
    /// and logs it: `case_summary`, or `case_summary_identities` when `include_identities`
    /// (the persons' identity fields are printed; the entry names the case code and the
    /// persons' ids, never an identity). `at` is the time printed on it and logged. Nothing
    /// is written to disk: the caller writes the bytes to the file the person chose. Errors
    /// as [`Store::case_view`]; nothing is logged when it fails.
    pub fn case_summary_pdf(
        &mut self,
        case_id: Uuid,
        include_identities: bool,
        at: DateTime<Utc>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let view = cases::case_view(&self.conn, case_id)?;
        let identities = if include_identities {
            let mut map = BTreeMap::new();
            for entry in &view.entries {
                let has = matches!(
                    entry.detail,
                    Some(EntryDetail::Person {
                        has_identity: true,
                        ..
                    })
                );
                if !has {
                    continue;
                }
                let shown = revisions::view(&self.conn, entry.id, true)?;
                let Some(value) = shown
                    .body
                    .and_then(|mut b| b.get_mut("identity").map(|v| v.take()))
                else {
                    continue;
                };
                let identity: PersonIdentity = serde_json::from_value(value)
                    .map_err(|e| Error::StoreDamaged(format!("person {}: {e}", entry.id)))?;
                map.insert(entry.id, identity);
            }
            Some(map)
        } else {
            None
        };
        let printed = Printed {
            at,
            by: self.device.author.clone(),
            device: self.device.name.clone(),
        };
        let bytes = Zeroizing::new(case_summary(&view, identities.as_ref(), &printed)?);
        let (action, detail) = match &identities {
            Some(map) => (
                Action::CaseSummaryIdentities,
                json!({"case": view.code, "identities_of": map.keys().collect::<Vec<_>>()}),
            ),
            None => (Action::CaseSummary, json!({"case": view.code})),
        };
        let tx = self.conn.unchecked_transaction()?;
        crate::store::audit::append(
            &tx,
            at,
            &self.device.id.to_string(),
            &self.device.author,
            action,
            Some(&case_id.to_string()),
            detail,
        )?;
        tx.commit()?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests;
