//! The CLI: parse, open the inventory, run one command through keydesk-core,
//! print text or one JSON document, and exit with a code that says what
//! kind of failure it was.

pub mod args;
mod audit_cmd;
mod batch_cmd;
mod db_cmd;
mod device_cmds;
mod letter;
mod output;
mod pin_input;
mod service_cmds;
mod site_cmd;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use keydesk_core::records::Dialect;
use keydesk_core::{CoreError, Desk, ErrorKind};
use keydesk_types::{AssetTag, ExportKind, PersonnelNo, Serial};
use serde_json::json;

use args::{AuditCommand, CertCommand, Cli, Command, ExportFormat, ShowWhat};
use output::Out;

use crate::say;
pub(crate) use crate::say::Refusal;

use crate::i18n::{Lang, Text};
use crate::tui::problem::{plain, FileOp};

/// Exit codes: what kind of failure a script is looking at.
pub mod exit {
    pub const OK: u8 = 0;
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const WRONG_STATE: u8 = 4;
    pub const INTEGRITY: u8 = 5;
    pub const DEVICE: u8 = 6;
    pub const WRONG_PIN: u8 = 7;
}

fn code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Usage => exit::USAGE,
        ErrorKind::NotFound => exit::NOT_FOUND,
        ErrorKind::WrongState => exit::WRONG_STATE,
        ErrorKind::Integrity => exit::INTEGRITY,
        ErrorKind::Device => exit::DEVICE,
        ErrorKind::WrongPin => exit::WRONG_PIN,
        ErrorKind::Other => exit::OTHER,
    }
}

/// A command line that clap refused: a bad serial, reason or list name is
/// refused here, at the edge, before anything is opened. With `--json` on
/// it, scripts get the refusal as their one JSON document, as for every
/// other error; help and `--version` print as usual.
pub fn refused(e: &clap::Error) -> ExitCode {
    let json = std::env::args_os().any(|a| a == "--json");
    if !(json && e.use_stderr()) {
        e.exit()
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    Out::new(true, Lang::from_env()).error(&anyhow::Error::msg(message), exit::USAGE);
    ExitCode::from(exit::USAGE)
}

/// Run a parsed command line (not the TUI).
pub fn run(cli: Cli, command: Command) -> ExitCode {
    let out = Out::new(cli.json, Lang::from_env());
    match dispatch(&cli, command, &out) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            let code = err.chain().find_map(|e| {
                e.downcast_ref::<CoreError>()
                    .map(|e| code_for(e.kind()))
                    .or_else(|| e.downcast_ref::<Refusal>().map(|r| r.code))
            });
            let code = code.unwrap_or(exit::OTHER);
            let quiet = err.downcast_ref::<Refusal>().is_some_and(|r| r.quiet);
            if !quiet {
                out.error(&err, code);
            }
            ExitCode::from(code)
        }
    }
}

/// A serial given where the command line cannot type it (`show serial ID`).
fn parse_serial(s: &str) -> anyhow::Result<Serial> {
    s.parse::<Serial>()
        .map_err(|e| anyhow::Error::new(CoreError::from(e)))
}

