//! TLS to the server with libpq's `sslmode` and `sslrootcert`.
//!
//! tokio-postgres knows only `sslmode=disable|prefer|require` and refuses
//! any other parameter, so the URL's query is read here first:
//! `sslmode=verify-ca|verify-full` and `sslrootcert=FILE` are taken out,
//! tokio-postgres is told `sslmode=require`, and the TLS connector does the
//! checking. The modes mean what they mean in libpq 15:
//!
//! | `sslmode` | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | – |
//! | `prefer` (no `sslmode` given) | if the server offers it | no (only with `sslrootcert`: the chain) |
//! | `require` | always | no (only with `sslrootcert`: the chain, as libpq's verify-ca) |
//! | `verify-ca` | always | chains to the CA |
//! | `verify-full` | always | chains to the CA and names the host of the URL |
//!
//! The CA is the PEM file `sslrootcert` names (one or more certificates,
//! nothing else trusted); without it, or with `sslrootcert=system` (as in
//! PostgreSQL 16), the system's trusted CAs. Unlike libpq, keydesk does not
//! look for `~/.postgresql/root.crt`: a counter's trust comes from its URL.
//!
//! Without `sslmode`, keydesk behaves as before and as tokio-postgres does:
//! `prefer`. That keeps a passive listener out when the server offers TLS,
//! but an attacker in the middle can still pose as the server; use
//! `verify-full` with the office's CA for a shared inventory. A failed
//! check is always an error, never a fallback to plain text.
//!
//! The TLS stack is native-tls, i.e. the system's OpenSSL on Debian
//! (`libssl-dev` to build): every mode above is a switch of its connector
//! (`danger_accept_invalid_hostnames` is exactly verify-ca), the CA file is
//! read by OpenSSL's own PEM parser, and security fixes come with the
//! distribution's updates. rustls (tokio-postgres-rustls 0.13, rustls
//! 0.23) also resolves beside postgres 0.19.14 and rusqlite 0.40.2, but
//! brings its own crypto library to build (aws-lc-rs by default) and needs
//! a hand-written certificate verifier for `require` and another for
//! `verify-ca`: code that we would have to get right and keep right
//! ourselves.

use std::path::{Path, PathBuf};

use native_tls::{Certificate, TlsConnector};
use postgres_native_tls::MakeTlsConnector;

use crate::error::{Result, ServerError, StoreError};

/// What the URL asks for (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self> {
        match value {
            "disable" => Ok(Self::Disable),
            "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-ca" => Ok(Self::VerifyCa),
            "verify-full" => Ok(Self::VerifyFull),
            other => Err(StoreError::Invalid(format!(
                "sslmode={other} in the database URL is not supported; use disable, prefer, \
                 require, verify-ca or verify-full (verify-full with sslrootcert=FILE for a \
                 shared inventory)"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// Which CAs a verifying connection trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The system's trusted CAs (no `sslrootcert`, or `sslrootcert=system`).
    System,
    /// Only the certificates in this PEM file.
    File(PathBuf),
}

/// A connection URL split into what tokio-postgres reads and what the TLS
/// connector needs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TlsUrl {
    /// The URL for `postgres::Config`: our parameters taken out, `sslmode`
    /// one that tokio-postgres knows.
    pub(crate) url: String,
    /// The mode asked for (`prefer` when none was).
    pub(crate) mode: SslMode,
    /// The CAs to check the server's certificate against.
    pub(crate) roots: Roots,
    /// Whether `sslrootcert` was given (it turns on the chain check in
    /// `prefer` and `require`, as in libpq).
    root_given: bool,
}

/// Without the URL, which may hold a password.
impl std::fmt::Debug for TlsUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsUrl")
            .field("mode", &self.mode)
            .field("roots", &self.roots)
            .finish_non_exhaustive()
    }
}

