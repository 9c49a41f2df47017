//! Operators on a shared inventory: PostgreSQL login roles that are
//! members of keydesk's group roles (see `migrations/postgres/03-roles`).
//! The audit trail names the authenticated database user; what a role may
//! do is enforced by the server (and, before it, said by keydesk).
//! Technicians work on the sites they are granted (`operator_sites`, see
//! `migrations/postgres/05-operator-sites`): keydesk refuses other sites
//! naming the one missing, and row-level security hides them from the role
//! even outside keydesk.

use keydesk_types::{OperatorRole, SiteCode, SiteScope};
use serde_json::json;

use crate::audit::{self, Change};
use crate::db::{Db, Store};
use crate::error::{Result, StoreError};
use crate::model::Ctx;
use crate::sql::{args, Tx};

/// A login role and the keydesk role it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// The database user.
    pub user: String,
    /// Its keydesk role.
    pub role: OperatorRole,
    /// The sites it works on (administrators and auditors: all).
    pub sites: SiteScope,
}

/// An SQL identifier, quoted (roles cannot be bound as parameters).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The keydesk roles of the session's user, for a refusal's message.
pub(crate) fn roles_of_session(tx: &mut Tx<'_>) -> Result<Vec<OperatorRole>> {
    let mut out = Vec::new();
    for role in OperatorRole::ALL {
        let has: bool = tx.one(
            "SELECT pg_has_role(session_user, ?1, 'MEMBER')",
            args![role.group()],
            |r| r.get(0),
        )?;
        if has {
            out.push(role);
        }
    }
    Ok(out)
}

