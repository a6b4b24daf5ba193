//! The case summary's own words (headings, labels, code values) in English and Khmer. What
//! the records say prints as it was written. The Khmer is best-effort and needs review by a
//! native speaker before a summary in Khmer goes to a court.

use serde::{Deserialize, Serialize};

use crate::model::{CaseStatus, InterviewPlace, PersonRole, RecordKind, VisitPurpose};
use crate::store::cases::EntryState;

/// The language of a summary's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryLanguage {
    /// English.
    #[default]
    English,
    /// Khmer (best-effort wording, to be reviewed by a native speaker).
    Khmer,
}

impl SummaryLanguage {
    /// The ISO 639-1 code (`en`, `km`).
    pub fn code(&self) -> &'static str {
        match self {
            SummaryLanguage::English => "en",
            SummaryLanguage::Khmer => "km",
        }
    }
}

impl std::str::FromStr for SummaryLanguage {
    type Err = crate::error::ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(SummaryLanguage::English),
            "km" | "khmer" => Ok(SummaryLanguage::Khmer),
            other => Err(crate::error::ValidationError::new(
                "language",
                format!("{other:?} is not a summary language (en or km)"),
            )),
        }
    }
}

/// Fixed words of one language.
pub(crate) struct Words {
    pub banner: &'static str,
    pub status: &'static str,
    pub opened: &'static str,
    pub last_changed: &'static str,
    pub note: &'static str,
    pub case_in_conflict: &'static str,
    pub identities: &'static str,
    pub identities_withheld: &'static str,
    pub identities_included: &'static str,
    pub outcomes: &'static str,
    pub arrests: &'static str,
    pub convictions: &'static str,
    pub none_recorded: &'static str,
    pub people_in_all: &'static str,
    pub notes: &'static str,
    pub timeline: &'static str,
    pub times_utc: &'static str,
    pub linked_records: &'static str,
    pub nothing_linked: &'static str,
    pub no_date: &'static str,
    pub recorded: &'static str,
    pub in_conflict: &'static str,
    pub consent_withdrawn: &'static str,
    pub persons: &'static str,
    pub no_person: &'static str,
    pub identity: &'static str,
    pub withheld: &'static str,
    pub unreadable: &'static str,
    pub legal_name: &'static str,
    pub other_names: &'static str,
    pub born: &'static str,
    pub documents: &'static str,
    pub contacts: &'static str,
    pub family: &'static str,
    pub person_not_here: &'static str,
    pub establishment_not_here: &'static str,
    pub printed: &'static str,
    pub by: &'static str,
    pub footer_warning: &'static str,
    pub page: &'static str,
    pub of: &'static str,
}

const ENGLISH: Words = Words {
    banner: "CONFIDENTIAL · Case summary · This PDF is not encrypted",
    status: "Status",
    opened: "Opened",
    last_changed: "Last changed",
    note: "Note",
    case_in_conflict:
        "this case has two or more versions (edited apart on two devices); the newest is shown",
    identities: "Identities",
    identities_withheld: "withheld (this summary was made without identities)",
    identities_included:
        "INCLUDED at the user's request (logged); keep this paper as safe as the records",
    outcomes: "Arrests and convictions",
    arrests: "Arrests",
    convictions: "Convictions",
    none_recorded: "none recorded",
    people_in_all: "people in all",
    notes: "Notes",
    timeline: "Timeline",
    times_utc: "times UTC",
    linked_records: "linked records",
    nothing_linked: "Nothing is linked to this case yet.",
    no_date: "no date",
    recorded: "recorded",
    in_conflict: "IN CONFLICT: two versions, the newest shown",
    consent_withdrawn: "CONSENT WITHDRAWN",
    persons: "Persons",
    no_person: "No person is linked to this case.",
    identity: "Identity",
    withheld: "withheld",
    unreadable: "could not be read",
    legal_name: "Legal name",
    other_names: "Other names",
    born: "Born",
    documents: "Documents",
    contacts: "Contacts",
    family: "Family",
    person_not_here: "person not in this store",
    establishment_not_here: "establishment not in this store",
    printed: "printed",
    by: "by",
    footer_warning: "CONFIDENTIAL, not encrypted",
    page: "page",
    of: "of",
};

