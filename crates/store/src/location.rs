//! Where an inventory lives: an SQLite file on this workstation, or a
//! database on a PostgreSQL server shared by many counters.

use std::path::PathBuf;

/// The `--db` / `KEYDESK_DB` value: a file path, or a `postgresql://` URL
/// (libpq's URL form: several `host:port` pairs, `target_session_attrs`,
/// `sslmode`...). Shown without its password.
#[derive(Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// An SQLite file (created when new).
    File(PathBuf),
    /// A PostgreSQL connection URL.
    Server(String),
}

impl DbLocation {
    /// A URL for the server, anything else a file path.
    #[must_use]
    pub fn parse(s: &str) -> Self {
        let t = s.trim();
        if t.starts_with("postgresql://") || t.starts_with("postgres://") {
            Self::Server(t.to_owned())
        } else {
            Self::File(PathBuf::from(s))
        }
    }

    /// Whether this is a server URL.
    #[must_use]
    pub fn is_server(&self) -> bool {
        matches!(self, Self::Server(_))
    }

    /// The file path, for an SQLite file.
    #[must_use]
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Self::File(p) => Some(p),
            Self::Server(_) => None,
        }
    }
}

impl std::str::FromStr for DbLocation {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl From<PathBuf> for DbLocation {
    fn from(p: PathBuf) -> Self {
        Self::File(p)
    }
}

impl From<&std::path::Path> for DbLocation {
    fn from(p: &std::path::Path) -> Self {
        Self::File(p.to_owned())
    }
}

/// The URL with any password replaced by `***`.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let auth = match auth.rsplit_once('@') {
        Some((userinfo, hosts)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{hosts}"),
            None => format!("{userinfo}@{hosts}"),
        },
        None => auth.to_owned(),
    };
    // A password may also come as a query parameter.
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{auth}{tail}")
}

impl std::fmt::Display for DbLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(p) => write!(f, "{}", p.display()),
            Self::Server(u) => f.write_str(&redacted(u)),
        }
    }
}

impl std::fmt::Debug for DbLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(p) => f.debug_tuple("File").field(p).finish(),
            Self::Server(_) => f.debug_tuple("Server").field(&self.to_string()).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_servers_and_lose_their_password_when_shown() {
        let u = DbLocation::parse(
            "postgresql://anna:geheim@db1:5432,db2/keydesk?target_session_attrs=read-write",
        );
        assert!(u.is_server());
        assert_eq!(
            u.to_string(),
            "postgresql://anna:***@db1:5432,db2/keydesk?target_session_attrs=read-write"
        );
        assert!(!format!("{u:?}").contains("geheim"));
        let q = DbLocation::parse("postgres://db/k?password=geheim&sslmode=require");
        assert_eq!(
            q.to_string(),
            "postgres://db/k?password=***&sslmode=require"
        );
        let f = DbLocation::parse("/var/lib/keydesk/inventory.sqlite");
        assert_eq!(
            f.file(),
            Some(std::path::Path::new("/var/lib/keydesk/inventory.sqlite"))
        );
    }
}
