//! Every error the TUI can be handed reads in German and in English, with
//! nothing of the English `Display` text standing in for the German one.
//! That every variant has a text at all is the compiler's to check: the
//! matches in `problem*.rs` name every variant, with no arm for others.
//! The cases here, one or more per variant, check that the texts differ.

use std::io;

use keydesk_core::error::{AnchorFault, AuditProblem, ImportIssue, ImportProblem, StoreError};
use keydesk_core::error::{
    AttestationFault, AttestationMismatchKind, DeviceError, Needs, PinRefusal,
};
use keydesk_core::error::{Done, Next};
use keydesk_core::{Account, CoreError, RevokeReason};
use keydesk_types::{KeyState, ParseError, PersonnelNo, Serial};

use super::*;

/// Texts for errors that are no variant of ours (the tests' own stand-in).
const FALLBACKS: [Text; 1] = [Text::ErrUnexpected];

pub(super) fn both(p: &Problem) -> (String, String) {
    (p.show(Lang::De), p.show(Lang::En))
}

pub(super) fn serial() -> Serial {
    Serial::new(23_456_780).expect("serial")
}

fn dev_serial() -> Serial {
    serial()
}

fn staff() -> PersonnelNo {
    PersonnelNo::parse("4711").expect("personnel number")
}

fn device_cases() -> Vec<DeviceError> {
    let s = dev_serial();
    vec![
        DeviceError::WrongPin { tries_left: 2 },
        DeviceError::PinBlocked,
        DeviceError::WrongPuk { tries_left: 1 },
        DeviceError::PukBlocked,
        DeviceError::PinAuthBlocked,
        DeviceError::PinPolicy {
            reason: PinRefusal::FidoTooShort { min: 6 },
        },
        DeviceError::ManagementKeyRejected,
        DeviceError::NotFactoryFresh { serial: s },
        DeviceError::NoKey,
        DeviceError::KeyNotFound { serial: s },
        DeviceError::SeveralKeys {
            serial: s,
            count: 3,
        },
        DeviceError::TouchTimeout,
        DeviceError::ResetWindowMissed { window_secs: 5 },
        DeviceError::Cancelled,
        DeviceError::AttestationMismatch {
            what: AttestationMismatchKind::Serial {
                attested: None,
                in_hand: s,
            },
        },
        DeviceError::Attestation(AttestationFault::Untrusted),
        DeviceError::Unsupported {
            needs: Needs::SetMinPinLength,
        },
        DeviceError::KeyRemoved,
        DeviceError::Status {
            command: "GENERATE",
            sw: 0x6a80,
        },
        DeviceError::Malformed {
            command: "GET DATA",
            detail: "short TLV".into(),
        },
        DeviceError::Ctap {
            command: "authenticatorReset",
            code: 0x30,
            name: "NOT_ALLOWED",
        },
        DeviceError::Pcsc("service not available".into()),
        DeviceError::Hid("permission denied".into()),
        DeviceError::Transport("timeout".into()),
        DeviceError::AccessDenied {
            command: "GENERATE",
        },
        DeviceError::NotFound { command: "SELECT" },
        DeviceError::DuplicateSerial {
            serial: s,
            count: 2,
        },
        DeviceError::CardBusy,
        DeviceError::CertificateKeyMismatch {
            slot: keydesk_types::Slot::Authentication,
        },
    ]
}

fn store_cases() -> Vec<StoreError> {
    let s = serial();
    vec![
        StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
        StoreError::Migration(rusqlite_migration::Error::InvalidUserVersion),
        StoreError::Io(io::Error::from(io::ErrorKind::PermissionDenied)),
        StoreError::Csv(csv::Error::from(io::Error::from(io::ErrorKind::WriteZero))),
        StoreError::IllegalTransition {
            serial: s,
            current: KeyState::Revoked,
            wanted: KeyState::Issued,
        },
        StoreError::UnknownKey(s),
        StoreError::DuplicateKey(s),
        StoreError::UnknownStaff("4711".into()),
        StoreError::DuplicateStaff("4711".into()),
        StoreError::UnknownNotebook("NB-1".into()),
        StoreError::DuplicateNotebook("NB-1".into()),
        StoreError::UnknownSite("AMT12".into()),
        StoreError::DuplicateSite("AMT12".into()),
        StoreError::UnknownJournal(7),
        StoreError::JournalClosed(7),
        StoreError::Invalid("\"\" is not a valid personnel number".into()),
        StoreError::Import(vec![ImportIssue {
            line: 3,
            problem: ImportProblem::Value(ParseError::BadIdentifier {
                what: "personnel number",
                input: String::new(),
            }),
        }]),
        StoreError::AuditBroken {
            id: 12,
            problem: AuditProblem::Edited,
        },
        StoreError::Corrupt("state \"x\"".into()),
        StoreError::BadAnchor {
            input: "12:abc".into(),
            fault: AnchorFault::BadHash,
        },
    ]
}

