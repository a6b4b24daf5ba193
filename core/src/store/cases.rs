//! The case view: a case as it stands and everything it links, in time order, for a screen,
//! the CLI and the printable summary ([`crate::report::case_summary`]). Never an identity
//! field: a person shows by pseudonym and role only.
//!
//! A linked id that is not here as a live record (not imported yet, deleted, or purged to a
//! stub because the office holds it) is an entry that says so, never an error: a case is
//! often linked on one laptop before the office has everything it links.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result, ValidationError};
use crate::model::{
    Case, CaseStatus, Establishment, Interview, InterviewPlace, Outcome, Person, PersonRole,
    Record, RecordKind, Visit, VisitPurpose,
};
use crate::store::{revisions, Store};

/// A case as it stands, with everything it links in time order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    /// The case record's id.
    pub id: Uuid,
    /// The case code (e.g. `PP-2026-0142`).
    pub code: String,
    /// Its short title.
    pub title: String,
    /// Where the case stands.
    pub status: CaseStatus,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// Arrests, by date.
    pub arrests: Vec<Outcome>,
    /// Convictions, by date.
    pub convictions: Vec<Outcome>,
    /// People arrested, all dates together.
    pub total_arrested: u64,
    /// People convicted, all dates together.
    pub total_convicted: u64,
    /// The case's notes.
    pub notes: String,
    /// Whether the case record itself has two or more versions (the newest is shown).
    pub in_conflict: bool,
    /// When the case record was last changed (UTC, RFC 3339).
    pub updated_at: String,
    /// Everything the case links, oldest first; entries with no date (records not here) last.
    pub entries: Vec<CaseEntry>,
}

/// One record a case links, as a line of its timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEntry {
    /// The kind the case links it as (person, interview, visit, establishment).
    pub kind: RecordKind,
    /// The linked record's id.
    pub id: Uuid,
    /// Whether the record is here, and if not, why.
    pub state: EntryState,
    /// The entry's date (UTC): when an interview or visit started; when a person or an
    /// establishment was first recorded. None when the record is not here.
    pub date: Option<NaiveDate>,
    /// The time of day (`HH:MM`, UTC) where the record has one (interviews and visits).
    pub time: Option<String>,
    /// What the date is: `started` (interview, visit) or `recorded` (person, establishment).
    pub dated_by: Option<DatedBy>,
    /// A short title in the field's words: person → pseudonym · role; interview → date ·
    /// place · the person's pseudonym; visit → date · establishment · purpose; establishment
    /// → name · city. For a record that is not here, what happened to it.
    pub title: String,
    /// The same facts, unformatted, for a screen that words them itself (None when the
    /// record is not here).
    pub detail: Option<EntryDetail>,
    /// Whether the record has two or more versions (edited apart on two devices).
    pub in_conflict: bool,
    /// For an interview: the parts of consent the person withdrew (`interview`,
    /// `recording`, `sharing_with_police`, `sharing_with_prosecutors`).
    pub consent_withdrawn: Vec<String>,
}

/// Whether a linked record is here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Here, as it stands now.
    Present,
    /// Not in this store (not imported yet, or never sent here).
    Missing,
    /// Deleted (its history stays).
    Deleted,
    /// Its content was purged from this laptop after the office acknowledged holding it.
    Purged,
    /// Here, but a different kind from what the case links it as.
    WrongKind,
}

/// What an entry's date says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatedBy {
    /// When the interview or visit started.
    Started,
    /// When the record was first written (persons and establishments have no date of their own).
    Recorded,
}

/// The facts behind an entry's title, by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryDetail {
    /// A person: never anything from the identity section.
    Person {
        /// The pseudonym (or, when it is empty, the person's case code).
        pseudonym: String,
        /// Their role.
        role: PersonRole,
        /// Whether an identity section is recorded (it is not shown here).
        has_identity: bool,
    },
    /// An interview.
    Interview {
        /// Where it was held.
        place: InterviewPlace,
        /// Where, in words, if given.
        place_note: String,
        /// The person interviewed.
        person_id: Uuid,
        /// Their pseudonym, if their record is here.
        pseudonym: Option<String>,
    },
    /// A visit.
    Visit {
        /// Why.
        purpose: VisitPurpose,
        /// The establishment visited.
        establishment_id: Uuid,
        /// Its name, if its record is here.
        establishment: Option<String>,
    },
    /// An establishment.
    Establishment {
        /// Its name.
        name: String,
        /// Its city.
        city: String,
        /// Its province.
        province: String,
    },
}

