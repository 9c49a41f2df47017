//! What an operator may do in a shared inventory: one of three roles, each
//! a PostgreSQL group role that `keydesk db migrate` creates.

use serde::{Deserialize, Serialize};

use crate::SiteCode;

/// An operator's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatorRole {
    /// Everything, including granting roles.
    Admin,
    /// The counter workflows: enrol, reset, revoke, return, replace...
    Technician,
    /// Read and export only.
    Auditor,
}

impl OperatorRole {
    /// Every role.
    pub const ALL: [Self; 3] = [Self::Admin, Self::Technician, Self::Auditor];

    /// The name, as typed on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Technician => "technician",
            Self::Auditor => "auditor",
        }
    }

    /// The PostgreSQL group role.
    #[must_use]
    pub fn group(self) -> &'static str {
        match self {
            Self::Admin => "keydesk_admin",
            Self::Technician => "keydesk_technician",
            Self::Auditor => "keydesk_auditor",
        }
    }

    /// The role of a PostgreSQL group role's name.
    #[must_use]
    pub fn from_group(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.group() == name)
    }
}

impl std::fmt::Display for OperatorRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sites an operator works on. Technicians are granted sites (or all of
/// them); administrators and auditors always see every site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteScope {
    /// Every site, also those added later.
    All,
    /// These sites (none: only what belongs to no site).
    Sites(Vec<SiteCode>),
}

impl SiteScope {
    /// Whether `site` is in this scope.
    #[must_use]
    pub fn covers(&self, site: &SiteCode) -> bool {
        match self {
            Self::All => true,
            Self::Sites(list) => list.contains(site),
        }
    }
}

impl std::fmt::Display for SiteScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All => f.write_str("all sites"),
            Self::Sites(list) if list.is_empty() => f.write_str("no site"),
            Self::Sites(list) => {
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(s.as_str())?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_name_their_group_roles() {
        for r in OperatorRole::ALL {
            assert_eq!(OperatorRole::from_group(r.group()), Some(r));
            assert!(r.group().ends_with(r.as_str()));
        }
        assert_eq!(OperatorRole::from_group("postgres"), None);
    }

    #[test]
    fn a_scope_covers_its_sites_and_says_them() {
        let a = SiteCode::parse("AMT12").unwrap();
        let b = SiteCode::parse("AMT20").unwrap();
        let some = SiteScope::Sites(vec![a.clone(), b.clone()]);
        assert!(some.covers(&b));
        assert!(!SiteScope::Sites(vec![a.clone()]).covers(&b));
        assert!(SiteScope::All.covers(&b));
        assert_eq!(some.to_string(), "AMT12, AMT20");
        assert_eq!(SiteScope::Sites(Vec::new()).to_string(), "no site");
        assert_eq!(SiteScope::All.to_string(), "all sites");
    }
}