fn audit_cases() -> Vec<AuditProblem> {
    vec![
        AuditProblem::Edited,
        AuditProblem::Deleted { from: 4, to: 4 },
        AuditProblem::Deleted { from: 4, to: 6 },
        AuditProblem::Inserted,
        AuditProblem::Truncated { expected_last: 9 },
        AuditProblem::AnchorMismatch {
            anchored: "ab".repeat(32),
            found: "cd".repeat(32),
        },
        AuditProblem::AnchorMissing,
    ]
}

fn anchor_cases() -> Vec<AnchorFault> {
    vec![
        AnchorFault::NoSeparator,
        AnchorFault::BadEvent,
        AnchorFault::BadHash,
    ]
}

fn done_cases() -> Vec<Done> {
    let s = serial();
    vec![
        Done::Returned { serial: s },
        Done::Revoked {
            serial: s,
            reason: RevokeReason::Stolen,
        },
        Done::LostRevoked { serial: s },
        Done::NotRolledBack {
            serial: s,
            account: vec![
                Account::PivReset { serial: s },
                Account::FidoResetPending {
                    serial: s,
                    detail: DeviceError::TouchTimeout.to_string(),
                },
                Account::ReplugAndRecover { serial: s },
            ],
        },
        Done::RollbackFailed {
            serial: s,
            why: Box::new(DeviceError::KeyRemoved.into()),
        },
    ]
}

fn next_cases() -> Vec<Next> {
    let s = serial();
    vec![
        Next::ResetLater { serial: s },
        Next::EnrolNew {
            serial: s,
            staff: staff(),
        },
        Next::EnrolTemporary {
            serial: s,
            staff: staff(),
        },
        Next::Recover { serial: s },
    ]
}

fn core_cases() -> Vec<CoreError> {
    vec![
        DeviceError::NoKey.into(),
        StoreError::UnknownKey(serial()).into(),
        CoreError::Profile {
            path: "/etc/keydesk/profile.toml".into(),
            reason: "unknown field `pin_lenght`".into(),
        },
        CoreError::SiteProfile {
            site: keydesk_types::SiteCode::parse("AMT12").unwrap(),
            reason: "unknown field `pin_lenght`".into(),
        },
        CoreError::ProfileOtherSite {
            profile: "/etc/keydesk/amt20.toml".into(),
            profile_site: keydesk_types::SiteCode::parse("AMT20").unwrap(),
            site: keydesk_types::SiteCode::parse("AMT12").unwrap(),
        },
        CoreError::Usage("the batch is empty: no key waits for a reset".into()),
        CoreError::Unfinished { serial: 23_456_780 },
        CoreError::NotTraining {
            db: "/var/lib/keydesk/keydesk.db".into(),
        },
        CoreError::from(DeviceError::KeyRemoved).after(
            Done::Returned { serial: serial() },
            Next::ResetLater { serial: serial() },
        ),
    ]
}

/// The problem's own text and those of all problems inside it.
fn texts(p: &Problem, out: &mut Vec<Text>) {
    out.push(p.text());
    for part in p.parts() {
        if let Part::Sentences(ps) | Part::Lines(ps) = part {
            for inner in ps {
                texts(inner, out);
            }
        }
    }
}

