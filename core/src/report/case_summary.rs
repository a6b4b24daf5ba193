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
use crate::model::{Outcome, PersonIdentity, RecordKind};
use crate::report::pdf::{Layout, Style, MARGIN_X, TEXT_WIDTH};
use crate::store::audit::Action;
use crate::store::cases::{self, CaseEntry, CaseView, EntryDetail, EntryState};
use crate::store::revisions;
use crate::Store;

mod words;

pub use words::SummaryLanguage;
use words::Words;

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

/// Makes the PDF of a case summary in English. `identities` holds the identity sections of
/// the persons to show them for (only when the person asked for identities; None withholds
/// every one). Pure: reads nothing, logs nothing (see [`Store::case_summary_pdf`]).
pub fn case_summary(
    view: &CaseView,
    identities: Option<&BTreeMap<Uuid, PersonIdentity>>,
    printed: &Printed,
) -> Result<Vec<u8>> {
    case_summary_in(view, identities, printed, SummaryLanguage::English)
}

/// [`case_summary`] with its own words (headings, labels, code values) in `language`.
pub fn case_summary_in(
    view: &CaseView,
    identities: Option<&BTreeMap<Uuid, PersonIdentity>>,
    printed: &Printed,
    language: SummaryLanguage,
) -> Result<Vec<u8>> {
    let w = language.words();
    let mut page = Layout::new()?;
    let x = MARGIN_X;
    page.paragraph(x, TEXT_WIDTH, w.banner, SMALL);
    let heading = if view.title.trim().is_empty() {
        view.code.clone()
    } else {
        format!("{} · {}", view.code, view.title.trim())
    };
    page.paragraph(x, TEXT_WIDTH, &heading, TITLE);
    page.space(2.0);
    label_row(&mut page, w.status, language.status(view.status));
    label_row(&mut page, w.opened, view.opened_on.to_string());
    label_row(&mut page, w.last_changed, day_and_time(&view.updated_at));
    if view.in_conflict {
        label_row(&mut page, w.note, w.case_in_conflict.to_string());
    }
    let identity_line = match identities {
        None => w.identities_withheld,
        Some(_) => w.identities_included,
    };
    label_row(&mut page, w.identities, identity_line.to_string());

    section(&mut page, w.outcomes);
    outcomes(&mut page, w, w.arrests, &view.arrests, view.total_arrested);
    outcomes(
        &mut page,
        w,
        w.convictions,
        &view.convictions,
        view.total_convicted,
    );

    if !view.notes.trim().is_empty() {
        section(&mut page, w.notes);
        page.paragraph(x, TEXT_WIDTH, view.notes.trim(), BODY);
    }

    section(
        &mut page,
        &format!(
            "{} ({} {}; {})",
            w.timeline,
            view.entries.len(),
            w.linked_records,
            w.times_utc
        ),
    );
    if view.entries.is_empty() {
        page.paragraph(x, TEXT_WIDTH, w.nothing_linked, BODY);
    }
    for entry in &view.entries {
        timeline_entry(&mut page, entry, language);
    }

    let persons: Vec<&CaseEntry> = view
        .entries
        .iter()
        .filter(|e| e.kind == RecordKind::Person)
        .collect();
    section(&mut page, w.persons);
    if persons.is_empty() {
        page.paragraph(x, TEXT_WIDTH, w.no_person, BODY);
    }
    for entry in persons {
        person(&mut page, entry, identities, language);
    }

    let printed_at = printed.at.format("%Y-%m-%d %H:%M UTC");
    let code = view.code.clone();
    let by = format!("{} ({})", printed.by, printed.device);
    page.finish(move |n, total| {
        format!(
            "{code} · {} {printed_at} {} {by} · {} · {} {n} {} {total}",
            w.printed, w.by, w.footer_warning, w.page, w.of
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

fn outcomes(page: &mut Layout, w: &Words, label: &str, list: &[Outcome], total: u64) {
    if list.is_empty() {
        label_row(page, label, w.none_recorded.into());
        return;
    }
    let mut lines = vec![format!("{total} {}", w.people_in_all)];
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

/// An entry's title in `language`, from its facts (the view's own title is English).
fn entry_title(entry: &CaseEntry, language: SummaryLanguage) -> String {
    let w = language.words();
    let kind = language.kind(entry.kind);
    let date = entry.date.map(|d| d.to_string()).unwrap_or_default();
    match (&entry.state, &entry.detail) {
        (
            EntryState::Present,
            Some(EntryDetail::Person {
                pseudonym, role, ..
            }),
        ) => {
            format!("{kind} · {pseudonym} · {}", language.role(*role))
        }
        (
            EntryState::Present,
            Some(EntryDetail::Interview {
                place,
                place_note,
                pseudonym,
                ..
            }),
        ) => {
            let mut where_ = language.place(*place);
            if !place_note.trim().is_empty() {
                where_ = format!("{where_} ({})", place_note.trim());
            }
            let who = pseudonym.as_deref().unwrap_or(w.person_not_here);
            format!("{kind} · {date} · {where_} · {who}")
        }
        (
            EntryState::Present,
            Some(EntryDetail::Visit {
                purpose,
                establishment,
                ..
            }),
        ) => {
            let place = establishment.as_deref().unwrap_or(w.establishment_not_here);
            format!("{kind} · {date} · {place} · {}", language.purpose(*purpose))
        }
        (EntryState::Present, Some(EntryDetail::Establishment { name, city, .. })) => {
            if city.trim().is_empty() {
                format!("{kind} · {name}")
            } else {
                format!("{kind} · {name} · {}", city.trim())
            }
        }
        (EntryState::Present, None) => format!("{kind} · {}", entry.title),
        (state, _) => language.gone(entry.kind, *state),
    }
}

fn timeline_entry(page: &mut Layout, entry: &CaseEntry, language: SummaryLanguage) {
    let w = language.words();
    let date = match (&entry.date, &entry.time) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        (Some(d), None) => d.to_string(),
        (None, _) => w.no_date.to_string(),
    };
    let dated = match (&entry.date, &entry.time) {
        (Some(_), None) => w.recorded,
        _ => "",
    };
    let mut text = entry_title(entry, language);
    if entry.in_conflict {
        text.push('\n');
        text.push_str(w.in_conflict);
    }
    if !entry.consent_withdrawn.is_empty() {
        let parts: Vec<String> = entry
            .consent_withdrawn
            .iter()
            .map(|p| language.consent_part(p))
            .collect();
        text.push_str(&format!("\n{}: {}", w.consent_withdrawn, parts.join(", ")));
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
    language: SummaryLanguage,
) {
    let w = language.words();
    let (name, role, has_identity) = match (&entry.state, &entry.detail) {
        (
            EntryState::Present,
            Some(EntryDetail::Person {
                pseudonym,
                role,
                has_identity,
            }),
        ) => (pseudonym.clone(), language.role(*role), *has_identity),
        _ => {
            let title = entry_title(entry, language);
            page.row(&[(MARGIN_X, TEXT_WIDTH, &title, BODY)]);
            page.row(&[(MARGIN_X, TEXT_WIDTH, &format!("id {}", entry.id), SMALL)]);
            page.space(4.0);
            return;
        }
    };
    page.keep(50.0);
    page.paragraph(MARGIN_X, TEXT_WIDTH, &format!("{name} · {role}"), BODY);
    let shown = identities.and_then(|m| m.get(&entry.id));
    match (has_identity, identities, shown) {
        (false, _, _) => label_row(page, w.identity, w.none_recorded.into()),
        (true, None, _) => {
            for label in [
                w.legal_name,
                w.other_names,
                w.born,
                w.documents,
                w.contacts,
                w.family,
            ] {
                label_row(page, label, w.withheld.into());
            }
        }
        (true, Some(_), None) => label_row(page, w.identity, w.unreadable.into()),
        (true, Some(_), Some(identity)) => identity_rows(page, identity, w),
    }
    page.row(&[(MARGIN_X, TEXT_WIDTH, &format!("id {}", entry.id), SMALL)]);
    page.space(6.0);
}

fn or_none(list: Vec<String>, w: &Words) -> String {
    if list.is_empty() {
        w.none_recorded.into()
    } else {
        list.join("\n")
    }
}

fn identity_rows(page: &mut Layout, identity: &PersonIdentity, w: &Words) {
    let legal = identity
        .legal_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| w.none_recorded.into());
    label_row(page, w.legal_name, legal);
    label_row(
        page,
        w.other_names,
        or_none(identity.other_names.clone(), w),
    );
    label_row(
        page,
        w.born,
        identity
            .birth_date
            .map_or_else(|| w.none_recorded.into(), |d| d.to_string()),
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
    label_row(page, w.documents, or_none(documents, w));
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
    label_row(page, w.contacts, or_none(contacts, w));
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
    label_row(page, w.family, or_none(family, w));
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
        self.case_summary_pdf_in(case_id, include_identities, at, SummaryLanguage::English)
    }

    /// [`Store::case_summary_pdf`] with the summary's own words (headings, labels, code
    /// values) in `language`; the records' text prints as written. Logged the same way.
    pub fn case_summary_pdf_in(
        &mut self,
        case_id: Uuid,
        include_identities: bool,
        at: DateTime<Utc>,
        language: SummaryLanguage,
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
        let bytes = Zeroizing::new(case_summary_in(
            &view,
            identities.as_ref(),
            &printed,
            language,
        )?);
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
