//! The record-level export for partners: one CSV row per live record of a kind, coded fields
//! only. Free text (narratives, notes, descriptions, team and interviewer names) never leaves;
//! a person's identity section leaves only when asked for, and every export is written to the
//! audit chain first, saying which kind, how many rows and whether identities were included.
//! Interviews whose interview consent was withdrawn are left out. Columns are documented in
//! `docs/reports.md`, their HTCDS counterparts in `docs/htcds-mapping.md`.

use std::collections::HashMap;

use chrono::SecondsFormat;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

use super::{live_heads, log_disclosure};
use crate::error::{Result, ValidationError};
use crate::model::{
    AgeBand, Case, Establishment, Interview, Person, PersonIdentity, RecordKind, Referral, Sex,
    Visit,
};
use crate::Store;

/// The kinds a partner export can hold.
pub const EXPORTABLE: [RecordKind; 5] = [
    RecordKind::Person,
    RecordKind::Visit,
    RecordKind::Interview,
    RecordKind::Case,
    RecordKind::Referral,
];

/// A partner export, ready to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerExport {
    /// The kind exported.
    pub kind: RecordKind,
    /// Whether a person's identity columns were filled.
    pub include_identities: bool,
    /// Column names.
    pub header: Vec<&'static str>,
    /// One row per record.
    pub rows: Vec<Vec<String>>,
    /// Records left out (interviews whose interview consent was withdrawn).
    pub left_out: u64,
}

impl PartnerExport {
    /// Writes the export as CSV.
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> Result<()> {
        super::write_csv(out, &self.header, &self.rows)
    }
}

/// The columns of a kind's export, in order (identity columns only when `include_identities`).
pub fn columns(kind: RecordKind, include_identities: bool) -> Vec<&'static str> {
    match kind {
        RecordKind::Person => {
            let mut c = vec![
                "id",
                "role",
                "sex",
                "nationality",
                "languages",
                "age_years",
                "age_basis",
                "minor",
            ];
            if include_identities {
                c.extend([
                    "pseudonym",
                    "case_code",
                    "legal_name",
                    "other_names",
                    "birth_date",
                    "id_documents",
                ]);
            }
            c
        }
        RecordKind::Visit => vec![
            "id",
            "started_at",
            "ended_at",
            "purpose",
            "establishment_id",
            "establishment_type",
            "country",
            "province",
            "city",
            "sampling_stratum",
            "replaced_closed_establishment",
            "people_observed",
            "under_16",
            "age_16_17",
            "adult",
            "age_unknown",
            "female",
            "male",
            "sex_other",
            "sex_unknown",
            "age_judged_by",
            "age_confidence",
            "indicators",
        ],
        RecordKind::Interview => vec![
            "id",
            "person_id",
            "interview_date",
            "place",
            "language",
            "interpreter_used",
            "interviewee_minor",
            "consent_recording",
            "consent_sharing_with_police",
            "consent_sharing_with_prosecutors",
            "recruiter_relation",
            "recruitment_methods",
            "recruitment_platforms",
            "exploitation_types",
            "sex_exploitation_types",
            "methods_of_control",
            "ilo_indicators",
            "journey_countries",
            "crossed_border",
            "needs",
            "stop_reason",
        ],
        RecordKind::Case => vec![
            "id",
            "code",
            "status",
            "htcds_status",
            "opened_on",
            "persons",
            "interviews",
            "visits",
            "establishments",
            "arrested",
            "convicted",
        ],
        RecordKind::Referral => vec![
            "id",
            "person_id",
            "case_id",
            "service",
            "to_organisation",
            "made_on",
            "status",
            "completed_on",
        ],
        RecordKind::Establishment | RecordKind::Attachment => Vec::new(),
    }
}

/// Builds a partner export of `kind` and logs it in the audit chain (kind, rows, whether
/// identities were included). Rows are in record id order (creation order).
pub fn partner_export(
    store: &Store,
    kind: RecordKind,
    include_identities: bool,
) -> Result<PartnerExport> {
    if !EXPORTABLE.contains(&kind) {
        let names: Vec<&str> = EXPORTABLE.iter().map(RecordKind::as_str).collect();
        return Err(ValidationError::new(
            "kind",
            format!(
                "a partner export holds one of: {}; not {kind}",
                names.join(", ")
            ),
        )
        .into());
    }
    let conn = &store.conn;
    let mut heads = live_heads(conn, kind, "r.body, r.identity", "", |r| {
        Ok((r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?))
    })?;
    heads.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rows = Vec::with_capacity(heads.len());
    let mut left_out = 0;
    let establishments = if kind == RecordKind::Visit {
        let list = live_heads(conn, RecordKind::Establishment, "r.body", "", |r| {
            r.get::<_, String>(4)
        })?;
        let mut map = HashMap::new();
        for (id, body) in list {
            map.insert(id.clone(), parse::<Establishment>(&id, &body)?);
        }
        map
    } else {
        HashMap::new()
    };
    for (id, (body, identity)) in heads {
        match kind {
            RecordKind::Person => {
                let person: Person = parse(&id, &body)?;
                let identity: Option<PersonIdentity> = match (&identity, include_identities) {
                    (Some(text), true) => Some(parse(&id, text)?),
                    _ => None,
                };
                rows.push(person_row(
                    &id,
                    &person,
                    include_identities,
                    identity.as_ref(),
                ));
            }
            RecordKind::Visit => {
                let visit: Visit = parse(&id, &body)?;
                let place = establishments.get(&visit.establishment_id.to_string());
                rows.push(visit_row(&id, &visit, place));
            }
            RecordKind::Interview => {
                let interview: Interview = parse(&id, &body)?;
                if interview.consent.interview.withdrawn.is_some() {
                    left_out += 1;
                    continue;
                }
                rows.push(interview_row(&id, &interview));
            }
            RecordKind::Case => rows.push(case_row(&id, &parse::<Case>(&id, &body)?)),
            RecordKind::Referral => rows.push(referral_row(&id, &parse::<Referral>(&id, &body)?)),
            RecordKind::Establishment | RecordKind::Attachment => {}
        }
    }
    log_disclosure(
        store,
        json!({
            "export": kind.as_str(),
            "rows": rows.len(),
            "include_identities": include_identities,
            "left_out": left_out,
        }),
    )?;
    Ok(PartnerExport {
        kind,
        include_identities,
        header: columns(kind, include_identities),
        rows,
        left_out,
    })
}

