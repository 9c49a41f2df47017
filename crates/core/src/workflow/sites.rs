//! Sites (offices): adding and listing them, the enrolment profile the
//! inventory keeps for each, and which site and profile this counter works
//! with, recorded on every event the desk writes.
//!
//! Which profile a counter uses, one rule for the CLI and the TUI: a
//! profile file (`--profile`, `KEYDESK_PROFILE`) wins; else the profile the
//! inventory keeps for the counter's site (`--site`, `KEYDESK_SITE`); else
//! the built-in defaults. A file that names another site than `--site` is
//! refused, never silently used for the wrong office.

use keydesk_store::{Site, StoreError};
use keydesk_types::SiteCode;

use crate::desk::Desk;
use crate::error::{CoreError, Result};
use crate::profile::{Profile, ProfileSource};

/// What setting or clearing a site's profile did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteProfileChange {
    /// The site.
    pub site: SiteCode,
    /// The SHA-256 (hex) of the profile now kept; `None`: the site has none.
    pub sha256: Option<String>,
    /// Whether anything changed (the same profile again changes nothing).
    pub changed: bool,
}

/// The counter as its faces show it: the site it works for and the profile
/// in force, with where that came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterStatus {
    /// The site, with its name; `None`: the counter works for no site.
    pub site: Option<Site>,
    /// The profile's `name`.
    pub profile_name: String,
    /// Where it came from.
    pub profile_source: ProfileSource,
}

impl Desk {
    /// Add a site (audited as `site.add`).
    ///
    /// # Errors
    /// `DuplicateSite` when the code exists; database errors.
    pub fn add_site(&mut self, code: &SiteCode, name: &str) -> Result<Site> {
        let ctx = self.ctx();
        Ok(self.store.add_site(&ctx, code, name, "")?)
    }

    /// Every site, by code.
    ///
    /// # Errors
    /// Database errors.
    pub fn sites(&self) -> Result<Vec<Site>> {
        Ok(self.store.sites()?)
    }

    /// A site by code, `None` when there is none.
    ///
    /// # Errors
    /// Database errors.
    pub fn site_named(&self, code: &SiteCode) -> Result<Option<Site>> {
        Ok(self.store.get_site(code)?)
    }

    /// Keep `text` as the enrolment profile of site `code` (replacing the
    /// one it has), after checking it as a profile: valid, naming this site
    /// or none, root files by absolute paths. `origin` names where the text
    /// came from in errors (the file). Audited as `site.profile` with the
    /// profile's SHA-256, never its text.
    ///
    /// # Errors
    /// `Profile` when the text is refused; `UnknownSite`; database errors.
    pub fn set_site_profile(
        &mut self,
        code: &SiteCode,
        text: &str,
        origin: &str,
    ) -> Result<SiteProfileChange> {
        let profile = Profile::parse(text, origin)?;
        profile
            .storable_for(code)
            .map_err(|reason| CoreError::Profile {
                path: origin.to_owned(),
                reason,
            })?;
        let ctx = self.ctx();
        let changed = self
            .store
            .set_site_profile(&ctx, code, Some(text), origin)?;
        Ok(SiteProfileChange {
            site: code.clone(),
            sha256: Some(keydesk_store::profile_sha256(text)),
            changed,
        })
    }

    /// Clear the enrolment profile of site `code`: its counters use their
    /// profile file or the built-in defaults again.
    ///
    /// # Errors
    /// `UnknownSite`; database errors.
    pub fn clear_site_profile(&mut self, code: &SiteCode) -> Result<SiteProfileChange> {
        let ctx = self.ctx();
        let changed = self.store.set_site_profile(&ctx, code, None, "")?;
        Ok(SiteProfileChange {
            site: code.clone(),
            sha256: None,
            changed,
        })
    }

    /// The profile (TOML text) the inventory keeps for site `code`.
    ///
    /// # Errors
    /// `UnknownSite`; database errors.
    pub fn site_profile(&self, code: &SiteCode) -> Result<Option<String>> {
        Ok(self.store.site_profile(code)?)
    }

    /// Work for `site`, or without one the profile file's `site`, or for no
    /// site when neither names one; the site must exist. Without a profile
    /// file, the profile the inventory keeps for the site comes into force
    /// (with the root files it names). Call once, after [`Desk::open`].
    ///
    /// # Errors
    /// `UnknownSite`; `SiteNotPermitted` naming the site a technician of
    /// a shared inventory is not granted; `ProfileOtherSite` when the profile file names
    /// another site; `SiteProfile` when the stored profile is not valid, or
    /// `Profile` when a root file it names cannot be read; database errors.
    pub fn work_for(&mut self, site: Option<SiteCode>) -> Result<()> {
        let site = site.or_else(|| self.env.profile.site.clone());
        if let Some(code) = &site {
            if self.store.get_site(code)?.is_none() {
                return Err(StoreError::UnknownSite(code.to_string()).into());
            }
            self.store.check_site_permitted(code)?;
            match &self.profile_source {
                ProfileSource::File(path) => {
                    if let Some(named) = self.env.profile.site.as_ref().filter(|s| *s != code) {
                        return Err(CoreError::ProfileOtherSite {
                            profile: path.display().to_string(),
                            profile_site: named.clone(),
                            site: code.clone(),
                        });
                    }
                }
                ProfileSource::BuiltIn | ProfileSource::Site(_) => {
                    if let Some(text) = self.store.site_profile(code)? {
                        let profile = Profile::from_stored(&text, code)?;
                        self.env.trust.add_roots_of(&profile)?;
                        self.env.profile = profile;
                        self.profile_source = ProfileSource::Site(code.clone());
                    }
                }
            }
        }
        self.site = site;
        Ok(())
    }

    /// The site this counter works for, if any.
    #[must_use]
    pub fn site(&self) -> Option<&SiteCode> {
        self.site.as_ref()
    }

    /// The site (with its name) and the profile in force, with its source.
    ///
    /// # Errors
    /// Database errors.
    pub fn counter_status(&self) -> Result<CounterStatus> {
        let site = match &self.site {
            Some(code) => self.store.get_site(code)?,
            None => None,
        };
        Ok(CounterStatus {
            site,
            profile_name: self.env.profile.name.clone(),
            profile_source: self.profile_source.clone(),
        })
    }
}
