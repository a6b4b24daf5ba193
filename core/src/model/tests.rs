use std::path::PathBuf;

use serde_json::json;

use super::*;

fn body(kind: RecordKind) -> Value {
    example(kind).to_value()
}

fn err(kind: RecordKind, value: Value) -> ValidationError {
    match Record::from_value(kind, value) {
        Ok(r) => panic!("expected {kind} to be refused, got {r:?}"),
        Err(e) => e,
    }
}

fn interview_with(edit: impl FnOnce(&mut Interview)) -> Result<Record, ValidationError> {
    let Record::Interview(mut i) = example(RecordKind::Interview) else {
        unreachable!()
    };
    edit(&mut i);
    Record::from_value(RecordKind::Interview, Record::Interview(i).to_value())
}

#[test]
fn every_example_validates_and_round_trips() {
    for kind in RecordKind::ALL {
        let record = example(kind);
        assert_eq!(record.kind(), kind);
        record
            .validate()
            .unwrap_or_else(|e| panic!("{kind} example invalid: {e}"));
        let back = Record::from_value(kind, record.to_value()).unwrap();
        assert_eq!(back, record, "{kind}");
        let text = serde_json::to_string(&record.to_value()).unwrap();
        assert_eq!(Record::from_json(kind, &text).unwrap(), record, "{kind}");
    }
}

#[test]
fn examples_link_only_to_earlier_examples() {
    for (n, kind) in RecordKind::ALL.into_iter().enumerate() {
        for (path, id) in example(kind).links() {
            assert!(
                RecordKind::ALL[..n].iter().any(|k| example_id(*k) == id),
                "{path} of the {kind} example points at {id}"
            );
        }
    }
}

#[test]
fn bodies_carry_no_kind_or_id_and_stay_short() {
    let v = body(RecordKind::Case);
    let obj = v.as_object().unwrap();
    assert!(!obj.contains_key("kind") && !obj.contains_key("id"));
    assert!(!obj.contains_key("convictions"), "empty lists are left out");
    let visit = body(RecordKind::Visit);
    assert_eq!(visit["counts"][1]["age_band"], "age_16_17");
    assert_eq!(visit["purpose"], "prevalence_count");
    assert_eq!(body(RecordKind::Establishment)["type"], "karaoke_bar");
}

#[test]
fn a_minor_needs_a_guardian_or_social_worker() {
    let e = interview_with(|i| {
        i.people_present
            .retain(|p| p.role != PresentRole::SocialWorker)
    })
    .unwrap_err();
    assert_eq!(e.field, "interview.people_present");
    assert_eq!(
        e.rule,
        "a minor must have a guardian or social worker present"
    );

    // The age alone makes her a minor, even without the flag.
    let e = interview_with(|i| {
        i.interviewee_minor = false;
        i.people_present
            .retain(|p| p.role != PresentRole::SocialWorker);
    })
    .unwrap_err();
    assert_eq!(e.field, "interview.people_present");

    let ok = interview_with(|i| {
        i.people_present
            .retain(|p| p.role != PresentRole::SocialWorker);
        i.people_present.push(PresentPerson {
            role: PresentRole::Guardian,
            name_or_code: "aunt".into(),
        });
    });
    assert!(ok.is_ok(), "{ok:?}");

    let adult = interview_with(|i| {
        i.interviewee_minor = false;
        i.interviewee_age = Some(Age {
            years: Some(24),
            basis: AgeBasis::Documented,
            note: String::new(),
        });
        i.people_present
            .retain(|p| p.role != PresentRole::SocialWorker);
    });
    assert!(adult.is_ok(), "{adult:?}");
}

#[test]
fn no_interview_without_interview_consent() {
    let e = interview_with(|i| i.consent.interview.given = false).unwrap_err();
    assert_eq!(e.field, "interview.consent.interview");
    assert_eq!(e.rule, "no interview without interview consent");

    let mut v = body(RecordKind::Interview);
    v["consent"].as_object_mut().unwrap().remove("interview");
    assert_eq!(
        err(RecordKind::Interview, v).field,
        "interview.consent.interview"
    );
}

