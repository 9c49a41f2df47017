//! What an operator may do in a shared inventory: one of three roles, each
//! a PostgreSQL group role that `keydesk db migrate` creates.

use serde::{Deserialize, Serialize};

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
}
