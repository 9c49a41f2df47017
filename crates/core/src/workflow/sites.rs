//! Sites (offices): adding and listing them, and which site this counter
//! works for (`--site` or the profile's `site`), recorded on every event
//! the desk writes.

use keydesk_store::{Site, StoreError};
use keydesk_types::SiteCode;

use crate::desk::Desk;
use crate::error::Result;

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

    /// Work for `site`, or without one the profile's `site`, or for no site
    /// when neither names one. The site must exist, and on a shared
    /// inventory a technician must be granted it.
    ///
    /// # Errors
    /// `UnknownSite` when it does not exist; `SiteNotPermitted` naming the
    /// site a technician is not granted; database errors.
    pub fn work_for(&mut self, site: Option<SiteCode>) -> Result<()> {
        let site = site.or_else(|| self.env.profile.site.clone());
        if let Some(code) = &site {
            if self.store.get_site(code)?.is_none() {
                return Err(StoreError::UnknownSite(code.to_string()).into());
            }
            self.store.check_site_permitted(code)?;
        }
        self.site = site;
        Ok(())
    }

    /// The site this counter works for, if any.
    #[must_use]
    pub fn site(&self) -> Option<&SiteCode> {
        self.site.as_ref()
    }
}