fn dispatch(cli: &Cli, command: Command, out: &Out) -> anyhow::Result<()> {
    let db = crate::counter::inventory_path(cli.db.as_ref())?;
    let command = match command {
        // Before a desk is opened: opening refuses an outdated schema.
        Command::Db(c) => return db_cmd::run(&db, &c, out),
        other => other,
    };
    #[cfg(feature = "sim")]
    let (keys, _) = crate::counter::keys(cli.virtual_keys());
    #[cfg(not(feature = "sim"))]
    let keys = keydesk_core::Keys::System;
    let mut desk =
        Desk::open(&db, cli.profile.as_deref(), keys).map_err(say::opening_inventory(&db))?;
    if let Some(local) = crate::counter::local_journal(&db) {
        desk.keep_locally(local);
    }
    // Managing sites works before the counter's site exists.
    if let Command::Site(c) = &command {
        return site_cmd::run(&mut desk, c, out);
    }
    // Granting operators is no counter work: its --site names the sites
    // granted, not the counter's.
    if let Command::Operator(c) = &command {
        let typed = if cli.site_typed {
            cli.site.as_slice()
        } else {
            &[]
        };
        return db_cmd::operator(&mut desk, c, typed, out);
    }
    desk.work_for(cli.counter_site()?)?;
    let touches_keys = matches!(
        command,
        Command::Enrol(_)
            | Command::Reset(_)
            | Command::Return(_)
            | Command::Replace(_)
            | Command::Lost(_)
            | Command::Cert(_)
    );
    if touches_keys {
        let serials: Vec<Serial> = match &command {
            Command::Enrol(a) => vec![a.serial],
            Command::Reset(a) => vec![a.serial],
            Command::Return(a) => vec![a.serial],
            Command::Replace(a) => vec![a.serial, a.with],
            Command::Lost(a) => vec![a.serial, a.temporary],
            Command::Cert(CertCommand::Import(a)) => vec![a.serial],
            _ => vec![],
        };
        device_cmds::refuse_if_unfinished(&desk, &serials)?;
        device_cmds::install_prompter(&mut desk);
    }
    if matches!(command, Command::Recover | Command::ResetBatch(_)) {
        device_cmds::install_prompter(&mut desk);
    }
    match command {
        Command::Status => site_cmd::status(&desk, &db, out),
        Command::Keys => device_cmds::keys(&mut desk, out),
        Command::Enrol(a) => device_cmds::enrol(&mut desk, &a, out),
        Command::Reset(a) => device_cmds::reset(&mut desk, &a, out, cli.virtual_keys()),
        Command::ResetBatch(a) => batch_cmd::reset_batch(&mut desk, &a, out, cli.virtual_keys()),
        Command::Return(a) => device_cmds::return_key(&mut desk, &a, out, cli.virtual_keys()),
        Command::Replace(a) => device_cmds::replace(&mut desk, &a, out),
        Command::Lost(a) => device_cmds::lost(&mut desk, &a, out),
        Command::Loans(a) => service_cmds::loans(&desk, &a, out),
        Command::Recover => service_cmds::recover(&mut desk, out),
        Command::Cert(CertCommand::Import(a)) => service_cmds::cert_import(&mut desk, &a, out),
        Command::Show(a) => show(&desk, a.what, &a.id, out),
        Command::Import(a) => {
            let kind = a.what;
            let bytes = std::fs::read(&a.file).map_err(say::file(FileOp::Read, &a.file))?;
            let source = a.file.file_name().map_or_else(
                || a.file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let report = desk.import(kind, &bytes, &source, a.dry_run)?;
            out.import_report(&report);
            Ok(())
        }
        Command::Export(a) => {
            let dialect = match a.format {
                ExportFormat::Excel => Dialect::Excel,
                ExportFormat::Rfc4180 => Dialect::Rfc4180,
            };
            // The head before the export: the anchored event is in what is exported.
            let head = desk.audit_head()?;
            let rows = match &a.out {
                Some(path) => {
                    let file = File::create(path).map_err(say::file(FileOp::Write, path))?;
                    let mut w = BufWriter::new(file);
                    let n = export(&desk, a.what, &mut w, dialect)?;
                    w.flush()?;
                    n
                }
                None => {
                    let mut w = BufWriter::new(io::stdout().lock());
                    let n = export(&desk, a.what, &mut w, dialect)?;
                    w.flush()?;
                    n
                }
            };
            if a.out.is_some() || cli.json {
                let mut text = out.t(Text::CliExported, vec![plain(rows)]);
                if let Some(h) = &head {
                    text.push('\n');
                    text.push_str(&out.t(Text::CliExportAnchor, vec![plain(&h.anchor)]));
                }
                out.done(
                    json!({ "exported_rows": rows, "file": a.out, "anchor": audit_cmd::anchor_json(head.as_ref()) }),
                    &text,
                );
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Verify(a)) => {
            audit_cmd::verify(&desk, a.anchor.as_deref(), out)
        }
        Command::Audit(AuditCommand::Head) => audit_cmd::head(&desk, out),
        Command::Operator(c) => db_cmd::operator(&mut desk, &c, &[], out),
        // Handled above, before the desk opens; the same answer if reached.
        Command::Db(c) => db_cmd::run(&db, &c, out),
        Command::Revoke(a) => {
            let serial = a.serial;
            desk.revoke(serial, a.reason)?;
            out.done(
                json!({ "serial": serial, "state": "revoked" }),
                &out.t(Text::CliRevoked, vec![plain(serial)]),
            );
            Ok(())
        }
        Command::Suspend(a) => {
            let serial = a.serial;
            desk.suspend(serial, &a.reason)?;
            out.done(
                json!({ "serial": serial, "state": "suspended" }),
                &out.t(Text::CliSuspended, vec![plain(serial)]),
            );
            Ok(())
        }
        Command::Reinstate(a) => {
            let serial = a.serial;
            desk.reinstate(serial, &a.reason)?;
            out.done(
                json!({ "serial": serial, "state": "issued" }),
                &out.t(Text::CliReinstated, vec![plain(serial)]),
            );
            Ok(())
        }
        Command::Note(a) => {
            let serial = a.serial;
            desk.note(serial, &a.text)?;
            out.done(
                json!({ "serial": serial, "notes": a.text }),
                &out.t(Text::CliNoteSaved, vec![plain(serial)]),
            );
            Ok(())
        }
        Command::Site(c) => site_cmd::run(&mut desk, &c, out),
        // main runs the demo before the CLI is reached: it opens no inventory.
        #[cfg(feature = "sim")]
        Command::Demo(_) => Ok(()),
    }
}

fn export(
    desk: &Desk,
    what: ExportKind,
    w: &mut impl Write,
    dialect: Dialect,
) -> anyhow::Result<u64> {
    Ok(desk.export(what, w, dialect, &mut |_, _| {})?)
}

fn show(desk: &Desk, what: ShowWhat, id: &str, out: &Out) -> anyhow::Result<()> {
    match what {
        ShowWhat::Serial => out.key_history(&desk.key_history(parse_serial(id)?)?),
        ShowWhat::Staff => {
            let no = PersonnelNo::parse(id).map_err(CoreError::from)?;
            let (staff, held) = desk.staff(&no)?;
            out.staff(&staff, &held);
        }
        ShowWhat::Notebook => {
            let tag = AssetTag::parse(id).map_err(CoreError::from)?;
            let (nb, used) = desk.notebook(&tag)?;
            out.notebook(&nb, &used);
        }
    }
    Ok(())
}
