//! Throwaway PostgreSQL 15 servers for keydesk's tests and benchmarks.
//!
//! Dev only: nothing in the product depends on this crate.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = keydesk_testpg::Server::shared()?; // one per test process
//! let url = server.fresh_database()?; // one database per test
//! let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
//! client.batch_execute("CREATE TABLE t (x int)")?;
//! # Ok(()) }
//! ```
//!
//! # The server
//!
//! [`Server::start`] runs `initdb` into a fresh directory
//! `/tmp/keydesk-testpg-<pid>-<n>` (mode 0755; the cluster is in `data/`,
//! the Unix socket in `sock/`, the server log in `server.log`) and starts
//! the server with `pg_ctl`: loopback TCP only (`127.0.0.1`, a free port),
//! `fsync`, `synchronous_commit` and `full_page_writes` off,
//! `max_connections = 200`, `shared_buffers = 128MB`, UTF8 with the
//! `C.UTF-8` locale (or `C` where that locale is missing). Every connection
//! is trusted; [`Options::password_auth`] asks for SCRAM passwords over TCP
//! instead. [`Options::tls`] gives the server a certificate and key and
//! turns on `ssl` (TLS offered, plain still accepted).
//!
//! The binaries are looked up in `$PG_BIN`, then in
//! `/usr/lib/postgresql/15/bin` (Debian's `postgresql-15`), then on `PATH`
//! (a `PG_BIN` without them is an error, not a fallback). When they are
//! missing, every call fails with a message saying that
//! `make deps` installs `postgresql-15`: tests never skip silently.
//!
//! `initdb` refuses to run as root. When the effective user is root, the
//! directory is given to the `postgres` user and `initdb`, `pg_ctl` and the
//! server run as that user (`runuser -u postgres --`). Otherwise they run as
//! the current user.
//!
//! # No server outlives its test process
//!
//! Rust never drops statics, so the [`Server::shared`] server cannot be
//! stopped from a destructor, and a test killed by a signal runs no
//! destructors at all. Each server therefore has a *watchdog*: a small
//! `sh` child of the test process whose standard input is a pipe that only
//! the test process holds open. When the test process ends, however it
//! ends (normal exit, panic, `SIGKILL`), the kernel closes that pipe, the
//! watchdog reads end of file, stops the server with
//! `pg_ctl stop -m immediate` and removes the directory, about a second
//! after the test process has gone. The watchdog
//! ignores `SIGINT` and `SIGHUP`, so a Ctrl-C on `cargo test` still cleans
//! up. Dropping an owned [`Server`] takes the same path and waits for it,
//! so after the drop the server is gone. (A `PR_SET_PDEATHSIG` on the
//! server would need `unsafe`, which the workspace forbids, and would not
//! pass through `runuser` anyway.) Only a watchdog killed by hand
//! leaves a server behind.
//!
//! # Databases
//!
//! Tests share the one server of their process and each takes its own
//! database from [`Server::fresh_database`]. A test that stops the server
//! in the middle of a workflow ([`Server::stop`], [`Server::crash`],
//! [`Server::start_again`])
//! must start its own with [`Server::start`]: stopping the shared server
//! would pull it from under every other test of the process.

pub use postgres;

use std::fmt::Write as _;
use std::fs;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Where Debian's `postgresql-15` puts the server binaries.
pub const DEBIAN_BIN: &str = "/usr/lib/postgresql/15/bin";

/// How long [`Server::start`] and [`Server::start_again`] wait for the server.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The superuser's password under [`Options::password_auth`].
pub const SUPERUSER_PASSWORD: &str = "keydesk-testpg";

const HOST: &str = "127.0.0.1";
const SUPERUSER: &str = "postgres";
const HINT: &str = "`make deps` installs postgresql-15";

/// Environment variables of libpq that must not steer our tools.
const PG_ENV: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGOPTIONS",
    "PGDATA",
    "PGSSLMODE",
];

