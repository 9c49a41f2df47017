//! Snapshot tests: every screen drawn at 80x24 into ratatui's TestBackend,
//! in German and in English (`cargo insta review` after a deliberate change).

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use keydesk_core::records::Site;
use keydesk_core::{Account, CounterStatus, ProfileSource, Secret, SiteCode};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::audit::Audit;
use super::choice::Choice;
use super::detail::Detail;
use super::home::Focus;
use super::model::{
    ChangeLine, DetailView, Hit, HitKind, ImportSummary, KeyRow, KeyState, LetterView, Msg,
    Recovered, Seg, Serial, Unfinished, Val, Verified,
};
use super::recovery::Recovery;
use super::state::App;
use super::testing::s;
use super::wizard::{Flow, Wizard};
use crate::i18n::{Lang, Text};

fn draw(app: &App) -> String {
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
    term.draw(|f| f.render_widget(app, f.area())).expect("draw");
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn row(serial: Serial, fw: &str, state: KeyState, holder: Option<&str>) -> KeyRow {
    KeyRow {
        serial,
        model: "YubiKey 5 NFC".into(),
        firmware: fw.into(),
        state: Some(state),
        holder: holder.map(Into::into),
    }
}

fn hit(kind: HitKind, id: i64, label: &str) -> Hit {
    Hit {
        kind,
        ref_id: id,
        label: label.into(),
    }
}

/// A counter of site AMT12 under the profile the inventory keeps for it.
fn at_amt12() -> CounterStatus {
    let code = SiteCode::parse("AMT12").expect("site code");
    CounterStatus {
        site: Some(Site {
            id: 1,
            code: code.clone(),
            name: "Amt 12 – Bürgeramt".into(),
            profile_sha256: None,
        }),
        profile_name: "Amt 12 VPN".into(),
        profile_source: ProfileSource::Site(code),
    }
}

fn base(lang: Lang) -> App {
    let mut app = App::new(lang, true);
    // Stored times are UTC; snapshots show them at a fixed offset.
    app.offset = time::UtcOffset::UTC;
    app.counter = Some(at_amt12());
    app.plugged = vec![
        row(s(23_456_780), "5.7.1", KeyState::InStock, None),
        row(
            s(18_000_042),
            "5.4.3",
            KeyState::Issued,
            Some("Müller, Anna (4711)"),
        ),
    ];
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Snapshot `make(lang)` in both languages as `<name>_de` and `<name>_en`.
fn both(name: &str, make: impl Fn(Lang) -> App) {
    for (lang, tag) in [(Lang::De, "de"), (Lang::En, "en")] {
        let screen = draw(&make(lang));
        insta::assert_snapshot!(format!("{name}_{tag}"), screen);
    }
}

fn wizard_at(lang: Lang, w: Wizard) -> App {
    let mut app = base(lang);
    app.open(Box::new(w));
    app
}

/// The wizard on screen, to put it at a step.
fn wizard(app: &mut App) -> &mut Wizard {
    app.screen_mut::<Wizard>().expect("a wizard on screen")
}

/// `app` with the audit screen open.
fn audit(mut app: App) -> App {
    app.open(Box::new(Audit::new()));
    app
}

/// `app` showing details.
fn detail(mut app: App, view: DetailView) -> App {
    app.open(Box::new(Detail::new(view)));
    app
}

#[test]
fn home() {
    both("home", |lang| {
        let mut app = base(lang);
        let home = app.home_mut();
        home.query = "mül".into();
        home.hits = Choice::new([
            hit(HitKind::Staff, 1, "Müller, Anna (4711) Amt 12"),
            hit(HitKind::Notebook, 1, "NB-0815 mz-nb-0815 – Müller, Anna"),
        ]);
        home.focus = Focus::Keys;
        app
    });
}

#[test]
fn home_of_a_counter_with_a_profile_file_and_no_site() {
    both("home_profile_file", |lang| {
        let mut app = App::new(lang, false);
        app.offset = time::UtcOffset::UTC;
        app.counter = Some(CounterStatus {
            site: None,
            profile_name: "Stadt".into(),
            profile_source: ProfileSource::File("/etc/keydesk/profile.toml".into()),
        });
        app
    });
}

#[test]
fn home_empty_with_help() {
    both("help", |lang| {
        let mut app = App::new(lang, true);
        app.help = true;
        app
    });
}

#[test]
fn enrol_staff_step() {
    both("enrol_staff", |lang| {
        let mut w = Wizard::new(Flow::Enrol, s(23_456_780));
        w.query = "mül".into();
        w.hits = Choice::new([hit(HitKind::Staff, 1, "Müller, Anna (4711) Amt 12")]);
        wizard_at(lang, w)
    });
}

#[test]
fn enrol_pin_choice_and_entry() {
    both("enrol_pin_choice", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Enrol, s(23_456_780)));
        let w = wizard(&mut app);
        w.staff = Some(hit(HitKind::Staff, 1, "Müller, Anna (4711)"));
        w.notebook = Some(hit(HitKind::Notebook, 1, "NB-0815"));
        w.at = 2;
        app
    });
    both("enrol_pin_entry", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Enrol, s(23_456_780)));
        let w = wizard(&mut app);
        w.staff = Some(hit(HitKind::Staff, 1, "Müller, Anna (4711)"));
        w.at = 2;
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Enter);
        for c in "4829".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        app
    });
}

