//! `keydesk` with no command: the counter TUI on the office's inventory and
//! the keys plugged into this workstation (virtual ones with `--sim`, in
//! training builds only).

use std::path::Path;
use std::process::ExitCode;

use keydesk_core::SiteCode;
use keydesk_core::{DbLocation, Desk, Keys};

use crate::i18n::{Lang, Text};
use crate::say::{self, Refusal};
use crate::tui::problem::FileOp;
use crate::tui::runtime;
use crate::tui::service::DeskService;
use crate::tui::state::App;

/// The inventory to open: `--db`/`KEYDESK_DB`, else
/// `$XDG_DATA_HOME/keydesk/keydesk.db` (created when missing).
///
/// # Errors
/// When there is no per-user data directory or it cannot be created.
pub fn inventory_path(db: Option<&DbLocation>) -> anyhow::Result<DbLocation> {
    if let Some(p) = db {
        return Ok(p.clone());
    }
    let dir = dirs::data_dir()
        .ok_or_else(|| Refusal::new(crate::cli::exit::USAGE, Text::CliNoDataDir, vec![]))?
        .join("keydesk");
    std::fs::create_dir_all(&dir).map_err(say::file(FileOp::Write, &dir))?;
    Ok(DbLocation::File(dir.join("keydesk.db")))
}

/// The local journal of a shared inventory (records its server could not
/// take), in the per-user data directory; `None` for an SQLite file or
/// without a data directory.
#[must_use]
pub fn local_journal(db: &DbLocation) -> Option<keydesk_core::journal::local::LocalJournal> {
    if !db.is_server() {
        return None;
    }
    let dir = dirs::data_dir()?.join("keydesk");
    Some(keydesk_core::journal::local::LocalJournal::new(
        dir.join("server-journal.jsonl"),
        db.to_string(),
    ))
}

/// The keys of the workstation: real ones, or (training builds) virtual
/// ones for `--sim` and keydesk-sim sockets named in `KEYDESK_HID_SOCKET`.
#[cfg(feature = "sim")]
pub fn keys(sim: bool) -> (Keys, Option<keydesk_core::training::Drawer>) {
    if sim {
        let drawer = keydesk_core::training::Drawer::new(crate::demo::SIM_PAIR.to_vec());
        for &(serial, _) in crate::demo::SIM_PAIR {
            drawer.plug(serial);
        }
        return (Keys::Virtual(drawer.clone()), Some(drawer));
    }
    match std::env::var_os("KEYDESK_HID_SOCKET") {
        Some(v) => (
            Keys::SystemWithSockets(
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect(),
            ),
            None,
        ),
        None => (Keys::System, None),
    }
}

fn open_and_run(
    db: Option<&DbLocation>,
    profile: Option<&Path>,
    site: Option<SiteCode>,
    sim: bool,
) -> anyhow::Result<()> {
    // The local offset can only be read while no other thread runs: first.
    let offset = crate::tui::clock::local_offset();
    let db = inventory_path(db)?;
    #[cfg(feature = "sim")]
    let (keys, drawer) = keys(sim);
    #[cfg(not(feature = "sim"))]
    let (keys, drawer) = {
        let _ = sim;
        (Keys::System, None::<std::convert::Infallible>)
    };
    let mut desk = Desk::open(&db, profile, keys).map_err(say::opening_inventory(&db))?;
    if let Some(local) = local_journal(&db) {
        desk.keep_locally(local);
    }
    desk.work_for(site)?;
    let demo = drawer.is_some();
    let service = DeskService::new(desk);
    #[cfg(feature = "sim")]
    let service = match drawer {
        Some(d) => service.with_drawer(d),
        None => service,
    };
    let mut app = App::new(Lang::from_env(), demo);
    app.offset = offset;
    app.counter = Some(service.counter_status()?);
    runtime::run(app, service)?;
    Ok(())
}

/// Run the counter TUI; errors end it with a message and a failure code.
#[must_use]
pub fn counter(
    db: Option<&DbLocation>,
    profile: Option<&Path>,
    site: Option<SiteCode>,
    sim: bool,
) -> ExitCode {
    match open_and_run(db, profile, site, sim) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", say::error_text(&e, Lang::from_env()));
            ExitCode::FAILURE
        }
    }
}
