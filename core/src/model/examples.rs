//! One complete, valid, realistic example of each kind of record, for tests,
//! documentation and the schema files. Everything here is synthetic: the
//! names, places, numbers and stories are invented. Links point only at the
//! example records' fixed ids ([`example_id`]), so all seven can be stored
//! in the order of [`RecordKind::ALL`].

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;

/// The fixed, placeholder id of `kind`'s example record.
pub fn example_id(kind: RecordKind) -> Uuid {
    let n: u128 = match kind {
        RecordKind::Person => 0x01,
        RecordKind::Establishment => 0x10,
        RecordKind::Visit => 0x20,
        RecordKind::Interview => 0x30,
        RecordKind::Case => 0x40,
        RecordKind::Referral => 0x50,
        RecordKind::Attachment => 0x60,
    };
    Uuid::from_u128(0x0195_f3a0_0000_7000_8000_0000_0000_0000 | n)
}

/// A complete, valid, realistic example record of `kind` (synthetic; Khmer
/// and English text). Links use the fixed ids of [`example_id`].
pub fn example(kind: RecordKind) -> Record {
    match kind {
        RecordKind::Person => Record::Person(person()),
        RecordKind::Establishment => Record::Establishment(establishment()),
        RecordKind::Visit => Record::Visit(visit()),
        RecordKind::Interview => Record::Interview(interview()),
        RecordKind::Case => Record::Case(case()),
        RecordKind::Referral => Record::Referral(referral()),
        RecordKind::Attachment => Record::Attachment(attachment()),
    }
}

/// A UTC time; the examples' times are all valid.
fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap_or_default()
}

/// A date; the examples' dates are all valid.
fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn s(text: &str) -> String {
    text.to_string()
}

fn set<T: Ord + Copy>(items: &[T]) -> BTreeSet<T> {
    items.iter().copied().collect()
}

fn person() -> Person {
    Person {
        pseudonym: s("ផ្កាឈូក"),
        case_code: Some(s("PP-2026-0142-S1")),
        role: PersonRole::Survivor,
        sex: Sex::Female,
        nationality: Some(s("KH")),
        languages: vec![s("km")],
        age: Some(Age {
            years: Some(17),
            basis: AgeBasis::Stated,
            note: s("គ្មានឯកសារ។ No documents; she gave her age as 17."),
        }),
        identity: Some(PersonIdentity {
            legal_name: Some(s("សុខ ស្រីមុំ")),
            other_names: vec![s("Sreymom"), s("Mom")],
            birth_date: Some(day(2008, 9, 12)),
            id_documents: vec![IdDocument {
                kind: IdDocumentKind::FamilyBook,
                number: s("KC-0417-2231"),
                issuer: s("Kampong Cham provincial office"),
            }],
            contacts: vec![Contact {
                kind: ContactKind::Phone,
                value: s("+855 12 000 417"),
                note: s("ទូរស័ព្ទម្តាយ · her mother's phone; call only with her agreement"),
            }],
            family: vec![FamilyMember {
                relation: s("mother"),
                name: s("ស្រី ភា"),
                contact: s("+855 12 000 417"),
                note: s("Lives in Kampong Cham; not involved in the recruitment."),
            }],
            photo_attachment_id: None,
        }),
    }
}

fn establishment() -> Establishment {
    Establishment {
        name: s("ខារ៉ាអូខេផ្កាយព្រឹក"),
        aliases: vec![s("Morning Star KTV"), s("Phkay Proeuk Karaoke")],
        kind: EstablishmentType::KaraokeBar,
        location: Location {
            country: Some(s("KH")),
            province: s("Preah Sihanouk"),
            city: s("Sihanoukville"),
            district: s("Krong Preah Sihanouk"),
            commune: s("Sangkat Buon"),
            address: s("ផ្លូវលេខ២៣០ · Street 230, two doors from the night market"),
            coordinates: Some(Coordinates {
                lat: 10.6275,
                lon: 103.5221,
            }),
        },
        people: Vec::new(),
        status: EstablishmentStatus::Open,
        notes: s("Rooms upstairs; a guard at the back stairs. មានបន្ទប់នៅជាន់លើ។"),
    }
}