const KHMER: Words = Words {
    banner: "សម្ងាត់ · សេចក្តីសង្ខេបសំណុំរឿង · ឯកសារ PDF នេះមិនត្រូវបានអ៊ិនគ្រីបទេ",
    status: "ស្ថានភាព",
    opened: "ថ្ងៃបើក",
    last_changed: "កែប្រែចុងក្រោយ",
    note: "ចំណាំ",
    case_in_conflict: "សំណុំរឿងនេះមានកំណែពីរ ឬច្រើន (កែប្រែដាច់ដោយឡែកលើឧបករណ៍ពីរ); បង្ហាញកំណែថ្មីបំផុត",
    identities: "អត្តសញ្ញាណ",
    identities_withheld: "បានលាក់ (សេចក្តីសង្ខេបនេះធ្វើឡើងដោយគ្មានអត្តសញ្ញាណ)",
    identities_included: "បានបញ្ចូល តាមសំណើអ្នកប្រើ (បានកត់ត្រា); សូមរក្សាឯកសារនេះឲ្យមានសុវត្ថិភាពដូចកំណត់ត្រា",
    outcomes: "ការចាប់ខ្លួន និងការផ្តន្ទាទោស",
    arrests: "ការចាប់ខ្លួន",
    convictions: "ការផ្តន្ទាទោស",
    none_recorded: "មិនមានកំណត់ត្រា",
    people_in_all: "នាក់ សរុប",
    notes: "កំណត់ចំណាំ",
    timeline: "លំដាប់ពេលវេលា",
    times_utc: "ម៉ោង UTC",
    linked_records: "កំណត់ត្រាភ្ជាប់",
    nothing_linked: "មិនទាន់មានអ្វីភ្ជាប់នឹងសំណុំរឿងនេះទេ។",
    no_date: "គ្មានកាលបរិច្ឆេទ",
    recorded: "ថ្ងៃកត់ត្រា",
    in_conflict: "មានជម្លោះ៖ កំណែពីរ បង្ហាញកំណែថ្មីបំផុត",
    consent_withdrawn: "បានដកការយល់ព្រម",
    persons: "បុគ្គល",
    no_person: "មិនមានបុគ្គលណាភ្ជាប់នឹងសំណុំរឿងនេះទេ។",
    identity: "អត្តសញ្ញាណ",
    withheld: "បានលាក់",
    unreadable: "មិនអាចអានបាន",
    legal_name: "ឈ្មោះស្របច្បាប់",
    other_names: "ឈ្មោះផ្សេងទៀត",
    born: "ថ្ងៃកំណើត",
    documents: "ឯកសារ",
    contacts: "ទំនាក់ទំនង",
    family: "គ្រួសារ",
    person_not_here: "បុគ្គលមិនមាននៅក្នុងឃ្លាំងនេះ",
    establishment_not_here: "ទីតាំងមិនមាននៅក្នុងឃ្លាំងនេះ",
    printed: "បោះពុម្ព",
    by: "ដោយ",
    footer_warning: "សម្ងាត់ មិនបានអ៊ិនគ្រីប",
    page: "ទំព័រ",
    of: "នៃ",
};

