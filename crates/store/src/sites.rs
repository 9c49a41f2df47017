//! Sites: the offices ("AMT12", "Amt 12 – Bürgeramt") that staff, notebooks
//! and keys belong to and counters work for, and each site's enrolment
//! profile, kept centrally (the TOML text; keydesk-core checks it before it
//! is stored). Adding a site and setting or clearing its profile are
//! audited, the profile by its SHA-256 only; a site is never deleted
//! (events keep naming it).

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::model::{Ctx, SiteCode};
use crate::sql::{args, Row, Tx};

/// A site as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// Row id.
    pub id: i64,
    /// The code (upper case).
    pub code: SiteCode,
    /// The name to show ("Amt 12 – Bürgeramt").
    pub name: String,
    /// The SHA-256 (hex) of the site's stored enrolment profile, `None`
    /// when it has none.
    pub profile_sha256: Option<String>,
}

/// The SHA-256 (lower-case hex) of a profile's text, as its events and
/// [`Site::profile_sha256`] name it.
#[must_use]
pub fn profile_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn site_from_row(r: &Row<'_>) -> Result<Site> {
    let code: String = r.get(1)?;
    let profile: Option<String> = r.get(3)?;
    Ok(Site {
        id: r.get(0)?,
        code: SiteCode::parse(&code).map_err(|e| StoreError::Corrupt(format!("site: {e}")))?,
        name: r.get(2)?,
        profile_sha256: profile.as_deref().map(profile_sha256),
    })
}

pub(crate) fn get_site_conn(tx: &mut Tx<'_>, code: &SiteCode) -> Result<Option<Site>> {
    tx.opt(
        "SELECT id, code, name, profile FROM sites WHERE code = ?1",
        args![code.as_str()],
        site_from_row,
    )
}

/// The row id of a site, [`StoreError::UnknownSite`] when there is none.
pub(crate) fn site_id(tx: &mut Tx<'_>, code: &SiteCode) -> Result<i64> {
    get_site_conn(tx, code)?
        .map(|s| s.id)
        .ok_or_else(|| StoreError::UnknownSite(code.to_string()))
}

/// The row id of an optional site.
pub(crate) fn opt_site_id(tx: &mut Tx<'_>, code: Option<&SiteCode>) -> Result<Option<i64>> {
    code.map(|c| site_id(tx, c)).transpose()
}

/// The code of a site row id read back from a record's `site_id`.
pub(crate) fn parse_site_column(code: Option<String>) -> Result<Option<SiteCode>> {
    code.as_deref()
        .map(SiteCode::parse)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("site: {e}")))
}

impl Store {
    /// Add a site; [`StoreError::DuplicateSite`] when the code exists.
    pub fn add_site(
        &mut self,
        ctx: &Ctx,
        code: &SiteCode,
        name: &str,
        reason: &str,
    ) -> Result<Site> {
        let name = name.trim();
        self.write(|tx| {
            if get_site_conn(tx, code)?.is_some() {
                return Err(StoreError::DuplicateSite(code.to_string()));
            }
            let id = tx.insert(
                "INSERT INTO sites (code, name) VALUES (?1, ?2) RETURNING id",
                args![code.as_str(), name],
            )?;
            audit::append(
                tx,
                ctx,
                Change {
                    action: "site.add",
                    subject: format!("site:{code}"),
                    serial: None,
                    before: None,
                    after: Some(json!({ "code": code, "name": name })),
                    reason,
                },
            )?;
            Ok(Site {
                id,
                code: code.clone(),
                name: name.to_owned(),
                profile_sha256: None,
            })
        })
    }

    /// A site by code.
    pub fn get_site(&self, code: &SiteCode) -> Result<Option<Site>> {
        self.read(|tx| get_site_conn(tx, code))
    }

    /// Every site, by code.
    pub fn sites(&self) -> Result<Vec<Site>> {
        self.read(|tx| {
            tx.all(
                "SELECT id, code, name, profile FROM sites ORDER BY code",
                &[],
                site_from_row,
            )
        })
    }

    /// The enrolment profile (TOML text) stored for a site, `None` when it
    /// has none; [`StoreError::UnknownSite`] when there is no such site.
    pub fn site_profile(&self, code: &SiteCode) -> Result<Option<String>> {
        self.read(|tx| {
            tx.opt(
                "SELECT profile FROM sites WHERE code = ?1",
                args![code.as_str()],
                |r| r.get::<Option<String>>(0),
            )?
            .ok_or_else(|| StoreError::UnknownSite(code.to_string()))
        })
    }

    /// Store `profile` (TOML text, checked by the caller) as the site's
    /// enrolment profile, or clear it with `None`. Audited as
    /// `site.profile` with the SHA-256 of the profile before and after,
    /// never its text; the same profile again changes nothing and writes no
    /// event (the return value says whether anything changed).
    /// [`StoreError::UnknownSite`] when there is no such site.
    pub fn set_site_profile(
        &mut self,
        ctx: &Ctx,
        code: &SiteCode,
        profile: Option<&str>,
        reason: &str,
    ) -> Result<bool> {
        self.write(|tx| {
            let id = site_id(tx, code)?;
            let old: Option<String> =
                tx.one("SELECT profile FROM sites WHERE id = ?1", args![id], |r| {
                    r.get(0)
                })?;
            if old.as_deref() == profile {
                return Ok(false);
            }
            tx.exec(
                "UPDATE sites SET profile = ?1 WHERE id = ?2",
                args![profile, id],
            )?;
            let sha = |p: Option<&str>| json!({ "profile_sha256": p.map(profile_sha256) });
            audit::append(
                tx,
                ctx,
                Change {
                    action: "site.profile",
                    subject: format!("site:{code}"),
                    serial: None,
                    before: Some(sha(old.as_deref())),
                    after: Some(sha(profile)),
                    reason,
                },
            )?;
            Ok(true)
        })
    }
}
