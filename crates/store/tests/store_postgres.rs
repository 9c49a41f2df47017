//! The store suite on PostgreSQL: each test gets its own database on one
//! throwaway server per test process (keydesk-testpg: initdb as the
//! postgres user, loopback only, fsync off), migrated as `keydesk db
//! migrate` does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backend {
    use keydesk_store::{DbLocation, Store};
    use keydesk_testpg::Server;

    /// A fresh, empty inventory.
    pub fn fresh() -> Store {
        Db::new().open()
    }

    /// A database of its own on the shared test server.
    pub struct Db {
        url: String,
    }

    impl Db {
        pub fn new() -> Self {
            let server = Server::shared().expect("a PostgreSQL test server (make deps)");
            let url = server.fresh_database().unwrap();
            let at = DbLocation::Server(url.clone());
            let (before, after) = Store::migrate(&at).unwrap();
            assert_eq!(before, 0);
            assert!(after >= 1);
            Self { url }
        }

        pub fn location(&self) -> DbLocation {
            DbLocation::Server(self.url.clone())
        }

        pub fn open(&self) -> Store {
            Store::open_at(&self.location()).unwrap()
        }

        /// A raw connection as the database owner (a tamperer with psql).
        pub fn raw(&self) -> Raw {
            Raw(postgres::Client::connect(&self.url, postgres::NoTls).unwrap())
        }
    }

    /// Plain SQL on the database behind the store's back.
    pub struct Raw(postgres::Client);

    impl Raw {
        /// Run statements; the server's message on failure.
        pub fn exec(&mut self, sql: &str) -> Result<(), String> {
            self.0
                .batch_execute(sql)
                .map_err(|e| match e.as_db_error() {
                    Some(db) => db.message().to_owned(),
                    None => e.to_string(),
                })
        }

        /// Rows of a query whose columns are all text (or NULL).
        pub fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
            self.0
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.get::<_, Option<String>>(i))
                        .collect()
                })
                .collect()
        }

        /// Drop the append-only triggers, as a tamperer would first.
        pub fn drop_triggers(&mut self) {
            self.exec(
                "DROP TRIGGER events_no_update ON events; DROP TRIGGER events_no_delete ON events;",
            )
            .unwrap();
        }
    }
}

mod store_cases;

/// A counter never changes a shared schema itself: on a database that was
/// not migrated (or is behind) it refuses to start and names the command.
#[test]
fn an_unmigrated_server_database_is_refused_with_the_command_to_run() {
    let server = keydesk_testpg::Server::shared().unwrap();
    let url = server.fresh_database().unwrap();
    let at = keydesk_store::DbLocation::Server(url);
    let err = keydesk_store::Store::open_at(&at).unwrap_err();
    assert!(
        matches!(
            err,
            keydesk_store::StoreError::SchemaOutdated { found: 0, wanted } if wanted >= 1
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("keydesk db migrate"), "{err}");
    // After the migration the same database opens.
    keydesk_store::Store::migrate(&at).unwrap();
    let s = keydesk_store::Store::open_at(&at).unwrap();
    assert!(s.is_server());
}

/// The server unreachable: a clear error that says so, not a hang.
#[test]
fn an_unreachable_server_is_reported_as_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let at = keydesk_store::DbLocation::Server(format!(
        "postgresql://nobody@127.0.0.1:{port}/keydesk?connect_timeout=2"
    ));
    match keydesk_store::Store::open_at(&at) {
        Err(keydesk_store::StoreError::Postgres(e)) => assert!(e.unreachable, "{e:?}"),
        other => panic!("expected an unreachable server, got {other:?}"),
    }
}