/// German and English differ, neither has an empty slot, no fallback text
/// is used, and no fixed piece of the English sentence shows in the German.
pub(super) fn assert_translated(p: &Problem, display: &str, what: &str) {
    let (de, en) = both(p);
    assert_ne!(de, en, "{what}: German equals English");
    assert_ne!(de, display, "{what}: German is the Display text");
    assert!(
        !de.contains("{}") && !en.contains("{}"),
        "{what}: {de} / {en}"
    );
    let mut all = Vec::new();
    texts(p, &mut all);
    for t in all {
        assert!(!FALLBACKS.contains(&t), "{what}: falls back to {t:?}");
        assert_ne!(Lang::De.t(t), Lang::En.t(t), "{what}: {t:?} untranslated");
        for piece in Lang::En.t(t).split("{}").map(str::trim) {
            if piece.chars().filter(char::is_ascii_alphabetic).count() >= 4 {
                assert!(!de.contains(piece), "{what}: English {piece:?} in {de}");
            }
        }
    }
}

#[test]
fn every_variant_has_its_own_text() {
    let device = device_cases();
    let store = store_cases();
    let audit = audit_cases();
    let anchor = anchor_cases();
    let done = done_cases();
    let next = next_cases();
    let core = core_cases();
    for e in &device {
        assert_translated(&Problem::from_device(e), &e.to_string(), &format!("{e:?}"));
    }
    for e in &store {
        assert_translated(&Problem::from_store(e), &e.to_string(), &format!("{e:?}"));
    }
    for e in &audit {
        assert_translated(&Problem::from_audit(e), &e.to_string(), &format!("{e:?}"));
    }
    for e in &anchor {
        let p = Problem::from_anchor_fault(*e);
        assert_translated(&p, &e.to_string(), &format!("{e:?}"));
    }
    for e in &done {
        assert_translated(&Problem::from_done(e), &e.to_string(), &format!("{e:?}"));
    }
    for e in &next {
        assert_translated(&Problem::from_next(e), &e.to_string(), &format!("{e:?}"));
    }
    for e in core {
        let p = Problem::from_core(&e);
        assert_translated(&p, &e.to_string(), &format!("{e:?}"));
        assert_eq!(p, Problem::from(e), "From takes the same way");
    }
}

#[test]
fn common_errors_read_in_both_languages() {
    let s = serial();
    let cases: Vec<(CoreError, &str, &str)> = vec![
        (
            DeviceError::WrongPin { tries_left: 2 }.into(),
            "Falsche PIN: noch 2 Versuche",
            "Wrong PIN: 2 tries left",
        ),
        (
            DeviceError::PinBlocked.into(),
            "PIN ist gesperrt",
            "PIN is blocked",
        ),
        (
            DeviceError::KeyNotFound {
                serial: dev_serial(),
            }
            .into(),
            "Schlüssel 23456780 ist nicht eingesteckt",
            "Key 23456780 is not plugged in",
        ),
        (DeviceError::KeyRemoved.into(), "abgezogen", "removed"),
        (
            DeviceError::SeveralKeys {
                serial: dev_serial(),
                count: 3,
            }
            .into(),
            "3 Schlüssel eingesteckt: alle außer 23456780",
            "3 keys are plugged in: unplug all but 23456780",
        ),
        (
            DeviceError::Status {
                command: "GENERATE",
                sw: 0x6a80,
            }
            .into(),
            "GENERATE mit Status 6A80",
            "GENERATE with status 6A80",
        ),
        (
            DeviceError::Ctap {
                command: "authenticatorReset",
                code: 0x30,
                name: "NOT_ALLOWED",
            }
            .into(),
            "FIDO2-Fehler 0x30 (NOT_ALLOWED) bei authenticatorReset",
            "FIDO2 error 0x30 (NOT_ALLOWED) from authenticatorReset",
        ),
        (
            StoreError::IllegalTransition {
                serial: s,
                current: KeyState::Revoked,
                wanted: KeyState::Issued,
            }
            .into(),
            "Schlüssel 23456780 ist widerrufen",
            "Key 23456780 is revoked",
        ),
        (
            StoreError::AuditBroken {
                id: 12,
                problem: AuditProblem::Deleted { from: 4, to: 6 },
            }
            .into(),
            "bei Ereignis 12 gebrochen (die Ereignisse 4 bis 6 wurden gelöscht)",
            "broken at event 12 (events 4 to 6 were deleted)",
        ),
        (
            StoreError::AuditBroken {
                id: 40,
                problem: AuditProblem::AnchorMissing,
            }
            .into(),
            "bei Ereignis 40 gebrochen (das verankerte Ereignis gibt es nicht mehr",
            "broken at event 40 (the anchored event no longer exists",
        ),
        (
            StoreError::UnknownStaff("4711".into()).into(),
            "Personalnummer 4711",
            "personnel number 4711",
        ),
        (
            CoreError::Usage("the batch is empty".into()),
            "Das geht so nicht (the batch is empty): Angaben prüfen",
            "That cannot be done (the batch is empty): check",
        ),
        (CoreError::Unfinished { serial: 7 }, "Schlüssel 7", "key 7"),
    ];
    for (e, de, en) in cases {
        let (got_de, got_en) = both(&Problem::from_core(&e));
        assert!(got_de.contains(de), "{e:?}: {got_de}");
        assert!(got_en.contains(en), "{e:?}: {got_en}");
    }
}

