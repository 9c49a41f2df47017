//! The store suite on SQLite (an in-memory database, or a temporary file
//! where a test needs two connections or a tamperer's raw one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backend {
    use std::path::PathBuf;

    use keydesk_store::{DbLocation, Store};

    /// Whom the trail names for a change made as `actor`: on an SQLite
    /// file, the counter's operator.
    pub fn who(actor: &str) -> String {
        actor.to_owned()
    }

    /// A fresh, empty inventory.
    pub fn fresh() -> Store {
        Store::open_in_memory().unwrap()
    }

    /// An inventory that several connections can open.
    pub struct Db {
        _dir: tempfile::TempDir,
        path: PathBuf,
    }

    impl Db {
        pub fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("kd.sqlite");
            Self { _dir: dir, path }
        }

        pub fn location(&self) -> DbLocation {
            DbLocation::File(self.path.clone())
        }

        pub fn open(&self) -> Store {
            Store::open(&self.path).unwrap()
        }

        /// A raw connection, as a tamperer with the file has.
        pub fn raw(&self) -> Raw {
            Raw(rusqlite::Connection::open(&self.path).unwrap())
        }
    }

    /// Plain SQL on the database behind the store's back.
    pub struct Raw(rusqlite::Connection);

    impl Raw {
        /// Run statements; the engine's message on failure.
        pub fn exec(&mut self, sql: &str) -> Result<(), String> {
            self.0.execute_batch(sql).map_err(|e| e.to_string())
        }

        /// Rows of a query whose columns are all text (or NULL).
        pub fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
            let mut stmt = self.0.prepare(sql).unwrap();
            let n = stmt.column_count();
            stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }

        /// Drop the append-only triggers, as a tamperer would first.
        pub fn drop_triggers(&mut self) {
            self.exec("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
                .unwrap();
        }
    }
}

mod store_cases;

/// A single counter's file has no operator roles: said, not faked.
#[test]
fn operator_roles_need_a_server() {
    let mut s = keydesk_store::Store::open_in_memory().unwrap();
    let ctx = keydesk_store::Ctx::new("t", "w", time::OffsetDateTime::UNIX_EPOCH);
    let e = s
        .grant_operator(&ctx, keydesk_types::OperatorRole::Auditor, "otto", None)
        .unwrap_err();
    assert!(
        matches!(e, keydesk_store::StoreError::OnlyOnServer { .. }),
        "{e:?}"
    );
    assert!(s.operators().is_err());
}