fn parse<T: DeserializeOwned>(id: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| super::damaged(id, "body"))
}

/// A list cell: codes joined with `;`.
fn list<I, T>(items: I) -> String
where
    I: IntoIterator<Item = T>,
    T: ToString,
{
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(";")
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn person_row(
    id: &str,
    p: &Person,
    include_identities: bool,
    identity: Option<&PersonIdentity>,
) -> Vec<String> {
    let mut row = vec![
        id.to_string(),
        p.role.to_string(),
        p.sex.to_string(),
        opt(p.nationality.as_ref()),
        list(&p.languages),
        opt(p.age.as_ref().and_then(|a| a.years)),
        opt(p.age.as_ref().map(|a| a.basis)),
        match &p.age {
            Some(a) if a.years.is_some() => yes_no(a.is_minor()),
            _ => String::new(),
        },
    ];
    if include_identities {
        row.push(p.pseudonym.clone());
        row.push(opt(p.case_code.as_ref()));
        match identity {
            Some(i) => {
                row.push(opt(i.legal_name.as_ref()));
                row.push(list(&i.other_names));
                row.push(opt(i.birth_date));
                row.push(list(
                    i.id_documents
                        .iter()
                        .map(|d| format!("{}:{}", d.kind, d.number)),
                ));
            }
            None => row.extend(std::iter::repeat_n(String::new(), 4)),
        }
    }
    row
}

fn visit_row(id: &str, v: &Visit, place: Option<&Establishment>) -> Vec<String> {
    let by_sex = |sex: Sex| -> String {
        v.counts
            .iter()
            .filter(|c| c.sex == sex)
            .map(|c| u64::from(c.count))
            .sum::<u64>()
            .to_string()
    };
    let location = place.map(|e| &e.location);
    vec![
        id.to_string(),
        v.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        opt(v
            .ended_at
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))),
        v.purpose.to_string(),
        v.establishment_id.to_string(),
        opt(place.map(|e| e.kind)),
        opt(location.and_then(|l| l.country.as_ref())),
        location.map(|l| l.province.clone()).unwrap_or_default(),
        location.map(|l| l.city.clone()).unwrap_or_default(),
        opt(v.sampling.as_ref().map(|s| s.stratum.clone())),
        opt(v
            .sampling
            .as_ref()
            .map(|s| yes_no(s.replaced_closed_establishment))),
        v.total_observed().to_string(),
        v.observed_in(AgeBand::Under16).to_string(),
        v.observed_in(AgeBand::Age16To17).to_string(),
        v.observed_in(AgeBand::Adult).to_string(),
        v.observed_in(AgeBand::Unknown).to_string(),
        by_sex(Sex::Female),
        by_sex(Sex::Male),
        by_sex(Sex::Other),
        by_sex(Sex::Unknown),
        list(&v.age_judged_by),
        opt(v.age_confidence),
        list(&v.indicators),
    ]
}

fn interview_row(id: &str, i: &Interview) -> Vec<String> {
    let recruitment = i.recruitment.as_ref();
    let mut countries: Vec<&str> = i
        .journey
        .iter()
        .filter_map(|leg| leg.country.as_deref())
        .collect();
    countries.dedup();
    vec![
        id.to_string(),
        i.person_id.to_string(),
        i.started_at.date_naive().to_string(),
        i.place.to_string(),
        i.language.clone(),
        yes_no(i.interpreter.is_some()),
        yes_no(i.is_minor()),
        yes_no(i.consent.recording.in_force()),
        yes_no(i.consent.sharing_with_police.in_force()),
        yes_no(i.consent.sharing_with_prosecutors.in_force()),
        opt(recruitment.and_then(|r| r.recruiter_role)),
        recruitment.map(|r| list(&r.methods)).unwrap_or_default(),
        recruitment.map(|r| list(&r.platforms)).unwrap_or_default(),
        list(&i.exploitation_types),
        list(&i.sex_exploitation_types),
        list(&i.methods_of_control),
        list(&i.ilo_indicators),
        list(countries),
        yes_no(i.journey.iter().any(|leg| leg.crossed_border)),
        list(i.needs.iter().map(|n| n.need)),
        opt(i.stop_reason),
    ]
}

fn case_row(id: &str, c: &Case) -> Vec<String> {
    vec![
        id.to_string(),
        c.code.clone(),
        c.status.to_string(),
        c.status.htcds().to_string(),
        c.opened_on.to_string(),
        c.person_ids.len().to_string(),
        c.interview_ids.len().to_string(),
        c.visit_ids.len().to_string(),
        c.establishment_ids.len().to_string(),
        c.total_arrested().to_string(),
        c.total_convicted().to_string(),
    ]
}

fn referral_row(id: &str, r: &Referral) -> Vec<String> {
    vec![
        id.to_string(),
        r.person_id.to_string(),
        opt(r.case_id),
        r.service.to_string(),
        r.to_organisation.clone(),
        r.made_on.to_string(),
        r.status.to_string(),
        opt(r.completed_on),
    ]
}
