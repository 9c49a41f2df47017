//! The command line as clap types: global options and one subcommand per
//! counter workflow. Parsing only; `cli::run` dispatches to keydesk-core.
//! Serials, personnel numbers, asset tags, reasons and list names are
//! parsed here, at the edge, into keydesk-types' types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use keydesk_core::DbLocation;
use keydesk_types::{
    AssetTag, ExportKind, ImportKind, OperatorRole, PersonnelNo, RevokeReason, Serial, SiteCode,
};

/// keydesk: hand out, reset, revoke and account for hardware security keys.
#[derive(Debug, Parser)]
#[command(name = "keydesk", version, about, long_about = None)]
pub struct Cli {
    /// The inventory: an SQLite file (default: in the per-user data
    /// directory) or a shared PostgreSQL database as a postgresql:// URL.
    #[arg(long, env = "KEYDESK_DB", global = true, value_name = "PATH|URL")]
    pub db: Option<DbLocation>,

    /// The office's enrolment profile (TOML).
    #[arg(long, env = "KEYDESK_PROFILE", global = true)]
    pub profile: Option<PathBuf>,

    /// Use virtual keys (keydesk-sim in-process) instead of real ones, on a
    /// training inventory only (training builds).
    #[cfg(feature = "sim")]
    #[arg(long, global = true)]
    pub sim: bool,

    /// The site (office) this counter works for, recorded on every event
    /// (default: the profile's `site`). Must exist: `keydesk site add`.
    /// `operator grant technician` takes it once per site it grants.
    #[arg(long, env = "KEYDESK_SITE", global = true, value_name = "CODE", action = clap::ArgAction::Append)]
    pub site: Vec<SiteCode>,

    /// Whether `--site` was typed (rather than taken from `KEYDESK_SITE`):
    /// only typed sites are granted. Set in `main`.
    #[arg(skip)]
    pub site_typed: bool,

    /// Print one JSON document per command instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The one site this counter works for, if `--site` names one.
    ///
    /// # Errors
    /// A usage error when `--site` is given more than once.
    pub fn counter_site(&self) -> Result<Option<SiteCode>, keydesk_core::CoreError> {
        match self.site.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            _ => Err(keydesk_core::CoreError::Usage(
                "a counter works for one site: give --site once (several only for `operator grant technician`)".into(),
            )),
        }
    }

    /// Whether `--sim` asked for virtual keys (always `false` in a production build).
    #[must_use]
    pub fn virtual_keys(&self) -> bool {
        #[cfg(feature = "sim")]
        return self.sim;
        #[cfg(not(feature = "sim"))]
        false
    }
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
    /// The inventory database itself: bring its schema up to date.
    #[command(subcommand)]
    Db(DbCommand),
    /// Operators of a shared inventory (PostgreSQL roles).
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Open the TUI on virtual keys and a demo database (never touches real keys or the real database).
    #[cfg(feature = "sim")]
    Demo(DemoArgs),
    /// The counter: its inventory, the site it works for and the enrolment
    /// profile in force, with where that came from.
    Status,
    /// List the keys plugged in now with their inventory state and holder.
    Keys,
    /// Enrol a key from stock and issue it to a staff member (and notebook).
    Enrol(EnrolArgs),
    /// Reset a key's PIV and/or FIDO2 application to factory state.
    Reset(ResetArgs),
    /// Reset a batch of handed-back keys, one after another as they are plugged in.
    ResetBatch(ResetBatchArgs),
    /// A staff member hands a key back: reset it and put it back into stock.
    Return(ReturnArgs),
    /// Replace a key: the old one is returned or revoked, the new one enrolled for the same holder.
    Replace(ReplaceArgs),
    /// A key was lost: revoke it and lend a temporary key until a date.
    Lost(LostArgs),
    /// List loans (temporary keys).
    Loans(LoansArgs),
    /// Reconcile operations that a crash, kill or pulled key interrupted.
    Recover,
    /// Certificates from the office CA.
    #[command(subcommand)]
    Cert(CertCommand),
    /// The sites (offices) staff, notebooks and keys belong to.
    #[command(subcommand)]
    Site(SiteCommand),
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a site: its code (1 to 16 letters, digits, - or _; stored in
    /// upper case) and the name to show.
    Add(SiteAddArgs),
    /// List the sites.
    List,
    /// Show a site's enrolment profile kept in the inventory (TOML), set it
    /// from a file (checked first; its counters use it unless given
    /// --profile), or clear it.
    Profile(SiteProfileArgs),
}

