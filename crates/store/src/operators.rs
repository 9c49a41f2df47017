//! Operators on a shared inventory: PostgreSQL login roles that are
//! members of keydesk's group roles (see `migrations/postgres/03-roles`).
//! The audit trail names the authenticated database user; what a role may
//! do is enforced by the server (and, before it, said by keydesk).

use keydesk_types::OperatorRole;
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
    /// Make the login role `user` an operator with `role` (audited).
    ///
    /// # Errors
    /// `OnlyOnServer` on SQLite; `NotPermitted` when this session may not
    /// grant roles (an admin, or a role with CREATEROLE, may); the server's
    /// error when `user` is no role.
    pub fn grant_operator(&mut self, ctx: &Ctx, role: OperatorRole, user: &str) -> Result<()> {
        if matches!(self.db, Db::Sqlite(_)) {
            return Err(StoreError::OnlyOnServer {
                what: "operator roles",
            });
        }
        let sql = format!("GRANT {} TO {}", role.group(), quote_ident(user));
        self.write(|tx| {
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
            audit::append(
                tx,
                ctx,
                Change {
                    action: "operator.grant",
                    subject: format!("operator:{user}"),
                    serial: None,
                    before: None,
                    after: Some(json!({ "role": role })),
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
        Ok(rows
            .into_iter()
            .filter_map(|(user, group)| {
                OperatorRole::from_group(&group).map(|role| Operator { user, role })
            })
            .collect())
    }
}