/// A case that links a record (for that record's page).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRef {
    /// The case's id.
    pub id: Uuid,
    /// The case code.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// Which of its lists names the record (e.g. `case.person_ids[0]`).
    pub field: String,
}

/// A linked record read as it stands (the newest head when in conflict).
enum Linked {
    Present {
        record: Box<Record>,
        created_at: String,
        in_conflict: bool,
        has_identity: bool,
    },
    Gone(EntryState),
}

/// Reads linked records once each.
struct Reader<'c> {
    conn: &'c Connection,
    seen: HashMap<Uuid, Linked>,
}

impl<'c> Reader<'c> {
    fn new(conn: &'c Connection) -> Self {
        Reader {
            conn,
            seen: HashMap::new(),
        }
    }

    fn get(&mut self, id: Uuid) -> Result<&Linked> {
        if !self.seen.contains_key(&id) {
            let linked = read_linked(self.conn, id)?;
            self.seen.insert(id, linked);
        }
        self.seen
            .get(&id)
            .ok_or_else(|| Error::StoreDamaged(format!("record {id} vanished while read")))
    }

    fn pseudonym(&mut self, id: Uuid) -> Result<Option<String>> {
        Ok(match self.get(id)? {
            Linked::Present { record, .. } => match record.as_ref() {
                Record::Person(p) => Some(p.label()),
                _ => None,
            },
            Linked::Gone(_) => None,
        })
    }

    fn establishment_name(&mut self, id: Uuid) -> Result<Option<String>> {
        Ok(match self.get(id)? {
            Linked::Present { record, .. } => match record.as_ref() {
                Record::Establishment(e) => Some(e.name.clone()),
                _ => None,
            },
            Linked::Gone(_) => None,
        })
    }
}

fn read_linked(conn: &Connection, id: Uuid) -> Result<Linked> {
    let view = match revisions::view(conn, id, false) {
        Ok(v) => v,
        Err(Error::NotFound { .. }) => return Ok(Linked::Gone(EntryState::Missing)),
        Err(e) => return Err(e),
    };
    if view.deleted {
        return Ok(Linked::Gone(EntryState::Deleted));
    }
    let Some(body) = view.body.clone() else {
        return Ok(Linked::Gone(if view.purged.is_some() {
            EntryState::Purged
        } else {
            EntryState::Deleted
        }));
    };
    let record = Record::from_value(view.kind, body)
        .map_err(|e| Error::StoreDamaged(format!("record {id}: {e}")))?;
    Ok(Linked::Present {
        record: Box::new(record),
        created_at: view.created_at.clone(),
        in_conflict: view.in_conflict(),
        has_identity: view.has_identity,
    })
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn kind_order(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Person => 0,
        RecordKind::Establishment => 1,
        RecordKind::Visit => 2,
        RecordKind::Interview => 3,
        _ => 4,
    }
}

/// What an entry says when its record is not here.
fn gone_title(kind: RecordKind, state: EntryState) -> String {
    match state {
        EntryState::Missing => format!("{kind} not in this store (not imported yet?)"),
        EntryState::Deleted => format!("{kind} deleted"),
        EntryState::Purged => format!("{kind} purged from this laptop (the office holds it)"),
        EntryState::WrongKind => format!("linked as a {kind}, but the record is another kind"),
        EntryState::Present => kind.to_string(),
    }
}

