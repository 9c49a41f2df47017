//! TLS to the server: `sslmode` and `sslrootcert` as libpq means them,
//! against a throwaway server with `ssl = on` whose certificate (made here
//! with the `openssl` command) names only `localhost`, signed by a test CA;
//! a second, unrelated CA stands for the wrong file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use keydesk_store::{Ctx, DbLocation, NewStaff, PersonnelNo, Store, StoreError};
use keydesk_testpg::{Options, Server};

/// The TLS server of this test process, and the CA files beside it.
struct Tls {
    server: Server,
    /// The CA that signed the server's certificate.
    ca: PathBuf,
    /// A CA that has nothing to do with the server.
    other_ca: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command (make deps)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed CA `name`.pem / `name`.key in `dir`.
fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN=keydesk test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

fn tls() -> &'static Tls {
    static TLS: OnceLock<Tls> = OnceLock::new();
    TLS.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        make_ca(dir, "ca");
        make_ca(dir, "other-ca");
        // The server's certificate names localhost only (no IP address), so
        // that 127.0.0.1 in a URL is a host name mismatch.
        std::fs::write(
            dir.join("server.ext"),
            "basicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\n\
             subjectAltName=DNS:localhost\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
        );
        let server =
            Server::start_with(Options::new().tls(dir.join("server.pem"), dir.join("server.key")))
                .expect("a PostgreSQL test server with TLS (make deps)");
        // The CA files live in the server's directory, which goes with it.
        let ca = server.dir().join("ca.pem");
        let other_ca = server.dir().join("other-ca.pem");
        std::fs::copy(dir.join("ca.pem"), &ca).unwrap();
        std::fs::copy(dir.join("other-ca.pem"), &other_ca).unwrap();
        Tls {
            server,
            ca,
            other_ca,
        }
    })
}

/// A fresh database on `server`, reached through `host` with `query`.
fn url(server: &Server, host: &str, query: &str) -> DbLocation {
    let db = server.fresh_database_name().unwrap();
    DbLocation::Server(format!(
        "postgresql://postgres@{host}:{}/{db}?connect_timeout=10&{query}",
        server.port()
    ))
}

/// Migrate and open the database at `at`.
fn open(at: &DbLocation) -> Result<Store, StoreError> {
    Store::migrate(at)?;
    Store::open_at(at)
}

/// The server's message for a refused connection.
fn refused(result: Result<Store, StoreError>) -> String {
    match result {
        Err(StoreError::Postgres(e)) => {
            assert!(!e.unreachable, "{e:?}");
            e.message
        }
        other => panic!("expected the server connection to be refused, got {other:?}"),
    }
}

#[test]
fn require_connects_encrypted_without_checking_the_certificate() {
    let t = tls();
    let store = open(&url(&t.server, "127.0.0.1", "sslmode=require")).unwrap();
    assert_eq!(store.server_tls().unwrap(), Some(true));
}

#[test]
fn without_sslmode_the_session_is_encrypted_when_the_server_offers_tls() {
    let t = tls();
    let store = open(&url(&t.server, "127.0.0.1", "application_name=x")).unwrap();
    assert_eq!(store.server_tls().unwrap(), Some(true));
}

#[test]
fn disable_stays_plain() {
    let t = tls();
    let store = open(&url(&t.server, "127.0.0.1", "sslmode=disable")).unwrap();
    assert_eq!(store.server_tls().unwrap(), Some(false));
}

#[test]
fn verify_full_with_the_right_ca_and_host_connects_and_the_store_works() {
    let t = tls();
    let at = url(
        &t.server,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", t.ca.display()),
    );
    let (before, after) = Store::migrate(&at).unwrap();
    assert_eq!(before, 0);
    assert!(after >= 1);
    let mut store = Store::open_at(&at).unwrap();
    assert_eq!(store.server_tls().unwrap(), Some(true));
    let ctx = Ctx::new(
        "tech.anna",
        "counter-1",
        time::macros::datetime!(2026-11-23 09:00:00 UTC),
    );
    let no = PersonnelNo::parse("4711").unwrap();
    let erika = NewStaff {
        personnel_no: no.clone(),
        surname: "Mustermann".into(),
        given_name: "Erika".into(),
        department: "Bürgeramt".into(),
        email: "erika@stadt.example".into(),
        active: true,
        site: None,
    };
    store.add_staff(&ctx, &erika, "hr").unwrap();
    drop(store);
    let again = Store::open_at(&at).unwrap();
    let found = again.get_staff(&no).unwrap().unwrap();
    assert_eq!(found.data.surname, "Mustermann");
    assert!(again.verify().unwrap() >= 1);
}