impl TlsUrl {
    /// Read `sslmode` and `sslrootcert` from a `postgresql://` URL. Other
    /// forms (libpq's `key=value` list) are passed on untouched.
    pub(crate) fn parse(url: &str) -> Result<Self> {
        let mut mode = SslMode::Prefer;
        let mut root: Option<String> = None;
        let (base, query) = match url.split_once('?') {
            Some((base, query)) if url.contains("://") => (base, query),
            _ => {
                return Ok(Self {
                    url: url.to_owned(),
                    mode,
                    roots: Roots::System,
                    root_given: false,
                })
            }
        };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match percent_decode(key).as_str() {
                // The last one wins, as in libpq.
                "sslmode" => mode = SslMode::parse(&percent_decode(value))?,
                "sslrootcert" => root = Some(percent_decode(value)),
                _ => kept.push(pair),
            }
        }
        kept.push(match mode {
            SslMode::Disable => "sslmode=disable",
            SslMode::Prefer => "sslmode=prefer",
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => "sslmode=require",
        });
        let (roots, root_given) = match root.as_deref() {
            None | Some("") => (Roots::System, false),
            Some("system") => (Roots::System, true),
            Some(path) => (Roots::File(PathBuf::from(path)), true),
        };
        Ok(Self {
            url: format!("{base}?{}", kept.join("&")),
            mode,
            roots,
            root_given,
        })
    }

    /// Whether the server's certificate must chain to a trusted CA.
    fn checks_chain(&self) -> bool {
        match self.mode {
            SslMode::Disable => false,
            SslMode::Prefer | SslMode::Require => self.root_given,
            SslMode::VerifyCa | SslMode::VerifyFull => true,
        }
    }

    /// Whether the server's certificate must name the host of the URL.
    fn checks_host(&self) -> bool {
        self.mode == SslMode::VerifyFull
    }

    /// The connector for this URL; `None` for `sslmode=disable`.
    pub(crate) fn connector(&self) -> Result<Option<MakeTlsConnector>> {
        if self.mode == SslMode::Disable {
            return Ok(None);
        }
        let mut builder = TlsConnector::builder();
        if self.checks_chain() {
            if let Roots::File(path) = &self.roots {
                builder.disable_built_in_roots(true);
                for cert in read_ca_file(path)? {
                    builder.add_root_certificate(cert);
                }
            }
            builder.danger_accept_invalid_hostnames(!self.checks_host());
        } else {
            builder.danger_accept_invalid_certs(true);
        }
        let connector = builder.build().map_err(|e| {
            StoreError::Postgres(ServerError {
                message: format!("TLS could not be set up on this workstation: {e}"),
                code: None,
                unreachable: false,
            })
        })?;
        Ok(Some(MakeTlsConnector::new(connector)))
    }

    /// The store's error for a failed connection, with what to check when
    /// TLS was the problem.
    pub(crate) fn explain(&self, e: postgres::Error) -> StoreError {
        let tls_failed = e.to_string() == "error performing TLS handshake";
        let store = StoreError::from(e);
        let StoreError::Postgres(mut server) = store else {
            return store;
        };
        if !tls_failed {
            return StoreError::Postgres(server);
        }
        let detail = server
            .message
            .strip_prefix("error performing TLS handshake: ")
            .unwrap_or(&server.message)
            .to_owned();
        server.message = if detail.contains("server does not support TLS") {
            format!(
                "the server does not offer TLS, but the database URL asks for it \
                 (sslmode={}); ask the database administrator to turn on ssl on the server",
                self.mode.name()
            )
        } else if detail.contains("certificate verify failed") {
            let ca = match &self.roots {
                Roots::File(path) => format!(
                    "check that the CA file {} (sslrootcert) holds the CA that signed the \
                     server's certificate",
                    path.display()
                ),
                Roots::System => "check that the server's certificate is signed by a CA this \
                                  workstation trusts, or name the office's CA file with \
                                  sslrootcert=FILE in the URL"
                    .to_owned(),
            };
            let host = if self.checks_host() {
                ", and that the host name in the URL is one the certificate names \
                 (sslmode=verify-full checks it)"
            } else {
                ""
            };
            format!(
                "the server's TLS certificate could not be verified ({}); {ca}{host}",
                verify_reason(&detail)
            )
        } else {
            format!(
                "the TLS connection to the server failed ({detail}); check sslmode and \
                 sslrootcert in the database URL"
            )
        };
        StoreError::Postgres(server)
    }
}

/// OpenSSL's reason for a failed certificate check ("unable to get local
/// issuer certificate", "hostname mismatch"...): native-tls puts it in
/// parentheses after "certificate verify failed"; the whole text otherwise.
fn verify_reason(detail: &str) -> &str {
    detail
        .split_once("certificate verify failed")
        .and_then(|(_, rest)| rest.split_once(" ("))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(detail, |(reason, _)| reason)
}

