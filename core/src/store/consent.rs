//! Consent withdrawn after the interview: one action on the interview, with when and who
//! recorded it. It is an edit like any other (a new revision, logged), so the withdrawal
//! travels with the record, and the interview shows it from then on.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{Error, Result, ValidationError};
use crate::model::{Record, RecordKind};
use crate::store::{Revision, Store};

/// A part of an interview's consent, as the record names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPart {
    /// To be interviewed at all.
    Interview,
    /// To audio recording.
    Recording,
    /// To sharing with the police.
    SharingWithPolice,
    /// To sharing with prosecutors.
    SharingWithProsecutors,
}

impl ConsentPart {
    /// The field's name in the interview's `consent`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPart::Interview => "interview",
            ConsentPart::Recording => "recording",
            ConsentPart::SharingWithPolice => "sharing_with_police",
            ConsentPart::SharingWithProsecutors => "sharing_with_prosecutors",
        }
    }
}

impl std::str::FromStr for ConsentPart {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s {
            "interview" => ConsentPart::Interview,
            "recording" => ConsentPart::Recording,
            "sharing_with_police" => ConsentPart::SharingWithPolice,
            "sharing_with_prosecutors" => ConsentPart::SharingWithProsecutors,
            other => {
                return Err(ValidationError::new(
                    "part",
                    format!(
                        "{other:?} is not a part of consent (interview, recording, \
                         sharing_with_police, sharing_with_prosecutors)"
                    ),
                ))
            }
        })
    }
}

impl Store {
    /// Records that the person withdrew `part` of their consent to interview `id`, at `at`,
    /// as told to `recorded_by`. A new revision (so it travels in the next bundle), logged as an
    /// edit. Refused when that part was never given or is already withdrawn, when `at` comes
    /// before the consent, for a record that is not an interview, and for one in conflict.
    pub fn withdraw_consent(
        &mut self,
        id: Uuid,
        part: ConsentPart,
        at: DateTime<Utc>,
        recorded_by: &str,
        note: &str,
    ) -> Result<Revision> {
        let view = self.show(id, false)?;
        if view.kind != RecordKind::Interview {
            return Err(ValidationError::new(
                "id",
                format!("{id} is a {}, not an interview", view.kind.as_str()),
            )
            .into());
        }
        if view.heads.len() > 1 {
            return Err(Error::Conflict {
                id: id.to_string(),
                heads: view.heads.len(),
            });
        }
        let mut body = view.body.ok_or_else(|| {
            ValidationError::new(
                "id",
                format!("interview {id} has no content here (deleted or purged)"),
            )
        })?;
        let path = format!("interview.consent.{}", part.as_str());
        let slot = body
            .get_mut("consent")
            .and_then(|c| c.get_mut(part.as_str()))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| {
                ValidationError::new(path.clone(), "this consent part was never given")
            })?;
        if let Some(before) = slot.get("withdrawn").filter(|w| !w.is_null()) {
            let when = before.get("at").and_then(Value::as_str).unwrap_or("before");
            return Err(ValidationError::new(
                format!("{path}.withdrawn"),
                format!("already withdrawn ({when})"),
            )
            .into());
        }
        let mut withdrawal = json!({
            "at": at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "recorded_by": recorded_by.trim(),
        });
        if !note.trim().is_empty() {
            withdrawal["note"] = json!(note.trim());
        }
        slot.insert("withdrawn".into(), withdrawal);
        let record = Record::from_value(RecordKind::Interview, body)?;
        self.edit(id, record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{example, example_id};
    use crate::store::tests::temp_store;

    fn interview(store: &mut Store) -> Uuid {
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        let person = store.add(example(RecordKind::Person)).unwrap();
        let mut body = example(RecordKind::Interview).to_value();
        let text = body
            .to_string()
            .replace(
                &example_id(RecordKind::Person).to_string(),
                &person.to_string(),
            )
            .replace(
                &example_id(RecordKind::Establishment).to_string(),
                &place.to_string(),
            );
        body = serde_json::from_str(&text).unwrap();
        store
            .add(Record::from_value(RecordKind::Interview, body).unwrap())
            .unwrap()
    }

    #[test]
    fn a_withdrawal_is_a_new_revision_the_record_shows_from_then_on() {
        let (_dir, mut store) = temp_store("Field laptop 3");
        let id = interview(&mut store);
        let before = store.show(id, false).unwrap().heads[0];
        let at = Utc::now();
        let rev = store
            .withdraw_consent(id, ConsentPart::Recording, at, "SW-04 សុខា", "By phone.")
            .unwrap();
        assert_eq!(rev.parents, vec![before]);
        let body = store.show(id, false).unwrap().body.unwrap();
        let w = &body["consent"]["recording"]["withdrawn"];
        assert_eq!(w["recorded_by"], "SW-04 សុខា");
        assert_eq!(w["note"], "By phone.");
        assert_eq!(body["consent"]["interview"].get("withdrawn"), None);
        // Once is enough: a second withdrawal of the same part is refused and changes nothing.
        match store.withdraw_consent(id, ConsentPart::Recording, at, "SW-04", "") {
            Err(Error::Invalid(e)) => {
                assert_eq!(e.field, "interview.consent.recording.withdrawn")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(store.history(id, false).unwrap().len(), 2);
    }

    #[test]
    fn what_cannot_be_withdrawn_is_refused_naming_the_field() {
        let (_dir, mut store) = temp_store("Field laptop 3");
        let id = interview(&mut store);
        let long_ago = DateTime::parse_from_rfc3339("2001-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        match store.withdraw_consent(id, ConsentPart::Interview, long_ago, "SW-04", "") {
            Err(Error::Invalid(e)) => {
                assert_eq!(e.field, "interview.consent.interview.withdrawn.at")
            }
            other => panic!("{other:?}"),
        }
        match store.withdraw_consent(id, ConsentPart::Interview, Utc::now(), "  ", "") {
            Err(Error::Invalid(e)) => {
                assert_eq!(e.field, "interview.consent.interview.withdrawn.recorded_by")
            }
            other => panic!("{other:?}"),
        }
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        assert!(matches!(
            store.withdraw_consent(place, ConsentPart::Interview, Utc::now(), "SW-04", ""),
            Err(Error::Invalid(_))
        ));
        assert_eq!(store.history(id, false).unwrap().len(), 1);
    }
}