#[test]
fn enrol_letter_shown_once() {
    both("enrol_letter", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Enrol, s(23_456_780)));
        let w = wizard(&mut app);
        w.staff = Some(hit(HitKind::Staff, 1, "Müller, Anna (4711)"));
        w.at = 5;
        app.update(Msg::CsrSaved {
            serial: s(23_456_780),
            path: Ok("/home/it/23456780.csr.pem".into()),
        });
        app.update(Msg::Finished {
            serial: s(23_456_780),
            state: Some(KeyState::Issued),
            letter: Some(Box::new(LetterView {
                serial: s(23_456_780),
                holder: "Müller, Anna".into(),
                piv_pin: Secret::new("482913"),
                piv_puk: Secret::new("19283746"),
                fido_pin: Some(Secret::new("775104")),
            })),
        });
        app
    });
}

#[test]
fn reset_type_serial_replug_touch_and_missed_window() {
    both("reset_type_serial", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Reset, s(23_456_780)));
        key(&mut app, KeyCode::Char('2'));
        key(&mut app, KeyCode::Char('3'));
        app
    });
    both("reset_replug", |lang| {
        let mut w = Wizard::new(Flow::Reset, s(23_456_780));
        w.at = 1;
        wizard_at(lang, w)
    });
    both("reset_touch", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Reset, s(23_456_780)));
        wizard(&mut app).at = 1;
        app.update(Msg::Replugged(s(23_456_780)));
        app.update(Msg::Touch {
            serial: s(23_456_780),
            remaining: Duration::from_secs(27),
        });
        app
    });
    both("reset_missed", |lang| {
        let mut w = Wizard::new(Flow::Reset, s(18_000_042));
        w.at = 2;
        w.error = Some(super::problem::Problem::from_device(
            &keydesk_core::error::DeviceError::ResetWindowMissed { window_secs: 5 },
        ));
        wizard_at(lang, w)
    });
}

#[test]
fn revoke_return_replace_lost() {
    both("revoke_reason", |lang| {
        wizard_at(lang, Wizard::new(Flow::Revoke, s(18_000_042)))
    });
    both("return_choice", |lang| {
        wizard_at(lang, Wizard::new(Flow::Return, s(18_000_042)))
    });
    both("replace_new_key", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Replace, s(18_000_042)));
        key(&mut app, KeyCode::Enter);
        app
    });
    both("lost_confirm", |lang| {
        let mut app = wizard_at(lang, Wizard::new(Flow::Lost, s(18_000_042)));
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Enter);
        app
    });
}

