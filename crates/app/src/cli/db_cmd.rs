//! `keydesk db`: the inventory database itself.

use keydesk_core::DbLocation;
use keydesk_types::{SiteCode, SiteScope};
use serde_json::json;

use super::args::{DbCommand, OperatorCommand};
use super::output::Out;
use crate::i18n::Text;
use crate::say;
use crate::tui::problem::plain;

/// Run a `keydesk db` command on the inventory at `at`.
pub fn run(at: &DbLocation, command: &DbCommand, out: &Out) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate => migrate(at, out),
        DbCommand::Copy(a) => copy(at, &a.to, out),
    }
}

fn copy(from: &DbLocation, to: &DbLocation, out: &Out) -> anyhow::Result<()> {
    let report = keydesk_core::schema::copy(from, to, &mut |_, _, _| {})
        .map_err(|e| say::doing(Text::CliDbCopying, vec![plain(from), plain(to)], e.into()))?;
    let tables: serde_json::Map<String, serde_json::Value> = report
        .rows
        .iter()
        .map(|(step, n)| (step.table().to_owned(), json!(n)))
        .collect();
    let anchor = report.head.as_ref().map(ToString::to_string);
    let counts: Vec<String> = report
        .rows
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(step, n)| format!("{step} {n}"))
        .collect();
    let text = match &anchor {
        Some(a) => out.t(
            Text::CliDbCopied,
            vec![
                plain(report.total()),
                plain(from),
                plain(to),
                plain(counts.join(", ")),
                plain(a),
            ],
        ),
        None => out.t(Text::CliDbCopiedEmpty, vec![plain(from), plain(to)]),
    };
    out.done(
        json!({ "from": from.to_string(), "to": to.to_string(), "rows": tables,
                "total": report.total(), "anchor": anchor }),
        &text,
    );
    Ok(())
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

/// `keydesk operator`: grant a role, list the operators.
pub fn operator(
    desk: &mut keydesk_core::Desk,
    command: &OperatorCommand,
    sites: &[SiteCode],
    out: &Out,
) -> anyhow::Result<()> {
    match command {
        OperatorCommand::Grant {
            role,
            user,
            all_sites,
        } => {
            let scope = if *all_sites && !sites.is_empty() {
                return Err(keydesk_core::CoreError::Usage(
                    "give either --site CODE or --all-sites, not both".into(),
                )
                .into());
            } else if *all_sites {
                Some(SiteScope::All)
            } else if sites.is_empty() {
                None
            } else {
                Some(SiteScope::Sites(sites.to_vec()))
            };
            desk.grant_operator(*role, user, scope.as_ref())?;
            let text = match &scope {
                None => out.t(Text::CliOperatorGranted, vec![plain(user), plain(role)]),
                Some(scope) => out.t(
                    Text::CliOperatorGrantedSites,
                    vec![plain(user), plain(role), plain(scope)],
                ),
            };
            out.done(
                json!({ "user": user, "role": role, "sites": scope.as_ref().map(scope_json) }),
                &text,
            );
        }
        OperatorCommand::List => {
            let ops = desk.operators()?;
            let rows: Vec<_> = ops
                .iter()
                .map(|o| json!({ "user": o.user, "role": o.role, "sites": scope_json(&o.sites) }))
                .collect();
            let text = if ops.is_empty() {
                out.t(Text::CliNoOperators, vec![])
            } else {
                ops.iter()
                    .map(|o| {
                        out.t(
                            Text::CliOperatorRow,
                            vec![plain(&o.user), plain(o.role), plain(&o.sites)],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.done(json!({ "operators": rows }), &text);
        }
    }
    Ok(())
}

/// Sites in JSON: `"all"` or the list of codes.
fn scope_json(scope: &SiteScope) -> serde_json::Value {
    match scope {
        SiteScope::All => json!("all"),
        SiteScope::Sites(codes) => json!(codes.iter().map(SiteCode::as_str).collect::<Vec<_>>()),
    }
}
