//! The command line as clap types: global options and one subcommand per
//! counter workflow. Parsing only; `cli::run` dispatches to keydesk-core.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// keydesk: hand out, reset, revoke and account for hardware security keys.
#[derive(Debug, Parser)]
#[command(name = "keydesk", version, about, long_about = None)]
pub struct Cli {
    /// The inventory database (default: the per-user data directory).
    #[arg(long, env = "KEYDESK_DB", global = true)]
    pub db: Option<PathBuf>,

    /// The office's enrolment profile (TOML).
    #[arg(long, env = "KEYDESK_PROFILE", global = true)]
    pub profile: Option<PathBuf>,

    /// Use virtual keys (keydesk-sim in-process) instead of real ones.
    #[arg(long, global = true)]
    pub sim: bool,

    /// Print one JSON document per command instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do. No command opens the TUI.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a key, a staff member or a notebook with its history.
    Show(ShowArgs),
    /// Import staff, notebooks or a delivery of keys into stock from CSV.
    Import(ImportArgs),
    /// Export the inventory, the full history or the revoked serials as CSV.
    Export(ExportArgs),
    /// Take a key out of service (it appears on the revoked export at once).
    Revoke(RevokeArgs),
    /// Block an issued key for a while; it keeps its holder.
    Suspend(ReasonArgs),
    /// Put a suspended key back into use.
    Reinstate(ReasonArgs),
    /// Replace the notes on a key.
    Note(NoteArgs),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Open the TUI on virtual keys and a demo database (never touches real keys or the real database).
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub what: ShowWhat,
    /// Serial, personnel number or asset tag.
    pub id: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShowWhat {
    Serial,
    Staff,
    Notebook,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[arg(long)]
    pub serial: String,
    /// lost, stolen, left or defective.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    #[arg(long)]
    pub serial: String,
    /// Why (written into the audit trail).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    #[arg(long)]
    pub serial: String,
    /// The note's text (replaces the previous note).
    pub text: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub what: ImportWhat,
    pub file: PathBuf,
    /// Show what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportWhat {
    Staff,
    Notebooks,
    Stock,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub what: ExportWhat,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// excel: UTF-8 with BOM, `;`, CRLF (opens cleanly in German Excel); rfc4180: `,`, no BOM.
    #[arg(long, value_enum, default_value_t = ExportFormat::Excel)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportWhat {
    Inventory,
    History,
    Revoked,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Excel,
    Rfc4180,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain of the audit trail; exit code 5 names the first broken event.
    Verify,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo database here instead of a fresh temporary one.
    #[arg(long)]
    pub demo_db: Option<PathBuf>,
    /// Virtual keys plugged in at start.
    #[arg(long, default_value_t = 1)]
    pub keys: u8,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_is_well_formed_and_parses() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "keydesk", "--json", "export", "revoked", "--format", "rfc4180",
        ])
        .expect("parse");
        assert!(cli.json);
        match cli.command {
            Some(Command::Export(e)) => {
                assert!(matches!(e.what, ExportWhat::Revoked));
                assert_eq!(e.format, ExportFormat::Rfc4180);
            }
            other => panic!("parsed as {other:?}"),
        }
        assert!(Cli::try_parse_from(["keydesk", "import", "people", "x.csv"]).is_err());
    }
}
