//! A person: survivor, witness, suspect or informant. Always shown by
//! pseudonym (or case code); everything that identifies them lives in the
//! separate [`PersonIdentity`] section, which the store keeps apart and
//! reveals only on request, logging each reveal.

use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{self, code_list, Age, Sex};
use crate::error::ValidationError;

code_list! {
    /// A person's role in the work.
    pub enum PersonRole {
        /// A survivor (victim) of trafficking or exploitation.
        Survivor = "survivor",
        /// A witness.
        Witness = "witness",
        /// A suspected perpetrator.
        Suspect = "suspect",
        /// An informant.
        Informant = "informant",
        /// Another role.
        Other = "other",
    }
}

/// A person. Nothing outside `identity` may identify them.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The name everyone sees, chosen to protect the person (e.g. `ផ្កាឈូក`, `Sreymom-07`).
    #[schemars(length(min = 1))]
    pub pseudonym: String,
    /// The office's case code for the person, if any (e.g. `PP-2026-0142-S1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_code: Option<String>,
    /// Role in the work.
    pub role: PersonRole,
    /// Sex.
    #[serde(default)]
    pub sex: Sex,
    /// Nationality, ISO 3166-1 alpha-2 (e.g. `KH`, `VN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Z]{2}$"))]
    pub nationality: Option<String>,
    /// Languages the person speaks, ISO 639 codes, best first (e.g. `km`, `vi`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(pattern(r"^[a-z]{2,3}$")))]
    pub languages: Vec<String>,
    /// Age and how it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<Age>,
    /// The identifying section, kept apart by the store. Absent when not
    /// recorded or when split off with `Record::split_identity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<PersonIdentity>,
}

/// What identifies a person. Stored apart, revealed deliberately, each
/// reveal logged. Its `Debug` output is redacted.
#[derive(Serialize, Deserialize, JsonSchema, Clone, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonIdentity {
    /// Legal name as on documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// Other names, nicknames, spellings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Identity and travel documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_documents: Vec<IdDocument>,
    /// Ways to reach the person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Family members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub family: Vec<FamilyMember>,
    /// The attachment holding the person's photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_attachment_id: Option<Uuid>,
}

impl fmt::Debug for PersonIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonIdentity(<redacted>)")
    }
}

code_list! {
    /// Kind of identity or travel document.
    pub enum IdDocumentKind {
        /// National identity card.
        NationalIdCard = "national_id_card",
        /// Passport.
        Passport = "passport",
        /// Birth certificate.
        BirthCertificate = "birth_certificate",
        /// Family book.
        FamilyBook = "family_book",
        /// Residence book.
        ResidenceBook = "residence_book",
        /// Work permit.
        WorkPermit = "work_permit",
        /// Seafarer's book.
        SeafarerBook = "seafarer_book",
        /// Another document.
        Other = "other",
    }
}

/// An identity or travel document.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IdDocument {
    /// Kind of document.
    pub kind: IdDocumentKind,
    /// Its number.
    pub number: String,
    /// Who issued it (country or authority).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuer: String,
}

code_list! {
    /// Kind of contact.
    pub enum ContactKind {
        /// Telephone number.
        Phone = "phone",
        /// E-mail address.
        Email = "email",
        /// Messaging app handle (Telegram, WhatsApp, Line…).
        MessagingApp = "messaging_app",
        /// Postal or home address.
        Address = "address",
        /// Something else.
        Other = "other",
    }
}

/// A way to reach the person.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Kind of contact.
    pub kind: ContactKind,
    /// The number, address or handle.
    pub value: String,
    /// Notes (e.g. "safe to call after 18:00 only").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A family member.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FamilyMember {
    /// Relation to the person (mother, brother, aunt…).
    pub relation: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// How to reach them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
    /// Notes (e.g. whether they were involved).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Person {
    /// Checks every rule that can be checked on this person alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        codes::non_empty("person.pseudonym", &self.pseudonym)?;
        if let Some(code) = &self.case_code {
            codes::non_empty("person.case_code", code)?;
        }
        if let Some(n) = &self.nationality {
            codes::country("person.nationality", n)?;
        }
        for (i, l) in self.languages.iter().enumerate() {
            codes::language(&format!("person.languages[{i}]"), l)?;
        }
        if let Some(age) = &self.age {
            age.validate("person.age")?;
        }
        if let Some(identity) = &self.identity {
            identity.validate("person.identity")?;
        }
        Ok(())
    }

    pub(crate) fn label(&self) -> String {
        match &self.case_code {
            Some(code) if self.pseudonym.trim().is_empty() => code.clone(),
            _ => self.pseudonym.clone(),
        }
    }

    /// Never touches `identity`.
    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        codes::push_text(&mut out, &self.pseudonym);
        if let Some(code) = &self.case_code {
            codes::push_text(&mut out, code);
        }
        if let Some(age) = &self.age {
            codes::push_text(&mut out, &age.note);
        }
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        self.identity
            .as_ref()
            .and_then(|i| i.photo_attachment_id)
            .map(|id| ("person.identity.photo_attachment_id".to_string(), id))
            .into_iter()
            .collect()
    }
}

impl PersonIdentity {
    /// Checks the identity section's rules; `path` is where it sits (`person.identity`).
    pub fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if let Some(name) = &self.legal_name {
            codes::non_empty(&format!("{path}.legal_name"), name)?;
        }
        for (i, name) in self.other_names.iter().enumerate() {
            codes::non_empty(&format!("{path}.other_names[{i}]"), name)?;
        }
        for (i, doc) in self.id_documents.iter().enumerate() {
            codes::non_empty(&format!("{path}.id_documents[{i}].number"), &doc.number)?;
        }
        for (i, c) in self.contacts.iter().enumerate() {
            codes::non_empty(&format!("{path}.contacts[{i}].value"), &c.value)?;
        }
        for (i, m) in self.family.iter().enumerate() {
            codes::non_empty(&format!("{path}.family[{i}].relation"), &m.relation)?;
        }
        Ok(())
    }
}