/// What went wrong while providing a server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PostgreSQL binaries were not found.
    #[error("PostgreSQL 15 is not installed: no {tool} in {searched}; {HINT}")]
    NotInstalled {
        /// The missing program.
        tool: &'static str,
        /// Where it was looked for.
        searched: String,
    },
    /// Running as root, but there is no `postgres` user to run the server as.
    #[error(
        "running as root, but there is no `postgres` user to run PostgreSQL as ({detail}); {HINT}"
    )]
    NoPostgresUser {
        /// What `id postgres` said.
        detail: String,
    },
    /// A file system or process operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A PostgreSQL tool exited unsuccessfully.
    #[error("{command} failed ({status}): {output}")]
    Command {
        /// The command line, shortened.
        command: String,
        /// Its exit status.
        status: String,
        /// Its standard error and output, and the server log's tail where
        /// it matters.
        output: String,
    },
    /// The server did not accept connections in time.
    #[error("the PostgreSQL server in {dir} did not accept connections within {secs} s: {detail}\n--- server log (tail) ---\n{log_tail}")]
    NotReady {
        /// The server's directory.
        dir: PathBuf,
        /// The time waited.
        secs: u64,
        /// The last error seen.
        detail: String,
        /// The end of the server log.
        log_tail: String,
    },
    /// A SQL command or a connection failed.
    #[error("PostgreSQL on port {port}, database {db}: {detail}")]
    Sql {
        /// The server's port.
        port: u16,
        /// The database.
        db: String,
        /// The server's message, or the client's.
        detail: String,
        /// The underlying error.
        #[source]
        source: postgres::Error,
    },
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let action = action.into();
    move |source| Error::Io { action, source }
}

/// How [`Server::start_with`] sets the server up.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// TCP connections authenticate with SCRAM-SHA-256 passwords instead of
    /// being trusted (the Unix socket, used by [`Server::psql`], stays
    /// trusted). The superuser's password is [`SUPERUSER_PASSWORD`]; it is
    /// part of [`Server::url`].
    pub password_auth: bool,
    /// The server offers TLS (`ssl = on`) with this certificate and key
    /// (PEM files; copied into the cluster, the key with mode 0600 and, when
    /// running as root, owned by `postgres`). Plain connections are still
    /// accepted: the client chooses with `sslmode`.
    pub tls: Option<TlsFiles>,
}

/// The server certificate and key for [`Options::tls`].
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The server's certificate (PEM), followed by any intermediate CAs.
    pub cert: PathBuf,
    /// Its private key (PEM, unencrypted).
    pub key: PathBuf,
}

impl Options {
    /// The defaults: every connection trusted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`Options::password_auth`].
    pub fn password_auth(mut self, on: bool) -> Self {
        self.password_auth = on;
        self
    }

    /// Sets [`Options::tls`]: the server offers TLS with `cert` and `key`.
    pub fn tls(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls = Some(TlsFiles {
            cert: cert.into(),
            key: key.into(),
        });
        self
    }
}

#[derive(Debug)]
struct State {
    running: bool,
    watchdog: Option<Child>,
}

/// A throwaway PostgreSQL server (see the crate documentation).
#[derive(Debug)]
pub struct Server {
    root: PathBuf,
    data: PathBuf,
    sock: PathBuf,
    log: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    password: Option<&'static str>,
    state: Mutex<State>,
}

static SHARED: OnceLock<Server> = OnceLock::new();
static SHARED_INIT: Mutex<()> = Mutex::new(());
static DIR_COUNTER: AtomicU32 = AtomicU32::new(0);
static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

impl Server {
    /// Creates and starts a server of its own, with every connection
    /// trusted. Dropping it stops the server and removes its directory.
    pub fn start() -> Result<Server> {
        Self::start_with(Options::new())
    }