#[test]
fn details() {
    both("detail_key", |lang| {
        detail(
            base(lang),
            DetailView {
                kind: HitKind::Key,
                serial: Some(s(18_000_042)),
                title: "18000042".into(),
                state: Some((Some(KeyState::Issued), "2026-11-20T09:12:00Z".into())),
                facts: vec![
                    (Text::FactModel, "YubiKey 5 NFC USB-A Keychain".into()),
                    (Text::FactFirmware, "5.4.3".into()),
                    (Text::FactHolder, "Müller, Anna (4711)".into()),
                    (Text::FactNotebook, "NB-0815".into()),
                    (Text::FactSite, "AMT12 Amt 12 – Bürgeramt".into()),
                ],
                history: vec![
                    vec![
                        Seg::Time("2026-11-01T08:00:00Z".into()),
                        Seg::Text("  key.add        import  LS-2024-03".into()),
                    ],
                    vec![
                        Seg::Time("2026-11-20T09:12:00Z".into()),
                        Seg::Text("  key.issue      tech1   enrolled at the counter".into()),
                    ],
                ],
            },
        )
    });
    both("detail_staff", |lang| {
        detail(
            base(lang),
            DetailView {
                kind: HitKind::Staff,
                serial: None,
                title: "Müller, Anna".into(),
                state: None,
                facts: vec![
                    (Text::FactPersonnelNo, "4711".into()),
                    (Text::FactDepartment, "Amt 12 – Bürgeramt".into()),
                    (Text::FactKeysNow, "18000042".into()),
                ],
                history: vec![vec![
                    Seg::Text("18000042  ".into()),
                    Seg::Time("2026-11-20T09:12:00Z".into()),
                    Seg::Text(" – …  Müller, Anna (4711)  NB-0815".into()),
                ]],
            },
        )
    });
}

#[test]
fn notebook_details() {
    both("detail_notebook", |lang| {
        detail(
            base(lang),
            DetailView {
                kind: HitKind::Notebook,
                serial: None,
                title: "NB-0815".into(),
                state: None,
                facts: vec![
                    (Text::FactHostname, "mz-nb-0815".into()),
                    (Text::FactModel, "ThinkPad T14 Gen 4 PF-4X2KQ9".into()),
                    (Text::FactUser, "4711".into()),
                ],
                history: vec![
                    vec![
                        Seg::Text("17000013  ".into()),
                        Seg::Time("2025-03-02T07:45:00Z".into()),
                        Seg::Text(" – ".into()),
                        Seg::Time("2026-11-20T09:05:00Z".into()),
                        Seg::Text("  Müller, Anna (4711)  NB-0815".into()),
                    ],
                    vec![
                        Seg::Text("18000042  ".into()),
                        Seg::Time("2026-11-20T09:12:00Z".into()),
                        Seg::Text(" – …  Müller, Anna (4711)  NB-0815".into()),
                    ],
                ],
            },
        )
    });
}

#[test]
fn history_times_follow_the_injected_offset() {
    let mut app = base(Lang::De);
    app.offset = time::UtcOffset::from_hms(1, 0, 0).expect("offset");
    app.open(Box::new(Detail::new(DetailView {
        kind: HitKind::Key,
        serial: Some(s(18_000_042)),
        title: "18000042".into(),
        state: Some((Some(KeyState::Issued), "2026-11-20T23:30:00Z".into())),
        facts: Vec::new(),
        history: vec![vec![
            Seg::Time("2026-11-20T09:12:00Z".into()),
            Seg::Text("  key.issue".into()),
        ]],
    })));
    let screen = draw(&app);
    assert!(screen.contains("21.11.2026 00:30"), "{screen}");
    assert!(screen.contains("20.11.2026 10:12  key.issue"), "{screen}");
    app.lang = Lang::En;
    assert!(draw(&app).contains("2026-11-20 10:12  key.issue"));
}

