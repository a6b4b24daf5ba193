//! A trauma-informed interview with a survivor or witness. Consent comes
//! first, each part on its own and revocable; a minor is never interviewed
//! without a guardian or social worker present; the person's own words
//! (`narrative`) are kept apart from the interviewer's notes; breaks, the
//! wellbeing checks and the reason the interview stopped are recorded.
//! The shape follows the PEACE model (UNODC) and the WHO's ethical and
//! safety recommendations for interviewing trafficked women.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{
    self, code_list, Age, ExploitationType, IloIndicator, MethodOfControl, PerpetratorRole,
    RecruiterRelation, RecruitmentMethod, Service, SexExploitationType,
};
use crate::error::ValidationError;

code_list! {
    /// Where the interview took place.
    pub enum InterviewPlace {
        /// A shelter.
        Shelter = "shelter",
        /// An office.
        Office = "office",
        /// A police station.
        PoliceStation = "police_station",
        /// Elsewhere (say where in `place_note`).
        Other = "other",
    }
}

code_list! {
    /// Role of someone present at an interview.
    pub enum PresentRole {
        /// The interviewer.
        Interviewer = "interviewer",
        /// A social worker.
        SocialWorker = "social_worker",
        /// A parent or legal guardian.
        Guardian = "guardian",
        /// An interpreter.
        Interpreter = "interpreter",
        /// A police officer.
        Police = "police",
        /// A lawyer.
        Lawyer = "lawyer",
        /// Someone else.
        Other = "other",
    }
}

code_list! {
    /// The gender of interviewer the person preferred, when asked.
    #[derive(Default)]
    pub enum GenderPreference {
        /// A woman.
        Female = "female",
        /// A man.
        Male = "male",
        /// No preference.
        NoPreference = "no_preference",
        /// The question was not asked.
        #[default]
        NotAsked = "not_asked",
    }
}

code_list! {
    /// Phase of the PEACE interview model reached.
    pub enum PeacePhase {
        /// Planning and preparation.
        Planning = "planning",
        /// Engage and explain.
        EngageAndExplain = "engage_and_explain",
        /// Account, clarification and challenge.
        Account = "account",
        /// Closure.
        Closure = "closure",
        /// Evaluation.
        Evaluation = "evaluation",
    }
}

code_list! {
    /// Why the interview stopped.
    pub enum StopReason {
        /// It was completed.
        Completed = "completed",
        /// The person asked to stop.
        SurvivorAskedToStop = "survivor_asked_to_stop",
        /// The person was distressed.
        Distress = "distress",
        /// It was interrupted.
        Interruption = "interruption",
        /// For safety.
        Safety = "safety",
        /// Another reason (say which in `stop_note`).
        Other = "other",
    }
}

