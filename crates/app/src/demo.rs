//! `keydesk demo` (training builds only, the `sim` feature): the TUI on a
//! demo inventory (sample staff, notebooks and a delivery of keys, imported
//! from the CSV files in `crates/app/demo/`) and virtual keys from a training
//! drawer that the user plugs in, pulls and replugs with F5/F6/F7. It opens
//! only training inventories and never talks to real keys.

use std::path::Path;

use keydesk_core::training::{Drawer, Firmware};
use keydesk_core::{Desk, ImportKind, Keys};
use keydesk_types::Serial;

use crate::i18n::Lang;
use crate::say;
use crate::tui::problem::FileOp;
use crate::tui::runtime;
use crate::tui::service::DeskService;
use crate::tui::state::App;

const STAFF: &[u8] = include_bytes!("../demo/staff.csv");
const NOTEBOOKS: &[u8] = include_bytes!("../demo/notebooks.csv");
const STOCK: &[u8] = include_bytes!("../demo/stock.csv");

/// The virtual keys in the demo's drawer: serial and firmware, matching demo/stock.csv.
const DRAWER: &[(Serial, Firmware)] = &[
    (Serial::known(23_456_780), Firmware::V5_7_1),
    (Serial::known(23_456_781), Firmware::V5_7_1),
    (Serial::known(18_000_042), Firmware::V5_4_3),
    (Serial::known(23_456_782), Firmware::V5_7_1),
];

/// The two keys of `--sim`: one per firmware profile.
pub const SIM_PAIR: &[(Serial, Firmware)] = &[
    (Serial::known(23_456_780), Firmware::V5_7_1),
    (Serial::known(18_000_042), Firmware::V5_4_3),
];