#[derive(Debug, Args)]
pub struct SiteProfileArgs {
    /// The site ("AMT12").
    pub code: SiteCode,
    /// Keep this profile (TOML) for the site, replacing the one it has.
    #[arg(long, value_name = "PROFILE.toml", conflicts_with = "clear")]
    pub file: Option<PathBuf>,
    /// Clear the site's profile.
    #[arg(long)]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct SiteAddArgs {
    /// The code, as CSV files and `--site` name the site ("AMT12").
    pub code: SiteCode,
    /// The name to show ("Amt 12 – Bürgeramt").
    #[arg(long)]
    pub name: String,
}

/// Where new PINs come from (never from arguments).
#[derive(Debug, Args, Clone)]
pub struct PinSource {
    /// Random PINs, written once to this new file (mode 0600) as a letter for the staff member.
    #[arg(long, value_name = "FILE")]
    pub pin_letter: Option<PathBuf>,
    /// Read PINs from this open file descriptor, one per line (PIV PIN, then FIDO2 PIN), for scripts.
    #[arg(long, value_name = "N", conflicts_with = "pin_letter")]
    pub pin_fd: Option<u32>,
    /// Write the certificate signing request here (default: `<serial>.csr.pem` next to the
    /// PIN letter, or in the current directory).
    #[arg(long, value_name = "FILE")]
    pub csr: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EnrolArgs {
    #[arg(long)]
    pub serial: Serial,
    /// Personnel number of the staff member.
    #[arg(long)]
    pub staff: PersonnelNo,
    /// Asset tag of the notebook.
    #[arg(long)]
    pub notebook: Option<AssetTag>,
    #[command(flatten)]
    pub pins: PinSource,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    #[arg(long)]
    pub serial: Serial,
    /// Reset the PIV application (default when neither --piv nor --fido is given: both).
    #[arg(long)]
    pub piv: bool,
    /// Reset the FIDO2 application (needs a replug and a touch; only one key may be plugged in).
    #[arg(long)]
    pub fido: bool,
}

#[derive(Debug, Args)]
pub struct ResetBatchArgs {
    /// Keys of the batch (repeat the option or separate with commas).
    #[arg(
        long = "serial",
        value_delimiter = ',',
        required_unless_present = "waiting"
    )]
    pub serials: Vec<Serial>,
    /// Every key waiting for a reset: returned, revoked, or reset but not yet back in stock.
    #[arg(long, conflicts_with = "serials")]
    pub waiting: bool,
    /// Reset only the PIV application (then several keys may be plugged in together).
    #[arg(long)]
    pub piv_only: bool,
    /// Stop when no key has been reset for this many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub idle_timeout: u64,
    /// Do not ask to confirm the batch (for scripts; the batch is printed anyway).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    #[arg(long)]
    pub serial: Serial,
    /// Only record the return; reset later with `keydesk reset`.
    #[arg(long)]
    pub no_reset: bool,
}

/// What happens to the old key in a replacement.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OldKeyArg {
    /// Handed back (recorded as returned; reset it later to put it into stock).
    Returned,
    Lost,
    Stolen,
    Left,
    Defective,
}

#[derive(Debug, Args)]
pub struct ReplaceArgs {
    /// The old key.
    #[arg(long)]
    pub serial: Serial,
    /// The new key.
    #[arg(long = "with", value_name = "NEW")]
    pub with: Serial,
    /// What happened to the old key.
    #[arg(long, value_enum, default_value_t = OldKeyArg::Returned)]
    pub old: OldKeyArg,
    #[command(flatten)]
    pub pins: PinSource,
}

#[derive(Debug, Args)]
pub struct LostArgs {
    /// The lost key.
    #[arg(long)]
    pub serial: Serial,
    /// The temporary key lent instead.
    #[arg(long, value_name = "NEW")]
    pub temporary: Serial,
    /// Last day of the loan, YYYY-MM-DD (default: today plus the profile's temporary days).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    #[command(flatten)]
    pub pins: PinSource,
}