#[test]
fn recording_consent_is_its_own_and_can_be_withdrawn() {
    let Record::Interview(i) = example(RecordKind::Interview) else {
        unreachable!()
    };
    assert!(i.recording_consented());
    assert!(i.is_minor());

    let mut withdrawn = i.clone();
    withdrawn.consent.recording.withdrawn = Some(Withdrawal {
        at: i.started_at + chrono::Duration::days(3),
        recorded_by: "SW-11".into(),
        note: "She no longer wants the audio kept.".into(),
    });
    assert!(!withdrawn.recording_consented());
    assert!(Record::Interview(withdrawn.clone()).validate().is_ok());

    let mut early = withdrawn.clone();
    early.consent.recording.withdrawn.as_mut().unwrap().at =
        i.started_at - chrono::Duration::hours(1);
    assert_eq!(
        Record::Interview(early).validate().unwrap_err().field,
        "interview.consent.recording.withdrawn.at"
    );

    let mut absent = i.clone();
    absent.consent.recording = ConsentPart::default();
    assert!(!absent.recording_consented());
    let v = Record::Interview(absent).to_value();
    assert_eq!(v["consent"]["recording"]["given"], false);
}

#[test]
fn interview_times_and_breaks_are_in_order() {
    let e = interview_with(|i| i.ended_at = Some(i.started_at - chrono::Duration::minutes(1)))
        .unwrap_err();
    assert_eq!(e.field, "interview.ended_at");

    let e = interview_with(|i| {
        let b = i.breaks[0].clone();
        i.breaks.push(Break {
            started_at: b.started_at,
            ended_at: None,
            reason: String::new(),
        });
    })
    .unwrap_err();
    assert_eq!(e.field, "interview.breaks[1].started_at");

    let e = interview_with(|i| {
        i.breaks[0].ended_at = Some(i.ended_at.unwrap() + chrono::Duration::minutes(5))
    })
    .unwrap_err();
    assert_eq!(e.field, "interview.breaks[0].ended_at");

    let e = interview_with(|i| i.stop_reason = None).unwrap_err();
    assert_eq!(e.field, "interview.stop_reason");

    // Under way: no end, an open break, no stop reason, nothing said yet.
    let ok = interview_with(|i| {
        i.ended_at = None;
        i.stop_reason = None;
        i.narrative.clear();
        i.breaks[0].ended_at = None;
    });
    assert!(ok.is_ok(), "{ok:?}");

    let e = interview_with(|i| i.wellbeing_end.as_mut().unwrap().score = Some(6)).unwrap_err();
    assert_eq!(e.field, "interview.wellbeing_end.score");
}

#[test]
fn an_unknown_field_is_refused_by_name() {
    let mut v = body(RecordKind::Person);
    v["favourite_colour"] = json!("blue");
    let e = err(RecordKind::Person, v);
    assert_eq!(e.field, "person.favourite_colour");
    assert!(e.rule.contains("unknown field"), "{e}");

    let mut v = body(RecordKind::Visit);
    v["counts"][2]["colour"] = json!("red");
    assert_eq!(err(RecordKind::Visit, v).field, "visit.counts[2].colour");
}

#[test]
fn a_bad_value_names_its_field_path() {
    let mut v = body(RecordKind::Visit);
    v["counts"][2]["count"] = json!("three");
    let e = err(RecordKind::Visit, v);
    assert_eq!(e.field, "visit.counts[2].count");
    assert!(e.rule.contains("invalid type"), "{e}");

    let mut v = body(RecordKind::Visit);
    v["counts"][0]["count"] = json!(-1);
    assert_eq!(err(RecordKind::Visit, v).field, "visit.counts[0].count");

    let mut v = body(RecordKind::Visit);
    v["purpose"] = json!("sightseeing");
    let e = err(RecordKind::Visit, v);
    assert_eq!(e.field, "visit.purpose");
    assert!(
        e.rule.contains("prevalence_count"),
        "lists the valid values: {e}"
    );

    let mut v = body(RecordKind::Interview);
    v["started_at"] = json!("yesterday");
    assert_eq!(err(RecordKind::Interview, v).field, "interview.started_at");

    let mut v = body(RecordKind::Person);
    v["age"]["years"] = json!(300);
    assert_eq!(err(RecordKind::Person, v).field, "person.age.years");

    let mut v = body(RecordKind::Person);
    v.as_object_mut().unwrap().remove("pseudonym");
    let e = err(RecordKind::Person, v);
    assert_eq!(
        (e.field.as_str(), e.rule.as_str()),
        ("person.pseudonym", "is required")
    );

    let mut v = body(RecordKind::Person);
    v["pseudonym"] = json!("  ");
    assert_eq!(err(RecordKind::Person, v).field, "person.pseudonym");

    let mut v = body(RecordKind::Person);
    v["nationality"] = json!("kh");
    assert_eq!(err(RecordKind::Person, v).field, "person.nationality");

    let mut v = body(RecordKind::Person);
    v["languages"] = json!(["km", "Khmer"]);
    assert_eq!(err(RecordKind::Person, v).field, "person.languages[1]");

    assert_eq!(err(RecordKind::Case, json!([1, 2])).field, "case");
}