/// Open (or create and fill) the demo inventory at `demo_db` (a new
/// temporary one without) with the first `keys` drawer keys plugged in,
/// and run the TUI on it.
pub fn run(demo_db: Option<&Path>, keys: u8) -> anyhow::Result<()> {
    // The local offset can only be read while no other thread runs: first.
    let offset = crate::tui::clock::local_offset();
    let db = match demo_db {
        Some(p) => p.to_path_buf(),
        None => {
            let dir = std::env::temp_dir().join(format!("keydesk-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(say::file(FileOp::Write, &dir))?;
            dir.join("demo.db")
        }
    };
    let service = open(&db, usize::from(keys))?;
    let mut app = App::new(Lang::from_env(), true);
    app.offset = offset;
    app.counter = Some(service.counter_status()?);
    runtime::run(app, service)?;
    Ok(())
}

/// The demo desk on `db` (filled from the sample CSV files when new) with
/// the first `keys` drawer keys plugged in.
pub fn open(db: &Path, keys: usize) -> anyhow::Result<DeskService> {
    let fresh = !db.exists();
    let drawer = Drawer::new(DRAWER.to_vec());
    let at = keydesk_core::DbLocation::File(db.to_path_buf());
    let mut desk = Desk::open(&at, None, Keys::Virtual(drawer.clone()))
        .map_err(say::opening_inventory(&at))?;
    if fresh {
        fill(&mut desk)?;
    }
    for &(serial, _) in DRAWER.iter().take(keys) {
        drawer.plug(serial);
    }
    // The demo's CSRs go to a temporary directory, never the real CA's folder.
    let csr_dir = std::env::temp_dir().join(format!("keydesk-demo-csr-{}", std::process::id()));
    std::fs::create_dir_all(&csr_dir).map_err(say::file(FileOp::Write, &csr_dir))?;
    Ok(DeskService::new(desk)
        .with_drawer(drawer)
        .with_csr_dir(csr_dir))
}

fn fill(desk: &mut Desk) -> anyhow::Result<()> {
    desk.import(ImportKind::Staff, STAFF, "demo/staff.csv", false)?;
    desk.import(
        ImportKind::Notebooks,
        NOTEBOOKS,
        "demo/notebooks.csv",
        false,
    )?;
    desk.import(ImportKind::Stock, STOCK, "demo/stock.csv", false)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::tui::model::{Cmd, HitKind, KeyState, Msg, Pins, RevokeReason, Serial, Target};
    use crate::tui::runtime::Service;
    use crate::tui::testing::s;

    fn plugged(msgs: &[Msg]) -> Vec<Serial> {
        msgs.iter()
            .find_map(|m| match m {
                Msg::Plugged(rows) => Some(rows.iter().map(|r| r.serial).collect()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no Plugged in {msgs:?}"))
    }

    #[test]
    fn demo_keys_are_read_through_the_device_layer_and_joined_with_the_inventory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = open(&dir.path().join("demo.db"), 1).expect("demo opens");
        let first = svc.poll();
        assert!(matches!(first.first(), Some(Msg::Policy(_))), "{first:?}");
        assert!(first.contains(&Msg::Unfinished(vec![])));
        let Some(Msg::Plugged(rows)) = first.last() else {
            panic!("first poll announces keys: {first:?}")
        };
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].serial, s(23_456_780));
        assert_eq!(rows[0].firmware, "5.7.1", "read by GET DEVICE INFO");
        assert_eq!(
            rows[0].state,
            Some(KeyState::InStock),
            "demo keys come from the delivery"
        );
        assert!(svc.poll().is_empty(), "nothing changes by itself");

        let out = svc.run(Cmd::Search("muller".into()));
        let Some(Msg::SearchResults { hits, .. }) = out.first() else {
            panic!("{out:?}")
        };
        assert!(
            hits.iter()
                .any(|h| h.kind == HitKind::Staff && h.label.contains("Müller")),
            "{hits:?}"
        );
        assert_eq!(
            plugged(&svc.run(Cmd::PlugVirtual)),
            vec![s(23_456_780), s(23_456_781)]
        );
        assert_eq!(plugged(&svc.run(Cmd::UnplugVirtual)), vec![s(23_456_780)]);
        let out = svc.run(Cmd::Replug(s(23_456_780)));
        assert!(out.contains(&Msg::Replugged(s(23_456_780))), "{out:?}");
    }

    #[test]
    fn enrol_by_letter_then_revoke_through_the_service() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = open(&dir.path().join("demo.db"), 1).expect("demo opens");
        svc.poll();
        let out = svc.run(Cmd::Search("4711".into()));
        let Some(Msg::SearchResults { hits, .. }) = out.first() else {
            panic!("{out:?}")
        };
        let staff = hits
            .iter()
            .find(|h| h.kind == HitKind::Staff)
            .expect("staff hit")
            .ref_id;
        let out = svc.run(Cmd::Enrol {
            serial: s(23_456_780),
            staff,
            notebook: None,
            pins: Pins::Letter,
        });
        let Some(Msg::CsrSaved {
            serial,
            path: Ok(csr),
        }) = out.first()
        else {
            panic!("CSR saved first: {out:?}")
        };
        assert_eq!(*serial, s(23_456_780));
        assert!(
            csr.ends_with(".csr.pem") && csr.contains("23456780"),
            "{csr}"
        );
        assert!(
            std::fs::read_to_string(csr)
                .expect("CSR file")
                .starts_with("-----BEGIN CERTIFICATE REQUEST-----"),
            "{csr}"
        );
        assert!(csr.starts_with(&std::env::temp_dir().display().to_string()));
        let Some(Msg::Finished { state, letter, .. }) = out.get(1) else {
            panic!("{out:?}")
        };
        assert_eq!(*state, Some(KeyState::Issued));
        let letter = letter.as_ref().expect("a PIN letter");
        assert_eq!(letter.piv_pin.expose().len(), 6);
        assert!(letter.holder.contains("Müller"), "{}", letter.holder);
        let out = svc.run(Cmd::Open(Target::Key(s(23_456_780))));
        let Some(Msg::Detail(d)) = out.first() else {
            panic!("{out:?}")
        };
        assert_eq!(d.state.as_ref().map(|s| s.0), Some(Some(KeyState::Issued)));
        assert!(
            d.history.iter().flatten().any(|s| matches!(
                s,
                crate::tui::model::Seg::Text(t) if t.contains("issue")
            )),
            "{:?}",
            d.history
        );

        let out = svc.run(Cmd::Revoke(s(23_456_780), RevokeReason::Left));
        assert!(
            matches!(
                out.first(),
                Some(Msg::Finished {
                    state: Some(KeyState::Revoked),
                    ..
                })
            ),
            "{out:?}"
        );
        let out = svc.run(Cmd::Revoke(s(23_456_780), RevokeReason::Left));
        assert!(
            matches!(out.first(), Some(Msg::WizardFailed(_))),
            "twice is refused: {out:?}"
        );
        assert!(
            matches!(svc.run(Cmd::Verify).first(), Some(Msg::Verified(Ok(v))) if v.events > 0 && v.anchor.is_some())
        );
        let path = dir.path().join("inv.csv");
        let out = svc.run(Cmd::Export {
            what: crate::tui::model::ExportKind::Inventory,
            path: path.display().to_string(),
        });
        assert!(
            matches!(
                out.last(),
                Some(Msg::Progress(crate::i18n::Text::ExportWrote, _))
            ),
            "{out:?}"
        );
        let csv = std::fs::read(&path).expect("export written");
        assert!(String::from_utf8_lossy(&csv).contains("23456780"));
    }

    #[test]
    fn reset_after_replug_prompts_for_touch_and_brings_the_key_back_to_stock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = open(&dir.path().join("demo.db"), 1).expect("demo opens");
        let (tx, rx) = std::sync::mpsc::channel();
        svc.attach(tx);
        svc.poll();
        let out = svc.run(Cmd::Replug(s(23_456_780)));
        assert!(out.contains(&Msg::Replugged(s(23_456_780))));
        let out = svc.run(Cmd::Reset(s(23_456_780)));
        let Some(Msg::Finished { state, .. }) = out.first() else {
            panic!("{out:?}")
        };
        assert_eq!(*state, Some(KeyState::InStock));
        let touch = rx.try_iter().find_map(|m| match m {
            Msg::Touch { remaining, .. } => Some(remaining),
            _ => None,
        });
        assert!(
            touch.is_some_and(|r| r <= Duration::from_secs(30)),
            "touch prompt seen"
        );
    }

    #[test]
    fn an_interrupted_operation_is_announced_at_start_and_recovered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("demo.db");
        drop(open(&db, 1).expect("demo opens"));
        {
            let mut store = keydesk_store::Store::open(&db).expect("store");
            let ctx = keydesk_store::Ctx::new("t", "t", time::OffsetDateTime::now_utc());
            let serial = keydesk_types::Serial::new(23_456_780).expect("serial");
            store
                .journal_begin(&ctx, Some(serial), "enrol", "piv.generate", "{}")
                .expect("journal entry");
        }
        let mut svc = open(&db, 1).expect("demo reopens");
        let first = svc.poll();
        let entries = first
            .iter()
            .find_map(|m| match m {
                Msg::Unfinished(e) => Some(e.clone()),
                _ => None,
            })
            .expect("unfinished entries announced");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].serial, entries[0].workflow.as_str()),
            (Some(s(23_456_780)), "enrol")
        );
        let out = svc.run(Cmd::Recover);
        let Some(Msg::Recovered(reports)) = out.first() else {
            panic!("{out:?}")
        };
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert_eq!(reports[0].serial, Some(s(23_456_780)));
        assert_eq!(reports[0].outcome, crate::i18n::Text::OutcomeNothingDone);
        assert!(
            reports[0]
                .account
                .iter()
                .any(|l| l.text() == crate::i18n::Text::AccountEnrolNotStarted),
            "{reports:?}"
        );
        let again = svc.run(Cmd::Recover);
        assert_eq!(again.first(), Some(&Msg::Recovered(vec![])), "resolved");
    }

    #[test]
    fn staff_import_dry_run_then_apply_and_a_bad_file_changes_nothing() {
        use crate::tui::model::{ImportKind, ImportSummary};
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = open(&dir.path().join("demo.db"), 0).expect("demo opens");
        let good = dir.path().join("staff.csv");
        // A generated HR export in Windows-1252 with commas: one known person
        // changes her department, two are new.
        let mut text = String::from("Personalnummer,Nachname,Vorname,Abteilung,E-Mail\r\n");
        text.push_str("4711,M\u{fc}ller,Anna,Amt 99,anna.mueller@stadt.example\r\n");
        for n in 0..2 {
            text.push_str(&format!("99{n},Neu{n},Nina,Amt 1,n{n}@stadt.example\r\n"));
        }
        let latin1: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("latin1"))
            .collect();
        std::fs::write(&good, latin1).expect("write");
        let path = good.display().to_string();
        let run = |svc: &mut DeskService, dry_run| {
            svc.run(Cmd::Import {
                what: ImportKind::Staff,
                path: path.clone(),
                dry_run,
            })
        };
        let Some(Msg::Imported(dry)) = run(&mut svc, true).first().cloned() else {
            panic!("dry run answers")
        };
        let search_new = |svc: &mut DeskService| match svc.run(Cmd::Search("Neu1".into())).first() {
            Some(Msg::SearchResults { hits, .. }) => hits.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (
                dry.dry_run,
                dry.rows,
                dry.added,
                dry.changed,
                dry.unchanged,
                dry.delimiter
            ),
            (true, 3, 2, 1, 0, ','),
            "{dry:?}"
        );
        assert!(
            !dry.encoding.to_ascii_lowercase().contains("utf"),
            "{dry:?}"
        );
        assert_eq!(search_new(&mut svc), 0, "a dry run changes nothing");
        let Some(Msg::Imported(done)) = run(&mut svc, false).first().cloned() else {
            panic!("import answers")
        };
        assert_eq!(
            done,
            ImportSummary {
                dry_run: false,
                ..dry
            }
        );
        assert_eq!(search_new(&mut svc), 1, "applied");

        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "Personalnummer;Nachname;Vorname;Abteilung;E-Mail\n777;Gut;Gerd;A;g@x.example\n778;;Kurt;A;k@x.example\n",
        )
        .expect("write");
        let out = svc.run(Cmd::Import {
            what: ImportKind::Staff,
            path: bad.display().to_string(),
            dry_run: true,
        });
        let Some(Msg::Failed(e)) = out.first() else {
            panic!("{out:?}")
        };
        let de = e.show(crate::i18n::Lang::De);
        assert!(
            de.starts_with("Importdatei abgelehnt") && de.contains('3'),
            "names the bad line: {de}"
        );
        let out = svc.run(Cmd::Import {
            what: ImportKind::Staff,
            path: bad.display().to_string(),
            dry_run: false,
        });
        assert!(matches!(out.first(), Some(Msg::Failed(_))), "{out:?}");
        assert!(
            matches!(svc.run(Cmd::Search("Gerd".into())).first(), Some(Msg::SearchResults { hits, .. }) if hits.is_empty()),
            "nothing of a bad file is written"
        );
    }

    /// The batch view in `msgs`, if the screen was told of a change.
    fn batch(msgs: &[Msg]) -> Option<crate::tui::model::BatchView> {
        msgs.iter().find_map(|m| match m {
            Msg::Batch(v) => Some(v.clone()),
            _ => None,
        })
    }

    fn note(msgs: &[Msg]) -> crate::i18n::Text {
        match batch(msgs).map(|v| v.note) {
            Some(crate::tui::problem::Problem::Known(t, _)) => t,
            other => panic!("no batch note in {msgs:?}: {other:?}"),
        }
    }

    #[test]
    fn an_export_says_it_started_and_how_many_rows_are_written_as_it_goes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = open(&dir.path().join("demo.db"), 1).expect("demo opens");
        let (tx, rx) = std::sync::mpsc::channel();
        svc.attach(tx);
        svc.poll();
        let path = dir.path().join("inventar.csv").display().to_string();
        let out = svc.run(Cmd::Export {
            what: crate::tui::model::ExportKind::Inventory,
            path: path.clone(),
        });
        let live: Vec<Msg> = rx.try_iter().collect();
        assert_eq!(
            live,
            vec![
                Msg::Progress(crate::i18n::Text::ExportStarted, path.clone()),
                Msg::RowProgress { done: 0, total: 4 },
                Msg::RowProgress { done: 4, total: 4 },
            ],
            "the four demo keys"
        );
        assert_eq!(
            out,
            vec![Msg::Progress(
                crate::i18n::Text::ExportWrote,
                format!("4 → {path}")
            )]
        );
    }

    #[test]
    fn bulk_reset_through_the_service_follows_the_keys_from_the_pile() {
        use crate::i18n::Text;
        let (a, b) = (s(23_456_780), s(23_456_781));
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = open(&dir.path().join("demo.db"), 2).expect("demo opens");
        let (tx, rx) = std::sync::mpsc::channel();
        svc.attach(tx);
        svc.poll();
        let staff = match svc.run(Cmd::Search("4711".into())).first() {
            Some(Msg::SearchResults { hits, .. }) => hits[0].ref_id,
            other => panic!("{other:?}"),
        };
        for serial in [a, b] {
            let out = svc.run(Cmd::Enrol {
                serial,
                staff,
                notebook: None,
                pins: Pins::Letter,
            });
            assert!(
                out.iter().any(|m| matches!(
                    m,
                    Msg::Finished {
                        state: Some(KeyState::Issued),
                        ..
                    }
                )),
                "{out:?}"
            );
        }
        svc.run(Cmd::Revoke(a, RevokeReason::Defective));
        svc.run(Cmd::Return {
            serial: b,
            reset: false,
        });
        let out = svc.run(Cmd::ListWaiting);
        let Some(Msg::Waiting { keys, fido: true }) = out.first() else {
            panic!("{out:?}")
        };
        let mut serials: Vec<Serial> = keys.iter().map(|k| k.serial).collect();
        serials.sort_unstable();
        assert_eq!(serials, vec![a, b]);

        let out = svc.run(Cmd::StartBatch(serials));
        assert_eq!(note(&out), Text::BulkSeveral, "both still plugged in");
        assert!(svc.poll().is_empty(), "a standing situation is told once");
        svc.run(Cmd::UnplugVirtual);
        assert_eq!(
            note(&svc.poll()),
            Text::BulkReplug,
            "A was plugged in before"
        );
        svc.run(Cmd::Replug(a));
        let out = svc.poll();
        assert_eq!(note(&out), Text::BulkKeyDone);
        assert_eq!(batch(&out).map(|v| v.progress()), Some((1, 2)));
        assert!(
            rx.try_iter()
                .any(|m| matches!(m, Msg::Touch { serial, .. } if serial == a)),
            "touch prompt while A blinked"
        );
        assert_eq!(plugged(&out), vec![a], "keys panel refreshed");
        assert_eq!(note(&svc.poll()), Text::BulkAlreadyDone);
        svc.run(Cmd::UnplugVirtual);
        assert_eq!(note(&svc.poll()), Text::BulkPlugNext);
        // The next key from the pile is one not in the batch: named, left alone.
        let out = svc.run(Cmd::PlugVirtual);
        assert_eq!(plugged(&out), vec![s(18_000_042)]);
        let out = svc.poll();
        let view = batch(&out).expect("told");
        assert_eq!(
            view.note,
            crate::tui::problem::Problem::Known(
                Text::BulkNotInBatch,
                vec![
                    crate::tui::problem::Part::Plain("18000042".into()),
                    crate::tui::problem::Part::Word(Text::StateInStock)
                ]
            )
        );
        svc.run(Cmd::UnplugVirtual);
        svc.poll();
        svc.run(Cmd::PlugVirtual); // 23456782, never plugged: not in the batch either
        svc.run(Cmd::UnplugVirtual);
        svc.poll();
        let out = svc.run(Cmd::PlugVirtual);
        assert_eq!(plugged(&out), vec![b], "the key out longest comes back");
        let out = svc.poll();
        assert_eq!(note(&out), Text::BulkKeyDone);
        let view = batch(&out).expect("told");
        assert!(view.finished);
        assert_eq!(note(&svc.poll()), Text::BulkFinished);
        for serial in [a, b] {
            let out = svc.run(Cmd::Open(Target::Key(serial)));
            let Some(Msg::Detail(d)) = out.first() else {
                panic!("{out:?}")
            };
            assert_eq!(d.state.as_ref().map(|s| s.0), Some(Some(KeyState::InStock)));
        }
        svc.run(Cmd::StopBatch);
        assert!(svc.poll().is_empty(), "no batch any more");
    }
}