fn visit() -> Visit {
    Visit {
        establishment_id: example_id(RecordKind::Establishment),
        started_at: at(2026, 3, 14, 13, 5),
        ended_at: Some(at(2026, 3, 14, 14, 20)),
        team: vec![s("INV-02"), s("INV-07")],
        purpose: VisitPurpose::PrevalenceCount,
        counts: vec![
            Count {
                age_band: AgeBand::Adult,
                sex: Sex::Female,
                count: 11,
            },
            Count {
                age_band: AgeBand::Age16To17,
                sex: Sex::Female,
                count: 2,
            },
            Count {
                age_band: AgeBand::Under16,
                sex: Sex::Female,
                count: 1,
            },
            Count {
                age_band: AgeBand::Unknown,
                sex: Sex::Female,
                count: 1,
            },
        ],
        age_judged_by: set(&[AgeJudgement::Appearance, AgeJudgement::Stated]),
        age_confidence: Some(Confidence::Medium),
        sampling: Some(Sampling {
            stratum: s("SHV/karaoke/evening"),
            replaced_closed_establishment: true,
            replaced_establishment_id: None,
        }),
        indicators: set(&[
            VisitIndicator::Guards,
            VisitIndicator::OffersOfMinors,
            VisitIndicator::TalkOfDebt,
        ]),
        narrative: s(
            "The manager offered a \"new girl\" (ក្មេងថ្មី) who looked about 15, \
             for $60 to take out. Two girls said they owed the house for their \
             clothes and phone. The sampled bar on Street 108 was closed, so this \
             one replaced it.",
        ),
        follow_up: vec![FollowUp {
            action: s("Report to the Anti-Human Trafficking police, Preah Sihanouk"),
            due: Some(day(2026, 3, 16)),
            done: false,
        }],
    }
}

fn interview() -> Interview {
    let part = |given: bool, minute: u32| ConsentPart {
        given,
        explained_by: s("SW-11"),
        language: s("km"),
        at: Some(at(2026, 3, 20, 2, minute)),
        withdrawn: None,
    };
    Interview {
        person_id: example_id(RecordKind::Person),
        started_at: at(2026, 3, 20, 2, 0),
        ended_at: Some(at(2026, 3, 20, 3, 40)),
        place: InterviewPlace::Shelter,
        place_note: s("បន្ទប់ស្ងាត់នៅជម្រក · the quiet room at the shelter"),
        language: s("km"),
        interpreter: Some(Interpreter {
            name_or_code: s("INT-04"),
            language: s("en"),
        }),
        people_present: vec![
            PresentPerson {
                role: PresentRole::Interviewer,
                name_or_code: s("INV-05"),
            },
            PresentPerson {
                role: PresentRole::SocialWorker,
                name_or_code: s("SW-11"),
            },
            PresentPerson {
                role: PresentRole::Interpreter,
                name_or_code: s("INT-04"),
            },
        ],
        interviewer_gender_preferred: GenderPreference::Female,
        interviewee_age: Some(Age {
            years: Some(17),
            basis: AgeBasis::Stated,
            note: String::new(),
        }),
        interviewee_minor: true,
        consent: Consent {
            interview: part(true, 5),
            recording: part(true, 6),
            sharing_with_police: part(true, 7),
            sharing_with_prosecutors: ConsentPart {
                at: Some(at(2026, 3, 20, 2, 7)),
                ..part(false, 7)
            },
        },
        peace_phase: Some(PeacePhase::Closure),
        breaks: vec![Break {
            started_at: at(2026, 3, 20, 2, 50),
            ended_at: Some(at(2026, 3, 20, 3, 5)),
            reason: s("សម្រាក · she asked for water and a rest"),
        }],
        wellbeing_start: Some(Wellbeing {
            score: Some(3),
            note: s("Nervous but willing."),
        }),
        wellbeing_end: Some(Wellbeing {
            score: Some(4),
            note: s("Calmer; knows she can stop or add to it later."),
        }),
        referral_information_given: true,
        stop_reason: Some(StopReason::Completed),
        stop_note: String::new(),
        narrative: s("ខ្ញុំត្រូវបានគេសន្យាថានឹងបានការងារនៅភោជនីយដ្ឋាននៅក្រុងព្រះសីហនុ។ \
             ពេលខ្ញុំទៅដល់ គេយកអត្តសញ្ញាណប័ណ្ណរបស់ខ្ញុំ ហើយប្រាប់ថាខ្ញុំជំពាក់លុយគេ។ \
             ខ្ញុំមិនអាចចេញទៅណាបានទេ។"),
        interviewer_notes: s(
            "Interpreter's rendering: \"I was promised a job at a restaurant \
             in Sihanoukville. When I arrived they took my ID card and said I owed them \
             money. I could not go anywhere.\" Consistent with the visit of 14 March.",
        ),
        recruitment: Some(Recruitment {
            recruiter_role: Some(RecruiterRelation::FriendOrAcquaintance),
            methods: set(&[
                RecruitmentMethod::JobOfferOrAdvertisement,
                RecruitmentMethod::Internet,
            ]),
            platforms: vec![s("Facebook")],
            promised: s("ការងារបម្រើភោជនីយដ្ឋាន · a waitress job at $250 a month"),
        }),
        journey: vec![JourneyLeg {
            from: s("Kampong Cham"),
            to: s("Sihanoukville"),
            country: Some(s("KH")),
            crossed_border: false,
            how: s("Night bus, with the recruiter"),
            date: Some(day(2026, 1, 8)),
        }],
        exploitation_types: set(&[ExploitationType::Sexual, ExploitationType::Hospitality]),
        sex_exploitation_types: set(&[SexExploitationType::Prostitution]),
        methods_of_control: set(&[
            MethodOfControl::DebtBondage,
            MethodOfControl::WithholdsDocuments,
            MethodOfControl::RestrictsMovement,
            MethodOfControl::Threats,
            MethodOfControl::ConfiscatesPhone,
        ]),
        ilo_indicators: set(&[
            IloIndicator::AbuseOfVulnerability,
            IloIndicator::Deception,
            IloIndicator::RestrictionOfMovement,
            IloIndicator::IntimidationAndThreats,
            IloIndicator::RetentionOfIdentityDocuments,
            IloIndicator::DebtBondage,
        ]),
        suspects_named: vec![
            NamedSuspect {
                person_id: None,
                description: s("A woman the girls call \"Mama Lin\", about 40, runs the rooms"),
                perpetrator_roles: set(&[
                    PerpetratorRole::Exploiter,
                    PerpetratorRole::ControlledIndividual,
                ]),
            },
            NamedSuspect {
                person_id: None,
                description: s("បង វណ្ណៈ · \"Bong Vannak\", from her village, found her on Facebook"),
                perpetrator_roles: set(&[
                    PerpetratorRole::RecruiterOrIntermediary,
                    PerpetratorRole::Transporter,
                ]),
            },
        ],
        establishments_named: vec![NamedEstablishment {
            establishment_id: Some(example_id(RecordKind::Establishment)),
            description: s("ខារ៉ាអូខេផ្កាយព្រឹក"),
        }],
        needs: vec![
            Need {
                need: Service::Psychosocial,
                note: String::new(),
            },
            Need {
                need: Service::LegalAid,
                note: s("Wants to file a complaint."),
            },
            Need {
                need: Service::FamilyTracing,
                note: s("Wants her mother told she is safe."),
            },
        ],
    }
}