#[test]
fn malformed_json_gives_the_parser_message() {
    let e = Record::from_json(RecordKind::Visit, "{\"team\": [\"INV-02\",}").unwrap_err();
    assert_eq!(e.field, "visit");
    assert!(e.rule.contains("line 1 column"), "{e}");
}

#[test]
fn record_kinds_parse_and_print() {
    for kind in RecordKind::ALL {
        assert_eq!(kind.as_str().parse::<RecordKind>().unwrap(), kind);
        assert_eq!(kind.to_string(), kind.as_str());
        assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.as_str()));
    }
    assert_eq!(" Visit ".parse::<RecordKind>().unwrap(), RecordKind::Visit);
    let e = "victim".parse::<RecordKind>().unwrap_err();
    assert_eq!(e.field, "kind");
    assert!(
        e.rule
            .contains("person, establishment, visit, interview, case, referral, attachment"),
        "{e}"
    );
}

#[test]
fn identity_is_split_off_and_never_shown() {
    const MARKER: &str = "ZZ-IDENTITY-MARKER-7781";
    let mut v = body(RecordKind::Person);
    v["identity"]["legal_name"] = json!(MARKER);
    v["identity"]["other_names"] = json!([format!("{MARKER}-alias")]);
    v["identity"]["id_documents"][0]["number"] = json!(format!("{MARKER}-doc"));
    let record = Record::from_value(RecordKind::Person, v).unwrap();

    assert!(!record.label().contains(MARKER));
    assert!(!record.search_text().contains(MARKER));
    assert!(
        !format!("{record:?}").contains(MARKER),
        "Debug redacts the identity"
    );
    assert_eq!(record.label(), "ផ្កាឈូក");
    assert!(record.search_text().contains("PP-2026-0142-S1"));

    let (bare, identity) = record.clone().split_identity();
    let identity = identity.expect("the example has an identity");
    assert!(identity.to_string().contains(MARKER));
    assert!(!bare.to_value().to_string().contains(MARKER));
    assert!(bare.to_value().get("identity").is_none());

    let whole = bare.clone().with_identity(identity).unwrap();
    assert_eq!(whole, record);

    let e = bare
        .clone()
        .with_identity(json!({"legal_name": MARKER, "shoe_size": 38}))
        .unwrap_err();
    assert_eq!(e.field, "person.identity.shoe_size");
    let e = bare.with_identity(json!({"legal_name": ""})).unwrap_err();
    assert_eq!(e.field, "person.identity.legal_name");

    let (visit, none) = example(RecordKind::Visit).split_identity();
    assert!(none.is_none());
    assert_eq!(
        visit.with_identity(json!({})).unwrap_err().field,
        "visit.identity"
    );
}

#[test]
fn labels_say_what_a_list_shows() {
    assert_eq!(example(RecordKind::Establishment).label(), "ខារ៉ាអូខេផ្កាយព្រឹក");
    assert_eq!(
        example(RecordKind::Visit).label(),
        "Visit · 2026-03-14 · prevalence count"
    );
    assert_eq!(
        example(RecordKind::Interview).label(),
        "Interview · 2026-03-20 · shelter"
    );
    assert_eq!(example(RecordKind::Case).label(), "PP-2026-0142");
    assert_eq!(example(RecordKind::Referral).label(), "Legal aid");
    assert_eq!(
        example(RecordKind::Attachment).label(),
        "interview-2026-03-20.opus"
    );
}

#[test]
fn search_text_holds_the_free_text() {
    let text = example(RecordKind::Interview).search_text();
    assert!(text.contains("ខ្ញុំត្រូវបានគេសន្យាថានឹងបានការងារនៅភោជនីយដ្ឋាន"));
    assert!(text.contains("Interpreter's rendering"));
    assert!(text.contains("Kampong Cham"));
    let text = example(RecordKind::Establishment).search_text();
    assert!(text.contains("Morning Star KTV") && text.contains("Sihanoukville"));
    assert!(example(RecordKind::Visit).search_text().contains("ក្មេងថ្មី"));
}

