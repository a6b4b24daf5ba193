//! The records of the field: persons, establishments, visits, interviews,
//! cases, referrals and attachments, with every rule that can be checked on
//! a record alone.
//!
//! A record's body travels as JSON (snake_case fields, no id, no kind tag:
//! the store keeps those apart). [`Record::from_json`] and
//! [`Record::from_value`] parse and validate a body, naming the field path
//! and the rule when something is wrong (`visit.counts[2].count: …`). Every
//! text field is held to the size and character rules of [`limits`] first.
//! A person's identifying section ([`PersonIdentity`]) never shows up in a
//! label or in search text, and [`Record::split_identity`] takes it out so
//! the store can keep it apart. The JSON Schema of each kind is in
//! `docs/schema/<kind>.schema.json`, generated from these types.

mod attachment;
mod case;
mod codes;
mod de;
mod establishment;
mod examples;
mod interview;
pub mod limits;
mod person;
mod referral;
mod visit;

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::ValidationError;

pub use attachment::{Attachment, CustodyTransfer, MediaKind};
pub use case::{Case, CaseStatus, Outcome};
pub use codes::{
    Age, AgeBasis, ExploitationType, IloIndicator, MethodOfControl, PerpetratorRole,
    RecruiterRelation, RecruitmentMethod, Service, Sex, SexExploitationType,
};
pub use establishment::{
    Coordinates, Establishment, EstablishmentRole, EstablishmentStatus, EstablishmentType,
    LinkedPerson, Location,
};
pub use examples::{example, example_id};
pub use interview::{
    Break, Consent, ConsentPart, GenderPreference, Interpreter, Interview, InterviewPlace,
    JourneyLeg, NamedEstablishment, NamedSuspect, Need, PeacePhase, PresentPerson, PresentRole,
    Recruitment, StopReason, Wellbeing, Withdrawal,
};
pub use person::{
    Contact, ContactKind, FamilyMember, IdDocument, IdDocumentKind, Person, PersonIdentity,
    PersonRole,
};
pub use referral::{Referral, ReferralStatus};
pub use visit::{
    AgeBand, AgeJudgement, Confidence, Count, FollowUp, Sampling, Visit, VisitIndicator,
    VisitPurpose,
};

/// The kinds of record.
#[derive(
    Serialize, Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A person (survivor, witness, suspect, informant).
    Person,
    /// An establishment.
    Establishment,
    /// A visit to an establishment.
    Visit,
    /// An interview.
    Interview,
    /// A case.
    Case,
    /// A referral to a service.
    Referral,
    /// An attachment's metadata.
    Attachment,
}

impl RecordKind {
    /// Every kind, in an order where each kind's example links only to
    /// kinds before it.
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Person,
        RecordKind::Establishment,
        RecordKind::Visit,
        RecordKind::Interview,
        RecordKind::Case,
        RecordKind::Referral,
        RecordKind::Attachment,
    ];

    /// The kind's name as written in JSON and on the command line (`visit`).
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Establishment => "establishment",
            RecordKind::Visit => "visit",
            RecordKind::Interview => "interview",
            RecordKind::Case => "case",
            RecordKind::Referral => "referral",
            RecordKind::Attachment => "attachment",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordKind {
    type Err = ValidationError;

    /// Parses a kind name (`visit`), ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let valid: Vec<&str> = RecordKind::ALL.iter().map(RecordKind::as_str).collect();
                ValidationError::new(
                    "kind",
                    format!(
                        "unknown record kind `{wanted}`; expected one of: {}",
                        valid.join(", ")
                    ),
                )
            })
    }
}

/// A record of any kind (its body; the id is kept by the store).
#[derive(Debug, Clone, PartialEq)]
// Interviews are large, but records are few in memory at a time and
// unboxed variants keep matching on them plain.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    /// A person.
    Person(Person),
    /// An establishment.
    Establishment(Establishment),
    /// A visit.
    Visit(Visit),
    /// An interview.
    Interview(Interview),
    /// A case.
    Case(Case),
    /// A referral.
    Referral(Referral),
    /// An attachment's metadata.
    Attachment(Attachment),
}