#[test]
fn verify_full_with_the_wrong_ca_is_refused_with_what_to_check() {
    let t = tls();
    let at = url(
        &t.server,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", t.other_ca.display()),
    );
    let message = refused(Store::open_at(&at));
    assert!(
        message.contains("certificate could not be verified"),
        "{message}"
    );
    assert!(
        message.contains(&t.other_ca.display().to_string()),
        "{message}"
    );
    assert!(message.contains("host name"), "{message}");
    // Not migrated either: nothing went over a plain connection.
    let message = refused(Store::migrate(&at).map(|_| unreachable!()));
    assert!(
        message.contains("certificate could not be verified"),
        "{message}"
    );
}

#[test]
fn verify_full_with_a_host_the_certificate_does_not_name_is_refused() {
    let t = tls();
    let at = url(
        &t.server,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={}", t.ca.display()),
    );
    let message = refused(Store::open_at(&at));
    assert!(
        message.contains("certificate could not be verified"),
        "{message}"
    );
    assert!(message.contains("host name in the URL"), "{message}");
}

#[test]
fn verify_ca_with_the_right_ca_does_not_check_the_host() {
    let t = tls();
    let at = url(
        &t.server,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", t.ca.display()),
    );
    let store = open(&at).unwrap();
    assert_eq!(store.server_tls().unwrap(), Some(true));
}

#[test]
fn verify_ca_with_the_wrong_ca_is_refused() {
    let t = tls();
    let at = url(
        &t.server,
        "localhost",
        &format!("sslmode=verify-ca&sslrootcert={}", t.other_ca.display()),
    );
    let message = refused(Store::open_at(&at));
    assert!(
        message.contains("certificate could not be verified"),
        "{message}"
    );
}

/// libpq: with a root certificate, `require` checks the chain (as
/// verify-ca).
#[test]
fn require_with_a_ca_file_checks_the_chain() {
    let t = tls();
    let wrong = url(
        &t.server,
        "127.0.0.1",
        &format!("sslmode=require&sslrootcert={}", t.other_ca.display()),
    );
    let message = refused(Store::open_at(&wrong));
    assert!(
        message.contains("certificate could not be verified"),
        "{message}"
    );
    let right = url(
        &t.server,
        "127.0.0.1",
        &format!("sslmode=require&sslrootcert={}", t.ca.display()),
    );
    open(&right).unwrap();
}

#[test]
fn a_ca_file_that_cannot_be_read_is_named() {
    let t = tls();
    let missing = t.server.dir().join("no-such-ca.pem");
    let at = url(
        &t.server,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", missing.display()),
    );
    match Store::open_at(&at) {
        Err(StoreError::Invalid(m)) => {
            assert!(m.contains(&missing.display().to_string()), "{m}");
            assert!(m.contains("cannot be read"), "{m}");
        }
        other => panic!("expected the CA file to be named, got {other:?}"),
    }
}

#[test]
fn require_against_a_server_without_tls_is_refused() {
    let plain = Server::shared().expect("a PostgreSQL test server (make deps)");
    let at = url(plain, "127.0.0.1", "sslmode=require");
    let message = refused(Store::open_at(&at));
    assert!(message.contains("does not offer TLS"), "{message}");
    // Without sslmode the same server is used in plain text, as before.
    let store = open(&url(plain, "127.0.0.1", "application_name=x")).unwrap();
    assert_eq!(store.server_tls().unwrap(), Some(false));
}
