//! A case: ties persons, interviews, visits and establishments together and
//! carries the outcome partners count (arrests, convictions).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{self, code_list};
use crate::error::ValidationError;

code_list! {
    /// Where a case stands, from intake to closure. HTCDS `cas_Status` has
    /// only `Active`, `FollowUp`, `Closed` and `ClosedReferred`; ours is
    /// finer, and [`CaseStatus::htcds`] maps it back.
    pub enum CaseStatus {
        /// Just opened; gathering first information.
        Intake = "intake",
        /// Under investigation.
        Investigation = "investigation",
        /// Handed to the police.
        ReferredToPolice = "referred_to_police",
        /// Before the prosecutor or the court.
        Prosecution = "prosecution",
        /// A verdict was given.
        Verdict = "verdict",
        /// Closed.
        Closed = "closed",
    }
}

impl CaseStatus {
    /// The nearest HTCDS `cas_Status` value.
    pub fn htcds(&self) -> &'static str {
        match self {
            CaseStatus::Intake
            | CaseStatus::Investigation
            | CaseStatus::ReferredToPolice
            | CaseStatus::Prosecution => "Active",
            CaseStatus::Verdict => "FollowUp",
            CaseStatus::Closed => "Closed",
        }
    }
}

/// A case.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The case code (e.g. `PP-2026-0142`).
    #[schemars(pattern(r"^\S+$"))]
    pub code: String,
    /// A short title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Where the case stands.
    pub status: CaseStatus,
    /// When the case was opened.
    pub opened_on: NaiveDate,
    /// Persons in the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub person_ids: Vec<Uuid>,
    /// Interviews in the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interview_ids: Vec<Uuid>,
    /// Visits in the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visit_ids: Vec<Uuid>,
    /// Establishments in the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub establishment_ids: Vec<Uuid>,
    /// Arrests made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arrests: Vec<Outcome>,
    /// Convictions obtained.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub convictions: Vec<Outcome>,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Arrests or convictions on one date.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// When.
    pub date: NaiveDate,
    /// How many people (at least 1).
    #[schemars(range(min = 1))]
    pub count: u32,
    /// Notes (charges, court).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Case {
    /// Checks every rule that can be checked on this case alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        codes::non_empty("case.code", &self.code)?;
        if self.code.chars().any(char::is_whitespace) {
            return Err(ValidationError::new("case.code", "must not contain spaces"));
        }
        for (name, ids) in self.id_lists() {
            for (i, id) in ids.iter().enumerate() {
                if ids[..i].contains(id) {
                    return Err(ValidationError::new(
                        format!("case.{name}[{i}]"),
                        "is listed twice",
                    ));
                }
            }
        }
        for (name, list) in [
            ("arrests", &self.arrests),
            ("convictions", &self.convictions),
        ] {
            for (i, o) in list.iter().enumerate() {
                if o.count == 0 {
                    return Err(ValidationError::new(
                        format!("case.{name}[{i}].count"),
                        "must be at least 1",
                    ));
                }
            }
        }
        if !self.convictions.is_empty()
            && !matches!(self.status, CaseStatus::Verdict | CaseStatus::Closed)
        {
            return Err(ValidationError::new(
                "case.convictions",
                "convictions need a case status of verdict or closed",
            ));
        }
        Ok(())
    }

    /// Total people arrested.
    pub fn total_arrested(&self) -> u64 {
        self.arrests.iter().map(|o| u64::from(o.count)).sum()
    }

    /// Total people convicted.
    pub fn total_convicted(&self) -> u64 {
        self.convictions.iter().map(|o| u64::from(o.count)).sum()
    }

    fn id_lists(&self) -> [(&'static str, &Vec<Uuid>); 4] {
        [
            ("person_ids", &self.person_ids),
            ("interview_ids", &self.interview_ids),
            ("visit_ids", &self.visit_ids),
            ("establishment_ids", &self.establishment_ids),
        ]
    }

    pub(crate) fn label(&self) -> String {
        self.code.clone()
    }

    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        codes::push_text(&mut out, &self.code);
        codes::push_text(&mut out, &self.title);
        codes::push_text(&mut out, &self.notes);
        for o in self.arrests.iter().chain(&self.convictions) {
            codes::push_text(&mut out, &o.note);
        }
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        self.id_lists()
            .into_iter()
            .flat_map(|(name, ids)| {
                ids.iter()
                    .enumerate()
                    .map(move |(i, id)| (format!("case.{name}[{i}]"), *id))
            })
            .collect()
    }
}
