//! `keydesk site`: add a site (office) and list them, text or JSON.

use keydesk_core::Desk;
use serde_json::json;

use super::args::SiteCommand;
use super::output::Out;
use crate::i18n::Text;
use crate::tui::problem::plain;

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
                sites
                    .iter()
                    .map(|s| format!("{:width$}  {}", s.code.as_str(), s.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let list: Vec<_> = sites
                .iter()
                .map(|s| json!({ "code": s.code, "name": s.name }))
                .collect();
            out.done(json!({ "sites": list }), &text);
        }
    }
    Ok(())
}
