//! Sites: the offices ("AMT12", "Amt 12 – Bürgeramt") that staff, notebooks
//! and keys belong to and counters work for. Adding one is audited; a site
//! is never deleted (events keep naming it).

use serde::Serialize;
use serde_json::json;

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
}

fn site_from_row(r: &Row<'_>) -> Result<Site> {
    let code: String = r.get(1)?;
    Ok(Site {
        id: r.get(0)?,
        code: SiteCode::parse(&code).map_err(|e| StoreError::Corrupt(format!("site: {e}")))?,
        name: r.get(2)?,
    })
}

pub(crate) fn get_site_conn(tx: &mut Tx<'_>, code: &SiteCode) -> Result<Option<Site>> {
    tx.opt(
        "SELECT id, code, name FROM sites WHERE code = ?1",
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
                "SELECT id, code, name FROM sites ORDER BY code",
                &[],
                site_from_row,
            )
        })
    }
}