/// A verified trail of `events` events with its newest event as the anchor.
fn verified(events: u64) -> Verified {
    Verified {
        events,
        anchor: Some(format!(
            "{events}:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        )),
        at: "2026-11-23T09:41:07Z".into(),
    }
}

#[test]
fn audit_and_recovery() {
    both("audit", |lang| {
        let mut app = audit(base(lang));
        app.update(Msg::Verified(Ok(verified(1234))));
        key(&mut app, KeyCode::Down);
        let a = app.screen_mut::<Audit>().expect("audit screen");
        a.log_line(Text::ExportStarted, "keydesk-inventory.csv".into(), false);
        a.log_line(Text::ExportWrote, "4 → keydesk-inventory.csv".into(), true);
        app
    });
    // Verify still selected: the anchor under the hint, ready to write down.
    both("audit_anchor", |lang| {
        let mut app = audit(base(lang));
        key(&mut app, KeyCode::Enter);
        app.update(Msg::Verified(Ok(verified(99_999))));
        app
    });
    both("import_dry_run", |lang| {
        let mut app = audit(base(lang));
        for _ in 0..5 {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Enter);
        app.update(Msg::Imported(notebook_dry_run()));
        app
    });
    both("import_dry_run_end", |lang| {
        let mut app = audit(base(lang));
        for _ in 0..4 {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Enter);
        app.update(Msg::Imported(staff_dry_run()));
        key(&mut app, KeyCode::PageDown);
        key(&mut app, KeyCode::End);
        app
    });
    both("import_progress", |lang| {
        let mut app = audit(base(lang));
        for _ in 0..4 {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Enter);
        app.update(Msg::Tick(Duration::from_millis(3250)));
        app.update(Msg::RowProgress {
            done: 42_000,
            total: 100_000,
        });
        app
    });
    both("import_working", |lang| {
        let mut app = audit(base(lang));
        for _ in 0..6 {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Enter);
        app.update(Msg::Tick(Duration::from_millis(2250)));
        app
    });
    both("import_error", |lang| {
        let mut app = audit(base(lang));
        for _ in 0..4 {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Enter);
        let issue = |line, problem| keydesk_core::error::ImportIssue { line, problem };
        use keydesk_core::error::ImportProblem;
        app.update(Msg::Failed(super::problem::Problem::from_store(
            &keydesk_core::error::StoreError::Import(vec![
                issue(
                    3,
                    ImportProblem::Value(keydesk_types::ParseError::BadIdentifier {
                        what: "personnel number",
                        input: String::new(),
                    }),
                ),
                issue(7, ImportProblem::NotYesNo { value: "x".into() }),
            ]),
        )));
        app
    });
    both("recovery", |lang| {
        let mut app = base(lang);
        let (a, b) = (s(23_456_780), s(23_456_781));
        let account = |lines: Vec<Account>| {
            lines
                .iter()
                .map(super::problem::Problem::from_account)
                .collect()
        };
        let mut r = Recovery::new(vec![
            Unfinished {
                serial: Some(a),
                workflow: "enrol".into(),
                step: "piv.generate".into(),
                since: "2026-11-23T08:59:00Z".into(),
            },
            Unfinished {
                serial: Some(b),
                workflow: "reset".into(),
                step: "fido.reset".into(),
                since: "2026-11-23T09:04:00Z".into(),
            },
        ]);
        let missing = keydesk_core::error::DeviceError::KeyNotFound { serial: b };
        r.recovered(vec![
            Recovered {
                serial: Some(a),
                workflow: "enrol".into(),
                outcome: Text::OutcomeRolledBack,
                account: account(vec![
                    Account::PivReset { serial: a },
                    Account::FidoReset { serial: a },
                    Account::StaysInStock { serial: a },
                ]),
            },
            Recovered {
                serial: Some(b),
                workflow: "reset".into(),
                outcome: Text::OutcomeNeedsKey,
                account: account(vec![
                    Account::NotReconciled {
                        detail: missing.to_string(),
                    },
                    Account::PlugInAndRecover { serial: b },
                ]),
            },
        ]);
        app.open(Box::new(r));
        app
    });
}

/// A notebook list's dry run: two new, two changed (host, holder), 115 as before.
fn notebook_dry_run() -> ImportSummary {
    let text = |s: &str| Val::Text(s.into());
    let line = |line, added, id: &str, fields| ChangeLine {
        line,
        added,
        id: id.into(),
        fields,
    };
    ImportSummary {
        dry_run: true,
        rows: 120,
        added: 3,
        changed: 2,
        unchanged: 115,
        encoding: "windows-1252".into(),
        delimiter: ';',
        changes: vec![
            line(
                4,
                false,
                "NB-0815",
                vec![
                    (Text::FactHostname, text("mz-nb-0815"), text("mz-nb-0815a")),
                    (Text::FactHolder, text("4711"), text("4712")),
                ],
            ),
            line(17, true, "NB-0950", vec![]),
            line(
                58,
                false,
                "NB-0101",
                vec![(Text::FieldSerialNo, text(""), text("PF-2X9K1"))],
            ),
            line(119, true, "NB-1002", vec![]),
            line(121, true, "NB-1003", vec![]),
        ],
        more: 0,
    }
}

/// A staff list's dry run with more changes than the store lists.
fn staff_dry_run() -> ImportSummary {
    ImportSummary {
        dry_run: true,
        rows: 100_000,
        added: 1200,
        changed: 400,
        unchanged: 98_400,
        encoding: "UTF-8".into(),
        delimiter: ',',
        changes: (0..20_u64)
            .map(|i| ChangeLine {
                line: 2 + i * 37,
                added: false,
                id: format!("{:06}", 4700 + i),
                fields: vec![
                    (
                        Text::FactDepartment,
                        Val::Text("Amt 12".into()),
                        Val::Text("Amt 12 – Bürgeramt".into()),
                    ),
                    (Text::FieldActive, Val::Flag(true), Val::Flag(false)),
                ],
            })
            .collect(),
        more: 1580,
    }
}

/// A replacement whose second half failed: the old key is revoked and stays
/// so, the new key's enrolment stopped when it was pulled. The screen says
/// what stands, what failed and what to do, in the screen's language.
#[test]
fn replace_partly_done() {
    use keydesk_core::error::{Done, Next};
    use keydesk_types::{PersonnelNo, Serial};

    use super::model::{Fate, Pins, RevokeReason};
    use super::wizard::Step;

    both("replace_partly", |lang| {
        let mut w = Wizard::new(Flow::Replace, s(18_000_042));
        w.fate = Some(Fate::Revoked(RevokeReason::Lost));
        w.new_key = Some(s(23_456_780));
        w.pins = Some(Pins::Letter);
        w.at = w
            .plan()
            .iter()
            .position(|s| *s == Step::Working)
            .expect("working step");
        let e = keydesk_core::CoreError::from(keydesk_core::error::DeviceError::KeyRemoved).after(
            Done::Revoked {
                serial: Serial::new(18_000_042).expect("serial"),
                reason: keydesk_core::RevokeReason::Lost,
            },
            Next::EnrolNew {
                serial: Serial::new(23_456_780).expect("serial"),
                staff: PersonnelNo::parse("4711").expect("personnel number"),
            },
        );
        w.error = Some(super::problem::Problem::from_core(&e));
        wizard_at(lang, w)
    });
}

#[test]
fn bulk_reset_confirm_and_running() {
    use super::model::{BatchView, Mark, Waiting};
    use super::problem::{Part, Problem};
    let waiting = |lang| {
        let mut app = base(lang);
        key(&mut app, KeyCode::F(4));
        app.update(Msg::Waiting {
            keys: [
                (23_456_781, KeyState::Returned),
                (18_000_042, KeyState::Revoked),
            ]
            .into_iter()
            .map(|(serial, state)| Waiting {
                serial: s(serial),
                state,
                since: "2026-11-20T08:15:00Z".into(),
            })
            .collect(),
            fido: true,
        });
        key(&mut app, KeyCode::Char('3'));
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Char('2'));
        app
    };
    both("bulk_confirm", waiting);
    both("bulk_running", |lang| {
        let mut app = waiting(lang);
        key(&mut app, KeyCode::Enter);
        app.plugged = vec![row(s(18_000_042), "5.4.3", KeyState::Revoked, None)];
        app.update(Msg::Batch(BatchView {
            fido: true,
            keys: vec![(s(18_000_042), Mark::Pending), (s(23_456_781), Mark::Done)],
            note: Problem::Known(Text::BulkPlugNext, Vec::new()),
            cause: None,
            finished: false,
        }));
        app.update(Msg::Touch {
            serial: s(18_000_042),
            remaining: Duration::from_secs(12),
        });
        app
    });
    both("bulk_failed", |lang| {
        let mut app = waiting(lang);
        key(&mut app, KeyCode::Enter);
        app.plugged = vec![row(s(18_000_042), "5.4.3", KeyState::Revoked, None)];
        app.update(Msg::Batch(BatchView {
            fido: true,
            keys: vec![(s(18_000_042), Mark::Failed), (s(23_456_781), Mark::Done)],
            note: Problem::Known(Text::BulkReplug, vec![Part::Plain("18000042".into())]),
            cause: Some(Problem::Known(
                Text::ErrResetWindow,
                vec![Part::Plain("5".into())],
            )),
            finished: false,
        }));
        app
    });
}
