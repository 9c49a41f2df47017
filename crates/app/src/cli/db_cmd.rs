//! `keydesk db`: the inventory database itself.

use keydesk_core::DbLocation;
use serde_json::json;

use super::args::DbCommand;
use super::output::Out;
use crate::i18n::Text;
use crate::say;
use crate::tui::problem::plain;

/// Run a `keydesk db` command on the inventory at `at`.
pub fn run(at: &DbLocation, command: &DbCommand, out: &Out) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate => migrate(at, out),
    }
}

fn migrate(at: &DbLocation, out: &Out) -> anyhow::Result<()> {
    let m = keydesk_core::schema::migrate(at).map_err(say::opening_inventory(at))?;
    let text = if m.before == m.after {
        out.t(Text::CliDbCurrent, vec![plain(at), plain(m.after)])
    } else {
        out.t(
            Text::CliDbMigrated,
            vec![plain(at), plain(m.before), plain(m.after)],
        )
    };
    out.done(
        json!({ "database": at.to_string(), "before": m.before, "after": m.after }),
        &text,
    );
    Ok(())
}
