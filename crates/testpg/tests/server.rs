//! The harness against a real PostgreSQL 15. These tests fail (never skip)
//! when PostgreSQL is missing; `make deps` installs postgresql-15.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keydesk_testpg::{Options, Server};

fn owned() -> Server {
    Server::start().unwrap_or_else(|e| panic!("{e}"))
}

fn shared() -> &'static Server {
    Server::shared().unwrap_or_else(|e| panic!("{e}"))
}

fn query_one(url: &str, sql: &str) -> String {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client.query_one(sql, &[]).unwrap().get(0)
}

/// Whether process `pid` is alive (a zombie counts as gone).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
            .unwrap_or(false),
        Err(_) => false,
    }
}

fn refuses(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
}

/// Waits up to 10 s for the server (postmaster, directory, port) to be gone.
fn assert_gone(pid: u32, dir: &Path, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) || dir.exists() || !refuses(port) {
        assert!(
            Instant::now() < deadline,
            "server left behind: pid {pid} alive={}, {} exists={}, port {port} open={}",
            alive(pid),
            dir.display(),
            dir.exists(),
            !refuses(port)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn starts_and_accepts_connections_with_the_settings() {
    let started = Instant::now();
    let server = owned();
    let start_time = started.elapsed();
    assert_eq!(server.host(), "127.0.0.1");
    assert_eq!(
        server.url("postgres"),
        format!("postgresql://postgres@127.0.0.1:{}/postgres", server.port())
    );
    let url = server.url("postgres");
    assert!(query_one(&url, "SELECT version()").starts_with("PostgreSQL 15"));
    let mut client = server.connect("postgres").unwrap();
    for (setting, want) in [
        ("listen_addresses", "127.0.0.1"),
        ("fsync", "off"),
        ("synchronous_commit", "off"),
        ("full_page_writes", "off"),
        ("max_connections", "200"),
        ("shared_buffers", "128MB"),
        ("server_encoding", "UTF8"),
    ] {
        let got: String = client
            .query_one(&format!("SHOW {setting}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(got, want, "{setting}");
    }
    let sock: String = client
        .query_one("SHOW unix_socket_directories", &[])
        .unwrap()
        .get(0);
    assert!(Path::new(&sock).starts_with(server.dir()), "{sock}");
    assert!(server.dir().starts_with("/tmp"));
    eprintln!("measured: Server::start {start_time:?}");
}

#[test]
fn shared_server_is_one_and_fresh_databases_are_distinct() {
    let server = shared();
    assert!(std::ptr::eq(server, shared()));
    let started = Instant::now();
    let a = server.fresh_database().unwrap();
    let fresh_time = started.elapsed();
    let b = server.fresh_database().unwrap();
    assert_ne!(a, b);
    assert!(a.starts_with(&format!(
        "postgresql://postgres@127.0.0.1:{}/",
        server.port()
    )));
    let mut ca = postgres::Client::connect(&a, postgres::NoTls).unwrap();
    let mut cb = postgres::Client::connect(&b, postgres::NoTls).unwrap();
    ca.batch_execute("CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (1)")
        .unwrap();
    let in_b: i64 = cb
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(in_b, 0);
    let name_a: String = ca
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    let name_b: String = cb
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    assert_ne!(name_a, name_b);
    assert!(a.ends_with(&name_a));
    eprintln!("measured: fresh_database {fresh_time:?}");
}

#[test]
fn sql_errors_carry_the_server_message() {
    let server = shared();
    let db = server.fresh_database_name().unwrap();
    server.sql(&db, "CREATE TABLE t (x int)").unwrap();
    let err = server.sql(&db, "CREATE TABLE t (x int)").unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn stop_and_start_again_keep_the_data_and_the_port() {
    let server = owned();
    let db = server.fresh_database_name().unwrap();
    server
        .sql(
            &db,
            "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)",
        )
        .unwrap();
    let port = server.port();
    server.stop().unwrap();
    assert!(!server.is_running());
    assert!(server.connect(&db).is_err());
    assert!(refuses(port));
    server.stop().unwrap(); // stopping twice is fine
    server.start_again().unwrap();
    assert!(server.is_running());
    assert_eq!(server.port(), port);
    let x: i32 = server
        .connect(&db)
        .unwrap()
        .query_one("SELECT x FROM kept", &[])
        .unwrap()
        .get(0);
    assert_eq!(x, 42);
    // A crash keeps what was committed long enough before it.
    server.sql(&db, "INSERT INTO kept VALUES (43)").unwrap();
    server.sql(&db, "CHECKPOINT").unwrap();
    server.crash().unwrap();
    assert!(refuses(port));
    server.start_again().unwrap();
    let n: i64 = server
        .connect(&db)
        .unwrap()
        .query_one("SELECT count(*) FROM kept", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}

#[test]
fn an_owned_server_is_gone_after_drop() {
    let server = owned();
    let pid = server.postmaster_pid().unwrap();
    let dir = server.dir().to_path_buf();
    let port = server.port();
    assert!(alive(pid));
    drop(server);
    // Drop waits: gone at once, not eventually.
    assert!(!alive(pid), "postmaster {pid} still alive");
    assert!(!dir.exists());
    assert!(refuses(port));
}

#[test]
fn login_roles_and_psql() {
    let server = shared();
    let db = server.fresh_database_name().unwrap();
    server.create_login_role("clerk", "secret").unwrap();
    server
        .sql(
            &db,
            "CREATE TABLE notes (body text); GRANT SELECT ON notes TO clerk",
        )
        .unwrap();
    let out = server
        .psql(
            &db,
            "clerk",
            "SELECT current_user || ' ' || count(*) FROM notes",
        )
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "clerk 0");
    let denied = server
        .psql(&db, "clerk", "INSERT INTO notes VALUES ('x')")
        .unwrap();
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("permission denied"));
    let as_role = server.url_as("clerk", "secret", &db);
    assert_eq!(query_one(&as_role, "SELECT current_user::text"), "clerk");
}

#[test]
fn password_auth_checks_passwords_over_tcp() {
    let server =
        Server::start_with(Options::new().password_auth(true)).unwrap_or_else(|e| panic!("{e}"));
    assert!(server.url("postgres").contains(":keydesk-testpg@"));
    let db = server.fresh_database_name().unwrap();
    server.create_login_role("auditor", "right").unwrap();
    let good = server.url_as("auditor", "right", &db);
    assert_eq!(query_one(&good, "SELECT current_user::text"), "auditor");
    let bad = server.url_as("auditor", "wrong", &db);
    let Err(err) = postgres::Client::connect(&bad, postgres::NoTls) else {
        panic!("a wrong password was accepted");
    };
    assert!(
        format!("{err:?}").contains("password authentication failed"),
        "{err:?}"
    );
    // The socket stays trusted for psql.
    let out = server.psql(&db, "auditor", "SELECT 1").unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Runs the `keydesk-testpg` program and reads its line: (child, pid, dir, port).
fn hold_server() -> (std::process::Child, u32, PathBuf, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keydesk-testpg"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let field = |key: &str| -> String {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in {line:?}"))
            .to_owned()
    };
    let pid: u32 = field("pid=").parse().unwrap();
    let dir = PathBuf::from(field("dir="));
    let port: u16 = field("port=").parse().unwrap();
    assert!(alive(pid), "{line}");
    assert!(dir.exists());
    assert!(!refuses(port));
    (child, pid, dir, port)
}

#[test]
fn watchdog_stops_the_server_when_the_process_exits() {
    let (mut child, pid, dir, port) = hold_server();
    drop(child.stdin.take()); // the program returns from main; statics stay
    assert!(child.wait().unwrap().success());
    assert_gone(pid, &dir, port);
}

#[test]
fn watchdog_stops_the_server_when_the_process_is_killed() {
    let (mut child, pid, dir, port) = hold_server();
    child.kill().unwrap(); // SIGKILL: no destructor, no handler runs
    child.wait().unwrap();
    assert_gone(pid, &dir, port);
}

#[test]
fn a_missing_postgresql_fails_naming_make_deps() {
    let out = Command::new(env!("CARGO_BIN_EXE_keydesk-testpg"))
        .env("PG_BIN", "/nonexistent/postgresql/bin")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`make deps` installs postgresql-15"),
        "{stderr}"
    );
}