#[test]
fn import_errors_list_their_lines_under_a_translated_heading() {
    let mut issues: Vec<ImportIssue> = (1..=22)
        .map(|n| ImportIssue {
            line: n + 1,
            problem: ImportProblem::NoName {
                personnel_no: PersonnelNo::parse(&n.to_string()).expect("personnel number"),
            },
        })
        .collect();
    issues[0].line = 0;
    let (de, en) = both(&Problem::from_store(&StoreError::Import(issues)));
    let de_lines: Vec<&str> = de.lines().collect();
    assert!(de_lines[0].starts_with("Importdatei abgelehnt"), "{de}");
    assert_eq!(
        de_lines[1],
        "ganze Datei: Personalnummer 1 hat keinen Namen"
    );
    assert_eq!(de_lines[2], "Zeile 3: Personalnummer 2 hat keinen Namen");
    assert_eq!(de_lines.last(), Some(&"… und 2 weitere Probleme"));
    assert_eq!(
        de_lines.len(),
        22,
        "heading, twenty lines, the rest counted"
    );
    assert!(
        en.contains("\nline 3: personnel number 2 has no name\n"),
        "{en}"
    );
    assert!(en.ends_with("… and 2 more problems"), "{en}");
}

#[test]
fn a_partly_done_workflow_says_what_stands_what_failed_and_what_to_do_in_order() {
    // A replacement: the old key is revoked, the new key's enrolment failed
    // when it was pulled, and rolling it back failed as well.
    let new = Serial::new(23_456_781).expect("serial");
    let e = CoreError::from(DeviceError::KeyRemoved)
        .after(
            Done::RollbackFailed {
                serial: new,
                why: Box::new(DeviceError::NoKey.into()),
            },
            Next::Recover { serial: new },
        )
        .after(
            Done::Revoked {
                serial: serial(),
                reason: RevokeReason::Lost,
            },
            Next::EnrolNew {
                serial: new,
                staff: staff(),
            },
        );
    let (de, en) = both(&Problem::from_core(&e));
    let de: Vec<&str> = de.lines().collect();
    assert_eq!(de.len(), 3, "{de:?}");
    assert!(
        de[0].starts_with("Bereits geschehen: Schlüssel 23456780 ist widerrufen (Grund: verloren). Schlüssel 23456781 ließ sich nicht")
            && de[0].contains("Kein Schlüssel eingesteckt"),
        "{}",
        de[0]
    );
    assert!(
        de[1].starts_with(
            "Dann ging dies schief: Der Schlüssel wurde während des Vorgangs abgezogen"
        ),
        "{}",
        de[1]
    );
    let (recover, enrol) = (
        de[2].find("23456781 allein einstecken"),
        de[2].find("für Personalnummer 4711 einrichten (E)"),
    );
    assert!(
        de[2].starts_with("Als Nächstes: ") && recover < enrol && recover.is_some(),
        "the new key is put right before it is enrolled: {}",
        de[2]
    );
    assert!(
        en.starts_with("Already done: Key 23456780 is revoked (reason: lost)."),
        "{en}"
    );
    assert!(
        en.contains("\nThen this failed: The key was removed"),
        "{en}"
    );
    for text in [de.join("\n"), en] {
        assert!(
            !text.contains('`') && !text.contains("keydesk recover"),
            "the TUI names its own keys, not CLI commands: {text}"
        );
    }
}