/// One entry, with the time it sorts by.
fn entry(
    reader: &mut Reader<'_>,
    kind: RecordKind,
    id: Uuid,
) -> Result<(Option<DateTime<Utc>>, CaseEntry)> {
    let mut out = CaseEntry {
        kind,
        id,
        state: EntryState::Present,
        date: None,
        time: None,
        dated_by: None,
        title: String::new(),
        detail: None,
        in_conflict: false,
        consent_withdrawn: Vec::new(),
    };
    let (record, created_at, in_conflict, has_identity) = match reader.get(id)? {
        Linked::Gone(state) => {
            out.state = *state;
            out.title = gone_title(kind, *state);
            return Ok((None, out));
        }
        Linked::Present {
            record,
            created_at,
            in_conflict,
            has_identity,
        } => (
            (**record).clone(),
            created_at.clone(),
            *in_conflict,
            *has_identity,
        ),
    };
    out.in_conflict = in_conflict;
    if record.kind() != kind {
        out.state = EntryState::WrongKind;
        out.title = gone_title(kind, EntryState::WrongKind);
        return Ok((None, out));
    }
    let (at, dated_by, with_time) = match &record {
        Record::Interview(i) => (Some(i.started_at), DatedBy::Started, true),
        Record::Visit(v) => (Some(v.started_at), DatedBy::Started, true),
        _ => (parse_time(&created_at), DatedBy::Recorded, false),
    };
    out.date = at.map(|t| t.date_naive());
    if with_time {
        out.time = at.map(|t| t.format("%H:%M").to_string());
    }
    out.dated_by = Some(dated_by);
    match record {
        Record::Person(p) => fill_person(&mut out, &p, has_identity),
        Record::Interview(i) => fill_interview(reader, &mut out, &i)?,
        Record::Visit(v) => fill_visit(reader, &mut out, &v)?,
        Record::Establishment(e) => fill_establishment(&mut out, &e),
        _ => out.title = record.label(),
    }
    Ok((at, out))
}

fn fill_person(out: &mut CaseEntry, p: &Person, has_identity: bool) {
    let pseudonym = p.label();
    out.title = format!("{pseudonym} · {}", p.role.label());
    out.detail = Some(EntryDetail::Person {
        pseudonym,
        role: p.role,
        has_identity,
    });
}

fn fill_interview(reader: &mut Reader<'_>, out: &mut CaseEntry, i: &Interview) -> Result<()> {
    let pseudonym = reader.pseudonym(i.person_id)?;
    let place = if i.place_note.trim().is_empty() {
        i.place.label()
    } else {
        format!("{} ({})", i.place.label(), i.place_note.trim())
    };
    out.title = format!(
        "Interview · {} · {} · {}",
        i.started_at.date_naive(),
        place,
        pseudonym.as_deref().unwrap_or("person not in this store")
    );
    let consent = &i.consent;
    for (name, part) in [
        ("interview", &consent.interview),
        ("recording", &consent.recording),
        ("sharing_with_police", &consent.sharing_with_police),
        (
            "sharing_with_prosecutors",
            &consent.sharing_with_prosecutors,
        ),
    ] {
        if part.withdrawn.is_some() {
            out.consent_withdrawn.push(name.to_string());
        }
    }
    out.detail = Some(EntryDetail::Interview {
        place: i.place,
        place_note: i.place_note.clone(),
        person_id: i.person_id,
        pseudonym,
    });
    Ok(())
}

fn fill_visit(reader: &mut Reader<'_>, out: &mut CaseEntry, v: &Visit) -> Result<()> {
    let name = reader.establishment_name(v.establishment_id)?;
    out.title = format!(
        "Visit · {} · {} · {}",
        v.started_at.date_naive(),
        name.as_deref().unwrap_or("establishment not in this store"),
        v.purpose.label()
    );
    out.detail = Some(EntryDetail::Visit {
        purpose: v.purpose,
        establishment_id: v.establishment_id,
        establishment: name,
    });
    Ok(())
}

fn fill_establishment(out: &mut CaseEntry, e: &Establishment) {
    let city = e.location.city.trim();
    out.title = if city.is_empty() {
        e.name.clone()
    } else {
        format!("{} · {city}", e.name)
    };
    out.detail = Some(EntryDetail::Establishment {
        name: e.name.clone(),
        city: e.location.city.clone(),
        province: e.location.province.clone(),
    });
}

/// The case record `case_id` as it stands (newest head), refusing what is not a live case.
pub(crate) fn read_case(conn: &Connection, case_id: Uuid) -> Result<(Case, revisions::RecordView)> {
    let view = revisions::view(conn, case_id, false)?;
    if view.kind != RecordKind::Case {
        return Err(ValidationError::new(
            "id",
            format!("{case_id} is a {}, not a case", view.kind),
        )
        .into());
    }
    if view.deleted {
        return Err(ValidationError::new("id", format!("case {case_id} is deleted")).into());
    }
    let Some(body) = view.body.clone() else {
        return Err(ValidationError::new(
            "id",
            format!("case {case_id} was purged from this laptop; the office holds it"),
        )
        .into());
    };
    match Record::from_value(RecordKind::Case, body) {
        Ok(Record::Case(case)) => Ok((case, view)),
        Ok(_) => Err(Error::StoreDamaged(format!("case {case_id} is not a case"))),
        Err(e) => Err(Error::StoreDamaged(format!("case {case_id}: {e}"))),
    }
}

