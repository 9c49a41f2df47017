//! The counter's site and enrolment profile in words: one way for the
//! CLI's `keydesk status` and the TUI's header. Which profile is in force is
//! keydesk-core's decision ([`keydesk_core::Desk::work_for`]); this only
//! says it.

use keydesk_core::{CounterStatus, ProfileSource};

use crate::i18n::{Lang, Text};
use crate::tui::problem::{plain, Problem};

/// "site AMT12 Amt 12 – Bürgeramt", or "no site".
#[must_use]
pub fn site_label(status: &CounterStatus, lang: Lang) -> String {
    match &status.site {
        Some(site) => Problem::new(Text::StatusSite, vec![plain(&site.code), plain(&site.name)])
            .show(lang)
            .trim_end()
            .to_owned(),
        None => lang.t(Text::StatusNoSite).to_owned(),
    }
}

/// Where the profile in force came from: "profile of site AMT12 from the
/// inventory", "profile /etc/keydesk/amt12.toml", or "built-in default
/// profile" (short enough for the TUI's header line).
#[must_use]
pub fn profile_label(status: &CounterStatus, lang: Lang) -> String {
    match &status.profile_source {
        ProfileSource::Site(code) => {
            Problem::new(Text::StatusProfileSite, vec![plain(code)]).show(lang)
        }
        ProfileSource::File(path) => {
            Problem::new(Text::StatusProfileFile, vec![plain(path.display())]).show(lang)
        }
        ProfileSource::BuiltIn => lang.t(Text::StatusProfileBuiltIn).to_owned(),
    }
}

/// Where the profile came from, for `--json` (language-neutral).
#[must_use]
pub fn source_json(source: &ProfileSource) -> serde_json::Value {
    match source {
        ProfileSource::Site(code) => serde_json::json!({ "kind": "site", "site": code }),
        ProfileSource::File(path) => serde_json::json!({ "kind": "file", "file": path }),
        ProfileSource::BuiltIn => serde_json::json!({ "kind": "built-in" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keydesk_core::records::Site;
    use keydesk_core::SiteCode;

    fn status(site: bool, source: ProfileSource) -> CounterStatus {
        CounterStatus {
            site: site.then(|| Site {
                id: 1,
                code: SiteCode::parse("AMT12").expect("code"),
                name: "Amt 12 – Bürgeramt".into(),
                profile_sha256: None,
            }),
            profile_name: "Amt 12 VPN".into(),
            profile_source: source,
        }
    }

    #[test]
    fn the_site_and_the_profiles_source_read_in_both_languages() {
        let code = SiteCode::parse("AMT12").expect("code");
        let at = status(true, ProfileSource::Site(code));
        assert_eq!(site_label(&at, Lang::En), "site AMT12 Amt 12 – Bürgeramt");
        assert_eq!(
            site_label(&at, Lang::De),
            "Dienststelle AMT12 Amt 12 – Bürgeramt"
        );
        assert_eq!(
            profile_label(&at, Lang::En),
            "profile of site AMT12 from the inventory"
        );
        assert_eq!(
            profile_label(&at, Lang::De),
            "Profil von AMT12 aus dem Bestand"
        );
        let file = status(false, ProfileSource::File("/etc/keydesk/p.toml".into()));
        assert_eq!(site_label(&file, Lang::En), "no site");
        assert_eq!(
            profile_label(&file, Lang::En),
            "profile /etc/keydesk/p.toml"
        );
        let plain = status(false, ProfileSource::BuiltIn);
        assert_eq!(
            profile_label(&plain, Lang::De),
            "eingebautes Standardprofil"
        );
        assert_eq!(source_json(&plain.profile_source)["kind"], "built-in");
    }
}