    /// Creates and starts a server of its own, set up by `options`.
    pub fn start_with(options: Options) -> Result<Server> {
        let bin = bin_dir()?;
        let as_postgres = effective_uid()? == 0;
        let owner = if as_postgres {
            Some(postgres_ids()?)
        } else {
            None
        };
        let root = make_root(owner)?;
        let mut server = Server {
            data: root.join("data"),
            sock: root.join("sock"),
            log: root.join("server.log"),
            root,
            bin,
            port: 0,
            as_postgres,
            password: options.password_auth.then_some(SUPERUSER_PASSWORD),
            state: Mutex::new(State {
                running: false,
                watchdog: None,
            }),
        };
        // From here on, dropping `server` removes the directory; the
        // watchdog comes first so that no server can start without one.
        server.spawn_watchdog()?;
        server.initdb(owner)?;
        if let Some(files) = &options.tls {
            server.set_up_tls(files, owner)?;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            server.port = free_port()?;
            match server.start_again() {
                Ok(()) => return Ok(server),
                // Someone took the port between our probe and the server's
                // bind: try another one.
                Err(e) if attempt < 3 && server.log_tail().contains("already in use") => {
                    drop(e);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The server of this test process, started on first use. It lives
    /// until the process ends (see the crate documentation on how it is
    /// stopped then). Give each test its own database with
    /// [`Server::fresh_database`]; do not stop this server.
    pub fn shared() -> Result<&'static Server> {
        if let Some(server) = SHARED.get() {
            return Ok(server);
        }
        let _guard = SHARED_INIT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(server) = SHARED.get() {
            return Ok(server);
        }
        let server = Server::start()?;
        Ok(SHARED.get_or_init(|| server))
    }

    /// The TCP port the server listens on (on 127.0.0.1), the same across
    /// [`Server::stop`] and [`Server::start_again`].
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address the server listens on: `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        HOST
    }

    /// The server's directory (cluster in `data/`, socket in `sock/`, log
    /// in `server.log`).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The server log.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The process id of the running postmaster, from `postmaster.pid`.
    pub fn postmaster_pid(&self) -> Option<u32> {
        let text = fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// The connection URL of database `db` as the superuser `postgres`:
    /// `postgresql://postgres@127.0.0.1:PORT/db` (with the password under
    /// [`Options::password_auth`]). `db` should be a plain identifier.
    pub fn url(&self, db: &str) -> String {
        match self.password {
            Some(password) => {
                format!(
                    "postgresql://{SUPERUSER}:{password}@{HOST}:{}/{db}",
                    self.port
                )
            }
            None => format!("postgresql://{SUPERUSER}@{HOST}:{}/{db}", self.port),
        }
    }

    /// The connection URL of database `db` as `user` with `password`
    /// (see [`Server::create_login_role`]). Both should be URL-safe.
    pub fn url_as(&self, user: &str, password: &str, db: &str) -> String {
        format!("postgresql://{user}:{password}@{HOST}:{}/{db}", self.port)
    }

    /// Connects to database `db` as the superuser.
    pub fn connect(&self, db: &str) -> Result<postgres::Client> {
        postgres::Client::connect(&self.url(db), postgres::NoTls).map_err(|e| self.sql_error(db, e))
    }

    /// Runs `sql` (one or more statements, no parameters) in database `db`
    /// as the superuser.
    pub fn sql(&self, db: &str, sql: &str) -> Result<()> {
        let mut client = self.connect(db)?;
        client.batch_execute(sql).map_err(|e| self.sql_error(db, e))
    }

    /// Creates a database with a name unique on this server and returns its
    /// name (`keydesk_test_<pid>_<n>`). `CREATE DATABASE` copies `template1`:
    /// expect 0.1 s on an idle machine, several times that under load.
    pub fn fresh_database_name(&self) -> Result<String> {
        let n = DB_COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("keydesk_test_{}_{n}", std::process::id());
        self.sql("postgres", &format!("CREATE DATABASE {name}"))?;
        Ok(name)
    }

    /// Creates a database with a name unique on this server and returns its
    /// URL (see [`Server::url`]).
    pub fn fresh_database(&self) -> Result<String> {
        Ok(self.url(&self.fresh_database_name()?))
    }

    /// Creates a role that can log in with `password` (ignored while
    /// connections are trusted, checked under [`Options::password_auth`]).
    pub fn create_login_role(&self, name: &str, password: &str) -> Result<()> {
        self.sql(
            "postgres",
            &format!(
                "CREATE ROLE {} LOGIN PASSWORD {}",
                quote_ident(name),
                quote_literal(password)
            ),
        )
    }

    /// Runs `psql` on `sql` in database `db` as role `user`, over the Unix
    /// socket (always trusted), with `-X -At -v ON_ERROR_STOP=1`. The output
    /// is returned whatever psql's exit status.
    pub fn psql(&self, db: &str, user: &str, sql: &str) -> Result<Output> {
        let local = self.bin.join("psql");
        let program = if local.is_file() {
            local
        } else {
            find_on_path("psql").ok_or_else(|| Error::NotInstalled {
                tool: "psql",
                searched: format!("{} or PATH", self.bin.display()),
            })?
        };
        let mut command = Command::new(program);
        clean_env(&mut command);
        command
            .arg("-X")
            .arg("-At")
            .args(["-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(&self.sock)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                user,
                "-d",
                db,
                "-c",
                sql,
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(io("running psql"))
    }

    /// Whether the server is running (as far as this handle knows).
    pub fn is_running(&self) -> bool {
        self.lock().running
    }

    /// Stops the server the way an administrator would (`pg_ctl stop -m
    /// fast`): client sessions are cut off, committed data is kept. The
    /// directory and port stay for [`Server::start_again`]. Does nothing
    /// when stopped.
    pub fn stop(&self) -> Result<()> {
        self.shut_down("fast")
    }

    /// Stops the server as a crash would (`pg_ctl stop -m immediate`): the
    /// next start replays the WAL. With `synchronous_commit = off`, the
    /// last fraction of a second of commits may be lost, as after a real
    /// crash of such a server. Does nothing when stopped.
    pub fn crash(&self) -> Result<()> {
        self.shut_down("immediate")
    }

    fn shut_down(&self, mode: &str) -> Result<()> {
        let mut state = self.lock();
        if !state.running {
            return Ok(());
        }
        let mut command = self.tool("pg_ctl");
        command
            .arg("-D")
            .arg(&self.data)
            .args(["-m", mode, "-w", "-s", "stop"]);
        self.run(command, &format!("pg_ctl stop -m {mode}"))?;
        state.running = false;
        Ok(())
    }

    /// Starts the stopped server again on the same directory and port and
    /// waits until it accepts connections. Does nothing when running.
    pub fn start_again(&self) -> Result<()> {
        let mut state = self.lock();
        if state.running {
            return Ok(());
        }
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut command = self.tool("pg_ctl");
        command
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-o", &format!("-p {}", self.port)])
            .args(["-t", &READY_TIMEOUT.as_secs().to_string()])
            .args(["-w", "-s", "start"]);
        let output = command.output().map_err(io("running pg_ctl start"))?;
        if !output.status.success() {
            return Err(Error::NotReady {
                dir: self.root.clone(),
                secs: READY_TIMEOUT.as_secs(),
                detail: format!(
                    "pg_ctl start failed ({}): {}",
                    output.status,
                    outputs(&output)
                ),
                log_tail: self.log_tail(),
            });
        }
        state.running = true;
        // pg_ctl waited for the postmaster; make sure TCP works too.
        let mut last;
        loop {
            match self.connect("postgres") {
                Ok(_) => return Ok(()),
                Err(e) => last = e.to_string(),
            }
            if Instant::now() >= deadline {
                return Err(Error::NotReady {
                    dir: self.root.clone(),
                    secs: READY_TIMEOUT.as_secs(),
                    detail: last,
                    log_tail: self.log_tail(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The last lines of the server log.
    pub fn log_tail(&self) -> String {
        let Ok(mut file) = fs::File::open(&self.log) else {
            return "(no server log)".to_owned();
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(4000)));
        let mut bytes = Vec::new();
        let _ = file.read_to_end(&mut bytes);
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sql_error(&self, db: &str, source: postgres::Error) -> Error {
        let mut detail = match source.as_db_error() {
            Some(db_error) => db_error.to_string(),
            None => source.to_string(),
        };
        let mut cause = std::error::Error::source(&source);
        while let Some(c) = cause {
            let _ = write!(detail, ": {c}");
            cause = c.source();
        }
        Error::Sql {
            port: self.port,
            db: db.to_owned(),
            detail,
            source,
        }
    }

    /// A command for PostgreSQL tool `name`, as `postgres` when we are root.
    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", SUPERUSER, "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        clean_env(&mut command);
        command.current_dir(&self.root).stdin(Stdio::null());
        command
    }

    fn run(&self, mut command: Command, what: &str) -> Result<Output> {
        let output = command.output().map_err(io(format!("running {what}")))?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(Error::Command {
                command: what.to_owned(),
                status: output.status.to_string(),
                output: outputs(&output),
            })
        }
    }

    fn initdb(&self, owner: Option<(u32, u32)>) -> Result<()> {
        let mut command = self.tool("initdb");
        command
            .arg("-D")
            .arg(&self.data)
            .args(["-U", SUPERUSER, "-E", "UTF8"])
            .arg(format!("--locale={}", locale()))
            .args(["--no-sync", "--no-instructions"]);
        match self.password {
            Some(password) => {
                let pwfile = self.root.join("pwfile");
                write_owned(&pwfile, password, owner)?;
                command
                    .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
                    .arg(format!("--pwfile={}", pwfile.display()));
            }
            None => {
                command.arg("--auth=trust");
            }
        }
        self.run(command, "initdb")?;
        let conf = format!(
            "\n# keydesk-testpg\n\
             listen_addresses = '{HOST}'\n\
             unix_socket_directories = '{}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             max_connections = 200\n\
             shared_buffers = 128MB\n\
             logging_collector = off\n\
             log_min_messages = warning\n\
             lc_messages = 'C'\n",
            self.sock.display()
        );
        let path = self.data.join("postgresql.conf");
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(io(format!("appending to {}", path.display())))
    }

    /// Copies the certificate and key into the cluster and turns on `ssl`.
    fn set_up_tls(&self, files: &TlsFiles, owner: Option<(u32, u32)>) -> Result<()> {
        let cert = self.data.join("server.crt");
        let key = self.data.join("server.key");
        for (from, to, mode) in [(&files.cert, &cert, 0o644), (&files.key, &key, 0o600)] {
            fs::copy(from, to).map_err(io(format!(
                "copying {} to {}",
                from.display(),
                to.display()
            )))?;
            // The server refuses a key that others can read.
            fs::set_permissions(to, fs::Permissions::from_mode(mode))
                .map_err(io(format!("setting the mode of {}", to.display())))?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(to, Some(uid), Some(gid))
                    .map_err(io(format!("giving {} to postgres", to.display())))?;
            }
        }
        let conf = format!(
            "ssl = on\nssl_cert_file = {}\nssl_key_file = {}\n",
            quote_literal(&cert.display().to_string()),
            quote_literal(&key.display().to_string())
        );
        let path = self.data.join("postgresql.conf");
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(io(format!("appending to {}", path.display())))
    }

    /// Starts the watchdog (see the crate documentation).
    fn spawn_watchdog(&self) -> Result<()> {
        const SCRIPT: &str = r#"trap '' INT HUP
while read -r _; do :; done
if [ "$1" = root ]; then
  runuser -u postgres -- "$2" -D "$3" -m immediate -w -s stop
else
  "$2" -D "$3" -m immediate -w -s stop
fi
rm -rf -- "$4""#;
        let mut command = Command::new("sh");
        clean_env(&mut command);
        let child = command
            .args(["-c", SCRIPT, "keydesk-testpg-watchdog"])
            .arg(if self.as_postgres { "root" } else { "user" })
            .arg(self.bin.join("pg_ctl"))
            .arg(&self.data)
            .arg(&self.root)
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io("starting the watchdog (sh)"))?;
        self.lock().watchdog = Some(child);
        Ok(())
    }
}

impl Drop for Server {
    /// Stops the server and removes its directory: closes the watchdog's
    /// pipe and waits for the watchdog to do both.
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        let watchdog = state.watchdog.take();
        let running = std::mem::replace(&mut state.running, false);
        let waited = match watchdog {
            Some(mut child) => {
                drop(child.stdin.take());
                child.wait().map(|s| s.success()).unwrap_or(false)
            }
            None => false,
        };
        if !waited && running {
            let mut command = self.tool("pg_ctl");
            command
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "-s", "stop"]);
            let _ = command.output();
        }
        if self.root.exists() {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

/// Standard error, then standard output, trimmed.
fn outputs(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stdout.trim());
    }
    text
}

fn clean_env(command: &mut Command) {
    for var in PG_ENV {
        command.env_remove(var);
    }
    command.env("LC_MESSAGES", "C");
}

/// The directory holding `initdb` and `pg_ctl`.
fn bin_dir() -> Result<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let mut searched = Vec::new();
    if let Some(dir) = std::env::var_os("PG_BIN") {
        let dir = PathBuf::from(dir);
        if has_tools(&dir) {
            return Ok(dir);
        }
        // An explicit override that is wrong is an error, not a fallback.
        return Err(Error::NotInstalled {
            tool: "initdb and pg_ctl",
            searched: format!("PG_BIN={}", dir.display()),
        });
    }
    let debian = Path::new(DEBIAN_BIN);
    if has_tools(debian) {
        return Ok(debian.to_path_buf());
    }
    searched.push(DEBIAN_BIN.to_owned());
    if let Some(initdb) = find_on_path("initdb") {
        if let Some(dir) = initdb.parent() {
            if has_tools(dir) {
                return Ok(dir.to_path_buf());
            }
        }
    }
    searched.push("PATH".to_owned());
    Err(Error::NotInstalled {
        tool: "initdb and pg_ctl",
        searched: searched.join(" or "),
    })
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The effective user id, from `/proc/self/status`.
fn effective_uid() -> Result<u32> {
    let status =
        fs::read_to_string("/proc/self/status").map_err(io("reading /proc/self/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
        .ok_or_else(|| Error::Io {
            action: "reading the effective uid from /proc/self/status".to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no Uid: line"),
        })
}

/// The uid and gid of the `postgres` user.
fn postgres_ids() -> Result<(u32, u32)> {
    let id = |flag: &str| -> Result<u32> {
        let output = Command::new("id")
            .args([flag, SUPERUSER])
            .stdin(Stdio::null())
            .output()
            .map_err(io("running id"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        match text.trim().parse() {
            Ok(n) if output.status.success() => Ok(n),
            _ => Err(Error::NoPostgresUser {
                detail: outputs(&output),
            }),
        }
    };
    Ok((id("-u")?, id("-g")?))
}

/// `C.UTF-8` if the system has it, else `C`.
fn locale() -> &'static str {
    static LOCALE: OnceLock<&'static str> = OnceLock::new();
    LOCALE.get_or_init(|| {
        let available = Command::new("locale")
            .arg("-a")
            .stdin(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let has = available.lines().any(|l| {
            l.trim().eq_ignore_ascii_case("c.utf8") || l.trim().eq_ignore_ascii_case("c.utf-8")
        });
        if has {
            "C.UTF-8"
        } else {
            "C"
        }
    })
}

/// Creates `/tmp/keydesk-testpg-<pid>-<n>` (mode 0755) with an empty
/// `sock/`, owned by `owner` when given.
fn make_root(owner: Option<(u32, u32)>) -> Result<PathBuf> {
    let pid = std::process::id();
    let root = loop {
        let n = DIR_COUNTER.fetch_add(1, Ordering::Relaxed);
        let candidate = PathBuf::from(format!("/tmp/keydesk-testpg-{pid}-{n}"));
        match fs::create_dir(&candidate) {
            Ok(()) => break candidate,
            // A leftover of an earlier process with our pid.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(format!("creating {}", candidate.display()))(e)),
        }
    };
    let sock = root.join("sock");
    let prepared = fs::create_dir(&sock)
        .map_err(io(format!("creating {}", sock.display())))
        .and_then(|()| {
            for dir in [&root, &sock] {
                fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
                    .map_err(io(format!("setting the mode of {}", dir.display())))?;
                if let Some((uid, gid)) = owner {
                    std::os::unix::fs::chown(dir, Some(uid), Some(gid))
                        .map_err(io(format!("giving {} to postgres", dir.display())))?;
                }
            }
            Ok(())
        });
    match prepared {
        Ok(()) => Ok(root),
        Err(e) => {
            let _ = fs::remove_dir_all(&root);
            Err(e)
        }
    }
}

fn write_owned(path: &Path, text: &str, owner: Option<(u32, u32)>) -> Result<()> {
    fs::write(path, text).map_err(io(format!("writing {}", path.display())))?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(io(format!("giving {} to postgres", path.display())))?;
    }
    Ok(())
}

/// A free TCP port on 127.0.0.1 (free when we looked).
fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("finding a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io("finding a free port"))?
        .port();
    Ok(port)
}

/// `name` as a SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a SQL string literal.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn effective_uid_is_readable() {
        effective_uid().unwrap();
    }
}
