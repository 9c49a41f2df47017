//! `keydesk site`: add a site (office), list them, and show, set or clear
//! the enrolment profile the inventory keeps for one; text or JSON.

use keydesk_core::Desk;
use serde_json::json;

use super::args::{SiteCommand, SiteProfileArgs};
use super::output::Out;
use crate::i18n::Text;
use crate::say;
use crate::tui::problem::{plain, FileOp};

/// Run one `keydesk site` command.
pub fn run(desk: &mut Desk, command: &SiteCommand, out: &Out) -> anyhow::Result<()> {
    match command {
        SiteCommand::Add(a) => {
            let site = desk.add_site(&a.code, &a.name)?;
            out.done(
                json!({ "code": site.code, "name": site.name }),
                &out.t(
                    Text::CliSiteAdded,
                    vec![plain(&site.code), plain(&site.name)],
                ),
            );
        }
        SiteCommand::List => {
            let sites = desk.sites()?;
            let text = if sites.is_empty() {
                out.t(Text::CliSitesNone, vec![])
            } else {
                let width = sites
                    .iter()
                    .map(|s| s.code.as_str().len())
                    .max()
                    .unwrap_or(0);
                let marker = out.t(Text::CliSiteHasProfile, vec![]);
                sites
                    .iter()
                    .map(|s| {
                        let line = format!("{:width$}  {}", s.code.as_str(), s.name);
                        match s.profile_sha256 {
                            Some(_) => format!("{line}  {marker}"),
                            None => line,
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let list: Vec<_> = sites
                .iter()
                .map(|s| json!({ "code": s.code, "name": s.name, "profile_sha256": s.profile_sha256 }))
                .collect();
            out.done(json!({ "sites": list }), &text);
        }
        SiteCommand::Profile(a) => profile(desk, a, out)?,
    }
    Ok(())
}

/// `keydesk site profile CODE [--file PROFILE.toml | --clear]`.
fn profile(desk: &mut Desk, a: &SiteProfileArgs, out: &Out) -> anyhow::Result<()> {
    let code = &a.code;
    if let Some(file) = &a.file {
        let text = std::fs::read_to_string(file).map_err(say::file(FileOp::Read, file))?;
        let change = desk.set_site_profile(code, &text, &file.display().to_string())?;
        let sha = change.sha256.unwrap_or_default();
        let says = if change.changed {
            Text::CliSiteProfileSet
        } else {
            Text::CliSiteProfileSame
        };
        out.done(
            json!({ "site": code, "profile_sha256": sha, "changed": change.changed }),
            &out.t(says, vec![plain(code), plain(&sha)]),
        );
    } else if a.clear {
        let change = desk.clear_site_profile(code)?;
        let says = if change.changed {
            Text::CliSiteProfileCleared
        } else {
            Text::CliSiteProfileNone
        };
        out.done(
            json!({ "site": code, "profile_sha256": null, "changed": change.changed }),
            &out.t(says, vec![plain(code)]),
        );
    } else {
        let text = desk.site_profile(code)?;
        let value = json!({
            "site": code,
            "profile": text,
            "profile_sha256": text.as_deref().map(keydesk_core::profile_sha256),
        });
        match (&text, out.is_json()) {
            (_, true) => out.done(value, ""),
            // The TOML as it is kept, to redirect into a file and edit.
            (Some(toml), false) => print!("{toml}"),
            (None, false) => out.done(value, &out.t(Text::CliSiteProfileNone, vec![plain(code)])),
        }
    }
    Ok(())
}

/// `keydesk status`: the inventory, the counter's site and the profile in
/// force, with where it came from.
pub fn status(desk: &Desk, db: &keydesk_core::DbLocation, out: &Out) -> anyhow::Result<()> {
    let status = desk.counter_status()?;
    let lang = out.lang;
    let text = [
        out.t(Text::CliStatusInventory, vec![plain(db)]),
        crate::tui::status::site_label(&status, lang),
        crate::tui::status::profile_label(&status, lang),
        out.t(
            Text::CliStatusProfileName,
            vec![plain(&status.profile_name)],
        ),
    ]
    .join("\n");
    out.done(
        json!({
            "inventory": db.to_string(),
            "site": status.site.as_ref().map(|s| json!({ "code": s.code, "name": s.name })),
            "profile": {
                "name": status.profile_name,
                "source": crate::tui::status::source_json(&status.profile_source),
            },
        }),
        &text,
    );
    Ok(())
}
