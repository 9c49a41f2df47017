//! Every line of a recovery's account reads in German and in English, in
//! the TUI's terms (its keys and its recovery screen, not `keydesk recover`).
//! That every line has a text is the compiler's to check (`from_account`
//! names every variant); the cases here, one per variant, check the texts.

use keydesk_core::error::DeviceError;
use keydesk_core::error::{Done, Next};
use keydesk_core::{Account, CoreError};
use keydesk_types::KeyState;

use super::tests::{assert_translated, both, serial};
use super::*;

fn account_cases() -> Vec<Account> {
    let s = serial();
    vec![
        Account::UnknownOperation {
            workflow: "renew".into(),
        },
        Account::UnknownStep {
            serial: s,
            step: "piv.renamed".into(),
        },
        Account::NotReconciled {
            detail: DeviceError::KeyRemoved.to_string(),
        },
        Account::PlugInAndRecover { serial: s },
        Account::EnrolmentComplete { serial: s },
        Account::EnrolmentNotStarted { serial: s },
        Account::PivReset { serial: s },
        Account::OtpRestored { serial: s },
        Account::FidoReset { serial: s },
        Account::FidoResetPending {
            serial: s,
            detail: DeviceError::ResetWindowMissed { window_secs: 5 }.to_string(),
        },
        Account::ReplugAndRecover { serial: s },
        Account::NotInInventory { serial: s },
        Account::StaysInStock { serial: s },
        Account::ResetFinished {
            serial: s,
            piv: true,
            fido: false,
            state: KeyState::InStock,
        },
    ]
}

#[test]
fn every_account_line_has_its_own_text_in_the_tuis_terms() {
    let account = account_cases();
    for a in &account {
        let p = Problem::from_account(a);
        assert_translated(&p, &a.to_string(), &format!("{a:?}"));
        for text in [p.show(Lang::De), p.show(Lang::En)] {
            assert!(
                !text.contains('`') && !text.contains("keydesk recover"),
                "the TUI names its own keys, not CLI commands: {text}"
            );
        }
    }
    let (de, en) = both(&Problem::from_account(&Account::ReplugAndRecover {
        serial: serial(),
    }));
    assert!(
        de.contains("Enter") && de.contains("„Unterbrochene Vorgänge“"),
        "says where to press Enter: {de}"
    );
    assert!(
        en.contains("Enter on the “Interrupted operations” screen"),
        "{en}"
    );
    let (de, en) = both(&Problem::from_account(&Account::ResetFinished {
        serial: serial(),
        piv: true,
        fido: false,
        state: KeyState::InStock,
    }));
    assert_eq!(
        de,
        "Zurücksetzen von Schlüssel 23456780 abgeschlossen (PIV zurückgesetzt, FIDO2 unverändert); der Schlüssel ist jetzt im Lager."
    );
    assert_eq!(
        en,
        "The reset of key 23456780 is finished (PIV: reset, FIDO2: untouched); the key is in stock now."
    );
}

#[test]
fn a_rollback_that_needs_the_key_again_gives_its_account_in_the_tuis_words() {
    let s = serial();
    let e = CoreError::from(DeviceError::KeyRemoved).after(
        Done::NotRolledBack {
            serial: s,
            account: vec![
                Account::PivReset { serial: s },
                Account::FidoResetPending {
                    serial: s,
                    detail: DeviceError::ResetWindowMissed { window_secs: 5 }.to_string(),
                },
                Account::ReplugAndRecover { serial: s },
            ],
        },
        Next::Recover { serial: s },
    );
    let (de, en) = both(&Problem::from_core(&e));
    let de: Vec<&str> = de.lines().collect();
    assert_eq!(de.len(), 3, "{de:?}");
    assert!(
        de[0].starts_with(
            "Bereits geschehen: Schlüssel 23456780 ist noch nicht wieder im Werkszustand. \
             Abgleich: Schlüssel 23456780: PIV auf Werkszustand zurückgesetzt"
        ) && de[0].ends_with(
            "Schlüssel 23456780 abziehen, allein wieder einstecken und sofort abgleichen: \
             Enter auf der Seite „Unterbrochene Vorgänge“."
        ),
        "{}",
        de[0]
    );
    assert!(
        en.starts_with(
            "Already done: Key 23456780 is not back in factory state yet. \
             Reconciliation: Key 23456780: PIV reset to factory state"
        ),
        "{en}"
    );
    assert!(!en.contains("keydesk recover"), "{en}");
}
