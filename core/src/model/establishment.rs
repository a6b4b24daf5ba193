//! An establishment: a place where people may be exploited and which
//! investigators visit (karaoke bar, brothel, scam compound, fishing vessel…).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{self, code_list};
use crate::error::ValidationError;

code_list! {
    /// Type of establishment.
    pub enum EstablishmentType {
        /// Karaoke bar (KTV).
        KaraokeBar = "karaoke_bar",
        /// Beer garden.
        BeerGarden = "beer_garden",
        /// Massage parlour.
        MassageParlour = "massage_parlour",
        /// Brothel.
        Brothel = "brothel",
        /// Guesthouse.
        Guesthouse = "guesthouse",
        /// Casino.
        Casino = "casino",
        /// Online-scam compound.
        ScamCompound = "scam_compound",
        /// Factory.
        Factory = "factory",
        /// Fishing vessel.
        FishingVessel = "fishing_vessel",
        /// Construction site.
        ConstructionSite = "construction_site",
        /// Private home.
        PrivateHome = "private_home",
        /// Another kind of place.
        Other = "other",
    }
}

code_list! {
    /// Whether the establishment operates.
    #[derive(Default)]
    pub enum EstablishmentStatus {
        /// Open and operating.
        Open = "open",
        /// Found closed, perhaps for a while.
        ClosedTemporarily = "closed_temporarily",
        /// Closed for good.
        Closed = "closed",
        /// Moved elsewhere (say where in the notes).
        Moved = "moved",
        /// Not known.
        #[default]
        Unknown = "unknown",
    }
}

code_list! {
    /// How a person is linked to an establishment.
    pub enum EstablishmentRole {
        /// Owner.
        Owner = "owner",
        /// Manager.
        Manager = "manager",
        /// Another link (worker, guard, recruiter…; say which in the note).
        Other = "other",
    }
}

/// An establishment.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Establishment {
    /// The name it is known by.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Other names (signboard in Khmer, former names, nicknames).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Type of establishment (JSON field `type`).
    #[serde(rename = "type")]
    pub kind: EstablishmentType,
    /// Where it is.
    pub location: Location,
    /// People linked to it (owner, manager).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<LinkedPerson>,
    /// Whether it operates.
    #[serde(default)]
    pub status: EstablishmentStatus,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Where an establishment is. Needs at least a province, a city, an address
/// or coordinates.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Country, ISO 3166-1 alpha-2; absent means Cambodia (`KH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Z]{2}$"))]
    pub country: Option<String>,
    /// Province (or the capital, Phnom Penh).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub province: String,
    /// City or town.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    /// District (srok or khan).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub district: String,
    /// Commune (khum or sangkat).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commune: String,
    /// Street address or directions.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// GPS position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
}

/// A WGS 84 position in decimal degrees.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    /// Latitude, -90 to 90.
    #[schemars(range(min = -90, max = 90))]
    pub lat: f64,
    /// Longitude, -180 to 180.
    #[schemars(range(min = -180, max = 180))]
    pub lon: f64,
}

/// A person linked to an establishment.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkedPerson {
    /// The person record.
    pub person_id: Uuid,
    /// How they are linked.
    pub role: EstablishmentRole,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Location {
    /// Checks the location's rules; `path` is where it sits.
    pub fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if let Some(c) = &self.country {
            codes::country(&format!("{path}.country"), c)?;
        }
        if let Some(c) = &self.coordinates {
            if !(c.lat.is_finite() && (-90.0..=90.0).contains(&c.lat)) {
                return Err(ValidationError::new(
                    format!("{path}.coordinates.lat"),
                    "latitude must be between -90 and 90",
                ));
            }
            if !(c.lon.is_finite() && (-180.0..=180.0).contains(&c.lon)) {
                return Err(ValidationError::new(
                    format!("{path}.coordinates.lon"),
                    "longitude must be between -180 and 180",
                ));
            }
        }
        let any_text = [&self.province, &self.city, &self.address]
            .iter()
            .any(|t| !t.trim().is_empty());
        if !any_text && self.coordinates.is_none() {
            return Err(ValidationError::new(
                path,
                "needs at least a province, a city, an address or coordinates",
            ));
        }
        Ok(())
    }

    pub(crate) fn push_text(&self, out: &mut Vec<String>) {
        for t in [
            &self.province,
            &self.city,
            &self.district,
            &self.commune,
            &self.address,
        ] {
            codes::push_text(out, t);
        }
    }
}

impl Establishment {
    /// Checks every rule that can be checked on this establishment alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        codes::non_empty("establishment.name", &self.name)?;
        for (i, a) in self.aliases.iter().enumerate() {
            codes::non_empty(&format!("establishment.aliases[{i}]"), a)?;
        }
        self.location.validate("establishment.location")?;
        Ok(())
    }

    pub(crate) fn label(&self) -> String {
        self.name.clone()
    }

    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        codes::push_text(&mut out, &self.name);
        for a in &self.aliases {
            codes::push_text(&mut out, a);
        }
        self.location.push_text(&mut out);
        for p in &self.people {
            codes::push_text(&mut out, &p.note);
        }
        codes::push_text(&mut out, &self.notes);
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        self.people
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("establishment.people[{i}].person_id"), p.person_id))
            .collect()
    }
}