/// An interview.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Interview {
    /// The person interviewed.
    pub person_id: Uuid,
    /// When the interview started.
    pub started_at: DateTime<Utc>,
    /// When it ended; absent while under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Where it took place.
    pub place: InterviewPlace,
    /// More about the place.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place_note: String,
    /// Language of the interview, ISO 639 (`km`, `th`, `vi`, `en`).
    #[schemars(pattern(r"^[a-z]{2,3}$"))]
    pub language: String,
    /// The interpreter, if one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<Interpreter>,
    /// Everyone present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people_present: Vec<PresentPerson>,
    /// Gender of interviewer the person preferred.
    #[serde(default)]
    pub interviewer_gender_preferred: GenderPreference,
    /// The person's age at the interview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewee_age: Option<Age>,
    /// Whether the person is a minor (under 18), whatever the age says.
    #[serde(default, skip_serializing_if = "codes::is_false")]
    pub interviewee_minor: bool,
    /// Consent, each part on its own.
    pub consent: Consent,
    /// The PEACE phase reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peace_phase: Option<PeacePhase>,
    /// Breaks, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<Break>,
    /// Wellbeing check at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wellbeing_start: Option<Wellbeing>,
    /// Wellbeing check at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wellbeing_end: Option<Wellbeing>,
    /// Whether information on services and referrals was given.
    #[serde(default, skip_serializing_if = "codes::is_false")]
    pub referral_information_given: bool,
    /// Why the interview stopped (required once it has ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopReason>,
    /// More about why it stopped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stop_note: String,
    /// The person's account in their own words, verbatim. May be empty if
    /// the interview stopped early.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub narrative: String,
    /// The interviewer's notes and interpretation, kept apart from the narrative.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interviewer_notes: String,
    /// How the person was recruited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruitment: Option<Recruitment>,
    /// The journey, leg by leg.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journey: Vec<JourneyLeg>,
    /// Types of exploitation.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub exploitation_types: BTreeSet<ExploitationType>,
    /// Detail of sexual exploitation (HTCDS).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub sex_exploitation_types: BTreeSet<SexExploitationType>,
    /// Methods of control (HTCDS).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub methods_of_control: BTreeSet<MethodOfControl>,
    /// ILO indicators of forced labour.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub ilo_indicators: BTreeSet<IloIndicator>,
    /// Suspects the person named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspects_named: Vec<NamedSuspect>,
    /// Establishments the person named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub establishments_named: Vec<NamedEstablishment>,
    /// Needs the person has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
}

/// The interpreter.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Interpreter {
    /// Name or staff code.
    pub name_or_code: String,
    /// The language interpreted to and from the interview's language, ISO 639.
    #[schemars(pattern(r"^[a-z]{2,3}$"))]
    pub language: String,
}

/// Someone present at the interview.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PresentPerson {
    /// Their role.
    pub role: PresentRole,
    /// Name or staff code.
    pub name_or_code: String,
}

/// Consent, each part given (or not) on its own. Parts other than the
/// interview itself default to not given.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// To be interviewed. Required: no interview without it.
    pub interview: ConsentPart,
    /// To audio recording.
    #[serde(default)]
    pub recording: ConsentPart,
    /// To sharing with the police.
    #[serde(default)]
    pub sharing_with_police: ConsentPart,
    /// To sharing with prosecutors.
    #[serde(default)]
    pub sharing_with_prosecutors: ConsentPart,
}

/// One part of consent.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsentPart {
    /// Whether it was given.
    pub given: bool,
    /// Who explained it (name or staff code); required when given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explained_by: String,
    /// The language it was explained in, ISO 639; required when given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    /// When it was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// Its withdrawal, if withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
}

impl ConsentPart {
    /// Given and not withdrawn.
    pub fn in_force(&self) -> bool {
        self.given && self.withdrawn.is_none()
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if self.given {
            codes::non_empty(&format!("{path}.explained_by"), &self.explained_by)?;
            codes::non_empty(&format!("{path}.language"), &self.language)?;
        }
        if !self.language.is_empty() {
            codes::language(&format!("{path}.language"), &self.language)?;
        }
        if let Some(w) = &self.withdrawn {
            if !self.given {
                return Err(ValidationError::new(
                    format!("{path}.withdrawn"),
                    "a consent that was not given cannot be withdrawn",
                ));
            }
            if let Some(at) = self.at {
                if w.at < at {
                    return Err(ValidationError::new(
                        format!("{path}.withdrawn.at"),
                        "a withdrawal must come after the consent",
                    ));
                }
            }
            codes::non_empty(&format!("{path}.withdrawn.recorded_by"), &w.recorded_by)?;
        }
        Ok(())
    }
}

/// The withdrawal of a consent. It travels with the data.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// When it was withdrawn.
    pub at: DateTime<Utc>,
    /// Who recorded the withdrawal.
    pub recorded_by: String,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A break in the interview.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Break {
    /// When the break started.
    pub started_at: DateTime<Utc>,
    /// When it ended; absent while under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// A wellbeing check.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Wellbeing {
    /// Score from 1 (very bad) to 5 (very good).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub score: Option<u8>,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// How the person was recruited.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Recruitment {
    /// Who the recruiter was to the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruiter_role: Option<RecruiterRelation>,
    /// Methods of recruitment (HTCDS).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub methods: BTreeSet<RecruitmentMethod>,
    /// Websites and apps used (HTCDS `RecruitmentWebsitesAndApps`: Facebook, Telegram…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// What was promised.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub promised: String,
}

