//! A referral of a person to a service (shelter, medical, legal aid…) and
//! how far it got. Referrals made and completed are among the figures
//! partners count.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{self, code_list, Service};
use crate::error::ValidationError;

code_list! {
    /// How far a referral got.
    pub enum ReferralStatus {
        /// Planned, not yet made.
        Planned = "planned",
        /// Made; no answer yet.
        Made = "made",
        /// Accepted by the service.
        Accepted = "accepted",
        /// The service was given.
        Completed = "completed",
        /// Declined (by the service or by the person).
        Declined = "declined",
    }
}

/// A referral.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// The person referred.
    pub person_id: Uuid,
    /// The case it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<Uuid>,
    /// The service.
    pub service: Service,
    /// The organisation referred to.
    #[schemars(length(min = 1))]
    pub to_organisation: String,
    /// When the referral was made (or is planned for).
    pub made_on: NaiveDate,
    /// How far it got.
    pub status: ReferralStatus,
    /// When the service was given; required when completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Referral {
    /// Checks every rule that can be checked on this referral alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        codes::non_empty("referral.to_organisation", &self.to_organisation)?;
        match (self.status, self.completed_on) {
            (ReferralStatus::Completed, None) => Err(ValidationError::new(
                "referral.completed_on",
                "a completed referral needs its completion date",
            )),
            (ReferralStatus::Completed, Some(done)) if done < self.made_on => Err(
                ValidationError::new("referral.completed_on", "must not be before made_on"),
            ),
            (ReferralStatus::Completed, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(ValidationError::new(
                "referral.completed_on",
                "only a completed referral has a completion date",
            )),
        }
    }

    pub(crate) fn label(&self) -> String {
        let service = self.service.label();
        let mut chars = service.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => service,
        }
    }

    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        codes::push_text(&mut out, &self.to_organisation);
        codes::push_text(&mut out, &self.note);
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        let mut out = vec![("referral.person_id".to_string(), self.person_id)];
        if let Some(id) = self.case_id {
            out.push(("referral.case_id".to_string(), id));
        }
        out
    }
}