impl Store {
    /// Make the login role `user` an operator with `role` (audited). A
    /// technician is granted `sites` (added to those it has); the other
    /// roles see every site and take none.
    ///
    /// # Errors
    /// `OnlyOnServer` on SQLite; `ScopeMissing` for a technician without
    /// sites, `ScopeNotForRole` for sites given to another role;
    /// `UnknownSite`; `NotPermitted` when this session may not grant roles
    /// (an admin, or a role with CREATEROLE, may); the server's error when
    /// `user` is no role.
    pub fn grant_operator(
        &mut self,
        ctx: &Ctx,
        role: OperatorRole,
        user: &str,
        sites: Option<&SiteScope>,
    ) -> Result<()> {
        if matches!(self.db, Db::Sqlite(_)) {
            return Err(StoreError::OnlyOnServer {
                what: "operator roles",
            });
        }
        match (role, sites) {
            (OperatorRole::Technician, None) => {
                return Err(StoreError::ScopeMissing { user: user.into() })
            }
            (OperatorRole::Admin | OperatorRole::Auditor, Some(_)) => {
                return Err(StoreError::ScopeNotForRole { role })
            }
            _ => {}
        }
        let sql = format!("GRANT {} TO {}", role.group(), quote_ident(user));
        self.write(|tx| {
            // The site rows, before anything changes (an unknown code is
            // refused with nothing granted).
            let site_ids: Vec<Option<i64>> = match sites {
                None => Vec::new(),
                Some(SiteScope::All) => vec![None],
                Some(SiteScope::Sites(codes)) => codes
                    .iter()
                    .map(|c| crate::sites::site_id(tx, c).map(Some))
                    .collect::<Result<_>>()?,
            };
            // An admin grants through keydesk_admin's ADMIN OPTION.
            let admin: bool = tx.one(
                "SELECT pg_has_role(session_user, 'keydesk_admin', 'MEMBER')
                        AND NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = session_user)",
                &[],
                |r| r.get(0),
            )?;
            if admin {
                tx.batch("SET LOCAL ROLE keydesk_admin")?;
            }
            tx.batch(&sql)?;
            for id in &site_ids {
                tx.exec(
                    "INSERT INTO operator_sites (operator, site_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    args![user, *id],
                )?;
            }
            let after = match sites {
                None => json!({ "role": role }),
                Some(SiteScope::All) => json!({ "role": role, "sites": "all" }),
                Some(SiteScope::Sites(codes)) => json!({
                    "role": role,
                    "sites": codes.iter().map(SiteCode::as_str).collect::<Vec<_>>(),
                }),
            };
            audit::append(
                tx,
                ctx,
                Change {
                    action: "operator.grant",
                    subject: format!("operator:{user}"),
                    serial: None,
                    before: None,
                    after: Some(after),
                    reason: "",
                },
            )?;
            Ok(())
        })
    }

    /// Every operator: members of the three group roles, by user.
    ///
    /// # Errors
    /// `OnlyOnServer` on SQLite; database errors.
    pub fn operators(&self) -> Result<Vec<Operator>> {
        if matches!(self.db, Db::Sqlite(_)) {
            return Err(StoreError::OnlyOnServer {
                what: "operator roles",
            });
        }
        let rows = self.read(|tx| {
            tx.all(
                "SELECT m.rolname::text, g.rolname::text FROM pg_auth_members a
                 JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
                 WHERE g.rolname IN ('keydesk_admin', 'keydesk_technician', 'keydesk_auditor')
                   AND m.rolname NOT IN ('keydesk_admin', 'keydesk_technician', 'keydesk_auditor')
                 ORDER BY 1, 2",
                &[],
                |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
            )
        })?;
        let mut out = Vec::new();
        for (user, group) in rows {
            let Some(role) = OperatorRole::from_group(&group) else {
                continue;
            };
            let sites = if role == OperatorRole::Technician {
                self.read(|tx| scope_of(tx, &user))?
            } else {
                SiteScope::All
            };
            out.push(Operator { user, role, sites });
        }
        Ok(out)
    }

    /// The session's user and its sites when it is a technician whom the
    /// sites limit; `None` on SQLite and for a session that sees every site
    /// (an administrator, auditor, the tables' owner, a superuser).
    ///
    /// # Errors
    /// Database errors.
    pub fn session_scope(&self) -> Result<Option<(String, SiteScope)>> {
        if matches!(self.db, Db::Sqlite(_)) {
            return Ok(None);
        }
        self.read(|tx| {
            let (user, limited): (String, bool) = tx.one(
                "SELECT session_user::text,
                        pg_has_role(session_user, 'keydesk_technician', 'USAGE')
                        AND NOT (r.rolsuper OR r.rolbypassrls
                                 OR pg_has_role(session_user, c.relowner, 'USAGE')
                                 OR pg_has_role(session_user, 'keydesk_admin', 'USAGE')
                                 OR pg_has_role(session_user, 'keydesk_auditor', 'USAGE'))
                 FROM pg_roles r, pg_class c
                 WHERE r.rolname = session_user AND c.oid = 'keys'::regclass",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if !limited {
                return Ok(None);
            }
            let scope = scope_of(tx, &user)?;
            Ok((scope != SiteScope::All).then_some((user, scope)))
        })
    }

    /// Refuse, naming the site, when this session's technician is not
    /// granted `site` (a counter working for it, or a record of it).
    ///
    /// # Errors
    /// `SiteNotPermitted`; database errors.
    pub fn check_site_permitted(&self, site: &SiteCode) -> Result<()> {
        match self.session_scope()? {
            Some((user, scope)) if !scope.covers(site) => Err(StoreError::SiteNotPermitted {
                user,
                site: site.to_string(),
                granted: scope.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// `UnknownKey` or `UnknownStaff` said as what it is for a technician
    /// whom the sites limit: the record exists, at a site it is not granted
    /// (row-level security hides it). Any other error as it is.
    #[must_use]
    pub fn explain(&self, e: StoreError) -> StoreError {
        // Only a limited technician's "unknown" can be a hidden site: no
        // query for anyone else (SQLite, admins, auditors, the owner).
        if !matches!(e, StoreError::UnknownKey(_) | StoreError::UnknownStaff(_)) {
            return e;
        }
        let Ok(Some((user, scope))) = self.session_scope() else {
            return e;
        };
        let lookup = self.read(|tx| match &e {
            StoreError::UnknownKey(s) => tx.one(
                "SELECT keydesk_site_of_key(?1)",
                args![i64::from(s.get())],
                |r| r.get::<Option<String>>(0),
            ),
            _ => {
                let StoreError::UnknownStaff(no) = &e else {
                    return Ok(None);
                };
                tx.one(
                    "SELECT keydesk_site_of_staff(?1)",
                    args![no.as_str()],
                    |r| r.get::<Option<String>>(0),
                )
            }
        });
        let Ok(Some(code)) = lookup else {
            return e;
        };
        match SiteCode::parse(&code) {
            Ok(site) if !scope.covers(&site) => StoreError::SiteNotPermitted {
                user,
                site: code,
                granted: scope.to_string(),
            },
            _ => e,
        }
    }
}

/// The sites granted to `user` as a technician.
fn scope_of(tx: &mut Tx<'_>, user: &str) -> Result<SiteScope> {
    let rows: Vec<Option<String>> = tx.all(
        "SELECT s.code::text FROM operator_sites o LEFT JOIN sites s ON s.id = o.site_id
         WHERE o.operator = ?1 ORDER BY 1 NULLS FIRST",
        args![user],
        |r| r.get(0),
    )?;
    if rows.iter().any(Option::is_none) {
        return Ok(SiteScope::All);
    }
    let mut codes = Vec::new();
    for code in rows.into_iter().flatten() {
        codes.push(SiteCode::parse(&code).map_err(|e| StoreError::Corrupt(format!("site: {e}")))?);
    }
    Ok(SiteScope::Sites(codes))
}