/// A leg of the journey.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JourneyLeg {
    /// From where.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// To where.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    /// Country of the destination, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Z]{2}$"))]
    pub country: Option<String>,
    /// Whether a border was crossed.
    #[serde(default, skip_serializing_if = "codes::is_false")]
    pub crossed_border: bool,
    /// How (bus, boat, on foot, with whom…).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub how: String,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// A suspect the person named.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NamedSuspect {
    /// The person record, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    /// Who, as the person described them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Roles in the process (HTCDS `RoleInProcess`).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub perpetrator_roles: BTreeSet<PerpetratorRole>,
}

/// An establishment the person named.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NamedEstablishment {
    /// The establishment record, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment_id: Option<Uuid>,
    /// Which place, as the person described it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A need the person has.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// The service needed.
    pub need: Service,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Interview {
    /// Whether audio recording is consented: the interview and the
    /// recording consents both given and neither withdrawn.
    pub fn recording_consented(&self) -> bool {
        self.consent.interview.in_force() && self.consent.recording.in_force()
    }

    /// Whether the person is a minor: flagged as one, or an age under 18.
    pub fn is_minor(&self) -> bool {
        self.interviewee_minor || self.interviewee_age.as_ref().is_some_and(Age::is_minor)
    }

    /// Checks every rule that can be checked on this interview alone.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !self.consent.interview.given {
            return Err(ValidationError::new(
                "interview.consent.interview",
                "no interview without interview consent",
            ));
        }
        self.consent
            .interview
            .validate("interview.consent.interview")?;
        self.consent
            .recording
            .validate("interview.consent.recording")?;
        self.consent
            .sharing_with_police
            .validate("interview.consent.sharing_with_police")?;
        self.consent
            .sharing_with_prosecutors
            .validate("interview.consent.sharing_with_prosecutors")?;

        if let Some(end) = self.ended_at {
            if end < self.started_at {
                return Err(ValidationError::new(
                    "interview.ended_at",
                    "must not be before started_at",
                ));
            }
            if self.stop_reason.is_none() {
                return Err(ValidationError::new(
                    "interview.stop_reason",
                    "an interview that has ended records why it stopped",
                ));
            }
        }
        if self.stop_reason == Some(StopReason::Other) {
            codes::non_empty("interview.stop_note", &self.stop_note)?;
        }

        codes::language("interview.language", &self.language)?;
        if let Some(i) = &self.interpreter {
            codes::non_empty("interview.interpreter.name_or_code", &i.name_or_code)?;
            codes::language("interview.interpreter.language", &i.language)?;
        }
        for (i, p) in self.people_present.iter().enumerate() {
            codes::non_empty(
                &format!("interview.people_present[{i}].name_or_code"),
                &p.name_or_code,
            )?;
        }
        if let Some(age) = &self.interviewee_age {
            age.validate("interview.interviewee_age")?;
        }
        if self.is_minor()
            && !self
                .people_present
                .iter()
                .any(|p| matches!(p.role, PresentRole::Guardian | PresentRole::SocialWorker))
        {
            return Err(ValidationError::new(
                "interview.people_present",
                "a minor must have a guardian or social worker present",
            ));
        }

        self.validate_breaks()?;

        for (name, w) in [
            ("wellbeing_start", &self.wellbeing_start),
            ("wellbeing_end", &self.wellbeing_end),
        ] {
            if let Some(score) = w.as_ref().and_then(|w| w.score) {
                if !(1..=5).contains(&score) {
                    return Err(ValidationError::new(
                        format!("interview.{name}.score"),
                        "must be from 1 to 5",
                    ));
                }
            }
        }

        for (i, leg) in self.journey.iter().enumerate() {
            if let Some(c) = &leg.country {
                codes::country(&format!("interview.journey[{i}].country"), c)?;
            }
        }
        for (i, s) in self.suspects_named.iter().enumerate() {
            if s.person_id.is_none() && s.description.trim().is_empty() {
                return Err(ValidationError::new(
                    format!("interview.suspects_named[{i}]"),
                    "needs a person_id or a description",
                ));
            }
        }
        for (i, e) in self.establishments_named.iter().enumerate() {
            if e.establishment_id.is_none() && e.description.trim().is_empty() {
                return Err(ValidationError::new(
                    format!("interview.establishments_named[{i}]"),
                    "needs an establishment_id or a description",
                ));
            }
        }
        Ok(())
    }

    /// Breaks come in order, inside the interview, and only the last may still be open.
    fn validate_breaks(&self) -> Result<(), ValidationError> {
        let mut previous_end = self.started_at;
        let count = self.breaks.len();
        for (i, b) in self.breaks.iter().enumerate() {
            let path = format!("interview.breaks[{i}]");
            if b.started_at < previous_end {
                return Err(ValidationError::new(
                    format!("{path}.started_at"),
                    if i == 0 {
                        "a break must start after the interview starts"
                    } else {
                        "breaks must be in order and must not overlap"
                    },
                ));
            }
            if let Some(end) = self.ended_at {
                if b.started_at > end {
                    return Err(ValidationError::new(
                        format!("{path}.started_at"),
                        "a break must start before the interview ends",
                    ));
                }
            }
            match b.ended_at {
                Some(end) => {
                    if end < b.started_at {
                        return Err(ValidationError::new(
                            format!("{path}.ended_at"),
                            "must not be before the break's started_at",
                        ));
                    }
                    if self.ended_at.is_some_and(|e| end > e) {
                        return Err(ValidationError::new(
                            format!("{path}.ended_at"),
                            "a break must end by the time the interview ends",
                        ));
                    }
                    previous_end = end;
                }
                None if i + 1 < count => {
                    return Err(ValidationError::new(
                        format!("{path}.ended_at"),
                        "only the last break may still be open",
                    ));
                }
                None => {}
            }
        }
        Ok(())
    }

    pub(crate) fn label(&self) -> String {
        format!(
            "Interview · {} · {}",
            self.started_at.date_naive(),
            self.place.label()
        )
    }

    pub(crate) fn search_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        let push = codes::push_text;
        push(&mut out, &self.place_note);
        push(&mut out, &self.narrative);
        push(&mut out, &self.interviewer_notes);
        push(&mut out, &self.stop_note);
        for w in [&self.wellbeing_start, &self.wellbeing_end]
            .into_iter()
            .flatten()
        {
            push(&mut out, &w.note);
        }
        for b in &self.breaks {
            push(&mut out, &b.reason);
        }
        if let Some(r) = &self.recruitment {
            push(&mut out, &r.promised);
            for p in &r.platforms {
                push(&mut out, p);
            }
        }
        for leg in &self.journey {
            push(&mut out, &leg.from);
            push(&mut out, &leg.to);
            push(&mut out, &leg.how);
        }
        for s in &self.suspects_named {
            push(&mut out, &s.description);
        }
        for e in &self.establishments_named {
            push(&mut out, &e.description);
        }
        for n in &self.needs {
            push(&mut out, &n.note);
        }
        out
    }

    pub(crate) fn links(&self) -> Vec<(String, Uuid)> {
        let mut out = vec![("interview.person_id".to_string(), self.person_id)];
        for (i, s) in self.suspects_named.iter().enumerate() {
            if let Some(id) = s.person_id {
                out.push((format!("interview.suspects_named[{i}].person_id"), id));
            }
        }
        for (i, e) in self.establishments_named.iter().enumerate() {
            if let Some(id) = e.establishment_id {
                out.push((
                    format!("interview.establishments_named[{i}].establishment_id"),
                    id,
                ));
            }
        }
        out
    }
}
