//! A visit to an establishment: who went, when, why, how many people were
//! seen in each age band, what indicators of exploitation were seen, and what
//! must follow. Prevalence counts of minors are computed from these.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{self, code_list, Sex};
use crate::error::ValidationError;

code_list! {
    /// Why the visit was made.
    pub enum VisitPurpose {
        /// A sampled visit counting people by estimated age (prevalence study).
        PrevalenceCount = "prevalence_count",
        /// Routine monitoring.
        Monitoring = "monitoring",
        /// Undercover investigation.
        UndercoverInvestigation = "undercover_investigation",
        /// Follow-up of an earlier visit or case.
        FollowUp = "follow_up",
        /// Joint operation with the police.
        JointOperation = "joint_operation",
    }
}

code_list! {
    /// Estimated age band of people observed.
    pub enum AgeBand {
        /// 15 and under ("young minors").
        Under16 = "under_16",
        /// 16 or 17 ("older minors").
        Age16To17 = "age_16_17",
        /// 18 and over.
        Adult = "adult",
        /// Could not be judged.
        Unknown = "unknown",
    }
}

code_list! {
    /// How ages were judged.
    pub enum AgeJudgement {
        /// From documents seen.
        Documents = "documents",
        /// From what people said.
        Stated = "stated",
        /// From appearance.
        Appearance = "appearance",
    }
}

code_list! {
    /// How sure the team is of its age judgements.
    pub enum Confidence {
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
    }
}

code_list! {
    /// Indicators of trafficking or forced labour seen during a visit.
    pub enum VisitIndicator {
        /// Guards.
        Guards = "guards",
        /// Locked doors or barred windows.
        LockedDoorsOrBarredWindows = "locked_doors_or_barred_windows",
        /// Barbed wire and CCTV.
        BarbedWireAndCctv = "barbed_wire_and_cctv",
        /// Workers not free to leave.
        WorkersNotFreeToLeave = "workers_not_free_to_leave",
        /// Offers of minors.
        OffersOfMinors = "offers_of_minors",
        /// Offers of "virginity".
        OffersOfVirginity = "offers_of_virginity",
        /// Signs of violence.
        SignsOfViolence = "signs_of_violence",
        /// Documents held by the employer.
        DocumentsHeldByEmployer = "documents_held_by_employer",
        /// Talk of debt.
        TalkOfDebt = "talk_of_debt",
    }
}

/// A visit to an establishment.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    /// The establishment visited.
    pub establishment_id: Uuid,
    /// When the visit started.
    pub started_at: DateTime<Utc>,
    /// When it ended; absent while it is under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// The team: names or codes of the investigators (at least one).
    #[schemars(length(min = 1), inner(length(min = 1)))]
    pub team: Vec<String>,
    /// Why the visit was made.
    pub purpose: VisitPurpose,
    /// People observed who offer commercial sex or work there, by estimated
    /// age band and sex; one entry per (age band, sex).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<Count>,
    /// How ages were judged (required when anyone was counted).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub age_judged_by: BTreeSet<AgeJudgement>,
    /// How sure the team is of the ages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_confidence: Option<Confidence>,
    /// Sampling details; required for a prevalence count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    /// Indicators seen.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub indicators: BTreeSet<VisitIndicator>,
    /// What happened, in the team's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub narrative: String,
    /// Actions to follow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_up: Vec<FollowUp>,
}

/// How many people of one age band and sex were observed.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Count {
    /// Estimated age band.
    pub age_band: AgeBand,
    /// Sex.
    pub sex: Sex,
    /// Number of people.
    pub count: u32,
}

/// Sampling details of a prevalence count.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    /// The sampling stratum (e.g. `PNH/karaoke/evening`).
    pub stratum: String,
    /// Whether this establishment replaced a sampled one found closed.
    #[serde(default, skip_serializing_if = "codes::is_false")]
    pub replaced_closed_establishment: bool,
    /// The closed establishment it replaced, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_establishment_id: Option<Uuid>,
}

/// An action to follow a visit.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// What is to be done.
    pub action: String,
    /// By when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// Whether it is done.
    #[serde(default, skip_serializing_if = "codes::is_false")]
    pub done: bool,
}

impl Visit {
    /// Everyone observed, all bands and sexes.
    pub fn total_observed(&self) -> u64 {
        self.counts.iter().map(|c| u64::from(c.count)).sum()
    }

    /// Everyone observed in one age band.
    pub fn observed_in(&self, band: AgeBand) -> u64 {
        self.counts
            .iter()
            .filter(|c| c.age_band == band)
            .map(|c| u64::from(c.count))
            .sum()
    }

    /// Checks every rule that can be checked on this visit alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(end) = self.ended_at {
            if end < self.started_at {
                return Err(ValidationError::new(
                    "visit.ended_at",
                    "must not be before started_at",
                ));
            }
        }
        if self.team.is_empty() {
            return Err(ValidationError::new(
                "visit.team",
                "needs at least one team member",
            ));
        }
        for (i, member) in self.team.iter().enumerate() {
            codes::non_empty(&format!("visit.team[{i}]"), member)?;
        }
        for (i, c) in self.counts.iter().enumerate() {
            if self.counts[..i]
                .iter()
                .any(|p| p.age_band == c.age_band && p.sex == c.sex)
            {
                return Err(ValidationError::new(
                    format!("visit.counts[{i}]"),
                    format!(
                        "{} {} is counted twice; give one count per age band and sex",
                        c.age_band, c.sex
                    ),
                ));
            }
        }
        if self.total_observed() > 0 && self.age_judged_by.is_empty() {
            return Err(ValidationError::new(
                "visit.age_judged_by",
                "say how ages were judged (documents, stated, appearance) when people were counted",
            ));
        }
        match &self.sampling {
            None if self.purpose == VisitPurpose::PrevalenceCount => {
                return Err(ValidationError::new(
                    "visit.sampling",
                    "a prevalence count needs its sampling stratum",
                ));
            }
            None => {}
            Some(s) => {
                if self.purpose == VisitPurpose::PrevalenceCount {
                    codes::non_empty("visit.sampling.stratum", &s.stratum)?;
                }
                if let Some(id) = s.replaced_establishment_id {
                    if !s.replaced_closed_establishment {
                        return Err(ValidationError::new(
                            "visit.sampling.replaced_establishment_id",
                            "only when replaced_closed_establishment is true",
                        ));
                    }
                    if id == self.establishment_id {
                        return Err(ValidationError::new(
                            "visit.sampling.replaced_establishment_id",
                            "an establishment cannot replace itself",
                        ));
                    }
                }
            }
        }
        for (i, f) in self.follow_up.iter().enumerate() {
            codes::non_empty(&format!("visit.follow_up[{i}].action"), &f.action)?;
        }
        Ok(())
    }

    pub(crate) fn label(&self) -> String {
        format!(
            "Visit · {} · {}",
            self.started_at.date_naive(),
            self.purpose.label()
        )
    }

    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        for member in &self.team {
            codes::push_text(&mut out, member);
        }
        if let Some(s) = &self.sampling {
            codes::push_text(&mut out, &s.stratum);
        }
        codes::push_text(&mut out, &self.narrative);
        for f in &self.follow_up {
            codes::push_text(&mut out, &f.action);
        }
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        let mut out = vec![("visit.establishment_id".to_string(), self.establishment_id)];
        if let Some(id) = self
            .sampling
            .as_ref()
            .and_then(|s| s.replaced_establishment_id)
        {
            out.push(("visit.sampling.replaced_establishment_id".to_string(), id));
        }
        out
    }
}
