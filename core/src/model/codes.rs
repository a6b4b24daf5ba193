//! Code lists shared by several record kinds, and the small checks every
//! record uses (non-empty text, country and language codes).
//!
//! Where a shared vocabulary exists we follow it so partners can read our
//! exports: the IOM Human Trafficking Case Data Standard (HTCDS,
//! github.com/UNMigration/HTCDS) for methods of recruitment, methods of
//! control, types of exploitation and perpetrator roles; the ILO's eleven
//! indicators of forced labour; ISO 3166-1 alpha-2 for countries and ISO 639
//! for languages. Each enum says where it departs from its source.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// Defines a closed code list: a unit enum whose JSON form is the given
/// snake_case string, with `ALL`, `as_str()` and `label()`.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            serde::Serialize, serde::Deserialize, schemars::JsonSchema,
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
        )]
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $code)]
                $variant,
            )+
        }

        impl $name {
            /// Every value of the list, in its order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as written in JSON, e.g. `legal_aid`.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The code in plain English words, e.g. `legal aid`.
            pub fn label(&self) -> String {
                self.as_str().replace('_', " ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use code_list;

code_list! {
    /// A person's sex as recorded (observed or stated).
    #[derive(Default)]
    pub enum Sex {
        /// Female.
        Female = "female",
        /// Male.
        Male = "male",
        /// Another sex or gender identity.
        Other = "other",
        /// Not known or not recorded.
        #[default]
        Unknown = "unknown",
    }
}

code_list! {
    /// How an age was arrived at.
    pub enum AgeBasis {
        /// The person said so.
        Stated = "stated",
        /// Read from an identity or birth document.
        Documented = "documented",
        /// Estimated by the worker (appearance, context).
        Estimated = "estimated",
        /// Not known.
        Unknown = "unknown",
    }
}

/// An age in years with how it was arrived at. Ages matter: whether someone
/// is a minor decides who must be present at an interview and what a
/// prevalence count reports.
#[derive(Serialize, Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Age {
    /// Age in whole years, if known or estimated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 120))]
    pub years: Option<u8>,
    /// How the age was arrived at.
    pub basis: AgeBasis,
    /// Anything worth knowing about the age (e.g. "documents say 19, looks 15").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Age {
    /// Whether this age says the person is under 18.
    pub fn is_minor(&self) -> bool {
        matches!(self.years, Some(y) if y < 18)
    }

    pub(crate) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if let Some(y) = self.years {
            if y > 120 {
                return Err(ValidationError::new(
                    format!("{path}.years"),
                    "must be between 0 and 120",
                ));
            }
        }
        if self.basis == AgeBasis::Unknown && self.years.is_some() {
            return Err(ValidationError::new(
                format!("{path}.basis"),
                "an age in years needs a basis (stated, documented or estimated)",
            ));
        }
        Ok(())
    }
}

code_list! {
    /// A service a person needs or is referred to (the domain's list of
    /// needs and referrals).
    pub enum Service {
        /// A safe place to stay.
        Shelter = "shelter",
        /// Medical care.
        Medical = "medical",
        /// Counselling and psychosocial support.
        Psychosocial = "psychosocial",
        /// Legal aid and representation.
        LegalAid = "legal_aid",
        /// Return to the home country or province.
        Repatriation = "repatriation",
        /// Finding and contacting family.
        FamilyTracing = "family_tracing",
        /// Something else (say what in the note).
        Other = "other",
    }
}

code_list! {
    /// Type of exploitation. The domain's list; HTCDS splits it into
    /// `TypeOfLabourExploitation` and `TypeOfSexExploitation`: `sexual` is
    /// the latter (detail in [`SexExploitationType`]), `factory` is HTCDS
    /// `Manufacturing`, `online_scam` falls under HTCDS `IllicitActivities`,
    /// `fishing` under HTCDS `Aquafarming` / ISIC section A; `hospitality`,
    /// `mining_or_drilling`, `peddling` and `transportation` are HTCDS values;
    /// `forced_marriage` is ours.
    pub enum ExploitationType {
        /// Sexual exploitation.
        Sexual = "sexual",
        /// Fishing, on vessels or in fish processing.
        Fishing = "fishing",
        /// Agriculture and plantations.
        Agriculture = "agriculture",
        /// Construction.
        Construction = "construction",
        /// Factory work (HTCDS manufacturing).
        Factory = "factory",
        /// Domestic work in a private home.
        DomesticWork = "domestic_work",
        /// Forced work in an online-scam compound.
        OnlineScam = "online_scam",
        /// Forced begging.
        Begging = "begging",
        /// Street selling (HTCDS peddling).
        Peddling = "peddling",
        /// Hotels, restaurants, karaoke and bars (HTCDS hospitality).
        Hospitality = "hospitality",
        /// Mining or drilling (HTCDS).
        MiningOrDrilling = "mining_or_drilling",
        /// Transport work (HTCDS).
        Transportation = "transportation",
        /// Forced marriage.
        ForcedMarriage = "forced_marriage",
        /// Something else (say what in the narrative or notes).
        Other = "other",
    }
}

code_list! {
    /// Detail of sexual exploitation; follows HTCDS `TypeOfSexExploitation`.
    pub enum SexExploitationType {
        /// Prostitution.
        Prostitution = "prostitution",
        /// Pornography.
        Pornography = "pornography",
        /// Remote interactive services (live streaming, webcam).
        RemoteInteractiveServices = "remote_interactive_services",
        /// Private sexual services.
        PrivateSexualServices = "private_sexual_services",
    }
}

code_list! {
    /// Method of control; follows HTCDS `MethodsOfControl`, plus
    /// `isolation` and `confiscates_phone`, which are ours.
    pub enum MethodOfControl {
        /// Debt bondage.
        DebtBondage = "debt_bondage",
        /// Takes the person's earnings.
        TakesEarnings = "takes_earnings",
        /// Restricts access to money or accounts.
        RestrictsFinancialAccess = "restricts_financial_access",
        /// Threats against the person or family.
        Threats = "threats",
        /// Psychological abuse.
        PsychologicalAbuse = "psychological_abuse",
        /// Physical abuse.
        PhysicalAbuse = "physical_abuse",
        /// Sexual abuse.
        SexualAbuse = "sexual_abuse",
        /// False promises.
        FalsePromises = "false_promises",
        /// Psychoactive substances.
        PsychoactiveSubstances = "psychoactive_substances",
        /// Restricts movement.
        RestrictsMovement = "restricts_movement",
        /// Restricts medical care.
        RestrictsMedicalCare = "restricts_medical_care",
        /// Excessive working hours.
        ExcessiveWorkingHours = "excessive_working_hours",
        /// Uses the person's children as leverage.
        UsesChildren = "uses_children",
        /// Threat of law enforcement (arrest, deportation).
        ThreatOfLawEnforcement = "threat_of_law_enforcement",
        /// Withholds food, sleep or other necessities.
        WithholdsNecessities = "withholds_necessities",
        /// Withholds identity or travel documents.
        WithholdsDocuments = "withholds_documents",
        /// Isolation from family and others (ours, not in HTCDS).
        Isolation = "isolation",
        /// Takes away the person's phone (ours, not in HTCDS).
        ConfiscatesPhone = "confiscates_phone",
        /// Something else.
        Other = "other",
    }
}

code_list! {
    /// Method of recruitment; follows HTCDS `MethodOfRecruitment`
    /// (`internet` covers social media and online advertisements; the
    /// platforms go in `recruitment.platforms`).
    pub enum RecruitmentMethod {
        /// Abduction.
        Abduction = "abduction",
        /// At a school or other place of education.
        EducationalFacility = "educational_facility",
        /// Through a family member.
        Familial = "familial",
        /// Internet: social media, online advertisement.
        Internet = "internet",
        /// An international marriage broker.
        InternationalMarriageBroker = "international_marriage_broker",
        /// An intimate partner or a marriage proposition.
        IntimatePartnerOrMarriageProposition = "intimate_partner_or_marriage_proposition",
        /// A job offer or advertisement.
        JobOfferOrAdvertisement = "job_offer_or_advertisement",
        /// Someone posing as a benefactor.
        PosingAsBenefactor = "posing_as_benefactor",
        /// Approached in a public area.
        PublicArea = "public_area",
        /// An offer of accommodation.
        OfferOfAccommodation = "offer_of_accommodation",
        /// Recruited from a shelter.
        Shelter = "shelter",
        /// Smuggling or ransom.
        SmugglingOrRansom = "smuggling_or_ransom",
        /// At a workplace.
        Work = "work",
        /// Something else.
        Other = "other",
        /// Not known.
        Unknown = "unknown",
    }
}

code_list! {
    /// Who the recruiter was to the person (ours; HTCDS records this as the
    /// perpetrator's role and the method of recruitment).
    pub enum RecruiterRelation {
        /// A family member.
        FamilyMember = "family_member",
        /// A partner or spouse.
        IntimatePartner = "intimate_partner",
        /// A friend, neighbour or acquaintance.
        FriendOrAcquaintance = "friend_or_acquaintance",
        /// A broker or agent (formal or informal).
        BrokerOrAgent = "broker_or_agent",
        /// An employer or the employer's staff.
        Employer = "employer",
        /// A stranger.
        Stranger = "stranger",
        /// Someone else.
        Other = "other",
        /// Not known.
        Unknown = "unknown",
    }
}

code_list! {
    /// A perpetrator's role in the process; follows HTCDS
    /// `per_RoleInProcess`, plus `employer` and `official`, which are ours.
    pub enum PerpetratorRole {
        /// Travelled with the person.
        TravellingPartner = "travelling_partner",
        /// Transported the person.
        Transporter = "transporter",
        /// Recruiter or intermediary.
        RecruiterOrIntermediary = "recruiter_or_intermediary",
        /// Broker or travel agent.
        BrokerOrTravelAgent = "broker_or_travel_agent",
        /// Transferred the person.
        TransferredIndividual = "transferred_individual",
        /// Harboured the person.
        HarbouredIndividual = "harboured_individual",
        /// Sold the person.
        SoldIndividual = "sold_individual",
        /// Bought the person.
        BoughtIndividual = "bought_individual",
        /// Received the person.
        ReceivedIndividual = "received_individual",
        /// Controlled the person.
        ControlledIndividual = "controlled_individual",
        /// Smuggler.
        Smuggler = "smuggler",
        /// Abuser.
        Abuser = "abuser",
        /// Kidnapper.
        Kidnapper = "kidnapper",
        /// Exploiter.
        Exploiter = "exploiter",
        /// Employer (ours).
        Employer = "employer",
        /// A public official (ours: police, border or local official).
        Official = "official",
        /// Another role.
        Other = "other",
    }
}

code_list! {
    /// The ILO's eleven indicators of forced labour.
    pub enum IloIndicator {
        /// Abuse of vulnerability.
        AbuseOfVulnerability = "abuse_of_vulnerability",
        /// Deception.
        Deception = "deception",
        /// Restriction of movement.
        RestrictionOfMovement = "restriction_of_movement",
        /// Isolation.
        Isolation = "isolation",
        /// Physical and sexual violence.
        PhysicalAndSexualViolence = "physical_and_sexual_violence",
        /// Intimidation and threats.
        IntimidationAndThreats = "intimidation_and_threats",
        /// Retention of identity documents.
        RetentionOfIdentityDocuments = "retention_of_identity_documents",
        /// Withholding of wages.
        WithholdingOfWages = "withholding_of_wages",
        /// Debt bondage.
        DebtBondage = "debt_bondage",
        /// Abusive working and living conditions.
        AbusiveWorkingAndLivingConditions = "abusive_working_and_living_conditions",
        /// Excessive overtime.
        ExcessiveOvertime = "excessive_overtime",
    }
}

/// `skip_serializing_if` helper for `false` booleans.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// Refuses text that is empty or only white space.
pub(crate) fn non_empty(path: &str, text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::new(path, "must not be empty"));
    }
    Ok(())
}

/// Checks an ISO 3166-1 alpha-2 country code: two upper-case letters (`KH`, `TH`).
pub(crate) fn country(path: &str, code: &str) -> Result<(), ValidationError> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    Err(ValidationError::new(
        path,
        format!(
            "`{code}` is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. KH)"
        ),
    ))
}

/// Checks an ISO 639 language code: two or three lower-case letters (`km`, `en`, `th`, `vi`).
pub(crate) fn language(path: &str, code: &str) -> Result<(), ValidationError> {
    if (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()) {
        return Ok(());
    }
    Err(ValidationError::new(
        path,
        format!("`{code}` is not an ISO 639 language code (two or three small letters, e.g. km)"),
    ))
}

/// Pushes non-empty text onto a search-text list.
pub(crate) fn push_text(out: &mut Vec<String>, text: &str) {
    let t = text.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
}