impl Record {
    /// Parse a record body of `kind` from JSON text and validate it. Errors name the field
    /// path (e.g. `visit.counts[2].count`, `interview.consent.interview`) and the rule.
    /// Unknown fields are refused, naming the field. Malformed JSON gives the kind's name as
    /// the field and the parser's message with line and column.
    pub fn from_json(kind: RecordKind, json: &str) -> Result<Record, ValidationError> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| ValidationError::new(kind.as_str(), format!("not valid JSON: {e}")))?;
        Record::from_value(kind, value)
    }

    /// Parse a record body of `kind` from an already-parsed JSON value and validate it.
    pub fn from_value(kind: RecordKind, value: Value) -> Result<Record, ValidationError> {
        if !value.is_object() {
            return Err(ValidationError::new(
                kind.as_str(),
                format!("a {kind} body must be a JSON object"),
            ));
        }
        let root = kind.as_str();
        limits::check(root, &value)?;
        let record = match kind {
            RecordKind::Person => Record::Person(de::from_value(root, &value)?),
            RecordKind::Establishment => Record::Establishment(de::from_value(root, &value)?),
            RecordKind::Visit => Record::Visit(de::from_value(root, &value)?),
            RecordKind::Interview => Record::Interview(de::from_value(root, &value)?),
            RecordKind::Case => Record::Case(de::from_value(root, &value)?),
            RecordKind::Referral => Record::Referral(de::from_value(root, &value)?),
            RecordKind::Attachment => Record::Attachment(de::from_value(root, &value)?),
        };
        record.validate()?;
        Ok(record)
    }

    /// The body as JSON (snake_case fields, no kind tag, no id).
    pub fn to_value(&self) -> Value {
        let result = match self {
            Record::Person(r) => serde_json::to_value(r),
            Record::Establishment(r) => serde_json::to_value(r),
            Record::Visit(r) => serde_json::to_value(r),
            Record::Interview(r) => serde_json::to_value(r),
            Record::Case(r) => serde_json::to_value(r),
            Record::Referral(r) => serde_json::to_value(r),
            Record::Attachment(r) => serde_json::to_value(r),
        };
        // Serializing these plain structs (string keys, finite numbers
        // checked by validation) cannot fail; Null is only a formality.
        result.unwrap_or(Value::Null)
    }

    /// The record's kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Person(_) => RecordKind::Person,
            Record::Establishment(_) => RecordKind::Establishment,
            Record::Visit(_) => RecordKind::Visit,
            Record::Interview(_) => RecordKind::Interview,
            Record::Case(_) => RecordKind::Case,
            Record::Referral(_) => RecordKind::Referral,
            Record::Attachment(_) => RecordKind::Attachment,
        }
    }

    /// Every rule that can be checked on this record alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Record::Person(r) => r.validate(),
            Record::Establishment(r) => r.validate(),
            Record::Visit(r) => r.validate(),
            Record::Interview(r) => r.validate(),
            Record::Case(r) => r.validate(),
            Record::Referral(r) => r.validate(),
            Record::Attachment(r) => r.validate(),
        }
    }

    /// What a list or search result shows: person pseudonym (or case code), establishment
    /// name, `Visit · <start date> · <purpose>`, `Interview · <date> · <place>`, case code,
    /// referral service, attachment file name. Never anything from a person's identity.
    pub fn label(&self) -> String {
        match self {
            Record::Person(r) => r.label(),
            Record::Establishment(r) => r.label(),
            Record::Visit(r) => r.label(),
            Record::Interview(r) => r.label(),
            Record::Case(r) => r.label(),
            Record::Referral(r) => r.label(),
            Record::Attachment(r) => r.label(),
        }
    }

    /// All free text worth full-text search (names, aliases, narratives, notes, places…),
    /// joined with newlines. Never includes a person's identity section.
    pub fn search_text(&self) -> String {
        let parts = match self {
            Record::Person(r) => r.search_text(),
            Record::Establishment(r) => r.search_text(),
            Record::Visit(r) => r.search_text(),
            Record::Interview(r) => r.search_text(),
            Record::Case(r) => r.search_text(),
            Record::Referral(r) => r.search_text(),
            Record::Attachment(r) => r.search_text(),
        };
        parts.join("\n")
    }

    /// For a person: takes the identity section out, returning the record without it and
    /// the identity as JSON (None if it had none). Other kinds return `(self, None)`.
    pub fn split_identity(self) -> (Record, Option<Value>) {
        match self {
            Record::Person(mut p) => {
                let identity = p.identity.take().and_then(|i| serde_json::to_value(i).ok());
                (Record::Person(p), identity)
            }
            other => (other, None),
        }
    }

    /// For a person: puts an identity section back, validating it (errors name
    /// `person.identity.…`). Other kinds: an error.
    pub fn with_identity(self, identity: Value) -> Result<Record, ValidationError> {
        match self {
            Record::Person(mut p) => {
                if !identity.is_object() {
                    return Err(ValidationError::new(
                        "person.identity",
                        "an identity section must be a JSON object",
                    ));
                }
                limits::check("person.identity", &identity)?;
                let parsed: PersonIdentity = de::from_value("person.identity", &identity)?;
                parsed.validate("person.identity")?;
                p.identity = Some(parsed);
                Ok(Record::Person(p))
            }
            other => Err(ValidationError::new(
                format!("{}.identity", other.kind()),
                "only a person has an identity section",
            )),
        }
    }

    /// Ids of other records this one references, with the field path, e.g.
    /// (`visit.establishment_id`, id), (`case.person_ids[0]`, id). The store checks they exist.
    pub fn links(&self) -> Vec<(String, Uuid)> {
        match self {
            Record::Person(r) => r.links(),
            Record::Establishment(r) => r.links(),
            Record::Visit(r) => r.links(),
            Record::Interview(r) => r.links(),
            Record::Case(r) => r.links(),
            Record::Referral(r) => r.links(),
            Record::Attachment(r) => r.links(),
        }
    }
}

/// JSON Schema (draft 2020-12) of a kind's body.
pub fn json_schema(kind: RecordKind) -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let schema = match kind {
        RecordKind::Person => generator.into_root_schema_for::<Person>(),
        RecordKind::Establishment => generator.into_root_schema_for::<Establishment>(),
        RecordKind::Visit => generator.into_root_schema_for::<Visit>(),
        RecordKind::Interview => generator.into_root_schema_for::<Interview>(),
        RecordKind::Case => generator.into_root_schema_for::<Case>(),
        RecordKind::Referral => generator.into_root_schema_for::<Referral>(),
        RecordKind::Attachment => generator.into_root_schema_for::<Attachment>(),
    };
    schema.to_value()
}

#[cfg(test)]
mod tests;