impl SummaryLanguage {
    pub(crate) fn words(&self) -> &'static Words {
        match self {
            SummaryLanguage::English => &ENGLISH,
            SummaryLanguage::Khmer => &KHMER,
        }
    }

    pub(crate) fn kind(&self, kind: RecordKind) -> String {
        match self {
            SummaryLanguage::English => {
                let mut name = kind.as_str().to_string();
                if let Some(first) = name.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                name
            }
            SummaryLanguage::Khmer => match kind {
                RecordKind::Person => "បុគ្គល",
                RecordKind::Establishment => "ទីតាំងអាជីវកម្ម",
                RecordKind::Visit => "ការចុះពិនិត្យ",
                RecordKind::Interview => "បទសម្ភាសន៍",
                RecordKind::Case => "សំណុំរឿង",
                RecordKind::Referral => "ការបញ្ជូន",
                RecordKind::Attachment => "ឯកសារភ្ជាប់",
            }
            .to_string(),
        }
    }

    pub(crate) fn status(&self, status: CaseStatus) -> String {
        match self {
            SummaryLanguage::English => status.label(),
            SummaryLanguage::Khmer => match status {
                CaseStatus::Intake => "ទទួលដំបូង",
                CaseStatus::Investigation => "កំពុងស៊ើបអង្កេត",
                CaseStatus::ReferredToPolice => "បានបញ្ជូនទៅប៉ូលិស",
                CaseStatus::Prosecution => "កំពុងកាត់ក្តី",
                CaseStatus::Verdict => "មានសាលក្រម",
                CaseStatus::Closed => "បានបិទ",
            }
            .to_string(),
        }
    }

    pub(crate) fn role(&self, role: PersonRole) -> String {
        match self {
            SummaryLanguage::English => role.label(),
            SummaryLanguage::Khmer => match role {
                PersonRole::Survivor => "ជនរងគ្រោះ",
                PersonRole::Witness => "សាក្សី",
                PersonRole::Suspect => "ជនសង្ស័យ",
                PersonRole::Informant => "អ្នកផ្តល់ព័ត៌មាន",
                PersonRole::Other => "ផ្សេងទៀត",
            }
            .to_string(),
        }
    }

    pub(crate) fn place(&self, place: InterviewPlace) -> String {
        match self {
            SummaryLanguage::English => place.label(),
            SummaryLanguage::Khmer => match place {
                InterviewPlace::Shelter => "ជម្រក",
                InterviewPlace::Office => "ការិយាល័យ",
                InterviewPlace::PoliceStation => "ប៉ុស្តិ៍ប៉ូលិស",
                InterviewPlace::Other => "កន្លែងផ្សេង",
            }
            .to_string(),
        }
    }

    pub(crate) fn purpose(&self, purpose: VisitPurpose) -> String {
        match self {
            SummaryLanguage::English => purpose.label(),
            // As the desktop's visit screens word them (ui/src/lib/i18n-visits.ts).
            SummaryLanguage::Khmer => match purpose {
                VisitPurpose::PrevalenceCount => "ការរាប់ចំនួនដើម្បីសិក្សាអត្រា",
                VisitPurpose::Monitoring => "ការតាមដាន",
                VisitPurpose::UndercoverInvestigation => "ការស៊ើបអង្កេតសម្ងាត់",
                VisitPurpose::FollowUp => "ការតាមដានបន្ត",
                VisitPurpose::JointOperation => "ប្រតិបត្តិការរួមជាមួយប៉ូលិស",
            }
            .to_string(),
        }
    }

    pub(crate) fn consent_part(&self, part: &str) -> String {
        match self {
            SummaryLanguage::English => part.replace('_', " "),
            SummaryLanguage::Khmer => match part {
                "interview" => "ការសម្ភាសន៍",
                "recording" => "ការថតសំឡេង",
                "sharing_with_police" => "ការចែករំលែកជាមួយប៉ូលិស",
                "sharing_with_prosecutors" => "ការចែករំលែកជាមួយព្រះរាជអាជ្ញា",
                other => other,
            }
            .to_string(),
        }
    }

    /// What an entry says when its record is not here.
    pub(crate) fn gone(&self, kind: RecordKind, state: EntryState) -> String {
        let kind = self.kind(kind);
        match self {
            SummaryLanguage::English => match state {
                EntryState::Missing => format!("{kind}: not in this store (not imported yet?)"),
                EntryState::Deleted => format!("{kind}: deleted"),
                EntryState::Purged => {
                    format!("{kind}: purged from this laptop (the office holds it)")
                }
                EntryState::WrongKind => format!("{kind}: the linked record is another kind"),
                EntryState::Present => kind,
            },
            SummaryLanguage::Khmer => match state {
                EntryState::Missing => {
                    format!("{kind}៖ មិនមាននៅក្នុងឃ្លាំងនេះ (ប្រហែលមិនទាន់នាំចូល)")
                }
                EntryState::Deleted => format!("{kind}៖ បានលុប"),
                EntryState::Purged => {
                    format!("{kind}៖ បានសម្អាតចេញពីកុំព្យូទ័រនេះ (ការិយាល័យរក្សាទុក)")
                }
                EntryState::WrongKind => format!("{kind}៖ កំណត់ត្រាដែលភ្ជាប់ជាប្រភេទផ្សេង"),
                EntryState::Present => kind,
            },
        }
    }
}