/// The certificates of a PEM CA file.
fn read_ca_file(path: &Path) -> Result<Vec<Certificate>> {
    let bytes = std::fs::read(path).map_err(|e| {
        StoreError::Invalid(format!(
            "the CA file {} (sslrootcert in the database URL) cannot be read: {e}; check the \
             path and that this user may read it",
            path.display()
        ))
    })?;
    let bad = |why: String| {
        StoreError::Invalid(format!(
            "the CA file {} (sslrootcert in the database URL) {why}; it must hold the CA \
             certificate(s) in PEM form (-----BEGIN CERTIFICATE-----)",
            path.display()
        ))
    };
    let certs = Certificate::stack_from_pem(&bytes)
        .map_err(|e| bad(format!("holds no readable certificate ({e})")))?;
    if certs.is_empty() {
        return Err(bad("holds no certificate".to_owned()));
    }
    Ok(certs)
}

/// `%XX` decoded, as tokio-postgres decodes query values; a malformed
/// escape is kept as it is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_parameters_are_taken_out_and_tokio_postgres_gets_require() {
        let t = TlsUrl::parse(
            "postgresql://anna@db1,db2/keydesk?sslmode=verify-full&sslrootcert=%2Fetc%2Fkeydesk%2Fdb-ca.pem&target_session_attrs=read-write",
        )
        .unwrap();
        assert_eq!(
            t.url,
            "postgresql://anna@db1,db2/keydesk?target_session_attrs=read-write&sslmode=require"
        );
        assert_eq!(t.mode, SslMode::VerifyFull);
        assert_eq!(t.roots, Roots::File("/etc/keydesk/db-ca.pem".into()));
        assert!(t.checks_chain() && t.checks_host());
    }

    #[test]
    fn modes_and_what_they_check() {
        let check = |q: &str| {
            let t = TlsUrl::parse(&format!("postgresql://db/k{q}")).unwrap();
            (t.mode, t.checks_chain(), t.checks_host())
        };
        assert_eq!(check(""), (SslMode::Prefer, false, false));
        assert_eq!(check("?sslmode=disable"), (SslMode::Disable, false, false));
        assert_eq!(check("?sslmode=require"), (SslMode::Require, false, false));
        // libpq: require with a root certificate checks the chain.
        assert_eq!(
            check("?sslmode=require&sslrootcert=/ca.pem"),
            (SslMode::Require, true, false)
        );
        assert_eq!(
            check("?sslmode=verify-ca"),
            (SslMode::VerifyCa, true, false)
        );
        assert_eq!(
            check("?sslmode=require&sslmode=verify-full"),
            (SslMode::VerifyFull, true, true)
        );
        let t = TlsUrl::parse("postgresql://db/k?sslmode=verify-ca&sslrootcert=system").unwrap();
        assert_eq!(t.roots, Roots::System);
        assert_eq!(t.url, "postgresql://db/k?sslmode=require");
    }

    #[test]
    fn an_unknown_sslmode_names_the_ones_there_are() {
        let e = TlsUrl::parse("postgresql://db/k?sslmode=allow").unwrap_err();
        assert!(e.to_string().contains("verify-full"), "{e}");
    }

    #[test]
    fn an_unreadable_ca_file_is_named() {
        let t =
            TlsUrl::parse("postgresql://db/k?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
                .unwrap();
        let Err(e) = t.connector() else {
            panic!("expected an error")
        };
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.contains("/nonexistent/ca.pem") && m.contains("cannot be read")),
            "{e:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("ca.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let t = TlsUrl::parse(&format!(
            "postgresql://db/k?sslmode=verify-ca&sslrootcert={}",
            empty.display()
        ))
        .unwrap();
        let Err(e) = t.connector() else {
            panic!("expected an error")
        };
        assert!(e.to_string().contains("holds no"), "{e}");
    }

    #[test]
    fn openssl_s_reason_is_picked_out() {
        let detail = "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889: (hostname mismatch): error:0A000086:SSL routines:...";
        assert_eq!(verify_reason(detail), "hostname mismatch");
        assert_eq!(verify_reason("something else"), "something else");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%2Fa%20b%zz"), "/a b%zz");
    }
}