/// Builds the view of a case (see [`Store::case_view`]).
pub(crate) fn case_view(conn: &Connection, case_id: Uuid) -> Result<CaseView> {
    let (case, view) = read_case(conn, case_id)?;
    let mut reader = Reader::new(conn);
    let mut entries = Vec::new();
    for (kind, ids) in [
        (RecordKind::Person, &case.person_ids),
        (RecordKind::Interview, &case.interview_ids),
        (RecordKind::Visit, &case.visit_ids),
        (RecordKind::Establishment, &case.establishment_ids),
    ] {
        for id in ids {
            entries.push(entry(&mut reader, kind, *id)?);
        }
    }
    // Dated entries oldest first; at the same instant by kind, then id (creation order).
    // Entries with no date (records not here) last, in the case's own order.
    entries.sort_by(|(a_at, a), (b_at, b)| match (a_at, b_at) {
        (Some(x), Some(y)) => x
            .cmp(y)
            .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
            .then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Ok(CaseView {
        id: case_id,
        total_arrested: case.total_arrested(),
        total_convicted: case.total_convicted(),
        code: case.code,
        title: case.title,
        status: case.status,
        opened_on: case.opened_on,
        arrests: case.arrests,
        convictions: case.convictions,
        notes: case.notes,
        in_conflict: view.in_conflict(),
        updated_at: view.updated_at,
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    })
}

/// The live cases whose current version links `record_id` (see [`Store::cases_of`]).
pub(crate) fn cases_of(conn: &Connection, record_id: Uuid) -> Result<Vec<CaseRef>> {
    let target = record_id.to_string();
    // Bodies naming the id are few; each is parsed and its links checked exactly.
    let mut stmt = conn.prepare(
        "SELECT r.id, v.body, v.created_at FROM records r
         JOIN heads h ON h.record_id = r.id
         JOIN revisions v ON v.id = h.revision_id
         WHERE r.kind = 'case' AND r.deleted = 0 AND v.body IS NOT NULL
           AND instr(v.body, ?1) > 0
         ORDER BY r.id, v.created_at DESC, v.seq DESC",
    )?;
    let mut rows = stmt.query([&target])?;
    let mut out: Vec<CaseRef> = Vec::new();
    while let Some(row) = rows.next()? {
        let id_text: String = row.get(0)?;
        let id = Uuid::parse_str(&id_text).map_err(|e| Error::StoreDamaged(e.to_string()))?;
        // A case in conflict has two heads: its newest one speaks for it.
        if out.iter().any(|c| c.id == id) {
            continue;
        }
        let body: String = row.get(1)?;
        let value = serde_json::from_str(&body).map_err(|e| Error::StoreDamaged(e.to_string()))?;
        let Record::Case(case) = Record::from_value(RecordKind::Case, value)
            .map_err(|e| Error::StoreDamaged(format!("case {id}: {e}")))?
        else {
            continue;
        };
        let Some((field, _)) = case.links().into_iter().find(|(_, l)| *l == record_id) else {
            continue;
        };
        out.push(CaseRef {
            id,
            code: case.code,
            title: case.title,
            status: case.status,
            field,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
    Ok(out)
}

impl Store {
    /// A case as it stands and everything it links, in time order (see [`CaseView`]). Reads
    /// only; never shows an identity field, so nothing is logged. A linked record that is
    /// not here is an entry saying so. Not a case: [`Error::Invalid`]; no such record:
    /// [`Error::NotFound`].
    pub fn case_view(&self, case_id: Uuid) -> Result<CaseView> {
        case_view(&self.conn, case_id)
    }

    /// The live cases that link `record_id`, by case code (for a record's page). A case in
    /// conflict counts by its newest version. An id nothing links gives an empty list.
    pub fn cases_of(&self, record_id: Uuid) -> Result<Vec<CaseRef>> {
        cases_of(&self.conn, record_id)
    }
}

#[cfg(test)]
mod tests;