#[test]
fn links_list_references_with_their_paths() {
    let id = |k| example_id(k);
    let visit = example(RecordKind::Visit).links();
    assert_eq!(
        visit,
        vec![(
            "visit.establishment_id".to_string(),
            id(RecordKind::Establishment)
        )]
    );
    let case = example(RecordKind::Case).links();
    assert!(case.contains(&("case.person_ids[0]".to_string(), id(RecordKind::Person))));
    assert!(case.contains(&("case.visit_ids[0]".to_string(), id(RecordKind::Visit))));
    assert_eq!(case.len(), 4);
    let interview = example(RecordKind::Interview).links();
    assert!(interview.contains(&("interview.person_id".to_string(), id(RecordKind::Person))));
    assert!(interview.contains(&(
        "interview.establishments_named[0].establishment_id".to_string(),
        id(RecordKind::Establishment)
    )));
    assert_eq!(
        example(RecordKind::Attachment).links(),
        vec![(
            "attachment.record_id".to_string(),
            id(RecordKind::Interview)
        )]
    );
    let referral = example(RecordKind::Referral).links();
    assert!(referral.contains(&("referral.case_id".to_string(), id(RecordKind::Case))));
    assert!(example(RecordKind::Person).links().is_empty());
}

#[test]
fn visit_counts_once_per_band_and_sex() {
    let mut v = body(RecordKind::Visit);
    v["counts"]
        .as_array_mut()
        .unwrap()
        .push(json!({"age_band": "age_16_17", "sex": "female", "count": 1}));
    let e = err(RecordKind::Visit, v);
    assert_eq!(e.field, "visit.counts[4]");
    assert!(e.rule.contains("counted twice"), "{e}");

    let Record::Visit(visit) = example(RecordKind::Visit) else {
        unreachable!()
    };
    assert_eq!(visit.total_observed(), 15);
    assert_eq!(visit.observed_in(AgeBand::Under16), 1);
}

#[test]
fn visit_rules() {
    let mut v = body(RecordKind::Visit);
    v.as_object_mut().unwrap().remove("sampling");
    assert_eq!(err(RecordKind::Visit, v).field, "visit.sampling");

    let mut v = body(RecordKind::Visit);
    v["team"] = json!([]);
    assert_eq!(err(RecordKind::Visit, v).field, "visit.team");

    let mut v = body(RecordKind::Visit);
    v["ended_at"] = json!("2026-03-14T12:00:00Z");
    assert_eq!(err(RecordKind::Visit, v).field, "visit.ended_at");

    let mut v = body(RecordKind::Visit);
    v.as_object_mut().unwrap().remove("age_judged_by");
    assert_eq!(err(RecordKind::Visit, v).field, "visit.age_judged_by");

    let mut v = body(RecordKind::Visit);
    v["purpose"] = json!("monitoring");
    v.as_object_mut().unwrap().remove("sampling");
    assert!(Record::from_value(RecordKind::Visit, v).is_ok());
}

#[test]
fn establishment_coordinates_must_be_on_earth() {
    let mut v = body(RecordKind::Establishment);
    v["location"]["coordinates"]["lat"] = json!(104.9);
    let e = err(RecordKind::Establishment, v);
    assert_eq!(e.field, "establishment.location.coordinates.lat");

    let mut v = body(RecordKind::Establishment);
    v["location"]["coordinates"]["lon"] = json!(-181);
    assert_eq!(
        err(RecordKind::Establishment, v).field,
        "establishment.location.coordinates.lon"
    );

    let v = json!({"name": "Boat KK-0231", "type": "fishing_vessel", "location": {}});
    assert_eq!(
        err(RecordKind::Establishment, v).field,
        "establishment.location"
    );
    let v = json!({"name": "Boat KK-0231", "type": "fishing_vessel", "location": {"province": "Koh Kong"}});
    assert!(Record::from_value(RecordKind::Establishment, v).is_ok());
}

#[test]
fn a_completed_referral_needs_its_date() {
    let mut v = body(RecordKind::Referral);
    v.as_object_mut().unwrap().remove("completed_on");
    let e = err(RecordKind::Referral, v);
    assert_eq!(e.field, "referral.completed_on");

    let mut v = body(RecordKind::Referral);
    v["status"] = json!("made");
    assert_eq!(err(RecordKind::Referral, v).field, "referral.completed_on");

    let mut v = body(RecordKind::Referral);
    v["completed_on"] = json!("2026-03-01");
    assert_eq!(err(RecordKind::Referral, v).field, "referral.completed_on");
}