#[derive(Debug, Args)]
pub struct LoansArgs {
    /// Only loans whose due date has passed.
    #[arg(long)]
    pub expired: bool,
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Put the certificate the office CA issued (PEM or DER) into the key; asks for the holder's PIV PIN.
    Import(CertImportArgs),
}

#[derive(Debug, Args)]
pub struct CertImportArgs {
    #[arg(long)]
    pub serial: Serial,
    pub file: PathBuf,
    /// Read the PIV PIN from this open file descriptor instead of the terminal.
    #[arg(long, value_name = "N")]
    pub pin_fd: Option<u32>,
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
    pub serial: Serial,
    /// Why the key leaves service (German names are understood too).
    #[arg(long, value_enum, ignore_case = true)]
    pub reason: RevokeReason,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    #[arg(long)]
    pub serial: Serial,
    /// Why (written into the audit trail).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    #[arg(long)]
    pub serial: Serial,
    /// The note's text (replaces the previous note).
    pub text: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(value_enum)]
    pub what: ImportKind,
    pub file: PathBuf,
    /// Show what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub what: ExportKind,
    /// Write here instead of standard output; the result then names the audit
    /// anchor at export time (EVENT:HASH) to file with the export.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// excel: UTF-8 with BOM, `;`, CRLF (opens cleanly in German Excel); rfc4180: `,`, no BOM.
    #[arg(long, value_enum, default_value_t = ExportFormat::Excel)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Excel,
    Rfc4180,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain of the audit trail; exit code 5 names the first broken event.
    Verify(AuditVerifyArgs),
    /// Verify the chain, then print its newest event as an anchor (EVENT:HASH) to write
    /// down with the date or file with an export; `verify --anchor` checks it later.
    Head,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Make the database user USER an operator: technician (workflows),
    /// auditor (read and export) or admin (everything, and this command).
    /// A technician works on the sites given with --site (once per site,
    /// added to those it has) or on --all-sites.
    Grant {
        /// The role.
        role: OperatorRole,
        /// The PostgreSQL login role.
        user: String,
        /// A technician works on every site, also those added later.
        #[arg(long)]
        all_sites: bool,
    },
    /// The operators and their roles.
    List,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply the pending schema migrations of --db (on PostgreSQL as the
    /// database owner, once per keydesk update; counters on an outdated
    /// schema refuse to start until this ran).
    Migrate,
    /// Copy the whole inventory of --db (staff, notebooks, keys, loans,
    /// enrolments, audit trail, journal) into an empty one: a new SQLite
    /// file, or a migrated, empty PostgreSQL database. The audit chain
    /// keeps its hashes: an anchor of the source verifies on the copy.
    Copy(DbCopyArgs),
}

#[derive(Debug, Args)]
pub struct DbCopyArgs {
    /// Where to copy to: a file path or a postgresql:// URL.
    #[arg(long, value_name = "PATH|URL")]
    pub to: DbLocation,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Also check that the history up to this anchor (as `keydesk audit head` printed it)
    /// was neither rewritten nor deleted; exit code 5 if it was, 2 if this is no anchor.
    #[arg(long, value_name = "EVENT:HASH")]
    pub anchor: Option<String>,
}

#[derive(Debug, Args)]
#[cfg(feature = "sim")]
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
                assert!(matches!(e.what, ExportKind::Revoked));
                assert_eq!(e.format, ExportFormat::Rfc4180);
            }
            other => panic!("parsed as {other:?}"),
        }
        assert!(Cli::try_parse_from(["keydesk", "import", "people", "x.csv"]).is_err());
        let cli =
            Cli::try_parse_from(["keydesk", "audit", "verify", "--anchor", "3:ab"]).expect("parse");
        match cli.command {
            Some(Command::Audit(AuditCommand::Verify(v))) => {
                assert_eq!(v.anchor.as_deref(), Some("3:ab"), "checked by the store");
            }
            other => panic!("parsed as {other:?}"),
        }
    }
}