fn case() -> Case {
    Case {
        code: s("PP-2026-0142"),
        title: s("Morning Star KTV, Sihanoukville · ការជួញដូរមនុស្ស"),
        status: CaseStatus::Prosecution,
        opened_on: day(2026, 3, 15),
        person_ids: vec![example_id(RecordKind::Person)],
        interview_ids: vec![example_id(RecordKind::Interview)],
        visit_ids: vec![example_id(RecordKind::Visit)],
        establishment_ids: vec![example_id(RecordKind::Establishment)],
        arrests: vec![Outcome {
            date: day(2026, 3, 28),
            count: 2,
            note: s("Manager and cashier, during the police operation."),
        }],
        convictions: Vec::new(),
        notes: s("Minor offered on the first visit; survivor interviewed at the shelter."),
    }
}

fn referral() -> Referral {
    Referral {
        person_id: example_id(RecordKind::Person),
        case_id: Some(example_id(RecordKind::Case)),
        service: Service::LegalAid,
        to_organisation: s("Mekong Legal Aid Centre"),
        made_on: day(2026, 3, 21),
        status: ReferralStatus::Completed,
        completed_on: Some(day(2026, 4, 2)),
        note: s("មេធាវីបានជួបនាងនៅជម្រក · the lawyer met her at the shelter."),
    }
}

fn attachment() -> Attachment {
    Attachment {
        record_id: example_id(RecordKind::Interview),
        media: MediaKind::Audio,
        file_name: s("interview-2026-03-20.opus"),
        media_type: s("audio/ogg"),
        size_bytes: 18_734_112,
        sha256: s("9f2c4e1a7b3d5f60818a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e"),
        captured_by: s("INV-05"),
        captured_at: at(2026, 3, 20, 3, 41),
        custody: vec![CustodyTransfer {
            at: at(2026, 3, 21, 1, 0),
            from: s("INV-05"),
            to: s("Phnom Penh office"),
            note: s("In the signed bundle of 21 March."),
        }],
        description: s("Audio of the interview; recording consented."),
    }
}