#[test]
fn case_rules() {
    let mut v = body(RecordKind::Case);
    v["person_ids"] = json!([
        example_id(RecordKind::Person),
        example_id(RecordKind::Person)
    ]);
    assert_eq!(err(RecordKind::Case, v).field, "case.person_ids[1]");

    let mut v = body(RecordKind::Case);
    v["convictions"] = json!([{"date": "2026-09-01", "count": 2}]);
    assert_eq!(err(RecordKind::Case, v.clone()).field, "case.convictions");
    v["status"] = json!("verdict");
    assert!(Record::from_value(RecordKind::Case, v).is_ok());

    let mut v = body(RecordKind::Case);
    v["arrests"][0]["count"] = json!(0);
    assert_eq!(err(RecordKind::Case, v).field, "case.arrests[0].count");
    assert_eq!(CaseStatus::Prosecution.htcds(), "Active");
}

#[test]
fn attachment_rules() {
    let Record::Attachment(a) = example(RecordKind::Attachment) else {
        unreachable!()
    };
    assert_eq!(a.media(), MediaKind::Audio);

    let mut v = body(RecordKind::Attachment);
    v["sha256"] = json!("9F2C");
    assert_eq!(err(RecordKind::Attachment, v).field, "attachment.sha256");

    let mut v = body(RecordKind::Attachment);
    v["sha256"] = json!("9F2C4E1A7B3D5F60818A2B4C6D8E0F1A3B5C7D9E1F2A4B6C8D0E2F4A6B8C0D2E");
    assert_eq!(err(RecordKind::Attachment, v).field, "attachment.sha256");

    let mut v = body(RecordKind::Attachment);
    v["media_type"] = json!("image/jpeg");
    assert_eq!(
        err(RecordKind::Attachment, v).field,
        "attachment.media_type"
    );

    let mut v = body(RecordKind::Attachment);
    v["file_name"] = json!("../../etc/passwd");
    assert_eq!(err(RecordKind::Attachment, v).field, "attachment.file_name");

    let mut v = body(RecordKind::Attachment);
    v["custody"]
        .as_array_mut()
        .unwrap()
        .push(json!({"at": "2026-03-20T05:00:00Z", "from": "Phnom Penh office", "to": "AHTJP"}));
    assert_eq!(
        err(RecordKind::Attachment, v).field,
        "attachment.custody[1].at"
    );
}

#[test]
fn code_lists_match_their_json() {
    for m in MethodOfControl::ALL {
        assert_eq!(serde_json::to_value(m).unwrap(), json!(m.as_str()));
    }
    assert_eq!(IloIndicator::ALL.len(), 11);
    assert_eq!(AgeBand::Under16.as_str(), "under_16");
    assert_eq!(Service::LegalAid.label(), "legal aid");
}

#[test]
fn schemas_describe_the_bodies() {
    for kind in RecordKind::ALL {
        let s = json_schema(kind);
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{kind}"
        );
        assert_eq!(s["additionalProperties"], false, "{kind}");
    }
    assert!(json_schema(RecordKind::Establishment)["required"]
        .as_array()
        .unwrap()
        .contains(&json!("name")));
    assert!(json_schema(RecordKind::Visit)["properties"]["establishment_id"].is_object());
    assert!(json_schema(RecordKind::Interview)["properties"]["narrative"].is_object());
    assert!(json_schema(RecordKind::Person)["properties"]["pseudonym"].is_object());
}

/// `docs/schema/<kind>.schema.json` must be what the model generates.
/// To regenerate after changing the model:
/// `FIELDCASE_WRITE_SCHEMA=1 cargo test -p fieldcase-core --lib schema_files_match_the_model`.
#[test]
fn schema_files_match_the_model() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/schema");
    let write = std::env::var_os("FIELDCASE_WRITE_SCHEMA").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for kind in RecordKind::ALL {
        let path = dir.join(format!("{kind}.schema.json"));
        let want = serde_json::to_string_pretty(&json_schema(kind)).unwrap() + "\n";
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "schema files differ from the model: {stale:?}\nregenerate them with \
         `FIELDCASE_WRITE_SCHEMA=1 cargo test -p fieldcase-core --lib schema_files_match_the_model`"
    );
}
